"""Parsed conditions kept with the document they were written in.

Parsing with Lark is the costliest step of a cold load after reading YAML. A document's
`Memo` (loading/cache.py) is stored with it in the disk cache, so the trees parsed from its
conditions are kept there too: encoded as plain tuples (marshal data, see `encode`) under
a version made of this parser's own source, so a changed grammar or AST never reuses them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

from ..loading.cache import Memo, cache_folder, code_digest
from . import ast

_KEY = "conditions"
GRAMMAR_FILE = "conditions.lark"  # parser.GRAMMAR_FILE, named here so as not to import Lark
_NODES: dict[str, type[ast.Node]] = {
    cls.__name__: cls for cls in vars(ast).values()
    if isinstance(cls, type) and issubclass(cls, ast.Node) and cls is not ast.Node
}


def parse_remembered(text: str, memo: Memo) -> ast.Node:
    """parse_condition(text), or the tree parsed from the same text before and kept in memo."""
    version, trees = _table(memo)
    encoded = trees.get(text)
    if encoded is not None:
        try:
            return decode(encoded)  # type: ignore[no-any-return]
        except (KeyError, TypeError, ValueError, IndexError):
            pass  # a damaged entry: parse again
    from . import parser  # Lark: imported only when something is to be parsed

    node = parser.parse_condition(text)
    if cache_folder() is not None:  # with the cache off the memo is never stored: no need to encode
        trees[text] = encode(node)
        memo.put(_KEY, (version, trees))
    return node


def _table(memo: Memo) -> tuple[str, dict[str, Any]]:
    version = _version()
    stored = memo.entries.get(_KEY)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == version and isinstance(stored[1], dict):
        return version, stored[1]
    trees: dict[str, Any] = {}
    memo.entries[_KEY] = (version, trees)
    return version, trees


@functools.cache
def _version() -> str:
    parser_file = str(Path(__file__).with_name("parser.py"))
    grammar = resources.files("hazard_rules").joinpath("grammars").joinpath(GRAMMAR_FILE)
    files = [ast.__file__, parser_file, __file__]
    if grammar.is_file():
        files.append(str(grammar))
    else:
        files.append(str(Path(__file__).resolve().parents[3] / "grammars" / GRAMMAR_FILE))
    return code_digest(*files).hex()


_FIELD_NAMES: dict[type[ast.Node], tuple[str, ...]] = {}


# A node is a list [class name, field values…] in field order; a tuple of nodes a tuple;
# a Fraction {"q": (numerator, denominator)}; a date {"d": ordinal}; other values as they are.
def encode(value: Any) -> Any:
    if isinstance(value, ast.Node):
        names = _FIELD_NAMES.get(type(value))
        if names is None:
            names = _FIELD_NAMES[type(value)] = tuple(f.name for f in dataclasses.fields(value))
        return [type(value).__name__, *(encode(getattr(value, name)) for name in names)]
    if isinstance(value, tuple):
        return tuple(encode(item) for item in value)
    if isinstance(value, Fraction):
        return {"q": (value.numerator, value.denominator)}
    if isinstance(value, dt.date):
        return {"d": value.toordinal()}
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"cannot encode {type(value).__name__} in a condition tree")


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return _NODES[value[0]](*(decode(item) for item in value[1:]))
    if isinstance(value, tuple):
        return tuple(decode(item) for item in value)
    if isinstance(value, dict):
        if "q" in value:
            return Fraction(*value["q"])
        return dt.date.fromordinal(value["d"])
    return value
