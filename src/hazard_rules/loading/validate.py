"""Map pydantic validation errors back to file:line:col."""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import PackError, SchemaError, UnknownKeyError
from .strict_yaml import YamlDocument


def validate_document(doc: YamlDocument, model: type[BaseModel], path: tuple = ()) -> tuple[BaseModel | None, list[PackError]]:
    """Validate doc.data against model; return the model or every error found."""
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        return None, [SchemaError("a pack file must be a mapping of keys to values", doc.span(()),
                                  "start the file with keys such as `standard:` or `rules:`")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [_to_pack_error(doc, model, error, path) for error in exc.errors()]


def _to_pack_error(doc: YamlDocument, model: type[BaseModel], error: Any, prefix: tuple) -> PackError:
    loc = tuple(error["loc"])
    kind = error["type"]
    where = ".".join(str(part) for part in loc) or "(top level)"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        key = str(loc[-1])
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else (
            f"allowed keys here: {', '.join(sorted(allowed))}" if allowed else None)
        return UnknownKeyError(f"unknown key {key!r}", doc.span(loc, key=True), hint)
    if kind == "missing":
        return SchemaError(f"missing required key {str(loc[-1])!r} in {'.'.join(map(str, loc[:-1])) or 'the file'}",
                           doc.span(loc[:-1]), None)
    message = error["msg"]
    hint = None
    if kind in ("bool_type", "bool_parsing"):
        hint = "only `true` and `false` are booleans in rule packs"
    elif kind in ("string_type",):
        hint = "quote the value to make it a string"
    elif kind.startswith("date"):
        hint = "write dates as YYYY-MM-DD"
    elif kind == "literal_error":
        hint = None
    # Drop pydantic's union-branch noise from the location ("function-after[...]" etc.).
    clean = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in ("bool", "str"))))
    return SchemaError(f"{where}: {message}", doc.span(clean), hint)


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
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
