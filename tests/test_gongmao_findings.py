"""工贸 inspection findings recorded as inspectors record them (tests/data/gongmao_findings.yaml),
each with the verdict the law gives under 应急管理部令第10号 and docs/scopes.md."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from hazard_rules import load_rulesets

DATA = Path(__file__).resolve().parent / "data" / "gongmao_findings.yaml"
ENTRIES: list[dict[str, Any]] = yaml.safe_load(DATA.read_text(encoding="utf-8"))["findings"]
ARTICLES = ["第三条", "第四条", "第五条", "第六条", "第七条", "第八条", "第九条", "第十条", "第十一条", "第十二条", "第十三条"]


@pytest.fixture(scope="module")
def ruleset():
    return load_rulesets()


def _param(entry: dict[str, Any]):
    marks = [pytest.mark.xfail(reason=entry["xfail"], strict=True)] if entry.get("xfail") else []
    return pytest.param(entry, id=entry["record"]["id"], marks=marks)


def _articles(entry: dict[str, Any]) -> list[str]:
    article = entry.get("article") or []
    return [article] if isinstance(article, str) else list(article)


@pytest.mark.parametrize("entry", [_param(e) for e in ENTRIES])
def test_finding(ruleset, entry: dict[str, Any]) -> None:
    expect = entry["expect"]
    verdict = ruleset.classify(entry["record"])        # the record's own `scope` wins over the default
    assert verdict.scope == entry["record"].get("scope", "finding")
    summary = (f"{verdict.verdict}; matches {[m.rule for m in verdict.matches]}; "
               f"open { {o.rule: o.missing for o in verdict.undetermined} }; "
               f"concerned { {c.rule: c.value for c in verdict.concerned} }; reasons {verdict.reasons}; "
               f"claim {verdict.claim.agreement if verdict.claim else None} "
               f"{verdict.claim.notes if verdict.claim else ''}")
    assert verdict.verdict == expect["verdict"], summary
    assert sorted(m.rule for m in verdict.matches) == sorted(expect["matches"]), summary
    assert {o.rule: o.missing for o in verdict.undetermined} == expect["open"], summary
    if "concerned" in expect:
        assert sorted(c.rule for c in verdict.concerned) == sorted(expect["concerned"]), summary
    if "claim" in expect:
        assert verdict.claim is not None, summary
        assert verdict.claim.agreement == expect["claim"], summary
    else:
        assert "claimed" in entry["record"] or verdict.claim is None
    if "provisions" in expect:
        cited = sorted({p.id for m in verdict.matches for p in m.provisions})
        assert cited == sorted(expect["provisions"]), summary
    for text in expect.get("reasons", []):
        assert any(text in reason for reason in verdict.reasons), summary


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
    assert 2 <= sum(e["record"].get("scope") == "enterprise" for e in ENTRIES) <= 3
    assert any(not e["record"].get("facts") for e in ENTRIES if e["category"] == "ordinary")
    for entry in ENTRIES:
        record = entry["record"]
        assert "2023-05-15" <= record["date"] <= "2026-11-30", record["id"]
        assert entry["why"].strip(), record["id"]
