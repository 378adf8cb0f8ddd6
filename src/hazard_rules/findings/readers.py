"""Stream finding records from JSONL, JSON arrays, YAML, CSV and XLSX files.

Each reader yields (record number, raw record or RecordError); a bad record never stops
the rest of the file. Record numbers are 1-based positions of the record in its file;
for line-based formats the message also names the line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputFileError, RecordError, Span

FORMATS = ("jsonl", "json", "yaml", "csv", "xlsx")
_SNIFF_BYTES = 1 << 20
_CHUNK = 1 << 16


@dataclass(frozen=True)
class RawRecord:
    number: int
    data: dict[str, Any] | None
    error: RecordError | None = None
    line: int | None = None
    warning: str | None = None  # about the file, not a record (e.g. an unknown CSV column)


def detect_format(path: Path, declared: str | None = None) -> str:
    if declared:
        return declared
    suffix = path.suffix.lower().lstrip(".")
    mapping = {"jsonl": "jsonl", "ndjson": "jsonl", "json": "json", "yaml": "yaml", "yml": "yaml", "csv": "csv",
               "xlsx": "xlsx", "xlsm": "xlsx"}
    if suffix in mapping:
        return mapping[suffix]
    raise InputFileError(f"cannot tell the format of {path}", Span(str(path), 1, 1),
                         "use a .jsonl, .json, .yaml, .csv or .xlsx file, or pass --input-format")


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GB18030, judged from the start of the file."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a character cut at the sniff boundary
            return "utf-8"
    try:
        head.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        raise InputFileError(f"{path} is neither UTF-8 nor GB18030 text", Span(str(path), 1, 1),
                             "pass --encoding with the file's encoding") from None


def read_findings(path: str | Path, *, encoding: str | None = None, fmt: str | None = None) -> Iterator[RawRecord]:
    """Yield every record of a finding file, invalid ones as RawRecord.error."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"file not found: {path}", Span(str(path), 1, 1))
    kind = detect_format(path, fmt)
    if kind == "xlsx":
        yield from _xlsx(path)
        return
    chosen = encoding or detect_encoding(path)
    try:
        handle = path.open("r", encoding=chosen, newline="" if kind == "csv" else None)
    except LookupError:
        raise InputFileError(f"unknown encoding {chosen!r}", Span(str(path), 1, 1),
                             "for example utf-8, utf-8-sig or gb18030") from None
    with handle:
        reader = {"jsonl": _jsonl, "json": _json_array, "yaml": _yaml, "csv": _csv}[kind]
        try:
            yield from reader(handle, str(path))
        except UnicodeDecodeError as exc:
            raise InputFileError(f"{path} is not valid {chosen} text ({exc.reason})", Span(str(path), 1, 1),
                                 "pass --encoding with the file's encoding") from None


def _bad(file: str, number: int, message: str, line: int | None = None) -> RawRecord:
    where = f" (line {line})" if line else ""
    error = RecordError(f"{message}{where}", Span(file, line or 0, 0, record=number))
    return RawRecord(number, None, error, line)


def _jsonl(handle: io.TextIOBase, file: str) -> Iterator[RawRecord]:
    number = 0
    for line_number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        number += 1
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield _bad(file, number, f"invalid JSON: {exc.msg} at column {exc.colno}", line_number)
            continue
        if not isinstance(data, dict):
            yield _bad(file, number, f"a record must be a JSON object, not {type(data).__name__}", line_number)
            continue
        yield RawRecord(number, data, line=line_number)


