"""Export statistics tables as CSV and XLSX with Chinese headers, written atomically."""


from __future__ import annotations

import csv
import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from .core import StatisticsError

# ---------------------------------------------------------------------------- export
# Column id → (Chinese header, kind). The header written is "中文 (id)".
COLUMNS: dict[str, tuple[str, str]] = {
    "industry": ("行业", "str"), "department": ("负责部门", "str"), "jurisdiction": ("行政区划代码", "str"),
    "lane": ("隐患级别", "str"), "age": ("发现至今天数", "str"), "cohort": ("存量/增量", "str"),
    "found": ("隐患数", "int"), "open": ("未销号", "int"), "closed": ("已销号", "int"), "void": ("已作废", "int"),
    "overdue": ("逾期", "int"), "listed": ("挂牌督办中", "int"), "rate": ("整改率", "rate"),
    "cleared": ("已清零", "bool"),
    "major_found": ("重大隐患数", "int"), "major_open": ("重大隐患未销号", "int"),
    "major_closed": ("重大隐患已销号", "int"), "major_void": ("重大隐患已作废", "int"),
    "major_overdue": ("重大隐患逾期", "int"), "major_listed": ("重大隐患挂牌督办中", "int"),
    "major_rate": ("重大隐患整改率", "rate"), "major_cleared": ("重大隐患已清零", "bool"),
    "enterprise_id": ("企业编号", "str"), "enterprise_name": ("企业名称", "str"), "period": ("统计期", "str"),
    "period_start": ("统计期起", "date"), "period_end": ("统计期止", "date"), "due": ("报送期限", "date"),
    "ordinary": ("一般隐患数", "int"), "major": ("重大隐患数", "int"), "undetermined": ("待定隐患数", "int"),
    "rectified": ("已整改", "int"), "major_rectified": ("重大隐患已整改", "int"),
    "major_open_all": ("重大隐患未整改（含往期）", "int"), "submitted": ("已报送", "bool"),
    "submitted_at": ("报送时间", "datetime"), "signed_by": ("主要负责人签字", "str"), "late": ("逾期报送", "bool"),
    "digest": ("报表摘要SHA-256", "str"), "days_late": ("逾期天数", "int"),
    "name": ("参数", "str"), "value": ("值", "str"),
}
# In the enterprise table major_open counts the period's own hazards.
ENTERPRISE_HEADERS = {"found": "排查隐患数", "major_open": "重大隐患未整改（本期）", "rate": "整改率"}
_HEADER = re.compile(r"^(?P<label>.*) \((?P<id>[A-Za-z_][A-Za-z0-9_]*)\)$")


def header(column: str, labels: Mapping[str, str] | None = None) -> str:
    label = (labels or {}).get(column) or COLUMNS.get(column, (None, ""))[0]
    return f"{label} ({column})" if label else column


def column_id(text: str) -> str:
    match = _HEADER.match(text.strip())
    return match["id"] if match else text.strip()


def _columns(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None) -> list[str]:
    if columns is not None:
        return list(columns)
    return list(dict.fromkeys(key for row in rows for key in row))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def write_csv(rows: Sequence[Mapping[str, Any]], out: IO[str], columns: Sequence[str] | None = None,
              labels: Mapping[str, str] | None = None) -> None:
    names = _columns(rows, columns)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([header(c, labels) for c in names])
    for row in rows:
        writer.writerow([_text(row.get(c)) for c in names])


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    path = Path(path)
    directory = path.resolve().parent
    if not directory.is_dir():
        raise StatisticsError(f"cannot write {path}: folder {directory} does not exist")
    handle, name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(name))
        os.replace(name, path)
    except BaseException:
        if os.path.exists(name):
            os.unlink(name)
        raise


