"""Rank clauses by how much a finding's description resembles them (BM25 over clause text).

Each rule is one document: its official text, its article's title, the names of its
tests (written the way inspectors describe findings), and the labels, descriptions and
enum value labels of the facts it reads. A description *resembles* a
clause when its score reaches the pack's threshold (thresholds.json, calibrated per pack by
benchmarks/calibrate_suggest.py; MIN_SCORE for a pack without one) or quotes the clause;
`coverage` (the share of the description's term weight the clause contains) is reported to
help a reader, not used to decide.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Generic, Protocol, TypeVar

import numpy
from rank_bm25 import BM25Okapi

from ..checking import ir
from ..checking.pack import CheckedPack, CheckedRule
from ..loading.loader import test_names
from .tokens import Tokenizer


class CompiledPack(Protocol):
    """What the matcher reads of a pack (classifying.compiled.CompiledPack has it); the
    matcher comes before classification in the pipeline, so it does not import it."""

    id: str
    rules: list[CheckedRule]
    checked: CheckedPack


# The caller's own pack type, handed back in each Hit.
Pack = TypeVar("Pack", bound=CompiledPack)

# A clause of a pack without a calibrated threshold "resembles" a description when its BM25
# score reaches this: the median of the calibrated ones (docs/suggest.md).
MIN_SCORE = 23.5


@functools.cache
def thresholds() -> dict[str, float]:
    """Each shipped pack's threshold, chosen on its evaluation set (docs/suggest.md)."""
    text = resources.files("hazard_rules").joinpath("matching", "thresholds.json").read_text(encoding="utf-8")
    found: dict[str, float] = json.loads(text)
    return found


@dataclass(frozen=True, slots=True)
class Hit(Generic[Pack]):
    pack: Pack
    index: int
    score: float        # BM25
    coverage: float     # share of the description's term weight found in the clause


def rule_document(pack: CompiledPack, index: int, tests: dict[str, list[str]] | None = None) -> str:
    """tests: the pack's test names by rule id (loader.test_names), if already read."""
    rule = pack.rules[index]
    names = (tests if tests is not None else test_names(pack.checked.source)).get(rule.rule.id, [])
    parts = [rule.rule.text, rule.section.section.title or ""]
    parts += names  # the authors' test names: inspector-style wording
    for fact_id in sorted(ir.facts_read(rule.condition)):
        located = pack.checked.source.facts.get(fact_id)
        if located is None:
            continue
        decl = located.value
        parts += [decl.label or "", decl.description or ""]
        parts += list((decl.values or {}).values())
    return "\n".join(p for p in parts if p)


# Inspectors often state what is in order before the deficiency ("作业票已审批，检测合格，但…").
# Such a part is not the deficiency and must not make the text resemble a clause about it.
_PARTS = re.compile(r"[，,；;。：:（）()、\s]+|但是|但")
# Whole phrases only: 有效 alone is also 有效期 and 有效泄压面积, 在场 also 设置在场所内.
_COMPLIANT = ("已审批", "已建立", "已辨识", "已设置", "已落实", "已配备", "已完成", "已制定", "已下发",
              "已书面告知", "考核合格", "持证上岗", "检测合格", "验收合格", "齐全",
              "人在场", "人员在场", "完好", "运行正常", "正常运行", "持有效")
# A denied excess is compliance too, though it holds a deficiency word (未超定员, 在有效期内).
_WITHIN_LIMITS = ("未超过", "未超出", "未超", "不超过", "在有效期内", "低于核定量")
_DEFICIENT = ("未", "无", "没", "不", "损", "坏", "失", "停", "拆", "过期", "故障", "超", "缺", "堵", "短接", "旁路",
              "屏蔽", "小于", "大于", "低于", "高于", "偏", "仍", "已过")


_SENTENCES = re.compile(r"[。；;！!？?\n]+")
MAX_CHARS = 2000   # a finding's description, not a report: only its start is matched


_UNCOMPARED = re.compile(r"[\s，,。；;：:、（）()“”\"'的]+")


def _comparable(text: str) -> str:
    """Text for a containment test: no spaces, punctuation or 的 (clauses end in ……的)."""
    return _UNCOMPARED.sub("", text)


def deficiency_text(text: str) -> str:
    """The description without its statements of compliance."""
    parts = [p for p in _PARTS.split(text) if p]
    return "，".join(p for p in parts if not _compliant(p))


