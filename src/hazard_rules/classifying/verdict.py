"""The verdict (contract, DESIGN §4)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

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
