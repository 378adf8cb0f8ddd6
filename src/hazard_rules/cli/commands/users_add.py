"""`hazard-rules users add USERNAME`: an account of the HTTP service."""

from __future__ import annotations

import click

from ..ledger_access import open_ledger
from ..options import clock, db_option
from ..params import ADMIN_CODE


@click.command("add")
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
def users_add(username: str, db_url: str | None, name: str, role: str, organisation: str, org_code: str | None,
        department: str | None, enterprise_id: str | None, password: str) -> None:
    """Add an account; its password is stored as an argon2id hash."""
    from ...workflow.service.accounts import Accounts

    with open_ledger(db_url) as book:
        account = Accounts.of(book).add(username, password, name=name, role=role, organisation=organisation,
                                        at=clock(None), org_code=org_code, department=department,
                                        enterprise_id=enterprise_id)
    click.echo(f"added {username} ({account.identity.role}, {organisation})")
