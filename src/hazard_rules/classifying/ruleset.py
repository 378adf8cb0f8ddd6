"""A loaded, checked and compiled set of rule packs, and classification with it."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..checking import ir
from ..checking.pack import CheckedPack, CheckedRule, CheckedSection
from ..checking.types import Type
from ..compiling.codegen import PlanFn, compile_rules
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
    """A checked pack whose rules compile, per set of applicable sections, to one function."""

    checked: CheckedPack
    id: str = ""
    rules: list[CheckedRule] = field(default_factory=list)
    sections: list[CheckedSection] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.id = self.checked.id
        self.rules = list(self.checked.rules)
        self.sections = list(self.checked.sections.values())
        # What an open rule's explanation depends on: the facts it reads, and the date if used.
        self.reads = [tuple(sorted(ir.facts_read(r.condition))) for r in self.rules]
        self.reads_today = [_reads_today(r.condition) for r in self.rules]

    @property
    def standard(self) -> Standard:
        return self.checked.source.manifest.standard

    def in_force(self, day: dt.date) -> bool:
        s = self.standard
        return s.effective_from <= day and (s.effective_to is None or day <= s.effective_to)

    def sections_for(self, industries: tuple[str, ...]) -> list[CheckedSection]:
        return [s for s in self.sections if any(industry_matches(c, s.applies_to) for c in industries)]

    def compile_for(self, industries: tuple[str, ...]) -> tuple[PlanFn, str]:
        """Generated code for every rule whose section applies to these industries."""
        applicable = {id(s) for s in self.sections_for(industries)}
        chosen = [(i, r.condition) for i, r in enumerate(self.rules) if id(r.section) in applicable]
        return compile_rules("plan", chosen)


def compile_pack(checked: CheckedPack) -> CompiledPack:
    pack = CompiledPack(checked)
    pack.compile_for(tuple(pack.checked.source.manifest.scope.industries))  # fail at load, not at first use
    return pack


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
        self._plans: dict[tuple[str, tuple[str, ...]], PlanFn] = {}
        self._open_cache: dict[tuple[Any, ...], OpenRule] = {}

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
        for pack, codes in self._packs_for(industries, day, reasons):
            used[pack.id] = pack.standard.effective_from.isoformat()
            for index in self.plan(pack, codes)(facts, day):
                if index >= 0:
                    matches.append(self._match(pack, pack.rules[index], facts, day))
                else:
                    open_rules.append(self._open(pack, ~index, facts, day))
        if matches:
            kind = "major"
        elif open_rules or reasons:
            kind = "undetermined"
        else:
            kind = "ordinary"
        return Verdict(finding=finding.id, verdict=kind, matches=matches, undetermined=open_rules,
                       reasons=reasons, packs=used, as_of=day, ruleset=self.digest, warnings=warnings or [])

    def plan(self, pack: CompiledPack, industries: tuple[str, ...]) -> PlanFn:
        """The compiled evaluator for the rules of `pack` that apply to `industries`.

        `plan(pack, inds)(facts, day)` returns the index of every true rule and ~index
        (that is -index-1) of every unknown one; `facts` must be coerced already
        (see coerce_facts). This is the hot path benchmarks/ measures.
        """
        key = (pack.id, industries)
        fn = self._plans.get(key)
        if fn is None:
            if len(self._plans) > 4096:  # bounded: industries come from untrusted records
                self._plans.clear()
            fn = self._plans[key] = pack.compile_for(industries)[0]
        return fn

    def trace(self, finding: Finding, facts: dict[str, Any], day: dt.date) -> list[tuple[CompiledPack, CheckedRule, Any]]:
        """Every applicable rule with its explained outcome (true, false or unknown)."""
        traced = []
        for pack, codes in self._packs_for(tuple(finding.industries), day, []):
            applicable = {id(s) for s in pack.sections_for(codes)}
            for rule in pack.rules:
                if id(rule.section) in applicable:
                    traced.append((pack, rule, explain(rule.condition, facts, day)))
        return traced

    def _packs_for(self, industries: tuple[str, ...], day: dt.date,
                   reasons: list[str]) -> list[tuple[CompiledPack, tuple[str, ...]]]:
        """The edition of each standard that applies, with the finding's codes it judges."""
        chosen: dict[str, tuple[CompiledPack, list[str]]] = {}
        for code in industries:
            families = [name for name, editions in self.families.items()
                        if industry_matches(code, editions[-1].checked.source.manifest.scope.industries)]
            if not families:
                reasons.append(self._no_standard_reason(code))
                continue
            for name in families:
                pack = self._edition(name, day, reasons)
                if pack is None:
                    continue
                known = pack.checked.source.manifest.scope.codes
                if known and code not in known:
                    # A mistyped code would silently skip its article: never let it pass.
                    close = difflib.get_close_matches(code, list(known), n=1)
                    reasons.append(f"industry code {code!r} is not one {pack.standard.name} knows"
                                   + (f"; did you mean {close[0]!r}?" if close else ""))
                    continue
                chosen.setdefault(pack.id, (pack, []))[1].append(code)
        return [(pack, tuple(codes)) for pack, codes in chosen.values()]

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

    def _cite(self, pack: CompiledPack, rule: CheckedRule) -> dict[str, Any]:
        return {"rule": rule.rule.id, "standard": pack.standard.name, "number": pack.standard.number,
                "article": rule.section.section.article, "clause": rule.rule.clause, "text": rule.rule.text}

    def _match(self, pack: CompiledPack, rule: CheckedRule, facts: dict[str, Any], day: dt.date) -> Match:
        outcome = explain(rule.condition, facts, day)
        because = {path: to_json_value(value) for path, value in outcome.support.items()}
        provisions = [ProvisionRef(id=p.id, article=p.article, text=p.text)
                      for p in pack.checked.provisions if _provision_applies(p, outcome.support, pack)]
        return Match(**self._cite(pack, rule), because=because, provisions=provisions)

    def _open(self, pack: CompiledPack, index: int, facts: dict[str, Any], day: dt.date) -> OpenRule:
        """An open rule and its missing facts, memoised: findings tend to leave the same
        facts out, and the answer depends only on the values of the facts the rule reads."""
        given = tuple((name, facts[name]) for name in pack.reads[index] if name in facts)
        key = (pack.id, index, given, day if pack.reads_today[index] else None)
        try:
            cached = self._open_cache.get(key)
        except TypeError:  # an unhashable value (a list of items): explain afresh
            key, cached = None, None
        if cached is not None:
            return cached
        rule = pack.rules[index]
        outcome = explain(rule.condition, facts, day)
        result = OpenRule(**self._cite(pack, rule), missing=sorted(outcome.missing))
        if key is not None:
            if len(self._open_cache) >= 65536:
                self._open_cache.clear()
            self._open_cache[key] = result
        return result


def _reads_today(expr: ir.Expr) -> bool:
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Today):
            return True
        stack.extend(ir.children(node))
    return False


def _provision_applies(provision: Provision, support: dict[str, Any], pack: CompiledPack) -> bool:
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
