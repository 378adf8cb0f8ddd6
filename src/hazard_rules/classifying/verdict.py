"""The verdict (contract, DESIGN §4)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

VerdictKind = Literal["major", "undetermined", "ordinary"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class ProvisionRef(_Out):
    id: str
    article: str
    text: str


class Match(_Out):
    """A rule that is true for the finding, with the facts that made it true."""

    rule: str
    standard: str
    number: str
    article: str
    clause: str | None
    text: str
    because: dict[str, Any]
    provisions: list[ProvisionRef] = []


class OpenRule(_Out):
    """A rule that could not be decided, with the facts that would decide it."""

    rule: str
    standard: str
    number: str
    article: str
    clause: str | None
    text: str
    missing: list[str]


class Verdict(_Out):
    finding: str
    verdict: VerdictKind
    matches: list[Match] = []
    undetermined: list[OpenRule] = []
    reasons: list[str] = []
    packs: dict[str, str] = {}
    as_of: dt.date
    ruleset: str
    warnings: list[str] = []
