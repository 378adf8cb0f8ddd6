"""How much of each standard the packs encode: `hazard-rules rules coverage`.

For every pack (one edition of a standard), article by article and item by item: the rule
that encodes the item, whether its wording was checked against the official text
(`provenance`), how many tests it has and what they expect, and whether its facts decide it
or the inspector does (`determination`). An item listed under a section's `missing:` is
shown as missing, with what was searched. Building the report (`build_coverage`) is
separate from writing it (`to_json`, `to_markdown` here; the rich table in
cli/coverage_view.py). Nothing is run: the counts come from the packs as written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..checking.pack import CheckedRule, CheckedSection
from ..classifying.ruleset import CompiledPack, Ruleset
from .evaluation import require_tests
from .testing import EXPECTATIONS, expected_label

MARKDOWN_COMMAND = "hazard-rules rules coverage --format markdown"


@dataclass(frozen=True)
class TestCounts:
    """Tests by what they expect."""

    __test__ = False  # not a pytest test class

    true: int = 0
    false: int = 0
    unknown: int = 0
    not_concerned: int = 0

    @property
    def total(self) -> int:
        return self.true + self.false + self.unknown + self.not_concerned

    def __add__(self, other: TestCounts) -> TestCounts:
        return TestCounts(*(getattr(self, e) + getattr(other, e) for e in EXPECTATIONS))

    def breakdown(self) -> str:
        """'2/2/1/0': true/false/unknown/not_concerned."""
        return "/".join(str(getattr(self, e)) for e in EXPECTATIONS)


@dataclass(frozen=True)
class RuleEntry:
    id: str
    provenance: str                    # verified | unverified
    sources: tuple[str, ...]
    determination: str                 # facts | inspector
    tests: TestCounts

    @property
    def wording(self) -> str:
        """'verified (S1, S8a)'."""
        return self.provenance + (f" ({', '.join(self.sources)})" if self.sources else "")


@dataclass(frozen=True)
class ItemEntry:
    """One numbered item of an article: encoded by its rules, or missing (then `note` says why)."""

    article: str
    clause: str | None                 # （一）; None for a rule without a clause
    rules: tuple[RuleEntry, ...] = ()
    note: str | None = None            # the section's `missing:` note

    @property
    def missing(self) -> bool:
        return not self.rules

    @property
    def label(self) -> str:
        return self.article + (self.clause or "")


@dataclass(frozen=True)
class ArticleEntry:
    section: str
    article: str
    title: str | None
    items: tuple[ItemEntry, ...]


@dataclass(frozen=True)
class Tally:
    """Counts of one pack, or of every pack."""

    items_encoded: int = 0
    items_missing: int = 0
    rules: int = 0
    verified: int = 0
    unverified: int = 0
    by_facts: int = 0
    by_inspector: int = 0
    tests: TestCounts = field(default_factory=TestCounts)

    @property
    def items_total(self) -> int:
        return self.items_encoded + self.items_missing

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.items_encoded + other.items_encoded, self.items_missing + other.items_missing,
                     self.rules + other.rules, self.verified + other.verified, self.unverified + other.unverified,
                     self.by_facts + other.by_facts, self.by_inspector + other.by_inspector, self.tests + other.tests)


@dataclass(frozen=True)
class PackEntry:
    id: str
    family: str
    name: str
    number: str                        # 文号
    effective_from: dt.date
    effective_to: dt.date | None       # None: still in force
    articles: tuple[ArticleEntry, ...]
    tally: Tally

    @property
    def period(self) -> str:
        return f"{self.effective_from.isoformat()} – " + (
            self.effective_to.isoformat() if self.effective_to else "(still in force)")


@dataclass(frozen=True)
class CoverageReport:
    packs: tuple[PackEntry, ...]
    totals: Tally


def build_coverage(ruleset: Ruleset, packs: Iterable[str] | None = None) -> CoverageReport:
    """The report for every pack of the ruleset, or only the packs named (by id, in ruleset order)."""
    require_tests(ruleset)
    chosen = None if packs is None else set(packs)
    entries = tuple(_pack(p) for p in ruleset.packs if chosen is None or p.id in chosen)
    totals = Tally()
    for entry in entries:
        totals += entry.tally
    return CoverageReport(entries, totals)


def _pack(pack: CompiledPack) -> PackEntry:
    by_section: dict[str, list[CheckedRule]] = {}
    for rule in pack.rules:
        by_section.setdefault(rule.section.section.id, []).append(rule)
    articles = tuple(_article(s, by_section.get(s.section.id, [])) for s in pack.sections)
    items = [i for a in articles for i in a.items]
    rules = [r for i in items for r in i.rules]
    tests = TestCounts()
    for entry in rules:
        tests += entry.tests
    tally = Tally(items_encoded=sum(not i.missing for i in items), items_missing=sum(i.missing for i in items),
                  rules=len(rules), verified=sum(r.provenance == "verified" for r in rules),
                  unverified=sum(r.provenance != "verified" for r in rules),
                  by_facts=sum(r.determination == "facts" for r in rules),
                  by_inspector=sum(r.determination == "inspector" for r in rules), tests=tests)
    s = pack.standard
    return PackEntry(pack.id, s.family, s.name, s.number, s.effective_from, s.effective_to, articles, tally)


def _article(checked: CheckedSection, rules: list[CheckedRule]) -> ArticleEntry:
    section = checked.section
    items: list[ItemEntry]
    if section.items is None:  # no declared items: each rule counts as one
        items = [ItemEntry(section.article, r.rule.clause, (_rule(r),)) for r in rules]
    else:
        items = [ItemEntry(section.article, item, tuple(_rule(r) for r in rules if r.rule.clause == item))
                 for item in section.items]
    missing = [ItemEntry(section.article, item, (), note) for item, note in section.missing.items()]
    ordered = items + missing
    numbers = [_item_number(i.clause) for i in ordered]
    known = [n for n in numbers if n is not None]
    if len(known) == len(numbers):  # a missing item in its place among the others
        ordered = [i for _, i in sorted(zip(known, ordered), key=lambda pair: pair[0])]
    return ArticleEntry(section.id, section.article, section.title, tuple(ordered))


def _rule(checked: CheckedRule) -> RuleEntry:
    rule = checked.rule
    counts = {e: 0 for e in EXPECTATIONS}
    for test in rule.tests:
        counts[expected_label(test)] += 1
    return RuleEntry(rule.id, rule.provenance.status, tuple(rule.provenance.sources), rule.determination,
                     TestCounts(**counts))


_DIGITS = {c: n for n, c in enumerate("零一二三四五六七八九")}


def _item_number(clause: str | None) -> int | None:
    """（十一） -> 11, (3) -> 3; None when the clause is not a plain number."""
    if clause is None:
        return None
    text = re.sub(r"[（）()\s\u3000]", "", clause)
    if text.isdigit():
        return int(text)
    if not text or any(c not in _DIGITS and c not in "十百" for c in text):
        return None
    total, digit = 0, 0
    for char in text:
        if char == "十":
            total += (digit or 1) * 10
            digit = 0
        elif char == "百":
            total += (digit or 1) * 100
            digit = 0
        else:
            digit = _DIGITS[char]
    return total + digit


# -- writing the report ------------------------------------------------------------------------

def _tally_json(tally: Tally) -> dict[str, Any]:
    return {"items": {"encoded": tally.items_encoded, "missing": tally.items_missing, "total": tally.items_total},
            "rules": tally.rules,
            "wording": {"verified": tally.verified, "unverified": tally.unverified},
            "determination": {"facts": tally.by_facts, "inspector": tally.by_inspector},
            "tests": _tests_json(tally.tests)}


def _tests_json(tests: TestCounts) -> dict[str, int]:
    return {"total": tests.total, **{e: getattr(tests, e) for e in EXPECTATIONS}}


def to_json(report: CoverageReport) -> dict[str, Any]:
    """The report as plain JSON data (`--format json`)."""
    packs = []
    for pack in report.packs:
        articles = []
        for article in pack.articles:
            items = []
            for item in article.items:
                rules = [{"id": r.id, "provenance": {"status": r.provenance, "sources": list(r.sources)},
                          "determination": r.determination, "tests": _tests_json(r.tests)} for r in item.rules]
                items.append({"item": item.label, "clause": item.clause,
                              "status": "missing" if item.missing else "encoded", "note": item.note, "rules": rules})
            articles.append({"section": article.section, "article": article.article, "title": article.title,
                             "items": items})
        packs.append({"pack": pack.id, "family": pack.family, "name": pack.name, "number": pack.number,
                      "effective_from": pack.effective_from.isoformat(),
                      "effective_to": pack.effective_to.isoformat() if pack.effective_to else None,
                      **_tally_json(pack.tally), "articles": articles})
    return {"packs": packs, "totals": {"packs": len(report.packs), **_tally_json(report.totals)}}


def _cell(text: str) -> str:
    """Text from a pack as one Markdown table cell."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def _tests_line(tests: TestCounts) -> str:
    return (f"{tests.total} ({tests.true} true, {tests.false} false, {tests.unknown} unknown, "
            f"{tests.not_concerned} not_concerned)")


