"""`explain --why-not RULE` (issue 12, item 6): the fewest fact changes that make a rule fire.

End to end on the shipped 工贸 2023 pack with golden outputs (tests/golden/why-not/,
regenerate with UPDATE_GOLDENS=1), and the search itself on the demo pack: thresholds of
ints, decimals and dates, enum alternatives, preferring facts not recorded, the bound,
and "impossible" only when proven."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hazard_rules import load_rulesets
from hazard_rules.authoring.why_not import why_not

from .conftest import ROOT, assert_golden, run_cli, write_rules

GOLDEN = Path(__file__).resolve().parent / "golden" / "why-not"
FINDINGS = "tests/data/why_not/findings.jsonl"
DAY = dt.date(2024, 5, 1)


def _golden(name: str, text: str) -> None:
    assert_golden(GOLDEN / name, text)


CASES = [
    ("W-1", "GM2023-12-2", "9-workers"),          # 9 → > 9 (10), or not a separate room
    ("W-2", "GM2023-12-2", "asked-room"),         # the fact given as 待核实 is preferred over the recorded count
    ("W-3", "GM2023-12-2", "no-quick-freeze"),    # impossible: the context fact present = false
    ("W-4", "GM2023-12-2", "other-industry"),     # impossible: 第十二条 applies to gongmao.ammonia only
    ("W-5", "GM2023-12-2", "before-edition"),     # impossible: 2020 is before the 2023 edition
    ("W-6", "GM2023-12-2", "already-true"),
    ("W-4", "GM2023-11-3", "dust-dry"),           # four measures to add: more than the bound of 3 changes
    ("W-4", "GM2023-11-3", "dust-dry-4", "4"),    # … found with --max-changes 4
]


@pytest.mark.parametrize("case", CASES, ids=[c[2] for c in CASES])
def test_why_not_on_the_shipped_pack(case: tuple[str, ...]) -> None:
    finding, rule, name, *more = case
    bound = ["--max-changes", more[0]] if more else []
    text = run_cli("explain", FINDINGS, "--id", finding, "--why-not", rule, *bound)
    assert text.returncode == 0, text.stderr
    data = run_cli("explain", FINDINGS, "--id", finding, "--why-not", rule, "--format", "json", *bound)
    assert data.returncode == 0, data.stderr
    json.loads(data.stdout)
    _golden(f"{name}.txt", text.stdout)
    _golden(f"{name}.json", data.stdout)


def test_the_quick_freeze_room_with_nine_workers() -> None:
    shown = (GOLDEN / "9-workers.txt").read_text(encoding="utf-8")
    assert "ammonia.quick_freeze.room_workers 快速冻结装置作业间内作业人员数量: 9 → > 9 (10) 人" in shown
    answer = json.loads((GOLDEN / "9-workers.json").read_text(encoding="utf-8"))
    assert answer["status"] == "found" and answer["changes"] == 1
    assert {way[0]["fact"]: way[0]["to"] for way in answer["ways"]} == {
        "ammonia.quick_freeze.room_workers": 10, "ammonia.quick_freeze.separate_room": False}
    other = json.loads((GOLDEN / "other-industry.json").read_text(encoding="utf-8"))
    assert other["status"] == "impossible" and "gongmao.ammonia" in other["reasons"][0]


def test_unknown_rule_and_finding_are_usage_errors() -> None:
    result = run_cli("explain", FINDINGS, "--id", "W-1", "--why-not", "GM2023-12-9")
    assert result.returncode == 2 and "no rule with id 'GM2023-12-9'" in result.stderr
    result = run_cli("explain", FINDINGS, "--id", "W-99", "--why-not", "GM2023-12-2")
    assert result.returncode == 2 and "no finding with id 'W-99'" in result.stderr


# ---------------------------------------------------------------- the search on the demo pack

@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    return load_rulesets(write_rules(tmp_path_factory.mktemp("rules")))


def _ask(ruleset, rule_id: str, facts: dict, **bounds):
    pack, rule = ruleset.rule(rule_id)
    clean, _ = ruleset.coerce_facts(facts)
    return why_not(ruleset, pack, rule, clean, DAY, ["demo"], **bounds)


def _ways(answer) -> list[dict]:
    return [{c.fact: (c.kind, c.after, c.constraint) for c in way.changes} for way in answer.ways]


def test_an_int_threshold_is_crossed_by_one(demo) -> None:
    answer = _ask(demo, "D-1", {"a.workers": 3})
    assert answer.status == "found"
    assert _ways(answer) == [{"a.workers": ("change", 10, "> 9")}]
    assert _ways(_ask(demo, "D-1", {})) == [{"a.workers": ("add", 10, "> 9")}]


def test_a_decimal_threshold_in_another_unit(demo) -> None:
    # `a.pressure < 0.03 MPa` on a fact in kPa: just under 30 kPa; or a device that is not effective
    answer = _ask(demo, "D-3", {"a.pressure": 45, "a.alarm": "effective"})
    ways = {c.fact: c for way in answer.ways for c in way.changes}
    assert ways["a.pressure"].after == pytest.approx(29.9) and ways["a.pressure"].constraint == "< 30"
    assert ways["a.alarm"].after == "absent" and set(ways["a.alarm"].also) == {"failed", "bypassed", "disabled"}


def test_facts_not_recorded_come_first(demo) -> None:
    answer = _ask(demo, "D-3", {"a.alarm": "effective"})
    assert [way.changes[0].kind for way in answer.ways] == ["add", "change"]
    assert answer.ways[0].changes[0].fact == "a.pressure"


def test_a_date_threshold_and_an_unless(demo) -> None:
    # inspection.date - a.expiry > 30 d, unless a.ok: expired 31 days before 2024-05-01 at the latest
    answer = _ask(demo, "D-5", {"a.expiry": "2024-04-20", "a.ok": False})
    assert _ways(answer) == [{"a.expiry": ("change", dt.date(2024, 3, 31), "< 2024-04-01")}]
    both = _ask(demo, "D-5", {"a.expiry": "2024-04-20", "a.ok": True})
    assert both.status == "found" and len(both.ways[0].changes) == 2


def test_two_changes_when_one_is_not_enough(demo) -> None:
    answer = _ask(demo, "D-2", {"a.kind": "wet", "a.controls": ["venting"]})
    assert answer.status == "found"
    assert _ways(answer) == [{"a.kind": ("change", "dry", None), "a.controls": ("change", frozenset(), None)}]


def test_the_bound_is_said(demo) -> None:
    answer = _ask(demo, "D-2", {"a.kind": "wet", "a.controls": ["venting"]}, max_evaluations=3)
    assert answer.status == "not_found" and answer.bound_hit and "bound" in answer.reasons[0]
    fewer = _ask(demo, "D-2", {"a.kind": "wet", "a.controls": ["venting"]}, max_changes=1)
    assert fewer.status == "not_found" and not fewer.bound_hit and "at most 1 change" in fewer.reasons[0]


def test_impossible_only_when_proven(tmp_path: Path) -> None:
    pack = (ROOT / "tests" / "conftest.py").read_text(encoding="utf-8").split('DEMO_PACK = """\\\n')[1].split('"""')[0]
    pack = pack.replace("rules:\n", "rules:\n  - {id: D-9, section: s1, text: 矛盾, provenance: {status: verified},"
                        " when: a.workers > 9 人 and a.workers < 5 人 and a.ok}\n", 1)
    ruleset = load_rulesets(write_rules(tmp_path / "rules", pack))
    answer = _ask(ruleset, "D-9", {"a.workers": 7})
    assert answer.status == "impossible" and "no combination" in answer.reasons[0]
    # a list of items is not varied, so a rule over one is never called impossible by the search
    tanks = _ask(ruleset, "D-4", {"a.tanks": [{"level": 0, "cutoff": True}]})
    assert tanks.status == "not_found" and "a.tanks" in tanks.not_varied


# ---------------------------------------------------------------- every shipped rule

@pytest.fixture(scope="module")
def shipped_with_tests():
    return load_rulesets(tests=True)


def test_every_way_found_on_the_shipped_packs_makes_its_rule_true(shipped_with_tests) -> None:
    """For the facts of every pack test that expects false: the search never fails, and each way
    it reports, applied to those facts, makes the rule true (Kleene, or exactly over finite facts)."""
    from hazard_rules.compiling.exact import decide_exactly

    ruleset = shipped_with_tests
    statuses: dict[str, int] = {}
    for pack in ruleset.packs:
        for index, rule in enumerate(pack.rules):
            for test in rule.rule.tests:
                if test.expect is not False:
                    continue
                facts, _ = ruleset.coerce_facts(test.facts)
                day = test.date or pack.standard.effective_from
                answer = why_not(ruleset, pack, rule, facts, day, test.industries or list(rule.section.applies_to))
                statuses[answer.status] = statuses.get(answer.status, 0) + 1
                assert answer.status != "impossible" or answer.reasons, rule.rule.id
                for way in answer.ways:
                    changed = {**facts, **{c.fact: c.after for c in way.changes}}
                    if pack.kleene(index)(changed, day, {}) is not True:
                        exact = decide_exactly(rule.condition, changed, day, ruleset.facts)
                        assert exact is not None and exact.value, (rule.rule.id, test.name, way)
    assert statuses.get("found", 0) > 1000 and statuses.get("impossible", 0) > 100, statuses


def test_a_supplementary_section_before_it_took_effect_is_impossible(shipped_with_tests) -> None:
    pack, rule = shipped_with_tests.rule("MM2024S-U-1")
    answer = why_not(shipped_with_tests, pack, rule, {}, dt.date(2023, 6, 1), list(rule.section.applies_to))
    assert answer.status == "impossible" and "was added by" in answer.reasons[0]
    assert "in force from 2024-04-23" in answer.reasons[0]
