"""One tree walk for the condition AST (parsing/ast.py) and the checked IR (checking/ir.py).

A node's children are read off its dataclass fields: a field typed as a node of the same
tree is one child, a field typed ``tuple[<node>, ...]`` holds several, anything else
(operators, names, values, types, positions) is data. So a node class added to either
tree is walked without anyone writing a walker for it, and a child can never be
forgotten. An object that is not a node of the tree raises TypeError instead of being
treated as a leaf: a silent leaf would hide the facts it reads.

Each tree module builds one `Tree` for its base class and exposes `children` and `walk`.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterator, Sequence
from operator import attrgetter
from typing import Any, Generic, TypeVar

N = TypeVar("N")


def reduce_by_fields(node: Any) -> tuple[Any, ...]:
    """`__reduce__` for a frozen slotted dataclass: pickled as its constructor's arguments.
    Restoring it so is several times faster than dataclasses' own state protocol for such
    classes, and a pickled rule set (classifying/snapshot.py) holds about 10^4 nodes."""
    return type(node), tuple([getattr(node, name) for name in node.__match_args__])


def _no_children(node: object) -> tuple[()]:
    return ()


class Tree(Generic[N]):
    """The shape of one family of frozen dataclass nodes sharing the base class `base`."""

    def __init__(self, base: type[N]) -> None:
        self.base = base
        self._getters: dict[type, Callable[[N], tuple[N, ...]]] = {}
        self._fields: dict[type, tuple[tuple[str, bool], ...]] = {}

    def child_fields(self, cls: type) -> tuple[tuple[str, bool], ...]:
        """(field name, holds a tuple of nodes) for each field of cls that holds children."""
        found = self._fields.get(cls)
        if found is None:
            found = self._fields[cls] = self._child_fields(cls)
        return found

    def _child_fields(self, cls: type) -> tuple[tuple[str, bool], ...]:
        if not (isinstance(cls, type) and issubclass(cls, self.base) and dataclasses.is_dataclass(cls)):
            raise TypeError(f"{cls!r} is not a node class of the {self.base.__name__} tree")
        hints = typing.get_type_hints(cls)
        found = []
        for item in dataclasses.fields(cls):
            kind = self._kind(hints[item.name])
            if kind is not None:
                found.append((item.name, kind))
        return tuple(found)

    def _kind(self, hint: Any) -> bool | None:
        """False: one child; True: a tuple of children; None: data."""
        if self._is_node_class(hint):
            return False
        if typing.get_origin(hint) is tuple:
            args = typing.get_args(hint)
            if len(args) == 2 and args[1] is Ellipsis and self._is_node_class(args[0]):
                return True
        return None

    def _is_node_class(self, hint: Any) -> bool:
        return isinstance(hint, type) and typing.get_origin(hint) is None and issubclass(hint, self.base)

    def _getter(self, cls: type) -> Callable[[N], tuple[N, ...]]:
        """The fastest function returning a node's children, built once per class."""
        fields = self.child_fields(cls)
        if not fields:
            return _no_children
        if not any(many for _, many in fields):
            if len(fields) == 1:
                one = attrgetter(fields[0][0])
                return lambda node: (one(node),)
            return attrgetter(*(name for name, _ in fields))  # several names: it returns a tuple
        if len(fields) == 1:
            return attrgetter(fields[0][0])
        parts = [(attrgetter(name), many) for name, many in fields]

        def mixed(node: N) -> tuple[N, ...]:
            found: list[N] = []
            for get, many in parts:
                if many:
                    found.extend(get(node))
                else:
                    found.append(get(node))
            return tuple(found)
        return mixed

    def children(self, node: N) -> tuple[N, ...]:
        """Direct sub-nodes, in field order (which is source order)."""
        getter = self._getters.get(type(node))
        if getter is None:
            getter = self._getters[type(node)] = self._getter(type(node))
        return getter(node)

    def walk(self, node: N) -> Iterator[N]:
        """Every node of the tree under node (itself first), depth-first in source order.
        Without recursion: conditions come from untrusted pack files."""
        stack = [node]
        children = self.children
        while stack:
            current = stack.pop()
            yield current
            stack.extend(reversed(children(current)))

    def with_children(self, node: N, new: Sequence[N]) -> N:
        """A copy of node with its children replaced by new (as many as `children(node)` gives)."""
        changes: dict[str, Any] = {}
        index = 0
        for name, many in self.child_fields(type(node)):
            if many:
                count = len(getattr(node, name))
                changes[name] = tuple(new[index:index + count])
                index += count
            else:
                changes[name] = new[index]
                index += 1
        if index != len(new):
            raise ValueError(f"{type(node).__name__} has {index} children, not {len(new)}")
        return dataclasses.replace(node, **changes)  # type: ignore[type-var]
