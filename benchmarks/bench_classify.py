"""Benchmark: the engine's generated code against hand-written if-statements.

    python benchmarks/bench_classify.py [--n 50000] [--seed 1]

The 17-rule predecessor of benchmarks/run.py (`make bench`, docs/performance.md), kept for
its exit status on the 0.8x target and its (c) rows; run.py's section A covers 44 rules.

What is measured, and why
-------------------------
The engine compiles the rules that apply to a set of industries into one generated
Python function (compiling/codegen.py; ``Ruleset.plan(pack, industries)``). For a record
that gives every fact a rule reads, that function is meant to cost about what a
developer's plain if-statements would cost; the three-valued (Kleene) closures are only a
fallback for missing facts. This script checks
that claim on the 17 rules of 工贸 2023 第三条, 第十一条, 第十二条 and 第十三条:

1. Main comparison (the check). N random *complete* fact records (every fact the 17
   rules read, already typed) are evaluated by
     - the engine: ``plan = Ruleset.plan(pack, industries)`` once, then ``plan(facts, day)``
       per record (it returns i for a true rule and ~i for an unknown one), with industries
       gongmao.dust, gongmao.ammonia and gongmao.confined_space, which select exactly
       those four sections, and
     - ``benchmarks/handwritten.py:classify(facts)``.
   Both first run over every record and must give the same rule ids (and the engine no
   unknown rule); then each is timed as a tight loop over all records, best of 5
   (time.perf_counter, garbage collector paused as timeit does). The ratio
   engine/hand-written in records per second must be at least 0.8.
2. For context only (no hand-written counterpart):
   (a) ``Ruleset.classify(finding_dict)`` on 5,000 records: the full public path with
       pydantic validation, fact coercion, explanations and verdict objects;
   (b) the plan on the same records with ~30% of the facts removed, so that
       rules hit a missing fact and take the three-valued fallback.

Values are mostly compliant; each fact that can cause a violation takes a violating
value with a small probability, so a few percent of records have a true rule (like real
inspection data, where most checks pass). The worker count of 第十二条（二） includes the
boundary values 9 (not a violation) and 10 (a violation).

Exit status: 0 if the ratio is >= 0.8, 1 if it is below, 2 if the engine and the
hand-written function disagree (nothing is timed then).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from _machine import machine_description
from handwritten import classify as handwritten_classify
from hazard_rules import load_rulesets
from hazard_rules.checking.ir import facts_read
from hazard_rules.classifying.ruleset import industry_matches

INDUSTRIES = ("gongmao.dust", "gongmao.ammonia", "gongmao.confined_space")
SECTIONS = {"art03", "art11", "art12", "art13"}
DAY = dt.date(2024, 5, 12)
TARGET = 0.8
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "inspections.jsonl"
REPEAT = 5
CLASSIFY_SUBSET = 5_000
DROP_SHARE = 0.3          # share of facts removed for the three-valued fallback timing
P_VIOLATION = 0.003       # chance that one violation-prone fact takes a violating value

EFFECTIVE = "effective"
NOT_EFFECTIVE = ("absent", "failed", "bypassed", "disabled")

# fact id -> (usual values, violating values or None). A value is drawn uniformly from the
# usual ones (repeat a value to weight it), or with probability P_VIOLATION from the
# violating ones. Facts with None are neutral (preconditions such as "has contractors").
FACTS: dict[str, tuple[tuple[Any, ...], tuple[Any, ...] | None]] = {
    # 第三条
    "management.contractors.present": ((True, False), None),
    "management.contractors.coordinated": ((True,), (False,)),
    "management.contractors.inspected_regularly": ((True,), (False,)),
    "management.special_operators.on_duty": ((True, False), None),
    "management.special_operators.certified": ((True,), (False,)),
    "enterprise.metal_smelting": ((True, False, False, False, False), None),
    "management.principal.assessed": ((True,), (False,)),
    "management.safety_managers.assessed": ((True,), (False,)),
    # 第十一条
    "dust.area.multi_storey_building": ((True, False, False), None),
    "dust.area.frame_structure": ((True,), (False,)),
    "dust.area.gathering_place": ((False,), (True,)),
    "dust.system.shared_by_aggravating_media": ((False,), (True,)),
    "dust.system.shared_across_compartments": ((False,), (True,)),
    "dust.system.interconnected": ((False,), (True,)),
    "dust.system.type": (("dry", "dry", "dry", "wet", "wet"), None),
    "dust.system.dust_kind": (("metal", "wood", "other"), None),
    "dust.explosion_control.venting": ((EFFECTIVE,), NOT_EFFECTIVE),
    "dust.explosion_control.inerting": ((EFFECTIVE, "absent", "absent", "absent"), None),
    "dust.explosion_control.suppression": ((EFFECTIVE, "absent", "absent", "absent"), None),
    "dust.explosion_control.other": ((EFFECTIVE, "absent", "absent", "absent"), None),
    "dust.explosion_control.other_kind": (("containment", "isolation", "other"), None),
    "dust.system.pressure_mode": (("negative",), ("positive",)),
    "dust.system.ignition_source_control": ((EFFECTIVE, EFFECTIVE, EFFECTIVE, "absent"), None),
    "dust.system.gravity_settling_chamber": ((False,), (True,)),
    "dust.system.dry_tunnel_duct": ((False,), (True,)),
    "dust.system.airlock_discharge": ((EFFECTIVE,), NOT_EFFECTIVE),
    "dust.zone20.present": ((True, False), None),
    "dust.zone20.electrical_explosion_proof": ((True,), (False,)),
    "dust.collector.present": ((True, True, False), None),
    "dust.collector.electrical_explosion_proof": ((True,), (False,)),
    "dust.process.mechanical_ignition_equipment": ((True, False), None),
    "dust.process.foreign_matter_removal": ((EFFECTIVE,), NOT_EFFECTIVE),
    "dust.wood_products_enterprise": ((True, False, False), None),
    "dust.sander_duct.present": ((True, False), None),
    "dust.sander_duct.spark_detection": ((EFFECTIVE,), NOT_EFFECTIVE),
    "dust.water_reactive.present": ((True, False, False, False, False), None),
    "dust.water_reactive.hydrogen_control": ((EFFECTIVE,), NOT_EFFECTIVE),
    "dust.water_reactive.dry_collection": ((True, False), None),
    "dust.water_reactive.moisture_protection": ((True,), (False,)),
    "dust.cleaning.implemented": ((True,), (False,)),
    "dust.accumulation.severe": ((True, False, False), None),
    # 第十二条 (超过9人: 9 is compliant, 10 is not; 9 is drawn often to test the boundary)
    "ammonia.processing_area.direct_evaporation_ac": ((False,), (True,)),
    "ammonia.quick_freeze.present": ((True, False), None),
    "ammonia.quick_freeze.separate_room": ((True,), (False,)),
    "ammonia.quick_freeze.room_workers": ((2, 3, 4, 5, 6, 7, 8, 9, 9, 9), (10, 10, 10, 11, 12, 20)),
    # 第十三条
    "confined_space.identified": ((True,), (False,)),
    "confined_space.ledger_established": ((True,), (False,)),
    "confined_space.warning_signs": ((True, True, True, False), None),
    "confined_space.work_permit": ((True,), (False,)),
    "confined_space.ventilate_test_work": ((True,), (False,)),
    "confined_space.attendant_on_site": ((True,), (False,)),
}


def fail(message: str) -> None:
    print(f"\nABORT: {message}", file=sys.stderr)
    sys.exit(2)




def make_records(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = []
    for _ in range(n):
        record = {}
        for fact_id, (usual, violating) in FACTS.items():
            if violating is not None and rng.random() < P_VIOLATION:
                record[fact_id] = rng.choice(violating)
            else:
                record[fact_id] = rng.choice(usual)
        records.append(record)
    return records


def drop_facts(records: Sequence[dict[str, Any]], share: float, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [{k: v for k, v in record.items() if rng.random() >= share} for record in records]


def best_of(loop: Callable[[], None], repeat: int = REPEAT) -> float:
    """Shortest wall time of `repeat` runs of loop(), with the garbage collector paused."""
    best = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            loop()
            best = min(best, time.perf_counter() - start)
    finally:
        if enabled:
            gc.enable()
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50_000, help="number of records (>= 50000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the records")
    args = parser.parse_args()
    if args.n < 50_000:
        parser.error("--n must be at least 50000")

    print(f"Python {platform.python_version()} ({platform.python_implementation()}) on {platform.platform()}")
    print(f"machine: {machine_description()}")

    # ------------------------------------------------------------------ the pack
    rs = load_rulesets()
    pack = next((p for p in rs.packs if p.id == "gongmao-2023"), None)
    if pack is None:
        fail("the gongmao-2023 pack is not shipped")
    applied = [s for s in pack.sections if any(industry_matches(c, s.applies_to) for c in INDUSTRIES)]
    if {s.section.id for s in applied} != SECTIONS:
        fail(f"industries {INDUSTRIES} select sections {[s.section.id for s in applied]}, expected {sorted(SECTIONS)}")
    art03 = next(s for s in applied if s.section.id == "art03")
    if art03.applies_to != ("gongmao",):
        fail(f"art03 should apply to every gongmao code, applies_to is {art03.applies_to}")
    rules = [r for r in pack.rules if r.section.section.id in SECTIONS]
    # With no facts at all every applicable rule is unknown: the engine's own plan must
    # then name exactly these 17 rules.
    plan = rs.plan(pack, INDUSTRIES)

    def evaluate(facts: dict[str, Any]) -> tuple[list[int], list[int]]:
        found = plan(facts, DAY)
        return [i for i in found if i >= 0], [~i for i in found if i < 0]

    no_true, all_open = evaluate({})
    if no_true or sorted(all_open) != sorted(pack.rules.index(r) for r in rules) or len(rules) != 17:
        fail(f"the engine's plan for {INDUSTRIES} is not the 17 rules of {sorted(SECTIONS)}")
    read = set().union(*(facts_read(r.condition) for r in rules))
    if read != set(FACTS):
        fail(f"generated facts differ from those the rules read: missing {sorted(read - set(FACTS))}, "
             f"extra {sorted(set(FACTS) - read)}")
    rule_ids = [r.rule.id for r in pack.rules]
    print(f"pack {pack.id}; industries {', '.join(INDUSTRIES)} -> sections "
          f"{', '.join(f'{s.section.id} ({s.section.article})' for s in applied)}; "
          f"{len(rules)} rules reading {len(read)} facts")

    # ------------------------------------------------------------------ records
    records = make_records(args.n, args.seed)
    expected = []
    for number, facts in enumerate(records):
        true_rules, unknown_rules = evaluate(facts)
        mine = handwritten_classify(facts)
        if unknown_rules:
            fail(f"record {number}: the engine reports unknown rules "
                 f"{[rule_ids[i] for i in unknown_rules]} on a complete record\n  facts: {facts}")
        engine = [rule_ids[i] for i in true_rules]
        if engine != mine:
            fail(f"record {number}: engine says {engine}, hand-written says {mine}\n  facts: {facts}")
        expected.append(mine)
    flagged = sum(1 for ids in expected if ids)
    workers = [f["ammonia.quick_freeze.room_workers"] for f in records if f["ammonia.quick_freeze.present"]]
    print(f"records: {args.n} (seed {args.seed}); with >= 1 true rule: {flagged} ({flagged / args.n:.1%}); "
          f"true rules in all: {sum(map(len, expected))}; quick-freeze rooms with 9 workers: "
          f"{workers.count(9)}, with 10: {workers.count(10)}")
    if not 0.03 <= flagged / args.n <= 0.06:
        print("  note: the share of records with a true rule is outside the intended 3-6%")
    print(f"verified: engine == hand-written on all {args.n} records, no unknown rules")

    # ------------------------------------------------------------------ main comparison
    def engine_loop() -> None:
        run, day = plan, DAY
        for facts in records:
            run(facts, day)

    def handwritten_loop() -> None:
        run = handwritten_classify
        for facts in records:
            run(facts)

    hand_rate = args.n / best_of(handwritten_loop)
    engine_rate = args.n / best_of(engine_loop)
    ratio = engine_rate / hand_rate
    print(f"\nmain comparison: complete records, {args.n} records, best of {REPEAT}")
    print(f"  hand-written classify(facts)                {hand_rate:>12,.0f} records/s")
    print(f"  engine rs.plan(pack, ind)(facts, day)       {engine_rate:>12,.0f} records/s")
    print(f"  ratio {ratio:.2f}x (target >= {TARGET}x)")

    # ------------------------------------------------------------------ other engine paths
    findings = [{"id": f"B-{number}", "date": DAY.isoformat(), "industries": list(INDUSTRIES), "facts": facts}
                for number, facts in enumerate(records[:CLASSIFY_SUBSET])]
    for finding, ids in zip(findings, expected):
        verdict = rs.classify(finding)
        if [m.rule for m in verdict.matches] != ids or verdict.undetermined:
            fail(f"finding {finding['id']}: rs.classify matched {[m.rule for m in verdict.matches]}, expected {ids}")

    def classify_loop() -> None:
        run = rs.classify
        for finding in findings:
            run(finding)

    partial = drop_facts(records, DROP_SHARE, args.seed + 1)
    with_unknown = 0
    for facts, ids in zip(partial, expected):
        true_rules, unknown_rules = evaluate(facts)
        with_unknown += bool(unknown_rules)
        if not {rule_ids[i] for i in true_rules} <= set(ids):  # removing facts never adds a true rule
            fail(f"a partial record has true rules {[rule_ids[i] for i in true_rules]} beyond {ids}")
    kept = sum(map(len, partial)) / (len(FACTS) * len(partial))

    def partial_loop() -> None:
        run, day = plan, DAY
        for facts in partial:
            run(facts, day)

    classify_rate = len(findings) / best_of(classify_loop)
    partial_rate = len(partial) / best_of(partial_loop)

    def enterprise_loop() -> None:
        run = rs.classify
        for finding in findings:
            run(finding, scope="enterprise")

    enterprise_rate = len(findings) / best_of(enterprise_loop)
    examples = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()] * 50

    def examples_loop(scope: str) -> Callable[[], None]:
        def loop() -> None:
            run = rs.classify
            for finding in examples:
                run(finding, scope=scope)
        return loop

    examples_finding = len(examples) / best_of(examples_loop("finding"))
    examples_enterprise = len(examples) / best_of(examples_loop("enterprise"))
    # Each copy's description made unique, so that the description matcher's memo never helps:
    # the cost of the safety net on descriptions it has not seen.
    unseen = [dict(r, description=f"{r.get('description', '')}（第{n}次）") for n, r in enumerate(examples)]
    started = time.perf_counter()
    for finding in unseen:
        rs.classify(finding)
    examples_unseen = len(unseen) / (time.perf_counter() - started)
    print(f"\nother engine paths (no hand-written counterpart), best of {REPEAT}")
    print(f"  (a) full rs.classify(finding_dict), complete records, {len(findings)} records: "
          f"{classify_rate:>10,.0f} records/s (finding scope), {enterprise_rate:>10,.0f} records/s (enterprise scope)")
    print(f"  (b) rs.plan(...)(facts, day), {1 - kept:.0%} of facts removed (three-valued fallback), "
          f"{len(partial)} records ({with_unknown / len(partial):.0%} with an unknown rule): "
          f"{partial_rate:>10,.0f} records/s")

    print(f"  (c) rs.classify on examples/inspections.jsonl x50 ({len(examples)} records): "
          f"finding scope {examples_finding:,.0f}/s, enterprise scope {examples_enterprise:,.0f}/s, "
          f"finding/enterprise {examples_finding / examples_enterprise:.2f}x; finding scope with every "
          f"description new: {examples_unseen:,.0f}/s ({examples_unseen / examples_enterprise:.2f}x)")

    if ratio < TARGET:
        print(f"\nFAIL: engine/hand-written ratio {ratio:.2f}x is below {TARGET}x")
        return 1
    print(f"\nOK: engine/hand-written ratio {ratio:.2f}x >= {TARGET}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
