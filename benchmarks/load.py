"""Load: the HTTP service (`hazard-rules serve`) under concurrent clients, on SQLite and PostgreSQL.

    python benchmarks/load.py [--clients 32] [--ops 60] [--hazards 4] [--hot 2] [--races 10]
                              [--fresh 8] [--servers 1 2] [--backends sqlite postgresql] [--json FILE]

Real servers: each is `python -m hazard_rules serve` in its own process on 127.0.0.1 and a
free port (loopback only), over one database: a SQLite file or a database of the throwaway
PostgreSQL server tests/postgres_server.py starts (a Unix socket, no network). With
`--servers 2` two processes share the database, as two workers behind a proxy would (the
clients take turns: client i talks to server i mod 2).

The workload (threads, one httpx client each, one account each: an ENT_PRINCIPAL of one
enterprise, so every event names the client that took it), after the inspector registered
the hazards (copies of a major example finding):

0. Intake race: every client registers the same `--fresh` new findings at once; each
   must be created once (by the client told "created"), the others told "existing".
1. Races: `--races` rounds in which every client sends the SAME next step of one hazard
   with the same `expected_version`, released together by a barrier. Exactly one may win;
   the others must get 409 (E603), whatever order the server sees them in.
2. Mixed: each client runs `--ops` operations: a step on a shared "hot" hazard (everyone
   races: read the version, send the next step with it, on 409 read again and retry, at
   most 5 times), a step on one of its own hazards, or a read (the list, a history, and
   now and then `GET /verify` as SYSTEM while the others write).

A hazard's steps follow the major lane: classify_major, report_double, file_plan, start,
then report_progress as often as wanted (the next step is chosen from the version read).

Afterwards `audit` checks the database against the responses: per hazard the events are
n = 1..N without gaps, N is 1 (registration) + the 2xx steps; each 2xx step is the event
at the version it returned, with its client as the actor and its action; no two steps that
expected the same version both won; the projection (state, version, head hash) is what the
successful steps imply; `GET /verify` as SYSTEM and as SAFETY_COMMITTEE and
`Ledger.verify()` find nothing. Any status other than 2xx and 409 is a problem.

Prints one row per backend: clients, requests, steps, 409s, throughput, p50/p95 latency,
events, verify. No timing is asserted anywhere (tests/server/test_load.py runs a small load
through `run_load` and asserts the audit). docs/performance.md has the numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))          # tests.postgres_server
sys.path.insert(0, str(ROOT / "src"))  # a checkout without an installed package

from _machine import machine_description  # noqa: E402
from hazard_rules.workflow.domain.machine import load_machine  # noqa: E402
from hazard_rules.workflow.service import accounts as accounts_module  # noqa: E402
from hazard_rules.workflow.service.accounts import Accounts  # noqa: E402
from hazard_rules.workflow.service.ledger import Ledger  # noqa: E402
from hazard_rules.workflow.store.schema import events, hazards  # noqa: E402

API = "/api/v1"
MAJOR = "F-2025-000219"                                     # 诸城某食品 (370782), major
ENTERPRISE = ("91370782MA3MQ5T81A", "诸城市华瑞食品有限公司")
PASSWORD = "load-test-password"
RETRIES = 5
PLAN = {"targets": "速冻间单独设置", "methods": "隔墙改造", "funds": "50万元", "organisation": "设备部",
        "time_limit": "三个月内", "safety_measures": "限员9人，应急预案"}
STEP_STATUSES = (200, 409)


# ---------------------------------------------------------------------------- what happened
@dataclass(frozen=True)
class Attempt:
    """One step request and its answer."""

    client: int
    hazard: str
    action: str
    expected: int
    status: int
    version: int | None      # the new version a 2xx answer returned
    code: str | None         # the error code of a problem answer
    seconds: float
    race: int | None = None  # the barrier round it was sent in


@dataclass(frozen=True)
class Read:
    client: int
    what: str
    status: int
    seconds: float
    ok: bool | None = None   # GET /verify: its "ok"


@dataclass(frozen=True)
class Intake:
    """One client's answer to the intake race (everyone registers the same new findings)."""

    client: int
    status: int
    created: tuple[str, ...]
    existing: tuple[str, ...]
    seconds: float


