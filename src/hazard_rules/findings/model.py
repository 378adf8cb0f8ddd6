"""The finding record (contract, DESIGN §4)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr


class Enterprise(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: StrictStr | None = None
    name: StrictStr | None = None
    jurisdiction: StrictStr | None = None


Scope = Literal["finding", "enterprise"]


class Claim(BaseModel):
    """The inspector's own label: the level they gave and the clauses they cited."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: Literal["major", "ordinary"]
    clauses: list[StrictStr] = []


class Finding(BaseModel):
    """One inspection record. `facts` holds raw values until coerced against the packs."""

    model_config = ConfigDict(extra="ignore")

    id: StrictStr = Field(min_length=1)
    date: dt.date
    enterprise: Enterprise | None = None
    industries: list[StrictStr] = []
    source: StrictStr | None = None
    location: StrictStr | None = None
    description: StrictStr | None = None
    facts: dict[str, Any] = {}
    scope: Scope | None = None      # None: the caller's default (finding, unless told otherwise)
    claimed: Claim | None = None
