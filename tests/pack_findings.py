"""The shipped packs' finding tests (rulesets/<pack>/findings.tests.yaml), read as plain data for
the checks that each standard is tried on every kind of case (tests/test_pack_examples.py,
tests/test_gongmao_findings.py). Their verdicts are checked by the product's runner, the one
`hazard-rules rules test` uses (authoring/finding_tests.py), not here; while a pack is being
written, run `hazard-rules rules test PACK`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

RULESETS = Path(__file__).resolve().parents[1] / "rulesets"
FILES = sorted(RULESETS.glob("*/findings.tests.yaml"))
CATEGORIES = {"major", "threshold", "precondition", "ordinary", "missing", "resembles", "boundary"}


def read_entries(path: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["findings"]
    return entries


def example_records() -> list[dict[str, Any]]:
    """Every example finding: examples/inspections.jsonl, then each shipped pack's finding tests."""
    import json

    lines = (RULESETS.parent / "examples" / "inspections.jsonl").read_text(encoding="utf-8").splitlines()
    records: list[dict[str, Any]] = [json.loads(line) for line in lines if line.strip()]
    for path in FILES:
        records.extend(entry["record"] for entry in read_entries(path))
    return records
