"""`rules diff`: end to end in subprocesses, with golden outputs (UPDATE_GOLDENS=1 rewrites them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rich.cells import cell_len

from .conftest import ROOT, assert_golden, run_cli, write_rules

GOLDEN = ROOT / "tests" / "golden" / "diff"

HEADER = """\
standard:
  family: demo
  name: 演示标准
  number: 演示〔2024〕1号
  issuer: 演示部
  effective_from: 2024-01-01
scope:
  industries: [demo]
facts:
  a.workers: {label: 人数, type: int, unit: 人}
  a.kind: {label: 类型, type: enum, values: {dry: 干式, wet: 湿式}}
  a.ok: {label: 是否合格, type: bool}
"""

OLD = HEADER + """\
sections:
  - {id: s1, article: 第一条}
rules:
  - {id: D-1, section: s1, clause: （一）, text: 人数超过9人的, provenance: {status: verified}, when: a.workers > 9 人}
  - {id: D-2, section: s1, clause: （二）, text: 干式不合格的, provenance: {status: verified},
     when: a.kind == "dry" and not a.ok}
  - {id: D-3, section: s1, clause: （三）, text: 湿式的, provenance: {status: verified}, when: a.kind == "wet"}
"""

OLD_TESTS = """\
tests:
  D-1:
    - {name: 十人, facts: {a.workers: 10}, expect: true}
    - {name: 五人, facts: {a.workers: 5}, expect: false}
  D-2:
    - {name: 干式不合格, facts: {a.kind: dry, a.ok: false}, expect: true}
  D-3:
    - {name: 湿式, facts: {a.kind: wet}, expect: true}
"""

# D-1's threshold moves (> 9 → >= 9), D-2 is only laid out differently, D-3 goes, D-4 comes
# with a new fact.
NEW = HEADER + """\
  a.pressure: {label: 压力, type: decimal, unit: kPa}
sections:
  - {id: s1, article: 第一条}
rules:
  - {id: D-1, section: s1, clause: （一）, text: 人数超过9人的, provenance: {status: verified}, when: a.workers >= 9 人}
  - id: D-2
    section: s1
    clause: （二）
    text: 干式不合格的
    provenance: {status: verified}
    when: >-
      (a.kind  ==  "dry")
        and (not a.ok)
  - {id: D-4, section: s1, clause: （四）, text: 压力低于30kPa的, provenance: {status: verified},
     when: a.pressure < 0.03 MPa}
"""

NEW_TESTS = """\
tests:
  D-1:
    - {name: 十人, facts: {a.workers: 10}, expect: true}
    - {name: 五人, facts: {a.workers: 5}, expect: false}
  D-2:
    - {name: 干式不合格, facts: {a.kind: dry, a.ok: false}, expect: true}
  D-4:
    - {name: 二十千帕, facts: {a.pressure: 20}, expect: true}
