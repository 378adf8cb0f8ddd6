"""The database harness itself: each `db_url` is a real, fresh, empty database on SQLite and
on a PostgreSQL server the session started (Unix socket only), and both take concurrent
transactions the way the ledger will use them."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from tests.postgres_server import PostgresServer

metadata = sa.MetaData()
probe = sa.Table("harness_probe", metadata,
                 sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("note", sa.Unicode(200), nullable=False))

_previous_url: dict[str, str] = {}  # backend -> url of test_leaves_a_table_behind's database


def engine_for(url: str, **kwargs) -> sa.Engine:
    return sa.create_engine(url, **kwargs)


def backend(url: str) -> str:
    return sa.make_url(url).get_backend_name()


def wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def waiting_on_lock(engine: sa.Engine) -> bool:
    """PostgreSQL: is some other session of this database waiting for a lock?"""
    with engine.connect() as conn:
        return bool(conn.scalar(sa.text(
            "select count(*) from pg_stat_activity where datname = current_database() "
            "and wait_event_type = 'Lock' and pid <> pg_backend_pid()")))


def test_connects_and_round_trips_a_row(db_url):
    engine = engine_for(db_url)
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(probe.insert(), [{"id": 1, "note": "重大事故隐患"}, {"id": 2, "note": "ok"}])
        with engine.connect() as conn:
            rows = conn.execute(sa.select(probe.c.id, probe.c.note).order_by(probe.c.id)).all()
        assert [tuple(r) for r in rows] == [(1, "重大事故隐患"), (2, "ok")]
        assert engine.dialect.name == db_url.split(":")[0].split("+")[0]
    finally:
        engine.dispose()


def test_leaves_a_table_behind(db_url):
    """Writes and does NOT clean up: the next test must not see it."""
    engine = engine_for(db_url)
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(probe.insert().values(id=1, note="leftover"))
    finally:
        engine.dispose()
    _previous_url[backend(db_url)] = db_url


def test_next_database_is_fresh_and_empty(db_url, request):
    engine = engine_for(db_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
    previous = _previous_url.get(backend(db_url))
    if previous is not None:  # the test above ran first in this session (it does, unless deselected)
        assert previous != db_url
        if backend(db_url) == "postgresql":  # and its database was dropped afterwards
            server = request.getfixturevalue("postgres_server")
            assert previous.split("?")[0].rsplit("/", 1)[-1] not in server.databases()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_is_a_real_server_on_a_unix_socket_only(db_url, postgres_server: PostgresServer):
    engine = engine_for(db_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(sa.text("select version()")).startswith("PostgreSQL ")
            assert conn.scalar(sa.text("show server_version_num")).isdigit()
            assert conn.scalar(sa.text("show listen_addresses")) == ""  # no TCP listener at all
            assert conn.scalar(sa.text("show unix_socket_directories")) == str(postgres_server.socket_dir)
            assert conn.scalar(sa.text("select inet_server_addr()")) is None  # this connection is a socket
            assert conn.scalar(sa.text("show server_encoding")) == "UTF8"
            assert conn.scalar(sa.text("select current_database()")) != "hazard_rules_test"  # a per-test one
    finally:
        engine.dispose()
    with postgres_server.connect("hazard_rules_test") as conn:  # the session's named database exists
        assert conn.execute("select current_database()").fetchone() == ("hazard_rules_test",)


def test_row_lock_blocks_second_writer_until_first_commits(db_url):
    """Two connections: the first holds a lock (PostgreSQL: SELECT ... FOR UPDATE on the row;
    SQLite has no row locks, so BEGIN IMMEDIATE takes the database write lock), the second
    asks for the same lock and must wait until the first commits, then see its write.
    Lock timeouts keep a broken lock from hanging the test."""
    if backend(db_url) == "sqlite":
        engine = engine_for(db_url, connect_args={"timeout": 10})

        @sa.event.listens_for(engine, "connect")
        def _no_implicit_transactions(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # let the "begin" hook below emit BEGIN itself

        @sa.event.listens_for(engine, "begin")
        def _write_lock_on_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        engine = engine_for(db_url, connect_args={"options": "-c lock_timeout=10s"})

    locked_row = sa.select(probe.c.note).where(probe.c.id == 1).with_for_update()
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(probe.insert().values(id=1, note="before"))

        second_saw: list[str] = []
        second_error: list[BaseException] = []

        def second_writer():
            try:
                with engine.begin() as conn:
                    second_saw.append(conn.execute(locked_row).scalar_one())
                    conn.execute(probe.update().where(probe.c.id == 1).values(note="second"))
            except BaseException as exc:  # reported by the main thread
                second_error.append(exc)

        with engine.connect() as first:
            with first.begin():
                assert first.execute(locked_row).scalar_one() == "before"
                thread = threading.Thread(target=second_writer, daemon=True)
                thread.start()
                if backend(db_url) == "postgresql":  # see the second one actually wait on our lock
                    assert wait_until(lambda: waiting_on_lock(engine)), "second transaction never waited on the lock"
                else:
                    time.sleep(0.5)
                assert thread.is_alive() and not second_saw, "second transaction was not blocked by the lock"
                first.execute(probe.update().where(probe.c.id == 1).values(note="first"))
            # committed: the second one goes on
        thread.join(timeout=15)
        assert not thread.is_alive(), "second transaction still blocked after the first committed"
        assert not second_error, second_error
        assert second_saw == ["first"]
        with engine.connect() as conn:
            assert conn.scalar(sa.select(probe.c.note).where(probe.c.id == 1)) == "second"
    finally:
        engine.dispose()
