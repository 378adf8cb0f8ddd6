"""`hazard-rules rules lint`: load and statically check every pack."""

from __future__ import annotations

from pathlib import Path

import click

from ...classifying.load import load_rulesets
from ..options import rules_option


@click.command("lint")
@rules_option
def rules_lint(rules_dir: Path | None) -> None:
    """Load and statically check every pack; print every problem found."""
    ruleset = load_rulesets(rules_dir)
    count = sum(len(p.rules) for p in ruleset.packs)
    click.echo(f"{len(ruleset.packs)} pack(s), {count} rules: no problems found")
