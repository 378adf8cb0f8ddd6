"""Named guards: rules a transition must satisfy beyond state, role and fields.

Each guard returns None when the step may go ahead, or the reason it may not, in Chinese
(the words of the rule, for the officials who read it on the console and the CLI; field
names, codes and values stay literal so a caller can act on them). The state machine
names its guards in data; `load_machine` refuses unknown names.
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
    field_defs: dict[str, Any] = field(default_factory=dict)   # machine.yaml `fields`: label, kind, choices

    def label(self, name: str) -> str:
        found = self.field_defs.get(name)
        return found.label if found is not None else name

    def last(self, action: str) -> Event | None:
        for event in reversed(self.history):
            if event.action == action:
                return event
        return None


Guard = Callable[[StepContext], str | None]


def classified_ordinary(ctx: StepContext) -> str | None:
    if ctx.state.level == "major":
        return "该隐患为重大隐患，只有经部门或专家降级（downgrade）后才能按一般隐患处理"
    if ctx.state.level == "undetermined" and not _has_determination(ctx.fields):
        open_facts = {m for o in (ctx.state.verdict or {}).get("undetermined", []) for m in o["missing"]}
        missing = ", ".join(sorted(open_facts)[:6])
        return ("判定结果为待定：须记录由谁判定为一般隐患及其理由（字段 determination.by 和 determination.reason）"
                + (f"；尚缺的事实：{missing}" if missing else ""))
    return None


def _has_determination(fields: dict[str, Any]) -> bool:
    determination = fields.get("determination") or {}
    return bool(determination.get("by")) and bool(determination.get("reason"))


def not_the_rectifier(ctx: StepContext) -> str | None:
    if ctx.state.rectifier is not None and ctx.actor == ctx.state.rectifier:
        return f"{ctx.actor} 整改了该隐患，不能同时复查"
    return None


def department_rechecks_its_finding(ctx: StepContext) -> str | None:
    if ctx.state.found_by_role == "DEPT":
        if ctx.role != "DEPT" or ctx.organisation != ctx.state.found_by_org:
            return f"{ctx.state.found_by_org} 检查发现的隐患由该部门复查"
    return None


def clauses_or_expert_determination(ctx: StepContext) -> str | None:
    clauses = ctx.fields.get("clauses") or ctx.state.clauses
    expert = ctx.fields.get("expert") or {}
    if clauses or (expert.get("name") and expert.get("reason")):
        return None
    return ("确认为重大隐患须有判定结果符合的判定标准条款（clauses）"
            "或者专家认定（expert.name 和 expert.reason）")


def double_report_and_plan_on_file(ctx: StepContext) -> str | None:
    report = ctx.last("report_double")
    if report is None or not (report.fields.get("receipt_department")
                              and report.fields.get("receipt_workers_congress")):
        return "双报告的两份签收回执（部门、职工大会或者职工代表大会）齐全之前不能开始治理"
    plan = ctx.last("file_plan")
    if plan is None or plan.role != "ENT_PRINCIPAL":
        return "主要负责人组织制定的治理方案备案之前不能开始治理"
    contents = plan.fields.get("plan") or {}
    missing = [name for name in PLAN_CONTENTS if contents.get(name) is None or not str(contents[name]).strip()]
    if missing:
        return f"治理方案缺少：{'、'.join(ctx.label(f'plan.{name}') for name in missing)}"
    return None


def within_extension_window(ctx: StepContext) -> str | None:
    due = ctx.state.deadlines.get("rectify_due")
    window = getattr(ctx.settings, "extension_request_window", None)
    if not due or window is None or ctx.calendar is None:
        return None
    latest = window.before(dt.date.fromisoformat(due[:10]), ctx.calendar)
    if china_date(ctx.at) > latest:
        return f"延期须在 {latest} 之前申请（整改期限 {due[:10]} 前 {window}）"
    return None


def listing_authority_if_listed(ctx: StepContext) -> str | None:
    listed = ctx.state.listed
    if listed:
        return _is_authority(ctx, listed, f"该隐患由 {listed.get('authority')} 挂牌督办，只有该单位可以决定")
    return None


def _is_authority(ctx: StepContext, listing: dict[str, Any], refusal: str) -> str | None:
    """The listing authority is its organisation acting for its area (the name alone is not enough)."""
    code = listing.get("authority_code")
    if ctx.organisation != listing.get("authority") or (code is not None and ctx.org_code != code):
        return refusal + (f"（代表 {code} 办理）" if code else "")
    return None


def assessment_by_experts_or_agency(ctx: StepContext) -> str | None:
    """The assessment's makers are one of the field's choices in machine.yaml (16号令 art. 18)."""
    return _one_of(ctx, "assessment_by")


def _one_of(ctx: StepContext, name: str) -> str | None:
    found = ctx.field_defs.get(name)
    choices = found.choices if found is not None else {}
    if ctx.fields.get(name) not in choices:
        allowed = "或".join(f"{value}（{label}）" for value, label in choices.items())
        return f"{name}（{ctx.label(name)}）须为 {allowed}"
    return None


def closing_authority(ctx: StepContext) -> str | None:
    listed = listing_authority_if_listed(ctx)
    if listed:
        return listed
    if not ctx.state.listed:
        allowed = getattr(ctx.settings, "unlisted_major_signoff", "DEPT") or "DEPT"
        allowed_roles = allowed if isinstance(allowed, (list, tuple)) else [allowed]
        if ctx.role not in allowed_roles:
            return f"本辖区未挂牌督办的重大隐患由 {'、'.join(allowed_roles)} 验收销号"
    return None


def same_organisation_as_closer(ctx: StepContext) -> str | None:
    if ctx.organisation != ctx.state.closed_by_org:
        return f"只有销号单位 {ctx.state.closed_by_org} 可以反销号"
    return None


def enterprise_cannot_void_major(ctx: StepContext) -> str | None:
    if ctx.role in ENTERPRISE_ROLES and ctx.state.level == "major":
        return "企业不能作废重大隐患，由部门决定"
    return None


def not_listed_yet(ctx: StepContext) -> str | None:
    return "该隐患已挂牌督办" if ctx.state.listed else None


def acts_as_listing_authority(ctx: StepContext) -> str | None:
    authority = (ctx.fields.get("listing") or {}).get("authority")
    if authority != ctx.organisation:
        return f"挂牌督办由督办单位记录：listing.authority 为 {authority!r}，您代表 {ctx.organisation!r}"
    return None


def not_under_listing(ctx: StepContext) -> str | None:
    listed = ctx.state.listed
    if listed:
        return (f"该隐患由 {listed.get('authority')} 挂牌督办：挂牌督办的隐患不降级，"
                "只能经评估、审查后由该单位摘牌销号")
    return None


def escalation_is_due(ctx: StepContext) -> str | None:
    """An escalation names a running deadline, a step of the jurisdiction's ladder whose time
    has come, and is recorded once (what `tick` does; checked for any caller)."""
    timer, step, due = ctx.fields.get("timer"), ctx.fields.get("step"), ctx.fields.get("due")
    running = ctx.state.deadlines.get(timer) if isinstance(timer, str) else None
    if running is None:
        return f"{timer!r} 不是该隐患正在计算的期限（正在计算：{', '.join(ctx.state.deadlines) or '无'}）"
    if due is not None and str(due) != running:
        return f"{timer} 的期限是 {running}，不是 {due}"
    if f"{timer}:{step}" in ctx.state.escalation:
        return f"{timer} 的 {step} 已经记录"
    ladder = getattr(ctx.settings, "escalation", None)
    if ladder is None:
        return None
    steps = [s.step for s in ladder.steps]
    if step not in steps:
        return f"{step!r} 不是本辖区逾期催办督办的步骤（{' → '.join(steps)}）"
    if ctx.calendar is not None:
        reached = [s.step for s in ladder.reached(parse_due(running), ctx.at, ctx.calendar)]
        if step not in reached:
            return f"{timer}（期限 {running}）的 {step} 在 {ctx.at.isoformat()} 尚未到时"
    return None


def is_listed(ctx: StepContext) -> str | None:
    return None if ctx.state.listed else "该隐患未挂牌督办"


def files_with_a_higher_government(ctx: StepContext) -> str | None:
    listed = ctx.state.listed or {}
    if listed.get("filed_with"):
        return f"该挂牌督办已向 {listed['filed_with']} 备案"
    own = listed.get("authority_code") or ctx.org_code
    return _strictly_above(ctx.fields.get("filed_with"), own, "filed_with",
                           "挂牌督办向督办单位的上一级安委办备案")


def reports_to_a_higher_government(ctx: StepContext) -> str | None:
    return _strictly_above(ctx.fields.get("to"), ctx.org_code, "to",
                           "上报须报告您所代表政府的上级政府")


def publishes_listing_or_closure(ctx: StepContext) -> str | None:
    if ctx.state.state == "CLOSED":
        if not ctx.state.delisted:
            return "只有挂牌督办隐患的摘牌销号需要公布"
        # A listed hazard is closed by its listing authority only, so that is who publishes.
        return _is_authority(ctx, ctx.state.delisted, f"摘牌销号由销号的督办单位 {ctx.state.closed_by_org} 公布")
    if not ctx.state.listed:
        return "该隐患未挂牌督办，没有需要公布的"
    return listing_authority_if_listed(ctx)


def _strictly_above(target: Any, own: str | None, name: str, rule: str) -> str | None:
    try:
        code = AdminCode.parse(str(target or ""))
    except AdminCodeError as exc:
        return f"{name}: {exc.message}"
    if own is None:
        return f"{rule}；办理单位的行政区划代码未知"
    above = [a.code for a in AdminCode.parse(own).ancestors]
    if code.code not in above:
        return f"{rule}：{code.code} 不是 {own} 的上级（其上级：{', '.join(above) or '无，已是省级'}）"
    return None


def is_suspended(ctx: StepContext) -> str | None:
    return None if ctx.state.suspended else "该隐患未处于停产停业状态"


# Guards that check a field against its `choices` in machine.yaml (the loader requires them).
CHOICE_GUARDS = {"assessment_by_experts_or_agency": "assessment_by"}

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
