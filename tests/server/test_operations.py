"""`ledger tick`, `ledger graph` and `ledger stats submit` over HTTP, on SQLite and PostgreSQL:
the same service functions as the command line, with the clock moved on between steps (the
app reads it from its settings), and the answers the CLI gives for the same ledger."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from hazard_rules.cli.main import cli as hazard_rules

from .conftest import BY_ID, MAJOR, NOW, ZC, Server, make_server

T1 = NOW - dt.timedelta(days=150)        # 2026-01-02: the hazard is found and confirmed major


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('operations') / 'ledger.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database()
    clock = [T1]
    client, tokens = make_server(url, clock=lambda: clock[0])
    with client:
        srv = Server(client, tokens)
        srv.clock, srv.url = clock, url
        srv.intake("inspector", BY_ID[MAJOR])
        step = srv.request("dept_wf", "POST", f"/api/v1/hazards/{MAJOR}/steps",
                           json={"action": "classify_major", "fields": {"interim_controls": "停用速冻间"}})
        assert step.status_code == 200, step.text
        yield srv
    if request.param == "postgresql":
        request.getfixturevalue("postgres_server").drop_database(url)


def cli(*args: str) -> str:
    result = CliRunner().invoke(hazard_rules, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_tick_records_the_escalations_due_once(server) -> None:
    server.clock[0] = T1
    assert server.request("system", "POST", "/api/v1/ledger/tick").json() == {"recorded": [], "count": 0}
    server.clock[0] = T1 + dt.timedelta(days=60)         # the 双报告 deadline long passed
    before = server.events()
    first = server.request("system", "POST", "/api/v1/ledger/tick").json()
    assert first["count"] >= 1 and server.events() == before + first["count"], first
    assert {row["hazard_id"] for row in first["recorded"]} == {MAJOR}
    assert {row["timer"] for row in first["recorded"]} == {"report_due"}
    history = server.request("dept_wf", "GET", f"/api/v1/hazards/{MAJOR}/history").json()
    escalations = [e for e in history if e["action"] == "escalate"]
    assert [(e["fields"]["step"], e["actor"], e["role"]) for e in escalations] == \
        [(row["step"], "tick", "SYSTEM") for row in first["recorded"]]
    # idempotent, over HTTP and from the command line on the same ledger
    assert server.request("system", "POST", "/api/v1/ledger/tick").json()["count"] == 0
    assert cli("ledger", "tick", "--db", server.url, "--now", server.clock[0].isoformat()) == ""
    assert server.events() == before + first["count"]


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_the_graph_is_the_one_the_cli_draws(server, fmt) -> None:
    response = server.request("worker_zc", "GET", f"/api/v1/ledger/graph?format={fmt}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert response.text == cli("ledger", "graph", "--format", fmt)
    assert "REPORT_VERIFYING" in response.text
    wrong = server.request("worker_zc", "GET", "/api/v1/ledger/graph?format=png")
    assert wrong.status_code == 422 and wrong.json()["code"] == "E501"


def test_the_principal_submits_the_enterprise_statistics(server) -> None:
    server.clock[0] = dt.datetime(2026, 4, 10, 10, 0, tzinfo=NOW.tzinfo)     # 2026Q1 has ended
    before = server.events()
    first = server.request("boss_zc", "POST", "/api/v1/stats/submissions", json={"period": "2026Q1"})
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["created"], body["enterprise_id"], body["period"], body["signed_by"]) == \
        (True, ZC, "2026Q1", "boss_zc的名字")
    assert body["due"] == "2026-04-15" and body["late"] is False and len(body["digest"]) == 64
    assert body["table"]["enterprise_id"] == ZC and body["table"]["period"] == "2026Q1"
    again = server.request("boss_zc", "POST", "/api/v1/stats/submissions", json={"period": "2026Q1"}).json()
    assert again["created"] is False and again["digest"] == body["digest"]
    # the command line records the same table for the same enterprise: the same submission
    printed = json.loads(cli("ledger", "stats", "submit", ZC, "--db", server.url, "--period", "2026Q1",
                             "--by", "boss_zc的名字", "--as", "ENT_PRINCIPAL", "--now", server.clock[0].isoformat(),
                             "--format", "json"))
    assert set(printed) == set(body) and printed["digest"] == body["digest"] and printed["created"] is False
    assert server.events() == before      # a submission is not a ledger event

    for period, code in [("2026Q2", "E622"), ("2026Q5", "E621")]:   # not ended; not a period
        refused = server.request("boss_zc", "POST", "/api/v1/stats/submissions", json={"period": period})
        assert refused.json()["code"] == code, refused.text
    other = server.request("boss_zc", "POST", "/api/v1/stats/submissions",
                           json={"period": "2026Q1", "enterprise_id": "91370281MA3R2W6G48"})
    assert other.status_code == 422, other.text      # the enterprise is the account's, not the body's
