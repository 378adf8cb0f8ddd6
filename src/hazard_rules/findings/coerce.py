"""Check and convert a finding's fact values against the declared vocabulary.

Values arrive as JSON/YAML values or CSV strings. Missing, null and empty values are
dropped (the fact is unknown). Numbers may carry a unit ("0.03 MPa") which is converted
to the fact's declared unit. Enum values may be given by id or by Chinese label.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..checking import units
from ..checking.types import Type

Coercer = Callable[[Any], Any]

TRUE_WORDS = {"true": True, "false": False, "是": True, "否": False, "1": True, "0": False}
_NUMBER_WITH_UNIT = re.compile(r"\s*([-+]?\d+(?:\.\d+)?)\s*(\S*)\s*")


class FactValueError(ValueError):
    """A fact value of the wrong type; the message says what was expected, `hint` (if
    given) what to do instead."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


# A fact given as null, or as one of these words, is *asked but unknown*: the finding is about
# it (a subject fact so given concerns the situations that read it) but its value was not
# established (docs/scopes.md).
UNKNOWN_WORDS = frozenset({"?", "？", "待查", "待核实", "未知", "unknown"})


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and (value.strip() == "" or value.strip().lower() in UNKNOWN_WORDS))


def is_asked(value: Any) -> bool:
    """An explicit unknown: null, or a word of UNKNOWN_WORDS (an empty CSV cell is not)."""
    return value is None or (isinstance(value, str) and value.strip().lower() in UNKNOWN_WORDS)


# A number beyond this is refused (the message of _number); a typed value inside it is kept.
NUMBER_LIMIT = 10**40
# The largest float within NUMBER_LIMIT: for a float x, -L <= x <= L exactly when it is within NUMBER_LIMIT.
_FLOAT_LIMIT = float(NUMBER_LIMIT) if float(NUMBER_LIMIT) <= NUMBER_LIMIT else math.nextafter(float(NUMBER_LIMIT), 0)


def typed_already(fact_type: Type) -> frozenset[Any] | None:
    """What a value that needs no conversion looks like, as JSON and the library give it: the
    classes (bool; int; int or float) or the enum ids that coerce to themselves. A reader keeps
    such a value as it is (see accepts_as_is) instead of calling the type's coercer; None: always
    convert (text, dates, sets and lists, and numbers with a declared range, are checked value
    by value)."""
    if fact_type.kind == "bool":
        return frozenset({bool})
    if fact_type.kind == "num":
        if fact_type.bounds is not None:
            return None
        return frozenset({int}) if fact_type.integer else frozenset({int, float})
    if fact_type.kind == "enum":
        return frozenset(v for v in fact_type.values if v == v.strip() and not is_missing(v))
    return None


def accepts_as_is(value: Any, typed: frozenset[Any]) -> bool:
    """Is value already what coercion would make of it (typed: from typed_already)? The inline
    form of this test is in Ruleset.coerce_facts, the hot path; keep the two equal."""
    cls = value.__class__
    if cls is str:
        return value in typed
    return cls in typed and (cls is bool or -NUMBER_LIMIT <= value <= NUMBER_LIMIT)


TypedCheck = Callable[[dict[str, Any]], bool]


def typed_check(typed: dict[str, frozenset[Any]]) -> TypedCheck:
    """One generated test that every fact of `typed` (name → typed_already) is given as is:
    accepts_as_is for each, folded into one expression, so that a record of a known shape is
    checked in one call instead of one dictionary lookup and test per fact. Names are emitted
    with repr() and the enum ids passed in the namespace; nothing from a record is pasted."""
    namespace: dict[str, Any] = {}
    tests = [typed_test(f"(x := f[{name!r}])", "x", accepted, namespace, f"_ids{number}")
             for number, (name, accepted) in enumerate(typed.items())]
    source = "def typed(f):\n    return (" + "\n            and ".join(tests or ["True"]) + ")\n"
    exec(compile(source, "<hazard_rules:typed>", "exec"), namespace)  # noqa: S102 - names and constants only
    check: TypedCheck = namespace["typed"]
    return check


