"""A cited clause reduced to its numbers, so that every way of writing it finds the rule."""

from __future__ import annotations

import re

_NUMERAL = re.compile(r"[一二三四五六七八九十百零〇]+")
_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
_TITLE = re.compile(r"\s+|^《[^》]*》|判定标准")
_ITEM_WORDS = re.compile(r"第(?=[（(]?\d)|(?<=[\d）)])项")
_TOKEN = re.compile(r"\d+|[a-z]+|[\u4e00-\u9fff]+")


def _chinese_to_int(numeral: str) -> int:
    """二十 → 20, 十一 → 11, 一百零五 → 105."""
    total, current = 0, 0
    for char in numeral:
        if char in "十百":
            total += (current or 1) * (10 if char == "十" else 100)
            current = 0
        else:
            current = _DIGIT[char]
    return total + current


def citation_key(text: str) -> str:
    """How a clause is cited, reduced to its numbers and words: 判定标准第（五）项, 第五项, (5) → "5";
    4.2 c), 4.2(c) → "4.2.c"; 地下矿山（一）2 → "地下矿山.1.2" (not （十二）, "12"). For standards that
    number their items without articles (化工, 烟花爆竹, 民爆), by section (GB 45067) or by part
    and sub-item (金属非金属矿山), where 第X条（Y） does not apply."""
    text = _TITLE.sub("", text.strip().lower())
    text = _NUMERAL.sub(lambda m: str(_chinese_to_int(m.group())), text)
    return ".".join(_TOKEN.findall(_ITEM_WORDS.sub("", text)))


_SUB_ITEM = re.compile(r"([（(][^）)]+[）)])\s*\S.*", re.S)


def item_of(clause: str | None) -> str | None:
    """The item a clause belongs to: （三） for the sub-items （三）1, （三）2 (金属非金属矿山, 煤矿 2026
    print them so); any other clause is an item of its own."""
    if clause is None:
        return None
    match = _SUB_ITEM.fullmatch(clause.strip())
    return match.group(1) if match else clause
