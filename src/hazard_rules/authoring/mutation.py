"""Mutation testing of rule packs: would the pack's tests notice a slightly wrong rule?

Each rule's checked condition is changed one small step at a time (and↔or; drop one
operand of an and/or; drop a `not`; < ↔ <=, > ↔ >=, == ↔ !=, in ↔ not in, is empty ↔
is not empty; a device check `!= "effective"` → `== "absent"`, which silently drops
工贸 第十四条; remove the `unless`) and the rule's own tests are run against each mutant.
A mutant no test tells apart from the rule *survives*: the tests would pass on a wrong
rule. Mutants are built from the checked IR, never from pack text. An author may mark a
mutant equivalent (`equivalent_mutants` on the rule, with a reason); nothing else
silences a survivor. For each survivor a finding that tells the two apart is searched for.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..checking import ir
from ..checking.ir_text import print_ir
from ..checking.pack import CheckedRule
from ..classifying.compiled import CompiledPack
from ..classifying.ruleset import Ruleset
from ..findings.coerce import FactValueError, to_json_value
from .evaluation import RuleEvaluator, day_of_test, require_tests

Path = tuple[int, ...]
_FLIP = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
SEARCH_BUDGET = 4000


@dataclass(frozen=True)
class Mutant:
    rule: str
    id: str            # stable: "<part>:<path>:<operator>", what `equivalent_mutants` names
    description: str   # the change, as condition text
    when: ir.Expr
    unless: ir.Expr | None


@dataclass
class MutantResult:
    pack: str
    mutant: Mutant
    killed_by: str | None = None          # the name of the first test that tells it apart
    equivalent: str | None = None         # the author's reason, if marked
    witness: dict[str, Any] | None = None  # a finding on which rule and mutant differ
    values: tuple[str, str] | None = None  # (rule, mutant) on the witness

    @property
    def survived(self) -> bool:
        return self.killed_by is None and self.equivalent is None


@dataclass
class MutationReport:
    results: list[MutantResult] = field(default_factory=list)
    stale_marks: list[str] = field(default_factory=list)   # marks naming no surviving mutant

    @property
    def survivors(self) -> list[MutantResult]:
        return [r for r in self.results if r.survived]


# ----------------------------------------------------------------------------- mutants
def mutants(rule: CheckedRule) -> Iterator[Mutant]:
    for path, node in _walk(rule.when):
        for operator, changed, text in _changes(node):
            when = _replace(rule.when, path, changed)
            yield Mutant(rule.rule.id, f"when:{_path_text(path)}:{operator}",
                         f"`{print_ir(node)}` → `{text}`", when, rule.unless)
    if rule.unless is not None:
        for path, node in _walk(rule.unless):
            for operator, changed, text in _changes(node):
                yield Mutant(rule.rule.id, f"unless:{_path_text(path)}:{operator}",
                             f"unless `{print_ir(node)}` → `{text}`", rule.when, _replace(rule.unless, path, changed))
        yield Mutant(rule.rule.id, "unless:remove", f"unless `{print_ir(rule.unless)}` removed", rule.when, None)


def _path_text(path: Path) -> str:
    return ".".join(map(str, path)) or "root"


def _walk(expr: ir.Expr, path: Path = ()) -> Iterator[tuple[Path, ir.Expr]]:
    yield path, expr
    for index, child in enumerate(ir.children(expr)):
        yield from _walk(child, path + (index,))


def _changes(node: ir.Expr) -> Iterator[tuple[str, ir.Expr, str]]:
    match node:
        case ir.And(operands) | ir.Or(operands):
            other = ir.Or(operands) if isinstance(node, ir.And) else ir.And(operands)
            yield ("and->or" if isinstance(node, ir.And) else "or->and"), other, print_ir(other)
            for index in range(len(operands)):
                rest = operands[:index] + operands[index + 1:]
                smaller = rest[0] if len(rest) == 1 else type(node)(rest)
                yield f"drop-{index + 1}", smaller, print_ir(smaller)
        case ir.Not(operand):
            yield "drop-not", operand, print_ir(operand)
        case ir.Cmp(op, left, right):
            if (op == "!=" and isinstance(right, ir.Const) and right.value == "effective"
                    and getattr(right.type, "name", None) == "device"):
                absent = ir.Cmp("==", left, ir.Const("absent", right.type))
                yield "device-absent-only", absent, print_ir(absent)
            flipped: ir.Expr = ir.Cmp(_FLIP[op], left, right)
            yield f"{op}->{_FLIP[op]}", flipped, print_ir(flipped)
        case ir.In(item, collection, negated):
            flipped = ir.In(item, collection, not negated)
            yield ("not-in->in" if negated else "in->not-in"), flipped, print_ir(flipped)
        case ir.Empty(operand, negated):
            flipped = ir.Empty(operand, not negated)
            yield ("not-empty->empty" if negated else "empty->not-empty"), flipped, print_ir(flipped)


def _replace(expr: ir.Expr, path: Path, new: ir.Expr) -> ir.Expr:
    if not path:
        return new
    index, rest = path[0], path[1:]
    children = list(ir.children(expr))
    children[index] = _replace(children[index], rest, new)
    return ir.with_children(expr, children)


# ----------------------------------------------------------------------------- running
def _full(rule: CheckedRule, when: ir.Expr, unless: ir.Expr | None) -> ir.Expr:
    parts = ([rule.section.scope] if rule.section.scope is not None else []) + [when]
    if unless is not None:
        parts.append(ir.Not(unless))
    return parts[0] if len(parts) == 1 else ir.And(tuple(parts))


def mutation_report(ruleset: Ruleset, packs: set[str] | None = None) -> MutationReport:
    require_tests(ruleset)
    report = MutationReport()
    for pack in ruleset.packs:
        if packs and pack.id not in packs:
            continue
        for rule in pack.rules:
            _mutate_rule(ruleset, pack, rule, report)
    return report


def _mutate_rule(ruleset: Ruleset, pack: CompiledPack, rule: CheckedRule, report: MutationReport) -> None:
    tests = []
    for index, test in enumerate(rule.rule.tests):
        asked: set[str] = set()
        try:
            facts, _ = ruleset.coerce_facts(test.facts, strict=True, asked=asked)
        except FactValueError:
            continue  # reported by `rules test` itself
        expected = test.expect if isinstance(test.expect, str) else ("true" if test.expect else "false")
        tests.append((test.name or f"test {index + 1}", facts, day_of_test(pack, rule, test),
                      test.scope, frozenset(asked), expected))
    marks = {m.mutant: m.reason for m in rule.rule.equivalent_mutants}
    seen: set[str] = set()
    original = RuleEvaluator(rule.condition, pack.context, ruleset.facts)
    for mutant in mutants(rule):
        seen.add(mutant.id)
        evaluate = RuleEvaluator(_full(rule, mutant.when, mutant.unless), pack.context, ruleset.facts)
        result = MutantResult(pack.id, mutant)
        for name, facts, day, scope, unknowns, expected in tests:
            if evaluate(facts, day, scope, unknowns) != expected:
                result.killed_by = name
                break
        if result.killed_by is None:
            result.equivalent = marks.get(mutant.id)
            if result.equivalent is None:
                found = _witness(ruleset, pack, rule, original, evaluate)
                if found is not None:
                    result.witness, result.values = found
        report.results.append(result)
    for mutant_id in marks:
        killed = any(r.mutant.id == mutant_id and r.killed_by for r in report.results if r.mutant.rule == rule.rule.id)
        if mutant_id not in seen or killed:
            why = "no such mutant" if mutant_id not in seen else "a test kills it: remove the mark"
            report.stale_marks.append(f"{rule.rule.id}: equivalent_mutants names {mutant_id!r}: {why}")


# ----------------------------------------------------------------------------- witnesses
def _candidates(rule: CheckedRule, ruleset: Ruleset) -> dict[str, list[Any]]:
    """For each fact the rule reads, the values worth trying (plus `missing`)."""
    constants: dict[str, list[Any]] = {}
    for _, node in _walk(rule.condition):
        if isinstance(node, ir.Cmp) and isinstance(node.left, ir.Fact) and isinstance(node.right, ir.Const):
            value = node.right.value
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                constants.setdefault(node.left.id, []).extend([value - 1, value, value + 1])
    options: dict[str, list[Any]] = {}
    for name in sorted(ir.facts_read(rule.condition)):
        fact_type = ruleset.facts[name]
        if fact_type.kind == "bool":
            values: list[Any] = [True, False]
        elif fact_type.kind == "enum":
            values = list(fact_type.values)
        elif fact_type.kind == "set":
            values = [frozenset(), *(frozenset({v}) for v in fact_type.values)]
        elif fact_type.kind == "num":
            values = constants.get(name, [0, 1, 10])
        elif fact_type.kind == "date":
            values = [dt.date(2020, 1, 1), dt.date(2024, 6, 1), dt.date(2030, 1, 1)]
        else:
            values = []
        options[name] = values + ["<missing>"]
    return options


def _witness(ruleset: Ruleset, pack: CompiledPack, rule: CheckedRule, original: RuleEvaluator,
             mutant: RuleEvaluator) -> tuple[dict[str, Any], tuple[str, str]] | None:
    """A record (fewest facts first) on which the rule and the mutant differ."""
    options = _candidates(rule, ruleset)
    names = list(options)
    day = day_of_test(pack, rule, None)
    generator = random.Random(rule.rule.id)
    total = 1
    for values in options.values():
        total *= len(values)
    assignments = (itertools.product(*options.values()) if total <= SEARCH_BUDGET
                   else (tuple(generator.choice(options[n]) for n in names) for _ in range(SEARCH_BUDGET)))
    best: dict[str, Any] | None = None
    for assignment in assignments:
        facts = {n: v for n, v in zip(names, assignment) if not (isinstance(v, str) and v == "<missing>")}
        if _differ(original, mutant, facts, day) and (best is None or len(facts) < len(best)):
            best = facts
    if best is None:
        return None
    for name in sorted(best):  # shrink: drop every fact the difference does not need
        smaller = {k: v for k, v in best.items() if k != name}
        if _differ(original, mutant, smaller, day):
            best = smaller
    outcomes = (original(best, day, "enterprise", frozenset()), mutant(best, day, "enterprise", frozenset()))
    return {k: to_json_value(v) for k, v in best.items()}, outcomes


def _differ(original: RuleEvaluator, mutant: RuleEvaluator, facts: dict[str, Any], day: dt.date) -> bool:
    return original(facts, day, "enterprise", frozenset()) != mutant(facts, day, "enterprise", frozenset())
