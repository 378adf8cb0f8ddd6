"""One partition of JSONL findings judged where it lies (a Dask or Spark worker), exactly as
`hazard-rules check --format jsonl` judges a .jsonl file: the same reader, the same
`pipeline.classify_read`, the same output line; and what the adapters' commands share
(their common options, the summary and exit code). No distributed engine is imported here."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..classifying.ruleset import Ruleset
from ..findings.model import Scope
from ..findings.readers import read_jsonl_lines
from ..pipeline import classify_read

INVALID_RECORDS = 3  # the exit code of `hazard-rules check` when records were skipped (cli/exit_codes.py)


@dataclass
class PartResult:
    """What one partition gave: verdict lines in input order, counts, and what to report."""

    lines: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Summary:
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, part: PartResult) -> None:
        self.counts.update(part.counts)
        self.errors += part.errors
        self.warnings += part.warnings

    def line(self) -> str:
        c = self.counts
        return (f"{sum(c.values())} findings: {c['major']} major, {c['undetermined']} undetermined, "
                f"{c['ordinary']} ordinary" + (f"; {len(self.errors)} invalid records skipped" if self.errors else ""))

    def report(self, stream: IO[str] | None = None) -> int:
        """Write the warnings, the errors and the summary line as `check` does (to stderr by
        default); the exit code `check` would give."""
        stream = sys.stderr if stream is None else stream
        for message in self.warnings + self.errors:
            print(message, file=stream)
        print(self.line(), file=stream)
        return INVALID_RECORDS if self.errors else 0


def part_source(path: str | Path, index: int, count: int) -> str:
    """The name a partition's records are reported under: the file when it is read whole, else
    the block (`file#block3`, whose line numbers count from the block's first line)."""
    return f"{path}#block{index}" if count > 1 else str(path)


def command_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The options every adapter's command shares with `check` (the files, the rules, the
    output, --scope, --strict, --as-of) and --in-flight; each adds where to run."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("files", nargs="+")
    parser.add_argument("-o", "--output", type=Path, required=True, help="verdict JSONL, in input order")
    parser.add_argument("--rules", type=Path, default=None, help="rules folder (default: the shipped packs)")
    parser.add_argument("--in-flight", type=int, default=8, help="partitions computed at once (bounds memory)")
    parser.add_argument("--scope", choices=["finding", "enterprise"], default="finding")
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    return parser


def missing_files(paths: Iterable[str]) -> list[str]:
    """The local paths given that are not files (a URL such as s3://… or hdfs://… is the engine's to read)."""
    return [path for path in paths if "://" not in path and not Path(path).is_file()]


def verdict_line(verdict: Any) -> str:
    """One verdict as `check --format jsonl` writes it."""
    return json.dumps(verdict.model_dump(mode="json"), ensure_ascii=False)


def classify_lines(lines: Iterable[str], ruleset: Ruleset, source: str, *, scope: Scope = "finding",
                   strict: bool = False, as_of: dt.date | None = None) -> PartResult:
    """Judge the JSONL lines of one partition (runs on a worker)."""
    result = PartResult()
    records = read_jsonl_lines(lines, source)
    for outcome in classify_read(ruleset, source, records, strict=strict, as_of=as_of, scope=scope):
        if outcome.warning is not None:
            result.warnings.append(outcome.warning)
        elif outcome.error is not None:
            result.errors.append(outcome.error.render())
        else:
            assert outcome.verdict is not None
            result.warnings += [f"{source}:record {outcome.number}: warning: {w}" for w in outcome.verdict.warnings]
            result.counts[outcome.verdict.verdict] += 1
            result.lines.append(verdict_line(outcome.verdict))
    return result
