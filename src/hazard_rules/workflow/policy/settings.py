"""Jurisdiction settings: national defaults plus local overrides by administrative code.

``data/settings.yaml`` holds a ``national`` block with every setting and a ``local`` map
from an administrative-code prefix (2 digits province, 4 city, 6 county) to the settings
that jurisdiction changes. For a code, the province, city and county layers are applied
in that order over the national defaults, one whole setting at a time: the most specific
layer that sets a field wins for that field. docs/workflow-settings.md explains each one.

Durations are ``{days: N, working: true|false}`` or ``{hours: N}``. A day-based duration
gives the last allowed day (a ``date``, inclusive); the start day is not counted.
"""

from __future__ import annotations

import calendar as _monthcal
import datetime as dt
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from ...errors import Diagnostics, HazardRulesError, recast
from ...loading.strict_yaml import YamlDocument, read_yaml
from ...loading.validate import validate_document
from .calendar import WorkCalendar, china_date
from .routing import AdminCode, AdminCodeError, longest_prefix


class SettingsError(HazardRulesError):
    """A settings file is malformed, or a setting cannot be applied."""

    code = "E611"


# Several errors of one settings file come in the package's one aggregate; this was its name here.
SettingsErrors = Diagnostics


Text = Annotated[StrictStr, Field(min_length=1)]
Count = Annotated[StrictInt, Field(ge=0)]
Role = Literal["DEPT", "SAFETY_COMMITTEE", "ENT_PRINCIPAL"]
Step = Literal["URGE", "LETTER", "NOTICE", "SUMMONS", "PENALTY"]
LADDER: tuple[Step, ...] = ("URGE", "LETTER", "NOTICE", "SUMMONS", "PENALTY")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------------- value types
class Duration(_Model):
    """A period: N calendar or working days, or N hours."""

    days: Count | None = None
    hours: Count | None = None
    working: StrictBool = False
    roll_forward: StrictBool = False  # calendar days only: a last day off work moves to the next working day

    @model_validator(mode="after")
    def _one_unit(self) -> Duration:
        if (self.days is None) == (self.hours is None):
            raise ValueError("give exactly one of `days` or `hours`")
        if self.hours is not None and (self.working or self.roll_forward):
            raise ValueError("`working` and `roll_forward` apply to `days` only")
        if self.working and self.roll_forward:
            raise ValueError("`roll_forward` applies to calendar days; working days always end on a working day")
        return self

    def due(self, start: dt.date | dt.datetime, calendar: WorkCalendar) -> dt.date | dt.datetime:
        """The deadline counted from start: the last allowed day for days (start not
        counted; 0 working days = the same working day), start + N hours for hours."""
        if self.hours is not None:
            if not isinstance(start, dt.datetime):
                raise TypeError(f"{self} needs a datetime start, got the date {start}")
            return start + dt.timedelta(hours=self.hours)
        assert self.days is not None
        day = china_date(start)
        if self.working:
            return calendar.add_workdays(day, self.days)
        return calendar.add_days(day, self.days, roll_forward=self.roll_forward)

    def before(self, deadline: dt.date | dt.datetime, calendar: WorkCalendar) -> dt.date:
        """The last day that is at least this long before deadline (0 days = the deadline)."""
        if self.days is None:
            raise TypeError(f"{self} counts hours; a window before a deadline is given in days")
        day = china_date(deadline)
        if self.days == 0:
            return day
        if self.working:
            return calendar.subtract_workdays(day, self.days)
        return day - dt.timedelta(days=self.days)

    def __str__(self) -> str:
        if self.hours is not None:
            return f"{self.hours} hour{'s' * (self.hours != 1)}"
        unit = "working day" if self.working else "day"
        return f"{self.days} {unit}{'s' * (self.days != 1)}"


class ReportPeriod(_Model):
    """How often progress is reported while a major hazard is being rectified."""

    every: Literal["monthly", "quarterly", "half_yearly", "yearly"]

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}[self.every]

    def due(self, start: dt.date | dt.datetime, calendar: WorkCalendar | None = None) -> dt.date:
        """The next report date: start plus one period (clamped to the month's end)."""
        return add_months(china_date(start), self.months)


