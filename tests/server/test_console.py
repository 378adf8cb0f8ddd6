"""The console skeleton: sign-in page and the 隐患台账, server-rendered, nothing from a CDN."""

from __future__ import annotations

import datetime as dt
import json
import re

from ..conftest import ROOT
from .conftest import MAJOR, ZC, sign_in

TEMPLATES = ROOT / "src" / "hazard_rules" / "server" / "templates"




def test_pages_need_a_session(console) -> None:
    console.client.cookies.clear()
    response = console.client.get("/console/hazards", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/login"
    page = console.client.get("/console/login")
    assert page.status_code == 200 and "登录" in page.text and 'name="password"' in page.text


def test_a_wrong_password_shows_the_form_again(console) -> None:
    console.client.cookies.clear()
    response = console.client.post("/console/login", data={"username": "dept_wf", "password": "nope nope nope"})
    assert response.status_code == 401 and "用户名或密码错误" in response.text
    assert "hazard_session" not in console.client.cookies


def test_the_ledger_page_shows_what_the_account_may_see(console) -> None:
    response = sign_in(console, "dept_wf")
    assert response.status_code == 303 and response.headers["location"] == "/console/hazards"
    page = console.client.get("/console/hazards")
    assert page.status_code == 200 and "隐患台账" in page.text and MAJOR in page.text
    rows = re.findall(r">(F-[0-9-]+)</a></td>", page.text)
    assert rows and all(console.ledger.get(r).jurisdiction.startswith("3707") for r in rows)
    major = re.findall(r">(F-[0-9-]+)</a></td>", console.client.get("/console/hazards?level=major").text)
    assert major and set(major) < set(rows) and all(console.ledger.get(r).level == "major" for r in major)
    sign_in(console, "ent_zc")
    own = re.findall(r">(F-[0-9-]+)</a></td>", console.client.get("/console/hazards").text)
    assert own and all(console.ledger.get(r).enterprise_id == ZC for r in own)


def test_industries_are_shown_by_their_chinese_names(console) -> None:
    """中文名（code）, the names of the packs' scope.codes; the filter is a choice of them."""
    sign_in(console, "dept_wf")
    assert "gongmao.ammonia" in console.ledger.get(MAJOR).industries
    shown = "使用液氨制冷（gongmao.ammonia）"      # rulesets/gongmao-2023/pack.yaml, without （第十二条）
    assert shown in console.client.get(f"/console/hazards/{MAJOR}").text
    page = console.client.get("/console/hazards?industry=gongmao.ammonia").text
    assert f"<td>{shown}</td>" in page or f"{shown}、" in page or f"、{shown}" in page
    assert '<option value="gongmao.ammonia" selected>使用液氨制冷（gongmao.ammonia）</option>' in page
    assert '<option value="gongmao">工贸企业（gongmao）</option>' in page
    rows = re.findall(r">(F-[0-9-]+)</a></td>", page)
    assert MAJOR in rows and all("gongmao.ammonia" in console.ledger.get(r).industries for r in rows)
    odd = console.client.get("/console/hazards?industry=gongmao.nowhere").text   # kept, though no pack names it
    assert '<option value="gongmao.nowhere" selected>gongmao.nowhere</option>' in odd


def test_signing_out_needs_the_csrf_token(console) -> None:
    sign_in(console, "inspector")
    page = console.client.get("/console/hazards").text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)
    refused = console.client.post("/console/logout", data={"csrf_token": "0" * 64}, follow_redirects=False)
    assert refused.status_code == 403
    done = console.client.post("/console/logout", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    console.client.cookies.clear()
    assert console.client.get("/console/hazards", follow_redirects=False).status_code == 303


def test_nothing_is_loaded_from_another_site(console) -> None:
    for template in TEMPLATES.glob("*.html"):
        assert not re.search(r"(src|href)=\"(https?:)?//", template.read_text(encoding="utf-8")), template
    css = console.client.get("/static/console.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]


def test_a_hazard_page_shows_its_record_and_the_steps_offered(console) -> None:
    sign_in(console, "dept_wf")
    page = console.client.get(f"/console/hazards/{MAJOR}")
    assert page.status_code == 200, page.text
    assert "全过程记录" in page.text and "inspector的名字" in page.text   # who registered it
    assert "判定：GM2023-12-2" in page.text                              # the clause of the verdict
    # a step it may take by its label (the action name beside it), and what it needs by its label
    assert "<b>确认为重大隐患</b> <code class=\"action\">classify_major</code>" in page.text
    assert "临时管控措施" in page.text and '<textarea name="f.interim_controls"' in page.text
    assert f'href="/console/hazards/{MAJOR}"' in console.client.get("/console/hazards").text
    sign_in(console, "ent_qd")  # another enterprise's hazard is not shown
    assert console.client.get(f"/console/hazards/{MAJOR}").status_code == 403


def test_a_step_taken_with_the_form_is_recorded_as_the_account(console) -> None:
    console.intake("inspector", console.copy_of(MAJOR, "F-FORM-1"))
    sign_in(console, "dept_wf")
    page = console.client.get("/console/hazards/F-FORM-1").text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)
    form = {"action": "classify_major", "version": "1", "f.interim_controls": "停用速冻间"}
    before = console.events()
    refused = console.client.post("/console/hazards/F-FORM-1/steps", data=form, follow_redirects=False)
    assert refused.status_code == 403 and console.events() == before           # no CSRF token
    missing = console.client.post("/console/hazards/F-FORM-1/steps", follow_redirects=False,
                                  data={**form, "f.interim_controls": "", "csrf_token": token})
    # the reason, on the page, with the field's label from machine.yaml
    assert missing.status_code == 403 and "缺少必填项：临时管控措施（interim_controls）" in missing.text
    assert console.events() == before
    done = console.client.post("/console/hazards/F-FORM-1/steps", data={**form, "csrf_token": token},
                               follow_redirects=False)
    assert done.status_code == 303, done.text
    event = console.ledger.history("F-FORM-1")[-1]
    assert (event.action, event.actor, event.org_code, event.fields["interim_controls"]) == \
        ("classify_major", "dept_wf的名字", "3707", "停用速冻间")


def test_step_forms_offer_choices_dates_and_the_uploaded_file_names(console) -> None:
    """The plan's due date is a date input; the assessment's makers a <select> of the choices
    machine.yaml gives (and the guard checks); an attachment keeps the name it was uploaded under."""
    console.intake("inspector", console.copy_of(MAJOR, "F-FORM-2"))
    ledger, at = console.ledger, dt.datetime(2025, 3, 10, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    boss = {"actor": "boss_zc", "role": "ENT_PRINCIPAL", "organisation": "诸城市华瑞食品有限公司"}
    ledger.step("F-FORM-2", "classify_major", at=at, fields={"interim_controls": "停用"}, **boss)
    ledger.step("F-FORM-2", "report_double", at=at, fields={"report": "r", "receipt_department": "a",
                                                           "receipt_workers_congress": "b"}, **boss)
    sign_in(console, "boss_zc")
    page = console.client.get("/console/hazards/F-FORM-2").text
    assert '<input type="date" name="f.rectify_due" required>' in page and "治理的目标和任务" in page
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)
    plan = {f"f.plan.{name}": "x" for name in ("targets", "methods", "funds", "organisation", "time_limit",
                                                "safety_measures")}
    done = console.client.post("/console/hazards/F-FORM-2/steps", follow_redirects=False,
                               data={"action": "file_plan", "version": "3", "csrf_token": token, **plan,
                                     "f.rectify_due": "2027-06-30"},
                               files=[("e.attachment", ("治理方案.pdf", b"%PDF plan", "application/pdf"))])
    assert done.status_code == 303, done.text
    assert ledger.history("F-FORM-2")[-1].evidence[0].filename == "治理方案.pdf"
    ledger.step("F-FORM-2", "start", at=at, **boss)
    page = console.client.get("/console/hazards/F-FORM-2").text
    assert re.search(r'<select name="f.assessment_by" required><option value="">请选择</option>'
                     r'<option value="own_experts">本单位技术人员和专家</option>'
                     r'<option value="agency">有资质的安全评价机构</option></select>', page)
    assert "附件《治理方案.pdf》" in page and "<dt>整改期限</dt><dd>2027-06-30</dd>" in page
    assert "<dt>期限</dt><dd>治理进展报告期限 " in page and "；整改期限 2027-06-30" in page   # deadlines by label


def test_evidence_is_stored_under_its_hash(tmp_path) -> None:
    from hazard_rules.workflow.service import evidence

    item = evidence.store(tmp_path, "after_photo", b"photo bytes", "after.JPG")
    again = evidence.store(tmp_path, "after_photo", b"photo bytes", "after.JPG")
    assert item == again and item["ref"] == f"evidence/{item['sha256']}.jpg" and item["filename"] == "after.JPG"
    assert evidence.store(tmp_path, "a", b"x", "C:\\Users\\张\\回执.pdf")["filename"] == "回执.pdf"  # no folders
    assert (tmp_path / f"{item['sha256']}.jpg").read_bytes() == b"photo bytes"
    assert evidence.nested([("plan.goal", "x"), ("plan.funds", " 10万 "), ("blank", "  ")]) == \
        {"plan": {"goal": "x", "funds": "10万"}}


def test_the_intake_page_registers_pasted_lines_as_the_account(console) -> None:
    record = json.dumps(console.copy_of(MAJOR, "F-INTAKE-PAGE-1"), ensure_ascii=False)
    before = console.events()
    for user, status in (("evaluator", 403), ("dept_wf", 200)):   # an evaluator may not register
        sign_in(console, user)
        page = console.client.get("/console/intake").text
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)
        response = console.client.post("/console/intake", data={"records": record + "\n", "csrf_token": token})
        assert response.status_code == status, response.text
        if status == 403:
            assert "未登记：角色 EVALUATOR 无权" in response.text and console.events() == before
    assert "新登记 <b>1</b>" in response.text and console.events() == before + 1
    event = console.ledger.history("F-INTAKE-PAGE-1")[0]
    assert (event.action, event.actor, event.org_code) == ("register", "dept_wf的名字", "3707")
