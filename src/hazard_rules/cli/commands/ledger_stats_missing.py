"""`hazard-rules ledger stats missing`: enterprises that owe a statistics table and have not submitted it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ..ledger_access import open_ledger
from ..options import AsOf, as_of_or, db_of, db_option, within_option
from ..params import AS_OF, PERIOD
from ..stats_view import FORMATS, emit, wide_option

if TYPE_CHECKING:
    from ...workflow.stats import Period


@click.command()
@db_option
@click.option("--period", "period", type=PERIOD, required=True, help="2025Q1 … 2025Q4, or 2025.")
@click.option("--as-of", "as_of", type=AS_OF, default=None, help="As of this date or date-time (default: now).")
@within_option
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@wide_option
@click.pass_context
def missing(ctx: click.Context, db_url: str | None, period: Period, as_of: AsOf | None, within: str | None,
            fmt: str, wide: bool) -> None:
    """Enterprises that owe a statistics table for the period and have not submitted it."""
    from ...workflow.stats import MISSING_COLUMNS, missing_submissions

    moment = as_of_or(as_of)
    with open_ledger(db_of(ctx, db_url)) as book:
        rows = missing_submissions(book, period, moment, jurisdiction=within)
    emit(rows, fmt, MISSING_COLUMNS, title=f"{period.label} 未报送统计表的企业 (as of {moment.isoformat()})",
         wide=wide)
    if fmt == "table":
        click.echo(f"{len(rows)} enterprise(s) have not submitted, {sum(r['late'] for r in rows)} late", err=True)
