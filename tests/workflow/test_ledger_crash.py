"""Crashes and concurrency, with real processes, on SQLite and on a real PostgreSQL.

* SIGKILL mid-intake: `hazard-rules ledger intake` of thousands of findings is killed at
  random points while it writes, and once, deterministically, INSIDE a transaction (after
  the event is inserted, before the hazard row is written). Each time the database must be
  consistent: `verify()` finds nothing, every hazard has exactly `version` events, no event
  lacks its hazard row and no hazard lacks its events. Re-running the intake then registers
  the rest, each finding exactly once.
* Concurrent steps on one hazard from separate processes (CLI subprocesses, and
  multiprocessing workers released together by a barrier): every step is recorded, or
  refused (a conflict, exit code 4, or — once another step changed the state — an illegal
  step), and none is lost: successes == new events, and the new events form a legal chain.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import queue
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from hazard_rules import Finding, load_rulesets
from hazard_rules.workflow.domain.machine import load_machine
from hazard_rules.workflow.service.ledger import ConflictError, Ledger, StepRefused

from ..conftest import EXAMPLES, ROOT

MACHINE = load_machine()
RECORDS = [json.loads(line) for line in (EXAMPLES / "inspections.jsonl").read_text(encoding="utf-8").splitlines()]
NOW = "2025-03-11T09:00+08:00"
T0 = dt.datetime.fromisoformat(NOW)
MAJOR = "F-2025-000219"
ENT, DEPT_ORG = "某食品有限公司", "潍坊市应急管理局"
# A department acts for an area and is one of the departments responsible for the hazard
# (machine.yaml `acting`): MAJOR is in 诸城市 (370782), within the city 潍坊 (3707), and its
# gongmao industries route it to 应急管理.
DEPT_ACTING = {"org_code": "3707", "department": "应急管理"}
DEPT_ARGS = ["--org-code", DEPT_ACTING["org_code"], "--department", DEPT_ACTING["department"]]
PLAN = dict.fromkeys(["targets", "methods", "funds", "organisation", "time_limit", "safety_measures"], "x")
ENV = dict(os.environ, PYTHONIOENCODING="utf-8", NO_COLOR="1", TERM="dumb")


def write_findings(path: Path, count: int) -> Path:
    """`count` findings: the examples repeated, each copy with its own id."""
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            record = RECORDS[number % len(RECORDS)]
            out.write(json.dumps({**record, "id": f"{record['id']}-{number:06d}"}, ensure_ascii=False) + "\n")
    return path


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "hazard_rules", *args]


def intake_args(findings: Path, db_url: str) -> list[str]:
    return ["ledger", "intake", str(findings), "--db", db_url, "--by", "王检查", "--org", DEPT_ORG, "--now", NOW]


def hazard_count(db_url: str) -> int:
    """Committed hazards, read by a plain connection (0 before the schema exists)."""
    engine = create_engine(db_url, poolclass=NullPool,
                           connect_args={"timeout": 60} if db_url.startswith("sqlite") else {})
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM hazards")).scalar_one()
    except Exception:  # noqa: BLE001 - no schema yet (or a locked file for a moment): not there yet
        return 0
    finally:
        engine.dispose()


def assert_consistent(db_url: str) -> int:
    """The database after a crash: verified, no half-written hazard. Returns the hazard count."""
    with Ledger.open(db_url) as book:
        assert book.verify() == []
        with book.engine.connect() as conn:
            mismatched = conn.execute(text(
                "SELECT h.id, h.version, count(e.seq) AS events FROM hazards h LEFT JOIN events e "
                "ON e.hazard_id = h.id GROUP BY h.id, h.version HAVING count(e.seq) <> h.version")).all()
            orphans = conn.execute(text(
                "SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM hazards h WHERE h.id = e.hazard_id)"
            )).scalar_one()
            hazards = conn.execute(text("SELECT count(*) FROM hazards")).scalar_one()
            events = conn.execute(text("SELECT count(*) FROM events")).scalar_one()
    assert mismatched == [], f"hazards whose version is not their number of events: {mismatched[:5]}"
    assert orphans == 0, f"{orphans} events without a hazard row"
    assert events == hazards, "intake writes exactly one event per hazard"
    return hazards


def intake_summary(stdout: str) -> tuple[int, int]:
    found = re.match(r"(\d+) hazards registered, (\d+) already in the ledger", stdout)
    assert found, stdout
    return int(found[1]), int(found[2])


# ---------------------------------------------------------------------------- SIGKILL mid-intake
def test_sigkill_mid_intake_leaves_a_consistent_ledger(db_url: str, tmp_path: Path) -> None:
    total = 3000
    findings = write_findings(tmp_path / "findings.jsonl", total)
    rng = random.Random(20250311)
    registered = inside = 0
    for threshold in (150, 900, 1800):           # three runs, each killed once it has gone past this
        process = subprocess.Popen(cli(*intake_args(findings, db_url)), cwd=ROOT, env=ENV,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 240
            while hazard_count(db_url) < threshold:
                assert process.poll() is None, f"intake ended before it was killed: {process.stderr.read()!r}"
                assert time.monotonic() < deadline, "intake made no progress"
                time.sleep(0.02)
            time.sleep(rng.uniform(0, 0.05))     # land anywhere: between findings or inside a transaction
            assert process.poll() is None, "intake finished before it could be killed"
            os.kill(process.pid, signal.SIGKILL)
            assert process.wait(timeout=60) == -signal.SIGKILL
            if db_url.startswith("sqlite"):     # a hot journal: the kill landed inside a transaction
                journal = Path(db_url.removeprefix("sqlite:///") + "-journal")
                inside += journal.exists() and journal.stat().st_size > 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            process.stderr.close()
        now_registered = assert_consistent(db_url)
        assert registered < now_registered < total
        registered = now_registered

    done = subprocess.run(cli(*intake_args(findings, db_url)), cwd=ROOT, env=ENV, capture_output=True, text=True,
                          encoding="utf-8", timeout=600)
    assert done.returncode == 0, done.stderr
    created, existing = intake_summary(done.stdout)
    assert (created, existing) == (total - registered, registered)
    assert assert_consistent(db_url) == total
    if db_url.startswith("sqlite"):
        print(f"{inside} of 3 kills left a hot SQLite journal (they landed inside a transaction)")


# A child that runs the real CLI, but stops for good inside a write transaction: right after
# the event row of its PAUSE_AT-th write is inserted and before the hazard row is written.
PAUSING_CHILD = """
import sys, time
import hazard_rules.workflow.store.repository as repository
pause_at, calls, original = int(sys.argv[1]), [0], repository.hazard_row
def hazard_row(state):
    calls[0] += 1
    if calls[0] == pause_at:
        print("PAUSED", state.id, state.version, flush=True)
        time.sleep(3600)
    return original(state)
