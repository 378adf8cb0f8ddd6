"""Hypothesis stateful tests of the hazard ledger, on SQLite and on a real PostgreSQL.

A `RuleBasedStateMachine` registers findings from examples/inspections.jsonl and takes
random steps: a random hazard, action, role, organisation and actor, with fields that
usually hold everything the action requires (so that legal steps happen and hazards
reach deep states such as CLOSED) but sometimes lack one, and evidence sometimes given.
A government role (DEPT, SAFETY_COMMITTEE) mostly says where and for whom it acts as it
should (the hazard's county, its city or its province; the department responsible for
it), and sometimes not: a neighbouring county in another city, a township inside the
county, a malformed code, no code, a department that is declared but not responsible, an
unknown department, no department; other roles sometimes give a code or department too.

Beside the ledger the machine keeps its own model of every hazard, written from the
machine definition (data/machine.yaml), the settings and the rules of docs/workflow.md,
not from the engine's code (routing.AdminCode is used to parse codes, nothing else). From
it the test predicts every outcome: a step the model finds illegal must be refused, a
legal one must be recorded, a refused one must write nothing, and the projection must
agree with the model (listing and its filing, publications, 上报, deadlines set). After
every rule: `verify()` finds nothing, every projection equals a replay of its log, and
the positions of every history are 1..version. Escalations recorded by `tick` concern a
deadline the hazard has, on a hazard that can still have one, and name the government the
model expects (`authority`).

A second property test runs a random legal history, tampers with ONE event directly in
SQL (an edited body, a changed column, a re-sealed edit, two events swapped, a deleted
event) and asserts that `verify()` reports the tampered hazard.

The last tests are minimal reproductions of engine bugs these tests found, all fixed
(stray `sets_level`/deadline fields, free-text dates, the `at` column, the projection's
query columns; a malformed jurisdiction, deadlines no step could meet after closure or
reopening, intake fields replacing the routing or level, a listing authority matched by
name only, unchecked direct escalations); `test_fields_only_the_ledger_sets_are_refused`
runs the stateful model with stray fields allowed.
"""

from __future__ import annotations

import collections
import copy
import datetime as dt
import itertools
import json
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import text

from hazard_rules import Finding, load_rulesets
from hazard_rules.workflow.domain.events import Event, Evidence
from hazard_rules.workflow.domain.machine import load_machine
from hazard_rules.workflow.domain.state import HazardState, replay
from hazard_rules.workflow.policy.calendar import WorkCalendar
from hazard_rules.workflow.policy.routing import AdminCode, AdminCodeError, load_departments
from hazard_rules.workflow.policy.settings import load_settings
from hazard_rules.workflow.service.ledger import ConflictError, Ledger, StepRefused, UnknownHazardError

from ..conftest import EXAMPLES

MACHINE = load_machine()
SETTINGS = load_settings()
CALENDAR = WorkCalendar()
RULES = load_rulesets()
RECORDS = {r["id"]: r
           for r in map(json.loads, (EXAMPLES / "inspections.jsonl").read_text(encoding="utf-8").splitlines())}
# A finding that cannot be placed (no enterprise.jurisdiction): no area check applies to it.
UNPLACED = "F-2024-900318"
RECORDS[UNPLACED] = {**RECORDS["F-2024-000318"], "id": UNPLACED,
                     "enterprise": {k: v for k, v in RECORDS["F-2024-000318"]["enterprise"].items()
                                    if k != "jurisdiction"}}
VERDICTS = {finding_id: RULES.classify(record) for finding_id, record in RECORDS.items()}
CHINA = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2025, 3, 11, 9, 0, tzinfo=CHINA)

# A handful of findings: major (Qingdao has a 20-working-day extension window), ordinary, undetermined.
POOL = {
    "major": ["F-2025-000219", "F-2025-000842", "F-2024-000783"],
    "ordinary": ["F-2023-000502", "F-2024-000318", UNPLACED],
    "undetermined": ["F-2024-000641", "F-2025-000387"],
}
for _kind, _ids in POOL.items():
    for _id in _ids:
        assert VERDICTS[_id].verdict == _kind, (_id, VERDICTS[_id].verdict)
FINDING_IDS = [i for ids in POOL.values() for i in ids]
NOT_REGISTERED = "F-0000-000000"           # never registered: steps on it are UnknownHazardError

ENT, DEPT_ORG, SAB = "某食品有限公司", "市应急管理局", "市安委会办公室"
ORGS = [ENT, DEPT_ORG, SAB]
ACTORS = ["张", "李", "王"]
ROLES = MACHINE.roles
ENTERPRISE_ROLES = {"ENT_SAFETY", "ENT_PRINCIPAL", "ENT_ASSIGNEE"}
PLAN_CONTENTS = ("targets", "methods", "funds", "organisation", "time_limit", "safety_measures")
LEVEL_OF_VERDICT = {"major": "major", "ordinary": "ordinary"}
# Leaf names of required fields that hold a date. Dates stay inside the years the working-day
# calendar covers (it raises CalendarError outside them; see the report of this test module).
DATE_LEAVES = {"rectify_due", "new_due", "proposed_due", "deadline", "received_at"}
# Leaf names of required fields that hold an administrative code (file_listing, report_up).
CODE_LEAVES = {"filed_with", "to"}
FIRST_DAY, LAST_DAY = dt.date(2025, 3, 1), dt.date(2026, 6, 30)
LAST_CLOCK = dt.datetime(2026, 4, 30, 9, 0, tzinfo=CHINA)
# Field names the projection gives a meaning to whatever the action: sending them with an
# action that does not set them is the bug shown by test_enterprise_closes_a_major_hazard_*.
STRAY_NAMES = ["sets_level", "rectify_due", "review_due", "plan_due", "publication_due", "filing_due",
               "authority", "calendar_basis"]

# ---------------------------------------------------------------------------- who acts for whom
# machine.yaml `acting`, as workflow.md states it: DEPT and SAFETY_COMMITTEE act for an area
# (an administrative code containing the hazard), DEPT also for a department responsible for it.
AREA_ROLES = {"DEPT", "SAFETY_COMMITTEE"}
DEPARTMENT_ROLES = {"DEPT"}
assert (set(MACHINE.definition.acting.area_roles), set(MACHINE.definition.acting.department_roles)) == \
    (AREA_ROLES, DEPARTMENT_ROLES), "machine.yaml `acting` changed: teach the model"
DECLARED_DEPARTMENTS = set(load_departments().departments)      # the names a department may give
# 管行业必须管安全 for the industries of the pool (departments.yaml): every pool finding is 工贸.
RESPONSIBLE = {"gongmao": "应急管理"}
WRONG_DEPARTMENT, UNKNOWN_DEPARTMENT = "住房城乡建设", "安监站"
assert WRONG_DEPARTMENT in DECLARED_DEPARTMENTS and UNKNOWN_DEPARTMENT not in DECLARED_DEPARTMENTS
# A county in another city of the same province, for each county of the pool.
NEIGHBOUR = {"370782": "370281", "370281": "370782", "330421": "330282", "440606": "440305"}
MUNICIPALITIES = {"11", "12", "31", "50"}


def jurisdiction_of(finding_id: str) -> str:
    return (RECORDS[finding_id].get("enterprise") or {}).get("jurisdiction") or ""


def departments_of(finding_id: str) -> tuple[str, ...]:
    found: list[str] = []
    for industry in RECORDS[finding_id].get("industries") or []:
        name = RESPONSIBLE[industry.split(".")[0]]
        if name not in found:
            found.append(name)
    return tuple(found)


def codes_around(jurisdiction: str) -> dict[str, str]:
    """The codes a step on a hazard in `jurisdiction` may act for (a hazard that cannot be
    placed gets those of 嘉善县). Canonical codes, a zero-padded one, and two malformed ones."""
    county = jurisdiction or "330421"
    return {"county": county, "city": county[:4], "padded city": county[:4] + "00", "province": county[:2],
            "township": county + "001", "neighbour": NEIGHBOUR[county], "malformed": county[:5],
            "bad province": "99" + county[2:]}


FITTING_CODES = ["county", "city", "padded city", "province"]   # each contains the county
for _id in FINDING_IDS:
    assert not jurisdiction_of(_id) or jurisdiction_of(_id) in NEIGHBOUR, _id
    assert departments_of(_id) == ("应急管理",), _id


def canonical(code: Any) -> str | None:
    """The canonical administrative code, or None when it is not one."""
    try:
        return AdminCode.parse(code).code
    except AdminCodeError:
        return None


