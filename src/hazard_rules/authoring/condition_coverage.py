"""Condition coverage of the tests written beside the packs: `rules test --coverage`.

Rule-level coverage (authoring/testing.py) asks for a true, a false and an unknown test
per rule. This asks the same of every sub-condition, and more (docs/condition-coverage.md):

- condition: every boolean operand (comparison, `in`, `is empty`, a yes/no fact, a
  quantifier and its body, an `at_least` operand, `and`/`or` groups, named conditions)
  seen true, false and unknown;
- unless: the rule's `unless` taken (true) and not taken (false), and unknown;
- at_least: `at_least k of (…)` evaluated with exactly k−1 and exactly k true operands;
- threshold: a comparison of a number with a constant, with the number below, at and
  above the constant.

A value counts only where it can matter (masking, as in MC/DC): an operand of an `and`
whose sibling is false, or of an `or` whose sibling is true, is not looked at. `not x`
is covered by x; a named condition by its body; a quantifier body once per item.

The values are those of the three-valued closures (compiling/kleene.py): each node is
compiled once and evaluated in its quantifier bindings; there is no evaluator of its own.

"Full" means every obligation that some finding can meet is met. Two kinds are left out,
and listed in the report as excluded: a value no finding can give by construction (unknown
for a sub-condition that reads no fact; true/false of a constant; below a count's 0, an
ordered enum's first value or the least value of a fact's declared `range`, above the last
or greatest, at a constant outside that range), and, for rules whose facts can all be
enumerated (bool, enum, device, ints with a small declared range, and numbers compared only
with constants; at most MAX_ASSIGNMENTS records with each fact also missing), any obligation
that no record meets (e.g. a branch unreachable given its siblings). A rule too large to enumerate keeps them all.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..checking import ir
from ..checking.ir_text import print_ir
from ..checking.pack import CheckedRule
from ..checking.types import BOOL, Type
from ..classifying.ruleset import CompiledPack, Ruleset
from ..compiling.exact import domain, domain_size
from ..compiling.kleene import Fn, compile_kleene
from ..findings.coerce import FactValueError
from .evaluation import day_of_test, require_tests

MAX_ASSIGNMENTS = 4096
Path = tuple[Any, ...]

# What each obligation kind asks for, in report order.
WANTS = {"condition": ("true", "false", "unknown"), "unless": ("taken", "not taken", "unknown"),
         "at_least": ("k-1 true", "k true"), "threshold": ("below", "at", "above")}
_UNLESS = {"true": "taken", "false": "not taken", "unknown": "unknown"}


@dataclass(frozen=True, order=True)
class Obligation:
    path: Path      # where the node is in the rule: ("when", 0, 1) …
    kind: str       # a key of WANTS
    want: str       # one of WANTS[kind]
    text: str       # the sub-condition as condition text
    k: int = 0      # at_least: how many operands must be true

    def describe(self) -> str:
        if self.kind == "condition":
            return f"`{self.text}` never {self.want}"
        if self.kind == "unless":
            return f"unless `{self.text}` never {self.want}"
        if self.kind == "at_least":
            count = self.k - 1 if self.want == "k-1 true" else self.k
            return f"`{self.text}` never with exactly {count} operand(s) true"
        return f"`{self.text}`: no test {self.want} the constant" if self.want != "at" else \
            f"`{self.text}`: no test at the constant"

    def to_json(self) -> dict[str, Any]:
        return {"path": ".".join(map(str, self.path)), "kind": self.kind, "want": self.want, "text": self.text}


@dataclass
class RuleConditionCoverage:
    pack: str
    rule: str
    origin: str                                        # file:line:col of the rule
    required: list[Obligation] = field(default_factory=list)
    met: set[Obligation] = field(default_factory=set)
    excluded: list[Obligation] = field(default_factory=list)
    enumerated: bool = False                           # unreachable obligations were worked out

    @property
    def missing(self) -> list[Obligation]:
        return [o for o in self.required if o not in self.met]

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "origin": self.origin, "required": len(self.required),
                "met": len(self.required) - len(self.missing), "enumerated": self.enumerated,
                "missing": [o.to_json() | {"message": o.describe()} for o in self.missing],
                "excluded": [o.to_json() for o in self.excluded]}


@dataclass
class PackConditionCoverage:
    pack: str
    rules: list[RuleConditionCoverage] = field(default_factory=list)

    @property
    def required(self) -> int:
        return sum(len(r.required) for r in self.rules)

    @property
    def met(self) -> int:
        return sum(len(r.required) - len(r.missing) for r in self.rules)

    @property
    def percent(self) -> float:
        return 100.0 if self.required == 0 else 100.0 * self.met / self.required

    def to_json(self) -> dict[str, Any]:
        return {"pack": self.pack, "percent": round(self.percent, 2), "required": self.required, "met": self.met,
                "rules": [r.to_json() for r in self.rules if r.missing]}


@dataclass
class ConditionCoverageReport:
    packs: list[PackConditionCoverage] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"packs": [p.to_json() for p in self.packs]}


def condition_coverage(ruleset: Ruleset, packs: set[str] | None = None) -> ConditionCoverageReport:
    """Condition coverage of every rule of the chosen packs by its written tests."""
    require_tests(ruleset)
    report = ConditionCoverageReport()
    for pack in ruleset.packs:
        if packs is not None and pack.id not in packs:
            continue
        entry = PackConditionCoverage(pack.id)
        for rule in pack.rules:
            entry.rules.append(rule_coverage(ruleset, pack, rule))
        report.packs.append(entry)
    return report


def rule_coverage(ruleset: Ruleset, pack: CompiledPack, rule: CheckedRule) -> RuleConditionCoverage:
    probe = Probe(rule)
    cover = RuleConditionCoverage(pack.id, rule.rule.id, str(rule.origin.span()))
    for test in rule.rule.tests:
        try:
            facts, _ = ruleset.coerce_facts(test.facts, strict=True)
        except FactValueError:
            continue  # `rules test` reports it as a failed test
        cover.met |= probe.run(facts, day_of_test(pack, rule, test))
    possible = probe.reachable(ruleset.facts, day_of_test(pack, rule, None))
    cover.enumerated = possible is not None
    for obligation in probe.obligations():
        if not probe.can_meet(obligation) or (possible is not None and obligation not in possible):
            cover.excluded.append(obligation)
        else:
            cover.required.append(obligation)
    return cover


def _parts(rule: CheckedRule) -> list[tuple[str, ir.Expr]]:
    parts: list[tuple[str, ir.Expr]] = []
    if rule.section.scope is not None:
        parts.append(("scope", rule.section.scope))
    parts.append(("when", rule.when))
    if rule.unless is not None:
        parts.append(("unless", rule.unless))
    return parts


def _label(value: Any) -> str:
    return "unknown" if value is None else ("true" if value else "false")


def _is_condition(node: ir.Expr) -> bool:
    """A boolean operand that gets its own true/false/unknown obligations."""
    if isinstance(node, (ir.Const, ir.Not, ir.Invalid)):
        return False
    if isinstance(node, (ir.Fact, ir.Field)):
        return node.type == BOOL
    return ir.type_of(node) == BOOL


def _threshold(node: ir.Expr) -> tuple[ir.Expr, Any] | None:
    """(the number compared, the constant) for `number OP constant` (either way round), OP an
    ordering: for `==`/`!=`, being at the constant or off it is already the condition's true/false."""
    if not isinstance(node, ir.Cmp) or node.op in ("==", "!="):
        return None
    for term, const in ((node.left, node.right), (node.right, node.left)):
        if isinstance(const, ir.Const) and not isinstance(term, ir.Const) \
                and isinstance(const.value, (int, float)) and not isinstance(const.value, bool) \
                and ir.type_of(term).kind == "num":
            return term, const.value
    return None