@dataclass
class Run:
    backend: str
    clients: int
    servers: int
    hot: list[str]
    own: dict[int, list[str]]
    attempts: list[Attempt] = field(default_factory=list)
    reads: list[Read] = field(default_factory=list)
    fresh: list[str] = field(default_factory=list)
    intakes: list[Intake] = field(default_factory=list)
    seconds: float = 0.0
    names: dict[int, str] = field(default_factory=dict)

    @property
    def hazards(self) -> list[str]:
        return self.hot + [h for mine in self.own.values() for h in mine] + self.fresh


@dataclass(frozen=True)
class Audit:
    problems: list[str]
    events: int
    verify_http: list[tuple[str, bool | None]]   # every GET /verify: (which, its "ok")
    verify_ledger: list[Any]


# ---------------------------------------------------------------------------- the servers
def client_name(number: int) -> str:
    return f"负责人{number:02d}"


def prepare(url: str, clients: int) -> dict[str, str]:
    """Accounts (the inspector, SYSTEM, a SAFETY_COMMITTEE and one ENT_PRINCIPAL per client)
    with a bearer token each; the schema is created on the way. Hazards are registered over HTTP."""
    accounts_module.ARGON2.update(time_cost=1, memory_cost=1024, parallelism=1)  # nobody signs in with them
    at = dt.datetime.now().astimezone()
    Person = tuple[str, str, str | None, str | None]   # role, organisation, org_code, enterprise
    people: dict[str, Person] = {"inspector": ("INSPECTOR", "某检查机构", None, None),
                                 "system": ("SYSTEM", "市平台", None, None),
                                 "committee": ("SAFETY_COMMITTEE", "潍坊市安委会办公室", "3707", None)}
    people.update({f"client{i}": ("ENT_PRINCIPAL", ENTERPRISE[1], None, ENTERPRISE[0]) for i in range(clients)})
    tokens = {}
    with Ledger.open(url) as ledger:
        book = Accounts.of(ledger)
        for username, (role, org, code, enterprise) in people.items():
            name = client_name(int(username[6:])) if username.startswith("client") else f"{username}的名字"
            book.add(username, PASSWORD, name=name, role=role, organisation=org, at=at, org_code=code,
                     enterprise_id=enterprise)
            tokens[username] = book.issue_token(username, "load", at)
    return tokens


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(url: str, count: int = 1, *, log_dir: Path | None = None) -> Iterator[list[str]]:
    """`count` server processes over the database at `url`; yields their base URLs."""
    procs: list[subprocess.Popen[bytes]] = []
    logs = Path(log_dir or tempfile.mkdtemp(prefix="hazard-load-"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                                     os.environ.get("PYTHONPATH")]))}
    bases = []
    try:
        for number in range(count):
            port = free_port()
            log = open(logs / f"server{number}.log", "wb")  # noqa: SIM115 (closed with the process)
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "hazard_rules", "serve", "--db", url, "--host", "127.0.0.1",
                 "--port", str(port), "--evidence-dir", str(logs / "evidence")],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env))
            log.close()
            bases.append(f"http://127.0.0.1:{port}")
        for proc, base, number in zip(procs, bases, range(count), strict=True):
            _wait_until_up(proc, base, logs / f"server{number}.log")
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_until_up(proc: subprocess.Popen[bytes], base: str, log: Path, limit: float = 120.0) -> None:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"{base}/openapi.json", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server at {base} did not answer within {limit:.0f} s:\n"
                       f"{log.read_text(errors='replace')[-3000:]}")


# ---------------------------------------------------------------------------- the workload
def next_step(version: int, tag: str, today: dt.date) -> tuple[str, dict[str, Any]]:
    """The major lane's next step for a hazard at `version` (1: just registered)."""
    if version == 1:
        return "classify_major", {"interim_controls": "停用相关设备，人员撤离"}
    if version == 2:
        return "report_double", {"report": "重大事故隐患报告", "receipt_department": "应急局回执",
                                 "receipt_workers_congress": "职代会回执"}
    if version == 3:
        return "file_plan", {"plan": PLAN, "rectify_due": (today + dt.timedelta(days=90)).isoformat()}
    if version == 4:
        return "start", {}
    return "report_progress", {"progress": f"治理进展 {tag}"}


