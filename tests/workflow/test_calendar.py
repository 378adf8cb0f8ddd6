"""The working-day calendar: real holiday facts, conventions, overrides, uncovered years."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hazard_rules.errors import HazardRulesError
from hazard_rules.workflow.calendar import CalendarError, WorkCalendar, china_date

D = dt.date
CAL = WorkCalendar()
# Far enough inside the package's years (2004-2026) that 120 working days either way stay inside.
COVERED = st.dates(min_value=D(2004, 3, 1), max_value=D(2026, 6, 30))
COUNTS = st.integers(min_value=0, max_value=120)


# ---------------------------------------------------------------------------- real facts
@pytest.mark.parametrize("day", [D(2024, 10, d) for d in range(1, 8)])
def test_national_day_2024_is_a_holiday(day: dt.date) -> None:
    assert not CAL.is_workday(day)


@pytest.mark.parametrize("day", [D(2024, 9, 29), D(2024, 10, 12)])  # Sunday, Saturday
def test_adjusted_working_weekends_2024(day: dt.date) -> None:
    assert day.weekday() >= 5
    assert CAL.is_workday(day)


def test_spring_festival_2026() -> None:
    # 国办发明电〔2025〕7号: 15-23 February off; Saturdays 14 and 28 February are working days.
    assert all(not CAL.is_workday(D(2026, 2, d)) for d in range(15, 24))
    assert CAL.is_workday(D(2026, 2, 14)) and D(2026, 2, 14).weekday() == 5
    assert CAL.is_workday(D(2026, 2, 28)) and D(2026, 2, 28).weekday() == 5
    assert CAL.is_workday(D(2026, 2, 24))


def test_ordinary_weekend_and_weekday() -> None:
    assert not CAL.is_workday(D(2024, 3, 9))  # Saturday
    assert CAL.is_workday(D(2024, 3, 11))     # Monday


# ---------------------------------------------------------------------------- conventions
def test_add_workdays_skips_the_golden_week() -> None:
    assert CAL.add_workdays(D(2024, 9, 30), 1) == D(2024, 10, 8)
    assert CAL.add_workdays(D(2024, 9, 28), 1) == D(2024, 9, 29)  # Saturday → the working Sunday
    assert CAL.add_workdays(D(2024, 10, 11), 1) == D(2024, 10, 12)


def test_zero_workdays_is_the_same_or_next_working_day() -> None:
    assert CAL.add_workdays(D(2024, 9, 30), 0) == D(2024, 9, 30)
    assert CAL.add_workdays(D(2024, 10, 1), 0) == D(2024, 10, 8)


def test_workdays_between_excludes_start_includes_end() -> None:
    # (28 Sep, 12 Oct]: 29 Sep, 30 Sep, 8-11 Oct, 12 Oct.
    assert CAL.workdays_between(D(2024, 9, 28), D(2024, 10, 12)) == 7
    assert CAL.workdays_between(D(2024, 10, 12), D(2024, 9, 28)) == -7
    assert CAL.workdays_between(D(2024, 10, 3), D(2024, 10, 3)) == 0


def test_workdays_between_across_years() -> None:
    a, b = D(2023, 12, 15), D(2025, 1, 10)
    assert CAL.workdays_between(a, b) == sum(CAL.is_workday(a + dt.timedelta(days=i))
                                             for i in range(1, (b - a).days + 1))


def test_subtract_workdays() -> None:
    assert CAL.subtract_workdays(D(2024, 10, 8), 1) == D(2024, 9, 30)
    assert CAL.subtract_workdays(D(2024, 10, 8), 0) == D(2024, 10, 8)
    assert CAL.subtract_workdays(D(2024, 10, 5), 0) == D(2024, 9, 30)


def test_add_days_and_roll_forward() -> None:
    assert CAL.add_days(D(2024, 9, 25), 10) == D(2024, 10, 5)
    assert CAL.add_days(D(2024, 9, 25), 10, roll_forward=True) == D(2024, 10, 8)
    assert CAL.add_days(D(2024, 9, 25), -25) == D(2024, 8, 31)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_workdays(D(2024, 1, 2), -1)
    with pytest.raises(ValueError):
        CAL.subtract_workdays(D(2024, 1, 2), -1)


def test_datetimes_use_the_china_calendar_day() -> None:
    late_utc = dt.datetime(2024, 9, 30, 17, 0, tzinfo=dt.timezone.utc)  # 01:00 on 1 Oct in Beijing
    assert china_date(late_utc) == D(2024, 10, 1)
    assert not CAL.is_workday(late_utc)
    assert china_date(dt.datetime(2024, 9, 30, 23, 0)) == D(2024, 9, 30)  # naive = local


# ---------------------------------------------------------------------------- properties
@settings(max_examples=300, deadline=None)
@given(COVERED, COUNTS)
def test_add_workdays_lands_on_a_workday_n_away(day: dt.date, n: int) -> None:
    due = CAL.add_workdays(day, n)
    assert CAL.is_workday(due)
    assert due >= day
    if n >= 1 or CAL.is_workday(day):
        assert CAL.workdays_between(day, due) == n
    else:  # n = 0 on a day off: the next working day, which is also the first one after it
        assert CAL.workdays_between(day, due) == 1 and due == CAL.add_workdays(day, 1)


@settings(max_examples=200, deadline=None)
@given(COVERED, st.integers(min_value=1, max_value=120))
def test_subtract_undoes_add_on_workdays(day: dt.date, n: int) -> None:
    due = CAL.add_workdays(day, n)
    start = CAL.subtract_workdays(due, n)
    assert CAL.is_workday(start)
    assert CAL.add_workdays(start, n) == due
    assert start <= day or not CAL.is_workday(day)


@settings(max_examples=200, deadline=None)
@given(COVERED, COVERED, COVERED)
def test_workdays_between_is_additive(a: dt.date, b: dt.date, c: dt.date) -> None:
    assert CAL.workdays_between(a, b) + CAL.workdays_between(b, c) == CAL.workdays_between(a, c)


# ---------------------------------------------------------------------------- overrides
def test_extra_holidays_and_workdays() -> None:
    local = WorkCalendar(extra_holidays=[D(2024, 3, 11)], extra_workdays=[D(2024, 3, 9)])
    assert not local.is_workday(D(2024, 3, 11))
    assert local.is_workday(D(2024, 3, 9))
    assert local.add_workdays(D(2024, 3, 8), 1) == D(2024, 3, 9)
    assert local.workdays_between(D(2024, 3, 8), D(2024, 3, 12)) == CAL.workdays_between(D(2024, 3, 8),
                                                                                         D(2024, 3, 12))
    assert CAL.is_workday(D(2024, 3, 11))  # the shared calendar is untouched


def test_contradictory_overrides_are_refused() -> None:
    with pytest.raises(CalendarError, match="2024-03-11"):
        WorkCalendar(extra_holidays=[D(2024, 3, 11)], extra_workdays=[D(2024, 3, 11)])


# ---------------------------------------------------------------------------- coverage
def test_uncovered_year_is_a_clear_error() -> None:
    year = CAL.last_year + 1
    with pytest.raises(CalendarError) as caught:
        CAL.is_workday(D(year, 1, 4))
    assert isinstance(caught.value, HazardRulesError)
    text = caught.value.render()
    assert str(year) in text and "chinesecalendar" in text


def test_counting_into_an_uncovered_year_fails_rather_than_guesses() -> None:
    last = D(CAL.last_year, 12, 20)
    with pytest.raises(CalendarError):
        CAL.add_workdays(last, 30)
    with pytest.raises(CalendarError):
        CAL.workdays_between(last, D(CAL.last_year + 1, 2, 1))
    with pytest.raises(CalendarError):
        CAL.is_workday(D(CAL.first_year - 1, 6, 1))


def test_explicit_override_answers_for_its_own_date_only() -> None:
    year = CAL.last_year + 1
    local = WorkCalendar(extra_holidays=[D(year, 1, 1)])
    assert not local.is_workday(D(year, 1, 1))
    with pytest.raises(CalendarError):
        local.is_workday(D(year, 1, 2))
