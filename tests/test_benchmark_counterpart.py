"""`make bench` compares the engine with hand-written functions for the same rules and with
peer engines given our rules translated mechanically; when a pack's reading changes, the
hand-written functions must change with it, or the benchmark aborts. Checked here on a few
thousand records, so a pack change cannot silently break it and the benchmark never
compares different semantics."""

from __future__ import annotations

import sys

import pytest

from hazard_rules import load_rulesets

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402
import peers  # noqa: E402
import subset  # noqa: E402
from handwritten import classify_subset, classify_subset_3v  # noqa: E402

# ---------------------------------------------------------------------------- benchmarks/run.py
# The 44-rule subset (benchmarks/subset.py): the hand-written functions must equal the
# engine's compiled checker, two-valued on complete records and three-valued (true and
# unknown rule ids) on records with facts left out; each peer's mechanical translation
# (benchmarks/peers.py) must match the same rule ids.

@pytest.fixture(scope="module")
def subset_scenario() -> generate.Scenario:
    return subset.subset_scenario(load_rulesets(), seed=3)


def test_the_subset_spans_packs_thresholds_sets_and_a_k_of_n_rule(subset_scenario: generate.Scenario) -> None:
    from hazard_rules.checking import ir

    conditions = [condition for _, condition in subset.rules(subset_scenario)]
    nodes = [node for condition in conditions for node in ir.walk(condition)]
    assert len(conditions) >= 40 and len(subset_scenario.parts) >= 3
    assert any(isinstance(n, ir.AtLeast) for n in nodes)
    assert any(isinstance(n, ir.Cmp) and n.op in ("<", ">", ">=") for n in nodes)
    assert any(isinstance(n, ir.In) and isinstance(n.collection, ir.Fact) for n in nodes)  # "x" in a set fact
    assert len(subset_scenario.hits) == len(conditions)  # every rule can be made true by the generator


def test_the_subset_hand_written_function_equals_the_checker_on_complete_records(
        subset_scenario: generate.Scenario) -> None:
    records = subset.records(subset_scenario, 2000, seed=11, hit_rate=0.5)
    assert sum(1 for facts in records if classify_subset(facts)) > 500
    for facts in records:
        assert subset.engine_3v(subset_scenario, facts) == (classify_subset(facts), []), facts


@pytest.mark.parametrize("missing_rate", [0.1, 0.4])
def test_the_subset_hand_written_function_equals_the_checker_three_valued(
        subset_scenario: generate.Scenario, missing_rate: float) -> None:
    records = subset.records(subset_scenario, 2000, seed=12, hit_rate=0.5, missing_rate=missing_rate)
    answers = [classify_subset_3v(facts) for facts in records]
    assert sum(1 for true, _ in answers if true) > 100 and sum(1 for _, unknown in answers if unknown) > 100
    for facts, answer in zip(records, answers):
        assert subset.engine_3v(subset_scenario, facts) == answer, facts


@pytest.mark.parametrize("peer", peers.PEERS, ids=[p.label.split(":")[0] + ":" + p.module for p in peers.PEERS])
def test_each_peer_translation_matches_the_same_rules(subset_scenario: generate.Scenario, peer: peers.Peer) -> None:
    if peer.available() is None:
        reason = f"{peer.distribution} is not installed (a benchmark peer: pip install -e '.[bench]')"
        pytest.skip(reason)  # skip allowed: an optional extra
    rules = subset.rules(subset_scenario)
    matched, native = peer.prepare(rules, peers.names_for(rules))
    count = 30 if peer.module == "celpy" else 300  # cel-python takes ~60 ms a record
    records = subset.records(subset_scenario, count, seed=13, hit_rate=0.7)
    assert sum(1 for facts in records if classify_subset(facts)) > count // 3
    for facts in records:
        assert matched(native(facts)) == classify_subset(facts), facts


def test_generated_findings_are_valid_and_follow_the_hit_and_missing_rates() -> None:
    ruleset = load_rulesets()
    scenarios = generate.all_scenarios(ruleset, seed=5)
    assert {p.id for p in ruleset.packs} == {s.parts[0].pack.id for s in scenarios}

    def shares(hit_rate: float, missing_rate: float) -> dict[str, float]:
        found = list(generate.findings(scenarios, 2 * len(scenarios), 5, hit_rate, missing_rate))
        kinds = [ruleset.classify(finding).verdict for finding in found]
        return {kind: kinds.count(kind) / len(kinds) for kind in ("major", "undetermined", "ordinary")}

    compliant, violating, gappy = shares(0.0, 0.0), shares(1.0, 0.0), shares(0.0, 0.5)
    assert compliant["major"] < 0.1 and compliant["ordinary"] > 0.75
    assert violating["major"] > 0.9
    assert gappy["undetermined"] > compliant["undetermined"] + 0.3