"""


def demo(root: Path, pack: str, tests: str) -> Path:
    write_rules(root, pack)
    (root / "demo" / "pack.tests.yaml").write_text(textwrap.dedent(tests), encoding="utf-8")
    return root


def golden(name: str, text: str) -> None:
    assert_golden(GOLDEN / f"{name}.txt", text)


@pytest.fixture
def two_versions(tmp_path: Path) -> Path:
    demo(tmp_path / "old", OLD, OLD_TESTS)
    demo(tmp_path / "new", NEW, NEW_TESTS)
    return tmp_path


def run_at(width: int, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """run_cli with the output `width` columns wide."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8", COLUMNS=str(width), NO_COLOR="1", TERM="dumb")
    return subprocess.run([sys.executable, "-m", "hazard_rules", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)


@pytest.mark.parametrize("width", [80, 120])
def test_two_folders_text(two_versions: Path, width: int) -> None:
    result = run_at(width, "rules", "diff", "old", "new", cwd=two_versions)
    assert result.returncode == 1, result.stderr
    golden(f"folders-{width}", result.stdout)
    assert "D-2" not in result.stdout     # a layout-only edit is no change
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= width


def test_two_folders_json(two_versions: Path) -> None:
    result = run_cli("rules", "diff", "old", "new", "--format", "json", cwd=two_versions)
    assert result.returncode == 1, result.stderr
    golden("folders-json", result.stdout)
    report = json.loads(result.stdout)
    assert report["matched_by"] == "rule id"
    assert [r["id"] for r in report["added"]] == ["D-4"]
    assert [r["id"] for r in report["removed"]] == ["D-3"]
    [changed] = report["changed"]
    assert changed["old"]["id"] == "D-1" and changed["parts"] == ["when"]
    assert (changed["old"]["when"], changed["new"]["when"]) == ("a.workers > 9 人", "a.workers >= 9 人")
    assert [f["id"] for f in report["facts"]] == ["a.pressure"]
    nine = [v for v in report["verdicts"] if v["facts"] == {"a.workers": 9}]
    assert len(nine) == 1, report["verdicts"]
    assert (nine[0]["old"]["verdict"], nine[0]["new"]["verdict"]) == ("ordinary", "major")
    assert nine[0]["new"]["matches"][0]["because"] == {"a.workers": 9}


def test_same_folder_no_difference(two_versions: Path) -> None:
    result = run_cli("rules", "diff", "old", "old/demo", cwd=two_versions)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 added, 0 removed, 0 changed" in result.stdout


def test_given_findings(two_versions: Path) -> None:
    findings = two_versions / "findings.jsonl"
    records = [{"id": "F1", "date": "2024-05-01", "industries": ["demo"], "facts": {"a.workers": 9}},
               {"id": "F2", "date": "2024-05-01", "industries": ["demo"], "facts": {"a.workers": 12}}]
    findings.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = run_cli("rules", "diff", "old", "new", "--no-generate", "--findings", "findings.jsonl",
                     "--format", "json", cwd=two_versions)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["findings_judged"] == 2
    assert [v["finding"] for v in report["verdicts"]] == ["F1"]
    assert report["verdicts"][0]["origin"] == "findings.jsonl:record 1"


def test_git_revisions(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    demo(repo / "rules", OLD, OLD_TESTS)

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=repo,
                       check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "old")
    demo(repo / "rules", NEW, NEW_TESTS)
    git("commit", "-q", "-am", "new")
    whole = run_cli("rules", "diff", "HEAD~1:rules", "HEAD:rules", cwd=repo)
    assert whole.returncode == 1, whole.stderr
    golden("git", whole.stdout)
    # one pack folder of a revision (its shared vocabularies come along) against the work tree
    pack = run_cli("rules", "diff", "HEAD~1:rules/demo", "rules/demo", "--format", "json", cwd=repo / ".")
    assert pack.returncode == 1, pack.stderr
    assert json.loads(pack.stdout)["summary"]["rules_changed"] == 1
    # from a subfolder, PATH is relative to it, as with `git show REV:./PATH`
    inside = run_cli("rules", "diff", "HEAD~1:demo", "HEAD:demo", "--format", "json", cwd=repo / "rules")
    assert inside.returncode == 1, inside.stderr
    missing = run_cli("rules", "diff", "nosuchrev:rules", "rules", cwd=repo)
    assert missing.returncode == 2
    assert "cannot read nosuchrev:rules from git" in missing.stderr and "git log --oneline" in missing.stderr


def test_usage_errors(two_versions: Path) -> None:
    for args in (["old"], ["--pack", "coal-2020"], ["old", "new", "--pack", "a", "--to", "b"],
                 ["old", "nowhere"], ["--pack", "coal-2020", "--to", "coal-2099"],
                 ["old", "new", "--findings", "missing.jsonl"]):
        result = run_cli("rules", "diff", *args, cwd=two_versions)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "error" in result.stderr and "Traceback" not in result.stderr


def test_shipped_coal_editions(tmp_path: Path) -> None:
    findings = tmp_path / "coal.jsonl"
    record = {"id": "C1", "date": "2027-03-01", "industries": ["coal"],
              "facts": {"production.capacity": 1200000, "production.planned_output": 1500000}}
    findings.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = run_cli("rules", "diff", "--pack", "coal-2020", "--to", "coal-2026", "--format", "json",
                     "--findings", str(findings))
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["matched_by"] == "article+clause"
    assert report["packs"] == [{"old": "coal-2020", "new": "coal-2026"}]
    summary = report["summary"]
    assert summary["rules_added"] > 0 and summary["rules_removed"] > 0 and summary["rules_changed"] > 0
    assert all(r["pack"] == "coal-2026" for r in report["added"])
    assert all(r["pack"] == "coal-2020" for r in report["removed"])
    for change in report["changed"]:
        same_place = (change["old"]["article"], change["old"]["clause"]) == (change["new"]["article"],
                                                                         change["new"]["clause"])
        assert change["paired"].startswith("article+clause" if same_place else "resembling text")
        assert change["parts"]
    # a given finding of 2027: the 2020 edition judges it on its last day, 2026 on the finding's date
    [given] = [v for v in report["verdicts"] if v["finding"] == "C1"]
    assert (given["old"]["as_of"], given["new"]["as_of"]) == ("2026-06-30", "2027-03-01")
    assert given["old"]["verdict"] == "major" and given["unread_by_new"] == ["production.planned_output"]
    pairs = {c["old"]["id"]: c["new"]["id"] for c in report["changed"]}
    # 2026 inserted articles: 第十条（一）（采矿许可证层位/标高）is now 第九条（一）
    assert pairs["CM2020-10-1"] == "CM2026-9-1"
    assert 0 < summary["verdicts_changed"] <= summary["findings_judged"]
    for change in report["verdicts"][:50]:
        assert change["old"]["as_of"] < "2026-07-01" <= change["new"]["as_of"]  # each edition in its period
        assert all(m["rule"].startswith("CM2020") for m in change["old"]["matches"])
        assert all(m["rule"].startswith("CM2026") for m in change["new"]["matches"])


def test_two_packs_renumbered(tmp_path: Path) -> None:
    """Two different packs (one a revision that renumbered the article): rules are paired by
    article and clause, else by resembling text, and a match of either counts as the same."""
    demo(tmp_path / "old", OLD, OLD_TESTS)
    write_rules(tmp_path / "new", NEW.replace("第一条", "第二条"), name="demo-next")
    result = run_cli("rules", "diff", "old/demo", "new/demo-next", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["matched_by"] == "article+clause"
    changed = {c["old"]["id"]: c for c in report["changed"]}
    assert changed["D-1"]["parts"] == ["article", "when"]
    assert changed["D-1"]["paired"] == "resembling text (100% alike)"
    assert changed["D-2"]["parts"] == ["article"]          # moved, its condition only laid out anew
    assert [r["id"] for r in report["removed"]] == ["D-3"]
    assert [r["id"] for r in report["added"]] == ["D-4"]
    # D-2 matches on both sides (as 第一条（二） and as 第二条（二）): no verdict change for it
    assert not [v for v in report["verdicts"] if v["facts"] == {"a.kind": "dry", "a.ok": False}]


def test_named_condition_edit_changes_the_rules_using_it(tmp_path: Path) -> None:
    """Conditions are compared as checked trees with named conditions inlined: editing a named
    condition changes the rules that use it; re-laying it out changes nothing."""
    from hazard_rules import load_rulesets
    from hazard_rules.authoring.diff import diff_rulesets

    pack = OLD + 'conditions:\n  dry: a.kind == "dry"\n'
    pack = pack.replace('when: a.kind == "dry" and not a.ok', "when: dry and not a.ok")
    old = load_rulesets(write_rules(tmp_path / "a", pack))
    laid_out = load_rulesets(write_rules(tmp_path / "b", pack.replace('dry: a.kind == "dry"', 'dry: (a.kind=="dry")')))
    edited = load_rulesets(write_rules(tmp_path / "c", pack.replace('dry: a.kind == "dry"', 'dry: a.kind != "wet"')))
    assert not diff_rulesets(old, laid_out, "a", "b").differs
    [change] = diff_rulesets(old, edited, "a", "c").changed
    assert change.old.id == "D-2" and change.parts == ("when",)
    assert (change.old.when, change.new.when) == ('dry and not a.ok; dry = a.kind == "dry"',
                                                  'dry and not a.ok; dry = a.kind != "wet"')
