"""Benchmark: the ledger's statistics (workflow/stats) over a large ledger.

    python benchmarks/bench_stats.py [--hazards 10000] [--db PATH] [--repeat 3] [--seed 7]
                                     [--only series_month ...] [--digest FILE]

What is measured, and why
-------------------------
Every statistics view (the console's /console/stats, ``GET /api/v1/stats/series``, the
CLI's ``ledger stats ...``) replays the hash-chained event log as of the moments it counts
(docs/workflow.md, "Statistics"), so its cost grows with the number of events. This script
builds a ledger the size of a county's year and times the public calls on it, in CPU
seconds (time.process_time: the machine is shared, wall time would measure the others):

- ``series_month``: `series` over 2025 by month (12 points), as the console draws it;
- ``series_week``: the same by week (53 points);
- ``series_by``: by month with the bar charts (``by`` industry, department, lane, age);
- ``snapshot``: `snapshot` as of 2025-12-31 (reading and replaying the log);
- ``stock_increment``: `stock_increment` as of 2025-12-31 from the ledger (cut-off 2025-01-01);
- ``breakdown``: `breakdown` by jurisdiction and lane as of 2025-06-30 from the ledger.

Each call is repeated (--repeat) and the median printed. With ``--digest FILE`` the
results of every call are written as JSON, so that two versions of the code can be
compared for identical results (run each with its own PYTHONPATH, then ``cmp``).

The ledger (SQLite, built once and kept at --db; delete the file to rebuild it) is made
through the service (`Ledger.register`, `Ledger.step`, `Ledger.tick`), in time order:
--hazards findings (copies of examples/inspections.jsonl with unique ids) registered on
random days of 2025, each then taking the steps of its lane on later days, and a `tick`
on the first day of each month records the escalations of overdue hazards:

- major: classify_major, report_double, file_plan (due in 60-120 days), start, a progress
  report each month; one in five listed (挂牌督办); half assessed, applied for closure and
  closed by the department; one in twenty voided by the department.
- ordinary and undetermined (judged ordinary when assigned): one in six fixed on the spot
  (ordinary only), one in twenty voided, the rest assigned (due in 10-40 days), accepted,
  and, for three in four, rectified and verified.

Steps that fall after 2025-12-31 are not taken (open at the end of the year). With the
default 10,000 hazards the ledger holds about 70,000 events; building it takes a few
minutes (run with TMPDIR=/dev/shm or --db on a RAM disk: every step is a transaction).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import heapq
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from hazard_rules import Finding, load_rulesets
from hazard_rules.workflow import stats as st
from hazard_rules.workflow.domain.events import Evidence
from hazard_rules.workflow.service.ledger import Ledger
from hazard_rules.workflow.store import schema

ROOT = Path(__file__).resolve().parents[1]
CST = dt.timezone(dt.timedelta(hours=8))
YEAR_START, YEAR_END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
PHOTO = Evidence(name="after_photo", ref="photos/after.jpg", sha256="ab" * 32)
PLAN = {"targets": "整改", "methods": "改造", "funds": "50万元", "organisation": "设备部", "time_limit": "限期",
        "safety_measures": "应急预案"}
DEPT = {"role": "DEPT", "organisation": "应急管理局", "department": "应急管理"}
SAB = {"role": "SAFETY_COMMITTEE", "organisation": "安委会办公室"}


# ---------------------------------------------------------------------------- the ledger
def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=CST)


def _script(kind: str, found: dt.date, rng: random.Random) -> list[tuple[int, str, dict[str, Any]]]:
    """(day offset, action, how) for each step after registration."""
    def due(days: int) -> str:
        return (found + dt.timedelta(days=days)).isoformat()

    steps: list[tuple[int, str, dict[str, Any]]] = []
    if kind == "major":
        steps += [(0, "classify_major", {"role": "ENT_PRINCIPAL", "fields": {"interim_controls": "停用"}}),
                  (1, "report_double", {"role": "ENT_PRINCIPAL", "fields": {
                      "report": "报告", "receipt_department": "回执", "receipt_workers_congress": "回执"}})]
        if rng.random() < 0.05:
            return [*steps, (rng.randint(2, 30), "void", {**DEPT, "fields": {"reason": "重复登记"}})]
        length = rng.randint(60, 120)
        steps += [(3, "file_plan", {"role": "ENT_PRINCIPAL", "fields": {"plan": PLAN, "rectify_due": due(length)}}),
                  (5, "start", {"role": "ENT_PRINCIPAL"})]
        listed = rng.random() < 0.2
        if listed:
            steps.append((6, "list", {**SAB, "fields": {"listing": {
                "level": "市级", "authority": "安委会办公室", "doc_no": "督〔2025〕1号", "deadline": due(length),
                "served_by": "赵", "received_by": "张", "received_at": due(6)}}}))
        done = rng.randint(length - 30, length + 60)
        steps += [(day, "report_progress", {"role": "ENT_PRINCIPAL", "fields": {"progress": f"第{i + 1}次"}})
                  for i, day in enumerate(range(30, done, 30))]
        if rng.random() < 0.5:
            steps += [(done, "complete_and_assess", {"role": "EVALUATOR", "fields": {
                          "assessment_by": "agency", "assessment_report": "报告"}}),
                      (done + 2, "apply_closure", {"role": "ENT_PRINCIPAL", "fields": {"application": "申请"}}),
                      (done + rng.randint(5, 20), "accept_and_close", {**(SAB if listed else DEPT), "fields": {
                          "review_record": "记录", "opinion": "同意"}})]
        return steps
    draw = rng.random()
    if draw < 0.05:
        return [(rng.randint(0, 10), "void", {**DEPT, "fields": {"reason": "重复登记"}})]
    if draw < 0.22 and kind == "ordinary":
        return [(0, "fix_on_spot", {"role": "ENT_SAFETY", "fields": {"measure": "当场整改"}, "evidence": [PHOTO]})]
    assign: dict[str, Any] = {"assignee": "车间主任", "measure": "按标准整改", "rectify_due": due(rng.randint(10, 40))}
    if kind == "undetermined":
        assign["determination"] = {"by": "专家王某", "reason": "现场核实为一般隐患"}
    steps += [(0, "assign", {"role": "ENT_SAFETY", "fields": assign}), (1, "accept", {"role": "ENT_ASSIGNEE"})]
    if rng.random() < 0.75:
        fixed = rng.randint(3, 50)
        steps += [(fixed, "submit_rectification", {"role": "ENT_ASSIGNEE", "fields": {"measures_taken": "已整改"},
                                                   "evidence": [PHOTO]}),
                  (fixed + rng.randint(1, 5), "verify_pass", {"role": "ENT_SAFETY", "fields": {"opinion": "合格"}})]
    return steps


def build(url: str, hazards: int, seed: int) -> None:
    """Register `hazards` findings over 2025 and take their steps, in time order, with a
    monthly tick (see the module's docstring)."""
    rng = random.Random(seed)
    rules = load_rulesets()
    examples = [json.loads(line) for line in (ROOT / "examples" / "inspections.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    classified = [(record, rules.classify(record)) for record in examples]
    queue: list[tuple[dt.datetime, int, str, str, dict[str, Any]]] = []  # at, order, hazard, action, how
    order = 0
    for number in range(hazards):
        record, verdict = classified[number % len(classified)]
        found = YEAR_START + dt.timedelta(days=rng.randrange(365))
        hazard_id = f"S-{number:07d}"
        finding = Finding.model_validate(dict(record, id=hazard_id, date=found.isoformat()))
        heapq.heappush(queue, (_at(found, 9), order, hazard_id, "register", {"finding": finding, "verdict": verdict}))
        order += 1
        for offset, action, how in _script(verdict.verdict, found, rng):
            day = found + dt.timedelta(days=offset)
            if day <= YEAR_END:
                heapq.heappush(queue, (_at(day, 10), order, hazard_id, action, how))
                order += 1
    months = [dt.date(2025, m, 1) for m in range(2, 13)] + [dt.date(2026, 1, 1)]
    with Ledger.open(url) as ledger:
        taken = 0
        for at, _, hazard_id, action, how in _in_order(queue):
            while months and at.date() >= months[0]:
                ledger.tick(_at(months.pop(0), 1))
            if action == "register":
                finding = how["finding"]
                ledger.register(finding, how["verdict"], actor="王检查", role="INSPECTOR",
                                organisation=finding.enterprise.name or "某企业", at=at)
            else:
                jurisdiction = ledger.get(hazard_id).jurisdiction or "370000"
                role = how["role"]
                acting: dict[str, Any] = {}
                if role in ("DEPT", "SAFETY_COMMITTEE"):
                    acting["org_code"] = jurisdiction[:2]
                    if "department" in how:
                        acting["department"] = how["department"]
                ledger.step(hazard_id, action, actor=f"{role}-人员", role=role,
                            organisation=how.get("organisation", "企业"), at=at, fields=how.get("fields", {}),
                            evidence=how.get("evidence", []), **acting)
            taken += 1
            if taken % 5000 == 0:
                print(f"  ... {taken} steps", file=sys.stderr, flush=True)
        for month in months:
            ledger.tick(_at(month, 1))


def _in_order(queue: list[Any]) -> Any:
    while queue:
        yield heapq.heappop(queue)


def event_count(ledger: Ledger) -> int:
    with ledger.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.events)).scalar_one()


# ---------------------------------------------------------------------------- the calls
CUT_OFF = YEAR_START
CALLS: dict[str, Callable[[Ledger], Any]] = {
    "series_month": lambda ledger: st.series(ledger, CUT_OFF, YEAR_START, YEAR_END, "month").as_dict(),
    "series_week": lambda ledger: st.series(ledger, CUT_OFF, YEAR_START, YEAR_END, "week").as_dict(),
    "series_by": lambda ledger: st.series(ledger, CUT_OFF, YEAR_START, YEAR_END, "month",
                                          by=["industry", "department", "lane", "age"]).as_dict(),
    "snapshot": lambda ledger: [h.model_dump(mode="json") for h in st.snapshot(ledger, YEAR_END).hazards],
    "stock_increment": lambda ledger: st.stock_increment(ledger, CUT_OFF, YEAR_END),
    "breakdown": lambda ledger: st.breakdown(ledger, dt.date(2025, 6, 30), by=["jurisdiction", "lane"]),
}


def measure(ledger: Ledger, names: list[str], repeat: int) -> tuple[dict[str, float], dict[str, str]]:
    seconds: dict[str, float] = {}
    digests: dict[str, str] = {}
    for name in names:
        times = []
        for _ in range(repeat):
            start = time.process_time()
            result = CALLS[name](ledger)
            times.append(time.process_time() - start)
        seconds[name] = statistics.median(times)
        text = json.dumps(result, ensure_ascii=False, sort_keys=True, default=str)
        digests[name] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return seconds, digests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hazards", type=int, default=10_000)
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (built if missing)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=list(CALLS), default=list(CALLS))
    parser.add_argument("--digest", type=Path, default=None, help="write the results' hashes here (JSON)")
    args = parser.parse_args()
    path = args.db or Path("/tmp") / f"bench-stats-{args.hazards}-{args.seed}.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        print(f"building {path} ({args.hazards} hazards) ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        build(url, args.hazards, args.seed)
        print(f"built in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    with Ledger.open(url) as ledger:
        events = event_count(ledger)
        print(f"ledger {path}: {args.hazards} hazards, {events} events")
        seconds, digests = measure(ledger, args.only, args.repeat)
    for name in args.only:
        print(f"  {name:<16} {seconds[name]:8.3f} s CPU  ({1e6 * seconds[name] / events:.1f} µs/event)  "
              f"result {digests[name][:12]}")
    if args.digest:
        args.digest.write_text(json.dumps({"events": events, "seconds": seconds, "digests": digests}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
