"""Parse condition strings with the Lark grammar into AST nodes.

The LALR parser is built once per process from the grammar shipped as package data.
Syntax errors become DslSyntaxError with the offset of the bad token and a hint that
names what was expected.
"""

from __future__ import annotations

import datetime as dt
import functools
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias

from lark import (
    Lark,
    Token,
    Transformer_NonRecursive,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)
from lark.exceptions import VisitError
from lark.tree import Meta

from ..errors import HazardRulesError, registered
from . import ast

MAX_LENGTH = 4000
MAX_DEPTH = 32

GRAMMAR_FILE = "conditions.lark"


class ConditionSyntaxError(HazardRulesError):
    """Raised with an offset into the condition string (no span: the checker, which knows the
    file position of the condition, reports it as DslSyntaxError or NestingTooDeepError)."""

    code = "E201"

    def __init__(self, message: str, offset: int, width: int = 1, hint: str | None = None, code: str = "E201") -> None:
        super().__init__(message, None, hint)
        self.offset, self.width, self.code = offset, width, registered(code).code


def grammar_text() -> str:
    """The grammar shipped in the package (falls back to the repository's grammars/)."""
    shipped = resources.files("hazard_rules").joinpath("grammars").joinpath(GRAMMAR_FILE)
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    repository = Path(__file__).resolve().parents[3] / "grammars" / GRAMMAR_FILE
    return repository.read_text(encoding="utf-8")


@functools.cache
def _lark() -> Lark:
    # cache=True: Lark keeps the analysed grammar in a temporary file (keyed by the grammar and
    # options), which saves most of a cold start.
    return Lark(grammar_text(), parser="lalr", propagate_positions=True, maybe_placeholders=False, cache=True)


def parse_condition(text: str) -> ast.Node:
    """Parse one condition into an AST; raise ConditionSyntaxError on bad input."""
    if len(text) > MAX_LENGTH:
        raise ConditionSyntaxError(f"condition is longer than {MAX_LENGTH} characters", 0,
                                   hint="split it into named conditions", code="E309")
    _check_bracket_depth(text)
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    try:
        node = _ToAst().transform(tree)
    except VisitError as exc:  # the mapper's own errors come out wrapped by Lark
        if isinstance(exc.orig_exc, ConditionSyntaxError):
            raise exc.orig_exc from None
        raise
    if ast.depth(node) > MAX_DEPTH:
        raise ConditionSyntaxError(f"condition is nested more than {MAX_DEPTH} levels deep", 0,
                                   hint="split it into named conditions", code="E309")
    return node


def _check_bracket_depth(text: str) -> None:
    level = 0
    for offset, char in enumerate(text):
        if char in "({":
            level += 1
            if level > MAX_DEPTH:
                raise ConditionSyntaxError(f"condition is nested more than {MAX_DEPTH} levels deep",
                                           offset, hint="split it into named conditions", code="E309")
        elif char in ")}":
            level -= 1


_TOKEN_NAMES = {
    "NAME": "a fact or condition name", "NUMBER": "a number", "STRING": "a quoted string",
    "DATE": "a date", "UNIT": "a unit", "COMP_OP": "a comparison (==, !=, <, <=, >, >=)",
    "RPAR": "')'", "LPAR": "'('", "RBRACE": "'}'", "LBRACE": "'{'", "COMMA": "','",
    "COLON": "':'", "AND": "'and'", "OR": "'or'", "NOT": "'not'", "IN": "'in'", "IS": "'is'",
    "EMPTY": "'empty'", "PLUS": "'+'", "MINUS": "'-'", "STAR": "'*'", "SLASH": "'/'",
    "TRUE": "'true'", "FALSE": "'false'", "COUNT": "'count'", "AT_LEAST": "'at_least'",
    "ANY": "'any'", "ALL": "'all'", "$END": "the end",
}


_PREFERRED = ["AND", "OR", "COMP_OP", "IN", "IS", "NAME", "NUMBER", "STRING", "RPAR", "RBRACE", "COMMA", "COLON",
              "NOT", "LPAR"]


_FULL_WIDTH = {"（": "(", "）": ")", "＞": ">", "＜": "<", "＝": "=", "！": "!", "，": ",", "：": ":",
               "｛": "{", "｝": "}", "％": "%", "－": "-", "＋": "+"}
_SHOUTED = frozenset({"AND", "OR", "NOT", "IN", "IS", "And", "Or", "Not"})


def _describe(expected: set[str]) -> str:
    ordered = sorted(expected, key=lambda name: (_PREFERRED.index(name) if name in _PREFERRED else 99, name))
    shown = list(dict.fromkeys(_TOKEN_NAMES.get(name, name) for name in ordered))
    if len(shown) > 6:
        shown = shown[:6] + ["…"]
    return ", ".join(shown)


