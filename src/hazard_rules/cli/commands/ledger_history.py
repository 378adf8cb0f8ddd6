"""`hazard-rules ledger history ID`: the whole trace of a hazard (一键追溯)."""

from __future__ import annotations

import json

import click

from ..ledger_access import open_ledger
from ..ledger_view import print_history
from ..options import db_option


@click.command()
@click.argument("hazard_id")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def history(hazard_id: str, db_url: str | None, fmt: str) -> None:
    """The whole trace of a hazard, from finding and verdict to closure (一键追溯)."""
    with open_ledger(db_url) as book:
        events = book.history(hazard_id)
    if fmt == "json":
        click.echo(json.dumps([e.model_dump(mode="json") for e in events], ensure_ascii=False, indent=2))
        return
    print_history(events)
