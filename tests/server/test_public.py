"""The public 举报 form and its JSON twin, on SQLite and PostgreSQL: a report becomes a hazard
in REPORT_VERIFYING submitted as the intake account (dept_wf, 潍坊市应急管理局), which sees it
and can verify it; refused reports (rate limit, bad fields, no CSRF token, form closed)
write nothing. Each test posts from an address of its own, so the limits do not meet."""

from __future__ import annotations

import itertools
import json
import re

import pytest
from fastapi.testclient import TestClient

from hazard_rules.workflow.service.public import CHANNEL, REPORT_LIMIT

from .conftest import ACCOUNTS, Server, make_server

INTAKE = "dept_wf"
GOOD = {"place": "诸城市某木业有限公司", "jurisdiction": "370782", "location": "诸城市某镇工业园",
        "description": "喷漆车间木粉尘堆积，除尘器无泄爆装置", "industry": "gongmao", "contact": "13800000000"}
addresses = (f"203.0.113.{n}" for n in itertools.count(1))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    """An app that takes public reports as dept_wf, and one that takes none."""
    if request.param == "sqlite":
        urls = [f"sqlite:///{tmp_path_factory.mktemp('public') / f'{n}.sqlite'}" for n in ("open", "closed")]
    else:
        urls = [request.getfixturevalue("postgres_server").create_database() for _ in range(2)]
    client, tokens = make_server(urls[0], public_intake=INTAKE)
    closed, _ = make_server(urls[1])
    with client, closed:
        srv = Server(client, tokens)
        srv.closed = closed
        yield srv
    if request.param == "postgresql":
        for url in urls:
            request.getfixturevalue("postgres_server").drop_database(url)


def visitor(server) -> TestClient:
    """A browser of its own address (no lifespan: the app is already running)."""
    return TestClient(server.app, client=(next(addresses), 50000))


def form_of(page) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)


def send_form(browser: TestClient, **fields):
    token = form_of(browser.get("/report"))
    return browser.post("/report", data={"form_token": token, **fields})


def field_errors(page) -> dict[str, str]:
    return dict(re.findall(r'data-field="(\w+)">([^<]+)<', page.text))


def test_the_form_is_a_chinese_page_for_phones(server) -> None:
    page = visitor(server).get("/report")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    assert 'name="viewport" content="width=device-width' in page.text
    assert "安全生产隐患举报" in page.text and "提交举报" in page.text
    assert all(f'name="{name}"' in page.text for name in GOOD)
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")


def test_a_report_from_the_form_is_a_hazard_the_department_verifies(server) -> None:
    before = server.events()
    page = send_form(visitor(server), **GOOD)
    assert page.status_code == 201, page.text
    hazard_id = re.search(r'report-id">([^<]+)<', page.text).group(1)
    assert re.fullmatch(r"JB-20260601-[0-9a-f]{8}", hazard_id)
    assert server.events() == before + 1

    hazard = server.request(INTAKE, "GET", f"/api/v1/hazards/{hazard_id}").json()
    assert hazard["state"] == "REPORT_VERIFYING" and hazard["jurisdiction"] == "370782"
    assert hazard["enterprise_name"] == GOOD["place"] and hazard["enterprise_id"] is None
    listed = server.request(INTAKE, "GET", "/api/v1/hazards?state=REPORT_VERIFYING&limit=500").json()["items"]
    assert hazard_id in {h["id"] for h in listed}
    (event,) = server.request(INTAKE, "GET", f"/api/v1/hazards/{hazard_id}/history").json()
    role, organisation, code, department, _ = ACCOUNTS[INTAKE]
    assert event["action"] == "submit_report" and event["fields"]["channel"] == CHANNEL == "网络举报"
    assert (event["actor"], event["role"], event["organisation"], event["org_code"], event["department"]) == \
        (f"{INTAKE}的名字", role, organisation, code, department)
    assert event["fields"]["content"] == GOOD["description"]
    assert event["fields"]["reporter"] == {"contact": GOOD["contact"]}
    assert event["fields"]["reported_industry"] == "gongmao"
    assert event["fields"]["finding"]["location"] == GOOD["location"]

    # outside the area, and enterprise accounts, do not see it (nor the reporter's contact)
    for user in ("dept_qd", "ent_zc", "boss_zc"):
        assert server.request(user, "GET", f"/api/v1/hazards/{hazard_id}").status_code == 403
    # the verification lane: the department is offered its steps and takes one
    offered = {s["action"] for s in server.request(INTAKE, "GET", f"/api/v1/hazards/{hazard_id}/steps").json()}
    assert {"substantiate", "reject_report", "transfer"} <= offered
    step = server.request(INTAKE, "POST", f"/api/v1/hazards/{hazard_id}/steps",
                          json={"action": "substantiate", "fields": {"verification_record": "现场核查属实"}})
    assert step.status_code == 200 and step.json()["state"] == "REGISTERED", step.text


