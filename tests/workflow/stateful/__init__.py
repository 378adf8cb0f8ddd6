"""Hypothesis stateful tests of the hazard ledger, on SQLite and on a real PostgreSQL.

A `RuleBasedStateMachine` registers findings from examples/inspections.jsonl and takes
random steps: a random hazard, action, role, organisation and actor, with fields that
usually hold everything the action requires (so that legal steps happen and hazards
reach deep states such as CLOSED) but sometimes lack one, and evidence sometimes given.
A government role (DEPT, SAFETY_COMMITTEE) mostly says where and for whom it acts as it
should (the hazard's county, its city or its province; the department responsible for
it), and sometimes not: a neighbouring county in another city, a township inside the
county, a malformed code, no code, a department that is declared but not responsible, an
unknown department, no department; other roles sometimes give a code or department too.

Beside the ledger the machine keeps its own model of every hazard, written from the
machine definition (data/machine.yaml), the settings and the rules of docs/workflow.md,
not from the engine's code (routing.AdminCode is used to parse codes, nothing else). From
it the test predicts every outcome: a step the model finds illegal must be refused, a
legal one must be recorded, a refused one must write nothing, and the projection must
agree with the model (listing and its filing, publications, 上报, deadlines set). After
every rule: `verify()` finds nothing, every projection equals a replay of its log, and
the positions of every history are 1..version. Escalations recorded by `tick` concern a
deadline the hazard has, on a hazard that can still have one, and name the government the
model expects (`authority`).

A second property test runs a random legal history, tampers with ONE event directly in
SQL (an edited body, a changed column, a re-sealed edit, two events swapped, a deleted
event) and asserts that `verify()` reports the tampered hazard.

The last tests are minimal reproductions of engine bugs these tests found, all fixed
(stray `sets_level`/deadline fields, free-text dates, the `at` column, the projection's
query columns; a malformed jurisdiction, deadlines no step could meet after closure or
reopening, intake fields replacing the routing or level, a listing authority matched by
name only, unchecked direct escalations); `test_fields_only_the_ledger_sets_are_refused`
runs the stateful model with stray fields allowed.

model.py holds the model and its predictions, strategies.py what hypothesis draws;
test_machine.py runs the state machine, test_tampering.py tampers, test_regressions.py
keeps the reproductions.
"""
