"""Turn fact and type declarations into static Types."""

from __future__ import annotations

import difflib

from ..errors import PackError, SchemaError, UnknownUnitError
from ..loading.loader import Located, Origin
from ..loading.models import FACT_ID, FactDecl
from . import units
from .types import BOOL, DATE, STR, Type

BUILTIN_TYPES = ("bool", "int", "decimal", "str", "enum", "date", "set", "list")


class VocabularyBuilder:
    """Builds Types for named types and facts, collecting every error."""

    def __init__(self, errors: list[PackError]) -> None:
        self.errors = errors
        self.named: dict[str, Type] = {}

    def add_named_types(self, types: dict[str, Located[FactDecl]]) -> None:
        for name, located in types.items():
            built = self.build(located.value, located.origin, name=name)
            if built is not None:
                self.named[name] = built

    def build_facts(self, facts: dict[str, Located[FactDecl]]) -> dict[str, Type]:
        result: dict[str, Type] = {}
        for fact_id, located in facts.items():
            if not FACT_ID.fullmatch(fact_id):
                self.errors.append(SchemaError(
                    f"fact id {fact_id!r} must be ASCII dotted snake_case",
                    located.origin.span(key=True), "for example dust.system.type"))
                continue
            if located.value.label is None:
                self.errors.append(SchemaError(f"fact {fact_id!r} needs a Chinese `label`",
                                               located.origin.span(key=True), "labels are what users see"))
            built = self.build(located.value, located.origin, name=fact_id)
            if built is not None:
                result[fact_id] = built
        return result

    def build(self, decl: FactDecl, origin: Origin, name: str | None = None) -> Type | None:
        kind = decl.type
        if kind not in BUILTIN_TYPES:
            if kind in self.named:
                self._forbid(decl, origin, ("unit", "range", "values", "fields"), f"type {kind!r}")
                return self.named[kind]
            close = difflib.get_close_matches(kind, [*BUILTIN_TYPES, *self.named], n=1)
            self.errors.append(SchemaError(f"unknown type {kind!r}", Origin(origin.doc, origin.path + ("type",)).span(),
                                           f"did you mean {close[0]!r}?" if close else
                                           f"types: {', '.join([*BUILTIN_TYPES, *self.named])}"))
            return None
        if kind in ("int", "decimal"):
            self._forbid(decl, origin, ("values", "fields"), kind)
            unit = None
            if decl.unit is not None:
                unit = units.lookup(decl.unit)
                if unit is None:
                    self._unknown_unit(decl.unit, Origin(origin.doc, origin.path + ("unit",)))
                    return None
            bounds = self._bounds(decl.range, Origin(origin.doc, origin.path + ("range",)), kind)
            return Type("num", unit, unit.dimension if unit else None, integer=(kind == "int"), bounds=bounds)
        self._forbid(decl, origin, ("unit", "range"), kind)
        if kind in ("enum", "set"):
            self._forbid(decl, origin, ("fields",), kind)
            if not decl.values:
                self.errors.append(SchemaError(f"a {kind} needs `values` (id: 中文标签)", origin.span(key=True)))
                return None
            values = tuple(decl.values)
            labels = tuple(decl.values.values())
            return Type(kind, values=values, labels=labels, name=name, ordered=decl.ordered)
        if kind == "list":
            self._forbid(decl, origin, ("values",), kind)
            if not decl.fields:
                self.errors.append(SchemaError("a list needs `fields` describing its items", origin.span(key=True)))
                return None
            fields = []
            for field_name, field_decl in decl.fields.items():
                built = self.build(field_decl, Origin(origin.doc, origin.path + ("fields", field_name)))
                if built is not None:
                    fields.append((field_name, built))
            return Type("list", fields=tuple(fields), name=name)
        self._forbid(decl, origin, ("values", "fields"), kind)
        return {"bool": BOOL, "str": STR, "date": DATE}[kind]

    def _bounds(self, given: object, origin: Origin, kind: str) -> tuple[int | float, int | float] | None:
        """The declared `range: [least, greatest]` of a number fact, or None (none or invalid)."""
        if given is None:
            return None
        if not (isinstance(given, list) and len(given) == 2
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in given)):
            self.errors.append(SchemaError("`range` must be two numbers, [least, greatest]", origin.span(),
                                           "for example `range: [1, 3]`, in the fact's unit"))
            return None
        low, high = given
        if kind == "int" and not all(float(v).is_integer() for v in given):
            self.errors.append(SchemaError(f"the range of an int fact must be whole numbers, got [{low}, {high}]",
                                           origin.span(), "declare the fact `decimal`, or round the bounds"))
            return None
        if low > high:
            self.errors.append(SchemaError(f"`range` [{low}, {high}] is empty: its least value is greater than "
                                           "its greatest", origin.span(), f"write it [{high}, {low}]"))
            return None
        return (int(low), int(high)) if kind == "int" else (low, high)

    def _forbid(self, decl: FactDecl, origin: Origin, keys: tuple[str, ...], kind: str) -> None:
        for key in keys:
            if getattr(decl, key) not in (None, {}, ()):
                hint = "only an int or decimal fact has a range" if key == "range" else None
                self.errors.append(SchemaError(f"`{key}` does not apply to {kind}",
                                               Origin(origin.doc, origin.path + (key,)).span(key=True), hint))

    def _unknown_unit(self, symbol: str, origin: Origin) -> None:
        close = difflib.get_close_matches(symbol, list(units.UNITS), n=1)
        self.errors.append(UnknownUnitError(f"unknown unit {symbol!r}", origin.span(),
                                            f"did you mean {close[0]!r}?" if close else
                                            f"known units: {' '.join(units.UNITS)}"))
