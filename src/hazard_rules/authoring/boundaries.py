"""Generated boundary checks: `rules test --boundaries`.

For every rule, its boundaries are read off the checked condition: each number fact
compared with a constant (`x >= 10`, also through a unit conversion) gives three points,
just below, at and just above the constant (one step of the fact's precision: 1 for an
integer fact, 0.5 otherwise; only those within the fact's declared `range`); each enum
fact tested against values (`==`, `in`, an ordered comparison) gives every declared value.

Findings are generated around each point: the rule's written tests, and records drawn by
a hypothesis strategy built from the fact vocabulary (`findings`: every fact the rule reads,
each missing or one value of its type), with the boundary fact set to each point. A point
is *decisive* when moving the fact from it to a neighbouring point (the next point of a
threshold, any other value of an enum) changes the rule's value on some generated finding.
A decisive point is *pinned down* when a written test has the fact exactly there and moving
it to a neighbour changes that test's outcome: an off-by-one (`>` for `>=`) or a dropped
enum value would then fail a test. The report lists decisive points that no test pins down,
with a generated finding that shows the change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ..checking import ir
from ..checking.ir_text import print_ir
from ..checking.pack import CheckedRule
from ..checking.types import Type
from ..classifying.ruleset import CompiledPack, Ruleset
from ..findings.coerce import FactValueError
from .evaluation import RuleEvaluator, day_of_test, require_tests

GENERATED = 25  # records drawn per rule, besides the written tests


@dataclass(frozen=True)
class Boundary:
    fact: str
    points: tuple[Any, ...]   # in order; a threshold's below/at/above, an enum's values
    text: str                 # the comparison that makes it a boundary
    ordered: bool             # a threshold: neighbours are adjacent points; an enum: every other value


@dataclass(frozen=True)
class Unpinned:
    boundary: Boundary
    point: Any
    neighbour: Any
    witness: dict[str, Any]   # a generated finding (boundary fact at `point`)
    values: tuple[str, str]   # the rule's value at point, and at neighbour

    def describe(self) -> str:
        b = self.boundary
        return (f"`{b.text}`: {b.fact} = {_show(self.point)} is decisive (rule {self.values[0]}, "
                f"{self.values[1]} at {_show(self.neighbour)}) but no test pins it")

    def to_json(self) -> dict[str, Any]:
        return {"fact": self.boundary.fact, "text": self.boundary.text, "point": _show(self.point),
                "neighbour": _show(self.neighbour), "values": list(self.values),
                "witness": {k: _show(v) for k, v in self.witness.items()}}


@dataclass
class RuleBoundaries:
    pack: str
    rule: str
    origin: str
    boundaries: list[Boundary] = field(default_factory=list)
    unpinned: list[Unpinned] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"pack": self.pack, "rule": self.rule, "origin": self.origin, "boundaries": len(self.boundaries),
                "unpinned": [u.to_json() for u in self.unpinned]}


@dataclass
class BoundaryReport:
    rules: list[RuleBoundaries] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"rules": [r.to_json() for r in self.rules if r.unpinned]}


def _show(value: Any) -> Any:
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def boundaries(condition: ir.Expr, types: dict[str, Type]) -> list[Boundary]:
    """Every boundary of a condition, in source order, each fact and constant once."""
    found: dict[tuple[str, Any], Boundary] = {}
    for node in ir.walk(condition):
        if isinstance(node, ir.Cmp):
            for term, const in ((node.left, node.right), (node.right, node.left)):
                boundary = _threshold(term, const, node, types)
                if boundary is not None:
                    found.setdefault((boundary.fact, boundary.points), boundary)
        if isinstance(node, (ir.Cmp, ir.In)):
            for fact in (n for n in ir.children(node) for n in ir.walk(n)):
                if isinstance(fact, ir.Fact):
                    declared = types.get(fact.id, fact.type)
                    if declared.kind == "enum" and declared.values:
                        found.setdefault((fact.id, declared.values),
                                         Boundary(fact.id, declared.values, print_ir(node), False))
    return list(found.values())


def _threshold(term: ir.Expr, const: ir.Expr, node: ir.Cmp, types: dict[str, Type]) -> Boundary | None:
    factor = 1.0
    if isinstance(term, ir.Scale):
        factor, term = term.factor, term.operand
    if not isinstance(term, ir.Fact) or not isinstance(const, ir.Const) or isinstance(const.value, bool) \
            or not isinstance(const.value, (int, float)):
        return None
    declared = types.get(term.id, term.type)
    if declared.kind != "num":
        return None
    at = const.value / factor if factor != 1.0 else const.value
    step = 1 if declared.integer else 0.5
    if declared.integer and not float(at).is_integer():
        points: tuple[Any, ...] = (int(at // 1), int(at // 1) + 1)
    else:
        at = int(at) if declared.integer else at
        points = (at - step, at, at + step)
    points = tuple(p for p in points if declared.within(p))  # never outside the declared range
    if not points:
        return None
    return Boundary(term.id, points, print_ir(node), True)


def findings(rule_facts: dict[str, Type], thresholds: dict[str, set[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Records of a rule's facts, each missing or a value of its declared type (numbers near
    the rule's constants). Facts of a type that cannot be drawn (text, date, list) stay missing."""
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for fact_id, fact_type in rule_facts.items():
        strategy = _values(fact_type, thresholds.get(fact_id, set()))
        if strategy is not None:
            optional[fact_id] = strategy
    return st.fixed_dictionaries({}, optional=optional)


