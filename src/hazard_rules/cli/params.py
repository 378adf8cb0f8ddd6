"""One click ParamType per kind of value the commands take.

A bad value is reported by click itself (``Error: Invalid value for '--as-of': …``, exit
code 2) with a hint on the next line, before the command runs: never a traceback, and
the same words wherever the same kind of value is asked for. What the workflow layer
knows how to read (periods, administrative codes) it reads; these types only turn its
error into click's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, get_args

import click

from ..errors import HazardRulesError
from ..findings.model import Scope

if TYPE_CHECKING:
    from ..workflow.domain.events import Evidence
    from ..workflow.stats import Period

SCOPES: tuple[Scope, ...] = get_args(Scope)


class _Type(click.ParamType):
    """A ParamType whose failures carry a hint, written as the package's errors write theirs."""

    def fail_with(self, message: str, hint: str | None, param: click.Parameter | None,
                  ctx: click.Context | None) -> NoReturn:
        self.fail(f"{message}\n  hint: {hint}" if hint else message, param, ctx)

    def fail_from(self, error: HazardRulesError, param: click.Parameter | None, ctx: click.Context | None) -> NoReturn:
        self.fail_with(error.message, error.hint, param, ctx)


class DateType(_Type):
    """A calendar day, YYYY-MM-DD."""

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail_with(f"{value!r} is not a date", "write YYYY-MM-DD", param, ctx)


class DateTimeType(_Type):
    """A moment, ISO 8601; without an offset it is the local time of this machine."""

    name = "datetime"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DATETIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.datetime:
        if isinstance(value, dt.datetime):
            moment = value
        else:
            try:
                moment = dt.datetime.fromisoformat(str(value).strip())
            except ValueError:
                self.fail_with(f"{value!r} is not an ISO date-time", "e.g. 2025-03-01T09:30+08:00", param, ctx)
        return moment if moment.tzinfo else moment.astimezone()


class AsOfType(_Type):
    """A date (for the statistics: the end of that day, China time) or an ISO date-time,
    passed on as written (a naive date-time is read as China time by the statistics)."""

    name = "as_of"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DATE|DATETIME"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> dt.date | dt.datetime:
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        try:
            return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
        except ValueError:
            self.fail_with(f"{value!r} is not an ISO date or date-time",
                           "e.g. 2025-03-31 (the end of that day) or 2025-03-31T18:00+08:00", param, ctx)


class PeriodType(_Type):
    """A statistics period: a quarter (2025Q1) or a year (2025)."""

    name = "period"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "PERIOD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Period:
        from ..workflow.stats import Period

        try:
            return Period.parse(value)
        except HazardRulesError as exc:
            self.fail_from(exc, param, ctx)


class AdminCodeType(_Type):
    """An administrative division code (2, 4, 6, 9 or 12 digits), checked and passed on as
    written; with ``prefix=True`` any leading digits of one, as a filter on stored codes."""

    name = "admin_code"

    def __init__(self, prefix: bool = False) -> None:
        self.prefix = prefix

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "CODE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if self.prefix:
            if not (text.isascii() and text.isdigit()):
                self.fail_with(f"{value!r} is not the start of an administrative code",
                               "digits only, e.g. 37 (a province), 3707 (a city) or 370782 (a county)", param, ctx)
            return text
        from ..workflow.policy.routing import AdminCode

        try:
            AdminCode.parse(text)
        except HazardRulesError as exc:
            self.fail_from(exc, param, ctx)
        return text


class ScopeType(click.Choice):
    """--scope: finding or enterprise, narrowed to the engine's Scope."""

    def __init__(self) -> None:
        super().__init__(SCOPES)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Scope:
        chosen = super().convert(value, param, ctx)
        for scope in SCOPES:  # the membership test is what narrows str to Scope
            if scope == chosen:
                return scope
        self.fail(f"{value!r}: choose from {', '.join(SCOPES)}", param, ctx)


class DimensionsType(_Type):
    """--by for the statistics: one or more dimensions, comma-separated."""

    name = "dimensions"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DIMENSION[,…]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, ...]:
        from ..workflow.stats import DIMENSIONS

        if isinstance(value, tuple):
            return value
        found = tuple(part.strip() for part in str(value).split(",") if part.strip())
        for name in found:
            if name not in DIMENSIONS:
                self.fail_with(f"{name!r}: cannot group by that", f"choose from {', '.join(DIMENSIONS)}", param, ctx)
        return found


class FieldType(_Type):
    """--field NAME=VALUE: a dotted name (nesting) and a value, JSON when it parses as JSON."""

    name = "field"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "NAME=VALUE"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[tuple[str, ...], Any]:
        if isinstance(value, tuple):
            return value
        key, sep, raw = str(value).partition("=")
        if not sep or not key:
            self.fail_with(f"{value!r} must be NAME=VALUE", "e.g. --field reason=重复登记", param, ctx)
        try:
            parsed: Any = json.loads(raw)
        except json.JSONDecodeError:
            parsed = raw
        return tuple(key.split(".")), parsed


class JsonObjectType(_Type):
    """A JSON object, written inline or read from @FILE."""

    name = "json_object"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "JSON|@FILE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        text = str(value)
        if text.startswith("@"):
            try:
                text = Path(text[1:]).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                reason = getattr(exc, "strerror", None) or exc
                self.fail_with(f"cannot read {text[1:]!r}: {reason}", "write @FILE with a file holding a JSON object",
                               param, ctx)
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            self.fail_with(f"not valid JSON: {exc.msg}", 'e.g. {"reason": "重复登记"}', param, ctx)
        if not isinstance(loaded, dict):
            self.fail_with("must be a JSON object", 'e.g. {"reason": "重复登记"}', param, ctx)
        return loaded


class EvidenceType(_Type):
    """--evidence NAME=FILE: the file is read and its SHA-256 recorded."""

    name = "evidence"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "NAME=FILE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Evidence:
        from ..workflow.domain.events import Evidence

        if isinstance(value, Evidence):
            return value
        name, sep, path = str(value).partition("=")
        if not sep:
            self.fail_with(f"{value!r} must be NAME=FILE", "e.g. --evidence after_photo=photos/after.jpg", param, ctx)
        file = Path(path)
        if not file.is_file():
            self.fail_with(f"evidence file not found: {path}", None, param, ctx)
        return Evidence(name=name, ref=str(file), sha256=hashlib.sha256(file.read_bytes()).hexdigest())


DATE = DateType()
DATETIME = DateTimeType()
AS_OF = AsOfType()
PERIOD = PeriodType()
ADMIN_CODE = AdminCodeType()
ADMIN_CODE_PREFIX = AdminCodeType(prefix=True)
SCOPE = ScopeType()
DIMENSIONS = DimensionsType()
FIELD = FieldType()
JSON_OBJECT = JsonObjectType()
EVIDENCE = EvidenceType()


def nest(pairs: tuple[tuple[tuple[str, ...], Any], ...], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """--fields, then each --field on top, dotted names nesting."""
    fields: dict[str, Any] = dict(base or {})
    for parts, value in pairs:
        target = fields
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return fields
