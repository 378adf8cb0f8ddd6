"""The core of the statistics, always as of a moment the caller passes.

Nothing here reads the wall clock. `snapshot(ledger, as_of)` reads the whole event log in
one query and replays each hazard's events up to `as_of` (a hazard closed after that
moment is open in the snapshot; one registered after it does not exist yet). Every
table is then a pure function of the snapshot:

- `breakdown`: found / open / closed / void / overdue / listed and the rectification
  rate (closed / (found − void)), for all hazards and for major ones, grouped by any of
  industry, department, jurisdiction (at province, city, county or township level),
  lane (the hazard's level) and age;
- `stock_increment` and `dynamic_clearing`: 存量 (found before a cut-off date) against
  增量 (found on or after it), and 动态清零 progress (the share of the stock closed);
- `enterprise_table`: the enterprise's quarterly or annual statistics table
  (16号令 art. 14), with its due date from the jurisdiction's settings;
- `submit_statistics` and `missing_submissions`: the signed tables the enterprises
  submitted (table ``stat_submissions``, beside the log: a submission is not a step on
  a hazard), and the enterprises that have not submitted;
- `to_csv` / `to_xlsx` (and `read_csv` / `read_xlsx`): export with Chinese headers that
  carry the English column id, ``未销号 (open)``, written atomically.

Counting rules (docs/workflow.md, "Statistics"):

- A hazard counts from the event that registered it (``register``, or ``substantiate``
  for a whistle-blower report); a report still being verified, or rejected, is not a
  hazard and is not counted.
- open = any state but CLOSED and VOID; overdue = open with a deadline passed at
  `as_of` (a date deadline is met through its whole day, as `Ledger.overdue` does).
- A hazard's found date is the finding's date (registration day if it has none); its
  age is the number of days from that date to the as-of day.
- Department and industry are multi-valued: a hazard counts once in each of its
  groups, so group rows can add up to more than the total row, which counts it once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import product
from typing import Any

from sqlalchemy import select

from ...errors import HazardRulesError
from ..domain.events import Event
from ..domain.state import HazardState, apply
from ..policy.calendar import CHINA_TZ, china_aware, china_date, deadline_passed
from ..policy.routing import AdminCode, AdminCodeError
from ..store import schema

AsOf = dt.date | dt.datetime
DIMENSIONS = ("industry", "department", "jurisdiction", "lane", "age")
JURISDICTION_LEVELS = {"province": 2, "city": 4, "county": 6, "township": 9}
AGE_BUCKETS = (30, 90, 180)                  # → 0-29, 30-89, 90-179, 180+ days
LANES = ("major", "ordinary", "undetermined")
COHORTS = ("stock", "increment")
HAZARD_ENTRY = ("register", "substantiate")  # the events that make an entry a hazard
SIGNER_ROLE = "ENT_PRINCIPAL"                # 16号令 art. 14: signed by the 主要负责人
TOTAL = "*"                                  # the value of a dimension in a total row


class StatisticsError(HazardRulesError):
    """A statistics request that cannot be answered (bad period, option or file)."""

    code = "E621"
    exit_code = 2


class SubmissionRefused(StatisticsError):
    """A statistics table that cannot be recorded as submitted (who signed, when, whose)."""

    code = "E622"


# ---------------------------------------------------------------------------- time
def moment(as_of: AsOf) -> dt.datetime:
    """The instant `as_of` stands for: a date is the end of that day in China; a naive
    date-time is China time."""
    if isinstance(as_of, dt.datetime):
        return china_aware(as_of)
    if isinstance(as_of, dt.date):
        return dt.datetime.combine(as_of, dt.time.max, tzinfo=CHINA_TZ)
    raise TypeError(f"as_of must be a date or a datetime, not {type(as_of).__name__}")






@dataclass(frozen=True, order=True)
class Period:
    """A statistics period: a quarter (``2025Q1``) or a year (``2025``)."""

    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        if isinstance(text, Period):
            return text
        match = re.fullmatch(r"\s*(\d{4})(?:\s*-?\s*[Qq]([1-4]))?\s*", str(text))
        if not match:
            raise StatisticsError(f"period {text!r} is neither a quarter nor a year",
                                  hint="write 2025Q1 … 2025Q4 for a quarter, 2025 for a year")
        return cls(int(match[1]), int(match[2]) if match[2] else None)

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    def __str__(self) -> str:
        return self.label

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2 if self.quarter else 1, 1)

    @property
    def end(self) -> dt.date:
        if self.quarter is None or self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def due(self, schedule: Any) -> dt.date:
        """Last day to submit the table (a `settings.StatisticsSchedule`)."""
        return schedule.quarterly_due(self.year, self.quarter) if self.quarter else schedule.annual_due(self.year)


# ---------------------------------------------------------------------------- snapshot
@dataclass(frozen=True)
class Submission:
    """One signed statistics table, as submitted."""

    enterprise_id: str
    period: str
    submitted_at: dt.datetime
    signed_by: str
    role: str
    digest: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Snapshot:
    """The ledger as it stood at `as_of`: every hazard registered by then, in the state
    the events up to then give it, and the statistics tables submitted by then."""

    as_of: dt.datetime
    hazards: tuple[HazardState, ...]
    submissions: tuple[Submission, ...] = ()
    settings: Any = None  # a SettingsBook, for the due dates of statistics tables

    @property
    def day(self) -> dt.date:
        return china_date(self.as_of)


def state_as_of(hazard_id: str, events: Iterable[Event], at: dt.datetime) -> HazardState | None:
    """Replay a hazard's events (in order) up to the instant `at`; None if it was not a
    hazard yet (not registered, or only a report under verification). Replay stops at
    the first event after `at`, so an event recorded with an earlier time after a later
    one never skips ahead of it."""
    return states_as_of(hazard_id, list(events), [at])[0]


def states_as_of(hazard_id: str, events: Sequence[Event], ats: Sequence[dt.datetime]) -> list[HazardState | None]:
    """`state_as_of` at each instant of `ats` (in any order), applying each event once:
    the instants are taken in time order and the replay goes on from where the previous
    one stopped (the events a later instant sees start with those an earlier one saw)."""
    found: list[HazardState | None] = [None] * len(ats)
    state, registered, applied = HazardState(id=hazard_id), False, 0
    instants = [china_aware(event.at) for event in events]
    for index in sorted(range(len(ats)), key=ats.__getitem__):
        at = ats[index]
        while applied < len(events) and instants[applied] <= at:
            state = apply(state, events[applied])
            registered = registered or events[applied].action in HAZARD_ENTRY
            applied += 1
        found[index] = state if registered else None
    return found


def snapshot(ledger: Any, as_of: AsOf) -> Snapshot:
    """Read the ledger (one query for the events, one for the submissions) and replay it
    as of `as_of`."""
    return snapshots(ledger, [as_of])[0]


def snapshots(ledger: Any, moments: Sequence[AsOf]) -> list[Snapshot]:
    """The ledger replayed as of each of `moments` (in order) from one reading of it:
    the log is read once and each hazard's events applied once (`states_as_of`)."""
    ats = [moment(m) for m in moments]
    ev = schema.events.c
    found: list[list[HazardState]] = [[] for _ in ats]
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(ev.hazard_id, ev.body).order_by(ev.hazard_id, ev.n))
        current: str | None = None
        batch: list[Event] = []
        for row in rows:
            if row.hazard_id != current:
                _replay_into(found, current, batch, ats)
                current, batch = row.hazard_id, []
            batch.append(Event.model_validate_json(row.body))
        _replay_into(found, current, batch, ats)
        every = read_submissions(conn)
    settings = getattr(ledger, "settings", None)
    return [Snapshot(at, tuple(hazards), tuple(s for s in every if s.submitted_at <= at), settings)
            for at, hazards in zip(ats, found)]


