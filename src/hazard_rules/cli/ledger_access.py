"""The one place the command line opens the ledger (the `Ledger` service; DESIGN contract)."""

from __future__ import annotations

from typing import Any


def open_ledger(db_url: str | None) -> Any:
    from ..workflow.service.ledger import DEFAULT_URL, Ledger

    return Ledger.open(db_url or DEFAULT_URL)
