"""One partition of JSONL findings judged where it lies (a Dask or Spark worker), exactly as
`hazard-rules check --format jsonl` judges a .jsonl file: the same reader, the same
`pipeline.classify_read`, the same output line. No distributed engine is imported here."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..classifying.ruleset import Ruleset
from ..findings.model import Scope
from ..findings.readers import read_jsonl_lines
from ..pipeline import classify_read


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