def to_markdown(report: CoverageReport) -> str:
    """The report as Markdown: docs/coverage.md."""
    lines = [
        "# Rule-pack coverage",
        "",
        f"Generated by `{MARKDOWN_COMMAND} > docs/coverage.md`; do not edit by hand",
        "(`tests/test_coverage.py` fails when this file is stale). For each edition of a standard,",
        "article by article: the rule encoding each item, whether its wording was checked against the",
        "official text (`provenance`, with its sources), its tests by expected value (true / false /",
        "unknown / not_concerned), and whether the facts decide it or the inspector does",
        "(`determination`). An item whose official text was not found is listed as missing.",
        "",
        "| pack | standard | 文号 | effective | items encoded | wording verified | tests |",
        "|---|---|---|---|---:|---:|---:|",
    ]
    for pack in report.packs:
        t = pack.tally
        lines.append(f"| [{pack.id}](#{pack.id}) | {_cell(pack.name)} | {_cell(pack.number)} | {pack.period} | "
                     f"{t.items_encoded} / {t.items_total} | {t.verified} / {t.rules} | {t.tests.total} |")
    t = report.totals
    lines.append(f"| **total** ({len(report.packs)} pack(s)) | | | | {t.items_encoded} / {t.items_total} | "
                 f"{t.verified} / {t.rules} | {t.tests.total} |")
    lines += ["", f"Tests: {_tests_line(t.tests)}; determination: {t.by_facts} facts, {t.by_inspector} inspector."]
    for pack in report.packs:
        t = pack.tally
        lines += [
            "",
            f'<a id="{pack.id}"></a>',
            "",
            f"## {pack.id}: {_cell(pack.name)}（{_cell(pack.number)}）",
            "",
            f"- effective: {pack.period}",
            f"- items: {t.items_encoded} of {t.items_total} encoded, {t.items_missing} missing",
            f"- rules: {t.rules}; wording {t.verified} verified, {t.unverified} unverified",
            f"- tests: {_tests_line(t.tests)}",
            f"- determination: {t.by_facts} facts, {t.by_inspector} inspector",
        ]
        for article in pack.articles:
            encoded = sum(not i.missing for i in article.items)
            lines += [
                "",
                f"### {pack.id} {article.article}" + (f" {_cell(article.title)}" if article.title else ""),
                "",
                f"{encoded} of {len(article.items)} items encoded.",
                "",
                "| item | rule | wording | tests | true | false | unknown | not_concerned | determination |",
                "|---|---|---|---:|---:|---:|---:|---:|---|",
            ]
            for item in article.items:
                if item.missing:
                    lines.append(f"| {item.label} | **missing** | {_cell(item.note or '')} | | | | | | |")
                for rule in item.rules:
                    n = rule.tests
                    lines.append(f"| {item.label} | {rule.id} | {rule.wording} | {n.total} | {n.true} | {n.false} | "
                                 f"{n.unknown} | {n.not_concerned} | {rule.determination} |")
    return "\n".join(lines) + "\n"
