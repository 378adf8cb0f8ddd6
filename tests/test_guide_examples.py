"""Every example of the authoring guide (docs/guide/zh/, docs/guide/en/) is run, so the guide
cannot rot (issue 12, item 8). What the guide marks, and how each is checked:

- ```yaml file=PATH```: written to PATH in a fresh folder (one per guide page, in page order);
  the rules folder it lands in must then load with its tests (`load_rulesets(…, tests=True)`),
  unless the block says `broken` (an example of an error, shown by a later command).
- ```jsonl file=PATH```: a findings file, written as is.
- ```console```: each `$ hazard-rules …` line is run in a subprocess in that folder, and its
  output (stdout and stderr, in order) must be the lines below it; `[exit N]` as the last
  line is the expected exit code (default 0). Normalised: trailing spaces of each line and
  trailing blank lines (the only difference allowed). The folder starts with `rules/_shared/`,
  a copy of the shipped shared vocabulary (which `rules new` needs); commands without
  `--rules` read the shipped packs. Output is as wide as COLUMNS=200.
- ```dsl rule=ID```: a condition quoted from a shipped rule: it must parse, and appear (spaces
  aside) in that rule's `when` or `unless`; ```dsl condition=NAME``` in a shipped pack's named
  condition; a bare ```dsl``` (a construct no shipped rule uses yet) must parse.
- the table after `<!-- kleene-table -->`: each row is computed with the engine's Kleene logic.

When a command's output changes on purpose, `UPDATE_GOLDENS=1 pytest tests/test_guide_examples.py`
writes the new outputs into both pages; review the diff.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from hazard_rules import load_rulesets
from hazard_rules.checking import ir
from hazard_rules.checking.types import BOOL
from hazard_rules.compiling.kleene import compile_kleene
from hazard_rules.parsing.parser import parse_condition

from .conftest import ROOT, RULESETS

GUIDE = ROOT / "docs" / "guide"
PAGES = sorted(GUIDE.glob("*/*.md"))
_FENCE = re.compile(r"^```(?P<lang>\w+)(?P<info>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)


@dataclass(frozen=True)
class Block:
    lang: str
    attrs: dict[str, str]
    body: str
    line: int

    def where(self, page: Path) -> str:
        return f"{page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        attrs = dict(part.split("=", 1) if "=" in part else (part, "") for part in match["info"].split())
        found.append(Block(match["lang"], attrs, match["body"], text.count("\n", 0, match.start()) + 1))
    return found


def _normalise(output: str) -> str:
    return "\n".join(line.rstrip() for line in output.splitlines()).rstrip("\n")


def _commands(block: Block) -> list[tuple[list[str], str, int]]:
    """(argv, expected output, expected exit code) for each `$ ` line."""
    runs: list[tuple[list[str], list[str], int]] = []
    for line in block.body.splitlines():
        if line.startswith("$ "):
            argv = shlex.split(line[2:])
            assert argv[0] == "hazard-rules", f"only hazard-rules commands run: {line}"
            runs.append((argv[1:], [], 0))
        elif (exit_code := re.fullmatch(r"\[exit (\d+)\]", line.strip())) and runs:
            runs[-1] = (runs[-1][0], runs[-1][1], int(exit_code[1]))
        else:
            assert runs, f"output before any command in a console block: {line!r}"
            runs[-1][1].append(line)
    return [(argv, _normalise("\n".join(lines)), code) for argv, lines, code in runs]


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1", COLUMNS="200", NO_COLOR="1",
               TERM="dumb")
    return subprocess.run([sys.executable, "-m", "hazard_rules", *argv], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, encoding="utf-8", timeout=300)


def _rules_folder(path: Path) -> Path | None:
    """The rules folder a written pack file belongs to (the parent of its pack folder)."""
    for parent in path.parents:
        if (parent / "pack.yaml").is_file():
            return parent.parent
    return None


def test_there_is_a_guide_in_each_language() -> None:
    assert {page.parent.name for page in PAGES} == {"zh", "en"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(GUIDE)))
def test_every_example_of_the_page_runs(page: Path, tmp_path: Path) -> None:
    """UPDATE_GOLDENS=1 writes each command's actual output into the page instead (as for
    golden files: review the diff before committing it)."""
    work = tmp_path / "work"
    shutil.copytree(RULESETS / "_shared", work / "rules" / "_shared")
    text = page.read_text(encoding="utf-8")
    updated: list[tuple[Block, str]] = []
    ran = 0
    for block in blocks(page):
        if "file" in block.attrs:
            target = work / block.attrs["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.body, encoding="utf-8")
            folder = _rules_folder(target)
            if block.lang == "yaml" and folder is not None and "broken" not in block.attrs:
                load_rulesets(folder, tests=True)  # raises, with file:line:col, if the snippet is wrong
        elif block.lang == "console":
            lines = []
            for argv, expected, code in _commands(block):
                result = _run(argv, work)
                shown = " ".join(argv)
                lines += [f"$ hazard-rules {shown}", *_normalise(result.stdout).splitlines()]
                lines += [f"[exit {result.returncode}]"] if result.returncode else []
                if os.environ.get("UPDATE_GOLDENS") != "1":
                    assert (_normalise(result.stdout), result.returncode) == (expected, code), \
                        f"{block.where(page)}: `hazard-rules {shown}` printed\n{result.stdout}"
                ran += 1
            updated.append((block, "\n".join(lines) + "\n"))
    assert ran, f"{page}: no command example"
    if os.environ.get("UPDATE_GOLDENS") == "1":
        for block, body in reversed(updated):
            start = _offset(text, block.line)
            text = text[:start] + text[start:].replace(block.body, body, 1)
        page.write_text(text, encoding="utf-8")


def _offset(text: str, line: int) -> int:
    """Where line (1-based) starts in text."""
    return sum(len(x) for x in text.splitlines(keepends=True)[:line - 1])


@pytest.fixture(scope="module")
def shipped_conditions() -> tuple[dict[str, list[str]], list[str]]:
    ruleset = load_rulesets()
    rules = {rule.rule.id: [t for t in (rule.rule.when, rule.rule.unless) if t]
             for pack in ruleset.packs for rule in pack.rules}
    named = [located.value for pack in ruleset.packs for located in pack.checked.source.conditions.values()]
    return rules, named


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(GUIDE)))
def test_every_dsl_example_is_quoted_from_a_shipped_rule(page: Path, shipped_conditions) -> None:
    rules, named = shipped_conditions
    quoted = [block for block in blocks(page) if block.lang == "dsl"]
    assert quoted
    for block in quoted:
        parse_condition(block.body.strip())
        if "rule" in block.attrs:
            texts = rules.get(block.attrs["rule"])
            assert texts is not None, f"{block.where(page)}: no shipped rule {block.attrs['rule']}"
            assert any(_squash(block.body) in _squash(t) for t in texts), \
                f"{block.where(page)}: not in {block.attrs['rule']}: {texts}"
        elif "condition" in block.attrs:
            assert any(_squash(block.body) in _squash(t) for t in named), block.where(page)


_TRUTH = {"true": True, "真": True, "false": False, "假": False, "unknown": None, "未知": None}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(GUIDE)))
def test_the_three_valued_table_is_what_the_engine_computes(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    table = text[text.index("<!-- kleene-table -->"):].split("\n\n")[0].splitlines()[3:]
    a, b = ir.Fact("a", BOOL), ir.Fact("b", BOOL)
    ops = [compile_kleene(ir.And((a, b))), compile_kleene(ir.Or((a, b))), compile_kleene(ir.Not(a))]
    assert len(table) == 9
    for row in table:
        cells = [_TRUTH[c.strip().strip("`")] for c in row.strip().strip("|").split("|")]
        facts = {k: v for k, v in (("a", cells[0]), ("b", cells[1])) if v is not None}
        assert [op(facts, None, {}) for op in ops] == cells[2:], row


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(GUIDE)))
def test_the_table_of_codes_lists_every_error_and_lint(page: Path) -> None:
    """Every code of errors.CODES and authoring.lint.LINTS, with its exit code or severity;
    the English page also with its registered summary."""
    from hazard_rules.authoring.lint import LINTS
    from hazard_rules.errors import CODES

    text = page.read_text(encoding="utf-8")
    rows = text[text.index("<!-- codes-table -->"):].split("\n\n")[0].splitlines()[3:]
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    expected = [(c.code, str(c.exit_code), c.summary) for c in CODES.values()]
    expected += [(lint.code, lint.severity, lint.summary) for lint in LINTS.values()]
    assert [(code, second) for code, second, _ in cells] == [(code, second) for code, second, _ in expected]
    if page.parent.name == "en":
        assert [tuple(row) for row in cells] == expected
