"""Measure the description matcher on tests/data/suggest/<pack>.yaml, each pack on its own.

    python benchmarks/eval_suggest.py [--variants] [PACK ...]

recall@k: share of described cases whose expected clause is among the first k candidates;
false alarms: share of ordinary descriptions (expect: []) that the safety net would hold
back as resembling a clause; misses: share of described cases the safety net would let
through as `ordinary` (no clause resembles them). --variants also compares tokenizers.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from calibrate_suggest import choose
from hazard_rules import load_rulesets
from hazard_rules.matching.matcher import ClauseMatcher
from hazard_rules.matching.tokens import Tokenizer

CASES = Path(__file__).resolve().parents[1] / "tests" / "data" / "suggest"


def measure(matcher: ClauseMatcher, cases: list[dict], packs: list) -> dict[str, float]:
    hits = {1: 0, 3: 0, 5: 0}
    described = [c for c in cases if c["expect"]]
    ordinary = [c for c in cases if not c["expect"]]
    missed = 0
    for case in described:
        ranked = [h.pack.rules[h.index].rule.id for h in matcher.rank(case["text"], packs)]
        for k in hits:
            hits[k] += bool(set(ranked[:k]) & set(case["expect"]))
        missed += not matcher.resembling(case["text"], packs)
    alarms = sum(bool(matcher.resembling(c["text"], packs)) for c in ordinary)
    return {"recall@1": hits[1] / len(described), "recall@3": hits[3] / len(described),
            "recall@5": hits[5] / len(described), "false_alarms": alarms / len(ordinary),
            "net_misses": missed / len(described), "described": len(described), "ordinary": len(ordinary)}


def held_out(matcher: ClauseMatcher, cases: list[dict], packs: list, rounds: int = 20) -> tuple[float, float]:
    """Threshold chosen on a random half by the shipped rule (calibrate_suggest.choose), measured
    on the other half: what to expect on descriptions the threshold was not chosen on."""
    rows = []
    for case in cases:
        ranked = matcher.rank(case["text"], packs)
        rows.append((bool(case["expect"]), ranked[0].score if ranked else 0.0))
    alarms, misses = [], []
    for seed in range(rounds):
        order = list(range(len(rows)))
        random.Random(seed).shuffle(order)
        train, test = [rows[i] for i in order[::2]], [rows[i] for i in order[1::2]]
        threshold = choose([s for p, s in train if p], [s for p, s in train if not p])["threshold"]
        alarms.append(sum(s >= threshold for p, s in test if not p) / sum(not p for p, _ in test))
        misses.append(sum(s < threshold for p, s in test if p) / sum(p for p, _ in test))
    return sum(alarms) / rounds, sum(misses) / rounds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", action="store_true")
    parser.add_argument("--rules", help="rules folder (default: the shipped packs)")
    parser.add_argument("--cases", type=Path, default=CASES, help="folder of <pack id>.yaml case files")
    parser.add_argument("packs", nargs="*", help="pack ids (default: every pack with a case file)")
    args = parser.parse_args()
    ruleset = load_rulesets(args.rules)
    files = {path.stem: path for path in sorted(args.cases.glob("*.yaml"))}
    variants = {"jieba words (shipped)": Tokenizer()}
    if args.variants:
        variants["jieba words + character bigrams"] = Tokenizer(bigrams=True)
        variants["character bigrams only"] = Tokenizer(bigrams=True, jieba_words=False)
    for name, tokenizer in variants.items():
        started = time.perf_counter()
        matcher = ClauseMatcher(ruleset.packs, tokenizer)
        built = time.perf_counter() - started
        print(f"{name}: index built in {built:.2f} s")
        for pack in ruleset.packs:
            if (args.packs and pack.id not in args.packs) or pack.id not in files:
                continue
            cases = yaml.safe_load(files[pack.id].read_text(encoding="utf-8"))["cases"]
            report(pack, matcher, cases)
    return 0


def report(pack: Any, matcher: ClauseMatcher, cases: list[dict]) -> None:
    result = measure(matcher, cases, [pack])
    print(f"  {pack.id}: {result['described']} described, {result['ordinary']} ordinary descriptions")
    print(f"    recall@1 {result['recall@1']:.1%}  recall@3 {result['recall@3']:.1%}  "
          f"recall@5 {result['recall@5']:.1%}")
    print(f"    safety net at the pack's threshold: false alarms {result['false_alarms']:.1%} of ordinary, "
          f"lets {result['net_misses']:.1%} of described through")
    alarms, misses = held_out(matcher, cases, [pack])
    print(f"    threshold tuned on half, measured on the other (20 splits): false alarms {alarms:.1%}, "
          f"lets {misses:.1%} through")

if __name__ == "__main__":
    sys.exit(main())
