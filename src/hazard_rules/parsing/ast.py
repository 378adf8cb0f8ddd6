"""Immutable AST of the condition language.

Nodes are frozen, slotted dataclasses. `pos` (offset and end offset inside the
condition string) is excluded from equality, so trees parsed from differently
formatted text compare equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from ..trees import Tree

Pos = tuple[int, int]
_NOPOS: Pos = (0, 0)


def _pos() -> Pos:
    return field(default=_NOPOS, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Node:
    if TYPE_CHECKING:
        # Every concrete node has a `pos` field, declared last (it has a default); the base
        # declares none, which would put a default field before theirs.
        @property
        def pos(self) -> Pos: ...


@dataclass(frozen=True, slots=True)
class BoolLit(Node):
    value: bool
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class NumberLit(Node):
    value: Fraction
    unit: str | None = None
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class StrLit(Node):
    value: str
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class DateLit(Node):
    value: dt.date
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class SetLit(Node):
    items: tuple[Node, ...]
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A dotted name: a fact, a named condition, a bound item variable or `inspection.date`."""

    name: str
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: Node
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class And(Node):
    operands: tuple[Node, ...]
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class Or(Node):
    operands: tuple[Node, ...]
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class Compare(Node):
    op: str  # == != < <= > >=
    left: Node
    right: Node
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class Member(Node):
    item: Node
    collection: Node
    negated: bool = False
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class IsEmpty(Node):
    operand: Node
    negated: bool = False
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class Arith(Node):
    op: str  # + - * /
    left: Node
    right: Node
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class Neg(Node):
    operand: Node
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class Count(Node):
    operand: Node
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class CountWhere(Node):
    var: str
    source: Name
    body: Node
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class Quantifier(Node):
    kind: str  # any | all
    var: str
    source: Name
    body: Node
    pos: Pos = _pos()


@dataclass(frozen=True, slots=True)
class AtLeast(Node):
    k: Node
    operands: tuple[Node, ...]
    pos: Pos = _pos()


_TREE = Tree(Node)


def children(node: Node) -> tuple[Node, ...]:
    """Direct sub-nodes, in source order (read off the node's fields; TypeError for a non-node)."""
    return _TREE.children(node)


def walk(node: Node) -> Iterator[Node]:
    """Every node under node, itself first, in source order (without recursion)."""
    return _TREE.walk(node)


def depth(node: Node) -> int:
    """Nesting depth, computed without recursion (inputs are untrusted)."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(current))
    return deepest


def names(node: Node) -> list[Name]:
    """Every Name in the tree, in source order."""
    return [current for current in walk(node) if isinstance(current, Name)]
