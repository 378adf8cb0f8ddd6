"""Check a whole pack: vocabulary, named conditions (cycles, unused), sections, rules.

Produces a CheckedPack whose conditions are typed IR, or raises Diagnostics listing
every problem found in the pack.
"""

from __future__ import annotations

import difflib
import graphlib
from dataclasses import dataclass, field
from typing import Any

from ..errors import (
    ConstantConditionError,
    CyclicConditionError,
    Diagnostics,
    DslSyntaxError,
    DuplicateIdError,
    ItemsNotCoveredError,
    NestingTooDeepError,
    PackError,
    SchemaError,
    Span,
    UndeclaredEnumValueError,
    UndeclaredFactError,
    UnknownSectionError,
    UnusedConditionError,
)
from ..loading.loader import Located, Origin, PackSource
from ..loading.models import CONDITION_NAME, Provision, Rule, Section
from ..parsing import ast
from ..parsing.memo import parse_remembered
from ..parsing.syntax import ConditionSyntaxError
from . import ir
from .expressions import ExpressionChecker, Scope
from .situations import check_situations
from .types import Type
from .vocabulary import VocabularyBuilder


@dataclass(frozen=True)
class CheckedSection:
    section: Section
    applies_to: tuple[str, ...]
    scope: ir.Expr | None
    origin: Origin


@dataclass(frozen=True)
class CheckedRule:
    rule: Rule
    section: CheckedSection
    when: ir.Expr
    unless: ir.Expr | None
    origin: Origin
    tests_origin: Origin | None = None  # the rule's list in its .tests.yaml, when tests were read

    def test_span(self, index: int) -> Span | None:
        """Where the rule's index-th test is written (None when the tests were not read)."""
        if self.tests_origin is None:
            return None
        return Origin(self.tests_origin.doc, self.tests_origin.path + (index,)).span()

    @property
    def condition(self) -> ir.Expr:
        """scope and when and not unless: the whole test the rule applies."""
        parts: list[ir.Expr] = []
        if self.section.scope is not None:
            parts.append(self.section.scope)
        parts.append(self.when)
        if self.unless is not None:
            parts.append(ir.Not(self.unless))
        return parts[0] if len(parts) == 1 else ir.And(tuple(parts))


@dataclass
class CheckedPack:
    source: PackSource
    facts: dict[str, Type]
    named_types: dict[str, Type]
    rules: list[CheckedRule] = field(default_factory=list)
    sections: dict[str, CheckedSection] = field(default_factory=dict)
    provisions: list[Provision] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.source.id


def check_pack(source: PackSource) -> CheckedPack:
    errors: list[PackError] = []
    vocab = VocabularyBuilder(errors)
    vocab.add_named_types(source.types)
    facts = vocab.build_facts(source.facts)
    checker = _PackChecker(source, facts, errors, frozenset(source.facts) - set(facts))
    conditions = checker.conditions()
    pack = CheckedPack(source, facts, vocab.named)
    for section_id, section in source.sections.items():
        pack.sections[section_id] = checker.section(section, conditions)
    seen: dict[str, Origin] = {}
    for located in source.rules:
        rule = located.value
        duplicate = rule.id in seen
        if duplicate:
            first = Origin(seen[rule.id].doc, seen[rule.id].path + ("id",)).span()
            errors.append(DuplicateIdError(f"duplicate rule id {rule.id!r} (first at {first})",
                                           Origin(located.origin.doc, located.origin.path + ("id",)).span(),
                                           "rule ids are stable references; give each clause its own"))
        else:
            seen[rule.id] = located.origin
        checked = checker.rule(located, pack.sections, conditions)  # checked even if a duplicate
        if checked is not None and not duplicate:
            pack.rules.append(checked)
    checker.report_unused()
    _check_items(source, errors)
    for provision in source.provisions:
        _check_provision(provision, vocab.named, errors)
        pack.provisions.append(provision.value)
    _check_tests(source, facts, errors)
    check_situations(pack, errors)
    if errors:
        raise Diagnostics(errors, "rule packs")
    return pack


