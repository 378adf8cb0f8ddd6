"""Finding-scoped verdicts (docs/scopes.md): properties over the shipped 工贸 pack.

- a rule is exactly the Kleene `or` of its situations;
- `finding` scope never says ordinary where `enterprise` scope says major;
- adding facts a concerned rule reads never turns major into ordinary;
- a finding with no facts whose description is a clause's own text is never ordinary.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hazard_rules import PackErrors, load_rulesets
from hazard_rules.checking.types import Type
from hazard_rules.compiling.kleene import compile_kleene

DAY = dt.date(2024, 6, 1)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def shipped():
    return load_rulesets()


def value_of(fact_type: Type) -> st.SearchStrategy[Any]:
    if fact_type.kind == "bool":
        return st.booleans()
    if fact_type.kind == "enum":
        return st.sampled_from(fact_type.values)
    if fact_type.kind == "set":
        return st.frozensets(st.sampled_from(fact_type.values), max_size=3).map(sorted)
    if fact_type.kind == "num":  # within a declared range: a record outside it is refused (E401)
        least, greatest = fact_type.bounds or (0, 40)
        return st.integers(math.ceil(least), math.floor(greatest))
    if fact_type.kind == "date":
        return st.dates(dt.date(2015, 1, 1), dt.date(2028, 12, 31)).map(dt.date.isoformat)
    if fact_type.kind == "str":
        return st.sampled_from(["a", "b"])
    if fact_type.kind == "list":
        return st.lists(st.fixed_dictionaries({name: value_of(t) for name, t in fact_type.fields}), max_size=2)
    raise AssertionError(fact_type)


def in_force(draw, pack) -> dt.date:
    """A day the pack's edition is in force."""
    standard = pack.standard
    last = standard.effective_to or standard.effective_from + dt.timedelta(days=730)
    return standard.effective_from + dt.timedelta(days=draw(st.integers(0, (last - standard.effective_from).days)))


def codes_of(pack) -> list[str]:
    scope = pack.checked.source.manifest.scope
    return sorted(scope.codes) or sorted(scope.industries)


@st.composite
def findings(draw, ruleset) -> dict[str, Any]:
    pack = draw(st.sampled_from(ruleset.packs))
    industries = draw(st.lists(st.sampled_from(codes_of(pack)), min_size=1, max_size=3, unique=True))
    reads = sorted({f for i in pack.applicable(tuple(industries)) for f in pack.reads[i]})
    chosen = draw(st.lists(st.sampled_from(reads), max_size=6, unique=True)) if reads else []
    facts = {name: draw(value_of(ruleset.facts[name])) for name in chosen}
    return {"id": "P", "date": in_force(draw, pack).isoformat(), "industries": industries, "facts": facts}


@given(data=st.data())
@PROPERTY
def test_a_rule_is_the_or_of_its_situations(shipped, data) -> None:
    pack = data.draw(st.sampled_from(shipped.packs))
    index = data.draw(st.integers(0, len(pack.rules) - 1))
    names = sorted(pack.reads[index])
    facts = {n: data.draw(value_of(shipped.facts[n])) for n in data.draw(st.lists(st.sampled_from(names), unique=True))}
    facts, _ = shipped.coerce_facts(facts)
    whole = compile_kleene(pack.rules[index].condition)(facts, DAY, {})
    parts = [compile_kleene(s.condition)(facts, DAY, {}) for s in pack.situations[index]]
    either = True if any(p is True for p in parts) else None if any(p is None for p in parts) else False
    assert whole == either


@given(data=st.data())
@PROPERTY
def test_finding_scope_never_says_ordinary_where_enterprise_says_major(shipped, data) -> None:
    record = data.draw(findings(shipped))
    enterprise = shipped.classify(record, scope="enterprise")
    finding = shipped.classify(record, scope="finding")
    if enterprise.verdict == "major":
        assert finding.verdict == "major"
        assert {m.rule for m in finding.matches} == {m.rule for m in enterprise.matches}


@given(data=st.data())
@PROPERTY
def test_adding_facts_a_concerned_rule_reads_never_turns_major_into_ordinary(shipped, data) -> None:
    record = data.draw(findings(shipped))
    before = shipped.classify(record)
    assume(before.concerned)
    pack, rule = shipped.rule(data.draw(st.sampled_from([c.rule for c in before.concerned])))
    index = pack.rules.index(rule)
    extra = data.draw(st.lists(st.sampled_from(sorted(pack.reads[index])), min_size=1, unique=True))
    facts = dict(record["facts"])
    for name in extra:
        facts.setdefault(name, data.draw(value_of(shipped.facts[name])))
    after = shipped.classify(dict(record, facts=facts))
    if before.verdict == "major":
        assert after.verdict == "major"
    assert {m.rule for m in before.matches} <= {m.rule for m in after.matches}


@given(data=st.data())
@PROPERTY
def test_a_clause_text_as_the_only_record_is_never_ordinary(shipped, data) -> None:
    pack = data.draw(st.sampled_from(shipped.packs))
    rule = data.draw(st.sampled_from(pack.rules))
    industries = data.draw(st.lists(st.sampled_from(codes_of(pack)), min_size=1, max_size=2, unique=True))
    verdict = shipped.classify({"id": "T", "date": in_force(data.draw, pack).isoformat(), "industries": industries,
                                "description": rule.rule.text, "facts": {}})
    assert verdict.verdict == "undetermined" and verdict.resembles
    assert rule.rule.id in [h.pack.rules[h.index].rule.id for h in shipped.matcher.resembling(rule.rule.text)]


