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
    Transformer,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)

from . import ast
from .syntax import ConditionSyntaxError

MAX_LENGTH = 4000
MAX_DEPTH = 32

GRAMMAR_FILE = "conditions.lark"


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
    # transformer: the AST is built during the parse (no parse tree, no second pass), which
    # keeps every token (keep_all_tokens) so that a node's position covers its keywords.
    return Lark(grammar_text(), parser="lalr", keep_all_tokens=True, maybe_placeholders=False, cache=True,
                transformer=_ToAst())


def parse_condition(text: str) -> ast.Node:
    """Parse one condition into an AST; raise ConditionSyntaxError on bad input."""
    if len(text) > MAX_LENGTH:
        raise ConditionSyntaxError(f"condition is longer than {MAX_LENGTH} characters", 0,
                                   hint="split it into named conditions", code="E309")
    _check_bracket_depth(text)
    try:
        node: ast.Node = _node(_lark().parse(text))
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    if ast.depth(node) > MAX_DEPTH:
        raise ConditionSyntaxError(f"condition is nested more than {MAX_DEPTH} levels deep", 0,
                                   hint="split it into named conditions", code="E309")
    return node


def _check_bracket_depth(text: str) -> None:
    if text.count("(") + text.count("{") <= MAX_DEPTH:  # C-fast; settles every condition but a deep one
        return
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


# A rule's children as Lark hands them to the transformer while it parses: every token of the
# rule (keep_all_tokens, so that a node's position covers its keywords and brackets too) and
# the nodes already built for its sub-rules; a parenthesised sub-expression comes as _Paren.
_Children: TypeAlias = list[Any]


class _Paren:
    """A parenthesised expression: its node, and where the brackets around it stand."""

    __slots__ = ("node", "start", "end")

    def __init__(self, node: ast.Node, start: int, end: int) -> None:
        self.node, self.start, self.end = node, start, end


def _node(child: Any) -> Any:
    return child.node if isinstance(child, _Paren) else child


def _start(child: Any) -> int:
    if isinstance(child, Token):
        return child.start_pos or 0
    return child.start if isinstance(child, _Paren) else int(child.pos[0])


def _end(child: Any) -> int:
    if isinstance(child, Token):
        return child.end_pos or 0
    return child.end if isinstance(child, _Paren) else int(child.pos[1])


def _span(c: _Children) -> ast.Pos:
    """From the first token of the rule to the end of its last."""
    return (_start(c[0]), _end(c[-1]))


def _operands(c: _Children) -> list[Any]:
    """The sub-expressions among a rule's children (its keywords and punctuation dropped)."""
    return [_node(x) for x in c if not isinstance(x, Token)]


def _token_pos(token: Token) -> ast.Pos:
    start = token.start_pos or 0
    return (start, token.end_pos or start + 1)


class _ToAst(Transformer[Token, Any]):
    """Builds AST nodes while Lark parses (an inline transformer: no parse tree is built)."""

    def or_(self, c: _Children) -> ast.Node:
        return _flatten(ast.Or, c)

    def and_(self, c: _Children) -> ast.Node:
        return _flatten(ast.And, c)

    def not_(self, c: _Children) -> ast.Node:
        return ast.Not(_node(c[1]), _span(c))

    def compare(self, c: _Children) -> ast.Node:
        return ast.Compare(str(c[1]), _node(c[0]), _node(c[2]), _span(c))

    def member(self, c: _Children) -> ast.Node:
        return ast.Member(_node(c[0]), _node(c[2]), False, _span(c))

    def not_member(self, c: _Children) -> ast.Node:
        return ast.Member(_node(c[0]), _node(c[3]), True, _span(c))

    def is_empty(self, c: _Children) -> ast.Node:
        return ast.IsEmpty(_node(c[0]), False, _span(c))

    def is_not_empty(self, c: _Children) -> ast.Node:
        return ast.IsEmpty(_node(c[0]), True, _span(c))

    def add(self, c: _Children) -> ast.Node:
        return ast.Arith("+", _node(c[0]), _node(c[2]), _span(c))

    def sub(self, c: _Children) -> ast.Node:
        return ast.Arith("-", _node(c[0]), _node(c[2]), _span(c))

    def mul(self, c: _Children) -> ast.Node:
        return ast.Arith("*", _node(c[0]), _node(c[2]), _span(c))

    def div(self, c: _Children) -> ast.Node:
        return ast.Arith("/", _node(c[0]), _node(c[2]), _span(c))

    def neg(self, c: _Children) -> ast.Node:
        return ast.Neg(_node(c[1]), _span(c))

    def number(self, c: _Children) -> ast.Node:
        unit = str(c[1]) if len(c) > 1 else None
        return ast.NumberLit(Fraction(str(c[0])), unit, _span(c))

    def string(self, c: _Children) -> ast.Node:
        return ast.StrLit(str(c[0])[1:-1], _span(c))

    def date(self, c: _Children) -> ast.Node:
        text = str(c[0])
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise ConditionSyntaxError(f"{text!r} is not a valid date", c[0].start_pos, len(text),
                                       "write dates as YYYY-MM-DD") from None
        return ast.DateLit(value, _span(c))

    def true(self, c: _Children) -> ast.Node:
        return ast.BoolLit(True, _span(c))

    def false(self, c: _Children) -> ast.Node:
        return ast.BoolLit(False, _span(c))

    def set_literal(self, c: _Children) -> ast.Node:
        return ast.SetLit(tuple(_operands(c)), _span(c))

    def name(self, c: _Children) -> ast.Node:
        return ast.Name(str(c[0]), _span(c))

    def count(self, c: _Children) -> ast.Node:
        return ast.Count(_operands(c)[0], _span(c))

    def count_where(self, c: _Children) -> ast.Node:  # count ( NAME in NAME : expr )
        return ast.CountWhere(str(c[2]), ast.Name(str(c[4]), _token_pos(c[4])), _node(c[6]), _span(c))

    def at_least(self, c: _Children) -> ast.Node:
        k, *operands = _operands(c)
        return ast.AtLeast(k, tuple(operands), _span(c))

    def quant(self, c: _Children) -> Token:
        keyword: Token = c[0]  # the keyword itself (any | all), which knows where it stands
        return keyword

    def quantifier(self, c: _Children) -> ast.Node:  # quant NAME in NAME : expr
        return ast.Quantifier(str(c[0]), str(c[1]), ast.Name(str(c[3]), _token_pos(c[3])), _node(c[5]), _span(c))

    def atom(self, c: _Children) -> _Paren:  # ( expr )
        return _Paren(_node(c[1]), _start(c[0]), _end(c[2]))


def _flatten(kind: type[ast.And] | type[ast.Or], children: _Children) -> ast.Node:
    operands: list[ast.Node] = []
    for child in _operands(children):
        if isinstance(child, kind):
            operands.extend(child.operands)
        else:
            operands.append(child)
    return kind(tuple(operands), _span(children))
