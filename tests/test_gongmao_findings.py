"""The 工贸 findings (rulesets/gongmao-2023/findings.tests.yaml) cover every article and kind of case;
tests/test_pack_examples.py checks each verdict."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from .pack_findings import read_entries

DATA = Path(__file__).resolve().parents[1] / "rulesets" / "gongmao-2023" / "findings.tests.yaml"
ENTRIES: list[dict[str, Any]] = read_entries(DATA)
ARTICLES = ["第三条", "第四条", "第五条", "第六条", "第七条", "第八条", "第九条", "第十条",
            "第十一条", "第十二条", "第十三条"]


def _articles(entry: dict[str, Any]) -> list[str]:
    article = entry.get("article") or []
    return [article] if isinstance(article, str) else list(article)


def test_the_file_covers_every_article_and_kind_of_case() -> None:
    assert len(ENTRIES) >= 60
    ids = [e["record"]["id"] for e in ENTRIES]
    assert len(ids) == len(set(ids)), "finding ids must be unique"
    per_article = Counter(a for e in ENTRIES for a in _articles(e))
    for article in ARTICLES:
        assert per_article[article] >= 3, (article, per_article[article])
    kinds = Counter(e["category"] for e in ENTRIES)
    assert kinds["major"] >= 20 and kinds["threshold"] >= 8 and kinds["precondition"] >= 8
    assert kinds["ordinary"] >= 12 and kinds["missing"] >= 10
    assert sum("claimed" in e["record"] for e in ENTRIES) >= 8
    assert {e["expect"].get("claim") for e in ENTRIES} >= {"confirms", "contradicts", "unsupported"}
    assert 2 <= sum(e.get("scope") == "enterprise" for e in ENTRIES) <= 3
    assert any(not e["record"].get("facts") for e in ENTRIES if e["category"] == "ordinary")
    for entry in ENTRIES:
        record = entry["record"]
        assert "2023-05-15" <= record["date"] <= "2026-11-30", record["id"]
        assert entry["why"].strip(), record["id"]
