"""The one record path: a raw record (dict or Finding) → a valid Finding and typed facts.

The library (`Ruleset.classify`), `check`, `explain` and `ledger intake` all go through
`prepare_record`, so the same bad record gets the same message and hint everywhere; a
caller that knows where the record came from passes its Span.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import RecordError, Span
from ..findings.coerce import FactValueError, shown
from ..findings.model import Finding

if TYPE_CHECKING:
    from .ruleset import Ruleset


@dataclass(frozen=True, slots=True)
class PreparedRecord:
    finding: Finding
    facts: dict[str, Any]        # coerced against the vocabulary; missing values dropped
    warnings: list[str]
    asked: frozenset[str]        # facts given as explicit unknowns (null, "待查")
    names: Hashable | None = None  # stands for the names of `facts` in memo keys, if known (Ruleset._coerce)
    outcomes: list[Any] | None = None  # each chosen edition's Ruleset._outcome, if evaluated already (fuse)


_NO_FACTS: dict[str, Any] = {}


def prepare_record(ruleset: Ruleset, record: Finding | dict[str, Any], *, strict: bool = False,
                   where: Span | None = None, fuse: bool = False, as_of: dt.date | None = None) -> PreparedRecord:
    """Validate and coerce one record. Raises RecordError (message, position, hint).

    A dict record's fields are validated by pydantic; its facts, when they are a dict whose
    names are plain strings, are not copied and checked by pydantic first but go straight to
    coercion, which checks each value against the vocabulary (what pydantic would make of
    them is the same dict). Anything else, and every record pydantic refuses, takes the
    plain path, so messages are the same (docs/fast-paths.md).

    fuse: a record of a shape seen before whose values are all given as is is checked and
    evaluated (on `as_of`, else its date) by the shape's one generated function
    (Ruleset._fused); any other takes the path above, which gives the messages."""
    line = f" (line {where.line})" if where is not None and where.line else ""
    asked: set[str] = set()
    if record.__class__ is dict:
        raw = record.get("facts", _NO_FACTS)
        if raw.__class__ is dict and raw:
            try:
                finding = Finding.model_validate({**record, "facts": _NO_FACTS})
            except ValidationError:
                pass  # the plain path gives the message, with whatever the facts add to it
            else:
                fused = ruleset._fused(finding, raw, as_of) if fuse else None
                if fused is not None:
                    facts, names, outcomes = fused
                    finding.__dict__["facts"] = dict(raw)
                    return PreparedRecord(finding, facts, [], frozenset(), names, outcomes)
                coerced = _coerced(ruleset, finding, raw, strict, asked, line, where, plain_names=False)
                if coerced is not None:
                    facts, warnings, names = coerced
                    finding.__dict__["facts"] = dict(raw)  # as pydantic makes it: a copy, the same values
                    return PreparedRecord(finding, facts, warnings, frozenset(asked), names)
    if isinstance(record, Finding):
        finding = record
    else:
        try:
            finding = Finding.model_validate(record)
        except ValidationError as exc:
            raise RecordError(describe_validation(exc) + line, where, _hint(exc)) from None
    coerced = _coerced(ruleset, finding, finding.facts, strict, asked, line, where, plain_names=True)
    assert coerced is not None
    facts, warnings, names = coerced
    return PreparedRecord(finding, facts, warnings, frozenset(asked), names)


def _coerced(ruleset: Ruleset, finding: Finding, raw: dict[str, Any], strict: bool, asked: set[str], line: str,
             where: Span | None, *, plain_names: bool) -> tuple[dict[str, Any], list[str], Hashable | None] | None:
    """Ruleset._coerce with a bad value as a RecordError; None if a name is not a plain str."""
    try:
        return ruleset._coerce(raw, strict, asked, plain_names=plain_names)
    except RecursionError:  # a value nested deeper than the readers allow, given through the library
        raise RecordError(f"finding {finding.id}: a fact value is nested too deeply{line}", where,
                          "a fact is a value, a list of values or a list of items") from None
    except FactValueError as exc:
        hint = ("--strict (strict=True) turns unknown facts into errors" if strict and "unknown fact" in str(exc)
                else exc.hint or "`hazard-rules rules show RULE` lists each fact with its type and unit")
        raise RecordError(f"finding {finding.id}: {exc}{line}", where, hint) from None


def describe_validation(exc: ValidationError) -> str:
    messages = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        if error["type"] == "missing":
            messages.append(f"missing required field {where!r}")
        elif where == "date":
            messages.append(f"'date' is not a date YYYY-MM-DD ({shown(error.get('input'))})")
        elif where == "scope":
            messages.append(f"'scope' must be 'finding' or 'enterprise', not {shown(error.get('input'))}")
        elif where == "claimed.level":
            messages.append(f"'claimed.level' must be 'major' or 'ordinary', not {shown(error.get('input'))}")
        else:
            messages.append(f"{where}: {error['msg']}")
    return "; ".join(messages)


def _hint(exc: ValidationError) -> str | None:
    fields = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    if fields & {"id", "date"}:
        return "every finding needs an 'id' and a 'date' (YYYY-MM-DD)"
    if "claimed" in fields:
        return 'write "claimed": {"level": "major", "clauses": ["第十一条（三）"]}'
    if "scope" in fields:
        return "finding: judge the deficiency recorded; enterprise: a whole-enterprise self-inspection"
    return None
