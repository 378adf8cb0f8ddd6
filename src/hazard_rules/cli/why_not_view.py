"""`hazard-rules explain FILE --id ID --why-not RULE`: what would make a rule fire on a finding."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from ..authoring.why_not import Change, WhyNot, why_not
from ..classifying.compiled import CompiledPack
from ..classifying.ruleset import Ruleset
from ..errors import UsageError
from ..findings.coerce import to_json_value
from ..pipeline import classify_file

STATUS = {
    "already_true": "it already fires",
    "found": "it would fire with",
    "impossible": "impossible",
    "not_found": "no way found",
}


def why_not_finding(ruleset: Ruleset, file: Path, finding_id: str, rule_id: str, fmt: str,
                    encoding: str | None, as_of: dt.date | None, max_changes: int = 3) -> int:
    pack, rule = ruleset.rule(rule_id)
    for outcome in classify_file(ruleset, str(file), encoding=encoding, as_of=as_of):
        if outcome.error is not None and outcome.finding_id == finding_id:
            raise outcome.error
        if outcome.verdict is None or outcome.finding is None or outcome.finding.id != finding_id:
            continue
        finding, day = outcome.finding, outcome.verdict.as_of
        asked: set[str] = set()
        facts, _ = ruleset.coerce_facts(finding.facts, asked=asked)
        answer = why_not(ruleset, pack, rule, facts, day, finding.industries, frozenset(asked),
                         max_changes=max_changes)
        head = {"finding": finding.id, "as_of": day.isoformat(), "rule": rule.rule.id,
                "standard": pack.standard.name, "number": pack.standard.number,
                "article": rule.section.section.article, "clause": rule.rule.clause, "text": rule.rule.text}
        if fmt == "json":
            click.echo(json.dumps({**head, **_json(answer, pack)}, ensure_ascii=False, indent=2))
        else:
            click.echo(f"{finding.id}  {finding.date}  {finding.description or ''}".rstrip())
            click.echo(f"why not {rule.rule.id} {rule.section.section.article}{rule.rule.clause or ''} "
                       f"{rule.rule.text}")
            for line in _text(answer, pack):
                click.echo(line)
        return 0
    raise UsageError(f"no finding with id {finding_id!r} in {file}")


def _label(pack: CompiledPack, name: str) -> str:
    located = pack.checked.source.facts.get(name)
    return (located.value.label or "") if located is not None else ""


def _unit(pack: CompiledPack, name: str) -> str:
    located = pack.checked.source.facts.get(name)
    return f" {located.value.unit}" if located is not None and located.value.unit else ""


def _shown(pack: CompiledPack, name: str, value: Any) -> str:
    """A value as an inspector reads it: enum values with their Chinese labels."""
    fact_type = pack.checked.facts.get(name)
    labels = dict(zip(fact_type.values, fact_type.labels)) if fact_type is not None else {}
    if isinstance(value, frozenset):
        return "{" + ", ".join(labels.get(v, v) for v in sorted(value)) + "}"
    if isinstance(value, str) and value in labels:
        return f"{labels[value]} ({value})"
    return json.dumps(to_json_value(value), ensure_ascii=False)


def _change_text(pack: CompiledPack, change: Change) -> str:
    who = f"{change.fact} {_label(pack, change.fact)}".rstrip()
    if change.constraint is not None:
        target = f"{change.constraint} ({_shown(pack, change.fact, change.after)}){_unit(pack, change.fact)}"
    else:
        target = _shown(pack, change.fact, change.after)
        fact_type = pack.checked.facts.get(change.fact)
        domain = fact_type.values if fact_type is not None and fact_type.kind == "enum" else ()
        left_out = [v for v in domain if v != change.after and v not in change.also]
        if len(change.also) >= 2 and left_out:   # most values work: say which do not
            target = (f"any value but {', '.join(_shown(pack, change.fact, v) for v in left_out)}, "
                      f"e.g. {target}")
        elif change.also:
            target += " (or " + ", ".join(_shown(pack, change.fact, v) for v in change.also) + ")"
    if change.kind == "change":
        return f"change {who}: {_shown(pack, change.fact, change.before)} → {target}"
    note = ", recorded as unknown" if change.asked else ", not recorded"
    return f"add    {who}{' (context)' if change.context else ''}: {target}{note}"


def _text(answer: WhyNot, pack: CompiledPack) -> list[str]:
    now = {True: "true", False: "false", None: "unknown"}[answer.value]
    lines = [f"  now: {now}" if answer.applies else f"  now: not applied (its condition alone would be {now})"]
    if answer.status == "already_true":
        return [*lines, "  it already fires: nothing needs to change"]
    if answer.status == "found":
        size = len(answer.ways[0].changes)
        hidden = answer.ways_found - len(answer.ways)
        more = f", {hidden} more not shown" if hidden else ""
        lines.append(f"  it would fire with {size} change(s) — {answer.ways_found} way(s){more}, "
                     "facts not recorded first:")
        for number, way in enumerate(answer.ways, start=1):
            for position, change in enumerate(way.changes):
                prefix = f"    {number}. " if position == 0 else "       "
                lines.append(prefix + _change_text(pack, change))
    else:
        lines.append(f"  {STATUS[answer.status]}: " + "; ".join(answer.reasons))
        if answer.status == "not_found" and not answer.bound_hit and answer.max_changes < len(answer.searched):
            lines.append("  hint: --max-changes N tries more facts at once")
    if answer.blocked_by:
        lines.append("  blocking precondition: " + ", ".join(
            f"{name} {_label(pack, name)} = {_shown(pack, name, value)}" for name, value in answer.blocked_by.items()))
    kept = {k: v for k, v in answer.fixed.items() if k not in answer.blocked_by}
    if kept:
        lines.append("  kept as recorded (context): " + ", ".join(
            f"{name} {_label(pack, name)} = {_shown(pack, name, value)}" for name, value in kept.items()))
    for name, why in answer.not_varied.items():
        lines.append(f"  not varied: {name} {_label(pack, name)} ({why})")
    if answer.searched:
        lines.append(f"  searched {len(answer.searched)} fact(s), up to {answer.max_changes} change(s): "
                     f"{answer.evaluations:,} evaluation(s)" + (" — the bound was hit" if answer.bound_hit else ""))
    return lines


def _json(answer: WhyNot, pack: CompiledPack) -> dict[str, Any]:
    def change(c: Change) -> dict[str, Any]:
        return {"fact": c.fact, "label": _label(pack, c.fact), "kind": c.kind, "context": c.context,
                "asked": c.asked, "from": to_json_value(c.before), "to": to_json_value(c.after),
                "constraint": c.constraint, "also": [to_json_value(v) for v in c.also]}

    return {"status": answer.status, "value": answer.value,
            "changes": len(answer.ways[0].changes) if answer.ways else None,
            "ways": [[change(c) for c in way.changes] for way in answer.ways], "ways_found": answer.ways_found,
            "reasons": answer.reasons, "blocked_by": {k: to_json_value(v) for k, v in answer.blocked_by.items()},
            "fixed": {k: to_json_value(v) for k, v in answer.fixed.items()},
            "searched": list(answer.searched), "not_varied": answer.not_varied,
            "bound": {"max_changes": answer.max_changes, "evaluations": answer.evaluations,
                      "hit": answer.bound_hit}}
