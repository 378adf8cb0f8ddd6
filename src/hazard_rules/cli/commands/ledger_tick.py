"""`hazard-rules ledger tick`: record the escalation steps whose time has come."""

from __future__ import annotations

import datetime as dt

import click

from ..ledger_access import open_ledger
from ..options import clock, db_option, now_option


@click.command()
@db_option
@now_option
def tick(db_url: str | None, now: dt.datetime | None) -> None:
    """Record the escalation steps whose time has come (催办 → 督办函 → 通报 → 约谈 → 处罚)."""
    from ...workflow.service import operations

    at = clock(now)
    with open_ledger(db_url) as book:
        recorded = operations.tick(book, at)
    for row in recorded:
        by = row["authority"]
        click.echo(f"{row['hazard_id']}\t{row['timer']}\t{row['step']}\tdue {row['due']}"
                   + (f"\tby {by}" if by else ""))
    click.echo(f"{len(recorded)} escalation step(s) recorded", err=True)