def _replay_into(found: list[list[HazardState]], hazard_id: str | None, events: list[Event],
                 ats: list[dt.datetime]) -> None:
    if hazard_id is not None and events:
        for hazards, state in zip(found, states_as_of(hazard_id, events, ats)):
            if state is not None:
                hazards.append(state)


def read_submissions(conn: Any) -> list[Submission]:
    table = schema.stat_submissions
    return [submission_from_row(row) for row in conn.execute(select(table).order_by(table.c.id))]


def submission_from_row(row: Any) -> Submission:
    return Submission(row.enterprise_id, row.period, china_aware(dt.datetime.fromisoformat(row.submitted_at)),
                      row.signed_by, row.role, row.digest, json.loads(row.body))


def snapshot_of(source: Any, as_of: AsOf | None) -> Snapshot:
    if isinstance(source, Snapshot):
        if as_of is not None and moment(as_of) != source.as_of:
            raise StatisticsError(f"the snapshot is as of {source.as_of.isoformat()}, not {moment(as_of).isoformat()}")
        return source
    if as_of is None:
        raise StatisticsError("statistics are computed as of a date: pass as_of",
                              hint="the library never reads the clock")
    return snapshot(source, as_of)


# ---------------------------------------------------------------------------- facts of a hazard
def status(hazard: HazardState) -> str:
    """open, closed or void."""
    return {"CLOSED": "closed", "VOID": "void"}.get(hazard.state, "open")