def _compliant(part: str) -> bool:
    denied = part
    for phrase in _WITHIN_LIMITS:
        denied = denied.replace(phrase, "")
    if denied != part:
        return not any(m in denied for m in _DEFICIENT)
    return any(m in part for m in _COMPLIANT) and not any(m in part for m in _DEFICIENT)


def sentences(text: str) -> list[str]:
    """The deficiency parts of each sentence: a description of several deficiencies is scored
    sentence by sentence, so that its length alone does not make it resemble a clause."""
    found = [deficiency_text(s) for s in _SENTENCES.split(text[:MAX_CHARS])]
    return [s for s in found if s]


class ClauseMatcher(Generic[Pack]):
    def __init__(self, packs: Sequence[Pack], tokenizer: Tokenizer | None = None) -> None:
        self.tokenizer = tokenizer or Tokenizer()
        self.entries = [(pack, index) for pack in packs for index in range(len(pack.rules))]
        names = {id(pack): test_names(pack.checked.source) for pack in packs}
        corpus = [self.tokenizer(rule_document(pack, index, names[id(pack)])) for pack, index in self.entries]
        self.terms = [frozenset(doc) for doc in corpus]
        self.bm25 = BM25Okapi(corpus)
        self.unseen_idf = math.log((len(corpus) + 0.5) / 0.5)
        # Each term's BM25 contribution to every document, computed once from rank-bm25's
        # statistics: scoring a description is then a sum of a few vectors (what
        # BM25Okapi.get_scores computes, without its per-document Python loop).
        bm25, lengths = self.bm25, numpy.array(self.bm25.doc_len, dtype=float)
        norm = bm25.k1 * (1 - bm25.b + bm25.b * lengths / bm25.avgdl)
        self.vectors: dict[str, numpy.ndarray] = {}
        for term, idf in bm25.idf.items():
            freq = numpy.array([doc.get(term, 0) for doc in bm25.doc_freqs], dtype=float)
            self.vectors[term] = idf * freq * (bm25.k1 + 1) / (freq + norm)
        self._zero = numpy.zeros(len(corpus))
        self._wording = {id(pack): [_comparable(rule.rule.text) for rule in pack.rules] for pack in packs}

    def _scores(self, query: list[str]) -> numpy.ndarray:
        total = self._zero
        for term in query:
            vector = self.vectors.get(term)
            if vector is not None:
                total = total + vector
        return total

    def rank(self, text: str, packs: Sequence[Pack] | None = None, *,
             minimum: float = 0.0) -> list[Hit[Pack]]:
        """Every clause of `packs` (default: all) scoring above `minimum`, best first."""
        queries = [q for q in map(self.tokenizer, sentences(text)) if q]
        if not queries:
            return []
        scores = self._scores(queries[0])
        for more in queries[1:]:
            scores = numpy.maximum(scores, self._scores(more))
        query = [t for q in queries for t in q]
        # A term no clause uses weighs as much as the rarest: it is what sets the text apart.
        weights = {t: max(self.bm25.idf.get(t, self.unseen_idf), 0.0) for t in set(query)}
        total = sum(weights.values()) or 1.0
        allowed = None if packs is None else {id(p) for p in packs}
        hits: list[Hit[Pack]] = []
        for position in numpy.flatnonzero(scores > minimum):  # 0: shares no term with the description
            pack, index = self.entries[position]
            if allowed is not None and id(pack) not in allowed:
                continue
            covered = sum(w for t, w in weights.items() if t in self.terms[position]) / total
            hits.append(Hit(pack, index, float(scores[position]), covered))
        hits.sort(key=lambda h: (-h.score, h.pack.id, h.index))
        return hits

    def resembling(self, text: str, packs: Sequence[Pack] | None = None) -> list[Hit[Pack]]:
        """The clauses the description resembles closely enough to withhold `ordinary`: a
        score of the pack's threshold, or the clause's own wording quoted in it (short clauses
        such as "系统报警装置缺失或失效" score low, yet an inspector who quotes one means it)."""
        hits = self.rank(text, packs)
        quoted = _comparable(text)
        known = thresholds()
        return [h for h in hits if h.score >= known.get(h.pack.id, MIN_SCORE)
                or self._wording[id(h.pack)][h.index] in quoted]
