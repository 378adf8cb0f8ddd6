"""Stream finding records from JSONL, JSON arrays, YAML, CSV and XLSX files.

Each reader yields (record number, raw record or RecordError); a bad record never stops
the rest of the file. Record numbers are 1-based positions of the record in its file;
for line-based formats the message also names the line.

Records are untrusted input: one nested more than MAX_DEPTH levels is a bad record (so
nothing downstream recurses on it), and a CSV cell may be large but not unbounded.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

import orjson

from ..errors import InputFileError, LimitExceededError, PackError, RecordError, Span
from ..loading.strict_yaml import MAX_DEPTH, read_yaml_items

FORMATS = ("jsonl", "json", "yaml", "csv", "xlsx")
_SNIFF_BYTES = 1 << 20
_CHUNK = 1 << 16

TOO_DEEP = f"nested too deeply (more than {MAX_DEPTH} levels)"
TOO_DEEP_HINT = ("a finding is a flat record (id, date, enterprise, industries, facts); "
                 "was the file damaged, or written by a faulty export?")

TOO_LARGE_HINT = "a finding is a small record; check for aliases (*name) that repeat large parts of it"

# csv.field_size_limit is process-global, so it is raised once, here, and only ever raised:
# from the default 128 KiB (a long 描述 pasted from a report can pass it) to 64 MiB, which
# still stops a cell that swallowed the rest of the file through a quote left open. Setting
# and restoring it around each row would race with other threads reading CSV at that time.
CSV_FIELD_LIMIT = 64 * 1024 * 1024
if csv.field_size_limit() < CSV_FIELD_LIMIT:
    csv.field_size_limit(CSV_FIELD_LIMIT)


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
        yield from _embedded_json_bounded(_xlsx(path), str(path))
        return
    chosen = encoding or detect_encoding(path)
    try:
        codec = codecs.lookup(chosen).name
    except LookupError:
        raise InputFileError(f"unknown encoding {chosen!r}", Span(str(path), 1, 1),
                             "for example utf-8, utf-8-sig or gb18030") from None
    try:  # JSON Lines records are checked for deep embedded JSON as they are read (_jsonl_record)
        if kind == "jsonl" and codec in ("utf-8", "utf-8-sig"):
            with path.open("rb") as binary:
                yield from _jsonl_utf8(binary, str(path), bom=codec == "utf-8-sig")
            return
        with path.open("r", encoding=chosen, newline="" if kind == "csv" else None) as handle:
            if kind == "jsonl":
                yield from _jsonl(handle, str(path))
            else:
                reader = {"json": _json_array, "yaml": _yaml, "csv": _csv}[kind]
                yield from _embedded_json_bounded(reader(handle, str(path)), str(path))
    except UnicodeDecodeError as exc:
        raise undecodable(str(path), chosen, exc) from None


def undecodable(file: str, encoding: str, exc: UnicodeDecodeError) -> InputFileError:
    """The error for a file whose text is not in the encoding it is read in."""
    return InputFileError(f"{file} is not valid {encoding} text ({exc.reason})", Span(file, 1, 1),
                          "pass --encoding with the file's encoding")


def _embedded_json_bounded(records: Iterator[RawRecord], file: str) -> Iterator[RawRecord]:
    """A list fact may be given as JSON text (a CSV cell, or a string in any record), decoded
    later: text nested too deeply makes the record bad here, as it would in JSONL."""
    for raw in records:
        yield _embedded_bounded(raw, file)


def _embedded_bounded(raw: RawRecord, file: str) -> RawRecord:
    """The record, or a bad record if a fact given as JSON text is nested too deeply."""
    facts = raw.data.get("facts") if raw.data is not None else None
    deep = [name for name, value in facts.items()
            if isinstance(value, str) and value.lstrip()[:1] in ("[", "{") and _too_deep(value)
            ] if isinstance(facts, dict) else []
    if deep:
        return _bad(file, raw.number, f"fact {deep[0]!r}: {TOO_DEEP}", raw.line, TOO_DEEP_HINT)
    return raw


def _bad(file: str, number: int, message: str, line: int | None = None, hint: str | None = None,
         column: int | None = None) -> RawRecord:
    where = f" (line {line}, column {column})" if line and column else f" (line {line})" if line else ""
    error = RecordError(f"{message}{where}", Span(file, line or 0, column or 0, record=number), hint)
    return RawRecord(number, None, error, line)


# A whole JSON string (escapes included), a string the text cuts short, or a bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|"|[\[\]{}]')


def _follow_brackets(text: str, start: int, depth: int = 0, limit: float = MAX_DEPTH) -> tuple[str, int, int]:
    """Follow the brackets of the JSON text from start, skipping strings, at nesting depth.

    Returns ("closed", index past the bracket that brings depth back to 0, 0),
    ("deep", index past the first bracket more than limit deep, depth) or
    ("cut", index to go on from once there is more text, depth).
    """
    for match in _JSON_TOKEN.finditer(text, start):
        token = match.group()
        if token == "[" or token == "{":
            depth += 1
            if depth > limit:
                return "deep", match.end(), depth
        elif token == "]" or token == "}":
            depth -= 1
            if depth <= 0:
                return "closed", match.end(), 0
        elif token == '"':  # a string the text ends inside
            return "cut", match.start(), depth
    return "cut", len(text), depth


def _too_deep(text: str, start: int = 0, end: int | None = None) -> bool:
    """Is the JSON text[start:end] nested more than MAX_DEPTH levels? (Counting brackets
    first is C-fast and settles almost every record.)"""
    end = len(text) if end is None else end
    if text.count("[", start, end) + text.count("{", start, end) <= MAX_DEPTH:
        return False
    line, depth, start = text[start:end], 0, 0
    while start < len(line):
        state, start, depth = _follow_brackets(line, start, depth)
        if state == "deep":
            return True
        if state == "cut":  # a string left open: the JSON is invalid anyway, and says so
            return False
    return False


def _json_int(digits: str) -> int | str:
    """JSON integers as int, except one too long for Python's int() (over 4,300 digits), which
    stays text: the fact's type check then reports it. NaN and Infinity stay text likewise."""
    return int(digits) if len(digits) <= 4000 else digits


