"""Classify finding files record by record: read, validate, classify, never stop early."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .classifying.ruleset import Ruleset
from .classifying.verdict import Verdict
from .errors import RecordError, Span
from .findings.model import Finding, Scope
from .findings.readers import RawRecord, read_findings, read_jsonl_lines


@dataclass(frozen=True)
class Outcome:
    """One record's result: a verdict, or the error that made it invalid, or a file warning."""

    file: str
    number: int
    finding: Finding | None = None
    verdict: Verdict | None = None
    error: RecordError | None = None
    warning: str | None = None
    finding_id: str | None = None   # the record's id, when it has one (also for a bad record)


def classify_files(ruleset: Ruleset, paths: Iterable[str], *, encoding: str | None = None,
                   fmt: str | None = None, strict: bool = False, as_of: dt.date | None = None,
                   scope: Scope = "finding") -> Iterator[Outcome]:
    for path in paths:
        yield from classify_file(ruleset, path, encoding=encoding, fmt=fmt, strict=strict, as_of=as_of, scope=scope)


def classify_file(ruleset: Ruleset, path: str, *, encoding: str | None = None, fmt: str | None = None,
                  strict: bool = False, as_of: dt.date | None = None, scope: Scope = "finding") -> Iterator[Outcome]:
    yield from classify_read(ruleset, path, read_findings(path, encoding=encoding, fmt=fmt),
                             strict=strict, as_of=as_of, scope=scope)


def classify_read(ruleset: Ruleset, path: str, records: Iterable[RawRecord], *, strict: bool = False,
                  as_of: dt.date | None = None, scope: Scope = "finding") -> Iterator[Outcome]:
    """classify_file over records read already (a partition on a worker, scale/dask.py; a
    request's body, classify_records)."""
    for raw in records:
        if raw.warning is not None:
            yield Outcome(path, raw.number, warning=raw.warning)
            continue
        if raw.error is not None:
            yield Outcome(path, raw.number, error=raw.error)
            continue
        assert raw.data is not None
        where = Span(path, raw.line or 0, 0, record=raw.number)
        try:
            finding, verdict = ruleset.judge(raw.data, as_of=as_of, strict=strict, scope=scope, where=where)
        except RecordError as exc:
            given_id = raw.data.get("id")
            yield Outcome(path, raw.number, error=exc, finding_id=given_id if isinstance(given_id, str) else None)
            continue
        yield Outcome(path, raw.number, finding, verdict)


def classify_records(ruleset: Ruleset, records: Iterable[object], *, source: str = "request", strict: bool = False,
                     as_of: dt.date | None = None, scope: Scope = "finding") -> Iterator[Outcome]:
    """Classify records given as data (e.g. the JSON body of an HTTP request), numbered
    from 1 as a file's records are; a record that is not an object is invalid."""
    def read() -> Iterator[RawRecord]:
        for number, record in enumerate(records, start=1):
            if isinstance(record, dict):
                yield RawRecord(number, record)
            else:
                where = Span(source, 0, 0, record=number)
                yield RawRecord(number, None, RecordError(f"record {number} is not an object", span=where))
    return classify_read(ruleset, source, read(), strict=strict, as_of=as_of, scope=scope)


def classify_jsonl(ruleset: Ruleset, text: str, *, source: str = "request",
                   scope: Scope = "finding") -> Iterator[Outcome]:
    """Classify JSON Lines given as text (the console's intake form), read exactly as a
    .jsonl file is: a line that is not JSON is an invalid record, the others go on."""
    return classify_read(ruleset, source, read_jsonl_lines(text.splitlines(), source), scope=scope)
