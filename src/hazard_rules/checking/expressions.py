"""Type-check one parsed condition against a pack's vocabulary, producing checked IR.

Errors are collected, not raised; a broken sub-expression becomes ir.Invalid so that
checking continues and reports everything wrong in one pass.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from ..errors import (
    PackError,
    Span,
    TypeMismatchError,
    UndeclaredEnumValueError,
    UndeclaredFactError,
    UnitDimensionError,
    UnknownUnitError,
)
from ..parsing import ast
from . import ir, units
from .types import ANY, BOOL, COUNT, DATE, STR, Type

TODAY = "inspection.date"
DAYS = Type("num", units.UNITS["d"], "time")

SpanOf = Callable[[ast.Pos], Span]


@dataclass
class Scope:
    """What names mean inside one condition."""

    facts: dict[str, Type]
    conditions: dict[str, ir.Expr]          # already-checked named conditions
    condition_names: frozenset[str]         # every declared name (some may be broken)
    variables: dict[str, Type]              # bound item variables
    broken_facts: frozenset[str] = frozenset()  # declared with an error already reported


class ExpressionChecker:
    def __init__(self, scope: Scope, span_of: SpanOf, errors: list[PackError]) -> None:
        self.scope = scope
        self.span_of = span_of
        self.errors = errors
        self.used_conditions: set[str] = set()

    # ----------------------------------------------------------------- entry points
    def condition(self, node: ast.Node) -> ir.Expr:
        checked = self.check(node)
        return self._expect_bool(checked, node)

    # ----------------------------------------------------------------- dispatch
    def check(self, node: ast.Node) -> ir.Expr:
        match node:
            case ast.BoolLit(value):
                return ir.Const(value, BOOL)
            case ast.NumberLit(value, unit):
                return self._number(node, value, unit)
            case ast.StrLit(value):
                return ir.Const(value, STR)
            case ast.DateLit(value):
                return ir.Const(value, DATE)
            case ast.SetLit(items):
                return self._set_literal(node, items)
            case ast.Name(name):
                return self._name(node, name)
            case ast.Not(operand):
                return ir.Not(self.condition(operand))
            case ast.And(operands):
                return ir.And(tuple(self.condition(x) for x in operands))
            case ast.Or(operands):
                return ir.Or(tuple(self.condition(x) for x in operands))
            case ast.Compare(op, left, right):
                return self._compare(node, op, left, right)
            case ast.Member(item, collection, negated):
                return self._member(node, item, collection, negated)
            case ast.IsEmpty(operand, negated):
                return self._empty(node, operand, negated)
            case ast.Arith(op, left, right):
                return self._arith(node, op, left, right)
            case ast.Neg(operand):
                inner = self.check(operand)
                if ir.type_of(inner).kind not in ("num", "any"):
                    return self._mismatch(node, f"cannot negate {ir.type_of(inner)}")
                return ir.Neg(inner, ir.type_of(inner))
            case ast.Count(operand):
                inner = self.check(operand)
                if ir.type_of(inner).kind not in ("set", "list", "any"):
                    return self._mismatch(node, f"count() needs a set or a list, not {ir.type_of(inner)}",
                                          "to count items that satisfy a condition: count(x in LIST: CONDITION)")
                return ir.Size(inner, COUNT)
            case ast.CountWhere(var, source, body):
                bound = self._bind(node, var, source)
                if bound is None:
                    return ir.Invalid(COUNT)
                src, item_type = bound
                return ir.CountIf(var, src, self._with_var(var, item_type, body), COUNT)
            case ast.Quantifier(kind, var, source, body):
                bound = self._bind(node, var, source)
                if bound is None:
                    return ir.Invalid(BOOL)
                src, item_type = bound
                return ir.Quant(kind, var, src, self._with_var(var, item_type, body))
            case ast.AtLeast(k, operands):
                return self._at_least(node, k, operands)
        raise AssertionError(f"unhandled AST node {type(node).__name__}")  # pragma: no cover

    # ----------------------------------------------------------------- helpers
    def _error(self, cls: type[PackError], node: ast.Node, message: str, hint: str | None = None) -> None:
        start, end = node.pos
        self.errors.append(cls(message, self._span(start, end), hint))

    def _span(self, start: int, end: int) -> Span:
        return self.span_of((start, end))

    def _mismatch(self, node: ast.Node, message: str, hint: str | None = None, kind: Type = ANY) -> ir.Expr:
        self._error(TypeMismatchError, node, message, hint)
        return ir.Invalid(kind)

    def _expect_bool(self, checked: ir.Expr, node: ast.Node) -> ir.Expr:
        kind = ir.type_of(checked).kind
        if kind in ("bool", "any"):
            return checked
        hint = None
        if kind == "num":
            hint = "compare it, e.g. `… > 0`"
        elif kind in ("set", "list"):
            hint = "test it, e.g. `… is not empty` or `\"value\" in …`"
        elif kind in ("enum", "str"):
            hint = "compare it, e.g. `… == \"value\"`"
        return self._mismatch(node, f"expected a condition (true/false), found {ir.type_of(checked)}", hint, BOOL)

    def _number(self, node: ast.Node, value: Fraction, unit_symbol: str | None) -> ir.Expr:
        if unit_symbol is None:
            return ir.Const(value, Type("num", None, None, adaptable=True))
        unit = units.lookup(unit_symbol)
        if unit is None:
            close = difflib.get_close_matches(unit_symbol, list(units.UNITS), n=1)
            self._error(UnknownUnitError, node, f"unknown unit {unit_symbol!r}",
                        f"did you mean {close[0]!r}?" if close else f"known units: {' '.join(units.UNITS)}")
            return ir.Invalid(ANY)
        return ir.Const(value, Type("num", unit, unit.dimension))

    def _name(self, node: ast.Node, name: str) -> ir.Expr:
        head, _, rest = name.partition(".")
        if head in self.scope.variables:
            item = self.scope.variables[head]
            if not rest:
                return ir.Invalid(item)  # a bare item is only meaningful via its fields
            field_type = item.field_type(rest)
            if field_type is None:
                names = [key for key, _ in item.fields]
                close = difflib.get_close_matches(rest, names, n=1)
                self._error(UndeclaredFactError, node, f"item {head!r} has no field {rest!r}",
                            f"did you mean '{head}.{close[0]}'?" if close else f"fields: {', '.join(names)}")
                return ir.Invalid(ANY)
            return ir.Field(head, rest, field_type)
        if name == TODAY:
            return ir.Today(DATE)
        if name in self.scope.condition_names:
            self.used_conditions.add(name)
            body = self.scope.conditions.get(name)
            return ir.Cond(name, body) if body is not None else ir.Invalid(BOOL)
        if name in self.scope.facts:
            return ir.Fact(name, self.scope.facts[name])
        if name in self.scope.broken_facts:
            return ir.Invalid(ANY)  # its declaration's error is reported already
        candidates = [*self.scope.facts, *self.scope.condition_names, TODAY,
                      *(f"{v}.{f}" for v, t in self.scope.variables.items() for f, _ in t.fields)]
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
        self._error(UndeclaredFactError, node, f"undeclared fact {name!r}",
                    f"did you mean {close[0]!r}?" if close else "declare it under `facts:` (or in a shared vocabulary)")
        return ir.Invalid(ANY)

    def _bind(self, node: ast.Node, var: str, source: ast.Name) -> tuple[ir.Expr, Type] | None:
        src = self.check(source)
        src_type = ir.type_of(src)
        if src_type.kind == "any":
            return None
        if src_type.kind != "list":
            self._error(TypeMismatchError, source, f"{source.name!r} is {src_type}, not a list of items",
                        "quantifiers and count(x in …) range over facts of type list")
            return None
        if var in self.scope.facts or var in self.scope.condition_names or var in self.scope.variables:
            self._error(TypeMismatchError, node, f"variable {var!r} hides a fact, condition or outer variable",
                        "pick another short name, e.g. the item's initial")
            return None
        return src, Type("item", fields=src_type.fields, name=src_type.name)

    def _with_var(self, var: str, item: Type, body: ast.Node) -> ir.Expr:
        self.scope.variables[var] = item
        try:
            return self.condition(body)
        finally:
            del self.scope.variables[var]

    def _at_least(self, node: ast.Node, k: ast.Node, operands: tuple[ast.Node, ...]) -> ir.Expr:
        checked = tuple(self.condition(x) for x in operands)
        if not (isinstance(k, ast.NumberLit) and k.unit is None and k.value.denominator == 1):
            return self._mismatch(k, "at_least needs a whole number first, e.g. at_least(3, a, b, c, d)", kind=BOOL)
        count = int(k.value)
        if not 1 <= count <= len(operands):
            return self._mismatch(
                k, f"at_least({count}, …) over {len(operands)} conditions can never be decided that way",
                f"k must be between 1 and {len(operands)}", BOOL)
        return ir.AtLeast(count, checked)

    # ----------------------------------------------------------------- comparisons
    def _compare(self, node: ast.Node, op: str, left: ast.Node, right: ast.Node) -> ir.Expr:
        a, b = self.check(left), self.check(right)
        ta, tb = ir.type_of(a), ir.type_of(b)
        if "any" in (ta.kind, tb.kind):
            return ir.Invalid(BOOL)
        ordering = op not in ("==", "!=")
        if ta.kind == "num" and tb.kind == "num":
            a, b = self._unify_numbers(node, a, b)
            return ir.Cmp(op, a, b)
        if ta.kind == "date" and tb.kind == "date":
            return ir.Cmp(op, a, b)
        if ta.kind == "enum" or tb.kind == "enum":
            a, b = self._enum_pair(node, left, right, a, b)
            if ordering:
                enum_type = ta if ta.kind == "enum" else tb
                if not enum_type.ordered:
                    return self._mismatch(node, f"{enum_type} is not ordered; only == and != apply",
                                          "declare `ordered: true` on the enum if its values have an order", BOOL)
                table = tuple((v, i) for i, v in enumerate(enum_type.values))
                rank = dict(table)

                def ranked(e: ir.Expr) -> ir.Expr:
                    if isinstance(e, ir.Const):
                        return ir.Const(rank.get(e.value, -1), Type("num"))
                    return ir.Rank(e, table, Type("num"))

                a, b = ranked(a), ranked(b)
            return ir.Cmp(op, a, b)
        if ta.kind == tb.kind and ta.kind in ("str", "bool") and not ordering:
            return ir.Cmp(op, a, b)
        return self._mismatch(node, f"cannot compare {ta} with {tb} using {op!r}", None, BOOL)

    def _unify_numbers(self, node: ast.Node, a: ir.Expr, b: ir.Expr) -> tuple[ir.Expr, ir.Expr]:
        ta, tb = ir.type_of(a), ir.type_of(b)
        if ta.adaptable and tb.adaptable:
            return _plain(a), _plain(b)
        if ta.adaptable:
            return self._adapt(a, tb), b
        if tb.adaptable:
            return a, self._adapt(b, ta)
        if ta.dimension != tb.dimension and not units.compatible(ta.dimension or "", tb.dimension or ""):
            self._error(UnitDimensionError, node,
                        f"cannot compare {units.describe(ta.dimension or 'plain number')} with "
                        f"{units.describe(tb.dimension or 'plain number')}",
                        f"{_unit_text(ta)} and {_unit_text(tb)} measure different things")
            return a, b
        fa = ta.unit.factor if ta.unit else Fraction(1)
        fb = tb.unit.factor if tb.unit else Fraction(1)
        if fa == fb:
            return _plain(a), _plain(b)
        # Convert constants exactly at load time; scale a fact only when both sides vary.
        if isinstance(b, ir.Const):
            return _plain(a), _const_number(b.value * fb / fa, ta)
        if isinstance(a, ir.Const):
            return _const_number(a.value * fa / fb, tb), _plain(b)
        return _plain(a), ir.Scale(b, float(fb / fa), ta)

    def _adapt(self, literal: ir.Expr, target: Type) -> ir.Expr:
        if isinstance(literal, ir.Const):
            return _const_number(literal.value, target)
        return literal

    def _enum_pair(self, node: ast.Node, left: ast.Node, right: ast.Node,
                   a: ir.Expr, b: ir.Expr) -> tuple[ir.Expr, ir.Expr]:
        ta, tb = ir.type_of(a), ir.type_of(b)
        if ta.kind == "enum" and tb.kind == "enum":
            if set(ta.values).isdisjoint(tb.values):
                self._error(TypeMismatchError, node, f"{ta} and {tb} share no values; they can never be equal")
            return a, b
        enum_type, other, other_node = (ta, b, right) if ta.kind == "enum" else (tb, a, left)
        if not (isinstance(other, ir.Const) and isinstance(other.value, str)):
            self._error(TypeMismatchError, node, f"cannot compare {enum_type} with {ir.type_of(other)}",
                        f"enum values are quoted strings: {', '.join(repr(v) for v in enum_type.values[:5])}")
            return a, b
        self._check_enum_value(other_node, other.value, enum_type)
        converted = ir.Const(other.value, enum_type)
        return (a, converted) if ta.kind == "enum" else (converted, b)

    def _check_enum_value(self, node: ast.Node, value: str, enum_type: Type) -> None:
        if value in enum_type.values:
            return
        if value in enum_type.labels:
            hint = f"use the value id {enum_type.values[enum_type.labels.index(value)]!r}, not its label"
        else:
            close = difflib.get_close_matches(value, enum_type.values, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"declared values: {', '.join(enum_type.values)}"
        self._error(UndeclaredEnumValueError, node, f"{value!r} is not a value of {enum_type}", hint)

    # ----------------------------------------------------------------- sets
    def _set_literal(self, node: ast.Node, items: tuple[ast.Node, ...]) -> ir.Expr:
        checked = [self.check(x) for x in items]
        for sub, item in zip(checked, items):
            if not isinstance(sub, ir.Const):
                self._error(TypeMismatchError, item, "set literals hold constants only",
                            "write the values themselves, e.g. {\"dry\", \"wet\"}")
                return ir.Invalid(Type("set"))
        kinds = {ir.type_of(c).kind for c in checked}
        if len(kinds) > 1:
            return self._mismatch(node, "a set literal mixes values of different types", kind=Type("set"))
        return ir.Const(tuple(checked), Type("set"))  # elements typed later against the item

    def _member(self, node: ast.Node, item: ast.Node, collection: ast.Node, negated: bool) -> ir.Expr:
        a, coll = self.check(item), self.check(collection)
        ta, tc = ir.type_of(a), ir.type_of(coll)
        if "any" in (ta.kind, tc.kind):
            return ir.Invalid(BOOL)
        if tc.kind != "set":
            return self._mismatch(collection, f"'in' needs a set on the right, found {tc}",
                                  "write a set literal {\"a\", \"b\"} or use a fact of type set", BOOL)
        if isinstance(coll, ir.Const):  # literal set: type each element against the item
            values = frozenset(self._element(el, ta, sub) for el, sub in zip(coll.value, _set_items(collection)))
            return ir.In(_plain(a), ir.Const(values, tc), negated)
        # a set fact: the item is one of its values
        if isinstance(a, ir.Const) and isinstance(a.value, str):
            self._check_enum_value(item, a.value, tc)
            return ir.In(a, coll, negated)
        if ta.kind == "enum" and not set(ta.values).isdisjoint(tc.values):
            return ir.In(a, coll, negated)
        return self._mismatch(node, f"cannot look for {ta} in a set of {', '.join(tc.values[:4])}…", kind=BOOL)

    def _element(self, const: ir.Const, item_type: Type, node: ast.Node) -> object:
        kind = item_type.kind
        ctype = ir.type_of(const)
        if kind == "enum" and isinstance(const.value, str):
            self._check_enum_value(node, const.value, item_type)
            return const.value
        if kind == "num" and ctype.kind == "num":
            _, converted = self._unify_numbers(node, ir.Fact("_", item_type), const)
            return converted.value if isinstance(converted, ir.Const) else const.value
        if kind == ctype.kind:
            return const.value
        self._error(TypeMismatchError, node,
                    f"set element {const.value!r} is {ctype}, but the value tested is {item_type}")
        return const.value

    def _empty(self, node: ast.Node, operand: ast.Node, negated: bool) -> ir.Expr:
        inner = self.check(operand)
        kind = ir.type_of(inner).kind
        if kind == "any":
            return ir.Invalid(BOOL)
        if kind not in ("set", "list"):
            return self._mismatch(node, f"'is empty' applies to sets and lists, not {ir.type_of(inner)}", kind=BOOL)
        return ir.Empty(inner, negated)

    # ----------------------------------------------------------------- arithmetic
    def _arith(self, node: ast.Node, op: str, left: ast.Node, right: ast.Node) -> ir.Expr:
        a, b = self.check(left), self.check(right)
        ta, tb = ir.type_of(a), ir.type_of(b)
        if "any" in (ta.kind, tb.kind):
            return ir.Invalid(ANY)
        if ta.kind == "date" and tb.kind == "date" and op == "-":
            return ir.DateDiff(a, b, DAYS)
        if ta.kind == "date" and tb.kind == "num" and op in "+-":
            if tb.adaptable or tb.dimension != "time":
                return self._mismatch(right, "add or subtract a duration with a unit, e.g. `30 d`", kind=DATE)
            days = b if tb.unit == DAYS.unit else self._to_days(b, tb)
            return ir.DateShift(op, a, days, DATE)
        if ta.kind != "num" or tb.kind != "num":
            return self._mismatch(node, f"cannot apply {op!r} to {ta} and {tb}")
        if op in "+-":
            x, y = self._unify_numbers(node, a, b)
            result = ir.type_of(x) if not ir.type_of(x).adaptable else ir.type_of(y)
            return ir.Arith(op, x, y, result)
        return self._multiply(node, op, a, b, ta, tb)

    def _multiply(self, node: ast.Node, op: str, a: ir.Expr, b: ir.Expr, ta: Type, tb: Type) -> ir.Expr:
        plain_a = ta.dimension in (None, "ratio")
        plain_b = tb.dimension in (None, "ratio")
        a, b = _ratio_to_plain(a, ta), _ratio_to_plain(b, tb)
        if op == "*":
            if plain_a or plain_b:
                keep = tb if plain_a and not plain_b else ta
                keep = keep if keep.dimension != "ratio" else Type("num", adaptable=ta.adaptable and tb.adaptable)
                return ir.Arith("*", _plain(a), _plain(b), keep)
        else:
            if plain_b:
                keep = ta if ta.dimension != "ratio" else Type("num")
                return ir.Arith("/", _plain(a), _plain(b), keep)
            if ta.dimension == tb.dimension:
                x, y = self._unify_numbers(node, a, b)
                return ir.Arith("/", x, y, Type("num"))
        self._error(UnitDimensionError, node, f"cannot {'multiply' if op == '*' else 'divide'} "
                    f"{_unit_text(ta)} by {_unit_text(tb)}",
                    "one side must be a plain number or a percentage")
        return ir.Invalid(Type("num"))

    def _to_days(self, expr: ir.Expr, t: Type) -> ir.Expr:
        factor = (t.unit.factor if t.unit else Fraction(1)) / units.DAY
        if isinstance(expr, ir.Const):
            return _const_number(expr.value * factor, DAYS)
        return ir.Scale(expr, float(factor), DAYS)


def _set_items(node: ast.Node) -> tuple[ast.Node, ...]:
    return node.items if isinstance(node, ast.SetLit) else ()


def _plain(expr: ir.Expr) -> ir.Expr:
    """Constants carry Fractions until their unit is known; emit them as int or float."""
    if isinstance(expr, ir.Const) and isinstance(expr.value, Fraction):
        return _const_number(expr.value, ir.type_of(expr))
    return expr


def _const_number(value: Fraction, target: Type) -> ir.Const:
    number: int | float = int(value) if value.denominator == 1 else float(value)
    return ir.Const(number, Type("num", target.unit, target.dimension, integer=target.integer))


def _ratio_to_plain(expr: ir.Expr, t: Type) -> ir.Expr:
    """A percentage constant used as a factor: 110 % -> 1.1."""
    if t.dimension == "ratio" and t.unit is not None:
        if isinstance(expr, ir.Const):
            return _const_number(Fraction(expr.value) * t.unit.factor, Type("num"))
        return ir.Scale(expr, float(t.unit.factor), Type("num"))
    return expr


def _unit_text(t: Type) -> str:
    if t.unit is not None:
        return t.unit.symbol
    return units.describe(t.dimension) if t.dimension else "a plain number"