def _json_array(handle: io.TextIOBase, file: str) -> Iterator[RawRecord]:
    """Stream the elements of a top-level JSON array without loading the whole file."""
    decoder = json.JSONDecoder()
    buffer = ""
    position = 0
    eof = False

    def fill() -> bool:
        nonlocal buffer, position, eof
        chunk = handle.read(_CHUNK)
        if not chunk:
            eof = True
            return False
        buffer = buffer[position:] + chunk
        position = 0
        return True

    def skip_space() -> None:
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position].isspace():
                position += 1
            if position < len(buffer) or eof or not fill():
                return

    skip_space()
    if position >= len(buffer) or buffer[position] != "[":
        raise InputFileError(f"{file} is not a JSON array of records", Span(file, 1, 1),
                             "write [ {…}, {…} ], or use JSON Lines (.jsonl) with one object per line")
    position += 1
    number = 0
    while True:
        skip_space()
        if position < len(buffer) and buffer[position] == "]":
            return
        number += 1
        while True:
            try:
                data, end = decoder.raw_decode(buffer, position)
                break
            except json.JSONDecodeError as exc:
                if not eof and fill():
                    continue
                yield _bad(file, number, f"invalid JSON: {exc.msg}; the rest of the file was skipped")
                return
        position = end
        if isinstance(data, dict):
            yield RawRecord(number, data)
        else:
            yield _bad(file, number, f"a record must be a JSON object, not {type(data).__name__}")
        skip_space()
        if position < len(buffer) and buffer[position] == ",":
            position += 1
        elif position < len(buffer) and buffer[position] == "]":
            return
        else:
            yield _bad(file, number + 1, "expected ',' or ']' after a record; the rest of the file was skipped")
            return


def _yaml(handle: io.TextIOBase, file: str) -> Iterator[RawRecord]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        documents = list(yaml.load_all(handle, Loader=loader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise InputFileError(f"invalid YAML: {getattr(exc, 'problem', exc)}", Span(file, line, (mark.column + 1) if mark else 1)) from None
    records: list[Any] = []
    for document in documents:
        if isinstance(document, list):
            records.extend(document)
        elif document is not None:
            records.append(document)
    for number, data in enumerate(records, start=1):
        if isinstance(data, dict):
            yield RawRecord(number, data)
        else:
            yield _bad(file, number, f"a record must be a mapping, not {type(data).__name__}")


CSV_FIELDS = ("id", "date", "enterprise.id", "enterprise.name", "enterprise.jurisdiction",
              "industries", "source", "location", "description")


def _csv(handle: io.TextIOBase, file: str) -> Iterator[RawRecord]:
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [name.strip().lstrip("\ufeff") for name in header]
    unknown = [name for name in header if name not in CSV_FIELDS and not name.startswith("facts.")]
    for name in unknown:
        yield RawRecord(0, None, warning=f"{file}: unknown column {name!r} ignored; columns are "
                        f"{', '.join(CSV_FIELDS)} and facts.<fact id>")
    number = 0
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        number += 1
        line = reader.line_num
        if len(row) != len(header):
            yield _bad(file, number, f"row has {len(row)} cells but the header has {len(header)}", line)
            continue
        yield RawRecord(number, _row_to_record(header, row), line=line)


def _xlsx(path: Path) -> Iterator[RawRecord]:
    """The first worksheet, one finding per row, same columns as CSV (read-only, streamed)."""
    from openpyxl import load_workbook

    file = str(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise InputFileError(f"cannot read {file} as an XLSX workbook ({type(exc).__name__}: {exc})",
                             Span(file, 1, 1), "save the sheet as .xlsx, or export it as CSV") from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            return
        header = [str(name).strip() if name is not None else "" for name in header_row]
        for name in header:
            if name and name not in CSV_FIELDS and not name.startswith("facts."):
                yield RawRecord(0, None, warning=f"{file}: unknown column {name!r} ignored")
        number = 0
        for line, row in enumerate(rows, start=2):
            cells = list(row) + [None] * (len(header) - len(row))
            if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
                continue
            number += 1
            yield RawRecord(number, _row_to_record(header, [_excel_value(c) for c in cells]), line=line)
    finally:
        workbook.close()


def _excel_value(cell: Any) -> Any:
    import datetime as dt

    if isinstance(cell, dt.datetime):  # Excel stores dates as date-times at midnight
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return cell


def _row_to_record(header: list[str], row: list[Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    enterprise: dict[str, Any] = {}
    facts: dict[str, Any] = {}
    for name, cell in zip(header, row):
        value = cell.strip() if isinstance(cell, str) else cell
        if value is None or value == "":
            continue
        if not name.startswith("facts."):
            value = str(value)  # ids, codes and dates are text even where a spreadsheet typed them
        if name.startswith("facts."):
            facts[name[len("facts."):]] = value
        elif name.startswith("enterprise."):
            enterprise[name[len("enterprise."):]] = value
        elif name == "industries":
            record["industries"] = [part.strip() for part in value.replace("；", ";").split(";") if part.strip()]
        elif name in CSV_FIELDS:
            record[name] = value
    if enterprise:
        record["enterprise"] = enterprise
    record["facts"] = facts
    return record
