"""`check --jobs N`: judge findings in N worker processes, output in input order.

The main process reads the files (streamed, as for one job; JSON Lines as text, which the
workers decode), sends chunks of records to the workers and writes what they send back in
the order the records were read; at most a few chunks per worker are in flight, so memory
stays flat however large the input. A worker judges a record exactly as `classify_file`
does and also encodes its output (the JSON text, the CSV row), the costly part of writing.
Workers are forked from the main process where the platform allows, so they share the
loaded rules; elsewhere each loads them (warm cache).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from typing import Any, NamedTuple

from ..classifying.load import load_rulesets
from ..classifying.ruleset import Ruleset
from ..errors import RecordError, Span
from ..findings.model import Scope
from ..findings.readers import decode_jsonl_line, detect_format, jsonl_lines, read_findings

CHUNK = 256                 # records per task: large enough that sending them is cheap
IN_FLIGHT_PER_WORKER = 4    # chunks queued per worker: enough to keep each busy, bounded memory


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


@dataclass(frozen=True)
class _Options:
    rules_dir: Path | None
    strict: bool
    as_of: dt.date | None
    scope: Scope
    encode: Callable[[Any], Any]


_ruleset: Ruleset | None = None
_options: _Options | None = None


def _start(options: _Options, ruleset: Ruleset | None) -> None:
    """Worker initialiser: the rules are inherited (fork) or loaded (spawn)."""
    global _ruleset, _options
    _options = options
    _ruleset = ruleset if ruleset is not None else _ruleset or load_rulesets(options.rules_dir)


def _judge_chunk(chunk: list[tuple[str, int, int | None, dict[str, Any] | str] | Judged]) -> list[Judged]:
    assert _ruleset is not None and _options is not None
    ruleset, options = _ruleset, _options
    results: list[Judged] = []
    for item in chunk:
        if isinstance(item, Judged):
            results.append(item)
            continue
        file, number, line, data = item
        if isinstance(data, str):  # a JSON Lines record, decoded here rather than in the main process
            raw = decode_jsonl_line(file, number, line or 0, data)
            if raw.error is not None:
                results.append(Judged(file, number, error=raw.error.render()))
                continue
            assert raw.data is not None
            data = raw.data
        try:
            verdict = ruleset.classify(data, as_of=options.as_of, strict=options.strict, scope=options.scope,
                                       where=Span(file, line or 0, 0, record=number))
        except RecordError as exc:
            results.append(Judged(file, number, error=exc.render()))
            continue
        results.append(Judged(file, number, verdict.verdict, verdict.claim.agreement if verdict.claim else None,
                              tuple(verdict.warnings), options.encode(verdict)))
    return results


def _chunks(paths: Iterable[str], encoding: str | None, fmt: str | None
            ) -> Iterator[list[tuple[str, int, int | None, dict[str, Any] | str] | Judged]]:
    """The records in chunks: JSON Lines as text (decoded by the workers), others decoded."""
    chunk: list[tuple[str, int, int | None, dict[str, Any] | str] | Judged] = []
    for path in paths:
        if Path(path).is_file() and detect_format(Path(path), fmt) == "jsonl":
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
    if chunk:
        yield chunk


def judge_in_parallel(ruleset: Ruleset, paths: Iterable[str], *, jobs: int, rules_dir: Path | None,
                      encode: Callable[[Any], Any], encoding: str | None = None, fmt: str | None = None,
                      strict: bool = False, as_of: dt.date | None = None,
                      scope: Scope = "finding") -> Iterator[Judged]:
    """Every record of the files judged by `jobs` workers, yielded in input order."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    options = _Options(rules_dir, strict, as_of, scope, encode)
    inherited = ruleset if context.get_start_method() == "fork" else None
    pool: Pool = context.Pool(jobs, initializer=_start, initargs=(options, inherited))
    pending: deque[AsyncResult[list[Judged]]] = deque()
    try:
        for chunk in _chunks(paths, encoding, fmt):
            pending.append(pool.apply_async(_judge_chunk, (chunk,)))
            while len(pending) >= jobs * IN_FLIGHT_PER_WORKER:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
        pool.close()
    finally:
        pool.terminate()
        pool.join()
