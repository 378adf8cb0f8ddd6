"""`rules lint` beyond the static checker: what a loaded rule set says that is probably wrong.

Every function here is pure: it reads a loaded `Ruleset` (or one pack of it) and returns
`Finding`s, each with a stable code (`LINTS`, docs/errors.md "Lint findings"), a severity
(`error`: the rule set is wrong as it stands; `warning`: worth a look), the position it is
about and a hint. A lint finding is not a load error: the rule set loaded and works; these
say where it probably disagrees with the standard it encodes.

- L001/L002 (`text_numbers`): a number the official text compares with (超过9人, 20m以内)
  that the condition never uses, or uses with the other inclusiveness (超过9人 vs `>= 9`).
- L003/L004 (`constant_rules`): a rule that no finding can make true, or every finding
  makes true, decided by enumerating the finite domains of the facts it reads
  (`compiling/exact.py`); a rule reading a number, date, text or list is undecidable and
  never reported.
- L005 (`unused_facts`): a declared fact no rule of any pack that declares or imports it reads.
- L006 (`untested_rules`): a rule without tests, when the tests were read.
- L007/L008 (`edition_periods`): editions of one standard family whose periods overlap or
  leave a gap.
- L009/L010 (`same_or_subsumed`): two rules of a pack true for exactly the same findings;
  a rule whose findings another rule of the same article all matches (over finite domains).
- L011/L012 (`undeclared_items`): an article of several rules that does not declare its
  `items` (so no load check, E314, can tell that one was lost); an article with no rule and
  no `missing` item (nothing of it is encoded, and nothing says why).

Which rules L003/L004 could not decide (they read a number, date, text or list, or too
many finite facts) is `undecided_rules`: `rules lint` counts them in its closing line.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from ..checking import ir
from ..checking.pack import CheckedPack, CheckedRule
from ..classifying.compiled import CompiledPack
from ..classifying.ruleset import Ruleset
from ..compiling.exact import MAX_ASSIGNMENTS, decide_exactly, domain, domain_size
from ..compiling.kleene import compile_kleene
from ..errors import Span, diagnostic_dict, render_diagnostic
from ..loading.loader import Origin
from ..parsing import ast
from ..parsing.memo import parse_remembered

Severity = Literal["error", "warning"]
# The evaluation date handed to closures of conditions that do not read it (those that do
# are undecidable here): the lints never read the clock.
_ANY_DAY = dt.date(2000, 1, 1)


@dataclass(frozen=True, slots=True)
class Lint:
    """A registered lint: its code, severity and what it means (one line)."""

    code: str
    severity: Severity
    summary: str


LINTS: dict[str, Lint] = {lint.code: lint for lint in (
    Lint("L001", "warning", "a number the rule's text compares with is not used by its condition"),
    Lint("L002", "error", "the condition compares with the text's number the other way (included vs excluded)"),
    Lint("L003", "error", "the rule can never be true"),
    Lint("L004", "error", "the rule is always true"),
    Lint("L005", "warning", "a declared fact no rule reads"),
    Lint("L006", "warning", "a rule without tests"),
    Lint("L007", "error", "two editions of one standard are in force on the same day"),
    Lint("L008", "warning", "no edition of a standard is in force between two editions"),
    Lint("L009", "warning", "two rules of one pack match exactly the same findings"),
    Lint("L010", "warning", "a rule matches only findings another rule of the same article matches"),
    Lint("L011", "warning", "an article with several rules does not declare its items"),
    Lint("L012", "warning", "an article with no rule and no missing item"),
)}


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message: str
    span: Span | None
    hint: str

    @property
    def severity(self) -> Severity:
        return LINTS[self.code].severity

    def as_dict(self) -> dict[str, object]:
        return diagnostic_dict(self.severity, self.code, self.message, self.span, self.hint)

    def render(self) -> str:
        return render_diagnostic(self.severity, self.code, self.message, self.span, self.hint)


def lint(ruleset: Ruleset) -> list[Finding]:
    """Every lint finding of the rule set, in reading order (file, line, column)."""
    found: list[Finding] = []
    for pack in ruleset.packs:
        for rule in pack.rules:
            found.extend(text_numbers(pack.checked, rule))
            found.extend(constant_rules(pack.checked, rule))
        found.extend(same_or_subsumed(pack.checked))
        found.extend(undeclared_items(pack.checked))
        if ruleset.tests_read:
            found.extend(untested_rules(pack.checked))
    found.extend(unused_facts(ruleset.packs))
    found.extend(edition_periods(ruleset.packs))
    return sorted(found, key=lambda f: (f.span.file, f.span.line, f.span.column, f.code) if f.span
                  else ("", 0, 0, f.code))


# ----------------------------------------------------------------- L001, L002: numbers in the text

# How a comparison word relates the measured value to the number: the direction (> or <)
# and whether the number itself is included. Longer words first (不超过 before 超过).
_BEFORE: dict[str, tuple[str, bool]] = {
    "达到或者超过": (">", True), "达到或超过": (">", True), "大于或者等于": (">", True), "大于或等于": (">", True),
    "小于或者等于": ("<", True), "小于或等于": ("<", True), "大于等于": (">", True), "小于等于": ("<", True),
    "不少于": (">", True), "不低于": (">", True), "不小于": (">", True), "至少": (">", True), "达到": (">", True),
    "不超过": ("<", True), "不高于": ("<", True), "不大于": ("<", True), "不足": ("<", False),
    "超过": (">", False), "高于": (">", False), "大于": (">", False), "多于": (">", False),
    "少于": ("<", False), "低于": ("<", False), "小于": ("<", False),
    "≥": (">", True), "≤": ("<", True), ">=": (">", True), "<=": ("<", True), ">": (">", False), "<": ("<", False),
}
_AFTER: dict[str, tuple[str, bool]] = {
    "及以上": (">", True), "以上": (">", True), "及以下": ("<", True), "以下": ("<", True), "以内": ("<", True),
}
_UNITS = ("%", "‰", "m³", "m3", "m²", "m2", "km", "mm", "cm", "m", "MPa", "kPa", "Pa", "kV", "V", "kg", "t", "℃", "°C",
          "min", "h", "d", "s",
          "人", "个", "台", "处", "次", "天", "日", "小时", "分钟", "年", "月", "米", "吨", "层", "倍")
_UNIT = "(?:" + "|".join(map(re.escape, sorted(_UNITS, key=len, reverse=True))) + ")?"
_NUMBER = re.compile(
    "(?P<before>" + "|".join(map(re.escape, sorted(_BEFORE, key=len, reverse=True))) + r")?\s*"
    r"(?P<number>(?<![\d.A-Za-z:：])\d+(?:\.\d+)?(?![\d.]|\s*[:：]\s*\d))\s*(?P<unit>" + _UNIT + r")\s*"
    "(?P<after>" + "|".join(map(re.escape, sorted(_AFTER, key=len, reverse=True))) + ")?")
# A percentage of something the text names between the word and the number (超过核定生产能力的110%).
_PERCENT = re.compile(
    "(?P<before>" + "|".join(map(re.escape, sorted(_BEFORE, key=len, reverse=True))) + r")"
    r"[^\d，。；：,;]{1,20}?(?P<number>(?<![\d.])\d+(?:\.\d+)?)\s*(?P<unit>%)\s*"
    "(?P<after>" + "|".join(map(re.escape, sorted(_AFTER, key=len, reverse=True))) + ")?")


@dataclass(frozen=True, slots=True)
class TextNumber:
    value: Fraction
    shown: str          # as the text writes it, with its comparison word (超过9人)
    direction: str      # > or <
    inclusive: bool
    unit: str = ""


def text_comparisons(text: str) -> list[TextNumber]:
    """The numbers the text compares with: a number with a comparison word right before
    it (超过9人) or right after it (9人以上), and a percentage a few words after one
    (超过核定生产能力的110%). A number with words on both sides that disagree (超过10%以上)
    is left out: what it means is not clear enough to lint."""
    text = unicodedata.normalize("NFKC", text)
    found: dict[int, TextNumber] = {}
    for pattern in (_NUMBER, _PERCENT):
        for match in pattern.finditer(text):
            before, after = match["before"], match["after"]
            words = [w for w in (before and _BEFORE[before], after and _AFTER[after]) if w]
            if match.start("number") in found or not words or (len(words) == 2 and words[0] != words[1]):
                continue
            direction, inclusive = words[0]
            found[match.start("number")] = TextNumber(Fraction(match["number"]), match[0].strip(), direction,
                                                      inclusive, match["unit"])
    return [found[start] for start in sorted(found)]


def text_numbers(pack: CheckedPack, rule: CheckedRule) -> Iterator[Finding]:
    """L001 and L002 for one rule (see the module text). A number the text names several
    times (50米以上 … 50米以下) is reported once, and not at all if any of its mentions
    agrees with a comparison of the condition."""
    compared = list(_compared_numbers(rule))
    used, factors = _numbers_used(rule)
    mentions: dict[Fraction, list[TextNumber]] = {}
    for number in text_comparisons(rule.rule.text):
        mentions.setdefault(number.value, []).append(number)
    for value, numbers in mentions.items():
        percent = {value / 100, 1 + value / 100} if any(n.unit == "%" for n in numbers) else set()
        same = [(op, span) for v, op, span, factor in compared if (v == value and not factor) or v in percent]
        if any(_agrees(number, op) for number in numbers for op, _ in same):
            continue
        number = numbers[0]
        if same:
            op, span = same[0]
            wanted = _wanted(number)
            yield Finding("L002", f"rule {rule.rule.id}: the text says {number.shown}, the condition says "
                          f"`{op} {_show(value)}`", span,
                          f"{number.shown} {'includes' if number.inclusive else 'excludes'} {_show(value)}: "
                          f"write `{wanted[0]} {_show(value)}` (or `{wanted[1]} {_show(value)}` "
                          "for the opposite side)")
        elif not _used(number, used, factors) and not _named_in_facts(pack, rule, value):
            yield Finding("L001", f"rule {rule.rule.id}: number {_show(value)} in the text "
                          f"({number.shown}) is not used by the condition",
                          Origin(rule.origin.doc, rule.origin.path + ("text",)).span(),
                          "compare with it in `when`, or explain in `notes` why the condition need not")


# A number the text writes may stand in the condition converted: ‰ or a ratio like 0.003
# as 3 ‰, a year as 12 months, an hour as 60 minutes, a day as 24 hours; a percentage as a
# factor (20% → 0.2 or 1.2), also as the ratio of two factors (`a * 5 >= b * 6`).
_SCALES = (Fraction(1), Fraction(100), Fraction(1, 100), Fraction(1000), Fraction(1, 1000), Fraction(12),
           Fraction(60), Fraction(24), Fraction(365))


def _used(number: TextNumber, used: set[Fraction], factors: set[Fraction]) -> bool:
    if {number.value * scale for scale in _SCALES} & used:
        return True
    if number.unit != "%":
        return False
    ratios = {a / b for a in factors for b in factors if b}
    return bool({number.value / 100, 1 + number.value / 100} & (used | ratios))


def _agrees(number: TextNumber, op: str) -> bool:
    """The condition's `x op N` is the text's set of values, or its complement (a rule may
    state the requirement the text states, or its breach)."""
    return op in _wanted(number)


def _wanted(number: TextNumber) -> tuple[str, str]:
    """(the same set, its complement) as comparison operators."""
    same = number.direction + ("=" if number.inclusive else "")
    other = ("<" if number.direction == ">" else ">") + ("" if number.inclusive else "=")
    return same, other


def _show(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))


_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}


def _conditions(rule: CheckedRule) -> Iterator[tuple[ast.Node, Origin]]:
    for key in ("when", "unless"):
        text = getattr(rule.rule, key)
        if text is not None:
            origin = Origin(rule.origin.doc, rule.origin.path + (key,))
            yield parse_remembered(text, origin.doc.memo), origin


def _compared_numbers(rule: CheckedRule) -> Iterator[tuple[Fraction, str, Span, bool]]:
    """(number, operator with the fact on the left, where, is a factor) for each `x op N` the
    rule writes, with N as written (`0.03 MPa`: 0.03) and as checked, in the fact's unit
    (30 kPa: 30); and for each `x * a op y * b` (either side without its factor), the
    factor b / a (`shift_workers * 5 >= limit * 6`: 6/5, the text's 20%以上)."""
    for tree, origin in _conditions(rule):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare) or node.op in ("==", "!="):
                continue
            start, end = node.pos
            span = origin.doc.scalar_span(origin.path, start, max(1, end - start))
            if isinstance(node.right, ast.NumberLit):
                yield node.right.value, node.op, span, False
            elif isinstance(node.left, ast.NumberLit):
                yield node.left.value, _FLIP[node.op], span, False
            else:
                left, right = _factor(node.left), _factor(node.right)
                if left and right and (left, right) != (1, 1):
                    yield right / left, node.op, span, True
    where = Origin(rule.origin.doc, rule.origin.path + ("when",)).span()
    for cmp in ir.walk(rule.condition):
        if not isinstance(cmp, ir.Cmp) or cmp.op in ("==", "!="):
            continue
        for const, op in ((cmp.right, cmp.op), (cmp.left, _FLIP[cmp.op])):
            if isinstance(const, ir.Const) and _is_number(const.value):
                yield Fraction(const.value).limit_denominator(10**6), op, where, False


