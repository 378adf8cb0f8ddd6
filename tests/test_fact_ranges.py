"""A number fact declared with `range: [least, greatest]`: a record outside it is a bad
record, a small int range is enumerated (exact decisions, lint L003/L004), and condition
coverage, boundaries and why-not neither ask for nor propose a value outside it.
The pack errors for a bad range are goldens under tests/fixtures/bad_packs/e104-schema-fact-range-*."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from hazard_rules import load_rulesets
from hazard_rules.authoring.boundaries import boundary_report, findings
from hazard_rules.authoring.condition_coverage import condition_coverage
from hazard_rules.authoring.lint import lint
from hazard_rules.authoring.why_not import why_not
from hazard_rules.checking import ir
from hazard_rules.checking.types import Type
from hazard_rules.compiling.exact import decide_exactly, domain, domain_size

from .conftest import run_cli, write_rules

PACK = """\
standard: {family: demo, name: 演示标准, number: 演示〔2024〕1号, issuer: 演示部, effective_from: 2024-01-01}
scope: {industries: [demo]}
facts:
  p.open: {label: 正在施工, type: bool}
  p.phase: {label: 工程阶段（一期、二期、三期）, type: int, range: [1, 3]}
  p.depth: {label: 深度, type: decimal, unit: m, range: [0, 50]}
sections:
  - {id: s1, article: 第一条}
rules:
  - {id: R-1, section: s1, text: 进入三期工程仍在施工的, provenance: {status: verified},
     when: p.open and p.phase >= 3}
  - {id: R-2, section: s1, text: 工程阶段在一期以上而仍在施工的, provenance: {status: verified},
     when: p.open and p.phase >= 1}
  - {id: R-3, section: s1, text: 进入四期工程的, provenance: {status: verified}, when: p.phase >= 4}
  - {id: R-4, section: s1, text: 深度超过10m的, provenance: {status: verified}, when: p.depth > 10 m}
"""
TESTS = """\
tests:
  R-1:
    - {name: 三期施工, facts: {p.open: true, p.phase: 3}, expect: true}
    - {name: 二期施工, facts: {p.open: true, p.phase: 2}, expect: false}
    - {name: 未施工, facts: {p.open: false, p.phase: 3}, expect: false}
    - {name: 阶段未记, facts: {p.open: true}, expect: unknown}
    - {name: 施工未记, facts: {p.phase: 3}, expect: unknown}
