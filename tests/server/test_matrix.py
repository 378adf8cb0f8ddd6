"""Every endpoint × every account: allowed or refused as the roles say, and nothing written
when refused (events counted before and after). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools

import pytest

from .conftest import BY_ID, MAJOR, USERS

EVERYONE = frozenset(USERS)
OUTSIDERS = frozenset({"dept_qd", "ent_qd", "boss_qd"})   # not 潍坊's area, not 诸城's enterprise
SEES_MAJOR = EVERYONE - OUTSIDERS
REGISTERS = frozenset({"inspector", "dept_wf", "ent_zc", "boss_zc", "system"})
CLASSIFIES_MAJOR = frozenset({"dept_wf", "boss_zc", "evaluator"})
STATISTICS = frozenset({"dept_wf", "dept_qd", "sab_wf", "system"})
VERIFIES = frozenset({"sab_wf", "system"})
fresh = itertools.count(1)

# name: (method, path, request body or None, who is allowed, writes)
READS = {
    "me": ("GET", "/api/v1/auth/me", None, EVERYONE),
    "classify": ("POST", "/api/v1/classify", {"json": BY_ID[MAJOR]}, EVERYONE),
    "classify_batch": ("POST", "/api/v1/classify/batch", {"json": {"records": [BY_ID[MAJOR]]}}, EVERYONE),
    "suggest": ("GET", "/api/v1/suggest?text=干式除尘器未设泄爆装置", None, EVERYONE),
    "rules_list": ("GET", "/api/v1/rules", None, EVERYONE),
    "rules_show": ("GET", "/api/v1/rules/GM2023-11-3", None, EVERYONE),
    "hazards": ("GET", "/api/v1/hazards?limit=5", None, EVERYONE),
    "hazard": ("GET", f"/api/v1/hazards/{MAJOR}", None, SEES_MAJOR),
    "allowed_steps": ("GET", f"/api/v1/hazards/{MAJOR}/steps", None, SEES_MAJOR),
    "history": ("GET", f"/api/v1/hazards/{MAJOR}/history", None, SEES_MAJOR),
    "overdue": ("GET", "/api/v1/overdue", None, EVERYONE),
    "stats": ("GET", "/api/v1/stats?by=industry", None, STATISTICS),
    "stats_series": ("GET", "/api/v1/stats/series?step=week", None, STATISTICS),
    "export": ("GET", "/api/v1/export?what=breakdown&format=xlsx", None, STATISTICS),
    "verify": ("GET", "/api/v1/verify", None, VERIFIES),
    "graph": ("GET", "/api/v1/ledger/graph?format=dot", None, EVERYONE),
}
TICKS = frozenset({"system"})
SIGNS_STATISTICS = frozenset({"boss_zc", "boss_qd"})   # ENT_PRINCIPAL
CASES = [(name, user) for name in READS for user in USERS]


@pytest.mark.parametrize(("name", "user"), CASES)
def test_read(server, name, user) -> None:
    method, path, body, allowed = READS[name]
    before = server.events()
    response = server.request(user, method, path, **(body or {}))
    if user in allowed:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] in ("E633", "E602")
    assert server.events() == before  # reading writes nothing


@pytest.mark.parametrize("user", USERS)
def test_intake(server, user) -> None:
    record = server.copy_of(MAJOR, f"F-INTAKE-{user}-{next(fresh)}")
    before = server.events()
    response = server.request(user, "POST", "/api/v1/hazards", json={"records": [record]})
    if user in REGISTERS:
        assert response.status_code == 200 and response.json()["created"] == 1, response.text
        assert server.events() == before + 1
        return
    if response.status_code == 200:  # checked record by record: outside the area, another enterprise's
        assert response.json()["refused"] == 1 and response.json()["created"] == 0, response.text
        assert response.json()["items"][0]["error"]["code"] in ("E602", "E633")
    else:  # a role that may not register at all is refused before any record is read
        assert response.status_code == 403 and response.json()["code"] == "E602", response.text
    assert server.events() == before


@pytest.mark.parametrize("user", USERS)
def test_step(server, user) -> None:
    hazard_id = f"F-STEP-{user}-{next(fresh)}"
    server.intake("inspector", server.copy_of(MAJOR, hazard_id))
    before = server.events()
    response = server.request(user, "POST", f"/api/v1/hazards/{hazard_id}/steps",
                              json={"action": "classify_major", "fields": {"interim_controls": "停用速冻间"}})
    if user in CLASSIFIES_MAJOR:
        assert response.status_code == 200 and response.json()["state"] == "MAJOR_CONFIRMED", response.text
        assert server.events() == before + 1
    else:
        assert response.status_code == 403 and response.json()["code"] in ("E602", "E633"), response.text
        assert server.events() == before


@pytest.mark.parametrize("user", USERS)
def test_tick(server, user) -> None:
    before = server.events()
    response = server.request(user, "POST", "/api/v1/ledger/tick")
    if user in TICKS:
        assert response.status_code == 200 and response.json()["count"] == len(response.json()["recorded"])
        assert server.events() == before + response.json()["count"]
    else:
        assert response.status_code == 403 and response.json()["code"] == "E633", response.text
        assert server.events() == before


@pytest.mark.parametrize("user", USERS)
def test_statistics_submission(server, user) -> None:
    """Only a 主要负责人 gets past who may sign; here the ledger then refuses (E622): every
    hazard was registered after 2026Q1 ended, so no enterprise owes that table
    (test_operations.py records one)."""
    response = server.request(user, "POST", "/api/v1/stats/submissions", json={"period": "2026Q1"})
    assert response.status_code == 403, response.text
    if user in SIGNS_STATISTICS:
        assert response.json()["code"] == "E622" and "owes no table" in response.json()["detail"], response.text
    else:
        assert response.json()["code"] == "E633", response.text


@pytest.mark.parametrize("name", [*READS, "intake", "step", "logout", "tick", "submit_statistics"])
def test_anonymous_callers_are_refused(server, name) -> None:
    method, path, body, _ = READS.get(name) or {
        "intake": ("POST", "/api/v1/hazards", {"json": {"records": [BY_ID[MAJOR]]}}, None),
        "step": ("POST", f"/api/v1/hazards/{MAJOR}/steps", {"json": {"action": "void", "fields": {"reason": "x"}}},
                 None),
        "logout": ("POST", "/api/v1/auth/logout", None, None),
        "tick": ("POST", "/api/v1/ledger/tick", None, None),
        "submit_statistics": ("POST", "/api/v1/stats/submissions", {"json": {"period": "2026Q1"}}, None)}[name]
    before = server.events()
    response = server.request(None, method, path, **(body or {}))
    assert response.status_code == 401 and response.json()["code"] == "E632", response.text
    assert server.events() == before


@pytest.mark.parametrize("user", USERS)
def test_every_listed_hazard_is_one_the_account_may_see(server, user) -> None:
    seen = server.request(user, "GET", "/api/v1/hazards?limit=500").json()["items"]
    assert seen, user
    for hazard in seen:
        assert server.request(user, "GET", f"/api/v1/hazards/{hazard['id']}").status_code == 200
    if user in ("ent_zc", "boss_zc", "worker_zc"):
        assert {h["enterprise_id"] for h in seen} == {BY_ID[MAJOR]["enterprise"]["id"]}
    if user == "dept_qd":
        assert {h["jurisdiction"][:4] for h in seen} == {"3702"}


@pytest.mark.parametrize(("user", "actions"), [
    ("dept_wf", {"classify_major", "void", "report_up", "suspend"}),   # not resume: is_suspended refuses it
    ("boss_zc", {"classify_major"}),
    ("ent_zc", set()),       # not void: an enterprise cannot void a major hazard (a guard on the state)
    ("evaluator", {"classify_major"}),
    ("sab_wf", {"report_up"}),
    ("worker_zc", set()),
    ("inspector", set()),
])
def test_the_steps_offered_are_the_ones_the_account_may_take(server, user, actions) -> None:
    offered = server.request(user, "GET", f"/api/v1/hazards/{MAJOR}/steps").json()
    assert {step["action"] for step in offered} == actions
    for step in offered:
        if step["action"] == "classify_major":
            assert step["requires"] == ["interim_controls"] and step["to"] == "MAJOR_CONFIRMED"
