"""Sessions, CSRF, tokens, the sign-in rate limit, disabled accounts, and the actor of every
event taken from the account, never from the request."""

from __future__ import annotations

import pytest

from hazard_rules.workflow.service.accounts import LOGIN_FAILURES, AccountError

from .conftest import MAJOR, NOW, PASSWORD, Server, make_server


@pytest.fixture
def fresh(db_url):
    client, tokens = make_server(db_url)
    with client:
        yield Server(client, tokens)


def login(server, username, password=PASSWORD, client_ip=None):
    return server.client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_a_session_reads_and_needs_its_csrf_token_to_write(fresh) -> None:
    response = login(fresh, "inspector")
    assert response.status_code == 200, response.text
    assert "httponly" in response.headers["set-cookie"].lower() and "samesite=strict" in \
        response.headers["set-cookie"].lower()
    csrf = response.json()["csrf_token"]
    assert fresh.client.get("/api/v1/auth/me").json()["username"] == "inspector"
    record = fresh.copy_of(MAJOR, "F-SESSION-1")
    before = fresh.events()
    for headers in ({}, {"X-CSRF-Token": "0" * 64}):
        refused = fresh.client.post("/api/v1/hazards", json={"records": [record]}, headers=headers)
        assert refused.status_code == 403 and refused.json()["code"] == "E633", refused.text
    assert fresh.events() == before
    done = fresh.client.post("/api/v1/hazards", json={"records": [record]}, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200 and done.json()["created"] == 1, done.text
    assert fresh.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    fresh.client.cookies.clear()
    assert fresh.client.get("/api/v1/auth/me").status_code == 401


def test_a_logged_out_session_cookie_no_longer_works(fresh) -> None:
    response = login(fresh, "inspector")
    cookie = fresh.client.cookies.get("hazard_session")
    fresh.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": response.json()["csrf_token"]})
    replay = fresh.client.get("/api/v1/auth/me", cookies={"hazard_session": cookie})
    assert replay.status_code == 401 and replay.json()["code"] == "E632"


def test_sign_ins_are_rate_limited_and_logged(fresh) -> None:
    for _ in range(LOGIN_FAILURES):
        wrong = login(fresh, "dept_wf", "wrong password!")
        assert wrong.status_code == 401 and wrong.json()["code"] == "E632"
    blocked = login(fresh, "dept_wf")  # even the right password, while the window lasts
    assert blocked.status_code == 429 and blocked.json()["code"] == "E634", blocked.text
    other = login(fresh, "inspector")  # the same client: blocked too (too many failures from it)
    assert other.status_code == 429
    log = fresh.app.state.accounts.attempts()
    assert [a["ok"] for a in log] == [False] * LOGIN_FAILURES
    assert {a["username"] for a in log} == {"dept_wf"}


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(fresh) -> None:
    unknown, wrong = login(fresh, "nobody"), login(fresh, "inspector", "not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["detail"] == wrong.json()["detail"]


def test_a_disabled_account_loses_its_tokens_and_sessions(fresh) -> None:
    assert login(fresh, "evaluator").status_code == 200
    fresh.app.state.accounts.disable("evaluator")
    assert fresh.client.get("/api/v1/auth/me").status_code == 401
    assert fresh.request("evaluator", "GET", "/api/v1/auth/me").status_code == 401
    assert login(fresh, "evaluator").status_code == 401


def test_tokens_are_stored_hashed(fresh) -> None:
    from sqlalchemy import select

    from hazard_rules.workflow.store.schema import credentials, users

    with fresh.ledger.engine.connect() as conn:
        stored = set(conn.execute(select(credentials.c.secret_hash)).scalars())
        hashes = list(conn.execute(select(users.c.password_hash)).scalars())
    assert not stored & set(fresh.tokens.values())
    assert all(h.startswith("$argon2id$") for h in hashes) and PASSWORD not in "".join(hashes)


def test_the_actor_comes_from_the_account_never_from_the_body(fresh) -> None:
    fresh.intake("inspector", fresh.copy_of(MAJOR, "F-ACTOR-1"))
    before = fresh.events()
    for extra in ({"actor": "冒名者"}, {"role": "DEPT"}, {"organisation": "x"}, {"org_code": "37"}):
        smuggled = fresh.request("evaluator", "POST", "/api/v1/hazards/F-ACTOR-1/steps",
                                 json={"action": "classify_major", "fields": {"interim_controls": "停用"}, **extra})
        assert smuggled.status_code == 422 and smuggled.json()["code"] == "E501", smuggled.text
    assert fresh.events() == before
    done = fresh.request("dept_wf", "POST", "/api/v1/hazards/F-ACTOR-1/steps",
                         json={"action": "classify_major", "fields": {"interim_controls": "停用"}})
    assert done.status_code == 200, done.text
    event = fresh.request("dept_wf", "GET", "/api/v1/hazards/F-ACTOR-1/history").json()[-1]
    assert (event["actor"], event["role"], event["organisation"], event["org_code"], event["department"]) == \
        ("dept_wf的名字", "DEPT", "潍坊市应急管理局", "3707", "应急管理")
    assert event["at"].startswith(NOW.date().isoformat())
    registered = fresh.request("dept_wf", "GET", "/api/v1/hazards/F-ACTOR-1/history").json()[0]
    assert registered["actor"] == "inspector的名字" and registered["role"] == "INSPECTOR"


def test_a_stale_version_is_a_conflict_and_writes_nothing(fresh) -> None:
    fresh.intake("inspector", fresh.copy_of(MAJOR, "F-VERSION-1"))
    before = fresh.events()
    stale = fresh.request("dept_wf", "POST", "/api/v1/hazards/F-VERSION-1/steps",
                          json={"action": "classify_major", "fields": {"interim_controls": "停用"},
                                "expected_version": 7})
    assert stale.status_code == 409 and stale.json()["code"] == "E603", stale.text
    assert fresh.events() == before


@pytest.mark.parametrize(("role", "extra", "message"), [
    ("NOBODY", {}, "未知角色"),
    ("DEPT", {"org_code": "3707"}, "须说明是哪个部门"),
    ("DEPT", {"department": "应急管理"}, "行政区划代码"),
    ("ENT_SAFETY", {}, "enterprise id"),
    ("INSPECTOR", {"enterprise_id": "X"}, "不代表企业行事"),
])
def test_an_account_must_say_what_its_role_acts_for(fresh, role, extra, message) -> None:
    with pytest.raises(AccountError, match=message):
        fresh.app.state.accounts.add("new", PASSWORD, name="新", role=role, organisation="某", at=NOW, **extra)


def test_an_enterprise_account_cannot_register_a_finding_without_its_enterprise(fresh) -> None:
    record = fresh.copy_of(MAJOR, "F-NO-ENTERPRISE")
    del record["enterprise"]
    before = fresh.events()
    response = fresh.request("ent_zc", "POST", "/api/v1/hazards", json={"records": [record]})
    assert response.status_code == 200 and response.json()["refused"] == 1, response.text
    assert response.json()["items"][0]["error"]["code"] == "E633"
    assert fresh.events() == before
