"""`rules diff`: what changed between two versions of a pack, or two editions of a standard.

Rules are paired by id within one pack (two versions of the same pack), or by article and
clause between two different packs (two editions of one standard, whose ids differ) — as
long as the texts still resemble; a revision that renumbers articles (煤矿 2020 → 2026
inserted two) pairs rules whose texts resemble closely across articles (pair_by_citation).
Conditions are compared as checked trees (checking/ir.py): positions are not part of a
node's equality and named conditions are inlined as nodes, so an edit that only changes
layout, spacing or parentheses is no change, while an edit to a named condition changes
every rule that uses it. Types are left out of that comparison (a fact's type is reported
once, with the facts).

Verdict changes are found on findings judged under both sides: findings the user gives,
and findings generated for every added, removed or changed rule (its tests on both sides,
each varied at every threshold constant −1/±0/+1 and at every value of each enum or bool
fact the rule reads). Each finding is judged by each side as of a date that side's edition
covers (the finding's own date when it does, else the edition's first day).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from ..checking import ir
from ..checking.ir_text import print_ir
from ..checking.pack import CheckedRule
from ..checking.types import Type
from ..classifying.ruleset import CompiledPack, Ruleset
from ..classifying.verdict import Verdict
from ..errors import RecordError, UsageError
from ..findings.model import Finding

MatchedBy = Literal["rule id", "article+clause"]  # article+clause: and text resemblance (pair_by_citation)
#: the parts of a rule compared, in the order they are reported
PARTS = ("article", "clause", "text", "scope", "when", "unless")
#: generated findings are capped per rule pair, so a huge test list cannot blow up a diff
MAX_PROBES_PER_RULE = 400


@dataclass(frozen=True)
class RuleSide:
    pack: str
    id: str
    article: str
    clause: str | None
    text: str
    scope: str | None
    when: str
    unless: str | None

    @property
    def cited(self) -> str:
        return f"{self.article}{self.clause or ''}"


@dataclass(frozen=True)
class RuleChange:
    old: RuleSide
    new: RuleSide
    parts: tuple[str, ...]   # which of PARTS differ
    paired: str = "rule id"  # how the two were paired (pair_by_citation)


@dataclass(frozen=True)
class FactChange:
    id: str
    old: str | None          # the declaration, described (None: added)
    new: str | None          # None: removed


@dataclass(frozen=True)
class Side:
    """One side's verdict on a finding, with what explains it."""

    verdict: str
    as_of: dt.date
    matches: list[dict[str, Any]]      # rule, cited, because
    undetermined: list[dict[str, Any]]  # rule, cited, missing
    reasons: list[str]


@dataclass(frozen=True)
class VerdictChange:
    finding: str
    origin: str              # the file, or how the finding was generated
    facts: dict[str, Any]
    old: Side
    new: Side
    # the facts the finding gives that the other side's rules never read (a revised vocabulary)
    unread_by_old: list[str] = field(default_factory=list)
    unread_by_new: list[str] = field(default_factory=list)


@dataclass
class RulesDiff:
    old_label: str
    new_label: str
    matched_by: MatchedBy
    packs: list[tuple[str | None, str | None]]   # (old pack id, new pack id) compared
    added: list[RuleSide] = field(default_factory=list)
    removed: list[RuleSide] = field(default_factory=list)
    changed: list[RuleChange] = field(default_factory=list)
    facts: list[FactChange] = field(default_factory=list)
    findings_judged: int = 0
    verdicts: list[VerdictChange] = field(default_factory=list)
    # the facts each side's compared packs read
    read_old: set[str] = field(default_factory=set, repr=False)
    read_new: set[str] = field(default_factory=set, repr=False)
    # a new rule's id → the old rule it is paired with (a match of either counts as the same)
    aliases: dict[str, str] = field(default_factory=dict, repr=False)
    # what the verdict comparison pairs: (old pack, new pack, old rule, new rule) per rule touched
    touched: list[tuple[CompiledPack | None, CompiledPack | None, CheckedRule | None, CheckedRule | None]] = field(
        default_factory=list, repr=False)

    @property
    def differs(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.facts or self.verdicts)


