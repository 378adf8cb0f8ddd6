"""The ledger on SQLite and on a real PostgreSQL: walks through both lanes, the rules
that matter most, tamper detection, idempotent intake and concurrent steps."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading

import pytest
from sqlalchemy import text

from hazard_rules import Finding, load_rulesets
from hazard_rules.workflow.domain.events import Evidence
from hazard_rules.workflow.domain.machine import load_machine
from hazard_rules.workflow.domain.state import HazardState
from hazard_rules.workflow.service.ledger import ConflictError, Ledger, StepRefused

from ..conftest import EXAMPLES

RULES = load_rulesets()
RECORDS = {r["id"]: r
           for r in map(json.loads, (EXAMPLES / "inspections.jsonl").read_text(encoding="utf-8").splitlines())}
T0 = dt.datetime(2025, 3, 11, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PHOTO = Evidence(name="after_photo", ref="photos/after.jpg", sha256="ab" * 32)
# MAJOR is in 诸城 (370782, 潍坊 3707); ORDINARY in 胶州 (370281, 青岛 3702).
ENT, DEPT, SAB = "诸城某食品有限公司", "潍坊市应急管理局", "潍坊市安委会办公室"
QD_DEPT = "青岛市应急管理局"
# The area and department each government organisation acts for.
ACTING = {DEPT: {"org_code": "3707", "department": "应急管理"}, SAB: {"org_code": "3707"},
          QD_DEPT: {"org_code": "3702", "department": "应急管理"}}


def at(days: int, hours: int = 0) -> dt.datetime:
    return T0 + dt.timedelta(days=days, hours=hours)


def finding(finding_id: str) -> tuple[Finding, object]:
    record = RECORDS[finding_id]
    return Finding.model_validate(record), RULES.classify(record)


@pytest.fixture
def book(db_url):
    with Ledger.open(db_url) as ledger:
        yield ledger


def register(book: Ledger, finding_id: str, role: str = "INSPECTOR", org: str = ENT):
    f, verdict = finding(finding_id)
    return book.register(f, verdict, actor="王检查", role=role, organisation=org, at=T0,
                         **(ACTING.get(org, {}) if role in ("DEPT", "SAFETY_COMMITTEE") else {}))


def first(verdict_kind: str, **facts_like) -> str:
    for finding_id, record in RECORDS.items():
        if RULES.classify(record).verdict == verdict_kind and record["date"] >= "2023-05-15":
            return finding_id
    raise AssertionError(verdict_kind)


MAJOR = "F-2025-000219"
ORDINARY = first("ordinary")
UNDETERMINED = first("undetermined")


def test_intake_is_idempotent(book: Ledger) -> None:
    first_time = register(book, MAJOR)
    again = register(book, MAJOR)
    assert first_time.created and not again.created
    assert again.hazard == first_time.hazard
    assert len(book.history(MAJOR)) == 1
    assert first_time.hazard.level == "major" and first_time.hazard.clauses == ["GM2023-12-2"]
    assert first_time.hazard.departments == ["应急管理"]


def test_major_hazard_from_intake_to_closure(book: Ledger) -> None:
    register(book, MAJOR)
    actors = {"ENT_PRINCIPAL": "张主要负责人", "DEPT": "李科长", "SAFETY_COMMITTEE": "赵主任", "EVALUATOR": "专家组"}
    step = lambda action, role, org=ENT, day=0, **fields: book.step(
        MAJOR, action, actor=actors.get(role, role), role=role, organisation=org, at=at(day), fields=fields,
        **(ACTING.get(org, {}) if role in ("DEPT", "SAFETY_COMMITTEE") else {}))
    with pytest.raises(StepRefused, match="（REGISTERED），不能「组织实施治理」（start）"):
        step("start", "ENT_PRINCIPAL")
    state = step("classify_major", "ENT_PRINCIPAL", interim_controls="停用速冻间，人员撤离")
    assert state.state == "MAJOR_CONFIRMED" and state.clauses == ["GM2023-12-2"]
    with pytest.raises(StepRefused, match="（MAJOR_CONFIRMED），不能「.*」（start）"):
        step("start", "ENT_PRINCIPAL")             # no rectification before the 双报告 and the plan
    with pytest.raises(StepRefused, match="缺少必填项：.*（receipt_workers_congress）"):
        step("report_double", "ENT_PRINCIPAL", report="报告", receipt_department="应急局回执")
    step("report_double", "ENT_PRINCIPAL", report="报告", receipt_department="应急局回执",
         receipt_workers_congress="职代会回执")
    with pytest.raises(StepRefused, match="缺少必填项：.*（plan.funds）、.*（plan.organisation）"):
        step("file_plan", "ENT_PRINCIPAL", plan={"targets": "整改", "methods": "改造", "time_limit": "60天",
                                                  "safety_measures": "预案"}, rectify_due="2025-06-30")
    with pytest.raises(StepRefused, match="角色 ENT_SAFETY 无权「.*」（file_plan）"):
        step("file_plan", "ENT_SAFETY")
    plan = {"targets": "速冻间单独设置", "methods": "隔墙改造", "funds": "50万元", "organisation": "设备部",
            "time_limit": "2025-06-30前", "safety_measures": "限员9人，应急预案"}
    step("file_plan", "ENT_PRINCIPAL", plan=plan, rectify_due="2025-06-30")
    listing = {"level": "市级", "authority": SAB, "doc_no": "青安办督〔2025〕3号", "deadline": "2025-06-30",
               "served_by": "赵主任", "received_by": "张主要负责人", "received_at": "2025-03-13"}
    with pytest.raises(StepRefused, match="挂牌督办由督办单位记录"):
        step("list", "DEPT", DEPT, 2, listing=listing)
    state = step("list", "SAFETY_COMMITTEE", SAB, 2, listing=listing)
    assert state.listed["authority"] == SAB and state.state == "PLAN_FILED"
    assert state.listed["authority_code"] == "3707"
    # Filed with the 安委办 above within 3 working days, published within 5 (13 Mar 2025 is a Thursday).
    assert (state.deadlines["filing_due"], state.deadlines["publication_due"]) == ("2025-03-18", "2025-03-20")
    with pytest.raises(StepRefused, match="不是 3707 的上级"):
        step("file_listing", "SAFETY_COMMITTEE", SAB, 3, filed_with="370782", filing_doc="备案表")
    state = step("file_listing", "SAFETY_COMMITTEE", SAB, 3, filed_with="37", filing_doc="潍安办备〔2025〕1号")
    assert state.listed["filed_with"] == "37" and "filing_due" not in state.deadlines
    state = step("publish", "SAFETY_COMMITTEE", SAB, 3,
                 publication={"channel": "潍坊市应急管理局网站", "published_at": "2025-03-14"})
    assert "publication_due" not in state.deadlines and state.published[0]["what"] == "listing"
    step("start", "ENT_PRINCIPAL", day=3)
    step("request_extension", "ENT_PRINCIPAL", day=20, reason="设备到货延迟", interim_controls="限员",
         proposed_due="2025-08-31")
    with pytest.raises(StepRefused, match=f"由 {SAB} 挂牌督办"):
        step("approve_extension", "DEPT", DEPT, 22, decision_doc="意见书", new_due="2025-08-31")
    state = step("approve_extension", "SAFETY_COMMITTEE", SAB, 22, decision_doc="延期审批意见书", new_due="2025-08-31")
    assert state.deadlines["rectify_due"] == "2025-08-31"
    with pytest.raises(StepRefused, match="own_experts"):
        step("complete_and_assess", "EVALUATOR", "某评价公司", 100, assessment_by="friends", assessment_report="r")
    step("complete_and_assess", "EVALUATOR", "某安全评价有限公司", 100, assessment_by="agency",
         assessment_report="评价报告")
    step("apply_closure", "ENT_PRINCIPAL", day=101, application="销号申请书")
    with pytest.raises(StepRefused, match="只有该单位可以决定"):
        step("accept_and_close", "DEPT", DEPT, 105, review_record="r", opinion="o")
    state = step("reject_closure", "SAFETY_COMMITTEE", SAB, 105, reasons="隔墙未封闭")
    assert state.state == "RECTIFYING" and state.listed is not None     # 继续挂账
    step("complete_and_assess", "EVALUATOR", "某安全评价有限公司", 110, assessment_by="agency",
         assessment_report="复评报告")
    step("apply_closure", "ENT_PRINCIPAL", day=111, application="再次申请")
    state = step("accept_and_close", "SAFETY_COMMITTEE", SAB, 115, review_record="现场核查记录", opinion="同意销号")
    assert (state.state, state.listed, state.closed_by_org) == ("CLOSED", None, SAB)
    assert state.delisted["authority"] == SAB and "publication_due" in state.deadlines   # 摘牌销号 is published too
    assert [h.id for h, late in book.overdue(at(200))] == [MAJOR]
    state = step("publish", "SAFETY_COMMITTEE", SAB, 116, publication={"channel": "网站", "published_at": "2025-07-05"})
    assert state.deadlines == {} and state.published[-1]["what"] == "closure" and book.overdue(at(200)) == []
    actions = [e.action for e in book.history(MAJOR)]
    assert actions == ["register", "classify_major", "report_double", "file_plan", "list", "file_listing", "publish",
                       "start", "request_extension", "approve_extension", "complete_and_assess", "apply_closure",
                       "reject_closure", "complete_and_assess", "apply_closure", "accept_and_close", "publish"]
    assert book.verify() == []


def test_ordinary_hazard_is_verified_by_someone_else(book: Ledger) -> None:
    hazard = register(book, ORDINARY).hazard
    assert hazard.level == "ordinary"
    book.step(ORDINARY, "assign", actor="安全员甲", role="ENT_SAFETY", organisation=ENT, at=at(0),
              fields={"assignee": "车间主任", "measure": "清理积尘", "rectify_due": "2025-03-20"})
    book.step(ORDINARY, "accept", actor="车间主任", role="ENT_ASSIGNEE", organisation=ENT, at=at(1))
    with pytest.raises(StepRefused, match="须附证据：.*（after_photo）"):
        book.step(ORDINARY, "submit_rectification", actor="车间主任", role="ENT_ASSIGNEE", organisation=ENT,
                  at=at(2), fields={"measures_taken": "已清理"})
    book.step(ORDINARY, "submit_rectification", actor="车间主任", role="ENT_ASSIGNEE", organisation=ENT, at=at(2),
              fields={"measures_taken": "已清理"}, evidence=[PHOTO])
    with pytest.raises(StepRefused, match="不能同时复查"):
        book.step(ORDINARY, "verify_pass", actor="车间主任", role="ENT_SAFETY", organisation=ENT, at=at(3),
                  fields={"opinion": "合格"})
    state = book.step(ORDINARY, "verify_pass", actor="安全员乙", role="ENT_SAFETY", organisation=ENT, at=at(3),
                      fields={"opinion": "复查合格"})
    assert state.state == "CLOSED"


def test_department_finding_is_rechecked_by_that_department(book: Ledger) -> None:
    register(book, ORDINARY, role="DEPT", org=QD_DEPT)
    book.step(ORDINARY, "assign", actor="李科长", role="DEPT", organisation=QD_DEPT, at=at(0),
              fields={"assignee": "车间", "measure": "整改", "rectify_due": "2025-03-20"}, **ACTING[QD_DEPT])
    book.step(ORDINARY, "accept", actor="车间主任", role="ENT_ASSIGNEE", organisation=ENT, at=at(1))
    book.step(ORDINARY, "submit_rectification", actor="车间主任", role="ENT_ASSIGNEE", organisation=ENT, at=at(2),
              fields={"measures_taken": "已整改"}, evidence=[PHOTO])
    with pytest.raises(StepRefused, match="由该部门复查"):
        book.step(ORDINARY, "verify_pass", actor="安全员", role="ENT_SAFETY", organisation=ENT, at=at(3),
                  fields={"opinion": "合格"})
    assert book.step(ORDINARY, "verify_pass", actor="李科长", role="DEPT", organisation=QD_DEPT, at=at(3),
                     fields={"opinion": "复查合格"}, **ACTING[QD_DEPT]).state == "CLOSED"


def test_undetermined_needs_a_recorded_determination(book: Ledger) -> None:
    register(book, UNDETERMINED)
    fields = {"assignee": "车间", "measure": "整改", "rectify_due": "2025-03-20"}
    with pytest.raises(StepRefused, match="须记录由谁判定为一般隐患"):
        book.step(UNDETERMINED, "assign", actor="安全员", role="ENT_SAFETY", organisation=ENT, at=at(0), fields=fields)
    state = book.step(UNDETERMINED, "assign", actor="安全员", role="ENT_SAFETY", organisation=ENT, at=at(0),
                      fields={**fields, "determination": {"by": "专家王某", "reason": "速冻间已单独设置且人数3人"}})
    assert state.level == "ordinary"


def test_major_cannot_be_assigned_as_ordinary_or_voided_by_the_enterprise(book: Ledger) -> None:
    register(book, MAJOR)
    with pytest.raises(StepRefused, match="只适用于 ordinary/undetermined 隐患；该隐患为 major"):
        book.step(MAJOR, "assign", actor="安全员", role="ENT_SAFETY", organisation=ENT, at=at(0),
                  fields={"assignee": "a", "measure": "m", "rectify_due": "2025-03-20"})
    with pytest.raises(StepRefused, match="企业不能作废重大隐患"):
        book.step(MAJOR, "void", actor="安全员", role="ENT_SAFETY", organisation=ENT, at=at(0),
                  fields={"reason": "重复"})
    assert book.step(MAJOR, "void", actor="李科长", role="DEPT", organisation=DEPT, at=at(0),
                     fields={"reason": "与F-2025-000218重复登记"}, **ACTING[DEPT]).state == "VOID"


def test_every_unauthorised_role_is_refused(book: Ledger) -> None:
    register(book, MAJOR)
    machine = load_machine()
    refused = 0
    for action in machine.actions:
        transition = machine.transition(action)
        for role in machine.roles:
            if role in transition.roles:
                continue
            with pytest.raises(StepRefused, match=f"角色 {role} 无权「.*」（{action}）"):
                book.step(MAJOR, action, actor="x", role=role, organisation="x", at=at(0))
            refused += 1
    assert refused > 150
    assert len(book.history(MAJOR)) == 1   # nothing was written


@pytest.mark.parametrize("tamper, message", [
    ("UPDATE events SET body = replace(body, '停用速冻间', '正常生产') WHERE n = 2", "edited"),
    ("UPDATE events SET seq = seq + 1000 WHERE n = 2", "deleted or reordered"),
    ("UPDATE events SET n = 99 WHERE n = 2", "columns differ"),
    ("DELETE FROM events WHERE n = 2", "chain broken"),
    ("DELETE FROM events WHERE n = 3", "events deleted"),
])
def test_verify_detects_tampering(book: Ledger, tamper: str, message: str) -> None:
    register(book, MAJOR)
    book.step(MAJOR, "classify_major", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=at(0),
              fields={"interim_controls": "停用速冻间"})
    book.step(MAJOR, "report_double", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=at(0),
              fields={"report": "r", "receipt_department": "a", "receipt_workers_congress": "b"})
    assert book.verify() == []
    with book.engine.begin() as conn:
        conn.execute(text(tamper))
    problems = book.verify()
    assert problems and any(message in p.message for p in problems), problems


def test_concurrent_steps_are_all_recorded_or_refused(book: Ledger) -> None:
    register(book, MAJOR)
    for action, fields in [("classify_major", {"interim_controls": "c"}),
                           ("report_double", {"report": "r", "receipt_department": "a",
                                              "receipt_workers_congress": "b"}),
                           ("file_plan", {"plan": dict.fromkeys(["targets", "methods", "funds", "organisation",
                                                                 "time_limit", "safety_measures"], "x"),
                                          "rectify_due": "2025-06-30"}),
                           ("start", {})]:
        book.step(MAJOR, action, actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=at(0), fields=fields)
    outcomes: list[str] = []
    lock = threading.Lock()

    def progress(number: int) -> None:
        try:
            book.step(MAJOR, "report_progress", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=at(1),
                      fields={"progress": f"第{number}次进展"})
            result = "ok"
        except ConflictError:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=progress, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == 8
    recorded = [e for e in book.history(MAJOR) if e.action == "report_progress"]
    assert len(recorded) == outcomes.count("ok") >= 1
    assert book.get(MAJOR).version == 5 + len(recorded)
    assert book.verify() == []


def test_stale_version_is_a_conflict(book: Ledger) -> None:
    state = register(book, MAJOR).hazard
    book.step(MAJOR, "classify_major", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=at(0),
              fields={"interim_controls": "c"}, expected_version=state.version)
    with pytest.raises(ConflictError):
        book.step(MAJOR, "void", actor="李", role="DEPT", organisation=DEPT, at=at(0),
                  fields={"reason": "x"}, expected_version=state.version, **ACTING[DEPT])


# ---------------------------------------------------------------------------- who may act where
def dept_void(book: Ledger, hazard_id: str, **acting):
    return book.step(hazard_id, "void", actor="李科长", role="DEPT", organisation="某部门", at=at(0),
                     fields={"reason": "重复登记"}, **acting)


@pytest.mark.parametrize("acting, message", [
    ({}, "代表政府行事：须给出其所代表地区的行政区划代码"),
    ({"org_code": "3707"}, "代表部门行事：须说明是哪个部门"),
    ({"org_code": "3707", "department": "交警"}, "未知部门 '交警'"),
    ({"org_code": "99", "department": "应急管理"}, "不是省级代码"),
    ({"org_code": "370782x", "department": "应急管理"}, "行政区划代码格式错误"),
    ({"org_code": "3702", "department": "应急管理"}, "代表 3702 行事；该隐患位于 370782，不在其辖区内"),
    ({"org_code": "370781", "department": "应急管理"}, "不在其辖区内"),
    ({"org_code": "32", "department": "应急管理"}, "不在其辖区内"),
    ({"org_code": "3707", "department": "住房城乡建设"}, "住房城乡建设 不负责该隐患"),
])
def test_a_department_acts_only_within_its_area_and_industry(book: Ledger, acting: dict, message: str) -> None:
    register(book, MAJOR)
    with pytest.raises(StepRefused, match=message) as refused:
        dept_void(book, MAJOR, **acting)
    assert refused.value.hint
    assert len(book.history(MAJOR)) == 1   # nothing was written


@pytest.mark.parametrize("given, canonical", [("370782", "370782"), ("370700", "3707"), ("37", "37")])
def test_the_county_and_every_government_above_it_may_act(book: Ledger, given: str, canonical: str) -> None:
    register(book, MAJOR)
    state = dept_void(book, MAJOR, org_code=given, department="应急管理")
    assert state.state == "VOID"
    last = book.history(MAJOR)[-1]
    assert (last.org_code, last.department) == (canonical, "应急管理")   # recorded in canonical form
    assert book.verify() == []


def test_the_refusal_names_the_government_over_both(book: Ledger) -> None:
    register(book, MAJOR)
    with pytest.raises(StepRefused) as refused:
        dept_void(book, MAJOR, org_code="370781", department="应急管理")   # 青州, another county of 潍坊
    assert "请上报至同时管辖两地的 3707" in refused.value.hint


def test_a_department_registers_only_findings_in_its_area(book: Ledger) -> None:
    f, verdict = finding(MAJOR)
    with pytest.raises(StepRefused, match="不在其辖区内"):
        book.register(f, verdict, actor="王", role="DEPT", organisation=QD_DEPT, at=T0, **ACTING[QD_DEPT])
    assert book.find(MAJOR) is None
    created = book.register(f, verdict, actor="王", role="DEPT", organisation=DEPT, at=T0, **ACTING[DEPT])
    assert created.created and created.hazard.found_by_org == DEPT


def test_enterprise_roles_give_no_area(book: Ledger) -> None:
    register(book, MAJOR)
    with pytest.raises(StepRefused, match="不代表政府行事"):
        book.step(MAJOR, "classify_major", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=at(0),
                  fields={"interim_controls": "停用"}, org_code="370782")
    with pytest.raises(StepRefused, match="不代表部门行事"):
        book.step(MAJOR, "report_up", actor="赵", role="SAFETY_COMMITTEE", organisation=SAB, at=at(0),
                  fields={"to": "37", "reason": "r"}, org_code="3707", department="应急管理")


def test_report_up_goes_to_a_government_above(book: Ledger) -> None:
    register(book, MAJOR)
    county = {"org_code": "370782", "department": "应急管理"}
    with pytest.raises(StepRefused, match="不是 370782 的上级"):
        book.step(MAJOR, "report_up", actor="李", role="DEPT", organisation="诸城市应急管理局", at=at(0),
                  fields={"to": "370781", "reason": "需市级挂牌督办"}, **county)
    state = book.step(MAJOR, "report_up", actor="李", role="DEPT", organisation="诸城市应急管理局", at=at(0),
                      fields={"to": "3707", "reason": "需市级挂牌督办"}, **county)
    assert state.reported_up == [{"from": "370782", "to": "3707", "at": at(0).isoformat()}]
    assert state.state == "REGISTERED"


def test_escalation_names_the_government_that_takes_each_step(book: Ledger) -> None:
    register(book, MAJOR)
    book.step(MAJOR, "classify_major", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=at(0),
              fields={"interim_controls": "停用"})       # report due the next working day, 12 March
    events = book.tick(dt.datetime(2025, 5, 30, 9, tzinfo=T0.tzinfo))
    authorities = {e.fields["step"]: e.fields["authority"] for e in events}
    # The county supervises (supervision_level); 约谈 is held by the government above it.
    assert authorities == {"URGE": "370782", "LETTER": "370782", "NOTICE": "370782", "SUMMONS": "3707",
                           "PENALTY": "370782"}
    assert book.verify() == []


def walk_to_closure_application(book: Ledger, hazard_id: str, start: dt.datetime, department: str) -> HazardState:
    """A major hazard from classification to the closure application, all on one day."""
    dept = {"org_code": "370782", "department": department}
    book.step(hazard_id, "classify_major", actor="李", role="DEPT", organisation="诸城市监管部门", at=start,
              fields={"interim_controls": "停产", "expert": {"name": "专家组", "reason": "判定为重大事故隐患"}}, **dept)
    plan = dict.fromkeys(["targets", "methods", "funds", "organisation", "time_limit", "safety_measures"], "x")
    for action, fields in [("report_double", {"report": "r", "receipt_department": "a",
                                              "receipt_workers_congress": "b"}),
                           ("file_plan", {"plan": plan, "rectify_due": "2027-06-30"}), ("start", {})]:
        book.step(hazard_id, action, actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=start, fields=fields)
    book.step(hazard_id, "complete_and_assess", actor="专家组", role="EVALUATOR", organisation="评价机构", at=start,
              fields={"assessment_by": "agency", "assessment_report": "报告"})
    return book.step(hazard_id, "apply_closure", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=start,
                     fields={"application": "复产申请"})


def test_coal_mines_are_reviewed_within_60_days(book: Ledger) -> None:
    record = dict(RECORDS[MAJOR], id="COAL-1", industries=["coal"])
    verdict = RULES.classify(record)
    book.register(Finding.model_validate(record), verdict, actor="王", role="INSPECTOR", organisation="x", at=T0)
    assert book.get("COAL-1").departments == ["矿山安全监察", "煤矿安全监管"]
    with pytest.raises(StepRefused, match="应急管理 不负责该隐患"):
        book.step("COAL-1", "void", actor="李", role="DEPT", organisation="诸城市应急管理局", at=T0,
                  fields={"reason": "x"}, org_code="370782", department="应急管理")
    state = walk_to_closure_application(book, "COAL-1", T0, "煤矿安全监管")
    assert state.deadlines["review_due"] == "2025-05-10"      # 60 calendar days after 11 March 2025
    register(book, ORDINARY)                                    # a 工贸 hazard keeps the 10-day review
    other = dict(RECORDS[MAJOR], id="GM-1")
    book.register(Finding.model_validate(other), RULES.classify(other), actor="王", role="INSPECTOR",
                  organisation="x", at=T0)
    assert walk_to_closure_application(book, "GM-1", T0, "应急管理").deadlines["review_due"] == "2025-03-21"


def test_deadlines_in_a_year_without_a_published_holiday_notice_are_marked_provisional(book: Ledger) -> None:
    late = dt.datetime(2026, 12, 24, 9, tzinfo=T0.tzinfo)
    record = dict(RECORDS[MAJOR], id="LATE-1", date="2026-12-24")
    book.register(Finding.model_validate(record), RULES.classify(record), actor="王", role="INSPECTOR",
                  organisation="x", at=late)
    state = walk_to_closure_application(book, "LATE-1", late, "应急管理")
    events = {e.action: e for e in book.history("LATE-1")}
    assert "calendar_basis" not in events["classify_major"].fields        # due 25 Dec 2026: official year
    # The plan is due 10 working days after 24 Dec 2026: into January 2027, whose holidays are not
    # announced yet. The deadline is computed (1 Jan off as the law fixes it) and marked provisional.
    assert events["report_double"].fields["plan_due"] == "2027-01-08"
    assert events["report_double"].fields["calendar_basis"] == "provisional 2027"
    assert state.deadlines["review_due"] == "2027-01-03"
    assert "calendar_basis" not in events["apply_closure"].fields      # 10 calendar days need no holidays
    assert book.verify() == []


def listed_major(book: Ledger) -> None:
    """MAJOR classified, reported, planned and listed by the 潍坊 safety committee (3707)."""
    register(book, MAJOR)
    for action, fields in [("classify_major", {"interim_controls": "停用"}),
                           ("report_double", {"report": "r", "receipt_department": "a",
                                              "receipt_workers_congress": "b"}),
                           ("file_plan", {"plan": dict.fromkeys(["targets", "methods", "funds", "organisation",
                                                                 "time_limit", "safety_measures"], "x"),
                                          "rectify_due": "2025-06-30"})]:
        book.step(MAJOR, action, actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=at(0), fields=fields)
    listing = {"level": "市级", "authority": SAB, "doc_no": "潍安办督〔2025〕3号", "deadline": "2025-06-30",
               "served_by": "赵", "received_by": "张", "received_at": "2025-03-12"}
    book.step(MAJOR, "list", actor="赵主任", role="SAFETY_COMMITTEE", organisation=SAB, at=at(1),
              fields={"listing": listing}, **ACTING[SAB])


def test_the_listing_authority_is_its_organisation_acting_for_its_area(book: Ledger) -> None:
    listed_major(book)
    filing = {"filed_with": "37", "filing_doc": "备案"}
    with pytest.raises(StepRefused, match="只有该单位可以决定（代表 3707 办理）"):
        book.step(MAJOR, "file_listing", actor="赵", role="SAFETY_COMMITTEE", organisation=SAB, at=at(1),
                  fields=filing, org_code="37")          # the right name, another government's area
    assert book.step(MAJOR, "file_listing", actor="赵", role="SAFETY_COMMITTEE", organisation=SAB, at=at(1),
                     fields=filing, **ACTING[SAB]).listed["filed_with"] == "37"


def test_a_listed_hazard_is_not_downgraded(book: Ledger) -> None:
    listed_major(book)
    with pytest.raises(StepRefused, match="挂牌督办的隐患不降级"):
        book.step(MAJOR, "downgrade", actor="李", role="DEPT", organisation=DEPT, at=at(2),
                  fields={"reason": "专家认定", "assignee": "a", "measure": "m", "rectify_due": "2025-04-30"},
                  **ACTING[DEPT])


def test_closure_ends_every_duty_but_the_publication_and_reopening_ends_that(book: Ledger) -> None:
    listed_major(book)                     # filing_due and publication_due of the listing are running
    book.step(MAJOR, "start", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=at(2))
    book.step(MAJOR, "complete_and_assess", actor="专家组", role="EVALUATOR", organisation="评价机构", at=at(3),
              fields={"assessment_by": "agency", "assessment_report": "r"})
    book.step(MAJOR, "apply_closure", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=at(3),
              fields={"application": "a"})
    closed = book.step(MAJOR, "accept_and_close", actor="赵", role="SAFETY_COMMITTEE", organisation=SAB, at=at(4),
                       fields={"review_record": "r", "opinion": "o"}, **ACTING[SAB])
    assert set(closed.deadlines) == {"publication_due"}
    reopened = book.step(MAJOR, "reopen", actor="赵", role="SAFETY_COMMITTEE", organisation=SAB, at=at(5),
                         fields={"reason": "反销号"}, **ACTING[SAB])
    assert reopened.deadlines == {} and reopened.delisted is None


@pytest.mark.parametrize("fields, message", [
    ({"timer": "rectify_due", "step": "URGE"}, "'rectify_due' 不是该隐患正在计算的期限"),
    # Shandong reports "immediately": the same working day, 11 March
    ({"timer": "report_due", "step": "URGE", "due": "2025-03-20"}, "report_due 的期限是 2025-03-11，不是 2025-03-20"),
    ({"timer": "report_due", "step": "SCOLD"}, "'SCOLD' 不是本辖区逾期催办督办的步骤"),
    ({"timer": "report_due", "step": "PENALTY"}, "report_due（期限 2025-03-11）的 PENALTY 在"),
])
def test_a_direct_escalation_is_checked_like_one_from_tick(book: Ledger, fields: dict, message: str) -> None:
    register(book, MAJOR)
    book.step(MAJOR, "classify_major", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=at(0),
              fields={"interim_controls": "停用"})
    with pytest.raises(StepRefused, match=re.escape(message)):
        book.step(MAJOR, "escalate", actor="tick", role="SYSTEM", organisation="system", at=at(2), fields=fields)
    state = book.step(MAJOR, "escalate", actor="tick", role="SYSTEM", organisation="system", at=at(2),
                      fields={"timer": "report_due", "step": "URGE"})
    assert state.escalation == ["report_due:URGE"]
    with pytest.raises(StepRefused, match="report_due 的 URGE 已经记录"):
        book.step(MAJOR, "escalate", actor="tick", role="SYSTEM", organisation="system", at=at(2),
                  fields={"timer": "report_due", "step": "URGE"})


def test_the_department_table_is_injectable(tmp_path) -> None:
    """Like the machine, settings and calendar, the department table can be replaced: routing
    at intake and the departments a DEPT may act for both follow the table given."""
    from hazard_rules.workflow.policy.routing import DepartmentTable

    table = DepartmentTable(version=1, fallback="安监", departments={"安监": "a local safety office"}, routes={})
    with Ledger.open(f"sqlite:///{tmp_path / 'ledger.sqlite'}", departments=table) as book:
        assert register(book, MAJOR).hazard.departments == ["安监"]
        assert book.check_actor("substantiate", role="DEPT", org_code="3707", department="安监") == "3707"
        with pytest.raises(StepRefused, match="未知部门 '应急管理'"):
            book.check_actor("substantiate", role="DEPT", org_code="3707", department="应急管理")


def test_an_uploaded_file_name_is_hashed_only_when_given() -> None:
    """Evidence recorded before `filename` existed keeps its event's hash; a name, when given, is sealed."""
    from hazard_rules.workflow.domain.events import Event, Evidence

    item = {"name": "after_photo", "ref": "evidence/ab.jpg", "sha256": "ab" * 32}
    event = Event(hazard_id="F-1", n=1, at=dt.datetime(2025, 3, 10, tzinfo=dt.UTC), actor="a", role="DEPT",
                  organisation="o", action="register", from_state="NEW", to_state="REGISTERED",
                  evidence=[Evidence(**item)])
    assert event.body()["evidence"] == [item]                 # the body written before the field existed
    named = event.model_copy(update={"evidence": [Evidence(**item, filename="整改后.jpg")]})
    assert named.compute_hash() != event.compute_hash()
    assert Event.model_validate_json(named.sealed().model_dump_json()).evidence[0].filename == "整改后.jpg"
