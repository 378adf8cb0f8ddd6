"""Each pack's safety-net threshold (src/hazard_rules/matching/thresholds.json) is what
benchmarks/calibrate_suggest.py computes from the evaluation sets with every shipped pack
loaded; a pack or an evaluation set that changed makes it stale, and this test says how
to regenerate it."""

from __future__ import annotations

import json
import sys

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import calibrate_suggest  # noqa: E402


def test_the_shipped_thresholds_are_current(shipped) -> None:
    computed = {pack: row["threshold"] for pack, row in calibrate_suggest.calibrate(shipped).items()}
    stored = json.loads(calibrate_suggest.THRESHOLDS.read_text(encoding="utf-8"))
    assert stored == computed, "regenerate: python benchmarks/calibrate_suggest.py --write"


@pytest.mark.parametrize(("described", "ordinary", "expected"), [
    # the lowest threshold with few false alarms, when it lets few described findings through
    ([30, 40, 50, 60, 70, 80, 90, 95, 99, 100], [10, 20, 25], 27.5),
    # false alarms cannot be kept down without letting too many through: safety first
    ([10, 12, 14, 16, 18, 20, 22, 24, 26, 28], [30, 31, 32], 5.0),
])
def test_the_rule_prefers_safety(described, ordinary, expected) -> None:
    assert calibrate_suggest.choose(described, ordinary)["threshold"] == pytest.approx(expected)
