"""`hazard-rules ledger stats submit ENTERPRISE_ID`: record an enterprise's signed statistics table."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from ..ledger_access import open_ledger
from ..options import clock, db_of, db_option
from ..params import DATETIME, PERIOD
from ..stats_view import dump

if TYPE_CHECKING:
    from ...workflow.stats import Period


@click.command()
@click.argument("enterprise_id")
@db_option
@click.option("--period", "period", type=PERIOD, required=True, help="2025Q1 … 2025Q4, or 2025.")
@click.option("--by", "signed_by", required=True, help="Name of the 主要负责人 who signed the table.")
@click.option("--as", "role", required=True, help="Role of the signer: must be ENT_PRINCIPAL (16号令 art. 14).")
@click.option("--now", "now", type=DATETIME, default=None, help="Time of submission, ISO 8601 (default: now).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def submit(ctx: click.Context, enterprise_id: str, db_url: str | None, period: Period, signed_by: str, role: str,
           now: dt.datetime | None, fmt: str) -> None:
    """Record an enterprise's signed statistics table for a period (the table as of now)."""
    from ...workflow.policy.calendar import china_date
    from ...workflow.stats import statistics_due, submit_statistics

    at = clock(now)
    with open_ledger(db_of(ctx, db_url)) as book:
        submission, created = submit_statistics(book, enterprise_id, period, signed_by=signed_by, role=role, now=at)
        due = statistics_due(period, submission.body.get("jurisdiction"), book.settings)
    if fmt == "json":
        dump({"created": created, "due": due, "enterprise_id": submission.enterprise_id, "period": submission.period,
              "submitted_at": submission.submitted_at, "signed_by": submission.signed_by,
              "digest": submission.digest, "table": submission.body})
        return
    late = f" (late: due {due.isoformat()})" if china_date(submission.submitted_at) > due else ""
    verb = "submitted" if created else "already submitted (the same table)"
    click.echo(f"{submission.enterprise_id} {submission.period} statistics {verb}, signed by {submission.signed_by}"
               f" at {submission.submitted_at.isoformat()}{late}; sha256:{submission.digest}")