def test_a_report_over_json(server) -> None:
    before = server.events()
    response = visitor(server).post("/api/v1/public/reports", json={**GOOD, "contact": ""})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "REPORT_VERIFYING" and server.events() == before + 1
    (event,) = server.request(INTAKE, "GET", f"/api/v1/hazards/{body['id']}/history").json()
    assert "reporter" not in event["fields"] and event["fields"]["channel"] == CHANNEL


def test_the_actor_cannot_come_from_the_body(server) -> None:
    before = server.events()
    for extra in ({"actor": "张三"}, {"role": "SAFETY_COMMITTEE"}, {"organisation": "某局"}, {"channel": "12350"}):
        response = visitor(server).post("/api/v1/public/reports", json={**GOOD, **extra})
        assert response.status_code == 422 and response.json()["code"] == "E501", response.text
    assert server.events() == before


def test_reports_from_one_address_are_limited(server) -> None:
    browser = visitor(server)
    for _ in range(REPORT_LIMIT):
        assert browser.post("/api/v1/public/reports", json=GOOD).status_code == 201
    before = server.events()
    refused = browser.post("/api/v1/public/reports", json=GOOD)
    assert refused.status_code == 429 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "E634"
    page = send_form(browser, **GOOD)
    assert page.status_code == 429 and "提交过于频繁" in page.text
    assert 'value="诸城市某木业有限公司"' in page.text           # what was typed is kept
    assert server.events() == before
    # another address is not held back by this one
    assert visitor(server).post("/api/v1/public/reports", json=GOOD).status_code == 201


@pytest.mark.parametrize(("change", "wrong"), [
    ({"place": "  "}, {"place": "请填写单位或场所名称"}),
    ({"description": ""}, {"description": "请填写隐患情况描述"}),
    ({"jurisdiction": "37078"}, {"jurisdiction": "行政区划代码应为6位数字"}),
    ({"jurisdiction": "370282"}, {"jurisdiction": "不在本平台受理范围（3707）内"}),   # 青岛, not 潍坊
    ({"description": "粉" * 2001}, {"description": "不能超过2000个字"}),
    ({"industry": "astrology"}, {"industry": "请选择列出的行业"}),
    ({"place": "", "jurisdiction": ""}, {"place": "请填写", "jurisdiction": "请填写所在地行政区划代码"}),
])
def test_bad_input_names_the_field_and_writes_nothing(server, change, wrong) -> None:
    before = server.events()
    page = send_form(visitor(server), **{**GOOD, **change})
    assert page.status_code == 422, page.text
    errors = field_errors(page)
    assert set(errors) == set(wrong) and all(text in errors[name] for name, text in wrong.items()), errors
    for name in wrong:
        assert f'aria-describedby="e-{name}"' in page.text
    assert GOOD["location"] in page.text                         # the rest is kept for correcting
    response = visitor(server).post("/api/v1/public/reports", json={**GOOD, **change})
    assert response.status_code == 422 and response.json()["code"] == "E635", response.text
    assert set(response.json()["fields"]) == set(wrong)
    assert server.events() == before


def test_a_form_post_without_its_token_is_refused(server) -> None:
    before = server.events()
    browser = visitor(server)
    no_token = browser.post("/report", data=GOOD)
    assert no_token.status_code == 403 and "页面已过期" in no_token.text
    other = visitor(server)
    token = form_of(other.get("/report"))         # a token signed for another browser's nonce
    browser.get("/report")
    forged = browser.post("/report", data={**GOOD, "form_token": token})
    assert forged.status_code == 403
    token = form_of(browser.get("/report"))
    tampered = token[:-1] + ("1" if token.endswith("0") else "0")
    refused = browser.post("/report", data={**GOOD, "form_token": tampered})
    assert refused.status_code == 403 and 'value="诸城市某木业有限公司"' in refused.text
    assert server.events() == before
    # the refused page is a fresh form (a new nonce and its token): sending it again goes through
    assert browser.post("/report", data={**GOOD, "form_token": form_of(refused)}).status_code == 201


@pytest.mark.parametrize("intake", [None, "inspector", "dept_qd_nobody"])
def test_without_an_intake_account_the_form_is_closed(server, intake) -> None:
    if intake is None:
        client = server.closed
    else:   # configured with an account that cannot receive reports (not DEPT; no such account)
        client = TestClient(server.closed.app, client=(next(addresses), 50000))
        client.app.state.public.username = intake
    try:
        page = client.get("/report")
        assert page.status_code == 503 and "暂未开放网络举报" in page.text and "12350" in page.text
        assert 'name="form_token"' not in page.text
        refused = client.post("/api/v1/public/reports", json=GOOD)
        assert refused.status_code == 503 and refused.json()["code"] == "E636", refused.text
        assert client.post("/report", data=GOOD).status_code in (403, 503)
        assert Server(client, {}).events() == 0
    finally:
        client.app.state.public.username = None


def test_another_sites_form_cannot_post_json(server) -> None:
    """A cross-site form can send text/plain that looks like JSON (no preflight): not taken."""
    before = server.events()
    response = visitor(server).post("/api/v1/public/reports", content=json.dumps(GOOD).encode(),
                                    headers={"content-type": "text/plain"})
    assert response.status_code == 422, response.text
    assert server.events() == before
