"""The working-day calendar: real holiday facts, conventions, overrides, provisional years,
the holidays file, uncovered years."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lunardate import LunarDate

from hazard_rules.errors import HazardRulesError
from hazard_rules.workflow.policy.calendar import (
    PROVISIONAL_SOURCE,
    CalendarError,
    WorkCalendar,
    _provisional_days_off,
    _statutory_holidays,
    china_date,
    load_holiday_file,
)

D = dt.date
CAL = WorkCalendar()
# Far enough inside the package's years (2004-2026) that 120 working days either way stay inside.
COVERED = st.dates(min_value=D(2004, 3, 1), max_value=D(2026, 6, 30))
COUNTS = st.integers(min_value=0, max_value=120)
STRICT = WorkCalendar(provisional=False)
# Official 2026 into provisional 2027, with 120 working days of room either way.
ACROSS = st.dates(min_value=D(2026, 6, 1), max_value=D(2027, 6, 30))
FROM_SOLAR = LunarDate.from_solar_date


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
    late_utc = dt.datetime(2024, 9, 30, 17, 0, tzinfo=dt.UTC)  # 01:00 on 1 Oct in Beijing
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


# ---------------------------------------------------------------------------- provisional years
def test_spring_festival_2027_is_provisional_and_from_the_lunar_calendar() -> None:
    # Checked independently of the module: 正月初一 2027 is 6 February, so 除夕 is the 5th.
    assert FROM_SOLAR(2027, 2, 6) == LunarDate(2027, 1, 1)
    assert FROM_SOLAR(2027, 2, 5).month == 12
    assert CAL.basis(2027) == "provisional"
    assert all(not CAL.is_workday(D(2027, 2, d)) for d in range(5, 9))  # 除夕 (Fri) to 初三 (Mon)
    # 初一 and 初二 fall on Saturday and Sunday: 补假 on Tuesday 9 and Wednesday 10.
    assert not CAL.is_workday(D(2027, 2, 9)) and not CAL.is_workday(D(2027, 2, 10))
    assert CAL.is_workday(D(2027, 2, 4)) and CAL.is_workday(D(2027, 2, 11))


def test_new_year_and_national_day_2027() -> None:
    assert D(2027, 1, 1).weekday() == 4 and not CAL.is_workday(D(2027, 1, 1))
    assert CAL.is_workday(D(2027, 1, 4))
    # 1-3 October are Friday to Sunday; Saturday and Sunday are made up on Monday 4 and Tuesday 5.
    assert [D(2027, 10, d).weekday() for d in (1, 2, 3)] == [4, 5, 6]
    assert all(not CAL.is_workday(D(2027, 10, d)) for d in range(1, 6))
    assert CAL.is_workday(D(2027, 10, 6))
    assert CAL.add_workdays(D(2027, 9, 30), 1) == D(2027, 10, 6)


def test_other_statutory_holidays_2027() -> None:
    assert all(not CAL.is_workday(D(2027, 5, d)) for d in range(1, 5))  # Sat, Sun, 补假 Mon, Tue
    assert CAL.is_workday(D(2027, 5, 5))
    assert not CAL.is_workday(D(2027, 4, 5))   # 清明 (Monday)
    assert not CAL.is_workday(D(2027, 6, 9))   # 端午 (Wednesday)
    assert not CAL.is_workday(D(2027, 9, 15))  # 中秋 (Wednesday)


def test_ordinary_provisional_weekend_is_rest_no_adjusted_working_days() -> None:
    assert not CAL.is_workday(D(2027, 3, 13))  # Saturday
    assert CAL.is_workday(D(2027, 3, 15))      # Monday
    # 调休 cannot be known in advance: no weekend of a provisional year is a working day.
    assert not any(CAL.is_workday(D(2027, 1, 1) + dt.timedelta(days=i))
                   for i in range(365) if (D(2027, 1, 1) + dt.timedelta(days=i)).weekday() >= 5)


def test_mid_autumn_inside_national_day_is_owed_a_day_too() -> None:
    # 2028: 中秋 is 3 October (Tuesday), 1 October a Sunday: 1-5 October off.
    assert CAL.basis(2028) == "provisional"
    assert all(not CAL.is_workday(D(2028, 10, d)) for d in range(1, 6))
    assert CAL.is_workday(D(2028, 10, 6))
    assert not CAL.is_workday(D(2028, 1, 3))  # 元旦 on a Saturday, 补假 Monday


@pytest.mark.parametrize("year", [2025, 2026])
def test_provisional_rules_agree_with_the_official_years(year: int) -> None:
    # The 795 rules computed for years the package knows: every statutory holiday date (and,
    # for these two years, every 补假 day too) is a day off in the real arrangement.
    statutory = {day for day, _ in _statutory_holidays(year)}
    assert len(_statutory_holidays(year)) == 13
    assert [d for d in sorted(statutory) if CAL.is_workday(d)] == []
    assert [d for d in sorted(_provisional_days_off(year)) if CAL.is_workday(d)] == []


@pytest.mark.parametrize("year", range(2008, 2027))
def test_lunar_and_solar_term_dates_are_official_holidays(year: int) -> None:
    # 初一, 清明, 端午 and 中秋 have been statutory since 2008: the lunar maths against real data.
    named = {name: day for day, name in _statutory_holidays(year) if name in ("清明节", "端午节", "中秋节")}
    new_year = next(D(year, m, d) for m in (1, 2) for d in range(1, 32 if m == 1 else 29)
                    if FROM_SOLAR(year, m, d) == LunarDate(year, 1, 1))
    for day in (new_year, *named.values()):
        assert not CAL.is_workday(day), (year, day)


def test_every_provisional_year_up_to_2099_computes() -> None:
    for year in range(CAL.last_year + 1, 2100):
        holidays = _statutory_holidays(year)
        assert len(holidays) == 13 and all(day.year == year for day, _ in holidays)
        off = _provisional_days_off(year)
        assert len(off) >= 13 and all(day.year == year for day in off)
    assert CAL.workdays_between(D(2099, 1, 1), D(2099, 12, 31)) > 200


def test_basis_and_source() -> None:
    assert CAL.basis(2026) == "official" and CAL.basis(CAL.first_year) == "official"
    assert CAL.source(2026) == f"official: chinesecalendar {chinese_calendar.__version__}"
    assert CAL.source(2027) == PROVISIONAL_SOURCE
    assert "795" in CAL.source(2027) and "调休" in CAL.source(2027)
    for year in (CAL.first_year - 1, 2100):
        with pytest.raises(CalendarError):
            CAL.basis(year)
    with pytest.raises(CalendarError):
        STRICT.basis(2027)
    assert STRICT.basis(2026) == "official"


def test_provisional_years() -> None:
    assert CAL.provisional_years(D(2025, 3, 1), D(2026, 12, 31)) == ()
    assert CAL.provisional_years(D(2026, 12, 1), D(2027, 1, 10)) == (2027,)
    assert CAL.provisional_years(D(2029, 5, 1), D(2026, 5, 1)) == (2027, 2028, 2029)  # either order
    assert CAL.provisional_years(dt.datetime(2026, 12, 31, 20, 0, tzinfo=dt.UTC),
                                 D(2026, 1, 1)) == (2027,)  # 04:00 on 1 January 2027 in Beijing


def test_extra_days_override_provisional_years() -> None:
    local = WorkCalendar(extra_holidays=[D(2027, 3, 15)], extra_workdays=[D(2027, 2, 6)])
    assert not local.is_workday(D(2027, 3, 15))
    assert local.is_workday(D(2027, 2, 6))


# ---------------------------------------------------------------------------- holidays.yaml
ENTRY = """\
2027:
  notice: 测试〔2026〕1号
  title: a test notice, not a real one
  published: 2026-11-01
  holidays:
    - 2027-01-01
    - {from: 2027-02-05, to: 2027-02-12}
  workdays: [2027-02-20]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my-holidays.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_holiday_file_loads() -> None:
    assert all(CAL.first_year <= year <= 2099 for year in load_holiday_file())


