"""The inspector's own label (`claimed`): confirms, contradicts, unsupported (docs/scopes.md)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hazard_rules import RecordError, load_rulesets

from .conftest import run_cli


@pytest.fixture(scope="module")
def shipped():
    return load_rulesets()


def judged(shipped, facts: dict, level: str, clauses: list[str], industries=("gongmao.dust",)):
    record = {"id": "C", "date": "2024-05-01", "industries": list(industries), "facts": facts,
              "claimed": {"level": level, "clauses": clauses}}
    return shipped.classify(record)


DRY_NO_CONTROLS = {"dust.system.type": "dry", "dust.explosion_control.venting": "absent",
                   "dust.explosion_control.inerting": "absent", "dust.explosion_control.suppression": "absent",
                   "dust.explosion_control.other": "absent"}


@pytest.mark.parametrize("clause", ["第十一条（三）", "第十一条(三)", "第十一条第（三）项", "GM2023-11-3", "第十一条"])
def test_a_right_label_is_confirmed_however_the_clause_is_written(shipped, clause) -> None:
    verdict = judged(shipped, DRY_NO_CONTROLS, "major", [clause])
    assert verdict.verdict == "major" and verdict.claim.agreement == "confirms", verdict.claim


def test_a_wrong_clause_is_contradicted(shipped) -> None:
    verdict = judged(shipped, DRY_NO_CONTROLS, "major", ["第十一条（六）"])
    assert verdict.verdict == "major"
    assert verdict.claim.agreement == "unsupported"  # 11-6 is cited, so judged whole: its facts are missing
    decided = judged(shipped, {**DRY_NO_CONTROLS, "dust.system.dust_kind": "other"}, "major", ["第十一条（六）"])
    assert decided.claim.agreement == "contradicts"
    assert decided.claim.notes == ["the facts decide 第十一条（六） false"]


def test_ordinary_claimed_for_a_major_is_contradicted(shipped) -> None:
    verdict = judged(shipped, DRY_NO_CONTROLS, "ordinary", [])
    assert verdict.claim.agreement == "contradicts"
    assert verdict.claim.notes == ["claimed ordinary, but the facts make GM2023-11-3 true"]


def test_a_cited_clause_is_considered_even_without_its_subject_facts(shipped) -> None:
    verdict = judged(shipped, {"dust.system.type": "dry"}, "major", ["第十一条（三）"])
    assert verdict.verdict == "undetermined" and verdict.claim.agreement == "unsupported"
    assert verdict.undetermined[0].rule == "GM2023-11-3"
    assert verdict.claim.notes[0].startswith("第十一条（三） is open: record dust.explosion_control.inerting")


def test_a_clause_that_does_not_exist_or_does_not_apply_is_contradicted(shipped) -> None:
    missing = judged(shipped, DRY_NO_CONTROLS, "major", ["第十五条（一）"])
    assert missing.claim.agreement == "contradicts"
    assert missing.claim.notes[0].startswith("第十五条（一） is not a clause of 工贸企业重大事故隐患判定标准")
    elsewhere = judged(shipped, DRY_NO_CONTROLS, "major", ["第十二条（二）"])
    assert elsewhere.claim.agreement == "contradicts"
    assert elsewhere.claim.notes[0] == ("第十二条（二） applies to gongmao.ammonia, which the finding's industries "
                                        "do not bring in")


def test_an_ordinary_label_is_confirmed_by_a_near_miss(shipped) -> None:
    verdict = judged(shipped, {"dust.system.dust_kind": "metal", "dust.system.pressure_mode": "negative"},
                     "ordinary", [])
    assert verdict.verdict == "ordinary" and verdict.claim.agreement == "confirms"


def test_a_bad_label_is_a_bad_record(shipped) -> None:
    with pytest.raises(RecordError) as caught:
        shipped.classify({"id": "C", "date": "2024-05-01", "claimed": {"level": "serious"}})
    assert "'claimed.level' must be 'major' or 'ordinary', not 'serious'" in caught.value.render()
    assert "hint:" in caught.value.render()


def test_check_fails_on_disagreement_and_counts_it(tmp_path) -> None:
    records = [
        {"id": "A", "date": "2024-05-01", "industries": ["gongmao.dust"], "facts": DRY_NO_CONTROLS,
         "claimed": {"level": "major", "clauses": ["第十一条（三）"]}},
        {"id": "B", "date": "2024-05-01", "industries": ["gongmao.dust"], "facts": DRY_NO_CONTROLS,
         "claimed": {"level": "ordinary"}},
        {"id": "C", "date": "2024-05-01", "industries": ["gongmao.dust"], "facts": {}},
    ]
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    plain = run_cli("check", str(path), "--format", "jsonl")
    assert plain.returncode == 0, plain.stderr
    assert "1 of 2 inspector labels disagree (1 contradicted, 0 unsupported)" in plain.stderr
    gate = run_cli("check", str(path), "--format", "jsonl", "--fail-on", "disagreement")
    assert gate.returncode == 1
    agreements = [json.loads(line)["claim"] for line in gate.stdout.splitlines()]
    assert [c and c["agreement"] for c in agreements] == ["confirms", "contradicts", None]


def test_a_bad_record_gets_the_same_message_from_the_library_and_the_cli(shipped, tmp_path) -> None:
    """One record path: the library and `check` validate through the same function."""
    record = {"id": "X", "date": "2024-13-01", "industries": ["gongmao.dust"]}
    with pytest.raises(RecordError) as caught:
        shipped.classify(record)
    library = caught.value
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    cli = run_cli("check", str(path))
    assert cli.returncode == 3
    assert f"error[E401]: {library.message} (line 1)" in cli.stderr
    assert f"hint: {library.hint}" in cli.stderr and library.hint


@pytest.mark.parametrize("clause", ["第11条（三）", "第十一条第三项", "第十一条（3）", "gm2023-11-3",
                                    "《工贸企业重大事故隐患判定标准》第十一条（三）"])
def test_the_ways_inspectors_write_a_clause(shipped, clause) -> None:
    assert judged(shipped, DRY_NO_CONTROLS, "major", [clause]).claim.agreement == "confirms"


def test_a_clause_of_a_finding_no_standard_was_applied_to_is_unsupported(shipped) -> None:
    verdict = judged(shipped, {}, "major", ["第十一条（三）"], industries=("mining",))
    assert verdict.claim.agreement == "unsupported"
    assert verdict.claim.notes[0] == ("第十一条（三） cannot be checked: "
                                      "no standard was applied to the finding (see reasons)")


def test_explain_reports_why_the_finding_asked_for_is_invalid(tmp_path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "E1", "date": "2024-13-01", "industries": ["gongmao.dust"]}\n', encoding="utf-8")
    shown = run_cli("explain", str(path), "--id", "E1")
    assert shown.returncode == 3 and "'date' is not a date YYYY-MM-DD ('2024-13-01')" in shown.stderr
    assert "no finding with id" not in shown.stderr


@pytest.mark.parametrize(("industries", "date", "clause", "rule"), [
    (["hazchem"], "2024-05-01", "第五项", "HC2017-5"),
    (["hazchem"], "2024-05-01", "判定标准第（五）项", "HC2017-5"),
    (["hazchem"], "2024-05-01", "(5)", "HC2017-5"),
    (["fireworks.retail"], "2024-05-01", "第二十项", "FW2017-20"),
    (["civil_explosives"], "2025-05-01", "第八项", "MB2024-8"),
    (["special_equipment.boiler"], "2025-05-01", "4.2 c)", "SE2024-4.2-c"),
    (["gongmao.dust"], "2022-05-01", "专项类（一）第3项", "GM2017-1-1-3"),
])
def test_items_of_standards_without_articles_are_cited_as_inspectors_write_them(shipped, industries, date, clause,
                                                                                 rule) -> None:
    from hazard_rules.classifying.claims import resolve
    from hazard_rules.findings.model import Claim

    chosen = [p for p, _ in shipped._packs_for(tuple(industries), dt.date.fromisoformat(date), [])]
    [citation] = resolve(Claim(level="major", clauses=[clause]), chosen)
    assert [p.rules[i].rule.id for p, i in citation.rules] == [rule]


def test_an_item_number_alone_does_not_cite_a_standard_with_articles(shipped) -> None:
    from hazard_rules.classifying.claims import resolve
    from hazard_rules.findings.model import Claim

    [citation] = resolve(Claim(level="major", clauses=["（三）"]), [p for p in shipped.packs if p.id == "gongmao-2023"])
    assert citation.rules == []      # 第几条的（三）? ambiguous: not resolved
