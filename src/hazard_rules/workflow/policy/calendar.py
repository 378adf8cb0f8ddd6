"""Chinese working-day calendar: public holidays and adjusted working weekends (调休).

Each year is answered from one of three sources, in this order (:meth:`WorkCalendar.basis`
and :meth:`WorkCalendar.source` tell which one a year uses):

1. ``official``, from our own ``workflow/data/holidays.yaml``: the State Council's notice
   (国务院办公厅关于××年部分节假日安排的通知) transcribed by hand for a year the package
   below does not have yet. A year in both this file and the package is taken from the file:
   the file is the newer correction.
2. ``official``, from the maintained ``chinesecalendar`` package (import name
   ``chinese_calendar``), which ships each year's notice once it is announced.
3. ``provisional``, for a later year (up to 2099) that neither has: the statutory holidays of
   《全国年节及纪念日放假办法》 as revised by 国务院令第795号 (in force 2025-01-01), with
   补假 for a holiday on a Saturday or Sunday, and every other Saturday and Sunday a rest day.
   The 调休 (working weekends) of such a year cannot be known before the notice and are
   not modelled. Provisional years exist because a deadline that falls in an unpublished
   year must still be computable; the workflow records that it was provisional
   (:meth:`WorkCalendar.provisional_years`). ``WorkCalendar(provisional=False)`` refuses
   such years instead.

Years before the package's first year and after 2099 raise :class:`CalendarError`. Local
holidays and extra working days given to the constructor override every source.

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
import functools
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata, resources
from itertools import accumulate
from pathlib import Path
from typing import Any, Literal, NoReturn

import chinese_calendar
from lunardate import LunarDate

from ...errors import Diagnostics, HazardRulesError, recast
from ...loading.strict_yaml import read_yaml

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")  # no daylight saving since 1991
_ONE_DAY = dt.timedelta(days=1)
_LAST_YEAR = 2099  # lunardate's tables end with lunar year 2099
_PACKAGED_FILE = "hazard_rules/workflow/data/holidays.yaml"
_FILE_HINT = "see the comment at the top of hazard_rules/workflow/data/holidays.yaml for the format"
PROVISIONAL_SOURCE = "provisional: 全国年节及纪念日放假办法 (国务院令第795号), 调休 not known"


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


def china_aware(value: dt.datetime) -> dt.datetime:
    """An instant: a naive date-time is taken to be China time."""
    return value if value.tzinfo is not None and value.utcoffset() is not None else value.replace(tzinfo=CHINA_TZ)


def deadline_passed(due: str, at: dt.datetime) -> bool:
    """True once the deadline `due` has passed at the instant `at`: a date deadline (the last
    allowed day) is met through that whole day in China; a date-time deadline until that
    instant. The one answer to "is it overdue?" (ledger, tick, statistics, guards)."""
    if len(due) > 10:
        return china_aware(dt.datetime.fromisoformat(due)) < china_aware(at)
    return dt.date.fromisoformat(due) < china_date(at)


def _package_years() -> tuple[int, int]:
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


# ---------------------------------------------------------------------------- holidays.yaml
@dataclass(frozen=True, slots=True)
class Notice:
    """One year's holiday arrangement as transcribed into holidays.yaml."""

    year: int
    notice: str            # 文号, e.g. 国办发明电〔2025〕7号
    title: str
    published: dt.date
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]  # adjusted working weekends (调休上班)


_REQUIRED_KEYS = ("notice", "title", "published", "holidays")
_ENTRY_KEYS = (*_REQUIRED_KEYS, "workdays")


def load_holiday_file(path: str | os.PathLike[str] | None = None) -> dict[int, Notice]:
    """Read and strictly check a holidays file (the packaged data/holidays.yaml by default)."""
    if path is None:
        text = resources.files("hazard_rules.workflow").joinpath("data/holidays.yaml").read_text(encoding="utf-8")
        return _parse_notices(text, _PACKAGED_FILE)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CalendarError(f"cannot read holidays file {path}: {exc.strerror or exc}") from None
    return _parse_notices(text, str(path))


@functools.cache
def _packaged_notices() -> Mapping[int, Notice]:
    return load_holiday_file()


def _parse_notices(text: str, file: str) -> dict[int, Notice]:
    """Check every entry; report the first problem of each (every year's, at once), each at its
    line and column."""
    try:
        doc = read_yaml(text, file)
    except HazardRulesError as exc:
        raise recast(exc, CalendarError, file, _FILE_HINT) from None

    def fail(message: str, path: tuple = (), key: bool = False) -> NoReturn:
        raise CalendarError(message, doc.span(path, key=key), _FILE_HINT)

    data = doc.data
    if data is None:  # only comments: no year yet
        return {}
    if not isinstance(data, dict):
        fail("the file must be a mapping from a year to that year's notice")
    notices: dict[int, Notice] = {}
    errors: list[HazardRulesError] = []
    for key, entry in data.items():
        try:
            notice = _notice(key, entry, fail)
        except CalendarError as error:
            errors.append(error)
            continue
        notices[notice.year] = notice
    if errors:
        raise errors[0] if len(errors) == 1 else Diagnostics(errors, file)
    return notices


