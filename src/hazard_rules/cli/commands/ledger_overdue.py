"""`hazard-rules ledger overdue`: open hazards with a deadline that has passed."""

from __future__ import annotations

import datetime as dt

import click

from ..ledger_access import open_ledger
from ..options import clock, db_option, now_option


@click.command()
@db_option
@now_option
def overdue(db_url: str | None, now: dt.datetime | None) -> None:
    """List open hazards with a deadline that has passed."""
    at = clock(now)
    with open_ledger(db_url) as book:
        found = book.overdue(at)
    for hazard, timers in found:
        dues = ", ".join(f"{t} {hazard.deadlines[t]}" for t in timers)
        click.echo(f"{hazard.id}\t{hazard.state}\t{hazard.level}\t{dues}")
    click.echo(f"{len(found)} overdue hazard(s)", err=True)
