"""Named guards: rules a transition must satisfy beyond state, role and fields.

Each guard returns None when the step may go ahead, or the reason it may not. The
state machine names its guards in data; `load_machine` refuses unknown names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..policy.calendar import china_date
from ..policy.routing import AdminCode, AdminCodeError
from ..policy.settings import parse_due
from .events import Event
from .state import HazardState

ENTERPRISE_ROLES = {"ENT_SAFETY", "ENT_PRINCIPAL", "ENT_ASSIGNEE"}
PLAN_CONTENTS = ("targets", "methods", "funds", "organisation", "time_limit", "safety_measures")


@dataclass(frozen=True)
class StepContext:
    state: HazardState
    action: str
    actor: str
    role: str
    organisation: str
    fields: dict[str, Any]
    at: dt.datetime
    history: list[Event]
    settings: Any = None            # JurisdictionSettings of the hazard's jurisdiction
    calendar: Any = None            # WorkCalendar
    org_code: str | None = None     # the acting organisation's administrative code (government roles)
    extra: dict[str, Any] = field(default_factory=dict)

    def last(self, action: str) -> Event | None:
        for event in reversed(self.history):
            if event.action == action:
                return event
        return None


Guard = Callable[[StepContext], str | None]


def classified_ordinary(ctx: StepContext) -> str | None:
    if ctx.state.level == "major":
        return "the hazard is major; only a downgrade by the department or experts makes it ordinary"
    if ctx.state.level == "undetermined" and not _has_determination(ctx.fields):
        open_facts = {m for o in (ctx.state.verdict or {}).get("undetermined", []) for m in o["missing"]}
        missing = ", ".join(sorted(open_facts)[:6])
        return ("the verdict was undetermined: record who judged it ordinary and why "
                "(fields determination.by and determination.reason)" + (f"; open facts: {missing}" if missing else ""))
    return None


def _has_determination(fields: dict[str, Any]) -> bool:
    determination = fields.get("determination") or {}
    return bool(determination.get("by")) and bool(determination.get("reason"))


def not_the_rectifier(ctx: StepContext) -> str | None:
    if ctx.state.rectifier is not None and ctx.actor == ctx.state.rectifier:
        return f"{ctx.actor} rectified this hazard and cannot also verify it"
    return None


def department_rechecks_its_finding(ctx: StepContext) -> str | None:
    if ctx.state.found_by_role == "DEPT":
        if ctx.role != "DEPT" or ctx.organisation != ctx.state.found_by_org:
            return f"a hazard found by {ctx.state.found_by_org} is re-checked by that department"
    return None


def clauses_or_expert_determination(ctx: StepContext) -> str | None:
    clauses = ctx.fields.get("clauses") or ctx.state.clauses
    expert = ctx.fields.get("expert") or {}
    if clauses or (expert.get("name") and expert.get("reason")):
        return None
    return ("a major classification needs the matched clause ids from the verdict (clauses) "
            "or an expert determination (expert.name and expert.reason)")


def double_report_and_plan_on_file(ctx: StepContext) -> str | None:
    report = ctx.last("report_double")
    if report is None or not (report.fields.get("receipt_department")
                              and report.fields.get("receipt_workers_congress")):
        return "rectification cannot start before the 双报告 with both receipts (department and workers' congress)"
    plan = ctx.last("file_plan")
    if plan is None or plan.role != "ENT_PRINCIPAL":
        return "rectification cannot start before a plan signed by the 主要负责人"
    contents = plan.fields.get("plan") or {}
    missing = [name for name in PLAN_CONTENTS if contents.get(name) is None or not str(contents[name]).strip()]
    if missing:
        return f"the plan lacks: {', '.join(missing)}"
    return None


def within_extension_window(ctx: StepContext) -> str | None:
    due = ctx.state.deadlines.get("rectify_due")
    window = getattr(ctx.settings, "extension_request_window", None)
    if not due or window is None or ctx.calendar is None:
        return None
    latest = window.before(dt.date.fromisoformat(due[:10]), ctx.calendar)
    if china_date(ctx.at) > latest:
        return f"an extension must be requested by {latest} ({window} before the due date {due[:10]})"
    return None


def listing_authority_if_listed(ctx: StepContext) -> str | None:
    listed = ctx.state.listed
    if listed:
        return _is_authority(ctx, listed, f"the hazard is listed (挂牌督办) by {listed.get('authority')}; "
                                          "only that authority decides")
    return None


def _is_authority(ctx: StepContext, listing: dict[str, Any], refusal: str) -> str | None:
    """The listing authority is its organisation acting for its area (the name alone is not enough)."""
    code = listing.get("authority_code")
    if ctx.organisation != listing.get("authority") or (code is not None and ctx.org_code != code):
        return refusal + (f" (acting for {code})" if code else "")
    return None


def assessment_by_experts_or_agency(ctx: StepContext) -> str | None:
    if ctx.fields.get("assessment_by") not in ("own_experts", "agency"):
        return "assessment_by must be own_experts (本单位技术人员和专家) or agency (有资质的安全评价机构)"
    return None


def closing_authority(ctx: StepContext) -> str | None:
    listed = listing_authority_if_listed(ctx)
    if listed:
        return listed
    if not ctx.state.listed:
        allowed = getattr(ctx.settings, "unlisted_major_signoff", "DEPT") or "DEPT"
        allowed_roles = allowed if isinstance(allowed, (list, tuple)) else [allowed]
        if ctx.role not in allowed_roles:
            return f"an unlisted major hazard is signed off by {', '.join(allowed_roles)} in this jurisdiction"
    return None


def same_organisation_as_closer(ctx: StepContext) -> str | None:
    if ctx.organisation != ctx.state.closed_by_org:
        return f"only {ctx.state.closed_by_org}, which closed it, may reopen it"
    return None


def enterprise_cannot_void_major(ctx: StepContext) -> str | None:
    if ctx.role in ENTERPRISE_ROLES and ctx.state.level == "major":
        return "an enterprise cannot void a major hazard; the department decides"
    return None


def not_listed_yet(ctx: StepContext) -> str | None:
    return "the hazard is already listed" if ctx.state.listed else None


def acts_as_listing_authority(ctx: StepContext) -> str | None:
    authority = (ctx.fields.get("listing") or {}).get("authority")
    if authority != ctx.organisation:
        return (f"a listing (挂牌督办) is recorded by its authority: listing.authority is {authority!r}, "
                f"you act for {ctx.organisation!r}")
    return None


def not_under_listing(ctx: StepContext) -> str | None:
    listed = ctx.state.listed
    if listed:
        return (f"the hazard is listed (挂牌督办) by {listed.get('authority')}: a listed hazard leaves the major "
                "lane only through assessment, review and 摘牌销号 by that authority")
    return None


def escalation_is_due(ctx: StepContext) -> str | None:
    """An escalation names a running deadline, a step of the jurisdiction's ladder whose time
    has come, and is recorded once (what `tick` does; checked for any caller)."""
    timer, step, due = ctx.fields.get("timer"), ctx.fields.get("step"), ctx.fields.get("due")
    running = ctx.state.deadlines.get(timer) if isinstance(timer, str) else None
    if running is None:
        return (f"{timer!r} is not a running deadline of this hazard "
                f"(running: {', '.join(ctx.state.deadlines) or 'none'})")
    if due is not None and str(due) != running:
        return f"{timer} is due {running}, not {due}"
    if f"{timer}:{step}" in ctx.state.escalation:
        return f"{step} for {timer} is already recorded"
    ladder = getattr(ctx.settings, "escalation", None)
    if ladder is None:
        return None
    steps = [s.step for s in ladder.steps]
    if step not in steps:
        return f"{step!r} is not a step of this jurisdiction's escalation ladder ({' → '.join(steps)})"
    if ctx.calendar is not None:
        reached = [s.step for s in ladder.reached(parse_due(running), ctx.at, ctx.calendar)]
        if step not in reached:
            return f"{step} for {timer} (due {running}) is not due yet at {ctx.at.isoformat()}"
    return None


def is_listed(ctx: StepContext) -> str | None:
    return None if ctx.state.listed else "the hazard is not listed (挂牌督办)"


def files_with_a_higher_government(ctx: StepContext) -> str | None:
    listed = ctx.state.listed or {}
    if listed.get("filed_with"):
        return f"the listing was already filed with {listed['filed_with']}"
    own = listed.get("authority_code") or ctx.org_code
    return _strictly_above(ctx.fields.get("filed_with"), own, "filed_with",
                           "the listing is filed with the 安委办 above the listing authority")


def reports_to_a_higher_government(ctx: StepContext) -> str | None:
    return _strictly_above(ctx.fields.get("to"), ctx.org_code, "to",
                           "上报 goes to a government above the one you act for")


def publishes_listing_or_closure(ctx: StepContext) -> str | None:
    if ctx.state.state == "CLOSED":
        if not ctx.state.delisted:
            return "only the closure (摘牌销号) of a listed hazard is published"
        # A listed hazard is closed by its listing authority only, so that is who publishes.
        return _is_authority(ctx, ctx.state.delisted, f"the closure is published by {ctx.state.closed_by_org}, "
                                                      "the listing authority that closed it")
    if not ctx.state.listed:
        return "the hazard is not listed: nothing to publish"
    return listing_authority_if_listed(ctx)


def _strictly_above(target: Any, own: str | None, name: str, rule: str) -> str | None:
    try:
        code = AdminCode.parse(str(target or ""))
    except AdminCodeError as exc:
        return f"{name}: {exc.message}"
    if own is None:
        return f"{rule}; the acting organisation's code is not known"
    above = [a.code for a in AdminCode.parse(own).ancestors]
    if code.code not in above:
        return f"{rule}: {code.code} is not above {own} (above it: {', '.join(above) or 'nothing, it is a province'})"
    return None


def is_suspended(ctx: StepContext) -> str | None:
    return None if ctx.state.suspended else "the hazard is not suspended"


# Guards that read earlier events; only for these is a hazard's history loaded.
HISTORY_GUARDS = frozenset({"double_report_and_plan_on_file"})
# Guards that read the step's own fields: they cannot be judged before the step is taken.
# The others depend only on the hazard (its state and history), who acts, and the time, so
# `Ledger.allowed` judges them and offers only the steps they let through.
# tests/workflow/test_allowed_guards.py checks the others indeed ignore the fields.
FIELD_GUARDS = frozenset({
    "classified_ordinary", "clauses_or_expert_determination", "assessment_by_experts_or_agency",
    "acts_as_listing_authority", "escalation_is_due", "files_with_a_higher_government",
    "reports_to_a_higher_government",
})

GUARDS: dict[str, Guard] = {
    fn.__name__: fn for fn in (
        classified_ordinary, not_the_rectifier, department_rechecks_its_finding, clauses_or_expert_determination,
        double_report_and_plan_on_file, within_extension_window, listing_authority_if_listed,
        assessment_by_experts_or_agency, closing_authority, same_organisation_as_closer,
        enterprise_cannot_void_major, not_listed_yet, is_suspended, acts_as_listing_authority, is_listed,
        files_with_a_higher_government, reports_to_a_higher_government, publishes_listing_or_closure,
        not_under_listing, escalation_is_due,
    )
}
