"""Statistics over the hazard ledger, always as of a moment the caller passes.

`core` replays the log as of a moment and counts (breakdowns, 存量/增量, 动态清零);
`statements` builds the enterprise quarterly/annual tables and records their signed
submissions; `export` writes CSV and XLSX. Import from here: these are the public names.
"""

from __future__ import annotations

from .core import (  # noqa: F401
    AGE_BUCKETS,
    AsOf,
    COHORTS,
    Clearing,
    Counts,
    DIMENSIONS,
    HAZARD_ENTRY,
    JURISDICTION_LEVELS,
    LANES,
    Period,
    SIGNER_ROLE,
    Snapshot,
    StatisticsError,
    Submission,
    SubmissionRefused,
    TOTAL,
    age_bucket,
    age_buckets,
    breakdown,
    deadline_passed,
    dynamic_clearing,
    found_day,
    is_overdue,
    jurisdiction_at,
    moment,
    snapshot,
    state_as_of,
    status,
    stock_increment,
)
from .statements import (  # noqa: F401
    ENTERPRISE_COLUMNS,
    MISSING_COLUMNS,
    STATISTICS_COLUMNS,
    SUBMISSION_COLUMNS,
    enterprise_table,
    missing_submissions,
    statistics_body,
    statistics_due,
    submissions,
    submit_statistics,
    table_digest,
)
from .export import (  # noqa: F401
    COLUMNS,
    ENTERPRISE_HEADERS,
    column_id,
    header,
    read_csv,
    read_xlsx,
    to_csv,
    to_xlsx,
    write_csv,
)


__all__ = [
    "AGE_BUCKETS", "COLUMNS", "Clearing", "Counts", "DIMENSIONS", "ENTERPRISE_COLUMNS", "MISSING_COLUMNS", "Period",
    "Snapshot", "StatisticsError", "Submission", "SubmissionRefused", "age_bucket", "age_buckets", "breakdown",
    "deadline_passed", "dynamic_clearing", "enterprise_table", "found_day", "is_overdue", "jurisdiction_at",
    "missing_submissions", "moment", "read_csv", "read_xlsx", "snapshot", "state_as_of", "statistics_body",
    "statistics_due", "status", "stock_increment", "submissions", "submit_statistics", "table_digest", "to_csv",
    "to_xlsx", "write_csv", "ENTERPRISE_HEADERS", "column_id", "header",
]
