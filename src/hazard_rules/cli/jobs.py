"""`check --jobs N`: judge findings in N worker processes, output in input order.

JSON Lines files (the large-input case) go to the workers as byte ranges: the main process
cuts each file into blocks of about BLOCK_BYTES that begin and end at line ends (a seek and
a readline per block) and sends only (path, start, end, encoding). A worker reads its block
(findings/readers.py `JsonlBlock`: the records the whole file has there, read as one job
reads them), judges and encodes each record as `classify_file` and the writer do, and sends
back the block's output: the writer's text of its verdicts (`join`; UTF-8 bytes when the
output is UTF-8, so the main process neither decodes nor encodes it), or each verdict's
encoding for a writer without `join` (json, table); with it the block's counts, and its
messages in their places among the output. A block does not know how many lines and
records come before it, so its numbers count from its start: the main process, taking the
blocks in order, adds those of the blocks before (a warning's record number), and judges a
bad record's line again with its numbers in the file, so that the message (which names the
line and record) is one job's; bad records are few. Verdicts carry no record or line number,
so their text does not change. Per record the main process does nothing: ~1-2 µs of its CPU
per record in all, against ~18-24 µs when it sent records and took back each verdict
(docs/performance.md).

Other files (CSV, XLSX, JSON, YAML, and JSON Lines in an encoding in which a b"\\n" byte may
be part of a character, such as UTF-16) are read by the main process, which sends chunks
of CHUNK records (JSON Lines as text, decoded by the workers); a CSV cell may hold a line
break, so a CSV file cannot be cut at line ends without reading it. Either way at most a
few tasks per worker are in flight, so memory stays flat however large the input, and an
error that ends the run (an unreadable file) is raised in its turn, after what comes before
it is written. Workers are forked from the main process where the platform allows, so they
share the loaded rules; elsewhere each loads them (warm cache). The pool is concurrent.futures':
multiprocessing.Pool's worker-handler thread wakes whenever results wait in its pipe and
spins while a block's output (a megabyte) is read, which cost the main process ~7 µs a record.

The block size can be set with the environment variable HAZARD_RULES_JOBS_BLOCK_BYTES, for
tests (tests/test_cli_jobs_blocks.py cuts files into blocks of a line or a few).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ..classifying.load import load_rulesets
from ..classifying.ruleset import Ruleset
from ..errors import HazardRulesError, RecordError, Span
from ..findings.model import Scope
from ..findings.readers import (
    JsonlBlock,
    decode_jsonl_line,
    detect_encoding,
    detect_format,
    jsonl_lines,
    read_findings,
)

CHUNK = 256                 # records per task: large enough that sending them is cheap
BLOCK_BYTES = 1 << 20       # bytes of JSON Lines per task: ~500 findings, ~0.05 s of a worker's time
IN_FLIGHT_PER_WORKER = 4    # tasks queued per worker: enough to keep each busy, bounded memory
BLOCK_BYTES_VARIABLE = "HAZARD_RULES_JOBS_BLOCK_BYTES"


class Judged(NamedTuple):
    """One input item's result, as the main process needs it (a tuple: cheap to send back)."""

    file: str
    number: int
    verdict: str | None = None          # major / undetermined / ordinary; None: not a verdict
    agreement: str | None = None        # the claim check's agreement, if the record claims
    warnings: tuple[str, ...] = ()      # the verdict's warnings
    encoded: Any = None                 # the writer's encoding of the verdict
    error: str | None = None            # a bad record, rendered
    file_warning: str | None = None     # a warning about the file (not a record)


class JudgedBlock(NamedTuple):
    """A block of a JSON Lines file judged by a worker, its numbers those of the file."""

    parts: list[Any]                    # in order: output, and (as Judged) a bad record or a verdict's warnings
    joined: bool                        # output is text (str, or bytes in the output's encoding) of the
                                        # verdicts since the last message; else each verdict's encoding
    verdicts: int
    counts: dict[str, int]              # verdicts by kind
    claims: dict[str, int]              # claim checks by agreement
    invalid: int                        # bad records


class _Block(NamedTuple):
    """A task: bytes start:end of a JSON Lines file, from a line's start to a line's end."""

    path: str
    start: int
    end: int
    encoding: str


class _Note(NamedTuple):
    """A message of a block, its numbers counted from the block's start."""

    number: int
    line: int
    text: str | None = None             # a bad record's line (judged again with its numbers in the file)
    warnings: tuple[str, ...] = ()      # a verdict's warnings


