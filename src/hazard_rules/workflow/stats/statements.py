"""Enterprise statistics tables (16号令 art. 14) and their signed submissions."""


from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..domain.state import HazardState
from ..policy.calendar import china_aware, china_date
from ..policy.routing import AdminCodeError
from ..store import schema
from .core import (
    LANES,
    SIGNER_ROLE,
    AsOf,
    Period,
    Snapshot,
    Submission,
    SubmissionRefused,
    found_day,
    read_submissions,
    snapshot,
    snapshot_of,
    status,
    submission_from_row,
    within,
)

# ---------------------------------------------------------------------------- enterprise tables
STATISTICS_COLUMNS = ("enterprise_id", "enterprise_name", "jurisdiction", "period", "period_start", "period_end",
                      "due", "found", "void", "ordinary", "major", "undetermined", "rectified", "rate",
                      "major_rectified", "major_open", "major_open_all")
SUBMISSION_COLUMNS = ("submitted", "submitted_at", "signed_by", "late", "digest")
ENTERPRISE_COLUMNS = STATISTICS_COLUMNS + SUBMISSION_COLUMNS
MISSING_COLUMNS = ("enterprise_id", "enterprise_name", "jurisdiction", "period", "due", "late", "days_late")


def _settings_book(snap: Snapshot, settings: Any) -> Any:
    if settings is not None:
        return settings
    if snap.settings is not None:
        return snap.settings
    from ..policy.settings import default_settings
    return default_settings()


def statistics_due(period: Period | str, jurisdiction: str | None, settings: Any = None) -> dt.date:
    """Last day to submit the table for `period` in `jurisdiction` (settings.statistics:
    by default the 15th of the first month of the next quarter, 31 January for a year)."""
    if settings is None:
        from ..policy.settings import default_settings
        settings = default_settings()
    try:
        local = settings.for_jurisdiction(jurisdiction or "")
    except AdminCodeError:
        local = settings.for_jurisdiction("")
    return Period.parse(period).due(local.statistics)


def _enterprises(snap: Snapshot, period: Period, jurisdiction: str | None) -> dict[str, HazardState]:
    """The enterprises that owe a table for the period: those with a hazard registered by
    the period's end (and by the snapshot), each with its latest such hazard (for its
    name and jurisdiction), ordered by jurisdiction and id."""
    found: dict[str, HazardState] = {}
    for hazard in snap.hazards:
        if not hazard.enterprise_id or hazard.registered_at is None:
            continue
        if china_date(hazard.registered_at) > period.end:
            continue
        latest = found.get(hazard.enterprise_id)
        if latest is None or (hazard.registered_at, hazard.id) > (latest.registered_at, latest.id):
            found[hazard.enterprise_id] = hazard
    ordered = sorted(found.items(), key=lambda item: (item[1].jurisdiction or "", item[0]))
    return {e: h for e, h in ordered if within(h.jurisdiction, jurisdiction)}


def _statistics_row(enterprise: HazardState, hazards: list[HazardState], period: Period,
                    due: dt.date) -> dict[str, Any]:
    mine = [h for h in hazards if h.enterprise_id == enterprise.enterprise_id]
    inside = [h for h in mine if period.contains(found_day(h))]
    real = [h for h in inside if status(h) != "void"]
    levels = {lane: sum(h.level == lane for h in real) for lane in LANES}
    rectified = sum(status(h) == "closed" for h in real)
    return {
        "enterprise_id": enterprise.enterprise_id, "enterprise_name": enterprise.enterprise_name or "",
        "jurisdiction": enterprise.jurisdiction or "", "period": period.label,
        "period_start": period.start, "period_end": period.end, "due": due,
        "found": len(inside), "void": len(inside) - len(real), **levels, "rectified": rectified,
        "rate": round(rectified / len(real), 4) if real else None,
        "major_rectified": sum(status(h) == "closed" and h.level == "major" for h in real),
        "major_open": sum(status(h) == "open" and h.level == "major" for h in real),
        "major_open_all": sum(status(h) == "open" and h.level == "major" and found_day(h) <= period.end
                              for h in mine),
    }


def enterprise_table(source: Any, period: Period | str, as_of: AsOf | None = None, *,
                     jurisdiction: str | None = None, settings: Any = None) -> list[dict[str, Any]]:
    """The statistics table of every enterprise that owes one for `period` (2025Q1 or
    2025), as of `as_of` (default: the end of the period's last day), one row each:

    found (hazards found in the period, void included), void, ordinary / major /
    undetermined (of the others, by level as of `as_of`), rectified (closed), rate
    (rectified / (found − void)), major_rectified, major_open (found in the period and
    still open), major_open_all (every major hazard found by the period's end and still
    open, 往期 included); due (from settings.statistics of the enterprise's
    jurisdiction); and the submission: submitted, submitted_at and signed_by (the first
    submission by `as_of`), late (submitted after the due date, or, if not submitted,
    `as_of` is past it), digest (of the latest submission)."""
    period = Period.parse(period)
    snap = snapshot_of(source, period.end if as_of is None and not isinstance(source, Snapshot) else as_of)
    book = _settings_book(snap, settings)
    rows = []
    for enterprise_id, enterprise in _enterprises(snap, period, jurisdiction).items():
        due = statistics_due(period, enterprise.jurisdiction, book)
        row = _statistics_row(enterprise, list(snap.hazards), period, due)
        mine = [s for s in snap.submissions if s.enterprise_id == enterprise_id and s.period == period.label]
        first = min(mine, key=lambda s: s.submitted_at) if mine else None
        row.update(submitted=first is not None, submitted_at=first.submitted_at if first else None,
                   signed_by=first.signed_by if first else None,
                   late=(china_date(first.submitted_at) if first else snap.day) > due,
                   digest=mine[-1].digest if mine else None)
        rows.append(row)
    return rows


