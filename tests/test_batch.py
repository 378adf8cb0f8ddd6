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


def test_the_verdict_of_a_record_with_no_true_or_open_rule_is_the_one_worked_out(monkeypatch: pytest.MonkeyPatch
                                                                                 ) -> None:
    """Per (editions chosen, fact names) the verdict of a record with no true or open rule and
    no claim is made once (Ruleset._concern, `quiet`): it equals the verdict worked out rule by
    rule, over every example twice (the second time from the memo) and in a different order."""
    import dataclasses

    from hazard_rules.classifying import ruleset as module

    worked_out = load_rulesets()
    plain_concern = module.Ruleset._concern_now
    monkeypatch.setattr(worked_out, "_concern_now",
                        lambda choice, given: dataclasses.replace(plain_concern(worked_out, choice, given), quiet=None))
    expected = [_json(worked_out.classify(record)) for record in RECORDS]
    ruleset = load_rulesets()
    quiet = sum(1 for v in ruleset.classify_many(RECORDS) if not v.matches and not v.undetermined and not v.claim)
    assert quiet > 100  # the shortcut is taken, often
    assert [_json(ruleset.classify(record)) for record in RECORDS * 2] == expected * 2
    assert [_json(ruleset.classify(record)) for record in reversed(RECORDS)] == expected[::-1]


def test_a_dict_record_gives_the_finding_and_messages_pydantic_gives() -> None:
    """A dict record's facts skip pydantic's copy (records.py): the Finding, the facts and every
    message are those of the record validated first; a name that is a str subclass, a facts
    value that is not a dict and a bad field take the plain path."""
    from enum import Enum

    from pydantic import ValidationError

    from hazard_rules.classifying.records import describe_validation, prepare_record

    class Name(str, Enum):  # noqa: UP042 - a str subclass, as StrEnum is
        PRESENT = "ammonia.quick_freeze.present"

    ruleset, other = load_rulesets(), load_rulesets()  # other: the plain path, so that ruleset sees only the dicts
    base = {"id": "R", "date": "2024-06-01", "industries": ["gongmao.ammonia"]}
    odd = [dict(base, facts={Name.PRESENT: True, "ammonia.quick_freeze.room_workers": 12, "a.name.never.seen": 1}),
           dict(base, facts=[("ammonia.quick_freeze.present", True)]),
           dict(base, facts={"ammonia.quick_freeze.present": "maybe"}),
           dict(base, facts={"ammonia.quick_freeze.present": True, "no.such": 1}),
           dict(base, id="", facts={"ammonia.quick_freeze.present": True}),
           dict(base, date="2024-6-1", facts={1: True})]
    records = [*RECORDS, *odd]
    for number, record in enumerate(records * 2):
        try:
            expected = Finding.model_validate(record)
        except ValidationError as exc:
            with pytest.raises(RecordError) as raised:
                prepare_record(ruleset, record)
            assert describe_validation(exc) in str(raised.value)
            continue
        try:
            fast = prepare_record(ruleset, record)
        except RecordError as exc:
            with pytest.raises(RecordError) as plain:
                prepare_record(other, expected)
            assert str(exc) == str(plain.value)
            continue
        slow = prepare_record(other, expected)
        assert fast.finding == expected and fast.finding.model_fields_set == expected.model_fields_set
        if number < len(records):  # the second time round, the corner below applies
            assert all(name.__class__ is str for name in fast.finding.facts), record
        assert (fast.facts, fast.warnings, fast.asked) == (slow.facts, slow.warnings, slow.asked)
        assert list(fast.facts) == list(slow.facts)
    # The corner docs/fast-paths.md names: names equal to a shape seen before, given as a str
    # subclass, are judged alike (the Finding keeps them as given).
    plain = dict(base, facts={"ammonia.quick_freeze.present": True, "ammonia.quick_freeze.room_workers": 12})
    subclass = dict(base, facts={Name.PRESENT: True, "ammonia.quick_freeze.room_workers": 12})
    assert _json(ruleset.classify(plain)) == _json(ruleset.classify(subclass)) == _json(other.classify(subclass))


def test_the_memo_is_bounded_and_keeps_what_is_used() -> None:
    from hazard_rules.classifying.memo import ABSENT, Memo

    memo = Memo(100)
    for n in range(1000):
        assert memo.get(n, lambda n=n: n * 2) == n * 2
        memo.get(0, lambda: -1)  # used all along: never dropped
        assert len(memo) <= 100
    assert memo.peek(0) == 0 and memo.peek(5) is ABSENT and memo.peek(999) == 1998
    assert memo.get(["unhashable"], lambda: 7) == 7  # computed afresh, not kept
    memo.put("big", "x", size=60)
    assert len(memo) <= 100 and memo.peek("big") == "x"
