"""Streaming readers: records come out one at a time, whatever the chunking or encoding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hazard_rules.errors import InputFileError, LimitExceededError
from hazard_rules.findings import readers
from hazard_rules.findings.model import Finding
from hazard_rules.loading import strict_yaml

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


# ------------------------------------------------------------------ nesting, cell size, strict YAML

GOOD_LINE = '{"id": "1", "date": "2024-01-01"}'


def _read(tmp_path: Path, name: str, text: str) -> list[readers.RawRecord]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return list(readers.read_findings(path))


def _summary(out: list[readers.RawRecord]) -> list[object]:
    return [r.data["id"] if r.data else r.error.message for r in out if r.warning is None]


def _nested(depth: int) -> str:
    return '{"id": "n", "facts": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


@pytest.mark.parametrize("depth, bad", [(readers.MAX_DEPTH, False), (readers.MAX_DEPTH + 1, True)])
def test_jsonl_nesting_is_bounded(tmp_path: Path, depth: int, bad: bool) -> None:
    out = _read(tmp_path, "f.jsonl", f"{GOOD_LINE}\n{_nested(depth)}\n{GOOD_LINE}\n")
    assert [r.error is not None for r in out] == [False, bad, False]
    if bad:
        assert out[1].error.message == f"{readers.TOO_DEEP} (line 2)" and out[1].error.hint


def test_jsonl_brackets_inside_strings_do_not_count(tmp_path: Path) -> None:
    record = json.dumps({"id": "s", "date": "2024-01-01", "description": "[" * 500 + '\\"{' * 100})
    out = _read(tmp_path, "f.jsonl", record + "\n")
    assert out[0].error is None and out[0].data["description"].startswith("[[[")


@pytest.mark.parametrize("chunk", [3, 64, 1 << 16])
def test_json_array_skips_a_deep_record_and_goes_on(tmp_path: Path, chunk: int, monkeypatch) -> None:
    monkeypatch.setattr(readers, "_CHUNK", chunk)
    deep = "[" * 5000 + '"]]"' + "]" * 5000
    text = f'[{GOOD_LINE}, {deep}, {{"id": "2", "date": "2024-01-01", "x": "[[["}}, 7]'
    out = _read(tmp_path, "f.json", text)
    assert _summary(out) == ["1", readers.TOO_DEEP, "2", "a record must be a JSON object, not int"]


def test_json_array_deep_record_that_never_closes(tmp_path: Path) -> None:
    out = _read(tmp_path, "f.json", f"[{GOOD_LINE}, " + "[" * 100_000)
    assert _summary(out) == ["1", f"{readers.TOO_DEEP}; the rest of the file was skipped"]


def test_yaml_deep_records_are_bad_and_the_rest_read(tmp_path: Path) -> None:
    text = ("- {id: '1'}\n"
            "- " + "[" * 2000 + "]" * 2000 + "\n"          # past libyaml's own limit of 1,000
            "- {id: '2', facts: " + "{a: " * 70 + "1" + "}" * 70 + "}\n"  # past ours
            "- " + "- " * 1500 + "x\n"                      # block style
            "- {id: '3'}\n"
            "---\n"
            "id: '4'\n")
    out = _read(tmp_path, "f.yaml", text)
    assert [(r.number, r.line) for r in out] == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 7)]
    assert _summary(out)[0::4] == ["1", "3"] and _summary(out)[5] == "4"
    assert all(r.error is not None and readers.TOO_DEEP in r.error.message for r in out[1:4])


def test_yaml_records_are_read_strictly(tmp_path: Path) -> None:
    text = ("- id: '1'\n  date: 2024-01-01\n  facts: {a.ok: yes, a.n: 1.5}\n"
            "- id: '2'\n  date: 2024-01-01\n  date: 2024-02-01\n"
            "- !!python/object:os.system {id: '3'}\n"
            "- {id: '4', <<: {date: 2024-01-01}}\n"
            "- {id: '5', facts: *nowhere}\n"
            "- id: '6'\n")
    out = _read(tmp_path, "f.yaml", text)
    assert out[0].data == {"id": "1", "date": "2024-01-01", "facts": {"a.ok": "yes", "a.n": 1.5}}
    assert out[1].error.message == "duplicate key 'date' (first written at line 5) (line 6, column 3)"
    assert out[1].error.span.record == 2 and "remove or rename" in out[1].error.hint
    assert "merge keys" in out[3].error.message and "undefined alias" in out[4].error.message
    assert out[5].data == {"id": "6"} and out[5].line == 10


def test_yaml_syntax_error_is_a_file_error_with_position(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("- {id: '1'}\n- id: '2'\n  x: [1\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="invalid YAML") as caught:
        list(readers.read_findings(path))
    assert caught.value.span.line == 4 and caught.value.span.column == 1


def test_yaml_items_are_bounded_one_by_one_not_the_file() -> None:
    item = "- {id: x, facts: {" + ", ".join(f"k{i}: {i}" for i in range(50)) + "}}\n"
    text = item * (strict_yaml.MAX_NODES // 50 + 10)  # more nodes in the file than a pack may hold
    assert sum(1 for i in strict_yaml.read_yaml_items(text, "f.yaml") if i.error is None) == text.count("\n")
    with pytest.raises(LimitExceededError):
        strict_yaml.read_yaml(text, "pack.yaml")
    with pytest.raises(LimitExceededError, match="larger than 8 MiB"):
        strict_yaml.read_yaml("#" * (strict_yaml.MAX_BYTES + 1), "pack.yaml")


def test_csv_large_cells(tmp_path: Path, monkeypatch) -> None:
    big = "很" * 200_000  # past csv's default limit of 131,072
    text = f"id,date,description\n1,2024-01-01,{big}\n2,2024-01-01,\"{'x' * 5000}\"\n3,2024-01-01,ok\n"
    out = _read(tmp_path, "f.csv", text)
    assert [r.data["id"] for r in out] == ["1", "2", "3"] and out[0].data["description"] == big
    previous = readers.csv.field_size_limit(1000)  # as if a cell were past the real limit (64 MiB)
    try:
        out = _read(tmp_path, "g.csv", text)
    finally:
        readers.csv.field_size_limit(previous)
    assert _summary(out) == ["a cell is larger than 1000 characters (line 2)",
                             "a cell is larger than 1000 characters (line 3)", "3"]
    assert [r.number for r in out] == [1, 2, 3] and 'quote (")' in out[0].error.hint


def test_csv_scope_and_claimed_columns(tmp_path: Path) -> None:
    text = ("id,date,scope,claimed.level,claimed.clauses\n"
            "1,2024-01-01,enterprise,major,第十一条（三）；第十二条（二）; （一）\n"
            "2,2024-01-01,,,\n")
    out = _read(tmp_path, "f.csv", text)
    assert out[0].data == {"id": "1", "date": "2024-01-01", "scope": "enterprise", "facts": {},
                           "claimed": {"level": "major", "clauses": ["第十一条（三）", "第十二条（二）", "（一）"]}}
    assert out[1].data == {"id": "2", "date": "2024-01-01", "facts": {}}
    assert not any(r.warning for r in out)
    finding = Finding.model_validate(out[0].data)
    assert finding.scope == "enterprise" and finding.claimed.clauses == ["第十一条（三）", "第十二条（二）", "（一）"]


def test_a_construction_finding_names_its_project(tmp_path: Path) -> None:
    text = ("id,date,enterprise.name,project.id,project.name,industries\n"
            "C1,2025-06-01,某建设集团有限公司,3702022025060101,青岛某小区3#楼,construction\n")
    [row] = _read(tmp_path, "f.csv", text)
    assert row.data["project"] == {"id": "3702022025060101", "name": "青岛某小区3#楼"}
    finding = Finding.model_validate(row.data)
    assert (finding.project.id, finding.project.name, finding.enterprise.name) == (
        "3702022025060101", "青岛某小区3#楼", "某建设集团有限公司")


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=12), st.lists(st.booleans(), min_size=readers.MAX_DEPTH - 3, max_size=readers.MAX_DEPTH + 3))
def test_nesting_is_measured_outside_strings(text: str, kinds: list[bool]) -> None:
    value: object = text
    for as_list in kinds:
        value = [value] if as_list else {text: value}
    encoded = json.dumps(value, ensure_ascii=False)
    assert readers._too_deep(encoded) == (len(kinds) > readers.MAX_DEPTH)


@pytest.mark.parametrize("chunk", [2, 3, 5, 1 << 16])
def test_json_array_scalar_elements_are_not_cut_at_chunk_boundaries(tmp_path: Path, chunk: int, monkeypatch) -> None:
    monkeypatch.setattr(readers, "_CHUNK", chunk)
    out = _read(tmp_path, "f.json", f'[123456789, "a string", {GOOD_LINE}, {{"id": "2", "date": 1}}]')
    assert _summary(out) == ["a record must be a JSON object, not int", "a record must be a JSON object, not str",
                             "1", "2"]


def test_json_text_in_a_fact_is_bounded_too(tmp_path: Path) -> None:
    """A list fact may be given as JSON text, decoded later: too deep, the record is bad here."""
    deep = "[" * 100_000
    out = _read(tmp_path, "f.csv",
                f"id,date,facts.a.tanks\n1,2024-01-01,{deep}\n2,2024-01-01,\"[{{\"\"level\"\": 1}}]\"\n")
    assert _summary(out) == [f"fact 'a.tanks': {readers.TOO_DEEP} (line 2)", "2"]
    assert out[1].data["facts"] == {"a.tanks": '[{"level": 1}]'}
    record = json.dumps({"id": "3", "date": "2024-01-01", "facts": {"a.kind": "dry", "a.tanks": deep}})
    out = _read(tmp_path, "f.jsonl", record + "\n")
    assert _summary(out) == [f"fact 'a.tanks': {readers.TOO_DEEP} (line 1)"]
