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

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from ...classifying.verdict import Verdict
from ...errors import HazardRulesError
from ...findings.model import Finding
from ..domain.acting import acting_code, check_placeable, check_scope
from ..domain.effects import TIMERS
from ..domain.events import Event, Evidence
from ..domain.guards import FIELD_GUARDS, GUARDS, HISTORY_GUARDS, StepContext
from ..domain.machine import Machine, load_machine
from ..domain.state import HazardState, apply
from ..policy.calendar import china_date, deadline_passed
from ..policy.deadlines import Deadlines
from ..policy.routing import DepartmentTable, default_departments, route
from ..policy.settings import parse_due
from ..store import migrations, repository
from ..store.repository import DEFAULT_URL
from ..store.verify import Problem, verify

# Fields only the ledger writes (a level change of the transition, the deadlines a step
# starts); a caller may give a deadline only where the transition requires it.
SYSTEM_FIELDS = frozenset({"sets_level", "calendar_basis", "authority", *TIMERS})


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


class Ledger:
    """Open with `Ledger.open(url)`; every method is one transaction."""

    def __init__(self, engine: Engine, machine: Machine, settings: Any = None, calendar: Any = None,
                 departments: DepartmentTable | None = None) -> None:
        self.engine = engine
        self.machine = machine
        self.departments = departments or default_departments()
        self.deadlines = Deadlines(settings, calendar)

    @property
    def settings(self) -> Any:
        return self.deadlines.settings

    @property
    def calendar(self) -> Any:
        return self.deadlines.calendar

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, url: str = DEFAULT_URL, *, machine: Machine | None = None, settings: Any = None,
             calendar: Any = None, departments: DepartmentTable | None = None) -> Ledger:
        """Open (creating or upgrading its schema) the ledger at `url`. The machine, settings,
        calendar and department table default to the ones shipped with the package."""
        engine = repository.connect(url)
        with engine.begin() as conn:
            migrations.upgrade(conn)
        if settings is None:
            from ..policy.settings import load_settings
            settings = load_settings()
        if calendar is None:
            from ..policy.calendar import WorkCalendar
            calendar = WorkCalendar()
        return cls(engine, machine or load_machine(), settings, calendar, departments)

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
        existing = self.find(finding.id)
        if existing is not None:
            return IntakeResult(existing, False)
        routing = route(list(finding.industries), self.departments)
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
            found = repository.read_hazard(conn, hazard_id, lock=True)
            if create:
                state = HazardState(id=hazard_id)
                if found is not None:
                    raise IntegrityError("hazard exists", None, Exception(hazard_id))
            elif found is None:
                raise UnknownHazardError(f"no hazard with id {hazard_id!r}",
                                         hint="`hazard-rules ledger list` shows the hazards")
            else:
                state = found
            if expected_version is not None and state.version != expected_version:
                raise ConflictError(f"hazard {hazard_id} is at version {state.version}, not {expected_version}",
                                    hint="another step was recorded first; reload and decide again")
            needs_history = not create and any(name in HISTORY_GUARDS for name in transition.guards)
            history = repository.read_events(conn, hazard_id) if needs_history else []
            self._check(state, transition, actor, role, organisation, fields, at, history, org_code, department)
            if transition.sets_level:
                fields = {**fields, "sets_level": transition.sets_level}
            fields = {**fields, **self.deadlines.system_fields(state, action, at, org_code, fields)}
            event = Event(hazard_id=hazard_id, n=state.version + 1, at=at, actor=actor, role=role,
                          organisation=organisation, org_code=org_code, department=department,
                          action=action, from_state=state.state,
                          to_state=transition.target(state.state), fields=fields, evidence=evidence,
                          prev_hash=state.head_hash).sealed()
            new_state = apply(state, event)
            if not repository.append(conn, event, new_state, None if create else state.version):
                raise ConflictError(f"hazard {hazard_id} changed while this step was checked",
                                    hint="reload and try again")
            return new_state, event

    def check_actor(self, action: str, *, role: str, org_code: str | None = None,
                    department: str | None = None) -> str | None:
        """Refuse (StepRefused) a role that may not take action, or a government role that does
        not say where and for which department it acts; return the canonical org code. What
        `step` checks first, without a hazard: for a batch, check once before starting."""
        return self._check_actor(_refuser(None), self.machine.transition(action), role, org_code, department)

    def allowed(self, hazard_id: str, *, actor: str, role: str, organisation: str, at: dt.datetime,
                org_code: str | None = None, department: str | None = None) -> list[Any]:
        """The transitions this actor may take on the hazard at `at`, as far as can be told
        without the step's fields: state, level, role, the area and department it acts for,
        and the guards that depend only on the hazard, the actor and the time (all but
        FIELD_GUARDS). A step a guard refuses is left out, not marked: what is offered can be
        taken. Required fields, evidence and the field guards are checked when it is taken."""
        state = self.get(hazard_id)
        refuse = _refuser(hazard_id)
        history: list[Event] | None = None
        found = []
        for transition in self.machine.available(state.state, state.level):
            try:
                code = self._check_actor(refuse, transition, role, org_code, department)
                if code is not None:
                    check_scope(refuse, state, {}, organisation, code, department)
            except StepRefused:
                continue
            judged = [name for name in transition.guards if name not in FIELD_GUARDS]
            if history is None and any(name in HISTORY_GUARDS for name in judged):
                history = self.history(hazard_id)
            context = StepContext(state, transition.action, actor, role, organisation, {}, at, history or [],
                                  self.deadlines.settings_for(state), self.calendar, code)
            if any(GUARDS[name](context) for name in judged):
                continue
            found.append(transition)
        return found

    def _check_actor(self, refuse: Any, transition: Any, role: str, org_code: str | None,
                     department: str | None) -> str | None:
        if role not in self.machine.definition.roles:
            refuse(f"未知角色 {role!r}", f"角色：{'、'.join(self.machine.roles)}")
        if role not in transition.roles:
            refuse(f"角色 {role} 无权{_step_name(transition)}", f"可执行的角色：{'、'.join(transition.roles)}")
        return acting_code(self.machine.definition.acting, refuse, role, org_code, department, self.departments)

    def _precheck(self, hazard_id: str, transition: Any, role: str, fields: dict[str, Any],
                  evidence: list[Evidence], org_code: str | None, department: str | None) -> str | None:
        """What can be refused without reading the hazard: role, who it acts for, required
        fields, evidence. The role comes first: an unauthorised role learns nothing more.
        Returns the acting organisation's canonical administrative code."""
        refuse = _refuser(hazard_id)
        org_code = self._check_actor(refuse, transition, role, org_code, department)
        reserved = [name for name in fields if name in SYSTEM_FIELDS and name not in transition.requires]
        if reserved:
            refuse(f"{'、'.join(sorted(reserved))} 由台账设定，{_step_name(transition)}时不能给出",
                   "期限只能由管理它的步骤更改（例如 approve_extension）")
        missing = [name for name in transition.requires if _blank(_get(fields, name))]
        if missing:
            refuse(f"{_step_name(transition)}缺少必填项：{self._field_names(missing)}")
        for name in self.machine.fields_of("date"):   # machine.yaml `fields`, kind date
            value = _get(fields, name)
            if value is not None and not _is_date(value):
                refuse(f"{self._field_names([name])} 须为日期 YYYY-MM-DD，而不是 {value!r}")
        given = {e.name for e in evidence}
        lacking = [name for name in transition.evidence if name not in given]
        if lacking:
            refuse(f"{_step_name(transition)}须附证据：{self._field_names(lacking)}",
                   "用 --evidence NAME=FILE 附上（记录其内容哈希）")
        return org_code

    def _field_names(self, names: list[str]) -> str:
        """Fields (and evidence) as people know them: 标签（name）, the name kept for callers."""
        defs = self.machine.definition.fields
        return "、".join(f"{defs[name].label}（{name}）" if name in defs else name for name in names)

    def _check(self, state: HazardState, transition: Any, actor: str, role: str, organisation: str,
               fields: dict[str, Any], at: dt.datetime, history: list[Event], org_code: str | None = None,
               department: str | None = None) -> None:
        """What depends on the hazard: its state and level, where it is, and the guards."""
        refuse = _refuser(state.id)
        if state.state not in transition.from_:
            allowed = [t.action for t in self.machine.available(state.state, state.level)]
            now = self.machine.definition.states[state.state].label
            refuse(f"处于「{now}」（{state.state}），不能{_step_name(transition)}",
                   f"当前可执行：{'、'.join(allowed) or '无（已关闭）'}")
        if transition.levels is not None and state.level not in transition.levels:
            refuse(f"{_step_name(transition)}只适用于 {'/'.join(transition.levels)} 隐患；该隐患为 {state.level}")
        if state.version == 0:
            check_placeable(refuse, fields)
        if org_code is not None:
            check_scope(refuse, state, fields, organisation, org_code, department)
        context = StepContext(state, transition.action, actor, role, organisation, fields, at, history,
                              self.deadlines.settings_for(state), self.calendar, org_code,
                              field_defs=self.machine.definition.fields)
        for name in transition.guards:
            reason = GUARDS[name](context)
            if reason:
                refuse(reason)

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
            settings = self.deadlines.settings_for(hazard)
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
        with self.engine.connect() as conn:
            return repository.select_pending(conn, due_by)

    # ------------------------------------------------------------------ reading
    def find(self, hazard_id: str) -> HazardState | None:
        with self.engine.connect() as conn:
            return repository.read_hazard(conn, hazard_id)

    def get(self, hazard_id: str) -> HazardState:
        found = self.find(hazard_id)
        if found is None:
            raise UnknownHazardError(f"no hazard with id {hazard_id!r}")
        return found

    def hazards(self, *, state: str | None = None, level: str | None = None, jurisdiction: str | None = None,
                enterprise: str | None = None, open_only: bool = False) -> list[HazardState]:
        with self.engine.connect() as conn:
            return repository.select_hazards(conn, state=state, level=level, jurisdiction=jurisdiction,
                                              enterprise=enterprise, open_only=open_only)

    def history(self, hazard_id: str) -> list[Event]:
        with self.engine.connect() as conn:
            found = repository.read_events(conn, hazard_id)
        if not found:
            raise UnknownHazardError(f"no hazard with id {hazard_id!r}")
        return found

    # ------------------------------------------------------------------ verification
    def verify(self) -> list[Problem]:
        """Every hash-chain break, missing or reordered event, and projection mismatch."""
        return verify(self.engine)


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


def _step_name(transition: Any) -> str:
    """A step as people know it, its action kept for callers: 「制定治理方案」（file_plan）."""
    return f"「{transition.label}」（{transition.action}）"


def _refuser(hazard_id: str | None):
    prefix = f"隐患 {hazard_id}：" if hazard_id is not None else ""

    def refuse(message: str, hint: str | None = None) -> None:
        raise StepRefused(prefix + message, hint=hint)
    return refuse

