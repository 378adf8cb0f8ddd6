"""`hazard-rules rules coverage`: items encoded per article, wording provenance, tests by expected
value, determination; and docs/coverage.md kept equal to the command's Markdown output."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from hazard_rules import load_rulesets
from hazard_rules.authoring.coverage import Tally, TestCounts, build_coverage, to_json, to_markdown
from hazard_rules.cli.coverage_view import print_coverage

from .conftest import DEMO_PACK, ROOT, run_cli, write_rules

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"

# The demo pack plus an article with declared items: （二） missing, （一） judged by the inspector.
SECTION_2 = """\
  - id: s2
    article: 第二条
    title: 演示专项
    items: [（一）, （三）]
    missing:
      （二）: 原文未找到：已检索官方网站与公报 | 两处转载
"""
RULES_2 = """\
  - id: D-2-1
    section: s2
    clause: （一）
    text: 未经判定合格的
    provenance: {status: verified, sources: [S1, S2]}
    determination: inspector
    when: not a.ok
  - id: D-2-3
    section: s2
    clause: （三）
    text: 人数超过20人的
    provenance: {status: unverified, note: 仅见转载}
    when: a.workers > 20 人
"""
TESTS_2 = """\
tests:
  D-2-1:
    - {facts: {a.ok: false}, expect: true}
    - {facts: {a.ok: true}, expect: false}
    - {facts: {}, expect: unknown}
  D-2-3:
    - {facts: {a.workers: 21}, expect: true}
    - {facts: {a.workers: 20}, expect: false}
    - {facts: {a.workers: 2}, expect: false}
    - {facts: {a.kind: dry}, scope: finding, expect: not_concerned}
"""
VARIANT = (DEMO_PACK.replace("  - {id: s1, article: 第一条}\n", "  - {id: s1, article: 第一条}\n" + SECTION_2)
           .replace("provisions:\n", RULES_2 + "provisions:\n"))
assert VARIANT.count("D-2-") == 2

OTHER_PACK = """\
standard:
  family: other
  name: 另一标准
  number: 另〔2020〕2号
  issuer: 另一部
  effective_from: 2020-03-01
  effective_to: 2024-12-31
scope:
  industries: [other]
facts:
  o.open: {label: 是否敞开, type: bool}
sections:
  - {id: a3, article: 第三条, items: [（一）], missing: {（二）: 原文未找到}}
rules:
  - id: O-3-1
    section: a3
    clause: （一）
    text: 敞开的
    provenance: {status: verified, sources: [S1]}
    when: o.open
