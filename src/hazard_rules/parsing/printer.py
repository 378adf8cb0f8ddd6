"""Print an AST back as canonical condition text (fully parenthesised where needed).

parse(print(tree)) == tree for every tree: the property tests rely on it, and
`rules diff` style tools can show conditions in one normal form.
"""

from __future__ import annotations

from fractions import Fraction

from . import ast

# Binding strength, loosest first; a child weaker than its parent is parenthesised.
_LEVEL = {"quant": 0, "or": 1, "and": 2, "not": 3, "cmp": 4, "sum": 5, "product": 6, "unary": 7, "atom": 8}


def to_text(node: ast.Node) -> str:
    return _text(node, 0)


def _level(node: ast.Node) -> int:
    match node:
        case ast.Quantifier():
            return _LEVEL["quant"]
        case ast.Or():
            return _LEVEL["or"]
        case ast.And():
            return _LEVEL["and"]
        case ast.Not():
            return _LEVEL["not"]
        case ast.Compare() | ast.Member() | ast.IsEmpty():
            return _LEVEL["cmp"]
        case ast.Arith(op) if op in "+-":
            return _LEVEL["sum"]
        case ast.Arith():
            return _LEVEL["product"]
        case ast.Neg():
            return _LEVEL["unary"]
    return _LEVEL["atom"]


def _wrap(node: ast.Node, minimum: int) -> str:
    text = _text(node, minimum)
    return f"({text})" if _level(node) < minimum else text


def _number(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    for places in range(1, 30):  # parsed numbers are terminating decimals: print them exactly
        scaled = value * 10**places
        if scaled.denominator == 1:
            whole, fraction = divmod(scaled.numerator, 10**places)
            return f"{whole}.{fraction:0{places}d}".rstrip("0")
    return f"{float(value)!r}"


def _text(node: ast.Node, _: int) -> str:
    match node:
        case ast.BoolLit(value):
            return "true" if value else "false"
        case ast.NumberLit(value, unit):
            return _number(value) + (f" {unit}" if unit else "")
        case ast.StrLit(value):
            return f"'{value}'" if '"' in value else f'"{value}"'
        case ast.DateLit(value):
            return value.isoformat()
        case ast.SetLit(items):
            return "{" + ", ".join(_wrap(x, _LEVEL["or"]) for x in items) + "}"
        case ast.Name(name):
            return name
        case ast.Not(operand):
            return "not " + _wrap(operand, _LEVEL["not"])
        case ast.And(operands):
            return " and ".join(_wrap(x, _LEVEL["not"]) for x in operands)
        case ast.Or(operands):
            return " or ".join(_wrap(x, _LEVEL["and"]) for x in operands)
        case ast.Compare(op, left, right):
            return f"{_wrap(left, _LEVEL['sum'])} {op} {_wrap(right, _LEVEL['sum'])}"
        case ast.Member(item, collection, negated):
            return f"{_wrap(item, _LEVEL['sum'])} {'not in' if negated else 'in'} {_wrap(collection, _LEVEL['sum'])}"
        case ast.IsEmpty(operand, negated):
            return f"{_wrap(operand, _LEVEL['sum'])} is {'not ' if negated else ''}empty"
        case ast.Arith(op, left, right):
            level = _LEVEL["sum"] if op in "+-" else _LEVEL["product"]
            return f"{_wrap(left, level)} {op} {_wrap(right, level + 1)}"
        case ast.Neg(operand):
            return "-" + _wrap(operand, _LEVEL["unary"])
        case ast.Count(operand):
            # `count(a in b)` would read as count(x in LIST: …): parenthesise a membership
            inner = _text(operand, 0)
            return f"count(({inner}))" if isinstance(operand, ast.Member) else f"count({inner})"
        case ast.CountWhere(var, source, body):
            return f"count({var} in {source.name}: {_text(body, 0)})"
        case ast.Quantifier(kind, var, source, body):
            return f"{kind} {var} in {source.name}: {_text(body, 0)}"
        case ast.AtLeast(k, operands):
            return "at_least(" + ", ".join(_text(x, 0) for x in (k, *operands)) + ")"
    raise AssertionError(f"cannot print {type(node).__name__}")  # pragma: no cover
