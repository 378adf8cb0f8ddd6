"""Benchmark: the hazard ledger (workflow/service/ledger.py) on SQLite and on a real PostgreSQL.

    python benchmarks/bench_ledger.py [--n 2000] [--backends sqlite postgresql]
                                      [--progress 3] [--threads 4] [--long-history 300] [--no-profile]

What is measured, and why
-------------------------
Every ledger method is one transaction that locks the hazard row, checks the step,
appends a hash-chained event and rewrites the projection (docs/workflow.md). That is
the price of an auditable log; this script measures what the price is, on the two
supported backends, so that a regression, or a cost that grows with the size of the
ledger or the length of a hazard's history, shows up as a number:

1. Intake. N findings (examples/inspections.jsonl repeated, ids made unique: 13 of the
   34 examples are major, 10 ordinary, 11 undetermined) are validated and classified
   once with ``load_rulesets().classify`` beforehand; only the ``Ledger.register``
   calls are timed (hazards/s). Then the same N again: intake is idempotent, so the
   second pass must create nothing, and its rate is the cost of re-feeding a file.
2. Steps, a realistic mix, taken in rounds (first step of every hazard, then the
   second, ...), as a ledger with many hazards in progress would see them:
     major:        classify_major -> report_double -> file_plan -> start -> report_progress x k
     ordinary and undetermined (with a recorded determination):
                   assign -> accept -> submit_rectification (with evidence) -> verify_pass
   One ordinary hazard in four stops after ``accept`` (still being rectified), so the
   ledger keeps open hazards of both lanes for ``tick``. Successful steps/s is reported,
   with the mean time of each action. Every scripted step must succeed.
3. Refused steps, which should be cheap: one per hazard of each kind,
   (a) a role that may not take the action (``start`` as INSPECTOR; the role is the
   first thing checked), (b) an allowed role in the wrong state (``report_double``
   as ENT_PRINCIPAL on a hazard that is not MAJOR_CONFIRMED) and (c) a department acting
   for an area the hazard is not in (``suspend``, or ``reopen`` on a closed hazard, by a
   DEPT 应急管理 acting for 110101, a Beijing county: the state fits, the area does not,
   which is checked after the hazard is read). The number of events must not change,
   and every (c) must be refused for its area.
4. ``verify()`` over the whole ledger, and ``tick(now)`` with ``now`` after every
   deadline set above (it records the escalation ladder URGE ... PENALTY for each
   overdue timer of each open hazard), then the same tick again (idempotent: records
   nothing; this is what a periodic job pays on most runs).
5. Concurrency: a second batch of N hazards (registered untimed) runs the same step
   script from T threads (default 4), each thread on its own hazards. On SQLite the
   writers take turns (BEGIN IMMEDIATE); on PostgreSQL only the Python side (the GIL)
   is shared. Conflicts and errors are counted; none are expected.
6. Step latency against history length: one major hazard takes L ``report_progress``
   steps (default 300); the mean latency of the first and the last 25 is compared.
   Every step reads and parses the hazard's whole history, so this grows with L.
7. ``verify()`` again over the final, larger ledger; it must report no problem.

Then, unless --no-profile, a small fresh ledger (min(N, 300) hazards) on each backend
runs phases 1-4 under cProfile, and for each phase the script prints where the time
goes: the share by component (our modules, SQLAlchemy, pydantic, the driver, ...),
the functions with the most own time, and our functions with the most time inside them.
Profiling is never mixed into the timed numbers.

Timing is wall clock (time.perf_counter), one run per phase (the phases change the
ledger, so they cannot be repeated as-is), garbage collector left on as in a real
process. The observations at the end are ratios computed from the table (what a refusal
costs against a successful step, an escalation against a step, ...).

Durability differs between the two, and it matters. The SQLite database is a file in
``tempfile.gettempdir()`` as ``Ledger.open`` leaves it: rollback journal and
synchronous=FULL, so every step's commit waits for fsync of that directory's file
system (the script prints which one). PostgreSQL is the throwaway cluster of
tests/postgres_server.py (Unix socket; fsync, synchronous_commit and full_page_writes
off), which never waits for the disk. On a disk-backed /tmp the SQLite numbers therefore
include the disk's fsync latency, and they vary with it from run to run; run with
``TMPDIR=/dev/shm`` to measure the code path alone. The server and every temporary file
are removed at the end, also on error, Ctrl-C or SIGTERM.

Exit status: 0 when every check passed (scripted steps all succeeded, refusals wrote
nothing, verify found nothing), 2 otherwise.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import platform
import pstats
import signal
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import func, select

from _machine import machine_description
from hazard_rules import Finding, load_rulesets
from hazard_rules.workflow.domain.events import Evidence
from hazard_rules.workflow.service.ledger import ConflictError, Ledger, StepRefused
from hazard_rules.workflow.store import schema

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests/postgres_server.py, imported by postgres_urls()

T0 = dt.datetime(2025, 3, 11, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TICK_AT = dt.datetime(2025, 12, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PHOTO = Evidence(name="after_photo", ref="photos/after.jpg", sha256="ab" * 32)
PLAN = {"targets": "速冻间单独设置", "methods": "隔墙改造", "funds": "50万元", "organisation": "设备部",
        "time_limit": "2025-06-30前", "safety_measures": "限员9人，应急预案"}
LONG_WINDOW = 25


class BenchmarkFailed(Exception):
    """A check of the benchmark failed: the numbers would not mean what they say."""


# ---------------------------------------------------------------------------- environment


def library_versions() -> str:
    import pydantic

    parts = [f"SQLAlchemy {sqlalchemy.__version__}", f"pydantic {pydantic.VERSION}",
             f"sqlite3 (library) {sqlite3.sqlite_version}"]
    try:
        import psycopg

        parts.append(f"psycopg {psycopg.__version__} (libpq {_libpq_version(psycopg)}, "
                     f"implementation {psycopg.pq.__impl__})")
    except ImportError:
        parts.append("psycopg not installed")
    return ", ".join(parts)


def _libpq_version(psycopg: Any) -> str:
    number = psycopg.pq.version()
    return f"{number // 10000}.{number % 10000}"


# ---------------------------------------------------------------------------- the workload
@dataclass(frozen=True)
class Step:
    action: str
    role: str
    actor: str
    organisation: str
    day: int
    fields: dict[str, Any] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
    org_code: str | None = None      # the area a government role (DEPT, SAFETY_COMMITTEE) acts for
    department: str | None = None    # the department a DEPT acts for


@dataclass(frozen=True)
class Item:
    finding: Finding
    verdict: Any
    kind: str           # the verdict: major, ordinary, undetermined
    script: tuple[Step, ...]


def load_examples() -> list[dict[str, Any]]:
    text = (ROOT / "examples" / "inspections.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def script_for(kind: str, number: int, organisation: str, progress: int) -> tuple[Step, ...]:
    if kind == "major":
        steps = [Step("classify_major", "ENT_PRINCIPAL", "张主要负责人", organisation, 0,
                      {"interim_controls": "停用相关设备，人员撤离"}),
                 Step("report_double", "ENT_PRINCIPAL", "张主要负责人", organisation, 0,
                      {"report": "重大事故隐患报告", "receipt_department": "应急局回执",
                       "receipt_workers_congress": "职代会回执"}),
                 Step("file_plan", "ENT_PRINCIPAL", "张主要负责人", organisation, 1,
                      {"plan": PLAN, "rectify_due": "2025-06-30"}),
                 Step("start", "ENT_PRINCIPAL", "张主要负责人", organisation, 2)]
        steps += [Step("report_progress", "ENT_PRINCIPAL", "张主要负责人", organisation, 30 * (i + 1),
                       {"progress": f"第{i + 1}次治理进展"}) for i in range(progress)]
        return tuple(steps)
    assign = {"assignee": "车间主任", "measure": "按标准整改", "rectify_due": "2025-03-25"}
    if kind == "undetermined":
        assign["determination"] = {"by": "专家王某", "reason": "现场核实为一般隐患"}
    steps = [Step("assign", "ENT_SAFETY", "安全员甲", organisation, 0, assign),
             Step("accept", "ENT_ASSIGNEE", "车间主任", organisation, 1)]
    if number % 4 != 3:  # one in four is still being rectified when the benchmark ends
        steps += [Step("submit_rectification", "ENT_ASSIGNEE", "车间主任", organisation, 5,
                       {"measures_taken": "已按方案整改"}, (PHOTO,)),
                  Step("verify_pass", "ENT_SAFETY", "安全员乙", organisation, 6, {"opinion": "复查合格"})]
    return tuple(steps)


def make_items(examples: list[dict[str, Any]], n: int, prefix: str, progress: int, rules: Any) -> list[Item]:
    items = []
    for number in range(n):
        record = dict(examples[number % len(examples)], id=f"{prefix}-{number:07d}")
        verdict = rules.classify(record)
        organisation = (record.get("enterprise") or {}).get("name") or "某企业"
        items.append(Item(Finding.model_validate(record), verdict, verdict.verdict,
                          script_for(verdict.verdict, number, organisation, progress)))
    return items


def register(ledger: Ledger, item: Item) -> bool:
    organisation = item.finding.enterprise.name if item.finding.enterprise else "某企业"
    return ledger.register(item.finding, item.verdict, actor="王检查", role="INSPECTOR",
                           organisation=organisation or "某企业", at=T0).created


def take(ledger: Ledger, hazard_id: str, step: Step) -> None:
    ledger.step(hazard_id, step.action, actor=step.actor, role=step.role, organisation=step.organisation,
                at=T0 + dt.timedelta(days=step.day), fields=step.fields, evidence=list(step.evidence),
                org_code=step.org_code, department=step.department)


def rounds(items: list[Item]) -> Iterator[tuple[Item, Step]]:
    """First step of every hazard, then every second step, ..."""
    for position in range(max(len(i.script) for i in items)):
        for item in items:
            if position < len(item.script):
                yield item, item.script[position]


REFUSALS: dict[str, Callable[[Item], Step]] = {
    "wrong role (start as INSPECTOR)":
        lambda item: Step("start", "INSPECTOR", "王检查", "某检查机构", 10),
    "wrong state (report_double by ENT_PRINCIPAL)":
        lambda item: Step("report_double", "ENT_PRINCIPAL", "张主要负责人", "某企业", 10,
                          {"report": "r", "receipt_department": "a", "receipt_workers_congress": "b"}),
    "outside the area (DEPT of another county)": lambda item: outside_the_area(item),
}
# What each kind of refusal must be refused for (the others: any refusal).
REFUSED_FOR = {"outside the area (DEPT of another county)": "outside that area"}


def outside_the_area(item: Item) -> Step:
    """A step the hazard's state allows, by a department acting for a county that does not hold it."""
    acting = {"org_code": "110101", "department": "应急管理"}   # 北京市东城区: no example is in Beijing
    if item.script[-1].action == "verify_pass":           # closed: only a reopening fits
        return Step("reopen", "DEPT", "李科长", "东城区应急管理局", 10, {"reason": "反销号"}, **acting)
    return Step("suspend", "DEPT", "李科长", "东城区应急管理局", 10,
                {"suspension": {"scope": "车间", "order": "责令停用"}}, **acting)


