"""Map pydantic validation errors back to file:line:col."""

from __future__ import annotations

import difflib
import typing
from typing import Any, TypeAlias, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ..errors import PackError, SchemaError, UnknownKeyError
from .strict_yaml import YamlDocument

Model = TypeVar("Model", bound=BaseModel)
Loc: TypeAlias = tuple[int | str, ...]  # a pydantic error location: keys and list indexes


def validate_document(doc: YamlDocument, model: type[Model]) -> tuple[Model | None, list[PackError]]:
    """Validate doc.data against model; return the model or every error found."""
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        return None, [SchemaError("a pack file must be a mapping of keys to values", doc.span(()),
                                  "start the file with keys such as `standard:` or `rules:`")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, _to_pack_errors(doc, model, exc.errors())


def _clean(loc: Loc) -> Loc:
    """Drop pydantic's union-branch markers ("bool", "literal['unknown']", "function-after[…]")."""
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in _BRANCHES)))


_BRANCHES = {"bool", "str", "int", "float", "date", "none", "dict", "list"}


def _to_pack_errors(doc: YamlDocument, model: type[BaseModel], raw: list[ErrorDetails]) -> list[PackError]:
    # A key that is unknown but close to a missing one is the same mistake: report it once.
    renamed: set[Loc] = set()
    for error in raw:
        if error["type"] == "extra_forbidden":
            loc = tuple(error["loc"])
            allowed = _allowed_keys(model, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            if close:
                renamed.add(loc[:-1] + (close[0],))
    grouped: dict[Loc, list[ErrorDetails]] = {}
    for error in raw:
        loc = _clean(tuple(error["loc"]))
        if error["type"] == "missing" and loc in renamed:
            continue
        grouped.setdefault(loc, []).append(error)
    return [_to_pack_error(doc, model, errors) for errors in grouped.values()]


def _to_pack_error(doc: YamlDocument, model: type[BaseModel], errors: list[ErrorDetails]) -> PackError:
    error = errors[0]
    loc = _clean(tuple(error["loc"]))
    kind = error["type"]
    where = _where(doc.data, loc)
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        key = str(loc[-1])
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else (
            f"allowed keys here: {', '.join(sorted(allowed))}" if allowed else None)
        return UnknownKeyError(f"unknown key {key!r} in {_where(doc.data, loc[:-1])}", doc.span(loc, key=True), hint)
    if kind == "missing":
        return SchemaError(f"missing required key {str(loc[-1])!r} in {_where(doc.data, loc[:-1])}",
                           doc.span(loc[:-1]), None)
    value = error.get("input")
    if value is None and loc and loc[-1] != "":
        return SchemaError(f"{where} is empty", doc.span(loc, key=True), "write a value, or remove the key")
    messages = list(dict.fromkeys(e["msg"] for e in errors))
    shown = f" (got {value!r})" if isinstance(value, (str, int, float, bool)) else ""
    message = f"{where}: {' or '.join(m[0].lower() + m[1:] for m in messages)}{shown}"
    hint = None
    if any(e["type"] in ("bool_type", "bool_parsing") for e in errors):
        hint = "only `true` and `false` are booleans in rule packs"
    elif kind == "string_type":
        hint = "quote the value to make it a string"
    elif kind.startswith("date"):
        hint = "write dates as YYYY-MM-DD"
    return SchemaError(message, doc.span(loc), hint)


def _where(data: Any, loc: Loc) -> str:
    """A readable location: rules[GM2023-3-1].when, facts['dust.system.type'].ordered."""
    text = ""
    current = data
    for part in loc:
        if isinstance(part, int):
            item = current[part] if isinstance(current, list) and part < len(current) else None
            ident = item.get("id") if isinstance(item, dict) else None
            text += f"[{ident}]" if isinstance(ident, str) else f"[{part + 1}]"
        else:
            key = str(part)
            text += f"[{key!r}]" if "." in key else (f".{key}" if text else key)
            item = current.get(part) if isinstance(current, dict) else None
        current = item
    return text or "the file"


def _allowed_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the model found by following loc through model fields."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _step(annotation: Any, part: Any) -> Any:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(part))
        return _unwrap(field.annotation) if field else None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, tuple) and args:
        return _unwrap(args[0])
    if origin is dict and len(args) == 2:
        return _unwrap(args[1])
    return None


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Annotated wrappers down to a model or container type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            candidates = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in candidates if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else (candidates[0] if candidates else annotation)
            if typing.get_origin(annotation) in (typing.Union,):
                continue
            if not models and typing.get_origin(annotation) is None:
                return annotation
            continue
        return annotation
