"""`hazard-rules ledger step ID ACTION`: one step of the state machine on a hazard."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from ..ledger_access import open_ledger
from ..ledger_view import print_state
from ..options import clock, db_option, now_option
from ..params import ADMIN_CODE, EVIDENCE, FIELD, JSON_OBJECT, nest


@click.command()
@click.argument("hazard_id")
@click.argument("action")
@db_option
@click.option("--as", "role", required=True, help="Role taking the step (see `ledger graph`).")
@click.option("--by", "actor", required=True, help="Name of the person taking the step.")
@click.option("--org", "organisation", required=True, help="Their organisation.")
@click.option("--org-code", type=ADMIN_CODE, default=None,
              help="Administrative code the organisation acts for (DEPT, SAFETY_COMMITTEE); "
                   "the hazard must lie within it.")
@click.option("--department", default=None,
              help="The department (DEPT), e.g. 应急管理; it must be responsible for the hazard.")
@click.option("--field", "field_pairs", type=FIELD, multiple=True,
              help="NAME=VALUE (dotted names nest; JSON values parsed).")
@click.option("--fields", "fields_json", type=JSON_OBJECT, default=None, help="All fields as a JSON object, or @FILE.")
@click.option("--evidence", "evidence", type=EVIDENCE, multiple=True, help="NAME=FILE; the file's SHA-256 is recorded.")
@click.option("--expect-version", type=int, default=None, help="Refuse if the hazard is not at this version.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@now_option
def step(hazard_id: str, action: str, db_url: str | None, role: str, actor: str, organisation: str,
         org_code: str | None, department: str | None, field_pairs: tuple[tuple[tuple[str, ...], Any], ...],
         fields_json: dict[str, Any] | None, evidence: tuple[Any, ...], expect_version: int | None, fmt: str,
         now: dt.datetime | None) -> None:
    """Take one workflow step on a hazard (refused with the reason if illegal)."""
    from ...workflow.service.accounts import Identity
    from ...workflow.service.desk import Desk

    at = clock(now)
    identity = Identity(name=actor, role=role, organisation=organisation, org_code=org_code, department=department,
                        claimed=True)
    with open_ledger(db_url) as book:
        state = Desk(book, identity).step(hazard_id, action, at=at, fields=nest(field_pairs, fields_json),
                                          evidence=list(evidence), expected_version=expect_version)
    print_state(state, fmt)
