"""`hazard-rules rules coverage [PACKS]`: how much of each standard the packs encode."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ...classifying.load import load_rulesets
from ..options import rules_option
from ..output import make_console
from ..packs import chosen_packs


@click.command("coverage")
@click.argument("packs", nargs=-1)
@rules_option
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="text: a table per pack; markdown: docs/coverage.md; json: for tools.")
def rules_coverage(packs: tuple[str, ...], rules_dir: Path | None, fmt: str) -> None:
    """Report how much of each standard the packs (all, or the PACKS named by id) encode: per article and
    item, the rule, its wording's provenance, its tests by expected value and who decides it."""
    from ...authoring.coverage import build_coverage, to_json, to_markdown

    ruleset = load_rulesets(rules_dir, tests=True)
    report = build_coverage(ruleset, chosen_packs(ruleset, packs))
    if fmt == "json":
        click.echo(json.dumps(to_json(report), ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        click.echo(to_markdown(report), nl=False)
    else:
        from ..coverage_view import print_coverage

        print_coverage(report, make_console())
