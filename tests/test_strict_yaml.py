"""The strict YAML reader reports every duplicate key of a file, each where it is written,
with or without positions kept (the load cache reads without)."""

from __future__ import annotations

import pytest

from hazard_rules.errors import Diagnostics, DuplicateKeyError, PackError, YamlSyntaxError
from hazard_rules.loading.strict_yaml import read_yaml

TEXT = """\
a: 1
b:
  x: 1
  x: 2
  x: 3
a: 2
c: {y: 1, y: 2}
"""


@pytest.mark.parametrize("positions", [True, False])
def test_each_duplicate_key_is_one_error_at_its_own_place(positions: bool) -> None:
    with pytest.raises(Diagnostics) as caught:
        read_yaml(TEXT, "f.yaml", positions=positions)
    errors = caught.value.errors
    assert all(isinstance(e, DuplicateKeyError) and e.hint for e in errors)
    assert [(str(e.span), e.message) for e in errors] == [
        ("f.yaml:4:3", "duplicate key 'x' (first written at line 3)"),
        ("f.yaml:5:3", "duplicate key 'x' (first written at line 3)"),   # a third one points to the first
        ("f.yaml:6:1", "duplicate key 'a' (first written at line 1)"),
        ("f.yaml:7:11", "duplicate key 'y' (first written at line 7)"),
    ]


def test_one_duplicate_key_is_raised_alone() -> None:
    with pytest.raises(DuplicateKeyError) as caught:
        read_yaml("a: 1\na: 2\n", "f.yaml")
    assert str(caught.value.span) == "f.yaml:2:1"


def test_an_error_that_stops_the_reading_comes_with_the_duplicates_before_it() -> None:
    with pytest.raises(Diagnostics) as caught:
        read_yaml("a: 1\na: 2\nb: !tag x\n", "f.yaml")
    assert [type(e) for e in caught.value.errors] == [DuplicateKeyError, YamlSyntaxError]
    assert all(isinstance(e, PackError) for e in caught.value.errors)
