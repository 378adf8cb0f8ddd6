"""Decide a rule that Kleene logic leaves open by trying every value of its missing facts.

Kleene logic is sound but weak: `x or not x` is unknown while x is. When every fact a
rule is missing has a finite type (bool, enum, device, set of an enum), and there are few
enough assignments of them (at most `max_assignments`; a set of n values has 2^n), the
rule is evaluated by the three-valued closure once per assignment. If every assignment
gives the same value, that is the rule's value whatever the missing facts turn out to be;
otherwise (or if any assignment stays unknown, e.g. a division by zero) the rule stays
open. Any other missing number, text, date, list or item field is never enumerated: the
rule stays open (None).

This is meant for rules the fast path and the closures left open, not for the hot path.

`because` is a subset-minimal sufficient reason among the given facts (an abductive
explanation, found by deletion): start from the given facts the rule reads and drop them
one at a time, in id order, keeping a drop when `decide_exactly` on the remaining facts
still reaches the same value. So `decide_exactly(expr, because, ...)` gives the same
value, and dropping any one fact of `because` would lose it (each test is itself bounded
by `max_assignments`; a fact whose test would exceed the bound is kept). When nothing is
missing (Kleene decides), `because` is the explainer's support, as for any decided rule.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..checking import ir
from ..checking.types import Type
from .explain import explain
from .kleene import Fn, compile_kleene

MAX_ASSIGNMENTS = 1024


@dataclass(frozen=True, slots=True)
class Exact:
    value: bool                      # the rule's value under every assignment
    because: dict[str, Any]          # the given facts that force it (see the module text)
    forced_by: tuple[str, ...]       # the missing facts that were enumerated, sorted


def decide_exactly(expr: ir.Expr, facts: dict[str, Any], today: dt.date,
                   types: Mapping[str, Type] | None = None, max_assignments: int = MAX_ASSIGNMENTS,
                   kleene: Fn | None = None) -> Exact | None:
    """The value of a boolean expr for every value of its missing facts, or None if it
    cannot be decided that way. types: fact id -> declared type (default: the types the
    IR carries); kleene: compile_kleene(expr), if the caller has it already."""
    outcome = explain(expr, facts, today)
    if outcome.value is not None:
        return Exact(bool(outcome.value), dict(outcome.support), ())
    declared = types if types is not None else {n.id: n.type for n in ir.walk(expr) if isinstance(n, ir.Fact)}
    fn = kleene if kleene is not None else compile_kleene(expr)
    forced = tuple(sorted(outcome.missing))
    value = _enumerate(fn, forced, facts, today, declared, max_assignments)
    if value is None:
        return None
    because = {name: facts[name] for name in sorted(ir.facts_read(expr)) if name in facts}
    for name in list(because):
        trial = {k: v for k, v in because.items() if k != name}
        if _decide(fn, expr, trial, today, declared, max_assignments) is value:
            because = trial
    return Exact(value, because, forced)


def _decide(fn: Fn, expr: ir.Expr, facts: dict[str, Any], today: dt.date,
            types: Mapping[str, Type], bound: int) -> bool | None:
    outcome = explain(expr, facts, today)
    if outcome.value is not None:
        return bool(outcome.value)
    return _enumerate(fn, tuple(sorted(outcome.missing)), facts, today, types, bound)


def _enumerate(fn: Fn, names: tuple[str, ...], facts: dict[str, Any], today: dt.date,
               types: Mapping[str, Type], bound: int) -> bool | None:
    """The common value of fn over every assignment of the named facts, else None."""
    size = 1
    for name in names:
        fact_type = types.get(name)  # an item field (tanks[2].level) is not a fact id: None
        count = domain_size(fact_type) if fact_type is not None else None
        if count is None:
            return None
        size *= count
        if size > bound:
            return None
    domains = [domain(types[name]) for name in names]
    f = dict(facts)
    common: bool | None = None
    for values in itertools.product(*domains):
        f.update(zip(names, values))
        value = fn(f, today, {})
        if value is None:
            return None
        if common is None:
            common = bool(value)
        elif bool(value) is not common:
            return None
    return common


def domain_size(fact_type: Type) -> int | None:
    """How many values a fact of this type can take, or None if it cannot be enumerated."""
    if fact_type.kind == "bool":
        return 2
    if fact_type.kind == "enum" and fact_type.values:
        return len(fact_type.values)
    if fact_type.kind == "set" and fact_type.values:
        return 1 << len(fact_type.values)  # 2 ** n subsets
    if fact_type.kind == "num" and fact_type.integer and fact_type.bounds is not None:
        count = int(fact_type.bounds[1]) - int(fact_type.bounds[0]) + 1
        return count if count <= MAX_ASSIGNMENTS else None  # an int with a small declared range
    return None  # other num, str, date, list, item, or an enum/set without declared values


def domain(fact_type: Type) -> tuple[Any, ...]:
    """Every value a fact of this finite type can take (domain_size of them), in declaration order."""
    if fact_type.kind == "bool":
        return (False, True)
    if fact_type.kind == "enum":
        return fact_type.values
    if fact_type.kind == "num" and fact_type.bounds is not None:
        return tuple(range(int(fact_type.bounds[0]), int(fact_type.bounds[1]) + 1))
    values = fact_type.values
    return tuple(frozenset(c) for r in range(len(values) + 1) for c in itertools.combinations(values, r))