def _syntax_error(text: str, exc: UnexpectedInput) -> ConditionSyntaxError:
    # Lark declares pos_in_stream as None on the base class; its subclasses set an int (or None).
    offset: int = getattr(exc, "pos_in_stream", None) or 0
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        offset = len(text.rstrip())
        return ConditionSyntaxError("condition ends too early", max(offset - 1, 0),
                                    hint=f"expected {_describe(set(exc.expected))}")
    if isinstance(exc, UnexpectedCharacters):
        char = text[offset] if offset < len(text) else ""
        hint = None
        if char in "“”‘’":
            hint = 'use ASCII quotes " or \' around strings'
        elif char in _FULL_WIDTH:
            hint = f"use the ASCII {_FULL_WIDTH[char]!r} instead of the full-width {char!r}"
        elif char == "=":
            hint = "compare with '==' (one '=' is not an operator)"
        elif char.isupper():
            hint = "fact and condition names are lower-case snake_case"
        elif char == "&" or char == "|":
            hint = "write 'and' / 'or'"
        return ConditionSyntaxError(f"unexpected character {char!r}", offset, hint=hint)
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    shouted = _shouted_keyword(text, token.end_pos or len(text))
    if shouted is not None:
        return ConditionSyntaxError(f"unexpected {str(shouted)!r}", shouted.start_pos or 0, len(shouted),
                                    "keywords are lower-case: and, or, not, in, is")
    width = max(1, len(str(token)))
    hint = f"expected {_describe(set(exc.expected))}"
    if str(token) in ("AND", "OR", "NOT", "IN", "IS", "And", "Or", "Not"):
        hint = "keywords are lower-case: and, or, not"
    return ConditionSyntaxError(f"unexpected {str(token)!r}", token.start_pos or 0, width, hint)


def _shouted_keyword(text: str, end: int) -> Token | None:
    """A keyword written in capitals that ends no later than `end` (where parsing failed).

    Lark's lexer reads `9 AND x` as the number 9 in the unit AND, so the parser fails only at
    x: name the real mistake. The tokens come from Lark's own lexer, so an `AND` inside a
    string literal is part of a STRING token and never blamed (issue 8 bug 5)."""
    try:
        for token in _lark().lex(text):
            if (token.end_pos or 0) > end:
                break
            if str(token) in _SHOUTED:
                return token
    except UnexpectedInput:  # text the lexer cannot read lies beyond: nothing more to find
        pass
    return None


def _pos(meta_or_token: object) -> ast.Pos:
    start = getattr(meta_or_token, "start_pos", 0) or 0
    end = getattr(meta_or_token, "end_pos", start + 1) or start + 1
    return (start, end)


# A rule's children as Lark hands them to the transformer: the AST nodes (or strings, from
# `quant`) already built for its sub-rules, and Tokens.
_Children: TypeAlias = list[Any]


def _make_transformer() -> type[Transformer_NonRecursive[Token, ast.Node]]:
    from lark import v_args

    @v_args(meta=True)
    class ToAst(Transformer_NonRecursive[Token, ast.Node]):
        def or_(self, meta: Meta, c: _Children) -> ast.Node:
            return _flatten(ast.Or, c, meta)

        def and_(self, meta: Meta, c: _Children) -> ast.Node:
            return _flatten(ast.And, c, meta)

        def not_(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.Not(c[0], _pos(meta))

        def compare(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.Compare(str(c[1]), c[0], c[2], _pos(meta))

        def member(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.Member(c[0], c[1], False, _pos(meta))

        def not_member(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.Member(c[0], c[1], True, _pos(meta))

        def is_empty(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.IsEmpty(c[0], False, _pos(meta))

        def is_not_empty(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.IsEmpty(c[0], True, _pos(meta))

        def add(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.Arith("+", c[0], c[1], _pos(meta))

        def sub(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.Arith("-", c[0], c[1], _pos(meta))

        def mul(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.Arith("*", c[0], c[1], _pos(meta))

        def div(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.Arith("/", c[0], c[1], _pos(meta))

        def neg(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.Neg(c[0], _pos(meta))

        def number(self, meta: Meta, c: _Children) -> ast.Node:
            unit = str(c[1]) if len(c) > 1 else None
            return ast.NumberLit(Fraction(str(c[0])), unit, _pos(meta))

        def string(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.StrLit(str(c[0])[1:-1], _pos(meta))

        def date(self, meta: Meta, c: _Children) -> ast.Node:
            text = str(c[0])
            try:
                value = dt.date.fromisoformat(text)
            except ValueError:
                raise ConditionSyntaxError(f"{text!r} is not a valid date", c[0].start_pos, len(text),
                                           "write dates as YYYY-MM-DD") from None
            return ast.DateLit(value, _pos(meta))

        def true(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.BoolLit(True, _pos(meta))

        def false(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.BoolLit(False, _pos(meta))

        def set_literal(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.SetLit(tuple(x for x in c if x is not None), _pos(meta))

        def name(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.Name(str(c[0]), _pos(meta))

        def count(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.Count(c[0], _pos(meta))

        def count_where(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.CountWhere(str(c[0]), ast.Name(str(c[1]), _pos(c[1])), c[2], _pos(meta))

        def at_least(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.AtLeast(c[0], tuple(c[1:]), _pos(meta))

        def quant(self, meta: Meta, c: _Children) -> str:
            return str(c[0])

        def quantifier(self, meta: Meta, c: _Children) -> ast.Node:
            return ast.Quantifier(c[0], str(c[1]), ast.Name(str(c[2]), _pos(c[2])), c[3], _pos(meta))

    return ToAst


def _flatten(kind: type[ast.And] | type[ast.Or], children: _Children, meta: Meta) -> ast.Node:
    operands: list[ast.Node] = []
    for child in children:
        if isinstance(child, kind):
            operands.extend(child.operands)
        else:
            operands.append(child)
    return kind(tuple(operands), _pos(meta))


_ToAst = _make_transformer()
