"""How the ledger made its schema before Alembic (a frozen copy of the old
workflow/schema.py migrations): the databases that exist in the field, for the
migration tests to upgrade."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)


def _tables() -> tuple[Table, Table, Table, Table]:
    old = MetaData()
    Table("hazards", old,
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
    events = Table(
        "events", old,
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
        Column("body", Text, nullable=False),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
        UniqueConstraint("hazard_id", "n", name="events_hazard_n"))
    submissions = Table(
        "stat_submissions", old,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("enterprise_id", String(100), nullable=False, index=True),
        Column("period", String(10), nullable=False),
        Column("submitted_at", String(40), nullable=False),
        Column("signed_by", String(200), nullable=False),
        Column("role", String(40), nullable=False),
        Column("digest", String(64), nullable=False),
        Column("body", Text, nullable=False),
        UniqueConstraint("enterprise_id", "period", "digest", name="stat_submissions_table"))
    migrations = Table(
        "schema_migrations", old,
        Column("version", Integer, primary_key=True),
        Column("name", String(200), nullable=False),
        Column("applied_at", DateTime(timezone=True), nullable=False))
    return old.tables["hazards"], events, submissions, migrations


def _v3(conn: Connection) -> None:
    # Only an empty database is made at version 3 here; the data rewrite is the revision's.
    conn.execute(text("ALTER TABLE hazards ADD COLUMN next_due DATE"))
    conn.execute(text("CREATE INDEX ix_hazards_next_due ON hazards (next_due)"))
    conn.execute(text("ALTER TABLE hazards DROP COLUMN overdue"))


def create_legacy(conn: Connection, version: int, at: dt.datetime) -> None:
    """The schema the old code made at `version` (1-3), with its `schema_migrations` record."""
    hazards, events, submissions, migrations = _tables()
    hazards.metadata.create_all(conn, tables=[migrations, hazards, events])
    steps = [(1, "event log and hazard projection", None),
             (2, "enterprise statistics submissions", lambda: submissions.create(conn)),
             (3, "next_due replaces the never-set overdue flag; level general is ordinary", lambda: _v3(conn))]
    for number, name, step in steps[:version]:
        if step is not None:
            step()
        conn.execute(migrations.insert().values(version=number, name=name, applied_at=at))


def create_legacy_record(conn: Connection, version: int, at: dt.datetime | None = None) -> None:
    """Only the old code's record that migrations 1..`version` ran, for a schema made otherwise."""
    migrations = _tables()[3]
    migrations.create(conn)
    for number in range(1, version + 1):
        conn.execute(migrations.insert().values(version=number, name=f"migration {number}",
                                                applied_at=at or dt.datetime.now(dt.UTC)))
