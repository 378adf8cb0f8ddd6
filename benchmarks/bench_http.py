"""The HTTP API's classify endpoints, served for real: `hazard-rules serve` in a subprocess on
127.0.0.1 (SQLite ledger, one inspector account with a bearer token), an httpx client with
keep-alive in this process.

    python benchmarks/bench_http.py [--findings FILE] [--n 2000] [--single 300]

Reports, per record, the server process's CPU (user + system from /proc, so the client's
own work and a busy machine's waiting are not counted) and the wall time: POST
/api/v1/classify/batch with the records in one body, and POST /api/v1/classify one record
per request. Every answer is checked: the batch's verdicts must equal `Ruleset.classify`'s
(as JSON) on the same records. benchmarks/run.py section E calls measure().
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _token(db_url: str) -> str:
    from hazard_rules.workflow.service.accounts import Accounts
    from hazard_rules.workflow.service.ledger import Ledger

    ledger = Ledger.open(db_url)
    try:
        accounts = Accounts.of(ledger)
        accounts.add("bench", "bench-password-1", name="基准", role="INSPECTOR", organisation="某检查机构", at=NOW)
        return accounts.issue_token("bench", "benchmark", NOW)
    finally:
        ledger.close()


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(records: Sequence[dict[str, Any]], single: int = 300, rounds: int = 3) -> dict[str, float]:
    """Best of `rounds`: server CPU µs per record (batch) and per request (single), and wall."""
    import httpx

    from hazard_rules import load_rulesets

    expected = [v.model_dump(mode="json") for v in load_rulesets().classify_many(records)]
    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite:///{Path(folder) / 'ledger.sqlite'}"
        headers = {"Authorization": f"Bearer {_token(db_url)}"}
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen([sys.executable, "-m", "hazard_rules", "serve", "--db", db_url, "--port", str(port),
                                   "--evidence-dir", str(Path(folder) / "evidence")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=folder)
        try:
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120, headers=headers)
            for _ in range(300):
                try:
                    client.get("/api/v1/rules")
                    break
                except httpx.TransportError:
                    if server.poll() is not None:
                        raise SystemExit(f"serve exited with status {server.returncode}") from None
                    time.sleep(0.1)
            body = {"records": list(records)}
            answer = client.post("/api/v1/classify/batch", json=body)
            if answer.status_code != 200 or answer.json()["verdicts"] != expected:
                raise SystemExit("the batch endpoint's verdicts differ from Ruleset.classify's")
            ones = records[:single]
            for record in ones[:50]:
                client.post("/api/v1/classify", json=record)
            best: dict[str, float] = {}
            for _ in range(rounds):
                cpu, wall = _cpu(server.pid), time.perf_counter()
                client.post("/api/v1/classify/batch", json=body)
                batch_cpu, batch_wall = _cpu(server.pid) - cpu, time.perf_counter() - wall
                cpu, wall = _cpu(server.pid), time.perf_counter()
                for record in ones:
                    client.post("/api/v1/classify", json=record)
                one_cpu, one_wall = _cpu(server.pid) - cpu, time.perf_counter() - wall
                for key, value in (("batch_cpu_us", batch_cpu / len(records) * 1e6),
                                   ("batch_wall_us", batch_wall / len(records) * 1e6),
                                   ("one_cpu_us", one_cpu / len(ones) * 1e6),
                                   ("one_wall_us", one_wall / len(ones) * 1e6)):
                    best[key] = min(best.get(key, value), value)
            return best
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=Path, help="a JSON Lines file (default: examples/inspections.jsonl)")
    parser.add_argument("--n", type=int, default=2000, help="records in the batch")
    parser.add_argument("--single", type=int, default=300, help="one-record requests per round")
    args = parser.parse_args()
    path = args.findings or Path(__file__).resolve().parents[1] / "examples" / "inspections.jsonl"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [json.loads(lines[n % len(lines)]) for n in range(args.n)]
    for number, record in enumerate(records):
        record["id"] = f"H-{number:06d}"
    result = measure(records, args.single)
    print(f"POST /api/v1/classify/batch ({len(records):,} records): server CPU {result['batch_cpu_us']:,.0f} µs "
          f"per record, wall {result['batch_wall_us']:,.0f} µs")
    print(f"POST /api/v1/classify (one record): server CPU {result['one_cpu_us']:,.0f} µs per request, "
          f"wall {result['one_wall_us']:,.0f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