def _factor(node: ast.Node) -> Fraction | None:
    """a for `x * a` or `a * x`, 1 for a plain name, else None."""
    if isinstance(node, ast.Name):
        return Fraction(1)
    if isinstance(node, ast.Arith) and node.op == "*":
        for number, other in ((node.right, node.left), (node.left, node.right)):
            if isinstance(number, ast.NumberLit) and isinstance(other, ast.Name) and number.value:
                return number.value
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Fraction) and not isinstance(value, bool)


def _numbers_used(rule: CheckedRule) -> tuple[set[Fraction], set[Fraction]]:
    """Every number the rule's condition writes, as written and as converted to the fact's
    unit; and the numbers it multiplies by (`x * 6`)."""
    trees = [tree for tree, _ in _conditions(rule)]
    numbers = {node.value for tree in trees for node in ast.walk(tree) if isinstance(node, ast.NumberLit)}
    factors = {side.value for tree in trees for node in ast.walk(tree)
               if isinstance(node, ast.Arith) and node.op == "*"
               for side in (node.left, node.right) if isinstance(side, ast.NumberLit)}
    for node in ir.walk(rule.condition):
        if isinstance(node, ir.Const) and _is_number(node.value):
            numbers.add(Fraction(node.value).limit_denominator(10**6))
    return numbers, factors


