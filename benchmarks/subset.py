"""The 44-rule subset that benchmarks/handwritten.py:classify_subset writes by hand.

Four packs judged on one record: 工贸 2023 第三条, 第十一条–第十三条 (17 rules), GB 35181-2017
for a crowded place (11 rules: thresholds, set membership, the k-of-n rule 5.3.3 a)),
road transport 2023 for a passenger and a taxi operator (7), civil explosives 2023 (9).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from generate import Scenario, scenario, typed_facts
from hazard_rules import Ruleset
from hazard_rules.checking import ir

DAY = dt.date(2024, 5, 12)  # all four editions are in force
PARTS = (
    ("gongmao-2023", ("gongmao.dust", "gongmao.ammonia", "gongmao.confined_space")),
    ("fire-2017", ("fire.crowded",)),
    ("road-transport-2023", ("road_transport.passenger", "road_transport.taxi")),
    ("civil-explosives-2023", ("civil_explosives",)),
)
SIZE = 44


def subset_scenario(ruleset: Ruleset, seed: int = 1) -> Scenario:
    packs = {pack.id: pack for pack in ruleset.packs}
    scn = scenario(ruleset, [(packs[pack_id], codes) for pack_id, codes in PARTS], random.Random(seed))
    count = sum(len(part.rules) for part in scn.parts)
    if count != SIZE:
        raise SystemExit(f"the subset's industries select {count} rules, not {SIZE}: "
                         "benchmarks/handwritten.py and subset.py must follow the packs")
    return scn


def rules(scn: Scenario) -> list[tuple[str, ir.Expr]]:
    """(rule id, whole condition) of every subset rule, in the order the engine reports them."""
    return [(part.pack.rules[i].rule.id, part.pack.rules[i].condition) for part in scn.parts for i in part.rules]


def engine_3v(scn: Scenario, facts: dict[str, Any], day: dt.date = DAY) -> tuple[list[str], list[str]]:
    """The compiled checker's answer on the subset: (true rule ids, unknown rule ids)."""
    true: list[str] = []
    unknown: list[str] = []
    for part in scn.parts:
        for i in part.plan(facts, day):
            if i >= 0:
                true.append(part.pack.rules[i].rule.id)
            else:
                unknown.append(part.pack.rules[~i].rule.id)
    return true, unknown


def records(scn: Scenario, n: int, seed: int, hit_rate: float = 0.05,
            missing_rate: float = 0.0) -> list[dict[str, Any]]:
    """n typed fact dicts (as the checker takes them) for the subset."""
    rng = random.Random(seed)
    return [typed_facts(scn, rng, hit_rate, missing_rate) for _ in range(n)]
