"""Hostile and broken inputs through the real CLI: reported, never a traceback, nothing else lost.

Each case runs `python -m hazard_rules check` in a subprocess on a file with good records
around one bad one (or, for a rule pack, a copy of the shipped rules with one include
file emptied), and compares what stderr says about the bad input with a golden file in
tests/golden/bad-inputs/. The summary line (`N findings: …`) is left out of the goldens;
the temporary folder is written `<tmp>`. Regenerate after a deliberate change with

    UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/test_bad_inputs_cli.py

and review the diff.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, RULESETS, assert_golden, run_cli

GOLDEN = Path(__file__).resolve().parent / "golden" / "bad-inputs"

GOOD = [{"id": "G-1", "date": "2024-05-01", "industries": ["demo"], "facts": {"a.workers": 12}},
        {"id": "G-2", "date": "2024-05-01", "industries": ["demo"], "facts": {"a.workers": 15}}]
DEEP = 100_000
SUMMARY = re.compile(r"^\d+ findings: .*$\n?", re.MULTILINE)


def _golden(name: str, stderr: str, tmp_path: Path) -> None:
    assert_golden(GOLDEN / f"{name}.txt", SUMMARY.sub("", stderr.replace(str(tmp_path), "<tmp>").replace("\r\n", "\n")))


def _check_skips_one_record(result: subprocess.CompletedProcess[str], file: Path, record: int) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 3, result.stderr
    assert f"{file}:record {record}: error[E401]: " in result.stderr
    assert "hint: " in result.stderr
    assert "2 findings: 2 major" in result.stderr and "1 invalid records skipped" in result.stderr
    assert [json.loads(line)["finding"] for line in result.stdout.splitlines()] == ["G-1", "G-2"]


def _check(file: Path, rules: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("check", str(file), "--rules", str(rules), "--format", "jsonl")


# ------------------------------------------------------------------ bug 1: nesting

def test_jsonl_record_of_deep_brackets(tmp_path: Path, demo_rules: Path) -> None:
    file = tmp_path / "deep.jsonl"
    file.write_text(f"{json.dumps(GOOD[0])}\n{'[' * DEEP}\n{json.dumps(GOOD[1])}\n", encoding="utf-8")
    result = _check(file, demo_rules)
    _check_skips_one_record(result, file, 2)
    assert "nested too deeply" in result.stderr and "(line 2)" in result.stderr
    _golden("jsonl-nested-too-deeply", result.stderr, tmp_path)


def test_json_array_record_of_deep_brackets(tmp_path: Path, demo_rules: Path) -> None:
    file = tmp_path / "deep.json"
    deep = "[" * DEEP + "]" * DEEP
    file.write_text(f"[{json.dumps(GOOD[0])},\n{deep},\n{json.dumps(GOOD[1])}]", encoding="utf-8")
    result = _check(file, demo_rules)
    _check_skips_one_record(result, file, 2)
    _golden("json-array-nested-too-deeply", result.stderr, tmp_path)


def _yaml_record(record: dict) -> str:
    return f"- {json.dumps(record)}\n"


@pytest.mark.parametrize("depth", [100, DEEP], ids=["past-our-limit", "past-libyaml-limit"])
def test_yaml_record_of_deep_brackets(tmp_path: Path, demo_rules: Path, depth: int) -> None:
    file = tmp_path / "deep.yaml"
    file.write_text(_yaml_record(GOOD[0]) + f"- {'[' * depth}{']' * depth}\n" + _yaml_record(GOOD[1]),
                    encoding="utf-8")
    result = _check(file, demo_rules)
    _check_skips_one_record(result, file, 2)
    assert "nested too deeply" in result.stderr and "(line 2" in result.stderr
    _golden(f"yaml-nested-too-deeply-{depth}", result.stderr, tmp_path)


# ------------------------------------------------------------------ bug 2: large CSV cells

def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "industries", "description", "facts.a.workers"])
        writer.writerows(rows)
    return path


def test_csv_cell_past_the_default_limit_is_read(tmp_path: Path, demo_rules: Path) -> None:
    """200,000 characters (past csv's default 131,072): the record is classified like any other."""
    file = _csv(tmp_path / "big.csv", [["G-1", "2024-05-01", "demo", "x", "12"],
                                       ["B", "2024-05-01", "demo", "很长的描述" * 40_000, "3"],
                                       ["G-2", "2024-05-01", "demo", "y", "15"]])
    result = _check(file, demo_rules)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["finding"] for line in result.stdout.splitlines()] == ["G-1", "B", "G-2"]


