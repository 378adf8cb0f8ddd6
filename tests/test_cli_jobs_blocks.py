"""`check --jobs N` on JSON Lines files cut into byte blocks (cli/jobs.py): the same stdout
bytes, the same messages in the same order (record and line numbers of the whole file),
the same summary and exit code as one job, however the files are cut."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from hazard_rules.cli.jobs import BLOCK_BYTES_VARIABLE
from hazard_rules.errors import InputFileError
from hazard_rules.findings.readers import JsonlBlock, read_findings

from .conftest import EXAMPLES, run_cli

RECORDS = [json.loads(line) for line in (EXAMPLES / "inspections.jsonl").read_text(encoding="utf-8").splitlines()
           if line.strip()]
CLAIMED = [record for record in RECORDS if "claimed" in record]


def _lines(count: int, seed: int) -> list[str]:
    """JSON Lines text of good records among bad ones, blank lines, warnings and claims."""
    rng = random.Random(seed)
    lines: list[str] = []
    for number in range(count):
        kind = rng.random()
        if kind < 0.06:
            lines.append(rng.choice(["", "   ", "\t", "\u3000"]))  # blank, as text sees it
        elif kind < 0.10:
            lines.append(rng.choice(["{oops", "[1, 2]", '{"a": 1} x', "null"]))
        elif kind < 0.14:  # invalid as a finding (no date): the judging's message names the line
            lines.append(json.dumps({"id": f"N-{number}", "industries": ["gongmao.dust"], "facts": {}}))
        elif kind < 0.20:  # an unknown fact: a warning
            record = dict(rng.choice(RECORDS), id=f"W-{number:04d}")
            record["facts"] = dict(record["facts"], **{"no.such.fact": True})
            lines.append(json.dumps(record, ensure_ascii=False))
        elif kind < 0.26:
            lines.append(json.dumps(dict(rng.choice(CLAIMED), id=f"C-{number:04d}"), ensure_ascii=False))
        else:
            lines.append(json.dumps(dict(rng.choice(RECORDS), id=f"J-{number:04d}"), ensure_ascii=False))
    return lines


def _write(path: Path, lines: list[str], *, newline: str = "\n", last_newline: bool = True,
           encoding: str = "utf-8") -> Path:
    path.write_bytes((newline.join(lines) + (newline if last_newline else "")).encode(encoding))
    return path


def _same(monkeypatch: pytest.MonkeyPatch, *args: str, jobs: str = "2", block: int = 1) -> str:
    """Run check with one job and with `jobs` (blocks of about `block` bytes); both the same."""
    one = run_cli("check", *args)
    monkeypatch.setenv(BLOCK_BYTES_VARIABLE, str(block))
    many = run_cli("check", *args, "--jobs", jobs)
    assert many.stdout == one.stdout
    assert many.stderr == one.stderr
    assert many.returncode == one.returncode
    return one.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "table"])
def test_blocks_of_one_line_give_one_jobs_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    path = _write(tmp_path / "mixed.jsonl", _lines(160, seed=1))
    stderr = _same(monkeypatch, str(path), "--format", fmt, block=1)
    assert "invalid records skipped" in stderr or fmt == "table"
    assert ":record " in stderr and "warning: " in stderr and "(line " in stderr  # numbers of the whole file


@pytest.mark.parametrize("block", [1, 300, 2000, 1 << 20])
def test_any_block_size_gives_one_jobs_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    path = _write(tmp_path / "mixed.jsonl", _lines(220, seed=block))
    _same(monkeypatch, str(path), "--format", "jsonl", jobs="3", block=block)


def test_bom_crlf_lone_cr_and_no_last_newline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _lines(120, seed=7)
    lines[40] = lines[40] + "\r" + lines[41]  # a carriage return alone ends a line in text mode too
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines)).encode("utf-8"))  # and no newline at the end
    crlf = _write(tmp_path / "crlf.jsonl", _lines(90, seed=8), newline="\r\n", last_newline=False)
    stderr = _same(monkeypatch, str(bom), str(crlf), "--format", "jsonl", block=150)
    assert "bom.jsonl:record" in stderr and "crlf.jsonl:record" in stderr


def test_a_byte_order_mark_inside_the_file_stays_a_character(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _lines(30, seed=9)
    path = tmp_path / "marks.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines[:15]).encode() + b"\n\xef\xbb\xbf"
                     + "\n".join(lines[15:]).encode() + b"\n")
    _same(monkeypatch, str(path), "--format", "jsonl", block=1)


def test_several_files_of_both_protocols_keep_their_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _write(tmp_path / "a.jsonl", _lines(70, seed=11))
    csv = tmp_path / "b.csv"
    csv.write_text((EXAMPLES / "inspections.csv").read_text(encoding="utf-8"), encoding="utf-8")
    wide = _write(tmp_path / "c.jsonl", _lines(60, seed=12), encoding="utf-16")  # not cut: read by the main process
    gb = _write(tmp_path / "d.jsonl", _lines(80, seed=13), encoding="gb18030")
    _same(monkeypatch, str(first), str(csv), "--encoding", "utf-8", str(first), "--format", "jsonl", block=200)
    _same(monkeypatch, str(wide), "--encoding", "utf-16", "--format", "jsonl", block=200)
    stderr = _same(monkeypatch, str(gb), str(first), str(gb), "--format", "csv", block=200)
    assert "d.jsonl:record" in stderr


def test_an_undecodable_line_stops_the_run_after_the_records_before_it(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [line.encode() for line in _lines(80, seed=14)]
    lines[50] = b'{"id": "\xff"}'
    path = tmp_path / "broken.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    _same(monkeypatch, str(path), "--format", "jsonl", block=300)


def test_claims_and_fail_on_give_one_jobs_summary_and_exit_code(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [json.dumps(dict(CLAIMED[n % len(CLAIMED)], id=f"C-{n}"), ensure_ascii=False) for n in range(40)]
    path = _write(tmp_path / "claims.jsonl", lines)
    stderr = _same(monkeypatch, str(path), "--format", "jsonl", "--fail-on", "disagreement", block=500)
    assert "inspector labels" in stderr


def test_output_file_gets_one_jobs_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "in.jsonl", _lines(100, seed=15))
    run_cli("check", str(path), "--format", "jsonl", "-o", str(tmp_path / "one.jsonl"))
    monkeypatch.setenv(BLOCK_BYTES_VARIABLE, "100")
    run_cli("check", str(path), "--format", "jsonl", "-o", str(tmp_path / "two.jsonl"), "--jobs", "2")
    assert (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()
    assert (tmp_path / "one.jsonl").read_bytes().count(b"\n") > 50


def test_blocks_read_what_the_whole_file_reads(tmp_path: Path) -> None:
    """Cut anywhere after a line feed, the blocks' records and lines, numbered on from the
    blocks before, are the file's."""
    lines = _lines(60, seed=16)
    lines[10] += "\r" + lines[11]
    data = b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\n\n  \n" + lines[5].encode()
    path = tmp_path / "f.jsonl"
    path.write_bytes(data)
    whole = [(raw.number, raw.line, raw.data, raw.error and raw.error.render()) for raw in read_findings(path)]
    text_lines = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    rng = random.Random(3)
    feeds = [index + 1 for index, byte in enumerate(data) if byte == 0x0A]
    for _ in range(20):
        cuts = sorted(rng.sample(feeds, 6))
        got, records, lines_before = [], 0, 0
        for start, end in zip([0, *cuts], [*cuts, len(data)]):
            block = JsonlBlock.read(path, start, end, "utf-8-sig")
            for raw in block.records():
                got.append((raw.number + records, (raw.line or 0) + lines_before, raw.data))
                assert raw.line is not None
                assert block.line(raw.line).rstrip("\n") == text_lines[raw.line + lines_before - 1]
            records = got[-1][0] if got else 0
            lines_before += block.lines()
        assert got == [entry[:3] for entry in whole]
        assert lines_before == len(text_lines)


def test_a_block_reports_undecodable_text_as_the_reader_does(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"id": "a"}\n{"id": "\xff"}\n')
    block = JsonlBlock.read(path, 0, path.stat().st_size, "utf-8")
    with pytest.raises(InputFileError) as caught:
        list(block.records())
    with pytest.raises(InputFileError) as whole:
        list(read_findings(path))
    assert caught.value.render() == whole.value.render()