def read_jsonl_lines(lines: Iterable[str], file: str) -> Iterator[RawRecord]:
    """The records of JSONL text given as lines (a block of a larger file, scale/dask.py),
    read exactly as read_findings reads a .jsonl file; numbers and lines count from 1."""
    return _jsonl(lines, file)


def _loads(line: str) -> Any:
    """json.loads(line) as the readers do it (_json_int, NaN/Infinity as text), through orjson
    (about twice as fast) whenever it gives the same value: a line orjson refuses (NaN, 1e400,
    a lone surrogate, invalid JSON) is read by json, so values, errors and their messages are
    json's; so is one where orjson may have rounded an integer of more than 64 bits to a float."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line, parse_int=_json_int, parse_constant=str)
    if data.__class__ is dict and not _may_be_rounded(data):
        return data
    return json.loads(line, parse_int=_json_int, parse_constant=str)


_ROUNDED = float(2**63)  # an integer orjson keeps exact is below this in magnitude


def _may_be_rounded(record: dict[str, Any]) -> bool:
    """Does the decoded record hold a float as large as an integer orjson does not keep exact?"""
    stack: list[Any] = [record]
    while stack:
        container = stack.pop()
        values = container.values() if container.__class__ is dict else container
        kinds = set(map(type, values))  # most containers hold neither floats nor containers
        if float in kinds:
            for value in values:
                if value.__class__ is float and not -_ROUNDED < value < _ROUNDED:
                    return True
        if dict in kinds or list in kinds:
            stack.extend([value for value in values if value.__class__ is dict or value.__class__ is list])
    return False


def _jsonl(handle: Iterable[str], file: str) -> Iterator[RawRecord]:
    for number, line_number, line in _numbered_lines(handle):
        yield _jsonl_record(line, number, line_number, file)


def _jsonl_utf8(handle: Iterable[bytes], file: str, bom: bool) -> Iterator[RawRecord]:
    """_jsonl over a UTF-8 file read as bytes: the same records, errors and record and line
    numbers as reading it as text (universal newlines), without making the text. orjson
    decodes a line's bytes (it checks the UTF-8 itself); any line that is not plainly one
    JSON object on one line (a carriage return inside it, no leading brace, a refusal, a
    deep or rounded record) is decoded and read by the text path, whose messages it gets.
    bom: utf-8-sig, whose mark before the first line is not part of it."""
    number = line_number = 0
    for chunk in handle:
        if bom:
            bom = False
            chunk = chunk.removeprefix(codecs.BOM_UTF8)
        returns = chunk.count(b"\r")
        if returns and not (returns == 1 and chunk.endswith(b"\r\n")):  # text mode splits here too
            for line in io.StringIO(chunk.decode("utf-8"), newline=None):
                line_number += 1
                if line.strip():
                    number += 1
                    yield _jsonl_record(line, number, line_number, file)
            continue
        line_number += 1
        stripped = chunk.strip()
        if not stripped:  # ASCII white space: blank as text too
            continue
        if stripped[0] != 0x7B or (raw := _jsonl_object(chunk, number + 1, line_number)) is None:
            line = chunk.decode("utf-8")
            if not line.strip():  # other Unicode white space
                continue
            number += 1
            yield _jsonl_record(line.replace("\r\n", "\n") if returns else line, number, line_number, file)
            continue
        number += 1
        yield raw if b"\\u" not in chunk else _embedded_bounded(raw, file)


_DIGIT_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_INTEGER = b"0" * 19  # the fewest digits of an integer orjson may round (2**63 and beyond)


def _jsonl_object(line: bytes, number: int, line_number: int) -> RawRecord | None:
    """The line's record as _jsonl_record reads it, if orjson reads the bytes to an object
    that _loads would keep; None for the text path."""
    if line.count(b"[") + line.count(b"{") > MAX_DEPTH:
        return None
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if data.__class__ is not dict or (_LONG_INTEGER in line.translate(_DIGIT_TO_ZERO) and _may_be_rounded(data)):
        return None
    return RawRecord(number, data, line=line_number)


def _numbered_lines(handle: Iterable[str]) -> Iterator[tuple[int, int, str]]:
    """(record number, line number, text) of each non-blank line."""
    number = 0
    for line_number, line in enumerate(handle, start=1):
        if line.strip():
            number += 1
            yield number, line_number, line


def _jsonl_record(line: str, number: int, line_number: int, file: str) -> RawRecord:
    """One line of JSON Lines as read_findings yields it, embedded JSON text bounded."""
    few = line.count("[") + line.count("{") <= MAX_DEPTH  # as in _too_deep: settles almost every line
    if not few and _too_deep(line):
        return _bad(file, number, TOO_DEEP, line_number, TOO_DEEP_HINT)
    try:
        data = _loads(line)
    except json.JSONDecodeError as exc:
        return _bad(file, number, f"invalid JSON: {exc.msg} at column {exc.colno}", line_number)
    except RecursionError:  # not reached after _too_deep; kept so that no input can crash the run
        return _bad(file, number, TOO_DEEP, line_number, TOO_DEEP_HINT)
    if not isinstance(data, dict):
        return _bad(file, number, f"a record must be a JSON object, not {type(data).__name__}", line_number)
    raw = RawRecord(number, data, line=line_number)
    # A string's brackets are the line's, unless written as \u escapes: with few brackets
    # and no escape, no fact given as JSON text can be nested too deeply.
    return raw if few and "\\u" not in line else _embedded_bounded(raw, file)


def jsonl_lines(path: str | Path, *, encoding: str | None = None) -> Iterator[tuple[int, int, str]]:
    """The (record number, line number, text) of each record of a JSON Lines file, not decoded:
    decode_jsonl_line(path, …) gives the RawRecord read_findings yields for it (`check --jobs`
    decodes in its workers). File errors are read_findings'."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"file not found: {path}", Span(str(path), 1, 1))
    chosen = encoding or detect_encoding(path)
    try:
        handle = path.open("r", encoding=chosen)
    except LookupError:
        raise InputFileError(f"unknown encoding {chosen!r}", Span(str(path), 1, 1),
                             "for example utf-8, utf-8-sig or gb18030") from None
    with handle:
        try:
            yield from _numbered_lines(handle)
        except UnicodeDecodeError as exc:
            raise undecodable(str(path), chosen, exc) from None


