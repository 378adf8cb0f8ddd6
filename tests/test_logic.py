"""Three-valued logic: truth tables, agreement of the three evaluators, and the
monotonicity properties that keep a missing fact from ever producing a wrong answer."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hazard_rules.checking import ir
from hazard_rules.checking.types import BOOL, Type
from hazard_rules.compiling.codegen import compile_rules
from hazard_rules.compiling.explain import explain
from hazard_rules.compiling.kleene import compile_kleene

from .conftest import EXAMPLES

DAY = dt.date(2024, 6, 1)
NUM = Type("num")
ITEM = Type("item", fields=(("x", BOOL), ("n", NUM)))
LIST = Type("list", fields=ITEM.fields)
BOOL_FACTS = ["b0", "b1", "b2", "b3"]
NUM_FACTS = ["n0", "n1"]


def fact(name: str) -> ir.Fact:
    return ir.Fact(name, BOOL)


def kleene(expr: ir.Expr, facts: dict) -> object:
    return compile_kleene(expr)(facts, DAY, {})


def fast(expr: ir.Expr, facts: dict) -> object:
    fn, _ = compile_rules("t", [(0, expr)])
    found = fn(facts, DAY)
    return True if found == [0] else (None if found == [-1] else False)


T, F, U = True, False, None
VALUES = {T: {"b0": True}, F: {"b0": False}, U: {}}
VALUES_B = {T: {"b1": True}, F: {"b1": False}, U: {}}


@pytest.mark.parametrize("a, b, expected_and, expected_or", [
    (T, T, T, T), (T, F, F, T), (T, U, U, T),
    (F, T, F, T), (F, F, F, F), (F, U, F, U),
    (U, T, U, T), (U, F, F, U), (U, U, U, U),
])
def test_kleene_truth_tables(a, b, expected_and, expected_or) -> None:
    facts = {**VALUES[a], **VALUES_B[b]}
    both = (fact("b0"), fact("b1"))
    for evaluate in (kleene, fast, lambda e, f: explain(e, f, DAY).value):
        assert evaluate(ir.And(both), facts) == expected_and
        assert evaluate(ir.Or(both), facts) == expected_or
    assert kleene(ir.Not(fact("b0")), VALUES[a]) == (None if a is None else not a)


@pytest.mark.parametrize("values, k, expected", [
    ((T, T, U, U), 2, T),   # reached k: true whatever the unknowns are
    ((T, F, F, U), 3, F),   # can no longer reach k
    ((T, U, U, F), 3, U),   # could still go either way
    ((F, F, F, F), 1, F),
    ((U, U, U, U), 1, U),
])
def test_at_least(values, k, expected) -> None:
    facts = {f"b{i}": v for i, v in enumerate(values) if v is not None}
    expr = ir.AtLeast(k, tuple(fact(f"b{i}") for i in range(4)))
    assert kleene(expr, facts) == expected
    assert fast(expr, facts) == expected
    assert explain(expr, facts, DAY).value == expected


def test_comparison_with_unknown_is_unknown() -> None:
    expr = ir.Cmp(">", ir.Fact("n0", NUM), ir.Const(9, NUM))
    assert kleene(expr, {}) is None
    assert explain(expr, {}, DAY).missing == {"n0"}
    assert kleene(expr, {"n0": 10}) is True


def test_quantifiers_over_unknown_items() -> None:
    tanks = ir.Fact("tanks", LIST)
    body = ir.Field("t", "x", BOOL)
    any_ = ir.Quant("any", "t", tanks, body)
    all_ = ir.Quant("all", "t", tanks, body)
    assert kleene(any_, {"tanks": [{}, {"x": True}]}) is True      # one true item decides any
    assert kleene(any_, {"tanks": [{}, {"x": False}]}) is None
    assert kleene(all_, {"tanks": [{}, {"x": False}]}) is False    # one false item decides all
    assert kleene(all_, {"tanks": []}) is True
    assert kleene(any_, {}) is None
    outcome = explain(any_, {"tanks": [{}, {"x": True}]}, DAY)
    assert outcome.support == {"tanks[1].x": True}
    assert explain(any_, {"tanks": [{}, {"x": False}]}, DAY).missing == {"tanks[0].x"}


# ---------------------------------------------------------------- properties
def _conditions():
    leaves = st.one_of(
        st.sampled_from(BOOL_FACTS).map(fact),
        st.builds(lambda n, op, c: ir.Cmp(op, ir.Fact(n, NUM), ir.Const(c, NUM)),
                  st.sampled_from(NUM_FACTS), st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), st.integers(0, 3)),
        st.builds(lambda body: ir.Quant("any", "t", ir.Fact("items", LIST), body),
                  st.sampled_from([ir.Field("t", "x", BOOL), ir.Cmp(">", ir.Field("t", "n", NUM), ir.Const(1, NUM))])),
    )

    def extend(inner):
        return st.one_of(
            st.builds(ir.Not, inner),
            st.lists(inner, min_size=2, max_size=3).map(tuple).map(ir.And),
            st.lists(inner, min_size=2, max_size=3).map(tuple).map(ir.Or),
            st.lists(inner, min_size=2, max_size=4).flatmap(
                lambda xs: st.integers(1, len(xs)).map(lambda k: ir.AtLeast(k, tuple(xs)))),
        )
    return st.recursive(leaves, extend, max_leaves=10)


items = st.lists(st.fixed_dictionaries({}, optional={"x": st.booleans(), "n": st.integers(0, 3)}), max_size=3)
full_facts = st.fixed_dictionaries({
    **{name: st.booleans() for name in BOOL_FACTS},
    **{name: st.integers(0, 3) for name in NUM_FACTS},
    "items": st.lists(st.fixed_dictionaries({"x": st.booleans(), "n": st.integers(0, 3)}), max_size=3),
})


@st.composite
def full_and_partial(draw):
    full = draw(full_facts)
    keep = draw(st.sets(st.sampled_from(sorted(full))))
    partial = {k: v for k, v in full.items() if k in keep}
    if "items" in partial and draw(st.booleans()):  # also drop fields inside items
        partial["items"] = [{k: v for k, v in item.items() if draw(st.booleans())} for item in partial["items"]]
    return full, partial


@settings(max_examples=600, deadline=None)
@given(_conditions(), full_and_partial())
def test_more_facts_never_change_a_decided_value(expr: ir.Expr, pair) -> None:
    full, partial = pair
    decided = kleene(expr, partial)
    complete = kleene(expr, full)
    assert complete is not None  # every fact given: always decided
    if decided is not None:
        assert decided == complete


@settings(max_examples=600, deadline=None)
@given(_conditions(), full_and_partial())
def test_generated_code_closures_and_explainer_agree(expr: ir.Expr, pair) -> None:
    for facts in pair:
        expected = kleene(expr, facts)
        assert fast(expr, facts) == expected
        outcome = explain(expr, facts, DAY)
        assert (None if outcome.value is None else bool(outcome.value)) == expected
        if expected is not None:
            # the support alone must decide the same value (it is a sufficient reason)
            support_only = {k: v for k, v in facts.items() if k in outcome.support}
            if "items" in facts and any(k.startswith("items") for k in outcome.support):
                support_only["items"] = facts["items"]
            assert kleene(expr, support_only) == expected
        else:
            assert outcome.missing


def _example_findings() -> list[dict]:
    with open(EXAMPLES / "inspections.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_removing_facts_never_turns_major_into_ordinary(shipped, data) -> None:
    finding = data.draw(st.sampled_from(_example_findings()))
    before = shipped.classify(finding, scope="enterprise").verdict
    keep = data.draw(st.sets(st.sampled_from(sorted(finding["facts"]) or ["-"])))
    reduced = dict(finding, facts={k: v for k, v in finding["facts"].items() if k in keep})
    after = shipped.classify(reduced, scope="enterprise").verdict
    if before == "major":
        assert after in ("major", "undetermined")
    if before == "undetermined":
        assert after == "undetermined"
    if after == "ordinary":
        assert before == "ordinary"
