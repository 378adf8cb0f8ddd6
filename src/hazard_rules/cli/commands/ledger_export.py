"""`hazard-rules ledger export`: statistics tables as CSV or XLSX, with Chinese headers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ...errors import UsageError
from ..ledger_access import open_ledger
from ..options import AsOf, Dimensions, as_of_or, db_option, grouping, grouping_options
from ..params import AS_OF, DATE, PERIOD

if TYPE_CHECKING:
    from ...workflow.stats import Period

SHEET_NAMES = {"breakdown": "分类统计", "stock": "存量增量", "enterprise": "企业统计表", "missing": "未报送企业"}


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
    from ...workflow import stats as st

    kind = output.suffix.lower()
    if kind not in (".csv", ".xlsx"):
        raise UsageError(f"--output {output}: the extension must be .csv or .xlsx")
    tables = list(dict.fromkeys(what))
    if kind == ".csv" and len(tables) > 1:
        raise UsageError("a CSV file holds one table", hint="export several tables into an .xlsx, or one at a time")
    if "stock" in tables and cut_off is None:
        raise UsageError("--what stock needs --cut-off DATE")
    if period is None and ({"enterprise", "missing"} & set(tables)):
        raise UsageError("--what enterprise/missing needs --period (2025Q1 or 2025)")
    default = period.end if tables == ["enterprise"] and period is not None else None
    moment = as_of_or(as_of, default)
    groups = grouping(by, major_only, within, jurisdiction_level, industry_depth)
    with open_ledger(db_url) as book:
        snap = st.snapshot(book, moment)
    sheets: dict[str, list[dict[str, Any]]] = {}
    columns: dict[str, tuple[str, ...]] = {}
    labels: dict[str, dict[str, str]] = {}
    for table in tables:
        name = SHEET_NAMES[table]
        if table == "breakdown":
            sheets[name] = st.breakdown(snap, **groups)
        elif table == "stock":
            assert cut_off is not None  # refused above without --cut-off
            sheets[name] = st.stock_increment(snap, cut_off, **groups)
        elif table == "enterprise":
            assert period is not None  # refused above without --period
            sheets[name] = st.enterprise_table(snap, period, jurisdiction=within, settings=book.settings)
            columns[name], labels[name] = st.ENTERPRISE_COLUMNS, st.ENTERPRISE_HEADERS
        else:
            assert period is not None  # refused above without --period
            sheets[name] = st.missing_submissions(snap, period, jurisdiction=within, settings=book.settings)
            columns[name] = st.MISSING_COLUMNS
    if kind == ".csv":
        name = SHEET_NAMES[tables[0]]
        st.to_csv(sheets[name], output, columns.get(name), labels.get(name))
    else:
        meta = {"as_of": snap.as_of.isoformat(), "cut_off": cut_off.isoformat() if cut_off else None,
                "period": period.label if period else None, "by": ",".join(groups["by"]), "major_only": major_only,
                "jurisdiction": within, "jurisdiction_level": jurisdiction_level, "industry_depth": industry_depth}
        st.to_xlsx(sheets, output, columns=columns, labels=labels,
                   meta={k: v for k, v in meta.items() if v is not None})
    click.echo(f"wrote {output}: " + ", ".join(f"{n} ({len(rows)} rows)" for n, rows in sheets.items()), err=True)
