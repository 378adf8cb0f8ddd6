"""An app per database (SQLite and the PostgreSQL server tests/postgres_server.py starts), with
one account per kind of caller and the bundled examples registered by the inspector."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed")  # `make test` installs it

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from hazard_rules.server.app import create_app  # noqa: E402
from hazard_rules.server.settings import ServerSettings  # noqa: E402
from hazard_rules.workflow.service import accounts as accounts_module  # noqa: E402
from hazard_rules.workflow.service.accounts import Accounts  # noqa: E402
from hazard_rules.workflow.store.schema import events  # noqa: E402

from ..conftest import EXAMPLES  # noqa: E402
from ..workflow.conftest import db_url, postgres_server  # noqa: E402, F401 (fixtures)

# Cheap hashes: the tests add dozens of accounts (the service keeps argon2-cffi's defaults).
accounts_module.ARGON2.update(time_cost=1, memory_cost=1024, parallelism=1)
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PASSWORD = "correct horse battery"
RECORDS = [json.loads(line) for line in (EXAMPLES / "inspections.jsonl").read_text(encoding="utf-8").splitlines()]
BY_ID = {r["id"]: r for r in RECORDS}
MAJOR = "F-2025-000219"          # major, 诸城 (370782, in 潍坊 3707), enterprise ZC
ZC, QD = "91370782MA3MQ5T81A", "91370281MA3R2W6G48"   # 诸城某食品, 青岛港联 (370281, in 青岛 3702)

# username: (role, organisation, org_code, department, enterprise)
ACCOUNTS = {
    "inspector": ("INSPECTOR", "某检查机构", None, None, None),
    "dept_wf": ("DEPT", "潍坊市应急管理局", "3707", "应急管理", None),
    "dept_qd": ("DEPT", "青岛市应急管理局", "3702", "应急管理", None),
    "sab_wf": ("SAFETY_COMMITTEE", "潍坊市安委会办公室", "3707", None, None),
    "ent_zc": ("ENT_SAFETY", "诸城市华瑞食品有限公司", None, None, ZC),
    "boss_zc": ("ENT_PRINCIPAL", "诸城市华瑞食品有限公司", None, None, ZC),
    "worker_zc": ("ENT_ASSIGNEE", "诸城市华瑞食品有限公司", None, None, ZC),
    "ent_qd": ("ENT_SAFETY", "青岛港联冷链物流有限公司", None, None, QD),
    "boss_qd": ("ENT_PRINCIPAL", "青岛港联冷链物流有限公司", None, None, QD),
    "evaluator": ("EVALUATOR", "某安全评价公司", None, None, None),
    "system": ("SYSTEM", "市平台", None, None, None),
}
USERS = list(ACCOUNTS)


class Server:
    """A TestClient over one app, a bearer token per account, and the ledger to count events."""

    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens
        self.app = client.app

    @property
    def ledger(self):
        return self.app.state.ledger

    def as_(self, user: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}

    def request(self, user: str | None, method: str, path: str, **kwargs):
        return self.client.request(method, path, headers={**self.as_(user), **kwargs.pop("headers", {})}, **kwargs)

    def events(self) -> int:
        with self.ledger.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(events)).scalar()

    def intake(self, user: str, *records: dict) -> dict:
        response = self.request(user, "POST", "/api/v1/hazards", json={"records": list(records)})
        assert response.status_code == 200, response.text
        return response.json()

    def copy_of(self, finding_id: str, new_id: str) -> dict:
        record = copy.deepcopy(BY_ID[finding_id])
        record["id"] = new_id
        return record


def add_accounts(accounts: Accounts) -> dict[str, str]:
    tokens = {}
    for username, (role, org, code, dept, ent) in ACCOUNTS.items():
        accounts.add(username, PASSWORD, name=f"{username}的名字", role=role, organisation=org, at=NOW,
                     org_code=code, department=dept, enterprise_id=ent)
        tokens[username] = accounts.issue_token(username, "tests", NOW)
    return tokens


def make_server(url: str, **settings) -> tuple[TestClient, dict[str, str]]:
    app = create_app(ServerSettings(**{"db_url": url, "clock": lambda: NOW, **settings}))
    client = TestClient(app)
    return client, add_accounts(app.state.accounts)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    """One app per backend for a module (accounts hash slowly, on purpose); the examples are
    registered by the inspector. Tests that write use hazards of their own (`copy_of`)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('server') / 'ledger.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database()
    client, tokens = make_server(url)
    with client:
        srv = Server(client, tokens)
        srv.intake("inspector", *RECORDS)
        yield srv
    if request.param == "postgresql":
        request.getfixturevalue("postgres_server").drop_database(url)


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """The console's pages over one SQLite app for a module, the examples registered."""
    client, tokens = make_server(f"sqlite:///{tmp_path_factory.mktemp('console') / 'ledger.sqlite'}")
    with client:
        srv = Server(client, tokens)
        srv.intake("inspector", *RECORDS)
        yield srv


def sign_in(console: Server, username: str):
    """Sign in through the console's form (the session cookie stays on the client)."""
    console.client.cookies.clear()
    return console.client.post("/console/login", data={"username": username, "password": PASSWORD},
                               follow_redirects=False)

