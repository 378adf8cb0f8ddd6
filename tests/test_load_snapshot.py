"""The whole-Ruleset snapshot (classifying/snapshot.py) and pickling a Ruleset (issue 13):
a warm load restores the checked rule set without loading any pack, yet judges the same; an
edited rule or tests file, or changed engine code, is a miss; a damaged entry is a miss; an
unwritable folder means no snapshot; and a pickled Ruleset judges every example the same."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from hazard_rules import load_rulesets
from hazard_rules.classifying import load, snapshot
from hazard_rules.loading import cache
from tests.conftest import RULESETS, write_rules
from tests.pack_findings import example_records

FINDING = {"id": "x", "date": "2024-05-01", "industries": ["demo"], "facts": {"a.workers": 5}}


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The rules folders actually loaded (not restored from a snapshot), in order."""
    done: list[Path] = []
    real = load._load_packs

    def counting(root, folders, tests):
        done.append(root)
        return real(root, folders, tests)

    monkeypatch.setattr(load, "_load_packs", counting)
    return done


def _snapshots(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / f"v{cache.FORMAT}").glob("ruleset-*"))


def _verdicts(ruleset, records: list[dict]) -> list[str]:
    return [ruleset.classify(record, scope=scope).model_dump_json()
            for record in records for scope in ("finding", "enterprise")]


def test_a_pickled_ruleset_judges_every_example_the_same(shipped) -> None:
    records = example_records()
    assert len(records) > 300
    restored = pickle.loads(pickle.dumps(shipped))
    assert restored is not shipped and restored.digest == shipped.digest
    assert _verdicts(restored, records) == _verdicts(shipped, records)
    # what classifying compiled and memoised is not pickled, only the checked packs
    assert pickle.loads(pickle.dumps(restored))._plans == {}


def test_a_warm_load_is_restored_whole_and_judges_the_same(cache_dir: Path, loads: list[Path]) -> None:
    cold = load_rulesets(RULESETS)
    assert len(_snapshots(cache_dir)) == 1
    warm = load_rulesets(RULESETS)
    assert loads == [RULESETS]  # the second load read no pack
    assert warm.digest == cold.digest
    records = example_records()[:80]
    assert _verdicts(warm, records) == _verdicts(cold, records)


def test_an_edited_rule_file_is_seen_by_the_next_load(cache_dir: Path, tmp_path: Path, loads: list[Path]) -> None:
    rules = write_rules(tmp_path / "rules")
    assert load_rulesets(rules).classify(FINDING).verdict != "major"
    assert load_rulesets(rules).classify(FINDING).verdict != "major"
    assert len(loads) == 1
    pack = rules / "demo" / "pack.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace("when: a.workers > 9 人", "when: a.workers > 3 人"),
                    encoding="utf-8")
    assert load_rulesets(rules).classify(FINDING).verdict == "major"
    assert len(loads) == 2
    vocabulary = rules / "_shared" / "vocabulary.yaml"  # an imported vocabulary counts too
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    load_rulesets(rules / "demo")  # one pack folder: its shared vocabularies beside it count
    load_rulesets(rules / "demo")
    assert len(loads) == 3


def test_changed_engine_code_is_a_miss(cache_dir: Path, tmp_path: Path, loads: list[Path],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    rules = write_rules(tmp_path / "rules")
    load_rulesets(rules)
    monkeypatch.setattr(snapshot, "engine_digest", lambda: b"another version of the engine")
    load_rulesets(rules)
    assert len(loads) == 2
    assert len(_snapshots(cache_dir)) == 2


def test_damaged_snapshots_are_misses(cache_dir: Path, tmp_path: Path, loads: list[Path]) -> None:
    rules = write_rules(tmp_path / "rules")
    expected = load_rulesets(rules).classify(FINDING).model_dump_json()
    (entry,) = _snapshots(cache_dir)
    for damage in (b"\x00not a pickle", entry.read_bytes()[:1000], pickle.dumps({"a": "dict"}),
                   pickle.dumps(("wrong", 1))):
        entry.write_bytes(damage)
        assert load_rulesets(rules).classify(FINDING).model_dump_json() == expected
    assert len(loads) == 5


def test_no_snapshot_when_the_cache_is_off_or_unwritable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         loads: list[Path]) -> None:
    rules = write_rules(tmp_path / "rules")
    monkeypatch.setenv(cache.ENV, "off")
    assert snapshot.snapshot_key(rules, tests=False) is None
    load_rulesets(rules)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(cache.ENV, str(blocker))
    load_rulesets(rules)
    assert load_rulesets(rules).classify(FINDING).verdict != "major"
    assert len(loads) == 3


