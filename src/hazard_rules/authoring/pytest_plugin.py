"""pytest collects the rule tests of packs: `pytest rulesets/` (or one pack folder, or one
`.tests.yaml` file) runs each test written in a pack's `<file>.tests.yaml` as a pytest item
named `RULE-ID[test name]`, so authors and CI see every pack test by name, with pytest's
selection (`-k`), reports and JUnit output. A test passes when `rules test` would pass it.

Registered through the `pytest11` entry point; it collects only `.tests.yaml` files that lie
beside a pack's `pack.yaml`, and leaves every other file to pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..errors import HazardRulesError
from ..loading.loader import PACK_FILE, TESTS_SUFFIX
from ..loading.strict_yaml import read_yaml
from .testing import TestResult, run_pack_tests

_RESULTS: dict[Path, dict[tuple[str, int], TestResult] | HazardRulesError] = {}


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name.endswith(TESTS_SUFFIX) and (file_path.parent / PACK_FILE).is_file():
        return RuleTestsFile.from_parent(parent, path=file_path)
    return None


def _results(pack_folder: Path) -> dict[tuple[str, int], TestResult] | HazardRulesError:
    """Every test result of the pack, by (rule id, index); run once per pack and session."""
    if pack_folder not in _RESULTS:
        from ..classifying.load import load_rulesets

        try:
            ruleset = load_rulesets(pack_folder, tests=True)
        except HazardRulesError as error:
            _RESULTS[pack_folder] = error
        else:
            results, _ = run_pack_tests(ruleset)
            numbered: dict[tuple[str, int], TestResult] = {}
            seen: dict[str, int] = {}
            for result in results:  # each rule's results come in the order its tests are written
                seen[result.rule] = seen.get(result.rule, -1) + 1
                numbered[result.rule, seen[result.rule]] = result
            _RESULTS[pack_folder] = numbered
    return _RESULTS[pack_folder]


class RuleTestsFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            written = read_yaml(self.path.read_text(encoding="utf-8"), str(self.path)).data
        except HazardRulesError as error:
            yield PackLoadItem.from_parent(self, name="(tests file)", error=error)
            return
        tests = written.get("tests") if isinstance(written, dict) else None
        for rule_id, rule_tests in (tests.items() if isinstance(tests, dict) else ()):
            for index, test in enumerate(rule_tests if isinstance(rule_tests, list) else ()):
                name = test.get("name") if isinstance(test, dict) else None
                yield RuleTestItem.from_parent(self, name=f"{rule_id}[{name or f'test {index + 1}'}]",
                                               rule_id=str(rule_id), index=index)


class RuleTestFailure(Exception):
    def __init__(self, result: TestResult) -> None:
        super().__init__(result.name)
        self.result = result


class RuleTestItem(pytest.Item):
    def __init__(self, *, rule_id: str, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule_id, self.index = rule_id, index

    def runtest(self) -> None:
        results = _results(self.path.parent)
        if isinstance(results, HazardRulesError):
            raise results
        result = results.get((self.rule_id, self.index))
        if result is None:
            raise AssertionError(f"no result for test {self.index + 1} of {self.rule_id}: the pack does not run it")
        if not result.passed:
            raise RuleTestFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        error = excinfo.value
        if isinstance(error, RuleTestFailure):
            r = error.result
            why = f"expected {r.expected}, got {r.actual}" + (f" ({r.error})" if r.error else "")
            return f"{r.origin}: {r.rule}: {r.name} — {why}"
        if isinstance(error, HazardRulesError):
            return error.render()
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.rule_id} test {self.index + 1}"


class PackLoadItem(pytest.Item):
    def __init__(self, *, error: HazardRulesError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise self.error

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return self.error.render()
