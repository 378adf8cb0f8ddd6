"""The fast paths judge as the plain path does: classify_many and classify_batch give
classify's verdicts over every example, verdicts built without validation equal validated
ones, and the typed-value shortcut of fact coercion keeps exactly what coercion would."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest

from hazard_rules import Finding, RecordError, Verdict, VerdictColumns, load_rulesets
from hazard_rules.checking.types import BOOL, COUNT, Type
from hazard_rules.findings.coerce import FactValueError, accepts_as_is, coercer_for, typed_already

from .pack_findings import example_records

RECORDS = example_records()


def _json(verdict: Verdict) -> str:
    return json.dumps(verdict.model_dump(mode="json"), ensure_ascii=False)


@pytest.mark.parametrize("scope", ["finding", "enterprise"])
def test_classify_many_and_batch_give_classify_verdicts_over_every_example(scope: str) -> None:
    assert len(RECORDS) > 300
    single = load_rulesets()
    one_by_one = [single.classify(record, scope=scope) for record in RECORDS]
    ruleset = load_rulesets()
    many = list(ruleset.classify_many(RECORDS, scope=scope))
    again = list(ruleset.classify_many(RECORDS * 2, scope=scope))  # warm memos, shapes seen before
    columns = ruleset.classify_batch(RECORDS, scope=scope)
    assert [_json(v) for v in many] == [_json(v) for v in one_by_one] == [_json(v) for v in again[len(RECORDS):]]
    assert many == one_by_one
    assert isinstance(columns, VerdictColumns) and len(columns) == len(RECORDS)
    assert columns.findings == [v.finding for v in one_by_one]
    assert columns.verdicts == [v.verdict for v in one_by_one]
    assert columns.rules == [tuple(m.rule for m in v.matches) for v in one_by_one]


def test_a_verdict_built_without_validation_equals_the_validated_one() -> None:
    ruleset = load_rulesets()
    for verdict in ruleset.classify_many(RECORDS):
        validated = Verdict.model_validate(verdict.model_dump())
        assert validated == verdict
        assert validated.model_fields_set == verdict.model_fields_set
        assert _json(validated) == _json(verdict)
        assert repr(validated) == repr(verdict)


def test_batch_raises_on_a_bad_record_and_checks_the_scope() -> None:
    ruleset = load_rulesets()
    with pytest.raises(RecordError, match="missing required field 'date'"):
        ruleset.classify_batch([RECORDS[0], {"id": "X"}])
    with pytest.raises(Exception, match="scope must be"):
        list(ruleset.classify_many(RECORDS, scope="bogus"))  # type: ignore[arg-type]
    assert ruleset.classify_batch([]).verdicts == []
    assert ruleset.classify_batch([Finding.model_validate(RECORDS[0])]).findings == [RECORDS[0]["id"]]


def test_editions_chosen_once_per_period_still_follow_the_date() -> None:
    """The choice of editions is memoised per (industries, period between edition dates)."""
    ruleset = load_rulesets()
    record = {"id": "X", "industries": ["gongmao.ammonia"],
              "facts": {"ammonia.quick_freeze.present": True, "ammonia.quick_freeze.room_workers": 20}}
    days = ["2023-05-14", "2023-05-15", "2023-05-14", "2017-11-29", "2030-01-01", "2017-11-29", "2023-05-16"]
    packs = [ruleset.classify(dict(record, date=day)).packs for day in days]
    assert packs == [load_rulesets().classify(dict(record, date=day)).packs for day in days[:3]] + packs[3:]
    assert packs[0] == packs[2] == {"gongmao-2017": "2017-11-30"}
    assert packs[1] == packs[6] == {"gongmao-2023": "2023-05-15"}
    early = [ruleset.classify(dict(record, date=day)).reasons for day in ("2017-11-29", "2017-11-28")]
    assert "2017-11-29" in early[0][0] and "2017-11-28" in early[1][0]  # a reason naming the day is per day


ENUM = Type("enum", values=("dry", "wet", "unknown"), labels=("干式", "湿式", "未知"))
NUMBER = Type("num")
VALUES: list[Any] = [True, False, 0, 1, 2, -3, 1.0, 2.5, -0.0, math.nan, math.inf, -math.inf, 10**40, 10**40 + 1,
                     -(10**40) - 1, 1e40, 1e300, "dry", "wet", " dry", "干式", "unknown", "", "true", "1", [], {}, None]


@pytest.mark.parametrize("fact_type", [BOOL, COUNT, NUMBER, ENUM], ids=str)
def test_a_value_kept_as_is_is_what_coercion_makes_of_it(fact_type: Type) -> None:
    typed = typed_already(fact_type)
    assert typed is not None
    coerce = coercer_for(fact_type)
    kept = 0
    for value in VALUES:
        if not accepts_as_is(value, typed):
            continue
        kept += 1
        coerced = coerce(value)
        assert coerced == value and coerced.__class__ is value.__class__, (fact_type, value)
    assert kept >= 2


def test_coercing_a_shape_seen_before_gives_the_same_facts_and_errors() -> None:
    """The third record of a shape goes through its generated typed check (coerce_facts)."""
    ruleset = load_rulesets()
    names = [name for name, t in ruleset.facts.items() if typed_already(t) is not None][:40]
    others = [name for name, t in ruleset.facts.items() if typed_already(t) is None][:5]
    for value in VALUES:
        facts = {name: value for name in names + others} | {"no.such.fact": 1}
        answers = []
        for _ in range(3):
            asked: set[str] = set()
            try:
                answers.append((ruleset.coerce_facts(dict(facts), asked=asked), asked))
            except FactValueError as exc:
                answers.append((str(exc), asked))
        assert answers[0] == answers[1] == answers[2], value
    typed_facts = {name: ruleset.coerce_facts({name: _sample(ruleset.facts[name])})[0][name] for name in names}
    for _ in range(3):
        clean, warnings = ruleset.coerce_facts(typed_facts)
        assert clean == typed_facts and list(clean) == list(typed_facts) and warnings == []


def _sample(fact_type: Type) -> Any:
    return {"bool": True, "num": 3, "enum": fact_type.values[0] if fact_type.values else ""}[fact_type.kind]


def test_as_of_is_kept() -> None:
    verdicts = load_rulesets().classify_batch(RECORDS[:5], as_of=dt.date(2024, 1, 1))
    assert len(verdicts.verdicts) == 5


def test_memoised_answers_show_each_value_as_given(demo_rules: Path) -> None:
    """Outcomes and matches are memoised on fact values with their class: 12 and 12.0 decide
    alike, but each match shows the value its record gave."""
    ruleset = load_rulesets(demo_rules)
    record = {"id": "P", "date": "2024-06-01", "industries": ["demo"], "facts": {"a.alarm": "effective"}}
    for _ in range(2):
        for value in (12, 12.0, 12, 12.0):
            verdict = ruleset.classify(dict(record, facts=dict(record["facts"], **{"a.pressure": value})))
            assert verdict.verdict == "major"
            shown = verdict.matches[0].because["a.pressure"]
            assert shown == value and shown.__class__ is value.__class__
            assert _json(verdict) == _json(load_rulesets(demo_rules).classify(
                dict(record, facts=dict(record["facts"], **{"a.pressure": value}))))
