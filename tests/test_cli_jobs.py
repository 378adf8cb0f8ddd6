"""`check --jobs N` writes what one job writes, in the input's order, with the same messages,
summary and exit code; and the JSON Lines reader's fast path reads what json reads."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from hazard_rules.findings.readers import read_findings

from .conftest import EXAMPLES, run_cli


def _input(tmp_path: Path) -> Path:
    lines = (EXAMPLES / "inspections.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    out = []
    for number in range(700):  # several chunks (cli/jobs.py CHUNK), with bad records among them
        if number % 97 == 5:
            out.append("{oops")
        elif number % 89 == 7:
            out.append(json.dumps({"id": f"N-{number}", "industries": ["gongmao.dust"]}))
        else:
            out.append(json.dumps(dict(records[number % len(records)], id=f"J-{number:04d}"), ensure_ascii=False))
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "table"])
def test_jobs_give_the_output_of_one_job_in_order(tmp_path: Path, fmt: str) -> None:
    path = _input(tmp_path)
    one = run_cli("check", str(path), "--format", fmt)
    two = run_cli("check", str(path), "--format", fmt, "--jobs", "2")
    assert one.returncode == two.returncode == 3  # invalid records were skipped
    assert two.stdout == one.stdout
    assert two.stderr == one.stderr
    assert "invalid records skipped" in one.stderr + one.stdout
    if fmt == "jsonl":
        ids = [json.loads(line)["finding"] for line in two.stdout.splitlines()]
        assert ids == sorted(ids) and len(ids) > 600


def test_jobs_zero_means_one_per_core_and_writes_a_file(tmp_path: Path) -> None:
    path = _input(tmp_path)
    target = tmp_path / "out.jsonl"
    result = run_cli("check", str(path), "--format", "jsonl", "--jobs", "0", "-o", str(target))
    assert result.returncode == 3
    assert target.read_text(encoding="utf-8") == run_cli("check", str(path), "--format", "jsonl").stdout


LINES = ['{"id": "A", "n": 1, "x": 1.5, "s": "\\u4e2d", "b": true, "z": null, "l": [1, {"a": []}]}',
         '{"id": "A", "id": "B"}', '{"n": 12345678901234567890123}', '{"n": NaN}', '{"n": -Infinity}',
         '{"n": 1e400}', '{"s": "\\ud800"}', '{"n": -0.0}', '{"n": 9223372036854775807}', '[1, 2]', '{oops',
         '{"a": 1} x', '{"n": ' + "9" * 5000 + '}']


def test_the_fast_jsonl_reader_reads_what_json_reads(tmp_path: Path) -> None:
    path = tmp_path / "edge.jsonl"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    got = list(read_findings(path))
    assert len(got) == len(LINES)
    for line, raw in zip(LINES, got):
        try:
            expected = json.loads(line, parse_int=lambda d: int(d) if len(d) <= 4000 else d, parse_constant=str)
        except json.JSONDecodeError as exc:
            assert raw.error is not None and exc.msg in raw.error.message
            continue
        if not isinstance(expected, dict):
            assert raw.error is not None
            continue
        assert raw.data is not None
        assert _same(raw.data, expected), line


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)  # type: ignore[index]
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))  # type: ignore[arg-type]
    return a == b
