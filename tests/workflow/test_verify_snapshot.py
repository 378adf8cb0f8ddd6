"""`verify` while steps are being taken: it must judge one moment of the ledger.

It reads the projections, then the events, in two statements. Under PostgreSQL's default
READ COMMITTED each statement sees what was committed when it started, so a step committed
between them showed up as an event the projection did not have yet ("projection head does
not match the last event"): a false alarm about deleted events, seen by `GET /verify`
under load. The test commits a step exactly there. PostgreSQL only: on SQLite every
connection of the ledger takes the write lock at BEGIN (store/repository.py), so nothing
can commit while verify reads, and a step there would wait for it."""

from __future__ import annotations

from sqlalchemy import event

from hazard_rules.workflow.service.ledger import Ledger

from .test_ledger import ENT, MAJOR, at, register


def test_verify_reads_one_snapshot_while_a_step_commits(postgres_server) -> None:
    url = postgres_server.create_database()
    try:
        with Ledger.open(url) as book, Ledger.open(url) as other:
            register(book, MAJOR)
            committed: list[int] = []

            def step_in_between(conn, cursor, statement, parameters, context, executemany) -> None:
                if "FROM events" in statement and not committed:
                    state = other.step(MAJOR, "classify_major", actor="张", role="ENT_PRINCIPAL", organisation=ENT,
                                       at=at(0), fields={"interim_controls": "停用设备"})
                    committed.append(state.version)

            event.listen(book.engine, "before_cursor_execute", step_in_between)
            try:
                problems = book.verify()
            finally:
                event.remove(book.engine, "before_cursor_execute", step_in_between)
            assert committed == [2], "the step was not taken between the two reads"
            assert problems == []
            assert book.verify() == [] and len(book.history(MAJOR)) == 2
    finally:
        postgres_server.drop_database(url)

