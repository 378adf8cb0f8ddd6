"""The load cache (loading/cache.py): a warm load reads no YAML, parses no condition and
compiles no code, yet gives the same rule set, the same verdicts and the same error
positions; a changed file is read again; a damaged, absent or unwritable cache is only slower."""

from __future__ import annotations

import builtins
import json
import textwrap
from pathlib import Path

import pytest

from hazard_rules import load_rulesets
from hazard_rules.errors import PackErrors
from hazard_rules.loading import cache, loader
from hazard_rules.parsing import memo, parser
from tests.conftest import DEMO_PACK, EXAMPLES, RULESETS, write_rules


def _verdicts(ruleset) -> list[str]:
    lines = (EXAMPLES / "inspections.jsonl").read_text(encoding="utf-8").splitlines()
    return [ruleset.classify(json.loads(line)).model_dump_json() for line in lines if line.strip()]


def _forbid_work(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a warm load did work the cache holds")

    monkeypatch.setattr(loader, "read_yaml", refuse)
    monkeypatch.setattr(parser, "parse_condition", refuse)
    real_compile = builtins.compile

    def compile_guard(source, filename, *args, **kwargs):
        if str(filename).startswith("<hazard_rules:"):
            refuse()
        return real_compile(source, filename, *args, **kwargs)

    monkeypatch.setattr(builtins, "compile", compile_guard)


def test_a_warm_load_does_no_reading_parsing_or_compiling_and_judges_the_same(
        cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = load_rulesets(RULESETS)
    for whole in (cache_dir / f"v{cache.FORMAT}").glob("ruleset-*"):
        whole.unlink()  # the whole-Ruleset snapshot (test_load_snapshot.py): here, load from the parts
    entries = sorted(p.name for p in (cache_dir / f"v{cache.FORMAT}").iterdir())
    assert len(entries) > 100  # every pack file, and the generated code
    with monkeypatch.context() as patch:
        _forbid_work(patch)
        warm = load_rulesets(RULESETS)
    assert warm.digest == cold.digest
    assert [r.rule.id for p in warm.packs for r in p.rules] == [r.rule.id for p in cold.packs for r in p.rules]
    parts = sorted(p.name for p in (cache_dir / f"v{cache.FORMAT}").iterdir() if not p.name.startswith("ruleset-"))
    assert parts == entries  # nothing new written but the snapshot
    assert _verdicts(warm) == _verdicts(cold)


def _duplicate_rule(rules: Path) -> None:
    """A second file repeats rule D-1 of pack.yaml: the error points into pack.yaml."""
    pack = rules / "demo" / "pack.yaml"
    text = pack.read_text(encoding="utf-8")
    pack.write_text(text.replace("imports: [_shared]", "imports: [_shared]\ninclude: [more.yaml]"), encoding="utf-8")
    (rules / "demo" / "more.yaml").write_text(textwrap.dedent("""\
        rules:
          - {id: D-1, section: s1, text: 重复的, provenance: {status: verified}, when: a.workers > 3 人}
        """), encoding="utf-8")


def _errors(rules: Path) -> list[str]:
    with pytest.raises(PackErrors) as caught:
        load_rulesets(rules)
    return [str(error) for error in caught.value.errors]


def test_errors_in_cached_documents_have_the_same_positions(cache_dir: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    rules = write_rules(tmp_path / "rules")
    load_rulesets(rules)  # pack.yaml and the vocabulary are now cached, without positions
    _duplicate_rule(rules)
    pack = (rules / "demo" / "pack.yaml").read_text(encoding="utf-8")
    warm = _errors(rules)
    monkeypatch.setenv(cache.ENV, "off")
    assert _errors(rules) == warm
    assert any("duplicate rule id 'D-1'" in e and "pack.yaml:" in e for e in warm), warm
    assert pack == (rules / "demo" / "pack.yaml").read_text(encoding="utf-8")


def test_a_changed_file_is_read_again(cache_dir: Path, tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules")
    finding = {"id": "x", "date": "2024-05-01", "industries": ["demo"], "facts": {"a.workers": 5}}
    assert load_rulesets(rules).classify(finding).verdict != "major"
    pack = rules / "demo" / "pack.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace("when: a.workers > 9 人", "when: a.workers > 3 人"),
                    encoding="utf-8")
    assert load_rulesets(rules).classify(finding).verdict == "major"


def test_damaged_entries_are_misses(cache_dir: Path, tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules")
    expected = [r.rule.id for p in load_rulesets(rules).packs for r in p.rules]
    for entry in (cache_dir / f"v{cache.FORMAT}").iterdir():
        entry.write_bytes(b"\x00not marshal data")
    assert [r.rule.id for p in load_rulesets(rules).packs for r in p.rules] == expected
    for entry in (cache_dir / f"v{cache.FORMAT}").iterdir():  # valid marshal data of the wrong shape
        entry.write_bytes(__import__("marshal").dumps(("wrong", 1, 2)))
    assert [r.rule.id for p in load_rulesets(rules).packs for r in p.rules] == expected


def test_a_cache_that_is_off_or_cannot_be_written_is_only_slower(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    rules = write_rules(tmp_path / "rules")
    monkeypatch.setenv(cache.ENV, "off")
    assert cache.cache_folder() is None
    expected = [r.rule.id for p in load_rulesets(rules).packs for r in p.rules]
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(cache.ENV, str(blocker))
    assert [r.rule.id for p in load_rulesets(rules).packs for r in p.rules] == expected


def test_the_folder_is_pruned_when_it_grows_past_its_bound(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 10)
    for n in range(12):
        cache.write_entry(f"k{n:02}", n)
        monkeypatch.setattr(cache, "_pruned", [])
    kept = sorted(p.name for p in (cache_dir / f"v{cache.FORMAT}").iterdir())
    assert len(kept) <= 10 and "k11" in kept
    assert cache.read_entry("k11") == 11


def test_a_condition_tree_survives_encoding() -> None:
    from hazard_rules.parsing.parser import parse_condition

    text = ('at_least(2, a.x > 3.5 MPa, not (b.y in {"p", "q"}), count(c.items) >= 1, '
            'inspection.date - d.when > 30 d, any t in e.list: t.v is not empty, d.when < 2024-01-02) '
            'or -f.n * 2 / 3 + 1 == 0')
    node = parse_condition(text)
    assert memo.decode(memo.encode(node)) == node
    assert memo.decode(__import__("marshal").loads(__import__("marshal").dumps(memo.encode(node)))) == node
    assert DEMO_PACK  # the demo pack's conditions go through the same path in the tests above