# --------------------------------------------------------------------------- pairing
def diff_rulesets(old: Ruleset, new: Ruleset, old_label: str, new_label: str) -> RulesDiff:
    """Two versions of a rules folder (or of one pack folder): packs paired by id. When each
    side holds one pack and their ids differ, those two are paired by article and clause."""
    old_ids, new_ids = {p.id: p for p in old.packs}, {p.id: p for p in new.packs}
    if len(old_ids) == len(new_ids) == 1 and old_ids.keys() != new_ids.keys():
        (only_old,), (only_new,) = old_ids.values(), new_ids.values()
        diff = RulesDiff(old_label, new_label, "article+clause", [(only_old.id, only_new.id)])
        _diff_pack(diff, only_old, only_new)
        return diff
    pairs = [(old_ids.get(i), new_ids.get(i)) for i in sorted(old_ids.keys() | new_ids.keys())]
    diff = RulesDiff(old_label, new_label, "rule id", [(a.id if a else None, b.id if b else None) for a, b in pairs])
    for old_pack, new_pack in pairs:
        _diff_pack(diff, old_pack, new_pack)
    return diff


def diff_editions(ruleset: Ruleset, old_id: str, new_id: str) -> RulesDiff:
    """Two packs of one rules folder (two editions of a standard), paired by article and clause."""
    packs = {p.id: p for p in ruleset.packs}
    for name in (old_id, new_id):
        if name not in packs:
            raise UsageError(f"no pack {name!r}", hint=f"packs: {', '.join(sorted(packs))}")
    if old_id == new_id:
        raise UsageError(f"--pack and --to name the same pack {old_id!r}", hint="name two editions")
    diff = RulesDiff(old_id, new_id, "article+clause", [(old_id, new_id)])
    _diff_pack(diff, packs[old_id], packs[new_id])
    return diff


def _diff_pack(diff: RulesDiff, old: CompiledPack | None, new: CompiledPack | None) -> None:
    old_rules = old.rules if old else []
    new_rules = new.rules if new else []
    if diff.matched_by == "rule id":
        index = {rule.rule.id: rule for rule in new_rules}
        pairs = [(a, index[a.rule.id], "rule id") for a in old_rules if a.rule.id in index]
    else:
        pairs = pair_by_citation(old_rules, new_rules)
    diff.aliases.update({b.rule.id: a.rule.id for a, b, _ in pairs})
    diff.read_old.update(fact for rule in old_rules for fact in ir.facts_read(rule.condition))
    diff.read_new.update(fact for rule in new_rules for fact in ir.facts_read(rule.condition))
    paired_old = {id(a) for a, _, _ in pairs}
    paired_new = {id(b) for _, b, _ in pairs}
    if old is not None:
        for rule in old_rules:
            if id(rule) not in paired_old:
                diff.removed.append(_side(old, rule))
                diff.touched.append((old, new, rule, None))
    if old is not None and new is not None:
        for a, b, how in sorted(pairs, key=lambda pair: old_rules.index(pair[0])):
            change = _compare(old, new, a, b, how)
            if change is not None:
                diff.changed.append(change)
                diff.touched.append((old, new, a, b))
    if new is not None:
        for rule in new_rules:
            if id(rule) not in paired_new:
                diff.added.append(_side(new, rule))
                diff.touched.append((old, new, None, rule))
    _diff_facts(diff, old.checked.facts if old else {}, new.checked.facts if new else {})


#: pairing two editions: how much the same article and clause counts, and the least score that pairs
SAME_CLAUSE_BONUS = 0.3
LEAST_SCORE = 0.6
_ITEM_MARK = re.compile(r"^\s*(\([一二三四五六七八九十]+\)|\d+[.、]|\(\d+\))")
_NOT_WORD = re.compile(r"[\W_]+")


