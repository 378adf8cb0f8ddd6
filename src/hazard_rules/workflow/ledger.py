"""The hazard ledger: an append-only, hash-chained event log plus a projection of
current state, over SQLite (default) or PostgreSQL, through one code path.

Every step runs in one transaction: lock the hazard row, check the transition (state,
level, role, required fields and evidence, guards), append the event, update the
projection with a version check. Intake is idempotent: a finding id registers one
hazard, however often it is fed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, create_engine, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.exc import IntegrityError

from ..classifying.verdict import Verdict
from ..errors import HazardRulesError
from ..findings.model import Finding
from . import schema
from .acting import acting_code, check_placeable, check_scope
from .calendar import china_date, deadline_passed
from .effects import CLOSED, EFFECTS, TIMERS, VOID, StepSettings, due_dates, next_due
from .events import Event, Evidence
from .guards import GUARDS, HISTORY_GUARDS, StepContext
from .machine import Machine, load_machine
from .routing import AdminCodeError
from .settings import JurisdictionSettings, parse_due
from .state import HazardState, apply, replay

DEFAULT_URL = "sqlite:///hazard-ledger.sqlite"

# Fields only the ledger writes (a level change of the transition, the deadlines a step
# starts); a caller may give a deadline only where the transition requires it.
SYSTEM_FIELDS = frozenset({"sets_level", "calendar_basis", "authority", *TIMERS})
# Fields that must hold a calendar date wherever they appear.
DATE_FIELDS = ("rectify_due", "new_due", "proposed_due", "listing.deadline", "listing.received_at")


# Statements built once with bound parameters: building them per step (with `.values(...)`)
# cost more than running them.
_HAZARD_COLUMNS = ("state", "level", "enterprise_id", "jurisdiction", "listed", "next_due", "version", "head_hash",
                   "data")
_READ_HAZARD = select(schema.hazards.c.data).where(schema.hazards.c.id == bindparam("hazard_id"))
_LOCK_HAZARD = _READ_HAZARD.with_for_update()
_READ_EVENTS = (select(schema.events.c.body).where(schema.events.c.hazard_id == bindparam("hazard_id"))
                .order_by(schema.events.c.n))
_INSERT_EVENT = schema.events.insert()
_INSERT_HAZARD = schema.hazards.insert()
_UPDATE_HAZARD = (update(schema.hazards)
                  .where(schema.hazards.c.id == bindparam("hazard_id"),
                         schema.hazards.c.version == bindparam("old_version"))
                  .values({name: bindparam(name) for name in _HAZARD_COLUMNS}))


class StepRefused(HazardRulesError):
    """An illegal workflow step: wrong state, role, missing fields or a failed guard."""

    code = "E602"
    exit_code = 2


class ConflictError(HazardRulesError):
    """Another step changed the hazard first; nothing was written. Retry on fresh state."""

    code = "E603"
    exit_code = 4


class UnknownHazardError(HazardRulesError):
    code = "E604"
    exit_code = 2


@dataclass(frozen=True)
class IntakeResult:
    hazard: HazardState
    created: bool


@dataclass(frozen=True)
class Problem:
    hazard_id: str
    n: int | None
    message: str


class Ledger:
    """Open with `Ledger.open(url)`; every method is one transaction."""

    def __init__(self, engine: Engine, machine: Machine, settings: Any = None, calendar: Any = None) -> None:
        self.engine = engine
        self.machine = machine
        self.settings = settings
        self.calendar = calendar
        self._settings_cache: dict[tuple[str, tuple[str, ...]], JurisdictionSettings] = {}

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, url: str = DEFAULT_URL, *, machine: Machine | None = None, settings: Any = None,
             calendar: Any = None, now: dt.datetime | None = None) -> Ledger:
        engine = _engine(url)
        with engine.begin() as conn:
            schema.migrate(conn, now or dt.datetime.now(dt.UTC))
        if settings is None:
            from .settings import load_settings
            settings = load_settings()
        if calendar is None:
            from .calendar import WorkCalendar
            calendar = WorkCalendar()
        return cls(engine, machine or load_machine(), settings, calendar)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ intake
    def register(self, finding: Finding, verdict: Verdict | None, *, actor: str, role: str, organisation: str,
                 at: dt.datetime, action: str = "register", fields: dict[str, Any] | None = None,
                 org_code: str | None = None, department: str | None = None) -> IntakeResult:
        """Register one finding as a hazard (idempotent on the finding id)."""
        from .routing import route

        existing = self.find(finding.id)
        if existing is not None:
            return IntakeResult(existing, False)
        routing = route(list(finding.industries))
        level = verdict.verdict if verdict else "undetermined"   # one name: major / ordinary / undetermined
        payload = {"finding": finding.model_dump(mode="json"), "level": level,
                   "verdict": verdict.model_dump(mode="json") if verdict else None,
                   "departments": list(routing.departments), "duty_unclear": routing.duty_unclear}
        clash = sorted(set(fields or {}) & set(payload))
        if clash:
            _refuser(finding.id)(f"{', '.join(clash)} cannot be given at {action}: the ledger takes them from the "
                                 "finding, its verdict and the routing table")
        payload.update(fields or {})
        try:
            state, _ = self._step(finding.id, action, actor=actor, role=role, organisation=organisation, at=at,
                               fields=payload, evidence=[], expected_version=None, create=True,
                               org_code=org_code, department=department)
        except IntegrityError:  # registered by a concurrent intake meanwhile
            found = self.find(finding.id)
            assert found is not None
            return IntakeResult(found, False)
        return IntakeResult(state, True)

    def intake(self, pairs: Iterable[tuple[Finding, Verdict]], *, actor: str, role: str, organisation: str,
               at: dt.datetime, org_code: str | None = None, department: str | None = None) -> Iterator[IntakeResult]:
        for finding, verdict in pairs:
            yield self.register(finding, verdict, actor=actor, role=role, organisation=organisation, at=at,
                                org_code=org_code, department=department)

    # ------------------------------------------------------------------ steps
    def step(self, hazard_id: str, action: str, *, actor: str, role: str, organisation: str, at: dt.datetime,
             fields: dict[str, Any] | None = None, evidence: list[Evidence] | None = None,
             expected_version: int | None = None, org_code: str | None = None,
             department: str | None = None) -> HazardState:
        """Take one transition; raise StepRefused (illegal) or ConflictError (raced).

        A government role (DEPT, SAFETY_COMMITTEE) names the administrative code it acts for
        (``org_code``), and a department its department (``department``, a name from the
        routing table); see ``acting`` in the state machine."""
        return self._step(hazard_id, action, actor=actor, role=role, organisation=organisation, at=at,
                          fields=dict(fields or {}), evidence=list(evidence or []),
                          expected_version=expected_version, create=False,
                          org_code=org_code, department=department)[0]

    def _step(self, hazard_id: str, action: str, *, actor: str, role: str, organisation: str, at: dt.datetime,
              fields: dict[str, Any], evidence: list[Evidence], expected_version: int | None,
              create: bool, org_code: str | None = None, department: str | None = None) -> tuple[HazardState, Event]:
        transition = self.machine.transition(action)
        # before any lock is taken
        org_code = self._precheck(hazard_id, transition, role, fields, evidence, org_code, department)
        with self.engine.begin() as conn:
            row = conn.execute(_LOCK_HAZARD, {"hazard_id": hazard_id}).first()
            if create:
                state = HazardState(id=hazard_id)
                if row is not None:
                    raise IntegrityError("hazard exists", None, Exception(hazard_id))
            elif row is None:
                raise UnknownHazardError(f"no hazard with id {hazard_id!r}",
                                         hint="`hazard-rules ledger list` shows the hazards")
            else:
                state = HazardState.model_validate_json(row.data)
            if expected_version is not None and state.version != expected_version:
                raise ConflictError(f"hazard {hazard_id} is at version {state.version}, not {expected_version}",
                                    hint="another step was recorded first; reload and decide again")
            needs_history = not create and any(name in HISTORY_GUARDS for name in transition.guards)
            history = self._events(conn, hazard_id) if needs_history else []
            self._check(state, transition, actor, role, organisation, fields, at, history, org_code, department)
            if transition.sets_level:
                fields = {**fields, "sets_level": transition.sets_level}
            fields = {**fields, **self._system_fields(state, action, at, org_code, fields)}
            event = Event(hazard_id=hazard_id, n=state.version + 1, at=at, actor=actor, role=role,
                          organisation=organisation, org_code=org_code, department=department,
                          action=action, from_state=state.state,
                          to_state=transition.target(state.state), fields=fields, evidence=evidence,
                          prev_hash=state.head_hash).sealed()
            new_state = apply(state, event)
            conn.execute(_INSERT_EVENT, _event_row(event))
            values = _hazard_row(new_state)
            if create:
                conn.execute(_INSERT_HAZARD, {"id": hazard_id, **values})
            else:
                result = conn.execute(_UPDATE_HAZARD, {"hazard_id": hazard_id, "old_version": state.version, **values})
                if result.rowcount != 1:
                    raise ConflictError(f"hazard {hazard_id} changed while this step was checked",
                                        hint="reload and try again")
            return new_state, event

    def check_actor(self, action: str, *, role: str, org_code: str | None = None,
                    department: str | None = None) -> str | None:
        """Refuse (StepRefused) a role that may not take action, or a government role that does
        not say where and for which department it acts; return the canonical org code. What
        `step` checks first, without a hazard: for a batch, check once before starting."""
        return self._check_actor(_refuser(None), self.machine.transition(action), role, org_code, department)

    def _check_actor(self, refuse: Any, transition: Any, role: str, org_code: str | None,
                     department: str | None) -> str | None:
        if role not in self.machine.definition.roles:
            refuse(f"unknown role {role!r}", f"roles: {', '.join(self.machine.roles)}")
        if role not in transition.roles:
            refuse(f"role {role} may not {transition.action}", f"allowed: {', '.join(transition.roles)}")
        return acting_code(self.machine.definition.acting, refuse, role, org_code, department)

    def _precheck(self, hazard_id: str, transition: Any, role: str, fields: dict[str, Any],
                  evidence: list[Evidence], org_code: str | None, department: str | None) -> str | None:
        """What can be refused without reading the hazard: role, who it acts for, required
        fields, evidence. The role comes first: an unauthorised role learns nothing more.
        Returns the acting organisation's canonical administrative code."""
        refuse = _refuser(hazard_id)
        org_code = self._check_actor(refuse, transition, role, org_code, department)
        reserved = [name for name in fields if name in SYSTEM_FIELDS and name not in transition.requires]
        if reserved:
            refuse(f"{', '.join(sorted(reserved))} cannot be given with {transition.action}: the ledger sets it",
                   "deadlines change only through the steps that own them (e.g. approve_extension)")
        missing = [name for name in transition.requires if _blank(_get(fields, name))]
        if missing:
            refuse(f"{transition.action} requires {', '.join(missing)}")
        for name in DATE_FIELDS:
            value = _get(fields, name)
            if value is not None and not _is_date(value):
                refuse(f"{name} must be a date YYYY-MM-DD, not {value!r}")
        given = {e.name for e in evidence}
        lacking = [name for name in transition.evidence if name not in given]
        if lacking:
            refuse(f"{transition.action} requires evidence: {', '.join(lacking)}",
                   "attach it with --evidence NAME=FILE (its content hash is recorded)")
        return org_code

    def _check(self, state: HazardState, transition: Any, actor: str, role: str, organisation: str,
               fields: dict[str, Any], at: dt.datetime, history: list[Event], org_code: str | None = None,
               department: str | None = None) -> None:
        """What depends on the hazard: its state and level, where it is, and the guards."""
        refuse = _refuser(state.id)
        if state.state not in transition.from_:
            allowed = [t.action for t in self.machine.available(state.state, state.level)]
            refuse(f"cannot {transition.action} from state {state.state}",
                   f"possible now: {', '.join(allowed) or 'nothing (closed)'}")
        if transition.levels is not None and state.level not in transition.levels:
            refuse(f"{transition.action} applies to {'/'.join(transition.levels)} hazards; this one is {state.level}")
        if state.version == 0:
            check_placeable(refuse, fields)
        if org_code is not None:
            check_scope(refuse, state, fields, organisation, org_code, department)
        context = StepContext(state, transition.action, actor, role, organisation, fields, at, history,
                              self._settings_for(state), self.calendar, org_code)
        for name in transition.guards:
            reason = GUARDS[name](context)
            if reason:
                refuse(reason)

    def _settings_for(self, state: HazardState) -> JurisdictionSettings | None:
        """The settings in force for the hazard: its jurisdiction's, then its industries' rules."""
        if self.settings is None:
            return None
        key = (state.jurisdiction or "", tuple(state.industries))
        found = self._settings_cache.get(key)
        if found is None:
            try:
                found = self.settings.for_jurisdiction(key[0], industries=key[1])
            except AdminCodeError:  # registered before malformed codes were refused: national rules
                found = self.settings.for_jurisdiction("", industries=key[1])
            self._settings_cache[key] = found
        return found

    def _system_fields(self, state: HazardState, action: str, at: dt.datetime, org_code: str | None,
                       fields: dict[str, Any]) -> dict[str, str]:
        """What the ledger itself records with a step (effects.EFFECTS): the deadlines it
        starts and, for an escalation, the government that takes it. Computed now from the hazard's settings and
        kept in the event, so that a replay never depends on settings or a calendar that
        changed later."""
        settings = self._settings_for(state)
        if settings is None or self.calendar is None:
            return {}
        effect = EFFECTS[action]
        step = StepSettings(state, settings, org_code, fields, at, self.calendar)
        starts = effect.starts(step)
        due = {**effect.system_fields(step), **due_dates(starts, at, self.calendar)}
        # Only a count of working days (or a last day moved off a holiday) depends on the calendar.
        provisional = self._provisional_years(at, [due[name] for name, duration in starts.items()
                                                   if duration.working or duration.roll_forward])
        if provisional:
            due["calendar_basis"] = "provisional " + ",".join(map(str, provisional))
        return due

    def _provisional_years(self, at: dt.datetime, dues: Iterable[str]) -> tuple[int, ...]:
        """Years between the step and its deadlines whose holidays are not published yet."""
        years = getattr(self.calendar, "provisional_years", None)
        if years is None:
            return ()
        found: set[int] = set()
        for due in dues:
            found.update(years(china_date(at), china_date(parse_due(due))))
        return tuple(sorted(found))

    # ------------------------------------------------------------------ time
    def overdue(self, now: dt.datetime) -> list[tuple[HazardState, list[str]]]:
        """Hazards with a deadline before `now`, with the timers that passed (open hazards,
        and closed ones whose 摘牌销号 is not published yet)."""
        found = []
        for hazard in self._pending(due_by=china_date(now)):
            late = [name for name, due in sorted(hazard.deadlines.items()) if deadline_passed(due, now)]
            if late:
                found.append((hazard, late))
        return found

    def tick(self, now: dt.datetime) -> list[Event]:
        """Record the escalation steps whose time has come (idempotent: a step already
        recorded for a timer is not recorded again). The caller passes the clock."""
        recorded: list[Event] = []
        for hazard in self._pending():
            settings = self._settings_for(hazard)
            if settings is None:
                continue
            for timer, due in sorted(hazard.deadlines.items()):
                if timer not in TIMERS:
                    continue
                for reached in settings.escalation.reached(parse_due(due), now, self.calendar):
                    if f"{timer}:{reached.step}" in hazard.escalation:
                        continue
                    fields = {"timer": timer, "step": reached.step, "due": due}
                    try:
                        hazard, event = self._step(hazard.id, "escalate", actor="tick", role="SYSTEM",
                                                   organisation="system", at=now, fields=fields,
                                                   evidence=[], expected_version=hazard.version, create=False)
                    except (ConflictError, StepRefused):
                        break  # changed meanwhile; the next tick sees the new state
                    recorded.append(event)
        return recorded

    def _pending(self, due_by: dt.date | None = None) -> list[HazardState]:
        """Hazards a timer still runs on (open ones with a deadline, and closed ones with a
        deadline that outlives closure): those with a next_due, by `due_by` if given."""
        h = schema.hazards.c
        query = select(h.data).where(h.next_due.is_not(None)).order_by(h.id)
        if due_by is not None:
            query = query.where(h.next_due <= due_by)
        with self.engine.connect() as conn:
            return [HazardState.model_validate_json(row.data) for row in conn.execute(query)]

    # ------------------------------------------------------------------ reading
    def find(self, hazard_id: str) -> HazardState | None:
        with self.engine.connect() as conn:
            row = conn.execute(_READ_HAZARD, {"hazard_id": hazard_id}).first()
        return HazardState.model_validate_json(row.data) if row else None

    def get(self, hazard_id: str) -> HazardState:
        found = self.find(hazard_id)
        if found is None:
            raise UnknownHazardError(f"no hazard with id {hazard_id!r}")
        return found

    def hazards(self, *, state: str | None = None, level: str | None = None, jurisdiction: str | None = None,
                enterprise: str | None = None, open_only: bool = False) -> list[HazardState]:
        query = select(schema.hazards.c.data).order_by(schema.hazards.c.id)
        h = schema.hazards.c
        if state:
            query = query.where(h.state == state)
        if level:
            query = query.where(h.level == level)
        if jurisdiction:
            query = query.where(h.jurisdiction.startswith(jurisdiction))
        if enterprise:
            query = query.where(h.enterprise_id == enterprise)
        if open_only:
            query = query.where(h.state.not_in([CLOSED, VOID]))
        with self.engine.connect() as conn:
            return [HazardState.model_validate_json(row.data) for row in conn.execute(query)]

    def history(self, hazard_id: str) -> list[Event]:
        with self.engine.connect() as conn:
            found = self._events(conn, hazard_id)
        if not found:
            raise UnknownHazardError(f"no hazard with id {hazard_id!r}")
        return found

    @staticmethod
    def _events(conn: Any, hazard_id: str) -> list[Event]:
        rows = conn.execute(_READ_EVENTS, {"hazard_id": hazard_id})
        return [Event.model_validate_json(row.body) for row in rows]

    # ------------------------------------------------------------------ verification
    def verify(self) -> list[Problem]:
        """Every hash-chain break, missing or reordered event, and projection mismatch."""
        problems: list[Problem] = []
        with self.engine.connect() as conn:
            projections = {row.id: row for row in conn.execute(select(schema.hazards))}
            rows = conn.execute(select(schema.events).order_by(schema.events.c.hazard_id, schema.events.c.seq))
            by_hazard: dict[str, list[Any]] = {}
            for row in rows:
                by_hazard.setdefault(row.hazard_id, []).append(row)
        for hazard_id in sorted(set(projections) | set(by_hazard)):
            problems += _verify_hazard(hazard_id, by_hazard.get(hazard_id, []), projections.get(hazard_id))
        return problems