class Client:
    """One thread's connection to one server, as one account; records every request."""

    def __init__(self, number: int, base: str, token: str, run: Run, lock: threading.Lock) -> None:
        self.number = number
        self.http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120)
        self.run = run
        self.lock = lock
        self.today = dt.date.today()

    def close(self) -> None:
        self.http.close()

    def _timed(self, method: str, path: str, **kwargs: Any) -> tuple[httpx.Response, float]:
        started = time.perf_counter()
        response = self.http.request(method, path, **kwargs)
        return response, time.perf_counter() - started

    def read(self, what: str, path: str) -> httpx.Response:
        response, seconds = self._timed("GET", path)
        ok = response.json().get("ok") if what == "verify" and response.status_code == 200 else None
        with self.lock:
            self.run.reads.append(Read(self.number, what, response.status_code, seconds, ok))
        return response

    def version(self, hazard: str) -> int | None:
        response = self.read("hazard", f"{API}/hazards/{hazard}")
        return int(response.json()["version"]) if response.status_code == 200 else None

    def step(self, hazard: str, expected: int, tag: str, race: int | None = None) -> Attempt:
        action, fields = next_step(expected, tag, self.today)
        response, seconds = self._timed("POST", f"{API}/hazards/{hazard}/steps",
                                        json={"action": action, "fields": fields, "expected_version": expected})
        body = _json(response)
        ok = response.is_success
        attempt = Attempt(self.number, hazard, action, expected, response.status_code,
                          body.get("version") if ok else None, None if ok else body.get("code"), seconds, race)
        with self.lock:
            self.run.attempts.append(attempt)
        return attempt

    def intake(self, records: list[dict[str, Any]]) -> None:
        response, seconds = self._timed("POST", f"{API}/hazards", json={"records": records})
        items = _json(response).get("items", [])
        found = Intake(self.number, response.status_code,
                       tuple(i["finding_id"] for i in items if i["status"] == "created"),
                       tuple(i["finding_id"] for i in items if i["status"] == "existing"), seconds)
        with self.lock:
            self.run.intakes.append(found)

    def step_with_retries(self, hazard: str, tag: str) -> None:
        for _ in range(RETRIES):
            version = self.version(hazard)
            if version is None or self.step(hazard, version, tag).status != 409:
                return


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def run_load(url: str, backend: str, *, clients: int, ops: int, own: int, hot: int, races: int,
             fresh: int = 4, servers: int = 1, seed: int = 7, verify_every: int = 5,
             log_dir: Path | None = None) -> Run:
    """Make the accounts, start the servers, register the hazards, run the intake race, the
    step races and the mixed load, verify at the end; the servers are stopped on return."""
    hot_ids = [f"LOAD-HOT-{i:03d}" for i in range(hot)]
    own_ids = {c: [f"LOAD-C{c:02d}-{i:03d}" for i in range(own)] for c in range(clients)}
    run = Run(backend, clients, servers, hot_ids, own_ids, names={c: client_name(c) for c in range(clients)},
              fresh=[f"LOAD-NEW-{i:03d}" for i in range(fresh)])
    tokens = prepare(url, clients)
    lock = threading.Lock()
    with serving(url, servers, log_dir=log_dir) as bases:
        _register(bases[0], tokens["inspector"], run.hot + [h for mine in own_ids.values() for h in mine])
        pool = [Client(c, bases[c % len(bases)], tokens[f"client{c}"], run, lock) for c in range(clients)]
        watcher = Client(-1, bases[-1], tokens["system"], run, lock)
        try:
            started = time.perf_counter()
            _intake_race(pool, run.fresh)
            _races(pool, hot_ids[0], races)
            _mixed(pool, watcher, run, ops, seed, verify_every)
            run.seconds = time.perf_counter() - started
        finally:
            for member in [*pool, watcher]:
                member.close()
        run.reads.extend(_final_reads(bases[0], tokens, run))
    return run