def decode_jsonl_line(file: str, number: int, line_number: int, text: str) -> RawRecord:
    """One record of jsonl_lines, decoded and checked as read_findings does."""
    return _jsonl_record(text, number, line_number, file)


@dataclass(frozen=True)
class JsonlBlock:
    """Bytes start:end of a JSON Lines file, read as read_findings reads the file there: a
    task of `check --jobs` (cli/jobs.py). A block begins at the file's start or after a b"\\n"
    and ends after one or at the file's end, in an encoding (the file's, given or detected)
    in which such a byte is always a line feed (`cuttable`); its lines are then the file's
    lines there. Its records and lines are numbered from 1 at start."""

    file: str
    start: int
    data: bytes
    encoding: str

    # codecs' names of the encodings in which a b"\n" or b"\r" byte is always that character
    CUTTABLE: ClassVar[frozenset[str]] = frozenset({"ascii", "utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312",
                                                    "iso8859-1", "cp1252"})

    @staticmethod
    def cuttable(encoding: str) -> bool:
        try:
            return codecs.lookup(encoding).name in JsonlBlock.CUTTABLE
        except LookupError:  # read_findings says so
            return False

    @classmethod
    def read(cls, path: str | Path, start: int, end: int, encoding: str) -> JsonlBlock:
        with Path(path).open("rb") as handle:
            handle.seek(start)
            return cls(str(Path(path)), start, handle.read(end - start), encoding)

    def records(self) -> Iterator[RawRecord]:
        """The records, bad ones too, as read_findings yields them: a byte-order mark is
        dropped only at the file's start; undecodable text is its InputFileError, raised
        after the records before it (UTF-8) or before the block's records (other encodings)."""
        codec = codecs.lookup(self.encoding).name
        try:
            if codec in ("utf-8", "utf-8-sig"):
                yield from _jsonl_utf8(io.BytesIO(self.data), self.file, bom=codec == "utf-8-sig" and not self.start)
            else:
                yield from _jsonl(io.StringIO(self.data.decode(codec), newline=None), self.file)
        except UnicodeDecodeError as exc:
            raise undecodable(self.file, self.encoding, exc) from None

    def lines(self) -> int:
        """The number of lines, blank ones too (universal newlines: \n, \r\n and \r end one)."""
        data = self.data
        ends = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
        return ends + (not data.endswith((b"\n", b"\r")) and bool(data))

    def line(self, number: int) -> str:
        """The text of line `number` as the text path reads it (a bad record's line, to be read
        again with its numbers in the file)."""
        return self._text_lines[number - 1]

    @cached_property
    def _text_lines(self) -> list[str]:
        codec = "utf-8" if self.start and codecs.lookup(self.encoding).name == "utf-8-sig" else self.encoding
        return io.StringIO(self.data.decode(codec, "surrogateescape"), newline=None).readlines()