def _verify_hazard(hazard_id: str, rows: list[Any], projection: Any) -> list[Problem]:
    problems: list[Problem] = []
    previous = "0" * 64
    events: list[Event] = []
    for position, row in enumerate(rows, start=1):
        try:
            event = Event.model_validate_json(row.body)
        except ValueError:
            problems.append(Problem(hazard_id, row.n, "event body is not valid"))
            continue
        columns = (row.n, row.at, row.action, row.from_state, row.to_state, row.actor, row.role,
                   row.organisation, row.prev_hash, row.hash, row.hazard_id)
        recorded = (event.n, event.at.isoformat(), event.action, event.from_state, event.to_state, event.actor,
                    event.role, event.organisation, event.prev_hash, event.hash, event.hazard_id)
        if columns != recorded:
            problems.append(Problem(hazard_id, row.n, "event columns differ from the event body"))
        if event.n != position:
            problems.append(Problem(hazard_id, row.n,
                                    f"event {event.n} is at position {position}: deleted or reordered"))
        if event.prev_hash != previous:
            problems.append(Problem(hazard_id, event.n, "chain broken: prev_hash does not match the event before"))
        if event.compute_hash() != event.hash:
            problems.append(Problem(hazard_id, event.n, "hash does not match the event's content: edited"))
        previous = event.hash
        events.append(event)
    if projection is None:
        problems.append(Problem(hazard_id, None, "events without a projection row"))
        return problems
    if not rows:
        problems.append(Problem(hazard_id, None, "projection without any event: history deleted"))
        return problems
    if projection.version != len(rows) or projection.head_hash != previous:
        problems.append(Problem(hazard_id, None, "projection head does not match the last event: events deleted"))
    try:
        replayed = replay(hazard_id, events)
        if replayed != HazardState.model_validate_json(projection.data):
            problems.append(Problem(hazard_id, None, "projection differs from a replay of the log"))
        expected = _hazard_row(replayed)
        drifted = [name for name in expected if name != "data" and getattr(projection, name) != expected[name]]
        if drifted:
            problems.append(Problem(hazard_id, None, f"projection columns differ from a replay: {', '.join(drifted)}"))
    except (KeyError, ValueError) as exc:
        problems.append(Problem(hazard_id, None, f"the log cannot be replayed: {exc}"))
    return problems


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})

        @sa_event.listens_for(engine, "connect")
        def _autocommit_driver(dbapi_connection: Any, _: Any) -> None:
            dbapi_connection.isolation_level = None  # let us issue BEGIN ourselves
            # WAL: readers never block the writer; synchronous stays FULL, so a committed
            # step survives a power cut (a legal record may not lose its last entries).
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

        @sa_event.listens_for(engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            # Take the write lock at the start: a second writer waits instead of failing
            # when it upgrades from reading, and then sees the first one's commit.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)




def _event_row(event: Event) -> dict[str, Any]:
    return {"hazard_id": event.hazard_id, "n": event.n, "at": event.at.isoformat(), "actor": event.actor,
            "role": event.role, "organisation": event.organisation, "action": event.action,
            "from_state": event.from_state, "to_state": event.to_state,
            "body": event.model_dump_json(), "prev_hash": event.prev_hash, "hash": event.hash}


def _hazard_row(state: HazardState) -> dict[str, Any]:
    return {"state": state.state, "level": state.level, "enterprise_id": state.enterprise_id,
            "jurisdiction": state.jurisdiction, "listed": bool(state.listed), "next_due": next_due(state.deadlines),
            "version": state.version, "head_hash": state.head_hash, "data": state.model_dump_json()}


def _get(fields: dict[str, Any], dotted: str) -> Any:
    value: Any = fields
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, (list, dict)) and not value)


def _is_date(value: Any) -> bool:
    try:
        dt.date.fromisoformat(str(value))
        return True
    except ValueError:
        return False


def _refuser(hazard_id: str | None):
    prefix = f"hazard {hazard_id}: " if hazard_id is not None else ""

    def refuse(message: str, hint: str | None = None) -> None:
        raise StepRefused(prefix + message, hint=hint)
    return refuse