repository.hazard_row = hazard_row
from hazard_rules.cli.main import main
sys.argv = ["hazard-rules", *sys.argv[2:]]
main()
"""


def run_until_paused(pause_at: int, *args: str) -> tuple[subprocess.Popen, str, int]:
    process = subprocess.Popen([sys.executable, "-c", PAUSING_CHILD, str(pause_at), *args], cwd=ROOT, env=ENV,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    line = process.stdout.readline()
    if not line.startswith("PAUSED"):
        process.kill()
        pytest.fail(f"the child did not pause: {line!r} {process.stderr.read()}")
    _, hazard_id, version = line.split()
    return process, hazard_id, int(version)


def kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL
    process.stdout.close()
    process.stderr.close()


def test_sigkill_inside_an_intake_transaction_leaves_no_half_written_hazard(db_url: str, tmp_path: Path) -> None:
    total = 200
    findings = write_findings(tmp_path / "findings.jsonl", total)
    process, half_written, _ = run_until_paused(40, *intake_args(findings, db_url))
    kill(process)
    assert assert_consistent(db_url) == 39
    with Ledger.open(db_url) as book:
        assert book.find(half_written) is None
        with book.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM events WHERE hazard_id = :id"),
                                {"id": half_written}).scalar_one() == 0
    done = subprocess.run(cli(*intake_args(findings, db_url)), cwd=ROOT, env=ENV, capture_output=True, text=True,
                          encoding="utf-8", timeout=600)
    assert done.returncode == 0, done.stderr
    assert intake_summary(done.stdout) == (total - 39, 39)
    assert assert_consistent(db_url) == total


def _major_in_rectification(db_url: str) -> None:
    record = next(r for r in RECORDS if r["id"] == MAJOR)
    with Ledger.open(db_url) as book:
        book.register(Finding.model_validate(record), load_rulesets().classify(record), actor="王检查",
                      role="INSPECTOR", organisation=ENT, at=T0)
        for action, fields in [("classify_major", {"interim_controls": "停用速冻间"}),
                               ("report_double", {"report": "r", "receipt_department": "a",
                                                  "receipt_workers_congress": "b"}),
                               ("file_plan", {"plan": PLAN, "rectify_due": "2025-12-31"}),
                               ("start", {})]:
            book.step(MAJOR, action, actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=T0, fields=fields)


def test_sigkill_inside_a_step_transaction_leaves_the_hazard_as_it_was(db_url: str) -> None:
    _major_in_rectification(db_url)
    with Ledger.open(db_url) as book:
        before, history = book.get(MAJOR), book.history(MAJOR)
    process, hazard_id, version = run_until_paused(
        1, "ledger", "step", MAJOR, "report_progress", "--as", "ENT_PRINCIPAL", "--by", "张", "--org", ENT,
        "--field", "progress=进展", "--now", "2025-03-12T09:00+08:00", "--db", db_url)
    assert (hazard_id, version) == (MAJOR, before.version + 1)
    kill(process)
    assert_consistent_after_steps(db_url)
    with Ledger.open(db_url) as book:
        assert book.get(MAJOR) == before and book.history(MAJOR) == history


def assert_consistent_after_steps(db_url: str) -> None:
    with Ledger.open(db_url) as book:
        assert book.verify() == []
        for hazard in book.hazards():
            assert [e.n for e in book.history(hazard.id)] == list(range(1, hazard.version + 1))


# ---------------------------------------------------------------------------- concurrent steps
def assert_legal_chain(events: list) -> None:
    """Each event continues from the one before and is a transition the machine allows."""
    for before, after in zip(events, events[1:]):
        assert after.from_state == before.to_state and after.n == before.n + 1 and after.prev_hash == before.hash
        transition = MACHINE.transition(after.action)
        assert after.from_state in transition.from_ and after.role in transition.roles
        assert after.to_state == transition.target(after.from_state)


def test_concurrent_cli_steps_from_processes_are_all_recorded_or_refused(db_url: str) -> None:
    _major_in_rectification(db_url)
    processes = [subprocess.Popen(cli("ledger", "step", MAJOR, "report_progress", "--as", "ENT_PRINCIPAL", "--by", "张",
                                      "--org", ENT, "--field", f"progress=第{number}次进展", "--now",
                                      "2025-03-12T09:00+08:00", "--db", db_url),
                                  cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  encoding="utf-8")
                 for number in range(6)]
    outcomes = {}
    for number, process in enumerate(processes):
        out, err = process.communicate(timeout=300)
        assert process.returncode in (0, 4), (process.returncode, err)
        assert "Traceback" not in err
        outcomes[number] = process.returncode
    with Ledger.open(db_url) as book:
        history = book.history(MAJOR)
        assert book.verify() == []
    recorded = [e.fields["progress"] for e in history[5:]]
    assert sorted(recorded) == sorted(f"第{n}次进展" for n, code in outcomes.items() if code == 0)
    assert len(history) == 5 + list(outcomes.values()).count(0)
    assert_legal_chain(history)


def test_conditional_steps_from_processes_exactly_one_wins(db_url: str) -> None:
    """Conflicting steps, all made on the version the users saw (--expect-version): exactly
    one is recorded, every other exits 4 (conflict) and writes nothing."""
    _major_in_rectification(db_url)
    steps = [          # action, role, organisation, --field items, acting options
        ("report_progress", "ENT_PRINCIPAL", ENT, ["progress=进展"]),
        ("complete_and_assess", "EVALUATOR", "某评价公司", ["assessment_by=agency", "assessment_report=报告"]),
        ("request_extension", "ENT_PRINCIPAL", ENT,
         ["reason=延期", "interim_controls=限员", "proposed_due=2026-03-31"]),
        ("void", "DEPT", DEPT_ORG, ["reason=重复登记"]),
        ("suspend", "DEPT", DEPT_ORG, ["suspension.scope=速冻间", "suspension.order=责令停用"]),
        ("report_progress", "ENT_PRINCIPAL", ENT, ["progress=又一次进展"]),
    ]
    processes = []
    for action, role, org, fields in steps:
        args = ["ledger", "step", MAJOR, action, "--as", role, "--by", f"{role}-人员", "--org", org,
                *(DEPT_ARGS if role == "DEPT" else []),
                "--expect-version", "5", "--now", "2025-03-12T09:00+08:00", "--db", db_url]
        for item in fields:
            args += ["--field", item]
        processes.append(subprocess.Popen(cli(*args), cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True, encoding="utf-8"))
    codes = []
    for process in processes:
        _, err = process.communicate(timeout=300)
        codes.append(process.returncode)
        assert process.returncode in (0, 4), err
        if process.returncode == 4:
            assert "E603" in err and "Traceback" not in err
    assert codes.count(0) == 1, codes
    with Ledger.open(db_url) as book:
        history = book.history(MAJOR)
        assert book.verify() == []
    assert len(history) == 6 and history[-1].action == steps[codes.index(0)][0]
    assert_legal_chain(history)


def _step_worker(db_url: str, number: int, action: str, role: str, organisation: str, fields: dict,
                 barrier, results) -> None:
    """One process: open the ledger, wait for the others, take one step, report the outcome."""
    try:
        with Ledger.open(db_url) as book:
            book.find(MAJOR)                      # connect before the race starts
            barrier.wait(timeout=120)
            try:
                book.step(MAJOR, action, actor=f"人员{number}", role=role, organisation=organisation,
                          at=T0 + dt.timedelta(days=1), fields=fields, **(DEPT_ACTING if role == "DEPT" else {}))
                results.put((number, "ok", ""))
            except ConflictError as exc:
                results.put((number, "conflict", str(exc)))
            except StepRefused as exc:
                results.put((number, "refused", str(exc)))
    except BaseException as exc:  # noqa: BLE001 - reported to the test, which fails on it
        results.put((number, "error", repr(exc)))


def test_racing_processes_lose_no_step(db_url: str) -> None:
    """Eight processes released at once by a barrier, mixing steps that exclude each other."""
    _major_in_rectification(db_url)
    mix = [("report_progress", "ENT_PRINCIPAL", ENT, {"progress": "p"})] * 4 + [
        ("complete_and_assess", "EVALUATOR", "某评价公司", {"assessment_by": "agency", "assessment_report": "r"}),
        ("request_extension", "ENT_PRINCIPAL", ENT,
         {"reason": "r", "interim_controls": "i", "proposed_due": "2026-03-31"}),
        ("void", "DEPT", DEPT_ORG, {"reason": "重复"}),
        ("suspend", "DEPT", DEPT_ORG, {"suspension": {"scope": "s", "order": "o"}}),
    ]
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(mix)), context.Queue()
    workers = [context.Process(target=_step_worker, args=(db_url, number, *step, barrier, results))
               for number, step in enumerate(mix)]
    for worker in workers:
        worker.start()
    outcomes = {}
    try:
        for _ in workers:
            number, outcome, message = results.get(timeout=300)
            outcomes[number] = (outcome, message)
    except queue.Empty:
        pytest.fail(f"workers did not report: {outcomes}")
    finally:
        for worker in workers:
            worker.join(timeout=60)
            if worker.is_alive():
                worker.kill()
    print({number: outcome for number, (outcome, _) in sorted(outcomes.items())})
    assert not [o for o in outcomes.values() if o[0] == "error"], outcomes
    # a refusal only ever comes from a state another step changed first (never from who acts)
    assert all("），不能「" in message for outcome, message in outcomes.values() if outcome == "refused"), outcomes
    with Ledger.open(db_url) as book:
        history = book.history(MAJOR)
        assert book.verify() == []
    ok = sorted(mix[n][0] for n, (outcome, _) in outcomes.items() if outcome == "ok")
    assert len(ok) >= 1
    assert sorted(e.action for e in history[5:]) == ok, (ok, outcomes)
    assert_legal_chain(history)


def test_concurrent_intakes_register_each_finding_once(db_url: str, tmp_path: Path) -> None:
    total = 600
    findings = write_findings(tmp_path / "findings.jsonl", total)
    with Ledger.open(db_url):
        pass          # the schema first: two first-time migrations race (test_two_first_opens_of_a_fresh_database)
    processes = [subprocess.Popen(cli(*intake_args(findings, db_url)), cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, encoding="utf-8") for _ in range(2)]
    summaries = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        summaries.append(intake_summary(out))
    assert sum(created for created, _ in summaries) == total
    assert sum(existing for _, existing in summaries) == total
    assert assert_consistent(db_url) == total


# A child that opens the ledger on a fresh database but holds its migration open (inside the
# transaction and the lock the upgrade takes, nothing committed) until it reads a line on stdin.
MIGRATION_HOLDING_CHILD = """
import sys
from alembic import command
upgrade = command.upgrade
def held(config, revision):
    print("MIGRATING", flush=True)
    sys.stdin.readline()
    upgrade(config, revision)