class _JsonArray:
    """The text of a top-level JSON array, read in growing chunks as records need it."""

    def __init__(self, handle: io.TextIOBase) -> None:
        self.handle = handle
        self.buffer = ""
        self.position = 0
        self.eof = False

    def fill(self) -> bool:
        """Read more (at least as much as is buffered, so a large record is read in linear time)."""
        chunk = self.handle.read(max(_CHUNK, len(self.buffer) - self.position))
        if not chunk:
            self.eof = True
            return False
        self.buffer = self.buffer[self.position:] + chunk
        self.position = 0
        return True

    def skip_space(self) -> None:
        while True:
            while self.position < len(self.buffer) and self.buffer[self.position].isspace():
                self.position += 1
            if self.position < len(self.buffer) or self.eof or not self.fill():
                return

    def peek(self) -> str:
        return self.buffer[self.position] if self.position < len(self.buffer) else ""

    def extent(self) -> tuple[int | None, bool]:
        """Where the object or array at position ends (None: the file ends first), and
        whether it is nested more than MAX_DEPTH levels (it is then not decoded at all)."""
        offset, depth, deep = 0, 0, False
        while True:
            limit = math.inf if deep else MAX_DEPTH
            state, index, depth = _follow_brackets(self.buffer, self.position + offset, depth, limit)
            if state == "closed":
                return index, deep
            deep = deep or state == "deep"
            offset = index - self.position
            if state == "cut" and not self.fill():
                return None, deep


