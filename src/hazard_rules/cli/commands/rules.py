"""`hazard-rules rules …`: the group; its commands are rules_*.py, assembled in cli/main.py."""

from __future__ import annotations

import click


@click.group()
def rules() -> None:
    """Inspect and test rule packs."""