_SPELT = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
          10: "ten", 12: "twelve"}


def _named_in_facts(pack: CheckedPack, rule: CheckedRule, value: Fraction) -> bool:
    """The number is part of what a fact the rule reads means (gas.ch4.blasting_20m,
    over_six_months, a label 前方20m范围内…): the threshold is in the fact, not in the condition."""
    shown = _show(value)
    digits = re.compile(rf"(?<![\d.]){re.escape(shown)}(?![\d.])")
    spelt = _SPELT.get(value.numerator) if value.denominator == 1 else None
    for fact in ir.facts_read(rule.condition):
        located = pack.source.facts.get(fact)
        words = [fact] + ([located.value.label or "", located.value.description or ""] if located else [])
        if any(digits.search(unicodedata.normalize("NFKC", w)) for w in words):
            return True
        if spelt and re.search(rf"(?<![a-z]){spelt}(?![a-z])", fact):
            return True
    return False


# ----------------------------------------------------------------- L003, L004: constant rules

def constant_rules(pack: CheckedPack, rule: CheckedRule) -> Iterator[Finding]:
    """L003/L004: `when and not unless`, over every value of the finite facts it reads.
    Undecidable (nothing reported; see `undecided_rules`) when it reads a fact that cannot be
    enumerated or there are more than MAX_ASSIGNMENTS assignments."""
    constant = _constant_value(pack, rule)
    if not isinstance(constant, bool):
        return
    names = ", ".join(sorted(ir.facts_read(_matches(rule))))
    where = Origin(rule.origin.doc, rule.origin.path + ("when",)).span()
    if constant:
        yield Finding("L004", f"rule {rule.rule.id} is true for every value of the facts it reads "
                      f"({names})", where,
                      "every finding in the rule's section would be a major hazard; check `when`/`unless`")
    else:
        yield Finding("L003", f"rule {rule.rule.id} is false for every value of the facts it reads "
                      f"({names})", where,
                      "no finding can ever match this rule; check `when`/`unless` (a contradiction?)")