def governments_above(code: str) -> list[str]:
    """The governments over a canonical code, nearest first: its shorter prefixes, less the
    4-digit statistical groupings (a municipality's 市辖区/县, xx90 省直辖) and zero groups."""
    above = []
    for end, start in ((9, 6), (6, 4), (4, 2), (2, 0)):
        if end >= len(code) or int(code[start:end]) == 0:
            continue
        if end == 4 and (code[:2] in MUNICIPALITIES or code[2:4] == "90"):
            continue
        above.append(code[:end])
    return above


# ---------------------------------------------------------------------------- databases
class Databases:
    """Fresh empty databases of the backend the `db_url` fixture chose, one per example."""

    def __init__(self, db_url: str, tmp_path, request) -> None:
        self.sqlite = db_url.startswith("sqlite")
        self.tmp_path = tmp_path
        self.server = None if self.sqlite else request.getfixturevalue("postgres_server")
        self.counter = itertools.count()

    def new(self) -> str:
        if self.sqlite:
            return f"sqlite:///{self.tmp_path / f'run-{next(self.counter)}.sqlite'}"
        return self.server.create_database()

    def drop(self, url: str) -> None:
        if not self.sqlite:
            self.server.drop_database(url)


@pytest.fixture
def databases(db_url, tmp_path, request) -> Databases:
    return Databases(db_url, tmp_path, request)


def open_ledger(url: str) -> Ledger:
    return Ledger.open(url, machine=MACHINE, settings=SETTINGS, calendar=CALENDAR, now=T0)


# ---------------------------------------------------------------------------- the model
@dataclass(frozen=True)
class Model:
    """What the test knows about one hazard, kept independently of the engine."""

    id: str
    state: str
    level: str
    version: int
    jurisdiction: str                     # "" when the finding does not say
    found_by_role: str
    found_by_org: str
    clauses: tuple[str, ...]
    departments: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    listed_by: str | None = None          # the listing authority while listed (挂牌督办)
    listed_code: str | None = None        # ... and the administrative code it acted for
    filed_with: str | None = None         # where the listing was filed (备案)
    delisted_by: str | None = None        # the listing a closure ended (its 摘牌销号 is published)
    delisted_code: str | None = None
    published: tuple[str, ...] = ()       # "listing" / "closure", in order
    reported_up: tuple[tuple[str, str], ...] = ()   # 上报: (from code, to)
    suspended: bool = False
    rectifier: str | None = None
    closed_by_org: str | None = None
    rectify_due: str | None = None
    timers: frozenset[str] = frozenset()  # the deadlines the hazard carries
    double_reported: bool = False         # a 双报告 with both receipts is on file
    plan_filed: bool = False              # a plan with six contents by ENT_PRINCIPAL is on file


@dataclass
class Attempt:
    hazard_id: str
    action: str
    actor: str
    role: str
    organisation: str
    at: dt.datetime
    fields: dict[str, Any]
    evidence: list[Evidence]
    expected_version: int | None = None
    org_code: str | None = None           # the area a government role acts for
    department: str | None = None         # the department a DEPT acts for

    def acting(self) -> dict[str, str | None]:
        return {"org_code": self.org_code, "department": self.department}


def _leaf(fields: dict[str, Any], dotted: str) -> Any:
    value: Any = fields
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _blank(value: Any) -> bool:
    """Missing, empty, or only whitespace: a required field left blank."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or value == [] or value == {}


def settings_of(h: Model) -> Any:
    """The hazard's settings: its jurisdiction's, then its industries' own rules."""
    return SETTINGS.for_jurisdiction(h.jurisdiction, industries=h.industries)


def _signoff_roles(h: Model) -> list[str]:
    allowed = settings_of(h).unlisted_major_signoff or "DEPT"
    return list(allowed) if isinstance(allowed, (list, tuple)) else [allowed]


def acting_refusal(a: Attempt) -> str | None:
    """Who a step acts for, as far as it is known without the hazard (workflow.md "Who acts
    for whom"): a government role names a well-formed area, a department also a declared
    department; no other role names either."""
    if a.role not in AREA_ROLES:
        if a.org_code is not None or a.department is not None:
            return "acting: a role that acts for no government gives a code or department"
        return None
    if not a.org_code:
        return "acting: no administrative code"
    if canonical(a.org_code) is None:
        return "acting: malformed administrative code"
    if a.role in DEPARTMENT_ROLES:
        if not a.department:
            return "acting: no department"
        if a.department not in DECLARED_DEPARTMENTS:
            return "acting: unknown department"
    elif a.department is not None:
        return "acting: a committee gives a department"
    return None


def scope_refusal(h: Model, a: Attempt) -> str | None:
    """The hazard lies within the area acted for (when it can be placed); a department is
    one responsible for it."""
    area = canonical(a.org_code) if a.org_code is not None else None
    if area is None:
        return None
    place = canonical(h.jurisdiction) if h.jurisdiction else None
    if place is not None and not place.startswith(area):
        return "scope: outside the area acted for"
    if a.department is not None and h.departments and a.department not in h.departments:
        return "scope: a department not responsible for the hazard"
    return None


def _strictly_above(target: Any, own: str | None) -> bool:
    """target is a well-formed code of a government above `own` (a canonical code)."""
    code = canonical(str(target or ""))
    return code is not None and own is not None and code in governments_above(own)


def _acts_as(a: Attempt, organisation: str | None, code: str | None) -> bool:
    """The step is taken by that organisation, acting for that area when the area is known."""
    acting = canonical(a.org_code) if a.org_code is not None else None
    return a.organisation == organisation and (code is None or acting == code)


def _escalation_refusal(h: Model, a: Attempt, recorded: HazardState | None) -> str | None:
    """An escalation must name a running deadline, a ladder step whose time has come, once.
    The due date and the steps already taken are read from the recorded hazard (whose
    agreement with a replay is checked on every step); whether the step is due is decided here."""
    f = a.fields
    timer, step = f.get("timer"), f.get("step")
    if timer not in h.timers:
        return "escalates no running deadline"
    assert recorded is not None
    due = recorded.deadlines[timer]
    if f.get("due") is not None and str(f["due"]) != due:
        return "names the wrong due date"
    if f"{timer}:{step}" in recorded.escalation:
        return "already escalated"
    after = {s.step: s.after for s in settings_of(h).escalation.steps}.get(step)
    if after is None:
        return "not a step of the ladder"
    due_day = dt.date.fromisoformat(due[:10])
    today = a.at.astimezone(CHINA).date()
    if after.working:
        reached_on = CALENDAR.add_workdays(due_day, after.days)
    else:
        reached_on = due_day + dt.timedelta(days=after.days)
    if today <= due_day or today < reached_on:
        return "not due yet"
    return None


def guard_refusal(name: str, h: Model, a: Attempt, recorded: HazardState | None = None) -> str | None:
    """The model's reading of each named rule of docs/workflow.md ("Rules enforced")."""
    f = a.fields
    if name == "classified_ordinary":
        if h.level == "major":
            return "major is never assigned as ordinary"
        determination = f.get("determination") or {}
        if h.level == "undetermined" and not (determination.get("by") and determination.get("reason")):
            return "undetermined needs a recorded determination"
    elif name == "not_the_rectifier":
        if h.rectifier is not None and a.actor == h.rectifier:
            return "the rectifier cannot verify"
    elif name == "department_rechecks_its_finding":
        if h.found_by_role == "DEPT" and (a.role != "DEPT" or a.organisation != h.found_by_org):
            return "found by a department: that department re-checks"
    elif name == "clauses_or_expert_determination":
        expert = f.get("expert") or {}
        if not (f.get("clauses") or h.clauses or (expert.get("name") and expert.get("reason"))):
            return "no clauses and no expert determination"
    elif name == "double_report_and_plan_on_file":
        if not (h.double_reported and h.plan_filed):
            return "no 双报告 or plan on file"
    elif name == "within_extension_window":
        window = settings_of(h).extension_request_window
        if h.rectify_due and window is not None:
            latest = window.before(dt.date.fromisoformat(h.rectify_due[:10]), CALENDAR)
            if a.at.date() > latest:
                return f"extension requested after {latest}"
    elif name == "listing_authority_if_listed":
        if h.listed_by is not None and not _acts_as(a, h.listed_by, h.listed_code):
            return "listed: only the listing authority decides"
    elif name == "assessment_by_experts_or_agency":
        if f.get("assessment_by") not in ("own_experts", "agency"):
            return "assessment by own experts or an agency"
    elif name == "closing_authority":
        if h.listed_by is not None:
            if not _acts_as(a, h.listed_by, h.listed_code):
                return "listed: only the listing authority closes"
        elif a.role not in _signoff_roles(h):
            return "unlisted major: signed off by the jurisdiction's role"
    elif name == "same_organisation_as_closer":
        if a.organisation != h.closed_by_org:
            return "only the closing organisation reopens"
    elif name == "enterprise_cannot_void_major":
        if a.role in ENTERPRISE_ROLES and h.level == "major":
            return "an enterprise cannot void a major hazard"
    elif name == "not_listed_yet":
        if h.listed_by is not None:
            return "already listed"
    elif name == "acts_as_listing_authority":
        if (f.get("listing") or {}).get("authority") != a.organisation:
            return "a listing is recorded by its own authority"
    elif name == "is_listed":
        if h.listed_by is None:
            return "not listed"
    elif name == "files_with_a_higher_government":
        if h.filed_with is not None:
            return "the listing was filed already"
        if not _strictly_above(f.get("filed_with"), h.listed_code or canonical(a.org_code)):
            return "a listing is filed with a government above its authority"
    elif name == "reports_to_a_higher_government":
        if not _strictly_above(f.get("to"), canonical(a.org_code)):
            return "上报 goes to a government above the one acted for"
    elif name == "publishes_listing_or_closure":
        if h.state == "CLOSED":
            if h.delisted_by is None:
                return "only the closure of a listed hazard is published"
            if a.organisation != h.closed_by_org or not _acts_as(a, h.delisted_by, h.delisted_code):
                return "a closure is published by the listing authority that closed the hazard"
        elif h.listed_by is None:
            return "not listed: nothing to publish"
        elif not _acts_as(a, h.listed_by, h.listed_code):
            return "a listing is published by its authority"
    elif name == "not_under_listing":
        if h.listed_by is not None:
            return "a listed hazard is not downgraded: it is closed by its authority"
    elif name == "escalation_is_due":
        return _escalation_refusal(h, a, recorded)
    elif name == "is_suspended":
        if not h.suspended:
            return "not suspended"
    else:  # a guard this model does not know: the test must be taught it
        raise AssertionError(f"the model does not know guard {name!r}")
    return None


