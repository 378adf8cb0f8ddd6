"""The rules of a ruleset as data: the list (`rules list`) and one rule's particulars
(`rules show`, the HTTP service's /rules)."""

from __future__ import annotations

from typing import Any

from ..checking import ir
from ..checking.ir_text import print_ir
from .ruleset import Ruleset


def rule_rows(ruleset: Ruleset) -> list[dict[str, Any]]:
    """Every rule of every pack: pack, rule, article, clause, provenance, text."""
    return [{"pack": p.id, "rule": r.rule.id, "article": r.section.section.article, "clause": r.rule.clause,
             "provenance": r.rule.provenance.status, "text": r.rule.text} for p in ruleset.packs for r in p.rules]


def rule_detail(ruleset: Ruleset, rule_id: str) -> dict[str, Any]:
    """One rule: its standard, official text, condition, the facts it reads and its
    situations (an unknown id raises the ruleset's error)."""
    pack, rule = ruleset.rule(rule_id)
    r, s = rule.rule, pack.standard
    facts = []
    for fact_id in sorted(ir.facts_read(rule.condition)):
        decl = pack.checked.source.facts[fact_id].value
        facts.append({"fact": fact_id, "label": decl.label, "type": str(pack.checked.facts[fact_id]),
                      "unit": decl.unit, "role": "context" if fact_id in pack.context else "subject"})
    index = pack.rules.index(rule)
    return {"rule": r.id, "pack": pack.id, "standard": s.name, "number": s.number,
            "article": rule.section.section.article, "clause": r.clause, "text": r.text,
            "provenance": r.provenance.status, "sources": list(r.provenance.sources),
            "applies_to": list(rule.section.applies_to), "scope": rule.section.section.when or None,
            "when": " ".join(r.when.split()), "unless": " ".join(r.unless.split()) if r.unless else None,
            "determination": r.determination, "facts": facts,
            "situations": [print_ir(situation.condition) for situation in pack.situations[index]],
            "notes": " ".join(r.notes.split()) if r.notes else None}
