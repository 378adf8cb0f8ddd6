"""One error hierarchy for everything a user can get wrong.

Every error carries a message, an optional source position and an optional hint, and
renders itself as ``file:line:col: error[CODE]: message`` followed by the source line, a
caret and the hint. Each subclass knows the CLI exit code it maps to.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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

    def __init__(self, message: str, span: Span | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint

    def render(self) -> str:
        head = f"{self.severity}[{self.code}]: {self.message}"
        if self.span is not None:
            head = f"{self.span}: {head}"
        lines = [head]
        span = self.span
        if span is not None and span.source_line is not None and span.record is None:
            number = str(span.line)
            pad = " " * len(number)
            text = span.source_line.rstrip("\n")
            lines.append(f" {number} | {text}")
            lines.append(f" {pad} | {' ' * _display_width(text[: span.column - 1])}"
                         f"{'^' * max(1, _display_width(text[span.column - 1 : span.column - 1 + span.width]))}")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


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


class PackErrors(PackError):
    """All errors found in one or more packs, reported together."""

    code = "E100"

    def __init__(self, errors: list[PackError]) -> None:
        # In reading order: by file, then position (the order checks ran in is no help to a reader).
        self.errors = sorted(errors, key=lambda e: (e.span.file, e.span.line, e.span.column) if e.span else ("", 0, 0))
        super().__init__(f"{len(errors)} error(s) in rule packs")

    def render(self) -> str:
        body = "\n\n".join(e.render() for e in self.errors)
        return f"{body}\n\n{len(self.errors)} error(s) found"


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
