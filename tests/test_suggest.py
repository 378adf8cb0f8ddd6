"""The description matcher: `suggest`, and the safety net that withholds a wrong `ordinary`.

The evaluation sets (tests/data/suggest/<pack>.yaml) hold inspector-style paraphrases of
every clause and ordinary deficiencies that match none; benchmarks/eval_suggest.py
prints the same figures with more detail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from hazard_rules import load_rulesets

from .conftest import ROOT, assert_golden, run_cli

CASE_DIR = ROOT / "tests" / "data" / "suggest"     # one file per pack: <pack id>.yaml
CASES = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
         for path in sorted(CASE_DIR.glob("*.yaml"))}
GOLDEN = ROOT / "tests" / "golden"


@pytest.fixture(scope="module")
def shipped():
    return load_rulesets()


def test_every_clause_of_every_pack_is_in_its_evaluation_set(shipped) -> None:
    assert set(CASES) == {p.id for p in shipped.packs}, "tests/data/suggest/<pack>.yaml for every shipped pack"
    for pack in shipped.packs:
        cases = CASES[pack.id]
        ids = {r.rule.id for r in pack.rules}
        described = [c for c in cases if c["expect"]]
        assert len(described) >= len(ids) and sum(not c["expect"] for c in cases) >= 10, pack.id
        assert {i for c in described for i in c["expect"]} == ids, pack.id
    assert len(CASES["gongmao-2023"]) >= 150 and sum(not c["expect"] for c in CASES["gongmao-2023"]) >= 40


@pytest.mark.parametrize("pack_id", sorted(CASES))
def test_recall_at_3_and_the_safety_net_meet_the_targets(shipped, pack_id: str) -> None:
    """Each pack on its own descriptions, as the safety net uses it: against the packs the
    finding's industries bring in. Safety first: at most one described finding in ten may
    pass the net as `ordinary`. The false-alarm target (≤ 10 %) holds for the pack the
    threshold was calibrated on; the others' rates are measured in docs/suggest.md."""
    pack = next(p for p in shipped.packs if p.id == pack_id)
    matcher = shipped.matcher
    described = [c for c in CASES[pack_id] if c["expect"]]
    ordinary = [c for c in CASES[pack_id] if not c["expect"]]
    found = sum(bool(set(c["expect"]) & {h.pack.rules[h.index].rule.id for h in matcher.rank(c["text"], [pack])[:3]})
                for c in described)
    through = sum(not matcher.resembling(c["text"], [pack]) for c in described)
    assert found / len(described) >= 0.90, f"recall@3 {found / len(described):.1%}"
    assert through / len(described) <= 0.10, f"the net lets {through / len(described):.1%} of described through"
    if pack_id == "gongmao-2023":
        alarms = sum(bool(matcher.resembling(c["text"], [pack])) for c in ordinary)
        assert alarms / len(ordinary) <= 0.10, f"false alarms {alarms / len(ordinary):.1%}"


def test_a_factless_finding_is_held_back_only_when_its_description_resembles_a_clause(shipped) -> None:
    record = {"id": "S", "date": "2024-05-01", "industries": ["gongmao.dust"], "facts": {}}
    resembles = shipped.classify(dict(record, description="2号车间布袋除尘器未装泄爆片，也没有惰化和抑爆"))
    assert resembles.verdict == "undetermined" and resembles.resembles[0].rule == "GM2023-11-3"
    assert resembles.reasons[0].startswith("description resembles 第十一条（三） (GM2023-11-3)")
    plain = shipped.classify(dict(record, description="车间楼梯扶手松动"))
    assert plain.verdict == "ordinary" and plain.resembles == [] and plain.concerned == []


def test_compliance_statements_do_not_make_a_description_resemble_a_clause(shipped) -> None:
    from hazard_rules.matching.matcher import deficiency_text

    assert deficiency_text("有限空间作业票已审批，检测合格，但作业人员未戴安全帽") == "作业人员未戴安全帽"
    assert deficiency_text("速冻间设在单独房间，但作业人员11人") == "速冻间设在单独房间，作业人员11人"
    # 有效 in 有效期 or 有效泄压面积 is no statement of compliance
    assert deficiency_text("特种作业人员操作证有效期已过仍上岗作业") == "特种作业人员操作证有效期已过仍上岗作业"
    assert deficiency_text("干式除尘系统泄爆口有效泄压面积小于设计值") == "干式除尘系统泄爆口有效泄压面积小于设计值"


def _golden(name: str, text: str) -> None:
    assert_golden(GOLDEN / name, text)


def test_suggest_cli_text_and_json() -> None:
    # One pack, so that the golden scores do not move whenever another standard is added
    # (BM25 term weights are computed over every loaded clause).
    shown = run_cli("suggest", "干式除尘器未设泄爆装置", "--top", "2", "--rules", "rulesets/gongmao-2023")
    assert shown.returncode == 0, shown.stderr
    _golden("suggest.txt", shown.stdout)
    as_json = run_cli("suggest", "速冻间内当班作业人员11人", "--format", "json", "--top", "1")
    assert as_json.returncode == 0, as_json.stderr
    candidate = json.loads(as_json.stdout)["candidates"][0]
    assert candidate["rule"] == "GM2023-12-2" and candidate["resembles"] is True
    assert [f["fact"] for f in candidate["facts"]][:2] == ["ammonia.quick_freeze.room_workers",
                                                         "ammonia.quick_freeze.separate_room"]


def test_suggest_rejects_an_empty_description() -> None:
    empty = run_cli("suggest", "  ")
    assert empty.returncode == 2 and "error[E501]: the description is empty" in empty.stderr
    assert "Traceback" not in empty.stderr


def test_golden_folder_exists() -> None:
    assert Path(GOLDEN).is_dir()
