"""The projection: a hazard's current state, computed by folding its events.

`apply` is pure and is the only way state changes, both when a step is taken and when
`verify` replays the log, so the stored projection must equal the replay.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from .effects import AFTER_CLOSURE, CLOSED, EFFECTS, TIMERS
from .events import GENESIS, Event

# Level names recorded before one name was used for one thing (issue 8): replay reads them
# as today's names, since the hash-chained events themselves are never rewritten.
LEGACY_LEVELS = {"general": "ordinary"}


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
    """The state after one event (the transition was already checked when it was taken).
    What the action does besides the state change is its entry in effects.EFFECTS."""
    f = event.fields
    effect = EFFECTS[event.action]
    change: dict[str, Any] = {"state": event.to_state, "version": event.n, "head_hash": event.hash}
    change.update(effect.records(state, event))
    if "level" in change:
        change["level"] = _level(change["level"])
    if "sets_level" in f:
        change["level"] = _level(f["sets_level"])
    deadlines = {k: v for k, v in state.deadlines.items() if k not in effect.satisfies}
    deadlines.update({name: str(f[name]) for name in TIMERS if f.get(name)})
    deadlines.update({timer: str(f[name]) for timer, name in effect.moves})
    closing = event.to_state == CLOSED and state.state != CLOSED
    if event.to_state == CLOSED:  # closure ends every duty but those that outlive it
        deadlines = {k: v for k, v in deadlines.items() if k in AFTER_CLOSURE}
    change["deadlines"] = deadlines
    if closing:
        change.update(closed_at=event.at, closed_by_org=event.organisation, listed=None, suspended=None,
                      delisted=state.listed)
    return _changed(state, change)


def _changed(state: HazardState, change: dict[str, Any]) -> HazardState:
    """`state` with the fields in `change`, each validated as its field is (a finding's
    ``date`` text becomes a date), so that the state in memory equals the state read back
    from storage. Only the changed fields are validated: the others were when `state` was
    made, and the state is immutable, so they are shared with it, not copied (a replay of
    the whole log made a full dump and validation of every state, one per event)."""
    if not change.keys() <= _FIELDS.keys():  # a field the state does not have: the model's own error
        return HazardState.model_validate({**state.model_dump(), **change})
    return state.model_copy(update={name: _FIELDS[name].validate_python(value) for name, value in change.items()})


# Each field's validator, as the model validates that field.
_FIELDS = {name: TypeAdapter(field.annotation).validator  # type: ignore[arg-type]  # every field is annotated
           for name, field in HazardState.model_fields.items()}


def _level(name: str) -> str:
    return LEGACY_LEVELS.get(name, name)


def replay(hazard_id: str, events: list[Event]) -> HazardState:
    state = HazardState(id=hazard_id)
    for event in events:
        state = apply(state, event)
    return state
