"""The schema's history as Alembic revisions (versions/), run from code when a ledger is
opened: no alembic.ini, the open connection is handed to env.py through the config.

A database made before Alembic records its migrations in `schema_migrations` (versions
1-3, one per revision here): it is stamped at the matching revision, then upgraded. The
whole upgrade runs in the caller's transaction, so it applies completely or not at all.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, inspect, text

# schema_migrations version → the revision that reproduces it.
LEGACY_REVISIONS = {1: "0001", 2: "0002", 3: "0003"}


def config(conn: Connection) -> Config:
    """An Alembic config that runs this package's scripts on `conn`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent))
    cfg.set_main_option("file_template", "v%%(rev)s_%%(slug)s")   # a module name: v0004_what_changes.py
    cfg.attributes["connection"] = conn
    return cfg


def upgrade(conn: Connection, revision: str = "head") -> None:
    """Bring the schema to `revision`, inside the transaction `conn` holds.

    Two processes opening a fresh database at once must not both migrate: PostgreSQL takes
    a transaction-scoped advisory lock first (SQLite's BEGIN IMMEDIATE already serialises)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7240311)"))
    cfg = config(conn)
    legacy = legacy_version(conn)
    if legacy is not None:
        command.stamp(cfg, LEGACY_REVISIONS[legacy])
    command.upgrade(cfg, revision)


def legacy_version(conn: Connection) -> int | None:
    """The last migration a database made before Alembic recorded (None: not such a database)."""
    tables = inspect(conn).get_table_names()
    if "schema_migrations" not in tables or "alembic_version" in tables:
        return None
    versions = set(conn.execute(text("SELECT version FROM schema_migrations")).scalars())
    if not versions:
        return None
    last = max(versions)
    if versions != set(range(1, last + 1)) or last not in LEGACY_REVISIONS:
        raise RuntimeError(f"schema_migrations records versions {sorted(versions)}: not a history this "
                           "ledger wrote; refusing to guess its schema")
    return last
