"""The exit codes of `hazard-rules`, named once (DESIGN §6; README "Exit codes").

An error the package raises carries its own code (`HazardRulesError.exit_code`: 2 for
usage, rule-pack and refused-step errors, 3 for an invalid record, 4 for a conflicting
concurrent step); the CLI's one `except` exits with it. The commands exit with these.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    #: the condition the command checks for was met: `check --fail-on`, a failing pack test
    #: or a surviving mutant in `rules test`, a broken chain in `ledger verify`
    FAILED = 1
    #: `rules diff`: the two sides differ (like `diff`)
    DIFFERENT = 1
    #: bad usage or a rule-pack error; also a refused step (at intake: some findings refused)
    USAGE = 2
    REFUSED = 2
    #: some records were invalid; the valid ones were still processed (wins over FAILED:
    #: a skipped record may hide a major hazard)
    INVALID_RECORDS = 3
    #: another step changed the hazard first (ConflictError)
    CONFLICT = 4
    #: interrupted (Ctrl-C)
    ABORTED = 130
