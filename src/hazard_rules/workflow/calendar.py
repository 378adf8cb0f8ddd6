"""Chinese working-day calendar: public holidays and adjusted working weekends (调休).

Backed by the maintained ``chinesecalendar`` package (import name ``chinese_calendar``),
which ships the State Council's holiday arrangement for each year once it is announced.
A date in a year the package does not cover raises :class:`CalendarError`; nothing is
guessed. Local holidays and extra working days can be layered on top.

Counting conventions (期间开始的日不计算在内, the start day is not counted):

- ``add_workdays(d, n)`` for n >= 1 is the n-th working day strictly after d; for n = 0
  it is d itself if d is a working day, else the next working day ("due the same working
  day"). So ``workdays_between(d, add_workdays(d, n)) == n`` for every n >= 1, and for
  n = 0 whenever d is a working day.
- ``workdays_between(a, b)`` counts the working days in the half-open interval (a, b]:
  a is excluded, b included; it is negative when b is before a.
- ``subtract_workdays(d, n)`` for n >= 1 is the n-th working day strictly before d.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import accumulate

import chinese_calendar

from ..errors import HazardRulesError

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")  # no daylight saving since 1991
_ONE_DAY = dt.timedelta(days=1)


class CalendarError(HazardRulesError):
    """A date the calendar cannot answer for (year not covered) or contradictory overrides."""

    code = "E612"


def china_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar day of value in China: aware datetimes are converted to UTC+8 first,
    naive datetimes are taken to be local (China) time already."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.astimezone(CHINA_TZ)
        return value.date()
    return value


def _package_years() -> tuple[int, int]:
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


class WorkCalendar:
    """Working days in mainland China, with optional local holidays and working days."""

    def __init__(self, extra_holidays: Iterable[dt.date] = (), extra_workdays: Iterable[dt.date] = ()) -> None:
        self.extra_holidays = frozenset(china_date(d) for d in extra_holidays)
        self.extra_workdays = frozenset(china_date(d) for d in extra_workdays)
        both = sorted(self.extra_holidays & self.extra_workdays)
        if both:
            raise CalendarError(f"{both[0].isoformat()} is given both as an extra holiday and as an extra working day")
        self.first_year, self.last_year = _package_years()
        self._years: dict[int, tuple[bytes, tuple[int, ...]]] = {}

    def __repr__(self) -> str:
        return (f"WorkCalendar(years={self.first_year}-{self.last_year}, "
                f"extra_holidays={len(self.extra_holidays)}, extra_workdays={len(self.extra_workdays)})")

    # ------------------------------------------------------------------ single days
    def is_workday(self, d: dt.date) -> bool:
        """True on working days, including weekends made working days by 调休."""
        day = china_date(d)
        if day in self.extra_holidays:
            return False
        if day in self.extra_workdays:
            return True
        flags, _ = self._year(day.year)
        return bool(flags[day.timetuple().tm_yday - 1])

    def next_workday(self, d: dt.date) -> dt.date:
        """d itself if it is a working day, else the first working day after it."""
        day = china_date(d)
        while not self.is_workday(day):
            day += _ONE_DAY
        return day

    # ------------------------------------------------------------------ arithmetic
    def add_days(self, d: dt.date, n: int, *, roll_forward: bool = False) -> dt.date:
        """d plus n calendar days; with roll_forward, a result that is not a working day
        moves to the next working day (as for a period whose last day is a holiday)."""
        day = china_date(d) + dt.timedelta(days=n)
        return self.next_workday(day) if roll_forward else day

    def add_workdays(self, d: dt.date, n: int) -> dt.date:
        """The n-th working day after d (n >= 1); for n = 0, d or the next working day."""
        if n < 0:
            raise ValueError(f"add_workdays needs n >= 0, got {n}; use subtract_workdays")
        day = china_date(d)
        if n == 0:
            return self.next_workday(day)
        while n:
            day += _ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def subtract_workdays(self, d: dt.date, n: int) -> dt.date:
        """The n-th working day before d (n >= 1); for n = 0, d or the previous working day."""
        if n < 0:
            raise ValueError(f"subtract_workdays needs n >= 0, got {n}; use add_workdays")
        day = china_date(d)
        if n == 0:
            while not self.is_workday(day):
                day -= _ONE_DAY
            return day
        while n:
            day -= _ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]: a excluded, b included; negative when b < a."""
        start, end = china_date(a), china_date(b)
        if end < start:
            return -self.workdays_between(end, start)
        if end == start:
            return 0
        total = self._count_through(end) - self._count_through(start)
        for year in range(start.year, end.year):
            total += self._year(year)[1][-1]
        return total

    # ------------------------------------------------------------------ per-year tables
    def _count_through(self, day: dt.date) -> int:
        """Working days from 1 January of day's year up to and including day."""
        return self._year(day.year)[1][day.timetuple().tm_yday]

    def _year(self, year: int) -> tuple[bytes, tuple[int, ...]]:
        """One flag per day of the year and the running count of working days (prefix sums)."""
        cached = self._years.get(year)
        if cached is not None:
            return cached
        if not self.first_year <= year <= self.last_year:
            hint = (f"update the `chinesecalendar` package (pip install -U chinesecalendar) once the State "
                    f"Council has announced the {year} holiday arrangement; dates are never guessed"
                    if year > self.last_year else
                    f"the package has no holiday data before {self.first_year}; such dates are not supported")
            raise CalendarError(f"the working-day calendar has no data for {year} "
                                f"(the installed chinesecalendar covers {self.first_year}-{self.last_year})",
                                hint=hint)
        day = dt.date(year, 1, 1)
        flags = bytearray()
        while day.year == year:
            if day in self.extra_holidays:
                flags.append(0)
            elif day in self.extra_workdays:
                flags.append(1)
            else:
                flags.append(1 if chinese_calendar.is_workday(day) else 0)
            day += _ONE_DAY
        table = (bytes(flags), tuple(accumulate(flags, initial=0)))
        self._years[year] = table
        return table