def undecided_rules(ruleset: Ruleset) -> list[str]:
    """The ids of the rules for which L003/L004 cannot decide whether they are constant: they
    read a number, date, text, list or the inspection date, or too many finite facts."""
    return [rule.rule.id for pack in ruleset.packs for rule in pack.rules
            if _constant_value(pack.checked, rule) == "undecided"]


def _matches(rule: CheckedRule) -> ir.Expr:
    """`when and not unless`: what makes the rule true."""
    return rule.when if rule.unless is None else ir.And((rule.when, ir.Not(rule.unless)))


def _decidable(pack: CheckedPack, rule: CheckedRule) -> bool:
    expr = _matches(rule)
    if any(isinstance(n, (ir.Field, ir.Today)) for n in ir.walk(expr)):
        return False
    size = 1
    for name in ir.facts_read(expr):
        count = domain_size(pack.facts[name]) if name in pack.facts else None
        if count is None:
            return False
        size *= count
    return size <= MAX_ASSIGNMENTS


def _constant_value(pack: CheckedPack, rule: CheckedRule) -> bool | Literal["varies", "undecided"]:
    """True or False when the rule takes that value for every finding, "varies" when it does
    not, "undecided" when this cannot be decided over finite domains."""
    if not _decidable(pack, rule):
        return "undecided"
    exact = decide_exactly(_matches(rule), {}, _ANY_DAY, pack.facts)
    return "varies" if exact is None else bool(exact.value)


