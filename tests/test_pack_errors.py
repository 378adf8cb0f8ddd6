"""Golden tests of the errors `hazard-rules rules lint` reports for broken rule packs.

Each folder under tests/fixtures/bad_packs/ is one case: a `rules/` folder (one or
more packs, sometimes a `_shared` vocabulary) and `expected.txt`, the exact stderr of

    hazard-rules rules lint --rules rules

run from inside the case folder, so that every path in a message is relative and stable.
Folders named `eNNN-…` must report at least one error[ENNN].

Regenerate the goldens after a deliberate change to a message with

    UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/test_pack_errors.py

and review the diff: a golden records what the tool prints today, not what it should.

One normalisation is applied before comparing: the absolute path of the case folder is
replaced by `<case>/`, so that a regression to absolute paths in messages (as once
happened for files reached through `include:`) shows up as a diff, not as a golden
tied to one checkout.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "bad_packs"
ERRORS_DOC = HERE.parent / "docs" / "errors.md"
GOLDEN = "expected.txt"
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"

# Codes documented in docs/errors.md that `rules lint` on a rules folder cannot produce.
NOT_REACHABLE_BY_LINT = {
    "E401": "an invalid finding record: raised by `check`/`explain`, not by `rules lint`",
    "E402": "an unreadable findings file: raised by `check`/`explain`, not by `rules lint`",
}

CODE_IN_OUTPUT = re.compile(r"error\[(E\d{3})\]")
CODE_HEADING = re.compile(r"^#{2,4}\s+`?(E\d{3})\b", re.MULTILINE)


def _cases() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and (p / "rules").is_dir())


def _run_lint(case: Path) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CLICOLOR_FORCE"):
        env.pop(name, None)
    env.update(PYTHONIOENCODING="utf-8", COLUMNS="200", NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "hazard_rules", "rules", "lint", "--rules", "rules"],
                          cwd=case, env=env, capture_output=True, timeout=120, check=False)


def _normalise(text: str, case: Path) -> str:
    text = text.replace("\r\n", "\n")
    for prefix in {str(case.resolve()), str(case.absolute())}:
        text = text.replace(prefix + os.sep, "<case>/")
    return text


def _golden(case: Path) -> str:
    return (case / GOLDEN).read_bytes().decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_lint_reports_expected_errors(case: Path) -> None:
    result = _run_lint(case)
    stdout = result.stdout.decode("utf-8", "replace")
    stderr = _normalise(result.stderr.decode("utf-8"), case)
    assert "Traceback" not in stdout + stderr, stderr
    assert result.returncode == 2, f"exit code {result.returncode}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    assert stdout == "", f"nothing is printed on stdout when lint fails, got:\n{stdout}"
    golden = case / GOLDEN
    if UPDATE:
        golden.write_bytes(stderr.encode("utf-8"))
        return
    assert golden.is_file(), f"{golden} is missing; run with UPDATE_GOLDENS=1 to create it"
    assert stderr == _golden(case)


@pytest.mark.parametrize("case", [c for c in _cases() if re.match(r"e\d{3}-", c.name)], ids=lambda p: p.name)
def test_case_name_matches_a_reported_code(case: Path) -> None:
    """A fixture named eNNN-… must report error[ENNN] (possibly among others)."""
    assert (case / GOLDEN).is_file(), f"{case / GOLDEN} is missing; run with UPDATE_GOLDENS=1 to create it"
    code = "E" + case.name[1:4]
    assert code in CODE_IN_OUTPUT.findall(_golden(case))


def _documented_codes() -> set[str]:
    return set(CODE_HEADING.findall(ERRORS_DOC.read_text(encoding="utf-8")))


def test_every_documented_code_has_a_fixture() -> None:
    documented = _documented_codes()
    assert documented, f"no `### ENNN` headings found in {ERRORS_DOC}"
    assert set(NOT_REACHABLE_BY_LINT) <= documented, "exemptions must name documented codes"
    covered: set[str] = set()
    for case in _cases():
        if (case / GOLDEN).is_file():
            covered.update(CODE_IN_OUTPUT.findall(_golden(case)))
    missing = documented - covered - set(NOT_REACHABLE_BY_LINT)
    assert not missing, f"documented codes without a bad_packs fixture: {', '.join(sorted(missing))}"


def test_every_reported_code_is_documented() -> None:
    documented = _documented_codes()
    reported: set[str] = set()
    for case in _cases():
        if (case / GOLDEN).is_file():
            reported.update(CODE_IN_OUTPUT.findall(_golden(case)))
    assert reported <= documented, f"codes missing from docs/errors.md: {', '.join(sorted(reported - documented))}"


def test_every_code_in_errors_module_is_documented() -> None:
    from hazard_rules import errors

    codes = {cls.code for cls in vars(errors).values()
             if isinstance(cls, type) and issubclass(cls, errors.HazardRulesError)}
    codes -= {"E000", "E100"}  # the base class and the PackErrors aggregate never print on their own
    missing = codes - _documented_codes()
    assert not missing, f"codes in errors.py missing from docs/errors.md: {', '.join(sorted(missing))}"