def event_count(ledger: Ledger) -> int:
    with ledger.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.events)).scalar_one()


# ---------------------------------------------------------------------------- results
@dataclass
class Row:
    label: str
    value: float | None
    unit: str
    detail: str = ""


@dataclass
class Result:
    backend: str
    server: str = ""
    rows: list[Row] = field(default_factory=list)
    actions: list[tuple[str, int, float]] = field(default_factory=list)   # action, count, seconds
    profiles: list[tuple[str, str]] = field(default_factory=list)          # phase, text
    failures: list[str] = field(default_factory=list)
    extra: dict[str, float] = field(default_factory=dict)                  # for the observations

    def add(self, label: str, value: float | None, unit: str, detail: str = "") -> None:
        self.rows.append(Row(label, value, unit, detail))
        if value is None:
            shown = "-"
        else:
            shown = f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:,.0f}"
        print(f"    {label:<58} {shown:>8} {unit:<10} {detail}", flush=True)

    def value(self, label: str) -> float | None:
        return next((r.value for r in self.rows if r.label == label), None)


SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


def file_system(path: str) -> str:
    """The type of the file system holding path (longest mount point in /proc/mounts)."""
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            entries = [line.split()[1:3] for line in mounts if len(line.split()) >= 3]
    except OSError:
        return "unknown"
    target = os.path.realpath(os.path.dirname(path))
    best = ("", "unknown")
    for point, kind in entries:
        if (target == point or target.startswith(point.rstrip("/") + "/")) and len(point) > len(best[0]):
            best = (point, kind)
    return f"{best[1]} (mounted on {best[0]})" if best[0] else "unknown"


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