def typed_test(value: str, x: str, accepted: frozenset[Any], namespace: dict[str, Any], spare: str) -> str:
    """The expression testing that `value` (code evaluated once, bound to the name `x`) is given
    as is (accepts_as_is against `accepted`, from typed_already); `spare` names the ids in
    `namespace` if they cannot be a literal. Shared by typed_check and the fused evaluator."""
    # the bounds as literals (constants of the code, not a negation per call); a float is compared
    # with a float bound, as comparing it with a long int is slow
    ints = f"-{NUMBER_LIMIT!r} <= {x} <= {NUMBER_LIMIT!r}"
    floats = f"-{_FLOAT_LIMIT!r} <= {x} <= {_FLOAT_LIMIT!r}"
    if accepted == {bool}:
        return f"({value} is True or {x} is False)"
    if accepted == {int}:
        return f"({value}.__class__ is int and {ints})"
    if accepted == {int, float}:
        return f"(((c := {value}.__class__) is float and {floats}) or c is int and {ints})"
    if all(isinstance(v, str) for v in accepted):  # a literal set of ids: a constant of the code
        return f"({value}.__class__ is str and {x} in {{{', '.join(repr(v) for v in sorted(accepted))}}})"
    namespace[spare] = accepted  # pragma: no cover - enum ids are text
    return f"({value}.__class__ is str and {x} in {spare})"  # pragma: no cover


def bounded_test(x: str, fact_type: Type, namespace: dict[str, Any], spare: str) -> str:
    """The expression testing that the value named `x` of a number fact with a declared range
    is given as is: what _number keeps as it is (an int, or for a fact that is not a whole
    number also a finite float, within NUMBER_LIMIT and the range). The bounds are literals,
    or named `spare`+"lo"/"hi" in `namespace` if they cannot be."""
    assert fact_type.kind == "num" and fact_type.bounds is not None
    low, high = (_literal(bound, namespace, f"{spare}{end}") for bound, end in zip(fact_type.bounds, ("lo", "hi")))
    ints = f"-{NUMBER_LIMIT!r} <= {x} <= {NUMBER_LIMIT!r} and {low} <= {x} <= {high}"
    if fact_type.integer:
        return f"({x}.__class__ is int and {ints})"
    floats = f"-{_FLOAT_LIMIT!r} <= {x} <= {_FLOAT_LIMIT!r} and {low} <= {x} <= {high}"
    return f"(((c := {x}.__class__) is float and {floats}) or c is int and {ints})"


def _literal(value: int | float, namespace: dict[str, Any], spare: str) -> str:
    if value.__class__ is int or value.__class__ is float and math.isfinite(value):
        return repr(value)
    namespace[spare] = value
    return spare


def set_ids(fact_type: Type) -> frozenset[str]:
    """The items of a set fact that coerce to themselves (_set keeps a list of them as it is)."""
    return frozenset(v for v in fact_type.values if v == v.strip())


def set_test(x: str, ids: str) -> str:
    """The expression testing that the value named `x` is a set fact given as is: a list of
    the ids named `ids` (set_ids), which _set turns into frozenset(x) without other work (the
    classes are tested in C: type() is stricter than _set's __class__, and refusing more is
    safe, the caller converting the value as _set does)."""
    return f"({x}.__class__ is list and {{str}}.issuperset(map(type, {x})) and {ids}.issuperset({x}))"


@dataclass(frozen=True)
class AsIsReader:
    """Lines of a generated function's body that read the facts of a record shape from `raw`
    (a dict whose names are the shape's, in its order) into locals and `return None` unless
    each is given as is: what typed_check and _set's first test accept, a number within its
    declared range as _number keeps it (bounded_test), or a date _date reads (converted). The values are read
    in one step (unpacked from raw.values(), no lookup by name) and tested in one expression,
    as typed_check does. Used by Ruleset._fuse."""

    lines: list[str]
    namespace: dict[str, Any]
    local_facts: dict[str, str]   # fact id -> its local
    converted: list[str]          # facts whose local holds a converted value (sets, dates)


