"""`rules new FAMILY EDITION` (issue 12, item 7): the scaffolded pack lints and passes its tests
at once, in a subprocess as an author runs it; it never overwrites; its files are golden
(tests/golden/rules-new/, regenerate with UPDATE_GOLDENS=1)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hazard_rules import load_rulesets

from .conftest import RULESETS, assert_golden, run_cli

GOLDEN = Path(__file__).resolve().parent / "golden" / "rules-new"


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    """A rules folder holding only the shared vocabulary (as conftest.write_rules copies it)."""
    root = tmp_path / "rules"
    (root / "_shared").mkdir(parents=True)
    (root / "_shared" / "vocabulary.yaml").write_text(
        (RULESETS / "_shared" / "vocabulary.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return root


def test_the_new_pack_lints_and_passes_its_tests(rules: Path) -> None:
    made = run_cli("rules", "new", "newstd", "2025", "--rules", str(rules))
    assert made.returncode == 0, made.stderr
    pack = rules / "newstd-2025"
    assert sorted(p.name for p in pack.iterdir()) == ["art01.tests.yaml", "art01.yaml", "pack.yaml"]
    for name in ("pack.yaml", "art01.yaml", "art01.tests.yaml"):
        # kept as .txt: a golden pack.yaml beside a .tests.yaml would be collected as a pack by pytest
        assert_golden(GOLDEN / f"{name}.txt", (pack / name).read_text(encoding="utf-8"))
    lint = run_cli("rules", "lint", "--rules", str(rules))
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "1 pack(s), 1 rules: 0 lint error(s)" in lint.stdout
    as_json = run_cli("rules", "lint", "--rules", str(rules), "--format", "json")
    assert as_json.returncode == 0
    # Only the shared vocabulary's facts this one pack does not read are reported (L005 warnings).
    found = json.loads(as_json.stdout)["diagnostics"]
    assert all(d["severity"] == "warning" and d["file"].endswith("_shared/vocabulary.yaml") for d in found), found
    tested = run_cli("rules", "test", "newstd-2025", "--rules", str(rules))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "5 tests, 0 failed" in tested.stdout


def test_the_header_is_marked_todo_and_the_tests_take_every_value(rules: Path) -> None:
    assert run_cli("rules", "new", "newstd", "2025", "--rules", str(rules)).returncode == 0
    header = (rules / "newstd-2025" / "pack.yaml").read_text(encoding="utf-8")
    for key in ("name", "number", "issuer", "effective_from", "source"):
        line = next(line for line in header.splitlines() if line.strip().startswith(f"{key}:"))
        assert "# TODO" in line, line
    ruleset = load_rulesets(rules, tests=True)
    (pack,) = ruleset.packs
    (rule,) = pack.rules
    assert pack.standard.effective_from == dt.date(2025, 1, 1)
    assert rule.rule.provenance.status == "unverified" and rule.section.section.items == ["（一）"]
    assert {test.expect for test in rule.rule.tests} == {True, False, "unknown"}


def test_name_number_and_industry_are_used(rules: Path) -> None:
    made = run_cli("rules", "new", "metal-mine", "2026", "--rules", str(rules), "--name", "某某判定标准",
                   "--number", "某〔2026〕1号", "--industry", "metal_mine.underground")
    assert made.returncode == 0, made.stderr
    ruleset = load_rulesets(rules)
    (pack,) = ruleset.packs
    assert (pack.standard.family, pack.standard.name, pack.standard.number) == (
        "metal-mine", "某某判定标准", "某〔2026〕1号")
    verdict = ruleset.classify({"id": "N-1", "date": "2026-03-01", "industries": ["metal_mine.underground"],
                                "facts": {"metal_mine.example.present": True,
                                          "metal_mine.example.measure_taken": False}})
    assert verdict.verdict == "major" and verdict.matches[0].rule == "METALMINE2026-1-1"


def test_an_existing_folder_is_never_overwritten(rules: Path) -> None:
    assert run_cli("rules", "new", "newstd", "2025", "--rules", str(rules)).returncode == 0
    pack = rules / "newstd-2025" / "pack.yaml"
    pack.write_text(pack.read_text(encoding="utf-8") + "# my edits\n", encoding="utf-8")
    again = run_cli("rules", "new", "newstd", "2025", "--rules", str(rules))
    assert again.returncode == 2
    assert "exists already; `rules new` never overwrites a pack" in again.stderr and "hint:" in again.stderr
    assert pack.read_text(encoding="utf-8").endswith("# my edits\n")


@pytest.mark.parametrize(("args", "message"), [
    (("New_Std", "2025"), "family 'New_Std' must be lower-case"),
    (("newstd", "20/25"), "edition '20/25' must be"),
    (("newstd", "2025", "--industry", "Bad Code"), "industry code 'Bad Code'"),
])
def test_bad_names_are_usage_errors(rules: Path, args: tuple[str, ...], message: str) -> None:
    result = run_cli("rules", "new", *args, "--rules", str(rules))
    assert result.returncode == 2 and message in result.stderr and "hint:" in result.stderr
    assert not any(p.name.startswith("newstd") or p.name.startswith("New") for p in rules.iterdir())


def test_a_folder_without_the_shared_vocabulary_is_refused(tmp_path: Path) -> None:
    result = run_cli("rules", "new", "newstd", "2025", "--rules", str(tmp_path))
    assert result.returncode == 2 and "_shared/vocabulary.yaml" in result.stderr
    assert list(tmp_path.iterdir()) == []
