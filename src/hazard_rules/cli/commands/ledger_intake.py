"""`hazard-rules ledger intake FILES`: classify findings and register each as a hazard."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ...findings.model import Scope
from ..exit_codes import ExitCode
from ..ledger_access import open_ledger
from ..options import clock, db_option, now_option, rules_option
from ..params import ADMIN_CODE, SCOPE


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@db_option
@rules_option
@click.option("--by", "actor", required=True, help="Who registers the hazards.")
@click.option("--as", "role", default="INSPECTOR", show_default=True, help="Role of the person registering.")
@click.option("--org", "organisation", required=True, help="Organisation of the person registering.")
@click.option("--org-code", type=ADMIN_CODE, default=None,
              help="Administrative code the organisation acts for (government roles).")
@click.option("--department", default=None, help="The department it is (DEPT role), e.g. 应急管理.")
@click.option("--scope", type=SCOPE, default="finding", show_default=True,
              help="finding: inspection findings; enterprise: a whole-enterprise self-inspection (docs/scopes.md).")
@now_option
def intake(files: tuple[Path, ...], db_url: str | None, rules_dir: Path | None, actor: str, role: str,
           organisation: str, org_code: str | None, department: str | None, scope: Scope,
           now: dt.datetime | None) -> None:
    """Classify finding files and register every finding as a hazard (idempotent)."""
    from ...classifying.load import load_rulesets
    from ...pipeline import classify_files
    from ...workflow.service.accounts import Identity
    from ...workflow.service.desk import Desk, Tally

    at = clock(now)
    ruleset = load_rulesets(rules_dir)
    identity = Identity(name=actor, role=role, organisation=organisation, org_code=org_code, department=department,
                        claimed=True)
    tally = Tally()
    with open_ledger(db_url) as book:
        outcomes = classify_files(ruleset, [str(f) for f in files], scope=scope)
        for item in Desk(book, identity).intake(outcomes, at):
            tally.add(item)
            if item.error is not None:  # invalid, or refused (e.g. outside the department's area): the others go on
                click.echo(item.error.render(), err=True)
    click.echo(tally.summary())
    sys.exit(ExitCode.INVALID_RECORDS if tally.invalid else ExitCode.REFUSED if tally.refused else ExitCode.OK)