def _reads_input(node: ir.Expr) -> bool:
    return any(isinstance(n, (ir.Fact, ir.Field)) for n in ir.walk(node))


def _reads_anything(node: ir.Expr) -> bool:
    return any(isinstance(n, (ir.Fact, ir.Field, ir.Today)) for n in ir.walk(node))


class Probe:
    """A rule's sub-conditions, each compiled once to a Kleene closure, and the obligations
    a record meets when every reachable node is evaluated in its bindings."""

    def __init__(self, rule: CheckedRule) -> None:
        self.parts = _parts(rule)
        self.nodes: dict[Path, ir.Expr] = {}
        self.closures: dict[Path, Fn] = {}
        self._obligations: list[Obligation] = []
        for name, expr in self.parts:
            self._collect(expr, (name,), unless_root=name == "unless")

    # -- the obligations, read off the tree ----------------------------------------
    def _collect(self, node: ir.Expr, path: Path, unless_root: bool = False) -> None:
        self.nodes[path] = node
        text = print_ir(node)
        if unless_root:
            self._obligations += [Obligation(path, "unless", w, text) for w in WANTS["unless"]]
        elif _is_condition(node):
            self._obligations += [Obligation(path, "condition", w, text) for w in WANTS["condition"]]
        shape = _shape(node)
        if isinstance(shape, ir.AtLeast):
            self._obligations += [Obligation(path, "at_least", w, text, shape.k) for w in WANTS["at_least"]]
        if _threshold(_shape(node)) is not None:
            self._obligations += [Obligation(path, "threshold", w, text) for w in WANTS["threshold"]]
        for index, child in enumerate(self._children(node)):
            self._collect(child, path + (index,))

    @staticmethod
    def _children(node: ir.Expr) -> tuple[ir.Expr, ...]:
        return ir.children(_shape(node))

    def obligations(self) -> list[Obligation]:
        return list(self._obligations)

    def can_meet(self, obligation: Obligation) -> bool:
        """False for a value no finding can give, whatever the facts (see the module text)."""
        node = _shape(self.nodes[obligation.path])
        if obligation.kind in ("condition", "unless"):
            if obligation.want == "unknown":
                return _reads_input(node)
            return _reads_anything(node)
        if obligation.kind == "threshold":
            found = _threshold(node)
            assert found is not None
            term, constant = found
            low, high = _bounds(term)
            if obligation.want == "below":
                return low is None or constant > low
            if obligation.want == "above":
                return high is None or constant < high
            if (low is not None and constant < low) or (high is not None and constant > high):
                return False
            return float(constant).is_integer() or not ir.type_of(term).integer
        assert isinstance(node, ir.AtLeast)
        return node.k <= len(node.operands)

    # -- evaluation -----------------------------------------------------------------
    def _value(self, path: Path, f: dict[str, Any], today: dt.date, env: dict[str, Any]) -> Any:
        fn = self.closures.get(path)
        if fn is None:
            fn = self.closures[path] = compile_kleene(self.nodes[path])
        return fn(f, today, env)

    def run(self, facts: dict[str, Any], today: dt.date) -> set[Obligation]:
        """The obligations this record meets."""
        met: set[tuple[Path, str, str]] = set()
        values = [self._value((name,), facts, today, {}) for name, _ in self.parts]
        # The rule is `scope and when and not unless`: a part counts unless another decides it false.
        decides_false = [(v is False) if name != "unless" else (v is True)
                         for (name, _), v in zip(self.parts, values)]
        for index, (name, _) in enumerate(self.parts):
            live = not any(d for j, d in enumerate(decides_false) if j != index)
            if live:
                self._visit((name,), facts, today, {}, met, values[index])
        return {o for o in self._obligations if (o.path, o.kind, o.want) in met}

    def _visit(self, path: Path, f: dict[str, Any], today: dt.date, env: dict[str, Any],
               met: set[tuple[Path, str, str]], value: Any = ...) -> None:
        named = self.nodes[path]
        node = _shape(named)
        if value is ...:
            value = self._value(path, f, today, env)
        label = _label(value)
        if path == ("unless",):
            met.add((path, "unless", _UNLESS[label]))
        elif _is_condition(named):
            met.add((path, "condition", label))
        found = _threshold(node)
        if found is not None:
            side = 0 if node.left is found[0] else 1  # type: ignore[attr-defined]
            number = self._value(path + (side,), f, today, env)
            if number is not None:
                want = "below" if number < found[1] else ("at" if number == found[1] else "above")
                met.add((path, "threshold", want))
        children = self._children(node)
        if isinstance(node, (ir.Quant, ir.CountIf)):
            self._visit(path + (0,), f, today, env, met)
            items = self._value(path + (0,), f, today, env)
            for item in items or ():
                self._visit(path + (1,), f, today, env | {node.var: item}, met)
            return
        if isinstance(node, (ir.And, ir.Or, ir.AtLeast)):
            values = [self._value(path + (i,), f, today, env) for i in range(len(children))]
            if isinstance(node, ir.AtLeast):
                true = sum(v is not None and bool(v) for v in values)
                if true == node.k - 1:
                    met.add((path, "at_least", "k-1 true"))
                elif true == node.k:
                    met.add((path, "at_least", "k true"))
            masking = False if isinstance(node, ir.And) else True
            for i, v in enumerate(values):
                if isinstance(node, ir.AtLeast) or not any(
                        w is not None and bool(w) is masking for j, w in enumerate(values) if j != i):
                    self._visit(path + (i,), f, today, env, met, v)
            return
        for index in range(len(children)):
            self._visit(path + (index,), f, today, env, met)

    # -- which obligations some record can meet ----------------------------------------
    def reachable(self, types: dict[str, Type], today: dt.date) -> set[Obligation] | None:
        """Every obligation met by some record of the rule's facts (each also missing), or None
        when the facts cannot all be enumerated within MAX_ASSIGNMENTS records."""
        domains = self._domains(types)
        if domains is None:
            return None
        names = sorted(domains)
        met: set[Obligation] = set()
        for values in itertools.product(*(domains[n] for n in names)):
            met |= self.run({n: v for n, v in zip(names, values) if v is not None}, today)
        return met

    def _domains(self, types: dict[str, Type]) -> dict[str, tuple[Any, ...]] | None:
        domains: dict[str, tuple[Any, ...]] = {}
        numbers: dict[str, set[Any]] = {}
        for _, expr in self.parts:
            for node in ir.walk(expr):
                if isinstance(node, (ir.Field, ir.Quant, ir.CountIf)):
                    return None
            for node, ancestors in _with_parents(expr):
                if not isinstance(node, ir.Fact):
                    continue
                fact_type = types.get(node.id, node.type)
                if domain_size(fact_type) is not None:
                    domains[node.id] = (None, *domain(fact_type))
                    continue
                points = _sample_points(node, ancestors)
                if points is None:
                    return None
                numbers.setdefault(node.id, set()).update(points)
        for fact_id, points in numbers.items():
            domains[fact_id] = (None, *sorted(points))
        size = 1
        for values in domains.values():
            size *= len(values)
        return domains if size <= MAX_ASSIGNMENTS else None


