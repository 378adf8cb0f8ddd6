"""Every construct of the condition language, end to end: load → check → generated code
and three-valued closures → verdict. Each case is a condition and records with the
value it must give (None = unknown)."""

from __future__ import annotations

import datetime as dt

import pytest

from hazard_rules import load_rulesets

from .conftest import write_rules

PACK = """\
standard: {family: demo, name: 演示, number: 演示1号, issuer: 演示部, effective_from: 2024-01-01}
scope: {industries: [demo]}
facts:
  n: {label: 数, type: int}
  m: {label: 数2, type: decimal}
  people: {label: 人数, type: int, unit: 人}
  length_m: {label: 长度, type: decimal, unit: m}
  length_cm: {label: 长度2, type: decimal, unit: cm}
  pressure: {label: 压力, type: decimal, unit: kPa}
  share: {label: 比例, type: decimal, unit: "%"}
  capacity: {label: 能力, type: decimal, unit: t}
  output: {label: 产量, type: decimal, unit: t}
  kind: {label: 类型, type: enum, values: {dry: 干式, wet: 湿式}}
  level: {label: 预警, type: enum, ordered: true, values: {blue: 蓝, yellow: 黄, orange: 橙, red: 红}}
  kinds: {label: 类型集, type: set, values: {dry: 干式, wet: 湿式, other: 其他}}
  name: {label: 名称, type: str}
  flag: {label: 标志, type: bool}
  flag2: {label: 标志2, type: bool}
  flag3: {label: 标志3, type: bool}
  expiry: {label: 到期日, type: date}
  days_left: {label: 剩余天数, type: int, unit: d}
  tanks:
    label: 储罐
    type: list
    fields: {level: {type: int}, ok: {type: bool}, zone: {type: enum, values: {z20: 20区, z21: 21区}}}
conditions:
  cond_a: n > 1
  cond_b: cond_a and flag
sections: [{id: s, article: 第一条}, {id: other, article: 第二条, applies_to: [demo.other]}]
rules:
  - {id: R, section: s, text: 测试, provenance: {status: unverified}, when: WHEN}
  - {id: keeps-conditions-used, section: other, text: 测试, provenance: {status: unverified}, when: cond_b}
"""

