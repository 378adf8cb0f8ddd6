"""Condition coverage (authoring/condition_coverage.py) and generated boundary checks
(authoring/boundaries.py) on a small fixture pack with known gaps, end to end in a subprocess
against golden files, and on the parts a golden file does not show."""

from __future__ import annotations

import json

from hypothesis import given, settings

from hazard_rules import load_rulesets
from hazard_rules.authoring.boundaries import boundary_report, findings
from hazard_rules.authoring.condition_coverage import condition_coverage
from hazard_rules.checking.types import Type

from .conftest import ROOT, assert_golden, run_cli

FIXTURE = ROOT / "tests" / "fixtures" / "condition_coverage"
GOLDEN = ROOT / "tests" / "golden" / "condition-coverage"


def _rules() -> dict:
    report = condition_coverage(load_rulesets(FIXTURE, tests=True))
    return {r.rule: r for r in report.packs[0].rules}


def test_rules_test_coverage_report_matches_golden() -> None:
    result = run_cli("rules", "test", "--rules", str(FIXTURE), "--coverage")
    assert result.returncode == 0, result.stderr
    assert_golden(GOLDEN / "coverage.txt", result.stdout)


def test_rules_test_boundaries_report_matches_golden() -> None:
    result = run_cli("rules", "test", "--rules", str(FIXTURE), "--boundaries")
    assert result.returncode == 0, result.stderr
    assert_golden(GOLDEN / "boundaries.txt", result.stdout)


def test_a_value_counts_only_where_it_can_matter() -> None:
    # 报警未设 has the alarm absent: the `or` is already true, so a.workers is not looked at;
    # no test has more than 9 workers with the alarm in order.
    missing = {(o.text, o.want) for o in _rules()["D-1"].missing}
    assert ("a.workers > 9 人", "true") in missing
    assert ("a.workers > 9 人", "false") not in missing  # 均正常: 9 workers, alarm effective
    assert ("a.exempt", "taken") in missing and ("a.exempt", "not taken") not in missing


def test_at_least_asks_for_k_minus_one_and_k_true_operands() -> None:
    missing = {(o.kind, o.want) for o in _rules()["D-2"].missing}
    assert {("at_least", "k-1 true"), ("at_least", "k true")} <= missing


def test_a_branch_unreachable_given_its_siblings_is_excluded_not_required() -> None:
    d3 = _rules()["D-3"]  # b.two and (b.two or b.one): the inner b.two is never false where it matters
    assert d3.enumerated
    assert {(o.text, o.want) for o in d3.excluded} == {("b.two or b.one", "false"), ("b.two", "false")}
    assert [o.describe() for o in d3.missing] == ["`b.one` never unknown"]


def test_the_json_report_names_each_gap_and_where_the_rule_is() -> None:
    report = condition_coverage(load_rulesets(FIXTURE, tests=True)).to_json()
    (pack,) = report["packs"]
    assert pack["pack"] == "demo" and pack["met"] < pack["required"]
    d1 = next(r for r in pack["rules"] if r["rule"] == "D-1")
    assert d1["origin"].endswith("demo/pack.yaml:18:5")
    assert {"path": "unless", "kind": "unless", "want": "taken", "text": "a.exempt",
            "message": "unless `a.exempt` never taken"} in d1["missing"]
    json.dumps(report, ensure_ascii=False)


def test_a_boundary_a_test_sits_on_and_flips_is_pinned_and_one_it_does_not_is_reported() -> None:
    report = boundary_report(load_rulesets(FIXTURE, tests=True))
    d1 = next(r for r in report.rules if r.rule == "D-1")
    unpinned = {(u.boundary.fact, u.point) for u in d1.unpinned}
    assert ("a.alarm", "failed") in unpinned        # no test has a failed alarm
    assert ("a.alarm", "absent") not in unpinned    # 报警未设 flips when the alarm is put right
    assert ("a.workers", 10) in unpinned and ("a.workers", 9) not in unpinned
    for gap in d1.unpinned:  # the witness really shows the change
        assert gap.values[0] != gap.values[1]


@settings(max_examples=50, deadline=None)
@given(findings({"a": Type("bool"), "e": Type("enum", values=("x", "y")), "n": Type("num", integer=True)},
                {"n": {8, 9, 10}}))
def test_generated_findings_hold_only_values_of_the_declared_types(record: dict) -> None:
    assert set(record) <= {"a", "e", "n"}
    assert record.get("a", True) in (True, False) and record.get("e", "x") in ("x", "y")
    assert isinstance(record.get("n", 0), int)


def test_format_json_carries_the_condition_coverage_and_boundaries() -> None:
    result = run_cli("rules", "test", "--rules", str(FIXTURE), "--coverage", "--boundaries", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    (pack,) = document["condition_coverage"]["packs"]
    assert pack["pack"] == "demo" and {r["rule"] for r in pack["rules"]} == {"D-1", "D-2", "D-3"}
    assert {u["point"] for r in document["boundaries"]["rules"] for u in r["unpinned"]} == {"failed", 10}