# Deadlines: the steps that start each one (workflow.md; settings.yaml) and those that meet it.
TIMER_NAMES = frozenset({"report_due", "plan_due", "rectify_due", "progress_due", "decision_due", "review_due",
                         "filing_due", "publication_due"})
STARTS: dict[str, frozenset[str]] = {
    "classify_major": frozenset({"report_due"}),         # 双报告
    "report_double": frozenset({"plan_due"}),            # 治理方案
    "assign": frozenset({"rectify_due"}), "file_plan": frozenset({"rectify_due"}),
    "downgrade": frozenset({"rectify_due"}), "approve_extension": frozenset({"rectify_due"}),
    "start": frozenset({"progress_due"}), "report_progress": frozenset({"progress_due"}),
    "request_extension": frozenset({"decision_due"}),
    "apply_closure": frozenset({"review_due"}),          # 16号令 art. 23
    "list": frozenset({"publication_due"}),              # and filing_due below a province
}
MEETS: dict[str, frozenset[str]] = {
    "report_double": frozenset({"report_due"}),
    "file_plan": frozenset({"plan_due"}),
    "approve_extension": frozenset({"decision_due"}), "reject_extension": frozenset({"decision_due"}),
    # closure ends every duty but the publication of a 摘牌销号 (see advance)
    "accept_and_close": frozenset({"review_due", "rectify_due", "progress_due", "plan_due"}),
    "reject_closure": frozenset({"review_due"}),
    "verify_pass": frozenset({"rectify_due"}), "fix_on_spot": frozenset({"rectify_due"}),
    "void": TIMER_NAMES,
    "downgrade": frozenset({"report_due", "plan_due", "progress_due"}),
    "file_listing": frozenset({"filing_due"}),
    "publish": frozenset({"publication_due"}),
    "reopen": frozenset({"publication_due", "filing_due"}),   # the closure they followed is undone
}
# The level a transition sets, the government an escalation goes to and the deadlines a step
# starts are written by the ledger only.
SYSTEM_FIELD_NAMES = frozenset({"sets_level", "calendar_basis", "authority", *TIMER_NAMES})


def predict(h: Model | None, a: Attempt, recorded: HazardState | None = None) -> tuple[str, str]:
    """("ok" | "refused" | "conflict" | "unknown", why) for an attempted step."""
    t = MACHINE.transition(a.action)
    # What needs no hazard is refused first, before the hazard is even read:
    if a.role not in t.roles:
        return "refused", f"role {a.role} may not {a.action}"
    acting = acting_refusal(a)
    if acting:
        return "refused", acting
    if any(name in SYSTEM_FIELD_NAMES and name not in t.requires for name in a.fields):
        return "refused", "a field only the ledger may set"
    missing = [name for name in t.requires if _blank(_leaf(a.fields, name))]
    if missing:
        return "refused", f"missing {missing}"
    given_names = {e.name for e in a.evidence}
    if any(name not in given_names for name in t.evidence):
        return "refused", "missing evidence"
    if h is None:
        return "unknown", "no such hazard"
    if a.expected_version is not None and a.expected_version != h.version:
        return "conflict", f"at version {h.version}, not {a.expected_version}"
    if h.state not in t.from_:
        return "refused", f"{a.action} not from {h.state}"
    if t.levels is not None and h.level not in t.levels:
        return "refused", f"{a.action} not for {h.level}"
    scope = scope_refusal(h, a)
    if scope:
        return "refused", scope
    for name in t.guards:
        reason = guard_refusal(name, h, a, recorded)
        if reason:
            return "refused", reason
    return "ok", "legal"


def advance(h: Model, a: Attempt) -> Model:
    """The model after a recorded step."""
    t = MACHINE.transition(a.action)
    f = a.fields
    acting_code = canonical(a.org_code) if a.org_code is not None else None
    new = replace(h, state=t.target(h.state), version=h.version + 1, level=t.sets_level or h.level)
    timers = (h.timers - MEETS.get(a.action, frozenset())) | STARTS.get(a.action, frozenset())
    if a.action == "list":
        new = replace(new, listed_by=f["listing"]["authority"], listed_code=acting_code, filed_with=None)
        if acting_code is not None and governments_above(acting_code):   # a province files with nobody
            timers |= {"filing_due"}
    if a.action == "accept_and_close" and h.listed_by is not None:
        timers |= {"publication_due"}                                    # 摘牌销号 is published too
    if new.state == "CLOSED":
        timers &= {"publication_due"}                                    # the one duty that outlives closure
    new = replace(new, timers=frozenset(timers))
    if a.action == "file_listing":
        new = replace(new, filed_with=f["filed_with"])
    if a.action == "publish":
        new = replace(new, published=(*h.published, "closure" if h.state == "CLOSED" else "listing"))
    if a.action == "report_up":
        new = replace(new, reported_up=(*h.reported_up, (acting_code, f["to"])))
    if a.action == "suspend":
        new = replace(new, suspended=True)
    if a.action == "resume":
        new = replace(new, suspended=False)
    if a.action in ("submit_rectification", "complete_and_assess"):
        new = replace(new, rectifier=a.actor)
    if a.action == "classify_major":
        new = replace(new, clauses=tuple(f.get("clauses") or h.clauses))
    if a.action == "report_double":
        new = replace(new, double_reported=True)
    if a.action == "file_plan":
        new = replace(new, plan_filed=True)
    # the rectification deadline: set by assign / file_plan / downgrade, moved by an approved
    # extension, met by closing or voiding
    if a.action in ("accept_and_close", "verify_pass", "fix_on_spot", "void"):
        new = replace(new, rectify_due=None)
    if a.action in ("assign", "file_plan", "downgrade"):
        new = replace(new, rectify_due=str(f["rectify_due"]))
    if a.action == "approve_extension":
        new = replace(new, rectify_due=str(f["new_due"]))
    if new.state == "CLOSED" and h.state != "CLOSED":
        new = replace(new, closed_by_org=a.organisation, listed_by=None, listed_code=None, filed_with=None,
                      suspended=False, delisted_by=h.listed_by, delisted_code=h.listed_code)
    if a.action == "reopen":
        new = replace(new, delisted_by=None, delisted_code=None)
    return new


def new_model(finding_id: str) -> Model:
    """The hazard a finding would become, before it is registered (state NEW)."""
    return Model(id=finding_id, state="NEW", level="undetermined", version=0,
                 jurisdiction=jurisdiction_of(finding_id), found_by_role="", found_by_org="", clauses=(),
                 departments=departments_of(finding_id),
                 industries=tuple(RECORDS[finding_id].get("industries") or ()))