def to_csv(rows: Sequence[Mapping[str, Any]], path: str | Path, columns: Sequence[str] | None = None,
           labels: Mapping[str, str] | None = None) -> Path:
    """Write rows as CSV (UTF-8 with a BOM, so that Excel reads the Chinese headers),
    atomically. Headers are ``中文 (id)``; None is empty, booleans true/false, dates ISO."""
    def write(temp: Path) -> None:
        with open(temp, "w", encoding="utf-8-sig", newline="") as out:
            write_csv(rows, out, columns, labels)

    _atomic(Path(path), write)
    return Path(path)


Tables = Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Mapping[str, Any]]]


def _named(tables: Any) -> list[tuple[str, Sequence[Mapping[str, Any]]]]:
    if isinstance(tables, Mapping):
        return list(tables.items())
    tables = list(tables)
    if tables and all(isinstance(t, tuple) and len(t) == 2 and isinstance(t[0], str) for t in tables):
        return tables
    return [("统计", tables)]


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "Sheet"
    base, candidate, n = base[:31], base[:31], 2
    while candidate.lower() in used:
        suffix = f"_{n}"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def to_xlsx(tables: Tables | Sequence[tuple[str, Sequence[Mapping[str, Any]]]], path: str | Path, *,
            columns: Mapping[str, Sequence[str]] | None = None, labels: Mapping[str, Mapping[str, str]] | None = None,
            meta: Mapping[str, Any] | None = None) -> Path:
    """Write one table (a list of rows) or several named ones (a mapping name → rows, or
    (name, rows) pairs), one sheet each, atomically; `meta` adds a first sheet 参数 with
    the parameters. Headers ``中文 (id)``; rates as percentages, dates as dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    named = _named(tables)
    if meta:
        named = [("参数", [{"name": k, "value": _text(v)} for k, v in meta.items()])] + named
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook starts with
    used: set[str] = set()
    for name, rows in named:
        sheet = workbook.create_sheet(_sheet_name(name, used))
        names = _columns(rows, (columns or {}).get(name))
        sheet_labels = (labels or {}).get(name)
        heads = [header(c, sheet_labels) for c in names]
        sheet.append(heads)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(row.get(c)) for c in names])
        for index, column in enumerate(names, start=1):
            kind = COLUMNS.get(column, ("", "str"))[1]
            letter = sheet.cell(row=1, column=index).column_letter
            values = [heads[index - 1]] + [_text(r.get(column)) for r in rows]
            sheet.column_dimensions[letter].width = min(60, max(_width(v) for v in values) + 2)
            if kind in ("rate", "date"):
                for cell in sheet[letter][1:]:
                    cell.number_format = "0.00%" if kind == "rate" else "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
    if not named:
        workbook.create_sheet("统计")
    _atomic(Path(path), lambda temp: workbook.save(temp))
    return Path(path)


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()  # Excel has no time zones: keep the offset in text
    return value


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _typed(column: str, value: Any) -> Any:
    kind = COLUMNS.get(column, ("", "str"))[1]
    if value is None or value == "":
        return None
    if kind == "int":
        return int(value)
    if kind == "rate":
        return float(value)
    if kind == "bool":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if kind == "datetime":
        return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return str(value)


def read_csv(path: str | Path) -> list[dict[str, Any]]:
    """Read a CSV written by `to_csv` back into rows keyed by column id, typed."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        heads = [column_id(h) for h in next(reader, [])]
        return [{c: _typed(c, v) for c, v in zip(heads, line)} for line in reader]


def read_xlsx(path: str | Path) -> dict[str, list[dict[str, Any]]]:
    """Read a workbook written by `to_xlsx` back: sheet name → rows keyed by column id."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        found = {}
        for sheet in workbook.worksheets:
            lines = list(sheet.iter_rows(values_only=True))
            heads = [column_id(str(h)) for h in lines[0]] if lines else []
            found[sheet.title] = [{c: _typed(c, v) for c, v in zip(heads, line)} for line in lines[1:]]
        return found
    finally:
        workbook.close()
