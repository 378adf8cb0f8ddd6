"""Database schema (SQLAlchemy Core): the tables as the latest migration leaves them.

The event log is the source of truth; `hazards` is the projection of current state,
kept in the same transaction as the event that changed it. The schema's history is in
migrations/ (Alembic); a test checks that its head equals `metadata`.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

events = Table(
    "events", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("hazard_id", String(200), nullable=False, index=True),
    Column("n", Integer, nullable=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("role", String(40), nullable=False),
    Column("organisation", String(200), nullable=False),
    Column("action", String(60), nullable=False),
    Column("from_state", String(40), nullable=False),
    Column("to_state", String(40), nullable=False),
    Column("body", Text, nullable=False),        # the whole event as canonical JSON
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("hazard_id", "n", name="events_hazard_n"),
)

hazards = Table(
    "hazards", metadata,
    Column("id", String(200), primary_key=True),
    Column("state", String(40), nullable=False, index=True),
    Column("level", String(20), nullable=False),
    Column("enterprise_id", String(100), index=True),
    Column("jurisdiction", String(20), index=True),
    Column("listed", Boolean, nullable=False, default=False),
    # The China day of the hazard's earliest deadline (NULL: none runs): which hazards a timer
    # can still run on, and the cheap first cut of "which are overdue" (calendar.deadline_passed decides).
    Column("next_due", Date, index=True),
    Column("version", Integer, nullable=False),
    Column("head_hash", String(64), nullable=False),
    Column("data", Text, nullable=False),        # the whole projection as JSON
)


# The enterprise's signed quarterly and annual statistics tables (16号令 art. 14), kept
# beside the log, not in it: a submission is not a step on any hazard. One row per
# distinct table submitted; re-submitting the same table (same digest) adds nothing.
stat_submissions = Table(
    "stat_submissions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("enterprise_id", String(100), nullable=False, index=True),
    Column("period", String(10), nullable=False),           # 2025Q1 or 2025
    Column("submitted_at", String(40), nullable=False),     # ISO 8601, given by the caller
    Column("signed_by", String(200), nullable=False),       # the 主要负责人 who signed
    Column("role", String(40), nullable=False),             # always ENT_PRINCIPAL
    Column("digest", String(64), nullable=False),           # SHA-256 of `body`
    Column("body", Text, nullable=False),                   # the submitted table as canonical JSON
    UniqueConstraint("enterprise_id", "period", "digest", name="stat_submissions_table"),
)


# Accounts of the HTTP service (server/): who may sign in, with the role and the area,
# department or enterprise they act for. Ledger events copy the identity from here.
users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("name", String(200), nullable=False),            # the actor recorded in events
    Column("password_hash", String(200), nullable=False),   # argon2id, PHC string
    Column("role", String(40), nullable=False),
    Column("organisation", String(200), nullable=False),
    Column("org_code", String(20)),                         # government roles
    Column("department", String(100)),                     # DEPT
    Column("enterprise_id", String(100)),                   # enterprise roles
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", String(40), nullable=False),
)

# Sessions (the console's cookie) and bearer tokens (systems): only the SHA-256 of the
# secret is kept, so a copy of the database signs nobody in.
credentials = Table(
    "credentials", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("kind", String(10), nullable=False),             # session | token
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("label", String(200)),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40)),                       # NULL: until revoked
    Column("revoked", Boolean, nullable=False, default=False),
)

# Every sign-in attempt, kept for the rate limit and the audit.
login_attempts = Table(
    "login_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, index=True),
    Column("client", String(100), nullable=False, index=True),
    Column("at", String(40), nullable=False, index=True),
    Column("ok", Boolean, nullable=False),
)
