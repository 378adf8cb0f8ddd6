"""Why did a rule not fire on a finding, and what would have to be different for it to?

`why_not` answers with the smallest sets of fact changes that make the rule true
(`explain --why-not RULE`). It searches over the facts the rule reads:

- candidate values come from each fact's finite domain (bool, enum, device, set of an
  enum), and for numbers and dates from the thresholds of the rule's comparisons: the
  value at which each comparison turns, and one step either side (int 1, decimal a tenth
  of the threshold's last decimal place, date one day), solved through unit conversions,
  arithmetic with constants and date differences;
- a change sets a recorded fact to another value, an addition gives a fact the finding
  does not record; the facts the finding records that are context facts (what kind of
  enterprise or equipment it is, docs/scopes.md) never change;
- sets of 1, 2, … `max_changes` facts are tried, those with fewer recorded facts first,
  and every set of the smallest size that works is a way (so each is subset-minimal); the
  rule is evaluated under Kleene logic, and when that leaves it open over a few missing
  finite facts, over every value of them (as the classifier's exact answers do);
- at most `max_evaluations` evaluations; the answer says when that bound was hit.

"impossible" is said only when it is proven: the rule's edition is not in force on the
finding's date, its section does not apply to the finding's industries, Kleene logic makes
it false from the fixed context facts alone (naming them), or every combination of every
candidate value was tried (when every fact the rule reads has candidates).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from ..checking import ir
from ..checking.pack import CheckedRule
from ..checking.types import Type
from ..classifying.compiled import CompiledPack
from ..classifying.ruleset import Ruleset
from ..compiling.exact import domain, domain_size
from ..compiling.explain import explain
from ..compiling.kleene import compile_kleene

MAX_CHANGES = 3
MAX_EVALUATIONS = 50_000
EXACT_BOUND = 64          # assignments of missing finite facts tried when Kleene leaves the rule open
MAX_WAYS = 20             # ways kept (all are counted)
SET_ENUMERATED = 6        # a set of at most this many values: every subset is a candidate


@dataclass(frozen=True)
class Change:
    fact: str
    kind: str                       # "change" (recorded) or "add" (not recorded, or recorded as unknown)
    before: Any                     # the recorded value (None for an addition)
    after: Any                      # a value that makes the rule true (with the way's other changes)
    constraint: str | None = None   # numbers and dates: every value that works, e.g. "> 9"
    also: tuple[Any, ...] = ()      # finite facts: the other values that work as well
    context: bool = False
    asked: bool = False             # an addition of a fact the finding gives as unknown (待核实)


@dataclass(frozen=True)
class Way:
    changes: tuple[Change, ...]

    @property
    def recorded(self) -> int:
        return sum(c.kind == "change" for c in self.changes)


@dataclass
class WhyNot:
    status: str                      # already_true | found | impossible | not_found
    value: bool | None               # the rule's value for the finding as it is
    ways: list[Way] = field(default_factory=list)
    ways_found: int = 0
    reasons: list[str] = field(default_factory=list)      # why impossible / why the search stopped
    blocked_by: dict[str, Any] = field(default_factory=dict)  # the fixed facts that force it false
    fixed: dict[str, Any] = field(default_factory=dict)   # recorded context facts, never changed
    searched: tuple[str, ...] = ()   # the facts the search varied
    not_varied: dict[str, str] = field(default_factory=dict)  # fact -> why it has no candidates
    evaluations: int = 0
    max_changes: int = MAX_CHANGES
    bound_hit: bool = False
    applies: bool = True             # False: the rule's edition or section does not apply to the finding


def why_not(ruleset: Ruleset, pack: CompiledPack, rule: CheckedRule, facts: dict[str, Any], day: dt.date,
            industries: Iterable[str], asked: frozenset[str] = frozenset(), *, max_changes: int = MAX_CHANGES,
            max_evaluations: int = MAX_EVALUATIONS) -> WhyNot:
    """The smallest sets of fact changes that make `rule` (of `pack`) true for a finding
    with these coerced `facts`, judged on `day` for these industry codes."""
    reasons = _preconditions(ruleset, pack, rule, tuple(industries), day)
    search = Search(rule.condition, facts, day, ruleset.facts, pack.context, max_evaluations)
    value = search.value(facts)
    if reasons:
        return WhyNot("impossible", value, reasons=reasons, fixed=search.fixed, max_changes=max_changes,
                      applies=False)
    if value:
        return WhyNot("already_true", True, max_changes=max_changes)
    blocked = explain(rule.condition, search.fixed, day)
    if blocked.value is not None and not blocked.value:
        why = ("the facts recorded about what kind of enterprise or equipment it is make it false whatever else "
               "is recorded" if blocked.support else
               f"on the finding's date {day.isoformat()} its condition is false whatever is recorded")
        return WhyNot("impossible", value, fixed=search.fixed, blocked_by=dict(blocked.support),
                      max_changes=max_changes, reasons=[why])
    found = search.run(value, max_changes)
    found.ways = [Way(tuple(replace(c, asked=c.fact in asked) for c in way.changes)) for way in found.ways]
    return found


def _preconditions(ruleset: Ruleset, pack: CompiledPack, rule: CheckedRule, industries: tuple[str, ...],
                   day: dt.date) -> list[str]:
    """Why the rule cannot apply to the finding at all: its edition's dates, its section's industries."""
    standard = pack.standard
    reasons: list[str] = []
    if not pack.in_force(day):
        period = f"{standard.effective_from.isoformat()} – {standard.effective_to or '—'}"
        instead = next((p for p in ruleset.families.get(standard.family, []) if p.in_force(day)), None)
        reasons.append(f"the finding's date {day.isoformat()} is outside {standard.name}（{standard.number}）, "
                       f"in force {period}" + (f"; on that date {instead.standard.name}（{instead.standard.number}）"
                                               f" ({instead.id}) applies" if instead is not None else ""))
    added_by = rule.section.section.added_by
    if added_by is not None and added_by.effective_from is not None and day < added_by.effective_from:
        reasons.append(f"{rule.section.section.article} was added by {added_by.name}"
                       f"（{added_by.number or ''}）, in force from {added_by.effective_from.isoformat()}: "
                       f"after the finding's date {day.isoformat()}")
    chosen, notes = ruleset.editions_for(industries, day)
    codes = tuple(code for p, judged in chosen if p.standard.family == standard.family for code in judged)
    section = rule.section
    article = f"{section.section.article}{rule.rule.clause or ''}"
    if not industries:
        reasons.append("the finding names no industry, so no standard applies to it")
    elif not any(code == p or code.startswith(p + ".") for code in industries for p in section.applies_to):
        reasons.append(f"{article} ({section.section.id}) applies to {', '.join(section.applies_to)}, not to the "
                       f"finding's industries {', '.join(industries)}")
    elif not codes and pack.in_force(day):
        reasons.extend(notes or [f"{standard.name} does not judge the industries {', '.join(industries)}"])
    return reasons


class Search:
    """The candidate values of a rule's facts and the search for the smallest ways."""

    def __init__(self, condition: ir.Expr, facts: dict[str, Any], day: dt.date, types: Mapping[str, Type],
                 context: frozenset[str], max_evaluations: int) -> None:
        self.condition, self.facts, self.day, self.types = condition, facts, day, types
        self.context = context
        self.fn = compile_kleene(condition)
        self.reads = sorted(ir.facts_read(condition))
        self.fixed = {n: facts[n] for n in self.reads if n in context and n in facts}
        self.max_evaluations = max_evaluations
        self.evaluations = 0
        self.bound_hit = False
        self.thresholds: dict[str, set[Any]] = {}
        self.candidates: dict[str, list[Any]] = {}
        self.not_varied: dict[str, str] = {}
        self._collect_thresholds()
        for name in self.reads:
            if name not in self.fixed:
                found = self._candidates(name)
                if found:
                    self.candidates[name] = found

    # ------------------------------------------------------------ evaluation
    def value(self, facts: dict[str, Any]) -> bool | None:
        """The rule's value: Kleene, then every value of a few missing finite facts."""
        self.evaluations += 1
        value = self.fn(facts, self.day, {})
        if value is not None:
            return bool(value)
        missing = [n for n in self.reads if n not in facts]
        size = 1
        for name in missing:
            count = domain_size(self.types[name]) if name in self.types else None
            if count is None:
                return None
            size *= count
            if size > EXACT_BOUND:
                return None
        common: bool | None = None
        trial = dict(facts)
        for values in itertools.product(*(_domain(self.types[n]) for n in missing)):
            trial.update(zip(missing, values))
            self.evaluations += 1
            result = self.fn(trial, self.day, {})
            if result is None:
                return None
            if common is None:
                common = bool(result)
            elif bool(result) is not common:
                return None
        return common

    def _true(self, facts: dict[str, Any]) -> bool:
        return self.value(facts) is True

    # ------------------------------------------------------------ search
    def run(self, value: bool | None, max_changes: int) -> WhyNot:
        names = sorted(self.candidates, key=lambda n: (n in self.facts, n))
        result = WhyNot("not_found", value, fixed=self.fixed, searched=tuple(names), not_varied=self.not_varied,
                        max_changes=max_changes)
        size = 0
        for size in range(1, min(max_changes, len(names)) + 1):
            combos = sorted(itertools.combinations(names, size),
                            key=lambda c: (sum(n in self.facts for n in c), c))
            for combo in combos:
                if self.bound_hit:
                    break
                way = self._try(combo)
                if way is not None:
                    result.ways_found += 1
                    if len(result.ways) < MAX_WAYS:
                        result.ways.append(way)
            if result.ways_found or self.bound_hit:
                break
        result.evaluations, result.bound_hit = self.evaluations, self.bound_hit
        if result.ways_found:
            result.status = "found"
        elif self.bound_hit:
            result.reasons.append(f"the search stopped after {self.evaluations:,} evaluations (the bound) "
                                  f"while trying {size} change(s)")
        elif size >= len(names) and not self.not_varied:
            result.status = "impossible"
            result.reasons.append("no combination of the candidate values of its facts makes it true")
        elif size < len(names):
            result.reasons.append(f"no way with at most {max_changes} change(s); more were not tried")
        else:
            result.reasons.append("no way found by varying the facts with candidate values; the others were "
                                  "not varied")
        return result

    def _try(self, combo: tuple[str, ...]) -> Way | None:
        """The first assignment of the facts in `combo` (each changed) that makes the rule true."""
        domains = [[v for v in self.candidates[n] if n not in self.facts or v != self.facts[n]] for n in combo]
        trial = dict(self.facts)
        for values in itertools.product(*domains):
            if self.evaluations >= self.max_evaluations:
                self.bound_hit = True
                return None
            trial.update(zip(combo, values))
            if self._true(trial):
                return Way(tuple(self._change(n, dict(trial)) for n in combo))
        return None

    def _change(self, name: str, trial: dict[str, Any]) -> Change:
        """How `name` is changed in a working assignment: every value that works with the rest held."""
        recorded = name in self.facts
        kind = "change" if recorded else "add"
        after = trial[name]
        working = []
        for candidate in self.candidates[name]:
            if recorded and candidate == self.facts[name]:
                continue
            trial[name] = candidate
            if candidate == after or self._true(trial):
                working.append(candidate)
        fact_type = self.types[name]
        constraint = None
        also: tuple[Any, ...] = ()
        if fact_type.kind in ("num", "date"):
            constraint = _interval(self.candidates[name], set(working), self.thresholds.get(name, set()))
        else:
            also = tuple(v for v in working if v != after)
        return Change(name, kind, self.facts.get(name), after, constraint, also, name in self.context)

    # ------------------------------------------------------------ candidates
    def _candidates(self, name: str) -> list[Any]:
        fact_type = self.types[name]
        current = self.facts.get(name)
        if fact_type.kind in ("bool", "enum") and domain_size(fact_type):
            return list(_domain(fact_type))
        if fact_type.kind == "set" and fact_type.values:
            if len(fact_type.values) <= SET_ENUMERATED:
                return list(_domain(fact_type))
            base = current if isinstance(current, frozenset) else frozenset()
            toggled = [base ^ {v} for v in fact_type.values]
            return list(dict.fromkeys([*toggled, frozenset(), frozenset(fact_type.values)]))
        if fact_type.kind in ("num", "date"):
            points = self.thresholds.get(name)
            if not points:
                self.not_varied[name] = "no comparison of it with a constant"
                return []
            values: set[Any] = set()
            for point in points:
                values.update(v for v in _around(point, fact_type) if fact_type.within(v))
            ordered = sorted(values)
            if current is not None:
                ordered.sort(key=lambda v: abs(_distance(v, current)))
            return ordered
        if fact_type.kind == "str":
            texts = sorted({n.value for n in ir.walk(self.condition)
                            if isinstance(n, ir.Const) and isinstance(n.value, str)})
            if not texts:
                self.not_varied[name] = "text compared with no constant"
            return texts
        self.not_varied[name] = f"a {fact_type} is not varied"
        return []

    def _collect_thresholds(self) -> None:
        """For each comparison of a single fact's number or date with something known: where it turns."""
        for node in ir.walk(self.condition):
            if not isinstance(node, ir.Cmp):
                continue
            for side, other in ((node.left, node.right), (node.right, node.left)):
                read = ir.facts_read(side)
                if len(read) != 1 or any(isinstance(n, ir.Field) for n in ir.walk(side)):
                    continue
                (name,) = read
                if self.types.get(name) is None or self.types[name].kind not in ("num", "date"):
                    continue
                if any(isinstance(n, ir.Field) for n in ir.walk(other)) or ir.facts_read(other) & {name}:
                    continue
                target = compile_kleene(other)(self.facts, self.day, {})
                if target is None:
                    continue
                try:
                    point = _solve(side, target, self.facts, self.day)
                except (ArithmeticError, TypeError, ValueError, OverflowError):
                    point = None
                if point is not None:
                    self.thresholds.setdefault(name, set()).add(_normal(point, self.types[name]))


