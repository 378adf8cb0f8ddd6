"""`hazard-rules ledger stats stock`: 存量 vs 增量 and 动态清零 progress."""

from __future__ import annotations

import datetime as dt

import click

from ..ledger_access import open_ledger
from ..options import AsOf, Dimensions, as_of_or, db_of, db_option, grouping, grouping_options
from ..params import AS_OF, DATE
from ..stats_view import FORMATS, dump, emit, wide_option


@click.command()
@db_option
@click.option("--cut-off", "cut_off", type=DATE, required=True,
              help="存量 = found before this date; 增量 = on or after it.")
@grouping_options
@click.option("--as-of", "as_of", type=AS_OF, default=None, help="Count as of this date or date-time (default: now).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@wide_option
@click.pass_context
def stock(ctx: click.Context, db_url: str | None, cut_off: dt.date, by: Dimensions, major_only: bool,
          jurisdiction_level: str, industry_depth: int, within: str | None, as_of: AsOf | None, fmt: str,
          wide: bool) -> None:
    """存量 vs 增量 and 动态清零 progress (the share of the stock closed) as of a date."""
    from ...workflow.stats import dynamic_clearing, snapshot, stock_increment

    moment = as_of_or(as_of)
    with open_ledger(db_of(ctx, db_url)) as book:
        snap = snapshot(book, moment)
    rows = stock_increment(snap, cut_off, **grouping(by, major_only, within, jurisdiction_level, industry_depth))
    clearing = dynamic_clearing(snap, cut_off, major_only=True, jurisdiction=within)
    if fmt == "json":
        dump({"clearing": clearing.as_dict(), "rows": rows})
        return
    emit(rows, fmt, title=f"存量/增量 (cut-off {cut_off}) as of {moment.isoformat()}", wide=wide)
    progress = "—" if clearing.progress is None else f"{clearing.progress:.1%}"
    line = (f"动态清零 (存量重大隐患, found before {cut_off.isoformat()}): {clearing.stock_closed}/{clearing.stock} "
            f"closed ({progress}), {clearing.stock_open} open" + ("; cleared" if clearing.cleared else ""))
    click.echo(line, err=fmt == "csv")