def registered_model(finding_id: str, role: str, organisation: str, state: str = "REGISTERED") -> Model:
    verdict = VERDICTS[finding_id]
    return replace(new_model(finding_id), state=state, level=LEVEL_OF_VERDICT.get(verdict.verdict, "undetermined"),
                   version=1, found_by_role=role, found_by_org=organisation,
                   clauses=tuple(m.rule for m in verdict.matches))


def escalation_authority(h: Model, step: str) -> str | None:
    """The government an escalation step goes to: the listing authority's (also of the listing
    a closure ended), else the county over the hazard (supervision_level), then `up` higher."""
    rules = settings_of(h)
    assert rules.supervision_level == "county", "teach the model other supervision levels"
    place = canonical(h.jurisdiction) if h.jurisdiction else None
    base = h.listed_code or h.delisted_code or (place[:6] if place else None)
    if base is None:
        return None
    for _ in range({s.step: s.up for s in rules.escalation.steps}.get(step, 0)):
        above = governments_above(base)
        base = above[0] if above else base
    return base


def assert_projection_matches(ledger: Ledger, h: Model) -> None:
    got = ledger.get(h.id)
    listed, delisted = got.listed or {}, got.delisted or {}
    seen = (got.state, got.level, got.version, listed.get("authority"), listed.get("authority_code"),
            listed.get("filed_with"), delisted.get("authority"), delisted.get("authority_code"),
            tuple(p["what"] for p in got.published), tuple((r["from"], r["to"]) for r in got.reported_up),
            bool(got.suspended), got.rectifier, got.closed_by_org, got.deadlines.get("rectify_due"),
            frozenset(got.deadlines), tuple(got.clauses), got.found_by_role, got.found_by_org,
            tuple(got.departments))
    expected = (h.state, h.level, h.version, h.listed_by, h.listed_code, h.filed_with, h.delisted_by,
                h.delisted_code, h.published, h.reported_up, h.suspended, h.rectifier, h.closed_by_org,
                h.rectify_due, h.timers, h.clauses, h.found_by_role, h.found_by_org, h.departments)
    assert seen == expected, f"{h.id}: projection {seen} but the model says {expected}"


def check_ledger_invariants(ledger: Ledger, models: dict[str, Model]) -> None:
    assert ledger.verify() == []
    stored = {h.id: h for h in ledger.hazards()}
    assert set(stored) == set(models)
    for hazard_id, state in stored.items():
        history = ledger.history(hazard_id)
        assert [e.n for e in history] == list(range(1, state.version + 1))
        assert replay(hazard_id, history) == state
        for before, after in itertools.pairwise(history):
            assert after.from_state == before.to_state and after.prev_hash == before.hash


def check_recorded_event(event: Event, h: Model, a: Attempt) -> None:
    """The event just written is a transition the machine definition allows, by whom it says."""
    t = MACHINE.transition(a.action)
    assert (event.n, event.action, event.actor, event.role, event.organisation, event.at) == \
        (h.version + 1, a.action, a.actor, a.role, a.organisation, a.at)
    assert (event.org_code, event.department) == (canonical(a.org_code) if a.org_code else None, a.department)
    assert event.from_state == h.state and event.from_state in t.from_
    assert event.to_state == t.target(h.state)
    assert event.role in t.roles
    assert t.levels is None or h.level in t.levels
    assert all(not _blank(_leaf(event.fields, name)) for name in t.requires)
    assert {e.name for e in event.evidence} >= set(t.evidence)
    # the government an escalation goes to is the ledger's to name, on escalations only
    assert event.fields.get("authority") == (escalation_authority(h, event.fields["step"]) if a.action == "escalate"
                                             else None)


# ---------------------------------------------------------------------------- strategies
TEXTS = st.one_of(st.sampled_from(["整改", "报告书", "限员", "同意", "x"]), st.text(min_size=1, max_size=6))
DATES = st.dates(FIRST_DAY, LAST_DAY).map(dt.date.isoformat)
BLANKS = st.sampled_from([None, "", [], {}])


def value_for(leaf: str, organisation: str, codes: list[str]) -> st.SearchStrategy[Any]:
    if leaf in DATE_LEAVES:
        return DATES
    if leaf in CODE_LEAVES:
        return st.sampled_from(codes)
    if leaf == "assessment_by":
        return st.sampled_from(["agency", "own_experts", "agency", "friends"])
    if leaf == "authority":          # mostly the organisation taking the step: a listing is its own
        return st.sampled_from([organisation, organisation, *ORGS])
    return TEXTS


