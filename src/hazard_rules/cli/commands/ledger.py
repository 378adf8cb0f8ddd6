"""`hazard-rules ledger …`: the group; its commands are ledger_*.py, assembled in cli/main.py."""

from __future__ import annotations

import click


@click.group()
def ledger() -> None:
    """The hazard ledger: intake, steps, history, verification."""