# ----------------------------------------------------------------- L005, L006: unused facts, untested rules

def unused_facts(packs: Iterable[CompiledPack]) -> Iterator[Finding]:
    """L005: a fact is used if any pack that declares or imports it reads it (in a rule, a
    section's `when` or a named condition a rule uses). Context facts are exempt: the
    classifier and the inspector's records give them."""
    declared: dict[tuple[str, str], Span] = {}
    read: set[tuple[str, str]] = set()
    for pack in packs:
        source = pack.checked.source
        reads: set[str] = set()
        for rule in pack.rules:
            reads |= ir.facts_read(rule.condition)
        for section in pack.checked.sections.values():
            if section.scope is not None:
                reads |= ir.facts_read(section.scope)
        for fact_id, located in source.facts.items():
            if located.value.context:
                continue
            span = located.origin.span(key=True)
            key = (span.file, fact_id)
            declared.setdefault(key, span)
            if fact_id in reads:
                read.add(key)
    for key, span in declared.items():
        if key not in read:
            yield Finding("L005", f"fact {key[1]} is declared but no rule reads it", span,
                          "remove it, or write the rule that needs it (a shared fact counts as read "
                          "if any pack importing it reads it)")


def untested_rules(pack: CheckedPack) -> Iterator[Finding]:
    """L006: a rule with no test in its .tests.yaml."""
    for rule in pack.rules:
        if not rule.rule.tests:
            yield Finding("L006", f"rule {rule.rule.id} has no tests",
                          Origin(rule.origin.doc, rule.origin.path + ("id",)).span(),
                          "add a case where it fires and one where it does not, under its id in the "
                          "file's .tests.yaml")