def _records(hazard_ids: list[str]) -> list[dict[str, Any]]:
    """Copies of the major example finding, one per id."""
    record = json.loads(next(line for line in (ROOT / "examples" / "inspections.jsonl")
                             .read_text(encoding="utf-8").splitlines() if MAJOR in line))
    return [dict(copy.deepcopy(record), id=hazard_id) for hazard_id in hazard_ids]


def _register(base: str, token: str, hazard_ids: list[str]) -> None:
    records = _records(hazard_ids)
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=300) as http:
        for start in range(0, len(records), 200):
            response = http.post(f"{API}/hazards", json={"records": records[start:start + 200]})
            response.raise_for_status()
            if response.json()["created"] != len(records[start:start + 200]):
                raise RuntimeError(f"registration: {response.text[:500]}")


def _intake_race(pool: list[Client], hazard_ids: list[str]) -> None:
    """Every client registers the same new findings at once: each is created once."""
    if not hazard_ids:
        return
    barrier = threading.Barrier(len(pool))
    records = _records(hazard_ids)

    def go(client: Client) -> None:
        barrier.wait()
        client.intake(records)
    _in_threads(pool, go)


def _races(pool: list[Client], hazard: str, rounds: int) -> None:
    """Every client sends the same step with the same expected version at once."""
    barrier = threading.Barrier(len(pool))
    for number in range(rounds):
        version = pool[0].version(hazard)
        assert version is not None

        def go(client: Client, version: int = version, number: int = number) -> None:
            barrier.wait()
            client.step(hazard, version, f"race {number} client {client.number}", race=number)
        _in_threads(pool, go)


def _mixed(pool: list[Client], watcher: Client, run: Run, ops: int, seed: int, verify_every: int) -> None:
    def work(client: Client) -> None:
        rng = random.Random(seed * 1000 + client.number)
        mine = run.own[client.number]
        for op in range(ops):
            tag = f"client {client.number} op {op}"
            roll = rng.random()
            if roll < 0.35:
                client.step_with_retries(rng.choice(run.hot), tag)
            elif roll < 0.7:
                client.step_with_retries(rng.choice(mine), tag)
            elif roll < 0.85:
                client.read("list", f"{API}/hazards?limit=50&offset={rng.randrange(0, 2) * 50}")
            else:
                client.read("history", f"{API}/hazards/{rng.choice(run.hot + mine)}/history")
            if client.number == 0 and verify_every and op % verify_every == verify_every - 1:
                watcher.read("verify", f"{API}/verify")   # while the others write
    _in_threads(pool, work)


def _in_threads(pool: list[Client], body: Callable[[Client], None]) -> None:
    errors: list[BaseException] = []

    def guarded(client: Client) -> None:
        try:
            body(client)
        except BaseException as exc:  # noqa: BLE001 (re-raised in the caller's thread)
            errors.append(exc)
    threads = [threading.Thread(target=guarded, args=(client,)) for client in pool]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _final_reads(base: str, tokens: dict[str, str], run: Run) -> list[Read]:
    """`GET /verify` as SYSTEM and as SAFETY_COMMITTEE once everything is written."""
    found = []
    for who in ("system", "committee"):
        reader = Client(-2, base, tokens[who], run, threading.Lock())
        started = time.perf_counter()
        response = reader.http.get(f"{API}/verify")
        body = _json(response)
        found.append(Read(-2, f"final verify as {who}", response.status_code, time.perf_counter() - started,
                          body.get("ok")))
        if body.get("problems"):
            found.append(Read(-2, f"verify problems as {who}: {body['problems'][:5]}", response.status_code, 0.0,
                              False))
        reader.close()
    return found


