"""What several commands share: the `--scope` choice, checked into the engine's type."""

from __future__ import annotations

from typing import get_args

import click

from ..errors import UsageError
from ..findings.model import Scope

SCOPES: tuple[Scope, ...] = get_args(Scope)
SCOPE_CHOICE = click.Choice(SCOPES)


def scope_of(value: str) -> Scope:
    """A --scope value as the engine takes it (click.Choice(SCOPES) lets no other through);
    the membership test is what narrows str to Scope."""
    if value not in SCOPES:
        raise UsageError(f"--scope {value!r}: choose from {', '.join(SCOPES)}")
    return value
