"""Realistic findings over the shipped packs, for the benchmarks.

    python benchmarks/generate.py [--n 1000] [--seed 1] [--hit-rate 0.05] [--missing-rate 0.0] > findings.jsonl

Every value comes from the fact vocabulary (checking/types.py: bool, enum and set values,
numbers, dates, text) and from each rule's conditions: a number a rule compares with a
constant takes values at and around that constant (so thresholds are hit on both sides),
a date is drawn around the finding's date and the dates the rules name.

A *scenario* is one edition of a standard (a pack in force on the finding's date) and one
industry code one of its sections applies to; findings are spread evenly over all of them
(every shipped pack, every industry code). For each scenario the generator searches once:
  - a compliant base: every fact the applicable rules read, chosen greedily (with the
    engine's compiled checker as the oracle) so that no rule holds — real inspection data
    is mostly compliant;
  - per rule, an assignment of its facts that makes it hold (random search).
A finding is the base with some facts redrawn (kept only while no rule becomes true), and,
with probability `hit_rate`, one rule's violating assignment laid over it; then each fact
is left out with probability `missing_rate` (the rules that read it may become unknown).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from hazard_rules import Ruleset, load_rulesets
from hazard_rules.checking import ir
from hazard_rules.checking.types import Type
from hazard_rules.classifying.compiled import CompiledPack

PlanFn = Callable[[dict[str, Any], dt.date], list[int]]
REDRAW = 0.15       # share of the base's facts redrawn in each finding
SEARCH_TRIES = 300  # random tries to find an assignment that makes one rule true


@dataclass
class Part:
    """One pack judged for some industry codes (the rules they select)."""

    pack: CompiledPack
    codes: tuple[str, ...]
    plan: PlanFn
    rules: list[int]


@dataclass
class Scenario:
    """Findings of one kind: the packs and industry codes they are judged by, and a date range."""

    parts: list[Part]
    first: dt.date
    last: dt.date
    facts: list[str] = field(default_factory=list)
    candidates: dict[str, list[Any]] = field(default_factory=dict)
    base: dict[str, Any] = field(default_factory=dict)
    hits: list[dict[str, Any]] = field(default_factory=list)  # per satisfiable rule: facts that make it true

    @property
    def industries(self) -> list[str]:
        return [code for part in self.parts for code in part.codes]

    def true_rules(self, facts: dict[str, Any], day: dt.date) -> list[tuple[int, int]]:
        return [(n, i) for n, part in enumerate(self.parts) for i in part.plan(facts, day) if i >= 0]


def scenario(ruleset: Ruleset, parts: list[tuple[CompiledPack, tuple[str, ...]]], rng: random.Random) -> Scenario:
    """A scenario over these (pack, industry codes), with its base and violating assignments searched."""
    built = []
    for pack, codes in parts:
        rules = pack.applicable_in_order(codes)
        built.append(Part(pack, codes, ruleset.plan(pack, codes), rules))
    first = max(pack.standard.effective_from for pack, _ in parts)
    last = min([pack.standard.effective_to or first + dt.timedelta(days=730) for pack, _ in parts])
    last = min(last, first + dt.timedelta(days=730))
    scn = Scenario(built, first, last)
    conditions = [p.pack.rules[i].condition for p in built for i in p.rules]
    scn.facts = sorted(set().union(*(ir.facts_read(c) for c in conditions)) if conditions else set())
    constants = _constants(conditions)
    scn.candidates = {f: _candidates(ruleset.facts[f], constants.get(f, []), first) for f in scn.facts}
    day = first
    scn.base = _compliant_base(scn, day, rng)
    for n, part in enumerate(built):
        for index in part.rules:
            found = _violating(scn, n, index, day, rng)
            if found is not None:
                scn.hits.append(found)
    return scn


def all_scenarios(ruleset: Ruleset, seed: int = 1) -> list[Scenario]:
    """One scenario per shipped pack and industry code one of its sections applies to."""
    rng = random.Random(seed)
    found = []
    for pack in ruleset.packs:
        codes = sorted({code for section in pack.sections for code in section.applies_to})
        for code in codes:
            if pack.applicable((code,)):
                found.append(scenario(ruleset, [(pack, (code,))], rng))
    return found


def findings(scenarios: list[Scenario], n: int, seed: int = 1, hit_rate: float = 0.05,
             missing_rate: float = 0.0, prefix: str = "G") -> Iterator[dict[str, Any]]:
    """n finding dicts (JSON-ready), round-robin over the scenarios."""
    rng = random.Random(seed)
    for number in range(n):
        scn = scenarios[number % len(scenarios)]
        facts = typed_facts(scn, rng, hit_rate, missing_rate)
        day = scn.first + dt.timedelta(days=rng.randrange((scn.last - scn.first).days + 1))
        yield {"id": f"{prefix}-{number:08d}", "date": day.isoformat(), "industries": scn.industries,
               "facts": {name: to_json(value) for name, value in facts.items()}}


def typed_facts(scn: Scenario, rng: random.Random, hit_rate: float, missing_rate: float) -> dict[str, Any]:
    """One record's facts, typed as the engine's checker takes them (coerced)."""
    facts = dict(scn.base)
    redrawn = [name for name in scn.facts if rng.random() < REDRAW]
    for name in redrawn:
        facts[name] = rng.choice(scn.candidates[name])
    if redrawn:  # keep a redrawn value only if it makes no rule true
        for _ in range(len(redrawn)):
            true = scn.true_rules(facts, scn.first)
            if not true:
                break
            n, index = true[0]
            for name in ir.facts_read(scn.parts[n].pack.rules[index].condition):
                facts[name] = scn.base[name]
    if scn.hits and rng.random() < hit_rate:
        facts.update(rng.choice(scn.hits))
    if missing_rate:
        facts = {name: value for name, value in facts.items() if rng.random() >= missing_rate}
    return facts


def to_json(value: Any) -> Any:
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------------------- values

def _constants(conditions: list[ir.Expr]) -> dict[str, list[Any]]:
    """fact id -> the constants it is compared with, in the fact's own unit."""
    found: dict[str, list[Any]] = {}
    for condition in conditions:
        for node in ir.walk(condition):
            if isinstance(node, ir.Cmp):
                for side, other in ((node.left, node.right), (node.right, node.left)):
                    factor = 1.0
                    if isinstance(side, ir.Scale):
                        side, factor = side.operand, float(side.factor)
                    if isinstance(side, ir.Fact) and isinstance(other, ir.Const):
                        value = other.value
                        if isinstance(value, (int, float)) and not isinstance(value, bool) and factor:
                            value = value / factor if factor != 1.0 else value
                        found.setdefault(side.id, []).append(value)
            elif isinstance(node, ir.In) and isinstance(node.item, ir.Const) and isinstance(node.collection, ir.Fact):
                found.setdefault(node.collection.id, []).append(node.item.value)
    return found


