"""Ledger operations the command line and the HTTP service share: the escalation tick,
the state machine's graph, and an enterprise's signed statistics submission. Each takes
what it needs (ledger, clock, who signs) from its caller; `ledger tick`, `ledger graph` and
`ledger stats submit` print what these return, and the Desk checks who may call them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...errors import UsageError
from ..domain.events import Event
from ..domain.machine import Machine, load_machine
from ..policy.calendar import china_date

GRAPH_FORMATS = ("mermaid", "dot")


def tick(ledger: Any, now: dt.datetime) -> list[dict[str, Any]]:
    """Record the escalation steps whose time has come (催办 → 督办函 → 通报 → 约谈 → 处罚;
    idempotent), one row per step recorded."""
    return [escalation_row(event) for event in ledger.tick(now)]


def escalation_row(event: Event) -> dict[str, Any]:
    f = event.fields
    return {"hazard_id": event.hazard_id, "timer": f["timer"], "step": f["step"], "due": f["due"],
            "authority": f.get("authority"), "at": event.at.isoformat()}


def graph(fmt: str, machine: Machine | None = None) -> str:
    """The state machine (default: the one shipped) as Mermaid or Graphviz DOT."""
    if fmt not in GRAPH_FORMATS:
        raise UsageError(f"the graph format must be mermaid or dot, not {fmt!r}")
    machine = machine or load_machine()
    return machine.to_dot() if fmt == "dot" else machine.to_mermaid()


def submit_statistics(ledger: Any, enterprise_id: str, period: Any, *, signed_by: str, role: str,
                      now: dt.datetime) -> dict[str, Any]:
    """Record an enterprise's statistics table for a period, signed by its 主要负责人, as of
    `now` (SubmissionRefused: wrong signer, period not ended, an enterprise owing no table);
    the same table again is recorded once (`created` false). Returns the submission with its
    due date and whether it was late."""
    from ..stats import statistics_due
    from ..stats import submit_statistics as record

    submission, created = record(ledger, enterprise_id, period, signed_by=signed_by, role=role, now=now)
    due = statistics_due(period, submission.body.get("jurisdiction"), ledger.settings)
    return {"created": created, "due": due, "late": china_date(submission.submitted_at) > due,
            "enterprise_id": submission.enterprise_id, "period": submission.period,
            "submitted_at": submission.submitted_at, "signed_by": submission.signed_by,
            "digest": submission.digest, "table": submission.body}
