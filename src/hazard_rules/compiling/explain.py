"""Explain a rule's outcome: the facts that made it true or false, or the facts that
would decide it when it is unknown.

Runs only for rules that matched or stayed unknown, so it favours clarity over speed.
The support of a true `and` is the union of its operands' supports; of a true `or` the
smallest true operand's support; dually for false. A quantifier names the items it
looked at (`tanks[2].level`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..checking import ir


@dataclass
class Outcome:
    value: Any                      # True / False / None, or a number, date … for terms
    support: dict[str, Any] = field(default_factory=dict)   # fact path -> value read
    missing: set[str] = field(default_factory=set)          # fact paths that were not given


Bound = dict[str, tuple[dict[str, Any], str]]


def explain(expr: ir.Expr, facts: dict[str, Any], today: dt.date) -> Outcome:
    return _explain(expr, facts, today, {})


def _explain(expr: ir.Expr, f: dict[str, Any], today: dt.date, env: Bound) -> Outcome:
    match expr:
        case ir.Const(value):
            return Outcome(value)
        case ir.Fact(fact_id):
            if fact_id in f:
                return Outcome(f[fact_id], {fact_id: f[fact_id]})
            return Outcome(None, missing={fact_id})
        case ir.Field(var, name):
            item, prefix = env[var]
            path = f"{prefix}.{name}"
            if name in item:
                return Outcome(item[name], {path: item[name]})
            return Outcome(None, missing={path})
        case ir.Today():
            return Outcome(today)
        case ir.Cond(_, body):
            return _explain(body, f, today, env)
        case ir.Not(operand):
            inner = _explain(operand, f, today, env)
            return Outcome(None if inner.value is None else not inner.value, inner.support, inner.missing)
        case ir.And(operands):
            return _junction([_explain(x, f, today, env) for x in operands], decisive=False)
        case ir.Or(operands):
            return _junction([_explain(x, f, today, env) for x in operands], decisive=True)
        case ir.AtLeast(k, operands):
            return _at_least(k, [_explain(x, f, today, env) for x in operands])
        case ir.Quant(kind, var, source, body):
            return _quantifier(kind == "any", var, source, body, f, today, env)
        case ir.CountIf(var, source, body, _):
            return _count_if(var, source, body, f, today, env)
    parts = [_explain(child, f, today, env) for child in ir.children(expr)]
    return _term(expr, parts)


def _merge(outcomes: list[Outcome]) -> tuple[dict[str, Any], set[str]]:
    support: dict[str, Any] = {}
    missing: set[str] = set()
    for outcome in outcomes:
        support.update(outcome.support)
        missing |= outcome.missing
    return support, missing


def _smallest(outcomes: list[Outcome]) -> Outcome:
    return min(outcomes, key=lambda o: len(o.support))


def _junction(outcomes: list[Outcome], decisive: bool) -> Outcome:
    """and (decisive=False) / or (decisive=True) under Kleene logic."""
    deciders = [o for o in outcomes if o.value is not None and bool(o.value) is decisive]
    if deciders:
        best = _smallest(deciders)
        return Outcome(decisive, dict(best.support))
    unknown = [o for o in outcomes if o.value is None]
    if unknown:
        _, missing = _merge(unknown)
        return Outcome(None, missing=missing)
    support, _ = _merge(outcomes)
    return Outcome(not decisive, support)


def _at_least(k: int, outcomes: list[Outcome]) -> Outcome:
    true = [o for o in outcomes if o.value is True or (o.value is not None and bool(o.value))]
    false = [o for o in outcomes if o.value is not None and not o.value]
    unknown = [o for o in outcomes if o.value is None]
    if len(true) >= k:
        support, _ = _merge(sorted(true, key=lambda o: len(o.support))[:k])
        return Outcome(True, support)
    if len(true) + len(unknown) < k:
        support, _ = _merge(false)
        return Outcome(False, support)
    _, missing = _merge(unknown)
    return Outcome(None, missing=missing)


def _items(source: ir.Expr, f: dict[str, Any], today: dt.date, env: Bound) -> tuple[Outcome, str]:
    outcome = _explain(source, f, today, env)
    if isinstance(source, ir.Fact):
        prefix = source.id
    else:
        assert isinstance(source, ir.Field)
        prefix = f"{env[source.var][1]}.{source.name}"
    return outcome, prefix


def _quantifier(is_any: bool, var: str, source: ir.Expr, body: ir.Expr,
                f: dict[str, Any], today: dt.date, env: Bound) -> Outcome:
    listed, prefix = _items(source, f, today, env)
    if listed.value is None:
        return listed
    results = []
    for index, item in enumerate(listed.value):
        inner = dict(env)
        inner[var] = (item, f"{prefix}[{index}]")
        results.append(_explain(body, f, today, inner))
    if not results:  # any over nothing is false, all is true: the empty list decides it
        return Outcome(not is_any, {prefix: listed.value})
    outcome = _junction(results, decisive=is_any)
    if outcome.value is not None and bool(outcome.value) is not is_any:
        outcome.support = {prefix: listed.value}  # decided by every item: cite the list
    return outcome


def _count_if(var: str, source: ir.Expr, body: ir.Expr, f: dict[str, Any], today: dt.date, env: Bound) -> Outcome:
    listed, prefix = _items(source, f, today, env)
    if listed.value is None:
        return listed
    total = 0
    missing: set[str] = set()
    for index, item in enumerate(listed.value):
        inner = dict(env)
        inner[var] = (item, f"{prefix}[{index}]")
        outcome = _explain(body, f, today, inner)
        if outcome.value is None:
            missing |= outcome.missing
        else:
            total += bool(outcome.value)
    if missing:
        return Outcome(None, missing=missing)
    return Outcome(total, {prefix: listed.value})


def _term(expr: ir.Expr, parts: list[Outcome]) -> Outcome:
    support, missing = _merge(parts)
    if any(p.value is None for p in parts):
        return Outcome(None, missing=set().union(*(p.missing for p in parts if p.value is None)))
    values = [p.value for p in parts]
    try:
        value = _apply(expr, values)
    except ArithmeticError:
        return Outcome(None, missing=missing)
    return Outcome(value, support)


def _apply(expr: ir.Expr, values: list[Any]) -> Any:
    match expr:
        case ir.Cmp(op) | ir.Arith(op):
            return ir.OPERATORS[op](values[0], values[1])
        case ir.In(_, _, negated):
            return (values[0] in values[1]) is not negated
        case ir.Empty(_, negated):
            return (len(values[0]) > 0) if negated else (len(values[0]) == 0)
        case ir.Scale(_, factor):
            return values[0] * factor
        case ir.Rank(_, table):
            return dict(table)[values[0]]
        case ir.Neg():
            return -values[0]
        case ir.Size():
            return len(values[0])
        case ir.DateDiff():
            return (values[0] - values[1]).days
        case ir.DateShift(op):
            return values[0] + dt.timedelta(days=float(values[1]) if op == "+" else -float(values[1]))
    raise AssertionError(f"cannot explain {type(expr).__name__}")  # pragma: no cover
