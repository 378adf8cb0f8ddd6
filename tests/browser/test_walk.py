"""The major lane walked in a real browser, by clicks and typing only: the inspector registers
the examples through the intake page; the department (潍坊 3707) and the enterprise (诸城,
its principal) take every step of the major lane from intake to 销号 through the step forms,
uploading attachments; the hazard's record (一键追溯) then lists every step in order with its
actor, the clause that decided the verdict and the evidence hashes.

The walk runs once (the `walk` fixture) and the tests read what it saw. Another check is one
more test taking `console` (and `walk`, when it needs the walked ledger), e.g.:

    def test_the_statistics_page_draws_its_charts(console, walk):
        console.sign_in("dept_wf")
        console.open("/console/stats")
        assert console.find_all("canvas")
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hazard_rules.workflow.domain.machine import load_machine

from ..conftest import EXAMPLES
from ..server.conftest import BY_ID, MAJOR, ZC

# (account, action, form fields, attachments {file name: content}) — the major lane in order.
PLAN = {"plan.targets": "速冻间单独设置，作业人员不超过9人", "plan.methods": "隔墙改造，增设门禁计数",
        "plan.funds": "50万元", "plan.organisation": "设备部牵头，安全部配合", "plan.time_limit": "2027年6月30日前",
        "plan.safety_measures": "改造期间限员9人，编制氨泄漏应急预案"}
LANE = [
    ("dept_wf", "classify_major", {"interim_controls": "停用速冻间，人员撤离"}, {}),
    ("boss_zc", "report_double", {"report": "重大事故隐患报告", "receipt_department": "潍坊市应急管理局签收",
                                  "receipt_workers_congress": "职工代表大会签收"},
     {"双报告回执.pdf": b"%PDF-1.4 receipts of the double report\n"}),
    ("boss_zc", "file_plan", {**PLAN, "rectify_due": "2027-06-30"}, {"治理方案.pdf": b"%PDF-1.4 the six-part plan\n"}),
    ("boss_zc", "start", {}, {}),
    ("boss_zc", "complete_and_assess", {"assessment_by": "agency", "assessment_report": "某安全评价有限公司评估报告"},
     {"评估报告.pdf": b"%PDF-1.4 the assessment report\n", "现场照片.jpg": b"\xff\xd8\xff after photo"}),
    ("boss_zc", "apply_closure", {"application": "重大事故隐患销号申请书"},
     {"销号申请.pdf": b"%PDF-1.4 application\n"}),
    ("dept_wf", "accept_and_close", {"review_record": "现场核查记录", "opinion": "同意销号"}, {}),
]
# The department tries to report the confirmed hazard "up" to 诸城, a county inside its own city:
# the form is offered (its guard reads the form's fields), the step is refused with the reason.
REFUSED = ("dept_wf", "report_up", {"to": "370782", "reason": "需要上级挂牌督办"})
STATE_AFTER = {"classify_major": "已确认重大隐患", "report_double": "已双报告", "file_plan": "治理方案已制定",
               "start": "整改中", "complete_and_assess": "已评估", "apply_closure": "已申请销号",
               "accept_and_close": "已销号"}


@dataclass
class Walk:
    refusal: str | None = None
    offered_to_enterprise: list[str] = field(default_factory=list)
    heading_after_refusal: str = ""
    heading_at_end: str = ""
    timeline: list[dict] = field(default_factory=list)
    uploads: dict[str, list[tuple[str, bytes]]] = field(default_factory=dict)   # action: [(file, content)]
    intake_rows: dict[str, str] = field(default_factory=dict)                   # hazard id: row text
    form_labels: dict[str, str] = field(default_factory=dict)                   # action: its form's label


def open_hazard(console, hazard_id: str, level: str = "重大隐患") -> None:
    """From the 台账: only the hazards of the level (the filter form), then the hazard's link."""
    console.follow("台账")
    from selenium.webdriver.support.ui import Select

    Select(console.find("select[name=level]")).select_by_visible_text(level)
    console.submit(console.find("form.filters button[type=submit]"))
    console.follow(hazard_id)
    assert console.heading().startswith(hazard_id)


class Walker:
    """Signs in as each account in turn (the 退出 button, then the sign-in form)."""

    def __init__(self, console, files: Path) -> None:
        self.console, self.files, self.account = console, files, None

    def become(self, user: str) -> None:
        if user != self.account:
            if self.account is not None:
                self.console.sign_out()
            self.console.sign_in(user, shot="01-login" if self.account is None else None)
            self.account = user

    def step(self, user: str, action: str, fields: dict, attachments: dict[str, bytes]) -> str:
        self.become(user)
        open_hazard(self.console, MAJOR)
        paths = []
        for name, content in attachments.items():
            paths.append(self.files / name)
            paths[-1].write_bytes(content)
        return self.console.take_step(action, fields, {"attachment": "\n".join(map(str, paths))} if paths else None)


