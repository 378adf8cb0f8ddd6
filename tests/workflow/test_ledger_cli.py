"""The ledger from the command line, end to end in subprocesses, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from ..conftest import run_cli

MAJOR = "F-2025-000219"
ENT = "诸城某食品有限公司"


def ledger(db_url: str, *args: str):
    return run_cli("ledger", *args, "--db", db_url)


# Where the government organisations act: (administrative code, department).
ACTING = {"潍坊市应急管理局": ("3707", "应急管理"), "诸城市安委会办公室": ("370782", None),
          "山东省应急管理厅": ("37", "应急管理")}


def step(db_url: str, action: str, role: str, org: str, now: str, *fields: str, hazard: str = MAJOR):
    args = ["step", hazard, action, "--as", role, "--by", f"{role}-人员", "--org", org, "--now", now]
    if org in ACTING:
        code, department = ACTING[org]
        args += ["--org-code", code] + (["--department", department] if department else [])
    for field in fields:
        args += ["--field", field]
    return ledger(db_url, *args)


def test_major_and_ordinary_hazards_through_the_cli(db_url: str, tmp_path) -> None:
    # A department registers only what lies in its area: 潍坊's five findings; the rest are refused, named.
    as_dept = ["intake", "examples/inspections.jsonl", "--by", "王检查", "--org", "潍坊市应急管理局", "--as", "DEPT",
               "--now", "2025-03-11T09:00+08:00"]
    no_code = ledger(db_url, *as_dept)
    assert no_code.returncode == 2 and "代表政府行事：须给出其所代表地区的行政区划代码" in no_code.stderr
    assert no_code.stderr.count("error[E602]") == 1          # said once, not for every record
    intake = ledger(db_url, *as_dept, "--org-code", "3707", "--department", "应急管理")
    assert intake.returncode == 2, intake.stderr
    assert intake.stdout.startswith("5 hazards registered, 0 already in the ledger, 29 refused")
    assert intake.stderr.count("不在其辖区内") == 29 and "Traceback" not in intake.stderr
    again = ledger(db_url, "intake", "examples/inspections.jsonl", "--by", "王检查", "--org", "某第三方检查机构",
                   "--now", "2025-03-12T09:00+08:00")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("29 hazards registered, 5 already in the ledger")

    refused = step(db_url, "start", "ENT_PRINCIPAL", ENT, "2025-03-11T10:00+08:00")
    assert refused.returncode == 2
    assert "error[E602]: 隐患 F-2025-000219：处于「已登记」（REGISTERED），不能「" in refused.stderr
    assert "Traceback" not in refused.stderr
    dept, sab = "潍坊市应急管理局", "诸城市安委会办公室"
    walk = [
        ("classify_major", "DEPT", dept, "2025-03-11T10:00+08:00", ["interim_controls=停用速冻间"]),
        ("report_double", "ENT_PRINCIPAL", ENT, "2025-03-11T16:00+08:00",
         ["report=重大事故隐患报告", "receipt_department=应急局签收", "receipt_workers_congress=职代会签收"]),
        ("file_plan", "ENT_PRINCIPAL", ENT, "2025-03-14T09:00+08:00",
         ["plan.targets=速冻间单独设置", "plan.methods=隔墙改造", "plan.funds=50万元", "plan.organisation=设备部",
          "plan.time_limit=90天", "plan.safety_measures=限员及应急预案", "rectify_due=2025-06-30"]),
        ("list", "SAFETY_COMMITTEE", sab, "2025-03-15T09:00+08:00",
         ["listing.level=县级", f"listing.authority={sab}", "listing.doc_no=诸安办督〔2025〕1号",
          "listing.deadline=2025-06-30", "listing.served_by=赵", "listing.received_by=张",
          "listing.received_at=2025-03-15"]),
        ("file_listing", "SAFETY_COMMITTEE", sab, "2025-03-17T08:00+08:00",
         ["filed_with=3707", "filing_doc=诸安办备〔2025〕1号"]),
        ("publish", "SAFETY_COMMITTEE", sab, "2025-03-17T08:30+08:00",
         ["publication.channel=诸城市人民政府网站", "publication.published_at=2025-03-17"]),
        ("start", "ENT_PRINCIPAL", ENT, "2025-03-17T09:00+08:00", []),
        ("request_extension", "ENT_PRINCIPAL", ENT, "2025-04-01T09:00+08:00",
         ["reason=设备延期到货", "interim_controls=限员", "proposed_due=2025-08-31"]),
        ("approve_extension", "SAFETY_COMMITTEE", sab, "2025-04-08T09:00+08:00",
         ["decision_doc=延期审批意见书", "new_due=2025-08-31"]),
        ("complete_and_assess", "EVALUATOR", "某安全评价有限公司", "2025-08-01T09:00+08:00",
         ["assessment_by=agency", "assessment_report=评价报告"]),
        ("apply_closure", "ENT_PRINCIPAL", ENT, "2025-08-04T09:00+08:00", ["application=销号申请"]),
        ("reject_closure", "SAFETY_COMMITTEE", sab, "2025-08-08T09:00+08:00", ["reasons=隔墙未完全封闭"]),
        ("complete_and_assess", "EVALUATOR", "某安全评价有限公司", "2025-08-15T09:00+08:00",
         ["assessment_by=agency", "assessment_report=复评报告"]),
        ("apply_closure", "ENT_PRINCIPAL", ENT, "2025-08-18T09:00+08:00", ["application=再次申请"]),
        ("accept_and_close", "SAFETY_COMMITTEE", sab, "2025-08-22T09:00+08:00",
         ["review_record=现场核查记录", "opinion=同意摘牌销号"]),
    ]
    for action, role, org, now, fields in walk:
        result = step(db_url, action, role, org, now, *fields)
        assert result.returncode == 0, (action, result.stderr)
    shown = json.loads(ledger(db_url, "show", MAJOR, "--format", "json").stdout)
    assert shown["state"] == "CLOSED" and shown["listed"] is None and shown["clauses"] == ["GM2023-12-2"]

    history = ledger(db_url, "history", MAJOR)
    assert history.returncode == 0
    assert "verdict major: GM2023-12-2 第十二条（二） 快速冻结装置未设置在单独的作业间内" in history.stdout
    assert history.stdout.count("\n  ") >= 14 and "accept_and_close" in history.stdout

    # an ordinary hazard: assigned, rectified with a photo, verified by someone else
    ordinary = next(h for h in json.loads(ledger(db_url, "list", "--level", "ordinary", "--format", "json").stdout))
    photo = tmp_path / "after.jpg"
    photo.write_bytes(b"\xff\xd8 photo bytes")
    oid = ordinary["id"]
    org = ordinary["enterprise_name"]
    assert ordinary["jurisdiction"].startswith("37"), ordinary
    assert step(db_url, "assign", "DEPT", "山东省应急管理厅", "2025-03-12T09:00+08:00",
                "assignee=车间主任", "measure=整改", "rectify_due=2025-03-20", hazard=oid).returncode == 0
    assert step(db_url, "accept", "ENT_ASSIGNEE", org, "2025-03-12T10:00+08:00", hazard=oid).returncode == 0
    done = ledger(db_url, "step", oid, "submit_rectification", "--as", "ENT_ASSIGNEE", "--by", "车间主任", "--org", org,
                  "--field", "measures_taken=已整改", "--evidence", f"after_photo={photo}",
                  "--now", "2025-03-14T10:00+08:00")
    assert done.returncode == 0, done.stderr
    closed = step(db_url, "verify_pass", "DEPT", "山东省应急管理厅", "2025-03-17T10:00+08:00", "opinion=复查合格",
                  hazard=oid)
    assert closed.returncode == 0 and "CLOSED" in closed.stdout
    assert "evidence after_photo" in ledger(db_url, "history", oid).stdout

    # The 摘牌销号 of 22 August is to be published within 5 working days (by Friday 29 August);
    # it was not, so on Monday 1 September it is overdue and the listing authority is urged.
    overdue = ledger(db_url, "overdue", "--now", "2025-09-01T09:00+08:00")
    assert overdue.returncode == 0
    assert overdue.stdout.splitlines() == [f"{MAJOR}\tCLOSED\tmajor\tpublication_due 2025-08-29"]
    ticked = ledger(db_url, "tick", "--now", "2025-09-01T09:00+08:00")
    assert ticked.returncode == 0
    assert ticked.stdout.splitlines() == [f"{MAJOR}\tpublication_due\tURGE\tdue 2025-08-29\tby 370782"]
    assert ledger(db_url, "tick", "--now", "2025-09-01T09:00+08:00").stdout == ""     # idempotent
    published = step(db_url, "publish", "SAFETY_COMMITTEE", sab, "2025-09-01T10:00+08:00",
                     "publication.channel=诸城市人民政府网站", "publication.published_at=2025-09-01")
    assert published.returncode == 0, published.stderr
    assert ledger(db_url, "overdue", "--now", "2025-09-02T09:00+08:00").stdout == ""

    # Statistics as of that day: 34 found (15 major verdicts: two from before 2023 judged by
    # the 2017 edition), the walked major and ordinary ones closed.
    counted = ledger(db_url, "stats", "--as-of", "2025-09-01", "--format", "json")
    assert counted.returncode == 0, counted.stderr
    total = json.loads(counted.stdout)[-1]
    assert (total["found"], total["closed"], total["major_found"], total["major_closed"]) == (34, 2, 15, 1), total
    verified = ledger(db_url, "verify")
    assert verified.returncode == 0 and "ledger verified" in verified.stdout
