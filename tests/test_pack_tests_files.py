"""Rule tests live beside the rules, in `<file>.tests.yaml`: a load that classifies findings
does not read them (most of the packs' text is tests); `rules test`, `rules lint`,
`rules coverage` and mutation testing do, and every mistake in them is a pack error there."""

from __future__ import annotations

from pathlib import Path

import pytest

from hazard_rules import load_rulesets
from hazard_rules.authoring.testing import run_pack_tests
from hazard_rules.errors import PackErrors, UsageError

from .conftest import DEMO_PACK, run_cli, write_rules

TESTS = """\
tests:
  D-1:
    - {name: 十人, facts: {a.workers: 10}, expect: true}
    - {name: 九人, facts: {a.workers: 9}, expect: false}
"""


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    folder = write_rules(tmp_path / "rules")
    (folder / "demo" / "pack.tests.yaml").write_text(TESTS, encoding="utf-8")
    return folder


def _errors(rules: Path) -> str:
    with pytest.raises(PackErrors) as caught:
        load_rulesets(rules, tests=True)
    return str(caught.value)


def test_tests_are_read_only_when_asked_for(rules: Path) -> None:
    (rules / "demo" / "pack.tests.yaml").write_text("tests: {D-1: [", encoding="utf-8")  # broken
    assert load_rulesets(rules).classify({"id": "x", "date": "2024-05-01", "industries": ["demo"],
                                          "facts": {"a.workers": 10}}).verdict == "major"
    assert "pack.tests.yaml:1" in _errors(rules)


def test_rules_get_their_tests_and_a_failure_points_into_the_tests_file(rules: Path) -> None:
    ruleset = load_rulesets(rules, tests=True)
    _, rule = ruleset.rule("D-1")
    assert [t.name for t in rule.rule.tests] == ["十人", "九人"]
    (rules / "demo" / "pack.tests.yaml").write_text(TESTS.replace("expect: false", "expect: true"), encoding="utf-8")
    results, _ = run_pack_tests(load_rulesets(rules, tests=True))
    failed = [r for r in results if not r.passed]
    assert [(r.rule, r.name) for r in failed] == [("D-1", "九人")]
    assert failed[0].origin.startswith(str(Path("rules") / "demo" / "pack.tests.yaml") + ":4:")


def test_a_rule_set_loaded_without_tests_is_refused_by_the_tools(rules: Path) -> None:
    with pytest.raises(UsageError, match="without its tests"):
        run_pack_tests(load_rulesets(rules))


def test_tests_written_in_the_rule_are_an_error_that_says_where_they_go(tmp_path: Path) -> None:
    inline = "when: a.workers > 9 人, tests: [{facts: {}, expect: unknown}]}"
    pack = DEMO_PACK.replace("when: a.workers > 9 人}", inline)
    rules = write_rules(tmp_path / "rules", pack)
    with pytest.raises(PackErrors) as caught:
        load_rulesets(rules)
    assert "rule D-1 writes its tests in the rule" in str(caught.value)
    assert "move them to pack.tests.yaml" in str(caught.value)


def test_tests_of_an_unknown_rule_are_an_error(rules: Path) -> None:
    (rules / "demo" / "pack.tests.yaml").write_text(TESTS.replace("  D-1:", "  D-1x:"), encoding="utf-8")
    message = _errors(rules)
    assert "tests for rule 'D-1x', which the pack does not define" in message and "did you mean 'D-1'?" in message


def test_a_tests_file_beside_no_pack_file_is_an_error(rules: Path) -> None:
    (rules / "demo" / "art09.tests.yaml").write_text(TESTS, encoding="utf-8")
    assert "art09.tests.yaml tests no file of the pack" in _errors(rules)


def test_the_tests_of_a_rule_written_twice_are_an_error(rules: Path) -> None:
    pack = (rules / "demo" / "pack.yaml")
    pack.write_text(pack.read_text(encoding="utf-8").replace("imports: [_shared]",
                                                              "imports: [_shared]\ninclude: [more.yaml]"),
                    encoding="utf-8")
    (rules / "demo" / "more.yaml").write_text("conditions: {}\n", encoding="utf-8")
    (rules / "demo" / "more.tests.yaml").write_text(TESTS, encoding="utf-8")
    assert "the tests of rule 'D-1' are written twice" in _errors(rules)


def test_a_test_naming_an_undeclared_fact_is_an_error(rules: Path) -> None:
    (rules / "demo" / "pack.tests.yaml").write_text(TESTS.replace("a.workers: 9", "a.worker: 9"), encoding="utf-8")
    message = _errors(rules)
    assert "test of D-1 gives undeclared fact 'a.worker'" in message and "pack.tests.yaml:4:" in message


def test_the_rule_set_digest_does_not_depend_on_tests(rules: Path) -> None:
    before = load_rulesets(rules).digest
    (rules / "demo" / "pack.tests.yaml").write_text(TESTS.replace("九人", "九个人"), encoding="utf-8")
    assert load_rulesets(rules).digest == before == load_rulesets(rules, tests=True).digest


def test_the_cli_reads_tests_for_rules_test_and_lint(rules: Path) -> None:
    tested = run_cli("rules", "test", "--rules", str(rules))
    assert tested.returncode == 0 and "2 tests, 0 failed" in tested.stdout, tested.stdout + tested.stderr
    (rules / "demo" / "pack.tests.yaml").write_text(TESTS.replace("  D-1:", "  D-7:"), encoding="utf-8")
    linted = run_cli("rules", "lint", "--rules", str(rules))
    assert linted.returncode != 0 and "tests for rule 'D-7'" in linted.stderr + linted.stdout
    checked = run_cli("check", "--rules", str(rules), "examples/inspections.jsonl")
    assert "tests for rule" not in checked.stderr


def test_the_clause_matcher_reads_test_names_without_loading_tests_and_survives_a_broken_file(rules: Path) -> None:
    from hazard_rules.loading.loader import test_names

    ruleset = load_rulesets(rules)
    source = ruleset.packs[0].checked.source
    # only tests where the rule is true name the hazard (九人 is a test where D-1 is false)
    with_tests = load_rulesets(rules, tests=True).packs[0].checked.source
    assert test_names(source) == {"D-1": ["十人"]} == test_names(with_tests)
    (rules / "demo" / "pack.tests.yaml").write_text("tests: {D-1: [", encoding="utf-8")
    assert test_names(load_rulesets(rules).packs[0].checked.source) == {}
    assert load_rulesets(rules).matcher.entries  # built all the same
