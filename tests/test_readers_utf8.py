"""JSON Lines in UTF-8 is read as bytes (readers._jsonl_utf8): it must give exactly what
reading the file as text gives — records, bad records with their messages, record and line
numbers — for any line ends, blank lines, byte order mark and content."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hazard_rules.errors import InputFileError
from hazard_rules.findings import readers

GOOD = '{"id": "F-1", "date": "2024-05-01", "facts": {"a": true, "n": 1.5, "s": ["x", "y"]}}'
PIECES = [
    GOOD, '{"id": "长", "facts": {"b": "中文"}}', '{"n": 123456789012345678901234}', '{"n": -9223372036854775809}',
    '{"n": 9223372036854775807}', '{"f": 1e400}', '{"f": NaN}', '[1, 2]', '"text"', '{"a": ', "not json",
    '{"s": "\\u4e2d"}', '{"s": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', "[" * 80 + "]" * 80,
    '{"facts": {"x": "' + "[" * 70 + '"}}', "", "   ", "\u3000", "\t", "\ufeff" + GOOD, '{"a": 1}\x00', " " + GOOD,
]
ENDS = ["\n", "\r\n", "\r", ""]


def _records(out: list[readers.RawRecord]) -> list[tuple[object, ...]]:
    return [(r.number, r.line, r.data, r.warning, r.error and (str(r.error), r.error.span, r.error.hint))
            for r in out]


def _both(data: bytes, bom: bool) -> tuple[object, object]:
    def text() -> object:
        handle = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig" if bom else "utf-8", newline=None)
        return _records(list(readers._jsonl(handle, "f.jsonl")))

    def binary() -> object:
        return _records(list(readers._jsonl_utf8(io.BytesIO(data), "f.jsonl", bom=bom)))

    answers = []
    for read in (text, binary):
        try:
            answers.append(read())
        except UnicodeDecodeError as exc:
            answers.append(("UnicodeDecodeError", exc.reason))
    return answers[0], answers[1]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PIECES) | st.text(max_size=12), st.sampled_from(ENDS)), max_size=10),
       st.booleans(), st.booleans())
@example([(GOOD, "\r")] * 3, False, False)
@example([(GOOD, "\r\n"), ("", "\r\n"), (GOOD, "")], True, True)
def test_bytes_read_as_text_would_be(lines: list[tuple[str, str]], bom: bool, write_bom: bool) -> None:
    data = (b"\xef\xbb\xbf" if write_bom else b"") + "".join(text + end for text, end in lines).encode("utf-8",
                                                                                                       "surrogatepass")
    text, binary = _both(data, bom)
    assert binary == text


@pytest.mark.parametrize("data", [b'{"a": "\xff"}\n', b'{"a": 1}\n{"b": "\xed\xa0\x80"}\n', b"\xff\n"])
def test_invalid_utf8_is_an_error_either_way(data: bytes) -> None:
    text, binary = _both(data, False)
    assert isinstance(text, tuple) and text[0] == "UnicodeDecodeError"
    assert binary == text


def test_read_findings_reads_utf8_jsonl_as_bytes_and_says_when_it_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode() + b"\r\n\r\n" + json.dumps({"id": "二"}).encode() + b"\n")
    out = list(readers.read_findings(path))
    assert [(r.number, r.line, r.data and r.data["id"]) for r in out] == [(1, 1, "F-1"), (2, 3, "二")]
    path.write_bytes(GOOD.encode() + b"\n" + b'{"id": "\xff"}\n')
    with pytest.raises(InputFileError, match="is not valid utf-8 text"):
        list(readers.read_findings(path, encoding="utf-8"))
