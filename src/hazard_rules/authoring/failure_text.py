"""How a failing pack test reads: the rule, its clause, expected vs actual, and the evaluation
tree with the value each sub-condition took (是 / 否 / 未知) and the facts it read.

The one text rendering of a failure, used by `rules test` (cli/rule_test_view.py) and by the
pytest plugin, so both say the same thing.
"""

from __future__ import annotations

import json

from ..classifying.ruleset import Ruleset
from ..findings.coerce import to_json_value
from .evaluation import TreeNode
from .finding_tests import FindingTestResult
from .testing import TestResult

VALUE_LABEL = {True: "是", False: "否", None: "未知"}
PART_LABEL = {"scope": "适用范围 scope: ", "when": "情形 when: ", "unless": "除外 unless: "}
INDENT = "     "


def tree_lines(node: TreeNode, indent: str = "") -> list[str]:
    """One line per sub-condition: its value, the sub-condition, the facts it read or lacked."""
    label = PART_LABEL.get(node.part, "")
    line = f"{indent}{VALUE_LABEL[node.value]:<3}{label}{node.text}"
    read = [f"{k} = {json.dumps(to_json_value(v), ensure_ascii=False)}" for k, v in node.reads.items()]
    notes = ["读取 " + ", ".join(read)] if read else []
    if node.missing:
        notes.append("缺少 " + ", ".join(node.missing))
    lines = [line + ("    ← " + "; ".join(notes) if notes else "")]
    for child in node.children:
        lines.extend(tree_lines(child, indent + "  "))
    return lines


def clause_line(ruleset: Ruleset, rule_id: str) -> str:
    """'GM2023-3-1 第三条（一） <the clause's text>'."""
    _, rule = ruleset.rule(rule_id)
    return f"{rule_id} {rule.section.section.article}{rule.rule.clause or ''} {rule.rule.text}"


def _todo_lines(todo: str | None, status: str) -> list[str]:
    if todo is None:
        return []
    return [f"{INDENT}todo: {todo}" + ("; it passes now: remove the todo" if status == "todo_passes" else "")]


def rule_test_lines(ruleset: Ruleset, result: TestResult) -> list[str]:
    """What is wrong with a rule test (nothing for one that passes)."""
    if result.status == "passed":
        return []
    lines = _todo_lines(result.todo, result.status)
    if result.status == "todo_passes":
        return lines
    lines.append(f"{INDENT}{clause_line(ruleset, result.rule)}")
    error = f" — {result.error}" if result.error else ""
    lines.append(f"{INDENT}expected {result.expected}, got {result.actual}{error}")
    if result.tree is not None:
        lines.extend(tree_lines(result.tree, INDENT + "  "))
    return lines


def finding_test_lines(ruleset: Ruleset, result: FindingTestResult) -> list[str]:
    """What is wrong with a finding test, each differing rule with its tree."""
    if result.status == "passed":
        return []
    lines = _todo_lines(result.test.todo, result.status)
    if result.status == "todo_passes":
        return lines
    if result.error is not None:
        lines.extend(INDENT + line for line in result.error.splitlines())
    lines.extend(INDENT + problem for problem in result.problems)
    for rule in result.explained:
        lines.append(f"{INDENT}{clause_line(ruleset, rule.rule)}")
        lines.append(f"{INDENT}  expected: {rule.expected}, got: {rule.actual}")
        lines.extend(tree_lines(rule.tree, INDENT + "  "))
    return lines
