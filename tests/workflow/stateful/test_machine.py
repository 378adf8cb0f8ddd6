"""The state machine: random steps by random roles against the model (see the package
docstring); every outcome predicted, every invariant checked after every rule."""

from __future__ import annotations

import collections
import copy
import datetime as dt
from dataclasses import replace

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from hazard_rules import Finding
from hazard_rules.workflow.service.ledger import ConflictError, StepRefused, UnknownHazardError

from .model import (
    ACTORS,
    AREA_ROLES,
    ENT,
    FINDING_IDS,
    LAST_CLOCK,
    MACHINE,
    NOT_REGISTERED,
    ORGS,
    RECORDS,
    ROLES,
    T0,
    UNPLACED,
    VERDICTS,
    Attempt,
    Databases,
    Model,
    advance,
    assert_projection_matches,
    canonical,
    check_ledger_invariants,
    check_recorded_event,
    departments_of,
    escalation_authority,
    governments_above,
    jurisdiction_of,
    new_model,
    open_ledger,
    predict,
    registered_model,
)
from .strategies import MISTAKES, OVERLAYS, PROGRESS, acting_for, evidence_for, fields_for, legal_looking, not_had_yet

# ---------------------------------------------------------------------------- the machine
LEVEL_OF_CODE = {2: "province", 4: "city", 6: "county", 9: "township"}


