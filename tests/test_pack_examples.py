"""Every standard's inspector-recorded findings (examples/<pack>/findings.yaml) get the
verdict the law gives; each file holds the kinds of case a pack must be tried on."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from hazard_rules import load_rulesets

from .pack_findings import CATEGORIES, problems, read_entries

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FILES = sorted(EXAMPLES.glob("*/findings.yaml"))
ENTRIES = [(path, entry) for path in FILES for entry in read_entries(path)]


@pytest.fixture(scope="module")
def ruleset():
    return load_rulesets()


def _param(path: Path, entry: dict[str, Any]):
    marks = [pytest.mark.xfail(reason=entry["xfail"], strict=True)] if entry.get("xfail") else []
    return pytest.param(entry, id=f"{path.parent.name}:{entry['record']['id']}", marks=marks)


@pytest.mark.parametrize("entry", [_param(p, e) for p, e in ENTRIES])
def test_finding(ruleset, entry: dict[str, Any]) -> None:
    found = problems(ruleset, entry)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.parent.name)
def test_each_standard_is_tried_on_every_kind_of_case(ruleset, path: Path) -> None:
    entries = read_entries(path)
    folder = path.parent.name
    packs = {p.id: p for p in ruleset.packs}
    assert folder in packs, f"examples/{folder}/ names no shipped pack"
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
    assert FILES, "no examples/<pack>/findings.yaml"