def test_a_near_miss_recorded_as_inspectors_do_is_ordinary(shipped) -> None:
    """铝粉抛光车间除尘系统为负压除尘: the facts of the deficiency decide 第十一条（四） false."""
    verdict = shipped.classify({"id": "N", "date": "2024-03-01",
                                "industries": ["gongmao", "gongmao.machinery", "gongmao.dust"],
                                "description": "铝粉抛光车间除尘系统为负压除尘",
                                "facts": {"dust.system.dust_kind": "metal", "dust.system.pressure_mode": "negative"}})
    assert verdict.verdict == "ordinary"
    assert [(c.rule, c.value) for c in verdict.concerned] == [("GM2023-11-4", "false")]
    enterprise = shipped.classify(verdict_record := {"id": "N", "date": "2024-03-01",
                                                     "industries": ["gongmao", "gongmao.dust"],
                                                     "facts": {"dust.system.pressure_mode": "negative"}},
                                  scope="enterprise")
    assert enterprise.verdict == "undetermined" and enterprise.scope == "enterprise"
    assert shipped.classify(dict(verdict_record, scope="enterprise")).scope == "enterprise"


def test_a_threshold_near_miss_is_ordinary_and_one_more_is_major(shipped) -> None:
    record = {"id": "Q", "date": "2024-03-01", "industries": ["gongmao.ammonia"],
              "facts": {"ammonia.quick_freeze.present": True, "ammonia.quick_freeze.room_workers": 9}}
    assert shipped.classify(record).verdict == "ordinary"
    record["facts"]["ammonia.quick_freeze.room_workers"] = 10
    assert shipped.classify(record).verdict == "major"


def test_an_explicit_unknown_concerns_its_rules(shipped) -> None:
    """`null` or 待查 says the finding is about the fact, though its value is not known."""
    base = {"id": "U", "date": "2024-03-01", "industries": ["gongmao.ammonia"],
            "facts": {"ammonia.quick_freeze.present": True}}
    assert shipped.classify(base).verdict == "ordinary"   # context only: concerns nothing
    for unknown in (None, "待查", "?"):
        verdict = shipped.classify(dict(base, facts={**base["facts"], "ammonia.quick_freeze.room_workers": unknown}))
        assert verdict.verdict == "undetermined"
        assert [(o.rule, o.missing) for o in verdict.undetermined] == [
            ("GM2023-12-2", ["ammonia.quick_freeze.room_workers"])]


def _refused_with_context(tmp_path, fact: str, when: str | None = None) -> PackErrors:
    """The errors of the demo pack with `fact` declared `context: true` (and rule D-1's
    condition replaced by `when`). Each edit must find its text, so a change to DEMO_PACK
    cannot turn a test into one of the unedited pack."""
    from .conftest import DEMO_PACK, write_rules

    declared = next(line for line in DEMO_PACK.splitlines() if line.startswith(f"  {fact}: {{"))
    text = DEMO_PACK.replace(declared, declared.removesuffix("}") + ", context: true}")
    if when is not None:
        assert "when: a.workers > 9 人}" in text
        text = text.replace("when: a.workers > 9 人}", f"when: {when}}}")
    with pytest.raises(PackErrors) as caught:
        load_rulesets(write_rules(tmp_path / "rules", text))
    return caught.value


def test_context_only_situations_are_refused(tmp_path) -> None:
    errors = _refused_with_context(tmp_path, "a.ok", when="a.workers > 9 人 or a.ok")
    assert "E313" in errors.render() and "a.ok" in errors.render()


def test_a_misspelt_fact_beside_a_context_fact_is_one_error(tmp_path) -> None:
    """The misspelt fact is E301; the rest of its situation is not then called context-only."""
    errors = _refused_with_context(tmp_path, "a.ok", when="a.wrokers > 9 人 and a.ok")
    assert [error.code for error in errors.errors] == ["E301"]


def test_facts_of_an_article_the_codes_do_not_bring_in_are_not_ordinary(shipped) -> None:
    """A wrong industry code must not hide a major hazard the facts describe."""
    verdict = shipped.classify({"id": "W", "date": "2024-03-01", "industries": ["gongmao.dust"],
                                "facts": {"ammonia.quick_freeze.present": True,
                                          "ammonia.quick_freeze.room_workers": 11}})
    assert verdict.verdict == "undetermined"
    assert verdict.reasons == ["the finding's facts (ammonia.quick_freeze.room_workers) are about 第十二条（二） "
                               "(GM2023-12-2), which applies to gongmao.ammonia, not to gongmao.dust: add that "
                               "industry code"]


def test_an_unknown_fact_name_or_an_empty_record_is_not_ordinary(shipped) -> None:
    base = {"id": "T", "date": "2024-03-01", "industries": ["gongmao.ammonia"]}
    typo = shipped.classify(dict(base, facts={"ammonia.quick_freeze.room_worker": 11}))
    assert typo.verdict == "undetermined" and "facts the packs do not know" in typo.reasons[0]
    assert typo.warnings and "did you mean 'ammonia.quick_freeze.room_workers'" in typo.warnings[0]
    empty = shipped.classify(base)
    assert empty.verdict == "undetermined"
    assert empty.reasons == ["the finding records neither facts nor a description: nothing to judge"]
    described = shipped.classify(dict(base, description="冷库穿堂地面结冰未及时清除"))
    assert described.verdict == "ordinary"


def test_a_scope_that_is_not_one_is_a_usage_error(shipped) -> None:
    from hazard_rules import HazardRulesError

    with pytest.raises(HazardRulesError, match="scope must be 'finding' or 'enterprise', not 'FINDING'"):
        shipped.classify({"id": "S", "date": "2024-03-01"}, scope="FINDING")


def test_a_device_fact_cannot_be_context(tmp_path) -> None:
    assert "fact 'a.alarm' is a device's state" in _refused_with_context(tmp_path, "a.alarm").render()
