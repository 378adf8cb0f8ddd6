"""Every standard's inspector-recorded findings (rulesets/<pack>/findings.tests.yaml) get the
verdict the law gives, as `hazard-rules rules test` judges them; each file holds the kinds of
case a pack must be tried on."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from hazard_rules import load_rulesets
from hazard_rules.authoring.failure_text import finding_test_lines
from hazard_rules.authoring.finding_tests import FindingTestResult, run_finding_tests

from .pack_findings import CATEGORIES, FILES, read_entries

ENTRIES = [(path, index, entry) for path in FILES for index, entry in enumerate(read_entries(path))]


@pytest.fixture(scope="module")
def ruleset():
    return load_rulesets()


@pytest.fixture(scope="module")
def judged() -> tuple[Any, dict[tuple[str, int], FindingTestResult]]:
    """Every finding test of the shipped packs, run once by the product's runner."""
    ruleset = load_rulesets(tests=True)
    results: dict[tuple[str, int], FindingTestResult] = {}
    for result in run_finding_tests(ruleset):
        results[result.pack, sum(pack == result.pack for pack, _ in results)] = result
    return ruleset, results


def _param(path: Path, index: int, entry: dict[str, Any]):
    return pytest.param(path.parent.name, index, id=f"{path.parent.name}:{entry['record']['id']}")


@pytest.mark.parametrize(("pack", "index"), [_param(p, i, e) for p, i, e in ENTRIES])
def test_finding(judged, pack: str, index: int) -> None:
    ruleset, results = judged
    result = results[pack, index]
    if result.status == "todo":
        pytest.xfail(f"todo: {result.test.todo}")
    assert result.status == "passed", "\n".join(finding_test_lines(ruleset, result))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.parent.name)
def test_each_standard_is_tried_on_every_kind_of_case(ruleset, path: Path) -> None:
    entries = read_entries(path)
    folder = path.parent.name
    packs = {p.id: p for p in ruleset.packs}
    assert folder in packs, f"rulesets/{folder}/ names no shipped pack"
    assert len(entries) >= 15, len(entries)
    ids = [e["record"]["id"] for e in entries]
    assert len(ids) == len(set(ids)), "finding ids must be unique"
    kinds = Counter(e["category"] for e in entries)
    assert set(kinds) <= CATEGORIES, kinds
    assert kinds["major"] >= 5 and kinds["ordinary"] >= 2 and kinds["missing"] >= 1, kinds
    assert kinds["threshold"] + kinds["precondition"] >= 2, kinds
    standard = packs[folder].standard
    for entry in entries:
        assert entry["why"].strip(), entry["record"]["id"]
        if entry["category"] != "boundary":   # boundary cases test the edges of the period
            day = str(entry["record"]["date"])
            assert day >= standard.effective_from.isoformat(), entry["record"]["id"]
            assert standard.effective_to is None or day <= standard.effective_to.isoformat(), entry["record"]["id"]


def test_there_are_examples() -> None:
    assert FILES, "no rulesets/<pack>/findings.tests.yaml"