def as_is_reader(shape: tuple[str, ...], facts: dict[str, Type]) -> AsIsReader | None:
    """The reader of a shape's facts (`facts`: the vocabulary), or None if one is unknown or
    of a type that is always converted (text, lists of items)."""
    namespace: dict[str, Any] = {}
    local_facts = {name: f"a{number}" for number, name in enumerate(shape)}
    tests: list[str] = []
    converted: list[str] = []
    sets: list[str] = []
    for number, name in enumerate(shape):
        fact_type = facts.get(name)
        accepted = typed_already(fact_type) if fact_type is not None else None
        local = local_facts[name]
        if accepted is not None:
            tests.append(typed_test(local, local, accepted, namespace, f"_ids{number}"))
        elif fact_type is None:
            return None
        elif fact_type.kind == "set":
            namespace[f"_ids{number}"] = set_ids(fact_type)
            tests.append(set_test(local, f"_ids{number}"))
            sets.append(local)
            converted.append(name)
        elif fact_type.kind == "num":  # with a declared range (typed_already answers the others)
            tests.append(bounded_test(local, fact_type, namespace, f"_n{number}"))
        elif fact_type.kind == "date":  # converted as _date converts it, or left to it (None)
            namespace["_date_of"] = date_of
            tests.append(f"({local} := _date_of({local})) is not None")
            converted.append(name)
        else:
            return None
    lines = [f"{', '.join(local_facts.values())}, = raw.values()",
             "if not (" + "\n        and ".join(tests or ["True"]) + "):",
             "    return None"]
    lines += [f"{local} = frozenset({local})" for local in sets]
    return AsIsReader(lines, namespace, local_facts, converted)


def coercer_for(fact_type: Type) -> Coercer:
    kind = fact_type.kind
    if kind == "bool":
        return _bool
    if kind == "num":
        return lambda value: _number(value, fact_type)
    if kind == "str":
        return _string
    if kind == "enum":
        return lambda value: _enum(value, fact_type)
    if kind == "date":
        return _date
    if kind == "set":
        element = Type("enum", values=fact_type.values, labels=fact_type.labels)
        ids = set_ids(fact_type)  # the items _enum keeps as they are
        return lambda value: _set(value, fact_type, element, ids)
    if kind == "list":
        fields = {name: coercer_for(t) for name, t in fact_type.fields}
        return lambda value: _list(value, fields)
    raise AssertionError(kind)  # pragma: no cover


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS:
        return TRUE_WORDS[value.strip().lower()]
    raise FactValueError(f"expected true/false (or 是/否, 1/0), got {shown(value)}")


