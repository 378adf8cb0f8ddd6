"""How `hazard-rules rules test` shows its report: text for people, one JSON document for tools.

The report is a list of sections (`Section`), each with its text lines and its key and value
in the JSON document, so a command can add a section (condition coverage, say) without
touching the others. A failing test shows the rule, its clause, expected vs actual and the
evaluation tree (authoring/failure_text.py writes a failure the same way for pytest).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..authoring.evaluation import TreeNode
from ..authoring.failure_text import finding_test_lines, rule_test_lines
from ..authoring.finding_tests import FindingTestResult
from ..authoring.testing import Confusion, RuleCoverage, TestReport, TestResult
from ..classifying.ruleset import Ruleset
from ..findings.coerce import to_json_value

VALUE_NAME = {True: "true", False: "false", None: "unknown"}
STATUS_WORD = {"passed": "ok  ", "failed": "FAIL", "todo": "TODO", "todo_passes": "FIXED"}
FULL_MATRIX = 40      # at most this many rules: the whole matrix is shown without --verbose


@dataclass
class Section:
    key: str                              # its key in the JSON document
    text: Callable[[], list[str]]
    data: Callable[[], Any]


def render_text(sections: list[Section]) -> str:
    return "\n".join(line for section in sections for line in section.text())


def render_json(sections: list[Section]) -> str:
    return json.dumps({s.key: s.data() for s in sections}, ensure_ascii=False, indent=2)


# ------------------------------------------------------------------ the evaluation tree

def tree_json(node: TreeNode) -> dict[str, Any]:
    return {"part": node.part, "text": node.text, "value": VALUE_NAME[node.value],
            "reads": {k: to_json_value(v) for k, v in node.reads.items()}, "missing": node.missing,
            "children": [tree_json(c) for c in node.children]}


def _clause(ruleset: Ruleset, rule_id: str) -> dict[str, str]:
    _, rule = ruleset.rule(rule_id)
    return {"article": rule.section.section.article, "clause": rule.rule.clause or "", "text": rule.rule.text}


# ------------------------------------------------------------------ sections

def rule_tests_section(ruleset: Ruleset, results: list[TestResult], verbose: bool) -> Section:
    def text() -> list[str]:
        lines: list[str] = []
        for r in results:
            if r.status == "passed" and not verbose:
                continue
            lines.append(f"{STATUS_WORD[r.status]} {r.rule}: {r.name} ({r.origin})")
            lines.extend(rule_test_lines(ruleset, r))
        return lines

    def data() -> list[dict[str, Any]]:
        return [{"pack": r.pack, "rule": r.rule, "name": r.name, "origin": r.origin, "scope": r.scope,
                 "expected": r.expected, "actual": r.actual, "status": r.status, "error": r.error, "todo": r.todo,
                 "clause": _clause(ruleset, r.rule) if r.tree is not None else None,
                 "tree": tree_json(r.tree) if r.tree is not None else None} for r in results]

    return Section("rule_tests", text, data)


def finding_tests_section(ruleset: Ruleset, results: list[FindingTestResult], verbose: bool) -> Section:
    def text() -> list[str]:
        lines: list[str] = []
        for r in results:
            if r.status == "passed" and not verbose:
                continue
            lines.append(f"{STATUS_WORD[r.status]} finding {r.name} ({r.origin})")
            lines.extend(finding_test_lines(ruleset, r))
        return lines

    def data() -> list[dict[str, Any]]:
        return [{"pack": r.pack, "name": r.name, "origin": r.origin, "status": r.status, "todo": r.test.todo,
                 "scope": r.test.scope, "error": r.error,
                 "expected": r.test.expect.model_dump(exclude_none=True),
                 "verdict": r.verdict.verdict if r.verdict is not None else None, "matches": r.fired,
                 "problems": r.problems,
                 "explained": [{"rule": e.rule, **_clause(ruleset, e.rule), "expected": e.expected,
                                "actual": e.actual, "tree": tree_json(e.tree)} for e in r.explained]}
                for r in results]

    return Section("finding_tests", text, data)


def gaps_section(coverage: list[RuleCoverage]) -> Section:
    def text() -> list[str]:
        return [f"gap  {c.rule}: {gap}" for c in coverage for gap in c.gaps]

    def data() -> list[dict[str, Any]]:
        return [{"pack": c.pack, "rule": c.rule, "outcomes": sorted(c.outcomes), "gaps": c.gaps} for c in coverage]

    return Section("coverage", text, data)


def summary_section(ruleset: Ruleset, report: TestReport, packs: set[str], min_coverage: float | None) -> Section:
    def count(status: str) -> int:
        return sum(r.status == status for r in report.rule_tests) + \
            sum(r.status == status for r in report.finding_tests)

    gaps = sum(bool(c.gaps) for c in report.coverage)
    verified = sum(r.rule.provenance.status == "verified" for p in ruleset.packs if p.id in packs for r in p.rules)

    def data() -> dict[str, Any]:
        return {"rule_tests": len(report.rule_tests), "finding_tests": len(report.finding_tests),
                "passed": count("passed"), "failed": count("failed"), "todo": count("todo"),
                "todo_passes": count("todo_passes"), "rules": len(report.coverage), "rules_with_gaps": gaps,
                "coverage_percent": round(report.rule_coverage, 1), "min_coverage": min_coverage,
                "verified": verified, "unverified": len(report.coverage) - verified}

    def text() -> list[str]:
        extra = "".join(f", {count(status)} {word}" for status, word in (("todo", "todo"),
                        ("todo_passes", "todo now passing")) if count(status))
        lines = [f"{report.executed} tests, {count('failed')} failed{extra} ({len(report.rule_tests)} rule tests, "
                 f"{len(report.finding_tests)} finding tests); {len(report.coverage)} rules, {gaps} with coverage "
                 f"gaps; rule text: {verified} verified, {len(report.coverage) - verified} unverified"]
        if not report.executed:
            lines.append("no test ran: write tests in <file>.tests.yaml or findings.tests.yaml (docs/rule-tests.md)")
        if min_coverage is not None:
            below = report.rule_coverage < min_coverage
            lines.append(f"coverage {report.rule_coverage:.1f}% of rules without gaps "
                         f"({'below' if below else 'meets'} the minimum {min_coverage:g}%)")
        return lines

    return Section("summary", text, data)


def matrix_section(matrix: list[Confusion], verbose: bool) -> Section:
    def text() -> list[str]:
        shown = matrix if verbose or len(matrix) <= FULL_MATRIX else [
            c for c in matrix if c.false_positive or c.false_negative]
        width = max([len(c.rule) for c in matrix] + [4])
        lines = [f"confusion matrix: {len(matrix)} rules with tests that say whether they fire",
                 f"  {'rule':<{width}}  {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4}"]
        lines += [f"  {c.rule:<{width}}  {c.true_positive:>4} {c.false_positive:>4} {c.false_negative:>4} "
                  f"{c.true_negative:>4}" for c in shown]
        totals = [sum(getattr(c, k) for c in matrix)
                  for k in ("true_positive", "false_positive", "false_negative", "true_negative")]
        lines.append(f"  {'total':<{width}}  " + " ".join(f"{t:>4}" for t in totals))
        if len(shown) < len(matrix):
            lines.append(f"  ({len(matrix) - len(shown)} rules without a false positive or negative not listed; "
                         "-v lists every rule)")
        return lines

    def data() -> list[dict[str, Any]]:
        return [{"pack": c.pack, "rule": c.rule, "true_positive": c.true_positive,
                 "false_positive": c.false_positive, "false_negative": c.false_negative,
                 "true_negative": c.true_negative} for c in matrix]

    return Section("matrix", text, data)
