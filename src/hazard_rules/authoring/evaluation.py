"""A rule's value on a pack-test record, as the classifier would judge it.

Used by `rules test` and by mutation testing, so that a test states what a verdict says:
Kleene three-valued logic, then the exact answer over finite domains for a rule Kleene
leaves open (compiling/exact.py), and in `finding` scope only the situations the record
concerns (docs/scopes.md). `evaluation_tree` shows, for a failing test, the value each
sub-condition took and the facts it read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..checking import ir
from ..checking.ir_text import print_ir
from ..checking.pack import CheckedRule
from ..checking.situations import rule_situations
from ..checking.types import Type
from ..compiling.exact import decide_exactly
from ..compiling.explain import explain
from ..compiling.kleene import compile_kleene
from ..errors import UsageError

if TYPE_CHECKING:
    from ..classifying.ruleset import Ruleset


def require_tests(ruleset: Ruleset) -> None:
    """Tests are read only when asked for: refuse a rule set loaded without them."""
    if not ruleset.tests_read:
        raise UsageError("this rule set was loaded without its tests",
                         hint="load it with load_rulesets(path, tests=True)")


def label(value: Any) -> str:
    return "unknown" if value is None else ("true" if value else "false")


class RuleEvaluator:
    """One condition (a rule's, or a mutant's), evaluated on test records in either scope."""

    def __init__(self, condition: ir.Expr, context: frozenset[str], types: Mapping[str, Type]) -> None:
        self.condition = condition
        self.types = types
        self.whole = compile_kleene(condition)
        self.situations = [(s.subject, compile_kleene(s.condition)) for s in rule_situations(condition, context)]

    def kleene(self, facts: dict[str, Any], day: dt.date) -> str:
        return label(self.whole(facts, day, {}))

    def __call__(self, facts: dict[str, Any], day: dt.date, scope: str = "enterprise",
                 asked: frozenset[str] = frozenset()) -> str:
        value = self.kleene(facts, day)
        if value == "unknown":
            exact = decide_exactly(self.condition, facts, day, self.types, kleene=self.whole)
            if exact is not None:
                value = label(exact.value)
        if scope != "finding" or value == "true":  # a true rule always counts
            return value
        given = facts.keys() | asked
        parts = [fn for subject, fn in self.situations if not subject.isdisjoint(given)]
        if not parts:
            return "not_concerned"
        if value == "false":
            return value
        return "unknown" if any(fn(facts, day, {}) is None for fn in parts) else "false"


def day_of_test(pack: Any, rule: Any, test: Any) -> dt.date:
    """The date a pack test is judged on: its own `date`, else the first day the rule applies
    (the pack's effective_from, or a supplement's, whichever is later)."""
    if test is not None and test.date is not None:
        return test.date
    added_by = rule.section.section.added_by
    if added_by is not None and added_by.effective_from is not None:
        return max(added_by.effective_from, pack.standard.effective_from)
    return pack.standard.effective_from


@dataclass
class TreeNode:
    """One sub-condition of a rule and the value it took on a record (Kleene: None is unknown),
    with the facts it read and their values, and the facts it lacked."""

    part: str                       # scope | when | unless | and | or | not | at_least | named | test
    text: str                       # the sub-condition as condition text (checking/ir_text.py)
    value: bool | None
    reads: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    children: list[TreeNode] = field(default_factory=list)


def evaluation_tree(rule: CheckedRule, facts: dict[str, Any], day: dt.date) -> TreeNode:
    """The rule's condition as a tree of its sub-conditions, each with its value on `facts`
    (compiling/explain.py computes every value; this only follows the boolean structure)."""
    parts: list[TreeNode] = []
    if rule.section.scope is not None:
        parts.append(_tree(rule.section.scope, facts, day, "scope"))
    parts.append(_tree(rule.when, facts, day, "when"))
    if rule.unless is not None:
        parts.append(_tree(rule.unless, facts, day, "unless"))
    whole = explain(rule.condition, facts, day)
    return TreeNode("rule", rule.rule.id, _truth(whole.value), children=parts)


def _truth(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _tree(expr: ir.Expr, facts: dict[str, Any], day: dt.date, part: str | None = None) -> TreeNode:
    outcome = explain(expr, facts, day)
    value = _truth(outcome.value)
    match expr:
        case ir.And(operands) | ir.Or(operands) | ir.AtLeast(_, operands):
            kind = "and" if isinstance(expr, ir.And) else "or" if isinstance(expr, ir.Or) else "at_least"
            text = f"at_least({expr.k})" if isinstance(expr, ir.AtLeast) else kind
            children = [_tree(x, facts, day) for x in operands]
            return TreeNode(part or kind, text, value, children=children)
        case ir.Not(ir.And() | ir.Or() | ir.AtLeast() | ir.Not() | ir.Cond() as operand):
            return TreeNode(part or "not", "not", value, children=[_tree(operand, facts, day)])
        case ir.Cond(name, body):
            return TreeNode(part or "named", name, value, children=[_tree(body, facts, day)])
    return TreeNode(part or "test", print_ir(expr), value, dict(outcome.support), sorted(outcome.missing))
