"""`rules lint` beyond the static checker (issue 12, item 4): authoring/lint.py's findings,
each with a case that finds it and one that does not, and the command end to end with
golden text, JSON and SARIF outputs (tests/golden/lint/; regenerate after a deliberate
change with `UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/test_lint.py` and review
the diff)."""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from hazard_rules import load_rulesets
from hazard_rules.authoring.lint import LINTS, Finding, lint, text_comparisons

from .conftest import assert_golden, run_cli, write_rules

GOLDEN = Path(__file__).resolve().parent / "golden" / "lint"


def _pack(family: str, start: str, end: str, facts: str, rules: str) -> str:
    return textwrap.dedent("""\
        standard:
          family: {family}
          name: 演示标准
          number: 演示〔{year}〕1号
          issuer: 演示部
          effective_from: {start}
          effective_to: {end}
        scope:
          industries: [demo]
        facts:
        {facts}
        sections:
          - {{id: s1, article: 第一条}}
          - {{id: s2, article: 第二条}}
        rules:
        {rules}
        """).format(family=family, year=start[:4], start=start, end=end,
                    facts=textwrap.indent(textwrap.dedent(facts), "  "),
                    rules=textwrap.indent(textwrap.dedent(rules), "  "))


FACTS = """\
a.workers: {label: 人数, type: int, unit: 人}
a.pressure: {label: 压力, type: decimal, unit: kPa}
a.kind: {label: 类型, type: enum, values: {dry: 干式, wet: 湿式}}
a.ok: {label: 是否合格, type: bool}
a.grade: {label: 等级, type: enum, values: {low: 低, high: 高}}
"""

# One rule per kind of finding, and rules that must not be reported.
RULES = """\
- {id: L-1, section: s1, text: 作业人数超过9人的, provenance: {status: verified}, when: a.workers >= 9 人}
- id: L-2
  section: s1
  text: 作业人数达到3人以上且压力低于30kPa的
  provenance: {status: verified}
  when: a.workers >= 3 人
- {id: L-3, section: s1, text: 合格又不合格的, provenance: {status: verified}, when: a.ok and not a.ok}
- id: L-4
  section: s1
  text: 干式或者非干式的
  provenance: {status: verified}
  when: a.kind == "dry" or a.kind != "dry"
- {id: L-5, section: s1, text: 压力小于30kPa的, provenance: {status: verified}, when: a.pressure < 0.03 MPa}
- id: L-6
  section: s1
  text: 人数不少于3人，或者不足3人的
  provenance: {status: verified}
  when: a.workers >= 3 人 or a.workers < 3 人
- {id: L-7, section: s1, text: 干式且合格的, provenance: {status: verified}, when: a.kind == "dry" and a.ok}
- {id: L-8, section: s1, text: 合格且干式的, provenance: {status: verified}, when: a.ok and not a.kind != "dry"}
- {id: L-9, section: s1, text: 湿式的, provenance: {status: verified}, when: a.kind == "wet"}
- {id: L-10, section: s1, text: 湿式且不合格的, provenance: {status: verified}, when: a.kind == "wet" and not a.ok}
- {id: L-11, section: s2, text: 湿式且合格的, provenance: {status: verified}, when: a.kind == "wet" and a.ok}
"""

TESTS = """\
tests:
  L-1: [{facts: {a.workers: 10}, expect: true}]
  L-3: [{facts: {a.ok: true}, expect: false}]
  L-4: [{facts: {a.kind: dry}, expect: true}]
  L-5: [{facts: {a.pressure: 10}, expect: true}]
  L-6: [{facts: {a.workers: 3}, expect: true}]
  L-7: [{facts: {a.kind: dry, a.ok: true}, expect: true}]
  L-8: [{facts: {a.kind: dry, a.ok: true}, expect: true}]
  L-9: [{facts: {a.kind: wet}, expect: true}]
  L-10: [{facts: {a.kind: wet, a.ok: false}, expect: true}]
  L-11: [{facts: {a.kind: wet, a.ok: true}, expect: true}]
"""

OLD_RULE = "- {id: O-1, section: s1, text: 不合格的, provenance: {status: verified}, when: not a.ok}\n"
OLD_FACTS = "a.ok: {label: 是否合格, type: bool}\n"


