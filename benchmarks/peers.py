"""Generic rule engines a user might pick instead, given our rules translated mechanically.

Each translator walks the checked IR (checking/ir.py) of a rule's whole condition — named
conditions inlined, units already converted — and prints it in the peer's language:
rule-engine, JsonLogic (json-logic-qubit), GoRules ZEN expressions (zen-engine) and CEL
(cel-python, and the Rust-backed common-expression-language). Facts are renamed f0, f1, …
(dotted ids are paths in JsonLogic and attribute access elsewhere). A node the peer cannot
express raises Untranslatable; the subset (benchmarks/subset.py) needs none of them.

No peer has a third truth value. They are given complete records only (every fact the rules
read, typed: a set as a sorted list; for CEL every number as a double, since CEL does not
mix int and double); a missing fact would be an error (rule-engine, CEL) or read as null and
be falsy (JsonLogic, ZEN), never "unknown". `Peer.matched` returns the ids of the rules
that hold, which the benchmark and tests/test_benchmark_counterpart.py compare with ours.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from hazard_rules.checking import ir


class Untranslatable(Exception):
    pass


# ---------------------------------------------------------------------------- infix languages

@dataclass(frozen=True)
class Infix:
    """The spelling of one infix expression language."""

    and_: str
    or_: str
    not_: str
    empty: str          # format with {x}
    doubles: bool = False

    def literal(self, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return repr(float(value)) if self.doubles else repr(value)
        if isinstance(value, str):
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, frozenset):
            return "[" + ", ".join(self.literal(v) for v in sorted(value)) + "]"
        raise Untranslatable(f"no literal for {type(value).__name__}")

    def text(self, expr: ir.Expr, names: dict[str, str]) -> str:
        t = lambda e: self.text(e, names)  # noqa: E731
        match expr:
            case ir.Const(value=value):
                return self.literal(value)
            case ir.Fact(id=fact_id):
                return names[fact_id]
            case ir.Cond(body=body):
                return t(body)
            case ir.Not(operand=operand):
                return f"{self.not_}({t(operand)})"
            case ir.And(operands=operands):
                return "(" + f" {self.and_} ".join(map(t, operands)) + ")"
            case ir.Or(operands=operands):
                return "(" + f" {self.or_} ".join(map(t, operands)) + ")"
            case ir.Cmp(op=op, left=left, right=right) | ir.Arith(op=op, left=left, right=right):
                return f"({t(left)} {op} {t(right)})"
            case ir.Scale(operand=operand, factor=factor):
                return f"({t(operand)} * {self.literal(float(factor))})"
            case ir.In(item=item, collection=collection, negated=negated):
                inside = f"({t(item)} in {t(collection)})"
                return f"{self.not_}{inside}" if negated else inside
            case ir.Empty(operand=operand, negated=negated):
                empty = self.empty.format(x=t(operand))
                return f"{self.not_}({empty})" if negated else empty
            case ir.AtLeast(k=k, operands=operands):
                one, zero = ("1.0", "0.0") if self.doubles else ("1", "0")
                total = " + ".join(f"({t(o)} ? {one} : {zero})" for o in operands)
                return f"(({total}) >= {self.literal(k)})"
        raise Untranslatable(f"{type(expr).__name__} has no translation")


RULE_ENGINE = Infix("and", "or", "not ", "{x}.is_empty")
ZEN = Infix("and", "or", "not ", "(len({x}) == 0)")
CEL = Infix("&&", "||", "!", "(size({x}) == 0)", doubles=True)


def json_logic(expr: ir.Expr, names: dict[str, str]) -> Any:
    j = lambda e: json_logic(e, names)  # noqa: E731
    match expr:
        case ir.Const(value=value):
            if isinstance(value, frozenset):
                return sorted(value)
            if isinstance(value, (bool, int, float, str)):
                return value
        case ir.Fact(id=fact_id):
            return {"var": names[fact_id]}
        case ir.Cond(body=body):
            return j(body)
        case ir.Not(operand=operand):
            return {"!": [j(operand)]}
        case ir.And(operands=operands):
            return {"and": [j(o) for o in operands]}
        case ir.Or(operands=operands):
            return {"or": [j(o) for o in operands]}
        case ir.Cmp(op=op, left=left, right=right) | ir.Arith(op=op, left=left, right=right):
            return {op: [j(left), j(right)]}
        case ir.Scale(operand=operand, factor=factor):
            return {"*": [j(operand), float(factor)]}
        case ir.In(item=item, collection=collection, negated=negated):
            inside = {"in": [j(item), j(collection)]}
            return {"!": [inside]} if negated else inside
        case ir.Empty(operand=operand, negated=negated):
            return {"!!": [j(operand)]} if negated else {"!": [j(operand)]}
        case ir.AtLeast(k=k, operands=operands):
            return {">=": [{"+": [{"if": [j(o), 1, 0]} for o in operands]}, k]}
    raise Untranslatable(f"{type(expr).__name__} has no JsonLogic translation")


# ---------------------------------------------------------------------------- peers

Rules = list[tuple[str, ir.Expr]]


@dataclass
class Peer:
    """One way of running a peer: how to build it for some rules and what it is given."""

    label: str
    distribution: str   # the PyPI name, for its version
    module: str
    build: Callable[[Any, Rules, dict[str, str]], Callable[[Any], list[str]]]
    native: Callable[[Any, dict[str, Any], dict[str, str]], Any] = lambda mod, facts, names: plain(facts, names)

    def available(self) -> str | None:
        """The installed version, or None if the peer is not installed."""
        try:
            importlib.import_module(self.module)
            return metadata.version(self.distribution)
        except (ImportError, metadata.PackageNotFoundError):
            return None

    def prepare(self, rules: Rules, names: dict[str, str]) -> tuple[Callable[[Any], list[str]], Callable[[dict], Any]]:
        """(matched(record) -> rule ids, to_native(typed facts) -> record the peer takes)."""
        mod = importlib.import_module(self.module)
        return self.build(mod, rules, names), lambda facts: self.native(mod, facts, names)


def names_for(rules: Rules) -> dict[str, str]:
    facts = sorted(set().union(*(ir.facts_read(condition) for _, condition in rules)))
    return {fact_id: f"f{n}" for n, fact_id in enumerate(facts)}


def plain(facts: dict[str, Any], names: dict[str, str], doubles: bool = False) -> dict[str, Any]:
    native: dict[str, Any] = {}
    for fact_id, value in facts.items():
        if isinstance(value, frozenset):
            value = sorted(value)
        elif doubles and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        native[names[fact_id]] = value
    return native


def _picker(ids: list[str]) -> Callable[[Any], list[str]]:
    return lambda values: [rule for rule, value in zip(ids, values) if value]


def _array(language: Infix, rules: Rules, names: dict[str, str]) -> str:
    """All rules as one array expression: one call per record returns every rule's value."""
    return "[" + ", ".join(language.text(condition, names) for _, condition in rules) + "]"


