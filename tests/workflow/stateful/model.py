"""The model of the ledger the stateful tests predict from: who acts for whom, the
model of a hazard, what a step should do (`predict`, `advance`), and the checks of the
ledger against it. Written from machine.yaml, the settings and docs/workflow.md, not from
the engine's code."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass, replace
from typing import Any

from hazard_rules import load_rulesets
from hazard_rules.workflow.domain.events import Event, Evidence
from hazard_rules.workflow.domain.machine import load_machine
from hazard_rules.workflow.domain.state import HazardState, replay
from hazard_rules.workflow.policy.calendar import WorkCalendar
from hazard_rules.workflow.policy.routing import AdminCode, AdminCodeError, load_departments
from hazard_rules.workflow.policy.settings import load_settings
from hazard_rules.workflow.service.ledger import Ledger

from ...conftest import EXAMPLES

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



def open_ledger(url: str) -> Ledger:
    return Ledger.open(url, machine=MACHINE, settings=SETTINGS, calendar=CALENDAR)


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
