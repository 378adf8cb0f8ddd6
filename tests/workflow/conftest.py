"""Database fixtures: every test that takes ``db_url`` runs twice, on SQLite and on a real
PostgreSQL server that this test session starts itself (see tests/postgres_server.py)."""

from __future__ import annotations

import pytest

from tests.postgres_server import PostgresServer, PostgresUnavailable


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server for the whole session, on a Unix socket only.

    Missing binaries FAIL the PostgreSQL tests (errors, not skips): a skipped run would
    hide a broken PostgreSQL path."""
    try:
        server = PostgresServer.start()
    except PostgresUnavailable as exc:
        pytest.fail(f"cannot start the test PostgreSQL server: {exc}", pytrace=False)
    with server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """SQLAlchemy URL of a fresh, empty database: a file in tmp_path, or a new PostgreSQL
    database (dropped after the test, even if connections were left open)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite'}"
        return
    server = request.getfixturevalue("postgres_server")
    url = server.create_database()
    yield url
    server.drop_database(url)
