"""The finding files the distributed adapters' tests (Dask, Spark) compare with the CLI on."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import EXAMPLES, RULESETS
from tests.pack_findings import read_entries


def write_inputs(folder: Path, *, bom: bool = False, crlf: bool = False) -> list[Path]:
    """Three JSONL files: the example inspections with two bad lines among them; records of
    several packs' examples (after a byte order mark if `bom`); and every other of those
    records (with CRLF line ends if `crlf`), large enough to be split in blocks."""
    inspections = (EXAMPLES / "inspections.jsonl").read_text(encoding="utf-8").splitlines()
    first = folder / "inspections.jsonl"
    first.write_text("\n".join(inspections[:10] + ['{"id": "broken", ', "[1, 2]"] + inspections[10:]) + "\n",
                     encoding="utf-8")
    records = [entry["record"] for pack in ("gongmao-2023", "hazchem-2017", "coal-2020", "fire-2017")
               for entry in read_entries(RULESETS / pack / "findings.tests.yaml")]
    second = folder / "packs.jsonl"
    second.write_text("".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records[:60]),
                      encoding="utf-8-sig" if bom else "utf-8")
    third = folder / "many.jsonl"
    end = "\r\n" if crlf else "\n"
    third.write_bytes("".join(json.dumps(r, ensure_ascii=False, default=str) + end for r in records[::2])
                      .encode("utf-8"))
    return [first, second, third]