"""

RECORDS = [{"id": "G-1", "date": "2024-05-01", "industries": ["demo"], "facts": {"p.open": True, "p.phase": 3}},
           {"id": "B-1", "date": "2024-05-01", "industries": ["demo"], "facts": {"p.open": True, "p.phase": 4}},
           {"id": "B-2", "date": "2024-05-01", "industries": ["demo"], "facts": {"p.depth": "60 m"}}]


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    root = write_rules(tmp_path / "rules", PACK)
    (root / "demo" / "pack.tests.yaml").write_text(TESTS, encoding="utf-8")
    return root


def test_a_record_outside_the_range_is_a_bad_record(rules: Path, tmp_path: Path) -> None:
    file = tmp_path / "findings.jsonl"
    file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8")
    result = run_cli("check", str(file), "--rules", str(rules), "--format", "jsonl")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 3, result.stderr
    assert (f"{file}:record 2: error[E401]: finding B-1: fact 'p.phase': 4 is outside the declared range [1, 3]"
            in result.stderr)
    assert "hint: the vocabulary declares `range: [1, 3]` for this fact" in result.stderr
    assert f"{file}:record 3: error[E401]: finding B-2: fact 'p.depth': '60 m' is outside the declared range " \
           "[0, 50] in m" in result.stderr
    assert [json.loads(line)["finding"] for line in result.stdout.splitlines()] == ["G-1"]


def test_the_shipped_construction_phase_is_one_to_three(shipped) -> None:
    assert shipped.facts["construction.phase"].bounds == (1, 3)
    with pytest.raises(ValueError, match=r"4 is outside the declared range \[1, 3\]"):
        shipped.coerce_facts({"construction.phase": 4})
    assert shipped.coerce_facts({"construction.phase": "3"})[0] == {"construction.phase": 3}


def test_a_small_int_range_is_enumerable_and_a_decimal_range_is_not() -> None:
    phase = Type("num", integer=True, bounds=(1, 3))
    assert domain_size(phase) == 3 and domain(phase) == (1, 2, 3)
    assert domain_size(Type("num", integer=True, bounds=(0, 10**6))) is None  # too many to try
    assert domain_size(Type("num", bounds=(0, 50))) is None
    assert domain_size(Type("num", integer=True)) is None


def test_exact_decides_a_comparison_by_the_range() -> None:
    phase = ir.Fact("p.phase", Type("num", integer=True, bounds=(1, 3)))
    beyond = ir.Cmp(">=", phase, ir.Const(4, Type("num")))
    within = ir.Cmp(">=", phase, ir.Const(1, Type("num")))
    middle = ir.Cmp(">=", phase, ir.Const(2, Type("num")))
    day = dt.date(2024, 6, 1)
    assert decide_exactly(beyond, {}, day).value is False
    assert decide_exactly(within, {}, day).value is True
    assert decide_exactly(middle, {}, day) is None  # 1 gives false, 2 and 3 true


def test_lint_reports_a_rule_the_range_makes_constant(rules: Path) -> None:
    found = {(f.code, f.message) for f in lint(load_rulesets(rules)) if f.code in ("L003", "L004")}
    assert found == {("L003", "rule R-3 is false for every value of the facts it reads (p.phase)")}
    # R-2 `p.open and p.phase >= 1` is not constant (p.open decides it), but its comparison is
    # decided: condition coverage asks for it true, never false.


def test_coverage_asks_at_the_threshold_and_below_but_not_above_the_range(rules: Path) -> None:
    ruleset = load_rulesets(rules, tests=True)
    (pack,) = condition_coverage(ruleset, {"demo"}).packs
    r1 = next(r for r in pack.rules if r.rule == "R-1")
    threshold = {o.want for o in r1.required if o.kind == "threshold"}
    assert threshold == {"below", "at"}
    assert {o.want for o in r1.excluded if o.kind == "threshold"} == {"above"}
    assert not r1.missing  # a 3 and a 2 meet every obligation there is
    r2 = next(r for r in pack.rules if r.rule == "R-2")
    assert {(o.kind, o.want) for o in r2.excluded if o.text == "p.phase >= 1"} >= {
        ("threshold", "below"), ("condition", "false")}


def test_boundaries_stay_within_the_range(rules: Path) -> None:
    report = boundary_report(load_rulesets(rules, tests=True), {"demo"})
    points = {(b.fact, b.points) for r in report.rules for b in r.boundaries}
    assert ("p.phase", (2, 3)) in points      # `>= 3`: 4 is no value of the fact
    assert ("p.depth", (9.5, 10, 10.5)) in points


@settings(max_examples=50, deadline=None)
@given(findings({"p.phase": Type("num", integer=True, bounds=(1, 3)), "p.depth": Type("num", bounds=(0, 50))},
                {"p.phase": {2, 3, 4}, "p.depth": {49.5, 50, 50.5}}))
def test_generated_findings_stay_within_the_range(record: dict) -> None:
    assert record.get("p.phase", 1) in (1, 2, 3)
    assert 0 <= record.get("p.depth", 0) <= 50


def test_why_not_proposes_no_value_outside_the_range(rules: Path) -> None:
    ruleset = load_rulesets(rules)

    def ask(rule_id: str, facts: dict) -> list[dict]:
        pack, rule = ruleset.rule(rule_id)
        answer = why_not(ruleset, pack, rule, ruleset.coerce_facts(facts)[0], dt.date(2024, 6, 1), ["demo"])
        return [{c.fact: c.after for c in way.changes} for way in answer.ways]

    assert ask("R-1", {"p.open": True, "p.phase": 1}) == [{"p.phase": 3}]
    assert ask("R-3", {"p.phase": 1}) == []  # 4 would make it true, but no record can give 4
