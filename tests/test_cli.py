"""End-to-end: the CLI in a subprocess, as inspectors and scripts use it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from hazard_rules import load_rulesets

from .conftest import EXAMPLES, run_cli

GOOD = {"id": "G-1", "date": "2024-05-01", "industries": ["demo"], "facts": {"a.workers": 12}}
ORDINARY = {"id": "G-2", "date": "2024-05-01", "industries": ["demo"],
            "facts": {"a.workers": 3, "a.kind": "wet", "a.pressure": 50, "a.alarm": "effective",
                      "a.tanks": [], "a.ok": True}}


def jsonl(path: Path, *records: object) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                    encoding="utf-8")
    return path


def test_examples_classify_as_expected() -> None:
    result = run_cli("check", "examples/inspections.jsonl", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    verdicts = {v["finding"]: v["verdict"] for v in map(json.loads, result.stdout.splitlines())}
    expected = json.loads((EXAMPLES / "expected-verdicts.json").read_text(encoding="utf-8"))
    assert verdicts == expected
    assert "34 findings" in result.stderr


def test_csv_example_gives_the_same_verdicts_as_jsonl() -> None:
    from_csv = run_cli("check", "examples/inspections.csv", "--format", "json")
    from_jsonl = run_cli("check", "examples/inspections.jsonl", "--format", "json")
    assert from_csv.returncode == 0, from_csv.stderr
    assert json.loads(from_csv.stdout) == json.loads(from_jsonl.stdout)


def test_table_has_verdicts_and_a_summary() -> None:
    result = run_cli("check", "examples/inspections.jsonl")
    assert result.returncode == 0
    assert "重大隐患 major" in result.stdout and "GM2023-12-2" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("34 findings: 15 major, 9 undetermined, 10 ordinary")


def test_machine_formats_keep_stdout_clean(tmp_path: Path, demo_rules: Path) -> None:
    file = jsonl(tmp_path / "f.jsonl", GOOD, ORDINARY)
    as_json = run_cli("check", str(file), "--rules", str(demo_rules), "--format", "json")
    data = json.loads(as_json.stdout)
    assert [v["verdict"] for v in data] == ["major", "ordinary"]
    assert data[0]["matches"][0]["because"] == {"a.workers": 12}
    as_csv = run_cli("check", str(file), "--rules", str(demo_rules), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["verdict"] for r in rows] == ["major", "ordinary"] and rows[0]["rules"] == "D-1"


@pytest.mark.parametrize("fail_on, expected", [("major", 1), ("undetermined", 1), (None, 0)])
def test_fail_on(tmp_path: Path, demo_rules: Path, fail_on: str | None, expected: int) -> None:
    file = jsonl(tmp_path / "f.jsonl", GOOD)
    args = ["check", str(file), "--rules", str(demo_rules), "--format", "jsonl"]
    if fail_on:
        args += ["--fail-on", fail_on]
    assert run_cli(*args).returncode == expected


def test_fail_on_major_ignores_undetermined(tmp_path: Path, demo_rules: Path) -> None:
    file = jsonl(tmp_path / "f.jsonl", {"id": "U", "date": "2024-05-01", "industries": ["demo"], "facts": {}})
    for scope in ("finding", "enterprise"):  # an empty record says nothing: never ordinary
        assert run_cli("check", str(file), "--rules", str(demo_rules), "--scope", scope,
                       "--fail-on", "major").returncode == 0
        assert run_cli("check", str(file), "--rules", str(demo_rules), "--scope", scope,
                       "--fail-on", "undetermined").returncode == 1


BAD_RECORDS = [
    ("not json", "{oops", "invalid JSON"),
    ("missing id", {"date": "2024-05-01", "industries": ["demo"]}, "missing required field 'id'"),
    ("missing date", {"id": "X", "industries": ["demo"]}, "missing required field 'date'"),
    ("bad date", {"id": "X", "date": "2024-13-01", "industries": ["demo"]}, "'date' is not a date"),
    ("wrong fact type", {"id": "X", "date": "2024-05-01", "industries": ["demo"], "facts": {"a.workers": "many"}},
     "fact 'a.workers': expected a number in 人"),
    ("bad enum", {"id": "X", "date": "2024-05-01", "industries": ["demo"], "facts": {"a.kind": "drry"}},
     "did you mean 'dry'?"),
    ("not an object", "[1, 2]", "must be a JSON object"),
    ("id not text", {"id": 5, "date": "2024-05-01"}, "id: Input should be a valid string"),
]


@pytest.mark.parametrize("case, record, message", BAD_RECORDS, ids=[c[0] for c in BAD_RECORDS])
def test_a_bad_record_is_reported_skipped_and_the_rest_classified(tmp_path: Path, demo_rules: Path,
                                                                  case: str, record: object, message: str) -> None:
    file = jsonl(tmp_path / "f.jsonl", GOOD, record, ORDINARY)
    result = run_cli("check", str(file), "--rules", str(demo_rules), "--format", "jsonl")
    assert result.returncode == 3
    assert f"{file}:record 2: error[E401]: " in result.stderr
    assert message in result.stderr
    assert "(line 2)" in result.stderr
    assert "Traceback" not in result.stderr
    assert [json.loads(x)["finding"] for x in result.stdout.splitlines()] == ["G-1", "G-2"]


def test_invalid_records_win_over_fail_on(tmp_path: Path, demo_rules: Path) -> None:
    file = jsonl(tmp_path / "f.jsonl", GOOD, "{oops")
    assert run_cli("check", str(file), "--rules", str(demo_rules), "--fail-on", "major").returncode == 3


def test_unknown_fact_warns_and_strict_makes_it_an_error(tmp_path: Path, demo_rules: Path) -> None:
    record = {"id": "W", "date": "2024-05-01", "industries": ["demo"], "facts": {"a.worker": 12, "a.workers": 12}}
    file = jsonl(tmp_path / "f.jsonl", record)
    lenient = run_cli("check", str(file), "--rules", str(demo_rules), "--format", "jsonl")
    assert lenient.returncode == 0
    assert "warning: unknown fact 'a.worker'; did you mean 'a.workers'?" in lenient.stderr
    strict = run_cli("check", str(file), "--rules", str(demo_rules), "--format", "jsonl", "--strict")
    assert strict.returncode == 3 and "record 1" in strict.stderr


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_are_detected(tmp_path: Path, demo_rules: Path, encoding: str) -> None:
    text = ("id,date,enterprise.name,industries,description,facts.a.workers,facts.a.kind,facts.a.ok\n"
            "C-1,2024-05-01,某某食品有限公司,demo,速冻间作业人员超员,12,干式,是\n"
            "C-2,2024-05-01,某某食品有限公司,demo,,,,\n")
    file = tmp_path / "f.csv"
    file.write_bytes(text.encode(encoding))
    result = run_cli("check", str(file), "--rules", str(demo_rules), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    verdicts = [json.loads(x) for x in result.stdout.splitlines()]
    assert verdicts[0]["verdict"] == "major"
    assert verdicts[1]["verdict"] == "undetermined"  # no facts, no description: nothing to judge


def test_csv_bad_cell_and_explicit_encoding(tmp_path: Path, demo_rules: Path) -> None:
    file = tmp_path / "f.csv"
    file.write_bytes("id,date,industries,facts.a.ok\nC-1,2024-05-01,demo,也许\nC-2,2024-05-01,demo,否\n".encode("gb18030"))
    result = run_cli("check", str(file), "--rules", str(demo_rules), "--format", "jsonl", "--encoding", "gb18030")
    assert result.returncode == 3
    assert "record 1" in result.stderr and "expected true/false" in result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_json_array_and_yaml_inputs(tmp_path: Path, demo_rules: Path) -> None:
    array = tmp_path / "f.json"
    array.write_text(json.dumps([GOOD, ORDINARY], ensure_ascii=False), encoding="utf-8")
    yaml_file = tmp_path / "f.yaml"
    yaml_file.write_text("- id: Y-1\n  date: 2024-05-01\n  industries: [demo]\n  facts: {a.workers: 10}\n",
                         encoding="utf-8")
    result = run_cli("check", str(array), str(yaml_file), "--rules", str(demo_rules), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    assert [json.loads(x)["verdict"] for x in result.stdout.splitlines()] == ["major", "ordinary", "major"]


def test_broken_json_array_reports_where_it_stopped(tmp_path: Path, demo_rules: Path) -> None:
    array = tmp_path / "f.json"
    array.write_text(json.dumps([GOOD])[:-1] + ", {\"id\": }]", encoding="utf-8")
    result = run_cli("check", str(array), "--rules", str(demo_rules), "--format", "jsonl")
    assert result.returncode == 3
    assert "record 2" in result.stderr and "invalid JSON" in result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_output_file_is_written_whole(tmp_path: Path, demo_rules: Path) -> None:
    file = jsonl(tmp_path / "f.jsonl", GOOD, ORDINARY)
    out = tmp_path / "verdicts.json"
    result = run_cli("check", str(file), "--rules", str(demo_rules), "--format", "json", "--output", str(out))
    assert result.returncode == 0 and result.stdout == ""
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_pack_error_exits_2_without_traceback(tmp_path: Path) -> None:
    from .conftest import DEMO_PACK, write_rules

    rules = write_rules(tmp_path / "rules", DEMO_PACK.replace("a.workers > 9 人", "a.workers > 9 m"))
    file = jsonl(tmp_path / "f.jsonl", GOOD)
    result = run_cli("check", str(file), "--rules", str(rules))
    assert result.returncode == 2
    assert "error[E304]: cannot compare people (人数) with length (长度)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args, message", [
    (["check", "nope.jsonl"], "file not found: nope.jsonl"),
    (["check", "examples/inspections.jsonl", "--rules", "nowhere"], "rules folder not found"),
    (["check", "examples/inspections.jsonl", "--as-of", "yesterday"], "is not a date"),
    (["check", "README.md"], "cannot tell the format"),
    (["rules", "show", "GM2023-99-9"], "no rule with id"),
    (["check"], "Missing argument"),
])
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_explain_shows_every_rule_and_the_deciding_facts() -> None:
    result = run_cli("explain", "examples/inspections.jsonl", "--id", "F-2025-000219")
    assert result.returncode == 0, result.stderr
    assert "verdict: major" in result.stdout
    assert "TRUE  GM2023-12-2" in result.stdout
    assert "ammonia.quick_freeze.room_workers=12" in result.stdout
    as_json = json.loads(run_cli("explain", "examples/inspections.jsonl", "--id", "F-2025-000219",
                                 "--format", "json").stdout)
    assert any(r["rule"] == "GM2023-12-2" and r["value"] is True for r in as_json["rules"])


def test_explain_unknown_id() -> None:
    result = run_cli("explain", "examples/inspections.jsonl", "--id", "NOPE")
    assert result.returncode == 2 and "no finding with id 'NOPE'" in result.stderr


def test_rules_list_show_test_lint() -> None:
    listed = json.loads(run_cli("rules", "list", "--format", "json").stdout)
    gongmao = [r["rule"] for r in listed if r["pack"] == "gongmao-2023"]
    assert len(gongmao) == 64 and gongmao[0] == "GM2023-3-1"
    assert len({r["pack"] for r in listed}) == len(load_rulesets().packs)
    shown = run_cli("rules", "show", "GM2023-12-2")
    assert shown.returncode == 0
    assert "快速冻结装置未设置在单独的作业间内" in shown.stdout and "ammonia.quick_freeze.room_workers" in shown.stdout
    tested = run_cli("rules", "test")
    assert tested.returncode == 0, tested.stdout
    assert "0 failed" in tested.stdout and "0 with coverage gaps" in tested.stdout
    linted = run_cli("rules", "lint")  # loads; only lint warnings (tests/test_lint.py)
    assert linted.returncode == 0 and " 0 lint error(s), " in linted.stdout


def test_rules_test_reports_a_failing_pack_test(tmp_path: Path) -> None:
    from .conftest import DEMO_PACK, write_rules

    rules = write_rules(tmp_path / "rules", DEMO_PACK)
    (rules / "demo" / "pack.tests.yaml").write_text("tests: {D-1: [{facts: {a.workers: 9}, expect: true}]}\n",
                                                     encoding="utf-8")
    junit = tmp_path / "junit.xml"
    result = run_cli("rules", "test", "--rules", str(rules), "--junit", str(junit))
    assert result.returncode == 1
    assert "FAIL D-1: test 1 (" in result.stdout and "expected true, got false" in result.stdout
    assert "<failure" in junit.read_text(encoding="utf-8")


def test_python_dash_m_and_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and "0.1.0" in result.stdout


def test_xlsx_input(tmp_path: Path, demo_rules: Path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "date", "enterprise.id", "industries", "description",
                  "facts.a.workers", "facts.a.ok", "facts.a.kind"])
    sheet.append(["X-1", dt.datetime(2024, 5, 1), 913700001, "demo", "速冻间超员", 12, True, "干式"])
    sheet.append([None] * 8)
    sheet.append(["X-2", "2024-05-01", None, "demo", None, 12.5, None, None])
    file = tmp_path / "findings.xlsx"
    workbook.save(file)
    result = run_cli("check", str(file), "--rules", str(demo_rules), "--format", "jsonl")
    assert result.returncode == 3, result.stderr
    [verdict] = [json.loads(x) for x in result.stdout.splitlines()]
    assert (verdict["finding"], verdict["verdict"]) == ("X-1", "major")
    assert f"{file}:record 2" in result.stderr and "expected a whole number" in result.stderr
    assert "(line 4)" in result.stderr


def test_damaged_xlsx(tmp_path: Path, demo_rules: Path) -> None:
    file = tmp_path / "f.xlsx"
    file.write_bytes(b"not a zip file")
    result = run_cli("check", str(file), "--rules", str(demo_rules))
    assert result.returncode == 2 and "cannot read" in result.stderr and "Traceback" not in result.stderr