def _put(fields: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    target = fields
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


@st.composite
def fields_for(draw, action: str, complete: bool = False, stray: bool = False, organisation: str = ENT,
               jurisdiction: str = "", above: list[str] | None = None) -> dict[str, Any]:
    """Every required field, except (unless complete) that one is sometimes left out or
    blank; optional fields some actions look at; harmless extra fields. Codes (filed_with,
    to) are drawn from those around the hazard's jurisdiction (when complete, those holding it,
    or `above`: the governments above the one that files or reports, when there are any)."""
    t = MACHINE.transition(action)
    around = codes_around(jurisdiction)
    codes, fitting = sorted(around.values()), above or [around[kind] for kind in FITTING_CODES]
    fields: dict[str, Any] = {}
    for name in t.requires:
        if name == "finding":
            continue
        presence = 9 if complete else draw(st.integers(0, 24))
        if presence == 0:
            continue
        _put(fields, name, draw(BLANKS) if presence == 1 else draw(value_for(name.rsplit(".", 1)[-1], organisation,
                                                                              fitting if complete else codes)))
    if action in ("assign", "fix_on_spot"):
        kind = draw(st.integers(0, 4))
        if kind >= 2 or complete:
            fields["determination"] = {"by": draw(st.sampled_from(["专家王某", "李科长"])), "reason": draw(TEXTS)}
        elif kind == 1:
            fields["determination"] = {"by": "专家王某"}
    if action == "classify_major":
        if draw(st.integers(0, 3)) == 0 or complete:
            fields["expert"] = {"name": "专家组", "reason": draw(TEXTS)}
        kind = draw(st.integers(0, 5))
        if kind == 0:
            fields["clauses"] = ["GM2023-11-1"]
        elif kind == 1:
            fields["clauses"] = []
    if draw(st.integers(0, 9)) == 0:
        fields["note"] = draw(TEXTS)
    if stray and draw(st.integers(0, 3)) == 0:
        name = draw(st.sampled_from(STRAY_NAMES))
        fields[name] = draw({"sets_level": st.sampled_from(["ordinary", "major"]), "authority": st.sampled_from(codes),
                             "calendar_basis": st.just("provisional 2026")}.get(name, DATES))
    return fields


@st.composite
def evidence_for(draw, action: str, complete: bool = False) -> list[Evidence]:
    items = []
    for name in MACHINE.transition(action).evidence:
        if complete or draw(st.integers(0, 7)) > 0:
            items.append(Evidence(name=name, ref=f"photos/{name}.jpg", sha256=draw(st.sampled_from(["ab", "cd"])) * 32))
    if draw(st.integers(0, 9)) == 0:
        items.append(Evidence(name="receipt", ref="scans/receipt.pdf", sha256="ef" * 32))
    return items


# What a step may get wrong about who it acts for: one thing (so that it is what the step is
# refused for), or anything at all.
MISTAKES = {"no code": ("area", None), "malformed code": ("area", "malformed"),
            "not a province": ("area", "bad province"), "a county of another city": ("area", "neighbour"),
            "a township in the county": ("area", "township"), "no department": ("department", None),
            "a department not responsible": ("department", WRONG_DEPARTMENT),
            "an unknown department": ("department", UNKNOWN_DEPARTMENT), "anything": ("both", None)}


@st.composite
def acting_for(draw, role: str, jurisdiction: str, departments: tuple[str, ...], fitting: bool | None = None,
               mistake: str | None = None) -> tuple[str | None, str | None]:
    """(org_code, department) for a step by `role` on a hazard in `jurisdiction`: mostly what
    the role should give (an area holding the hazard and the responsible department for a
    government role, nothing for the others); otherwise one mistake (or the one given), or
    anything from the small sets: the hazard's county, city (also zero-padded) and province, a
    township in the county, a county of another city, two malformed codes, none; the
    responsible department, a declared one that is not, an unknown one, none."""
    codes = codes_around(jurisdiction)
    if fitting is None and mistake is None:   # a role that acts for no government errs less: it is the
        # enterprise's steps that take a hazard along its lane, and every one of its mistakes is refused
        fitting = draw(st.integers(0, 7 if role in AREA_ROLES else 23), label="acts as it should") > 0
    org_code = codes[draw(st.sampled_from(FITTING_CODES), label="acts for")] if role in AREA_ROLES else None
    department = departments[0] if role in DEPARTMENT_ROLES else None
    if fitting:
        return org_code, department
    what, value = MISTAKES[mistake or draw(st.sampled_from(list(MISTAKES)), label="mistake")]
    if what == "area":
        org_code = codes[value] if value else None
    elif what == "department":
        department = value
    else:
        kind = draw(st.sampled_from([*codes, None]), label="area")
        org_code = codes[kind] if kind else None
        department = draw(st.sampled_from([departments[0], WRONG_DEPARTMENT, UNKNOWN_DEPARTMENT, None]),
                          label="department")
    return org_code, department


# How far along its lane a state is, to aim most steps forward (void, downgrade, extension
# and re-classification ping-pong would otherwise keep hazards from going deep).
PROGRESS = {"NEW": 0, "REPORT_VERIFYING": 1, "REGISTERED": 2, "ASSIGNED": 3, "MAJOR_CONFIRMED": 3, "REPORTED": 4,
            "PLAN_FILED": 5, "RECTIFYING": 6, "EXTENSION_PENDING": 6, "PENDING_VERIFICATION": 7, "ASSESSED": 7,
            "CLOSURE_APPLIED": 8, "CLOSED": 9, "VOID": -1}
assert set(PROGRESS) == set(MACHINE.definition.states)


OVERLAYS = ["list", "file_listing", "publish", "report_up"]   # in the order they are aimed at


def not_had_yet(h: Model, action: str) -> bool:
    """An overlay the hazard has not had yet (a listing; its filing and publication while their
    deadlines run; 上报): aimed at like a step forward, so that these happen often enough."""
    return {"list": h.listed_by is None, "file_listing": "filing_due" in h.timers,
            "publish": "publication_due" in h.timers, "report_up": not h.reported_up}.get(action, False)


def legal_looking(h: Model) -> list[tuple[str, list[str]]]:
    """Actions whose state and level fit the hazard now, with the roles that may take them."""
    return [(t.action, t.roles) for t in MACHINE.available(h.state, h.level)
            if t.action not in ("register", "submit_report")]


# ---------------------------------------------------------------------------- the machine
LEVEL_OF_CODE = {2: "province", 4: "city", 6: "county", 9: "township"}


class LedgerMachine(RuleBasedStateMachine):
    """Random intake and steps on a fresh ledger, checked against the model."""

    def __init__(self, databases: Databases, stats: collections.Counter, stray: bool = False) -> None:
        super().__init__()
        self.databases = databases
        self.stats = stats
        self.stray = stray
        self.url = databases.new()
        self.ledger = open_ledger(self.url)
        self.models: dict[str, Model] = {}
        self.clock = T0

    def teardown(self) -> None:
        self.stats["examples"] += 1
        self.ledger.close()
        self.databases.drop(self.url)

    def _later(self, delta: dt.timedelta) -> dt.datetime:
        # the clock stays inside the years the working-day calendar covers
        self.clock = min(self.clock + delta, LAST_CLOCK)
        return self.clock

    def _tick_clock(self, data) -> dt.datetime:
        return self._later(dt.timedelta(hours=data.draw(st.sampled_from([0, 1, 5, 24, 72]), label="hours later")))

    def _count(self, outcome: str, why: str, a: Attempt) -> None:
        """Statistics for the non-vacuity checks: refusals by who acts for whom, steps by role and area."""
        if outcome == "refused" and why.startswith(("acting:", "scope:")):
            self.stats[f"refused {why}"] += 1
        if outcome == "ok" and a.role in AREA_ROLES:
            self.stats[f"did as {a.role}"] += 1
            self.stats[f"did for a {LEVEL_OF_CODE[len(canonical(a.org_code) or '')]}"] += 1
            if not jurisdiction_of(a.hazard_id):
                self.stats["did on a hazard that cannot be placed"] += 1

    # -- the rules ----------------------------------------------------------------------------
    # One rule that picks what to do, with weights: Hypothesis gives every rule the same chance
    # and, in "swarm" mode, switches whole rules off for an example, which left most examples
    # with no step at all; steps must dominate for hazards to go deep.
    ACTIVITIES = ["step"] * 14 + ["register"] * 3 + ["tick"] * 2 + ["reopen the ledger"] + ["probe who acts"]

    @initialize(data=st.data())
    def first_findings(self, data) -> None:
        """Two to four findings registered by roles that may register."""
        count = data.draw(st.integers(2, 4), label="first findings")
        first = data.draw(st.permutations(FINDING_IDS), label="findings")[:count]
        if UNPLACED not in first and data.draw(st.booleans(), label="one that cannot be placed"):
            first[-1] = UNPLACED
        for finding_id in first:
            self.register(data, finding_id, data.draw(st.sampled_from(MACHINE.transition("register").roles)),
                          fitting=True)

    @rule(data=st.data())
    def act(self, data) -> None:
        activity = data.draw(st.sampled_from(self.ACTIVITIES), label="activity")
        if activity == "step" and self.models:
            self.step(data)
        elif activity == "tick" and self.models:
            self.tick(data.draw(st.integers(0, 20), label="days later"))
        elif activity == "reopen the ledger":
            self.reopen_the_ledger()
        elif activity == "probe who acts" and self.models:
            self.probe_acting(data)
        else:
            self.register(data)

    # -- intake ----------------------------------------------------------------------------
    def register(self, data, finding_id: str | None = None, role: str | None = None,
                 fitting: bool | None = None) -> None:
        finding_id = finding_id or data.draw(st.sampled_from(FINDING_IDS), label="finding")
        role = role or data.draw(st.sampled_from([*ROLES, "INSPECTOR", "DEPT"]), label="role")
        organisation = data.draw(st.sampled_from(ORGS), label="organisation")
        report = data.draw(st.integers(0, 5), label="as a whistle-blower report") == 0
        action = "submit_report" if report else "register"
        if fitting is None:    # an intake refused for who acts is harmless: the finding is fed again later
            fitting = data.draw(st.booleans(), label="acts as it should")
        org_code, department = data.draw(acting_for(role, jurisdiction_of(finding_id), departments_of(finding_id),
                                                    fitting=fitting))
        extra = data.draw(fields_for(action, organisation=organisation), label="fields") if report else None
        at = self._tick_clock(data)
        record = RECORDS[finding_id]
        existing = self.models.get(finding_id)
        a = Attempt(finding_id, action, "王检查", role, organisation, at, {"finding": True, **(extra or {})}, [],
                    org_code=org_code, department=department)
        verdict, why = ("exists", "") if existing else predict(new_model(finding_id), a)
        try:
            result = self.ledger.register(Finding.model_validate(record), VERDICTS[finding_id], actor="王检查",
                                          role=role, organisation=organisation, at=at, action=action, fields=extra,
                                          org_code=org_code, department=department)
        except StepRefused as exc:
            assert verdict == "refused", f"intake of {finding_id} by {a} refused ({exc}), the model says {why}"
            assert self.ledger.find(finding_id) is None
            self.stats["refused register"] += 1
            self._count("refused", why, a)
            return
        if existing:   # intake is idempotent: whoever feeds the finding again gets the hazard as it is
            assert not result.created and result.hazard.version == existing.version
            return
        assert verdict == "ok" and result.created, f"intake of {finding_id} by {a} recorded, the model says {why}"
        check_recorded_event(self.ledger.history(finding_id)[-1], new_model(finding_id), a)
        model = registered_model(finding_id, role, organisation, "REPORT_VERIFYING" if report else "REGISTERED")
        self.models[finding_id] = model
        self.stats[f"reached {model.state}"] += 1
        self._count("ok", why, a)
        assert_projection_matches(self.ledger, model)

    # -- steps -----------------------------------------------------------------------------
    def step(self, data) -> None:
        """A burst of 1-4 steps on one hazard (so that single hazards go deep)."""
        if data.draw(st.integers(0, 9), label="unregistered hazard") == 0:
            self.attempt(self.draw_attempt(data, NOT_REGISTERED))
            return
        hazard_id = data.draw(st.sampled_from(sorted(self.models)), label="hazard")
        for _ in range(data.draw(st.integers(1, 4), label="steps")):
            self.attempt(self.draw_attempt(data, hazard_id))

    def draw_attempt(self, data, hazard_id: str) -> Attempt:
        h = self.models.get(hazard_id)
        candidates = legal_looking(h) if h else []
        forward = [c for c in candidates if PROGRESS.get(MACHINE.transition(c[0]).to or "", 0) > PROGRESS[h.state]]
        overlays = sorted((c for c in candidates if not_had_yet(h, c[0])), key=lambda c: OVERLAYS.index(c[0]))
        aim = data.draw(st.integers(0, 9), label="forward")
        # sometimes: the next overlay not had yet, by the book; more often a listing's filing and
        # publication, which have a deadline running
        diligent = bool(overlays) and aim < (5 if overlays[0][0] in ("file_listing", "publish") else 1)
        careless = False
        if diligent:
            candidates = overlays[:1]
        elif forward and aim > 3:                                           # mostly: along the lanes
            candidates = forward
        if candidates and data.draw(st.integers(0, 4), label="aim") > 0:   # mostly: an action that fits
            action, roles = data.draw(st.sampled_from(candidates), label="action")
            role = data.draw(st.sampled_from(roles), label="role") if data.draw(st.integers(0, 5)) else \
                data.draw(st.sampled_from(ROLES), label="role")
        elif h is None and data.draw(st.integers(0, 2), label="aim at a missing hazard") > 0:
            diligent, careless = False, True
            # an allowed role, so that the step gets past the checks that need no hazard
            # (role, acting, fields, evidence come first) and meets the missing hazard itself
            action = data.draw(st.sampled_from(MACHINE.actions), label="action")
            role = data.draw(st.sampled_from(MACHINE.transition(action).roles), label="role")
        else:                                                               # sometimes: anything
            diligent, careless = False, True
            action = data.draw(st.sampled_from(MACHINE.actions), label="action")
            role = data.draw(st.sampled_from([*ROLES, "NOBODY"]), label="role")
        expected_version = None
        if h is not None and data.draw(st.integers(0, 9), label="expect a version") == 0:
            expected_version = h.version + data.draw(st.sampled_from([0, -1, 1]), label="version offset")
        jurisdiction = h.jurisdiction if h else jurisdiction_of(FINDING_IDS[0])
        fitting = True if diligent else None
        if careless:    # a step mostly refused anyway: a good one to act for the wrong area or department
            fitting = data.draw(st.booleans(), label="acts as it should")
        org_code, department = data.draw(acting_for(role, jurisdiction, h.departments if h else ("应急管理",),
                                                    fitting=fitting))
        # often the organisation the hazard's guards care about: its listing authority, who closed
        # it, the department that found it
        relevant = (h.listed_by or (h.closed_by_org if h.state == "CLOSED" else None) or h.found_by_org) if h else ENT
        organisation = data.draw(st.sampled_from([relevant] * (3 if diligent else 1) + ORGS), label="organisation")
        # the listing authority acts for its own area (as the guards now check), mostly
        authority_code = None
        if h is not None and organisation == h.listed_by:
            authority_code = h.listed_code
        elif h is not None and h.state == "CLOSED" and organisation == h.delisted_by:
            authority_code = h.delisted_code
        if authority_code and canonical(org_code) and data.draw(st.integers(0, 3), label="for its own area") > 0:
            org_code = authority_code
        # by the book, a listing is filed with, and 上报 goes to, a government above
        above = None
        if diligent and action == "file_listing" and h.listed_code:
            above = governments_above(h.listed_code)
        elif diligent and action == "report_up" and canonical(org_code):
            above = governments_above(canonical(org_code))
        return Attempt(hazard_id, action, data.draw(st.sampled_from(ACTORS), label="actor"), role,
                       organisation, self._tick_clock(data),
                       data.draw(fields_for(action, complete=diligent, stray=self.stray, organisation=organisation,
                                            jurisdiction=jurisdiction, above=above), label="fields"),
                       data.draw(evidence_for(action), label="evidence"), expected_version, org_code, department)

    def probe_acting(self, data) -> None:
        """A step that fits a hazard's state, by a government role that may take it, with every
        field and piece of evidence, tried with each mistake about who it acts for in turn:
        each attempt is predicted like any other (most are refused for that mistake; one the
        role makes no mistake by, such as a committee giving no department, is taken, and ends
        the probe)."""
        def government_steps(h: Model) -> list[tuple[str, list[str]]]:
            return [(action, sorted(set(roles) & AREA_ROLES)) for action, roles in legal_looking(h)
                    if set(roles) & AREA_ROLES]

        hazards = [hazard_id for hazard_id, h in sorted(self.models.items()) if government_steps(h)]
        if not hazards:
            return
        h = self.models[data.draw(st.sampled_from(hazards), label="probed hazard")]
        action, roles = data.draw(st.sampled_from(government_steps(h)), label="probed action")
        role = data.draw(st.sampled_from(roles), label="role")
        organisation = data.draw(st.sampled_from([h.listed_by or h.found_by_org, *ORGS]), label="organisation")
        fields = data.draw(fields_for(action, complete=True, organisation=organisation, jurisdiction=h.jurisdiction),
                           label="fields")
        evidence = data.draw(evidence_for(action, complete=True), label="evidence")
        for mistake in MISTAKES:
            org_code, department = data.draw(acting_for(role, h.jurisdiction, h.departments, mistake=mistake))
            version = self.models[h.id].version
            self.attempt(Attempt(h.id, action, data.draw(st.sampled_from(ACTORS), label="actor"), role, organisation,
                                 self.clock, copy.deepcopy(fields), evidence, None, org_code, department))
            if self.models[h.id].version != version:
                break

    def attempt(self, a: Attempt) -> None:
        h = self.models.get(a.hazard_id)
        before = self.ledger.find(a.hazard_id)
        verdict, why = predict(h, a, before)
        try:
            state = self.ledger.step(a.hazard_id, a.action, actor=a.actor, role=a.role, organisation=a.organisation,
                                     at=a.at, fields=copy.deepcopy(a.fields), evidence=a.evidence,
                                     expected_version=a.expected_version, **a.acting())
        except (StepRefused, ConflictError, UnknownHazardError) as exc:
            outcome = {StepRefused: "refused", ConflictError: "conflict", UnknownHazardError: "unknown"}[type(exc)]
            assert outcome == verdict, f"{a}: {outcome} ({exc}), but the model says {verdict}: {why}"
            after = self.ledger.find(a.hazard_id)
            assert after == before, "a refused step wrote something"
            if h is not None:
                assert len(self.ledger.history(a.hazard_id)) == h.version
            self.stats[f"{outcome}"] += 1
            self._count(outcome, why, a)
            return
        assert verdict == "ok", f"ILLEGAL STEP ACCEPTED {a}: the model says {verdict}: {why}"
        assert h is not None
        check_recorded_event(self.ledger.history(a.hazard_id)[-1], h, a)
        self.models[a.hazard_id] = advance(h, a)
        assert state == self.ledger.get(a.hazard_id)
        assert_projection_matches(self.ledger, self.models[a.hazard_id])
        self.stats[f"did {a.action}"] += 1
        self.stats[f"reached {state.state}"] += 1
        self._count("ok", why, a)
        if a.action == "publish":
            self.stats[f"published a {self.models[a.hazard_id].published[-1]}"] += 1

    # -- time and re-opening -----------------------------------------------------------------
    def tick(self, days: int) -> None:
        recorded = self.ledger.tick(self._later(dt.timedelta(days=days)))
        total = 0
        for hazard_id, h in self.models.items():
            new = self.ledger.history(hazard_id)[h.version:]
            for e in new:
                assert e.action == "escalate" and e.role == "SYSTEM" and e.from_state == e.to_state == h.state, e
                # a deadline the hazard has, on a hazard that still has one to meet (an open one,
                # or a closed one whose 摘牌销号 is not published yet)
                assert e.fields["timer"] in h.timers, (e, h.timers)
                assert h.state not in ("CLOSED", "VOID") or (h.state == "CLOSED" and "publication_due" in h.timers), e
                assert e.fields.get("authority") == escalation_authority(h, e.fields["step"]), (e, h)
                self.stats[f"escalated {'a closed' if h.state == 'CLOSED' else 'an open'} hazard"] += 1
            self.models[hazard_id] = replace(h, version=h.version + len(new))
            total += len(new)
        assert len(recorded) == total
        self.stats["escalations"] += total
        again = self.ledger.tick(self.clock)
        assert again == [], "tick is not idempotent"

    def reopen_the_ledger(self) -> None:
        self.ledger.close()
        self.ledger = open_ledger(self.url)

    # -- invariants ----------------------------------------------------------------------------
    @invariant()
    def ledger_is_consistent(self) -> None:
        check_ledger_invariants(self.ledger, self.models)
        for h in self.models.values():
            assert_projection_matches(self.ledger, h)


# Fewer, longer runs than 25 x 30 (the same work): hazards go deeper, through a listing's filing
# and publication, with government steps now refused for where and for whom they act.
STATEFUL = settings(max_examples=20, stateful_step_count=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large, HealthCheck.large_base_example])
# What every run must have done, or it checked nothing about who acts for whom (a committee
# giving a department is also refused, but too rarely met for every run to be sure to).
ACTING_REFUSALS = ["acting: a role that acts for no government gives a code or department",
                   "acting: no administrative code", "acting: malformed administrative code", "acting: no department",
                   "acting: unknown department", "scope: outside the area acted for",
                   "scope: a department not responsible for the hazard"]