def shown(value: Any, limit: int = 60) -> str:
    """A value for a message: its repr, cut short (a cell may hold megabytes)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: Any, fact_type: Type) -> int | float:
    if isinstance(value, bool):
        raise FactValueError(f"expected a number, got {shown(value)}")
    if isinstance(value, (int, float)):
        number: int | float = value
    elif isinstance(value, str):
        match = _NUMBER_WITH_UNIT.fullmatch(value)
        if not match or len(match.group(1)) > 40:
            raise FactValueError(f"expected a number{_unit_suffix(fact_type)}, got {shown(value)}")
        number = _convert(match.group(1), match.group(2), fact_type)
    else:
        raise FactValueError(f"expected a number{_unit_suffix(fact_type)}, got {shown(value)}")
    if isinstance(number, float) and not math.isfinite(number):
        raise FactValueError(f"expected a finite number{_unit_suffix(fact_type)}, got {shown(value)}")
    if isinstance(number, int) and abs(number) > NUMBER_LIMIT:
        raise FactValueError(f"expected a number{_unit_suffix(fact_type)} of at most 40 digits, got {shown(value)}")
    if fact_type.integer:
        if isinstance(number, float):
            if not number.is_integer():
                raise FactValueError(f"expected a whole number, got {shown(value)}")
            number = int(number)
    if not fact_type.within(number):
        low, high = fact_type.bounds or (number, number)
        raise FactValueError(f"{shown(value)} is outside the declared range [{low}, {high}]{_unit_suffix(fact_type)}",
                             f"the vocabulary declares `range: [{low}, {high}]` for this fact: record a value "
                             "within it, or leave the fact out if it is not known")
    return number


def _convert(digits: str, symbol: str, fact_type: Type) -> int | float:
    value = Fraction(digits)
    if symbol and (fact_type.unit is None or symbol != fact_type.unit.symbol):
        unit = units.lookup(symbol)
        if unit is None:
            raise FactValueError(f"unknown unit {shown(symbol)}")
        if fact_type.unit is None or unit.dimension != fact_type.unit.dimension:
            raise FactValueError(f"unit {shown(symbol)} does not measure {fact_type}")
        value = value * unit.factor / fact_type.unit.factor
    return int(value) if value.denominator == 1 else float(value)


def _unit_suffix(fact_type: Type) -> str:
    return f" in {fact_type.unit.symbol}" if fact_type.unit else ""


def _string(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise FactValueError(f"expected text, got {shown(value)}")


def _enum(value: Any, fact_type: Type) -> str:
    if isinstance(value, str):
        text = value.strip()
        if text in fact_type.values:
            return text
        if text in fact_type.labels:
            return fact_type.values[fact_type.labels.index(text)]
    close = difflib.get_close_matches(str(value), list(fact_type.values), n=1)
    suggestion = f"; did you mean {close[0]!r}?" if close else ""
    raise FactValueError(f"{shown(value)} is not one of {', '.join(fact_type.values)}{suggestion}")


def _date(value: Any) -> dt.date:
    day = date_of(value)
    if day is None:
        raise FactValueError(f"expected a date YYYY-MM-DD, got {shown(value)}")
    return day


def date_of(value: Any) -> dt.date | None:
    """The day a date fact's value names (_date), or None if it names none (_date's error)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    return None


def _set(value: Any, fact_type: Type, element: Type, ids: frozenset[str]) -> frozenset[str]:
    if value.__class__ is list and all(item.__class__ is str for item in value) and ids.issuperset(value):
        return frozenset(value)  # ids as JSON gives them: what _enum makes of each
    if isinstance(value, str):
        items: list[Any] = [part for part in re.split(r"[;；]", value) if part.strip()]
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
    else:
        raise FactValueError(f"expected a list of values ({', '.join(fact_type.values)}), got {shown(value)}")
    return frozenset(_enum(item, element) for item in items)


def _list(value: Any, fields: dict[str, Coercer]) -> list[dict[str, Any]]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise FactValueError(f"expected a JSON list of items: {exc.msg}") from None
    if not isinstance(value, list):
        raise FactValueError("expected a list of items")
    result = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise FactValueError(f"item {index} is not an object")
        clean: dict[str, Any] = {}
        for key, raw in item.items():
            if key not in fields:
                close = difflib.get_close_matches(key, list(fields), n=1)
                raise FactValueError(f"item {index} has unknown field {key!r}" +
                                     (f"; did you mean {close[0]!r}?" if close else ""))
            if is_missing(raw):
                continue
            try:
                clean[key] = fields[key](raw)
            except FactValueError as exc:
                raise FactValueError(f"item {index} field {key!r}: {exc}", exc.hint) from None
        result.append(clean)
    return result


def to_json_value(value: Any) -> Any:
    """A fact value as it appears in verdicts (dates as text, sets as sorted lists)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, list):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json_value(v) for k, v in value.items()}
    return value
