"""Statistics over the ledger, on SQLite and on a real PostgreSQL: a ledger with a known
history at known dates, counted as of several dates (a hazard closed later is open
earlier), 存量/增量 and 动态清零, the enterprise's quarterly table and its due date, signed
submissions and the enterprises that have not submitted, CSV/XLSX round trips, the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import inspect

from hazard_rules import Finding, load_rulesets
from hazard_rules.workflow import stats as st
from hazard_rules.workflow.domain.events import Evidence
from hazard_rules.workflow.service.ledger import Ledger
from hazard_rules.workflow.store import schema

from ..conftest import EXAMPLES, run_cli

RULES = load_rulesets()
RECORDS = {r["id"]: r
           for r in map(json.loads, (EXAMPLES / "inspections.jsonl").read_text(encoding="utf-8").splitlines())}
CST = dt.timezone(dt.timedelta(hours=8))
PHOTO = Evidence(name="after_photo", ref="photos/after.jpg", sha256="ab" * 32)
PLAN = {"targets": "整改", "methods": "改造", "funds": "50万元", "organisation": "设备部", "time_limit": "限期",
        "safety_measures": "应急预案"}

# enterprise id → (name, jurisdiction)
A, B, C = "91370782MA00000A1", "91370214MA00000B2", "91320583MA00000C3"
ENTERPRISES = {A: ("诸城甲食品有限公司", "370782"), B: ("青岛乙冷链有限公司", "370214"),
               C: ("昆山丙木业有限公司", "320583")}
DEPT, SAB = "应急管理局", "安委会办公室"


def day(text: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{text}T{hour:02d}:00:00").replace(tzinfo=CST)


def register(book: Ledger, hazard_id: str, kind: str, enterprise: str, found: str, *, registered: str | None = None,
             industries: list[str] | None = None, action: str = "register", role: str = "INSPECTOR",
             fields: dict | None = None) -> None:
    template = RECORDS["F-2025-000219" if kind == "major" else "F-2023-000977"]
    name, jurisdiction = ENTERPRISES[enterprise]
    record = dict(template, id=hazard_id, date=found, enterprise={"id": enterprise, "name": name,
                                                                   "jurisdiction": jurisdiction})
    if industries:
        record["industries"] = industries
    verdict = RULES.classify(record)
    assert verdict.verdict == kind, hazard_id
    book.register(Finding.model_validate(record), verdict, actor="王检查", role=role, organisation=name,
                  at=day(registered or found), action=action, fields=fields, **acting(role, jurisdiction))


def acting(role: str, jurisdiction: str) -> dict:
    """Government roles act for the province the hazard is in (the 应急管理 department)."""
    if role == "DEPT":
        return {"org_code": jurisdiction[:2], "department": "应急管理"}
    return {"org_code": jurisdiction[:2]} if role == "SAFETY_COMMITTEE" else {}


def step(book: Ledger, hazard_id: str, action: str, role: str, when: str, *, actor: str | None = None,
         org: str | None = None, evidence: list | None = None, **fields) -> None:
    book.step(hazard_id, action, actor=actor or f"{role}-人员", role=role, organisation=org or "企业", at=day(when),
              fields=fields, evidence=evidence, **acting(role, book.get(hazard_id).jurisdiction))


def build(book: Ledger) -> None:
    """The history every test counts (dates are the steps' times, 09:00 China time).

    M1 major A  found 2024-11-20, plan due 2025-03-31, closure applied 03-21, closed 2025-04-10
    M2 major B  found 2024-12-10, listed, rectification due 2025-02-28: open and overdue
    M3 major C  found 2025-02-10, classified, never reported: report due 2025-02-11, overdue
    G1 ordinary A found 2025-01-15, closed 2025-01-25
    G2 ordinary A found 2025-02-20, due 2025-04-30, closed 2025-04-20
    G3 ordinary B found 2025-03-05, void 2025-03-06 (duplicate)
    G4 ordinary C found 2024-06-01 (registered 06-03 undetermined, judged ordinary), industries dust + fire,
                due 2024-06-30, closed 2025-05-15
    G5 ordinary B found and registered 2025-04-10, due 2025-07-31, open
    R1 a whistle-blower report about B, 2025-03-10, still being verified: not a hazard
    """
    register(book, "M1", "major", A, "2024-11-20")
    step(book, "M1", "classify_major", "DEPT", "2024-11-20", interim_controls="停用")
    step(book, "M1", "report_double", "ENT_PRINCIPAL", "2024-11-20", report="报告", receipt_department="回执",
         receipt_workers_congress="回执")
    step(book, "M1", "file_plan", "ENT_PRINCIPAL", "2024-11-25", plan=PLAN, rectify_due="2025-03-31")
    step(book, "M1", "start", "ENT_PRINCIPAL", "2025-01-02")
    step(book, "M1", "complete_and_assess", "EVALUATOR", "2025-03-20", assessment_by="agency", assessment_report="报告")
    step(book, "M1", "apply_closure", "ENT_PRINCIPAL", "2025-03-21", application="申请")
    step(book, "M1", "accept_and_close", "DEPT", "2025-04-10", org=DEPT, review_record="记录", opinion="同意")

    register(book, "M2", "major", B, "2024-12-10")
    step(book, "M2", "classify_major", "DEPT", "2024-12-10", interim_controls="停用")
    step(book, "M2", "report_double", "ENT_PRINCIPAL", "2024-12-10", report="报告", receipt_department="回执",
         receipt_workers_congress="回执")
    step(book, "M2", "file_plan", "ENT_PRINCIPAL", "2024-12-12", plan=PLAN, rectify_due="2025-02-28")
    step(book, "M2", "list", "SAFETY_COMMITTEE", "2024-12-13", org=SAB,
         listing={"level": "市级", "authority": SAB, "doc_no": "督〔2024〕1号", "deadline": "2025-02-28",
                  "served_by": "赵", "received_by": "张", "received_at": "2024-12-13"})
    step(book, "M2", "start", "ENT_PRINCIPAL", "2024-12-16")

    register(book, "M3", "major", C, "2025-02-10")
    step(book, "M3", "classify_major", "DEPT", "2025-02-10", interim_controls="停用")

    register(book, "G1", "ordinary", A, "2025-01-15")
    step(book, "G1", "assign", "ENT_SAFETY", "2025-01-15", actor="安全员甲", assignee="车间主任", measure="清理",
         rectify_due="2025-01-31")
    step(book, "G1", "accept", "ENT_ASSIGNEE", "2025-01-16", actor="车间主任")
    step(book, "G1", "submit_rectification", "ENT_ASSIGNEE", "2025-01-20", actor="车间主任", evidence=[PHOTO],
         measures_taken="已清理")
    step(book, "G1", "verify_pass", "ENT_SAFETY", "2025-01-25", actor="安全员乙", opinion="合格")

    register(book, "G2", "ordinary", A, "2025-02-20")
    step(book, "G2", "assign", "ENT_SAFETY", "2025-02-20", actor="安全员甲", assignee="车间主任", measure="清理",
         rectify_due="2025-04-30")
    step(book, "G2", "accept", "ENT_ASSIGNEE", "2025-02-21", actor="车间主任")
    step(book, "G2", "submit_rectification", "ENT_ASSIGNEE", "2025-04-18", actor="车间主任", evidence=[PHOTO],
         measures_taken="已清理")
    step(book, "G2", "verify_pass", "ENT_SAFETY", "2025-04-20", actor="安全员乙", opinion="合格")

    register(book, "G3", "ordinary", B, "2025-03-05")
    step(book, "G3", "void", "DEPT", "2025-03-06", org=DEPT, reason="与G5重复登记")

    # dust and fire: the fire facts are missing, so undetermined until someone judges it ordinary
    register(book, "G4", "undetermined", C, "2024-06-01", registered="2024-06-03", industries=["gongmao.dust", "fire"])
    step(book, "G4", "assign", "ENT_SAFETY", "2024-06-03", actor="安全员甲", assignee="车间主任", measure="清理",
         rectify_due="2024-06-30", determination={"by": "专家王某", "reason": "无火灾隐患"})
    step(book, "G4", "accept", "ENT_ASSIGNEE", "2024-06-04", actor="车间主任")
    step(book, "G4", "submit_rectification", "ENT_ASSIGNEE", "2025-05-10", actor="车间主任", evidence=[PHOTO],
         measures_taken="已清理")
    step(book, "G4", "verify_pass", "ENT_SAFETY", "2025-05-15", actor="安全员乙", opinion="合格")

    register(book, "G5", "ordinary", B, "2025-04-10")
    step(book, "G5", "assign", "ENT_SAFETY", "2025-04-10", actor="安全员甲", assignee="车间主任", measure="清理",
         rectify_due="2025-07-31")

    register(book, "R1", "ordinary", B, "2025-03-10", action="submit_report", role="DEPT",
             fields={"channel": "12350", "content": "举报车间积尘"})


@pytest.fixture
def book(db_url):
    with Ledger.open(db_url) as ledger:
        build(ledger)
        yield ledger


def counts(row: dict, prefix: str = "") -> tuple:
    return tuple(row[f"{prefix}{k}"] for k in ("found", "open", "closed", "void", "overdue", "listed", "rate"))


# ---------------------------------------------------------------------------- breakdown
def test_totals_as_of_a_date_replay_the_log(book: Ledger) -> None:
    assert book.verify() == []
    [q1] = st.breakdown(book, dt.date(2025, 3, 31))
    assert counts(q1) == (7, 5, 1, 1, 3, 1, 0.1667)            # M1 M2 M3 G2 G4 open; G1 closed; G3 void
    assert counts(q1, "major_") == (3, 3, 0, 0, 2, 1, 0.0)      # M2, M3 overdue; M1 applied for closure
    # M1 was closed on 2025-04-10 at 09:00: open the day before, closed that day (end of day) …
    assert st.breakdown(book, dt.date(2025, 4, 9))[0]["major_closed"] == 0
    assert st.breakdown(book, dt.date(2025, 4, 10))[0]["major_closed"] == 1
    # … and at 08:59 that day, given as a date-time
    assert st.breakdown(book, day("2025-04-10", 8))[0]["major_closed"] == 0
    # its review was due 10 days after the application (2025-03-31): overdue on 04-01 until it closed
    assert st.breakdown(book, dt.date(2025, 4, 1))[0]["major_overdue"] == 3
    [mid] = st.breakdown(book, dt.date(2025, 6, 30))
    assert counts(mid) == (8, 3, 4, 1, 2, 1, 0.5714)           # G5 registered; M1, G2, G4 closed since
    [before] = st.breakdown(book, dt.date(2024, 12, 1))
    assert counts(before) == (2, 2, 0, 0, 1, 0, 0.0)           # M1, G4 (overdue since 2024-07-01)
    assert st.breakdown(book, dt.date(2024, 1, 1)) == [{**dict.fromkeys(
        ["found", "open", "closed", "void", "overdue", "listed"], 0), "rate": None,
        **dict.fromkeys(["major_found", "major_open", "major_closed", "major_void", "major_overdue",
                         "major_listed"], 0),
        "major_rate": None}]


def test_a_report_being_verified_is_not_counted(book: Ledger) -> None:
    assert book.get("R1").state == "REPORT_VERIFYING"
    [row] = st.breakdown(book, dt.date(2025, 3, 31))
    assert row["found"] == 7
    step(book, "R1", "substantiate", "DEPT", "2025-04-01", org=DEPT, verification_record="核查属实")
    assert st.breakdown(book, dt.date(2025, 3, 31))[0]["found"] == 7   # not yet a hazard then
    assert st.breakdown(book, dt.date(2025, 4, 1))[0]["found"] == 8


def test_grouped_by_lane_jurisdiction_and_age(book: Ledger) -> None:
    as_of = dt.date(2025, 3, 31)
    rows = {r["lane"]: r for r in st.breakdown(book, as_of, by=["lane"])}
    assert list(rows) == ["major", "ordinary", "*"]
    assert counts(rows["ordinary"]) == (4, 2, 1, 1, 1, 0, 0.3333)
    assert counts(rows["*"]) == (7, 5, 1, 1, 3, 1, 0.1667)

    cities = {r["jurisdiction"]: counts(r) for r in st.breakdown(book, as_of, by=["jurisdiction"],
                                                                  jurisdiction_level="city")}
    assert cities == {"3205": (2, 2, 0, 0, 2, 0, 0.0), "3702": (2, 1, 0, 1, 1, 1, 0.0),
                      "3707": (3, 2, 1, 0, 0, 0, 0.3333), "*": (7, 5, 1, 1, 3, 1, 0.1667)}
    provinces = {r["jurisdiction"]: r["found"] for r in st.breakdown(book, as_of, by=["jurisdiction"],
                                                                     jurisdiction_level="province")}
    assert provinces == {"32": 2, "37": 5, "*": 7}
    counties = [r["jurisdiction"] for r in st.breakdown(book, as_of, by=["jurisdiction"])]
    assert counties == ["320583", "370214", "370782", "*"]
    # only Shandong, majors only
    [shandong] = st.breakdown(book, as_of, jurisdiction="37", major_only=True)
    assert counts(shandong) == (2, 2, 0, 0, 1, 1, 0.0) and "major_found" not in shandong

    ages = {r["age"]: counts(r)[:5] for r in st.breakdown(book, as_of, by=["age"])}
    # G3 26 days; M3 49, G1 75, G2 39; M1 131, M2 111; G4 303
    assert ages == {"0-29": (1, 0, 0, 1, 0), "30-89": (3, 2, 1, 0, 1), "90-179": (2, 2, 0, 0, 1),
                    "180+": (1, 1, 0, 0, 1), "*": (7, 5, 1, 1, 3)}
    custom = [r["age"] for r in st.breakdown(book, as_of, by=["age"], age_buckets=(60, 365))]
    assert custom == ["0-59", "60-364", "*"]


def test_multi_valued_dimensions_count_a_hazard_in_each_group(book: Ledger) -> None:
    as_of = dt.date(2025, 3, 31)
    industries = {r["industry"]: r["found"] for r in st.breakdown(book, as_of, by=["industry"])}
    assert industries == {"fire": 1, "gongmao": 7, "*": 7}                         # G4 is dust and fire
    full = {r["industry"]: r["found"] for r in st.breakdown(book, as_of, by=["industry"], industry_depth=0)}
    assert full["gongmao.dust"] == 4 and full["gongmao.ammonia"] == 3 and full["fire"] == 1
    departments = {r["department"]: counts(r)[:5] for r in st.breakdown(book, as_of, by=["department"])}
    assert departments == {"应急管理": (7, 5, 1, 1, 3), "消防救援": (1, 1, 0, 0, 1), "*": (7, 5, 1, 1, 3)}
    pairs = {(r["lane"], r["department"]): r["found"] for r in st.breakdown(book, as_of, by=["lane", "department"])}
    assert pairs == {("major", "应急管理"): 3, ("ordinary", "应急管理"): 4, ("ordinary", "消防救援"): 1, ("*", "*"): 7}


def test_bad_requests_are_refused(book: Ledger) -> None:
    with pytest.raises(st.StatisticsError, match="cannot group by 'colour'"):
        st.breakdown(book, dt.date(2025, 3, 31), by=["colour"])
    with pytest.raises(st.StatisticsError, match="pass as_of"):
        st.breakdown(book)
    with pytest.raises(st.StatisticsError, match="unknown jurisdiction level"):
        st.breakdown(book, dt.date(2025, 3, 31), by=["jurisdiction"], jurisdiction_level="village")
    with pytest.raises(st.StatisticsError, match="neither a quarter nor a year"):
        st.Period.parse("2025Q5")


# ---------------------------------------------------------------------------- 存量 / 增量
def test_stock_increment_and_dynamic_clearing(book: Ledger) -> None:
    cut_off = dt.date(2025, 1, 1)
    rows = {r["cohort"]: r for r in st.stock_increment(book, cut_off, dt.date(2025, 3, 31))}
    assert list(rows) == ["stock", "increment", "*"]
    assert counts(rows["stock"]) == (3, 3, 0, 0, 2, 1, 0.0)          # M1, M2, G4: nothing cleared yet
    assert counts(rows["increment"]) == (4, 2, 1, 1, 1, 0, 0.3333)   # M3, G1, G2, G3
    assert counts(rows["*"]) == (7, 5, 1, 1, 3, 1, 0.1667)
    assert (rows["stock"]["cleared"], rows["stock"]["major_cleared"]) == (False, False)

    later = {r["cohort"]: r for r in st.stock_increment(book, cut_off, dt.date(2025, 6, 30))}
    assert later["stock"]["rate"] == 0.6667 and later["stock"]["major_rate"] == 0.5   # M1, G4 closed; M2 open
    assert later["increment"]["found"] == 5                                          # G5 joined

    clearing = st.dynamic_clearing(book, cut_off, dt.date(2025, 6, 30))
    assert (clearing.scope, clearing.stock, clearing.stock_closed, clearing.stock_open) == ("major", 2, 1, 1)
    assert (clearing.progress, clearing.cleared, clearing.increment, clearing.increment_open) == (0.5, False, 1, 1)
    everything = st.dynamic_clearing(book, cut_off, dt.date(2025, 6, 30), major_only=False)
    assert (everything.stock, everything.stock_closed, everything.progress) == (3, 2, 0.6667)
    # the stock of 2024-12-01 (found before it) is M1 and G4 only: M2 is increment then
    early = st.dynamic_clearing(book, dt.date(2024, 12, 1), dt.date(2025, 4, 10))
    assert (early.stock, early.stock_closed, early.cleared, early.progress) == (1, 1, True, 1.0)

    grouped = st.stock_increment(book, cut_off, dt.date(2025, 3, 31), by=["jurisdiction"],
                                 jurisdiction_level="province")
    assert [(r["cohort"], r["jurisdiction"], r["found"]) for r in grouped] == [
        ("stock", "32", 1), ("stock", "37", 2), ("stock", "*", 3),
        ("increment", "32", 1), ("increment", "37", 3), ("increment", "*", 4), ("*", "*", 7)]
    empty = st.stock_increment(book, cut_off, dt.date(2024, 1, 1))
    assert [(r["cohort"], r["found"], r["cleared"]) for r in empty] == [("stock", 0, True), ("increment", 0, True),
                                                                         ("*", 0, True)]


# ---------------------------------------------------------------------------- enterprise tables
def test_enterprise_quarterly_table_and_due_dates(book: Ledger) -> None:
    q1 = st.Period.parse("2025Q1")
    assert (q1.start, q1.end, q1.label) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31), "2025Q1")
    assert st.statistics_due("2025Q1", "370214") == dt.date(2025, 4, 15)
    assert st.statistics_due("2025Q4", "320583") == dt.date(2026, 1, 15)
    assert st.statistics_due("2025", None) == dt.date(2026, 1, 31)
    assert st.Period.parse("2025-q2").label == "2025Q2" and st.Period.parse("2025").end == dt.date(2025, 12, 31)

    table = {r["enterprise_id"]: r for r in st.enterprise_table(book, q1)}   # as of 2025-03-31, the period's end
    assert list(table) == [C, B, A]                               # by jurisdiction, then id
    pick = lambda r: (r["found"], r["void"], r["ordinary"], r["major"], r["rectified"], r["rate"],  # noqa: E731
                      r["major_rectified"], r["major_open"], r["major_open_all"])
    assert pick(table[A]) == (2, 0, 2, 0, 1, 0.5, 0, 0, 1)       # G1 closed, G2 open; M1 (2024) still open
    assert pick(table[B]) == (1, 1, 0, 0, 0, None, 0, 0, 1)      # G3 void; M2 (2024) open
    assert pick(table[C]) == (1, 0, 0, 1, 0, 0.0, 0, 1, 1)       # M3
    assert {r["due"] for r in table.values()} == {dt.date(2025, 4, 15)}
    assert table[A]["enterprise_name"] == "诸城甲食品有限公司" and table[A]["jurisdiction"] == "370782"
    assert (table[A]["submitted"], table[A]["late"], table[A]["digest"]) == (False, False, None)

    later = {r["enterprise_id"]: r for r in st.enterprise_table(book, q1, dt.date(2025, 6, 30))}
    assert pick(later[A]) == (2, 0, 2, 0, 2, 1.0, 0, 0, 0)       # G2 and M1 closed since
    assert later[A]["late"] is True                              # not submitted, due 04-15

    # G5 was registered in Q2: B owes a Q2 table with it, nobody owes one for 2024Q3 but C (G4 registered 2024-06-03)
    assert [r["enterprise_id"] for r in st.enterprise_table(book, "2024Q3")] == [C]
    year = {r["enterprise_id"]: r for r in st.enterprise_table(book, "2025")}
    assert year[B]["found"] == 2 and year[B]["due"] == dt.date(2026, 1, 31)


def test_submissions_and_missing_enterprises(book: Ledger) -> None:
    with book.engine.connect() as conn:
        assert inspect(conn).has_table(schema.stat_submissions.name)    # its migration ran
    with pytest.raises(st.SubmissionRefused, match=r"signed by the 主要负责人 \(ENT_PRINCIPAL\), not ENT_SAFETY"):
        st.submit_statistics(book, A, "2025Q1", signed_by="安全员甲", role="ENT_SAFETY", now=day("2025-04-10", 10))
    with pytest.raises(st.SubmissionRefused, match="ends on 2025-03-31"):
        st.submit_statistics(book, A, "2025Q1", signed_by="张总", role="ENT_PRINCIPAL", now=day("2025-03-31", 18))
    with pytest.raises(st.SubmissionRefused, match="owes no table"):
        st.submit_statistics(book, "91000000MA9999999X", "2025Q1", signed_by="张总", role="ENT_PRINCIPAL",
                             now=day("2025-04-10"))
    assert st.submissions(book) == []

    first, created = st.submit_statistics(book, A, "2025Q1", signed_by="张总", role="ENT_PRINCIPAL",
                                          now=day("2025-04-10", 10))
    assert created and first.signed_by == "张总" and first.role == "ENT_PRINCIPAL"
    # the digest is that of the table as of the moment of submission: reproducible from the log
    [row] = [r for r in st.enterprise_table(book, "2025Q1", day("2025-04-10", 10)) if r["enterprise_id"] == A]
    assert first.digest == st.table_digest(st.statistics_body(row)) == st.table_digest(first.body)
    assert first.body["rectified"] == 1 and first.body["major_open_all"] == 0   # M1 closed at 09:00 that day
    again, created = st.submit_statistics(book, A, "2025Q1", signed_by="张总", role="ENT_PRINCIPAL",
                                          now=day("2025-04-11"))
    assert not created and again.digest == first.digest and again.submitted_at == first.submitted_at
    st.submit_statistics(book, B, "2025Q1", signed_by="李总", role="ENT_PRINCIPAL", now=day("2025-04-20"))
    # a corrected table (G2 closed since) is recorded; the first submission decides timeliness
    corrected, created = st.submit_statistics(book, A, "2025Q1", signed_by="张总", role="ENT_PRINCIPAL",
                                              now=day("2025-04-21"))
    assert created and corrected.digest != first.digest and corrected.body["rectified"] == 2
    assert len(st.submissions(book, enterprise_id=A, period="2025Q1")) == 2

    def missing(as_of: str) -> list[tuple]:
        return [(r["enterprise_id"], r["late"], r["days_late"], r["due"])
                for r in st.missing_submissions(book, "2025Q1", dt.date.fromisoformat(as_of))]

    due = dt.date(2025, 4, 15)
    assert missing("2025-04-01") == [(C, False, 0, due), (B, False, 0, due), (A, False, 0, due)]
    assert missing("2025-04-15") == [(C, False, 0, due), (B, False, 0, due)]     # A submitted on 04-10
    assert missing("2025-04-16") == [(C, True, 1, due), (B, True, 1, due)]
    assert missing("2025-04-30") == [(C, True, 15, due)]
    assert [r["enterprise_id"] for r in st.missing_submissions(book, "2025Q1", dt.date(2025, 4, 30),
                                                               jurisdiction="37")] == []

    table = {r["enterprise_id"]: r for r in st.enterprise_table(book, "2025Q1", dt.date(2025, 4, 30))}
    assert (table[A]["submitted"], table[A]["late"], table[A]["signed_by"]) == (True, False, "张总")
    assert table[A]["submitted_at"] == day("2025-04-10", 10) and table[A]["digest"] == corrected.digest
    assert (table[B]["submitted"], table[B]["late"]) == (True, True)
    assert (table[C]["submitted"], table[C]["late"], table[C]["submitted_at"]) == (False, True, None)
    # as of before the submissions, nothing was submitted
    assert not any(r["submitted"] for r in st.enterprise_table(book, "2025Q1", dt.date(2025, 4, 9)))


# ---------------------------------------------------------------------------- export
def test_csv_and_xlsx_round_trips(book: Ledger, tmp_path) -> None:
    snap = st.snapshot(book, dt.date(2025, 3, 31))
    rows = st.breakdown(snap, by=["lane", "jurisdiction"], jurisdiction_level="city")
    path = st.to_csv(rows, tmp_path / "breakdown.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                            # BOM: Excel reads the Chinese
    head = raw.decode("utf-8-sig").splitlines()[0]
    assert head.startswith("隐患级别 (lane),行政区划代码 (jurisdiction),隐患数 (found),未销号 (open)")
    assert st.read_csv(path) == rows
    assert not list(tmp_path.glob(".*.tmp"))                           # the temp file was renamed

    table = st.enterprise_table(book, "2025Q1", dt.date(2025, 4, 30))
    missing = st.missing_submissions(book, "2025Q1", dt.date(2025, 4, 30))
    stock = st.stock_increment(snap, dt.date(2025, 1, 1))
    out = st.to_xlsx({"分类统计": rows, "存量增量": stock, "企业统计表": table, "未报送企业": missing},
                     tmp_path / "stats.xlsx", meta={"as_of": "2025-03-31"},
                     columns={"企业统计表": st.ENTERPRISE_COLUMNS, "未报送企业": st.MISSING_COLUMNS},
                     labels={"企业统计表": st.ENTERPRISE_HEADERS})
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["参数", "分类统计", "存量增量", "企业统计表", "未报送企业"]
    sheet = workbook["企业统计表"]
    assert sheet["A1"].value == "企业编号 (enterprise_id)" and sheet["H1"].value == "排查隐患数 (found)"
    rate = [c for c in sheet[1] if c.value == "整改率 (rate)"][0]
    assert sheet.cell(row=2, column=rate.column).number_format == "0.00%"
    back = st.read_xlsx(out)
    assert back["分类统计"] == rows and back["存量增量"] == stock and back["未报送企业"] == missing
    assert back["企业统计表"] == [{k: r[k] for k in st.ENTERPRISE_COLUMNS} for r in table]
    assert back["参数"] == [{"name": "as_of", "value": "2025-03-31"}]

    st.to_xlsx(rows, tmp_path / "one.xlsx")
    assert st.read_xlsx(tmp_path / "one.xlsx") == {"统计": rows}
    st.to_csv([], tmp_path / "empty.csv", columns=st.MISSING_COLUMNS)
    assert st.read_csv(tmp_path / "empty.csv") == []


def test_a_failed_write_leaves_the_old_file(book: Ledger, tmp_path, monkeypatch) -> None:
    import openpyxl

    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")

    def crash(self, filename) -> None:                                # half a file, then the disk fills up
        open(filename, "wb").write(b"PK partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", crash)
    with pytest.raises(OSError, match="No space left"):
        st.to_xlsx(st.breakdown(book, dt.date(2025, 3, 31)), target)
    assert target.read_bytes() == b"old" and not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(st.StatisticsError, match="does not exist"):
        st.to_csv([], tmp_path / "no" / "such.csv")


# ---------------------------------------------------------------------------- CLI
def test_stats_from_the_command_line(book: Ledger, db_url: str, tmp_path) -> None:
    def ledger(*args: str):
        result = run_cli("ledger", *args, "--db", db_url)
        return result

    shown = ledger("stats", "--by", "lane", "--as-of", "2025-03-31", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    rows = {r["lane"]: r for r in json.loads(shown.stdout)}
    assert (rows["major"]["found"], rows["major"]["overdue"], rows["*"]["rate"]) == (3, 2, 0.1667)
    table = ledger("stats", "--by", "jurisdiction,lane", "--jurisdiction-level", "city", "--as-of", "2025-03-31")
    assert table.returncode == 0 and "行政区划代码" in table.stdout and "3707" in table.stdout

    stock = json.loads(ledger("stats", "stock", "--cut-off", "2025-01-01", "--as-of", "2025-06-30",
                              "--format", "json").stdout)
    assert stock["clearing"]["progress"] == 0.5 and stock["rows"][0]["cohort"] == "stock"
    text = ledger("stats", "stock", "--cut-off", "2025-01-01", "--as-of", "2025-06-30")
    assert "动态清零" in text.stdout and "1/2 closed (50.0%)" in text.stdout

    refused = ledger("stats", "submit", A, "--period", "2025Q1", "--by", "安全员甲", "--as", "ENT_SAFETY",
                     "--now", "2025-04-10T10:00+08:00")
    assert refused.returncode == 2 and "error[E622]" in refused.stderr and "Traceback" not in refused.stderr
    done = ledger("stats", "submit", A, "--period", "2025Q1", "--by", "张总", "--as", "ENT_PRINCIPAL",
                  "--now", "2025-04-10T10:00+08:00")
    assert done.returncode == 0 and "statistics submitted, signed by 张总" in done.stdout, done.stderr
    missing = json.loads(ledger("stats", "missing", "--period", "2025Q1", "--as-of", "2025-04-16",
                                "--format", "json").stdout)
    assert [(r["enterprise_id"], r["late"]) for r in missing] == [(C, True), (B, True)]
    enterprise = json.loads(ledger("stats", "enterprise", "--period", "2025Q1", "--format", "json").stdout)
    assert {r["enterprise_id"]: r["found"] for r in enterprise} == {A: 2, B: 1, C: 1}
    csv_out = ledger("stats", "enterprise", "--period", "2025Q1", "--as-of", "2025-04-30", "--format", "csv")
    assert csv_out.stdout.splitlines()[0].startswith("企业编号 (enterprise_id),企业名称 (enterprise_name)")

    xlsx = tmp_path / "stats.xlsx"
    exported = ledger("export", "--what", "breakdown", "--what", "stock", "--what", "enterprise", "--what", "missing",
                      "--by", "lane", "--as-of", "2025-04-30", "--cut-off", "2025-01-01", "--period", "2025Q1",
                      "--output", str(xlsx))
    assert exported.returncode == 0, exported.stderr
    sheets = st.read_xlsx(xlsx)
    assert list(sheets) == ["参数", "分类统计", "存量增量", "企业统计表", "未报送企业"]
    assert [r["enterprise_id"] for r in sheets["未报送企业"]] == [C, B]
    assert {r["name"]: r["value"] for r in sheets["参数"]}["period"] == "2025Q1"
    csv_file = tmp_path / "missing.csv"
    assert ledger("export", "--what", "missing", "--period", "2025Q1", "--as-of", "2025-04-30",
                  "--output", str(csv_file)).returncode == 0
    assert [r["enterprise_id"] for r in st.read_csv(csv_file)] == [C, B]
    bad = ledger("export", "--what", "stock", "--output", str(tmp_path / "x.csv"))
    assert bad.returncode == 2 and "needs a cut-off" in bad.stderr
    misplaced = ledger("stats", "--by", "lane", "stock", "--cut-off", "2025-01-01")
    assert misplaced.returncode == 2 and "after the subcommand" in misplaced.stderr