def _solve(expr: ir.Expr, target: Any, facts: dict[str, Any], day: dt.date) -> Any:
    """The value of the one fact `expr` reads at which `expr` equals `target`, or None."""
    def known(e: ir.Expr) -> Any:
        return compile_kleene(e)(facts, day, {})

    match expr:
        case ir.Fact():
            return target
        case ir.Cond(_, body):
            return _solve(body, target, facts, day)
        case ir.Scale(operand, factor, _):
            return _solve(operand, Fraction(target) / Fraction(factor), facts, day)
        case ir.Neg(operand, _):
            return _solve(operand, -target, facts, day)
        case ir.Arith(op, left, right, _):
            fact_left = bool(ir.facts_read(left))
            inner, other = (left, right) if fact_left else (right, left)
            c = known(other)
            if c is None:
                return None
            c, t = Fraction(c), Fraction(target)
            if op == "+":
                return _solve(inner, t - c, facts, day)
            if op == "-":
                return _solve(inner, t + c if fact_left else c - t, facts, day)
            if op == "*":
                return _solve(inner, t / c, facts, day)
            if op == "/":
                return _solve(inner, t * c if fact_left else c / t, facts, day)
        case ir.DateDiff(left, right, _):
            days = dt.timedelta(days=math.floor(Fraction(target)))
            if ir.facts_read(left):
                base = known(right)
                return None if base is None else _solve(left, base + days, facts, day)
            base = known(left)
            return None if base is None else _solve(right, base - days, facts, day)
        case ir.DateShift(op, date, days_expr, _):
            sign = 1 if op == "+" else -1
            if ir.facts_read(date):
                shift = known(days_expr)
                return None if shift is None else _solve(
                    date, target - dt.timedelta(days=sign * math.floor(Fraction(shift))), facts, day)
            base = known(date)
            return None if base is None else _solve(days_expr, sign * (target - base).days, facts, day)
    return None


