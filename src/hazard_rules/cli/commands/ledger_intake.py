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
    from ...workflow.service.ledger import StepRefused

    at = clock(now)
    ruleset = load_rulesets(rules_dir)
    created = existing = invalid = refused = 0
    with open_ledger(db_url) as book:
        book.check_actor("register", role=role, org_code=org_code, department=department)  # once, not per record
        for outcome in classify_files(ruleset, [str(f) for f in files], scope=scope):
            if outcome.error is not None:
                invalid += 1
                click.echo(outcome.error.render(), err=True)
                continue
            if outcome.verdict is None or outcome.finding is None:
                continue
            try:
                result = book.register(outcome.finding, outcome.verdict, actor=actor, role=role,
                                       organisation=organisation, at=at, org_code=org_code, department=department)
            except StepRefused as exc:  # e.g. a finding outside the department's area: the others go on
                refused += 1
                click.echo(exc.render(), err=True)
                continue
            created += result.created
            existing += not result.created
    click.echo(f"{created} hazards registered, {existing} already in the ledger"
               + (f", {refused} refused" if refused else "")
               + (f", {invalid} invalid records skipped" if invalid else ""))
    sys.exit(ExitCode.INVALID_RECORDS if invalid else ExitCode.REFUSED if refused else ExitCode.OK)