def _candidates(fact_type: Type, constants: list[Any], day: dt.date) -> list[Any]:
    kind = fact_type.kind
    if kind == "bool":
        return [True, False]
    if kind == "enum":
        return list(fact_type.values)
    if kind == "set":
        values = list(fact_type.values)
        named = [c for c in constants if isinstance(c, str)]
        return [frozenset(), frozenset(), frozenset(values[:1]), *(frozenset({v}) for v in named or values[:3]),
                frozenset(values[:2])]
    if kind == "num":
        numbers = [float(c) for c in constants if isinstance(c, (int, float)) and not isinstance(c, bool)]
        spread: list[float] = [0.0, 1.0, 5.0, 20.0, 100.0] if not numbers else []
        for c in numbers:
            spread += [c - 1, c, c + 1, c * 0.5, c * 1.5]
        spread = [max(0.0, x) for x in spread]
        if fact_type.bounds is not None:  # a declared range: records outside it are refused
            least, greatest = fact_type.bounds
            spread = [min(max(float(least), x), float(greatest)) for x in spread]
        if fact_type.integer:
            return sorted({int(round(x)) for x in spread})
        return sorted({round(x, 2) for x in spread})
    if kind == "date":
        dates = [c for c in constants if isinstance(c, dt.date)]
        offsets = (-800, -400, -30, -1, 0, 1, 30, 400)
        return [d + dt.timedelta(days=o) for d in [day, *dates] for o in offsets]
    if kind == "str":
        return [*(c for c in constants if isinstance(c, str)), "其他"]
    raise ValueError(f"the generator has no values for a {kind} fact")  # no shipped pack has list facts


def _compliant_base(scn: Scenario, day: dt.date, rng: random.Random) -> dict[str, Any]:
    """A record with every fact given and as few true rules as a greedy search finds."""
    facts = {name: rng.choice(values) for name, values in scn.candidates.items()}
    for _ in range(400):
        true = scn.true_rules(facts, day)
        if not true:
            break
        n, index = rng.choice(true)
        best, best_count = None, len(true)
        reads = sorted(ir.facts_read(scn.parts[n].pack.rules[index].condition))
        rng.shuffle(reads)
        for name in reads:
            kept = facts[name]
            for value in scn.candidates[name]:
                facts[name] = value
                count = len(scn.true_rules(facts, day))
                if count < best_count:
                    best, best_count = (name, value), count
            facts[name] = kept
        if best is None:  # no single change helps: redraw one fact of the rule at random
            name = rng.choice(reads)
            facts[name] = rng.choice(scn.candidates[name])
        else:
            facts[best[0]] = best[1]
    return facts


def _violating(scn: Scenario, n: int, index: int, day: dt.date, rng: random.Random) -> dict[str, Any] | None:
    reads = sorted(ir.facts_read(scn.parts[n].pack.rules[index].condition))
    for _ in range(SEARCH_TRIES):
        overlay = {name: rng.choice(scn.candidates[name]) for name in reads}
        if (n, index) in scn.true_rules({**scn.base, **overlay}, day):
            return overlay
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hit-rate", type=float, default=0.05)
    parser.add_argument("--missing-rate", type=float, default=0.0)
    args = parser.parse_args()
    scenarios = all_scenarios(load_rulesets(), args.seed)
    for finding in findings(scenarios, args.n, args.seed, args.hit_rate, args.missing_rate):
        sys.stdout.write(json.dumps(finding, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
