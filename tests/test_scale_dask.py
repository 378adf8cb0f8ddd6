"""The Dask adapter (hazard_rules.scale.dask, issue 13): on a local cluster of two worker
processes, which receive the pickled Ruleset, its verdicts are the CLI's
`check --format jsonl` lines on the same records, in the same order, and it skips and
reports the same invalid records."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.scale_inputs import write_inputs

if os.environ.get("CI"):
    import distributed  # noqa: F401 - CI installs the dask extra (Makefile): never skip there
distributed = pytest.importorskip("distributed")

from hazard_rules.scale import dask as scale_dask  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    with cluster, distributed.Client(cluster) as connected:
        yield connected


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three JSONL files: the example inspections, a bad line among them; records of
    several packs' examples; and a larger one to be split in blocks."""
    return write_inputs(tmp_path_factory.mktemp("findings"))


def _cli(files: list[Path]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "hazard_rules", "check", "--format", "jsonl", *map(str, files)],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)


def test_verdicts_on_a_local_cluster_equal_the_clis(client, inputs: list[Path], shipped) -> None:
    cli = _cli(inputs)
    assert cli.returncode == 3, cli.stderr  # the two bad lines: invalid records, the rest judged
    out = io.StringIO()
    summary = scale_dask.classify_jsonl(inputs, out, ruleset=shipped, blocksize=16 * 1024, in_flight=4)
    ours = out.getvalue().splitlines()
    theirs = cli.stdout.splitlines()
    assert len(ours) == len(theirs) > 100
    assert [json.loads(line) for line in ours] == [json.loads(line) for line in theirs]
    assert len(summary.errors) == 2 and all("inspections.jsonl" in e for e in summary.errors)
    assert summary.line().split(";")[0] == cli.stderr.splitlines()[-1].split(";")[0]  # "N findings: …"
    assert distributed.default_client() is client  # the work ran on the cluster's two worker processes


def test_the_command_line_entry_point_writes_the_same_file(inputs: list[Path], tmp_path: Path) -> None:
    output = tmp_path / "verdicts.jsonl"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONIOENCODING="utf-8")
    run = subprocess.run([sys.executable, "-m", "hazard_rules.scale.dask", str(inputs[1]), "-o", str(output)],
                         capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    assert output.read_text(encoding="utf-8") == _cli([inputs[1]]).stdout
