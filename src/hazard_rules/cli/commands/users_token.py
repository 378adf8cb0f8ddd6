"""`hazard-rules users token USERNAME`: a bearer token for a system acting as the account."""

from __future__ import annotations

import datetime as dt

import click

from ..ledger_access import open_ledger
from ..options import clock, db_option


@click.command("token")
@click.argument("username")
@db_option
@click.option("--label", default="api", show_default=True, help="What the token is for.")
def users_token(username: str, db_url: str | None, label: str) -> None:
    """Issue a bearer token for a system acting as USERNAME; printed once, stored hashed."""
    from ...workflow.service.accounts import Accounts

    at: dt.datetime = clock(None)
    with open_ledger(db_url) as book:
        click.echo(Accounts.of(book).issue_token(username, label, at))