# ----------------------------------------------------------------- L007, L008: edition periods

def edition_periods(packs: Iterable[CompiledPack]) -> Iterator[Finding]:
    """L007/L008 between consecutive editions of each family (by effective_from). An
    edition without effective_to is in force until forever, as the classifier reads it."""
    families: dict[str, list[CompiledPack]] = {}
    for pack in sorted(packs, key=lambda p: p.standard.effective_from):
        families.setdefault(pack.standard.family, []).append(pack)
    for family, editions in families.items():
        for old, new in zip(editions, editions[1:]):
            end = old.standard.effective_to
            start = new.standard.effective_from
            doc = new.checked.source.manifest_doc
            where = Origin(doc, ("standard", "effective_from")).span()
            if end is None or end >= start:
                until = "open-ended" if end is None else f"until {end.isoformat()}"
                yield Finding("L007", f"standard {family}: {old.id} ({until}) and {new.id} (from "
                              f"{start.isoformat()}) are both in force on {start.isoformat()}", where,
                              f"set {old.id}'s standard.effective_to to {(start - dt.timedelta(days=1)).isoformat()}"
                              f"; the older edition wins while both are in force")
            elif end + dt.timedelta(days=1) < start:
                first, last = end + dt.timedelta(days=1), start - dt.timedelta(days=1)
                yield Finding("L008", f"standard {family}: no edition is in force from {first.isoformat()} to "
                              f"{last.isoformat()} (between {old.id} and {new.id})", where,
                              "close the gap: an edition's effective_to is the day before the next one's "
                              "effective_from")


# ----------------------------------------------------------------- L009, L010: equivalent and subsumed rules

@dataclass(frozen=True, slots=True)
class _Table:
    """A rule's truth table over the finite facts it reads."""

    rule: CheckedRule
    names: tuple[str, ...]
    values: dict[tuple[object, ...], bool]

    def at(self, assignment: dict[str, object]) -> bool:
        return self.values[tuple(assignment[name] for name in self.names)]


def same_or_subsumed(pack: CheckedPack) -> Iterator[Finding]:
    """L009: two rules of the pack whose sections apply alike and that are true for exactly
    the same values of the facts they read; L010: a rule every finding of which another rule
    of the same article matches too (it adds no major hazard of its own). Decided over the
    finite domains of the facts the two rules read together (at most MAX_ASSIGNMENTS
    combinations); rules that are constant (L003/L004) or undecidable are left out, and so
    are pairs that read no fact in common."""
    tables = [t for t in (_table(pack, rule) for rule in pack.rules) if t is not None]
    for index, a in enumerate(tables):
        for b in tables[index + 1:]:
            if not set(a.names) & set(b.names):
                continue
            names = sorted(set(a.names) | set(b.names))
            if _size(pack, names) > MAX_ASSIGNMENTS:
                continue
            pairs = [(a.at(row), b.at(row)) for row in _rows(pack, names)]
            a_rule, b_rule = a.rule, b.rule
            alike = (a_rule.section.applies_to == b_rule.section.applies_to
                     and a_rule.section.scope == b_rule.section.scope)
            if alike and all(x == y for x, y in pairs):
                yield Finding("L009", f"rule {b_rule.rule.id} matches exactly the findings rule {a_rule.rule.id} "
                              "matches", Origin(b_rule.origin.doc, b_rule.origin.path + ("when",)).span(),
                              f"if both clauses really say the same, keep one rule; otherwise one of them is "
                              f"miswritten (compare with `rules show {a_rule.rule.id}`)")
                continue
            if a_rule.section.section.article != b_rule.section.section.article or not alike:
                continue
            for small, large, implied in ((a_rule, b_rule, all(y for x, y in pairs if x)),
                                          (b_rule, a_rule, all(x for x, y in pairs if y))):
                if implied:
                    yield Finding("L010", f"rule {small.rule.id} is subsumed by rule {large.rule.id} of the same "
                                  f"article: every finding it matches, {large.rule.id} matches too",
                                  Origin(small.origin.doc, small.origin.path + ("when",)).span(),
                                  f"check {small.rule.id}'s condition against its text; a narrower case of "
                                  f"{large.rule.id} adds no major hazard of its own")
                    break


