"""Items with sub-items (金属非金属矿山, 煤矿 2026): the verdict names each matched sub-item, and
`items` counts an item once however many of its sub-items match (issue 10)."""

from __future__ import annotations

import pytest

from hazard_rules.classifying.citations import item_of

UNDERGROUND = {"id": "FM-1", "date": "2023-03-15", "industries": ["metal_mine.underground"]}


@pytest.mark.parametrize(("clause", "item"), [
    ("（一）2", "（一）"), ("（二十）6", "（二十）"), ("(三)1", "(三)"), ("（一）", "（一）"), ("第10项", "第10项"),
    ("6.1", "6.1"), ("a)", "a)"), (None, None),
])
def test_the_item_of_a_clause(clause: str | None, item: str | None) -> None:
    assert item_of(clause) == item


def test_two_sub_items_of_one_item_are_one_item(shipped) -> None:
    verdict = shipped.classify({**UNDERGROUND, "facts": {
        "underground.exits.independent_count": 2, "underground.exits.spacing": 29.5,
        "underground.exits.as_designed": False}})
    assert [m.rule for m in verdict.matches] == ["MM2022-U-1-1", "MM2022-U-1-2"]
    assert [(i.article, i.item, i.clauses, i.rules) for i in verdict.items] == [
        ("地下矿山", "（一）", ["（一）1", "（一）2"], ["MM2022-U-1-1", "MM2022-U-1-2"])]


def test_one_sub_item_is_its_item(shipped) -> None:
    verdict = shipped.classify({**UNDERGROUND, "facts": {
        "underground.exits.independent_count": 2, "underground.exits.spacing": 29.5}})
    assert [m.rule for m in verdict.matches] == ["MM2022-U-1-2"]
    assert [(i.item, i.clauses) for i in verdict.items] == [("（一）", ["（一）2"])]


def test_items_of_different_numbers_count_apart(shipped) -> None:
    verdict = shipped.classify({**UNDERGROUND, "facts": {
        "underground.exits.independent_count": 1, "metal_mine.prohibited.in_use": True}})
    assert [(i.item, i.rules) for i in verdict.items] == [("（一）", ["MM2022-U-1-1"]), ("（二）", ["MM2022-U-2"])]


def test_no_match_no_items(shipped) -> None:
    verdict = shipped.classify({**UNDERGROUND, "facts": {"underground.exits.independent_count": 3,
                                                         "underground.exits.as_designed": True}})
    assert verdict.verdict != "major" and verdict.items == []


def test_the_csv_output_lists_each_item_once(tmp_path) -> None:
    import csv
    import io
    import json

    from .conftest import run_cli

    record = {**UNDERGROUND, "facts": {"underground.exits.independent_count": 2, "underground.exits.spacing": 29.5,
                                       "underground.exits.as_designed": False}}
    file = tmp_path / "f.jsonl"
    file.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run_cli("check", str(file), "--format", "csv")
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert row["articles"] == "地下矿山（一）1;地下矿山（一）2" and row["items"] == "地下矿山（一）"