def test_a_year_from_the_file_is_official(tmp_path: Path) -> None:
    path = _write(tmp_path, ENTRY)
    notice = load_holiday_file(path)[2027]
    assert notice.notice == "测试〔2026〕1号" and len(notice.holidays) == 9
    cal = WorkCalendar(holiday_file=path)
    assert cal.basis(2027) == "official"
    assert "测试〔2026〕1号" in cal.source(2027) and str(path) in cal.source(2027)
    assert cal.provisional_years(D(2026, 1, 1), D(2028, 1, 1)) == (2028,)
    assert all(not cal.is_workday(D(2027, 2, d)) for d in range(5, 13))
    assert cal.is_workday(D(2027, 2, 20))          # the listed working Saturday
    assert cal.is_workday(D(2027, 10, 1))          # not listed: a plain Friday (the entry is the whole year)
    assert not cal.is_workday(D(2027, 3, 13))      # ordinary Saturday


def test_the_file_wins_over_the_package(tmp_path: Path) -> None:
    path = _write(tmp_path, "2026: {notice: 测试〔2025〕1号, title: a test notice, published: 2025-11-01, "
                            "holidays: [2026-03-02], workdays: [2026-03-07]}\n")
    cal = WorkCalendar(holiday_file=path)
    assert cal.basis(2026) == "official" and "测试" in cal.source(2026)
    assert not cal.is_workday(D(2026, 3, 2)) and CAL.is_workday(D(2026, 3, 2))
    assert cal.is_workday(D(2026, 3, 7)) and not CAL.is_workday(D(2026, 3, 7))
    assert cal.is_workday(D(2026, 1, 1))  # the file's year replaces the package's whole year
    assert cal.is_workday(D(2025, 1, 2)) == CAL.is_workday(D(2025, 1, 2))


