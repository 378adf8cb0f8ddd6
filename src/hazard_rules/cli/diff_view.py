"""`rules diff` as text: a summary, then rules removed, added and changed (conditions side by
side), facts, and the findings whose verdict changes with both explanations."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..authoring.diff import RulesDiff, RuleSide, Side, changed_parts, summary
from .output import make_console


def print_diff(diff: RulesDiff, console: Console | None = None, limit: int | None = None) -> None:
    console = console or make_console()
    out = console.print
    pairs = ", ".join(f"{a or '—'} → {b or '—'}" for a, b in diff.packs)
    out(Text(f"rules diff {diff.old_label} → {diff.new_label}", style="bold"))
    how = "rule id" if diff.matched_by == "rule id" else "article+clause, or text where renumbered"
    out(Text(f"packs: {pairs}; rules paired by {how}"))
    numbers = summary(diff)
    out(Text(f"rules: {numbers['rules_added']} added, {numbers['rules_removed']} removed, "
             f"{numbers['rules_changed']} changed; facts: {numbers['facts_added']} added, "
             f"{numbers['facts_removed']} removed, {numbers['facts_changed']} changed; "
             f"findings: {numbers['verdicts_changed']} of {numbers['findings_judged']} change verdict"
             + (f" ({numbers['verdicts_changed_by_vocabulary']} give facts only one side reads)"
                if numbers["verdicts_changed_by_vocabulary"] else "")))
    if diff.removed:
        out(Text("\nremoved", style="bold red"))
        for rule in diff.removed:
            _rule(console, "-", rule)
    if diff.added:
        out(Text("\nadded", style="bold green"))
        for rule in diff.added:
            _rule(console, "+", rule)
    if diff.changed:
        out(Text("\nchanged", style="bold yellow"))
        for change in diff.changed:
            ids = change.old.id if change.old.id == change.new.id else f"{change.old.id} → {change.new.id}"
            cited = change.new.cited if change.old.cited == change.new.cited else (
                f"{change.old.cited} → {change.new.cited}")
            paired = "" if change.paired == "rule id" else f"; paired by {change.paired}"
            out(Text(f"~ {ids}  {cited}  ({', '.join(change.parts)}{paired})"))
            table = Table(show_header=True, box=None, padding=(0, 1), expand=False)
            table.add_column("", style="dim", no_wrap=True)
            table.add_column("old", overflow="fold", ratio=1)
            table.add_column("new", overflow="fold", ratio=1)
            for part, before, after in changed_parts(change):
                table.add_row(part, Text(before or "—"), Text(after or "—"))
            out(table)
    if diff.facts:
        out(Text("\nfacts", style="bold"))
        for fact in diff.facts:
            sign = "+" if fact.old is None else "-" if fact.new is None else "~"
            described = fact.new if fact.old is None else fact.old if fact.new is None else f"{fact.old} → {fact.new}"
            out(Text(f"{sign} {fact.id}: {described}"))
    if diff.verdicts:
        out(Text("\nfindings whose verdict changes", style="bold"))
        # same facts judged differently first; then findings one side's rules cannot read
        shown = sorted(diff.verdicts, key=lambda v: bool(v.unread_by_old or v.unread_by_new))
        for verdict in shown[:limit]:
            out(Text(f"• {verdict.finding}  {verdict.origin}"))
            _line(console, 2, f"facts: {_compact(verdict.facts)}", style="dim")
            for side, unread in (("old", verdict.unread_by_old), ("new", verdict.unread_by_new)):
                if unread:
                    _line(console, 2, f"not read by the {side} rules: {', '.join(unread)}")
            _side(console, "old", verdict.old)
            _side(console, "new", verdict.new)
        if limit is not None and len(diff.verdicts) > limit:
            out(Text(f"… and {len(diff.verdicts) - limit} more (--limit N, or --format json for all)"))


def _rule(console: Console, sign: str, rule: RuleSide) -> None:
    console.print(Text(f"{sign} {rule.id}  {rule.cited}  {rule.text}"))
    _line(console, 4, f"when:   {rule.when}")
    if rule.unless:
        _line(console, 4, f"unless: {rule.unless}")


def _side(console: Console, name: str, side: Side) -> None:
    console.print(Text(f"  {name}: {side.verdict} (as of {side.as_of.isoformat()})"))
    for match in side.matches:
        _line(console, 7, f"matches {match['rule']} {match['cited']} because {_compact(match['because'])}")
    for open_rule in side.undetermined:
        _line(console, 7, f"open {open_rule['rule']} {open_rule['cited']}, missing {', '.join(open_rule['missing'])}")
    for reason in side.reasons:
        _line(console, 7, reason)


def _line(console: Console, indent: int, text: str, style: str = "") -> None:
    """A line whose continuation lines keep its indent when it wraps."""
    console.print(Padding(Text(text, style=style), (0, 0, 0, indent), expand=False))


def _compact(values: dict[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, default=str, sort_keys=True)
