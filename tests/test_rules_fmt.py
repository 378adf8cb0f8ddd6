"""`rules fmt` (issue 12, item 7): one layout for pack files, comments and values kept.
Golden outputs in tests/golden/fmt/ (regenerate with UPDATE_GOLDENS=1 and review the diff)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hazard_rules.authoring.fmt import format_text, pack_files
from hazard_rules.loading.strict_yaml import read_yaml

from .conftest import RULESETS, assert_golden, run_cli

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "fmt" / "demo"
GOLDEN = Path(__file__).resolve().parent / "golden" / "fmt"


def test_every_shipped_file_is_in_the_canonical_layout() -> None:
    """fmt changes no shipped file (so it also keeps their comments, Chinese text, flow
    mappings and block scalars byte for byte), and is idempotent on them."""
    files = pack_files([RULESETS])
    assert len(files) > 200
    changed = [str(path) for path in files if format_text(path.read_text(encoding="utf-8"), str(path))
               != path.read_text(encoding="utf-8")]
    assert changed == [], "run `hazard-rules rules fmt --rules rulesets`"


def test_check_shows_a_diff_then_fmt_writes_it_and_is_idempotent(tmp_path: Path) -> None:
    pack = tmp_path / "demo"
    shutil.copytree(FIXTURE, pack)
    before = (pack / "pack.yaml").read_text(encoding="utf-8")
    check = run_cli("rules", "fmt", "--check", "demo", cwd=tmp_path)
    assert check.returncode == 1, check.stderr
    assert_golden(GOLDEN / "check.diff", check.stdout)
    assert (pack / "pack.yaml").read_text(encoding="utf-8") == before  # --check writes nothing
    done = run_cli("rules", "fmt", "demo", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == f"formatted {Path('demo') / 'pack.yaml'}\n1 file(s), 1 changed\n"
    after = (pack / "pack.yaml").read_text(encoding="utf-8")
    assert_golden(GOLDEN / "pack.yaml.txt", after)
    assert read_yaml(after, "after").data == read_yaml(before, "before").data
    assert after.count("#") == before.count("#")  # every comment kept
    again = run_cli("rules", "fmt", "--check", "demo", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == "1 file(s), 0 would change\n"


def test_a_file_the_strict_reader_refuses_is_not_formatted(tmp_path: Path) -> None:
    bad = tmp_path / "pack.yaml"
    text = "standard:\n  family: demo\n  family: other\n"
    bad.write_text(text, encoding="utf-8")
    result = run_cli("rules", "fmt", str(bad))
    assert result.returncode == 2
    assert f"{bad}:3:3: error[E102]" in result.stderr
    assert bad.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("text", [
    "a: [1,\n    2]\n",                                   # a wrapped flow list becomes a block list
    "a:\n    - {b: [1,\n          2]}\n",                 # …but not inside a flow mapping
    "# head\na: >-\n  folded\n  text\nb: 'quoted'  # note\n",
    "# only a comment\n",                                 # kept as is, not made `null`
    "",
])
def test_formatting_keeps_the_data_and_is_idempotent(text: str) -> None:
    once = format_text(text, "t.yaml")
    assert read_yaml(once, "t.yaml").data == read_yaml(text, "t.yaml").data
    assert format_text(once, "t.yaml") == once
    assert once.count("#") == text.count("#")
