"""`hazard-rules check FILES`: classify findings as major, undetermined or ordinary.

Exits FAILED when the --fail-on condition was met and INVALID_RECORDS when some records
were invalid; when both, INVALID_RECORDS wins: a skipped record may hide a major hazard.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ...classifying.load import load_rulesets
from ...classifying.ruleset import Ruleset
from ...errors import UsageError
from ...findings.model import Scope
from ...pipeline import classify_files
from .. import render
from ..exit_codes import ExitCode
from ..jobs import Judged, JudgedBlock, judge_in_parallel
from ..options import rules_option
from ..output import Blocks, err_console, make_console, output_to
from ..params import DATE, SCOPE

LARGE_INPUT_BYTES = 2 * 1024 * 1024


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@rules_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv"]), default="table",
              show_default=True, help="Output format; json/jsonl/csv print nothing else on stdout.")
@click.option("--fail-on", type=click.Choice(["major", "undetermined", "disagreement"]), default=None,
              help="Exit 1 if any verdict is major (undetermined: major or undetermined; disagreement: "
                   "the facts do not confirm the inspector's `claimed` label).")
@click.option("--scope", type=SCOPE, default="finding", show_default=True,
              help="finding: judge the deficiency each record gives facts of; enterprise: a whole-enterprise "
                   "self-inspection, every applicable rule must be decided. A record's own `scope` wins.")
@click.option("--strict", is_flag=True, help="Unknown fact names are errors, not warnings.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the verdicts to FILE (atomically) instead of stdout.")
@click.option("--encoding", default=None, help="Input encoding (default: detect UTF-8, UTF-8-BOM or GB18030).")
@click.option("--input-format", type=click.Choice(["jsonl", "json", "yaml", "csv", "xlsx"]), default=None,
              help="Input format (default: from the file extension).")
@click.option("--as-of", type=DATE, default=None, help="Judge every finding as of this date instead of its own date.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True,
              help="Judge in N worker processes (0: one per core); the output keeps the input's order.")
def check(files: tuple[Path, ...], rules_dir: Path | None, fmt: str, fail_on: str | None, scope: Scope, strict: bool,
          output: Path | None, encoding: str | None, input_format: str | None, as_of: dt.date | None,
          jobs: int) -> None:
    """Classify the findings in FILES as major, undetermined or ordinary."""
    ruleset = load_rulesets(rules_dir)
    gc.freeze()  # the loaded rules live as long as the run: the collector need not walk them again and again
    for file in files:
        if not file.is_file():
            raise UsageError(f"file not found: {file}")
    large = sum(f.stat().st_size for f in files) > LARGE_INPUT_BYTES
    with output_to(output) as out, _progress(large) as advance:
        console = make_console(file=out, soft_wrap=False,
                          force_terminal=None if out is sys.stdout else False, width=None if out is sys.stdout else 160)
        blocks = Blocks(out)
        try:
            counts, claims, invalid = _write(fmt, blocks, console, ruleset, files, rules_dir, encoding, input_format,
                                             strict, as_of, scope, jobs, advance)
        finally:
            blocks.flush()
        summary = (f"{sum(counts.values())} findings: {counts['major']} major, {counts['undetermined']} undetermined, "
                   f"{counts['ordinary']} ordinary" + _claims_summary(claims)
                   + (f"; {invalid} invalid records skipped" if invalid else ""))
        if fmt == "table" and out is sys.stdout:
            console.print(summary)
        else:
            err_console.print(summary, markup=False)
    sys.exit(_exit_code(fail_on, counts, claims, invalid))


def _write(fmt: str, blocks: Blocks, console: Console, ruleset: Ruleset, files: tuple[Path, ...],
           rules_dir: Path | None, encoding: str | None, input_format: str | None, strict: bool,
           as_of: dt.date | None, scope: Scope, jobs: int,
           advance: Callable[[int], None]) -> tuple[Counter[str], Counter[str], int]:
    """Judge every record and write its verdict (stderr: bad records, warnings); the counts."""
    counts: Counter[str] = Counter()
    claims: Counter[str] = Counter()
    invalid = 0
    writer = _writer(fmt, blocks, console)
    paths = [str(f) for f in files]
    workers = jobs or os.cpu_count() or 1
    join = getattr(writer, "join", None)
    results = (judge_in_parallel(ruleset, paths, jobs=workers, rules_dir=rules_dir, encode=writer.encode, join=join,
                                 charset=blocks.charset() if join else None, encoding=encoding, fmt=input_format,
                                 strict=strict, as_of=as_of, scope=scope)
               if workers > 1 else _judged(ruleset, paths, writer.encode, encoding=encoding, fmt=input_format,
                                           strict=strict, as_of=as_of, scope=scope))
    for result in results:
        if isinstance(result, JudgedBlock):  # a block of a JSON Lines file, judged by a worker
            _write_block(result, writer, blocks)
            counts.update(result.counts)
            claims.update(result.claims)
            invalid += result.invalid
            advance(result.verdicts)
            continue
        if result.file_warning is not None or result.error is not None or result.warnings:
            blocks.flush()
            _tell(result)
            if result.verdict is None:
                invalid += result.error is not None
                continue
        assert result.verdict is not None
        counts[result.verdict] += 1
        if result.agreement is not None:
            claims[result.agreement] += 1
        writer.write_encoded(result.encoded)
        advance(1)
    writer.close()
    return counts, claims, invalid


def _write_block(block: JudgedBlock, writer: render.JsonWriter | render.JsonlWriter | render.CsvWriter
                 | render.TableWriter, blocks: Blocks) -> None:
    """A block's output, and its messages on stderr where one job prints them among it."""
    for part in block.parts:
        if part.__class__ is Judged:
            blocks.flush()
            _tell(part)
        elif not block.joined:
            writer.write_encoded(part)
        elif part.__class__ is bytes:
            blocks.write_bytes(part)
        else:
            blocks.write(part)