def _table(pack: CheckedPack, rule: CheckedRule) -> _Table | None:
    expr = rule.when if rule.unless is None else ir.And((rule.when, ir.Not(rule.unless)))
    if any(isinstance(n, (ir.Field, ir.Today)) for n in ir.walk(expr)):
        return None
    names = tuple(sorted(ir.facts_read(expr)))
    if _size(pack, names) > MAX_ASSIGNMENTS:
        return None
    fn = compile_kleene(expr)
    values: dict[tuple[object, ...], bool] = {}
    today = _ANY_DAY
    for row in _rows(pack, names):
        value = fn(row, today, {})
        if value is None:
            return None
        values[tuple(row[name] for name in names)] = bool(value)
    if len(set(values.values())) < 2:
        return None  # constant: L003/L004
    return _Table(rule, names, values)


def _size(pack: CheckedPack, names: Iterable[str]) -> int:
    size = 1
    for name in names:
        count = domain_size(pack.facts[name]) if name in pack.facts else None
        if count is None:
            return MAX_ASSIGNMENTS + 1
        size *= count
    return size


def _rows(pack: CheckedPack, names: Sequence[str]) -> Iterator[dict[str, object]]:
    for values in itertools.product(*(domain(pack.facts[name]) for name in names)):
        yield dict(zip(names, values))


# ----------------------------------------------------------------- L011, L012: articles and their items

def undeclared_items(pack: CheckedPack) -> Iterator[Finding]:
    """L011: a section of several rules without `items` (with `items`, a lost or mistyped
    item is a load error, E314; without, nothing notices); L012: a section that no rule
    belongs to and that lists no `missing` item. A section of one rule without a clause is
    an article without numbered items, and fine."""
    rules: dict[str, list[CheckedRule]] = {}
    for rule in pack.rules:
        rules.setdefault(rule.rule.section, []).append(rule)
    for section_id, located in pack.source.sections.items():
        section, own = located.value, rules.get(section_id, [])
        where = Origin(located.origin.doc, located.origin.path + ("id",)).span()
        if section.items is None and len(own) > 1:
            clauses = [f"{r.rule.id} {r.rule.clause}" if r.rule.clause else f"{r.rule.id} without clause"
                       for r in own]
            shown = ", ".join(clauses[:3]) + (", …" if len(clauses) > 3 else "")
            yield Finding("L011", f"section {section_id} ({section.article}) has {len(own)} rules "
                          f"({shown}) but does not declare its items", where,
                          "add `items: [（一）, （二）, …]` listing every numbered item of the article (and "
                          "`missing:` for any whose text was not found): a lost item is then a load error")
        elif not own and not section.missing:
            yield Finding("L012", f"section {section_id} ({section.article}) has no rule and no missing item",
                          where, "write its rules, or list its items under `missing:` with what was searched, "
                          "or remove the section")
