"""The one tree walk (issue 8): a node's children come from its dataclass fields, for every
node class of the AST and the IR; anything that is not a node of the tree raises."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from hazard_rules.checking import ir
from hazard_rules.checking.types import BOOL
from hazard_rules.parsing import ast
from hazard_rules.parsing.parser import parse_condition

TREES: list[tuple[ModuleType, type]] = [(ast, ast.Node), (ir, ir.Expr)]


def _node_classes(module: ModuleType, base: type) -> list[type]:
    return [cls for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, base) and cls is not base and cls.__module__ == module.__name__]


def _leaf(module: ModuleType, label: str) -> Any:
    return ast.Name(label) if module is ast else ir.Fact(label, BOOL)


def _could_hold_a_node(hint: str, module: ModuleType, base: type) -> bool:
    """Judged from the annotation's text, independently of how trees.py reads the types:
    any mention of a node class of the tree (a new `Node | None` field would be caught too)."""
    names = {cls.__name__ for cls in _node_classes(module, base)} | {base.__name__}
    return any(word in names for word in hint.replace("[", " ").replace("]", " ").replace("|", " ")
               .replace(",", " ").split())


def _instance(module: ModuleType, base: type, cls: type) -> tuple[Any, tuple[Any, ...]]:
    """One instance of cls with a distinct leaf in every place a node can go, and those leaves
    in field order (what children() must return)."""
    values: dict[str, Any] = {}
    expected: list[Any] = []
    for item in dataclasses.fields(cls):
        hint = item.type if isinstance(item.type, str) else repr(item.type)
        if _could_hold_a_node(hint, module, base):
            if hint.startswith("tuple"):
                leaves = (_leaf(module, f"{item.name}_1"), _leaf(module, f"{item.name}_2"))
                values[item.name] = leaves
                expected.extend(leaves)
            else:
                # A field typed as a particular node class (`source: Name`) gets one of that class.
                leaf = _leaf(module, item.name)
                values[item.name] = leaf
                expected.append(leaf)
        elif item.default is dataclasses.MISSING:
            values[item.name] = f"<{item.name}>"
    return cls(**values), tuple(expected)


CASES = [pytest.param(module, base, cls, id=f"{module.__name__.rsplit('.', 1)[-1]}.{cls.__name__}")
         for module, base in TREES for cls in _node_classes(module, base)]


def test_every_node_class_is_covered() -> None:
    assert {c.id for c in CASES} >= {"ast.AtLeast", "ast.Quantifier", "ir.Cond", "ir.DateShift", "ir.Invalid"}
    assert len(CASES) == len(_node_classes(ast, ast.Node)) + len(_node_classes(ir, ir.Expr))


@pytest.mark.parametrize(("module", "base", "cls"), CASES)
def test_children_of_every_node_class_are_found(module: ModuleType, base: type, cls: type) -> None:
    node, expected = _instance(module, base, cls)
    assert module.children(node) == expected
    assert list(module.walk(node)) == [node, *expected]


@pytest.mark.parametrize(("module", "base", "cls"), [c for c in CASES if c.values[0] is ir])
def test_every_ir_class_can_be_rebuilt_from_its_children(module: ModuleType, base: type, cls: type) -> None:
    node, expected = _instance(module, base, cls)
    assert ir.with_children(node, expected) == node
    other = tuple(_leaf(module, f"other_{i}") for i in range(len(expected)))
    rebuilt = ir.with_children(node, other)
    assert type(rebuilt) is cls and ir.children(rebuilt) == other
    with pytest.raises(ValueError, match="children"):
        ir.with_children(node, (*other, _leaf(module, "one too many")))


@pytest.mark.parametrize("module", [ast, ir])
@pytest.mark.parametrize("thing", [object(), "a.b", 3, None, ast.Name, ir.Fact])
def test_anything_else_raises(module: ModuleType, thing: object) -> None:
    with pytest.raises(TypeError, match="not a node class"):
        module.children(thing)


def test_a_node_of_the_other_tree_or_a_stray_child_raises() -> None:
    with pytest.raises(TypeError):
        ir.children(ast.Name("a"))
    with pytest.raises(TypeError):
        ast.children(ir.Fact("a", BOOL))
    with pytest.raises(TypeError):  # the walk does not stop silently at a child it does not know
        list(ir.walk(ir.Not(typing.cast(ir.Expr, object()))))


@dataclass(frozen=True, slots=True)
class _Pair(ir.Expr):
    """A node class nobody wrote a walker for."""

    label: str
    first: ir.Expr
    rest: tuple[ir.Expr, ...]


def test_a_new_node_class_is_walked_without_a_walker() -> None:
    a, b, c = (ir.Fact(name, BOOL) for name in "abc")
    node = ir.Not(_Pair("x", a, (b, ir.Cond("named", c))))
    assert ir.facts_read(node) == {"a", "b", "c"}
    assert [type(n).__name__ for n in ir.walk(node)] == ["Not", "_Pair", "Fact", "Fact", "Cond", "Fact"]


def test_walk_is_in_source_order_and_needs_no_recursion() -> None:
    tree = parse_condition("a and (b or not c) and at_least(2, d, e > 1, f) and (any w in g: w.h)")
    assert [n.name for n in ast.names(tree)] == ["a", "b", "c", "d", "e", "f", "g", "w.h"]
    deep: ir.Expr = ir.Fact("x", BOOL)
    for _ in range(20_000):  # far deeper than Python's recursion limit
        deep = ir.Not(deep)
    assert ir.facts_read(deep) == {"x"}
    assert sum(1 for _ in ir.walk(deep)) == 20_001
