"""The one memo of classification: answers derived from records, bounded by an estimate of size.

Everything `Ruleset` memoises because records repeat (editions per industries and period,
generated typed checks per record shape, outcomes, explained matches, open rules, exact
answers, listings, the description safety net) lives in one `Memo`, so one budget bounds
the memory a stream of distinct records can take (docs/fast-paths.md#memory).

It is a two-generation approximation of least-recently-used: entries go into the young
generation; when the young one's estimated size reaches half the budget it becomes the old
one and the previous old generation is dropped; a hit in the old generation moves the entry
back to the young one. A lookup is one dictionary probe on the common path (a hit among
recent entries), and at most a budget's worth of entries is ever held.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from enum import Enum
from typing import Any, Literal, TypeVar

_Value = TypeVar("_Value")


class _Absent(Enum):
    ABSENT = "absent"


ABSENT = _Absent.ABSENT


class Memo:
    """memo.get(key, compute, size): the value for key, computed on a miss.

    `size` is an estimate of what the entry holds, in units of about a kilobyte (a Match with
    its explanation, an open rule, a listing); a generated typed check for a record shape
    counts more. Keys come from records: the budget, not the records, bounds memory.
    """

    __slots__ = ("_young", "_old", "_young_size", "_half")

    def __init__(self, budget: int) -> None:
        self._half = max(1, budget // 2)
        self._young: dict[Hashable, tuple[Any, int]] = {}
        self._old: dict[Hashable, tuple[Any, int]] = {}
        self._young_size = 0

    def get(self, key: Hashable, compute: Callable[[], _Value], size: int = 1) -> _Value:
        """The memoised value; a key holding an unhashable value (a list of items) is computed afresh."""
        try:
            found: tuple[_Value, int] | Literal[_Absent.ABSENT] = self._young.get(key, ABSENT)
        except TypeError:
            return compute()
        if found is not ABSENT:
            return found[0]
        found = self._old.pop(key, ABSENT)
        if found is ABSENT:
            value = compute()
        else:
            value, size = found
        self.put(key, value, size)
        return value

    def peek(self, key: Hashable) -> Any:
        """The value held for key (moved to the young generation), or ABSENT. Key must be hashable."""
        found = self._young.get(key, ABSENT)
        if found is not ABSENT:
            return found[0]
        found = self._old.pop(key, ABSENT)
        if found is ABSENT:
            return ABSENT
        self.put(key, *found)
        return found[0]

    def put(self, key: Hashable, value: Any, size: int = 1) -> None:
        if self._young_size >= self._half:
            self._old = self._young
            self._young = {}
            self._young_size = 0
        self._young[key] = (value, size)
        self._young_size += size

    def __len__(self) -> int:
        return len(self._young) + len(self._old)

    def clear(self) -> None:
        self._young.clear()
        self._old.clear()
        self._young_size = 0
