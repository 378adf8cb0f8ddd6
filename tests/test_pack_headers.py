"""Every shipped pack's header agrees with the rest of the system: the departments it names
are the ones the ledger routes its industry codes to, its codes sit under its industries,
and each family's editions follow one another without a gap or an overlap."""

from __future__ import annotations

import datetime as dt

import pytest

from hazard_rules import load_rulesets
from hazard_rules.classifying.compiled import industry_matches
from hazard_rules.workflow.policy.routing import default_departments

RULESET = load_rulesets()


@pytest.mark.parametrize("pack", RULESET.packs, ids=lambda p: p.id)
def test_departments_match_the_routing_table(pack) -> None:
    table = default_departments()
    scope = pack.checked.source.manifest.scope
    for code in [*scope.industries, *scope.codes]:
        found = table.lookup(code)
        assert found is not None, f"{pack.id}: no route for industry {code!r} in departments.yaml"
        if code in scope.industries:
            assert sorted(found[1].departments) == sorted(scope.departments), (pack.id, code)


@pytest.mark.parametrize("pack", RULESET.packs, ids=lambda p: p.id)
def test_codes_and_exclusions_sit_under_the_pack_industries(pack) -> None:
    scope = pack.checked.source.manifest.scope
    for code in [*scope.codes, *(c for o in scope.outside for c in o.industries)]:
        assert industry_matches(code, scope.industries), (pack.id, code)
    for outside in scope.outside:
        assert not set(outside.industries) & set(scope.codes), (pack.id, outside.industries)


@pytest.mark.parametrize("family", sorted(RULESET.families))
def test_editions_of_a_family_follow_one_another(family: str) -> None:
    editions = [p.standard for p in RULESET.families[family]]
    for earlier, later in zip(editions, editions[1:]):
        assert earlier.effective_to is not None, (family, earlier.number)
        assert earlier.effective_to + dt.timedelta(days=1) == later.effective_from, (family, earlier.number)
        assert later.supersedes is not None and later.supersedes.number == earlier.number, family


@pytest.mark.parametrize("pack", RULESET.packs, ids=lambda p: p.id)
def test_the_generated_code_of_every_pack_compiles(pack) -> None:
    """A load no longer compiles the generated code (it is compiled when a finding needs it):
    every section of every shipped pack, and all of them together, compile here instead."""
    industries = tuple(pack.checked.source.manifest.scope.industries)
    plan, source = pack.compile_for(industries)
    assert callable(plan) and source.count("r.append(") >= len(pack.applicable(industries))
    for section in pack.sections:
        pack.compile_for(section.applies_to or industries)
