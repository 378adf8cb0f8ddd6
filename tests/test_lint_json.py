"""`hazard-rules rules lint --format json`: the diagnostics as data, for editors and CI (issue 8)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import ROOT, run_cli

CASE = ROOT / "tests" / "fixtures" / "bad_packs" / "e306-duplicate-rule-id-hides-its-errors"


def test_json_diagnostics_of_lint() -> None:
    result = run_cli("rules", "lint", "--rules", "rules", "--format", "json", cwd=CASE)
    assert result.returncode == 2, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout) == {"diagnostics": [
        {"file": "rules/demo/pack.yaml", "line": 31, "column": 9, "code": "E306",
         "message": "duplicate rule id 'DM-1-1' (first at rules/demo/pack.yaml:26:9)",
         "hint": "rule ids are stable references; give each clause its own", "severity": "error"},
        {"file": "rules/demo/pack.yaml", "line": 35, "column": 11, "code": "E301",
         "message": "undeclared fact 'staff.cuont'", "hint": "did you mean 'staff.count'?", "severity": "error"},
        {"file": "rules/demo/pack.yaml", "line": 35, "column": 53, "code": "E303",
         "message": "'dri' is not a value of enum dust.system.type", "hint": "did you mean 'dry'?",
         "severity": "error"},
    ]}
    # The same errors as the text output, in the same order.
    text = run_cli("rules", "lint", "--rules", "rules", cwd=CASE)
    assert re.findall(r"error\[(E\d{3})\]", text.stderr) == ["E306", "E301", "E303"]


def test_json_diagnostics_without_a_position_or_a_problem(tmp_path: Path) -> None:
    missing = run_cli("rules", "lint", "--rules", str(tmp_path / "nowhere"), "--format", "json")
    assert missing.returncode == 2
    (error,) = json.loads(missing.stdout)["diagnostics"]
    assert (error["file"], error["line"], error["column"], error["code"]) == (None, None, None, "E501")
    clean = run_cli("rules", "lint", "--format", "json")  # loads: only lint warnings (tests/test_lint.py)
    assert clean.returncode == 0
    assert {d["severity"] for d in json.loads(clean.stdout)["diagnostics"]} <= {"warning"}