def _tell(result: Judged) -> None:
    """A result's messages on stderr: a warning about the file, a bad record, a verdict's warnings."""
    if result.file_warning is not None:
        err_console.print(f"warning: {result.file_warning}", markup=False)
    if result.error is not None:
        err_console.print(result.error, markup=False)
    for warning in result.warnings:
        err_console.print(f"{result.file}:record {result.number}: warning: {warning}", markup=False)


def _judged(ruleset: Ruleset, paths: list[str], encode: Callable[[Any], Any], *, encoding: str | None,
            fmt: str | None, strict: bool, as_of: dt.date | None, scope: Scope) -> Iterator[Judged]:
    """One job: the records judged in this process, as the workers of --jobs give them."""
    for outcome in classify_files(ruleset, paths, encoding=encoding, fmt=fmt, strict=strict, as_of=as_of, scope=scope):
        if outcome.warning is not None:
            yield Judged(outcome.file, outcome.number, file_warning=outcome.warning)
        elif outcome.error is not None:
            yield Judged(outcome.file, outcome.number, error=outcome.error.render())
        else:
            verdict = outcome.verdict
            assert verdict is not None
            yield Judged(outcome.file, outcome.number, verdict.verdict,
                         verdict.claim.agreement if verdict.claim else None, tuple(verdict.warnings), encode(verdict))


def _exit_code(fail_on: str | None, counts: Counter[str], claims: Counter[str], invalid: int) -> ExitCode:
    if invalid:
        return ExitCode.INVALID_RECORDS
    disagreements = claims["contradicts"] + claims["unsupported"]
    if (fail_on == "major" and counts["major"]
            or fail_on == "undetermined" and (counts["major"] or counts["undetermined"])
            or fail_on == "disagreement" and disagreements):
        return ExitCode.FAILED
    return ExitCode.OK


def _claims_summary(claims: Counter[str]) -> str:
    """'; 2 of 5 inspector labels disagree (1 contradicted, 1 unsupported)'."""
    total = sum(claims.values())
    if not total:
        return ""
    disagree = claims["contradicts"] + claims["unsupported"]
    return (f"; {disagree} of {total} inspector labels disagree "
            f"({claims['contradicts']} contradicted, {claims['unsupported']} unsupported)")


def _writer(fmt: str, sink: IO[str] | Blocks,
            console: Console) -> render.JsonWriter | render.JsonlWriter | render.CsvWriter | render.TableWriter:
    out = cast(IO[str], sink)  # the writers only call write()
    if fmt == "json":
        return render.JsonWriter(out)
    if fmt == "jsonl":
        return render.JsonlWriter(out)
    if fmt == "csv":
        return render.CsvWriter(out)
    return render.TableWriter(console)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int], None]]:
    """advance(n): n more findings classified."""
    if not (enabled and err_console.is_terminal):
        yield lambda n: None
        return
    with Progress(SpinnerColumn(), TextColumn("classified {task.completed} findings"), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        task = progress.add_task("classify", total=None)
        yield lambda n: progress.advance(task, n)