def missing_submissions(source: Any, period: Period | str, as_of: AsOf | None = None, *,
                        jurisdiction: str | None = None, settings: Any = None) -> list[dict[str, Any]]:
    """Enterprises that owe a table for `period` (a hazard registered by the period's
    end) and had not submitted one by `as_of`: enterprise_id, enterprise_name,
    jurisdiction, period, due, late (`as_of` is past the due date), days_late."""
    period = Period.parse(period)
    snap = snapshot_of(source, as_of)
    rows = []
    for row in enterprise_table(snap, period, jurisdiction=jurisdiction, settings=settings):
        if row["submitted"]:
            continue
        days = (snap.day - row["due"]).days
        rows.append({"enterprise_id": row["enterprise_id"], "enterprise_name": row["enterprise_name"],
                     "jurisdiction": row["jurisdiction"], "period": row["period"], "due": row["due"],
                     "late": days > 0, "days_late": max(0, days)})
    return rows


def table_digest(body: Mapping[str, Any]) -> str:
    """SHA-256 of a table's canonical JSON (sorted keys, dates as ISO text)."""
    return hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()


def _canonical(body: Mapping[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_value)


def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def statistics_body(row: Mapping[str, Any]) -> dict[str, Any]:
    """The part of an enterprise_table row that is submitted and digested (no submission
    columns), as JSON values."""
    return json.loads(_canonical({k: row[k] for k in STATISTICS_COLUMNS}))


def submit_statistics(ledger: Any, enterprise_id: str, period: Period | str, *, signed_by: str, role: str,
                      now: dt.datetime) -> tuple[Submission, bool]:
    """Record that the enterprise submitted its statistics table for `period`, signed by
    its 主要负责人, at `now` (given by the caller). The table is computed as of `now`;
    its digest is stored with it. Returns the submission and whether it is new: the same
    table submitted again is recorded once; a changed table is recorded as a correction
    (the first submission still decides whether it was on time).

    Refused (SubmissionRefused) unless role is ENT_PRINCIPAL and signed_by is given, the
    period has ended, and the enterprise owes a table for it (has a hazard in the ledger
    registered by the period's end)."""
    period = Period.parse(period)
    if role != SIGNER_ROLE:
        raise SubmissionRefused(f"the statistics table is signed by the 主要负责人 ({SIGNER_ROLE}), not {role}",
                                hint="16号令 art. 14: 统计分析表应当由生产经营单位主要负责人签字")
    if not signed_by or not signed_by.strip():
        raise SubmissionRefused("the statistics table needs the name of the 主要负责人 who signed it")
    at = china_aware(now)
    if china_date(at) <= period.end:
        raise SubmissionRefused(f"period {period.label} ends on {period.end.isoformat()}; "
                                f"its table can be submitted from {(period.end + dt.timedelta(days=1)).isoformat()}")
    rows = [r for r in enterprise_table(snapshot(ledger, at), period, settings=getattr(ledger, "settings", None))
            if r["enterprise_id"] == enterprise_id]
    if not rows:
        raise SubmissionRefused(f"enterprise {enterprise_id!r} has no hazard in the ledger registered by "
                                f"{period.end.isoformat()}, so it owes no table for {period.label}",
                                hint="`hazard-rules ledger stats enterprise --period …` lists the enterprises")
    body = statistics_body(rows[0])
    digest = table_digest(body)
    submission = Submission(enterprise_id, period.label, at, signed_by.strip(), role, digest, body)
    table = schema.stat_submissions
    try:
        with ledger.engine.begin() as conn:
            conn.execute(table.insert().values(
                enterprise_id=enterprise_id, period=period.label, submitted_at=at.isoformat(),
                signed_by=submission.signed_by, role=role, digest=digest, body=_canonical(body)))
    except IntegrityError:
        with ledger.engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.enterprise_id == enterprise_id,
                                                   table.c.period == period.label, table.c.digest == digest)).first()
        assert row is not None
        return submission_from_row(row), False
    return submission, True


def submissions(ledger: Any, *, enterprise_id: str | None = None,
                period: Period | str | None = None) -> list[Submission]:
    """Every recorded submission, oldest first, optionally of one enterprise or period."""
    with ledger.engine.connect() as conn:
        found = read_submissions(conn)
    label = Period.parse(period).label if period is not None else None
    return [s for s in found if (enterprise_id is None or s.enterprise_id == enterprise_id)
            and (label is None or s.period == label)]
