"""Choose each pack's safety-net threshold from its evaluation set, and write them.

    python benchmarks/calibrate_suggest.py            # print the thresholds and their figures
    python benchmarks/calibrate_suggest.py --write    # write src/hazard_rules/matching/thresholds.json

BM25 weighs a term by how rare it is across every loaded clause, so one threshold cannot
suit every standard: a pack of 9 clauses scores lower than one of 64, and each new standard
moves every score (docs/suggest.md). For each pack, with all shipped packs loaded:

- candidates are the midpoints between consecutive distinct best scores of its evaluation
  descriptions (so no threshold sits exactly on a case);
- take the lowest candidate whose false alarms (ordinary descriptions held back) are at
  most 10 % — that lets the fewest described findings through — provided it lets at most
  10 % of them through (the gate of tests/test_suggest.py);
- otherwise, safety first: the highest candidate that lets at most 5 % through (half the
  gate, since these figures are measured on the very cases the threshold was chosen on).

tests/test_suggest_calibration.py fails when the shipped file differs from what this
computes, like docs/coverage.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "data" / "suggest"
THRESHOLDS = ROOT / "src" / "hazard_rules" / "matching" / "thresholds.json"
MAX_FALSE_ALARMS = 0.10
MAX_LET_THROUGH = 0.10    # the gate of tests/test_suggest.py
SAFE_LET_THROUGH = 0.05   # when false alarms cannot be kept down: half the gate, as these figures are in-sample


def best_scores(ruleset: Any, pack: Any, cases: list[dict]) -> tuple[list[float], list[float]]:
    """Each described and each ordinary description's best score against the pack's clauses."""
    described, ordinary = [], []
    for case in cases:
        ranked = ruleset.matcher.rank(case["text"], [pack])
        (described if case["expect"] else ordinary).append(ranked[0].score if ranked else 0.0)
    return described, ordinary


def choose(described: list[float], ordinary: list[float]) -> dict[str, float]:
    scores = sorted(set(described) | set(ordinary) | {0.0})
    candidates = [(low + high) / 2 for low, high in zip(scores, scores[1:])] or [scores[0] + 1.0]

    def alarms(t: float) -> float:
        return sum(s >= t for s in ordinary) / max(len(ordinary), 1)

    def through(t: float) -> float:
        return sum(s < t for s in described) / max(len(described), 1)

    quiet = [t for t in candidates if alarms(t) <= MAX_FALSE_ALARMS]
    if quiet and through(quiet[0]) <= MAX_LET_THROUGH:
        threshold = quiet[0]
    else:
        safe = [t for t in candidates if through(t) <= SAFE_LET_THROUGH]
        threshold = safe[-1] if safe else candidates[0]
    threshold = round(threshold, 3)
    return {"threshold": threshold, "false_alarms": round(alarms(threshold), 4),
            "let_through": round(through(threshold), 4)}


def calibrate(ruleset: Any) -> dict[str, dict[str, float]]:
    found = {}
    for pack in ruleset.packs:
        path = CASES / f"{pack.id}.yaml"
        if path.is_file():
            cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
            found[pack.id] = choose(*best_scores(ruleset, pack, cases))
    return found


def main() -> int:
    from hazard_rules import load_rulesets

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {THRESHOLDS.relative_to(ROOT)}")
    args = parser.parse_args()
    found = calibrate(load_rulesets())
    for pack_id, row in found.items():
        print(f"{pack_id:24} threshold {row['threshold']:7.3f}  false alarms {row['false_alarms']:6.1%}  "
              f"let through {row['let_through']:6.1%}")
    if args.write:
        THRESHOLDS.write_text(json.dumps({k: v["threshold"] for k, v in found.items()}, indent=2,
                                         sort_keys=True) + "\n", encoding="utf-8")
        print(f"written: {THRESHOLDS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
