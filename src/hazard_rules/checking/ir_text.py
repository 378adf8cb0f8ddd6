"""Checked IR as condition text, for people: situations in `rules show` and messages.

Units are already converted to each fact's declared unit, so numbers print in that unit.
"""

from __future__ import annotations

import datetime as dt

from . import ir

_LEVEL = {"or": 1, "and": 2, "not": 3, "atom": 4}


def print_ir(expr: ir.Expr) -> str:
    return _text(expr)


def _level(expr: ir.Expr) -> int:
    match expr:
        case ir.Or():
            return _LEVEL["or"]
        case ir.And():
            return _LEVEL["and"]
        case ir.Not():
            return _LEVEL["not"]
    return _LEVEL["atom"]


def _wrap(expr: ir.Expr, minimum: int) -> str:
    text = _text(expr)
    return f"({text})" if _level(expr) < minimum else text


def _const(value: object, type_: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, frozenset):
        return "{" + ", ".join(_const(v, None) for v in sorted(value, key=str)) + "}"
    if isinstance(value, dt.date):
        return value.isoformat()
    unit = getattr(getattr(type_, "unit", None), "symbol", None)
    return f"{value} {unit}" if unit else str(value)


def _named(table: tuple[tuple[str, int], ...], rank: object) -> str | None:
    """The enum value an ordered comparison's rank stands for."""
    return next((name for name, position in table if position == rank), None)


def _text(expr: ir.Expr) -> str:
    match expr:
        case ir.Const(value, type_):
            return _const(value, type_)
        case ir.Fact(fact_id):
            return fact_id
        case ir.Field(var, name):
            return f"{var}.{name}"
        case ir.Today():
            return "inspection.date"
        case ir.Cond(name, _):
            return name
        case ir.Not(operand):
            return "not " + _wrap(operand, _LEVEL["not"])
        case ir.And(operands):
            return " and ".join(_wrap(x, _LEVEL["not"]) for x in operands)
        case ir.Or(operands):
            return " or ".join(_wrap(x, _LEVEL["and"]) for x in operands)
        case ir.Cmp(op, ir.Rank(_, table, _) as left, ir.Const(value)) if _named(table, value):
            return f"{_text(left)} {op} \"{_named(table, value)}\""
        case ir.Cmp(op, left, right):
            return f"{_text(left)} {op} {_text(right)}"
        case ir.In(item, collection, negated):
            return f"{_text(item)} {'not in' if negated else 'in'} {_text(collection)}"
        case ir.Empty(operand, negated):
            return f"{_text(operand)} is {'not ' if negated else ''}empty"
        case ir.Arith(op, left, right, _):
            return f"({_text(left)} {op} {_text(right)})"
        case ir.Scale(operand, _, _) | ir.Rank(operand, _, _):
            return _text(operand)
        case ir.DateDiff(left, right, _):
            return f"({_text(left)} - {_text(right)})"
        case ir.DateShift(op, date, days, _):
            return f"({_text(date)} {op} {_text(days)})"
        case ir.Neg(operand, _):
            return f"-{_wrap(operand, _LEVEL['atom'])}"
        case ir.Size(operand, _):
            return f"count({_text(operand)})"
        case ir.CountIf(var, source, body, _):
            return f"count({var} in {_text(source)}: {_text(body)})"
        case ir.Quant(kind, var, source, body):
            return f"({kind} {var} in {_text(source)}: {_text(body)})"
        case ir.AtLeast(k, operands):
            return f"at_least({k}, " + ", ".join(_text(x) for x in operands) + ")"
    return f"<{type(expr).__name__}>"