# The deepest paths (a listing filed, then published) are reached in most runs of STATEFUL but
# not all (about one in five, measured): a run that missed one is followed by another, up to
# RUNS, so the checks below are not left to chance while every run stays random.
RUNS = 3
DEEP = ("did list", "did file_listing", "did publish", "did report_up")


def test_random_steps_keep_the_ledger_legal_and_consistent(databases: Databases) -> None:
    stats: collections.Counter = collections.Counter()
    for _ in range(RUNS):
        run_state_machine_as_test(lambda: LedgerMachine(databases, stats), settings=STATEFUL)
        if all(stats[key] > 0 for key in DEEP):
            break
    print(dict(sorted(stats.items())))
    # not vacuous: many legal steps, every kind of refusal, and hazards deep in both lanes
    assert sum(v for k, v in stats.items() if k.startswith("did ")) > 100
    assert stats["refused"] > 0 and stats["conflict"] > 0 and stats["unknown"] > 0
    assert all(stats[f"reached {state}"] > 0 for state in ("CLOSED", "PENDING_VERIFICATION", "ASSESSED", "VOID"))
    # ... government roles act, for the county, the city and the province over a hazard, and
    # every way of acting for the wrong area or department is met
    assert stats["did as DEPT"] > 10 and stats["did as SAFETY_COMMITTEE"] > 0
    assert all(stats[f"did for a {level}"] > 0 for level in ("county", "city", "province"))
    assert stats["did on a hazard that cannot be placed"] > 0
    assert all(stats[f"refused {why}"] > 0 for why in ACTING_REFUSALS), \
        {why: stats[f"refused {why}"] for why in ACTING_REFUSALS}
    # ... and the listing overlays and 上报 are taken, not only refused
    assert all(stats[f"did {action}"] > 0 for action in ("list", "file_listing", "publish", "report_up"))


