"""`hazard-rules ledger export`: statistics tables as CSV or XLSX, with Chinese headers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..ledger_access import open_ledger
from ..options import AsOf, Dimensions, as_of_or, db_option, grouping, grouping_options
from ..params import AS_OF, DATE, PERIOD

if TYPE_CHECKING:
    from ...workflow.stats import Period

@click.command()
@db_option
@click.option("--what", "what", multiple=True, required=True,
              type=click.Choice(["breakdown", "stock", "enterprise", "missing"]),
              help="Table(s) to export; several only into an .xlsx (one sheet each).")
@click.option("--output", "-o", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="FILE.csv or FILE.xlsx (the format follows the extension); written atomically.")
@grouping_options
@click.option("--as-of", "as_of", type=AS_OF, default=None,
              help="As of this date or date-time (default: now; for enterprise alone, the period's end).")
@click.option("--cut-off", "cut_off", type=DATE, default=None, help="For stock: 存量 = found before this date.")
@click.option("--period", "period", type=PERIOD, default=None, help="For enterprise and missing: 2025Q1 or 2025.")
def export(db_url: str | None, what: tuple[str, ...], output: Path, by: Dimensions, major_only: bool,
           jurisdiction_level: str, industry_depth: int, within: str | None, as_of: AsOf | None,
           cut_off: dt.date | None, period: Period | None) -> None:
    """Export statistics tables as CSV or XLSX, with Chinese headers carrying the column ids."""
    from ...workflow.service import reports

    tables = list(dict.fromkeys(what))
    reports.check_request(output.suffix.lower(), tables, cut_off, period)
    moment = as_of if as_of is not None else reports.default_as_of(tables, period, as_of_or(None))
    groups = reports.Grouping(**grouping(by, major_only, within, jurisdiction_level, industry_depth))
    with open_ledger(db_url) as book:
        result = reports.build(book, tables, moment, groups, cut_off, period)
    reports.write(result, output)
    click.echo(result.summary(output), err=True)