def found_day(hazard: HazardState) -> dt.date:
    if hazard.found_at is not None:
        return hazard.found_at
    assert hazard.registered_at is not None
    return china_date(hazard.registered_at)


def is_overdue(hazard: HazardState, at: dt.datetime) -> bool:
    return status(hazard) == "open" and any(deadline_passed(due, at) for due in hazard.deadlines.values())


def age_bucket(days: int, bounds: Sequence[int] = AGE_BUCKETS) -> str:
    """The bucket id of an age in days: with bounds (30, 90, 180), 0-29, 30-89, 90-179, 180+."""
    low = 0
    for bound in bounds:
        if days < bound:
            return f"{low}-{bound - 1}"
        low = bound
    return f"{low}+"


def age_buckets(bounds: Sequence[int] = AGE_BUCKETS) -> list[str]:
    edges = [0, *bounds]
    return [f"{a}-{b - 1}" for a, b in zip(edges, edges[1:])] + [f"{edges[-1]}+"]


@cache  # a pure function of two codes, asked once per hazard and table
def jurisdiction_at(code: str | None, level: str = "county") -> str:
    """The administrative code of `code` cut to province, city, county or township
    (a code already coarser is kept); "" when missing or malformed."""
    if level not in JURISDICTION_LEVELS:
        raise StatisticsError(f"unknown jurisdiction level {level!r}", hint=f"one of {', '.join(JURISDICTION_LEVELS)}")
    try:
        canonical = AdminCode.parse(code or "").code
    except AdminCodeError:
        return ""
    digits = JURISDICTION_LEVELS[level]
    return AdminCode.parse(canonical[:digits]).code if len(canonical) > digits else canonical


@cache
def within(code: str | None, prefix: str | None) -> bool:
    if not prefix:
        return True
    try:
        return AdminCode.parse(code or "").is_within(prefix)
    except AdminCodeError:
        return False


def _industries(hazard: HazardState, depth: int) -> list[str]:
    codes = [".".join(c.split(".")[:depth]) if depth > 0 else c for c in hazard.industries]
    return list(dict.fromkeys(codes)) or [""]


@dataclass(frozen=True)
class _Options:
    jurisdiction_level: str = "county"
    industry_depth: int = 1
    age_buckets: tuple[int, ...] = AGE_BUCKETS


def _dimension(name: str, options: _Options,
               day: dt.date) -> tuple[Callable[[HazardState], list[str]], Callable[[str], Any]]:
    """How to read a dimension off a hazard (its values), and how to sort those values."""
    plain = lambda value: (value == "", value)
    if name == "industry":
        return (lambda h: _industries(h, options.industry_depth)), plain
    if name == "department":
        return (lambda h: list(dict.fromkeys(h.departments)) or [""]), plain
    if name == "jurisdiction":
        return (lambda h: [jurisdiction_at(h.jurisdiction, options.jurisdiction_level)]), plain
    if name == "lane":
        order = {lane: i for i, lane in enumerate(LANES)}
        return (lambda h: [h.level]), (lambda v: (order.get(v, len(order)), v))
    if name == "age":
        buckets = {b: i for i, b in enumerate(age_buckets(options.age_buckets))}
        return ((lambda h: [age_bucket(max(0, (day - found_day(h)).days), options.age_buckets)]),
                (lambda v: buckets.get(v, len(buckets))))
    raise StatisticsError(f"cannot group by {name!r}", hint=f"group by any of {', '.join(DIMENSIONS)}")