def test_fields_only_the_ledger_sets_are_refused(databases: Databases) -> None:
    """Stray `sets_level` and deadline fields (once a way for an enterprise to make its major
    hazard ordinary, or move its own deadline) are refused, and nothing else changes."""
    stats: collections.Counter = collections.Counter()
    run_state_machine_as_test(lambda: LedgerMachine(databases, stats, stray=True), settings=STATEFUL)
    assert stats["refused"] > 0


# ---------------------------------------------------------------------------- tampering
@st.composite
def legal_history(draw, ledger: Ledger) -> dict[str, Model]:
    """Register 2-4 hazards and take 3-20 steps that the model finds legal (complete fields;
    government roles acting for an area and department that fit)."""
    models: dict[str, Model] = {}
    ids = draw(st.lists(st.sampled_from(FINDING_IDS), min_size=2, max_size=4, unique=True), label="findings")
    for finding_id in ids:
        role = draw(st.sampled_from(["INSPECTOR", "DEPT", "ENT_SAFETY"]))
        organisation = draw(st.sampled_from(ORGS))
        org_code, department = draw(acting_for(role, jurisdiction_of(finding_id), departments_of(finding_id),
                                               fitting=True))
        ledger.register(Finding.model_validate(RECORDS[finding_id]), VERDICTS[finding_id], actor="王检查", role=role,
                        organisation=organisation, at=T0, org_code=org_code, department=department)
        models[finding_id] = registered_model(finding_id, role, organisation)
    clock = T0
    for _ in range(draw(st.integers(3, 20), label="steps")):
        hazard_id = draw(st.sampled_from(ids))
        h = models[hazard_id]
        candidates = legal_looking(h)
        if not candidates:
            continue
        action, roles = draw(st.sampled_from(candidates))
        clock += dt.timedelta(hours=draw(st.integers(0, 48)))
        role, organisation = draw(st.sampled_from(roles)), draw(st.sampled_from(ORGS))
        org_code, department = draw(acting_for(role, h.jurisdiction, h.departments, fitting=True))
        a = Attempt(hazard_id, action, draw(st.sampled_from(ACTORS)), role, organisation, clock,
                    draw(fields_for(action, complete=True, organisation=organisation, jurisdiction=h.jurisdiction)),
                    draw(evidence_for(action, complete=True)), None, org_code, department)
        if predict(h, a, ledger.find(hazard_id))[0] != "ok":
            continue
        ledger.step(hazard_id, action, actor=a.actor, role=a.role, organisation=a.organisation, at=a.at,
                    fields=a.fields, evidence=a.evidence, **a.acting())
        models[hazard_id] = advance(h, a)
    return models


TAMPERS = ["edit body", "edit body and re-seal", "swap two events", "delete"]   # and "column NAME"
# every column that repeats the event body; `at` is left out: verify does not compare it (a
# bug, shown by test_verify_misses_an_edited_at_column) and `seq` only orders the events
COLUMNS = ["n", "action", "from_state", "to_state", "actor", "role", "organisation", "prev_hash", "hash", "hazard_id"]


def _edit_body(draw, event: dict[str, Any]) -> dict[str, Any]:
    edited = copy.deepcopy(event)
    where = draw(st.sampled_from(["fields", "at", "actor", "organisation", "org_code", "to_state", "evidence",
                                  "prev_hash"]), label="edited part")
    if where == "fields":
        edited["fields"] = {**edited["fields"], draw(st.sampled_from(["reason", "note", "opinion"])): draw(TEXTS)}
    elif where == "at":
        later = dt.datetime.fromisoformat(edited["at"]) + dt.timedelta(days=draw(st.integers(1, 30)))
        edited["at"] = later.isoformat()
    elif where == "evidence":
        edited["evidence"] = [*edited["evidence"], {"name": "forged", "ref": "x.jpg", "sha256": "00" * 32}]
    elif where == "to_state":
        edited["to_state"] = "CLOSED" if edited["to_state"] != "CLOSED" else "VOID"
    elif where == "prev_hash":
        edited["prev_hash"] = "f" * 64
    elif where == "org_code":        # who a step acted for (absent from the hash body when None)
        edited["org_code"] = "37" if edited.get("org_code") != "37" else "3702"
    else:
        edited[where] = edited[where] + "某"
    assume(edited != event)
    return edited


def tamper_with_one_event(draw, ledger: Ledger, kind: str) -> tuple[str, str]:
    """Tamper with one random event in SQL; return (the hazard it belonged to, what was done)."""
    with ledger.engine.begin() as conn:
        rows = conn.execute(text("SELECT seq, hazard_id, n, body FROM events ORDER BY seq")).all()
        if kind == "swap two events":    # only an event with a sibling can be swapped with it
            rows_with_siblings = [r for r in rows if sum(o.hazard_id == r.hazard_id for o in rows) > 1]
            assume(rows_with_siblings)
            target = draw(st.sampled_from(rows_with_siblings), label="tampered event")
        else:
            target = draw(st.sampled_from(rows), label="tampered event")
        siblings = [r for r in rows if r.hazard_id == target.hazard_id and r.seq != target.seq]
        event = json.loads(target.body)
        if kind == "edit body":
            body = json.dumps(_edit_body(draw, event), ensure_ascii=False)
            conn.execute(text("UPDATE events SET body = :body WHERE seq = :seq"), {"body": body, "seq": target.seq})
        elif kind == "edit body and re-seal":      # the forger recomputes the event's own hash
            resealed = Event.model_validate(_edit_body(draw, event)).sealed()
            conn.execute(text("UPDATE events SET body = :body, hash = :hash, prev_hash = :prev_hash, "
                              "to_state = :to_state, actor = :actor, organisation = :organisation, at = :at "
                              "WHERE seq = :seq"),
                         {"body": resealed.model_dump_json(), "hash": resealed.hash, "prev_hash": resealed.prev_hash,
                          "to_state": resealed.to_state, "actor": resealed.actor,
                          "organisation": resealed.organisation, "at": resealed.at.isoformat(), "seq": target.seq})
        elif kind.startswith("column "):
            column = kind.removeprefix("column ")
            taken = {(r.hazard_id, r.n) for r in rows}          # UNIQUE(hazard_id, n) must still hold
            if column == "n":
                value: Any = draw(st.sampled_from([n for n in (target.n - 1, target.n + 1, target.n + 100)
                                                   if (target.hazard_id, n) not in taken]))
            elif column == "hazard_id":
                others = sorted({r.hazard_id for r in rows if (r.hazard_id, target.n) not in taken})
                value = draw(st.sampled_from([*others, "F-9999-999999"]))
            elif column in ("prev_hash", "hash"):
                value = draw(st.sampled_from(["0", "f"])) * 63 + "1"
            elif column in ("from_state", "to_state"):
                value = "CLOSED" if event[column] != "CLOSED" else "RECTIFYING"
            else:
                value = event[column] + "x"
            conn.execute(text(f"UPDATE events SET {column} = :value WHERE seq = :seq"),
                         {"value": value, "seq": target.seq})
        elif kind == "swap two events":
            other = draw(st.sampled_from(siblings), label="swapped with")
            conn.execute(text("UPDATE events SET seq = -1 WHERE seq = :seq"), {"seq": target.seq})
            conn.execute(text("UPDATE events SET seq = :a WHERE seq = :b"), {"a": target.seq, "b": other.seq})
            conn.execute(text("UPDATE events SET seq = :b WHERE seq = -1"), {"b": other.seq})
        else:
            conn.execute(text("DELETE FROM events WHERE seq = :seq"), {"seq": target.seq})
    return target.hazard_id, f"{kind} of event {target.n} of {target.hazard_id}"


