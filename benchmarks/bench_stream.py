"""Benchmark: `hazard-rules check` end to end on large files — throughput and peak memory.

    python benchmarks/bench_stream.py [--sizes 10000 100000] [--format jsonl|csv]

Builds finding files of each size by repeating examples/inspections.jsonl (ids made
unique), runs the real CLI in a subprocess (`python -m hazard_rules check FILE --format
jsonl`, stdout discarded) and prints findings/s and the process's peak resident memory.
Reading is streamed and verdicts are written as they are made, so peak memory should
stay flat as the file grows ten-fold; the script exits 1 if it grows by more than 50 %.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The child's own peak: Linux keeps ru_maxrss across fork and exec, so a child of a large
# benchmark process would report its parent's size; VmHWM is the peak of the child's own
# memory map (ru_maxrss where /proc is absent).
RUNNER = ("import resource, runpy, sys\n"
          "sys.argv = ['hazard-rules', 'check', sys.argv[1], '--format', 'jsonl']\n"
          "def peak():\n"
          "    try:\n"
          "        with open('/proc/self/status') as status:\n"
          "            return next(int(l.split()[1]) for l in status if l.startswith('VmHWM:'))\n"
          "    except (OSError, StopIteration):\n"
          "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
          "try:\n    runpy.run_module('hazard_rules', run_name='__main__')\n"
          "finally:\n    print('maxrss_kib', peak(), file=sys.stderr)\n")


def build(path: Path, size: int, fmt: str) -> None:
    lines = (ROOT / "examples" / "inspections.jsonl").read_text(encoding="utf-8").splitlines()
    examples = [json.loads(line) for line in lines]
    if fmt == "jsonl":
        with path.open("w", encoding="utf-8") as out:
            for number in range(size):
                record = dict(examples[number % len(examples)], id=f"B-{number:08d}")
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    fact_names = sorted({name for record in examples for name in record["facts"]})
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "date", "industries", *(f"facts.{n}" for n in fact_names)])
        for number in range(size):
            record = examples[number % len(examples)]
            writer.writerow([f"B-{number:08d}", record["date"], ";".join(record["industries"]),
                             *(_cell(record["facts"].get(n)) for n in fact_names)])


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(map(str, value))
    return str(value)


def run(path: Path) -> tuple[float, int, int]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", RUNNER, str(path)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"check failed ({result.returncode}):\n{result.stderr[-2000:]}")
    rss = int(next(line.split()[1] for line in result.stderr.splitlines() if line.startswith("maxrss_kib")))
    return elapsed, rss, result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}; examples repeated; CLI in a subprocess; input {args.format}")
    peaks = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = Path(folder) / f"findings-{size}.{args.format}"
            build(path, size, args.format)
            elapsed, rss, _ = run(path)
            peaks.append(rss)
            print(f"  {size:>9,} findings  {path.stat().st_size / 1e6:8.1f} MB  {elapsed:7.1f} s  "
                  f"{size / elapsed:>9,.0f} findings/s  peak RSS {rss / 1024:6.1f} MiB")
    growth = peaks[-1] / peaks[0]
    print(f"peak memory grew {growth:.2f}x from the smallest to the largest file")
    return 0 if growth <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
