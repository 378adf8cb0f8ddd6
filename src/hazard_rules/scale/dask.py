"""Classify JSONL findings with Dask (`dask.bag`), on one machine or a cluster; docs/scale.md.

    python -m hazard_rules.scale.dask FILES... -o verdicts.jsonl [--scheduler ADDRESS | --workers N]

The checked Ruleset is loaded once by the client, pickled, and sent once to each worker
(scattered to every worker of a distributed cluster; a task argument, not a global). Each
partition (a file, or a block of one with --blocksize) is read and judged on a worker
exactly as `hazard-rules check` reads and judges a .jsonl file (scale/partition.py: the
same reader, the same `pipeline.classify_read`). The verdicts come back as JSON lines,
written in input order: the same lines as `hazard-rules check --format jsonl` on the same
files. Invalid records are skipped and reported, as by `check`; with --blocksize an error
names the block (`file#block3`) and the line in that block (a block does not know how many
lines came before it).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import deque
from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import IO, Any

import dask.bag as db
from dask.base import compute
from dask.delayed import Delayed, delayed

from ..classifying.load import load_rulesets
from ..classifying.ruleset import Ruleset
from ..findings.model import Scope
from .partition import PartResult, Summary, classify_lines, command_parser, missing_files, part_source


def shipped(ruleset: Ruleset) -> Any:
    """The ruleset as tasks receive it: on a distributed cluster, scattered once to every
    worker (a future that stays there for every later task); else one graph key, named by
    its digest so that dask does not hash megabytes of rules to name it."""
    client = _active_client()
    if client is not None:
        return client.scatter(ruleset, broadcast=True, hash=False)
    return delayed(ruleset, name=f"hazard-rules-ruleset-{ruleset.digest}-{id(ruleset):x}")


def _active_client() -> Any:
    try:
        from distributed import default_client
    except ImportError:  # pragma: no cover - the extra installs distributed
        return None
    try:
        return default_client()
    except ValueError:  # no client: dask's local schedulers
        return None


def verdict_bag(paths: Sequence[str | Path], ruleset: Ruleset, *, blocksize: int | str | None = None,
                scope: Scope = "finding", strict: bool = False, as_of: dt.date | None = None) -> db.Bag:
    """A bag with one PartResult per partition: a file, or a block of blocksize bytes of one."""
    rules = shipped(ruleset)
    parts: list[Delayed] = []
    for path in paths:
        text = db.read_text(str(path), blocksize=blocksize, encoding="utf-8-sig", linedelimiter="\n")
        blocks = text.to_delayed()
        for index, block in enumerate(blocks):
            source = part_source(path, index, len(blocks))
            parts.append(delayed(_partition)(block, rules, source, scope, strict, as_of))
    return db.from_delayed(parts)


def _partition(lines: Iterable[str], ruleset: Ruleset, source: str, scope: Scope, strict: bool,
               as_of: dt.date | None) -> list[PartResult]:
    return [classify_lines(lines, ruleset, source, scope=scope, strict=strict, as_of=as_of)]


def write_verdicts(bag: db.Bag, out: IO[str], *, in_flight: int = 8) -> Summary:
    """Compute the bag's partitions, at most in_flight at a time (a new one starts as the
    oldest is written, on a distributed cluster), and write their verdict lines in input
    order; the summary of every partition."""
    summary = Summary()

    def write(results: list[PartResult]) -> None:
        for part in results:
            out.writelines(line + "\n" for line in part.lines)
            summary.add(part)

    pending = bag.to_delayed()
    client = _active_client()
    if client is None:
        for start in range(0, len(pending), in_flight):
            for results in compute(*pending[start:start + in_flight]):
                write(results)
        return summary
    waiting = iter(pending)
    running = deque(client.compute(part) for part in islice(waiting, in_flight))
    while running:
        write(running.popleft().result())
        following = next(waiting, None)
        if following is not None:
            running.append(client.compute(following))
    return summary


def classify_jsonl(paths: Sequence[str | Path], out: IO[str], *, rules: str | Path | None = None,
                   ruleset: Ruleset | None = None, blocksize: int | str | None = None, in_flight: int = 8,
                   scope: Scope = "finding", strict: bool = False, as_of: dt.date | None = None) -> Summary:
    """Classify JSONL files on the current Dask scheduler (a `distributed.Client` if one is
    active), writing `check --format jsonl`'s lines to out in input order."""
    if ruleset is None:
        ruleset = load_rulesets(rules)
    bag = verdict_bag(paths, ruleset, blocksize=blocksize, scope=scope, strict=strict, as_of=as_of)
    return write_verdicts(bag, out, in_flight=in_flight)


def main(argv: Sequence[str] | None = None) -> int:
    parser = command_parser("python -m hazard_rules.scale.dask",
                            "Classify JSONL findings on a Dask cluster (docs/scale.md).")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", help="address of a running scheduler, e.g. tcp://10.0.0.5:8786")
    where.add_argument("--workers", type=int, default=None,
                       help="start a local cluster of N worker processes (default: dask's local threads)")
    parser.add_argument("--blocksize", default=None, help="split files into blocks of this size, e.g. 64MiB")
    args = parser.parse_args(argv)
    for file in missing_files(args.files):
        parser.error(f"file not found: {file}")
    ruleset = load_rulesets(args.rules)
    with _client(args.scheduler, args.workers), args.output.open("w", encoding="utf-8") as out:
        summary = classify_jsonl(args.files, out, ruleset=ruleset, blocksize=args.blocksize,
                                 in_flight=args.in_flight, scope=args.scope, strict=args.strict, as_of=args.as_of)
    return summary.report()


class _client:
    """A distributed.Client for the given scheduler or a new local cluster; nothing otherwise."""

    def __init__(self, address: str | None, workers: int | None) -> None:
        self.address, self.workers = address, workers
        self.opened: list[Any] = []

    def __enter__(self) -> None:
        if self.address is None and self.workers is None:
            return
        from distributed import Client, LocalCluster

        if self.address is not None:
            client = Client(self.address)
        else:
            cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0")
            self.opened.append(cluster)
            client = Client(cluster)
        self.opened.append(client)

    def __exit__(self, *exc: object) -> None:
        for thing in reversed(self.opened):
            thing.close()


if __name__ == "__main__":
    sys.exit(main())
