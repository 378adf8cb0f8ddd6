"""Exact evaluation of rules Kleene logic leaves open (compiling/exact.py): enumerating the
missing facts of finite type never contradicts Kleene or any completion of the record,
decides tautologies, refuses numbers, text and dates, and stays within its bound."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from hazard_rules import load_rulesets
from hazard_rules.checking import ir
from hazard_rules.checking.types import BOOL, STR, Type
from hazard_rules.compiling.exact import Exact, decide_exactly
from hazard_rules.compiling.explain import explain
from hazard_rules.compiling.kleene import compile_kleene

from .conftest import write_rules

DAY = dt.date(2024, 6, 1)
NUM = Type("num")
BOOL_FACTS = ["b0", "b1", "b2", "b3"]
BIG = 2 ** 13  # above every product of the finite domains below (5120): the bound never interferes


@functools.cache
def demo():
    """The demo pack of conftest (enum, set, device, ordered enum, number, date, list facts)."""
    with tempfile.TemporaryDirectory() as folder:
        return load_rulesets(write_rules(Path(folder) / "rules"))


@functools.cache
def types() -> dict[str, Type]:
    return {**demo().facts, **{name: BOOL for name in BOOL_FACTS}, "s0": STR}


def fact(name: str) -> ir.Fact:
    return ir.Fact(name, types()[name])


def const(value, of: str | None = None) -> ir.Const:
    return ir.Const(value, types()[of] if of else Type("set"))


def kleene(expr: ir.Expr, facts: dict) -> object:
    return compile_kleene(expr)(facts, DAY, {})


def domain(name: str) -> list:
    t = types()[name]
    if t.kind == "bool":
        return [False, True]
    if t.kind == "enum":
        return list(t.values)
    assert t.kind == "set"
    return [frozenset(c) for r in range(len(t.values) + 1) for c in itertools.combinations(t.values, r)]


# ---------------------------------------------------------------- random conditions
def _finite_leaves():
    grade = types()["a.grade"].values
    table = tuple((v, i) for i, v in enumerate(grade))
    return st.one_of(
        st.sampled_from(BOOL_FACTS + ["a.ok"]).map(fact),
        st.builds(lambda op, v: ir.Cmp(op, fact("a.kind"), const(v, "a.kind")),
                  st.sampled_from(["==", "!="]), st.sampled_from(["dry", "wet"])),
        st.builds(lambda vs, neg: ir.In(fact("a.grade"), const(frozenset(vs)), neg),
                  st.sets(st.sampled_from(grade)), st.booleans()),
        st.builds(lambda op, k: ir.Cmp(op, ir.Rank(fact("a.grade"), table, NUM), ir.Const(k, NUM)),
                  st.sampled_from(["<", ">=", "=="]), st.integers(0, 3)),
        st.builds(lambda op, v: ir.Cmp(op, fact("a.alarm"), const(v, "a.alarm")),
                  st.sampled_from(["==", "!="]), st.sampled_from(["effective", "absent", "failed"])),
        st.builds(lambda v, neg: ir.In(ir.Const(v, STR), fact("a.controls"), neg),
                  st.sampled_from(["venting", "inerting"]), st.booleans()),
        st.builds(lambda neg: ir.Empty(fact("a.controls"), neg), st.booleans()),
        st.just(demo().rule("D-2")[1].condition),           # dry and a.controls is empty
    )


def _open_leaves():
    """Leaves that read a number, a date, free text or a list."""
    return st.one_of(
        st.builds(lambda op, c: ir.Cmp(op, fact("a.workers"), ir.Const(c, NUM)),
                  st.sampled_from(["<", ">", "==", "!="]), st.integers(0, 20)),
        st.builds(lambda v: ir.Cmp("==", fact("s0"), ir.Const(v, STR)), st.sampled_from(["x", "y"])),
        st.builds(lambda c: ir.Cmp(">", ir.DateDiff(ir.Today(Type("date")), fact("a.expiry"), NUM), ir.Const(c, NUM)),
                  st.sampled_from([0, 30])),
        st.sampled_from(["D-1", "D-3", "D-4", "D-5"]).map(lambda r: demo().rule(r)[1].condition),
    )


def _grow(leaves):
    def extend(inner):
        return st.one_of(
            st.builds(ir.Not, inner),
            st.lists(inner, min_size=2, max_size=3).map(tuple).map(ir.And),
            st.lists(inner, min_size=2, max_size=3).map(tuple).map(ir.Or),
            st.lists(inner, min_size=2, max_size=4).flatmap(
                lambda xs: st.integers(1, len(xs)).map(lambda k: ir.AtLeast(k, tuple(xs)))),
            st.builds(lambda body: ir.Cond("c", body), inner),
        )
    return st.recursive(leaves, extend, max_leaves=10)


finite_conditions = st.deferred(lambda: _grow(_finite_leaves()))
conditions = st.deferred(lambda: _grow(st.one_of(_finite_leaves(), _open_leaves())))

FINITE = BOOL_FACTS + ["a.ok", "a.kind", "a.grade", "a.alarm", "a.controls"]


@st.composite
def full_and_partial(draw, drop_at_most: int | None = None):
    full = {name: draw(st.sampled_from(domain(name))) for name in FINITE}
    full["a.workers"] = draw(st.integers(0, 20))
    full["a.pressure"] = draw(st.integers(0, 60))
    full["a.expiry"] = DAY - dt.timedelta(days=draw(st.integers(-40, 40)))
    full["s0"] = draw(st.sampled_from(["x", "y"]))
    full["a.tanks"] = draw(st.lists(st.fixed_dictionaries({"level": st.integers(0, 3), "cutoff": st.booleans()}),
                                    max_size=3))
    if drop_at_most is None:
        keep = draw(st.sets(st.sampled_from(sorted(full))))
    else:
        keep = set(full) - draw(st.sets(st.sampled_from(sorted(full)), max_size=drop_at_most))
    partial = {k: v for k, v in full.items() if k in keep}
    if "a.tanks" in partial and draw(st.booleans()):  # also drop fields inside items
        partial["a.tanks"] = [{k: v for k, v in item.items() if draw(st.booleans())} for item in partial["a.tanks"]]
    return full, partial


def exact(expr: ir.Expr, facts: dict, bound: int = BIG) -> Exact | None:
    return decide_exactly(expr, facts, DAY, types(), max_assignments=bound)


# ---------------------------------------------------------------- properties
@settings(max_examples=500, deadline=None)
@given(conditions, full_and_partial())
def test_never_contradicts_kleene_or_any_completion(expr: ir.Expr, pair) -> None:
    full, partial = pair
    decided = kleene(expr, partial)
    result = exact(expr, partial)
    if decided is not None:   # (1) Kleene decided: the same value, from the explainer
        assert result is not None and result.value is decided and result.forced_by == ()
        assert result.because == explain(expr, partial, DAY).support
    if result is not None:    # the value any completion of the record gets
        assert kleene(expr, full) is result.value


@settings(max_examples=300, deadline=None)
@given(finite_conditions, full_and_partial())
def test_decides_excluded_middle_and_contradiction(expr: ir.Expr, pair) -> None:
    # (2) `e or not e` is true and `e and not e` false whatever e's finite facts are missing
    _, partial = pair
    partial = {k: v for k, v in partial.items() if k in FINITE}
    tautology = exact(ir.Or((expr, ir.Not(expr))), partial)
    contradiction = exact(ir.And((expr, ir.Not(expr))), partial)
    assert tautology is not None and tautology.value is True
    assert contradiction is not None and contradiction.value is False
    if tautology.forced_by:   # true by logic alone: no given fact is needed
        assert tautology.because == {} and contradiction.because == {}


@pytest.mark.parametrize("name", FINITE)
def test_excluded_middle_for_each_finite_fact(name: str) -> None:
    x = fact(name)
    if types()[name].kind != "bool":
        x = ir.Cmp("==", x, ir.Const(domain(name)[0], types()[name]))
    assert kleene(ir.Or((x, ir.Not(x))), {}) is None
    assert exact(ir.Or((x, ir.Not(x))), {}) == Exact(True, {}, (name,))
    assert exact(ir.And((x, ir.Not(x))), {}) == Exact(False, {}, (name,))


@settings(max_examples=500, deadline=None)
@given(conditions, full_and_partial())
def test_never_decides_over_a_missing_number_text_date_or_item(expr: ir.Expr, pair) -> None:
    # (3) one missing fact that is not finite (or an item's field) keeps the rule open
    _, partial = pair
    missing = explain(expr, partial, DAY).missing
    if any(m not in types() or types()[m].kind not in ("bool", "enum", "set") for m in missing):
        assert exact(expr, partial) is None


@pytest.mark.parametrize("x", [
    ir.Cmp(">", ir.Fact("a.workers", NUM), ir.Const(9, NUM)),
    ir.Cmp("==", ir.Fact("s0", STR), ir.Const("x", STR)),
    ir.Cmp(">", ir.DateDiff(ir.Today(Type("date")), ir.Fact("a.expiry", Type("date")), NUM), ir.Const(30, NUM)),
], ids=["num", "str", "date"])
def test_a_numeric_tautology_stays_open(x: ir.Expr) -> None:
    # By design: numbers, text and dates are never enumerated, even where logic alone decides.
    assert exact(ir.Or((x, ir.Not(x))), {}) is None
    assert exact(ir.Or((x, ir.Not(x), fact("b0"))), {}) is None


def test_a_missing_item_field_is_not_enumerated() -> None:
    tanks = demo().rule("D-4")[1].condition        # any t in a.tanks: t.level > 1 and not t.cutoff
    expr = ir.Or((tanks, ir.Not(tanks)))
    assert explain(expr, {"a.tanks": [{"level": 2}]}, DAY).missing == {"a.tanks[0].cutoff"}
    assert exact(expr, {"a.tanks": [{"level": 2}]}) is None
    assert exact(expr, {}) is None                  # the list itself is not finite either


def _hidden_tautology(a: ir.Expr, b: ir.Expr, which: int) -> ir.Expr:
    """b, combined with a tautology over a that Kleene cannot see through."""
    middle = ir.Or((a, ir.Not(a)))
    return (ir.And((middle, b)), ir.Or((ir.Not(middle), b)), ir.AtLeast(2, (middle, b, ir.Not(a))))[which]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(finite_conditions, conditions, st.integers(0, 3), full_and_partial(drop_at_most=4))
def test_decided_value_holds_for_every_assignment_and_because_is_minimal(a: ir.Expr, b: ir.Expr, which: int,
                                                                         pair) -> None:
    _, partial = pair
    if which == 3:   # a plain random condition (rarely decided by enumeration alone)
        expr = ir.And((a, b))
    else:            # b combined with a tautology over a, whose facts are all left out
        expr = _hidden_tautology(a, b, which)
        partial = {k: v for k, v in partial.items() if k not in ir.facts_read(a)}
    result = exact(expr, partial)
    assume(result is not None and result.forced_by)
    event(f"case {which}, because has {min(len(result.because), 2)}+ facts, {len(result.forced_by)} forced")
    # (4) every assignment of the enumerated facts gives the value (soundness by construction)
    for values in itertools.product(*(domain(n) for n in result.forced_by)):
        assert kleene(expr, {**partial, **dict(zip(result.forced_by, values))}) is result.value
    # `because` is a given part of the record, sufficient on its own ...
    assert all(partial[k] == v for k, v in result.because.items())
    alone = exact(expr, dict(result.because))
    assert alone is not None and alone.value is result.value
    # ... and minimal: without any one of its facts the value is no longer reached
    for name in result.because:
        fewer = exact(expr, {k: v for k, v in result.because.items() if k != name})
        assert fewer is None or fewer.value is not result.value


def test_the_bound() -> None:
    # (5) more than max_assignments assignments: undecided, however obvious the answer
    many = Type("set", values=tuple(f"v{i}" for i in range(10)))
    expr = ir.Or((ir.Empty(ir.Fact("s", many), False), ir.Empty(ir.Fact("s", many), True)))
    assert decide_exactly(expr, {}, DAY, {"s": many}, max_assignments=1024) == Exact(True, {}, ("s",))
    assert decide_exactly(expr, {}, DAY, {"s": many}, max_assignments=1023) is None
    bools = [ir.Fact(f"x{i}", BOOL) for i in range(11)]
    tautologies = ir.And(tuple(ir.Or((x, ir.Not(x))) for x in bools))
    assert decide_exactly(ir.And(tautologies.operands[:10]), {}, DAY).value is True   # 2^10 = 1024
    assert decide_exactly(tautologies, {}, DAY) is None                               # 2^11 > 1024
    assert decide_exactly(tautologies, {}, DAY, max_assignments=2048).value is True


def test_types_default_to_the_ir_and_a_precompiled_closure_is_used() -> None:
    expr = ir.Or((fact("b0"), ir.Not(fact("b0")), fact("a.ok")))
    assert decide_exactly(expr, {"a.ok": False}, DAY) == exact(expr, {"a.ok": False}) == Exact(True, {}, ("b0",))
    assert decide_exactly(expr, {}, DAY, kleene=compile_kleene(expr)) == Exact(True, {}, ("a.ok", "b0"))
    unknown_type = decide_exactly(expr, {}, DAY, types={"b0": BOOL})  # a.ok's type not given: not enumerated
    assert unknown_type is None


# ---------------------------------------------------------------- the shipped pack
def _gm_11_4(shipped, facts: dict):
    _, rule = shipped.rule("GM2023-11-4")
    expr = rule.condition
    clean = shipped.coerce_facts(facts)[0]
    return kleene(expr, clean), decide_exactly(expr, clean, DAY, shipped.facts)


def test_gm_11_4_positive_pressure_without_ignition_control_is_major_whatever_the_dust(shipped) -> None:
    # 11-4: positive pressure and (dust is metal, or dust is wood/other and no effective
    # ignition-source control). dust.system.dust_kind has exactly the values metal, wood,
    # other, and with positive pressure and control absent every one of them makes the rule
    # true (metal by the first branch, wood and other by the second): no value makes it
    # false, so the law decides it although the dust kind is not recorded.
    assert shipped.facts["dust.system.dust_kind"].values == ("metal", "wood", "other")
    value, result = _gm_11_4(shipped, {"dust.system.pressure_mode": "positive",
                                       "dust.system.ignition_source_control": "absent"})
    assert value is None
    assert result == Exact(True, {"dust.system.ignition_source_control": "absent",
                                  "dust.system.pressure_mode": "positive"}, ("dust.system.dust_kind",))


@pytest.mark.parametrize("facts", [
    # wood/other with effective control is false, metal true: the dust kind matters
    {"dust.system.pressure_mode": "positive", "dust.system.ignition_source_control": "effective"},
    # control not recorded either: wood with effective control is false
    {"dust.system.pressure_mode": "positive"},
    # metal, but the pressure mode not recorded: negative is false
    {"dust.system.dust_kind": "metal"},
])
def test_gm_11_4_stays_open_when_a_missing_fact_matters(shipped, facts: dict) -> None:
    value, result = _gm_11_4(shipped, facts)
    assert value is None and result is None


def test_timings(shipped, capsys) -> None:
    """Not an assertion about speed: prints µs per call for the report (pytest -s)."""
    _, rule = shipped.rule("GM2023-11-4")
    expr, fn = rule.condition, compile_kleene(rule.condition)
    clean = shipped.coerce_facts({"dust.system.pressure_mode": "positive",
                                  "dust.system.ignition_source_control": "absent"})[0]
    tautologies = ir.And(tuple(ir.Or((x, ir.Not(x))) for x in (ir.Fact(f"x{i}", BOOL) for i in range(10))))
    last_differs = ir.Not(ir.And(tuple(ir.Fact(f"x{i}", BOOL) for i in range(10))))
    cases = {"11-4 decided": lambda: decide_exactly(expr, clean, DAY, shipped.facts, kleene=fn),
             "2^10 bools, decided": lambda: decide_exactly(tautologies, {}, DAY),
             "2^10 bools, only the last differs": lambda: decide_exactly(last_differs, {}, DAY)}
    with capsys.disabled():
        for name, call in cases.items():
            assert (call() is None) == ("differs" in name)
            runs = 200 if "11-4" in name else 5
            start = time.perf_counter()
            for _ in range(runs):
                call()
            print(f"\n  exact {name}: {(time.perf_counter() - start) / runs * 1e6:.0f} µs/call", end="")


def test_the_classifier_decides_11_4_over_every_dust_kind() -> None:
    """Positive-pressure conveying with no ignition-source control is major for every dust
    kind, so an unrecorded dust kind does not leave 第十一条（四） open (issue 15 §2)."""
    from hazard_rules import load_rulesets

    shipped = load_rulesets()
    record = {"id": "X", "date": "2024-05-01", "industries": ["gongmao.dust"],
              "facts": {"dust.system.pressure_mode": "positive", "dust.system.ignition_source_control": "absent"}}
    for scope in ("finding", "enterprise"):
        verdict = shipped.classify(record, scope=scope)
        match = next(m for m in verdict.matches if m.rule == "GM2023-11-4")
        assert verdict.verdict == "major"
        assert match.because == {"dust.system.ignition_source_control": "absent",
                                 "dust.system.pressure_mode": "positive"}
        assert match.regardless_of == ["dust.system.dust_kind"]
        assert "GM2023-11-4" not in {o.rule for o in verdict.undetermined}
    effective = shipped.classify(dict(record, facts={"dust.system.pressure_mode": "positive",
                                                     "dust.system.ignition_source_control": "effective"}))
    assert effective.verdict == "undetermined"   # metal dust would still make it major: stays open
    assert [o.missing for o in effective.undetermined if o.rule == "GM2023-11-4"] == [["dust.system.dust_kind"]]
