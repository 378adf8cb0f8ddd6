"""The one record path: a raw record (dict or Finding) → a valid Finding and typed facts.

The library (`Ruleset.classify`), `check`, `explain` and `ledger intake` all go through
`prepare_record`, so the same bad record gets the same message and hint everywhere; a
caller that knows where the record came from passes its Span.
"""

from __future__ import annotations

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


def prepare_record(ruleset: Ruleset, record: Finding | dict[str, Any], *, strict: bool = False,
                   where: Span | None = None) -> PreparedRecord:
    """Validate and coerce one record. Raises RecordError (message, position, hint)."""
    line = f" (line {where.line})" if where is not None and where.line else ""
    if isinstance(record, Finding):
        finding = record
    else:
        try:
            finding = Finding.model_validate(record)
        except ValidationError as exc:
            raise RecordError(describe_validation(exc) + line, where, _hint(exc)) from None
    asked: set[str] = set()
    try:
        facts, warnings = ruleset.coerce_facts(finding.facts, strict, asked)
    except RecursionError:  # a value nested deeper than the readers allow, given through the library
        raise RecordError(f"finding {finding.id}: a fact value is nested too deeply{line}", where,
                          "a fact is a value, a list of values or a list of items") from None
    except FactValueError as exc:
        hint = ("--strict (strict=True) turns unknown facts into errors" if strict and "unknown fact" in str(exc)
                else exc.hint or "`hazard-rules rules show RULE` lists each fact with its type and unit")
        raise RecordError(f"finding {finding.id}: {exc}{line}", where, hint) from None
    return PreparedRecord(finding, facts, warnings, frozenset(asked))


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
