"""The PySpark adapter (hazard_rules.scale.spark, issue 13): on a local Spark session of two
executor threads (master local[2]) whose Python workers receive the Ruleset as a broadcast,
its verdicts are the CLI's `check --format jsonl` lines on the same records, in the same
order, and it skips and reports the same invalid records.

Needs pyspark (the `spark` extra, which `make install` installs) and a Java runtime. Without
them the tests skip on a developer's machine; in CI (.ci/run sets
HAZARD_RULES_REQUIRE_SPARK=1) they fail instead."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.scale_inputs import write_inputs

REQUIRED = os.environ.get("HAZARD_RULES_REQUIRE_SPARK") == "1"


def _missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -e '.[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (java on PATH or JAVA_HOME; Debian: apt-get install openjdk-17-jre-headless)"
    return None


def _require_spark() -> None:
    reason = _missing()
    if reason is None:
        return
    if REQUIRED:
        pytest.fail(f"HAZARD_RULES_REQUIRE_SPARK=1 but {reason}", pytrace=False)
    pytest.skip(reason)  # skip allowed: no pyspark or Java on a dev machine; .ci/run requires them


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    """One local session for the module (starting the JVM takes seconds): two executor
    threads, no web UI, bound to the loopback interface (no network needed)."""
    _require_spark()
    from pyspark.sql import SparkSession

    saved = {name: os.environ.get(name) for name in ("SPARK_LOCAL_IP", "PYSPARK_PYTHON")}
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the executors' Python workers: this interpreter
    session = (SparkSession.builder.master("local[2]").appName("hazard-rules-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.driver.memory", "512m").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three JSONL files: the example inspections, two bad lines among them; records of
    several packs' examples, after a byte order mark; and one with CRLF line ends."""
    return write_inputs(tmp_path_factory.mktemp("findings"), bom=True, crlf=True)


def _cli(files: list[Path]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "hazard_rules", "check", "--format", "jsonl", *map(str, files)],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)


@pytest.fixture(scope="module")
def cli(inputs: list[Path]) -> subprocess.CompletedProcess[str]:
    run = _cli(inputs)
    assert run.returncode == 3, run.stderr  # the two bad lines: invalid records, the rest judged
    return run


def test_verdicts_on_a_local_session_equal_the_clis(spark, inputs: list[Path], cli, shipped) -> None:
    from hazard_rules.scale import spark as scale_spark

    out = io.StringIO()
    summary = scale_spark.classify_jsonl(spark, inputs, out, ruleset=shipped, in_flight=2)
    ours, theirs = out.getvalue().splitlines(), cli.stdout.splitlines()
    assert len(ours) == len(theirs) > 100
    assert [json.loads(line) for line in ours] == [json.loads(line) for line in theirs]
    # One partition per (small) file: the invalid records are reported as `check` reports them.
    assert summary.errors == [line for line in cli.stderr.splitlines() if ": error[" in line]
    assert len(summary.errors) == 2 and all(str(inputs[0]) in e for e in summary.errors)
    assert summary.line().split(";")[0] == cli.stderr.splitlines()[-1].split(";")[0]  # "N findings: …"


def test_files_split_in_blocks_give_the_same_verdicts(spark, inputs: list[Path], cli, shipped) -> None:
    from hazard_rules.scale import spark as scale_spark

    rdd = scale_spark.verdict_rdd(spark, inputs, shipped, min_partitions=3)
    assert rdd.getNumPartitions() >= 9  # every file in at least three input splits
    out = io.StringIO()
    summary = scale_spark.write_verdicts(rdd, out, in_flight=4)
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [
        json.loads(line) for line in cli.stdout.splitlines()]
    assert len(summary.errors) == 2 and all(f"{inputs[0]}#block" in e for e in summary.errors)
    assert summary.line().split(";")[0] == cli.stderr.splitlines()[-1].split(";")[0]


def test_the_command_line_entry_point_writes_the_same_file(spark, inputs: list[Path], tmp_path: Path) -> None:
    from hazard_rules.scale import spark as scale_spark

    output = tmp_path / "verdicts.jsonl"
    assert scale_spark.main([str(inputs[1]), "-o", str(output)]) == 0  # on the active session
    assert output.read_text(encoding="utf-8") == _cli([inputs[1]]).stdout
    assert spark.sparkContext._jsc is not None  # the command did not stop a session it did not start
