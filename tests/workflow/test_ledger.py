"""The ledger on SQLite and on a real PostgreSQL: walks through both lanes, the rules
that matter most, tamper detection, idempotent intake and concurrent steps."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import text

from hazard_rules import Finding, load_rulesets
from hazard_rules.workflow.events import Evidence
from hazard_rules.workflow.ledger import ConflictError, Ledger, StepRefused
from hazard_rules.workflow.machine import load_machine

from ..conftest import EXAMPLES

RULES = load_rulesets()
RECORDS = {r["id"]: r for r in map(json.loads, (EXAMPLES / "inspections.jsonl").read_text(encoding="utf-8").splitlines())}
T0 = dt.datetime(2025, 3, 11, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PHOTO = Evidence(name="after_photo", ref="photos/after.jpg", sha256="ab" * 32)
ENT, DEPT, SAB = "青岛某食品有限公司", "青岛市应急管理局", "青岛市安委会办公室"


def at(days: int, hours: int = 0) -> dt.datetime:
    return T0 + dt.timedelta(days=days, hours=hours)


def finding(finding_id: str) -> tuple[Finding, object]:
    record = RECORDS[finding_id]
    return Finding.model_validate(record), RULES.classify(record)


@pytest.fixture
def book(db_url):
    with Ledger.open(db_url, now=T0) as ledger:
        yield ledger


def register(book: Ledger, finding_id: str, role: str = "INSPECTOR", org: str = ENT):
    f, verdict = finding(finding_id)
    return book.register(f, verdict, actor="王检查", role=role, organisation=org, at=T0)


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
    step = lambda action, role, org=ENT, day=0, **fields: book.step(  # noqa: E731
        MAJOR, action, actor={"ENT_PRINCIPAL": "张主要负责人", "DEPT": "李科长", "SAFETY_COMMITTEE": "赵主任",
                              "EVALUATOR": "专家组"}.get(role, role), role=role, organisation=org, at=at(day), fields=fields)
    with pytest.raises(StepRefused, match="cannot start from state REGISTERED"):
        step("start", "ENT_PRINCIPAL")
    state = step("classify_major", "ENT_PRINCIPAL", interim_controls="停用速冻间，人员撤离")
    assert state.state == "MAJOR_CONFIRMED" and state.clauses == ["GM2023-12-2"]
    with pytest.raises(StepRefused, match="cannot start from state MAJOR_CONFIRMED"):
        step("start", "ENT_PRINCIPAL")             # no rectification before the 双报告 and the plan
    with pytest.raises(StepRefused, match="requires receipt_workers_congress"):
        step("report_double", "ENT_PRINCIPAL", report="报告", receipt_department="应急局回执")
    step("report_double", "ENT_PRINCIPAL", report="报告", receipt_department="应急局回执",
         receipt_workers_congress="职代会回执")
    with pytest.raises(StepRefused, match="requires plan.funds, plan.organisation"):
        step("file_plan", "ENT_PRINCIPAL", plan={"targets": "整改", "methods": "改造", "time_limit": "60天",
                                                  "safety_measures": "预案"}, rectify_due="2025-06-30")
    with pytest.raises(StepRefused, match="role ENT_SAFETY may not file_plan"):
        step("file_plan", "ENT_SAFETY")
    plan = {"targets": "速冻间单独设置", "methods": "隔墙改造", "funds": "50万元", "organisation": "设备部",
            "time_limit": "2025-06-30前", "safety_measures": "限员9人，应急预案"}
    step("file_plan", "ENT_PRINCIPAL", plan=plan, rectify_due="2025-06-30")
    listing = {"level": "市级", "authority": SAB, "doc_no": "青安办督〔2025〕3号", "deadline": "2025-06-30",
               "served_by": "赵主任", "received_by": "张主要负责人", "received_at": "2025-03-13"}
    state = step("list", "SAFETY_COMMITTEE", SAB, 2, listing=listing)
    assert state.listed["authority"] == SAB and state.state == "PLAN_FILED"
    step("start", "ENT_PRINCIPAL", day=3)
    step("request_extension", "ENT_PRINCIPAL", day=20, reason="设备到货延迟", interim_controls="限员", proposed_due="2025-08-31")
    with pytest.raises(StepRefused, match=f"listed .* by {SAB}"):
        step("approve_extension", "DEPT", DEPT, 22, decision_doc="意见书", new_due="2025-08-31")
    state = step("approve_extension", "SAFETY_COMMITTEE", SAB, 22, decision_doc="延期审批意见书", new_due="2025-08-31")
    assert state.deadlines["rectify_due"] == "2025-08-31"
    with pytest.raises(StepRefused, match="own_experts"):
        step("complete_and_assess", "EVALUATOR", "某评价公司", 100, assessment_by="friends", assessment_report="r")
    step("complete_and_assess", "EVALUATOR", "某安全评价有限公司", 100, assessment_by="agency", assessment_report="评价报告")
    step("apply_closure", "ENT_PRINCIPAL", day=101, application="销号申请书")
    with pytest.raises(StepRefused, match="only that authority decides"):
        step("accept_and_close", "DEPT", DEPT, 105, review_record="r", opinion="o")
    state = step("reject_closure", "SAFETY_COMMITTEE", SAB, 105, reasons="隔墙未封闭")
    assert state.state == "RECTIFYING" and state.listed is not None     # 继续挂账
    step("complete_and_assess", "EVALUATOR", "某安全评价有限公司", 110, assessment_by="agency", assessment_report="复评报告")
    step("apply_closure", "ENT_PRINCIPAL", day=111, application="再次申请")
    state = step("accept_and_close", "SAFETY_COMMITTEE", SAB, 115, review_record="现场核查记录", opinion="同意销号")
    assert (state.state, state.listed, state.closed_by_org) == ("CLOSED", None, SAB)
    actions = [e.action for e in book.history(MAJOR)]
    assert actions == ["register", "classify_major", "report_double", "file_plan", "list", "start", "request_extension",
                       "approve_extension", "complete_and_assess", "apply_closure", "reject_closure",
                       "complete_and_assess", "apply_closure", "accept_and_close"]
    assert book.verify() == []


def test_ordinary_hazard_is_verified_by_someone_else(book: Ledger) -> None:
    hazard = register(book, ORDINARY).hazard
    assert hazard.level == "general"
    book.step(ORDINARY, "assign", actor="安全员甲", role="ENT_SAFETY", organisation=ENT, at=at(0),
              fields={"assignee": "车间主任", "measure": "清理积尘", "rectify_due": "2025-03-20"})
    book.step(ORDINARY, "accept", actor="车间主任", role="ENT_ASSIGNEE", organisation=ENT, at=at(1))
    with pytest.raises(StepRefused, match="requires evidence: after_photo"):
        book.step(ORDINARY, "submit_rectification", actor="车间主任", role="ENT_ASSIGNEE", organisation=ENT,
                  at=at(2), fields={"measures_taken": "已清理"})
    book.step(ORDINARY, "submit_rectification", actor="车间主任", role="ENT_ASSIGNEE", organisation=ENT, at=at(2),
              fields={"measures_taken": "已清理"}, evidence=[PHOTO])
    with pytest.raises(StepRefused, match="cannot also verify"):
        book.step(ORDINARY, "verify_pass", actor="车间主任", role="ENT_SAFETY", organisation=ENT, at=at(3),
                  fields={"opinion": "合格"})
    state = book.step(ORDINARY, "verify_pass", actor="安全员乙", role="ENT_SAFETY", organisation=ENT, at=at(3),
                      fields={"opinion": "复查合格"})
    assert state.state == "CLOSED"


def test_department_finding_is_rechecked_by_that_department(book: Ledger) -> None:
    register(book, ORDINARY, role="DEPT", org=DEPT)
    book.step(ORDINARY, "assign", actor="李科长", role="DEPT", organisation=DEPT, at=at(0),
              fields={"assignee": "车间", "measure": "整改", "rectify_due": "2025-03-20"})
    book.step(ORDINARY, "accept", actor="车间主任", role="ENT_ASSIGNEE", organisation=ENT, at=at(1))
    book.step(ORDINARY, "submit_rectification", actor="车间主任", role="ENT_ASSIGNEE", organisation=ENT, at=at(2),
              fields={"measures_taken": "已整改"}, evidence=[PHOTO])
    with pytest.raises(StepRefused, match="re-checked by that department"):
        book.step(ORDINARY, "verify_pass", actor="安全员", role="ENT_SAFETY", organisation=ENT, at=at(3),
                  fields={"opinion": "合格"})
    assert book.step(ORDINARY, "verify_pass", actor="李科长", role="DEPT", organisation=DEPT, at=at(3),
                     fields={"opinion": "复查合格"}).state == "CLOSED"


def test_undetermined_needs_a_recorded_determination(book: Ledger) -> None:
    register(book, UNDETERMINED)
    fields = {"assignee": "车间", "measure": "整改", "rectify_due": "2025-03-20"}
    with pytest.raises(StepRefused, match="record who judged it ordinary"):
        book.step(UNDETERMINED, "assign", actor="安全员", role="ENT_SAFETY", organisation=ENT, at=at(0), fields=fields)
    state = book.step(UNDETERMINED, "assign", actor="安全员", role="ENT_SAFETY", organisation=ENT, at=at(0),
                      fields={**fields, "determination": {"by": "专家王某", "reason": "速冻间已单独设置且人数3人"}})
    assert state.level == "general"


def test_major_cannot_be_assigned_as_ordinary_or_voided_by_the_enterprise(book: Ledger) -> None:
    register(book, MAJOR)
    with pytest.raises(StepRefused, match="applies to general/undetermined hazards; this one is major"):
        book.step(MAJOR, "assign", actor="安全员", role="ENT_SAFETY", organisation=ENT, at=at(0),
                  fields={"assignee": "a", "measure": "m", "rectify_due": "2025-03-20"})
    with pytest.raises(StepRefused, match="cannot void a major hazard"):
        book.step(MAJOR, "void", actor="安全员", role="ENT_SAFETY", organisation=ENT, at=at(0), fields={"reason": "重复"})
    assert book.step(MAJOR, "void", actor="李科长", role="DEPT", organisation=DEPT, at=at(0),
                     fields={"reason": "与F-2025-000218重复登记"}).state == "VOID"


def test_every_unauthorised_role_is_refused(book: Ledger) -> None:
    register(book, MAJOR)
    machine = load_machine()
    refused = 0
    for action in machine.actions:
        transition = machine.transition(action)
        for role in machine.roles:
            if role in transition.roles:
                continue
            with pytest.raises(StepRefused, match=f"role {role} may not {action}"):
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
                           ("report_double", {"report": "r", "receipt_department": "a", "receipt_workers_congress": "b"}),
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
                  fields={"reason": "x"}, expected_version=state.version)