def _shape(node: ir.Expr) -> ir.Expr:
    """A named condition stands for its body: the node whose parts are covered."""
    while isinstance(node, ir.Cond):
        node = node.body
    return node


def _with_parents(expr: ir.Expr) -> Iterator[tuple[ir.Expr, tuple[ir.Expr, ...]]]:
    """Every node with its ancestors, nearest first."""
    stack: list[tuple[ir.Expr, tuple[ir.Expr, ...]]] = [(expr, ())]
    while stack:
        node, ancestors = stack.pop()
        yield node, ancestors
        stack.extend((child, (node, *ancestors)) for child in ir.children(node))


def _sample_points(fact: ir.Fact, ancestors: tuple[ir.Expr, ...]) -> set[Any] | None:
    """Values of a number fact below, at and above the constant it is compared with (through
    a unit conversion), when that is all it is used for (otherwise None: a sample would not
    be exhaustive)."""
    if fact.type.kind != "num" or not ancestors:
        return None
    term: ir.Expr = fact
    factor = 1.0
    parent = ancestors[0]
    if isinstance(parent, ir.Scale) and len(ancestors) > 1:
        term, factor, parent = parent, parent.factor, ancestors[1]
    if not isinstance(parent, ir.Cmp):
        return None
    other = parent.right if parent.left is term else parent.left
    if not isinstance(other, ir.Const) or isinstance(other.value, bool) \
            or not isinstance(other.value, (int, float)):
        return None
    c = other.value / factor if factor != 1.0 else other.value
    step = 1 if fact.type.integer else 0.5
    return {v for v in (c - step, c, c + step) if fact.type.within(v)}


def _bounds(term: ir.Expr) -> tuple[Any, Any]:
    """The least and greatest value a number term can take, where the tree says so."""
    if isinstance(term, (ir.Size, ir.CountIf)):
        return 0, None
    if isinstance(term, ir.Rank):
        ranks = [rank for _, rank in term.table]
        return min(ranks), max(ranks)
    if isinstance(term, ir.Fact) and term.type.bounds is not None:
        return term.type.bounds  # the fact's declared `range`
    return None, None
