"""`hazard-rules ledger stats enterprise`: each enterprise's statistics table for a period."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ..ledger_access import open_ledger
from ..options import AsOf, as_of_or, db_of, db_option, within_option
from ..params import AS_OF, PERIOD
from ..stats_view import FORMATS, emit, wide_option

if TYPE_CHECKING:
    from ...workflow.stats import Period

# The terminal gets the essentials; --format json/csv every column.
ENTERPRISE_SHOWN = ("enterprise_id", "enterprise_name", "jurisdiction", "due", "found", "void", "ordinary", "major",
                    "rectified", "rate", "major_open", "major_open_all", "submitted_at", "signed_by", "late")


@click.command()
@db_option
@click.option("--period", "period", type=PERIOD, required=True, help="2025Q1 … 2025Q4, or 2025 for the annual table.")
@click.option("--as-of", "as_of", type=AS_OF, default=None,
              help="As of this date or date-time (default: the period's end).")
@within_option
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@wide_option
@click.pass_context
def enterprise(ctx: click.Context, db_url: str | None, period: Period, as_of: AsOf | None, within: str | None,
               fmt: str, wide: bool) -> None:
    """Each enterprise's quarterly or annual statistics table (16号令 art. 14), its due date
    and whether it was submitted."""
    from ...workflow.stats import ENTERPRISE_COLUMNS, ENTERPRISE_HEADERS, enterprise_table

    moment = as_of_or(as_of, period.end)
    with open_ledger(db_of(ctx, db_url)) as book:
        rows = enterprise_table(book, period, moment, jurisdiction=within)
    columns = ENTERPRISE_COLUMNS if fmt != "table" else ENTERPRISE_SHOWN
    emit(rows, fmt, columns, ENTERPRISE_HEADERS,
         title=f"{period.label} 隐患排查治理统计表 (as of {moment.isoformat()}, {period.start} – {period.end})",
         wide=wide)
