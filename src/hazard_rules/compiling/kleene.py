"""Three-valued (Kleene) evaluation of checked IR, compiled once into closures.

A value of None means unknown. This is the careful path, taken for a rule only when
the fast generated code hits a fact that the finding does not give.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sized
from typing import Any

from ..checking import ir

Env = dict[str, Any]
Fn = Callable[[dict[str, Any], dt.date, Env], Any]



class LazyKleene:
    """compile_kleene(expr), built on its first call: the generated code's careful path is
    taken only when a fact is missing, so most rules of a load never need their closures."""

    __slots__ = ("expr", "fn")

    def __init__(self, expr: ir.Expr) -> None:
        self.expr = expr
        self.fn: Fn | None = None

    def __call__(self, f: dict[str, Any], today: dt.date, env: Env) -> Any:
        if self.fn is None:
            self.fn = compile_kleene(self.expr)
        return self.fn(f, today, env)


def compile_kleene(expr: ir.Expr) -> Fn:
    """Closure computing expr under Kleene logic: True, False or None (unknown)."""
    match expr:
        case ir.Const(value):
            return lambda f, today, env: value
        case ir.Fact(fact_id):
            return lambda f, today, env: f.get(fact_id)
        case ir.Field(var, name):
            return lambda f, today, env: env[var].get(name)
        case ir.Today():
            return lambda f, today, env: today
        case ir.Cond(_, body):
            return compile_kleene(body)
        case ir.Not(operand):
            inner = compile_kleene(operand)
            return lambda f, today, env: _not(inner(f, today, env))
        case ir.And(operands):
            parts = tuple(compile_kleene(x) for x in operands)
            return lambda f, today, env: _and(parts, f, today, env)
        case ir.Or(operands):
            parts = tuple(compile_kleene(x) for x in operands)
            return lambda f, today, env: _or(parts, f, today, env)
        case ir.Cmp(op, left, right) | ir.Arith(op, left, right, _):
            return _binary(ir.OPERATORS[op], compile_kleene(left), compile_kleene(right))
        case ir.In(item, collection, negated):
            test = operator.not_ if negated else bool
            return _binary(lambda a, b: test(a in b), compile_kleene(item), compile_kleene(collection))
        case ir.Empty(operand, negated):
            inner = compile_kleene(operand)
            empty: Callable[[Sized], bool] = (lambda v: len(v) > 0) if negated else (lambda v: len(v) == 0)
            return lambda f, today, env: _map(inner(f, today, env), empty)
        case ir.Scale(operand, factor, _):
            inner = compile_kleene(operand)
            return lambda f, today, env: _map(inner(f, today, env), lambda v: v * factor)
        case ir.Rank(operand, table, _):
            inner, ranks = compile_kleene(operand), dict(table)
            return lambda f, today, env: _map(inner(f, today, env), ranks.__getitem__)
        case ir.Neg(operand, _):
            inner = compile_kleene(operand)
            return lambda f, today, env: _map(inner(f, today, env), operator.neg)
        case ir.Size(operand, _):
            inner = compile_kleene(operand)
            return lambda f, today, env: _map(inner(f, today, env), len)
        case ir.DateDiff(left, right, _):
            return _binary(lambda a, b: (a - b).days, compile_kleene(left), compile_kleene(right))
        case ir.DateShift(op, date, days, _):
            sign = 1 if op == "+" else -1
            return _binary(lambda a, b: a + dt.timedelta(days=sign * float(b)), compile_kleene(date),
                           compile_kleene(days))  # days may be an exact Fraction (a `30 d` literal)
        case ir.Quant(kind, var, source, body):
            return _quantifier(kind == "any", var, compile_kleene(source), compile_kleene(body))
        case ir.CountIf(var, source, body, _):
            return _count_if(var, compile_kleene(source), compile_kleene(body))
        case ir.AtLeast(k, operands):
            parts = tuple(compile_kleene(x) for x in operands)
            return lambda f, today, env: _at_least(k, parts, f, today, env)
    raise AssertionError(f"cannot compile {type(expr).__name__}")  # pragma: no cover


def _not(value: Any) -> Any:
    return None if value is None else not value


def _map(value: Any, fn: Callable[[Any], Any]) -> Any:
    return None if value is None else fn(value)


def _binary(fn: Callable[[Any, Any], Any], left: Fn, right: Fn) -> Fn:
    def evaluate(f: dict[str, Any], today: dt.date, env: Env) -> Any:
        a = left(f, today, env)
        if a is None:
            return None
        b = right(f, today, env)
        if b is None:
            return None
        try:
            return fn(a, b)
        except ArithmeticError:  # e.g. division by zero: the value cannot be decided
            return None
    return evaluate


def _and(parts: tuple[Fn, ...], f: dict[str, Any], today: dt.date, env: Env) -> Any:
    unknown = False
    for part in parts:
        value = part(f, today, env)
        if value is None:
            unknown = True
        elif not value:
            return False
    return None if unknown else True


def _or(parts: tuple[Fn, ...], f: dict[str, Any], today: dt.date, env: Env) -> Any:
    unknown = False
    for part in parts:
        value = part(f, today, env)
        if value is None:
            unknown = True
        elif value:
            return True
    return None if unknown else False


def _quantifier(is_any: bool, var: str, source: Fn, body: Fn) -> Fn:
    def evaluate(f: dict[str, Any], today: dt.date, env: Env) -> Any:
        items = source(f, today, env)
        if items is None:
            return None
        unknown = False
        inner = dict(env)
        for item in items:
            inner[var] = item
            value = body(f, today, inner)
            if value is None:
                unknown = True
            elif bool(value) is is_any:
                return is_any
        return None if unknown else not is_any
    return evaluate


def _count_if(var: str, source: Fn, body: Fn) -> Fn:
    def evaluate(f: dict[str, Any], today: dt.date, env: Env) -> Any:
        items = source(f, today, env)
        if items is None:
            return None
        total = 0
        inner = dict(env)
        for item in items:
            inner[var] = item
            value = body(f, today, inner)
            if value is None:
                return None
            total += bool(value)
        return total
    return evaluate


def _at_least(k: int, parts: tuple[Fn, ...], f: dict[str, Any], today: dt.date, env: Env) -> Any:
    true = unknown = 0
    for part in parts:
        value = part(f, today, env)
        if value is None:
            unknown += 1
        elif value:
            true += 1
            if true >= k:
                return True
    return None if true + unknown >= k else False
