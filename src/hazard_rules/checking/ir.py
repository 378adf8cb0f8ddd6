"""The checked tree: names resolved, units converted, every node typed.

The compilers (compiling/) and the explainer work only on this tree, never on pack
text, so nothing a pack author writes is ever pasted into generated code unchecked.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..trees import Tree, reduce_by_fields
from .types import Type

# What the binary operators of Cmp and Arith mean, for every evaluator of this tree.
OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge, "+": operator.add, "-": operator.sub,
    "*": operator.mul, "/": operator.truediv,
}


@dataclass(frozen=True, slots=True)
class Expr:
    __reduce__ = reduce_by_fields


@dataclass(frozen=True, slots=True)
class Const(Expr):
    value: Any  # bool, int, float, str, date, frozenset
    type: Type


@dataclass(frozen=True, slots=True)
class Fact(Expr):
    id: str
    type: Type


@dataclass(frozen=True, slots=True)
class Field(Expr):
    var: str
    name: str
    type: Type


@dataclass(frozen=True, slots=True)
class Today(Expr):
    """The evaluation date (the finding's date unless the caller gives another)."""

    type: Type


@dataclass(frozen=True, slots=True)
class Not(Expr):
    operand: Expr


@dataclass(frozen=True, slots=True)
class And(Expr):
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or(Expr):
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Cmp(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class In(Expr):
    item: Expr
    collection: Expr
    negated: bool


@dataclass(frozen=True, slots=True)
class Empty(Expr):
    operand: Expr
    negated: bool


@dataclass(frozen=True, slots=True)
class Arith(Expr):
    op: str
    left: Expr
    right: Expr
    type: Type


@dataclass(frozen=True, slots=True)
class Scale(Expr):
    """operand * factor: converts a number to another unit of the same dimension."""

    operand: Expr
    factor: float
    type: Type


@dataclass(frozen=True, slots=True)
class Rank(Expr):
    """Position of an ordered enum value in its declaration."""

    operand: Expr
    table: tuple[tuple[str, int], ...]
    type: Type


@dataclass(frozen=True, slots=True)
class DateDiff(Expr):
    """left - right for two dates, in days."""

    left: Expr
    right: Expr
    type: Type


@dataclass(frozen=True, slots=True)
class DateShift(Expr):
    """date ± days."""

    op: str
    date: Expr
    days: Expr
    type: Type


@dataclass(frozen=True, slots=True)
class Neg(Expr):
    operand: Expr
    type: Type


@dataclass(frozen=True, slots=True)
class Size(Expr):
    operand: Expr
    type: Type


@dataclass(frozen=True, slots=True)
class CountIf(Expr):
    var: str
    source: Expr
    body: Expr
    type: Type


@dataclass(frozen=True, slots=True)
class Quant(Expr):
    kind: str  # any | all
    var: str
    source: Expr
    body: Expr


@dataclass(frozen=True, slots=True)
class AtLeast(Expr):
    k: int
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Cond(Expr):
    """A named condition, kept as a node so explanations can name it."""

    name: str
    body: Expr


@dataclass(frozen=True, slots=True)
class Invalid(Expr):
    """Stands in for a sub-expression that had an error, so checking can go on."""

    type: Type


def type_of(expr: Expr) -> Type:
    from .types import BOOL

    declared = getattr(expr, "type", None)
    return declared if declared is not None else BOOL


_TREE = Tree(Expr)


def children(expr: Expr) -> tuple[Expr, ...]:
    """Direct sub-expressions, in source order (read off the node's fields; TypeError for a non-node)."""
    return _TREE.children(expr)


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node under expr, itself first, in source order, named conditions' bodies included
    (without recursion)."""
    return _TREE.walk(expr)


def with_children(expr: Expr, new: Sequence[Expr]) -> Expr:
    """A copy of expr with its direct sub-expressions replaced, in the order `children` gives them."""
    return _TREE.with_children(expr, new)


def facts_read(expr: Expr) -> set[str]:
    """Ids of every fact the expression reads (through named conditions too)."""
    found: set[str] = set()
    stack, children = [expr], _TREE.children  # walk(), unordered: loading asks this for every rule
    while stack:
        node = stack.pop()
        if isinstance(node, Fact):
            found.add(node.id)
        stack.extend(children(node))
    return found
