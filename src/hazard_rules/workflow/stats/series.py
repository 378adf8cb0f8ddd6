"""Statistics over time: 存量/增量, 动态清零 and the rectification rate at a series of days.

`series(ledger, cut_off, start, end, step)` reads the log once (`snapshots`) and counts
each day as `stock_increment` does: a point is exactly the table `ledger stats stock`
gives as of that day (tests/workflow/test_stats_replay.py compares them on generated
ledgers). A point is counted from the facts of each hazard's state (its cohort, status,
lane, listing and deadlines), worked out once per state: a hazard with no event between
two points is the same state at both, and only whether its deadlines have passed is
asked again (once per deadline and point). With `by`, the same reading also gives a
`breakdown` by each of those dimensions as of the last day (the console's bar charts).
The days are the last day of each day, week (Monday to Sunday) or month that overlaps
start…end, the last one cut to `end`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..domain.state import HazardState
from ..policy.calendar import deadline_passed
from .core import (
    AGE_BUCKETS,
    COHORTS,
    Counts,
    Snapshot,
    StatisticsError,
    breakdown,
    counts_row,
    found_day,
    snapshots,
    status,
    within,
)

STEPS = ("day", "week", "month")
MAX_POINTS = 400  # each point holds the state of every hazard as of its day


@dataclass(frozen=True)
class Series:
    """One row per point: the stock, increment and total rows of `stock_increment`."""

    cut_off: dt.date
    start: dt.date
    end: dt.date
    step: str
    major_only: bool
    jurisdiction: str | None
    points: tuple[dict[str, Any], ...]
    breakdowns: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # dimension → rows as of `end`

    def as_dict(self) -> dict[str, Any]:
        """JSON values: dates as ISO text."""
        return {"cut_off": self.cut_off.isoformat(), "start": self.start.isoformat(), "end": self.end.isoformat(),
                "step": self.step, "major_only": self.major_only, "jurisdiction": self.jurisdiction,
                "points": [{**p, "as_of": p["as_of"].isoformat()} for p in self.points],
                "breakdowns": self.breakdowns}


def series_days(start: dt.date, end: dt.date, step: str) -> list[dt.date]:
    """The as-of day of each point: the last day of each period (day, week ending on
    Sunday, month) that overlaps start…end, the last one cut to `end`."""
    if step not in STEPS:
        raise StatisticsError(f"unknown step {step!r}", hint=f"one of {', '.join(STEPS)}")
    if start > end:
        raise StatisticsError(f"the series starts on {start.isoformat()}, after it ends ({end.isoformat()})")
    days = []
    day = _period_end(start, step)
    while day < end:
        days.append(day)
        if len(days) >= MAX_POINTS:
            raise StatisticsError(f"more than {MAX_POINTS} points from {start.isoformat()} to {end.isoformat()} "
                                  f"by {step}", hint="take a longer step or a shorter span")
        day = _period_end(day + dt.timedelta(days=1), step)
    return days + [end]


def _period_end(day: dt.date, step: str) -> dt.date:
    if step == "day":
        return day
    if step == "week":
        return day + dt.timedelta(days=6 - day.weekday())
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def series(ledger: Any, cut_off: dt.date, start: dt.date, end: dt.date, step: str = "month", *,
           major_only: bool = False, jurisdiction: str | None = None, by: Sequence[str] = (),
           jurisdiction_level: str = "county", industry_depth: int = 1,
           age_buckets: Sequence[int] = AGE_BUCKETS) -> Series:
    """存量 (found before `cut_off`) and 增量 at each day of `series_days`: a point holds
    the ``stock``, ``increment`` and ``total`` rows of `stock_increment` as of that day
    (found, open, closed, void, overdue, listed, rate, cleared and their ``major_``
    twins). The stock's ``rate`` is the 动态清零 progress, the total's the 整改率.
    `breakdowns` holds, for each dimension in `by`, the `breakdown` by it as of `end`."""
    days = series_days(start, end, step)
    snaps = snapshots(ledger, days)
    breakdowns = {name: breakdown(snaps[-1], by=[name], major_only=major_only, jurisdiction=jurisdiction,
                                  jurisdiction_level=jurisdiction_level, industry_depth=industry_depth,
                                  age_buckets=age_buckets)
                  for name in dict.fromkeys(by)}
    facts: dict[int, _Facts | None] = {}  # id of a state (all alive in `snaps`) → its facts
    points = [{"as_of": day, **_point(snap, cut_off, major_only, jurisdiction, facts)}
              for day, snap in zip(days, snaps)]
    return Series(cut_off, start, end, step, major_only, jurisdiction, tuple(points), breakdowns)


# cohort, status, major, listed (open and 挂牌督办), the deadlines of an open hazard
_Facts = tuple[str, str, bool, bool, tuple[str, ...]]


def _facts(hazard: HazardState, cut_off: dt.date, major_only: bool, jurisdiction: str | None) -> _Facts | None:
    """What `stock_increment` reads off a hazard but whether it is overdue; None when the
    point leaves it out (another area, or not major when counting major ones only)."""
    major = hazard.level == "major"
    if not within(hazard.jurisdiction, jurisdiction) or (major_only and not major):
        return None
    kind = status(hazard)
    return ("stock" if found_day(hazard) < cut_off else "increment", kind, major,
            kind == "open" and hazard.listed is not None,
            tuple(hazard.deadlines.values()) if kind == "open" else ())


def _point(snap: Snapshot, cut_off: dt.date, major_only: bool, jurisdiction: str | None,
           facts: dict[int, _Facts | None]) -> dict[str, dict[str, Any]]:
    """The stock, increment and total rows of `stock_increment(snap, cut_off, ...)`, without
    the cohort column."""
    tally: Counter[tuple[str, str, bool, bool, bool]] = Counter()
    passed: dict[str, bool] = {}  # deadline → passed at this point
    for hazard in snap.hazards:
        key = id(hazard)
        known = facts[key] if key in facts else facts.setdefault(key, _facts(hazard, cut_off, major_only,
                                                                              jurisdiction))
        if known is None:
            continue
        cohort, kind, major, listed, deadlines = known
        overdue = False
        for due in deadlines:
            if due not in passed:
                passed[due] = deadline_passed(due, snap.as_of)
            if passed[due]:
                overdue = True
                break
        tally[cohort, kind, major, listed, overdue] += 1
    every = {cohort: Counts() for cohort in (*COHORTS, "total")}
    majors = {cohort: Counts() for cohort in (*COHORTS, "total")}
    for (cohort, kind, major, listed, overdue), times in tally.items():
        for counts in ((every, majors) if major else (every,)):
            counts[cohort].tally(kind, overdue, listed, times)
            counts["total"].tally(kind, overdue, listed, times)
    return {name: counts_row(every[name], majors[name], major_only) for name in (*COHORTS, "total")}