# ---------------------------------------------------------------------------- the audit
def audit(url: str, run: Run) -> Audit:
    """Everything the database must show after `run`; `problems` empty when it does."""
    problems: list[str] = []
    with Ledger.open(url) as ledger:
        with ledger.engine.connect() as conn:
            rows = conn.execute(select(events.c.hazard_id, events.c.n, events.c.action, events.c.actor,
                                       events.c.hash).order_by(events.c.hazard_id, events.c.seq)).all()
            projections = {row.id: row for row in conn.execute(select(hazards.c.id, hazards.c.state,
                                                                      hazards.c.version, hazards.c.head_hash))}
        verified = ledger.verify()
    by_hazard: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_hazard[row.hazard_id].append(row)
    won: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in run.attempts:
        if attempt.status not in STEP_STATUSES:
            problems.append(f"{attempt.hazard}: {attempt.action} expecting {attempt.expected} answered "
                            f"{attempt.status} {attempt.code}")
        elif attempt.status == 200:
            won[attempt.hazard].append(attempt)
        elif attempt.code != "E603":
            problems.append(f"{attempt.hazard}: a 409 with code {attempt.code}, not E603")
    problems += [f"{r.what}: {r.status}" for r in run.reads if r.status != 200]
    problems += _audit_intakes(run, by_hazard)
    machine = load_machine()
    for hazard in run.hazards:
        problems += _audit_hazard(hazard, by_hazard.get(hazard, []), won.get(hazard, []),
                                  projections.get(hazard), run.names, machine)
    unexpected = sorted(set(by_hazard) - set(run.hazards))
    if unexpected:
        problems.append(f"events of hazards nobody registered: {unexpected[:5]}")
    verify_http = [(r.what, r.ok) for r in run.reads if r.what.startswith(("verify", "final verify"))]
    problems += [f"{what}: ok is {ok}" for what, ok in verify_http if ok is not True]
    problems += [f"Ledger.verify: {p}" for p in verified]
    return Audit(problems, len(rows), verify_http, verified)


def _audit_intakes(run: Run, by_hazard: dict[str, list[Any]]) -> list[str]:
    problems = [f"intake by client {i.client}: {i.status}" for i in run.intakes if i.status != 200]
    for hazard in run.fresh:
        creators = [i.client for i in run.intakes if hazard in i.created]
        answered = sum(1 for i in run.intakes if hazard in i.created or hazard in i.existing)
        if len(creators) != 1 or answered != len(run.intakes):
            problems.append(f"{hazard}: created by clients {creators}, answered by {answered} of "
                            f"{len(run.intakes)} intakes")
        elif by_hazard.get(hazard) and by_hazard[hazard][0].actor != run.names[creators[0]]:
            problems.append(f"{hazard}: registered by {by_hazard[hazard][0].actor}, but "
                            f"{run.names[creators[0]]} was told it created it")
    return problems


def _audit_hazard(hazard: str, rows: list[Any], won: list[Attempt], projection: Any, names: dict[int, str],
                  machine: Any) -> list[str]:
    problems = []
    numbers = [row.n for row in rows]
    if numbers != list(range(1, len(rows) + 1)):
        problems.append(f"{hazard}: event numbers {numbers} are not 1..{len(rows)}")
    if len(rows) != 1 + len(won):
        problems.append(f"{hazard}: {len(rows)} events, but 1 registration + {len(won)} successful steps")
    twice = [v for v, k in Counter(a.expected for a in won).items() if k > 1]
    if twice:
        problems.append(f"{hazard}: more than one step won expecting version(s) {twice}")
    at = {row.n: row for row in rows}
    for attempt in won:
        event = at.get(attempt.version or -1)
        if attempt.version != attempt.expected + 1:
            problems.append(f"{hazard}: a step expecting {attempt.expected} answered version {attempt.version}")
        elif event is None or (event.action, event.actor) != (attempt.action, names[attempt.client]):
            problems.append(f"{hazard}: the 2xx {attempt.action} of {names[attempt.client]} at version "
                            f"{attempt.version} is not the event there ({event and (event.action, event.actor)})")
    state = "REGISTERED"
    for attempt in sorted(won, key=lambda a: a.expected):
        state = machine.transition(attempt.action).target(state)
    if projection is None:
        problems.append(f"{hazard}: no projection")
    elif (projection.state, projection.version) != (state, 1 + len(won)):
        problems.append(f"{hazard}: projection {projection.state} v{projection.version}, the steps imply "
                        f"{state} v{1 + len(won)}")
    elif rows and projection.head_hash != rows[-1].hash:
        problems.append(f"{hazard}: projection head is not the last event's hash")
    return problems


