"""Turn fact and type declarations into static Types."""

from __future__ import annotations

import difflib
import re

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
        """The declared `range: [least, greatest]` of a number fact, or None (none or invalid:
        the first thing wrong with it reported, with how to write it)."""
        if given is None:
            return None
        example = f"for example `range: [1, 3]`: the least and the greatest value of the {kind} fact, in its unit"
        if not isinstance(given, list):
            shown = f", got {given!r}" if isinstance(given, (int, float, str)) else ""
            self.errors.append(SchemaError(f"`range` must be a list of two numbers, [least, greatest]{shown}",
                                           origin.span(), example))
            return None
        if len(given) != 2:
            self.errors.append(SchemaError(
                f"`range` must be two numbers, [least, greatest]; it has {len(given)}", origin.span(),
                f"{example}; a range has both bounds (leave `range` out if the value has none)"))
            return None
        for index, (bound, name) in enumerate(zip(given, ("least", "greatest"))):
            problem = _bound_problem(bound)
            if problem is not None:
                self.errors.append(SchemaError(f"the {name} value of `range` {problem}",
                                               Origin(origin.doc, origin.path + (index,)).span(),
                                               _bound_hint(bound, name)))
                return None
        low, high = given
        if kind == "int" and not all(isinstance(v, int) or v.is_integer() for v in given):
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
                hint = _RANGE_ELSEWHERE.get(kind, "only an int or decimal fact has a range") if key == "range" else None
                self.errors.append(SchemaError(f"`{key}` does not apply to {kind}",
                                               Origin(origin.doc, origin.path + (key,)).span(key=True), hint))

    def _unknown_unit(self, symbol: str, origin: Origin) -> None:
        close = difflib.get_close_matches(symbol, list(units.UNITS), n=1)
        self.errors.append(UnknownUnitError(f"unknown unit {symbol!r}", origin.span(),
                                            f"did you mean {close[0]!r}?" if close else
                                            f"known units: {' '.join(units.UNITS)}"))


# A `range` where it does not apply: what the author probably meant instead.
_RANGE_ELSEWHERE = {
    "str": "only an int or decimal fact has a range; a text fact with a fixed set of values is an enum",
    "enum": "only an int or decimal fact has a range; `ordered: true` lets an enum's values be compared "
            "in the order they are written",
    "date": "only an int or decimal fact has a range; a rule compares a date in its condition",
}


def _bound_problem(bound: object) -> str | None:
    """What makes one bound of a range unusable, or None."""
    if bound is None:
        return "is missing"
    if isinstance(bound, bool) or not isinstance(bound, (int, float)):
        return f"is not a number: {bound!r}"
    if bound != bound or bound in (float("inf"), float("-inf")):
        return f"is not a finite number: {bound!r}"
    return None


def _bound_hint(bound: object, name: str) -> str:
    if bound is None:
        return f"write the {name} value the fact can take; a range has both bounds"
    if isinstance(bound, bool):
        return "true and false are not numbers: write the bound as a number"
    if isinstance(bound, float) or not isinstance(bound, str):
        return "a range's bounds are finite numbers, in the fact's unit"
    try:
        number = float(bound.strip())
    except ValueError:
        leading = re.match(r"\s*[-+]?\d+(?:\.\d+)?", bound)
        if leading:
            return f"write the number alone ({leading.group().strip()}): a range is in the fact's own `unit`"
        return "write a number, in the fact's unit"
    if number != number or number in (float("inf"), float("-inf")):
        return "a range's bounds are finite numbers, in the fact's unit"
    plain = int(number) if number.is_integer() and "." not in bound else number
    return (f"write it as a plain number, {plain}: a quoted value, or an exponent without a decimal point, "
            "is read as text")