command.upgrade = held
from hazard_rules.cli.main import main
sys.argv = ["hazard-rules", *sys.argv[1:]]
main()
"""


def _lock_waiters(db_url: str) -> int:
    engine = create_engine(db_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND wait_event_type = 'Lock'")).scalar_one()
    finally:
        engine.dispose()


def test_two_first_opens_of_a_fresh_database(db_url: str, request) -> None:
    """Two processes open a fresh database at once (two intakes, or an intake and a list, in a
    new deployment): the second must wait for the first's migrations, then work."""
    first = subprocess.Popen([sys.executable, "-c", MIGRATION_HOLDING_CHILD, "ledger", "list", "--db", db_url],
                             cwd=ROOT, env=ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, encoding="utf-8")
    second = None
    try:
        assert first.stdout.readline().strip() == "MIGRATING", first.stderr.read()
        second = subprocess.Popen(cli("ledger", "list", "--db", db_url), cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, encoding="utf-8")
        deadline = time.monotonic() + 60
        if db_url.startswith("sqlite"):
            time.sleep(2)                       # the second is now waiting for the write lock
        else:                                   # wait until the second is blocked behind the first
            while _lock_waiters(db_url) == 0:
                assert second.poll() is None, second.communicate()
                assert time.monotonic() < deadline, "the second open never waited for the first"
                time.sleep(0.05)
        _, first_err = first.communicate("go\n", timeout=120)
        assert first.returncode == 0, first_err
        _, second_err = second.communicate(timeout=120)
        assert second.returncode == 0, second_err
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.communicate()
    assert_consistent(db_url)