def pair_by_citation(old: list[CheckedRule], new: list[CheckedRule]) -> list[tuple[CheckedRule, CheckedRule, str]]:
    """Pair the rules of two editions: the same article and clause with a text that still
    resembles, or, where a revision renumbered articles or items, a text that resembles
    closely (difflib's ratio on the texts without item marks and punctuation). Greedy, best
    score first; each rule is paired at most once. The third element says how."""
    old_texts, new_texts = [_plain(r.rule.text) for r in old], [_plain(r.rule.text) for r in new]
    scored: list[tuple[float, int, int, float]] = []
    for i, a in enumerate(old):
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(old_texts[i])
        for j, b in enumerate(new):
            same = _cited(a) == _cited(b)
            bonus = SAME_CLAUSE_BONUS if same else 0.0
            matcher.set_seq1(new_texts[j])
            if matcher.real_quick_ratio() + bonus < LEAST_SCORE or matcher.quick_ratio() + bonus < LEAST_SCORE:
                continue
            ratio = matcher.ratio()
            if ratio + bonus >= LEAST_SCORE:
                scored.append((ratio + bonus, i, j, ratio))
    pairs: list[tuple[CheckedRule, CheckedRule, str]] = []
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for _, i, j, ratio in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if i in taken_old or j in taken_new:
            continue
        taken_old.add(i)
        taken_new.add(j)
        how = "article+clause" if _cited(old[i]) == _cited(new[j]) else "resembling text"
        pairs.append((old[i], new[j], f"{how} ({ratio:.0%} alike)"))
    return pairs


def _cited(rule: CheckedRule) -> tuple[str, str | None]:
    return rule.section.section.article, rule.rule.clause


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return _NOT_WORD.sub("", _ITEM_MARK.sub("", text)).removesuffix("的")


def _side(pack: CompiledPack, rule: CheckedRule) -> RuleSide:
    r = rule.rule
    scope = rule.section.scope
    return RuleSide(pack.id, r.id, rule.section.section.article, r.clause, " ".join(r.text.split()),
                    print_ir(scope) if scope is not None else None, print_ir(rule.when),
                    print_ir(rule.unless) if rule.unless is not None else None)


def _compare(old_pack: CompiledPack, new_pack: CompiledPack, old: CheckedRule, new: CheckedRule,
             how: str) -> RuleChange | None:
    a, b = _side(old_pack, old), _side(new_pack, new)
    parts = [name for name in ("article", "clause", "text") if getattr(a, name) != getattr(b, name)]
    for name, x, y in (("scope", old.section.scope, new.section.scope), ("when", old.when, new.when),
                       ("unless", old.unless, new.unless)):
        if same_tree(x, y):
            continue
        parts.append(name)
        if getattr(a, name) == getattr(b, name):  # the same text: a named condition it uses changed
            assert x is not None and y is not None
            a = dataclasses.replace(a, **{name: _with_definitions(x)})
            b = dataclasses.replace(b, **{name: _with_definitions(y)})
    return RuleChange(a, b, tuple(parts), how) if parts else None


def _with_definitions(expr: ir.Expr) -> str:
    """The condition followed by the named conditions it uses, each defined once."""
    named = {node.name: print_ir(node.body) for node in ir.walk(expr) if isinstance(node, ir.Cond)}
    return print_ir(expr) + "".join(f"; {name} = {body}" for name, body in named.items())


def same_tree(a: ir.Expr | None, b: ir.Expr | None) -> bool:
    """The same checked condition, types aside: the same node classes, operators, names and
    constants in the same places (positions are never part of a node)."""
    if a is None or b is None:
        return a is b
    if type(a) is not type(b):
        return False
    for f in dataclasses.fields(a):
        if f.name == "type":
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, ir.Expr) or isinstance(x, tuple) and x and isinstance(x[0], ir.Expr):
            continue  # children, compared below
        if x != y or type(x) is not type(y) and not _both_numbers(x, y):
            return False
    left, right = ir.children(a), ir.children(b)
    return len(left) == len(right) and all(same_tree(x, y) for x, y in zip(left, right, strict=True))


def _both_numbers(x: Any, y: Any) -> bool:
    numbers = (int, float, Fraction)
    return isinstance(x, numbers) and isinstance(y, numbers) and not isinstance(x, bool) and not isinstance(y, bool)


def _diff_facts(diff: RulesDiff, old: dict[str, Type], new: dict[str, Type]) -> None:
    known = {change.id for change in diff.facts}
    for fact_id in sorted(old.keys() | new.keys()):
        if fact_id in known:
            continue
        a, b = old.get(fact_id), new.get(fact_id)
        if a != b:
            diff.facts.append(FactChange(fact_id, describe_type(a) if a else None, describe_type(b) if b else None))