class LedgerMachine(RuleBasedStateMachine):
    """Random intake and steps on a fresh ledger, checked against the model."""

    def __init__(self, databases: Databases, stats: collections.Counter, stray: bool = False) -> None:
        super().__init__()
        self.databases = databases
        self.stats = stats
        self.stray = stray
        self.url = databases.new()
        self.ledger = open_ledger(self.url)
        self.models: dict[str, Model] = {}
        self.clock = T0

    def teardown(self) -> None:
        self.stats["examples"] += 1
        self.ledger.close()
        self.databases.drop(self.url)

    def _later(self, delta: dt.timedelta) -> dt.datetime:
        # the clock stays inside the years the working-day calendar covers
        self.clock = min(self.clock + delta, LAST_CLOCK)
        return self.clock

    def _tick_clock(self, data) -> dt.datetime:
        return self._later(dt.timedelta(hours=data.draw(st.sampled_from([0, 1, 5, 24, 72]), label="hours later")))

    def _count(self, outcome: str, why: str, a: Attempt) -> None:
        """Statistics for the non-vacuity checks: refusals by who acts for whom, steps by role and area."""
        if outcome == "refused" and why.startswith(("acting:", "scope:")):
            self.stats[f"refused {why}"] += 1
        if outcome == "ok" and a.role in AREA_ROLES:
            self.stats[f"did as {a.role}"] += 1
            self.stats[f"did for a {LEVEL_OF_CODE[len(canonical(a.org_code) or '')]}"] += 1
            if not jurisdiction_of(a.hazard_id):
                self.stats["did on a hazard that cannot be placed"] += 1

    # -- the rules ----------------------------------------------------------------------------
    # One rule that picks what to do, with weights: Hypothesis gives every rule the same chance
    # and, in "swarm" mode, switches whole rules off for an example, which left most examples
    # with no step at all; steps must dominate for hazards to go deep.
    ACTIVITIES = ["step"] * 14 + ["register"] * 3 + ["tick"] * 2 + ["reopen the ledger"] + ["probe who acts"]

    @initialize(data=st.data())
    def first_findings(self, data) -> None:
        """Two to four findings registered by roles that may register."""
        count = data.draw(st.integers(2, 4), label="first findings")
        first = data.draw(st.permutations(FINDING_IDS), label="findings")[:count]
        if UNPLACED not in first and data.draw(st.booleans(), label="one that cannot be placed"):
            first[-1] = UNPLACED
        for finding_id in first:
            self.register(data, finding_id, data.draw(st.sampled_from(MACHINE.transition("register").roles)),
                          fitting=True)

    @rule(data=st.data())
    def act(self, data) -> None:
        activity = data.draw(st.sampled_from(self.ACTIVITIES), label="activity")
        if activity == "step" and self.models:
            self.step(data)
        elif activity == "tick" and self.models:
            self.tick(data.draw(st.integers(0, 20), label="days later"))
        elif activity == "reopen the ledger":
            self.reopen_the_ledger()
        elif activity == "probe who acts" and self.models:
            self.probe_acting(data)
        else:
            self.register(data)

    # -- intake ----------------------------------------------------------------------------
    def register(self, data, finding_id: str | None = None, role: str | None = None,
                 fitting: bool | None = None) -> None:
        finding_id = finding_id or data.draw(st.sampled_from(FINDING_IDS), label="finding")
        role = role or data.draw(st.sampled_from([*ROLES, "INSPECTOR", "DEPT"]), label="role")
        organisation = data.draw(st.sampled_from(ORGS), label="organisation")
        report = data.draw(st.integers(0, 5), label="as a whistle-blower report") == 0
        action = "submit_report" if report else "register"
        if fitting is None:    # an intake refused for who acts is harmless: the finding is fed again later
            fitting = data.draw(st.booleans(), label="acts as it should")
        org_code, department = data.draw(acting_for(role, jurisdiction_of(finding_id), departments_of(finding_id),
                                                    fitting=fitting))
        extra = data.draw(fields_for(action, organisation=organisation), label="fields") if report else None
        at = self._tick_clock(data)
        record = RECORDS[finding_id]
        existing = self.models.get(finding_id)
        a = Attempt(finding_id, action, "王检查", role, organisation, at, {"finding": True, **(extra or {})}, [],
                    org_code=org_code, department=department)
        verdict, why = ("exists", "") if existing else predict(new_model(finding_id), a)
        try:
            result = self.ledger.register(Finding.model_validate(record), VERDICTS[finding_id], actor="王检查",
                                          role=role, organisation=organisation, at=at, action=action, fields=extra,
                                          org_code=org_code, department=department)
        except StepRefused as exc:
            assert verdict == "refused", f"intake of {finding_id} by {a} refused ({exc}), the model says {why}"
            assert self.ledger.find(finding_id) is None
            self.stats["refused register"] += 1
            self._count("refused", why, a)
            return
        if existing:   # intake is idempotent: whoever feeds the finding again gets the hazard as it is
            assert not result.created and result.hazard.version == existing.version
            return
        assert verdict == "ok" and result.created, f"intake of {finding_id} by {a} recorded, the model says {why}"
        check_recorded_event(self.ledger.history(finding_id)[-1], new_model(finding_id), a)
        model = registered_model(finding_id, role, organisation, "REPORT_VERIFYING" if report else "REGISTERED")
        self.models[finding_id] = model
        self.stats[f"reached {model.state}"] += 1
        self._count("ok", why, a)
        assert_projection_matches(self.ledger, model)

    # -- steps -----------------------------------------------------------------------------
    def step(self, data) -> None:
        """A burst of 1-4 steps on one hazard (so that single hazards go deep)."""
        if data.draw(st.integers(0, 9), label="unregistered hazard") == 0:
            self.attempt(self.draw_attempt(data, NOT_REGISTERED))
            return
        hazard_id = data.draw(st.sampled_from(sorted(self.models)), label="hazard")
        for _ in range(data.draw(st.integers(1, 4), label="steps")):
            self.attempt(self.draw_attempt(data, hazard_id))

    def draw_attempt(self, data, hazard_id: str) -> Attempt:
        h = self.models.get(hazard_id)
        candidates = legal_looking(h) if h else []
        forward = [c for c in candidates if PROGRESS.get(MACHINE.transition(c[0]).to or "", 0) > PROGRESS[h.state]]
        overlays = sorted((c for c in candidates if not_had_yet(h, c[0])), key=lambda c: OVERLAYS.index(c[0]))
        aim = data.draw(st.integers(0, 9), label="forward")
        # sometimes: the next overlay not had yet, by the book; more often a listing's filing and
        # publication, which have a deadline running
        diligent = bool(overlays) and aim < (5 if overlays[0][0] in ("file_listing", "publish") else 1)
        careless = False
        if diligent:
            candidates = overlays[:1]
        elif forward and aim > 3:                                           # mostly: along the lanes
            candidates = forward
        if candidates and data.draw(st.integers(0, 4), label="aim") > 0:   # mostly: an action that fits
            action, roles = data.draw(st.sampled_from(candidates), label="action")
            role = data.draw(st.sampled_from(roles), label="role") if data.draw(st.integers(0, 5)) else \
                data.draw(st.sampled_from(ROLES), label="role")
        elif h is None and data.draw(st.integers(0, 2), label="aim at a missing hazard") > 0:
            diligent, careless = False, True
            # an allowed role, so that the step gets past the checks that need no hazard
            # (role, acting, fields, evidence come first) and meets the missing hazard itself
            action = data.draw(st.sampled_from(MACHINE.actions), label="action")
            role = data.draw(st.sampled_from(MACHINE.transition(action).roles), label="role")
        else:                                                               # sometimes: anything
            diligent, careless = False, True
            action = data.draw(st.sampled_from(MACHINE.actions), label="action")
            role = data.draw(st.sampled_from([*ROLES, "NOBODY"]), label="role")
        expected_version = None
        if h is not None and data.draw(st.integers(0, 9), label="expect a version") == 0:
            expected_version = h.version + data.draw(st.sampled_from([0, -1, 1]), label="version offset")
        jurisdiction = h.jurisdiction if h else jurisdiction_of(FINDING_IDS[0])
        fitting = True if diligent else None
        if careless:    # a step mostly refused anyway: a good one to act for the wrong area or department
            fitting = data.draw(st.booleans(), label="acts as it should")
        org_code, department = data.draw(acting_for(role, jurisdiction, h.departments if h else ("应急管理",),
                                                    fitting=fitting))
        # often the organisation the hazard's guards care about: its listing authority, who closed
        # it, the department that found it
        relevant = (h.listed_by or (h.closed_by_org if h.state == "CLOSED" else None) or h.found_by_org) if h else ENT
        organisation = data.draw(st.sampled_from([relevant] * (3 if diligent else 1) + ORGS), label="organisation")
        # the listing authority acts for its own area (as the guards now check), mostly
        authority_code = None
        if h is not None and organisation == h.listed_by:
            authority_code = h.listed_code
        elif h is not None and h.state == "CLOSED" and organisation == h.delisted_by:
            authority_code = h.delisted_code
        if authority_code and canonical(org_code) and data.draw(st.integers(0, 3), label="for its own area") > 0:
            org_code = authority_code
        # by the book, a listing is filed with, and 上报 goes to, a government above
        above = None
        if diligent and action == "file_listing" and h.listed_code:
            above = governments_above(h.listed_code)
        elif diligent and action == "report_up" and canonical(org_code):
            above = governments_above(canonical(org_code))
        return Attempt(hazard_id, action, data.draw(st.sampled_from(ACTORS), label="actor"), role,
                       organisation, self._tick_clock(data),
                       data.draw(fields_for(action, complete=diligent, stray=self.stray, organisation=organisation,
                                            jurisdiction=jurisdiction, above=above), label="fields"),
                       data.draw(evidence_for(action), label="evidence"), expected_version, org_code, department)

    def probe_acting(self, data) -> None:
        """A step that fits a hazard's state, by a government role that may take it, with every
        field and piece of evidence, tried with each mistake about who it acts for in turn:
        each attempt is predicted like any other (most are refused for that mistake; one the
        role makes no mistake by, such as a committee giving no department, is taken, and ends
        the probe)."""
        def government_steps(h: Model) -> list[tuple[str, list[str]]]:
            return [(action, sorted(set(roles) & AREA_ROLES)) for action, roles in legal_looking(h)
                    if set(roles) & AREA_ROLES]

        hazards = [hazard_id for hazard_id, h in sorted(self.models.items()) if government_steps(h)]
        if not hazards:
            return
        h = self.models[data.draw(st.sampled_from(hazards), label="probed hazard")]
        action, roles = data.draw(st.sampled_from(government_steps(h)), label="probed action")
        role = data.draw(st.sampled_from(roles), label="role")
        organisation = data.draw(st.sampled_from([h.listed_by or h.found_by_org, *ORGS]), label="organisation")
        fields = data.draw(fields_for(action, complete=True, organisation=organisation, jurisdiction=h.jurisdiction),
                           label="fields")
        evidence = data.draw(evidence_for(action, complete=True), label="evidence")
        for mistake in MISTAKES:
            org_code, department = data.draw(acting_for(role, h.jurisdiction, h.departments, mistake=mistake))
            version = self.models[h.id].version
            self.attempt(Attempt(h.id, action, data.draw(st.sampled_from(ACTORS), label="actor"), role, organisation,
                                 self.clock, copy.deepcopy(fields), evidence, None, org_code, department))
            if self.models[h.id].version != version:
                break

    def attempt(self, a: Attempt) -> None:
        h = self.models.get(a.hazard_id)
        before = self.ledger.find(a.hazard_id)
        verdict, why = predict(h, a, before)
        try:
            state = self.ledger.step(a.hazard_id, a.action, actor=a.actor, role=a.role, organisation=a.organisation,
                                     at=a.at, fields=copy.deepcopy(a.fields), evidence=a.evidence,
                                     expected_version=a.expected_version, **a.acting())
        except (StepRefused, ConflictError, UnknownHazardError) as exc:
            outcome = {StepRefused: "refused", ConflictError: "conflict", UnknownHazardError: "unknown"}[type(exc)]
            assert outcome == verdict, f"{a}: {outcome} ({exc}), but the model says {verdict}: {why}"
            after = self.ledger.find(a.hazard_id)
            assert after == before, "a refused step wrote something"
            if h is not None:
                assert len(self.ledger.history(a.hazard_id)) == h.version
            self.stats[f"{outcome}"] += 1
            self._count(outcome, why, a)
            return
        assert verdict == "ok", f"ILLEGAL STEP ACCEPTED {a}: the model says {verdict}: {why}"
        assert h is not None
        check_recorded_event(self.ledger.history(a.hazard_id)[-1], h, a)
        self.models[a.hazard_id] = advance(h, a)
        assert state == self.ledger.get(a.hazard_id)
        assert_projection_matches(self.ledger, self.models[a.hazard_id])
        self.stats[f"did {a.action}"] += 1
        self.stats[f"reached {state.state}"] += 1
        self._count("ok", why, a)
        if a.action == "publish":
            self.stats[f"published a {self.models[a.hazard_id].published[-1]}"] += 1

    # -- time and re-opening -----------------------------------------------------------------
    def tick(self, days: int) -> None:
        recorded = self.ledger.tick(self._later(dt.timedelta(days=days)))
        total = 0
        for hazard_id, h in self.models.items():
            new = self.ledger.history(hazard_id)[h.version:]
            for e in new:
                assert e.action == "escalate" and e.role == "SYSTEM" and e.from_state == e.to_state == h.state, e
                # a deadline the hazard has, on a hazard that still has one to meet (an open one,
                # or a closed one whose 摘牌销号 is not published yet)
                assert e.fields["timer"] in h.timers, (e, h.timers)
                assert h.state not in ("CLOSED", "VOID") or (h.state == "CLOSED" and "publication_due" in h.timers), e
                assert e.fields.get("authority") == escalation_authority(h, e.fields["step"]), (e, h)
                self.stats[f"escalated {'a closed' if h.state == 'CLOSED' else 'an open'} hazard"] += 1
            self.models[hazard_id] = replace(h, version=h.version + len(new))
            total += len(new)
        assert len(recorded) == total
        self.stats["escalations"] += total
        again = self.ledger.tick(self.clock)
        assert again == [], "tick is not idempotent"

    def reopen_the_ledger(self) -> None:
        self.ledger.close()
        self.ledger = open_ledger(self.url)

    # -- invariants ----------------------------------------------------------------------------
    @invariant()
    def ledger_is_consistent(self) -> None:
        check_ledger_invariants(self.ledger, self.models)
        for h in self.models.values():
            assert_projection_matches(self.ledger, h)


