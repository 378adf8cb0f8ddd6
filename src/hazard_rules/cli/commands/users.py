"""`hazard-rules users add/list/disable/token`: the accounts of the HTTP service."""

from __future__ import annotations

import datetime as dt
import json

import click

from ..ledger_access import open_ledger
from ..options import clock, db_option
from ..params import ADMIN_CODE


@click.group()
def users() -> None:
    """Administer the accounts of `hazard-rules serve` (kept in the ledger's database)."""


@users.command("add")
@click.argument("username")
@db_option
@click.option("--name", required=True, help="The person's name, recorded as the actor of their steps.")
@click.option("--role", required=True, help="A role of the state machine (see `ledger graph`).")
@click.option("--org", "organisation", required=True, help="Their organisation.")
@click.option("--org-code", type=ADMIN_CODE, default=None, help="Administrative code (DEPT, SAFETY_COMMITTEE).")
@click.option("--department", default=None, help="The department (DEPT), e.g. 应急管理.")
@click.option("--enterprise", "enterprise_id", default=None, help="The enterprise id (ENT_* roles).")
@click.password_option(envvar="HAZARD_RULES_PASSWORD",
                       help="The password (prompted when not given; env HAZARD_RULES_PASSWORD).")
def add(username: str, db_url: str | None, name: str, role: str, organisation: str, org_code: str | None,
        department: str | None, enterprise_id: str | None, password: str) -> None:
    """Add an account; its password is stored as an argon2id hash."""
    from ...workflow.service.accounts import Accounts

    with open_ledger(db_url) as book:
        account = Accounts.of(book).add(username, password, name=name, role=role, organisation=organisation,
                                        at=clock(None), org_code=org_code, department=department,
                                        enterprise_id=enterprise_id)
    click.echo(f"added {username} ({account.identity.role}, {organisation})")


@users.command("list")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def list_(db_url: str | None, fmt: str) -> None:
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


@users.command("disable")
@click.argument("username")
@db_option
def disable(username: str, db_url: str | None) -> None:
    """Disable an account and revoke its sessions and tokens."""
    from ...workflow.service.accounts import Accounts

    with open_ledger(db_url) as book:
        Accounts.of(book).disable(username)
    click.echo(f"disabled {username}")


@users.command("token")
@click.argument("username")
@db_option
@click.option("--label", default="api", show_default=True, help="What the token is for.")
def token(username: str, db_url: str | None, label: str) -> None:
    """Issue a bearer token for a system acting as USERNAME; printed once, stored hashed."""
    from ...workflow.service.accounts import Accounts

    at: dt.datetime = clock(None)
    with open_ledger(db_url) as book:
        click.echo(Accounts.of(book).issue_token(username, label, at))
