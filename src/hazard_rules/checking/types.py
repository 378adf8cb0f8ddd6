"""Static types of facts and expressions."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from ..trees import reduce_by_fields
from .units import Unit, describe


@dataclass(frozen=True, slots=True)
class Type:
    """kind is one of: bool num str enum date set list item any."""

    kind: str
    unit: Unit | None = None          # num: the unit values are recorded in
    dimension: str | None = None      # num: dimension (None = plain number)
    integer: bool = False             # num: int fact
    bounds: tuple[int | float, int | float] | None = field(default=None, compare=False)  # num: declared `range`
    values: tuple[str, ...] = ()      # enum/set: declared value ids (in order)
    labels: tuple[str, ...] = ()      # enum/set: Chinese labels, parallel to values
    name: str | None = None           # named type (e.g. device)
    ordered: bool = False             # enum: values are ordered as declared
    fields: tuple[tuple[str, Type], ...] = ()  # list/item: item fields
    adaptable: bool = field(default=False, compare=False)  # a unit-less literal

    __reduce__ = reduce_by_fields

    def field_type(self, name: str) -> Type | None:
        for key, value in self.fields:
            if key == name:
                return value
        return None

    def within(self, number: int | float) -> bool:
        """Whether a number lies in the declared range (always, without one)."""
        return self.bounds is None or self.bounds[0] <= number <= self.bounds[1]

    def __str__(self) -> str:
        if self.kind == "num":
            if self.unit is not None:
                return f"number in {self.unit.symbol}"
            if self.dimension:
                return f"number ({describe(self.dimension)})"
            return "number"
        if self.kind == "enum":
            return f"enum {self.name}" if self.name else "enum"
        if self.kind == "set":
            return f"set {self.name}" if self.name else "set"
        if self.kind == "list":
            return "list of items"
        if self.kind == "item":
            return "item"
        return self.kind


BOOL = Type("bool")
STR = Type("str")
DATE = Type("date")
ANY = Type("any")
COUNT = Type("num", None, "count", integer=True)
DAYS = Type("num", None, "time")  # date differences, carried in days

ONE = Fraction(1)