def _values(fact_type: Type, near: set[Any]) -> st.SearchStrategy[Any] | None:
    if fact_type.kind == "bool":
        return st.booleans()
    if fact_type.kind == "enum" and fact_type.values:
        return st.sampled_from(fact_type.values)
    if fact_type.kind == "set" and fact_type.values:
        return st.frozensets(st.sampled_from(fact_type.values))
    if fact_type.kind == "num":
        low, high = fact_type.bounds or (0, 10_000)
        numbers = st.integers(int(low), int(high)) if fact_type.integer else st.floats(low, high, allow_nan=False)
        near = {v for v in near if fact_type.within(v)}
        return st.sampled_from(sorted(near)) | numbers if near else numbers
    return None


def _draw(strategy: st.SearchStrategy[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """count records from strategy, the same ones on every run."""
    drawn: list[dict[str, Any]] = []

    @settings(max_examples=count, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), deadline=None)
    @given(strategy)
    def collect(record: dict[str, Any]) -> None:
        drawn.append(record)

    collect()
    return drawn


def boundary_report(ruleset: Ruleset, packs: set[str] | None = None, generated: int = GENERATED) -> BoundaryReport:
    require_tests(ruleset)
    report = BoundaryReport()
    for pack in ruleset.packs:
        if packs is not None and pack.id not in packs:
            continue
        for rule in pack.rules:
            report.rules.append(rule_boundaries(ruleset, pack, rule, generated))
    return report


def rule_boundaries(ruleset: Ruleset, pack: CompiledPack, rule: CheckedRule,
                    generated: int = GENERATED) -> RuleBoundaries:
    condition = rule.condition
    types = {fact_id: ruleset.facts.get(fact_id, t) for fact_id, t in
             ((n.id, n.type) for n in ir.walk(condition) if isinstance(n, ir.Fact))}
    entry = RuleBoundaries(pack.id, rule.rule.id, str(rule.origin.span()), boundaries(condition, types))
    if not entry.boundaries:
        return entry
    evaluate = RuleEvaluator(condition, pack.context, ruleset.facts)
    written: list[tuple[dict[str, Any], dt.date]] = []
    for test in rule.rule.tests:
        try:
            facts, _ = ruleset.coerce_facts(test.facts, strict=True)
        except FactValueError:
            continue
        written.append((facts, day_of_test(pack, rule, test)))
    near: dict[str, set[Any]] = {}
    for b in entry.boundaries:
        if b.ordered:
            near.setdefault(b.fact, set()).update(b.points)
    day = day_of_test(pack, rule, None)
    bases = written + [(record, day) for record in _draw(findings(types, near), generated)]
    for boundary in entry.boundaries:
        for index, point in enumerate(boundary.points):
            neighbours = _neighbours(boundary, index)
            witness = _flip(evaluate, bases, boundary.fact, point, neighbours)
            if witness is None:
                continue  # not decisive: no finding changes when the fact leaves this point
            pinned = any(facts.get(boundary.fact) == point and _flip(evaluate, [(facts, d)], boundary.fact,
                                                                        point, neighbours)
                         for facts, d in written)
            if not pinned:
                record, neighbour, values = witness
                entry.unpinned.append(Unpinned(boundary, point, neighbour, record, values))
    return entry


def _neighbours(boundary: Boundary, index: int) -> list[Any]:
    if not boundary.ordered:
        return [p for i, p in enumerate(boundary.points) if i != index]
    return [boundary.points[i] for i in (index - 1, index + 1) if 0 <= i < len(boundary.points)]


def _flip(evaluate: RuleEvaluator, bases: list[tuple[dict[str, Any], dt.date]], fact: str, point: Any,
          neighbours: list[Any]) -> tuple[dict[str, Any], Any, tuple[str, str]] | None:
    """The first base whose rule value changes when the fact moves from point to a neighbour."""
    for facts, day in bases:
        here = facts | {fact: point}
        value = evaluate(here, day)
        for neighbour in neighbours:
            other = evaluate(facts | {fact: neighbour}, day)
            if other != value:
                return here, neighbour, (value, other)
    return None
