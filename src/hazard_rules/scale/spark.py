"""Classify JSONL findings with PySpark (an RDD of text lines), locally or on a cluster; docs/scale.md.

    python -m hazard_rules.scale.spark FILES... -o verdicts.jsonl [--master local[2] | spark://HOST:7077 | yarn]

The checked Ruleset is loaded once by the driver and sent to the executors as one broadcast
variable (pickled once; each executor's Python worker unpickles it once and keeps it, with
its memo tables, for its later tasks). Each file is read with `SparkContext.textFile` (any
path Hadoop reads: local, hdfs://, s3a:// …), a partition per input split, and each
partition is judged on an executor exactly as `hazard-rules check` reads and judges a
.jsonl file (scale/partition.py: the same reader, the same `pipeline.classify_read`), in
`mapPartitionsWithIndex`: plain Python strings, no pandas or pyarrow. The verdicts come
back to the driver in input order (`SparkContext.runJob`, --in-flight partitions at a time):
the same lines as `hazard-rules check --format jsonl` on the same files. Invalid records are
skipped and reported, as by `check` and the Dask adapter; a file read in more than one split
names its blocks (`file#block3`) and the line in the block.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import IO, Any

from pyspark import RDD, Broadcast, SparkContext
from pyspark.sql import SparkSession

from ..classifying.load import load_rulesets
from ..classifying.ruleset import Ruleset
from ..findings.model import Scope
from .partition import PartResult, Summary, classify_lines, command_parser, missing_files, part_source

BOM = "\ufeff"


def _context(spark: SparkSession | SparkContext) -> SparkContext:
    return spark.sparkContext if isinstance(spark, SparkSession) else spark


def verdict_rdd(spark: SparkSession | SparkContext, paths: Sequence[str | Path], ruleset: Ruleset | Broadcast[Ruleset],
                *, min_partitions: int = 1, scope: Scope = "finding", strict: bool = False,
                as_of: dt.date | None = None) -> RDD[PartResult]:
    """An RDD with one PartResult per partition, in input order: each file split in Hadoop's
    input splits (at least min_partitions; a file larger than the file system's block size,
    32 MiB for local files, in several)."""
    sc = _context(spark)
    rules = ruleset if isinstance(ruleset, Broadcast) else sc.broadcast(ruleset)
    parts = []
    for path in map(str, paths):
        text = sc.textFile(path, minPartitions=min_partitions)
        judge = partial(_partition, rules, path, text.getNumPartitions(), scope, strict, as_of)
        parts.append(text.mapPartitionsWithIndex(judge))
    return parts[0] if len(parts) == 1 else sc.union(parts)


def _partition(rules: Broadcast[Ruleset], path: str, count: int, scope: Scope, strict: bool, as_of: dt.date | None,
               index: int, lines: Iterable[str]) -> list[PartResult]:
    """Runs on an executor: one partition of a file's lines judged as `check` judges the file."""
    return [classify_lines(_as_read(lines, index == 0), rules.value, part_source(path, index, count), scope=scope,
                           strict=strict, as_of=as_of)]


def _as_read(lines: Iterable[str], first_block: bool) -> Iterator[str]:
    """Hadoop's lines as `check` reads them from the file: ending in a newline (which JSON
    error messages count) and, in a file's first block, without a leading byte order mark
    (`check` reads such a file as utf-8-sig)."""
    iterator = iter(lines)
    if first_block:
        for first in iterator:
            yield first.removeprefix(BOM) + "\n"
            break
    for line in iterator:
        yield line + "\n"


def write_verdicts(rdd: RDD[PartResult], out: IO[str], *, in_flight: int = 8) -> Summary:
    """Compute the RDD's partitions, in_flight at a time (one Spark job each), and write their
    verdict lines in input order; the summary of every partition."""
    summary = Summary()
    total = rdd.getNumPartitions()
    for start in range(0, total, in_flight):
        for part in rdd.context.runJob(rdd, list, range(start, min(start + in_flight, total))):
            out.writelines(line + "\n" for line in part.lines)
            summary.add(part)
    return summary


def classify_jsonl(spark: SparkSession | SparkContext, paths: Sequence[str | Path], out: IO[str], *,
                   rules: str | Path | None = None, ruleset: Ruleset | None = None, min_partitions: int = 1,
                   in_flight: int = 8, scope: Scope = "finding", strict: bool = False,
                   as_of: dt.date | None = None) -> Summary:
    """Classify JSONL files on the given Spark session's executors, writing `check --format
    jsonl`'s lines to out in input order."""
    if ruleset is None:
        ruleset = load_rulesets(rules)
    rdd = verdict_rdd(spark, paths, ruleset, min_partitions=min_partitions, scope=scope, strict=strict, as_of=as_of)
    return write_verdicts(rdd, out, in_flight=in_flight)


def main(argv: Sequence[str] | None = None) -> int:
    parser = command_parser("python -m hazard_rules.scale.spark",
                            "Classify JSONL findings on a Spark cluster (docs/scale.md).")
    parser.add_argument("--master", default=None,
                        help="e.g. local[2], spark://HOST:7077, yarn (default: as spark-submit or "
                             "spark-defaults.conf set it, else Spark's local[*])")
    parser.add_argument("--min-partitions", type=int, default=1,
                        help="split each file into at least this many partitions (default: Hadoop's splits)")
    args = parser.parse_args(argv)
    for file in missing_files(args.files):
        parser.error(f"file not found: {file}")
    ruleset = load_rulesets(args.rules)
    with _session(args.master) as spark, args.output.open("w", encoding="utf-8") as out:
        summary = classify_jsonl(spark, args.files, out, ruleset=ruleset, min_partitions=args.min_partitions,
                                 in_flight=args.in_flight, scope=args.scope, strict=args.strict, as_of=args.as_of)
    return summary.report()


class _session:
    """The active SparkSession, or a new one (stopped on exit) for the given master. In local
    mode the executors' Python is the driver's own unless PYSPARK_PYTHON names another."""

    def __init__(self, master: str | None) -> None:
        self.master = master
        self.created: SparkSession | None = None

    def __enter__(self) -> SparkSession:
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
        builder: Any = SparkSession.builder.appName("hazard-rules").config("spark.ui.showConsoleProgress", "false")
        if self.master is not None:
            builder = builder.master(self.master)
        self.created = builder.getOrCreate()
        sc = self.created.sparkContext
        if (sc.master or "").startswith("local") and "PYSPARK_PYTHON" not in os.environ:
            sc.pythonExec = sys.executable  # Spark's default is whatever `python3` is on PATH
        return self.created

    def __exit__(self, *exc: object) -> None:
        if self.created is not None:
            self.created.stop()


if __name__ == "__main__":
    sys.exit(main())
