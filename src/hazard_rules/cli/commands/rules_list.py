"""`hazard-rules rules list`: every rule of every pack."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ...classifying.catalogue import rule_rows
from ...classifying.load import load_rulesets
from ..options import rules_option
from ..output import make_console


@click.command("list")
@rules_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def rules_list(rules_dir: Path | None, fmt: str) -> None:
    """List every rule of every pack."""
    ruleset = load_rulesets(rules_dir)
    rows = rule_rows(ruleset)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table(header_style="bold")
    for column in ("rule", "article", "clause", "provenance", "text"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["rule"], row["article"], row["clause"] or "", row["provenance"], row["text"])
    console = make_console()
    console.print(table)
    console.print(f"{len(rows)} rules in {len(ruleset.packs)} pack(s)")