# Fewer, longer runs than 25 x 30 (the same work): hazards go deeper, through a listing's filing
# and publication, with government steps now refused for where and for whom they act.
STATEFUL = settings(max_examples=20, stateful_step_count=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large, HealthCheck.large_base_example])
# What every run must have done, or it checked nothing about who acts for whom (a committee
# giving a department is also refused, but too rarely met for every run to be sure to).
ACTING_REFUSALS = ["acting: a role that acts for no government gives a code or department",
                   "acting: no administrative code", "acting: malformed administrative code", "acting: no department",
                   "acting: unknown department", "scope: outside the area acted for",
                   "scope: a department not responsible for the hazard"]


# The deepest paths (a listing filed, then published) are reached in most runs of STATEFUL but
# not all (about one in five, measured): a run that missed one is followed by another, up to
# RUNS, so the checks below are not left to chance while every run stays random.
RUNS = 3
DEEP = ("did list", "did file_listing", "did publish", "did report_up")


def test_random_steps_keep_the_ledger_legal_and_consistent(databases: Databases) -> None:
    stats: collections.Counter = collections.Counter()
    for _ in range(RUNS):
        run_state_machine_as_test(lambda: LedgerMachine(databases, stats), settings=STATEFUL)
        if all(stats[key] > 0 for key in DEEP):
            break
    print(dict(sorted(stats.items())))
    # not vacuous: many legal steps, every kind of refusal, and hazards deep in both lanes
    assert sum(v for k, v in stats.items() if k.startswith("did ")) > 100
    assert stats["refused"] > 0 and stats["conflict"] > 0 and stats["unknown"] > 0
    assert all(stats[f"reached {state}"] > 0 for state in ("CLOSED", "PENDING_VERIFICATION", "ASSESSED", "VOID"))
    # ... government roles act, for the county, the city and the province over a hazard, and
    # every way of acting for the wrong area or department is met
    assert stats["did as DEPT"] > 10 and stats["did as SAFETY_COMMITTEE"] > 0
    assert all(stats[f"did for a {level}"] > 0 for level in ("county", "city", "province"))
    assert stats["did on a hazard that cannot be placed"] > 0
    assert all(stats[f"refused {why}"] > 0 for why in ACTING_REFUSALS), \
        {why: stats[f"refused {why}"] for why in ACTING_REFUSALS}
    # ... and the listing overlays and 上报 are taken, not only refused
    assert all(stats[f"did {action}"] > 0 for action in ("list", "file_listing", "publish", "report_up"))


def test_fields_only_the_ledger_sets_are_refused(databases: Databases) -> None:
    """Stray `sets_level` and deadline fields (once a way for an enterprise to make its major
    hazard ordinary, or move its own deadline) are refused, and nothing else changes."""
    stats: collections.Counter = collections.Counter()
    run_state_machine_as_test(lambda: LedgerMachine(databases, stats, stray=True), settings=STATEFUL)
    assert stats["refused"] > 0
