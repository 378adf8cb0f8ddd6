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
    from ...workflow.service import operations

    at = clock(now)
    with open_ledger(db_of(ctx, db_url)) as book:
        result = operations.submit_statistics(book, enterprise_id, period, signed_by=signed_by, role=role, now=at)
    if fmt == "json":
        dump(result)
        return
    late = f" (late: due {result['due'].isoformat()})" if result["late"] else ""
    verb = "submitted" if result["created"] else "already submitted (the same table)"
    click.echo(f"{result['enterprise_id']} {result['period']} statistics {verb}, signed by {result['signed_by']}"
               f" at {result['submitted_at'].isoformat()}{late}; sha256:{result['digest']}")
