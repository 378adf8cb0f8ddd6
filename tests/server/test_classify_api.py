"""POST /api/v1/classify and /classify/batch answer what `hazard-rules check --format json`
writes for the same records: the verdicts (the same JSON values) and, for a bad record, the
error the CLI reports on stderr."""

from __future__ import annotations

import json

import pytest

from ..conftest import EXAMPLES, run_cli
from .conftest import RECORDS, make_server

BAD = {"id": "BAD-1", "date": "not a date", "facts": {}}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    client, tokens = make_server(f"sqlite:///{tmp_path_factory.mktemp('classify') / 'ledger.sqlite'}")
    with client:
        client.headers["Authorization"] = f"Bearer {tokens['inspector']}"
        yield client


@pytest.fixture(scope="module")
def cli_verdicts() -> list[dict]:
    result = run_cli("check", str(EXAMPLES / "inspections.jsonl"), "--format", "json")
    return json.loads(result.stdout)


def test_batch_equals_the_cli(client, cli_verdicts) -> None:
    answer = client.post("/api/v1/classify/batch", json={"records": [*RECORDS[:3], BAD, *RECORDS[3:]]})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert body["verdicts"] == cli_verdicts
    (error,) = body["errors"]
    assert error["record"] == 4 and "'date' is not a date" in error["message"]


@pytest.mark.parametrize("index", [0, 5, 12])
def test_one_equals_the_cli(client, cli_verdicts, index: int) -> None:
    answer = client.post("/api/v1/classify", json=RECORDS[index], params={"scope": "finding"})
    assert answer.status_code == 200
    assert answer.json() == cli_verdicts[index]


def test_an_empty_batch(client) -> None:
    assert client.post("/api/v1/classify/batch", json={"records": []}).json() == {"verdicts": [], "errors": []}
