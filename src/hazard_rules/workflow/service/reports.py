"""Statistics tables for export (CSV/XLSX): which tables a request asks for, built from one
snapshot, written atomically. `ledger export` and the HTTP service both call `export`.
Also the window of a time series (`Window`): the API and the console's statistics page
take the same defaults from here."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import UsageError
from .. import stats as st
from ..policy.calendar import china_date

SHEET_NAMES = {"breakdown": "分类统计", "stock": "存量增量", "enterprise": "企业统计表", "missing": "未报送企业"}
TABLES = tuple(SHEET_NAMES)
KINDS = (".csv", ".xlsx")


@dataclass
class Grouping:
    """The grouping and scope of a statistics request (as breakdown() takes them)."""

    by: list[str] = field(default_factory=list)
    major_only: bool = False
    jurisdiction: str | None = None
    jurisdiction_level: str = "county"
    industry_depth: int = 1

    def kwargs(self) -> dict[str, Any]:
        return {"by": self.by, "major_only": self.major_only, "jurisdiction": self.jurisdiction,
                "jurisdiction_level": self.jurisdiction_level, "industry_depth": self.industry_depth}


@dataclass
class Export:
    sheets: dict[str, list[dict[str, Any]]]
    columns: dict[str, tuple[str, ...]]
    labels: dict[str, dict[str, str]]
    meta: dict[str, Any]

    def summary(self, output: Any) -> str:
        return f"wrote {output}: " + ", ".join(f"{n} ({len(rows)} rows)" for n, rows in self.sheets.items())


def check_request(kind: str, tables: list[str], cut_off: dt.date | None, period: Any) -> None:
    """Refuse (UsageError) what cannot be exported, before the ledger is read."""
    if kind not in KINDS:
        raise UsageError(f"the format must be csv or xlsx, not {kind.lstrip('.')!r}")
    unknown = [t for t in tables if t not in SHEET_NAMES]
    if unknown or not tables:
        raise UsageError(f"unknown table(s): {', '.join(unknown) or 'none given'}", hint=f"tables: {', '.join(TABLES)}")
    if kind == ".csv" and len(tables) > 1:
        raise UsageError("a CSV file holds one table", hint="export several tables into an .xlsx, or one at a time")
    if "stock" in tables and cut_off is None:
        raise UsageError("the stock table needs a cut-off date")
    if period is None and ({"enterprise", "missing"} & set(tables)):
        raise UsageError("the enterprise and missing tables need a period (2025Q1 or 2025)")


def build(ledger: Any, tables: list[str], as_of: Any, grouping: Grouping, cut_off: dt.date | None = None,
          period: Any = None) -> Export:
    """The requested tables from one snapshot of the ledger as of `as_of` (given: the caller
    reads the clock). For the enterprise table alone, pass the period's end as `as_of`."""
    snap = st.snapshot(ledger, as_of)
    out = Export({}, {}, {}, {})
    groups = grouping.kwargs()
    for table in dict.fromkeys(tables):
        name = SHEET_NAMES[table]
        if table == "breakdown":
            out.sheets[name] = st.breakdown(snap, **groups)
        elif table == "stock":
            assert cut_off is not None  # check_request refuses stock without it
            out.sheets[name] = st.stock_increment(snap, cut_off, **groups)
        elif table == "enterprise":
            out.sheets[name] = st.enterprise_table(snap, period, jurisdiction=grouping.jurisdiction,
                                                   settings=ledger.settings)
            out.columns[name], out.labels[name] = st.ENTERPRISE_COLUMNS, st.ENTERPRISE_HEADERS
        else:
            out.sheets[name] = st.missing_submissions(snap, period, jurisdiction=grouping.jurisdiction,
                                                      settings=ledger.settings)
            out.columns[name] = st.MISSING_COLUMNS
    meta = {"as_of": snap.as_of.isoformat(), "cut_off": cut_off.isoformat() if cut_off else None,
            "period": period.label if period else None, "by": ",".join(grouping.by),
            "major_only": grouping.major_only, "jurisdiction": grouping.jurisdiction,
            "jurisdiction_level": grouping.jurisdiction_level, "industry_depth": grouping.industry_depth}
    out.meta = {k: v for k, v in meta.items() if v is not None}
    return out


def default_as_of(tables: list[str], period: Any, now: Any) -> Any:
    """The enterprise table alone is as of its period's end; everything else as of now."""
    return period.end if list(dict.fromkeys(tables)) == ["enterprise"] and period is not None else now


def write(export: Export, output: Path) -> None:
    """Write the tables to FILE.csv (one table) or FILE.xlsx (one sheet each), atomically."""
    if output.suffix.lower() == ".csv":
        name = next(iter(export.sheets))
        st.to_csv(export.sheets[name], output, export.columns.get(name), export.labels.get(name))
    else:
        st.to_xlsx(export.sheets, output, columns=export.columns, labels=export.labels, meta=export.meta)


def to_bytes(export: Export, kind: str) -> bytes:
    """The file `write` would write, as bytes (for an HTTP response)."""
    with tempfile.TemporaryDirectory(prefix="hazard-export-") as folder:
        path = Path(folder) / f"export{kind}"
        write(export, path)
        return path.read_bytes()


@dataclass(frozen=True)
class Window:
    """The days of a statistics series: 存量 is what was found before `cut_off`."""

    cut_off: dt.date
    start: dt.date
    end: dt.date
    step: str = "month"

    @classmethod
    def around(cls, now: dt.datetime, cut_off: dt.date | None = None, start: dt.date | None = None,
               end: dt.date | None = None, step: str | None = None) -> Window:
        """What a request left out: `end` today (in China), `start` the first day of the
        eleventh month before end's (a year of monthly points), `cut_off` the start, by month."""
        end = end or china_date(now)
        if start is None:
            back = end.year * 12 + end.month - 1 - 11
            start = dt.date(back // 12, back % 12 + 1, 1)
        return cls(cut_off or start, start, end, step or "month")


def parse_period(text: str | None) -> Any:
    """A statistics period (2025Q1 or 2025), or None."""
    return st.Period.parse(text) if text else None


def parse_day(text: str | None, name: str) -> dt.date | None:
    """An ISO date from a form field, or None when left blank."""
    if not text or not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{name}: {text!r} is not an ISO date", hint="e.g. 2025-03-31") from None


def parse_as_of(text: str | None) -> Any:
    """A date (the end of that day, China time) or an ISO date-time, or None."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text) if len(text.strip()) == 10 else dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{text!r} is not an ISO date or date-time",
                         hint="e.g. 2025-03-31 (the end of that day) or 2025-03-31T18:00+08:00") from None