class _PackChecker:
    def __init__(self, source: PackSource, facts: dict[str, Type], errors: list[PackError],
                 broken_facts: frozenset[str] = frozenset()) -> None:
        self.source = source
        self.facts = facts
        self.broken_facts = broken_facts  # declared, but the declaration had an error
        self.errors = errors
        self.condition_names = frozenset(source.conditions)
        self.used: set[str] = set()
        self.checked_conditions: dict[str, ir.Expr] = {}

    # ------------------------------------------------------------- parsing
    def parse(self, text: str, origin: Origin) -> ast.Node | None:
        try:
            return parse_remembered(text, origin.doc.memo)
        except ConditionSyntaxError as exc:
            cls = NestingTooDeepError if exc.code == NestingTooDeepError.code else DslSyntaxError
            self.errors.append(cls(exc.message, origin.doc.scalar_span(origin.path, exc.offset, exc.width), exc.hint))
            return None

    def check(self, node: ast.Node, origin: Origin, conditions: dict[str, ir.Expr]) -> tuple[ir.Expr, set[str]]:
        scope = Scope(self.facts, conditions, self.condition_names, {}, self.broken_facts)

        def span_of(pos: ast.Pos) -> Span:
            start, end = pos
            return origin.doc.scalar_span(origin.path, start, max(1, end - start))

        checker = ExpressionChecker(scope, span_of, self.errors)
        checked = checker.condition(node)
        return checked, checker.used_conditions

    # ------------------------------------------------------------- named conditions
    def conditions(self) -> dict[str, ir.Expr]:
        parsed: dict[str, ast.Node] = {}
        for name, located in self.source.conditions.items():
            if not CONDITION_NAME.fullmatch(name) or name in self.facts:
                self.errors.append(SchemaError(
                    f"condition name {name!r} must be snake_case without dots and differ from every fact id",
                    located.origin.span(key=True)))
                continue
            node = self.parse(located.value, located.origin)
            if node is not None:
                parsed[name] = node
        # name -> the conditions it refers to (dicts as ordered sets: a deterministic order)
        graph: dict[str, dict[str, None]] = {name: {} for name in parsed}
        for name, node in parsed.items():
            for ref in ast.names(node):
                if ref.name in self.condition_names:
                    graph[name][ref.name] = None
                    graph.setdefault(ref.name, {})
        self.graph = graph
        try:  # referred-to conditions first
            order = list(graphlib.TopologicalSorter(graph).static_order())
        except graphlib.CycleError:
            order = self._report_cycles(graph)
        checked: dict[str, ir.Expr] = {}
        for name in order:
            located = self.source.conditions[name]
            expr, used = self.check(parsed[name], located.origin, checked)
            self.used_by_conditions = used
            checked[name] = expr
        self.checked_conditions = checked
        return checked

    def _report_cycles(self, graph: dict[str, dict[str, None]]) -> list[str]:
        """Report every cycle of named conditions; return the order in which to check the
        conditions that are in none and refer to none (networkx: imported only here)."""
        import networkx as nx

        digraph: nx.DiGraph[str] = nx.DiGraph()
        digraph.add_nodes_from(graph)
        digraph.add_edges_from((name, ref) for name, refs in graph.items() for ref in refs)
        in_cycle: set[str] = set()
        for cycle in nx.simple_cycles(digraph):
            in_cycle.update(cycle)
            first = min(cycle, key=lambda n: self.source.conditions[n].origin.span(key=True).line)
            start = cycle.index(first)
            loop = cycle[start:] + cycle[:start] + [first]
            self.errors.append(CyclicConditionError(
                f"named conditions refer to each other in a cycle: {' -> '.join(loop)}",
                self.source.conditions[first].origin.span(key=True),
                "a condition cannot depend on itself; inline or split one of them"))
        acyclic = digraph.subgraph(n for n in digraph
                                   if n not in in_cycle and not (set(nx.descendants(digraph, n)) & in_cycle))
        return list(reversed(list(nx.topological_sort(acyclic))))

    def _mark_used(self, names: set[str]) -> None:
        for name in names:
            self.used.add(name)
            if name in self.graph:
                self.used.update(_reachable(self.graph, name))

    def _constant(self, expr: ir.Expr, key: str, rule_id: str, origin: Origin) -> None:
        """A condition that reads no fact (nor the date) decides nothing about a finding."""
        if _reads_anything(expr) or any(isinstance(n, ir.Invalid) for n in ir.walk(expr)):
            return
        value = _fold(expr)
        verdict = "always true" if value is True else "never true" if value is False else "constant"
        self.errors.append(ConstantConditionError(
            f"`{key}` of rule {rule_id} reads no fact, so it is {verdict}",
            origin.span(), "a rule must depend on what the finding records; use its facts"))

    def report_unused(self) -> None:
        for name, located in self.source.conditions.items():
            if name not in self.used and name in self.graph:
                self.errors.append(UnusedConditionError(
                    f"named condition {name!r} is never used", located.origin.span(key=True),
                    "use it in a rule or remove it"))

    # ------------------------------------------------------------- sections and rules
    def section(self, located: Located[Section], conditions: dict[str, ir.Expr]) -> CheckedSection:
        section = located.value
        applies_to = tuple(section.applies_to or self.source.manifest.scope.industries)
        codes = self.source.manifest.scope.codes
        for index, code in enumerate(section.applies_to or []):
            if codes and code not in codes:
                close = difflib.get_close_matches(code, list(codes), n=1)
                self.errors.append(UnknownSectionError(
                    f"section {section.id} applies to industry code {code!r}, which scope.codes does not declare",
                    Origin(located.origin.doc, located.origin.path + ("applies_to", index)).span(),
                    f"did you mean {close[0]!r}?" if close else "declare it under scope.codes"))
        scope = None
        if section.when is not None:
            origin = Origin(located.origin.doc, located.origin.path + ("when",))
            node = self.parse(section.when, origin)
            if node is not None:
                scope, used = self.check(node, origin, conditions)
                self._mark_used(used)
        if section.added_by is not None and section.added_by.number is None:
            # Its items are cited with that document (a verdict's `number` is never empty).
            self.errors.append(SchemaError(
                f"section {section.id}: added_by must give the document's number (e.g. 矿安〔2024〕41号)",
                Origin(located.origin.doc, located.origin.path + ("added_by",)).span(),
                "the items of this section are cited with that document's name and number"))
        if section.added_by is not None and section.added_by.effective_from is not None:
            # A supplement applies to findings from its own date on: part of every rule's condition.
            origin = Origin(located.origin.doc, located.origin.path + ("added_by", "effective_from"))
            node = self.parse(f"inspection.date >= {section.added_by.effective_from.isoformat()}", origin)
            if node is not None:
                since, _ = self.check(node, origin, conditions)
                scope = since if scope is None else ir.And((since, scope))
        return CheckedSection(section, applies_to, scope, located.origin)

    def rule(self, located: Located[Rule], sections: dict[str, CheckedSection],
             conditions: dict[str, ir.Expr]) -> CheckedRule | None:
        rule = located.value
        section = sections.get(rule.section)
        if section is None:
            close = difflib.get_close_matches(rule.section, list(sections), n=1)
            self.errors.append(UnknownSectionError(
                f"rule {rule.id} names unknown section {rule.section!r}",
                Origin(located.origin.doc, located.origin.path + ("section",)).span(),
                f"did you mean {close[0]!r}?" if close else f"sections: {', '.join(sections) or 'none declared'}"))
        parts: dict[str, ir.Expr | None] = {"when": None, "unless": None}
        for key in parts:
            text = getattr(rule, key)
            if text is None:
                continue
            origin = Origin(located.origin.doc, located.origin.path + (key,))
            node = self.parse(text, origin)
            if node is not None:
                expr, used = self.check(node, origin, conditions)
                parts[key] = expr
                self._mark_used(used)
                self._constant(expr, key, rule.id, origin)
        if section is None or parts["when"] is None or (rule.unless is not None and parts["unless"] is None):
            return None
        return CheckedRule(rule, section, parts["when"], parts["unless"], located.origin,
                           self.source.test_origins.get(rule.id))


