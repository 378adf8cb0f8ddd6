"""A verdict as one line of JSON text, exactly as `json.dumps(verdict.model_dump(mode="json"),
ensure_ascii=False)` writes it, at a fraction of the cost (`check --format json/jsonl`).

json.dumps is compositional: an object's text is "{" + ", ".join(key + ": " + value) + "}",
a list's "[" + ", ".join(items) + "]", a string json.encoder's `encode_basestring` (the C
function json.dumps uses with ensure_ascii=False). So the text is built from the model's
fields directly, without the dict model_dump makes, and the text of a sub-model (a
`Considered`, a `Match`) is kept by identity: the engine reuses them from one verdict to
the next (about 17 `Considered` per verdict, under 1,000 distinct ones over 5,000 findings),
so most of a line is text made once; so is the text of a long string (a reason), a date
and a {pack: edition} dict, kept by value. Anything other than str, bool, int, finite float, None,
dates, lists, JSON dicts and the verdict's own models falls back to json.dumps(model_dump(…)).
tests/test_verdict_text.py compares the two over every example and generated finding.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from json.encoder import encode_basestring
from typing import Any

from pydantic import BaseModel

from .verdict import Verdict

PARTS_KEPT = 1 << 12  # texts of sub-models and of lists of them kept (holding them, so that no id is reused)

_parts: dict[int, tuple[BaseModel, str]] = {}
_lists: dict[tuple[int, ...], tuple[tuple[BaseModel, ...], str]] = {}
_keys: dict[type[BaseModel], tuple[tuple[str, str], ...]] = {}
_texts: dict[Any, str] = {}  # texts of values that recur: long strings (reasons), dates, {pack: date} dicts


class _Slow(Exception):
    """A value this module does not write itself: json.dumps(model_dump) writes the verdict."""


def verdict_text(verdict: Verdict) -> str:
    """The verdict's JSON text (no newline)."""
    try:
        return _fields(verdict)
    except _Slow:
        return json.dumps(verdict.model_dump(mode="json"), ensure_ascii=False)


def _fields(model: BaseModel) -> str:
    cls = model.__class__
    keys = _keys.get(cls)
    if keys is None:
        keys = _keys[cls] = tuple((name, encode_basestring(name) + ": ") for name in cls.model_fields)
    values = model.__dict__
    return "{" + ", ".join([key + _value(values[name]) for name, key in keys]) + "}"


def _model(model: BaseModel) -> str:
    kept = _parts.get(id(model))
    if kept is not None and kept[0] is model:
        return kept[1]
    text = _fields(model)
    if len(_parts) >= PARTS_KEPT:
        _parts.clear()
    _parts[id(model)] = (model, text)
    return text


def _models(models: list[BaseModel]) -> str:
    """A list of models: its text is kept by the ids of its items (the entry holds the items,
    so no id in a kept key can be reused): the same rules are concerned again and again."""
    ids = tuple(map(id, models))
    kept = _lists.get(ids)
    if kept is not None:
        return kept[1]
    text = "[" + ", ".join([_model(item) if item.__class__ in _keys else _value(item) for item in models]) + "]"
    if len(_lists) >= PARTS_KEPT:
        _lists.clear()
    _lists[ids] = (tuple(models), text)
    return text


def _value(value: Any) -> str:
    cls = value.__class__
    if cls is str:
        if len(value) < 24:  # ids and short words: encoding is as cheap as looking up
            return encode_basestring(value)
        return _texts.get(value) or _kept(value, encode_basestring(value))
    if cls is list:
        if not value:
            return "[]"
        if value[0].__class__ in _keys:  # a list of models: the verdict's lists
            return _models(value)
        return "[" + ", ".join([_value(item) for item in value]) + "]"
    if value is None:
        return "null"
    if cls in _keys:
        return _model(value)
    if cls is bool:
        return "true" if value else "false"
    if cls is int:
        return int.__repr__(value)
    if cls is float:
        if not math.isfinite(value):
            raise _Slow
        return float.__repr__(value)
    if cls is dt.date:
        return _texts.get(value) or _kept(value, '"' + value.isoformat() + '"')
    if cls is dict:
        if not value:
            return "{}"
        items = tuple(value.items())
        try:
            return _texts[items]
        except (KeyError, TypeError):  # not seen, or a value that is not hashable (a list)
            text = "{" + ", ".join([_key(key) + ": " + _value(item) for key, item in items]) + "}"
            return _kept(items, text) if all(item.__class__ is str for _, item in items) else text
    if isinstance(value, BaseModel):  # a model class not seen yet
        _fields(value)
        return _model(value)
    raise _Slow


def _kept(value: Any, text: str) -> str:
    if len(_texts) >= PARTS_KEPT:
        _texts.clear()
    _texts[value] = text
    return text


def _key(key: Any) -> str:
    if key.__class__ is not str:
        raise _Slow
    return encode_basestring(key)
