"""pytest collects the tests of packs: `pytest rulesets/` (or one pack folder, or one tests
file) runs each test written in a pack's `<file>.tests.yaml` as a pytest item named
`RULE-ID[test name]`, and each finding test of its `findings.tests.yaml` as an item named
after the test (the record's id by default), so authors and CI see every pack test by name,
with pytest's selection (`-k`), reports and JUnit output. A test passes when `rules test`
would pass it, and a failure reads as it does there (authoring/failure_text.py); a `todo`
test is an xfail (an XPASS once it passes).

The packs are loaded from the folder holding the pack (its rules folder), so a finding test
may name a rule of another edition; when that folder does not load, the pack alone is.
Registered through the `pytest11` entry point; it collects only tests files that lie beside a
pack's `pack.yaml`, and leaves every other file to pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..errors import HazardRulesError
from ..loading.loader import FINDING_TESTS_FILE, PACK_FILE, TESTS_SUFFIX
from ..loading.strict_yaml import read_yaml
from .failure_text import finding_test_lines, rule_test_lines
from .finding_tests import FindingTestResult
from .testing import TestResult, run_tests


@dataclass
class PackResults:
    ruleset: Any
    rule_tests: dict[tuple[str, int], TestResult]
    finding_tests: list[FindingTestResult]


_RESULTS: dict[Path, PackResults | HazardRulesError] = {}
_LOADED: dict[Path, Any] = {}   # rule sets by the folder loaded, shared by the packs in it


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if not (file_path.parent / PACK_FILE).is_file():
        return None
    if file_path.name == FINDING_TESTS_FILE:
        return FindingTestsFile.from_parent(parent, path=file_path)
    if file_path.name.endswith(TESTS_SUFFIX):
        return RuleTestsFile.from_parent(parent, path=file_path)
    return None


def _load(pack_folder: Path) -> Any:
    from ..classifying.load import load_rulesets

    for folder in (pack_folder.parent, pack_folder):   # the pack alone: its own errors, if it has any
        if folder not in _LOADED:
            try:
                _LOADED[folder] = load_rulesets(folder, tests=True)
            except HazardRulesError as error:
                _LOADED[folder] = error
        if not isinstance(_LOADED[folder], HazardRulesError):
            return _LOADED[folder]
    raise _LOADED[pack_folder]


def _results(pack_folder: Path) -> PackResults | HazardRulesError:
    """Every test result of the pack; run once per pack and session."""
    if pack_folder not in _RESULTS:
        try:
            ruleset = _load(pack_folder)
            report = run_tests(ruleset, {pack_folder.name})
        except HazardRulesError as error:
            _RESULTS[pack_folder] = error
        else:
            numbered: dict[tuple[str, int], TestResult] = {}
            seen: dict[str, int] = {}
            for result in report.rule_tests:  # each rule's results come in the order its tests are written
                seen[result.rule] = seen.get(result.rule, -1) + 1
                numbered[result.rule, seen[result.rule]] = result
            _RESULTS[pack_folder] = PackResults(ruleset, numbered, report.finding_tests)
    return _RESULTS[pack_folder]


def _written(file: pytest.File) -> Any:
    return read_yaml(file.path.read_text(encoding="utf-8"), str(file.path)).data


def _todo_mark(item: pytest.Item, test: Any) -> None:
    todo = test.get("todo") if isinstance(test, dict) else None
    if isinstance(todo, str):
        item.add_marker(pytest.mark.xfail(reason=f"todo: {todo}", raises=PackTestFailure, strict=False))


class _TestsFile(pytest.File):
    """A tests file: its items, or one item that fails with the file's error."""

    def collect(self) -> Iterator[pytest.Item]:
        try:
            written = _written(self)
        except HazardRulesError as error:
            yield PackLoadItem.from_parent(self, name="(tests file)", error=error)
            return
        yield from self.items(written if isinstance(written, dict) else {})

    def items(self, written: dict[str, Any]) -> Iterator[pytest.Item]:
        raise NotImplementedError


class RuleTestsFile(_TestsFile):
    def items(self, written: dict[str, Any]) -> Iterator[pytest.Item]:
        tests = written.get("tests")
        for rule_id, rule_tests in (tests.items() if isinstance(tests, dict) else ()):
            for index, test in enumerate(rule_tests if isinstance(rule_tests, list) else ()):
                name = test.get("name") if isinstance(test, dict) else None
                item = RuleTestItem.from_parent(self, name=f"{rule_id}[{name or f'test {index + 1}'}]",
                                                rule_id=str(rule_id), index=index)
                _todo_mark(item, test)
                yield item


class FindingTestsFile(_TestsFile):
    def items(self, written: dict[str, Any]) -> Iterator[pytest.Item]:
        findings = written.get("findings")
        for index, test in enumerate(findings if isinstance(findings, list) else ()):
            record = test.get("record") if isinstance(test, dict) else None
            name = (test.get("name") if isinstance(test, dict) else None) or \
                (record.get("id") if isinstance(record, dict) else None) or f"finding {index + 1}"
            item = FindingTestItem.from_parent(self, name=str(name), index=index)
            _todo_mark(item, test)
            yield item


class PackTestFailure(Exception):
    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class _PackTestItem(pytest.Item):
    def _pack_results(self) -> PackResults:
        results = _results(self.path.parent)
        if isinstance(results, HazardRulesError):
            raise results
        return results

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        error = excinfo.value
        if isinstance(error, PackTestFailure):
            return "\n".join(error.lines)
        if isinstance(error, HazardRulesError):
            return error.render()
        return str(super().repr_failure(excinfo))


class RuleTestItem(_PackTestItem):
    def __init__(self, *, rule_id: str, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule_id, self.index = rule_id, index

    def runtest(self) -> None:
        results = self._pack_results()
        result = results.rule_tests.get((self.rule_id, self.index))
        if result is None:
            raise AssertionError(f"no result for test {self.index + 1} of {self.rule_id}: the pack does not run it")
        if not result.passed:
            raise PackTestFailure([f"{result.origin}: {result.rule}: {result.name} — expected {result.expected}, "
                                   f"got {result.actual}", *rule_test_lines(results.ruleset, result)])

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.rule_id} test {self.index + 1}"


class FindingTestItem(_PackTestItem):
    def __init__(self, *, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = index

    def runtest(self) -> None:
        results = self._pack_results()
        if self.index >= len(results.finding_tests):
            raise AssertionError(f"no result for finding test {self.index + 1}: the pack does not run it")
        result = results.finding_tests[self.index]
        if result.failed:
            raise PackTestFailure([f"{result.origin}: finding {result.name}",
                                   *finding_test_lines(results.ruleset, result)])

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"finding test {self.name}"


class PackLoadItem(pytest.Item):
    def __init__(self, *, error: HazardRulesError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise self.error

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return self.error.render()
