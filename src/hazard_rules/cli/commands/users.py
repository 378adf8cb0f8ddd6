"""`hazard-rules users`: the group of the account commands (users_*.py, assembled in cli/main.py)."""

from __future__ import annotations

import click


@click.group()
def users() -> None:
    """Administer the accounts of `hazard-rules serve` (kept in the ledger's database)."""
