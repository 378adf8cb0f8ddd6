"""Units the standards use, grouped by dimension, with exact factors to a base unit."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class Unit:
    symbol: str
    dimension: str
    factor: Fraction  # one of this unit, in the dimension's base unit


DIMENSION_NAMES = {
    "length": "length (长度)", "area": "area (面积)", "volume": "volume (体积)",
    "pressure": "pressure (压力)", "mass": "mass (质量)", "time": "time (时间)",
    "temperature": "temperature (温度)", "ratio": "ratio (比例)", "people": "people (人数)",
    "pieces": "pieces (数量)", "count": "count (个数)",
}

_TABLE: dict[str, tuple[str, Fraction]] = {
    "mm": ("length", Fraction(1, 1000)), "cm": ("length", Fraction(1, 100)),
    "m": ("length", Fraction(1)), "km": ("length", Fraction(1000)),
    "m2": ("area", Fraction(1)),
    "L": ("volume", Fraction(1, 1000)), "m3": ("volume", Fraction(1)),
    "Pa": ("pressure", Fraction(1)), "kPa": ("pressure", Fraction(1000)),
    "MPa": ("pressure", Fraction(1_000_000)),
    "g": ("mass", Fraction(1, 1000)), "kg": ("mass", Fraction(1)), "t": ("mass", Fraction(1000)),
    "s": ("time", Fraction(1)), "min": ("time", Fraction(60)), "h": ("time", Fraction(3600)),
    "小时": ("time", Fraction(3600)), "d": ("time", Fraction(86400)), "天": ("time", Fraction(86400)),
    "℃": ("temperature", Fraction(1)),
    "%": ("ratio", Fraction(1, 100)), "‰": ("ratio", Fraction(1, 1000)),
    "人": ("people", Fraction(1)), "名": ("people", Fraction(1)),
    "个": ("pieces", Fraction(1)), "台": ("pieces", Fraction(1)), "套": ("pieces", Fraction(1)),
    "处": ("pieces", Fraction(1)), "座": ("pieces", Fraction(1)), "根": ("pieces", Fraction(1)),
    "只": ("pieces", Fraction(1)),
}

UNITS: dict[str, Unit] = {symbol: Unit(symbol, dim, factor) for symbol, (dim, factor) in _TABLE.items()}

DAY = Fraction(86400)

# A count (count(), the size of a set) compares with people and pieces.
_COUNTABLE = {"count", "people", "pieces"}


def lookup(symbol: str) -> Unit | None:
    return UNITS.get(symbol)


def compatible(a: str, b: str) -> bool:
    """Same dimension; or a count with people/pieces; or a plain number ("") with a ratio (10 % = 0.1)."""
    return (a == b or (a in _COUNTABLE and b in _COUNTABLE and "count" in (a, b))
            or {a, b} == {"", "ratio"})


def describe(dimension: str) -> str:
    return DIMENSION_NAMES.get(dimension, dimension)