# ---------------------------------------------------------------------------- counting
@dataclass
class Counts:
    found: int = 0
    open: int = 0
    closed: int = 0
    void: int = 0
    overdue: int = 0
    listed: int = 0

    def add(self, hazard: HazardState, at: dt.datetime) -> None:
        kind = status(hazard)
        self.tally(kind, is_overdue(hazard, at), kind == "open" and hazard.listed is not None)

    def tally(self, kind: str, overdue: bool, listed: bool, times: int = 1) -> None:
        """Count `times` hazards of status `kind` (open, closed, void), overdue or not, listed
        (open and 挂牌督办) or not."""
        self.found += times
        setattr(self, kind, getattr(self, kind) + times)
        self.overdue += overdue * times
        self.listed += listed * times

    @property
    def rate(self) -> float | None:
        """Rectification rate: closed / (found − void); None when nothing counts."""
        base = self.found - self.void
        return round(self.closed / base, 4) if base else None

    def columns(self, prefix: str = "") -> dict[str, Any]:
        return {f"{prefix}found": self.found, f"{prefix}open": self.open, f"{prefix}closed": self.closed,
                f"{prefix}void": self.void, f"{prefix}overdue": self.overdue, f"{prefix}listed": self.listed,
                f"{prefix}rate": self.rate}


def _select(snap: Snapshot, jurisdiction: str | None, major_only: bool) -> list[HazardState]:
    return [h for h in snap.hazards
            if within(h.jurisdiction, jurisdiction) and (not major_only or h.level == "major")]


Dimension = tuple[str, Callable[[HazardState], list[str]], Callable[[str], Any]]


def _table(hazards: list[HazardState], at: dt.datetime, fixed: list[Dimension], rolled: list[Dimension],
           major_only: bool, extra: Callable[[Counts, Counts], dict[str, Any]] | None = None,
           always: Iterable[tuple[str, ...]] = ()) -> list[dict[str, Any]]:
    """Count hazards per combination of the fixed and rolled dimensions; when there are
    rolled dimensions, add a subtotal per combination of the fixed ones (rolled = "*")."""
    dims = fixed + rolled
    groups: dict[tuple[str, ...], tuple[Counts, Counts]] = {}
    for key in always:
        groups.setdefault(key + (TOTAL,) * len(rolled) if rolled else key, (Counts(), Counts()))
    for hazard in hazards:
        keys = set(product(*(values(hazard) for _, values, _ in dims)))
        if rolled:
            keys |= {k[:len(fixed)] + (TOTAL,) * len(rolled) for k in keys}
        for key in keys:
            every, major = groups.setdefault(key, (Counts(), Counts()))
            every.add(hazard, at)
            if hazard.level == "major":
                major.add(hazard, at)

    def order(key: tuple[str, ...]) -> tuple[Any, ...]:
        return tuple((value == TOTAL, sort(value) if value != TOTAL else 0) for value, (_, _, sort) in zip(key, dims))

    rows = []
    for key in sorted(groups, key=order):
        every, major = groups[key]
        row: dict[str, Any] = {name: value for (name, _, _), value in zip(dims, key)}
        row.update(every.columns())
        if not major_only:
            row.update(major.columns("major_"))
        if extra:
            row.update(extra(every, major))
        rows.append(row)
    return rows


def breakdown(source: Any, as_of: AsOf | None = None, *, by: Sequence[str] = (), major_only: bool = False,
              jurisdiction: str | None = None, jurisdiction_level: str = "county", industry_depth: int = 1,
              age_buckets: Sequence[int] = AGE_BUCKETS) -> list[dict[str, Any]]:
    """Counts as of `as_of`, grouped by the dimensions in `by` (in that order), then a
    total row (every dimension "*"). Columns: the dimensions, found, open, closed, void,
    overdue, listed (open and 挂牌督办), rate; and the same prefixed ``major_`` for major
    hazards (left out with `major_only`, which counts major hazards only).

    `source` is a Ledger (then `as_of` is required) or a Snapshot. `jurisdiction` keeps
    the hazards of enterprises within that administrative code. `industry_depth` is the
    number of dotted parts of an industry code kept (1: ``gongmao``; 0: the whole code)."""
    snap = snapshot_of(source, as_of)
    options = _Options(jurisdiction_level, industry_depth, tuple(age_buckets))
    dims = _dimensions(by, options, snap.day)
    return _table(_select(snap, jurisdiction, major_only), snap.as_of, [], dims, major_only, always=[()])


def _dimensions(by: Sequence[str], options: _Options, day: dt.date) -> list[Dimension]:
    if len(set(by)) != len(by):
        raise StatisticsError(f"a dimension is named twice in {', '.join(by)}")
    jurisdiction_at("", options.jurisdiction_level)  # validates the level
    return [(name, *_dimension(name, options, day)) for name in by]


