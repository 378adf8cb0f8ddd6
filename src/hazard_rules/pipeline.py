"""Classify finding files record by record: read, validate, classify, never stop early."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pydantic import ValidationError

from .classifying.ruleset import Ruleset
from .classifying.verdict import Verdict
from .errors import RecordError, Span
from .findings.coerce import FactValueError
from .findings.model import Finding
from .findings.readers import read_findings


@dataclass(frozen=True)
class Outcome:
    """One record's result: a verdict, or the error that made it invalid, or a file warning."""

    file: str
    number: int
    finding: Finding | None = None
    verdict: Verdict | None = None
    error: RecordError | None = None
    warning: str | None = None


def classify_files(ruleset: Ruleset, paths: Iterable[str], *, encoding: str | None = None,
                   fmt: str | None = None, strict: bool = False, as_of: dt.date | None = None) -> Iterator[Outcome]:
    for path in paths:
        yield from classify_file(ruleset, path, encoding=encoding, fmt=fmt, strict=strict, as_of=as_of)


def classify_file(ruleset: Ruleset, path: str, *, encoding: str | None = None, fmt: str | None = None,
                  strict: bool = False, as_of: dt.date | None = None) -> Iterator[Outcome]:
    for raw in read_findings(path, encoding=encoding, fmt=fmt):
        if raw.warning is not None:
            yield Outcome(path, raw.number, warning=raw.warning)
            continue
        if raw.error is not None:
            yield Outcome(path, raw.number, error=raw.error)
            continue
        assert raw.data is not None
        where = Span(path, raw.line or 0, 0, record=raw.number)
        line = f" (line {raw.line})" if raw.line else ""
        try:
            finding = Finding.model_validate(raw.data)
        except ValidationError as exc:
            yield Outcome(path, raw.number, error=RecordError(_describe(exc) + line, where, _hint(exc)))
            continue
        try:
            facts, warnings = ruleset.coerce_facts(finding.facts, strict)
        except FactValueError as exc:
            hint = "--strict turns unknown facts into errors" if strict and "unknown fact" in str(exc) else None
            yield Outcome(path, raw.number, finding, error=RecordError(f"finding {finding.id}: {exc}{line}", where, hint))
            continue
        verdict = ruleset.evaluate(finding, facts, as_of or finding.date, warnings)
        yield Outcome(path, raw.number, finding, verdict)


def _describe(exc: ValidationError) -> str:
    messages = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        if error["type"] == "missing":
            messages.append(f"missing required field {where!r}")
        elif where == "date":
            messages.append(f"'date' is not a date YYYY-MM-DD ({error.get('input')!r})")
        else:
            messages.append(f"{where}: {error['msg']}")
    return "; ".join(messages)


def _hint(exc: ValidationError) -> str | None:
    fields = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    if fields & {"id", "date"}:
        return "every finding needs an 'id' and a 'date' (YYYY-MM-DD)"
    return None