@pytest.fixture(scope="module")
def walk(console, tmp_path_factory) -> Walk:
    seen, walker = Walk(), Walker(console, tmp_path_factory.mktemp("uploads"))
    walker.become("inspector")
    console.follow("登记")
    console.find("input[type=file][name=file]").send_keys(str(EXAMPLES / "inspections.jsonl"))
    console.submit(console.find("form.intake button[type=submit]"))
    seen.intake_rows = {row.find_element("css selector", "td:nth-child(2)").text: row.text
                        for row in console.find_all("section.result tbody tr")}
    console.screenshot("02-intake", full=True)
    console.follow("台账")
    console.screenshot("03-ledger")
    for user, action, fields, attachments in LANE:
        seen.form_labels[action] = walker.step(user, action, fields, attachments)
        assert console.refusal() is None, console.refusal()
        assert STATE_AFTER[action] in console.heading(), (action, console.heading())
        seen.uploads[action] = list(attachments.items())
        if action == "classify_major":
            walker.become("ent_zc")
            open_hazard(console, MAJOR)
            seen.offered_to_enterprise = console.offered()
            walker.step(*REFUSED, {})
            seen.refusal, seen.heading_after_refusal = console.refusal(), console.heading()
            console.screenshot("05-refused")
        if action == "start":   # with the next step's form open: a choice (<select>) and long text
            console.driver.execute_script("document.querySelector(\"details.step input[value=complete_and_assess]\")"
                                          ".closest('details').open = true")
            console.screenshot("04-hazard-mid-walk", full=True)
    seen.heading_at_end = console.heading()
    seen.timeline = console.timeline()
    console.screenshot("06-closed-timeline", full=True)
    return seen


def test_the_inspector_registers_the_findings_through_the_intake_page(walk) -> None:
    assert len(walk.intake_rows) == len(EXAMPLES.joinpath("inspections.jsonl").read_text().splitlines())
    assert "已登记" in walk.intake_rows[MAJOR] and "重大隐患" in walk.intake_rows[MAJOR]


def test_the_major_hazard_is_closed_through_the_step_forms(walk) -> None:
    assert "已销号" in walk.heading_at_end


def test_a_refused_step_shows_its_reason_and_changes_nothing(walk) -> None:
    assert walk.refusal is not None and walk.refusal.startswith("未办理")
    assert "370782 不是 3707 的上级" in walk.refusal, walk.refusal
    assert "已确认重大隐患" in walk.heading_after_refusal
    assert "report_up" not in [event["action"] for event in walk.timeline]


def test_a_step_its_guard_refuses_is_not_offered(walk) -> None:
    """The enterprise may void a hazard, but not a major one (enterprise_cannot_void_major): its
    page does not offer the form."""
    assert "void" not in walk.offered_to_enterprise, walk.offered_to_enterprise


def test_the_timeline_lists_every_step_in_order_with_its_actor(walk) -> None:
    assert [event["action"] for event in walk.timeline] == ["register"] + [action for _, action, _, _ in LANE]
    for event, user in zip(walk.timeline, ["inspector"] + [user for user, *_ in LANE]):
        assert event["actor"].split(" · ")[1].startswith(f"{user}的名字（"), event


def test_steps_are_named_in_chinese_on_the_forms_and_in_the_record(walk) -> None:
    """Each step by its label in the regulations' words (machine.yaml), its action name beside it."""
    labels = {t.action: t.label for t in load_machine().definition.transitions}
    assert [event["label"] for event in walk.timeline] == [labels[event["action"]] for event in walk.timeline]
    assert walk.form_labels == {action: labels[action] for action in walk.form_labels}
    expected = {"register": "登记", "classify_major": "确认为重大隐患", "report_double": "双报告",
                "accept_and_close": "验收销号"}
    assert {action: labels[action] for action in expected} == expected


def test_the_record_shows_what_each_step_recorded_under_its_chinese_name(walk) -> None:
    recorded = {event["action"]: event["recorded"] for event in walk.timeline}
    assert recorded["classify_major"] == {"临时管控措施": "停用速冻间，人员撤离"}
    assert recorded["file_plan"]["治理的目标和任务"] == PLAN["plan.targets"]
    assert recorded["file_plan"]["整改期限"] == "2027-06-30"                 # typed into a date input
    assert recorded["complete_and_assess"]["评估主体"] == "有资质的安全评价机构"   # chosen in a <select>
    assert recorded["accept_and_close"] == {"审查记录": "现场核查记录", "意见": "同意销号"}


