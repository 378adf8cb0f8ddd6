"""`hazard-rules users list`: the accounts of the HTTP service."""

from __future__ import annotations

import json

import click

from ..ledger_access import open_ledger
from ..options import db_option


@click.command("list")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def users_list(db_url: str | None, fmt: str) -> None:
    """List the accounts."""
    from ...workflow.service.accounts import Accounts

    with open_ledger(db_url) as book:
        found = Accounts.of(book).accounts()
    if fmt == "json":
        click.echo(json.dumps([a.as_dict() for a in found], ensure_ascii=False, indent=2))
        return
    for account in found:
        i = account.identity
        acts_for = " ".join(x for x in (i.org_code, i.department, i.enterprise_id) if x)
        click.echo(f"{i.username}\t{i.role}\t{i.name}\t{i.organisation}\t{acts_for}"
                   + ("\tdisabled" if account.disabled else ""))