def test_csv_cell_past_the_limit_is_a_bad_record(tmp_path: Path, demo_rules: Path) -> None:
    """The real limit is 64 MiB; a cell that large would need hundreds of MB of memory in a
    test, so the CLI runs here with the process-wide limit lowered to 100,000 characters."""
    file = _csv(tmp_path / "big.csv", [["G-1", "2024-05-01", "demo", "x", "12"],
                                       ["B", "2024-05-01", "demo", "x" * 150_000, "3"],
                                       ["G-2", "2024-05-01", "demo", "y", "15"]])
    code = ("import csv, runpy, sys\n"
            "import hazard_rules.findings.readers\n"
            "csv.field_size_limit(100_000)\n"
            "sys.argv = ['hazard-rules', *sys.argv[1:]]\n"
            "runpy.run_module('hazard_rules', run_name='__main__')\n")
    env = dict(os.environ, PYTHONIOENCODING="utf-8", COLUMNS="200", NO_COLOR="1", TERM="dumb")
    result = subprocess.run([sys.executable, "-c", code, "check", str(file), "--rules", str(demo_rules),
                             "--format", "jsonl"], cwd=ROOT, env=env, capture_output=True, text=True,
                            encoding="utf-8", timeout=300)
    _check_skips_one_record(result, file, 2)
    assert "a cell is larger than 100000 characters (line 3)" in result.stderr
    _golden("csv-cell-too-large", result.stderr, tmp_path)


# ------------------------------------------------------------------ bug 3: strict YAML records

def test_yaml_duplicate_key_makes_only_that_record_bad(tmp_path: Path, demo_rules: Path) -> None:
    file = tmp_path / "dup.yaml"
    file.write_text("- id: G-1\n  date: 2024-05-01\n  industries: [demo]\n  facts: {a.workers: 12}\n"
                    "- id: B\n  date: 2024-05-01\n  industries: [demo]\n  date: 2024-06-01\n"
                    "- id: G-2\n  date: 2024-05-01\n  industries: [demo]\n  facts: {a.workers: 15}\n",
                    encoding="utf-8")
    result = _check(file, demo_rules)
    _check_skips_one_record(result, file, 2)
    assert "duplicate key 'date' (first written at line 6) (line 8, column 3)" in result.stderr
    _golden("yaml-duplicate-key", result.stderr, tmp_path)


def test_yaml_boolean_word_is_not_a_boolean(tmp_path: Path, demo_rules: Path) -> None:
    """`yes` is text in strict YAML, so a bool fact given as `yes` is reported, not taken as true."""
    file = tmp_path / "yes.yaml"
    file.write_text(_yaml_record(GOOD[0]) + "- {id: B, date: 2024-05-01, industries: [demo], facts: {a.ok: yes}}\n"
                    + _yaml_record(GOOD[1]), encoding="utf-8")
    result = _check(file, demo_rules)
    _check_skips_one_record(result, file, 2)
    assert "fact 'a.ok': expected true/false" in result.stderr and "'yes'" in result.stderr


# ------------------------------------------------------------------ bug 5: empty pack files

@pytest.mark.parametrize("content", ["", "# 第十一条 (cut short)\n\n"], ids=["empty", "only-comments"])
def test_emptied_include_file_is_a_pack_error(tmp_path: Path, content: str) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULESETS, rules)
    (rules / "gongmao-2023" / "art11.yaml").write_text(content, encoding="utf-8")
    result = run_cli("check", "examples/inspections.jsonl", "--rules", str(rules), "--format", "jsonl")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "art11.yaml:1:1: error[E107]: pack file art11.yaml is empty (or only comments)" in result.stderr
    assert "hint: a truncated copy? restore the file, or remove it from `include`" in result.stderr
    _golden(f"include-file-{'empty' if not content else 'only-comments'}", result.stderr, tmp_path)


def test_hostile_values_are_bad_records_or_plain_text(tmp_path: Path) -> None:
    """A 5,000-digit number, NaN, a lone surrogate and rich markup in ids and clauses."""
    import json as _json

    records = [
        '{"id": "N1", "date": "2024-05-01", "industries": ["gongmao.ammonia"], '
        '"facts": {"ammonia.quick_freeze.room_workers": ' + "9" * 5000 + '}}',
        '{"id": "N2", "date": "2024-05-01", "industries": ["gongmao.ammonia"], '
        '"facts": {"ammonia.quick_freeze.room_workers": NaN}}',
        _json.dumps({"id": "[red]M3", "date": "2024-05-01", "industries": ["gongmao.ammonia"],
                     "description": "速冻间\ud800", "facts": {"ammonia.quick_freeze.present": True,
                                                             "ammonia.quick_freeze.room_workers": 12},
                     "claimed": {"level": "ordinary", "clauses": ["[/x]"]}}),
    ]
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    for fmt in ("table", "jsonl", "csv"):
        result = run_cli("check", str(path), "--format", fmt)
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode == 3, result.stderr
        assert ("record 1: error[E401]: finding N1: fact 'ammonia.quick_freeze.room_workers': "
                "expected a number in 人, got '99999") in result.stderr
        assert ("record 2: error[E401]: finding N2: fact 'ammonia.quick_freeze.room_workers': "
                "expected a number in 人, got 'NaN'") in result.stderr
        assert "[red]M3" in result.stdout