class _BlockResult(NamedTuple):
    """A worker's result for a block, its numbers counted from the block's start."""

    block: _Block
    parts: list[Any]                    # as JudgedBlock's, messages as _Note
    verdicts: int
    counts: dict[str, int]
    claims: dict[str, int]
    records: int
    lines: int
    error: HazardRulesError | None      # the block's text cannot be decoded: raised after its records


@dataclass(frozen=True)
class _Options:
    rules_dir: Path | None
    strict: bool
    as_of: dt.date | None
    scope: Scope
    encode: Callable[[Any], Any]
    join: Callable[[list[Any]], str] | None     # the writer's text of verdicts one after another, if it has one
    charset: str | None                         # the error handler to encode that text as UTF-8 with, if
                                                # the output takes bytes (output.Blocks.charset)


_ruleset: Ruleset | None = None
_options: _Options | None = None


def _start(options: _Options, ruleset: Ruleset | None) -> None:
    """Worker initialiser: the rules are inherited (fork) or loaded (spawn)."""
    global _ruleset, _options
    _options = options
    _ruleset = ruleset if ruleset is not None else _ruleset or load_rulesets(options.rules_dir)


def _run(task: _Block | list[tuple[str, int, int | None, dict[str, Any] | str] | Judged]
         ) -> _BlockResult | list[Judged]:
    return _judge_block(task) if isinstance(task, _Block) else _judge_chunk(task)


def _judge(file: str, number: int, line: int | None, data: dict[str, Any] | str) -> Judged:
    """One record (JSON Lines text, or a record read already) judged as classify_file does."""
    assert _ruleset is not None and _options is not None
    options = _options
    if isinstance(data, str):  # a JSON Lines record, decoded here rather than in the main process
        raw = decode_jsonl_line(file, number, line or 0, data)
        if raw.error is not None:
            return Judged(file, number, error=raw.error.render())
        assert raw.data is not None
        data = raw.data
    try:
        verdict = _ruleset.classify(data, as_of=options.as_of, strict=options.strict, scope=options.scope,
                                    where=Span(file, line or 0, 0, record=number))
    except RecordError as exc:
        return Judged(file, number, error=exc.render())
    return Judged(file, number, verdict.verdict, verdict.claim.agreement if verdict.claim else None,
                  tuple(verdict.warnings), options.encode(verdict))


def _judge_chunk(chunk: list[tuple[str, int, int | None, dict[str, Any] | str] | Judged]) -> list[Judged]:
    return [item if isinstance(item, Judged) else _judge(*item) for item in chunk]


def _judge_block(block: _Block) -> _BlockResult:
    assert _options is not None
    join, charset = _options.join, _options.charset
    read = JsonlBlock.read(block.path, block.start, block.end, block.encoding)
    parts: list[Any] = []
    verdicts: list[Any] = []  # encodings not joined yet

    def output() -> None:
        if verdicts:
            text = join(verdicts)  # type: ignore[misc]
            parts.append(text.encode("utf-8", charset) if charset else text)
            verdicts.clear()

    records = 0
    counts: Counter[str] = Counter()
    claims: Counter[str] = Counter()
    error: HazardRulesError | None = None
    try:
        for raw in read.records():
            records += 1
            judged = None if raw.data is None else _judge(read.file, raw.number, raw.line, raw.data)
            if judged is None or judged.error is not None:
                output()
                parts.append(_Note(raw.number, raw.line or 0, read.line(raw.line or 0)))
                continue
            assert judged.verdict is not None
            if judged.warnings:
                output()
                parts.append(_Note(raw.number, raw.line or 0, warnings=judged.warnings))
            counts[judged.verdict] += 1
            if judged.agreement is not None:
                claims[judged.agreement] += 1
            (verdicts if join else parts).append(judged.encoded)
    except HazardRulesError as exc:  # undecodable text: the records before it are written first
        error = exc
    output()
    return _BlockResult(block, parts, sum(counts.values()), dict(counts), dict(claims), records, read.lines(), error)


def _in_file(result: _BlockResult, records_before: int, lines_before: int) -> JudgedBlock:
    """The block's result numbered as in its file; a bad record is judged again (in this
    process) with its numbers in the file, so that its message is one job's."""
    assert _options is not None
    file = result.block.path
    parts = result.parts
    invalid = 0
    if any(part.__class__ is _Note for part in parts):
        parts = list(parts)
        for index, part in enumerate(parts):
            if part.__class__ is not _Note:
                continue
            number = part.number + records_before
            if part.text is None:
                parts[index] = Judged(file, number, warnings=part.warnings)
                continue
            judged = _judge(file, number, part.line + lines_before, part.text)
            assert judged.error is not None, "a record judged bad in a worker is bad here too"
            parts[index] = judged
            invalid += 1
    return JudgedBlock(parts, _options.join is not None, result.verdicts, result.counts, result.claims, invalid)


