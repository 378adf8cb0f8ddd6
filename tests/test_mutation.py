"""`rules test --mutate`: a pack whose tests miss a changed rule fails; an equivalence mark
silences exactly the mutant it names; the shipped packs have no unmarked survivor."""

from __future__ import annotations

from pathlib import Path

from hazard_rules import load_rulesets
from hazard_rules.authoring.mutation import mutants, mutation_report

from .conftest import run_cli

PACK = """\
standard: {family: demo, name: 演示标准, number: 演示〔2024〕1号, issuer: 演示部, effective_from: 2024-01-01}
scope: {industries: [demo]}
imports: [_shared]
facts:
  a.present: {label: 设有装置, type: bool, context: true}
  a.alarm: {label: 报警装置, type: device}
  a.workers: {label: 人数, type: int, unit: 人}
sections:
  - {id: s1, article: 第一条, items: [（一）]}
rules:
  - id: D-1
    section: s1
    clause: （一）
    text: 设有装置而未设报警装置，或者人数超过9人的
    provenance: {status: verified}
    when: a.present and (a.alarm != "effective" or a.workers > 9 人)
    MARKS
"""
TESTS = """\
tests:
  D-1:
    - {name: 报警未设, facts: {a.present: true, a.alarm: absent}, expect: true}
    - {name: 均正常, facts: {a.present: true, a.alarm: effective, a.workers: 9}, expect: false}
    - {name: 10人, facts: {a.present: true, a.alarm: effective, a.workers: 10}, expect: true}
    - {name: 无装置, facts: {a.present: false}, expect: false}
    - {name: 未记录, facts: {a.present: true}, expect: unknown}
"""


def write_pack(root: Path, marks: str = "") -> Path:
    folder = root / "rules" / "demo"
    folder.mkdir(parents=True)
    (folder / "pack.yaml").write_text(PACK.replace("MARKS", marks or "notes: 演示"), encoding="utf-8")
    (folder / "pack.tests.yaml").write_text(TESTS, encoding="utf-8")
    shared = root / "rules" / "_shared"
    shared.mkdir()
    from .conftest import RULESETS

    (shared / "vocabulary.yaml").write_text((RULESETS / "_shared" / "vocabulary.yaml").read_text(encoding="utf-8"),
                                            encoding="utf-8")
    return root / "rules"


def test_mutants_are_built_from_the_checked_condition(tmp_path) -> None:
    ruleset = load_rulesets(write_pack(tmp_path))
    _, rule = ruleset.rule("D-1")
    ids = [m.id for m in mutants(rule)]
    assert "when:root:and->or" in ids and "when:1.0:device-absent-only" in ids
    assert any(i.endswith(":>->>=") for i in ids) and any(i.endswith(":drop-1") for i in ids)


def test_a_surviving_mutant_fails_the_run_with_a_finding_that_tells_it_apart(tmp_path) -> None:
    rules = write_pack(tmp_path)
    report = mutation_report(load_rulesets(rules, tests=True))
    survivors = {r.mutant.id: r for r in report.survivors}
    # no test has a failed (not absent) alarm: `!= "effective"` → `== "absent"` goes unnoticed
    device = survivors["when:1.0:device-absent-only"]
    assert device.witness == {"a.alarm": "failed", "a.present": True} and device.values == ("true", "unknown")
    result = run_cli("rules", "test", "--mutate", "--rules", str(rules))
    assert result.returncode == 1
    assert "SURVIVED D-1 [when:1.0:device-absent-only]" in result.stdout
    assert 'no test has a finding like {"a.alarm": "failed", "a.present": true}' in result.stdout


def test_an_equivalence_mark_silences_exactly_its_mutant_and_a_stale_mark_fails(tmp_path) -> None:
    rules = write_pack(tmp_path)
    before = {r.mutant.id for r in mutation_report(load_rulesets(rules, tests=True)).survivors}
    marked = "equivalent_mutants: [{mutant: 'when:1.0:device-absent-only', reason: 演示：只为测试标记}]"
    rules = write_pack(tmp_path / "marked", marked)
    report = mutation_report(load_rulesets(rules, tests=True))
    assert {r.mutant.id for r in report.survivors} == before - {"when:1.0:device-absent-only"}
    assert [r.equivalent for r in report.results if r.equivalent] == ["演示：只为测试标记"]
    stale = write_pack(tmp_path / "stale", "equivalent_mutants: [{mutant: 'when:9:drop-1', reason: 过时}]")
    result = run_cli("rules", "test", "--mutate", "--rules", str(stale))
    assert result.returncode == 1 and "STALE    D-1: equivalent_mutants names 'when:9:drop-1': no such mutant" \
        in result.stdout


def test_a_pack_whose_tests_state_the_law_kills_every_mutant(tmp_path) -> None:
    rules = write_pack(tmp_path)
    text = (rules / "demo" / "pack.tests.yaml").read_text(encoding="utf-8")
    text = text.replace("    - {name: 未记录,",
                        "    - {name: 报警失效, facts: {a.present: true, a.alarm: failed}, expect: true}\n"
                        "    - {name: 报警正常人数未记录,"
                        " facts: {a.present: true, a.alarm: effective}, expect: unknown}\n"
                        "    - {name: 人数超员报警未记录, facts: {a.present: true, a.workers: 12}, expect: true}\n"
                        "    - {name: 未记录,")
    (rules / "demo" / "pack.tests.yaml").write_text(text, encoding="utf-8")
    report = mutation_report(load_rulesets(rules, tests=True))
    assert report.survivors == [], [(r.mutant.id, r.witness) for r in report.survivors]
    assert run_cli("rules", "test", "--mutate", "--rules", str(rules)).returncode == 0


def test_the_shipped_packs_have_no_unmarked_surviving_mutant() -> None:
    """Every pack is held to it: a test states the law wherever a small change would go unnoticed."""
    report = mutation_report(load_rulesets(tests=True))
    assert len(report.results) > 600
    assert not report.stale_marks, report.stale_marks
    assert report.survivors == [], "\n".join(
        f"{r.mutant.rule} [{r.mutant.id}] {r.mutant.description}: {r.witness}" for r in report.survivors)


def test_rules_test_takes_the_packs_to_run(tmp_path) -> None:
    rules = write_pack(tmp_path)
    named = run_cli("rules", "test", "demo", "--mutate", "--rules", str(rules))
    assert "SURVIVED D-1" in named.stdout and named.returncode == 1
    unknown = run_cli("rules", "test", "dem0", "--rules", str(rules))
    assert unknown.returncode == 2 and "no pack 'dem0'" in unknown.stderr and "did you mean 'demo'?" in unknown.stderr
