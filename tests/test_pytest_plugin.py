"""`pytest rulesets/` runs the packs' rule tests as pytest items, each named after its rule
and test (issue 12): the plugin is registered by the package's `pytest11` entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import RULESETS, write_rules

TESTS = """\
tests:
  D-1:
    - {name: 十人, facts: {a.workers: 10}, expect: true}
    - {name: 九人, facts: {a.workers: 9}, expect: false}
"""


def _pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_each_rule_test_is_a_pytest_item_named_after_its_rule_and_test(tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules")
    (rules / "demo" / "pack.tests.yaml").write_text(TESTS, encoding="utf-8")
    listed = _pytest(str(rules), "--collect-only", "-q", cwd=tmp_path)
    assert "pack.tests.yaml::D-1[十人]" in listed.stdout, listed.stdout
    assert "pack.tests.yaml::D-1[九人]" in listed.stdout
    passed = _pytest(str(rules), "-q", cwd=tmp_path)
    assert passed.returncode == 0 and "2 passed" in passed.stdout, passed.stdout


def test_a_failing_rule_test_fails_with_where_it_is_written(tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules")
    (rules / "demo" / "pack.tests.yaml").write_text(TESTS.replace("expect: false", "expect: true"), encoding="utf-8")
    failed = _pytest(str(rules), "-q", cwd=tmp_path)
    assert failed.returncode == 1 and "1 failed, 1 passed" in failed.stdout, failed.stdout
    assert "D-1: 九人 — expected true, got false" in failed.stdout
    assert "pack.tests.yaml:4:" in failed.stdout


def test_a_pack_that_does_not_load_fails_its_items_with_the_pack_error(tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules")
    (rules / "demo" / "pack.tests.yaml").write_text(TESTS.replace("a.workers: 9", "a.worker: 9"), encoding="utf-8")
    failed = _pytest(str(rules), "-q", cwd=tmp_path)
    assert failed.returncode == 1 and "test of D-1 gives undeclared fact 'a.worker'" in failed.stdout, failed.stdout


def test_the_shipped_packs_pass_under_pytest(tmp_path: Path) -> None:
    result = _pytest(str(RULESETS / "gongmao-2023"), str(RULESETS / "metal-mine-2022"), "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_finding_tests_are_items_named_after_their_record_and_fail_with_the_tree(tmp_path: Path) -> None:
    cases = Path(__file__).resolve().parent / "fixtures" / "rule_tests"
    listed = _pytest(str(cases / "passing"), "--collect-only", "-q", cwd=tmp_path)
    assert "dust/findings.tests.yaml::FX-0001" in listed.stdout, listed.stdout
    assert "dust/pack.tests.yaml::FX-3-2[九人无隔爆]" in listed.stdout
    failed = _pytest(str(cases / "failing-finding"), "-q", cwd=tmp_path)
    assert failed.returncode == 1 and "1 failed, 6 passed" in failed.stdout, failed.stdout
    assert "verdict: expected major, got ordinary" in failed.stdout
    assert "否  dust.workers > 9 人    ← 读取 dust.workers = 9" in failed.stdout


def test_a_todo_test_is_an_xfail_and_an_xpass_once_it_passes(tmp_path: Path) -> None:
    cases = Path(__file__).resolve().parent / "fixtures" / "rule_tests"
    result = _pytest(str(cases / "todo"), "-q", "-rxX", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "XFAIL" in result.stdout and "findings.tests.yaml::FX-0010 - todo: 积尘尚无对应事实" in result.stdout
    assert "XPASS" in result.stdout and "pack.tests.yaml::FX-3-1[湿式] - todo: 湿式是否适用待确认" in result.stdout
