"""Run a pack's finding-level tests (`findings.tests.yaml`, docs/rule-tests.md).

A finding test gives one inspection finding record and the verdict the law gives it: the
verdict kind, the rules that fire (exactly), and optionally the open rules, the rules the
finding concerns, the inspector's label checked, the provisions cited and words of the
reasons. The record is judged by the product's one record path (`Ruleset.judge`), so a test
passes exactly when `hazard-rules check` would give that verdict.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..classifying.ruleset import CompiledPack, Ruleset
from ..classifying.verdict import Verdict
from ..errors import Diagnostics, HazardRulesError, SchemaError
from ..loading.loader import Located, Origin
from ..loading.models import FindingTest
from .evaluation import TreeNode, evaluation_tree, require_tests

MAX_TREES = 4   # rules explained per failing finding test


def outcome(failed: bool, todo: str | None) -> str:
    """passed | failed | todo (a known gap, still failing) | todo_passes (the gap is closed)."""
    if todo is None:
        return "failed" if failed else "passed"
    return "todo" if failed else "todo_passes"


@dataclass
class RuleExplained:
    """A rule whose result on a finding differs from the test's expectation, and why."""

    rule: str
    expected: str
    actual: str
    tree: TreeNode


@dataclass
class FindingTestResult:
    __test__ = False  # not a pytest test class

    pack: str
    name: str
    origin: str
    test: FindingTest
    problems: list[str] = field(default_factory=list)   # each way the verdict differs
    error: str | None = None                            # the record was refused
    verdict: Verdict | None = None
    explained: list[RuleExplained] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.problems) or self.error is not None

    @property
    def status(self) -> str:
        return outcome(self.failed, self.test.todo)

    @property
    def fired(self) -> list[str]:
        return [m.rule for m in self.verdict.matches] if self.verdict is not None else []


def run_finding_tests(ruleset: Ruleset, packs: set[str] | None = None) -> list[FindingTestResult]:
    """Every finding test of the chosen packs; refuses (Diagnostics) a test naming an unknown rule."""
    require_tests(ruleset)
    chosen = [p for p in ruleset.packs if packs is None or p.id in packs]
    errors = [e for pack in chosen for e in written_wrong(ruleset, pack)]
    if errors:
        raise Diagnostics(errors, "finding tests")
    return [_run(ruleset, pack, located) for pack in chosen for located in pack.checked.source.finding_tests]


def written_wrong(ruleset: Ruleset, pack: CompiledPack) -> Iterator[SchemaError]:
    """A SchemaError at each rule id a finding test names that no loaded pack defines, and at
    each record that gives its own `scope` (the test's `scope` says it, once)."""
    known = [r.rule.id for p in ruleset.packs for r in p.rules]
    known_set = set(known)
    for located in pack.checked.source.finding_tests:
        if "scope" in located.value.record:
            span = Origin(located.origin.doc, located.origin.path + ("record", "scope")).span(key=True)
            yield SchemaError("a finding test's record gives its own scope", span,
                              f"write `scope: {located.value.record['scope']}` on the test, beside `record:`")
        expect = located.value.expect
        named: list[tuple[str, tuple[Any, ...], bool]] = [(r, ("matches", i), False)
                                                          for i, r in enumerate(expect.matches)]
        named += [(r, ("open", r), True) for r in expect.open or {}]
        named += [(r, ("concerned", i), False) for i, r in enumerate(expect.concerned or [])]
        for rule_id, path, key in named:
            if rule_id in known_set:
                continue
            close = difflib.get_close_matches(rule_id, known, n=1)
            span = Origin(located.origin.doc, located.origin.path + ("expect", *path)).span(key=key)
            yield SchemaError(f"finding test names rule {rule_id!r}, which no loaded pack defines", span,
                              f"did you mean {close[0]!r}?" if close else "`hazard-rules rules list` shows every rule")


def _run(ruleset: Ruleset, pack: CompiledPack, located: Located[FindingTest]) -> FindingTestResult:
    test = located.value
    name = test.name or str(test.record.get("id") or f"finding {located.origin.path[-1]}")
    result = FindingTestResult(pack.id, name, str(located.origin.span()), test)
    try:
        finding, verdict = ruleset.judge(test.record, scope=test.scope)
    except HazardRulesError as error:
        result.error = error.render()
        return result
    result.verdict = verdict
    result.problems = differences(test, verdict)
    if result.problems:
        facts, _ = ruleset.coerce_facts(finding.facts)
        result.explained = _explain(ruleset, test, verdict, facts)
    return result


def differences(test: FindingTest, verdict: Verdict) -> list[str]:
    """Every way the verdict differs from the test's expectation (empty: it agrees)."""
    expect = test.expect
    found: list[str] = []

    def differ(what: str, want: Any, got: Any) -> None:
        if got != want:
            found.append(f"{what}: expected {want}, got {got}")

    differ("verdict", expect.verdict, verdict.verdict)
    differ("matches", sorted(expect.matches), sorted(m.rule for m in verdict.matches))
    if expect.open is not None:
        differ("open", expect.open, {o.rule: o.missing for o in verdict.undetermined})
    if expect.concerned is not None:
        differ("concerned", sorted(expect.concerned), sorted(c.rule for c in verdict.concerned))
    if expect.claim is not None:
        differ("claim", expect.claim, verdict.claim.agreement if verdict.claim else None)
    elif "claimed" not in test.record and verdict.claim is not None:
        found.append("claim: the record claims nothing, yet the verdict judges a claim")
    if expect.provisions is not None:
        differ("provisions", sorted(expect.provisions), sorted({p.id for m in verdict.matches for p in m.provisions}))
    for text in expect.reasons:
        if not any(text in reason for reason in verdict.reasons):
            found.append(f"reasons: expected one containing {text!r}, got {verdict.reasons}")
    return found


def _rule_state(rule: str, fired: set[str], open_rules: dict[str, list[str]]) -> str:
    return "fires" if rule in fired else "open" if rule in open_rules else "does not fire"


def _explain(ruleset: Ruleset, test: FindingTest, verdict: Verdict, facts: dict[str, Any]) -> list[RuleExplained]:
    """The rules whose result differs from the expectation, each with its evaluation tree."""
    expected_open = test.expect.open
    actual_open = {o.rule: o.missing for o in verdict.undetermined}
    fired = {m.rule for m in verdict.matches}
    wanted = set(test.expect.matches)
    differing = fired ^ wanted
    if expected_open is not None:
        differing |= {r for r in expected_open.keys() | actual_open.keys()
                      if expected_open.get(r) != actual_open.get(r)}
    explained = []
    for rule_id in sorted(differing)[:MAX_TREES]:
        _, rule = ruleset.rule(rule_id)
        want = _rule_state(rule_id, wanted, expected_open or {})
        got = _rule_state(rule_id, fired, actual_open)
        explained.append(RuleExplained(rule_id, want, got, evaluation_tree(rule, facts, verdict.as_of)))
    return explained
