"""The one record path: a raw record (dict or Finding) → a valid Finding and typed facts.

The library (`Ruleset.classify`), `check`, `explain` and `ledger intake` all go through
`prepare_record`, so the same bad record gets the same message and hint everywhere; a
caller that knows where the record came from passes its Span.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import RecordError, Span
from ..findings.coerce import FactValueError, shown
from ..findings.model import Finding
from .verdict import constructed

if TYPE_CHECKING:
    from .ruleset import Ruleset


@dataclass(frozen=True, slots=True)
class PreparedRecord:
    finding: Finding
    facts: dict[str, Any]        # coerced against the vocabulary; missing values dropped
    warnings: list[str]
    asked: frozenset[str]        # facts given as explicit unknowns (null, "待查")
    names: Hashable | None = None  # stands for the names of `facts` in memo keys, if known (Ruleset._coerce)


_NO_FACTS: dict[str, Any] = {}
Fields = tuple[dict[str, Any], AbstractSet[str]]  # a Finding's field values (facts left empty), the names given


def prepare_record(ruleset: Ruleset, record: Finding | dict[str, Any], *, strict: bool = False,
                   where: Span | None = None, keep: bool = True, fields: Fields | None = None) -> PreparedRecord:
    """Validate and coerce one record. Raises RecordError (message, position, hint).

    A dict record's fields are validated by pydantic, or read by hand when they are few and
    plain (plain_head: the same Finding); its facts, when they are a dict whose names are plain
    strings, are not copied and checked by pydantic first but go straight to coercion, which
    checks each value against the vocabulary (what pydantic would make of them is the same
    dict). Anything else, and every record pydantic refuses, takes the plain path, so messages
    are the same (docs/fast-paths.md).

    keep: the Finding goes back to the caller (Ruleset.judge), so its facts are a copy of the
    record's, as pydantic makes them; else (classify) they are the record's own dict.
    fields: the dict record's fields as read already (read_fields), so not read again."""
    line = f" (line {where.line})" if where is not None and where.line else ""
    asked: set[str] = set()
    if record.__class__ is dict:
        raw = record.get("facts", _NO_FACTS)
        if raw.__class__ is dict and raw:
            fields = fields or read_fields(record)
            if fields is not None:  # else the plain path gives the message, with whatever the facts add
                finding = constructed(Finding, *fields)
                coerced = _coerced(ruleset, finding, raw, strict, asked, line, where, plain_names=False)
                if coerced is not None:
                    facts, warnings, names = coerced
                    finding.__dict__["facts"] = dict(raw) if keep else raw  # as pydantic makes it: a copy
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


def read_fields(record: dict[str, Any]) -> Fields | None:
    """The field values and given names of a dict record's Finding, its facts left empty: read
    by hand if the record is plain (plain_head), else by pydantic; None if pydantic refuses it."""
    head = plain_head(record)
    return head_fields(record, head) if head is not None else validated_fields(record)


def validated_fields(record: dict[str, Any]) -> Fields | None:
    """The field values and given names of the Finding pydantic makes of a dict record, its
    facts left empty (a new dict, for the caller to fill); None if pydantic refuses it."""
    try:
        finding = Finding.model_validate({**record, "facts": _NO_FACTS})
    except ValidationError:
        return None
    return finding.__dict__, finding.model_fields_set


Head = tuple[str, dt.date, list[str]]  # the id, date and industries of a record read by plain_head
_BASIC = frozenset({"id", "date", "industries", "facts"})
_DAYS: dict[str, dt.date] = {}  # ISO dates read (plain_head), a bounded few: records repeat their dates
_NOT_GIVEN: list[str] = []      # industries not given (read only)


def plain_head(record: dict[str, Any]) -> Head | None:
    """The id, date and industries of a record that gives nothing but them and its facts, each
    plainly: `id` a non-empty str, `date` a str YYYY-MM-DD naming a day, `industries` a list
    of str (or left out). These are the values pydantic makes of them (head_fields makes the
    rest of the Finding); None for any other record (another field, a str subclass, a date
    object...), which pydantic then validates, and gives the message if it must."""
    if not record.keys() <= _BASIC:
        return None
    name = record.get("id")
    text = record.get("date")
    if name.__class__ is not str or not name or text.__class__ is not str:
        return None
    day = _DAYS.get(text) or _day(text)
    industries = record.get("industries", _NOT_GIVEN)
    if day is None or industries.__class__ is not list:
        return None
    for code in industries:
        if code.__class__ is not str:
            return None
    return name, day, industries


def head_fields(record: dict[str, Any], head: Head) -> Fields:
    """validated_fields of a record plain_head read: the field values in declaration order (a new
    dict of facts and list of industries, as pydantic copies them) and the names it gives."""
    name, day, industries = head
    return ({"id": name, "date": day, "enterprise": None, "project": None, "industries": list(industries),
             "source": None, "location": None, "description": None, "facts": {}, "scope": None, "claimed": None},
            set(record))


def _day(text: str) -> dt.date | None:
    """The day a str YYYY-MM-DD names, as pydantic reads it, or None: any other form is left to
    pydantic (datetime.date.fromisoformat reads more forms than pydantic, so only this one is tried)."""
    if len(text) != 10 or not text.isascii() or text[4] != "-" or text[7] != "-":
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    if len(_DAYS) >= 1024:
        _DAYS.clear()
    _DAYS[text] = day
    return day


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