# ---------------------------------------------------------------------------- the phases
def run_backend(name: str, url: str, args: argparse.Namespace, items: list[Item], batch: list[Item],
                result: Result) -> None:
    n = len(items)
    with Ledger.open(url) as ledger:
        with ledger.engine.connect() as conn:
            if name == "postgresql":
                result.server = conn.exec_driver_sql("SHOW server_version").scalar_one().split()[0]
                settings = {key: conn.exec_driver_sql(f"SHOW {key}").scalar_one()
                            for key in ("fsync", "synchronous_commit", "full_page_writes")}
                print(f"    PostgreSQL {result.server}: " + ", ".join(f"{k}={v}" for k, v in settings.items()))
            else:
                journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()
                synchronous = conn.exec_driver_sql("PRAGMA synchronous").scalar_one()
                path = url.split("///", 1)[1]
                print(f"    SQLite journal_mode={journal}, synchronous={SYNCHRONOUS.get(synchronous, synchronous)}, "
                      f"file system of {Path(path).parent}: {file_system(path)}")

        # 1. intake --------------------------------------------------------------------
        start = time.perf_counter()
        created = sum(register(ledger, item) for item in items)
        seconds = time.perf_counter() - start
        if created != n:
            raise BenchmarkFailed(f"{name}: intake created {created} hazards, expected {n}")
        result.add("intake, new findings", per_second(n, seconds), "hazards/s",
                   f"{n} in {seconds:.2f} s, {1000 * seconds / n:.2f} ms each")

        start = time.perf_counter()
        again = sum(register(ledger, item) for item in items)
        seconds = time.perf_counter() - start
        if again:
            raise BenchmarkFailed(f"{name}: repeated intake created {again} hazards")
        result.add("intake again, same findings (idempotent)", per_second(n, seconds), "hazards/s",
                   f"{n} in {seconds:.2f} s, {1000 * seconds / n:.2f} ms each, 0 created")

        # 2. steps ---------------------------------------------------------------------
        per_action: dict[str, list[float]] = defaultdict(list)
        start = time.perf_counter()
        for item, step in rounds(items):
            t = time.perf_counter()
            try:
                take(ledger, item.finding.id, step)
            except StepRefused as exc:
                raise BenchmarkFailed(
                    f"{name}: scripted step {step.action} on {item.finding.id} refused: {exc}") from exc
            per_action[step.action].append(time.perf_counter() - t)
        seconds = time.perf_counter() - start
        steps = sum(len(v) for v in per_action.values())
        result.add("steps, sequential mix", per_second(steps, seconds), "steps/s",
                   f"{steps} steps on {n} hazards in {seconds:.2f} s, {1000 * seconds / steps:.2f} ms each")
        result.actions = [(action, len(times), sum(times)) for action, times in per_action.items()]
        result.extra["step_ms"] = 1000 * seconds / steps
        kinds = Counter(item.kind for item in items)
        print(f"      hazards: {kinds['major']} major, {kinds['ordinary']} ordinary, "
              f"{kinds['undetermined']} undetermined")
        for action, count, total in result.actions:
            print(f"      {action:<22} {count:>6} steps  {1000 * total / count:7.2f} ms mean  "
                  f"{total / seconds:6.1%} of the time")

        # 3. refusals ------------------------------------------------------------------
        before = event_count(ledger)
        for label, make in REFUSALS.items():
            refused, messages = 0, []
            start = time.perf_counter()
            for item in items:
                try:
                    take(ledger, item.finding.id, make(item))
                except StepRefused as exc:
                    refused += 1
                    messages.append(exc.message)
            seconds = time.perf_counter() - start
            wrong = [m for m in messages if REFUSED_FOR.get(label, "") not in m]
            if wrong:
                raise BenchmarkFailed(f"{name}: {label}: {len(wrong)} refused for something else, first: {wrong[0]}")
            if refused != n:  # no hazard may start now, and none is MAJOR_CONFIRMED any more
                raise BenchmarkFailed(f"{name}: {label}: {refused} refused of {n}, expected all")
            mean_step = 1000 * sum(t for _, _, t in result.actions) / steps
            result.extra[f"refusal_ms {label}"] = 1000 * seconds / refused
            result.add(f"refused steps, {label}", per_second(refused, seconds), "refusals/s",
                       f"{1000 * seconds / refused:.2f} ms each ({1000 * seconds / refused / mean_step:.0%} "
                       f"of a successful step)")
        if event_count(ledger) != before:
            raise BenchmarkFailed(f"{name}: refused steps wrote events")

        # 4. verify and tick -------------------------------------------------------------
        events = event_count(ledger)
        start = time.perf_counter()
        problems = ledger.verify()
        seconds = time.perf_counter() - start
        if problems:
            raise BenchmarkFailed(f"{name}: verify found {len(problems)} problems, first: {problems[0]}")
        result.add("verify(), whole ledger", seconds, "s",
                   f"{n} hazards, {events} events: {per_second(events, seconds):,.0f} events/s")

        open_hazards = len(ledger.hazards(open_only=True))
        start = time.perf_counter()
        recorded = ledger.tick(TICK_AT)
        seconds = time.perf_counter() - start
        if not recorded:
            raise BenchmarkFailed(f"{name}: tick({TICK_AT.date()}) recorded no escalation")
        result.extra["escalation_ms"] = 1000 * seconds / len(recorded)
        result.add("tick(now), first: records escalations", seconds, "s",
                   f"{len(recorded)} escalate events on {open_hazards} open hazards: "
                   f"{per_second(len(recorded), seconds):,.0f} events/s")
        start = time.perf_counter()
        recorded = ledger.tick(TICK_AT)
        seconds = time.perf_counter() - start
        if recorded:
            raise BenchmarkFailed(f"{name}: a repeated tick recorded {len(recorded)} events")
        result.add("tick(now), again: nothing to record", seconds, "s",
                   f"{open_hazards} open hazards, {1000 * seconds / open_hazards:.2f} ms each")

        # 5. concurrency ---------------------------------------------------------------
        if args.threads > 1:
            for item in batch:
                register(ledger, item)
            outcome = concurrent_steps(ledger, batch, args.threads)
            ok, seconds = outcome["ok"], outcome["seconds"]
            sequential = result.value("steps, sequential mix") or 0
            rate = per_second(ok, seconds)
            result.extra["speedup"] = rate / sequential
            result.add(f"steps, {args.threads} threads on distinct hazards", rate, "steps/s",
                       f"{ok} steps on {len(batch)} hazards in {seconds:.2f} s "
                       f"({rate / sequential:.2f}x sequential); conflicts {outcome['conflict']}, "
                       f"refused {outcome['refused']}, errors {outcome['error']}")
            if outcome["refused"] or outcome["error"]:
                result.failures.append(f"{name}: concurrent steps: {outcome['first']}")

        # 6. long history ----------------------------------------------------------------
        if args.long_history:
            long_history(ledger, items, args.long_history, result)

        # 7. final verify ----------------------------------------------------------------
        events = event_count(ledger)
        total = len(ledger.hazards())
        start = time.perf_counter()
        problems = ledger.verify()
        seconds = time.perf_counter() - start
        if problems:
            raise BenchmarkFailed(f"{name}: final verify found {len(problems)} problems, first: {problems[0]}")
        result.add("verify(), final ledger", seconds, "s",
                   f"{total} hazards, {events} events: {per_second(events, seconds):,.0f} events/s")


