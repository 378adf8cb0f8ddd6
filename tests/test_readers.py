"""Streaming readers: records come out one at a time, whatever the chunking or encoding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hazard_rules.errors import InputFileError
from hazard_rules.findings import readers


records = st.lists(st.fixed_dictionaries({
    "id": st.text(min_size=1, max_size=8),
    "date": st.just("2024-05-01"),
    "description": st.text(max_size=20),
}), max_size=12)


@settings(max_examples=60, deadline=None)
@given(records, st.integers(1, 64), st.booleans())
def test_json_array_streams_across_chunk_boundaries(tmp_path_factory, items, chunk, pretty) -> None:
    path = tmp_path_factory.mktemp("a") / "f.json"
    path.write_text(json.dumps(items, ensure_ascii=False, indent=2 if pretty else None), encoding="utf-8")
    original = readers._CHUNK
    readers._CHUNK = chunk
    try:
        got = [r.data for r in readers.read_findings(path)]
    finally:
        readers._CHUNK = original
    assert got == items


def test_jsonl_is_lazy(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text('{"id": "1", "date": "2024-01-01"}\n\n{"id": "2", "date": "2024-01-01"}\n', encoding="utf-8")
    stream = readers.read_findings(path)
    first = next(stream)
    assert (first.number, first.line, first.data["id"]) == (1, 1, "1")
    second = next(stream)
    assert (second.number, second.line) == (2, 3)


@pytest.mark.parametrize("encoding, expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")])
def test_encoding_detection(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes("id,description\n1,干式除尘器未设泄爆装置\n".encode(encoding))
    assert readers.detect_encoding(path) == expected


def test_csv_row_shape_and_unknown_columns(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("id,date,industries,colour,facts.a.b\n1,2024-01-01,a；b,red,x\n2,2024-01-01\n", encoding="utf-8")
    out = list(readers.read_findings(path))
    assert out[0].warning and "unknown column 'colour'" in out[0].warning
    assert out[1].data == {"id": "1", "date": "2024-01-01", "industries": ["a", "b"], "facts": {"a.b": "x"}}
    assert out[2].error is not None and "2 cells but the header has 5" in out[2].error.message


def test_unreadable_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        list(readers.read_findings(tmp_path / "none.jsonl"))
    scalar = tmp_path / "f.json"
    scalar.write_text('{"id": 1}', encoding="utf-8")
    with pytest.raises(InputFileError, match="not a JSON array"):
        list(readers.read_findings(scalar))
    binary = tmp_path / "f.jsonl"
    binary.write_bytes(b"\xff\xfe\x00\x81\x30\x81" * 10)
    with pytest.raises(InputFileError):
        list(readers.read_findings(binary))
