"""Request bodies of the API (responses are the service layer's models as JSON)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Login(_Body):
    username: str = Field(max_length=100)
    password: str = Field(max_length=1000)


class Records(_Body):
    """Finding records as `hazard-rules check` reads them from a JSON file."""

    records: list[Any] = Field(max_length=10_000)
    scope: Literal["finding", "enterprise"] = "finding"


class EvidenceItem(_Body):
    name: str = Field(description="what it is: after_photo, assessment_report, receipt …")
    ref: str = Field(description="where the document is stored (path or URL)")
    sha256: str = Field(pattern="^[0-9a-f]{64}$", description="SHA-256 of the document's content")


class Step(_Body):
    """One step; the actor (who, role, organisation, area, department) is the signed-in account."""

    action: str
    fields: dict[str, Any] = {}
    evidence: list[EvidenceItem] = []
    expected_version: int | None = Field(default=None, description="refuse (409) unless the hazard is at this version")


class PublicReportBody(_Body):
    """A public 举报 (no account; the service checks each field and says which is wrong)."""

    place: str = Field(default="", max_length=4000, description="单位或场所名称 (required)")
    jurisdiction: str = Field(default="", max_length=4000,
                              description="所在地行政区划代码, e.g. 370782 (required; in the intake area)")
    description: str = Field(default="", max_length=20000,
                             description="隐患情况描述 (required, at most 2000 characters)")
    location: str = Field(default="", max_length=4000, description="详细地址 (optional)")
    industry: str = Field(default="", max_length=4000, description="行业: gongmao, hazchem, … or other (optional)")
    contact: str = Field(default="", max_length=4000,
                         description="联系方式 (optional; seen by the area's departments only)")


class StatisticsSubmission(_Body):
    """The period of an enterprise's statistics table; the enterprise and the signer are the account."""

    period: str = Field(max_length=20, description="2025Q1 … 2025Q4, or 2025 (an ended period)")
