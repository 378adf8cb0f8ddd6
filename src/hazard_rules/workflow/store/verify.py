"""Checking the stored ledger against itself: every hash-chain break, missing or
reordered event, and projection that differs from a replay of its log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from ..domain.events import Event
from ..domain.state import HazardState, replay
from . import schema
from .repository import hazard_row


@dataclass(frozen=True)
class Problem:
    hazard_id: str
    n: int | None
    message: str


def verify(engine: Engine) -> list[Problem]:
    """Every problem found, by hazard id (empty: the ledger is intact)."""
    problems: list[Problem] = []
    with engine.connect() as conn:
        # One snapshot for both reads: under PostgreSQL's READ COMMITTED a step committed
        # between them is an event without its projection, a false "events deleted".
        # (SQLite: the transaction holds the write lock from BEGIN, repository.connect.)
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        projections = {row.id: row for row in conn.execute(select(schema.hazards))}
        rows = conn.execute(select(schema.events).order_by(schema.events.c.hazard_id, schema.events.c.seq))
        by_hazard: dict[str, list[Any]] = {}
        for row in rows:
            by_hazard.setdefault(row.hazard_id, []).append(row)
    for hazard_id in sorted(set(projections) | set(by_hazard)):
        problems += _verify_hazard(hazard_id, by_hazard.get(hazard_id, []), projections.get(hazard_id))
    return problems


def _verify_hazard(hazard_id: str, rows: list[Any], projection: Any) -> list[Problem]:
    problems: list[Problem] = []
    previous = "0" * 64
    events: list[Event] = []
    for position, row in enumerate(rows, start=1):
        try:
            event = Event.model_validate_json(row.body)
        except ValueError:
            problems.append(Problem(hazard_id, row.n, "event body is not valid"))
            continue
        columns = (row.n, row.at, row.action, row.from_state, row.to_state, row.actor, row.role,
                   row.organisation, row.prev_hash, row.hash, row.hazard_id)
        recorded = (event.n, event.at.isoformat(), event.action, event.from_state, event.to_state, event.actor,
                    event.role, event.organisation, event.prev_hash, event.hash, event.hazard_id)
        if columns != recorded:
            problems.append(Problem(hazard_id, row.n, "event columns differ from the event body"))
        if event.n != position:
            problems.append(Problem(hazard_id, row.n,
                                    f"event {event.n} is at position {position}: deleted or reordered"))
        if event.prev_hash != previous:
            problems.append(Problem(hazard_id, event.n, "chain broken: prev_hash does not match the event before"))
        if event.compute_hash() != event.hash:
            problems.append(Problem(hazard_id, event.n, "hash does not match the event's content: edited"))
        previous = event.hash
        events.append(event)
    if projection is None:
        problems.append(Problem(hazard_id, None, "events without a projection row"))
        return problems
    if not rows:
        problems.append(Problem(hazard_id, None, "projection without any event: history deleted"))
        return problems
    if projection.version != len(rows) or projection.head_hash != previous:
        problems.append(Problem(hazard_id, None, "projection head does not match the last event: events deleted"))
    try:
        replayed = replay(hazard_id, events)
        if replayed != HazardState.model_validate_json(projection.data):
            problems.append(Problem(hazard_id, None, "projection differs from a replay of the log"))
        expected = hazard_row(replayed)
        drifted = [name for name in expected if name != "data" and getattr(projection, name) != expected[name]]
        if drifted:
            problems.append(Problem(hazard_id, None, f"projection columns differ from a replay: {', '.join(drifted)}"))
    except (KeyError, ValueError) as exc:
        problems.append(Problem(hazard_id, None, f"the log cannot be replayed: {exc}"))
    return problems
