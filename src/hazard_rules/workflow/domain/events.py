"""Ledger events and their hash chain.

Every event of a hazard carries the hash of the event before it (per hazard), so an
edited, reordered or deleted event breaks the chain; the projection's head hash and
version catch a deleted last event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict

GENESIS = "0" * 64
_OPTIONAL_IN_BODY = ("org_code", "department")


class Evidence(BaseModel):
    """A reference to a document or photo, with the hash of its content."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str          # what it is: after_photo, assessment_report, receipt …
    ref: str           # where it is: a path or URL as the caller stores it
    sha256: str
    # The file's name as uploaded (双报告回执.pdf); stored files are named by their hash.
    # Left out of the hash body when absent, so events written before it existed keep their hashes.
    filename: str | None = None


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    hazard_id: str
    n: int                    # 1-based position in the hazard's history
    at: dt.datetime           # when the step was taken (given by the caller, never the wall clock)
    actor: str
    role: str
    organisation: str
    # The acting organisation's administrative code and department kind (government roles
    # only). Left out of the hash body when absent, so events written before they existed
    # keep their hashes.
    org_code: str | None = None
    department: str | None = None
    action: str
    from_state: str
    to_state: str
    fields: dict[str, Any] = {}
    evidence: list[Evidence] = []
    prev_hash: str = GENESIS
    hash: str = ""

    def body(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude={"hash"})
        for name in _OPTIONAL_IN_BODY:
            if data[name] is None:
                del data[name]
        for item in data["evidence"]:
            if item["filename"] is None:
                del item["filename"]
        return data

    def compute_hash(self) -> str:
        canonical = json.dumps(self.body(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def sealed(self) -> Event:
        return self.model_copy(update={"hash": self.compute_hash()})
