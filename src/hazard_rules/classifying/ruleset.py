"""A loaded, checked and compiled set of rule packs, and classification with it."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..checking.pack import CheckedPack, CheckedRule, CheckedSection
from ..checking.types import Type
from ..compiling.codegen import SectionFn, compile_section
from ..compiling.explain import explain
from ..errors import ConflictingFactError, PackError, PackErrors, RecordError
from ..findings.coerce import FactValueError, coercer_for, is_missing, to_json_value
from ..findings.model import Finding
from ..loading.models import Provision, Standard
from .verdict import Match, OpenRule, ProvisionRef, Verdict


def industry_matches(code: str, prefixes: Iterable[str]) -> bool:
    """gongmao.dust matches gongmao and gongmao.dust, not gongmao.dustbin."""
    return any(code == p or code.startswith(p + ".") for p in prefixes)


@dataclass
class CompiledPack:
    checked: CheckedPack
    sections: list[tuple[CheckedSection, SectionFn]]
    rules: list[CheckedRule]
    sources: dict[str, str] = field(default_factory=dict)  # section id -> generated source

    @property
    def id(self) -> str:
        return self.checked.id

    @property
    def standard(self) -> Standard:
        return self.checked.source.manifest.standard

    def in_force(self, day: dt.date) -> bool:
        s = self.standard
        return s.effective_from <= day and (s.effective_to is None or day <= s.effective_to)


def compile_pack(checked: CheckedPack) -> CompiledPack:
    by_section: dict[str, list[tuple[int, Any]]] = {sid: [] for sid in checked.sections}
    for index, rule in enumerate(checked.rules):
        by_section[rule.section.section.id].append((index, rule.condition))
    sections = []
    sources = {}
    for number, (section_id, section) in enumerate(checked.sections.items()):
        fn, source = compile_section(f"section_{number}", by_section[section_id])
        sections.append((section, fn))
        sources[section_id] = source
    return CompiledPack(checked, sections, list(checked.rules), sources)


class Ruleset:
    """Every loaded pack, grouped by standard family and ordered by edition."""

    def __init__(self, packs: list[CompiledPack], digest: str) -> None:
        self.packs = packs
        self.digest = digest
        self.families: dict[str, list[CompiledPack]] = {}
        for pack in sorted(packs, key=lambda p: p.standard.effective_from):
            self.families.setdefault(pack.standard.family, []).append(pack)
        self.facts: dict[str, Type] = _merge_vocabularies(packs)
        self._coercers = {fact_id: coercer_for(t) for fact_id, t in self.facts.items()}
        self._plans: dict[tuple[str, tuple[str, ...]], list[tuple[CheckedSection, SectionFn]]] = {}

    # --------------------------------------------------------------- lookup
    def rule(self, rule_id: str) -> tuple[CompiledPack, CheckedRule]:
        for pack in self.packs:
            for rule in pack.rules:
                if rule.rule.id == rule_id:
                    return pack, rule
        ids = [r.rule.id for p in self.packs for r in p.rules]
        close = difflib.get_close_matches(rule_id, ids, n=1)
        from ..errors import UsageError
        raise UsageError(f"no rule with id {rule_id!r}", hint=f"did you mean {close[0]!r}?" if close else
                         "`hazard-rules rules list` shows every rule")

    # --------------------------------------------------------------- facts
    def coerce_facts(self, facts: dict[str, Any], strict: bool = False) -> tuple[dict[str, Any], list[str]]:
        """Typed facts for evaluation, plus warnings for unknown names (errors if strict)."""
        clean: dict[str, Any] = {}
        warnings: list[str] = []
        for name, value in facts.items():
            coerce = self._coercers.get(name)
            if coerce is None:
                close = difflib.get_close_matches(name, list(self._coercers), n=1)
                message = f"unknown fact {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                if strict:
                    raise FactValueError(message)
                warnings.append(message)
                continue
            if is_missing(value):
                continue
            try:
                clean[name] = coerce(value)
            except FactValueError as exc:
                raise FactValueError(f"fact {name!r}: {exc}") from None
        return clean, warnings

    # --------------------------------------------------------------- classification
    def classify(self, finding: Finding | dict[str, Any], *, as_of: dt.date | None = None,
                 strict: bool = False) -> Verdict:
        """Verdict for one finding. Raises RecordError if the record or a fact is invalid."""
        if not isinstance(finding, Finding):
            from pydantic import ValidationError
            try:
                finding = Finding.model_validate(finding)
            except ValidationError as exc:
                raise RecordError(_first_error(exc)) from None
        try:
            facts, warnings = self.coerce_facts(finding.facts, strict)
        except FactValueError as exc:
            raise RecordError(str(exc)) from None
        return self.evaluate(finding, facts, as_of or finding.date, warnings)

    def classify_many(self, findings: Iterable[Finding | dict[str, Any]], *, as_of: dt.date | None = None,
                      strict: bool = False) -> Iterator[Verdict]:
        for finding in findings:
            yield self.classify(finding, as_of=as_of, strict=strict)

    def evaluate(self, finding: Finding, facts: dict[str, Any], day: dt.date, warnings: list[str] | None = None) -> Verdict:
        reasons: list[str] = []
        matches: list[Match] = []
        open_rules: list[OpenRule] = []
        used: dict[str, str] = {}
        industries = tuple(finding.industries)
        if not industries:
            reasons.append("the finding names no industry, so no standard could be applied")
        for pack in self._packs_for(industries, day, reasons):
            used[pack.id] = pack.standard.effective_from.isoformat()
            true_rules: list[int] = []
            unknown_rules: list[int] = []
            for _, fn in self._plan(pack, industries):
                fn(facts, day, true_rules, unknown_rules)
            for index in true_rules:
                matches.append(self._match(pack, pack.rules[index], facts, day))
            for index in unknown_rules:
                open_rules.append(self._open(pack, pack.rules[index], facts, day))
        if matches:
            kind = "major"
        elif open_rules or reasons:
            kind = "undetermined"
        else:
            kind = "ordinary"
        return Verdict(finding=finding.id, verdict=kind, matches=matches, undetermined=open_rules,
                       reasons=reasons, packs=used, as_of=day, ruleset=self.digest, warnings=warnings or [])

    def evaluate_ids(self, pack: CompiledPack, industries: tuple[str, ...], facts: dict[str, Any],
                     day: dt.date) -> tuple[list[int], list[int]]:
        """The bare compiled evaluation: indices of true and unknown rules (benchmarks, tests)."""
        true_rules: list[int] = []
        unknown_rules: list[int] = []
        for _, fn in self._plan(pack, industries):
            fn(facts, day, true_rules, unknown_rules)
        return true_rules, unknown_rules

    def trace(self, finding: Finding, facts: dict[str, Any], day: dt.date) -> list[tuple[CompiledPack, CheckedRule, Any]]:
        """Every applicable rule with its explained outcome (true, false or unknown)."""
        traced = []
        industries = tuple(finding.industries)
        for pack in self._packs_for(industries, day, []):
            for section, _ in self._plan(pack, industries):
                for rule in pack.rules:
                    if rule.section is section:
                        traced.append((pack, rule, explain(rule.condition, facts, day)))
        return traced

    def _packs_for(self, industries: tuple[str, ...], day: dt.date, reasons: list[str]) -> list[CompiledPack]:
        chosen: list[CompiledPack] = []
        for code in industries:
            families = [name for name, editions in self.families.items()
                        if industry_matches(code, editions[-1].checked.source.manifest.scope.industries)]
            if not families:
                reasons.append(self._no_standard_reason(code))
                continue
            for name in families:
                pack = self._edition(name, day, reasons)
                if pack is not None and pack not in chosen:
                    chosen.append(pack)
        return chosen

    def _no_standard_reason(self, code: str) -> str:
        for pack in self.packs:
            for delegation in pack.checked.source.manifest.scope.delegations:
                if industry_matches(code, delegation.industries):
                    article = f" {delegation.article}" if delegation.article else ""
                    return (f"industry {code!r} is judged under {delegation.standard} "
                            f"({pack.standard.name}{article}), which is not encoded")
        return f"no encoded standard applies to industry {code!r}"

    def _edition(self, family: str, day: dt.date, reasons: list[str]) -> CompiledPack | None:
        editions = self.families[family]
        for pack in editions:
            if pack.in_force(day):
                return pack
        first, last = editions[0].standard, editions[-1].standard
        if day < first.effective_from:
            previous = first.supersedes
            what = f"{previous.name}, {previous.number}" if previous and previous.number else (
                previous.name if previous else f"the edition before {first.name} ({first.number})")
        else:
            following = last.superseded_by
            what = f"{following.name}, {following.number}" if following and following.number else (
                following.name if following else f"the edition after {last.name} ({last.number})")
        message = f"the standard in force on {day.isoformat()} ({what}) is not encoded"
        if message not in reasons:
            reasons.append(message)
        return None

    def _plan(self, pack: CompiledPack, industries: tuple[str, ...]) -> list[tuple[CheckedSection, SectionFn]]:
        key = (pack.id, industries)
        plan = self._plans.get(key)
        if plan is None:
            plan = [(s, fn) for s, fn in pack.sections if any(industry_matches(c, s.applies_to) for c in industries)]
            self._plans[key] = plan
        return plan

    def _cite(self, pack: CompiledPack, rule: CheckedRule) -> dict[str, Any]:
        return {"rule": rule.rule.id, "standard": pack.standard.name, "number": pack.standard.number,
                "article": rule.section.section.article, "clause": rule.rule.clause, "text": rule.rule.text}

    def _match(self, pack: CompiledPack, rule: CheckedRule, facts: dict[str, Any], day: dt.date) -> Match:
        outcome = explain(rule.condition, facts, day)
        because = {path: to_json_value(value) for path, value in outcome.support.items()}
        provisions = [ProvisionRef(id=p.id, article=p.article, text=p.text)
                      for p in pack.checked.provisions if _provision_applies(p, outcome.support, rule, pack)]
        return Match(**self._cite(pack, rule), because=because, provisions=provisions)

    def _open(self, pack: CompiledPack, rule: CheckedRule, facts: dict[str, Any], day: dt.date) -> OpenRule:
        outcome = explain(rule.condition, facts, day)
        return OpenRule(**self._cite(pack, rule), missing=sorted(outcome.missing))


def _provision_applies(provision: Provision, support: dict[str, Any], rule: CheckedRule, pack: CompiledPack) -> bool:
    target = pack.checked.named_types.get(provision.type)
    if target is None:
        return False
    for path, value in support.items():
        fact_type = pack.checked.facts.get(path)
        if fact_type == target and value in provision.values:
            return True
    return False


def _merge_vocabularies(packs: list[CompiledPack]) -> dict[str, Type]:
    merged: dict[str, Type] = {}
    owner: dict[str, str] = {}
    errors: list[PackError] = []
    for pack in packs:
        for fact_id, fact_type in pack.checked.facts.items():
            if fact_id in merged and merged[fact_id] != fact_type:
                origin = pack.checked.source.facts[fact_id].origin
                errors.append(ConflictingFactError(
                    f"fact {fact_id!r} is declared as {fact_type} here but as {merged[fact_id]} in pack {owner[fact_id]}",
                    origin.span(key=True), "a fact id means one thing across packs; rename one or share it"))
                continue
            merged[fact_id] = fact_type
            owner[fact_id] = pack.id
    if errors:
        raise PackErrors(errors)
    return merged


def _first_error(exc: Any) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"])
    if error["type"] == "missing":
        return f"missing required field {where!r}"
    return f"{where}: {error['msg']}"
