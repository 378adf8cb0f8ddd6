"""A small load against real servers (issue 14): `hazard-rules serve` processes on 127.0.0.1,
concurrent clients racing on the same hazards and stepping on their own, reads in between,
then the database audited against every answer (benchmarks/load.py: `run_load`, `audit`).

Two server processes share each database, as two workers would: on SQLite the file's lock
serialises their writes across processes, on PostgreSQL the hazard row's lock. Timings are
printed (and written to $HAZARD_RULES_LOAD_JSON when set), never asserted."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from load import audit, measures, run_load, table  # noqa: E402

CLIENTS, OPS, RACES = 8, 25, 6


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        yield "sqlite", f"sqlite:///{tmp_path / 'load.sqlite'}"
        return
    server = request.getfixturevalue("postgres_server")
    url = server.create_database()
    yield "postgresql", url
    server.drop_database(url)


def test_concurrent_clients_lose_and_duplicate_nothing(database, tmp_path) -> None:
    backend, url = database
    run = run_load(url, backend, clients=CLIENTS, ops=OPS, own=2, hot=2, races=RACES, fresh=4, servers=2,
                   log_dir=tmp_path)
    checked = audit(url, run)
    numbers = measures(run, checked)
    print("\n" + table([numbers]))
    if os.environ.get("HAZARD_RULES_LOAD_JSON"):
        path = Path(os.environ["HAZARD_RULES_LOAD_JSON"])
        earlier = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
        path.write_text(json.dumps([*earlier, numbers], indent=2), encoding="utf-8")

    assert checked.problems == []
    # Every barrier round: all clients sent the same step expecting the same version; one won.
    for number in range(RACES):
        answers = Counter(a.status for a in run.attempts if a.race == number)
        assert answers == {200: 1, 409: CLIENTS - 1}, (number, answers)
    statuses = Counter(a.status for a in run.attempts)
    assert set(statuses) == {200, 409} and statuses[200] >= RACES
    assert checked.events == len(run.hazards) + statuses[200]
    # verify answered during the load and at the end, as SYSTEM and as SAFETY_COMMITTEE
    assert {"final verify as system", "final verify as committee", "verify"} <= {w for w, _ in checked.verify_http}
    assert checked.verify_ledger == []

    # ... and everyone registered the same new findings at once: each was created once
    assert len(run.intakes) == CLIENTS and all(i.status == 200 for i in run.intakes)
    assert sorted(h for i in run.intakes for h in i.created) == sorted(run.fresh)

    # The audit can fail: an answer claiming a step the database does not hold, or a step no
    # answer accounts for, is reported.
    won = next(a for a in run.attempts if a.status == 200)
    invented = dataclasses.replace(won, version=(won.version or 0) + 100, expected=won.expected + 100)
    kept = list(run.attempts)
    run.attempts.append(invented)
    assert any(p.startswith(f"{won.hazard}: ") and "events, but" in p for p in audit(url, run).problems)
    run.attempts[:] = [a for a in kept if a is not won]
    assert any(p.startswith(f"{won.hazard}: ") and "events, but" in p for p in audit(url, run).problems)
