"""What each action does besides moving the hazard to its next state.

machine.yaml says who may take a step, from where to where, and what it requires; this
registry says what the step does: the deadlines it meets (`satisfies`), the deadlines it
starts from the hazard's settings (`starts`), the other fields the ledger records with it
(`system_fields`), and how it changes the projection (`records`). There is one entry per
action, and the machine refuses an action without one (machine.py): renaming an action in
machine.yaml can no longer drop what it does without a word.

`records` and `satisfies` are read by `state.apply`, so a replay of the log folds events
exactly as the steps did; `starts` and `system_fields` are computed by the ledger when the
step is taken and stored in the event, so a replay never depends on settings that changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..policy.routing import escalation_authority, parent

if TYPE_CHECKING:
    from ..policy.settings import Duration
    from .events import Event
    from .state import HazardState

# Deadlines a hazard can carry (dates or date-times, as text).
TIMERS = ("report_due", "plan_due", "rectify_due", "progress_due", "decision_due", "review_due",
          "filing_due", "publication_due")
# Deadlines that outlive closure: the listing authority publishes the 摘牌销号 after it.
AFTER_CLOSURE = ("publication_due",)
# The two end states the ledger gives meaning to (closure ends duties; void ends a hazard
# that was never one); machine.py refuses a machine that does not declare both as final.
CLOSED, VOID = "CLOSED", "VOID"


@dataclass(frozen=True)
class StepSettings:
    """What `starts` and `system_fields` see: the hazard, the step and its settings."""

    state: HazardState
    settings: Any            # workflow.policy.settings.Settings for the hazard's jurisdiction
    org_code: str | None     # the administrative code the actor acts for
    fields: Mapping[str, Any]
    at: dt.datetime
    calendar: Any            # workflow.policy.calendar.WorkCalendar


def _none(_: StepSettings) -> dict[str, Any]:
    return {}


def _no_change(_: HazardState, __: Event) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Effect:
    satisfies: tuple[str, ...] = ()
    moves: tuple[tuple[str, str], ...] = ()   # (timer, field): the step sets the deadline to the field's date
    starts: Callable[[StepSettings], dict[str, Duration]] = _none
    system_fields: Callable[[StepSettings], dict[str, str]] = _none
    records: Callable[[HazardState, Event], dict[str, Any]] = _no_change


# ---------------------------------------------------------------- records
def _registered(_: HazardState, event: Event) -> dict[str, Any]:
    f = event.fields
    finding = f.get("finding", {})
    enterprise = finding.get("enterprise") or {}
    return dict(finding=finding, verdict=f.get("verdict"), level=f.get("level", "undetermined"),
                enterprise_id=enterprise.get("id"), enterprise_name=enterprise.get("name"),
                jurisdiction=enterprise.get("jurisdiction"), industries=finding.get("industries", []),
                departments=f.get("departments", []), duty_unclear=bool(f.get("duty_unclear")),
                source=finding.get("source"), found_by_role=event.role, found_by_org=event.organisation,
                found_at=finding.get("date"), registered_at=event.at,
                clauses=[m["rule"] for m in (f.get("verdict") or {}).get("matches", [])])


def _classified_major(state: HazardState, event: Event) -> dict[str, Any]:
    return {"clauses": list(event.fields.get("clauses") or state.clauses), "determination": event.fields.get("expert")}


def _rectifier(_: HazardState, event: Event) -> dict[str, Any]:
    return {"rectifier": event.actor}


def _listed(_: HazardState, event: Event) -> dict[str, Any]:
    return {"listed": {**event.fields["listing"], "authority_code": event.org_code}}


def _listing_filed(state: HazardState, event: Event) -> dict[str, Any]:
    return {"listed": {**(state.listed or {}), "filed_with": event.fields["filed_with"],
                       "filed_at": event.at.isoformat()}}


def _reported_up(state: HazardState, event: Event) -> dict[str, Any]:
    return {"reported_up": [*state.reported_up, {"from": event.org_code, "to": event.fields["to"],
                                                 "at": event.at.isoformat()}]}


def _published(state: HazardState, event: Event) -> dict[str, Any]:
    what = "closure" if state.state == CLOSED else "listing"
    return {"published": [*state.published, {"what": what, **event.fields["publication"]}]}


def _suspended(_: HazardState, event: Event) -> dict[str, Any]:
    return {"suspended": dict(event.fields["suspension"])}


def _resumed(_: HazardState, __: Event) -> dict[str, Any]:
    return {"suspended": None}


def _escalated(state: HazardState, event: Event) -> dict[str, Any]:
    return {"escalation": [*state.escalation, f"{event.fields['timer']}:{event.fields['step']}"]}


def _reopened(_: HazardState, __: Event) -> dict[str, Any]:
    return {"closed_at": None, "delisted": None}


# ---------------------------------------------------------------- deadlines started
def _starts(**names: str) -> Callable[[StepSettings], dict[str, Duration]]:
    """timer -> the settings attribute giving its duration."""
    def starts(step: StepSettings) -> dict[str, Duration]:
        return {timer: getattr(step.settings, attribute) for timer, attribute in names.items()}
    return starts


def _listing_starts(step: StepSettings) -> dict[str, Duration]:
    found = {"publication_due": step.settings.publication}
    if step.org_code is not None and parent(step.org_code) is not None:
        found["filing_due"] = step.settings.listing_filing  # a province has no 安委办 above it in the tree
    return found


def _closure_starts(step: StepSettings) -> dict[str, Duration]:
    return {"publication_due": step.settings.publication} if step.state.listed else {}  # 摘牌销号 is published too


def _escalation_authority(step: StepSettings) -> dict[str, str]:
    up = {s.step: s.up for s in step.settings.escalation.steps}.get(step.fields.get("step"), 0)
    authority = escalation_authority(step.state, up, step.settings.supervision_level)
    return {"authority": authority} if authority else {}


def _progress(step: StepSettings) -> dict[str, str]:
    # A reporting period, not a Duration: it never makes the calendar basis provisional.
    return {"progress_due": step.settings.progress_report_period.due(step.at, step.calendar).isoformat()}

EFFECTS: dict[str, Effect] = {
    "register": Effect(records=_registered),
    "submit_report": Effect(records=_registered),
    "substantiate": Effect(),
    "reject_report": Effect(),
    "transfer": Effect(),
    "fix_on_spot": Effect(satisfies=("rectify_due",)),
    "assign": Effect(),
    "accept": Effect(),
    "submit_rectification": Effect(records=_rectifier),
    "verify_pass": Effect(satisfies=("rectify_due",)),
    "verify_fail": Effect(),
    "classify_major": Effect(starts=_starts(report_due="report_deadline"), records=_classified_major),
    "report_double": Effect(satisfies=("report_due",), starts=_starts(plan_due="plan_deadline")),
    "file_plan": Effect(satisfies=("plan_due",)),
    "start": Effect(system_fields=_progress),
    "request_extension": Effect(starts=_starts(decision_due="extension_decision")),
    "approve_extension": Effect(satisfies=("decision_due",), moves=(("rectify_due", "new_due"),)),
    "reject_extension": Effect(satisfies=("decision_due",)),
    "complete_and_assess": Effect(records=_rectifier),
    "apply_closure": Effect(starts=_starts(review_due="review_deadline")),
    "accept_and_close": Effect(satisfies=("review_due", "rectify_due", "progress_due", "plan_due"),
                               starts=_closure_starts),
    "reject_closure": Effect(satisfies=("review_due",)),
    "downgrade": Effect(satisfies=("report_due", "plan_due", "progress_due")),
    "reopen": Effect(satisfies=("publication_due", "filing_due"), records=_reopened),  # the closure is undone
    "void": Effect(satisfies=TIMERS),
    "list": Effect(starts=_listing_starts, records=_listed),
    "file_listing": Effect(satisfies=("filing_due",), records=_listing_filed),
    "publish": Effect(satisfies=("publication_due",), records=_published),
    "report_up": Effect(records=_reported_up),
    "suspend": Effect(records=_suspended),
    "resume": Effect(records=_resumed),
    "report_progress": Effect(system_fields=_progress),
    "escalate": Effect(system_fields=_escalation_authority, records=_escalated),
}


def next_due(deadlines: Mapping[str, str]) -> dt.date | None:
    """The China day of the earliest deadline (None if none runs): hazards.next_due."""
    from ..policy.calendar import china_date
    from ..policy.settings import parse_due

    days = [china_date(parse_due(due)) for name, due in deadlines.items() if name in TIMERS]
    return min(days) if days else None


def due_dates(starts: Mapping[str, Duration], at: dt.datetime, calendar: Any) -> dict[str, str]:
    """The deadlines a step starts, as ISO text, counted from `at` on `calendar`."""
    return {name: duration.due(at, calendar).isoformat() for name, duration in starts.items()}