def test_loads_with_tests_have_their_own_snapshot(cache_dir: Path, tmp_path: Path, loads: list[Path]) -> None:
    rules = write_rules(tmp_path / "rules")
    (rules / "demo" / "pack.tests.yaml").write_text(
        "tests:\n  D-1:\n    - {name: 十人, facts: {a.workers: 10}, expect: true}\n", encoding="utf-8")
    assert not load_rulesets(rules).tests_read
    with_tests = load_rulesets(rules, tests=True)
    assert with_tests.tests_read and [t.name for t in with_tests.rule("D-1")[1].rule.tests] == ["十人"]
    assert [t.name for t in load_rulesets(rules, tests=True).rule("D-1")[1].rule.tests] == ["十人"]
    assert not load_rulesets(rules).tests_read
    assert len(loads) == 2
    (rules / "demo" / "pack.tests.yaml").write_text(
        "tests:\n  D-1:\n    - {name: 十一人, facts: {a.workers: 11}, expect: true}\n", encoding="utf-8")
    assert [t.name for t in load_rulesets(rules, tests=True).rule("D-1")[1].rule.tests] == ["十一人"]
    assert len(loads) == 3
    load_rulesets(rules)  # a classifying load does not read tests: its snapshot still holds
    assert len(loads) == 3


def test_errors_of_a_restored_ruleset_still_point_into_the_files(cache_dir: Path, tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules")
    cold = load_rulesets(rules)
    warm = load_rulesets(rules)
    cold_doc, warm_doc = (r.packs[0].checked.source.documents[0] for r in (cold, warm))
    assert warm_doc.span(("rules", 0)) == cold_doc.span(("rules", 0))
    assert warm_doc.data == cold_doc.data  # read again from the text on demand


def test_a_pack_folder_behind_a_symbolic_link_is_hashed_too(cache_dir: Path, tmp_path: Path,
                                                            loads: list[Path]) -> None:
    elsewhere = write_rules(tmp_path / "elsewhere")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "demo").symlink_to(elsewhere / "demo", target_is_directory=True)
    (rules / "_shared").symlink_to(elsewhere / "_shared", target_is_directory=True)
    assert load_rulesets(rules).classify(FINDING).verdict != "major"
    pack = elsewhere / "demo" / "pack.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace("when: a.workers > 9 人", "when: a.workers > 3 人"),
                    encoding="utf-8")
    assert load_rulesets(rules).classify(FINDING).verdict == "major"
    assert len(loads) == 2


def test_only_the_newest_snapshots_are_kept(cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "MAX_SNAPSHOTS", 2)
    for n in range(4):
        load_rulesets(write_rules(tmp_path / f"rules{n}"))
    assert len(_snapshots(cache_dir)) == 2


def test_a_ruleset_pickled_by_another_engine_is_refused(shipped, monkeypatch: pytest.MonkeyPatch) -> None:
    from hazard_rules.errors import UsageError

    data = pickle.dumps(shipped)
    monkeypatch.setattr(snapshot, "engine_digest", lambda: b"another version of the engine")
    with pytest.raises(UsageError, match="another version of hazard_rules"):
        pickle.loads(data)