def _notice(key: Any, entry: Any, fail: Callable[..., NoReturn]) -> Notice:
    """One year's entry, checked (fail raises at its first problem)."""
    if not (isinstance(key, str) and re.fullmatch(r"\d{4}", key) and 1900 <= int(key) <= _LAST_YEAR):
        fail(f"{key!r} is not a year between 1900 and {_LAST_YEAR} (e.g. `2027:`)", (key,), key=True)
    year = int(key)
    if not isinstance(entry, dict):
        fail(f"{year}: expected a mapping with the keys {', '.join(_ENTRY_KEYS)}", (key,))
    for name in entry:
        if name not in _ENTRY_KEYS:
            fail(f"{year}: unknown key {name!r} (allowed: {', '.join(_ENTRY_KEYS)})", (key, name), key=True)
    for name in _REQUIRED_KEYS:
        if name not in entry:
            fail(f"{year}: missing key {name!r}", (key,))
    for name in ("notice", "title"):
        if not isinstance(entry[name], str) or not entry[name].strip():
            fail(f"{year}: `{name}` must be non-empty text", (key, name))
    published = _date(entry["published"])
    if published is None:
        fail(f"{year}: `published` must be a date written YYYY-MM-DD, got {entry['published']!r}",
             (key, "published"))
    holidays = _dates(entry["holidays"], year, (key, "holidays"), fail)
    workdays = _dates(entry.get("workdays") or [], year, (key, "workdays"), fail)
    both = sorted(holidays & workdays)
    if both:
        fail(f"{year}: {both[0].isoformat()} is listed both as a holiday and as a working day", (key, "workdays"))
    weekday = sorted(d for d in workdays if d.weekday() < 5)
    if weekday:
        written = entry["workdays"]
        at = written.index(weekday[0].isoformat()) if weekday[0].isoformat() in written else None
        fail(f"{year}: working day {weekday[0].isoformat()} is not a Saturday or Sunday "
             "(list only the adjusted working weekends)", (key, "workdays", *(() if at is None else (at,))))
    return Notice(year, entry["notice"].strip(), entry["title"].strip(), published,
                  frozenset(holidays), frozenset(workdays))