CASES = [
    # comparisons and units
    ("n > 9", {"n": 10}, True), ("n > 9", {"n": 9}, False), ("n >= 9", {"n": 9}, True), ("n != 3", {}, None),
    ("people > 9 人", {"people": 10}, True), ("people > 9 名", {"people": 9}, False),
    ("pressure < 0.03 MPa", {"pressure": 29.9}, True), ("pressure < 0.03 MPa", {"pressure": 30}, False),
    ("pressure < 30000 Pa", {"pressure": 29}, True),
    ("length_m > length_cm", {"length_m": 1.5, "length_cm": 120}, True),   # cm scaled to m
    ("length_m > length_cm", {"length_m": 1.5, "length_cm": 160}, False),
    ("length_m >= 150 cm", {"length_m": 1.5}, True),
    ("share >= 10 %", {"share": 10}, True),
    # arithmetic
    ("n + m > 5", {"n": 3, "m": 2.5}, True), ("n - m > 5", {"n": 3, "m": 2.5}, False),
    ("n * 2 == 8", {"n": 4}, True), ("n / m > 1", {"n": 3, "m": 2}, True),
    ("n / m > 1", {"n": 3, "m": 0}, None),                     # division by zero cannot be decided
    ("-n < 0", {"n": 1}, True),
    ("output > capacity * 110 %", {"output": 111, "capacity": 100}, True),
    ("output > capacity * 110 %", {"output": 110, "capacity": 100}, False),
    ("output / capacity > 10 %", {"output": 11, "capacity": 100}, True),
    # enums, ordered enums, strings, booleans
    ('kind == "dry"', {"kind": "dry"}, True), ('kind != "dry"', {"kind": "wet"}, True),
    ('kind in {"dry", "wet"}', {"kind": "wet"}, True), ('kind not in {"dry"}', {"kind": "dry"}, False),
    ('level >= "orange"', {"level": "red"}, True), ('level >= "orange"', {"level": "yellow"}, False),
    ('"orange" < level', {"level": "red"}, True),
    ('name == "甲"', {"name": "甲"}, True),
    ("flag == true", {"flag": True}, True), ("flag == false", {"flag": True}, False),
    # sets and emptiness
    ('"dry" in kinds', {"kinds": ["dry", "wet"]}, True), ('"dry" not in kinds', {"kinds": ["wet"]}, True),
    ("kind in kinds", {"kind": "wet", "kinds": ["wet"]}, True),
    ("kinds is empty", {"kinds": []}, True), ("kinds is not empty", {"kinds": []}, False),
    ("kinds is empty", {}, None),
    ("count(kinds) >= 2", {"kinds": ["dry", "wet"]}, True),
    # boolean connectives and named conditions
    ("flag and flag2", {"flag": True}, None), ("flag and flag2", {"flag": False}, False),
    ("flag or flag2", {"flag2": True}, True), ("not flag", {"flag": False}, True), ("not flag", {}, None),
    ("cond_b", {"n": 2, "flag": True}, True), ("cond_b", {"n": 0}, False), ("cond_b", {"n": 2}, None),
    ("at_least(2, flag, flag2, flag3)", {"flag": True, "flag3": True}, True),
    ("at_least(2, flag, flag2, flag3)", {"flag": False, "flag2": False}, False),
    ("at_least(2, flag, flag2, flag3)", {"flag": True}, None),
    # dates and durations
    ("expiry < 2024-06-01", {"expiry": "2024-05-31"}, True),
    ("inspection.date - expiry > 30 d", {"expiry": "2024-05-01"}, True),     # finding dated 2024-06-15
    ("inspection.date - expiry > 30 d", {"expiry": "2024-05-20"}, False),
    # a constant duration shifts a date (the days are an exact fraction: all three evaluators)
    ("expiry < 2024-01-01 + 30 d", {"expiry": "2024-01-30"}, True),
    ("expiry < 2024-01-01 + 30 d", {"expiry": "2024-01-31"}, False),
    ("expiry < 2024-01-01 + 30 d or n > 9", {"n": 3}, None),
    ("inspection.date > expiry + 10 天", {"expiry": "2024-06-01"}, True),
    ("inspection.date < expiry - 24 h", {"expiry": "2024-06-17"}, True),
    ("inspection.date > expiry + days_left", {"expiry": "2024-06-01", "days_left": 20}, False),
    ("inspection.date > 2024-01-01", {}, True),
    # quantifiers and counting over lists of items
    ("any t in tanks: t.level > 1 and not t.ok",
     {"tanks": [{"level": 2, "ok": True}, {"level": 3, "ok": False}]}, True),
    ("any t in tanks: t.level > 1", {"tanks": [{"level": 0}, {}]}, None),
    ("all t in tanks: t.ok", {"tanks": [{"ok": True}, {"ok": False}]}, False),
    ("all t in tanks: t.ok", {"tanks": []}, True),
    ('any t in tanks: t.zone == "z20"', {"tanks": [{"zone": "z21"}]}, False),
    ("count(t in tanks: t.ok) >= 2", {"tanks": [{"ok": True}, {"ok": True}, {"ok": False}]}, True),
    ("count(t in tanks: t.ok) >= 2", {"tanks": [{"ok": True}, {}]}, None),
    ("count(tanks) == 3", {"tanks": [{}, {}, {}]}, True),
    ("tanks is not empty", {"tanks": [{}]}, True),
]


@pytest.fixture(scope="module")
def rulesets(tmp_path_factory):
    cache = {}

    def get(condition: str):
        if condition not in cache:
            root = tmp_path_factory.mktemp("pack") / "rules"
            text = PACK.replace("when: WHEN", f"when: '{condition}'" if '"' in condition else f'when: "{condition}"')
            cache[condition] = load_rulesets(write_rules(root, text))
        return cache[condition]
    return get


@pytest.mark.parametrize("condition, facts, expected", CASES, ids=[f"{c} | {f}" for c, f, _ in CASES])
def test_construct(rulesets, condition: str, facts: dict, expected: bool | None) -> None:
    record = {"id": "X", "date": "2024-06-15", "industries": ["demo"], "facts": facts}
    verdict = rulesets(condition).classify(record, scope="enterprise")  # the rule's own three-valued value
    value = {"major": True, "ordinary": False, "undetermined": None}[verdict.verdict]
    assert value is expected, verdict.model_dump_json(indent=1)


def test_as_of_changes_the_inspection_date(rulesets) -> None:
    ruleset = rulesets("inspection.date - expiry > 30 d")
    record = {"id": "X", "date": "2024-06-15", "industries": ["demo"], "facts": {"expiry": "2024-06-01"}}
    assert ruleset.classify(record).verdict == "ordinary"
    assert ruleset.classify(record, as_of=dt.date(2024, 8, 1)).verdict == "major"