def _json_array(handle: io.TextIOBase, file: str) -> Iterator[RawRecord]:
    """Stream the elements of a top-level JSON array without loading the whole file."""
    decoder = json.JSONDecoder(parse_int=_json_int, parse_constant=str)
    text = _JsonArray(handle)
    text.skip_space()
    if text.peek() != "[":
        raise InputFileError(f"{file} is not a JSON array of records", Span(file, 1, 1),
                             "write [ {…}, {…} ], or use JSON Lines (.jsonl) with one object per line")
    text.position += 1
    number = 0
    while True:
        text.skip_space()
        if text.peek() == "]":
            return
        number += 1
        record, stop = _array_element(text, decoder, file, number)
        yield record
        if stop:
            return
        text.skip_space()
        if text.peek() == ",":
            text.position += 1
        elif text.peek() == "]":
            return
        else:
            yield _bad(file, number + 1, "expected ',' or ']' after a record; the rest of the file was skipped")
            return


class _TooDeep(Exception):
    def __init__(self, end: int | None) -> None:
        self.end = end  # where the element ends (None: the file ends first)


def _array_element(text: _JsonArray, decoder: json.JSONDecoder, file: str, number: int) -> tuple[RawRecord, bool]:
    """The element at text.position, and whether the rest of the file has to be skipped."""
    try:
        data, text.position = _decode(text, decoder)
    except json.JSONDecodeError as exc:
        return _bad(file, number, f"invalid JSON: {exc.msg}; the rest of the file was skipped"), True
    except _TooDeep as deep:
        if deep.end is None:
            return _bad(file, number, f"{TOO_DEEP}; the rest of the file was skipped", hint=TOO_DEEP_HINT), True
        text.position = deep.end
        return _bad(file, number, TOO_DEEP, hint=TOO_DEEP_HINT), False
    if isinstance(data, dict):
        return RawRecord(number, data), False
    return _bad(file, number, f"a record must be a JSON object, not {type(data).__name__}"), False


def _decode(text: _JsonArray, decoder: json.JSONDecoder) -> tuple[Any, int]:
    """Decode the element at text.position, reading on as needed; raise JSONDecodeError if it
    is invalid, _TooDeep if it is nested more than MAX_DEPTH levels."""
    container = text.peek() in ("[", "{")
    while True:
        try:
            data, end = decoder.raw_decode(text.buffer, text.position)
        except (json.JSONDecodeError, RecursionError):
            if container:  # cut short by the buffer, invalid, or too deep for Python: find out which
                return _decode_whole(text, decoder)
            if text.eof or not text.fill():
                raise
            continue
        if container:
            if _too_deep(text.buffer, text.position, end):
                raise _TooDeep(end)
            return data, end
        if end < len(text.buffer) or text.eof or not text.fill():  # else a number may go on
            return data, end


def _decode_whole(text: _JsonArray, decoder: json.JSONDecoder) -> tuple[Any, int]:
    """Buffer the whole object or array first (following its brackets), then decode it once."""
    end, deep = text.extent()
    if deep:
        raise _TooDeep(end)
    try:
        return decoder.raw_decode(text.buffer, text.position)  # JSONDecodeError: invalid, even whole
    except RecursionError:  # only with a recursion limit below MAX_DEPTH
        raise _TooDeep(end) from None


