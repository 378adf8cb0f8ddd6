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
    from ...checking import ir
    from ...checking.ir_text import print_ir

    ruleset = load_rulesets(rules_dir, tests=True)
    pack, rule = ruleset.rule(rule_id)
    r, s = rule.rule, pack.standard
    lines = [f"{r.id}  {s.name}（{s.number}）{rule.section.section.article}{r.clause or ''}",
             f"text:       {r.text}",
             f"provenance: {r.provenance.status}"
             + (f" ({', '.join(r.provenance.sources)})" if r.provenance.sources else ""),
             f"applies to: {', '.join(rule.section.applies_to)}"]
    if rule.section.section.when:
        lines.append(f"scope:      {rule.section.section.when}")
    lines.append(f"when:       {' '.join(r.when.split())}")
    if r.unless:
        lines.append(f"unless:     {' '.join(r.unless.split())}")
    if r.determination == "inspector":
        lines.append("determination: the inspector's explicit judgement (the clause is not decidable from facts)")
    lines.append("facts:      (context: only says what kind of enterprise or equipment; subject: decides)")
    for fact_id in sorted(ir.facts_read(rule.condition)):
        decl = pack.checked.source.facts[fact_id].value
        unit = f" [{decl.unit}]" if decl.unit else ""
        role = "context" if fact_id in pack.context else "subject"
        lines.append(f"  {role:7}  {fact_id}  {decl.label or ''}  ({pack.checked.facts[fact_id]}{unit})")
    index = pack.rules.index(rule)
    lines.append("situations: (a finding concerns one when it gives one of its subject facts)")
    for number, situation in enumerate(pack.situations[index], start=1):
        lines.append(f"  {number}. {print_ir(situation.condition)}")
    if r.notes:
        lines.append(f"notes:      {' '.join(r.notes.split())}")
    lines.append(f"tests:      {len(r.tests)}")
    click.echo("\n".join(lines))
