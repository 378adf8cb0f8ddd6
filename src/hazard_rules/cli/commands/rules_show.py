"""`hazard-rules rules show RULE_ID`: one rule, its standard, condition, facts and tests."""

from __future__ import annotations

from pathlib import Path

import click

from ...classifying.load import load_rulesets
from ..options import rules_option


@click.command("show")
@click.argument("rule_id")
@rules_option
def rules_show(rule_id: str, rules_dir: Path | None) -> None:
    """Show one rule: its standard, official text, condition, facts and tests."""
    from ...classifying.catalogue import rule_detail

    ruleset = load_rulesets(rules_dir, tests=True)
    d = rule_detail(ruleset, rule_id)
    lines = [f"{d['rule']}  {d['standard']}（{d['number']}）{d['article']}{d['clause'] or ''}",
             f"text:       {d['text']}",
             f"provenance: {d['provenance']}" + (f" ({', '.join(d['sources'])})" if d["sources"] else ""),
             f"applies to: {', '.join(d['applies_to'])}"]
    if d["scope"]:
        lines.append(f"scope:      {d['scope']}")
    lines.append(f"when:       {d['when']}")
    if d["unless"]:
        lines.append(f"unless:     {d['unless']}")
    if d["determination"] == "inspector":
        lines.append("determination: the inspector's explicit judgement (the clause is not decidable from facts)")
    lines.append("facts:      (context: only says what kind of enterprise or equipment; subject: decides)")
    for fact in d["facts"]:
        unit = f" [{fact['unit']}]" if fact["unit"] else ""
        lines.append(f"  {fact['role']:7}  {fact['fact']}  {fact['label'] or ''}  ({fact['type']}{unit})")
    lines.append("situations: (a finding concerns one when it gives one of its subject facts)")
    for number, situation in enumerate(d["situations"], start=1):
        lines.append(f"  {number}. {situation}")
    if d["notes"]:
        lines.append(f"notes:      {d['notes']}")
    lines.append(f"tests:      {len(ruleset.rule(rule_id)[1].rule.tests)}")
    click.echo("\n".join(lines))
