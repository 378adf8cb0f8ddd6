"""The deadlines a step records: which settings govern a hazard, and the due dates (and,
for an escalation, the government that takes it) that its step starts.

Computed when the step is taken and kept in its event, so that a replay never depends on
settings or a calendar that changed later. Whether a deadline has passed is
calendar.deadline_passed, the one answer used everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ..domain.effects import EFFECTS, StepSettings, due_dates
from ..domain.state import HazardState
from .calendar import china_date
from .routing import AdminCodeError
from .settings import JurisdictionSettings, parse_due


class Deadlines:
    """The settings (a `Settings`, or None for none) and the work calendar deadlines are counted on."""

    def __init__(self, settings: Any, calendar: Any) -> None:
        self.settings = settings
        self.calendar = calendar
        self._cache: dict[tuple[str, tuple[str, ...]], JurisdictionSettings] = {}

    def settings_for(self, state: HazardState) -> JurisdictionSettings | None:
        """The settings in force for the hazard: its jurisdiction's, then its industries' rules."""
        if self.settings is None:
            return None
        key = (state.jurisdiction or "", tuple(state.industries))
        found = self._cache.get(key)
        if found is None:
            try:
                found = self.settings.for_jurisdiction(key[0], industries=key[1])
            except AdminCodeError:  # registered before malformed codes were refused: national rules
                found = self.settings.for_jurisdiction("", industries=key[1])
            self._cache[key] = found
        return found

    def system_fields(self, state: HazardState, action: str, at: dt.datetime, org_code: str | None,
                      fields: dict[str, Any]) -> dict[str, str]:
        """What the ledger itself records with a step (effects.EFFECTS): the deadlines it
        starts and, for an escalation, the government that takes it, from the hazard's settings."""
        settings = self.settings_for(state)
        if settings is None or self.calendar is None:
            return {}
        effect = EFFECTS[action]
        step = StepSettings(state, settings, org_code, fields, at, self.calendar)
        starts = effect.starts(step)
        due = {**effect.system_fields(step), **due_dates(starts, at, self.calendar)}
        # Only a count of working days (or a last day moved off a holiday) depends on the calendar.
        provisional = self.provisional_years(at, [due[name] for name, duration in starts.items()
                                                  if duration.working or duration.roll_forward])
        if provisional:
            due["calendar_basis"] = "provisional " + ",".join(map(str, provisional))
        return due

    def provisional_years(self, at: dt.datetime, dues: Iterable[str]) -> tuple[int, ...]:
        """Years between the step and its deadlines whose holidays are not published yet."""
        years = getattr(self.calendar, "provisional_years", None)
        if years is None:
            return ()
        found: set[int] = set()
        for due in dues:
            found.update(years(china_date(at), china_date(parse_due(due))))
        return tuple(sorted(found))