def test_the_documented_example_matches_the_package(tmp_path: Path) -> None:
    # The commented 2026 example at the top of the packaged file, uncommented, is a valid entry
    # and gives exactly the package's 2026.
    text = resources.files("hazard_rules.workflow").joinpath("data/holidays.yaml").read_text(encoding="utf-8")
    block = re.search(r"# --- example ---\n(.*?)# --- end of example ---", text, re.DOTALL)
    assert block is not None
    cal = WorkCalendar(holiday_file=_write(tmp_path, re.sub(r"(?m)^# ?", "", block.group(1))))
    assert cal.basis(2026) == "official" and "国办发明电〔2025〕7号" in cal.source(2026)
    day = D(2026, 1, 1)
    while day.year == 2026:
        assert cal.is_workday(day) == CAL.is_workday(day), day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize(("text", "needle"), [
    (ENTRY.replace("  workdays:", "  workday:"), "unknown key 'workday'"),
    (ENTRY.replace("2027-02-20", "2028-02-19"), "outside 2027"),
    (ENTRY.replace("- 2027-01-01", "- 2027-02-20"), "both as a holiday and as a working day"),
    (ENTRY.replace("2027-02-20", "2027-02-22"), "not a Saturday or Sunday"),
    (ENTRY.replace("- 2027-01-01", "- 2027-1-1"), "neither a date"),
    (ENTRY.replace("- 2027-01-01", "- 2027-02-30"), "neither a date"),
    (ENTRY.replace("from: 2027-02-05, to: 2027-02-12", "from: 2027-02-12, to: 2027-02-05"), "backwards"),
    (ENTRY.replace("  notice: 测试〔2026〕1号\n", ""), "missing key 'notice'"),
    (ENTRY.replace("2027:", "27:", 1), "not a year"),
    (ENTRY.replace("2027:", "2027:\n2027:", 1), "duplicate key"),
    (ENTRY + "  : [\n", "did not find expected key"),
    ("- 2027\n", "mapping from a year"),
])
def test_malformed_holiday_file_names_the_file(tmp_path: Path, text: str, needle: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(CalendarError) as caught:
        load_holiday_file(path)
    rendered = caught.value.render()
    assert needle in caught.value.message and caught.value.code == "E612"
    assert caught.value.span is not None and caught.value.span.file == str(path)
    assert rendered.startswith(f"{path}:{caught.value.span.line}:{caught.value.span.column}: error[E612]")
    assert caught.value.hint
    with pytest.raises(CalendarError):
        WorkCalendar(holiday_file=path)


# ---------------------------------------------------------------------------- across 2026 → 2027
@settings(max_examples=200, deadline=None)
@given(ACROSS, COUNTS)
def test_add_workdays_across_the_provisional_boundary(day: dt.date, n: int) -> None:
    due = CAL.add_workdays(day, n)
    assert CAL.is_workday(due) and due >= day
    if n >= 1 or CAL.is_workday(day):
        assert CAL.workdays_between(day, due) == n
    else:
        assert CAL.workdays_between(day, due) == 1 and due == CAL.add_workdays(day, 1)
    if n >= 1:
        assert CAL.subtract_workdays(due, n) <= day or not CAL.is_workday(day)
        assert CAL.add_workdays(CAL.subtract_workdays(due, n), n) == due


@settings(max_examples=200, deadline=None)
@given(ACROSS, ACROSS, ACROSS)
def test_workdays_between_across_the_provisional_boundary(a: dt.date, b: dt.date, c: dt.date) -> None:
    assert CAL.workdays_between(a, b) + CAL.workdays_between(b, c) == CAL.workdays_between(a, c)
    lo, hi = min(a, b), max(a, b)
    brute = sum(CAL.is_workday(lo + dt.timedelta(days=i)) for i in range(1, (hi - lo).days + 1))
    assert CAL.workdays_between(lo, hi) == brute


# ---------------------------------------------------------------------------- coverage
def test_unpublished_year_is_a_clear_error_without_provisional() -> None:
    year = STRICT.last_year + 1
    with pytest.raises(CalendarError) as caught:
        STRICT.is_workday(D(year, 1, 4))
    assert isinstance(caught.value, HazardRulesError) and caught.value.code == "E612"
    text = caught.value.render()
    assert str(year) in text and "chinesecalendar" in text and "holidays.yaml" in text


def test_counting_into_an_unpublished_year_fails_without_provisional() -> None:
    last = D(STRICT.last_year, 12, 20)
    with pytest.raises(CalendarError):
        STRICT.add_workdays(last, 30)
    with pytest.raises(CalendarError):
        STRICT.workdays_between(last, D(STRICT.last_year + 1, 2, 1))
    assert CAL.workdays_between(last, D(CAL.last_year + 1, 2, 1)) > 0  # provisional by default


def test_years_before_the_package_and_after_2099_are_refused() -> None:
    with pytest.raises(CalendarError):
        CAL.is_workday(D(CAL.first_year - 1, 6, 1))
    with pytest.raises(CalendarError) as caught:
        CAL.add_workdays(D(2099, 12, 20), 30)
    assert "2100" in caught.value.render()


def test_explicit_override_answers_for_its_own_date_only() -> None:
    year = STRICT.last_year + 1
    local = WorkCalendar(extra_holidays=[D(year, 1, 1)], provisional=False)
    assert not local.is_workday(D(year, 1, 1))
    with pytest.raises(CalendarError):
        local.is_workday(D(year, 1, 2))


def test_a_holiday_file_error_points_at_its_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, ENTRY.replace("2027-02-20", "2027-02-22"))
    with pytest.raises(CalendarError) as caught:
        load_holiday_file(path)
    span = caught.value.span
    assert (span.line, span.column) == (8, 14)      # where 2027-02-22 is written in the workdays list


def test_a_holiday_file_reports_the_mistake_of_every_year_at_once(tmp_path: Path) -> None:
    from hazard_rules.errors import Diagnostics

    second = ENTRY.replace("2027:", "2028:", 1).replace("2027-", "2028-")
    text = (ENTRY.replace("  workdays:", "  workday:") + second.replace("  notice: 测试〔2026〕1号\n", "")
            + "27: {}\n")
    with pytest.raises(Diagnostics) as caught:
        load_holiday_file(_write(tmp_path, text))
    messages = [e.message for e in caught.value.errors]
    assert len(messages) == 3, messages
    assert any("unknown key 'workday'" in m for m in messages) and any("missing key 'notice'" in m for m in messages)
    assert any("not a year" in m for m in messages)
    assert all(isinstance(e, CalendarError) and e.span is not None for e in caught.value.errors)