def describe_type(t: Type) -> str:
    text = str(t)
    if t.kind == "num" and t.integer:
        text = text.replace("number", "integer", 1)
    if t.values:
        text += " {" + ", ".join(f"{v}: {label}" if label else v
                                 for v, label in zip(t.values, t.labels or ("",) * len(t.values), strict=True)) + "}"
    if t.ordered:
        text += " ordered"
    if t.fields:
        text += " (" + ", ".join(f"{name}: {describe_type(sub)}" for name, sub in t.fields) + ")"
    return text


# --------------------------------------------------------------------------- findings
@dataclass(frozen=True)
class Probe:
    """A generated finding: the record and how it was made."""

    origin: str
    record: dict[str, Any]


def probes(diff: RulesDiff) -> list[Probe]:
    """Findings built from both vocabularies for every rule added, removed or changed: each test
    of the old and the new rule, and each varied at every boundary the rules read."""
    made: dict[str, Probe] = {}
    for old_pack, new_pack, old, new in diff.touched:
        count = 0
        boundary = _boundaries([r for r in (old, new) if r is not None])
        for pack, rule in ((old_pack, old), (new_pack, new)):
            if pack is None or rule is None:
                continue
            for number, test in enumerate(rule.rule.tests, start=1):
                name = test.name or f"test {number}"
                base = {"industries": list(test.industries or _industries(pack, rule)),
                        "date": (test.date or pack.standard.effective_from).isoformat()}
                given: dict[str, Any] = dict(test.facts)
                variants = [(f"{rule.rule.id} {name!r}", given)]
                variants += [(f"{rule.rule.id} {name!r} with {fact} = {_shown(value)}", {**given, fact: value})
                             for fact, value in boundary if given.get(fact) != value]
                for origin, facts in variants:
                    if count >= MAX_PROBES_PER_RULE:
                        break
                    record = {**base, "facts": facts}
                    key = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
                    if key not in made:
                        made[key] = Probe(origin, {"id": f"g{len(made) + 1}", **record})
                        count += 1
    return list(made.values())


def _industries(pack: CompiledPack, rule: CheckedRule) -> list[str]:
    codes = rule.section.applies_to or tuple(pack.checked.source.manifest.scope.industries)
    return list(codes[:1])


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, bool | str) else str(value)


def _boundaries(rules: list[CheckedRule]) -> list[tuple[str, Any]]:
    """(fact, value) for each side of each threshold constant and each enum/bool value the rules read."""
    found: list[tuple[str, Any]] = []
    for rule in rules:
        for node in ir.walk(rule.condition):
            if isinstance(node, ir.Cmp):
                found += _threshold_values(node)
            elif isinstance(node, ir.Fact) and node.type.kind == "enum":
                found += [(node.id, value) for value in node.type.values]
            elif isinstance(node, ir.Fact) and node.type.kind == "bool":
                found += [(node.id, True), (node.id, False)]
    return list(dict.fromkeys(found))


def _threshold_values(node: ir.Cmp) -> list[tuple[str, Any]]:
    sides = [(node.left, node.right), (node.right, node.left)]
    for fact, const in sides:
        if (isinstance(fact, ir.Fact) and fact.type.kind == "num" and isinstance(const, ir.Const)
                and _both_numbers(const.value, 0)):
            value = Fraction(const.value)
            step = Fraction(1)
            near = [value - step, value, value + step]
            return [(fact.id, _number(v, fact.type.integer)) for v in near if v >= 0 or value < 0]
    return []


def _number(value: Fraction, integer: bool) -> int | float:
    if value.denominator == 1:
        return int(value)
    return int(value) if integer else float(value)


def judge_probes(diff: RulesDiff, old: Ruleset, new: Ruleset, found: Iterable[Probe]) -> None:
    """Judge each generated finding under both sides, adding those whose verdict or matched rules change."""
    for probe in found:
        record_judged(diff, probe.record["id"], probe.origin, probe.record["facts"],
                      judge(diff, old, "old", probe.record), judge(diff, new, "new", probe.record))


