"""Shared helpers: paths, a demo pack builder, and running the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

# The load cache (loading/cache.py) goes to a folder of this run, not the user's ~/.cache:
# tests write thousands of packs. CLI subprocesses inherit it.
os.environ["HAZARD_RULES_CACHE"] = tempfile.mkdtemp(prefix="hazard-rules-cache-")

# Fixture packs hold `.tests.yaml` files (some failing on purpose): the pack-test plugin must
# not collect them as tests of this suite; the tests that use them run them themselves.
collect_ignore = ["fixtures"]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
RULESETS = ROOT / "rulesets"


def assert_golden(path: Path, text: str) -> None:
    """text equals the golden file at path; UPDATE_GOLDENS=1 writes it instead. A missing golden
    file fails (never skipped)."""
    if os.environ.get("UPDATE_GOLDENS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"{path} is missing; run with UPDATE_GOLDENS=1 to create it"
    assert text == path.read_text(encoding="utf-8")


def run_cli(*args: str, cwd: Path | None = None, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m hazard_rules ARGS` as a user would, capturing text output."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8", COLUMNS="200", NO_COLOR="1", TERM="dumb")
    return subprocess.run([sys.executable, "-m", "hazard_rules", *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", input=input, timeout=300)


DEMO_PACK = """\
standard:
  family: demo
  name: 演示标准
  number: 演示〔2024〕1号
  issuer: 演示部
  effective_from: 2024-01-01
  supersedes: {name: 演示标准（旧版）, number: 演示〔2019〕9号}
scope:
  industries: [demo]
  delegations:
    - {industries: [fire], standard: 重大火灾隐患判定方法, article: 第二条}
  outside:
    - {industries: [demo.user], reason: 本标准适用于经营者，不适用于用户}
imports: [_shared]
facts:
  a.workers: {label: 人数, type: int, unit: 人}
  a.kind: {label: 类型, type: enum, values: {dry: 干式, wet: 湿式}}
  a.controls: {label: 措施, type: set, values: {venting: 泄爆, inerting: 惰化}}
  a.pressure: {label: 压力, type: decimal, unit: kPa}
  a.alarm: {label: 报警装置, type: device}
  a.expiry: {label: 证书有效期, type: date}
  a.grade: {label: 等级, type: enum, ordered: true, values: {blue: 蓝色, yellow: 黄色, orange: 橙色, red: 红色}}
  a.ok: {label: 是否合格, type: bool}
  a.tanks:
    label: 储罐
    type: list
    fields:
      level: {type: int}
      cutoff: {type: bool}
conditions:
  dry: a.kind == "dry"
sections:
  - {id: s1, article: 第一条}
rules:
  - {id: D-1, section: s1, text: 人数超过9人的, provenance: {status: verified}, when: a.workers > 9 人}
  - {id: D-2, section: s1, text: 干式无措施的, provenance: {status: verified}, when: dry and a.controls is empty}
  - id: D-3
    section: s1
    text: 压力小于30kPa或报警装置失效的
    provenance: {status: verified}
    when: a.pressure < 0.03 MPa or a.alarm != "effective"
  - id: D-4
    section: s1
    text: 储罐液位高且无切断的
    provenance: {status: unverified}
    when: >-
      any t in a.tanks: t.level > 1 and not t.cutoff
  - id: D-5
    section: s1
    text: 证书过期超过30天的
    provenance: {status: verified}
    when: inspection.date - a.expiry > 30 d
    unless: a.ok
provisions:
  - id: D-P
    article: 第九条
    kind: device_equivalence
    text: 失效视同未设置。
    type: device
    values: [failed, bypassed, disabled]
"""


def write_rules(root: Path, pack_yaml: str = DEMO_PACK, name: str = "demo") -> Path:
    """A rules folder with one pack and the shared vocabulary; returns the folder."""
    (root / name).mkdir(parents=True, exist_ok=True)
    (root / name / "pack.yaml").write_text(textwrap.dedent(pack_yaml), encoding="utf-8")
    shared = root / "_shared"
    shared.mkdir(exist_ok=True)
    (shared / "vocabulary.yaml").write_text((RULESETS / "_shared" / "vocabulary.yaml").read_text(encoding="utf-8"),
                                            encoding="utf-8")
    return root


@pytest.fixture
def demo_rules(tmp_path: Path) -> Path:
    return write_rules(tmp_path / "rules")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A load cache of the test's own, empty at the start."""
    from hazard_rules.loading import cache

    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    monkeypatch.setattr(cache, "_pruned", [])
    return folder


@pytest.fixture(scope="session")
def shipped():
    from hazard_rules import load_rulesets

    return load_rulesets()
