"""Run the tests written inside rule packs and report per-rule coverage.

A rule test gives a whole record of facts and the expected value of that one rule
(true, false or unknown). A test with `scope: finding` judges the record as an inspection
finding (docs/scopes.md): only the situations whose subject facts it gives count, and
`not_concerned` is expected when it gives none. Coverage asks, for every rule, for a true, a false and an
unknown test, and for every numeric threshold `fact OP constant`, a test exactly at
the constant and one on the other side of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..checking import ir
from ..checking.pack import CheckedRule
from ..classifying.ruleset import CompiledPack, Ruleset
from ..compiling.codegen import compile_rules
from ..findings.coerce import FactValueError
from ..loading.models import RuleTest
from .evaluation import RuleEvaluator, day_of_test, require_tests

EXPECTATIONS = ("true", "false", "unknown", "not_concerned")


def expected_label(test: RuleTest) -> str:
    """What a pack test expects, as one of EXPECTATIONS."""
    return test.expect if isinstance(test.expect, str) else ("true" if test.expect else "false")


@dataclass
class TestResult:
    pack: str
    rule: str
    name: str
    expected: Any
    actual: Any
    error: str | None = None
    origin: str = ""
    scope: str = "enterprise"   # finding: the value counts only the situations the facts concern

    @property
    def passed(self) -> bool:
        return self.error is None and self.expected == self.actual


@dataclass
class RuleCoverage:
    pack: str
    rule: str
    outcomes: set[str] = field(default_factory=set)
    gaps: list[str] = field(default_factory=list)


def run_pack_tests(ruleset: Ruleset, packs: set[str] | None = None) -> tuple[list[TestResult], list[RuleCoverage]]:
    require_tests(ruleset)
    results: list[TestResult] = []
    coverage: list[RuleCoverage] = []
    for pack in ruleset.packs:
        if packs is not None and pack.id not in packs:
            continue
        for rule in pack.rules:
            rule_results = _run_rule(ruleset, pack, rule)
            results.extend(rule_results)
            coverage.append(_coverage(pack, rule, rule_results))
    return results, coverage


def _run_rule(ruleset: Ruleset, pack: CompiledPack, rule: CheckedRule) -> list[TestResult]:
    evaluate = RuleEvaluator(rule.condition, pack.context, ruleset.facts)
    fast, _ = compile_rules("rule", [(0, rule.condition)])
    results = []
    for index, test in enumerate(rule.rule.tests):
        name = test.name or f"test {index + 1}"
        expected = expected_label(test)
        origin = str(rule.test_span(index))
        try:
            asked: set[str] = set()
            facts, _ = ruleset.coerce_facts(test.facts, strict=True, asked=asked)
        except FactValueError as exc:
            results.append(TestResult(pack.id, rule.rule.id, name, expected, None, str(exc), origin))
            continue
        day = day_of_test(pack, rule, test)
        careful = evaluate.kleene(facts, day)
        found = fast(facts, day)
        quick = "unknown" if found == [-1] else ("true" if found == [0] else "false")
        error = None
        if careful != quick:  # the two compilers must never disagree
            error = f"internal disagreement: generated code says {quick}, three-valued closure says {careful}"
        actual = evaluate(facts, day, test.scope, frozenset(asked))
        results.append(TestResult(pack.id, rule.rule.id, name, expected, actual, error, origin, test.scope))
    return results


def _coverage(pack: CompiledPack, rule: CheckedRule, results: list[TestResult]) -> RuleCoverage:
    # The rule's own value: a finding-scope "false" may be a rule that is unknown as a whole.
    cover = RuleCoverage(pack.id, rule.rule.id, {r.actual for r in results if r.passed and r.scope == "enterprise"})
    for outcome in ("true", "false", "unknown"):
        if outcome not in cover.outcomes:
            cover.gaps.append(f"no passing test where the rule is {outcome}")
    for fact_id, threshold in thresholds(rule.condition):
        values = [t.facts.get(fact_id) for t in rule.rule.tests]
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if threshold not in numbers:
            cover.gaps.append(f"no test with {fact_id} exactly at the threshold {threshold}")
        if not any(n < threshold for n in numbers) and not any(n > threshold for n in numbers):
            cover.gaps.append(f"no test with {fact_id} on the other side of {threshold}")
    return cover


def thresholds(expr: ir.Expr) -> list[tuple[str, float]]:
    """(fact id, constant) for each comparison of a numeric fact with a constant, the last
    comparison of the condition first (the order coverage reports have always listed gaps in)."""
    found: list[tuple[str, float]] = []
    for node in reversed(list(ir.walk(expr))):
        if isinstance(node, ir.Cmp) and node.op not in ("==", "!="):
            for a, b in ((node.left, node.right), (node.right, node.left)):
                if isinstance(a, ir.Fact) and isinstance(b, ir.Const) and isinstance(b.value, (int, float)) \
                        and not isinstance(b.value, bool):
                    found.append((a.id, b.value))
    return found