"""
OTHER_TESTS = "tests:\n  O-3-1:\n    - {facts: {o.open: true}, expect: true}\n"


@pytest.fixture
def variant_rules(tmp_path: Path) -> Path:
    rules = write_rules(tmp_path / "rules", VARIANT)
    (rules / "demo" / "pack.tests.yaml").write_text(TESTS_2, encoding="utf-8")
    write_rules(rules, OTHER_PACK, name="other")
    (rules / "other" / "pack.tests.yaml").write_text(OTHER_TESTS, encoding="utf-8")
    return rules


def test_counts_per_pack_article_item_and_rule(variant_rules: Path) -> None:
    report = build_coverage(load_rulesets(variant_rules, tests=True))
    assert [p.id for p in report.packs] == ["demo", "other"]
    demo = report.packs[0]
    assert (demo.name, demo.number, demo.period) == ("演示标准", "演示〔2024〕1号", "2024-01-01 – (still in force)")
    first, second = demo.articles
    # A section without `items:` counts its rules, one item each.
    assert [i.label for i in first.items] == ["第一条"] * 5
    assert [r.id for i in first.items for r in i.rules] == ["D-1", "D-2", "D-3", "D-4", "D-5"]
    # Declared items and the missing one, in the article's order.
    assert [(i.label, i.missing) for i in second.items] == [("第二条（一）", False), ("第二条（二）", True),
                                                           ("第二条（三）", False)]
    gap = second.items[1]
    assert gap.rules == () and gap.note == "原文未找到：已检索官方网站与公报 | 两处转载"
    judged, counted = second.items[0].rules[0], second.items[2].rules[0]
    assert (judged.id, judged.wording, judged.determination) == ("D-2-1", "verified (S1, S2)", "inspector")
    assert judged.tests == TestCounts(true=1, false=1, unknown=1)
    assert (counted.wording, counted.determination) == ("unverified", "facts")
    assert counted.tests == TestCounts(true=1, false=2, not_concerned=1) and counted.tests.total == 4
    assert demo.tally == Tally(items_encoded=7, items_missing=1, rules=7, verified=5, unverified=2, by_facts=6,
                               by_inspector=1, tests=TestCounts(true=2, false=3, unknown=1, not_concerned=1))
    assert demo.tally.items_total == 8
    other = report.packs[1]
    assert other.period == "2020-03-01 – 2024-12-31"
    assert (other.tally.items_encoded, other.tally.items_missing, other.tally.tests.total) == (1, 1, 1)
    assert report.totals == demo.tally + other.tally
    assert (report.totals.items_encoded, report.totals.items_total, report.totals.tests.total) == (8, 10, 8)


def test_restricting_to_packs_and_json(variant_rules: Path) -> None:
    report = build_coverage(load_rulesets(variant_rules, tests=True), ["other"])
    assert [p.id for p in report.packs] == ["other"] and report.totals == report.packs[0].tally
    data = to_json(report)
    assert data["totals"] == {"packs": 1, "items": {"encoded": 1, "missing": 1, "total": 2}, "rules": 1,
                              "wording": {"verified": 1, "unverified": 0},
                              "determination": {"facts": 1, "inspector": 0},
                              "tests": {"total": 1, "true": 1, "false": 0, "unknown": 0, "not_concerned": 0}}
    items = data["packs"][0]["articles"][0]["items"]
    assert [(i["item"], i["status"], i["note"]) for i in items] == [("第三条（一）", "encoded", None),
                                                                 ("第三条（二）", "missing", "原文未找到")]
    assert items[0]["rules"][0]["provenance"] == {"status": "verified", "sources": ["S1"]}
    assert data["packs"][0]["effective_to"] == "2024-12-31"


def test_markdown_escapes_pack_text_in_cells(variant_rules: Path) -> None:
    text = to_markdown(build_coverage(load_rulesets(variant_rules, tests=True)))
    assert "| 第二条（二） | **missing** | 原文未找到：已检索官方网站与公报 \\| 两处转载 |" in text
    assert "| 第二条（一） | D-2-1 | verified (S1, S2) | 3 | 1 | 1 | 1 | 0 | inspector |" in text
    assert "| **total** (2 pack(s)) | | | | 8 / 10 | 6 / 8 | 8 |" in text


def test_text_fits_an_80_column_terminal(variant_rules: Path) -> None:
    console = Console(width=80, record=True, highlight=False, color_system=None, file=io.StringIO())
    print_coverage(build_coverage(load_rulesets(variant_rules, tests=True)), console)
    text = console.export_text()
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    assert "D-2-1" in text and "missing" in text and "inspector" in text


def test_cli_text_output_matches_the_golden(variant_rules: Path) -> None:
    result = run_cli("rules", "coverage", "--rules", str(variant_rules))
    assert result.returncode == 0, result.stderr
    shown = "".join(line.rstrip() + "\n" for line in result.stdout.splitlines())  # rich pads table cells
    path = GOLDEN / "coverage.txt"
    if UPDATE:
        path.write_text(shown, encoding="utf-8")
    assert path.is_file(), f"{path} is missing; run with UPDATE_GOLDENS=1 to create it"
    assert shown == path.read_text(encoding="utf-8")
    as_json = run_cli("rules", "coverage", "other", "--rules", str(variant_rules), "--format", "json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["totals"]["packs"] == 1


@pytest.mark.parametrize("args, message", [
    (["rules", "coverage", "gongmao-2032"], "no pack 'gongmao-2032'"),
    (["rules", "coverage", "--rules", "nowhere"], "rules folder not found"),
    (["rules", "coverage", "--format", "html"], "Invalid value for '--format'"),
])
def test_bad_input_exits_2_with_a_message(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_docs_coverage_md_is_current() -> None:
    result = run_cli("rules", "coverage", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    committed = (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8")
    assert committed == result.stdout, "regenerate: hazard-rules rules coverage --format markdown > docs/coverage.md"
