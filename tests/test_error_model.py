"""The error model (issue 8): every code registered once and documented, one aggregate for
every loader, the parser's error under the root class, and JSON diagnostics for tools."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import hazard_rules
from hazard_rules import errors
from hazard_rules.errors import CODES, Diagnostics, HazardRulesError, PackError, Span

from .conftest import ROOT

SOURCE = ROOT / "src" / "hazard_rules"
ERRORS_DOC = ROOT / "docs" / "errors.md"
NEVER_PRINTED = {"E000", "E100"}  # the root class and the base of pack errors


def _all_error_classes() -> set[type[HazardRulesError]]:
    for module in pkgutil.walk_packages(hazard_rules.__path__, "hazard_rules."):
        # __main__ runs the CLI; the migration scripts are Alembic's, run by Alembic only.
        if module.name != "hazard_rules.__main__" and ".store.migrations." not in module.name:
            importlib.import_module(module.name)
    found: set[type[HazardRulesError]] = set()
    todo: list[type[HazardRulesError]] = [HazardRulesError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_error_class_anywhere_has_a_registered_code() -> None:
    classes = _all_error_classes()
    assert {c.__module__ for c in classes} >= {"hazard_rules.errors", "hazard_rules.parsing.syntax",
                                               "hazard_rules.workflow.domain.machine",
                                               "hazard_rules.workflow.service.ledger"}
    unregistered = {f"{c.__module__}.{c.__qualname__}: {c.code}" for c in classes if c.code not in CODES}
    assert not unregistered
    assert all(c.exit_code == CODES[c.code].exit_code for c in classes if c is not Diagnostics)


def test_every_code_written_in_the_source_is_registered() -> None:
    """Codes given as strings (the parser's E309, a class's `code = …`) outside the registry."""
    used: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for code in re.findall(r"""["'](E\d{3})["']""", path.read_text(encoding="utf-8")):
            used.setdefault(code, str(path.relative_to(SOURCE)))
    assert {"E201", "E309", "E601", "E611", "E622"} <= set(used)
    assert {code: where for code, where in used.items() if code not in CODES} == {}


def test_every_registered_code_is_documented() -> None:
    text = ERRORS_DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"^#{2,4}\s+`?(E\d{3})\b", text, re.MULTILINE))   # ### E101 — …
    documented |= set(re.findall(r"^\|\s*(E\d{3})\s*\|", text, re.MULTILINE))    # | E601 | … (a table row)
    assert set(CODES) - NEVER_PRINTED - documented == set()
    assert all(code in text for code in NEVER_PRINTED)
    assert documented - set(CODES) == set(), "docs/errors.md documents codes nothing uses"


def test_a_class_with_an_unregistered_code_cannot_be_defined() -> None:
    with pytest.raises(TypeError, match="E999 is not registered"):
        type("Invented", (HazardRulesError,), {"code": "E999"})
    with pytest.raises(TypeError, match="registered with 4"):
        type("Confused", (HazardRulesError,), {"code": "E603", "exit_code": 2})
    assert type("Fine", (PackError,), {"code": "E104"}).exit_code == 2


def test_exit_codes_come_from_the_registry() -> None:
    from hazard_rules import ConflictError, RecordError

    assert (RecordError.exit_code, ConflictError.exit_code, errors.UsageError.exit_code) == (3, 4, 2)


def test_the_parsers_error_is_under_the_root_class() -> None:
    from hazard_rules.parsing.parser import ConditionSyntaxError, parse_condition

    assert issubclass(ConditionSyntaxError, HazardRulesError)
    with pytest.raises(HazardRulesError) as caught:
        parse_condition("a ==")
    assert caught.value.code == "E201"
    with pytest.raises(HazardRulesError) as caught:
        parse_condition("(" * 40 + "a" + ")" * 40)
    assert caught.value.code == "E309"
    with pytest.raises(KeyError, match="E999"):
        ConditionSyntaxError("x", 0, code="E999")


def _error(file: str, line: int, code: type[HazardRulesError] = errors.SchemaError) -> HazardRulesError:
    return code(f"at {file}:{line}", Span(file, line, 1))


def test_one_aggregate_for_every_loader() -> None:
    from hazard_rules.workflow.policy.settings import SettingsErrors

    assert hazard_rules.PackErrors is Diagnostics and SettingsErrors is Diagnostics
    inner = Diagnostics([_error("b.yaml", 3), _error("a.yaml", 9)])
    found = Diagnostics([_error("b.yaml", 1), inner, errors.RecordError("bad record")], "rule packs")
    assert [e.message for e in found.errors] == ["bad record", "at a.yaml:9", "at b.yaml:1", "at b.yaml:3"]
    assert found.message == "4 error(s) in rule packs"
    assert found.exit_code == 3  # the highest of its errors'
    assert found.render().endswith("\n\n4 error(s) found")
    with pytest.raises(ValueError):
        Diagnostics([])