def _rule_engine(mod: Any, rules: Rules, names: dict[str, str]) -> Callable[[Any], list[str]]:
    rule = mod.Rule(_array(RULE_ENGINE, rules, names))
    pick = _picker([r for r, _ in rules])
    return lambda record: pick(rule.evaluate(record))


def _json_logic(mod: Any, rules: Rules, names: dict[str, str]) -> Callable[[Any], list[str]]:
    logic = [(rule_id, json_logic(condition, names)) for rule_id, condition in rules]
    run = mod.jsonLogic
    return lambda record: [rule_id for rule_id, tree in logic if run(tree, record)]


def _zen_compiled(mod: Any, rules: Rules, names: dict[str, str]) -> Callable[[Any], list[str]]:
    expression = mod.compile_expression(_array(ZEN, rules, names))
    pick = _picker([r for r, _ in rules])
    return lambda record: pick(expression.evaluate(record))


def _zen_one_call(mod: Any, rules: Rules, names: dict[str, str]) -> Callable[[Any], list[str]]:
    text = _array(ZEN, rules, names)
    pick = _picker([r for r, _ in rules])
    return lambda record: pick(mod.evaluate_expression(text, record))


def _cel_python(mod: Any, rules: Rules, names: dict[str, str]) -> Callable[[Any], list[str]]:
    env = mod.Environment()
    program = env.program(env.compile(_array(CEL, rules, names)))
    pick = _picker([r for r, _ in rules])
    return lambda record: pick(program.evaluate(record))


def _cel_rust(mod: Any, rules: Rules, names: dict[str, str]) -> Callable[[Any], list[str]]:
    program = mod.compile(_array(CEL, rules, names))
    pick = _picker([r for r, _ in rules])
    return lambda record: pick(program.execute(record))


PEERS = [
    Peer("rule-engine: Rule.evaluate (one rule, all 44 as an array)", "rule-engine", "rule_engine", _rule_engine),
    Peer("JsonLogic: json_logic.jsonLogic per rule", "json-logic-qubit", "json_logic", _json_logic),
    Peer("zen-engine: compile_expression(...).evaluate", "zen-engine", "zen", _zen_compiled),
    Peer("zen-engine: evaluate_expression (one call)", "zen-engine", "zen", _zen_one_call),
    Peer("CEL: cel-python program.evaluate", "cel-python", "celpy", _cel_python,
         lambda mod, facts, names: mod.json_to_cel(plain(facts, names, doubles=True))),
    Peer("CEL: common-expression-language (Rust) execute", "common-expression-language", "cel", _cel_rust,
         lambda mod, facts, names: plain(facts, names, doubles=True)),
]
