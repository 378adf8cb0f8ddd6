"""`hazard-rules ledger show ID`: a hazard's current state."""

from __future__ import annotations

import click

from ..ledger_access import open_ledger
from ..ledger_view import print_state
from ..options import db_option


@click.command()
@click.argument("hazard_id")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def show(hazard_id: str, db_url: str | None, fmt: str) -> None:
    """Show a hazard's current state."""
    with open_ledger(db_url) as book:
        print_state(book.get(hazard_id), fmt)
