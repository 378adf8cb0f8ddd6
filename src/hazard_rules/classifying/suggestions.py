"""The clauses a deficiency description resembles, with the facts to record for each
(`hazard-rules suggest` and the HTTP service's /suggest)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .ruleset import Ruleset


def suggestions(ruleset: Ruleset, text: str, day: dt.date | None, top: int) -> list[dict[str, Any]]:
    packs = [p for p in ruleset.packs if day is None or p.in_force(day)]
    rows = []
    resembling = {(h.pack.id, h.index) for h in ruleset.matcher.resembling(text, packs)}
    for hit in ruleset.matcher.rank(text, packs)[:top]:
        pack, rule = hit.pack, hit.pack.rules[hit.index]
        facts = []
        for fact_id in sorted(pack.subject[hit.index]) + sorted(set(pack.reads[hit.index]) - pack.subject[hit.index]):
            decl = pack.checked.source.facts[fact_id].value
            facts.append({"fact": fact_id, "label": decl.label, "type": str(pack.checked.facts[fact_id]),
                          "context": fact_id in pack.context})
        rows.append({"rule": rule.rule.id, "standard": pack.standard.name, "article": rule.section.section.article,
                     "clause": rule.rule.clause, "text": rule.rule.text, "score": round(hit.score, 3),
                     "coverage": round(hit.coverage, 3),
                     "resembles": (pack.id, hit.index) in resembling,
                     "industries": list(rule.section.applies_to), "facts": facts})
    return rows
