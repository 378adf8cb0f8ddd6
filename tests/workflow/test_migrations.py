"""Alembic migrations on SQLite and the real PostgreSQL: an empty database reaches head; a
database made before Alembic (schema_migrations, no alembic_version) is recognised,
stamped and upgraded with its data intact; head equals the SQLAlchemy metadata; and an
upgrade that fails writes nothing."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.pool import NullPool

from hazard_rules.workflow.service.ledger import Ledger
from hazard_rules.workflow.store import migrations
from hazard_rules.workflow.store.schema import metadata

from .legacy_schema import create_legacy, create_legacy_record
from .test_ledger import ACTING, DEPT, MAJOR, ORDINARY, T0, at, register

HEAD = ScriptDirectory.from_config(migrations.config(None)).get_current_head()


def _engine(db_url: str):
    return create_engine(db_url, poolclass=NullPool)


def _revision(db_url: str) -> str | None:
    engine = _engine(db_url)
    with engine.connect() as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
    engine.dispose()
    return revision


def _schema_diff(db_url: str) -> list:
    engine = _engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _managed})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    return diff


def _managed(name, type_, parent_names) -> bool:
    return not (type_ == "table" and name == "schema_migrations")


def _fill(book: Ledger) -> list:
    """Two hazards with a few steps each; their history, to compare after an upgrade."""
    register(book, MAJOR)
    register(book, ORDINARY)
    book.step(MAJOR, "classify_major", actor="李科长", role="DEPT", organisation=DEPT, at=at(0),
              fields={"interim_controls": "停用并隔离"}, **ACTING[DEPT])
    return [book.history(MAJOR), book.history(ORDINARY), book.hazards()]


def test_one_revision_per_migration_the_old_code_recorded() -> None:
    script = ScriptDirectory.from_config(migrations.config(None))
    chain = [r.revision for r in reversed(list(script.walk_revisions()))]
    legacy = list(migrations.LEGACY_REVISIONS.values())
    assert chain[:len(legacy)] == legacy == ["0001", "0002", "0003"]  # later revisions follow them


def test_an_empty_database_reaches_head_equal_to_the_metadata(db_url) -> None:
    with Ledger.open(db_url) as book:
        assert book.verify() == []
    assert _revision(db_url) == HEAD
    assert _schema_diff(db_url) == []
    with Ledger.open(db_url) as book:              # opening again changes nothing
        assert book.hazards() == []
    assert _revision(db_url) == HEAD


@pytest.mark.parametrize("version", [1, 2, 3])
def test_a_database_made_before_alembic_is_stamped_and_upgraded(db_url, version) -> None:
    """The old code's schema at each version (version 3 is today's): recognised by its
    schema_migrations record, stamped, upgraded to a head equal to the metadata."""
    engine = _engine(db_url)
    with engine.begin() as conn:
        create_legacy(conn, version, T0)
    engine.dispose()
    with Ledger.open(db_url) as book:
        assert book.verify() == []
        _fill(book)
        assert book.verify() == []
    assert _revision(db_url) == HEAD
    assert _schema_diff(db_url) == []
    engine = _engine(db_url)
    with engine.connect() as conn:            # the old record stays, as history
        assert conn.execute(text("SELECT max(version) FROM schema_migrations")).scalar_one() == version
    engine.dispose()


def test_data_survives_the_upgrade_from_revision_2(db_url) -> None:
    """A ledger with data taken back to revision 2, then upgraded: by Alembic's own record,
    and as a database the old code made (schema_migrations 1-2, no alembic_version)."""
    with Ledger.open(db_url) as book:
        before = _fill(book)
    for old_bookkeeping in (False, True):
        engine = _engine(db_url)
        with engine.begin() as conn:
            command.downgrade(migrations.config(conn), "0002")
            levels = conn.execute(text("SELECT level FROM hazards ORDER BY level")).scalars().all()
            assert levels == ["general", "major"]                  # as version 2 wrote them
            if old_bookkeeping:
                conn.execute(text("DROP TABLE alembic_version"))
                create_legacy_record(conn, 2)
        engine.dispose()
        with Ledger.open(db_url) as book:
            assert [book.history(MAJOR), book.history(ORDINARY), book.hazards()] == before
            assert book.verify() == []
        assert _revision(db_url) == HEAD
        assert _schema_diff(db_url) == []


def test_a_failed_upgrade_writes_nothing(db_url, monkeypatch) -> None:
    """The upgrade is one transaction: a revision that fails midway leaves the database as it was."""
    engine = _engine(db_url)
    with engine.begin() as conn:
        create_legacy(conn, 2, T0)
    engine.dispose()
    real = Connection.execute

    def failing(self, statement, *args, **kwargs):
        if "DROP COLUMN overdue" in str(statement):
            raise RuntimeError("the disk is full")
        return real(self, statement, *args, **kwargs)

    monkeypatch.setattr(Connection, "execute", failing)
    with pytest.raises(RuntimeError, match="disk is full"):
        Ledger.open(db_url)
    monkeypatch.undo()
    engine = _engine(db_url)
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        columns = {c["name"] for c in inspect(conn).get_columns("hazards")}
    engine.dispose()
    assert "alembic_version" not in tables and "overdue" in columns and "next_due" not in columns
    with Ledger.open(db_url) as book:
        assert book.verify() == []
    assert _revision(db_url) == HEAD


def test_downgrade_to_base_removes_every_table_it_made(db_url) -> None:
    with Ledger.open(db_url) as book:
        _fill(book)
    engine = _engine(db_url)
    with engine.begin() as conn:
        command.downgrade(migrations.config(conn), "base")
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) == {"alembic_version"}
    engine.dispose()
