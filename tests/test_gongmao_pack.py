"""The 工贸 pack (应急管理部令第10号): every clause encoded, every rule's own tests pass
(each through both the generated code and the three-valued closures), coverage complete."""

from __future__ import annotations

import pytest

from hazard_rules import load_rulesets
from hazard_rules.authoring.testing import run_pack_tests

RULESET = load_rulesets(tests=True)
RESULTS, COVERAGE = run_pack_tests(RULESET)

# Items per article in the official text (3 管理类 + 47 行业类 + 14 专项类 = 64).
ITEMS_PER_ARTICLE = {3: 3, 4: 8, 5: 13, 6: 8, 7: 7, 8: 7, 9: 2, 10: 2, 11: 10, 12: 2, 13: 2}


def test_every_clause_of_the_standard_is_a_rule() -> None:
    pack = next(p for p in RULESET.packs if p.id == "gongmao-2023")
    ids = [rule.rule.id for rule in pack.rules]
    expected = [f"GM2023-{article}-{item}" for article, count in ITEMS_PER_ARTICLE.items()
                for item in range(1, count + 1)]
    assert sorted(ids) == sorted(expected)
    assert all(rule.rule.provenance.status == "verified" for rule in pack.rules)


def test_article_14_and_article_2_are_encoded() -> None:
    pack = next(p for p in RULESET.packs if p.id == "gongmao-2023")
    assert [p.article for p in pack.checked.provisions] == ["第十四条"]
    delegated = {code for d in pack.checked.source.manifest.scope.delegations for code in d.industries}
    assert delegated == {"hazchem", "fire", "gas", "special_equipment"}


@pytest.mark.parametrize("result", RESULTS, ids=[f"{r.rule}:{r.name}" for r in RESULTS])
def test_pack_rule_test(result) -> None:
    assert result.error is None, f"{result.origin}: {result.error}"
    assert result.actual == result.expected, f"{result.origin}: expected {result.expected}, got {result.actual}"


@pytest.mark.parametrize("cover", COVERAGE, ids=[c.rule for c in COVERAGE])
def test_rule_coverage(cover) -> None:
    assert cover.gaps == []
    assert cover.outcomes == {"true", "false", "unknown"}
