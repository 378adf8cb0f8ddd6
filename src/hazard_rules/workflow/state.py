"""The projection: a hazard's current state, computed by folding its events.

`apply` is pure and is the only way state changes, both when a step is taken and when
`verify` replays the log, so the stored projection must equal the replay.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from .events import GENESIS, Event

# Deadlines a hazard can carry (dates or date-times, as text) and the steps that meet them.
TIMERS = ("report_due", "plan_due", "rectify_due", "progress_due", "decision_due", "review_due",
          "filing_due", "publication_due")
SATISFIED_BY: dict[str, tuple[str, ...]] = {
    "report_double": ("report_due",),
    "file_plan": ("plan_due",),
    "approve_extension": ("decision_due",),
    "reject_extension": ("decision_due",),
    "accept_and_close": ("review_due", "rectify_due", "progress_due", "plan_due"),
    "reject_closure": ("review_due",),
    "verify_pass": ("rectify_due",),
    "fix_on_spot": ("rectify_due",),
    "void": TIMERS,
    "downgrade": ("report_due", "plan_due", "progress_due"),
    "file_listing": ("filing_due",),
    "publish": ("publication_due",),
    "reopen": ("publication_due", "filing_due"),  # the closure they followed is undone
}
# Deadlines that outlive closure: the listing authority publishes the 摘牌销号 after it.
AFTER_CLOSURE = ("publication_due",)


class HazardState(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    state: str = "NEW"
    level: str = "undetermined"
    finding: dict[str, Any] = {}
    verdict: dict[str, Any] | None = None
    clauses: list[str] = []
    determination: dict[str, Any] | None = None
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    jurisdiction: str | None = None
    industries: list[str] = []
    departments: list[str] = []
    duty_unclear: bool = False
    source: str | None = None
    found_by_role: str | None = None
    found_by_org: str | None = None
    found_at: dt.date | None = None
    registered_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    closed_by_org: str | None = None
    rectifier: str | None = None
    listed: dict[str, Any] | None = None
    delisted: dict[str, Any] | None = None   # the listing a closure ended (for its publication)
    reported_up: list[dict[str, Any]] = []   # 上报: each {"from", "to", "at"}
    published: list[dict[str, Any]] = []     # each {"what", "channel", "published_at"}
    suspended: dict[str, Any] | None = None
    deadlines: dict[str, str] = {}
    escalation: list[str] = []
    version: int = 0
    head_hash: str = GENESIS


def apply(state: HazardState, event: Event) -> HazardState:
    """The state after one event (the transition was already checked when it was taken)."""
    f = event.fields
    change: dict[str, Any] = {"state": event.to_state, "version": event.n, "head_hash": event.hash}
    action = event.action
    if action in ("register", "submit_report"):
        finding = f.get("finding", {})
        enterprise = finding.get("enterprise") or {}
        change.update(finding=finding, verdict=f.get("verdict"), level=f.get("level", "undetermined"),
                      enterprise_id=enterprise.get("id"), enterprise_name=enterprise.get("name"),
                      jurisdiction=enterprise.get("jurisdiction"), industries=finding.get("industries", []),
                      departments=f.get("departments", []), duty_unclear=bool(f.get("duty_unclear")),
                      source=finding.get("source"), found_by_role=event.role, found_by_org=event.organisation,
                      found_at=finding.get("date"), registered_at=event.at,
                      clauses=[m["rule"] for m in (f.get("verdict") or {}).get("matches", [])])
    if "sets_level" in f:
        change["level"] = f["sets_level"]
    if action == "classify_major":
        change["clauses"] = list(f.get("clauses") or state.clauses)
        change["determination"] = f.get("expert")
    deadlines = {k: v for k, v in state.deadlines.items() if k not in SATISFIED_BY.get(action, ())}
    deadlines.update({name: str(f[name]) for name in TIMERS if f.get(name)})
    if action == "approve_extension":
        deadlines["rectify_due"] = str(f["new_due"])
    if event.to_state == "CLOSED":  # closure ends every duty but those that outlive it
        deadlines = {k: v for k, v in deadlines.items() if k in AFTER_CLOSURE}
    change["deadlines"] = deadlines
    if action in ("submit_rectification", "complete_and_assess"):
        change["rectifier"] = event.actor
    if action == "list":
        change["listed"] = {**f["listing"], "authority_code": event.org_code}
    if action == "file_listing":
        change["listed"] = {**(state.listed or {}), "filed_with": f["filed_with"], "filed_at": event.at.isoformat()}
    if action == "report_up":
        change["reported_up"] = [*state.reported_up, {"from": event.org_code, "to": f["to"], "at": event.at.isoformat()}]
    if action == "publish":
        what = "closure" if state.state == "CLOSED" else "listing"
        change["published"] = [*state.published, {"what": what, **f["publication"]}]
    if action == "suspend":
        change["suspended"] = dict(f["suspension"])
    if action == "resume":
        change["suspended"] = None
    if action == "escalate":
        change["escalation"] = [*state.escalation, f"{f['timer']}:{f['step']}"]
    if event.to_state == "CLOSED" and state.state != "CLOSED":
        change.update(closed_at=event.at, closed_by_org=event.organisation, listed=None, suspended=None,
                      delisted=state.listed)
    if action == "reopen":
        change.update(closed_at=None, delisted=None)
    # validated, so that the state in memory equals the state read back from storage
    return HazardState.model_validate({**state.model_dump(), **change})


def replay(hazard_id: str, events: list[Event]) -> HazardState:
    state = HazardState(id=hazard_id)
    for event in events:
        state = apply(state, event)
    return state