def _write(root: Path, *, gap: bool = True, overlap: bool = True) -> Path:
    """Three editions of the family demo: 2015 (ends 2018, a gap to 2020 if gap), 2020
    (ends 2024-06-30, overlapping 2024 if overlap, else 2023-12-31), 2024 with the rules above."""
    rules = write_rules(root, _pack("demo", "2024-01-01", "null", FACTS, RULES), "demo-2024")
    (rules / "demo-2024" / "pack.tests.yaml").write_text(TESTS, encoding="utf-8")
    editions = [("demo-2015", "2015-01-01", "2018-12-31" if gap else "2019-12-31"),
                ("demo-2020", "2020-01-01", "2024-06-30" if overlap else "2023-12-31")]
    for name, start, end in editions:
        write_rules(root, _pack("demo", start, end, OLD_FACTS, OLD_RULE.replace("O-1", name.upper())), name)
        (rules / name / "pack.tests.yaml").write_text(
            f"tests:\n  {name.upper()}: [{{facts: {{a.ok: false}}, expect: true}}]\n", encoding="utf-8")
    return rules


@pytest.fixture
def lint_rules(tmp_path: Path) -> Path:
    return _write(tmp_path / "rules")


def _found(rules: Path) -> list[Finding]:
    return lint(load_rulesets(rules, tests=True))


