"""Chinese text → search terms: jieba words in search mode (optionally character bigrams).

Words carry meaning (泄爆, 锁气卸灰); search mode also yields the parts of long words
(有限空间 → 有限, 空间), so a paraphrase still shares terms. Character bigrams measured
slightly worse as a safety net (docs/suggest.md); they stay as an option for comparison.
The jieba tokenizer is an explicit object with its own dictionary, built on first use
(about 0.6 s, cached by jieba on disk); nothing global is changed.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Protocol

_HAN_OR_WORD = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+(?:\.[0-9]+)?")
# Words that occur in nearly every finding or clause and tell nothing apart.
STOPWORDS = frozenset(
    "的 了 和 与 及 或 或者 等 在 对 未 不 无 有 是 为 其 已 被 将 由 于 中 内 上 下 个 一 二 三 "
    "以上 以下 存在 进行 按照 规定 要求 相关 情况 现场 发现 检查 问题 企业 单位 工贸 应当 采用 设置 "
    "设有 采取 措施 情形 判定 重大 事故 隐患 安全 一般 没有 不足 不够 不全 未能 部分 其他 有关".split())


# Terms of the standards jieba's dictionary splits (加臭 → 加 + 臭, and 臭 alone then weighs
# like a rare term).
DOMAIN_WORDS = ("加臭",)


class _Segmenter(Protocol):
    """What is used of a jieba.Tokenizer (jieba ships no type information)."""

    def cut_for_search(self, sentence: str, HMM: bool = True) -> Iterator[str]: ...


class Tokenizer:
    def __init__(self, words: Iterable[str] = DOMAIN_WORDS, bigrams: bool = False, jieba_words: bool = True) -> None:
        self.bigrams = bigrams
        self.jieba_words = jieba_words
        self._extra = tuple(words)
        self._jieba: _Segmenter | None = None
        self._memo: dict[str, tuple[str, ...]] = {}

    def _segmenter(self) -> _Segmenter:
        if self._jieba is None:
            import jieba

            logging.getLogger("jieba").setLevel(logging.WARNING)
            segmenter = jieba.Tokenizer()
            segmenter.initialize()
            for word in self._extra:
                segmenter.add_word(word)
            self._jieba = segmenter
        return self._jieba

    def __call__(self, text: str) -> list[str]:
        """Terms of a text; memoised (bounded), since inspection records repeat their phrasing."""
        terms = self._memo.get(text)
        if terms is None:
            if len(self._memo) >= 8192:
                self._memo.clear()
            terms = self._memo[text] = self._terms(text)
        return list(terms)

    def _terms(self, text: str) -> tuple[str, ...]:
        text = unicodedata.normalize("NFKC", text).lower()
        terms: list[str] = []
        for run in _HAN_OR_WORD.findall(text):
            if not "\u4e00" <= run[0] <= "\u9fff":
                terms.append(run)
                continue
            if self.jieba_words:
                terms.extend(w for w in self._segmenter().cut_for_search(run, HMM=False)
                             if w not in STOPWORDS and (len(w) > 1 or not self.bigrams))
            if self.bigrams:
                terms.extend("#" + run[i:i + 2] for i in range(len(run) - 1))
        return tuple(terms)
