"""The steps offered (`Ledger.allowed`) are the steps that can be taken: random walks along
the lanes; at each stop, every role (acting as it should) asks what it may do, and

- a step offered whose guards all ignore the step's fields is accepted when taken with its
  required fields and evidence (one of them is taken, which moves the walk on);
- a step the role may take by state, level, role and area but that is not offered, and
  whose guards all ignore the fields, is refused when taken anyway (and writes nothing);
- the guards that `allowed` judges (all but FIELD_GUARDS) give the same answer with the
  step's fields as without them: they do depend on state and actor only.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import collections
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hazard_rules import Finding
from hazard_rules.workflow.domain.guards import FIELD_GUARDS, GUARDS, StepContext
from hazard_rules.workflow.service.ledger import Ledger, StepRefused

from .model import ACTORS, ENT, FINDING_IDS, MACHINE, ORGS, RECORDS, T0, VERDICTS, Databases, open_ledger
from .strategies import acting_for, evidence_for, fields_for

COUNTS: collections.Counter[str] = collections.Counter()
ENTERPRISE_ROLES = {"ENT_SAFETY", "ENT_PRINCIPAL", "ENT_ASSIGNEE"}


def _judged(transition) -> bool:
    """Every guard of the step is one `allowed` judges."""
    return not any(name in FIELD_GUARDS for name in transition.guards)


def _version(ledger: Ledger, hazard_id: str) -> int:
    return ledger.get(hazard_id).version


def _actor(draw, role: str, hazard) -> dict:
    organisation = ENT if role in ENTERPRISE_ROLES else draw(st.sampled_from(ORGS), label="organisation")
    org_code, department = draw(acting_for(role, hazard.jurisdiction or "", tuple(hazard.departments), fitting=True))
    return {"actor": draw(st.sampled_from(ACTORS), label="actor"), "role": role, "organisation": organisation,
            "org_code": org_code, "department": department}


def _take(ledger: Ledger, hazard, action: str, who: dict, at: dt.datetime, draw):
    fields = draw(fields_for(action, complete=True, organisation=who["organisation"],
                             jurisdiction=hazard.jurisdiction or ""), label=f"fields of {action}")
    evidence = draw(evidence_for(action, complete=True), label=f"evidence of {action}")
    return ledger.step(hazard.id, action, at=at, fields=fields, evidence=evidence, **who), fields


def _state_guards_ignore_fields(ledger: Ledger, hazard, transition, who: dict, fields: dict, at: dt.datetime) -> None:
    history = ledger.history(hazard.id)
    for name in transition.guards:
        if name in FIELD_GUARDS:
            continue
        contexts = [StepContext(hazard, transition.action, who["actor"], who["role"], who["organisation"], given, at,
                                history, ledger.deadlines.settings_for(hazard), ledger.calendar, who["org_code"])
                    for given in ({}, fields)]
        assert GUARDS[name](contexts[0]) == GUARDS[name](contexts[1]), f"guard {name} reads the step's fields"
        COUNTS["state guard judged with and without fields"] += 1


@st.composite
def walks(draw):
    return draw(st.sampled_from(FINDING_IDS), label="finding"), draw(st.data(), label="walk")


def _walk(ledger: Ledger, finding_id: str, data) -> None:
    draw = data.draw
    record = RECORDS[finding_id]
    jurisdiction = (record.get("enterprise") or {}).get("jurisdiction") or ""
    org_code, department = draw(acting_for("DEPT", jurisdiction, ("应急管理",), fitting=True))
    ledger.register(Finding.model_validate(record), VERDICTS[finding_id], actor="王检查", role="DEPT",
                    organisation="市应急管理局", at=T0, org_code=org_code, department=department)
    at = T0
    for _ in range(draw(st.integers(4, 14), label="stops")):
        at += dt.timedelta(hours=draw(st.sampled_from([0, 5, 24, 240]), label="hours later"))
        hazard = ledger.get(finding_id)
        offered: list[tuple[str, dict]] = []
        for role in MACHINE.roles:
            who = _actor(draw, role, hazard)
            listed = {t.action for t in ledger.allowed(finding_id, at=at, **who)}
            for transition in MACHINE.available(hazard.state, hazard.level):
                if role not in transition.roles or not _judged(transition) or transition.action in listed:
                    continue
                before = _version(ledger, finding_id)
                try:
                    _take(ledger, hazard, transition.action, who, at, draw)
                except StepRefused:
                    COUNTS["not offered and refused"] += 1
                else:
                    raise AssertionError(f"{transition.action} by {who} was not offered but was accepted "
                                         f"in {hazard.state}")
                assert _version(ledger, finding_id) == before
            offered += [(action, who) for action in sorted(listed)]
        if not offered:
            return
        action, who = draw(st.sampled_from(offered), label="step taken")
        transition = MACHINE.transition(action)
        try:
            _, fields = _take(ledger, hazard, action, who, at, draw)
        except StepRefused as exc:
            assert not _judged(transition), f"{action} by {who} was offered in {hazard.state} but refused: {exc}"
            COUNTS["offered, refused for its fields"] += 1
            continue
        COUNTS["offered and accepted"] += 1
        COUNTS[f"took {action}"] += 1
        if transition.guards:
            _state_guards_ignore_fields(ledger, hazard, transition, who, fields, at)


WALKS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])


def test_offered_steps_are_takeable_and_the_others_refused(databases: Databases) -> None:
    COUNTS.clear()

    @WALKS
    @given(walks())
    def run(walk) -> None:
        url = databases.new()
        try:
            with open_ledger(url) as ledger:
                _walk(ledger, *walk)
        finally:
            databases.drop(url)

    run()
    # not vacuous: steps were taken, state guards refused some, and guards were judged
    assert COUNTS["offered and accepted"] >= 25, COUNTS
    assert COUNTS["not offered and refused"] >= 5, COUNTS
    assert COUNTS["state guard judged with and without fields"] >= 5, COUNTS
