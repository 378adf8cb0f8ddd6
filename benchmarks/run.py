"""The benchmark: every public path of the engine, its peers and the CLI, in one table.

    python benchmarks/run.py [--n 20000] [--seed 1] [--hit-rate 0.05] [--rss-findings 1000000]
    make bench                     # the same, after installing the `bench` extra (the peers)

One process prints one Markdown table (docs/performance.md keeps the last one). Sections:

A. The 44-rule subset of benchmarks/subset.py (4 packs: thresholds, set membership, a
   k-of-n rule) on N complete typed records, hit rate --hit-rate: the hand-written function
   (benchmarks/handwritten.py, the 1.00x baseline), the compiled checker (`Ruleset.plan`, one
   call per pack), `Ruleset.classify` / `classify_many` / `classify_batch` on the same
   records as finding dicts, and the peers (benchmarks/peers.py) on the rules translated
   mechanically from our IR. Everything is first checked to give the same rule ids as the
   hand-written function on every timed record (the run aborts otherwise); the three-valued
   rows use records with --missing-rate of the facts left out, where the hand-written
   function is checked three-valued (true and unknown rule ids).
B. All shipped packs at once: generated findings spread over every pack and industry code
   (benchmarks/generate.py), through the checker, `classify`, `classify_many`, `classify_batch`.
B'. examples/inspections.jsonl repeated (sparse records as inspectors write them: few facts,
   claims, descriptions): `classify` at finding and enterprise scope, and at finding scope
   with every description new (the description safety net without its memo).
B''. The findings of the pack with the most rules, classified with only that pack loaded and
   with all packs loaded: the cost per finding must not grow with the packs loaded.
C. Loading all packs in fresh processes: cold (no cache: read, check, compile) and warm
   (the load cache) — benchmarks/bench_load.py.
D. `hazard-rules check --format jsonl` end to end in a subprocess on the section-B kind of
   findings, against a plain Python script that only json.loads each line and json.dumps
   a small verdict (benchmarks/bench_stream.py); with --rss-findings N also the CLI's peak
   RSS on N findings streamed (off by default: 1,000,000 take ~17 min at today's CLI speed,
   beyond the 10-minute budget of the default run).
E. The HTTP API served for real (`hazard-rules serve`, benchmarks/bench_http.py): POST
   /api/v1/classify/batch and /api/v1/classify on --http-findings of section B's findings,
   by the server process's CPU; its verdicts are first checked to equal `classify`'s.

Throughput is records per CPU second of this process (time.process_time: on a shared
machine the wall clock also counts the time spent waiting for a core), best of --repeat
runs with the garbage collector paused (as timeit does); a slow path is timed on a prefix
of the records sized to take about --budget seconds. The CLI and its floor are timed by
the CPU time of their processes (wall time in the notes). Exit status 2 if any path
disagrees with the hand-written function.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import bench_http
import bench_load
import bench_stream
import generate
import subset
from _machine import machine_description
from handwritten import classify_subset, classify_subset_3v
from hazard_rules import load_rulesets
from peers import PEERS, names_for

FLOOR = ("import json, sys\n"
         "out = sys.stdout\n"
         "for line in open(sys.argv[1], encoding='utf-8'):\n"
         "    record = json.loads(line)\n"
         "    out.write(json.dumps({'finding': record['id'], 'verdict': 'ordinary', 'matches': []},"
         " ensure_ascii=False) + '\\n')\n")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "inspections.jsonl"
Row = tuple[str, str, str, str]  # path, throughput or figure, x hand-written, notes


def fail(message: str) -> None:
    print(f"\nABORT: {message}", file=sys.stderr)
    sys.exit(2)


def best_rate(loop: Callable[[Sequence[Any]], object], items: Sequence[Any], repeat: int, budget: float) -> float:
    """Items per second of loop(items[:k]), best of `repeat`, k sized so one run takes ~budget s."""
    probe = items[:max(1, min(len(items), 20))]
    started = time.process_time()
    loop(probe)
    each = max((time.process_time() - started) / len(probe), 1e-9)
    chosen = items[:max(len(probe), min(len(items), int(budget / each)))]
    best = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            started = time.process_time()
            loop(chosen)
            best = min(best, time.process_time() - started)
    finally:
        if enabled:
            gc.enable()
    return len(chosen) / best


def rate_cell(rate: float) -> str:
    return f"{rate:,.0f} /s ({1e6 / rate:,.1f} µs)"


def versions() -> str:
    names = ["hazard-rules", "pydantic", *dict.fromkeys(p.distribution for p in PEERS)]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} not installed")
    return ", ".join(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="records per section (A and B)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hit-rate", type=float, default=0.05, help="share of records given a violation")
    parser.add_argument("--missing-rate", type=float, default=0.2, help="share of facts left out (3-valued rows)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget", type=float, default=1.5, help="seconds one timed run of a slow path may take")
    parser.add_argument("--cli-findings", type=int, default=50_000)
    parser.add_argument("--rss-findings", type=int, default=0,
                        help="also stream this many findings through the CLI for its peak RSS (1000000: ~17 min)")
    parser.add_argument("--load-runs", type=int, default=5)
    parser.add_argument("--http-findings", type=int, default=2000, help="records sent to the HTTP API (0: skip it)")
    args = parser.parse_args()
    started = time.perf_counter()
    rows: list[Row] = []

    def timed(label: str, loop: Callable[[Sequence[Any]], object], items: Sequence[Any], baseline: float | None,
              note: str = "") -> float:
        rate = best_rate(loop, items, args.repeat, args.budget)
        ratio = f"{rate / baseline:.3f}x" if baseline else "—"
        rows.append((label, rate_cell(rate), ratio, note))
        print(f"  … {label}: {rate:,.0f}/s", file=sys.stderr, flush=True)
        return rate

    ruleset = load_rulesets()

    # ------------------------------------------------------------------ A. the subset
    scn = subset.subset_scenario(ruleset, args.seed)
    rules = subset.rules(scn)
    records = subset.records(scn, args.n, args.seed, args.hit_rate)
    expected = []
    for number, facts in enumerate(records):
        true, unknown = subset.engine_3v(scn, facts)
        mine = classify_subset(facts)
        if unknown or true != mine:
            fail(f"subset record {number}: checker {true} (unknown {unknown}), hand-written {mine}")
        expected.append(mine)
    partial = subset.records(scn, args.n, args.seed + 1, args.hit_rate, args.missing_rate)
    for number, facts in enumerate(partial):
        if subset.engine_3v(scn, facts) != classify_subset_3v(facts):
            fail(f"subset record {number} with facts missing: checker {subset.engine_3v(scn, facts)}, "
                 f"hand-written {classify_subset_3v(facts)}")
    flagged = sum(1 for ids in expected if ids) / len(expected)
    findings_a = [{"id": f"S-{n}", "date": subset.DAY.isoformat(), "industries": scn.industries,
                   "facts": {k: generate.to_json(v) for k, v in facts.items()}} for n, facts in enumerate(records)]
    for finding, ids in zip(findings_a[:2000], expected):
        verdict = ruleset.classify(finding)
        if sorted(m.rule for m in verdict.matches) != sorted(ids):
            fail(f"{finding['id']}: classify matched {[m.rule for m in verdict.matches]}, expected {ids}")
    rows.append((f"**A. {len(rules)} rules of {len(scn.parts)} packs, {args.n:,} complete records, "
                 f"{flagged:.1%} with a true rule**", "", "", ""))
    hand = timed("hand-written `classify_subset(facts)`", lambda rs: [classify_subset(f) for f in rs], records, None,
                 "baseline")
    rows[-1] = (rows[-1][0], rows[-1][1], "1.000x", rows[-1][3])
    plans = [part.plan for part in scn.parts]
    day = subset.DAY

    def checker(rs: Sequence[dict[str, Any]]) -> None:
        for facts in rs:
            for plan in plans:
                plan(facts, day)

    timed("compiled checker `Ruleset.plan(pack, codes)(facts, day)`, 4 packs", checker, records, hand,
          "typed facts, one call per pack; target ≥ 0.8x")
    timed("`Ruleset.classify(finding_dict)`", lambda fs: [ruleset.classify(f) for f in fs], findings_a, hand,
          "whole public path: validation, coercion, verdict")
    timed('`Ruleset.classify(finding_dict, scope="enterprise")`',
          lambda fs: [ruleset.classify(f, scope="enterprise") for f in fs], findings_a, hand,
          "the whole standard judged, not only the situations the facts concern")
    timed("`Ruleset.classify_many(findings)`", lambda fs: list(ruleset.classify_many(fs)), findings_a, hand)
    batch = getattr(ruleset, "classify_batch", None)
    if batch is None:
        rows.append(("`Ruleset.classify_batch(findings)`", "n/a", "", "not in this version"))
    else:
        timed("`Ruleset.classify_batch(findings)`", lambda fs: batch(fs), findings_a, hand,
              "results not compared here")
    rules_names = names_for(rules)
    for peer in PEERS:
        version = peer.available()
        if version is None:
            rows.append((peer.label, "not installed", "", f"pip install {peer.distribution}"))
            continue
        matched, native = peer.prepare(rules, rules_names)
        probe = [native(facts) for facts in records[:20]]
        clock = time.process_time()
        for record in probe:
            matched(record)
        each = max((time.process_time() - clock) / len(probe), 1e-9)
        # A slow peer is converted, checked and timed on the prefix one timed run can cover.
        inputs = [native(facts) for facts in records[:max(20, min(len(records), int(args.budget / each)))]]
        checked = min(len(inputs), 2000)
        for number in range(checked):
            if matched(inputs[number]) != expected[number]:
                fail(f"{peer.label} on subset record {number}: {matched(inputs[number])}, expected {expected[number]}")
        timed(peer.label, lambda xs, run=matched: [run(x) for x in xs], inputs, hand,
              f"{version}; same ids on {checked:,} records; two-valued")
    missing_note = f"{args.missing_rate:.0%} of facts missing"
    hand3 = timed(f"hand-written three-valued `classify_subset_3v`, {missing_note}",
                  lambda rs: [classify_subset_3v(f) for f in rs], partial, hand, "Kleene helpers")
    checker3 = timed(f"compiled checker, {missing_note}", checker, partial, hand)
    rows[-1] = (*rows[-1][:3], f"{checker3 / hand3:.2f}x the three-valued hand-written function")

    # ------------------------------------------------------------------ B. all packs
    scenarios = generate.all_scenarios(ruleset, args.seed)
    findings_b = list(generate.findings(scenarios, args.n, args.seed, args.hit_rate))
    kinds = [ruleset.classify(f).verdict for f in findings_b[:2000]]
    share = {k: kinds.count(k) / len(kinds) for k in ("major", "undetermined", "ordinary")}
    rows.append((f"**B. all {len(ruleset.packs)} packs ({sum(len(p.rules) for p in ruleset.packs)} rules), "
                 f"{len(scenarios)} pack × industry scenarios, {args.n:,} findings**",
                 "", "", ", ".join(f"{k} {v:.0%}" for k, v in share.items())))
    typed = []
    for number, finding in enumerate(findings_b):
        facts, _ = ruleset.coerce_facts(finding["facts"])
        part = scenarios[number % len(scenarios)].parts[0]
        typed.append((part.plan, facts, dt.date.fromisoformat(finding["date"])))
    timed("compiled checker (the finding's pack plan)", lambda xs: [p(f, d) for p, f, d in xs], typed, None)
    timed("`Ruleset.classify(finding_dict)`", lambda fs: [ruleset.classify(f) for f in fs], findings_b, None)
    timed("`Ruleset.classify_many(findings)`", lambda fs: list(ruleset.classify_many(fs)), findings_b, None)
    if batch is None:
        rows.append(("`Ruleset.classify_batch(findings)`", "n/a", "", "not in this version"))
    else:
        timed("`Ruleset.classify_batch(findings)`", lambda fs: batch(fs), findings_b, None)

    # ------------------------------------------------------------------ B'. sparse example records
    examples = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows.append((f"**B'. examples/inspections.jsonl ({len(examples)} sparse records: 0–5 facts, claims, "
                 "descriptions), repeated**", "", "", ""))
    copies = examples * max(1, args.n // len(examples))
    for scope in ("finding", "enterprise"):
        timed(f'`Ruleset.classify(finding_dict, scope="{scope}")`',
              lambda fs, scope=scope: [ruleset.classify(f, scope=scope) for f in fs], copies, None,
              "descriptions seen before: the safety net's memo answers" if scope == "finding" else "")
    rows.append(("`Ruleset.classify(finding_dict)`, every description new",
                 rate_cell(unseen_rate(ruleset, copies, args.repeat, args.budget)), "",
                 "the description safety net (jieba + BM25) on text it has not seen"))

    # ------------------------------------------------------------------ B''. one pack loaded, or all
    largest = max(ruleset.packs, key=lambda pack: len(pack.rules))
    own = [scn for scn in scenarios if scn.parts[0].pack is largest]
    findings_own = list(generate.findings(own, args.n, args.seed, args.hit_rate, prefix="P"))
    alone = load_rulesets(largest.checked.source.folder)
    rows.append((f"**B''. {largest.id}'s findings ({len(own)} industries), with only its pack loaded or all "
                 f"{len(ruleset.packs)}**", "", "", "target: the cost does not grow with the packs loaded"))
    for finding in findings_own[:500]:
        one, every = alone.classify(finding), ruleset.classify(finding)
        if (one.verdict, [m.rule for m in one.matches]) != (every.verdict, [m.rule for m in every.matches]):
            fail(f"{finding['id']}: {one.verdict} with {largest.id} alone, {every.verdict} with all packs")
    one_rate = timed(f"`classify`, {largest.id} alone loaded", lambda fs: [alone.classify(f) for f in fs],
                     findings_own, None)
    all_rate = timed(f"`classify`, all {len(ruleset.packs)} packs loaded", lambda fs: [ruleset.classify(f) for f in fs],
                     findings_own, None)
    rows[-1] = (*rows[-1][:3], f"{all_rate / one_rate:.2f}x the rate with one pack loaded")

    # ------------------------------------------------------------------ C. load
    rows.append((f"**C. load all packs, fresh process, median of {args.load_runs}**", "", "", ""))
    cold = bench_load._runs(args.load_runs, "off")
    with tempfile.TemporaryDirectory() as cache:
        bench_load._runs(1, cache)
        warm = bench_load._runs(args.load_runs, cache)
    for label, runs, target in (("cold: read + check + compile (cache off)", cold, "target < 0.5 s"),
                                ("warm: load cache", warm, "target < 50 ms")):
        rows.append((f"`load_rulesets()`, {label}", f"{statistics.median(r['cpu'] for r in runs) * 1000:,.0f} ms CPU",
                     "", f"wall {statistics.median(r['load'] for r in runs) * 1000:,.0f} ms; {target}"))
    imported = statistics.median(r["import"] for r in warm)
    rows.append(("`import hazard_rules`", "", "", f"wall {imported * 1000:,.0f} ms"))

    # ------------------------------------------------------------------ D. CLI
    rows.append((f"**D. CLI end to end, {args.cli_findings:,} findings of section B's kind**", "", "", ""))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "findings.jsonl"
        write_findings(path, scenarios, args.cli_findings, args.seed, args.hit_rate)
        os.environ["HAZARD_RULES_CACHE"] = str(Path(folder) / "cache")
        bench_load._runs(1, os.environ["HAZARD_RULES_CACHE"])  # fill the load cache
        cpu = children_cpu()
        started_floor = time.perf_counter()
        subprocess.run([sys.executable, "-c", FLOOR, str(path)], stdout=subprocess.DEVNULL, check=True)
        floor_wall, floor = time.perf_counter() - started_floor, children_cpu() - cpu
        cpu = children_cpu()
        elapsed, rss, _ = bench_stream.run(path)
        cli = children_cpu() - cpu
        rows.append(("JSON floor: `json.loads` + `json.dumps` per line", rate_cell(args.cli_findings / floor), "",
                     f"a plain Python script; wall {floor_wall:,.1f} s"))
        rows.append(("`hazard-rules check --format jsonl`", rate_cell(args.cli_findings / cli), "",
                     f"{cli / floor:.1f}x the floor's CPU time (target ≤ 2x); wall {elapsed:,.1f} s; "
                     f"peak RSS {rss / 1024:,.0f} MiB"))
        if args.rss_findings:
            big = Path(folder) / "many.jsonl"
            repeat_file(path, big, args.rss_findings)
            cpu = children_cpu()
            elapsed, rss, _ = bench_stream.run(big)
            rows.append((f"peak RSS, {args.rss_findings:,} findings streamed through the CLI", f"{rss / 1024:,.0f} MiB",
                         "", f"{args.rss_findings / (children_cpu() - cpu):,.0f} findings per CPU second, "
                         f"wall {elapsed:,.0f} s; target < 250 MB"))

    # ------------------------------------------------------------------ E. HTTP
    if args.http_findings:
        http_records = findings_b[:args.http_findings]
        rows.append((f"**E. HTTP API, `hazard-rules serve` on 127.0.0.1, {len(http_records):,} findings of section "
                     "B's kind; server CPU**", "", "", ""))
        try:
            served = bench_http.measure(http_records)
        except ImportError as exc:  # the server extra is optional
            rows.append(("HTTP API", "n/a", "", f"not installed ({exc.name})"))
        else:
            rows.append(("`POST /api/v1/classify/batch`, all in one body", rate_cell(1e6 / served["batch_cpu_us"]),
                         "", f"server CPU; wall {served['batch_wall_us']:,.0f} µs per record"))
            rows.append(("`POST /api/v1/classify`, one record per request", rate_cell(1e6 / served["one_cpu_us"]),
                         "", f"server CPU; wall {served['one_wall_us']:,.0f} µs per request (keep-alive)"))

    print(f"Benchmark run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; Python {platform.python_version()} "
          f"on {machine_description()}")
    print(f"packages: {versions()}")
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"records: seed {args.seed}, hit rate {args.hit_rate}, best of {args.repeat}; "
          f"µs = CPU per record; ratios are throughput / the hand-written function's\n")
    print("| path | per CPU second (µs per record) or figure | × hand-written | notes |")
    print("|---|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\n(whole run {time.perf_counter() - started:,.0f} s)")
    return 0


def unseen_rate(ruleset: Any, examples: Sequence[dict[str, Any]], repeat: int, budget: float) -> float:
    """Findings per CPU second of `classify` when no description was seen before: each run
    gets its own copies, each description made unique, so the safety net's memo never helps."""
    best = 0.0
    for run in range(repeat):
        probe = [dict(r, description=f"{r.get('description', '')}（第{run}-{n}次）") for n, r in enumerate(examples)]
        started, done = time.process_time(), 0
        for finding in probe:
            ruleset.classify(finding)
            done += 1
            if time.process_time() - started > budget:
                break
        best = max(best, done / max(time.process_time() - started, 1e-9))
    return best


def children_cpu() -> float:
    """User + system CPU seconds of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def write_findings(path: Path, scenarios: list[generate.Scenario], n: int, seed: int, hit_rate: float) -> None:
    with path.open("w", encoding="utf-8") as out:
        for finding in generate.findings(scenarios, n, seed, hit_rate):
            out.write(json.dumps(finding, ensure_ascii=False) + "\n")


def repeat_file(source: Path, target: Path, n: int) -> None:
    """n findings: the lines of `source` over and over, each copy's ids made unique."""
    lines = source.read_text(encoding="utf-8").splitlines()
    with target.open("w", encoding="utf-8") as out:
        written, copy = 0, 0
        while written < n:
            for line in lines[:n - written]:
                out.write(line.replace('"id": "G-', f'"id": "C{copy}-', 1) + "\n")
            written += min(len(lines), n - written)
            copy += 1


if __name__ == "__main__":
    sys.exit(main())
