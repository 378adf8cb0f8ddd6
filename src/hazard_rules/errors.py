"""One error hierarchy for everything a user can get wrong, and every error code.

Every error carries a message, an optional source position and an optional hint, and
renders itself as ``file:line:col: error[CODE]: message`` followed by the source line, a
caret and the hint, or as a JSON object for tools (`as_dict`). `CODES` registers every
code the package uses, with its exit code: a class (here or in any other module) whose
code is not registered cannot be defined. `Diagnostics` carries several errors found in
one go and reports them together.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True, slots=True)
class Code:
    """A registered error code: what it means (one line; docs/errors.md has the rest) and
    the exit code of the command line when it ends a run."""

    code: str
    summary: str
    exit_code: int = 2


CODES: Mapping[str, Code] = MappingProxyType({c.code: c for c in (
    Code("E000", "any error (the root class; never printed on its own)"),
    Code("E100", "a rule-pack error (the base class of E1xx-E3xx; never printed on its own)"),
    Code("E101", "YAML syntax error"),
    Code("E102", "duplicate key"),
    Code("E103", "unknown key"),
    Code("E104", "schema error"),
    Code("E105", "limit exceeded"),
    Code("E106", "include or import error"),
    Code("E107", "empty pack file"),
    Code("E201", "condition syntax error"),
    Code("E301", "undeclared fact"),
    Code("E302", "type mismatch"),
    Code("E303", "undeclared enum value"),
    Code("E304", "unit of another dimension"),
    Code("E305", "unknown unit"),
    Code("E306", "duplicate id"),
    Code("E307", "cyclic named conditions"),
    Code("E308", "unused named condition"),
    Code("E309", "condition too deep or too long"),
    Code("E310", "unknown section"),
    Code("E311", "fact declared differently in two packs"),
    Code("E312", "constant condition"),
    Code("E313", "a situation of only context facts"),
    Code("E314", "section items and rule clauses disagree"),
    Code("E401", "invalid finding record (skipped; the rest are classified)", exit_code=3),
    Code("E402", "unreadable findings file"),
    Code("E501", "usage error"),
    Code("E601", "inconsistent state-machine definition, or an unknown action"),
    Code("E602", "workflow step refused"),
    Code("E603", "conflicting step: another step changed the hazard first", exit_code=4),
    Code("E604", "unknown hazard"),
    Code("E611", "invalid jurisdiction settings"),
    Code("E612", "working-day calendar cannot answer"),
    Code("E613", "malformed administrative division code"),
    Code("E614", "invalid industry-to-department table"),
    Code("E621", "invalid statistics request"),
    Code("E622", "statistics submission refused"),
    Code("E631", "invalid account, or no such account"),
    Code("E632", "not signed in, or the credentials are wrong"),
    Code("E633", "not allowed for this account"),
    Code("E634", "too many attempts: sign-ins, or public reports from one address"),
    Code("E635", "invalid public report"),
    Code("E636", "public reports are not taken (no usable intake account)"),
)})


def registered(code: str) -> Code:
    """The registry entry of code; KeyError naming the registry if it has none."""
    try:
        return CODES[code]
    except KeyError:
        raise KeyError(f"error code {code} is not registered in hazard_rules.errors.CODES") from None


@dataclass(frozen=True, slots=True)
class Span:
    """A position in a source file: 1-based line and column, and the width to underline."""

    file: str
    line: int
    column: int
    width: int = 1
    source_line: str | None = field(default=None, compare=False)
    record: int | None = None  # 1-based record number for finding files

    def __str__(self) -> str:
        if self.record is not None:
            return f"{self.file}:record {self.record}"
        return f"{self.file}:{self.line}:{self.column}"


class HazardRulesError(Exception):
    """Base class of every error the package raises for bad input."""

    code = "E000"
    exit_code = 2
    severity = "error"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A class that declares a code takes its exit code from the registry (and may not
        declare another one)."""
        super().__init_subclass__(**kwargs)
        code = cls.__dict__.get("code")
        if code is None:
            return
        entry = CODES.get(code)
        if entry is None:
            raise TypeError(f"{cls.__qualname__}: error code {code} is not registered in hazard_rules.errors.CODES "
                            "(add it there and to docs/errors.md)")
        declared = cls.__dict__.get("exit_code")
        if declared is not None and declared != entry.exit_code:
            raise TypeError(f"{cls.__qualname__} declares exit code {declared}, but {code} is registered "
                            f"with {entry.exit_code}")
        cls.exit_code = entry.exit_code

    def __init__(self, message: str, span: Span | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint

    def as_dict(self) -> dict[str, Any]:
        """The error for tools: position (1-based; null without one), code, message, hint, severity."""
        return diagnostic_dict(self.severity, self.code, self.message, self.span, self.hint)

    def render(self) -> str:
        return render_diagnostic(self.severity, self.code, self.message, self.span, self.hint)

    def __str__(self) -> str:
        return self.render()


def diagnostic_dict(severity: str, code: str, message: str, span: Span | None, hint: str | None) -> dict[str, Any]:
    """A diagnostic for tools (`--format json`): how every error, and every lint finding, is given."""
    return {"file": span.file if span else None, "line": span.line if span else None,
            "column": span.column if span else None, "code": code, "message": message, "hint": hint,
            "severity": severity}


def render_diagnostic(severity: str, code: str, message: str, span: Span | None, hint: str | None) -> str:
    """`file:line:col: severity[CODE]: message`, the source line with a caret under the span,
    and the hint: how every error, and every lint finding, is shown."""
    head = f"{severity}[{code}]: {message}"
    if span is not None:
        head = f"{span}: {head}"
    lines = [head]
    if span is not None and span.source_line is not None and span.record is None:
        number = str(span.line)
        pad = " " * len(number)
        text = span.source_line.rstrip("\n")
        lines.append(f" {number} | {text}")
        lines.append(f" {pad} | {' ' * _display_width(text[: span.column - 1])}"
                     f"{'^' * max(1, _display_width(text[span.column - 1 : span.column - 1 + span.width]))}")
    if hint:
        lines.append(f"  hint: {hint}")
    return "\n".join(lines)


def _display_width(text: str) -> int:
    """Terminal columns taken by text: CJK and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class PackError(HazardRulesError):
    """A rule pack is malformed: YAML, schema, DSL or static checks. Exit code 2."""

    code = "E100"


class YamlSyntaxError(PackError):
    code = "E101"


class DuplicateKeyError(PackError):
    code = "E102"


class UnknownKeyError(PackError):
    code = "E103"


class SchemaError(PackError):
    code = "E104"


class LimitExceededError(PackError):
    """A pack is too large or nested too deeply to be a plausible rule pack."""

    code = "E105"


class IncludeError(PackError):
    code = "E106"


class EmptyPackFileError(PackError):
    """A pack, include or vocabulary file holds nothing (a truncated copy): its content would vanish."""

    code = "E107"


class DslSyntaxError(PackError):
    code = "E201"


class UndeclaredFactError(PackError):
    code = "E301"


class TypeMismatchError(PackError):
    code = "E302"


class UndeclaredEnumValueError(PackError):
    code = "E303"


class UnitDimensionError(PackError):
    code = "E304"


class UnknownUnitError(PackError):
    code = "E305"


class DuplicateIdError(PackError):
    code = "E306"


class CyclicConditionError(PackError):
    code = "E307"


class UnusedConditionError(PackError):
    code = "E308"


class NestingTooDeepError(PackError):
    code = "E309"


class UnknownSectionError(PackError):
    code = "E310"


class ConflictingFactError(PackError):
    code = "E311"


class ConstantConditionError(PackError):
    code = "E312"


class ContextOnlySituationError(PackError):
    """A situation of a rule reads only context facts: no finding could concern it."""

    code = "E313"


class ItemsNotCoveredError(PackError):
    """A section's declared items and its rules' clauses disagree."""

    code = "E314"


class RecordError(HazardRulesError):
    """One finding record is invalid: reported, skipped, the rest still classified."""

    code = "E401"
    exit_code = 3


class InputFileError(HazardRulesError):
    """A finding file cannot be read at all (missing, unreadable, unknown format)."""

    code = "E402"
    exit_code = 2


class UsageError(HazardRulesError):
    code = "E501"
    exit_code = 2


class UnknownNameError(UsageError):
    """A usage error that names nothing there is (a rule id): over HTTP a 404, not a 400."""


class Diagnostics(HazardRulesError):
    """Every error found in one go (all packs of a rules folder, one settings file, one
    state-machine file), reported together in reading order. Its exit code is the highest
    of its errors'."""

    errors: list[HazardRulesError]

    def __init__(self, errors: Iterable[HazardRulesError], what: str = "input") -> None:
        flat: list[HazardRulesError] = []
        for error in errors:
            flat.extend(error.errors if isinstance(error, Diagnostics) else (error,))
        if not flat:
            raise ValueError("Diagnostics needs at least one error")
        # In reading order: by file, then position (the order checks ran in is no help to a reader).
        self.errors = sorted(flat, key=lambda e: (e.span.file, e.span.line, e.span.column) if e.span else ("", 0, 0))
        super().__init__(f"{len(self.errors)} error(s) in {what}")
        self.exit_code = max(e.exit_code for e in self.errors)

    def render(self) -> str:
        body = "\n\n".join(e.render() for e in self.errors)
        return f"{body}\n\n{len(self.errors)} error(s) found"


PackErrors = Diagnostics  # its name before every loader shared it; still what `load_rulesets` documents


def diagnostics_of(error: HazardRulesError) -> list[HazardRulesError]:
    """The errors one raised exception stands for: an aggregate's members, or itself."""
    return list(error.errors) if isinstance(error, Diagnostics) else [error]


def recast(error: HazardRulesError, kind: type[HazardRulesError], what: str,
           hint: str | None = None) -> HazardRulesError:
    """error, or each error of an aggregate, as a `kind` error with the same message and
    position (a settings file read by the packs' YAML reader reports its own code); `hint`
    stands in where an error has none."""
    each = [kind(e.message, e.span, e.hint or hint) for e in diagnostics_of(error)]
    return each[0] if len(each) == 1 else Diagnostics(each, what)


def diagnostics_json(error: HazardRulesError) -> str:
    """`{"diagnostics": [...]}` with one `as_dict` object per error, for tools (docs/errors.md)."""
    return json.dumps({"diagnostics": [e.as_dict() for e in diagnostics_of(error)]}, ensure_ascii=False, indent=2)
