"""Run the tests written inside rule packs and report per-rule coverage.

A rule test gives a whole record of facts and the expected value of that one rule
(true, false or unknown). A test with `scope: finding` judges the record as an inspection
finding (docs/scopes.md): only the situations whose subject facts it gives count, and
`not_concerned` is expected when it gives none. Coverage asks, for every rule, for a true, a false and an
unknown test, and for every numeric threshold `fact OP constant`, a test exactly at
the constant and one on the other side of it.

`run_tests` runs both kinds of pack test: these per-rule tests and the packs' finding
tests (finding_tests.py), and closes with a per-rule confusion matrix over every test that
states whether a rule should fire (docs/rule-tests.md).
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
from . import finding_tests
from .evaluation import RuleEvaluator, TreeNode, day_of_test, evaluation_tree, require_tests
from .finding_tests import FindingTestResult, run_finding_tests

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
    todo: str | None = None     # a known gap: reported, not a failure
    tree: TreeNode | None = None  # for a failing test: the value each sub-condition took

    __test__ = False  # not a pytest test class

    @property
    def passed(self) -> bool:
        return self.error is None and self.expected == self.actual

    @property
    def status(self) -> str:
        """passed | failed | todo | todo_passes (finding_tests.outcome)."""
        return finding_tests.outcome(not self.passed, self.todo)


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
            results.append(TestResult(pack.id, rule.rule.id, name, expected, None, str(exc), origin, test.scope,
                                      test.todo))
            continue
        day = day_of_test(pack, rule, test)
        careful = evaluate.kleene(facts, day)
        found = fast(facts, day)
        quick = "unknown" if found == [-1] else ("true" if found == [0] else "false")
        error = None
        if careful != quick:  # the two compilers must never disagree
            error = f"internal disagreement: generated code says {quick}, three-valued closure says {careful}"
        actual = evaluate(facts, day, test.scope, frozenset(asked))
        result = TestResult(pack.id, rule.rule.id, name, expected, actual, error, origin, test.scope, test.todo)
        if not result.passed:
            result.tree = evaluation_tree(rule, facts, day)
        results.append(result)
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


@dataclass
class Confusion:
    """How one rule did on the tests that state whether it should fire."""

    pack: str
    rule: str
    true_positive: int = 0     # should fire, fired
    false_positive: int = 0    # should not fire, fired
    false_negative: int = 0    # should fire, did not
    true_negative: int = 0     # should not fire, did not

    @property
    def total(self) -> int:
        return self.true_positive + self.false_positive + self.false_negative + self.true_negative

    def count(self, should: bool, fired: bool) -> None:
        if should:
            self.true_positive += fired
            self.false_negative += not fired
        else:
            self.false_positive += fired
            self.true_negative += not fired


@dataclass
class TestReport:
    """Everything `rules test` reports; each part is one section of its output."""

    __test__ = False

    rule_tests: list[TestResult]
    finding_tests: list[FindingTestResult]
    coverage: list[RuleCoverage]
    matrix: list[Confusion]

    @property
    def executed(self) -> int:
        return len(self.rule_tests) + len(self.finding_tests)

    @property
    def failed(self) -> int:
        return sum(r.status == "failed" for r in self.rule_tests) + \
            sum(r.status == "failed" for r in self.finding_tests)

    @property
    def rule_coverage(self) -> float:
        """Percent of rules without a coverage gap (100 when there are none)."""
        if not self.coverage:
            return 100.0
        return 100.0 * sum(not c.gaps for c in self.coverage) / len(self.coverage)


def run_tests(ruleset: Ruleset, packs: set[str] | None = None) -> TestReport:
    """The rule tests and finding tests of the chosen packs (all when None)."""
    rule_results, coverage = run_pack_tests(ruleset, packs)
    finding_results = run_finding_tests(ruleset, packs)
    return TestReport(rule_results, finding_results, coverage, confusion_matrix(ruleset, rule_results, finding_results))


def confusion_matrix(ruleset: Ruleset, rule_results: list[TestResult],
                     finding_results: list[FindingTestResult]) -> list[Confusion]:
    """Per rule, over the tests that state whether it should fire: a rule test expecting true
    or false, and every finding test (its `matches` are exact: each rule of its pack not named
    should not fire). Tests that erred or are marked todo are left out."""
    rows: dict[str, Confusion] = {}

    def row(pack: str, rule: str) -> Confusion:
        return rows.setdefault(rule, Confusion(pack, rule))

    for result in rule_results:
        if result.error is None and result.todo is None and result.expected in ("true", "false"):
            row(result.pack, result.rule).count(result.expected == "true", result.actual == "true")
    packs = {p.id: p for p in ruleset.packs}
    for found in finding_results:
        if found.error is not None or found.test.todo is not None:
            continue
        fired = set(found.fired)
        should = set(found.test.expect.matches)
        stated = {r.rule.id: packs[found.pack].id for r in packs[found.pack].rules}
        for rule_id in should | fired:
            stated.setdefault(rule_id, ruleset.rule(rule_id)[0].id)
        for rule_id, pack_id in stated.items():
            row(pack_id, rule_id).count(rule_id in should, rule_id in fired)
    order = {r.rule.id: n for n, r in enumerate(r for p in ruleset.packs for r in p.rules)}
    return sorted(rows.values(), key=lambda c: order.get(c.rule, len(order)))