def judge(diff: RulesDiff, ruleset: Ruleset, side: Literal["old", "new"],
          finding: Finding | dict[str, Any]) -> Verdict | RecordError:
    """One side's verdict on a finding, as of a date that side's compared packs cover: the
    finding's own date when they do, else the nearest end of their period."""
    ids = {pair[0] if side == "old" else pair[1] for pair in diff.packs}
    packs = [pack for pack in ruleset.packs if pack.id in ids]
    day = finding.date if isinstance(finding, Finding) else dt.date.fromisoformat(str(finding["date"]))
    try:
        return ruleset.classify(finding, as_of=_day_within(packs, day))
    except RecordError as exc:  # e.g. a value one side's vocabulary does not allow
        return exc


def _day_within(packs: list[CompiledPack], day: dt.date) -> dt.date:
    """day when one of the packs is in force then; else the first day of the earliest, for a
    day before them all, or the last day of the latest (its first day, while in force)."""
    if not packs or any(p.in_force(day) for p in packs):
        return day
    first = min(p.standard.effective_from for p in packs)
    if day < first:
        return first
    return max(p.standard.effective_to or p.standard.effective_from for p in packs)


def record_judged(diff: RulesDiff, finding: str, origin: str, facts: dict[str, Any], old: Verdict | RecordError,
                  new: Verdict | RecordError) -> None:
    """Count a finding judged under both sides; keep it when the verdict or the matched rules
    differ (a new rule matching counts as the old rule it is paired with)."""
    diff.findings_judged += 1
    a, b = _explained(old), _explained(new)
    if a.verdict == b.verdict and {m["rule"] for m in a.matches} == {diff.aliases.get(m["rule"], m["rule"])
                                                                     for m in b.matches}:
        return
    given = sorted(facts)
    diff.verdicts.append(VerdictChange(finding, origin, facts, a, b,
                                       [f for f in given if f not in diff.read_old and f in diff.read_new],
                                       [f for f in given if f not in diff.read_new and f in diff.read_old]))


def _explained(verdict: Verdict | RecordError) -> Side:
    if isinstance(verdict, RecordError):
        return Side("invalid", dt.date.min, [], [], [verdict.message])
    return Side(verdict.verdict, verdict.as_of,
                [{"rule": m.rule, "cited": f"{m.article}{m.clause or ''}", "because": m.because}
                 for m in verdict.matches],
                [{"rule": u.rule, "cited": f"{u.article}{u.clause or ''}", "missing": u.missing}
                 for u in verdict.undetermined],
                [*verdict.reasons, *(f"warning: {w}" for w in verdict.warnings)])


# --------------------------------------------------------------------------- output
def to_json(diff: RulesDiff) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        return json.loads(json.dumps(dataclasses.asdict(value), ensure_ascii=False, default=_default))

    return {
        "old": diff.old_label, "new": diff.new_label, "matched_by": diff.matched_by,
        "packs": [{"old": a, "new": b} for a, b in diff.packs],
        "summary": summary(diff),
        "added": [plain(r) for r in diff.added], "removed": [plain(r) for r in diff.removed],
        "changed": [plain(c) for c in diff.changed], "facts": [plain(f) for f in diff.facts],
        "verdicts": [plain(v) for v in diff.verdicts],
    }


def summary(diff: RulesDiff) -> dict[str, int]:
    return {"rules_added": len(diff.added), "rules_removed": len(diff.removed), "rules_changed": len(diff.changed),
            "facts_added": sum(f.old is None for f in diff.facts),
            "facts_removed": sum(f.new is None for f in diff.facts),
            "facts_changed": sum(f.old is not None and f.new is not None for f in diff.facts),
            "findings_judged": diff.findings_judged,
            "verdicts_changed": len(diff.verdicts),
            "verdicts_changed_by_vocabulary": sum(bool(v.unread_by_old or v.unread_by_new) for v in diff.verdicts)}


def _default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Fraction | frozenset | set):
        return str(value) if isinstance(value, Fraction) else sorted(value, key=str)
    return str(value)


def changed_parts(change: RuleChange) -> Iterator[tuple[str, str | None, str | None]]:
    """(part, old, new) for each part of a changed rule that differs."""
    for part in change.parts:
        yield part, getattr(change.old, part), getattr(change.new, part)
