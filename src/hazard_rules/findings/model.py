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


class Project(BaseModel):
    """The works a finding at a construction site belongs to (工程项目): 房屋市政工程 hazards are
    found, listed and supervised per project, and one enterprise (施工单位) runs several."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: StrictStr | None = None     # the project's code, e.g. its 施工许可证编号 or 项目代码
    name: StrictStr | None = None   # 工程名称


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
    project: Project | None = None
    industries: list[StrictStr] = []
    source: StrictStr | None = None
    location: StrictStr | None = None
    description: StrictStr | None = None
    facts: dict[str, Any] = {}
    scope: Scope | None = None      # None: the caller's default (finding, unless told otherwise)
    claimed: Claim | None = None
