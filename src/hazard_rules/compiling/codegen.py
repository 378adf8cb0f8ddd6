"""Generate Python source from checked IR: one function per section (article).

Only the checked tree is used: fact ids match a strict ASCII pattern, strings and
numbers are emitted with repr(), and every other constant (sets, dates, tables) is
passed in through the function's namespace, so no pack text is ever pasted as code.

The generated code uses plain two-valued Python with direct indexing (`f["x"]`). When
every fact a rule reads is present, short-circuit Python and Kleene logic agree, so the
answer is exact. A missing fact raises KeyError, and only then does the rule fall back
to its three-valued closure (kleene.py).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Callable, Sequence
from fractions import Fraction
from types import CodeType
from typing import Any

from ..checking import ir
from ..loading import cache
from .kleene import LazyKleene

# fn(facts, today) -> indices: i for a true rule, ~i (that is -i-1) for an unknown one.
PlanFn = Callable[[dict[str, Any], dt.date], list[int]]
# fn(raw facts, today) -> (typed facts, one PlanFn answer per group of rules), or None when a
# value is not given as is (the caller then converts the facts one by one: compile_fused); the
# typed facts are None when every answer is empty (nothing is true or open: they are not needed)
FusedFn = Callable[[dict[str, Any], dt.date], "tuple[dict[str, Any] | None, tuple[list[int], ...]] | None"]


class _Emitter:
    def __init__(self, local_facts: dict[str, str] | None = None, others: str = "f") -> None:
        self.namespace: dict[str, Any] = {"_timedelta": dt.timedelta}
        self.variables: dict[str, str] = {}
        self.local_facts = local_facts or {}  # fact id -> the local holding its value (compile_fused)
        self.others = others  # the dict a fact without a local is read from

    def constant(self, value: Any) -> str:
        if isinstance(value, bool) or value is None:
            return repr(value)
        if isinstance(value, Fraction):
            value = int(value) if value.denominator == 1 else float(value)
        if isinstance(value, (int, float, str)):
            return repr(value)
        if isinstance(value, frozenset) and value and all(
                isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in value):
            # `x in {"a", "b"}` compiles to a constant frozenset: no name lookup per call
            return "{" + ", ".join(repr(v) for v in sorted(value, key=repr)) + "}"
        name = f"_k{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def expr(self, node: ir.Expr) -> str:
        match node:
            case ir.Const(value):
                return self.constant(value)
            case ir.Fact(fact_id):
                return self.local_facts.get(fact_id) or f"{self.others}[{fact_id!r}]"
            case ir.Field(var, name):
                return f"{self.variables[var]}[{name!r}]"
            case ir.Today():
                return "today"
            case ir.Cond(_, body):
                return self.expr(body)
            case ir.Not(operand):
                return f"(not {self.expr(operand)})"
            case ir.And(operands):
                return "(" + " and ".join(self.expr(x) for x in operands) + ")"
            case ir.Or(operands):
                return "(" + " or ".join(self.expr(x) for x in operands) + ")"
            case ir.Cmp(op, left, right) | ir.Arith(op, left, right, _):
                return f"({self.expr(left)} {op} {self.expr(right)})"
            case ir.In(item, collection, negated):
                return f"({self.expr(item)} {'not in' if negated else 'in'} {self.expr(collection)})"
            case ir.Empty(operand, negated):
                return f"(len({self.expr(operand)}) {'>' if negated else '=='} 0)"
            case ir.Scale(operand, factor, _):
                return f"({self.expr(operand)} * {factor!r})"
            case ir.Rank(operand, table, _):
                return f"{self.constant(dict(table))}[{self.expr(operand)}]"
            case ir.Neg(operand, _):
                return f"(-{self.expr(operand)})"
            case ir.Size(operand, _):
                return f"len({self.expr(operand)})"
            case ir.DateDiff(left, right, _):
                return f"({self.expr(left)} - {self.expr(right)}).days"
            case ir.DateShift(op, date, days, _):
                return f"({self.expr(date)} {op} _timedelta(days=float({self.expr(days)})))"
            case ir.Quant(kind, var, source, body):
                python_var, inner = self._bind(var, body)
                return f"{kind}({inner} for {python_var} in {self.expr(source)})"
            case ir.CountIf(var, source, body, _):
                python_var, inner = self._bind(var, body)
                return f"sum(1 for {python_var} in {self.expr(source)} if {inner})"
            case ir.AtLeast(k, operands):
                return "((" + ") + (".join(self.expr(x) for x in operands) + f")) >= {int(k)}"
        raise AssertionError(f"cannot generate code for {type(node).__name__}")  # pragma: no cover

    def _bind(self, var: str, body: ir.Expr) -> tuple[str, str]:
        python_var = f"_v{len(self.variables)}"
        outer = self.variables.get(var)
        self.variables[var] = python_var
        try:
            return python_var, self.expr(body)
        finally:
            if outer is None:
                del self.variables[var]
            else:
                self.variables[var] = outer


def compile_rules(name: str, rules: Sequence[tuple[int, ir.Expr]]) -> tuple[PlanFn, str]:
    """One function over the given rules: returns i for each true rule, ~i for each unknown one."""
    emitter = _Emitter()
    lines = [f"def {name}(f, today):", "    r = []"]
    for index, condition in rules:
        lines += _rule_lines(emitter, index, condition, "r", f"_slow{index}")
    lines.append("    return r")
    return _defined(name, lines, emitter.namespace)


def compile_fused(name: str, prologue: Sequence[str], namespace: dict[str, Any], local_facts: dict[str, str],
                  converted: Sequence[str], groups: Sequence[Sequence[tuple[int, ir.Expr]]]) -> tuple[FusedFn, str]:
    """One function for a record shape: read and check its facts, then every group's rules.

    `prologue` (lines of the body, with the names it uses in `namespace`) reads each fact of
    the shape once into its local (`local_facts`: fact id -> local) and returns None if one
    is not given as is; the locals of `converted` hold a value converted from the raw one.
    The function then evaluates each group as compile_rules does, reading the locals instead
    of `f` (a fact the shape lacks is read from `raw`, which raises KeyError as `f` would), and
    returns (f, (answer of group 0, answer of group 1, ...)): `f` the typed facts (the raw
    ones, with the converted values), made only when a rule needs its three-valued closure or
    some answer is not empty; else None, as nothing will read the values."""
    emitter = _Emitter(local_facts, others="raw")
    clashes = emitter.namespace.keys() & namespace.keys()
    assert not clashes, clashes
    emitter.namespace.update(namespace)
    typed = f"_typed_{name}"
    arguments = ", ".join(["raw", *(local_facts[fact_id] for fact_id in converted)])
    lines = [f"def {typed}({arguments}):", "    f = dict(raw)"]
    lines += [f"    f[{fact_id!r}] = {local_facts[fact_id]}" for fact_id in converted]
    lines += ["    return f", f"def {name}(raw, today):"]
    lines += [f"    {line}" for line in prologue]
    lines.append("    f = None")
    made = f"if f is None: f = {typed}({arguments})"
    answers = []
    for number, rules in enumerate(groups):
        answers.append(f"r{number}")
        lines.append(f"    r{number} = []")
        for index, condition in rules:
            lines += _rule_lines(emitter, index, condition, f"r{number}", f"_slow{number}_{index}", made)
    lines.append(f"    if f is None and ({' or '.join(answers) or 'False'}):")
    lines.append(f"        {made}")
    lines.append(f"    return f, ({', '.join(answers)}{',' if len(answers) == 1 else ''})")
    return _defined(name, lines, emitter.namespace)


def _rule_lines(emitter: _Emitter, index: int, condition: ir.Expr, out: str, slow: str,
                made: str | None = None) -> list[str]:
    """Append index to `out` if the rule is true, ~index if unknown (the closure `slow` decides
    when a fact is missing or the arithmetic fails; `made`: a statement making `f` first)."""
    emitter.namespace[slow] = LazyKleene(condition)
    return [
        "    try:",
        f"        if {emitter.expr(condition)}:",
        f"            {out}.append({index})",
        "    except (KeyError, ArithmeticError):",
        *([f"        {made}"] if made else []),
        f"        v = {slow}(f, today, {{}})",
        "        if v:",
        f"            {out}.append({index})",
        "        elif v is None:",
        f"            {out}.append({~index})",
    ]


def _defined(name: str, lines: list[str], namespace: dict[str, Any]) -> tuple[Any, str]:
    source = "\n".join(lines) + "\n"
    code = _compiled(source, f"<hazard_rules:{name}>")
    namespace = dict(namespace)
    exec(code, namespace)  # noqa: S102 - source generated from the checked IR only
    return namespace[name], source


def _compiled(source: str, filename: str) -> CodeType:
    """compile(), or the code object compiled from the same source before (loading/cache.py
    keeps it as marshal data, as __pycache__ does, under this Python's bytecode version)."""
    key = cache.entry_key(cache.code_digest(__file__) + importlib.util.MAGIC_NUMBER, filename + "\0" + source)
    code = cache.read_entry(key)
    if isinstance(code, CodeType):
        return code
    code = compile(source, filename, "exec")
    cache.write_entry(key, code)
    return code
