"""The inspector's own label (`claimed`): resolve the cited clauses, then compare.

A clause is cited as the standard writes it (第十一条（三）, 第十一条第（三）项, 第十一条(三)),
as a whole article (第十一条), by rule id (GM2023-11-3), or — for standards without 条 —
by its item (第五项, （五）, 4.2 c)). docs/scopes.md has the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..findings.model import Claim
from .citations import citation_key
from .compiled import CompiledPack
from .verdict import Agreement, ClaimCheck

_CITATION = re.compile(r"(第[一二三四五六七八九十百零〇]+条)"  # article
                       r"(?:第?（([一二三四五六七八九十]+)）项?"  # item written （一） or 第（一）项
                       r"|第([一二三四五六七八九十]+)项)?")  # item written 第一项
_DIGITS = "零一二三四五六七八九"


@dataclass
class Citation:
    text: str
    rules: list[tuple[CompiledPack, int]] = field(default_factory=list)


def chinese_number(number: int) -> str:
    """12 → 十二, 20 → 二十 (article and item numbers as the standards write them, 1–99)."""
    tens, ones = divmod(number, 10)
    return (("" if tens == 1 else _DIGITS[tens]) + "十" if tens else "") + (_DIGITS[ones] if ones else "")


def normalise(text: str) -> str:
    """第12条(2) → 第十二条（二）: full-width brackets, Chinese numerals, no title or spaces."""
    text = re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")
    text = re.sub(r"^《[^》]*》", "", text)
    return re.sub(r"[0-9]{1,2}", lambda m: chinese_number(int(m.group())) if int(m.group()) else m.group(), text)


def resolve(claim: Claim, packs: list[CompiledPack]) -> list[Citation]:
    """Each cited clause with the rules (of the editions applied) it names; none if not found."""
    citations = []
    for text in claim.clauses:
        citation = Citation(text)
        wanted = normalise(text)
        match = _CITATION.fullmatch(wanted)
        item = match and (match.group(2) or match.group(3))
        for pack in packs:
            found = pack.citable.get(text.strip().lower(), [])
            if match and not found:
                found = pack.citable.get((match.group(1), f"（{item}）" if item else None), [])
            if not found:
                found = pack.citable.get(("key", citation_key(text)), [])
            citation.rules.extend((pack, index) for index in found)
        citations.append(citation)
    return citations


Key = tuple[str, str]  # (pack id, rule id): rule ids are unique within a pack only


def judge_claim(claim: Claim, verdict_kind: str, citations: list[Citation],
                values: dict[Key, str], applicable: set[Key], missing: dict[Key, list[str]],
                standards: str) -> ClaimCheck:
    """values: true/false/unknown of every rule considered; applicable: the rules whose
    article the finding's industries bring in; missing: the facts that would decide an open rule."""
    notes: list[str] = []
    contradicts = unsupported = False
    for citation in citations:
        if not citation.rules and not standards:
            unsupported = True
            notes.append(f"{citation.text} cannot be checked: no standard was applied to the finding (see reasons)")
            continue
        if not citation.rules:
            contradicts = True
            notes.append(f"{citation.text} is not a clause of {standards}")
            continue
        ids = [(pack.id, pack.rules[i].rule.id) for pack, i in citation.rules]
        outside = [i for i in ids if i not in applicable]
        if outside and len(outside) == len(ids):
            pack, index = citation.rules[0]
            codes = ", ".join(pack.rules[index].section.applies_to)
            contradicts = True
            notes.append(f"{citation.text} applies to {codes}, which the finding's industries do not bring in")
            continue
        found = [values.get(i, "false") for i in ids if i in applicable]
        if "true" in found:
            continue
        if "unknown" in found:
            unsupported = True
            open_ids = [i for i in ids if values.get(i) == "unknown"]
            facts = sorted({f for i in open_ids for f in missing.get(i, [])})
            notes.append(f"{citation.text} is open: record {', '.join(facts)}")
        else:
            contradicts = True
            notes.append(f"the facts decide {citation.text} false")
    if claim.level == "major" and verdict_kind == "ordinary":
        contradicts = True
        notes.append("claimed major, but every rule considered was decided false")
    elif claim.level == "major" and verdict_kind == "undetermined" and not citations:
        unsupported = True
        notes.append("claimed major, but no rule is decided true yet")
    elif claim.level == "ordinary" and verdict_kind == "major":
        contradicts = True
        true_items = ", ".join(i for (_, i), v in values.items() if v == "true")
        notes.append(f"claimed ordinary, but the facts make {true_items} true")
    elif claim.level == "ordinary" and verdict_kind == "undetermined":
        unsupported = True
        notes.append("claimed ordinary, but the finding is not decided yet")
    agreement: Agreement = "contradicts" if contradicts else "unsupported" if unsupported else "confirms"
    rules = [pack.rules[i].rule.id for c in citations for pack, i in c.rules]
    return ClaimCheck(level=claim.level, clauses=list(claim.clauses), agreement=agreement, rules=rules, notes=notes)
