"""A checked pack ready to classify: generated code per industry set, and each rule's
situations with their subject facts for finding-scoped judgement (docs/scopes.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..checking import ir
from ..checking.pack import CheckedPack, CheckedRule, CheckedSection
from ..checking.situations import Situation, context_facts, rule_situations
from ..compiling.codegen import PlanFn, compile_rules
from ..compiling.kleene import Fn, compile_kleene
from ..loading.models import Standard
from .citations import citation_key


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
        self.context = context_facts(self.checked)
        self.situations: list[tuple[Situation, ...]] = [rule_situations(r.condition, self.context) for r in self.rules]
        self.subject: list[frozenset[str]] = [frozenset().union(*(s.subject for s in sits)) for sits in self.situations]
        self.rules_by_subject: dict[str, tuple[int, ...]] = {}
        for index, subject in enumerate(self.subject):
            for fact_id in subject:
                self.rules_by_subject[fact_id] = self.rules_by_subject.get(fact_id, ()) + (index,)
        # How an inspector cites a rule: (article, clause), (article, None) for the whole
        # article, or the rule id in lower case (claims.py).
        self.citable: dict[tuple[str, str | None] | str, list[int]] = {}
        for index, rule in enumerate(self.rules):
            article = rule.section.section.article
            for key in ((article, rule.rule.clause), (article, None), rule.rule.id.lower(),
                        ("key", citation_key(article + (rule.rule.clause or "")))):
                self.citable.setdefault(key, []).append(index)
        self._situation_fns: dict[int, tuple[Fn, ...]] = {}
        self._kleene: dict[int, Fn] = {}
        self._applicable: dict[tuple[str, ...], frozenset[int]] = {}
        self._concerned: dict[tuple[str, ...], frozenset[int]] = {}
        self._applicable_in_order: dict[tuple[str, ...], list[int]] = {}
        self._missing: dict[tuple[str, ...], list[str]] = {}

    # Pickling (a load snapshot, or a Ruleset sent to workers) keeps what the load computed and
    # drops the compiled closures and memo tables: they are rebuilt when first needed.
    _LAZY = ("_situation_fns", "_kleene", "_applicable", "_concerned", "_applicable_in_order", "_missing")

    def __getstate__(self) -> dict[str, Any]:
        return {name: value for name, value in self.__dict__.items() if name not in self._LAZY}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in self._LAZY:
            setattr(self, name, {})

    @property
    def standard(self) -> Standard:
        return self.checked.source.manifest.standard

    def in_force(self, day: dt.date) -> bool:
        s = self.standard
        return s.effective_from <= day and (s.effective_to is None or day <= s.effective_to)

    def sections_for(self, industries: tuple[str, ...]) -> list[CheckedSection]:
        return [s for s in self.sections if any(industry_matches(c, s.applies_to) for c in industries)]

    def applicable(self, industries: tuple[str, ...]) -> frozenset[int]:
        """Indices of the rules whose section applies to these industry codes."""
        found = self._applicable.get(industries)
        if found is None:
            sections = {id(s) for s in self.sections_for(industries)}
            found = frozenset(i for i, r in enumerate(self.rules) if id(r.section) in sections)
            if len(self._applicable) < 4096:  # bounded: industries come from untrusted records
                self._applicable[industries] = found
        return found

    def missing_items(self, industries: tuple[str, ...]) -> list[str]:
        """'第X条（N）' for each item of an applicable section whose text was not found."""
        found = self._missing.get(industries)
        if found is None:
            found = [f"{s.section.article}{item}" for s in self.sections_for(industries) for item in s.section.missing]
            if len(self._missing) < 4096:  # bounded: industries come from untrusted records
                self._missing[industries] = found
        return found

    def applicable_in_order(self, industries: tuple[str, ...]) -> list[int]:
        found = self._applicable_in_order.get(industries)
        if found is None:
            found = sorted(self.applicable(industries))
            if len(self._applicable_in_order) < 4096:
                self._applicable_in_order[industries] = found
        return found

    def compile_for(self, industries: tuple[str, ...]) -> tuple[PlanFn, str]:
        """Generated code for every rule whose section applies to these industries."""
        chosen = [(i, self.rules[i].condition) for i in sorted(self.applicable(industries))]
        return compile_rules("plan", chosen)

    def concerned(self, given: Iterable[str]) -> frozenset[int]:
        """Indices of the rules one of whose subject facts is given (memoised: records of
        one inspection form give the same fact names)."""
        key = tuple(given)
        found = self._concerned.get(key)
        if found is None:
            found = frozenset(i for fact_id in key for i in self.rules_by_subject.get(fact_id, ()))
            if len(self._concerned) >= 4096:
                self._concerned.clear()
            self._concerned[key] = found
        return found

    def kleene(self, index: int) -> Fn:
        """The three-valued closure of rule `index`'s whole condition, compiled once."""
        fn = self._kleene.get(index)
        if fn is None:
            fn = self._kleene[index] = compile_kleene(self.rules[index].condition)
        return fn

    def situational_value(self, index: int, facts: dict[str, Any], day: dt.date,
                          asked: frozenset[str] = frozenset()) -> tuple[bool | None, list[ir.Expr]]:
        """Kleene `or` of the situations of rule `index` the facts concern, and the open ones.

        Only called for a rule that is unknown as a whole, so no situation is true.
        """
        fns = self._situation_fns.get(index)
        if fns is None:
            fns = self._situation_fns[index] = tuple(compile_kleene(s.condition) for s in self.situations[index])
        open_: list[ir.Expr] = []
        for situation, fn in zip(self.situations[index], fns):
            if situation.subject.isdisjoint(facts) and situation.subject.isdisjoint(asked):
                continue
            value = fn(facts, day, {})
            if value:
                return True, []
            if value is None:
                open_.append(situation.condition)
        return (None if open_ else False), open_


def compile_pack(checked: CheckedPack) -> CompiledPack:
    """The pack, ready to judge. Its generated code is compiled when a finding first needs it
    (Ruleset.plan, per set of industries): code generation is tested on every rule
    (tests/test_pack_headers.py compiles every shipped pack), so a load need not pay for it."""
    return CompiledPack(checked)


def _reads_today(expr: ir.Expr) -> bool:
    return any(isinstance(node, ir.Today) for node in ir.walk(expr))
