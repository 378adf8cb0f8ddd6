"""The verdict (contract, DESIGN §4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

VerdictKind = Literal["major", "undetermined", "ordinary"]
ScopeKind = Literal["finding", "enterprise"]
RuleValue = Literal["true", "false", "unknown"]
Agreement = Literal["confirms", "contradicts", "unsupported"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class ProvisionRef(_Out):
    id: str
    article: str
    text: str


class Citation(_Out):
    """How a verdict names a rule: its id, standard, 文号, article, clause and official text."""

    rule: str
    standard: str
    number: str
    article: str
    clause: str | None
    text: str


class Match(Citation):
    """A rule that is true for the finding, with the facts that made it true."""

    because: dict[str, Any]
    provisions: list[ProvisionRef] = []
    # Decided over finite domains: true whatever these unrecorded facts are (compiling/exact.py)
    regardless_of: list[str] = []


class ItemHit(_Out):
    """An item of a standard the finding matched, counted once however many of its sub-items
    matched (金属非金属矿山 地下矿山（三）1 and （三）2 are one item, （三）)."""

    standard: str
    number: str
    article: str
    item: str | None
    clauses: list[str | None]  # the matched clauses under it, as printed: （三）1, （三）2
    rules: list[str]


class OpenRule(Citation):
    """A rule that could not be decided, with the facts that would decide it."""

    missing: list[str]


class Considered(_Out):
    """A rule the finding concerns (finding scope), with its value."""

    rule: str
    article: str
    clause: str | None
    value: RuleValue


class Resemblance(_Out):
    """A clause whose text the finding's description resembles, with the facts to record."""

    rule: str
    article: str
    clause: str | None
    text: str
    score: float
    facts: list[str]


class ClaimCheck(_Out):
    """The inspector's own label, and whether the facts bear it out."""

    level: Literal["major", "ordinary"]
    clauses: list[str] = []
    agreement: Agreement
    rules: list[str] = []          # the rules the cited clauses resolved to
    notes: list[str] = []          # why, in words


class Verdict(_Out):
    finding: str
    verdict: VerdictKind
    scope: ScopeKind = "finding"
    matches: list[Match] = []
    items: list[ItemHit] = []  # the matched items, each once (a sub-item's item, else the clause)
    undetermined: list[OpenRule] = []
    concerned: list[Considered] = []
    resembles: list[Resemblance] = []
    claim: ClaimCheck | None = None
    reasons: list[str] = []
    packs: dict[str, str] = {}
    as_of: dt.date
    ruleset: str
    warnings: list[str] = []


@dataclass(frozen=True, slots=True)
class VerdictColumns:
    """Verdicts as columns (Ruleset.classify_batch): position i of each list is the i-th finding."""

    findings: list[str]                 # the findings' ids
    verdicts: list[VerdictKind]         # major, undetermined or ordinary
    rules: list[tuple[str, ...]]        # the ids of the rules that are true, as Verdict.matches names them

    def __len__(self) -> int:
        return len(self.findings)


_Model = TypeVar("_Model", bound=_Out)
_AnyModel = TypeVar("_AnyModel", bound=BaseModel)
_FIELDS: dict[type[_Out], frozenset[str]] = {}


def built(model: type[_Model], **values: Any) -> _Model:
    """An output model made from values the engine produced itself, without validating them
    again (about 4× cheaper than the constructor per verdict). Every field must be given, in
    declaration order; what comes from outside (records, packs) is validated where it is read.
    The result equals, dumps and pickles as the validated model would
    (tests/test_batch.py compares them over every example)."""
    fields = _FIELDS.get(model)
    if fields is None:
        fields = _FIELDS[model] = frozenset(model.model_fields)
    return constructed(model, values, fields)


VERDICT_FIELDS = frozenset(Verdict.model_fields)  # a Verdict's fields_set as `built` gives it


def constructed(model: type[_AnyModel], values: dict[str, Any], fields_set: AbstractSet[str]) -> _AnyModel:
    """A model made from values checked already, without validating them: `values` holds every
    field in declaration order, `fields_set` the names given (pydantic's model_fields_set; a
    set for a model that is not frozen, as assigning a field adds to it). For `built`, and for
    a record's Finding read by hand (classifying/records.py plain_head, head_fields)."""
    instance = _new(model)
    _set(instance, "__dict__", values)
    _set(instance, "__pydantic_fields_set__", fields_set)
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance


_set = object.__setattr__
_new = object.__new__