def test_the_timeline_names_the_clauses_that_decided_the_verdict(walk, live_server) -> None:
    _, verdict = live_server.app.state.ruleset.judge(BY_ID[MAJOR])
    rules = [match.rule for match in verdict.matches]
    assert verdict.verdict == "major" and rules
    register = walk.timeline[0]
    assert all(clause.startswith("判定：") for clause in register["clauses"])
    assert [clause.removeprefix("判定：").split()[0] for clause in register["clauses"]] == rules


def test_the_timeline_shows_the_hash_of_every_uploaded_file(walk, live_server) -> None:
    for event in walk.timeline[1:]:
        uploads = walk.uploads[event["action"]]
        assert len(event["evidence"]) == len(uploads), event
        for (name, content), line in zip(uploads, event["evidence"]):
            digest = hashlib.sha256(content).hexdigest()
            assert f"sha256:{digest[:16]}" in line and line.startswith(f"附件《{name}》"), (name, line)
            stored = live_server.evidence_dir / f"{digest}{Path(name).suffix}"
            assert stored.read_bytes() == content


def test_a_step_that_requires_evidence_takes_its_file(console, walk, live_server, tmp_path) -> None:
    """The major lane requires no file; the enterprise's on-the-spot fix of an ordinary
    hazard requires an after photo (evidence after_photo), chosen in its own file input."""
    ordinary = next(hazard_id for hazard_id, row in walk.intake_rows.items()
                    if "一般隐患" in row and BY_ID[hazard_id]["enterprise"]["id"] == ZC)
    photo = tmp_path / "整改后.jpg"
    photo.write_bytes(b"\xff\xd8\xff the spot after the fix")
    console.sign_in("ent_zc")
    open_hazard(console, ordinary, "一般隐患")
    console.take_step("fix_on_spot", {"measure": "当场清理"}, {"after_photo": photo})
    assert console.refusal() is None and "已销号" in console.heading(), console.refusal()
    last = console.timeline()[-1]
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    assert last["action"] == "fix_on_spot" and last["actor"].split(" · ")[1].startswith("ent_zc的名字（ENT_SAFETY")
    assert len(last["evidence"]) == 1 and last["evidence"][0].startswith("证据 整改后照片《整改后.jpg》")
    assert f"sha256:{digest[:16]}" in last["evidence"][0]
    assert (live_server.evidence_dir / f"{digest}.jpg").read_bytes() == photo.read_bytes()


def test_pasted_lines_are_registered_and_a_bad_line_is_reported(console, walk) -> None:
    record = dict(BY_ID[MAJOR], id="F-PASTED-0001")
    console.sign_in("inspector")
    console.follow("登记")
    console.find("textarea[name=records]").send_keys(json.dumps(record, ensure_ascii=False) + "\n{\"id\": \n")
    console.submit(console.find("form.intake button[type=submit]"))
    summary = console.text("section.result .summary")
    assert "新登记 1 条" in summary and "无效 1 条" in summary, summary
    rows = [row.text for row in console.find_all("section.result tbody tr")]
    assert rows[0].startswith("1 F-PASTED-0001 已登记 重大隐患") and "invalid JSON" in rows[1], rows


def test_the_pages_fit_a_phone(console, walk) -> None:
    console.sign_in("dept_wf")
    console.as_phone()
    try:
        for path, name in [("/console/login", None), ("/console/hazards", "07-phone-ledger"),
                           ("/console/intake", None), (f"/console/hazards/{MAJOR}", "08-phone-hazard")]:
            console.open(path)
            assert not console.overflows_sideways(), path
            console.screenshot(name)
        console.driver.execute_script("document.querySelector('ol.timeline').scrollIntoView()")
        console.screenshot("09-phone-timeline")
    finally:
        console.as_desktop()


def test_the_statistics_page_counts_the_walked_hazard_as_closed(console, walk, live_server) -> None:
    """After the walk, the department's statistics page draws the ledger it just changed: the
    industry chart's 已销号 bar for 工贸 counts the closed hazards of that industry, the walked
    major hazard among them."""
    from .test_stats_charts import drawn, expected

    console.sign_in("dept_wf")
    console.follow("统计")
    data = json.loads(console.find("#chart-data").get_attribute("textContent"))
    charts = drawn(console)
    assert charts == expected(data)
    closed = [h for h in live_server.app.state.ledger.hazards(state="CLOSED")
              if any(code.startswith("gongmao") for code in h.industries)]
    assert MAJOR in [h.id for h in closed]
    industry = charts["chart-industry"]
    bars = dict(zip(industry["labels"], next(d["data"] for d in industry["datasets"] if d["label"] == "已销号")))
    assert bars["工贸企业（gongmao）"] == len(closed), bars
    console.screenshot("12-statistics-after-walk", full=True)
