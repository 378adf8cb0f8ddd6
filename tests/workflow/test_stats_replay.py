"""The statistics' fast paths give what the plain definitions give, on generated ledgers.

The ledgers are those of benchmarks/bench_stats.py (hazards of every lane registered over
2025 through the service, stepped in time order, listed, voided, closed, with a monthly
`tick`), small, from several seeds, on SQLite and on a real PostgreSQL. Checked:

- `apply` validates only the fields an event changes (state.py `_changed`): every state of
  every replay equals, field for field and as stored JSON, the state the plain rule gives
  (the whole state dumped and validated again), and reads back from its JSON as itself;
  the last one is the stored projection;
- each snapshot is the replay of every hazard's log (`states_as_of`) as of that moment, at
  and around the times of events, and comes from the log alone: a projection edited out of
  step with its log (which `verify` reports) changes nothing;
- each point of `series` (counted from each state's facts, series.py `_point`) is the
  `stock_increment` table of the snapshot as of that day, for all hazards, major ones, and
  within an area; its breakdowns are `breakdown` as of the last day."""

from __future__ import annotations

import datetime as dt
import random
import sys
from typing import Any

import pytest

from hazard_rules.workflow import stats as st
from hazard_rules.workflow.domain import state as state_module
from hazard_rules.workflow.domain.state import HazardState
from hazard_rules.workflow.service.ledger import Ledger
from hazard_rules.workflow.store import schema

from ..conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_stats import build  # noqa: E402

HAZARDS = 36
CUT_OFF = dt.date(2025, 4, 1)


def plain_changed(state: HazardState, change: dict[str, Any]) -> HazardState:
    """The rule before: the whole state dumped, changed and validated again."""
    return HazardState.model_validate({**state.model_dump(), **change})


@pytest.fixture(params=[3, 4])
def book(request, db_url):
    build(db_url, HAZARDS, request.param)
    with Ledger.open(db_url) as ledger:
        yield ledger


def test_a_replay_validating_only_the_changes_is_the_plain_replay(book: Ledger, monkeypatch) -> None:
    hazards = book.hazards()
    assert len(hazards) == HAZARDS and book.verify() == []
    actions = set()
    for stored in hazards:
        events = book.history(stored.id)
        actions |= {e.action for e in events}
        fast, state = [], HazardState(id=stored.id)
        for event in events:
            state = state_module.apply(state, event)
            fast.append(state)
        with monkeypatch.context() as patched:
            patched.setattr(state_module, "_changed", plain_changed)
            plain, state = [], HazardState(id=stored.id)
            for event in events:
                state = state_module.apply(state, event)
                plain.append(state)
        assert fast == plain
        assert [s.model_dump_json() for s in fast] == [s.model_dump_json() for s in plain]
        assert all(HazardState.model_validate_json(s.model_dump_json()) == s for s in fast)
        assert fast[-1] == stored
    # the generated ledgers take the steps that change more than the state
    assert {"register", "list", "accept_and_close", "void", "escalate", "verify_pass"} <= actions


def replayed_snapshot(histories: dict[str, list[Any]], at: dt.datetime) -> dict[str, HazardState]:
    """Every hazard's log replayed as of `at` (the hazards it makes)."""
    states = {hazard_id: st.states_as_of(hazard_id, events, [at])[0] for hazard_id, events in histories.items()}
    return {hazard_id: state for hazard_id, state in states.items() if state is not None}


def test_a_snapshot_is_the_replay_of_every_log(book: Ledger, request) -> None:
    histories = {h.id: book.history(h.id) for h in book.hazards()}
    times = sorted({event.at for events in histories.values() for event in events})
    rng = random.Random(request.node.name)
    tiny = dt.timedelta(microseconds=1)
    moments = [times[0] - tiny, times[-1], times[-1] + dt.timedelta(days=40), dt.date(2025, 6, 30)]
    moments += [at + shift for at in rng.sample(times, 12) for shift in (-tiny, dt.timedelta(0), tiny)]
    snaps = st.snapshots(book, moments)
    for snap in snaps:
        assert {h.id: h for h in snap.hazards} == replayed_snapshot(histories, snap.as_of), snap.as_of
        assert [h.id for h in snap.hazards] == sorted(h.id for h in snap.hazards)
    assert len(snaps[0].hazards) == 0 and len(snaps[2].hazards) == len(histories)
    # statistics replay the log: a projection out of step with it (an edit, a torn write) is not read
    stale = next(h for h in snaps[2].hazards if h.version > 2)
    earlier = st.states_as_of(stale.id, histories[stale.id], [stale.registered_at])[0]
    with book.engine.begin() as conn:
        conn.execute(schema.hazards.update().where(schema.hazards.c.id == stale.id)
                     .values(version=earlier.version, data=earlier.model_dump_json()))
    assert book.verify() != []
    again = {h.id: h for h in st.snapshot(book, moments[2]).hazards}
    assert again == replayed_snapshot(histories, st.moment(moments[2])) and again[stale.id] == stale


def reference_point(snap: st.Snapshot, **options: Any) -> dict[str, Any]:
    rows = {row["cohort"]: row for row in st.stock_increment(snap, CUT_OFF, **options)}
    return {"as_of": snap.day, **{name: {k: v for k, v in rows[cohort].items() if k != "cohort"}
                                  for name, cohort in (("stock", "stock"), ("increment", "increment"),
                                                       ("total", st.TOTAL))}}


@pytest.mark.parametrize("step", ["month", "week"])
def test_each_point_of_a_series_is_the_stock_table_of_that_day(book: Ledger, step: str) -> None:
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    days = st.series_days(start, end, step)
    snaps = st.snapshots(book, days)
    areas = sorted({h.jurisdiction[:2] for h in snaps[-1].hazards if h.jurisdiction})
    for options in ({}, {"major_only": True}, {"jurisdiction": areas[0]}, {"jurisdiction": "3707"},
                    {"jurisdiction": areas[-1], "major_only": True}):
        got = st.series(book, CUT_OFF, start, end, step, by=["industry", "department", "lane"], **options)
        expected = [reference_point(snap, **options) for snap in snaps]
        assert list(got.points) == expected, options
        assert got.breakdowns == {name: st.breakdown(snaps[-1], by=[name], **options)
                                  for name in ("industry", "department", "lane")}
    assert snaps[-1].hazards and any(p["total"]["overdue"] for p in st.series(book, CUT_OFF, start, end).points)