def concurrent_steps(ledger: Ledger, batch: list[Item], threads: int) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    first: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)

    def worker(mine: list[Item]) -> None:
        local: Counter[str] = Counter()
        barrier.wait()
        for item, step in rounds(mine):
            try:
                take(ledger, item.finding.id, step)
                local["ok"] += 1
            except ConflictError:
                local["conflict"] += 1
            except StepRefused as exc:
                local["refused"] += 1
                with lock:
                    first.append(str(exc))
            except Exception as exc:  # noqa: BLE001 - counted and reported, not hidden
                local["error"] += 1
                with lock:
                    first.append(f"{type(exc).__name__}: {exc}")
        with lock:
            counts.update(local)

    pool = [threading.Thread(target=worker, args=(batch[i::threads],), daemon=True) for i in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in pool:
        thread.join()
    seconds = time.perf_counter() - start
    return {"ok": counts["ok"], "conflict": counts["conflict"], "refused": counts["refused"],
            "error": counts["error"], "seconds": seconds, "first": first[0] if first else ""}


def long_history(ledger: Ledger, items: list[Item], length: int, result: Result) -> None:
    template = next(item for item in items if item.kind == "major")
    hazard_id = "L-0000001"
    item = Item(template.finding.model_copy(update={"id": hazard_id}), template.verdict, "major",
                script_for("major", 0, "某企业", 0))
    register(ledger, item)
    for step in item.script:
        take(ledger, hazard_id, step)
    latencies = []
    for number in range(length):
        step = Step("report_progress", "ENT_PRINCIPAL", "张主要负责人", "某企业", 3,
                    {"progress": f"第{number + 1}次治理进展"})
        t = time.perf_counter()
        take(ledger, hazard_id, step)
        latencies.append(time.perf_counter() - t)
    window = min(LONG_WINDOW, max(1, length // 2))
    early, late = statistics.mean(latencies[:window]), statistics.mean(latencies[-window:])
    base = len(item.script) + 1
    result.extra["history_slope_ms_per_100"] = 1000 * (late - early) / (length - window) * 100
    result.add(f"step latency, history of {base}-{base + window} events", 1000 * early, "ms",
               f"report_progress, mean of the first {window}")
    result.add(f"step latency, history of {base + length - window}-{base + length} events", 1000 * late, "ms",
               f"report_progress, mean of the last {window} ({late / early:.1f}x)")


# ---------------------------------------------------------------------------- profiling
def component(filename: str, function: str) -> str:
    if "hazard_rules" in filename:
        module = filename.split("hazard_rules", 1)[1].lstrip("/\\").removesuffix(".py").replace("/", ".")
        return f"hazard_rules.{module}"
    for name in ("sqlalchemy", "pydantic", "psycopg", "chinese_calendar"):
        if f"/{name}/" in filename or f"{name}." in function or f"'{name}" in function:
            return "pydantic" if name == "pydantic" else name
    if "pydantic_core" in function:
        return "pydantic"
    if "sqlite3" in function or "sqlite3" in filename:
        return "sqlite3 (driver and engine)"
    if "json" in filename or "json" in function:
        return "json"
    if "hashlib" in filename or "sha256" in function or "_hashlib" in function:
        return "hashlib"
    return "python/other"


def short(key: tuple[str, int, str]) -> str:
    filename, line, function = key
    if filename == "~":
        return function
    parts = Path(filename).parts
    for anchor in ("hazard_rules", "sqlalchemy", "pydantic", "psycopg"):
        if anchor in parts:
            return f"{'/'.join(parts[parts.index(anchor):])}:{line}({function})"
    return f"{Path(filename).name}:{line}({function})"


def describe_profile(profile: cProfile.Profile, count: int, unit: str, top: int = 5) -> str:
    stats = pstats.Stats(profile)
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values()) or 1e-9
    shares: Counter[str] = Counter()
    for key, entry in raw.items():
        shares[component(key[0], key[2])] += entry[2]
    lines = [f"profiled {count} {unit}, {1000 * total / count:.2f} ms each under the profiler"]
    lines.append("  own time by component: " + ", ".join(
        f"{name} {time_ / total:.0%}" for name, time_ in shares.most_common(6)))
    lines.append("  most own time:")
    for key, entry in sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]:
        lines.append(f"    {entry[2] / total:5.1%}  {entry[1]:>8} calls  {short(key)}")
    ours = [(key, entry) for key, entry in raw.items() if "hazard_rules" in key[0]]
    lines.append("  our functions, time inside them (cumulative):")
    for key, entry in sorted(ours, key=lambda kv: kv[1][3], reverse=True)[:top + 3]:
        lines.append(f"    {entry[3] / total:5.1%}  {entry[1]:>8} calls  {short(key)}")
    return "\n".join(lines)


def profile_backend(url: str, items: list[Item], result: Result) -> None:
    def run(phase: str, count: int, unit: str, body: Callable[[], Any]) -> Any:
        profile = cProfile.Profile()
        profile.enable()
        try:
            value = body()
        finally:
            profile.disable()
        text = describe_profile(profile, count, unit)
        result.profiles.append((phase, text))
        print(f"\n  [{result.backend}] {phase}\n" + "\n".join("    " + line for line in text.splitlines()), flush=True)
        return value

    with Ledger.open(url) as ledger:
        run("intake, new findings", len(items), "registrations",
            lambda: [register(ledger, item) for item in items])
        run("intake again (idempotent)", len(items), "registrations",
            lambda: [register(ledger, item) for item in items])
        pairs = list(rounds(items))
        run("steps, sequential mix", len(pairs), "steps",
            lambda: [take(ledger, item.finding.id, step) for item, step in pairs])

        def refuse_all() -> None:
            for item in items:
                try:
                    take(ledger, item.finding.id, REFUSALS["wrong role (start as INSPECTOR)"](item))
                except StepRefused:
                    pass
        run("refused steps, wrong role", len(items), "refusals", refuse_all)
        run("verify()", event_count(ledger), "events", ledger.verify)
        recorded = run("tick(now), first", len(ledger.hazards(open_only=True)), "open hazards",
                       lambda: ledger.tick(TICK_AT))
        print(f"    (the first tick recorded {len(recorded)} events)")
        run("tick(now), again", len(ledger.hazards(open_only=True)), "open hazards", lambda: ledger.tick(TICK_AT))


# ---------------------------------------------------------------------------- backends
@contextmanager
def sqlite_url(workdir: Path, name: str) -> Iterator[str]:
    path = workdir / f"{name}.sqlite"
    try:
        yield f"sqlite:///{path}"
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def postgres_urls() -> Iterator[Callable[[], str]]:
    from tests.postgres_server import PostgresServer

    start = time.perf_counter()
    server = PostgresServer.start()
    print(f"  started a throwaway PostgreSQL server in {time.perf_counter() - start:.1f} s "
          f"(socket in {server.socket_dir})", flush=True)
    made: list[str] = []

    def new_database() -> str:
        url = server.create_database()
        made.append(url)
        return url

    try:
        yield new_database
    finally:
        try:
            for url in made:
                server.drop_database(url)
        finally:
            server.stop()
            print("  PostgreSQL server stopped and its directory removed", flush=True)


# ---------------------------------------------------------------------------- report
def print_summary(results: list[Result]) -> None:
    print("\n" + "=" * 100)
    print("summary")
    labels: list[str] = []
    for result in results:
        labels += [row.label for row in result.rows if row.label not in labels]
    names = [r.backend + (f" {r.server}" if r.server else "") for r in results]
    print(f"  {'':<58}" + "".join(f"{name:>18}" for name in names))
    for label in labels:
        cells = []
        unit = ""
        for result in results:
            row = next((row for row in result.rows if row.label == label), None)
            if row is None or row.value is None:
                cells.append(f"{'-':>18}")
                continue
            unit = row.unit
            cells.append(f"{row.value:>18,.2f}" if row.value < 100 else f"{row.value:>18,.0f}")
        print(f"  {label:<58}" + "".join(cells) + f"  {unit}")


def print_observations(results: list[Result], threads: int) -> None:
    print("\nobservations (ratios from the table above)")
    for result in results:
        x = result.extra
        step = x.get("step_ms")
        if not step:
            continue
        lines = []
        for key, value in x.items():
            if key.startswith("refusal_ms "):
                lines.append(f"a refused step, {key.split(' ', 1)[1]}, costs {value:.2f} ms = {value / step:.0%} "
                             f"of a successful step ({step:.2f} ms)")
        if "escalation_ms" in x:
            lines.append(f"tick records an escalation in {x['escalation_ms']:.2f} ms = "
                         f"{x['escalation_ms'] / step:.1f}x a scripted step")
        if "history_slope_ms_per_100" in x:
            lines.append(f"a step gets {x['history_slope_ms_per_100']:.2f} ms slower per 100 events of the "
                         f"hazard's history")
        if "speedup" in x:
            lines.append(f"{threads} threads take steps at {x['speedup']:.2f}x the sequential rate")
        print(f"  {result.backend}:")
        for line in lines:
            print(f"    - {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2_000, help="number of findings (default 2000)")
    parser.add_argument("--backends", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--progress", type=int, default=3, help="report_progress steps per major hazard (default 3)")
    parser.add_argument("--threads", type=int, default=4, help="threads for the concurrent phase; 1 skips it")
    parser.add_argument("--long-history", type=int, default=300,
                        help="report_progress steps on one hazard for the latency-vs-history phase; 0 skips it")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile pass")
    args = parser.parse_args()
    if args.n < 34:
        parser.error("--n must be at least 34 (one of each example)")

    # Ctrl-C (even when started from a shell that ignores SIGINT in background jobs) and
    # SIGTERM end the process through an exception, so the finally blocks still clean up.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    print(f"Python {platform.python_version()} ({platform.python_implementation()}) on {platform.platform()}")
    print(f"machine: {machine_description()}")
    print(f"libraries: {library_versions()}")

    rules = load_rulesets()
    examples = load_examples()
    start = time.perf_counter()
    items = make_items(examples, args.n, "B", args.progress, rules)
    batch = make_items(examples, args.n, "C", args.progress, rules) if args.threads > 1 else []
    profile_items = make_items(examples, min(args.n, 300), "P", args.progress, rules)
    print(f"workload: {args.n} findings from {len(examples)} examples, validated and classified in "
          f"{time.perf_counter() - start:.1f} s (not timed below); "
          f"{sum(len(i.script) for i in items)} scripted steps; report_progress x {args.progress} per major")

    results: list[Result] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench-ledger-") as workdir:
        for backend in args.backends:
            result = Result(backend)
            results.append(result)
            print(f"\n{backend}" + ("" if backend == "postgresql" else f" (file in {workdir})"), flush=True)
            try:
                if backend == "sqlite":
                    with sqlite_url(Path(workdir), "ledger") as url:
                        run_backend(backend, url, args, items, batch, result)
                    if not args.no_profile:
                        with sqlite_url(Path(workdir), "profile") as url:
                            profile_backend(url, profile_items, result)
                else:
                    with postgres_urls() as new_database:
                        run_backend(backend, new_database(), args, items, batch, result)
                        if not args.no_profile:
                            profile_backend(new_database(), profile_items, result)
            except BenchmarkFailed as exc:
                print(f"\nFAILED: {exc}", file=sys.stderr)
                result.failures.append(str(exc))
            failed |= bool(result.failures)
    print_summary(results)
    print_observations(results, args.threads)
    for result in results:
        for failure in result.failures:
            print(f"FAILED [{result.backend}]: {failure}")
    return 2 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; the PostgreSQL server and the temporary files were removed", file=sys.stderr)
        sys.exit(130)