def _cohort(cut_off: dt.date) -> Dimension:
    return ("cohort", lambda h: ["stock" if found_day(h) < cut_off else "increment"],
            lambda v: COHORTS.index(v) if v in COHORTS else len(COHORTS))


def stock_increment(source: Any, cut_off: dt.date, as_of: AsOf | None = None, *, by: Sequence[str] = (),
                    major_only: bool = False, jurisdiction: str | None = None, jurisdiction_level: str = "county",
                    industry_depth: int = 1, age_buckets: Sequence[int] = AGE_BUCKETS) -> list[dict[str, Any]]:
    """存量 (found before `cut_off`) and 增量 (found on or after it), as of `as_of`: one row
    per cohort (``stock``, ``increment``) and group of `by`, a subtotal per cohort when
    grouped, and a total row (cohort "*"). Besides the `breakdown` columns, ``cleared``
    (nothing open) and ``major_cleared``. For the stock rows, ``rate`` is the 动态清零
    progress: the share of the stock (less void) closed as of `as_of`."""
    snap = snapshot_of(source, as_of)
    options = _Options(jurisdiction_level, industry_depth, tuple(age_buckets))
    dims = _dimensions(by, options, snap.day)
    if "cohort" in by:
        raise StatisticsError("the cohort is always a dimension of this table")

    def cleared(every: Counts, major: Counts) -> dict[str, Any]:
        return cleared_columns(every, major, major_only)

    hazards = _select(snap, jurisdiction, major_only)
    rows = _table(hazards, snap.as_of, [_cohort(cut_off)], dims, major_only, cleared,
                  always=[(c,) for c in COHORTS])
    total = _table(hazards, snap.as_of, [], [_cohort(cut_off)], major_only, cleared, always=[()])[-1]
    return rows + [{"cohort": TOTAL, **dict.fromkeys(by, TOTAL), **total}]


def cleared_columns(every: Counts, major: Counts, major_only: bool) -> dict[str, bool]:
    """The ``cleared`` columns of a `stock_increment` row: nothing open (of the major ones)."""
    flags = {"cleared": every.open == 0}
    if not major_only:
        flags["major_cleared"] = major.open == 0
    return flags


def counts_row(every: Counts, major: Counts, major_only: bool) -> dict[str, Any]:
    """The counting columns of a `stock_increment` row, in its order."""
    row = every.columns()
    if not major_only:
        row.update(major.columns("major_"))
    return {**row, **cleared_columns(every, major, major_only)}


@dataclass(frozen=True)
class Clearing:
    """动态清零: how much of the stock (found before `cut_off`) is closed at `as_of`."""

    cut_off: dt.date
    as_of: dt.datetime
    scope: str            # "major" or "all"
    stock: int            # found before the cut-off, void excluded
    stock_closed: int
    stock_open: int
    stock_overdue: int
    increment: int        # found on or after the cut-off, void excluded
    increment_closed: int
    increment_open: int

    @property
    def progress(self) -> float | None:
        """Share of the stock closed (None when there is no stock)."""
        return round(self.stock_closed / self.stock, 4) if self.stock else None

    @property
    def cleared(self) -> bool:
        return self.stock_open == 0

    def as_dict(self) -> dict[str, Any]:
        return {"cut_off": self.cut_off.isoformat(), "as_of": self.as_of.isoformat(), "scope": self.scope,
                "stock": self.stock, "stock_closed": self.stock_closed, "stock_open": self.stock_open,
                "stock_overdue": self.stock_overdue, "increment": self.increment,
                "increment_closed": self.increment_closed, "increment_open": self.increment_open,
                "progress": self.progress, "cleared": self.cleared}


def dynamic_clearing(source: Any, cut_off: dt.date, as_of: AsOf | None = None, *, major_only: bool = True,
                     jurisdiction: str | None = None) -> Clearing:
    """The 动态清零 headline: major hazards by default (治本攻坚三年行动: clear the stock of
    major hazards found before the cut-off)."""
    snap = snapshot_of(source, as_of)
    cohorts = {c: Counts() for c in COHORTS}
    for hazard in _select(snap, jurisdiction, major_only):
        cohorts["stock" if found_day(hazard) < cut_off else "increment"].add(hazard, snap.as_of)
    stock, increment = cohorts["stock"], cohorts["increment"]
    return Clearing(cut_off, snap.as_of, "major" if major_only else "all", stock.found - stock.void, stock.closed,
                    stock.open, stock.overdue, increment.found - increment.void, increment.closed, increment.open)