def _fold(expr: ir.Expr) -> Any:
    """The value of an expression that reads no fact (constant folding, for E312's message);
    None where folding is not worth it (quantifiers over a constant list and the like)."""
    match expr:
        case ir.Const(value):
            return value
        case ir.Not(operand):
            value = _fold(operand)
            return None if value is None else not value
        case ir.And(operands) | ir.Or(operands):
            values = [_fold(o) for o in operands]
            if any(v is None for v in values):
                return None
            return all(values) if isinstance(expr, ir.And) else any(values)
        case ir.Cmp(op, left, right) | ir.Arith(op, left, right):
            a, b = _fold(left), _fold(right)
            try:
                return None if a is None or b is None else ir.OPERATORS[op](a, b)
            except (ArithmeticError, TypeError):
                return None
        case ir.In(item, collection, negated):
            a, b = _fold(item), _fold(collection)
            return None if a is None or b is None else (a in b) != negated
        case ir.Empty(operand, negated):
            value = _fold(operand)
            return None if value is None else (len(value) == 0) != negated
    return None


def _reads_anything(expr: ir.Expr) -> bool:
    return any(isinstance(n, (ir.Fact, ir.Field, ir.Today)) for n in ir.walk(expr))


def _check_provision(located: Located[Provision], named: dict[str, Type], errors: list[PackError]) -> None:
    provision = located.value
    target = named.get(provision.type)
    origin = located.origin
    if target is None or target.kind != "enum":
        errors.append(SchemaError(
            f"provision {provision.id} names {provision.type!r}, which is not a declared enum type",
            Origin(origin.doc, origin.path + ("type",)).span(),
            "declare the type under `types:` (e.g. in the shared vocabulary)"))
        return
    for index, value in enumerate(provision.values):
        if value not in target.values:
            errors.append(UndeclaredEnumValueError(
                f"{value!r} is not a value of type {provision.type}",
                Origin(origin.doc, origin.path + ("values", index)).span(),
                f"declared values: {', '.join(target.values)}"))


