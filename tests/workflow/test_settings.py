"""Jurisdiction settings: the packaged defaults, layering by code prefix, durations, errors."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hazard_rules.workflow.policy.calendar import WorkCalendar
from hazard_rules.workflow.policy.routing import AdminCodeError
from hazard_rules.workflow.policy.settings import (
    LADDER,
    SETTING_NAMES,
    Duration,
    EscalationLadder,
    JurisdictionSettings,
    NationalSettings,
    ReportPeriod,
    SettingsBook,
    SettingsError,
    SettingsErrors,
    SettingsOverride,
    StatisticsSchedule,
    add_months,
    default_settings,
    load_settings,
)

D = dt.date
CAL = WorkCalendar()
BOOK = load_settings()


# ---------------------------------------------------------------------------- packaged defaults
def test_national_defaults() -> None:
    national = BOOK.for_jurisdiction("")
    assert national.jurisdiction == ""
    assert national.report_deadline == Duration(days=1, working=True)
    assert national.review_deadline == Duration(days=10, working=False)  # 16号令 art. 23: 10 日
    assert national.extension_request_window == Duration(days=0, working=True)
    assert national.extension_decision == Duration(days=10, working=True)
    assert national.listing_filing == Duration(days=3, working=True)
    assert national.publication == Duration(days=5, working=True)
    assert national.progress_report_period.every == "quarterly"
    assert [s.step for s in national.escalation.steps] == list(LADDER)
    assert national.unlisted_major_signoff == "DEPT"
    assert set(national.origin.values()) == {"national"}


def test_example_overrides_from_workflow_md() -> None:
    assert BOOK.for_jurisdiction("370202").extension_request_window.days == 20   # 青岛
    assert BOOK.for_jurisdiction("370202").extension_decision.days == 10
    assert BOOK.for_jurisdiction("330203").extension_request_window.days == 15   # 宁波
    assert BOOK.for_jurisdiction("440304").unlisted_major_signoff == "ENT_PRINCIPAL"  # 深圳
    assert BOOK.for_jurisdiction("370102").report_deadline.days == 0              # 山东 (济南)
    assert BOOK.for_jurisdiction("370102").extension_request_window.days == 0     # not Qingdao's
    assert all(layer.source for layer in BOOK.local.values())


def test_province_and_city_layers_combine_field_by_field() -> None:
    qingdao = BOOK.for_jurisdiction("370202001001")  # a village in Qingdao
    assert qingdao.jurisdiction == "370202001001"
    assert qingdao.origin["report_deadline"] == "37"
    assert qingdao.origin["extension_request_window"] == "3702"
    assert qingdao.origin["review_deadline"] == "national"
    assert qingdao.report_deadline == Duration(days=0, working=True)


def test_codes_in_any_accepted_form_give_the_same_settings() -> None:
    assert BOOK.for_jurisdiction("370200") == BOOK.for_jurisdiction("3702")
    assert BOOK.for_jurisdiction("370200000000").jurisdiction == "3702"


def test_malformed_jurisdiction_code_is_refused() -> None:
    with pytest.raises(AdminCodeError):
        BOOK.for_jurisdiction("37x2")


def test_default_settings_is_read_once() -> None:
    assert default_settings() is default_settings()


def test_override_model_lists_every_setting() -> None:
    assert set(SettingsOverride.model_fields) == set(SETTING_NAMES) | {"name", "source"}
    assert set(JurisdictionSettings.model_fields) == set(SETTING_NAMES) | {"jurisdiction", "origin"}


# ---------------------------------------------------------------------------- durations
def test_working_day_durations() -> None:
    found = dt.datetime(2024, 9, 30, 16, 0)
    assert Duration(days=1, working=True).due(found, CAL) == D(2024, 10, 8)
    assert Duration(days=0, working=True).due(found, CAL) == D(2024, 9, 30)
    assert Duration(days=0, working=True).due(D(2024, 10, 2), CAL) == D(2024, 10, 8)


def test_calendar_day_durations() -> None:
    assert Duration(days=10).due(D(2024, 9, 25), CAL) == D(2024, 10, 5)
    assert Duration(days=10, roll_forward=True).due(D(2024, 9, 25), CAL) == D(2024, 10, 8)


def test_hour_durations_need_a_datetime() -> None:
    start = dt.datetime(2024, 9, 30, 16, 0, tzinfo=dt.UTC)
    assert Duration(hours=24).due(start, CAL) == start + dt.timedelta(hours=24)
    with pytest.raises(TypeError):
        Duration(hours=24).due(D(2024, 9, 30), CAL)


def test_window_before_a_deadline() -> None:
    due = D(2024, 10, 31)
    assert Duration(days=0, working=True).before(due, CAL) == due
    latest = Duration(days=15, working=True).before(due, CAL)
    assert CAL.add_workdays(latest, 15) == due
    assert Duration(days=20).before(due, CAL) == D(2024, 10, 11)


@pytest.mark.parametrize("bad", [
    {}, {"days": 1, "hours": 2}, {"hours": 2, "working": True}, {"days": -1},
    {"days": 1, "working": True, "roll_forward": True}, {"days": "1"}, {"days": 1, "weeks": 2},
])
def test_invalid_durations(bad: dict) -> None:
    with pytest.raises(ValueError):
        Duration.model_validate(bad)


def test_duration_text() -> None:
    assert str(Duration(days=1, working=True)) == "1 working day"
    assert str(Duration(days=10)) == "10 days"
    assert str(Duration(hours=24)) == "24 hours"


# ---------------------------------------------------------------------------- periods and statistics
def test_report_period() -> None:
    assert ReportPeriod(every="quarterly").due(D(2024, 11, 30), CAL) == D(2025, 2, 28)
    assert ReportPeriod(every="monthly").due(D(2024, 1, 31), CAL) == D(2024, 2, 29)
    assert add_months(D(2024, 12, 15), 1) == D(2025, 1, 15)


def test_statistics_due_dates() -> None:
    stats = BOOK.national.statistics
    assert stats.quarterly_due(2024, 1) == D(2024, 4, 15)
    assert stats.quarterly_due(2024, 3) == D(2024, 10, 15)
    assert stats.quarterly_due(2024, 4) == D(2025, 1, 15)
    assert stats.annual_due(2024) == D(2025, 1, 31)
    with pytest.raises(ValueError):
        stats.quarterly_due(2024, 5)
    with pytest.raises(ValueError):
        StatisticsSchedule(quarterly_day=15, annual_month=2, annual_day=30)


# ---------------------------------------------------------------------------- escalation
def test_escalation_ladder() -> None:
    ladder = BOOK.national.escalation
    due = D(2024, 9, 20)  # Friday; working days after it: 23-27 Sep, 29-30 Sep, 8-12 Oct
    assert ladder.level(due, due, CAL) is None
    assert ladder.level(due, D(2024, 9, 22), CAL) is None       # overdue, but no working day yet
    assert ladder.level(due, D(2024, 9, 23), CAL) == "URGE"
    assert ladder.level(due, D(2024, 9, 27), CAL) == "LETTER"
    assert ladder.level(due, D(2024, 10, 7), CAL) == "LETTER"   # the holiday does not count
    assert ladder.level(due, D(2024, 10, 10), CAL) == "NOTICE"
    assert [s.step for s in ladder.reached(due, D(2025, 1, 1), CAL)] == list(LADDER)


@pytest.mark.parametrize("steps", [
    [{"step": "LETTER", "after": {"days": 1}}, {"step": "URGE", "after": {"days": 2}}],
    [{"step": "URGE", "after": {"days": 1}}, {"step": "URGE", "after": {"days": 2}}],
    [{"step": "URGE", "after": {"days": 5}}, {"step": "LETTER", "after": {"days": 2}}],
    [{"step": "URGE", "after": {"hours": 5}}],
    [{"step": "WARN", "after": {"days": 5}}],
    [],
])
def test_invalid_ladders(steps: list) -> None:
    with pytest.raises(ValueError):
        EscalationLadder.model_validate({"steps": steps})


# ---------------------------------------------------------------------------- layering (property)
_durations = st.builds(Duration, days=st.integers(0, 30), working=st.booleans())
_FIELDS = ["report_deadline", "plan_deadline", "review_deadline", "extension_request_window"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(_FIELDS), _durations), min_size=3, max_size=3),
       st.sampled_from(["37", "3702", "370202", "370202001", "3703", "370302", "33", "110101"]))
def test_most_specific_layer_wins_field_by_field(layers: list[dict], code: str) -> None:
    keys = ["37", "3702", "370202"]
    local = {key: SettingsOverride(name=key, source="test", **values) for key, values in zip(keys, layers)}
    book = SettingsBook(version=1, national=BOOK.national, local=local)
    result = book.for_jurisdiction(code)
    applying = [(k, v) for k, v in zip(keys, layers) if code.startswith(k)]
    for name in SETTING_NAMES:
        expected, origin = getattr(BOOK.national, name), "national"
        for key, values in applying:
            if name in values:
                expected, origin = values[name], key
        assert getattr(result, name) == expected
        assert result.origin[name] == origin


# ---------------------------------------------------------------------------- bad files
def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _national_block() -> str:
    text = (Path(__file__).resolve().parents[2] / "src/hazard_rules/workflow/data/settings.yaml").read_text("utf-8")
    return text[text.index("national:"): text.index("\nlocal:")]


def test_the_packaged_file_reads_the_same_by_path() -> None:
    path = Path(__file__).resolve().parents[2] / "src/hazard_rules/workflow/data/settings.yaml"
    assert load_settings(path) == BOOK


def test_unknown_key_points_at_file_line_col(tmp_path: Path) -> None:
    path = _write(tmp_path, "version: 1\n" + _national_block()
                  + '\nlocal:\n  "3702":\n    name: 青岛市\n    source: x\n    review_deadlin: {days: 5}\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    error = caught.value
    line = path.read_text("utf-8").splitlines().index("    review_deadlin: {days: 5}") + 1
    assert str(error.span) == f"{path}:{line}:5"
    assert "review_deadlin" in error.message and "review_deadline" in (error.hint or "")
    assert f"{path}:{line}:5: error[E611]" in error.render()


def test_wrong_type_points_at_the_value(tmp_path: Path) -> None:
    block = _national_block().replace("review_deadline: {days: 10, working: false}",
                                      "review_deadline: {days: ten, working: false}")
    path = _write(tmp_path, "version: 1\n" + block)
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    lines = path.read_text("utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "days: ten" in text)
    assert caught.value.span is not None
    assert (caught.value.span.line, caught.value.span.column) == (line, lines[line - 1].index("ten") + 1)


def test_several_errors_are_reported_together(tmp_path: Path) -> None:
    block = (_national_block().replace("working: false}", "working: maybe}")
             .replace("unlisted_major_signoff: DEPT", "unlisted_major_signoff: MAYOR"))
    path = _write(tmp_path, "version: 1\n" + block)
    with pytest.raises(SettingsErrors) as caught:
        load_settings(path)
    assert len(caught.value.errors) == 2
    assert all(e.span and e.span.file == str(path) for e in caught.value.errors)


@pytest.mark.parametrize(("key", "expected"),
                         [("3700", "zero-padded"), ("99", "不是省级代码"), ("370", "2-, 4- or 6-digit")])
def test_bad_override_keys_point_at_the_key(tmp_path: Path, key: str, expected: str) -> None:
    path = _write(tmp_path, "version: 1\n" + _national_block()
                  + f'\nlocal:\n  "{key}":\n    name: x\n    source: y\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    lines = path.read_text("utf-8").splitlines()
    assert expected in caught.value.message
    assert caught.value.span is not None and lines[caught.value.span.line - 1].strip().startswith(f'"{key}"')


def test_missing_setting_and_yaml_errors(tmp_path: Path) -> None:
    block = _national_block().replace("  unlisted_major_signoff: DEPT\n", "")
    with pytest.raises(SettingsError, match="unlisted_major_signoff"):
        load_settings(_write(tmp_path, "version: 1\n" + block))
    with pytest.raises(SettingsError) as caught:
        load_settings(_write(tmp_path, "version: 1\nversion: 1\n"))
    assert caught.value.span is not None and caught.value.span.line == 2
    with pytest.raises(SettingsError, match="cannot read"):
        load_settings(tmp_path / "missing.yaml")


def test_settings_book_refuses_bad_keys_when_built_in_code() -> None:
    with pytest.raises(ValueError, match="zero-padded"):
        SettingsBook(version=1, national=BOOK.national,
                     local={"370200": SettingsOverride(name="x", source="y")})


def test_national_block_must_be_complete() -> None:
    data = BOOK.national.model_dump()
    del data["publication"]
    with pytest.raises(ValueError):
        NationalSettings.model_validate(data)


# ---------------------------------------------------------------------------- industry rules
def test_coal_has_its_own_review_deadline_over_any_jurisdiction() -> None:
    coal = BOOK.for_jurisdiction("370782", industries=["coal.underground"])
    assert coal.review_deadline == Duration(days=60) and coal.origin["review_deadline"] == "industry coal"
    assert BOOK.for_jurisdiction("370782", industries=["gongmao.dust"]).review_deadline == Duration(days=10)
    assert BOOK.for_jurisdiction("370782").review_deadline == Duration(days=10)
    # other settings still come from the jurisdiction
    assert coal.report_deadline == BOOK.for_jurisdiction("370782").report_deadline
    assert coal.origin["report_deadline"] == "37"


def test_first_industry_that_sets_a_field_wins() -> None:
    book = SettingsBook.model_validate({
        **BOOK.model_dump(),
        "industries": {"coal": {"name": "煤矿", "source": "s", "review_deadline": {"days": 60}},
                       "gas": {"name": "燃气", "source": "s", "review_deadline": {"days": 20},
                               "plan_deadline": {"days": 3}}},
    })
    both = book.for_jurisdiction("", industries=["gas", "coal"])
    assert (both.review_deadline.days, both.plan_deadline.days) == (20, 3)
    other_way = book.for_jurisdiction("", industries=["coal", "gas"])
    assert (other_way.review_deadline.days, other_way.plan_deadline.days) == (60, 3)


def test_bad_industry_key_is_refused(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "src/hazard_rules/workflow/data/settings.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "settings.yaml"
    bad.write_text(text.replace("industries:\n  coal:", "industries:\n  Coal Mines:"), encoding="utf-8")
    with pytest.raises(SettingsError, match="must be dotted lower-case"):
        load_settings(bad)


def test_supervision_level_and_summons_from_the_government_above() -> None:
    national = BOOK.for_jurisdiction("")
    assert national.supervision_level == "county"
    assert {s.step: s.up for s in national.escalation.steps}["SUMMONS"] == 1


def test_every_duplicate_key_is_a_settings_error_at_its_own_line(tmp_path: Path) -> None:
    """The packs' YAML reader reports each duplicate key; the settings loader keeps them all,
    each as E611 where it is written."""
    path = _write(tmp_path, "version: 1\nversion: 1\n" + _national_block() + "\nlocal: {}\nlocal: {}\n")
    with pytest.raises(SettingsErrors) as caught:
        load_settings(path)
    lines = path.read_text("utf-8").splitlines()
    assert [(e.code, e.span.line if e.span else None) for e in caught.value.errors] == [
        ("E611", 2), ("E611", len(lines))]
    assert all("duplicate key" in e.message and e.hint for e in caught.value.errors)