def _normal(point: Any, fact_type: Type) -> Any:
    if isinstance(point, dt.date) or fact_type.kind == "date":
        return point if isinstance(point, dt.date) else None
    return Fraction(point)


def _around(point: Any, fact_type: Type) -> list[Any]:
    """The threshold and the nearest values either side, in the fact's own kind of value."""
    if point is None:
        return []
    if isinstance(point, dt.date):
        return [point - dt.timedelta(days=1), point, point + dt.timedelta(days=1)]
    if fact_type.integer:
        low, high = math.floor(point), math.ceil(point)
        return sorted({low - 1, low, high, high + 1} if low != high else {low - 1, low, low + 1})
    step = Fraction(1, 10 ** (_decimals(point) + 1))
    return [_plain(point - step), _plain(point), _plain(point + step)]


def _decimals(value: Fraction) -> int:
    for places in range(7):
        if (value * 10 ** places).denominator == 1:
            return places
    return 6


def _plain(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _distance(a: Any, b: Any) -> float:
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        return float((a - b).days)
    return float(a - b)


def _interval(candidates: list[Any], working: set[Any], thresholds: set[Any]) -> str | None:
    """The values that work, as comparisons with the thresholds ("> 9", ">= 10, < 20")."""
    ordered = sorted(candidates)
    ok = [c in working for c in ordered]
    if not any(ok):
        return None
    if all(ok):
        return "any value"
    first = ok.index(True)
    last = first
    while last + 1 < len(ordered) and ok[last + 1]:
        last += 1
    points = {_plain(t) if isinstance(t, Fraction) else t for t in thresholds}
    parts: list[str] = []
    low, high = ordered[first], ordered[last]
    if first > 0:
        parts.append(f">= {_text(low)}" if low in points else f"> {_text(ordered[first - 1])}")
    if last < len(ordered) - 1:
        parts.append(f"<= {_text(high)}" if high in points else f"< {_text(ordered[last + 1])}")
    if len(parts) == 2 and low == high:
        return f"= {_text(low)}"
    return ", ".join(parts)


def _text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _domain(fact_type: Type) -> tuple[Any, ...]:
    if fact_type.kind == "bool":
        return (True, False)
    if fact_type.kind in ("enum", "num"):
        return domain(fact_type)  # a num here is an int with a declared range
    values = fact_type.values
    return tuple(frozenset(c) for r in range(len(values) + 1) for c in itertools.combinations(values, r))
