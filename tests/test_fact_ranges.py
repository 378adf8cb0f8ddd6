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


# ---------------------------------------------------------------------------- a bad `range`
# Each mistake in writing a range is one E104 with a message that names it, a caret on the
# value at fault and a hint that says how to write it (the golden cases under
# tests/fixtures/bad_packs/e104-schema-fact-range-* show two of them as `rules lint` prints them).

BAD_RANGES = [
    # (fact type, range as written, message, the text the caret is on, a piece of the hint)
    ("int", "[a, 3]", "the least value of `range` is not a number: 'a'", "a", "write a number"),
    ("int", '["1", 3]', "the least value of `range` is not a number: '1'", '"1"', "write it as a plain number, 1"),
    ("int", "[1, 1e3]", "the greatest value of `range` is not a number: '1e3'", "1e3",
     "write it as a plain number, 1000"),
    ("decimal", "[0, 10 m]", "the greatest value of `range` is not a number: '10 m'", "10 m",
     "write the number alone (10)"),
    ("int", "[true, 3]", "the least value of `range` is not a number: True", "true", "true and false are not numbers"),
    ("int", "[1, null]", "the greatest value of `range` is missing", "null", "a range has both bounds"),
    ("decimal", "[0, 1.0e400]", "the greatest value of `range` is not a finite number: inf", "1.0e400",
     "finite numbers"),
    ("int", "[1]", "`range` must be two numbers, [least, greatest]; it has 1", "[1]", "for example `range: [1, 3]`"),
    ("int", "[1, 2, 3]", "`range` must be two numbers, [least, greatest]; it has 3", "[1, 2, 3]",
     "leave `range` out"),
    ("int", "5", "`range` must be a list of two numbers, [least, greatest], got 5", "5", "for example"),
    ("int", "{least: 1, greatest: 3}", "`range` must be a list of two numbers, [least, greatest]",
     "{least: 1, greatest: 3}", "the least and the greatest value of the int fact"),
    ("decimal", "[3.5, 1]", "`range` [3.5, 1] is empty: its least value is greater than its greatest", "[3.5, 1]",
     "write it [1, 3.5]"),
    ("int", "[0.5, 10]", "the range of an int fact must be whole numbers, got [0.5, 10]", "[0.5, 10]",
     "declare the fact `decimal`"),
    ("str", "[1, 3]", "`range` does not apply to str", "range", "a text fact with a fixed set of values is an enum"),
    ("date", "[1, 3]", "`range` does not apply to date", "range", "compares a date in its condition"),
]


@pytest.mark.parametrize(("kind", "written", "message", "caret", "hint"), BAD_RANGES,
                         ids=[f"{k}-{w}" for k, w, *_ in BAD_RANGES])
def test_each_mistake_in_a_range_has_its_message_place_and_hint(tmp_path: Path, kind: str, written: str,
                                                                 message: str, caret: str, hint: str) -> None:
    from hazard_rules import PackErrors

    line = f"  p.x: {{label: 某值, type: {kind}, range: {written}}}"
    when = {"str": 'p.x == "a"', "date": "p.x < 2024-01-01"}.get(kind, "p.x > 1")
    pack = PACK.split("facts:\n")[0] + f"facts:\n{line}\nsections:\n  - {{id: s1, article: 第一条}}\nrules:\n" \
        f"  - {{id: R-1, section: s1, text: 某值的, provenance: {{status: verified}}, when: {when}}}\n"
    with pytest.raises(PackErrors) as caught:
        load_rulesets(write_rules(tmp_path / "rules", pack))
    [error] = caught.value.errors
    assert (error.code, error.message) == ("E104", message)
    assert error.span is not None and error.span.source_line == line
    assert line[error.span.column - 1:].startswith(caret) and error.span.width == len(caret)
    assert hint in (error.hint or "")