class StatisticsSchedule(_Model):
    """When the enterprise's signed quarterly and annual statistics tables are due."""

    quarterly_day: Annotated[StrictInt, Field(ge=1, le=30)]  # day of the first month of the next quarter
    annual_month: Annotated[StrictInt, Field(ge=1, le=12)]   # of the next year
    annual_day: Annotated[StrictInt, Field(ge=1, le=31)]

    @model_validator(mode="after")
    def _real_day(self) -> StatisticsSchedule:
        if self.annual_day > _monthcal.monthrange(2000, self.annual_month)[1]:
            raise ValueError(f"month {self.annual_month} has no day {self.annual_day}")
        return self

    def quarterly_due(self, year: int, quarter: int) -> dt.date:
        """Last day to submit the table for quarter (1-4) of year."""
        if quarter not in (1, 2, 3, 4):
            raise ValueError(f"quarter must be 1-4, got {quarter}")
        return dt.date(year + quarter // 4, quarter * 3 % 12 + 1, self.quarterly_day)

    def annual_due(self, year: int) -> dt.date:
        """Last day to submit the table for the whole of year (in the next year)."""
        last = _monthcal.monthrange(year + 1, self.annual_month)[1]
        return dt.date(year + 1, self.annual_month, min(self.annual_day, last))


class EscalationStep(_Model):
    step: Step
    after: Duration  # how long overdue before this step is taken (days only)
    up: Annotated[StrictInt, Field(ge=0, le=4)] = 0  # governments above the supervising one that take it

    @field_validator("after")
    @classmethod
    def _in_days(cls, after: Duration) -> Duration:
        if after.days is None:
            raise ValueError("escalation steps are counted in days")
        return after


class EscalationLadder(_Model):
    """Ordered steps URGE → LETTER (督办函) → NOTICE (通报) → SUMMONS (约谈) → PENALTY flag."""

    steps: list[EscalationStep] = Field(min_length=1)

    @field_validator("steps")
    @classmethod
    def _ordered(cls, steps: list[EscalationStep]) -> list[EscalationStep]:
        ranks = [LADDER.index(s.step) for s in steps]
        if ranks != sorted(set(ranks)):
            raise ValueError(f"steps must appear once each, in the order {' → '.join(LADDER)}")
        for low, high in zip(steps, steps[1:]):
            if low.after.working == high.after.working and (low.after.days or 0) > (high.after.days or 0):
                raise ValueError(f"{high.step} comes after {low.step}, so it cannot be due sooner "
                                 f"({high.after} < {low.after})")
        return steps

    def reached(self, due: dt.date | dt.datetime, today: dt.date | dt.datetime,
                calendar: WorkCalendar) -> list[EscalationStep]:
        """The steps whose time has come for a deadline `due` (nothing before it passes)."""
        due_day, day = china_date(due), china_date(today)
        if day <= due_day:
            return []
        return [s for s in self.steps if day >= s.after.due(due_day, calendar)]

    def level(self, due: dt.date | dt.datetime, today: dt.date | dt.datetime, calendar: WorkCalendar) -> Step | None:
        """The highest step reached, or None while not (yet) escalated."""
        reached = self.reached(due, today, calendar)
        return reached[-1].step if reached else None


def parse_due(text: str) -> dt.date | dt.datetime:
    """A recorded deadline: a date (YYYY-MM-DD) or a date-time."""
    return dt.datetime.fromisoformat(text) if len(text) > 10 else dt.date.fromisoformat(text)


def add_months(day: dt.date, months: int) -> dt.date:
    """day plus a number of months, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, _monthcal.monthrange(year, month + 1)[1]))


# ---------------------------------------------------------------------------- settings
class _Settings(_Model):
    report_deadline: Duration
    plan_deadline: Duration
    review_deadline: Duration
    extension_request_window: Duration
    extension_decision: Duration
    progress_report_period: ReportPeriod
    listing_filing: Duration
    publication: Duration
    statistics: StatisticsSchedule
    escalation: EscalationLadder
    unlisted_major_signoff: Role
    supervision_level: Literal["province", "city", "county", "township"]


SETTING_NAMES: tuple[str, ...] = tuple(_Settings.model_fields)


class NationalSettings(_Settings):
    """The national block: every setting, with no jurisdiction."""


class JurisdictionSettings(_Settings):
    """The settings in force in one jurisdiction."""

    jurisdiction: str = ""  # canonical administrative code; "" = national defaults
    origin: dict[str, str] = {}  # setting → "national" or the override key that set it


class SettingsOverride(_Model):
    """What one province, city or county changes; unset fields are inherited."""

    name: Text
    source: Text  # the local rule (or document) the values come from
    report_deadline: Duration | None = None
    plan_deadline: Duration | None = None
    review_deadline: Duration | None = None
    extension_request_window: Duration | None = None
    extension_decision: Duration | None = None
    progress_report_period: ReportPeriod | None = None
    listing_filing: Duration | None = None
    publication: Duration | None = None
    statistics: StatisticsSchedule | None = None
    escalation: EscalationLadder | None = None
    unlisted_major_signoff: Role | None = None
    supervision_level: Literal["province", "city", "county", "township"] | None = None


def _key_problem(key: object) -> tuple[str, str] | None:
    """Why key cannot name an override layer (message, hint), or None."""
    hint = "use 2 digits for a province (37), 4 for a city (3702), 6 for a county (370202)"
    if not isinstance(key, str) or not key.isascii() or not key.isdigit() or len(key) not in (2, 4, 6):
        return f"override key {key!r} is not a 2-, 4- or 6-digit administrative code", hint
    try:
        canonical = AdminCode.parse(key).code
    except AdminCodeError as exc:
        return exc.message, exc.hint or hint
    if canonical != key:
        return f"override key {key!r} is zero-padded", f"write {canonical!r}: keys are code prefixes"
    return None


class SettingsBook(_Model):
    """National defaults and local overrides, as read from a settings file."""

    version: Literal[1]
    national: NationalSettings
    local: dict[str, SettingsOverride] = {}
    industries: dict[str, SettingsOverride] = {}  # industry-code prefix → an industry's own rules

    @field_validator("industries")
    @classmethod
    def _industry_keys(cls, industries: dict[str, SettingsOverride]) -> dict[str, SettingsOverride]:
        from ...loading.models import INDUSTRY_CODE

        for key in industries:
            if not INDUSTRY_CODE.fullmatch(key):
                raise ValueError(f"industry code {key!r} must be dotted lower-case, e.g. coal or gongmao.dust")
        return industries

    def industry_layer(self, industry: str) -> tuple[str, SettingsOverride] | None:
        """The industry rules for an industry code: the longest matching prefix (on dots)."""
        return longest_prefix(self.industries, industry)

    @field_validator("local")
    @classmethod
    def _keys(cls, local: dict[str, SettingsOverride]) -> dict[str, SettingsOverride]:
        for key in local:
            problem = _key_problem(key)
            if problem:
                raise ValueError(problem[0])
        return local

    def layers(self, code: str | AdminCode) -> list[tuple[str, SettingsOverride]]:
        """The overrides that apply to code, least specific first."""
        canonical = AdminCode.parse(code).code
        found = [(canonical[:n], self.local.get(canonical[:n])) for n in (2, 4, 6) if n <= len(canonical)]
        return [(key, layer) for key, layer in found if layer is not None]

    def for_jurisdiction(self, code: str | AdminCode,
                         industries: tuple[str, ...] | list[str] = ()) -> JurisdictionSettings:
        """Settings for an administrative code ("" for the national defaults); the most
        specific override wins, field by field. An industry's own rules (``industries``,
        e.g. coal's 60-day review) then apply over the jurisdiction's: they come from the
        industry's regulation, which a local rule for all industries does not displace.
        With several industries, the first one (in the order given) that sets a field wins."""
        key = code.code if isinstance(code, AdminCode) else code.strip()
        values = {name: getattr(self.national, name) for name in SETTING_NAMES}
        origin = dict.fromkeys(SETTING_NAMES, "national")
        canonical = ""
        if key:
            canonical = AdminCode.parse(key).code
            for layer_key, layer in self.layers(canonical):
                for name in SETTING_NAMES:
                    value = getattr(layer, name)
                    if value is not None:
                        values[name], origin[name] = value, layer_key
        applied: set[str] = set()
        for industry in industries:
            found = self.industry_layer(industry)
            if found is None:
                continue
            layer_key, layer = found
            for name in SETTING_NAMES:
                value = getattr(layer, name)
                if value is not None and name not in applied:
                    values[name], origin[name] = value, f"industry {layer_key}"
                    applied.add(name)
        return JurisdictionSettings(**values, jurisdiction=canonical, origin=origin)


# ---------------------------------------------------------------------------- loading
def load_settings(path: Path | None = None) -> SettingsBook:
    """Read a settings file (the packaged data/settings.yaml by default), strictly."""
    if path is None:
        text = resources.files("hazard_rules.workflow").joinpath("data/settings.yaml").read_text(encoding="utf-8")
        file = "hazard_rules/workflow/data/settings.yaml"
    else:
        try:
            text, file = Path(path).read_text(encoding="utf-8"), str(path)
        except OSError as exc:
            raise SettingsError(f"cannot read settings file {path}: {exc.strerror or exc}") from None
    try:
        doc = read_yaml(text, file)
    except HazardRulesError as exc:
        raise recast(exc, SettingsError, file) from None
    if not isinstance(doc.data, dict):
        raise SettingsError("a settings file is a mapping with `version`, `national` and `local`",
                            doc.span(()), "see docs/workflow-settings.md")
    errors = _key_errors(doc)
    book, schema_errors = validate_document(doc, SettingsBook)
    # A bad key is reported where it is written; drop the model's echo of it at `local:`.
    errors += [SettingsError(e.message, e.span, e.hint) for e in schema_errors
               if not any(k.message in e.message for k in errors)]
    if errors:
        raise errors[0] if len(errors) == 1 else Diagnostics(errors, "settings")
    assert isinstance(book, SettingsBook)
    return book


def _key_errors(doc: YamlDocument) -> list[SettingsError]:
    local = doc.data.get("local")
    if not isinstance(local, dict):
        return []
    found = []
    for key in local:
        problem = _key_problem(key)
        if problem:
            found.append(SettingsError(problem[0], doc.span(("local", key), key=True), problem[1]))
    return found


@cache
def default_settings() -> SettingsBook:
    """The packaged settings, read once."""
    return load_settings()


__all__ = [
    "LADDER",
    "SETTING_NAMES",
    "Duration",
    "EscalationLadder",
    "EscalationStep",
    "JurisdictionSettings",
    "NationalSettings",
    "ReportPeriod",
    "Role",
    "SettingsBook",
    "SettingsError",
    "SettingsErrors",
    "SettingsOverride",
    "StatisticsSchedule",
    "Step",
    "add_months",
    "default_settings",
    "load_settings",
    "parse_due",
]
