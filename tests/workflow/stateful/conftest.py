"""Fixtures of the stateful tests: fresh databases per example, and one open ledger."""

from __future__ import annotations

import pytest

from .model import Databases, open_ledger


@pytest.fixture
def databases(db_url, tmp_path, request) -> Databases:
    return Databases(db_url, tmp_path, request)


@pytest.fixture
def ledger(db_url):
    with open_ledger(db_url) as book:
        yield book
