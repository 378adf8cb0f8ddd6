"""`hazard-rules users disable USERNAME`: an account off, its sessions and tokens revoked."""

from __future__ import annotations

import click

from ..ledger_access import open_ledger
from ..options import db_option


@click.command("disable")
@click.argument("username")
@db_option
def users_disable(username: str, db_url: str | None) -> None:
    """Disable an account and revoke its sessions and tokens."""
    from ...workflow.service.accounts import Accounts

    with open_ledger(db_url) as book:
        Accounts.of(book).disable(username)
    click.echo(f"disabled {username}")