@pytest.mark.parametrize("kind", [*TAMPERS, *(f"column {c}" for c in COLUMNS)])
def test_verify_reports_any_single_tampered_event(databases: Databases, kind: str) -> None:
    @settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(st.data())
    def run(data) -> None:
        url = databases.new()
        try:
            with open_ledger(url) as ledger:
                data.draw(legal_history(ledger), label="history")
                assert ledger.verify() == []
                hazard_id, what = tamper_with_one_event(data.draw, ledger, kind)
                problems = ledger.verify()
                assert any(p.hazard_id == hazard_id for p in problems), f"{what} went unnoticed: {problems}"
        finally:
            databases.drop(url)

    run()


# ---------------------------------------------------------------------------- bugs found
PHOTO = Evidence(name="after_photo", ref="photos/after.jpg", sha256="ab" * 32)
MAJOR = "F-2025-000219"
PLAN = dict.fromkeys(PLAN_CONTENTS, "x")


def _major_in_rectification(ledger: Ledger, rectify_due: str = "2025-12-31") -> None:
    ledger.register(Finding.model_validate(RECORDS[MAJOR]), VERDICTS[MAJOR], actor="王检查", role="INSPECTOR",
                    organisation=ENT, at=T0)
    for action, fields in [("classify_major", {"interim_controls": "停用速冻间"}),
                           ("report_double", {"report": "r", "receipt_department": "a",
                                              "receipt_workers_congress": "b"}),
                           ("file_plan", {"plan": PLAN, "rectify_due": rectify_due}),
                           ("start", {})]:
        ledger.step(MAJOR, action, actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=T0, fields=fields)


@pytest.fixture
def ledger(db_url):
    with open_ledger(db_url) as book:
        yield book


def test_enterprise_closes_a_major_hazard_by_smuggling_sets_level(ledger: Ledger) -> None:
    _major_in_rectification(ledger)
    try:
        ledger.step(MAJOR, "report_progress", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=T0,
                    fields={"progress": "p", "sets_level": "ordinary"})
        ledger.step(MAJOR, "submit_rectification", actor="工人", role="ENT_ASSIGNEE", organisation=ENT, at=T0,
                    fields={"measures_taken": "m"}, evidence=[PHOTO])
        ledger.step(MAJOR, "verify_pass", actor="安全员", role="ENT_SAFETY", organisation=ENT, at=T0,
                    fields={"opinion": "ok"})
    except StepRefused:
        pass
    assert ledger.get(MAJOR).level == "major" and ledger.get(MAJOR).state == "RECTIFYING"


def test_enterprise_extends_its_own_deadline_with_a_progress_report(ledger: Ledger) -> None:
    _major_in_rectification(ledger)
    try:
        ledger.step(MAJOR, "report_progress", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=T0,
                    fields={"progress": "p", "rectify_due": "2026-12-31"})
    except StepRefused:
        pass
    assert ledger.get(MAJOR).deadlines["rectify_due"] == "2025-12-31"


def test_a_free_text_due_date_is_refused_or_harmless(ledger: Ledger) -> None:
    try:
        _major_in_rectification(ledger, rectify_due="soon")
    except StepRefused:
        return                                          # refusing the bad date is a fix
    try:
        ledger.step(MAJOR, "request_extension", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=T0,
                    fields={"reason": "r", "interim_controls": "i", "proposed_due": "2025-12-31"})
    except StepRefused:
        pass
    ledger.overdue(T0 + dt.timedelta(days=30))
    ledger.tick(T0 + dt.timedelta(days=30))


def test_verify_misses_an_edited_at_column(ledger: Ledger) -> None:
    _major_in_rectification(ledger)
    with ledger.engine.begin() as conn:
        conn.execute(text("UPDATE events SET at = '2020-01-01T00:00:00+08:00' WHERE n = 2"))
    assert ledger.verify() != []


def test_verify_misses_edited_projection_columns(ledger: Ledger) -> None:
    _major_in_rectification(ledger)
    with ledger.engine.begin() as conn:
        conn.execute(text("UPDATE hazards SET state = 'CLOSED', level = 'ordinary'"))
    assert ledger.verify() != []


# ---------------------------------------------------------------------------- bugs still open
# Found while teaching the model who acts for whom; reported, not fixed (src/ is not this
# module's to change). strict: each turns into a failure once fixed, to remove its mark.
WEIFANG = {"role": "DEPT", "organisation": "潍坊市应急管理局", "org_code": "3707", "department": "应急管理"}
LISTING = {"level": "市级", "authority": "潍坊市应急管理局", "doc_no": "潍安督〔2025〕1号", "deadline": "2025-12-31",
           "served_by": "a", "received_by": "b", "received_at": "2025-03-11"}


def test_a_hazard_with_a_malformed_jurisdiction_is_refused_at_intake(ledger: Ledger) -> None:
    # Settings, who may act and escalation all hang on the code: such a hazard could not be
    # handled (it once made every later step and tick() fail for the whole ledger).
    record = {**RECORDS["F-2023-000502"], "id": "F-2023-900502"}
    record["enterprise"] = {**record["enterprise"], "jurisdiction": "3702811"}
    with pytest.raises(StepRefused, match="enterprise.jurisdiction: malformed administrative code"):
        ledger.register(Finding.model_validate(record), RULES.classify(record), actor="王检查", role="INSPECTOR",
                        organisation=ENT, at=T0)
    assert ledger.find(record["id"]) is None
    assert ledger.tick(T0 + dt.timedelta(days=60)) == []


def test_a_reopened_hazard_carries_no_deadline_that_no_step_can_meet(ledger: Ledger) -> None:
    _major_in_rectification(ledger)
    ledger.step(MAJOR, "list", actor="李", at=T0, fields={"listing": LISTING}, **WEIFANG)
    ledger.step(MAJOR, "complete_and_assess", actor="专家", role="EVALUATOR", organisation="某评价公司", at=T0,
                fields={"assessment_by": "agency", "assessment_report": "r"})
    ledger.step(MAJOR, "apply_closure", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=T0,
                fields={"application": "a"})
    ledger.step(MAJOR, "accept_and_close", actor="李", at=T0, fields={"review_record": "r", "opinion": "o"}, **WEIFANG)
    ledger.step(MAJOR, "reopen", actor="李", at=T0, fields={"reason": "反销号"}, **WEIFANG)
    hazard = ledger.get(MAJOR)
    assert hazard.listed is None and hazard.delisted is None
    assert not {"filing_due", "publication_due"} & set(hazard.deadlines), hazard.deadlines


@pytest.mark.parametrize("override", [{"departments": [WRONG_DEPARTMENT]}, {"level": "ordinary"},
                                      {"verdict": None}, {"duty_unclear": True}])
def test_intake_fields_cannot_replace_the_routing_or_the_level(ledger: Ledger, override: dict) -> None:
    with pytest.raises(StepRefused, match="cannot be given at submit_report"):
        ledger.register(Finding.model_validate(RECORDS[MAJOR]), VERDICTS[MAJOR], actor="王", role="DEPT",
                        organisation="诸城市应急管理局", at=T0, org_code="370782", department="应急管理",
                        action="submit_report", fields={"channel": "12350", "content": "c", **override})
    assert ledger.find(MAJOR) is None
