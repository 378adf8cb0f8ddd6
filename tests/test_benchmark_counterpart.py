"""`make bench` compares the engine with a hand-written function for the same rules; when a
pack's reading changes, that function and the bench's fact table must change with it, or
the benchmark aborts. Checked here on a few thousand records so a pack change cannot
silently break it."""

from __future__ import annotations

import sys

from hazard_rules import load_rulesets
from hazard_rules.checking.ir import facts_read

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_classify  # noqa: E402
from handwritten import classify as handwritten_classify  # noqa: E402


def test_the_hand_written_counterpart_agrees_with_the_engine() -> None:
    ruleset = load_rulesets()
    pack = next(p for p in ruleset.packs if p.id == "gongmao-2023")
    chosen = [r for r in pack.rules if r.section.section.id in bench_classify.SECTIONS]
    assert set(bench_classify.FACTS) == set().union(*(facts_read(r.condition) for r in chosen))
    plan = ruleset.plan(pack, bench_classify.INDUSTRIES)
    ids = [r.rule.id for r in pack.rules]
    for facts in bench_classify.make_records(3000, seed=7):
        found = plan(facts, bench_classify.DAY)
        assert all(i >= 0 for i in found), facts
        assert [ids[i] for i in found] == handwritten_classify(facts), facts