def _yaml(handle: io.TextIOBase, file: str) -> Iterator[RawRecord]:
    """Records of a YAML file: the items of a top-level list, or one per document.

    Read with the packs' strict reader (duplicate keys are errors, only true/false are
    booleans, dates stay text for the Finding model to parse), one record at a time: a
    record that breaks a rule, or is nested too deeply, is a bad record and the rest are
    still read. The file is read whole first, as before: YAML has no record boundaries a
    parser could resume from after a syntax error, so that is an error of the file (E402)
    and nothing in it is classified.
    """
    text = handle.read()
    try:
        items = list(read_yaml_items(text, file))
    except PackError as exc:  # a syntax error: the file cannot be read
        raise InputFileError(f"invalid YAML: {exc.message}", exc.span, exc.hint) from None
    for number, item in enumerate(items, start=1):
        if item.error is not None:
            span = item.error.span
            line, column = (span.line, span.column) if span is not None else (item.line, None)
            hint = item.error.hint
            if isinstance(item.error, LimitExceededError):  # the pack hints speak of packs
                hint = TOO_DEEP_HINT if item.error.message.startswith(TOO_DEEP) else TOO_LARGE_HINT
            yield _bad(file, number, item.error.message, line, hint, column)
        elif isinstance(item.data, dict):
            yield RawRecord(number, item.data, line=item.line)
        else:
            yield _bad(file, number, f"a record must be a mapping, not {type(item.data).__name__}", item.line)


CSV_FIELDS = ("id", "date", "enterprise.id", "enterprise.name", "enterprise.jurisdiction", "project.id",
              "project.name", "industries", "source", "location", "description", "scope", "claimed.level",
              "claimed.clauses")


def _csv(handle: io.TextIOBase, file: str) -> Iterator[RawRecord]:
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        bad = _csv_error(file, 0, exc, reader.line_num).error
        assert bad is not None
        raise InputFileError(f"cannot read the header row: {bad.message}", Span(file, 1, 1), bad.hint) from None
    header = [name.strip().lstrip("\ufeff") for name in header]
    unknown = [name for name in header if name not in CSV_FIELDS and not name.startswith("facts.")]
    for name in unknown:
        yield RawRecord(0, None, warning=f"{file}: unknown column {name!r} ignored; columns are "
                        f"{', '.join(CSV_FIELDS)} and facts.<fact id>")
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The csv reader starts afresh at the next line after an error, so the rows after
            # a bad one are still read (a cell broken across lines may show as more bad rows).
            number += 1
            yield _csv_error(file, number, exc, reader.line_num)
            continue
        if not any(cell.strip() for cell in row):
            continue
        number += 1
        line = reader.line_num
        if len(row) != len(header):
            yield _bad(file, number, f"row has {len(row)} cells but the header has {len(header)}", line)
            continue
        yield RawRecord(number, _row_to_record(header, row), line=line)


def _csv_error(file: str, number: int, exc: csv.Error, line: int) -> RawRecord:
    if "field larger than field limit" in str(exc):
        limit = csv.field_size_limit()
        return _bad(file, number, f"a cell is larger than {limit // (1024 * 1024) or limit} "
                    f"{'MiB' if limit >= 1024 * 1024 else 'characters'}", line,
                    'is a quote (") opened and never closed, so that the rows after it ran into one cell?')
    return _bad(file, number, f"invalid CSV row: {exc}", line)


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
    project: dict[str, Any] = {}
    claimed: dict[str, Any] = {}
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
        elif name.startswith("project."):
            project[name[len("project."):]] = value
        elif name == "industries":
            record["industries"] = _split(value)
        elif name == "claimed.clauses":
            claimed["clauses"] = _split(value)
        elif name == "claimed.level":
            claimed["level"] = value
        elif name in CSV_FIELDS:
            record[name] = value
    if enterprise:
        record["enterprise"] = enterprise
    if project:
        record["project"] = project
    if claimed:
        record["claimed"] = claimed
    record["facts"] = facts
    return record


def _split(value: str) -> list[str]:
    """A cell holding several values: `;` or full-width `；` between them."""
    return [part.strip() for part in value.replace("；", ";").split(";") if part.strip()]
