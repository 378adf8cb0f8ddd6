"""`hazard-rules rules test` end to end, in subprocesses, against golden outputs: a passing run,
a failing rule test and a failing finding test (each with its evaluation tree), todo tests, a
finding test naming an unknown rule, a run with no tests, --format json, --min-coverage and
--junit. The fixture packs are tests/fixtures/rule_tests/<case>/ (one small pack each)."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .conftest import ROOT, RULESETS, assert_golden, run_cli

CASES = ROOT / "tests" / "fixtures" / "rule_tests"
GOLDEN = ROOT / "tests" / "golden" / "rules-test"


def _rules_test(case: str, *args: str):
    return run_cli("rules", "test", "--rules", str(CASES / case), *args)


@pytest.mark.parametrize(("case", "args", "code"), [
    ("passing", ("-v",), 0),
    ("failing-rule", (), 1),
    ("failing-finding", (), 1),
    ("todo", (), 0),
    ("no-tests", (), 1),
    ("coverage-gap", ("--min-coverage", "100"), 1),
])
def test_text_report(case: str, args: tuple[str, ...], code: int) -> None:
    result = _rules_test(case, *args)
    assert result.returncode == code, result.stdout + result.stderr
    assert_golden(GOLDEN / f"{case}.txt", result.stdout)


def test_the_minimum_coverage_is_met_at_or_below_what_the_pack_has() -> None:
    assert _rules_test("coverage-gap", "--min-coverage", "50").returncode == 0
    assert _rules_test("passing", "--min-coverage", "100").returncode == 0


def test_a_finding_test_naming_an_unknown_rule_is_a_pack_error_with_a_suggestion() -> None:
    result = _rules_test("unknown-rule")
    assert result.returncode == 2 and result.stdout == ""
    assert_golden(GOLDEN / "unknown-rule.txt", result.stderr)
    assert "findings.tests.yaml:9:48: error[E104]" in result.stderr and "did you mean 'FX-3-2'?" in result.stderr


def test_json_is_one_document_with_every_section() -> None:
    result = _rules_test("failing-finding", "--format", "json")
    assert result.returncode == 1
    assert_golden(GOLDEN / "failing-finding.json", result.stdout)
    document = json.loads(result.stdout)
    assert list(document) == ["rule_tests", "finding_tests", "coverage", "summary", "matrix"]
    failed = document["finding_tests"][0]
    assert failed["status"] == "failed" and failed["matches"] == [] and failed["expected"]["matches"] == ["FX-3-2"]
    tree = failed["explained"][0]["tree"]
    assert tree["value"] == "false" and tree["children"][0]["children"][0]["reads"] == {"dust.workers": 9}
    assert document["summary"]["failed"] == 1


def test_junit_holds_rule_and_finding_tests_with_todo_as_skipped(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    assert _rules_test("todo", "--junit", str(junit)).returncode == 0
    suite = ET.parse(junit).getroot()
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert suite.get("tests") == "7" and suite.get("failures") == "0" and suite.get("skipped") == "1"
    assert cases["FX-0010"].get("classname") == "dust.findings" and cases["FX-0010"].find("skipped") is not None
    failing = tmp_path / "failing.xml"
    assert _rules_test("failing-finding", "--junit", str(failing)).returncode == 1
    failure = ET.parse(failing).getroot().find("testcase[@name='FX-0009']/failure")
    assert failure is not None and "verdict: expected major, got ordinary" in str(failure.get("message"))


def test_a_fixed_pack_bug_is_found_by_the_same_tests(tmp_path: Path) -> None:
    """The failing-rule pack says `>= 9` where the text says 超过9人; correcting it passes."""
    rules = tmp_path / "rules"
    shutil.copytree(CASES / "failing-rule", rules)
    pack = rules / "dust" / "pack.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace(">= 9 人", "> 9 人"), encoding="utf-8")
    result = run_cli("rules", "test", "--rules", str(rules))
    assert result.returncode == 0 and "9 tests, 0 failed" in result.stdout, result.stdout


def test_the_shipped_packs_pass_with_full_coverage() -> None:
    result = run_cli("rules", "test", "--rules", str(RULESETS), "--min-coverage", "100", "--format", "json")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert summary["failed"] == 0 and summary["finding_tests"] >= 500 and summary["coverage_percent"] == 100


def test_finding_tests_are_read_only_with_tests_and_validated_where_written(tmp_path: Path) -> None:
    from hazard_rules import load_rulesets
    from hazard_rules.errors import PackErrors

    rules = tmp_path / "rules"
    shutil.copytree(CASES / "passing", rules)
    findings = rules / "dust" / "findings.tests.yaml"
    findings.write_text(findings.read_text(encoding="utf-8").replace("    expect: {verdict: ordinary",
                                                                     "    expct: {verdict: ordinary"), encoding="utf-8")
    verdict = load_rulesets(rules).classify({"id": "x", "date": "2024-05-01", "industries": ["fixture"],
                                             "facts": {"dust.system": "dry", "dust.venting": False}})
    assert verdict.verdict == "major"   # classifying never reads the tests
    with pytest.raises(PackErrors) as caught:
        load_rulesets(rules, tests=True)
    assert "dust/findings.tests.yaml:18:5" in str(caught.value.render()), caught.value.render()
    assert "expct" in caught.value.render()


def test_the_scope_of_a_finding_test_is_written_on_the_test_not_in_the_record(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(CASES / "passing", rules)
    findings = rules / "dust" / "findings.tests.yaml"
    findings.write_text(findings.read_text(encoding="utf-8").replace("      id: FX-0002\n",
                                                                     "      id: FX-0002\n      scope: enterprise\n"),
                        encoding="utf-8")
    result = run_cli("rules", "test", "--rules", str(rules))
    assert result.returncode == 2
    assert "dust/findings.tests.yaml:14:7: error[E104]: a finding test's record gives its own scope" in result.stderr
    assert "write `scope: enterprise` on the test" in result.stderr
