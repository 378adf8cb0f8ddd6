"""The JSON writers' verdict text (classifying/verdict_text.py) is json.dumps(model_dump(mode="json"))
byte for byte: over every example, generated findings over all packs, and values that take
json's less common paths (escapes, lone surrogates, floats written with exponents, NaN)."""

from __future__ import annotations

import datetime as dt
import json
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from hazard_rules import Verdict, load_rulesets
from hazard_rules.classifying import verdict as verdict_models
from hazard_rules.classifying.verdict_text import verdict_text

from .pack_findings import example_records

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402


def _dumped(verdict: Verdict) -> str:
    return json.dumps(verdict.model_dump(mode="json"), ensure_ascii=False)


@pytest.mark.parametrize("scope", ["finding", "enterprise"])
def test_every_example_verdict_is_written_as_json_dumps_writes_it(scope: str) -> None:
    ruleset = load_rulesets()
    verdicts = [ruleset.classify(record, scope=scope) for record in example_records()]
    assert len(verdicts) > 300
    for _ in range(2):  # the second time from the kept texts of the parts
        for verdict in verdicts:
            assert verdict_text(verdict) == _dumped(verdict)


def test_generated_findings_over_all_packs_are_written_as_json_dumps_writes_them() -> None:
    ruleset = load_rulesets()
    scenarios = generate.all_scenarios(ruleset, seed=3)
    findings = list(generate.findings(scenarios, 4 * len(scenarios), 3, 0.3, 0.2))
    for verdict in ruleset.classify_many(findings):
        assert verdict_text(verdict) == _dumped(verdict)


TRICKY: list[Any] = [
    'a "quoted", \\ back: slash', "line\nbreak\ttab\x00\x1f\x7f", "lone \ud800 surrogate", "\u2028 \ufeff 中文：，",
    1e-05, 2.5e-07, 1e16, -0.0, 0.1, 10**30, -(2**63), True, None, [], {}, {"k": [1, {"n": None}]},
    dt.date(999, 1, 2), float("nan"), float("inf"), (1, 2), {3, 4}, b"bytes",
]


@pytest.fixture(scope="module")
def matched() -> Verdict:
    ruleset = load_rulesets()
    return next(v for v in map(ruleset.classify, example_records()) if v.matches)


@pytest.mark.parametrize("value", TRICKY, ids=repr)
def test_values_on_json_less_common_paths_are_written_as_json_dumps_writes_them(value: Any, matched: Verdict) -> None:
    verdict = matched
    match = verdict_models.Match.model_validate({**verdict.matches[0].__dict__,
                                                 "because": {"x": value, "y": [value, "s"]}})
    tricky = Verdict.model_validate({**verdict.__dict__, "matches": [match], "finding": f"F-{value!s:.20}",
                                     "reasons": [str(value)], "packs": {"p": "2023-01-01"}})
    try:
        expected = _dumped(tricky)
    except Exception as exc:  # what json.dumps cannot write, the writer cannot either
        with pytest.raises(type(exc)):
            verdict_text(tricky)
        return
    assert verdict_text(tricky) == expected


def _models_in(annotation: Any) -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.add(annotation)
    for argument in typing.get_args(annotation):
        found |= _models_in(argument)
    return found


def test_no_verdict_field_is_declared_as_a_model_with_subclasses() -> None:
    """pydantic writes a field by its declared model; verdict_text by the value's own class.
    They agree only while no field is declared as a model that has subclasses (a Citation
    field holding a Match would be written with Match's fields)."""
    declared: set[type[BaseModel]] = set()
    seen: list[type[BaseModel]] = [Verdict]
    while seen:
        model = seen.pop()
        for field in model.model_fields.values():
            for inner in _models_in(field.annotation) - declared:
                declared.add(inner)
                seen.append(inner)
    models = [m for m in vars(verdict_models).values() if isinstance(m, type) and issubclass(m, BaseModel)]
    assert declared, "the verdict has sub-models"
    for model in declared:
        assert not [m for m in models if m is not model and issubclass(m, model)], model