def _by_code(findings: list[Finding]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for finding in findings:
        out.setdefault(finding.code, []).append(finding.message)
    return out


# Articles and their items (L011, L012) have their own fixture pack: the packs above are
# not about them (their sections declare no items), and test_article_items checks them.
ITEM_LINTS = ("L011", "L012")


def test_each_kind_of_finding_and_none_where_there_is_none(lint_rules: Path) -> None:
    found = _by_code([f for f in _found(lint_rules) if f.code not in ITEM_LINTS])
    assert found == {
        "L002": ["rule L-1: the text says 超过9人, the condition says `>= 9`"],
        "L001": ["rule L-2: number 30 in the text (低于30kPa) is not used by the condition"],
        "L003": ["rule L-3 is false for every value of the facts it reads (a.ok)"],
        "L004": ["rule L-4 is true for every value of the facts it reads (a.kind)"],
        "L005": ["fact a.grade is declared but no rule reads it"],
        "L006": ["rule L-2 has no tests"],
        "L008": ["standard demo: no edition is in force from 2019-01-01 to 2019-12-31 (between demo-2015 and "
                 "demo-2020)"],
        "L007": ["standard demo: demo-2020 (until 2024-06-30) and demo-2024 (from 2024-01-01) are both in force "
                 "on 2024-01-01"],
        "L009": ["rule L-8 matches exactly the findings rule L-7 matches"],
        "L010": ["rule L-10 is subsumed by rule L-9 of the same article: every finding it matches, L-9 matches too"],
    }
    # Not reported: L-11 (subsumed by L-9 too, but of another article), L-7 vs L-9 (disjoint),
    # L-5 (30kPa written as 0.03 MPa, compared in the fact's unit), L-6 (always true, but over
    # a number: undecidable), 3 in L-2 (used), the facts the rules read, L-3/L-4 as
    # equivalent to or subsumed by anything (constant rules are L003/L004 only).


def test_findings_point_at_what_they_are_about(lint_rules: Path) -> None:
    where = {f.code: str(f.span) for f in _found(lint_rules) if f.code not in ITEM_LINTS}
    new, old = (str(Path("rules") / name / "pack.yaml") for name in ("demo-2024", "demo-2020"))
    assert where == {
        "L002": f"{new}:21:83",   # the comparison `a.workers >= 9 人`
        "L001": f"{new}:24:11",   # the text
        "L003": f"{new}:27:81",   # the condition
        "L004": f"{new}:32:11",
        "L005": f"{new}:15:3",    # the fact's key
        "L006": f"{new}:22:9",    # the rule's id
        "L007": f"{new}:6:19",    # the newer edition's effective_from
        "L008": f"{old}:6:19",
        "L009": f"{new}:40:80",   # the later rule's condition
        "L010": f"{new}:42:82",  # the narrower rule's condition
    }


def test_an_inclusive_comparison_that_agrees_is_not_reported(tmp_path: Path) -> None:
    fixed = RULES.replace("a.workers >= 9 人", "a.workers > 9 人")
    fixed = fixed.replace("when: a.workers >= 3 人\n", "when: a.workers >= 3 人 and a.pressure < 30\n")
    rules = write_rules(tmp_path / "rules", _pack("demo", "2024-01-01", "null", FACTS, fixed), "demo-2024")
    codes = Counter(f.code for f in _found(rules))
    assert "L001" not in codes and "L002" not in codes
    # The breach of a requirement is the complement of the text's set: 不少于3人 vs `< 3` agrees.
    breach = RULES.replace("text: 作业人数超过9人的", "text: 作业人数不少于10人的").replace(">= 9 人", "< 10 人")
    rules = write_rules(tmp_path / "breach", _pack("demo", "2024-01-01", "null", FACTS, breach), "demo-2024")
    assert "L002" not in Counter(f.code for f in _found(rules))


@pytest.mark.parametrize(("when", "found"), [
    ("a.workers * 5 >= a.limit * 6", ["L002"]),    # 超过 excludes 120 %
    ("a.workers * 5 > a.limit * 6", []),
    ("a.workers * 10 > a.limit * 12", []),
    ("a.workers <= a.limit * 1.2", []),            # the complement: the requirement
    ("a.workers > a.limit", ["L001"]),             # 20 % nowhere
])
def test_a_percentage_of_another_fact(tmp_path: Path, when: str, found: list[str]) -> None:
    facts = "a.workers: {label: 人数, type: int}\na.limit: {label: 限员, type: int}\n"
    rule = (f"- {{id: P-1, section: s1, text: 单班作业人数超过限员规定的20%的, provenance: {{status: verified}}, "
            f"when: {when}}}\n")
    rules = write_rules(tmp_path / "rules", _pack("demo", "2024-01-01", "null", facts, rule), "demo-2024")
    assert [f.code for f in _found(rules) if f.code in ("L001", "L002")] == found


def test_editions_that_meet_exactly_are_not_reported(tmp_path: Path) -> None:
    codes = Counter(f.code for f in _found(_write(tmp_path / "rules", gap=False, overlap=False)))
    assert "L007" not in codes and "L008" not in codes


def test_a_shared_fact_is_used_if_any_importing_pack_reads_it(tmp_path: Path) -> None:
    rules = _write(tmp_path / "rules")
    shared = "a.shared: {label: 共享, type: bool}\n"
    (rules / "_demo").mkdir()
    (rules / "_demo" / "vocabulary.yaml").write_text("facts:\n  " + shared, encoding="utf-8")
    for name, reads in (("demo-2015", True), ("demo-2020", False)):
        text = (rules / name / "pack.yaml").read_text(encoding="utf-8")
        text = text.replace("scope:", "imports: [_demo]\nscope:")
        if reads:
            text = text.replace("when: not a.ok}", "when: not a.ok and not a.shared}")
        (rules / name / "pack.yaml").write_text(text, encoding="utf-8")
    assert not [f for f in _found(rules) if "a.shared" in f.message]
    text = (rules / "demo-2015" / "pack.yaml").read_text(encoding="utf-8")
    (rules / "demo-2015" / "pack.yaml").write_text(text.replace(" and not a.shared", ""), encoding="utf-8")
    (unused,) = [f for f in _found(rules) if "a.shared" in f.message]
    assert unused.code == "L005" and unused.span is not None and unused.span.file.endswith("vocabulary.yaml")


@pytest.mark.parametrize(("text", "expected"), [
    ("超过9人", [(9, ">", False)]), ("9人以上", [(9, ">", True)]), ("不超过9人", [(9, "<", True)]),
    ("不足3个", [(3, "<", False)]), ("20m以内", [(20, "<", True)]), ("达到或者超过0.74MPa", [(0.74, ">", True)]),
    ("超过核定能力10%以上", [(10, ">", True)]), ("幅度超过10%以上", []),  # the two words disagree: left out
    ("超过核定(设计)生产能力的110%", [(110, ">", False)]), ("超过规定的人数9人", []),
    ("大于1:5的地基", []), ("GB50089规定", []), ("第9条", []), ("9人", []),
])
def test_numbers_the_text_compares_with(text: str, expected: list[tuple[float, str, bool]]) -> None:
    got = [(float(n.value), n.direction, n.inclusive) for n in text_comparisons(text)]
    assert got == [(float(v), d, i) for v, d, i in expected]


def test_every_lint_code_is_documented() -> None:
    from .conftest import ROOT

    doc = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Lint findings"):]
    for code in LINTS:
        assert f"### {code}" in section, code


# ----------------------------------------------------------------- end to end

def _golden(name: str, output: str, tmp_path: Path) -> None:
    assert_golden(GOLDEN / name, output.replace(str(tmp_path), "<tmp>").replace("\r\n", "\n"))


def test_lint_text_json_and_sarif(tmp_path: Path) -> None:
    _write(tmp_path / "rules")
    text = run_cli("rules", "lint", "--rules", "rules", cwd=tmp_path)
    assert text.returncode == 1, text.stderr  # lint errors
    _golden("findings.txt", text.stdout, tmp_path)
    as_json = run_cli("rules", "lint", "--rules", "rules", "--format", "json", cwd=tmp_path)
    assert as_json.returncode == 1
    _golden("findings.json", as_json.stdout, tmp_path)
    codes = [d["code"] for d in json.loads(as_json.stdout)["diagnostics"]]
    assert sorted(set(codes)) == sorted(LINTS)
    sarif = run_cli("rules", "lint", "--rules", "rules", "--format", "sarif", cwd=tmp_path)
    assert sarif.returncode == 1
    _golden("findings.sarif", sarif.stdout, tmp_path)
    _check_sarif(json.loads(sarif.stdout), codes)


def _check_sarif(log: dict[str, object], codes: list[str]) -> None:
    """The parts of SARIF 2.1.0 that code hosts require."""
    assert log["version"] == "2.1.0" and str(log["$schema"]).endswith("sarif-2.1.0.json")
    (run,) = log["runs"]  # type: ignore[misc]
    driver = run["tool"]["driver"]
    assert driver["name"] == "hazard-rules"
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted(set(codes))
    assert [r["ruleId"] for r in run["results"]] == codes
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning") and result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1


def test_warnings_alone_pass_unless_strict(tmp_path: Path) -> None:
    rules = _write(tmp_path / "rules", gap=True, overlap=False)
    pack = rules / "demo-2024" / "pack.yaml"
    text = pack.read_text(encoding="utf-8")
    # Keep only warnings: the rules with errors go.
    text = text.replace("a.workers >= 9 人", "a.workers > 9 人").replace("a.ok and not a.ok", "a.ok")
    text = text.replace('a.kind == "dry" or a.kind != "dry"', 'a.kind == "dry"')
    pack.write_text(text, encoding="utf-8")
    plain = run_cli("rules", "lint", "--rules", str(rules))
    assert plain.returncode == 0, plain.stdout
    assert " 0 lint error(s), " in plain.stdout and "warning[L005]" in plain.stdout
    strict = run_cli("rules", "lint", "--rules", str(rules), "--strict")
    assert strict.returncode == 1


def test_a_pack_that_does_not_load_is_reported_in_sarif_too(tmp_path: Path) -> None:
    result = run_cli("rules", "lint", "--rules", str(tmp_path / "nowhere"), "--format", "sarif")
    assert result.returncode == 2
    (run,) = json.loads(result.stdout)["runs"]
    assert [r["ruleId"] for r in run["results"]] == ["E501"] and "locations" not in run["results"][0]


def test_the_shipped_packs_have_no_lint_errors() -> None:
    result = run_cli("rules", "lint", "--format", "json")
    assert result.returncode == 0, result.stdout
    findings = json.loads(result.stdout)["diagnostics"]
    assert not [f for f in findings if f["severity"] == "error"]


# ----------------------------------------------------------------- L011, L012: articles and their items

ITEMS = Path(__file__).resolve().parent / "fixtures" / "lint" / "items"


def test_article_items(tmp_path: Path) -> None:
    """tests/fixtures/lint/items: of five articles, one of two rules without `items` (L011) and
    one with no rule and nothing missing (L012); one declaring its items, one of a single rule
    without clause and one whose only item is `missing` are fine. Text and JSON, golden."""
    text = run_cli("rules", "lint", "--rules", "rules", cwd=ITEMS)
    assert text.returncode == 0, text.stderr  # warnings only
    assert_golden(GOLDEN / "items.txt", text.stdout)
    as_json = run_cli("rules", "lint", "--rules", "rules", "--format", "json", cwd=ITEMS)
    assert_golden(GOLDEN / "items.json", as_json.stdout)
    found = [(d["code"], d["line"], d["column"]) for d in json.loads(as_json.stdout)["diagnostics"]]
    assert found == [("L011", 15, 10), ("L012", 16, 10)]
    assert run_cli("rules", "lint", "--rules", "rules", "--strict", cwd=ITEMS).returncode == 1


def test_declaring_the_items_silences_l011_and_a_missing_item_l012(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    (rules / "demo").mkdir(parents=True)
    pack = (ITEMS / "rules" / "demo" / "pack.yaml").read_text(encoding="utf-8")
    pack = pack.replace("{id: s1, article: 第一条}", "{id: s1, article: 第一条, items: [（一）, （二）]}")
    pack = pack.replace("{id: D-1-2, section: s1,", "{id: D-1-2, section: s1, clause: （二）,")
    pack = pack.replace("{id: s2, article: 第二条}", "{id: s2, article: 第二条, missing: {（一）: 原文未找到}}")
    (rules / "demo" / "pack.yaml").write_text(pack, encoding="utf-8")
    tests = (ITEMS / "rules" / "demo" / "pack.tests.yaml").read_text(encoding="utf-8")
    (rules / "demo" / "pack.tests.yaml").write_text(tests, encoding="utf-8")
    assert not _found(rules)


def test_the_lint_summary_says_how_many_rules_l003_could_not_decide() -> None:
    from hazard_rules.authoring.lint import undecided_rules

    ruleset = load_rulesets(ITEMS / "rules", tests=True)
    # D-1-1 and D-4 read a number; the others read only a bool and an enum.
    assert undecided_rules(ruleset) == ["D-1-1", "D-4"]
