"""Cold start: import hazard_rules and load every shipped pack, in fresh processes.

    python benchmarks/bench_load.py [--runs N]

Targets: loading all packs under 0.5 s cold (issues 9–11, 13: no cache) and under 50 ms
warm (issue 13). Prints the median and the worst of N
fresh interpreters, twice: without the load cache (HAZARD_RULES_CACHE=off: every file read,
every condition parsed, all code compiled: a first run, or a changed pack) and with it warm
(loading/cache.py: what a fresh process pays once the packs have been loaded before, as
Python pays for its imports with __pycache__: the whole checked Ruleset restored,
classifying/snapshot.py; and, for comparison, the same from the cached parts alone). Wall
and CPU time both: on a busy machine the wall clock also counts time spent waiting for a core.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = """
import json, time
started = time.perf_counter()
from hazard_rules import load_rulesets
imported = time.perf_counter()
cpu = time.process_time()
ruleset = load_rulesets()
loaded = time.perf_counter()
print(json.dumps({"import": imported - started, "load": loaded - imported, "cpu": time.process_time() - cpu,
                  "packs": len(ruleset.packs), "rules": sum(len(p.rules) for p in ruleset.packs)}))
"""


def _runs(count: int, cache: str, *, parts_only: bool = False) -> list[dict[str, float]]:
    env = dict(os.environ, HAZARD_RULES_CACHE=cache)
    results = []
    for _ in range(count):
        if parts_only:  # without the whole-Ruleset snapshot (classifying/snapshot.py): from the parts
            for snapshot in Path(cache).glob("*/ruleset-*"):
                snapshot.unlink()
        results.append(json.loads(subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                                                 env=env, check=True).stdout))
    return results


def _line(label: str, values: list[float]) -> str:
    values = sorted(values)
    return f"  {label:<34} median {statistics.median(values):.3f} s, worst {values[-1]:.3f} s"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    uncached = _runs(args.runs, "off")
    with tempfile.TemporaryDirectory() as folder:
        _runs(1, folder)  # fill the cache
        warm = _runs(args.runs, folder)
        parts = _runs(args.runs, folder, parts_only=True)
    print(f"{warm[0]['packs']} packs, {warm[0]['rules']} rules, {args.runs} fresh processes each")
    print(_line("import hazard_rules:", [r["import"] for r in warm]))
    print(_line("load_rulesets(), no cache:", [r["load"] for r in uncached]) + "  (target < 0.5 s)")
    print(_line("  CPU time:", [r["cpu"] for r in uncached]))
    print(_line("load_rulesets(), warm cache:", [r["load"] for r in warm]) + "  (target < 50 ms)")
    print(_line("  CPU time:", [r["cpu"] for r in warm]))
    print(_line("  from cached parts, no snapshot:", [r["load"] for r in parts]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
