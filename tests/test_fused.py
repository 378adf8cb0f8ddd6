"""A record of many facts, of a shape seen before, is checked and evaluated by one generated
function per (shape, editions) (Ruleset._fused, docs/fast-paths.md). Its verdicts must be those
of the ordinary path (coerce_facts, then evaluate), and a value not given as is must be
converted, or refused with the same message, as on that path."""

from __future__ import annotations

import random
import sys
from typing import Any

import pytest

from hazard_rules import Finding, RecordError, load_rulesets
from hazard_rules.classifying.records import plain_head
from hazard_rules.classifying.ruleset import Ruleset

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402
import subset  # noqa: E402


@pytest.fixture(scope="module")
def ruleset() -> Ruleset:
    return load_rulesets()


def _records(ruleset: Ruleset, n: int, missing_rate: float, seed: int) -> list[dict[str, Any]]:
    """Subset records (benchmarks/subset.py) of one shape: `missing_rate` of the facts are
    left out of every record (the same ones), so the rules reading them are open."""
    scn = subset.subset_scenario(ruleset, seed)
    rng = random.Random(seed)
    dropped = {name for name in scn.facts if rng.random() < missing_rate}
    records = []
    for number, facts in enumerate(subset.records(scn, n, seed, hit_rate=0.5)):
        kept = {name: generate.to_json(value) for name, value in facts.items() if name not in dropped}
        records.append({"id": f"F-{number}", "date": subset.DAY.isoformat(), "industries": scn.industries,
                        "facts": kept})
    return records


def _fused_path(ruleset: Ruleset, record: dict[str, Any]) -> bool:
    """Does the record take the fused path (its shape's generated function judges it)?"""
    head = plain_head(record)
    assert head is not None
    return ruleset._fused(record, record["facts"], head, None, None, "finding", keep=False, lean=True) is not None


def _ordinary(ruleset: Ruleset, record: dict[str, Any], scope: str) -> dict[str, Any]:
    finding = Finding.model_validate(record)
    facts, warnings = ruleset.coerce_facts(finding.facts)
    return ruleset.evaluate(finding, facts, finding.date, warnings, scope=scope).model_dump()  # type: ignore[arg-type]


@pytest.mark.parametrize("missing_rate", [0.0, 0.1, 0.4])
@pytest.mark.parametrize("scope", ["finding", "enterprise"])
def test_fused_verdicts_equal_the_ordinary_path(ruleset: Ruleset, missing_rate: float, scope: str) -> None:
    records = _records(ruleset, 300, missing_rate, seed=5)
    assert len(records[0]["facts"]) > 12  # a record of many facts: the fused path's
    verdicts = [ruleset.classify(record, scope=scope).model_dump() for record in records]  # type: ignore[arg-type]
    assert _fused_path(ruleset, records[-1])  # the fused path was taken
    kinds = set()
    for record, verdict in zip(records, verdicts):
        assert verdict == _ordinary(ruleset, record, scope), record["id"]
        kinds.add(verdict["verdict"])
    assert "major" in kinds
    columns = ruleset.classify_batch(records, scope=scope)  # type: ignore[arg-type]
    assert columns.verdicts == [v["verdict"] for v in verdicts]
    assert columns.rules == [tuple(m["rule"] for m in v["matches"]) for v in verdicts]


def test_a_value_not_given_as_is_takes_the_ordinary_path(ruleset: Ruleset) -> None:
    records = _records(ruleset, 5, 0.0, seed=7)
    for record in records:
        ruleset.classify(record)
    assert _fused_path(ruleset, records[-1])
    facts = records[0]["facts"]
    flag = next(name for name, value in facts.items() if value is True or value is False)
    listed = next(name for name, value in facts.items() if isinstance(value, list))
    # converted (是/否, a set given as text): the same verdict as the ordinary path gives
    for changed in ({flag: "是" if facts[flag] else "否"}, {listed: "；".join(facts[listed]) or None}):
        record = {**records[0], "facts": {**facts, **changed}}
        assert not _fused_path(ruleset, record)
        assert ruleset.classify(record).model_dump() == _ordinary(ruleset, record, "finding")
    # refused: the message of a ruleset that never saw the shape (no fused function)
    bad = {**records[0], "facts": {**facts, flag: "maybe"}}
    with pytest.raises(RecordError) as fused_error:
        ruleset.classify(bad)
    with pytest.raises(RecordError) as fresh_error:
        load_rulesets().classify(bad)
    assert str(fused_error.value) == str(fresh_error.value)
    assert "maybe" in str(fused_error.value)
