"""Rules for the test suite itself (issue 8): a property test never passes by returning
early (it uses `assume`, so Hypothesis counts the skipped case), and no test skips because
a golden file is missing (a missing golden is a failure that says how to create it)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _functions():
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                yield path, node


def test_no_property_test_returns_early() -> None:
    early = [f"{path.relative_to(TESTS)}:{sub.lineno} {node.name}"
             for path, node in _functions() if any("given" in ast.unparse(d) for d in node.decorator_list)
             for sub in ast.walk(node) if isinstance(sub, ast.Return)]
    assert early == [], "use hypothesis.assume(...) instead of return: " + ", ".join(early)


SKIP_ALLOWED = "# skip allowed:"  # on the skip's line, followed by why (never a missing golden or fixture)


def test_no_test_skips_for_a_missing_file() -> None:
    skipping = [f"{path.relative_to(TESTS)}:{sub.lineno}" for path, node in _functions()
                for sub in ast.walk(node)
                if isinstance(sub, ast.Call) and ast.unparse(sub.func) in ("pytest.skip", "skip")
                and SKIP_ALLOWED not in path.read_text(encoding="utf-8").splitlines()[sub.lineno - 1]]
    assert skipping == [], "a missing golden or fixture must fail, not skip: " + ", ".join(skipping)
