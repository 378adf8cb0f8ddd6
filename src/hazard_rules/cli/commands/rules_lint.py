"""`hazard-rules rules lint`: load and statically check every pack, its tests included."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ...classifying.load import load_rulesets
from ...errors import HazardRulesError, diagnostics_json
from ..options import rules_option


@click.command("lint")
@rules_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: every problem as {\"diagnostics\": [...]} on stdout, for editors and CI (docs/errors.md).")
def rules_lint(rules_dir: Path | None, fmt: str) -> None:
    """Load and statically check every pack; print every problem found."""
    try:
        ruleset = load_rulesets(rules_dir, tests=True)
    except HazardRulesError as exc:
        if fmt != "json":
            raise
        click.echo(diagnostics_json(exc))
        sys.exit(exc.exit_code)
    if fmt == "json":
        click.echo(json.dumps({"diagnostics": []}))
        return
    count = sum(len(p.rules) for p in ruleset.packs)
    click.echo(f"{len(ruleset.packs)} pack(s), {count} rules: no problems found")