def _blocks(path: str, encoding: str, size: int) -> Iterator[_Block]:
    """The file cut into blocks of at least size bytes, each ending at a line feed (or the file's end)."""
    with open(path, "rb") as handle:
        total = handle.seek(0, os.SEEK_END)
        start = 0
        while start < total:
            end = total
            if start + size < total:
                handle.seek(start + size)
                handle.readline()
                end = handle.tell()
            yield _Block(path, start, end, encoding)
            start = end


def _tasks(paths: Iterable[str], encoding: str | None, fmt: str | None, block_bytes: int
           ) -> Iterator[_Block | list[tuple[str, int, int | None, dict[str, Any] | str] | Judged]]:
    """The tasks in input order: blocks of JSON Lines files, and chunks of the other files'
    records (JSON Lines as text, decoded by the workers, others decoded)."""
    chunk: list[tuple[str, int, int | None, dict[str, Any] | str] | Judged] = []
    try:
        for path in paths:
            if Path(path).is_file() and detect_format(Path(path), fmt) == "jsonl":
                chosen = encoding or detect_encoding(Path(path))
                if JsonlBlock.cuttable(chosen):
                    if chunk:
                        yield chunk
                        chunk = []
                    yield from _blocks(path, chosen, block_bytes)
                    continue
                for number, line_number, text in jsonl_lines(path, encoding=encoding):
                    chunk.append((path, number, line_number, text))
                    if len(chunk) >= CHUNK:
                        yield chunk
                        chunk = []
                continue
            for raw in read_findings(path, encoding=encoding, fmt=fmt):
                if raw.warning is not None:
                    chunk.append(Judged(path, raw.number, file_warning=raw.warning))
                elif raw.error is not None:
                    chunk.append(Judged(path, raw.number, error=raw.error.render()))
                else:
                    assert raw.data is not None
                    chunk.append((path, raw.number, raw.line, raw.data))
                if len(chunk) >= CHUNK:
                    yield chunk
                    chunk = []
    except HazardRulesError:  # an unreadable file: what was read before it is judged and written first
        if chunk:
            yield chunk
        raise
    if chunk:
        yield chunk


def judge_in_parallel(ruleset: Ruleset, paths: Iterable[str], *, jobs: int, rules_dir: Path | None,
                      encode: Callable[[Any], Any], join: Callable[[list[Any]], str] | None = None,
                      charset: str | None = None, encoding: str | None = None, fmt: str | None = None,
                      strict: bool = False, as_of: dt.date | None = None,
                      scope: Scope = "finding") -> Iterator[Judged | JudgedBlock]:
    """Every record of the files judged by `jobs` workers, yielded in input order: one by
    one, or a block of a JSON Lines file at a time. encode: the writer's encoding of a
    verdict; join: its text of several (a block's output is then text, not each verdict's
    encoding); charset: that text is sent as UTF-8 bytes encoded with this error handler."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    options = _Options(rules_dir, strict, as_of, scope, encode, join, charset)
    _start(options, ruleset)  # this process judges a block's bad records again (_in_file)
    inherited = ruleset if context.get_start_method() == "fork" else None
    block_bytes = int(os.environ.get(BLOCK_BYTES_VARIABLE) or BLOCK_BYTES)
    # concurrent.futures' pool, not multiprocessing.Pool (see the module's docstring)
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start, initargs=(options, inherited))
    pending: deque[Future[_BlockResult | list[Judged]] | HazardRulesError] = deque()
    records_before = lines_before = 0  # of the JSON Lines file being cut into blocks

    def results() -> Iterator[Judged | JudgedBlock]:
        nonlocal records_before, lines_before
        task = pending.popleft()
        if isinstance(task, HazardRulesError):
            raise task
        result = task.result()
        if isinstance(result, list):
            yield from result
            return
        if result.block.start == 0:
            records_before = lines_before = 0
        yield _in_file(result, records_before, lines_before)
        if result.error is not None:
            raise result.error
        records_before += result.records
        lines_before += result.lines

    try:
        tasks = _tasks(paths, encoding, fmt, block_bytes)
        while True:
            try:
                task = next(tasks)
            except StopIteration:
                break
            except HazardRulesError as exc:  # an unreadable file: raised after what comes before it
                pending.append(exc)
                break
            pending.append(pool.submit(_run, task))
            while len(pending) >= jobs * IN_FLIGHT_PER_WORKER:
                yield from results()
        while pending:
            yield from results()
    finally:
        pool.shutdown(cancel_futures=True)  # after an error, the workers finish their current task only
