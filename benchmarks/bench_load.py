"""Cold start: import hazard_rules and load every shipped pack, in fresh processes.

    python benchmarks/bench_load.py [--runs N]

Target (issue 9): loading all packs under 0.5 s cold. Prints the median and the worst of N
fresh interpreters (the first run also pays for a cold disk cache and Lark's grammar cache).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

PROBE = """
import json, time
started = time.perf_counter()
from hazard_rules import load_rulesets
imported = time.perf_counter()
ruleset = load_rulesets()
loaded = time.perf_counter()
print(json.dumps({"import": imported - started, "load": loaded - imported,
                  "packs": len(ruleset.packs), "rules": sum(len(p.rules) for p in ruleset.packs)}))
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    runs = [json.loads(subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                                      check=True).stdout) for _ in range(args.runs)]
    loads = sorted(r["load"] for r in runs)
    imports = sorted(r["import"] for r in runs)
    print(f"{runs[0]['packs']} packs, {runs[0]['rules']} rules, {args.runs} fresh processes")
    print(f"  import hazard_rules: median {statistics.median(imports):.3f} s, worst {imports[-1]:.3f} s")
    print(f"  load_rulesets():     median {statistics.median(loads):.3f} s, worst {loads[-1]:.3f} s  (target < 0.5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