# ---------------------------------------------------------------------------- numbers
def measures(run: Run, checked: Audit) -> dict[str, Any]:
    latencies = sorted([a.seconds for a in run.attempts] + [r.seconds for r in run.reads if r.client != -2]
                       + [i.seconds for i in run.intakes])
    steps = sum(1 for a in run.attempts if a.status == 200)
    requests = len(latencies)
    return {"backend": run.backend, "servers": run.servers, "clients": run.clients, "requests": requests,
            "steps": steps, "conflicts": sum(1 for a in run.attempts if a.status == 409),
            "errors": sum(1 for a in run.attempts if a.status not in STEP_STATUSES)
            + sum(1 for r in run.reads if r.status != 200) + sum(1 for i in run.intakes if i.status != 200),
            "seconds": round(run.seconds, 3), "steps_per_s": round(steps / run.seconds, 1) if run.seconds else None,
            "requests_per_s": round(requests / run.seconds, 1) if run.seconds else None,
            "p50_ms": round(1000 * _quantile(latencies, 0.5), 1), "p95_ms": round(1000 * _quantile(latencies, 0.95), 1),
            "step_p50_ms": round(1000 * _quantile(sorted(a.seconds for a in run.attempts), 0.5), 1),
            "step_p95_ms": round(1000 * _quantile(sorted(a.seconds for a in run.attempts), 0.95), 1),
            "events": checked.events, "verify": "ok" if not checked.problems else f"{len(checked.problems)} problems"}


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


COLUMNS = [("backend", "backend", 10), ("servers", "srv", 3), ("clients", "clients", 7), ("requests", "requests", 8),
           ("steps", "steps", 6), ("conflicts", "409s", 5), ("errors", "errors", 6), ("steps_per_s", "steps/s", 8),
           ("requests_per_s", "req/s", 7), ("p50_ms", "p50 ms", 7), ("p95_ms", "p95 ms", 7),
           ("step_p50_ms", "step p50", 8), ("step_p95_ms", "step p95", 8), ("events", "events", 7),
           ("verify", "verify", 8)]


def table(rows: list[dict[str, Any]]) -> str:
    lines = [" ".join(f"{title:>{width}}" for _, title, width in COLUMNS)]
    lines += [" ".join(f"{row[key]!s:>{width}}" for key, _, width in COLUMNS) for row in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------------- main
@contextlib.contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'load.sqlite'}"
        return
    from tests.postgres_server import PostgresServer

    with PostgresServer.start() as server:
        yield server.create_database()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--ops", type=int, default=60, help="operations per client in the mixed phase")
    parser.add_argument("--hazards", type=int, default=4, help="own hazards per client")
    parser.add_argument("--hot", type=int, default=2, help="hazards every client races on")
    parser.add_argument("--races", type=int, default=10, help="barrier rounds of the same step on one hazard")
    parser.add_argument("--fresh", type=int, default=8, help="new findings every client registers at once")
    parser.add_argument("--servers", type=int, nargs="+", default=[1, 2], help="server processes (one row each)")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args()
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {machine_description()}; load average "
          f"{os.getloadavg()[0]:.1f} (other work on the machine slows every number)", flush=True)
    rows = []
    for backend in args.backends:
        for servers in args.servers:
            with tempfile.TemporaryDirectory(prefix="hazard-load-") as tmp, database(backend, Path(tmp)) as url:
                run = run_load(url, backend, clients=args.clients, ops=args.ops, own=args.hazards, hot=args.hot,
                               races=args.races, fresh=args.fresh, servers=servers, log_dir=Path(tmp))
                checked = audit(url, run)
                rows.append(measures(run, checked))
                for problem in checked.problems[:20]:
                    print(f"  {backend}: {problem}", flush=True)
            print(table(rows[-1:]), flush=True)
    print()
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps([{**row} for row in rows], indent=2), encoding="utf-8")
    return 0 if all(row["verify"] == "ok" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())


