"""`hazard-rules ledger verify`: the hash chains and the projections against a replay."""

from __future__ import annotations

import sys

import click

from ..exit_codes import ExitCode
from ..ledger_access import open_ledger
from ..options import db_option


@click.command()
@db_option
def verify(db_url: str | None) -> None:
    """Check the hash chain and the projection against a replay of the log."""
    with open_ledger(db_url) as book:
        problems = book.verify()
    for problem in problems:
        where = f"event {problem.n}" if problem.n is not None else "projection"
        click.echo(f"{problem.hazard_id}: {where}: {problem.message}", err=True)
    if problems:
        click.echo(f"ledger verification FAILED: {len(problems)} problem(s)", err=True)
        sys.exit(ExitCode.FAILED)
    click.echo("ledger verified: every chain intact, every projection equals its replay")