def _date(value: object) -> dt.date | None:
    """A date written YYYY-MM-DD (the strict reader keeps dates as text), else None."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _dates(value: Any, year: int, path: tuple, fail: Callable[..., NoReturn]) -> set[dt.date]:
    """The dates of a `holidays:`/`workdays:` list: single dates or {from, to} ranges (inclusive)."""
    key = path[-1]
    if not isinstance(value, list):
        fail(f"{year}: `{key}` must be a list of dates or {{from: ..., to: ...}} ranges", path)
    days: set[dt.date] = set()
    for i, item in enumerate(value):
        single = _date(item)
        if single is not None:
            first = last = single
        elif isinstance(item, dict) and set(item) == {"from", "to"} and None not in map(_date, item.values()):
            low, high = _date(item["from"]), _date(item["to"])
            assert low is not None and high is not None  # both were checked just above
            first, last = low, high
            if last < first:
                fail(f"{year}: `{key}` range from {first.isoformat()} to {last.isoformat()} runs backwards", (*path, i))
        else:
            fail(f"{year}: `{key}` entry {item!r} is neither a date (YYYY-MM-DD) "
                 "nor a {from: YYYY-MM-DD, to: YYYY-MM-DD} range", (*path, i))
        for d in (first, last):
            if d.year != year:
                fail(f"{year}: `{key}` date {d.isoformat()} is outside {year}", (*path, i))
        while first <= last:
            days.add(first)
            first += _ONE_DAY
    return days


# ---------------------------------------------------------------------------- provisional years
def _lunar(year: int, month: int, day: int) -> dt.date:
    return LunarDate(year, month, day).to_solar_date()


def _qingming(year: int) -> dt.date:
    # get_solar_terms covers 1900-2100 (寿星公式 with the package's table of corrections),
    # so every year up to _LAST_YEAR has it; no fallback approximation is needed.
    [(day, _)] = [t for t in chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 30))
                  if t[1] == "清明"]
    return day


def _statutory_holidays(year: int) -> list[tuple[dt.date, str]]:
    """The days 全体公民放假 under 《全国年节及纪念日放假办法》 第二条 as revised by
    国务院令第795号 (in force 2025-01-01), without 补假. A date can appear twice (中秋 on 1-3 October)."""
    new_year = _lunar(year, 1, 1)  # 正月初一; 除夕 is the day before (腊月 may have 29 days)
    return [
        (dt.date(year, 1, 1), "元旦"),
        *((new_year + i * _ONE_DAY, "春节") for i in range(-1, 3)),  # 除夕, 初一至初三
        (_qingming(year), "清明节"),
        (dt.date(year, 5, 1), "劳动节"), (dt.date(year, 5, 2), "劳动节"),
        (_lunar(year, 5, 5), "端午节"),
        (_lunar(year, 8, 15), "中秋节"),
        *((dt.date(year, 10, d), "国庆节") for d in (1, 2, 3)),
    ]


def _provisional_days_off(year: int) -> frozenset[dt.date]:
    """Statutory holidays plus 补假: a holiday on a Saturday or Sunday is made up on the next
    weekday that is not itself a holiday. Two holidays on one date (中秋 within 国庆) are both
    owed, as the arrangements for 2009 and 2020 granted; modelled the same way."""
    holidays = _statutory_holidays(year)
    off = {day for day, _ in holidays}
    seen: set[dt.date] = set()
    owed = []
    for day, _ in holidays:
        if day.weekday() >= 5 or day in seen:
            owed.append(day)
        seen.add(day)
    for day in sorted(owed):
        while day in off or day.weekday() >= 5:
            day += _ONE_DAY
        off.add(day)
    return frozenset(off)


# ---------------------------------------------------------------------------- the calendar
class WorkCalendar:
    """Working days in mainland China, with optional local holidays and working days."""

    def __init__(self, extra_holidays: Iterable[dt.date] = (), extra_workdays: Iterable[dt.date] = (), *,
                 provisional: bool = True, holiday_file: str | os.PathLike[str] | None = None) -> None:
        """provisional=False refuses years without an official arrangement (as before
        provisional years existed); holiday_file replaces the packaged data/holidays.yaml."""
        self.extra_holidays = frozenset(china_date(d) for d in extra_holidays)
        self.extra_workdays = frozenset(china_date(d) for d in extra_workdays)
        both = sorted(self.extra_holidays & self.extra_workdays)
        if both:
            raise CalendarError(f"{both[0].isoformat()} is given both as an extra holiday and as an extra working day")
        self.provisional = provisional
        self.first_year, self.last_year = _package_years()  # the chinesecalendar package's years
        self._holiday_file = _PACKAGED_FILE if holiday_file is None else str(holiday_file)
        self._notices: Mapping[int, Notice] = (_packaged_notices() if holiday_file is None
                                               else load_holiday_file(holiday_file))
        self._years: dict[int, tuple[bytes, tuple[int, ...]]] = {}

    def __repr__(self) -> str:
        return (f"WorkCalendar(years={self.first_year}-{self.last_year}, file_years={sorted(self._notices)}, "
                f"provisional={self.provisional}, "
                f"extra_holidays={len(self.extra_holidays)}, extra_workdays={len(self.extra_workdays)})")

    # ------------------------------------------------------------------ sources
    def basis(self, year: int) -> Literal["official", "provisional"]:
        """Whether year's holidays are "official" (a State Council arrangement, from the package
        or holidays.yaml) or "provisional" (computed from the 办法); CalendarError if unsupported."""
        return "provisional" if self._kind(year) == "provisional" else "official"

    def source(self, year: int) -> str:
        """A short human text of where year's holidays come from."""
        kind = self._kind(year)
        if kind == "file":
            notice = self._notices[year]
            return f"official: {notice.notice} 《{notice.title}》 ({self._holiday_file})"
        if kind == "package":
            return f"official: chinesecalendar {metadata.version('chinesecalendar')}"
        return PROVISIONAL_SOURCE

    def provisional_years(self, a: dt.date, b: dt.date) -> tuple[int, ...]:
        """The provisional years touched by the closed range between a and b (either order)."""
        years = sorted((china_date(a).year, china_date(b).year))
        return tuple(y for y in range(years[0], years[1] + 1) if self.basis(y) == "provisional")

    def _kind(self, year: int) -> Literal["file", "package", "provisional"]:
        if year in self._notices:
            return "file"
        if self.first_year <= year <= self.last_year:
            return "package"
        message = (f"the working-day calendar has no data for {year} "
                   f"(the installed chinesecalendar covers {self.first_year}-{self.last_year})")
        if year < self.first_year:
            raise CalendarError(message, hint=f"the package has no holiday data before {self.first_year}; "
                                              "such dates are not supported")
        if year > _LAST_YEAR:
            raise CalendarError(message, hint=f"years after {_LAST_YEAR} are not supported, not even provisionally "
                                              "(the lunar tables end there)")
        if not self.provisional:
            raise CalendarError(message, hint=f"once the State Council has announced the {year} holiday arrangement, "
                                              f"add it to {self._holiday_file} or update the `chinesecalendar` "
                                              "package (pip install -U chinesecalendar); or allow provisional years")
        return "provisional"

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
        kind = self._kind(year)
        workday: Callable[[dt.date], bool]
        if kind == "file":
            notice = self._notices[year]
            workday = lambda d: d not in notice.holidays and (d in notice.workdays or d.weekday() < 5)
        elif kind == "package":
            workday = chinese_calendar.is_workday
        else:
            off = _provisional_days_off(year)
            workday = lambda d: d not in off and d.weekday() < 5
        day = dt.date(year, 1, 1)
        flags = bytearray()
        while day.year == year:
            if day in self.extra_holidays:
                flags.append(0)
            elif day in self.extra_workdays:
                flags.append(1)
            else:
                flags.append(1 if workday(day) else 0)
            day += _ONE_DAY
        table = (bytes(flags), tuple(accumulate(flags, initial=0)))
        self._years[year] = table
        return table
