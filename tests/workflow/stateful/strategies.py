"""What hypothesis draws: fields, evidence and acting for a step, the steps that look
legal, a legal history, and a single tampering with one stored event."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from sqlalchemy import text

from hazard_rules import Finding
from hazard_rules.workflow.domain.events import Event, Evidence
from hazard_rules.workflow.service.ledger import Ledger

from .model import (
    ACTORS,
    AREA_ROLES,
    CODE_LEAVES,
    DATE_LEAVES,
    DEPARTMENT_ROLES,
    ENT,
    FINDING_IDS,
    FIRST_DAY,
    FITTING_CODES,
    LAST_DAY,
    MACHINE,
    ORGS,
    RECORDS,
    STRAY_NAMES,
    T0,
    UNKNOWN_DEPARTMENT,
    VERDICTS,
    WRONG_DEPARTMENT,
    Attempt,
    Model,
    advance,
    codes_around,
    departments_of,
    jurisdiction_of,
    predict,
    registered_model,
)

# ---------------------------------------------------------------------------- strategies
# A required field's value: never only white space, which the ledger counts as missing (a blank,
# drawn on purpose from BLANKS); a "complete" step's fields would not be complete otherwise.
TEXTS = st.one_of(st.sampled_from(["整改", "报告书", "限员", "同意", "x"]),
                  st.text(min_size=1, max_size=6).filter(str.strip))
DATES = st.dates(FIRST_DAY, LAST_DAY).map(dt.date.isoformat)
BLANKS = st.sampled_from([None, "", " \r\n", [], {}])


def value_for(leaf: str, organisation: str, codes: list[str]) -> st.SearchStrategy[Any]:
    if leaf in DATE_LEAVES:
        return DATES
    if leaf in CODE_LEAVES:
        return st.sampled_from(codes)
    if leaf == "assessment_by":
        return st.sampled_from(["agency", "own_experts", "agency", "friends"])
    if leaf == "authority":          # mostly the organisation taking the step: a listing is its own
        return st.sampled_from([organisation, organisation, *ORGS])
    return TEXTS


def _put(fields: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    target = fields
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


@st.composite
def fields_for(draw, action: str, complete: bool = False, stray: bool = False, organisation: str = ENT,
               jurisdiction: str = "", above: list[str] | None = None) -> dict[str, Any]:
    """Every required field, except (unless complete) that one is sometimes left out or
    blank; optional fields some actions look at; harmless extra fields. Codes (filed_with,
    to) are drawn from those around the hazard's jurisdiction (when complete, those holding it,
    or `above`: the governments above the one that files or reports, when there are any)."""
    t = MACHINE.transition(action)
    around = codes_around(jurisdiction)
    codes, fitting = sorted(around.values()), above or [around[kind] for kind in FITTING_CODES]
    fields: dict[str, Any] = {}
    for name in t.requires:
        if name == "finding":
            continue
        presence = 9 if complete else draw(st.integers(0, 24))
        if presence == 0:
            continue
        _put(fields, name, draw(BLANKS) if presence == 1 else draw(value_for(name.rsplit(".", 1)[-1], organisation,
                                                                              fitting if complete else codes)))
    if action in ("assign", "fix_on_spot"):
        kind = draw(st.integers(0, 4))
        if kind >= 2 or complete:
            fields["determination"] = {"by": draw(st.sampled_from(["专家王某", "李科长"])), "reason": draw(TEXTS)}
        elif kind == 1:
            fields["determination"] = {"by": "专家王某"}
    if action == "classify_major":
        if draw(st.integers(0, 3)) == 0 or complete:
            fields["expert"] = {"name": "专家组", "reason": draw(TEXTS)}
        kind = draw(st.integers(0, 5))
        if kind == 0:
            fields["clauses"] = ["GM2023-11-1"]
        elif kind == 1:
            fields["clauses"] = []
    if draw(st.integers(0, 9)) == 0:
        fields["note"] = draw(TEXTS)
    if stray and draw(st.integers(0, 3)) == 0:
        name = draw(st.sampled_from(STRAY_NAMES))
        fields[name] = draw({"sets_level": st.sampled_from(["ordinary", "major"]), "authority": st.sampled_from(codes),
                             "calendar_basis": st.just("provisional 2026")}.get(name, DATES))
    return fields


@st.composite
def evidence_for(draw, action: str, complete: bool = False) -> list[Evidence]:
    items = []
    for name in MACHINE.transition(action).evidence:
        if complete or draw(st.integers(0, 7)) > 0:
            items.append(Evidence(name=name, ref=f"photos/{name}.jpg", sha256=draw(st.sampled_from(["ab", "cd"])) * 32))
    if draw(st.integers(0, 9)) == 0:
        items.append(Evidence(name="receipt", ref="scans/receipt.pdf", sha256="ef" * 32))
    return items


# What a step may get wrong about who it acts for: one thing (so that it is what the step is
# refused for), or anything at all.
MISTAKES = {"no code": ("area", None), "malformed code": ("area", "malformed"),
            "not a province": ("area", "bad province"), "a county of another city": ("area", "neighbour"),
            "a township in the county": ("area", "township"), "no department": ("department", None),
            "a department not responsible": ("department", WRONG_DEPARTMENT),
            "an unknown department": ("department", UNKNOWN_DEPARTMENT), "anything": ("both", None)}


@st.composite
def acting_for(draw, role: str, jurisdiction: str, departments: tuple[str, ...], fitting: bool | None = None,
               mistake: str | None = None) -> tuple[str | None, str | None]:
    """(org_code, department) for a step by `role` on a hazard in `jurisdiction`: mostly what
    the role should give (an area holding the hazard and the responsible department for a
    government role, nothing for the others); otherwise one mistake (or the one given), or
    anything from the small sets: the hazard's county, city (also zero-padded) and province, a
    township in the county, a county of another city, two malformed codes, none; the
    responsible department, a declared one that is not, an unknown one, none."""
    codes = codes_around(jurisdiction)
    if fitting is None and mistake is None:   # a role that acts for no government errs less: it is the
        # enterprise's steps that take a hazard along its lane, and every one of its mistakes is refused
        fitting = draw(st.integers(0, 7 if role in AREA_ROLES else 23), label="acts as it should") > 0
    org_code = codes[draw(st.sampled_from(FITTING_CODES), label="acts for")] if role in AREA_ROLES else None
    department = departments[0] if role in DEPARTMENT_ROLES else None
    if fitting:
        return org_code, department
    what, value = MISTAKES[mistake or draw(st.sampled_from(list(MISTAKES)), label="mistake")]
    if what == "area":
        org_code = codes[value] if value else None
    elif what == "department":
        department = value
    else:
        kind = draw(st.sampled_from([*codes, None]), label="area")
        org_code = codes[kind] if kind else None
        department = draw(st.sampled_from([departments[0], WRONG_DEPARTMENT, UNKNOWN_DEPARTMENT, None]),
                          label="department")
    return org_code, department


# How far along its lane a state is, to aim most steps forward (void, downgrade, extension
# and re-classification ping-pong would otherwise keep hazards from going deep).
PROGRESS = {"NEW": 0, "REPORT_VERIFYING": 1, "REGISTERED": 2, "ASSIGNED": 3, "MAJOR_CONFIRMED": 3, "REPORTED": 4,
            "PLAN_FILED": 5, "RECTIFYING": 6, "EXTENSION_PENDING": 6, "PENDING_VERIFICATION": 7, "ASSESSED": 7,
            "CLOSURE_APPLIED": 8, "CLOSED": 9, "VOID": -1}
assert set(PROGRESS) == set(MACHINE.definition.states)


OVERLAYS = ["list", "file_listing", "publish", "report_up"]   # in the order they are aimed at


def not_had_yet(h: Model, action: str) -> bool:
    """An overlay the hazard has not had yet (a listing; its filing and publication while their
    deadlines run; 上报): aimed at like a step forward, so that these happen often enough."""
    return {"list": h.listed_by is None, "file_listing": "filing_due" in h.timers,
            "publish": "publication_due" in h.timers, "report_up": not h.reported_up}.get(action, False)


def legal_looking(h: Model) -> list[tuple[str, list[str]]]:
    """Actions whose state and level fit the hazard now, with the roles that may take them."""
    return [(t.action, t.roles) for t in MACHINE.available(h.state, h.level)
            if t.action not in ("register", "submit_report")]


# ---------------------------------------------------------------------------- tampering
@st.composite
def legal_history(draw, ledger: Ledger) -> dict[str, Model]:
    """Register 2-4 hazards and take 3-20 steps that the model finds legal (complete fields;
    government roles acting for an area and department that fit)."""
    models: dict[str, Model] = {}
    ids = draw(st.lists(st.sampled_from(FINDING_IDS), min_size=2, max_size=4, unique=True), label="findings")
    for finding_id in ids:
        role = draw(st.sampled_from(["INSPECTOR", "DEPT", "ENT_SAFETY"]))
        organisation = draw(st.sampled_from(ORGS))
        org_code, department = draw(acting_for(role, jurisdiction_of(finding_id), departments_of(finding_id),
                                               fitting=True))
        ledger.register(Finding.model_validate(RECORDS[finding_id]), VERDICTS[finding_id], actor="王检查", role=role,
                        organisation=organisation, at=T0, org_code=org_code, department=department)
        models[finding_id] = registered_model(finding_id, role, organisation)
    clock = T0
    for _ in range(draw(st.integers(3, 20), label="steps")):
        hazard_id = draw(st.sampled_from(ids))
        h = models[hazard_id]
        candidates = legal_looking(h)
        if not candidates:
            continue
        action, roles = draw(st.sampled_from(candidates))
        clock += dt.timedelta(hours=draw(st.integers(0, 48)))
        role, organisation = draw(st.sampled_from(roles)), draw(st.sampled_from(ORGS))
        org_code, department = draw(acting_for(role, h.jurisdiction, h.departments, fitting=True))
        a = Attempt(hazard_id, action, draw(st.sampled_from(ACTORS)), role, organisation, clock,
                    draw(fields_for(action, complete=True, organisation=organisation, jurisdiction=h.jurisdiction)),
                    draw(evidence_for(action, complete=True)), None, org_code, department)
        if predict(h, a, ledger.find(hazard_id))[0] != "ok":
            continue
        ledger.step(hazard_id, action, actor=a.actor, role=a.role, organisation=a.organisation, at=a.at,
                    fields=a.fields, evidence=a.evidence, **a.acting())
        models[hazard_id] = advance(h, a)
    return models


TAMPERS = ["edit body", "edit body and re-seal", "swap two events", "delete"]   # and "column NAME"
# every column that repeats the event body; `at` is left out: verify does not compare it (a
# bug, shown by test_verify_misses_an_edited_at_column) and `seq` only orders the events
COLUMNS = ["n", "action", "from_state", "to_state", "actor", "role", "organisation", "prev_hash", "hash", "hazard_id"]


def _edit_body(draw, event: dict[str, Any]) -> dict[str, Any]:
    edited = copy.deepcopy(event)
    where = draw(st.sampled_from(["fields", "at", "actor", "organisation", "org_code", "to_state", "evidence",
                                  "prev_hash"]), label="edited part")
    if where == "fields":
        edited["fields"] = {**edited["fields"], draw(st.sampled_from(["reason", "note", "opinion"])): draw(TEXTS)}
    elif where == "at":
        later = dt.datetime.fromisoformat(edited["at"]) + dt.timedelta(days=draw(st.integers(1, 30)))
        edited["at"] = later.isoformat()
    elif where == "evidence":
        edited["evidence"] = [*edited["evidence"], {"name": "forged", "ref": "x.jpg", "sha256": "00" * 32}]
    elif where == "to_state":
        edited["to_state"] = "CLOSED" if edited["to_state"] != "CLOSED" else "VOID"
    elif where == "prev_hash":
        edited["prev_hash"] = "f" * 64
    elif where == "org_code":        # who a step acted for (absent from the hash body when None)
        edited["org_code"] = "37" if edited.get("org_code") != "37" else "3702"
    else:
        edited[where] = edited[where] + "某"
    assume(edited != event)
    return edited


def tamper_with_one_event(draw, ledger: Ledger, kind: str) -> tuple[str, str]:
    """Tamper with one random event in SQL; return (the hazard it belonged to, what was done)."""
    with ledger.engine.begin() as conn:
        rows = conn.execute(text("SELECT seq, hazard_id, n, body FROM events ORDER BY seq")).all()
        if kind == "swap two events":    # only an event with a sibling can be swapped with it
            rows_with_siblings = [r for r in rows if sum(o.hazard_id == r.hazard_id for o in rows) > 1]
            assume(rows_with_siblings)
            target = draw(st.sampled_from(rows_with_siblings), label="tampered event")
        else:
            target = draw(st.sampled_from(rows), label="tampered event")
        siblings = [r for r in rows if r.hazard_id == target.hazard_id and r.seq != target.seq]
        event = json.loads(target.body)
        if kind == "edit body":
            body = json.dumps(_edit_body(draw, event), ensure_ascii=False)
            conn.execute(text("UPDATE events SET body = :body WHERE seq = :seq"), {"body": body, "seq": target.seq})
        elif kind == "edit body and re-seal":      # the forger recomputes the event's own hash
            resealed = Event.model_validate(_edit_body(draw, event)).sealed()
            conn.execute(text("UPDATE events SET body = :body, hash = :hash, prev_hash = :prev_hash, "
                              "to_state = :to_state, actor = :actor, organisation = :organisation, at = :at "
                              "WHERE seq = :seq"),
                         {"body": resealed.model_dump_json(), "hash": resealed.hash, "prev_hash": resealed.prev_hash,
                          "to_state": resealed.to_state, "actor": resealed.actor,
                          "organisation": resealed.organisation, "at": resealed.at.isoformat(), "seq": target.seq})
        elif kind.startswith("column "):
            column = kind.removeprefix("column ")
            taken = {(r.hazard_id, r.n) for r in rows}          # UNIQUE(hazard_id, n) must still hold
            if column == "n":
                value: Any = draw(st.sampled_from([n for n in (target.n - 1, target.n + 1, target.n + 100)
                                                   if (target.hazard_id, n) not in taken]))
            elif column == "hazard_id":
                others = sorted({r.hazard_id for r in rows if (r.hazard_id, target.n) not in taken})
                value = draw(st.sampled_from([*others, "F-9999-999999"]))
            elif column in ("prev_hash", "hash"):
                value = draw(st.sampled_from(["0", "f"])) * 63 + "1"
            elif column in ("from_state", "to_state"):
                value = "CLOSED" if event[column] != "CLOSED" else "RECTIFYING"
            else:
                value = event[column] + "x"
            conn.execute(text(f"UPDATE events SET {column} = :value WHERE seq = :seq"),
                         {"value": value, "seq": target.seq})
        elif kind == "swap two events":
            other = draw(st.sampled_from(siblings), label="swapped with")
            conn.execute(text("UPDATE events SET seq = -1 WHERE seq = :seq"), {"seq": target.seq})
            conn.execute(text("UPDATE events SET seq = :a WHERE seq = :b"), {"a": target.seq, "b": other.seq})
            conn.execute(text("UPDATE events SET seq = :b WHERE seq = -1"), {"b": other.seq})
        else:
            conn.execute(text("DELETE FROM events WHERE seq = :seq"), {"seq": target.seq})
    return target.hazard_id, f"{kind} of event {target.n} of {target.hazard_id}"
