"""Situations (情形): a rule's condition split into the alternatives a finding can speak to.

A standard's item lists situations joined by 或者; an inspector records one of them. The
situations of a condition are the disjuncts of its negation normal form with `and`
distributed over `or`. Kleene logic is a distributive De Morgan algebra, so a condition is
exactly the `or` of its situations under three-valued logic too (tests/test_scopes.py
checks it). A quantifier, comparison or `at_least` is one atom; so is a conjunction whose
distribution would give more than MAX_SITUATIONS alternatives.

Context facts say only what kind of enterprise or equipment a clause is about; the other
facts a situation reads are its subject facts (docs/scopes.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING

from ..errors import ContextOnlySituationError, PackError
from ..trees import reduce_by_fields
from . import ir
from .ir_text import print_ir

if TYPE_CHECKING:
    from .pack import CheckedPack

MAX_SITUATIONS = 64


@dataclass(frozen=True, slots=True)
class Situation:
    condition: ir.Expr
    subject: frozenset[str]     # the facts whose presence in a finding makes it concern this situation

    __reduce__ = reduce_by_fields


def situations(expr: ir.Expr) -> tuple[ir.Expr, ...]:
    """The alternatives whose `or` is `expr` (three-valued)."""
    return tuple(_dnf(expr, negated=False))


def _dnf(expr: ir.Expr, negated: bool) -> list[ir.Expr]:
    match expr:
        case ir.Cond(_, body):
            return _dnf(body, negated)
        case ir.Not(operand):
            return _dnf(operand, not negated)
        case ir.Or(operands) if not negated:
            return [s for x in operands for s in _dnf(x, negated)]
        case ir.And(operands) if negated:
            return [s for x in operands for s in _dnf(x, negated)]
        case ir.And(operands) | ir.Or(operands):
            parts = [_dnf(x, negated) for x in operands]
            count = 1
            for part in parts:
                count *= len(part)
            if count > MAX_SITUATIONS:
                return [ir.Not(expr) if negated else expr]
            return [_conjoin(combo) for combo in product(*parts)]
        case _:
            return [ir.Not(expr) if negated else expr]


def _conjoin(parts: tuple[ir.Expr, ...]) -> ir.Expr:
    flat: list[ir.Expr] = []
    for part in parts:
        flat.extend(part.operands if isinstance(part, ir.And) else (part,))
    return flat[0] if len(flat) == 1 else ir.And(tuple(flat))


def rule_situations(condition: ir.Expr, context: frozenset[str]) -> tuple[Situation, ...]:
    return tuple(Situation(s, frozenset(ir.facts_read(s)) - context) for s in situations(condition))


def context_facts(pack: CheckedPack) -> frozenset[str]:
    """Facts declared `context: true`, and facts read only by section scope conditions."""
    declared = {name for name, located in pack.source.facts.items() if located.value.context}
    in_rules: set[str] = set()
    for rule in pack.rules:
        in_rules |= ir.facts_read(rule.when)
        if rule.unless is not None:
            in_rules |= ir.facts_read(rule.unless)
    in_scopes: set[str] = set()
    for section in pack.sections.values():
        if section.scope is not None:
            in_scopes |= ir.facts_read(section.scope)
    return frozenset(declared | (in_scopes - in_rules))


def check_situations(pack: CheckedPack, errors: list[PackError]) -> None:
    """E313: a situation whose facts are all context could never be concerned by a finding.
    (A situation that reads no fact at all, only the date, is always decided: fine.)"""
    context = context_facts(pack)
    for name in sorted(context):
        if pack.facts.get(name) is not None and pack.facts[name].name == "device":
            errors.append(ContextOnlySituationError(
                f"fact {name!r} is a device's state, which a clause's judgement always turns on: it cannot be context",
                pack.source.facts[name].origin.span(key=True), "remove `context: true` (docs/scopes.md)"))
    for rule in pack.rules:
        for situation in rule_situations(rule.condition, context):
            if any(isinstance(node, ir.Invalid) for node in ir.walk(situation.condition)):
                continue  # its broken part is reported already; what it reads is not known
            if not situation.subject and ir.facts_read(situation.condition):
                origin = rule.origin
                errors.append(ContextOnlySituationError(
                    f"rule {rule.rule.id}: the situation `{print_ir(situation.condition)}` reads only context facts, "
                    "so no finding can concern it", origin.doc.span(origin.path + ("when",)),
                    "a fact the clause's judgement turns on is a subject fact: remove `context: true` from one "
                    "(docs/scopes.md)"))
                break
