"""The error the condition parser raises, apart from the parser so that a load that parses
nothing (every condition remembered, parsing/memo.py) need not import Lark to handle it."""

from __future__ import annotations

from ..errors import HazardRulesError, registered

__all__ = ["ConditionSyntaxError"]


class ConditionSyntaxError(HazardRulesError):
    """Raised with an offset into the condition string (no span: the checker, which knows the
    file position of the condition, reports it as DslSyntaxError or NestingTooDeepError)."""

    code = "E201"

    def __init__(self, message: str, offset: int, width: int = 1, hint: str | None = None, code: str = "E201") -> None:
        super().__init__(message, None, hint)
        self.offset, self.width, self.code = offset, width, registered(code).code
