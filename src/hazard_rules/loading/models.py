"""Pydantic models of the rule-pack files (docs/pack-format.md).

Models forbid unknown keys; strings, booleans and numbers are strict so that YAML
surprises (``severity: no``) are errors rather than silent conversions.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, field_validator
from pydantic.json_schema import SkipJsonSchema, WithJsonSchema

FACT_ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
CONDITION_NAME = re.compile(r"[a-z][a-z0-9_]*")
INDUSTRY_CODE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")

Text = Annotated[StrictStr, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EditionRef(_Model):
    name: Text
    number: Text | None = None
    effective_from: dt.date | None = None


class Standard(_Model):
    family: Text
    name: Text
    number: Text
    issuer: Text
    effective_from: dt.date
    effective_to: dt.date | None = None
    supersedes: EditionRef | None = None
    superseded_by: EditionRef | None = None
    source: Text | None = None
    sources: dict[str, Text] = {}


class Delegation(_Model):
    industries: list[Text]
    standard: Text
    article: Text | None = None


class Outside(_Model):
    """Codes under the pack's industries that the standard itself leaves out (e.g. 城镇燃气:
    gas users, not 经营者); a finding carrying one is undetermined with `reason`."""
    industries: list[Text]
    reason: Text


class Scope(_Model):
    industries: list[Text]
    codes: dict[str, Text] = {}  # every industry code a finding may carry for this pack: code -> 中文
    departments: list[Text] = []
    delegations: list[Delegation] = []
    outside: list[Outside] = []

    @field_validator("industries")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if not INDUSTRY_CODE.fullmatch(code):
                raise ValueError(f"industry code {code!r} must be dotted lower-case, e.g. gongmao.dust")
        return codes


_RANGE_SCHEMA = {"anyOf": [{"items": {"anyOf": [{"type": "integer"}, {"type": "number"}]},
                           "maxItems": 2, "minItems": 2, "type": "array"}, {"type": "null"}]}

FactType = Literal["bool", "int", "decimal", "str", "enum", "date", "set", "list"]


class FactDecl(_Model):
    label: Text | None = None
    type: Text
    unit: Text | None = None
    # int/decimal: [least, greatest] a value can be, in `unit`. Taken as written and checked in
    # checking/vocabulary.py, where each mistake gets its own message and hint (the validator's
    # would be "input should be a valid integer or input should be a valid number"); editors
    # still get the shape from the schema.
    range: Annotated[Any, WithJsonSchema(_RANGE_SCHEMA)] = None
    values: dict[str, Text] | None = None
    fields: dict[str, FactDecl] | None = None
    description: Text | None = None
    ordered: StrictBool = False
    # Context facts only say the enterprise, place or equipment is of the kind a clause is
    # about (金属冶炼企业, 干式除尘系统, 使用快速冻结装置); a finding that gives only context
    # facts concerns no rule (docs/scopes.md).
    context: StrictBool = False


class Section(_Model):
    id: Text
    article: Text
    title: Text | None = None
    lead: Text | None = None
    applies_to: list[Text] | None = None
    when: Text | None = None
    # Every numbered item of the article, e.g. [（一）, （二）]: each must be some rule's clause,
    # so a truncated file or a forgotten item is a pack error, not a silently missing clause.
    items: list[Text] | None = None
    # Items of the article whose official text could not be found: clause -> what was searched.
    # They are not encoded (never guessed); verdicts that might need them say so.
    missing: dict[Text, Text] = {}
    # The document that added this section to the standard (a 补充情形 such as 矿安〔2024〕41号
    # to 矿安〔2022〕88号): its items are cited with that document and apply from its effective_from.
    added_by: EditionRef | None = None


class Provenance(_Model):
    status: Literal["verified", "unverified"]
    sources: list[Text] = []
    note: Text | None = None


class RuleTest(_Model):
    name: Text | None = None
    facts: dict[str, Any] = {}
    industries: list[Text] | None = None
    date: dt.date | None = None
    # finding: judge the test record as an inspection finding (only the situations whose
    # subject facts it gives count); expect `not_concerned` when it gives none of them.
    scope: Literal["finding", "enterprise"] = "enterprise"
    expect: StrictBool | Literal["unknown", "not_concerned"]
    # A known gap (the reason): reported, not a failure; a todo that passes is reported too.
    todo: Text | None = None


class EquivalentMutant(_Model):
    """A mutant (`rules test --mutate`) that cannot differ from the rule, and why."""

    mutant: Text      # the id the mutation report prints, e.g. when:1.0:drop-2
    reason: Text


class Rule(_Model):
    id: Text
    section: Text
    clause: Text | None = None
    text: Text
    provenance: Provenance
    when: Text
    unless: Text | None = None
    determination: Literal["facts", "inspector"] = "facts"
    severity: Literal["major"] = "major"
    notes: Text | None = None
    # Written in <file>.tests.yaml and given to the rule when tests are read (loader.py); a
    # rule that writes them itself is refused, so the editor schema does not offer the key.
    tests: SkipJsonSchema[list[RuleTest]] = []
    equivalent_mutants: list[EquivalentMutant] = []

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not RULE_ID.fullmatch(value):
            raise ValueError("rule ids use letters, digits, '-', '_' and '.', e.g. GM2023-11-3")
        return value


class Provision(_Model):
    id: Text
    article: Text
    kind: Literal["device_equivalence"]
    text: Text
    provenance: Provenance | None = None
    type: Text
    values: list[Text]
    notes: Text | None = None


class PackPart(_Model):
    """What any file of a pack may hold (an `include`d file holds only this)."""

    types: dict[str, FactDecl] = {}
    facts: dict[str, FactDecl] = {}
    conditions: dict[str, Text] = {}
    sections: list[Section] = []
    rules: list[Rule] = []
    provisions: list[Provision] = []


class PackManifest(PackPart):
    """`pack.yaml`: the header of a pack plus any of its parts."""

    standard: Standard
    scope: Scope
    imports: list[Text] = []
    include: list[Text] = []


class TestsPart(_Model):
    """`<file>.tests.yaml`: the tests of rules, by rule id. Read by `rules test`, `rules lint`,
    `rules coverage` and mutation testing, not by a load that classifies findings."""

    tests: dict[Text, list[RuleTest]] = {}


class FindingExpectation(_Model):
    """What the verdict on a finding test's record must say (the Verdict contract's names)."""

    verdict: Literal["major", "undetermined", "ordinary"]
    # The rules that fire (the verdict's `matches`), exactly: [] when none may fire.
    matches: list[Text]
    # Optional, each compared exactly when given: the undetermined rules with the sorted facts
    # that would decide them, the rules the finding concerns, the inspector's label checked.
    open: dict[Text, list[Text]] | None = None
    concerned: list[Text] | None = None
    claim: Literal["confirms", "contradicts", "unsupported"] | None = None
    provisions: list[Text] | None = None
    reasons: list[Text] = []      # substrings, each in some reason of the verdict


class FindingTest(_Model):
    """One inspection finding and the verdict the law gives it."""

    name: Text | None = None      # default: the record's id
    record: dict[str, Any]        # a finding record, as `hazard-rules check` reads it
    scope: Literal["finding", "enterprise"] = "finding"
    expect: FindingExpectation
    # A known gap (the reason): reported, not a failure; a todo that passes is reported too.
    todo: Text | None = None
    # For readers: what kind of case it is, the article(s) it is about, the legal reasoning.
    category: Literal["major", "threshold", "precondition", "ordinary", "missing", "resembles",
                      "boundary"] | None = None
    article: Text | list[Text] | None = None
    why: Text | None = None
    note: Text | None = None


class FindingTestsPart(_Model):
    """A pack's `findings.tests.yaml`: finding-level tests, read with the rules' tests."""

    # Shared records (enterprises …) to refer to with YAML anchors; not read otherwise.
    enterprises: dict[Text, Any] = {}
    findings: list[FindingTest]


class Vocabulary(_Model):
    """A shared vocabulary folder's `vocabulary.yaml`."""

    types: dict[str, FactDecl] = {}
    facts: dict[str, FactDecl] = {}


FactDecl.model_rebuild()
_ = StrictInt  # re-exported for type hints elsewhere