def _check_items(source: PackSource, errors: list[PackError]) -> None:
    """A section that declares its items: each item is the clause of some rule of the section,
    each rule of the section has one of them as its clause, and no item is listed twice."""
    by_section: dict[str, list[Located[Rule]]] = {}
    for rule in source.rules:
        by_section.setdefault(rule.value.section, []).append(rule)
    for section_id, located in source.sections.items():
        section, origin = located.value, located.origin
        if section.items is None:
            continue
        declared: dict[str, int] = {}
        for index, item in enumerate(section.items):
            if item in declared:
                errors.append(ItemsNotCoveredError(
                    f"section {section_id} declares item {item} twice (first as item {declared[item] + 1})",
                    Origin(origin.doc, origin.path + ("items", index)).span(), "list each item of the article once"))
            else:
                declared[item] = index
        for item in section.missing:
            if item in declared:
                errors.append(ItemsNotCoveredError(
                    f"section {section_id} declares item {item} both encoded (`items`) and missing (`missing`)",
                    Origin(origin.doc, origin.path + ("missing", item)).span(key=True),
                    "an item is either encoded by a rule or listed as missing, not both"))
        rules = by_section.get(section_id, [])
        clauses = {rule.value.clause for rule in rules}
        misspelt = {_item_key(clause) for clause in clauses if clause is not None}  # reported at the rule
        for item, index in declared.items():
            if item not in clauses and _item_key(item) not in misspelt:
                errors.append(ItemsNotCoveredError(
                    f"section {section_id} declares item {item} but no rule has that clause",
                    Origin(origin.doc, origin.path + ("items", index)).span(),
                    f"write the rule for {section.article}{item}, or restore the file that held it"))
        for rule in rules:
            _check_rule_clause(rule, section_id, declared, errors)


def _check_rule_clause(located: Located[Rule], section_id: str, declared: dict[str, int],
                       errors: list[PackError]) -> None:
    rule, origin = located.value, located.origin
    if rule.clause in declared:
        return
    items = ", ".join(declared) or "none"
    if rule.clause is None:
        errors.append(ItemsNotCoveredError(
            f"rule {rule.id} has no clause, but section {section_id} declares its items",
            Origin(origin.doc, origin.path + ("id",)).span(), f"add `clause:` with one of: {items}"))
        return
    # Only a spelling of the same item is suggested: （十一） is not a typo of （十）.
    same = [item for item in declared if _item_key(item) == _item_key(rule.clause)]
    errors.append(ItemsNotCoveredError(
        f"rule {rule.id} has clause {rule.clause}, which section {section_id} does not declare",
        Origin(origin.doc, origin.path + ("clause",)).span(),
        f"did you mean {same[0]}?" if same else f"declared items: {items}; add it to `items` if the article has it"))


def _item_key(item: str) -> str:
    return item.replace("(", "（").replace(")", "）").replace(" ", "").replace("\u3000", "")


def _check_tests(source: PackSource, facts: dict[str, Type], errors: list[PackError]) -> None:
    """Test records may only name declared facts (their values are checked when run)."""
    for located in source.rules:
        origin = source.test_origins.get(located.value.id)
        if origin is None:
            continue
        for t_index, test in enumerate(located.value.tests):
            for name in test.facts:
                if name not in facts:
                    close = difflib.get_close_matches(name, list(facts), n=1)
                    errors.append(UndeclaredFactError(
                        f"test of {located.value.id} gives undeclared fact {name!r}",
                        Origin(origin.doc, origin.path + (t_index, "facts", name)).span(key=True),
                        f"did you mean {close[0]!r}?" if close else None))


def _reachable(graph: dict[str, dict[str, None]], start: str) -> set[str]:
    """The conditions that start refers to, directly or through others (not start itself,
    unless a cycle leads back to it)."""
    seen: set[str] = set()
    stack = list(graph.get(start, ()))
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(graph.get(name, ()))
    return seen
