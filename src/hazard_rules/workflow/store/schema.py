"""Database schema (SQLAlchemy Core) and recorded migrations.

The event log is the source of truth; `hazards` is the projection of current state,
kept in the same transaction as the event that changed it. Each migration runs once,
in a transaction, and is recorded in `schema_migrations`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    select,
    text,
)

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

events = Table(
    "events", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("hazard_id", String(200), nullable=False, index=True),
    Column("n", Integer, nullable=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("role", String(40), nullable=False),
    Column("organisation", String(200), nullable=False),
    Column("action", String(60), nullable=False),
    Column("from_state", String(40), nullable=False),
    Column("to_state", String(40), nullable=False),
    Column("body", Text, nullable=False),        # the whole event as canonical JSON
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("hazard_id", "n", name="events_hazard_n"),
)

hazards = Table(
    "hazards", metadata,
    Column("id", String(200), primary_key=True),
    Column("state", String(40), nullable=False, index=True),
    Column("level", String(20), nullable=False),
    Column("enterprise_id", String(100), index=True),
    Column("jurisdiction", String(20), index=True),
    Column("listed", Boolean, nullable=False, default=False),
    # The China day of the hazard's earliest deadline (NULL: none runs): which hazards a timer
    # can still run on, and the cheap first cut of "which are overdue" (calendar.deadline_passed decides).
    Column("next_due", Date, index=True),
    Column("version", Integer, nullable=False),
    Column("head_hash", String(64), nullable=False),
    Column("data", Text, nullable=False),        # the whole projection as JSON
)


# The enterprise's signed quarterly and annual statistics tables (16号令 art. 14), kept
# beside the log, not in it: a submission is not a step on any hazard. One row per
# distinct table submitted; re-submitting the same table (same digest) adds nothing.
stat_submissions = Table(
    "stat_submissions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("enterprise_id", String(100), nullable=False, index=True),
    Column("period", String(10), nullable=False),           # 2025Q1 or 2025
    Column("submitted_at", String(40), nullable=False),     # ISO 8601, given by the caller
    Column("signed_by", String(200), nullable=False),       # the 主要负责人 who signed
    Column("role", String(40), nullable=False),             # always ENT_PRINCIPAL
    Column("digest", String(64), nullable=False),           # SHA-256 of `body`
    Column("body", Text, nullable=False),                   # the submitted table as canonical JSON
    UniqueConstraint("enterprise_id", "period", "digest", name="stat_submissions_table"),
)


def _create_v1(conn: Connection) -> None:
    # The projection as version 1 made it; later migrations change it step by step.
    v1 = MetaData()
    Table("hazards", v1,
          Column("id", String(200), primary_key=True),
          Column("state", String(40), nullable=False, index=True),
          Column("level", String(20), nullable=False),
          Column("enterprise_id", String(100), index=True),
          Column("jurisdiction", String(20), index=True),
          Column("listed", Boolean, nullable=False, default=False),
          Column("overdue", Boolean, nullable=False, default=False),
          Column("version", Integer, nullable=False),
          Column("head_hash", String(64), nullable=False),
          Column("data", Text, nullable=False))
    v1.create_all(conn)
    metadata.create_all(conn, tables=[events])


def _create_v2(conn: Connection) -> None:
    metadata.create_all(conn, tables=[stat_submissions])


def _v3_next_due_and_ordinary(conn: Connection) -> None:
    """`overdue` was always written False: replaced by `next_due`, which is kept true. The
    level `general` is now `ordinary`, the verdict's word: projections are rewritten (events,
    being hash-chained, are not: replay reads the old name, state.LEGACY_LEVELS)."""
    from ..domain.effects import next_due
    from ..domain.state import LEGACY_LEVELS, HazardState

    conn.execute(text("ALTER TABLE hazards ADD COLUMN next_due DATE"))
    conn.execute(text("CREATE INDEX ix_hazards_next_due ON hazards (next_due)"))
    rows = conn.execute(text("SELECT id, level, data FROM hazards")).all()
    for row in rows:
        state = HazardState.model_validate_json(row.data)
        state = state.model_copy(update={"level": LEGACY_LEVELS.get(state.level, state.level)})
        conn.execute(text("UPDATE hazards SET level = :level, next_due = :next_due, data = :data WHERE id = :id"),
                     {"id": row.id, "level": state.level, "next_due": next_due(state.deadlines),
                      "data": state.model_dump_json()})
    conn.execute(text("ALTER TABLE hazards DROP COLUMN overdue"))


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "event log and hazard projection", _create_v1),
    (2, "enterprise statistics submissions", _create_v2),
    (3, "next_due replaces the never-set overdue flag; level general is ordinary", _v3_next_due_and_ordinary),
]


def migrate(conn: Connection, now: dt.datetime) -> list[int]:
    """Apply every migration not yet recorded; return the versions applied.

    Two processes opening a fresh database at once must not both migrate: PostgreSQL takes
    a transaction-scoped advisory lock first (SQLite's BEGIN IMMEDIATE already serialises)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7240311)"))
    metadata.create_all(conn, tables=[schema_migrations])
    done = set(conn.execute(select(schema_migrations.c.version)).scalars())
    applied = []
    for version, name, step in MIGRATIONS:
        if version in done:
            continue
        step(conn)
        conn.execute(schema_migrations.insert().values(version=version, name=name, applied_at=now))
        applied.append(version)
    return applied


def has_schema(conn: Connection) -> bool:
    return inspect(conn).has_table("schema_migrations")
