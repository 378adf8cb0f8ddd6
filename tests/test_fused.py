"""A record of many facts, of a shape seen before, is checked and evaluated by one generated
function per (shape, editions) (Ruleset._fused, docs/fast-paths.md). Its verdicts must be those
of the ordinary path (coerce_facts, then evaluate), and a value not given as is must be
converted, or refused with the same message, as on that path."""

from __future__ import annotations

import random
import sys
from typing import Any

import pytest
from pydantic import ValidationError

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


def _all_packs_records(ruleset: Ruleset, n: int, missing_rate: float, seed: int) -> list[dict[str, Any]]:
    """Findings over every pack (benchmarks/generate.py), each scenario's shape seen several
    times: dates, numbers with a declared range and sets among their facts."""
    scenarios = generate.all_scenarios(ruleset, seed)
    return list(generate.findings(scenarios, n, seed, hit_rate=0.3, missing_rate=missing_rate))


@pytest.mark.parametrize("scope", ["finding", "enterprise"])
def test_every_pack_through_the_fused_path_gives_the_ordinary_verdicts(ruleset: Ruleset, scope: str) -> None:
    """Shapes with date facts (read as _date reads them) and numbers with a declared range
    (kept as _number keeps them) are judged by their fused function too: same verdict JSON,
    same Finding from judge (its fields and fields_set), same batch columns."""
    records = _all_packs_records(ruleset, 600, 0.1, seed=3)
    verdicts = [ruleset.classify(record, scope=scope) for record in records * 2][len(records):]  # type: ignore[arg-type]
    fused = [record for record in records if _fused_path(ruleset, record)]
    kinds = {ruleset.facts[name].kind for record in fused for name in record["facts"]}
    assert {"date", "set"} <= kinds
    assert any(ruleset.facts[name].bounds for record in fused for name in record["facts"])
    assert len(fused) > len(records) // 2
    for record, verdict in zip(records, verdicts):
        assert verdict.model_dump() == _ordinary(ruleset, record, scope), record["id"]
        finding, judged = ruleset.judge(record, scope=scope)  # type: ignore[arg-type]
        expected = Finding.model_validate(record)
        assert finding == expected and finding.model_fields_set == expected.model_fields_set
        assert finding.facts is not record["facts"] and judged == verdict
    columns = ruleset.classify_batch(records, scope=scope)  # type: ignore[arg-type]
    assert columns.findings == [v.finding for v in verdicts]
    assert columns.verdicts == [v.verdict for v in verdicts]
    assert columns.rules == [tuple(m.rule for m in v.matches) for v in verdicts]


def test_dates_and_ranges_not_given_as_is_take_the_ordinary_path(ruleset: Ruleset) -> None:
    """A date or a number with a range the fused function cannot keep as is (text to convert,
    a value missing or out of range) gives the verdict or the message of a ruleset that never
    saw the shape."""
    records = _all_packs_records(ruleset, 600, 0.0, seed=4)
    for record in records * 2:
        ruleset.classify(record)  # type: ignore[arg-type]
    dated = next(r for r in records if any(ruleset.facts[name].kind == "date" for name in r["facts"]))
    ranged = next(r for r in records if any(ruleset.facts[name].bounds for name in r["facts"]))
    day = next(name for name in dated["facts"] if ruleset.facts[name].kind == "date")
    bounded = next(name for name in ranged["facts"] if ruleset.facts[name].bounds)
    low, high = ruleset.facts[bounded].bounds  # type: ignore[misc]
    changes = [(dated, {day: value}) for value in (" " + dated["facts"][day] + " ", "20240101", None, "待查",
                                                   "2024-02-30", 20240101, "")]
    changes += [(ranged, {bounded: value}) for value in (low, high, float(high), high + 1, low - 1, True, "1", None)]
    for record, change in changes:
        assert _fused_path(ruleset, record)
        other = {**record, "facts": {**record["facts"], **change}}
        try:
            expected: Any = ruleset.classify(other).model_dump()  # type: ignore[arg-type]
        except RecordError as exc:
            expected = str(exc)
        try:
            fresh: Any = load_rulesets().classify(other).model_dump()  # type: ignore[arg-type]
        except RecordError as exc:
            fresh = str(exc)
        assert expected == fresh, change


def test_a_record_read_by_hand_gives_the_finding_and_messages_pydantic_gives(ruleset: Ruleset) -> None:
    """A record of many facts giving only id, date, industries and facts is read without
    pydantic (records.py plain_head) when each is plain; the Finding judge returns, and
    every message, are those pydantic gives."""
    base = _records(ruleset, 3, 0.0, seed=9)[0]
    for _ in range(2):
        ruleset.classify(base)
    odd: list[dict[str, Any]] = [
        base, {k: v for k, v in base.items() if k != "industries"}, dict(base, industries=[]),
        dict(base, extra=1), dict(base, description="x"), dict(base, scope="enterprise"), dict(base, claimed=None),
        dict(base, enterprise=None), dict(base, id=""), dict(base, id=7), dict(base, industries=["a", 1]),
        dict(base, industries="gongmao.dust"), {k: v for k, v in base.items() if k != "date"},
        *(dict(base, date=day) for day in ("2024-05-12", "0001-01-01", "9999-12-31", "2024-02-29", "2023-02-29",
                                           "0000-01-01", "2024-13-01", "20240512", "2024-W19-7", "2024-05-12T00:00",
                                           " 2024-05-12", "２０２４-05-12", "2024-5-12", "2024/05/12", 20240512))]
    for record in odd:
        try:
            expected = Finding.model_validate(record)
        except ValidationError:
            expected = None
        try:
            finding, verdict = ruleset.judge(record)
        except RecordError as exc:
            assert expected is None, record
            with pytest.raises(RecordError) as fresh:
                load_rulesets().judge(record)
            assert str(exc) == str(fresh.value)
            continue
        assert expected is not None, record
        assert finding == expected and finding.model_fields_set == expected.model_fields_set, record
        assert [c.__class__ for c in finding.industries] == [c.__class__ for c in expected.industries]
        assert verdict == load_rulesets().classify(record)
