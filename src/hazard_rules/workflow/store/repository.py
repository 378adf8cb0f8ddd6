"""The ledger's rows: opening the database, and reading and writing events and the
hazard projection inside a transaction the caller holds.

Nothing here decides whether a step is allowed (service.ledger does); these functions
only move hazards and events between Python objects and rows, with statements built once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, create_engine, select, update
from sqlalchemy import event as sa_event

from ..domain.effects import CLOSED, VOID, next_due
from ..domain.events import Event
from ..domain.state import HazardState
from . import schema

DEFAULT_URL = "sqlite:///hazard-ledger.sqlite"

# Statements built once with bound parameters: building them per step (with `.values(...)`)
# cost more than running them.
_HAZARD_COLUMNS = ("state", "level", "enterprise_id", "jurisdiction", "listed", "next_due", "version", "head_hash",
                   "data")
_READ_HAZARD = select(schema.hazards.c.data).where(schema.hazards.c.id == bindparam("hazard_id"))
_LOCK_HAZARD = _READ_HAZARD.with_for_update()
_READ_EVENTS = (select(schema.events.c.body).where(schema.events.c.hazard_id == bindparam("hazard_id"))
                .order_by(schema.events.c.n))
_INSERT_EVENT = schema.events.insert()
_INSERT_HAZARD = schema.hazards.insert()
_UPDATE_HAZARD = (update(schema.hazards)
                  .where(schema.hazards.c.id == bindparam("hazard_id"),
                         schema.hazards.c.version == bindparam("old_version"))
                  .values({name: bindparam(name) for name in _HAZARD_COLUMNS}))


def connect(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL and a write lock taken at BEGIN."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})

        @sa_event.listens_for(engine, "connect")
        def _autocommit_driver(dbapi_connection: Any, _: Any) -> None:
            dbapi_connection.isolation_level = None  # let us issue BEGIN ourselves
            # WAL: readers never block the writer; synchronous stays FULL, so a committed
            # step survives a power cut (a legal record may not lose its last entries).
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

        @sa_event.listens_for(engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            # Take the write lock at the start: a second writer waits instead of failing
            # when it upgrades from reading, and then sees the first one's commit.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def read_hazard(conn: Connection, hazard_id: str, *, lock: bool = False) -> HazardState | None:
    """The hazard's projection (None if unknown); `lock` holds its row until the transaction ends."""
    row = conn.execute(_LOCK_HAZARD if lock else _READ_HAZARD, {"hazard_id": hazard_id}).first()
    return HazardState.model_validate_json(row.data) if row else None


def read_events(conn: Connection, hazard_id: str) -> list[Event]:
    """The hazard's events in order (empty if unknown)."""
    rows = conn.execute(_READ_EVENTS, {"hazard_id": hazard_id})
    return [Event.model_validate_json(row.body) for row in rows]


def append(conn: Connection, event: Event, new_state: HazardState, old_version: int | None) -> bool:
    """Insert the event and write the projection it leads to: a new row when `old_version`
    is None, else an update that holds only if the row is still at `old_version` (False if not)."""
    conn.execute(_INSERT_EVENT, event_row(event))
    values = hazard_row(new_state)
    if old_version is None:
        conn.execute(_INSERT_HAZARD, {"id": new_state.id, **values})
        return True
    result = conn.execute(_UPDATE_HAZARD, {"hazard_id": new_state.id, "old_version": old_version, **values})
    return result.rowcount == 1


def select_hazards(conn: Connection, *, state: str | None = None, level: str | None = None,
                   jurisdiction: str | None = None, enterprise: str | None = None,
                   open_only: bool = False) -> list[HazardState]:
    """Projections by id, filtered by the columns given (`jurisdiction` as a code prefix)."""
    h = schema.hazards.c
    query = select(h.data).order_by(h.id)
    if state:
        query = query.where(h.state == state)
    if level:
        query = query.where(h.level == level)
    if jurisdiction:
        query = query.where(h.jurisdiction.startswith(jurisdiction))
    if enterprise:
        query = query.where(h.enterprise_id == enterprise)
    if open_only:
        query = query.where(h.state.not_in([CLOSED, VOID]))
    return [HazardState.model_validate_json(row.data) for row in conn.execute(query)]


def select_pending(conn: Connection, due_by: dt.date | None = None) -> list[HazardState]:
    """Hazards a timer still runs on (open ones with a deadline, and closed ones with a
    deadline that outlives closure): those with a next_due, by `due_by` if given."""
    h = schema.hazards.c
    query = select(h.data).where(h.next_due.is_not(None)).order_by(h.id)
    if due_by is not None:
        query = query.where(h.next_due <= due_by)
    return [HazardState.model_validate_json(row.data) for row in conn.execute(query)]


def event_row(event: Event) -> dict[str, Any]:
    return {"hazard_id": event.hazard_id, "n": event.n, "at": event.at.isoformat(), "actor": event.actor,
            "role": event.role, "organisation": event.organisation, "action": event.action,
            "from_state": event.from_state, "to_state": event.to_state,
            "body": event.model_dump_json(), "prev_hash": event.prev_hash, "hash": event.hash}


def hazard_row(state: HazardState) -> dict[str, Any]:
    """The projection's columns (without the id) for a hazard state."""
    return {"state": state.state, "level": state.level, "enterprise_id": state.enterprise_id,
            "jurisdiction": state.jurisdiction, "listed": bool(state.listed), "next_due": next_due(state.deadlines),
            "version": state.version, "head_hash": state.head_hash, "data": state.model_dump_json()}
