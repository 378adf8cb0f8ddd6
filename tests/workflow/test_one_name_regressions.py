"""Issue 8 bugs 2–4, each pinned: a renamed action cannot silently lose what it does; the
stored columns of the projection are true (next_due replaces an `overdue` flag that was
always False); and one name for one thing: a hazard judged ordinary is `ordinary` in the
ledger too — including hazards recorded as `general` before, which a migration renames
while their hash-chained events stay untouched."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest
from sqlalchemy import create_engine, inspect, select, text

from hazard_rules.errors import HazardRulesError, diagnostics_of
from hazard_rules.workflow.domain.effects import EFFECTS
from hazard_rules.workflow.domain.events import Event
from hazard_rules.workflow.domain.machine import MachineError, load_machine
from hazard_rules.workflow.domain.state import HazardState
from hazard_rules.workflow.service.ledger import Ledger
from hazard_rules.workflow.store import schema

from .legacy_schema import create_legacy
from .test_ledger import ACTING, DEPT, ENT, MAJOR, ORDINARY, T0, at, register

MACHINE_YAML = resources.files("hazard_rules").joinpath("workflow", "data", "machine.yaml").read_text(encoding="utf-8")


def _machine_from(tmp_path, text: str):
    path = tmp_path / "machine.yaml"
    path.write_text(text, encoding="utf-8")
    return load_machine(path)


# ---------------------------------------------------------------- bug 2
def test_a_renamed_action_is_refused_not_silently_emptied(tmp_path) -> None:
    renamed = MACHINE_YAML.replace("- action: report_double\n", "- action: report_both\n")
    with pytest.raises(MachineError, match=r"report_both: no effects declared .*renamed from 'report_double'\?"):
        _machine_from(tmp_path, renamed)


def test_the_end_states_the_ledger_relies_on_must_be_final(tmp_path) -> None:
    with pytest.raises(HazardRulesError) as caught:  # and VOID is then a trap: each problem its own error
        _machine_from(tmp_path, MACHINE_YAML.replace("final: [CLOSED, VOID]", "final: [CLOSED]"))
    assert "state VOID must be declared final" in [e.message for e in diagnostics_of(caught.value)]


def test_every_action_of_the_machine_has_its_effects_and_no_effect_is_orphaned() -> None:
    assert set(load_machine().actions) == set(EFFECTS)


# ---------------------------------------------------------------- bug 3
def _columns(book: Ledger, hazard_id: str):
    with book.engine.connect() as conn:
        return conn.execute(select(schema.hazards).where(schema.hazards.c.id == hazard_id)).one()


def test_next_due_is_the_china_day_of_the_earliest_deadline(db_url) -> None:
    with Ledger.open(db_url) as book:
        register(book, MAJOR)
        assert _columns(book, MAJOR).next_due is None
        book.step(MAJOR, "classify_major", actor="李科长", role="DEPT", organisation=DEPT, at=at(0),
                  fields={"interim_controls": "停用并隔离"}, **ACTING[DEPT])
        hazard = book.get(MAJOR)
        assert _columns(book, MAJOR).next_due == min(dt.date.fromisoformat(d[:10]) for d in hazard.deadlines.values())
        assert "overdue" not in {c["name"] for c in inspect(book.engine).get_columns("hazards")}
        assert book.verify() == []
        book.step(MAJOR, "void", actor="李科长", role="DEPT", organisation=DEPT, at=at(1),
                  fields={"reason": "重复登记"}, **ACTING[DEPT])
        assert _columns(book, MAJOR).next_due is None            # void meets every deadline
        assert book.overdue(at(400)) == [] and book.tick(at(400)) == []


# ---------------------------------------------------------------- bug 4
def test_an_ordinary_verdict_makes_an_ordinary_hazard(db_url) -> None:
    with Ledger.open(db_url) as book:
        assert register(book, ORDINARY).hazard.level == "ordinary"
        assert [h.id for h in book.hazards(level="ordinary")] == [ORDINARY]


def test_hazards_recorded_as_general_are_migrated_and_their_log_still_verifies(db_url) -> None:
    """A database at schema version 2, written the way the ledger wrote it before: level
    `general` in the register event and the projection, an `overdue` column."""
    engine = create_engine(db_url)
    with engine.begin() as conn:
        create_legacy(conn, 2, T0)
        finding = {"id": "F-OLD", "date": "2024-06-01", "industries": ["gongmao"], "facts": {},
                   "enterprise": {"id": "E1", "name": ENT, "jurisdiction": "370782"}}
        events = [Event(hazard_id="F-OLD", n=1, at=T0, actor="王检查", role="INSPECTOR", organisation=ENT,
                        action="register", from_state="NEW", to_state="REGISTERED",
                        fields={"finding": finding, "level": "general", "verdict": None, "departments": ["应急管理"],
                                "duty_unclear": False}, evidence=[], prev_hash="0" * 64).sealed()]
        events.append(Event(hazard_id="F-OLD", n=2, at=T0, actor="安全员", role="ENT_SAFETY", organisation=ENT,
                            action="assign", from_state="REGISTERED", to_state="ASSIGNED",
                            fields={"assignee": "车间主任", "measure": "清理", "rectify_due": "2025-03-31",
                                    "sets_level": "general"}, evidence=[], prev_hash=events[0].hash).sealed())
        projection = HazardState(id="F-OLD", state="ASSIGNED", level="general", finding=finding,
                                 enterprise_id="E1", enterprise_name=ENT, jurisdiction="370782",
                                 industries=["gongmao"], departments=["应急管理"], source=None,
                                 found_by_role="INSPECTOR", found_by_org=ENT, found_at=dt.date(2024, 6, 1),
                                 registered_at=T0, deadlines={"rectify_due": "2025-03-31"}, version=2,
                                 head_hash=events[1].hash)
        for event in events:
            conn.execute(schema.events.insert().values(
                hazard_id=event.hazard_id, n=event.n, at=event.at.isoformat(), actor=event.actor, role=event.role,
                organisation=event.organisation, action=event.action, from_state=event.from_state,
                to_state=event.to_state, body=event.model_dump_json(), prev_hash=event.prev_hash, hash=event.hash))
        conn.execute(text("INSERT INTO hazards (id, state, level, enterprise_id, jurisdiction, listed, overdue, "
                          "version, head_hash, data) VALUES ('F-OLD', 'ASSIGNED', 'general', 'E1', '370782', "
                          ":false, :false, 2, :head, :data)"),
                     {"false": False, "head": events[1].hash, "data": projection.model_dump_json()})
    engine.dispose()
    with Ledger.open(db_url) as book:
        hazard = book.get("F-OLD")
        assert hazard.level == "ordinary"
        assert _columns(book, "F-OLD").level == "ordinary"
        assert _columns(book, "F-OLD").next_due == dt.date(2025, 3, 31)
        assert book.verify() == []                       # the events still say `general`; replay reads it as ordinary
        assert [h.id for h in book.hazards(level="ordinary")] == ["F-OLD"]
        assert [h.id for h, _ in book.overdue(dt.datetime(2025, 4, 1, 1, tzinfo=dt.UTC))] == ["F-OLD"]
