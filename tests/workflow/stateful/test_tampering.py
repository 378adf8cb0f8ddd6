"""A random legal history, then ONE event tampered with in SQL: `verify()` must report it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .model import Databases, open_ledger
from .strategies import COLUMNS, TAMPERS, legal_history, tamper_with_one_event


@pytest.mark.parametrize("kind", [*TAMPERS, *(f"column {c}" for c in COLUMNS)])
def test_verify_reports_any_single_tampered_event(databases: Databases, kind: str) -> None:
    @settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(st.data())
    def run(data) -> None:
        url = databases.new()
        try:
            with open_ledger(url) as ledger:
                data.draw(legal_history(ledger), label="history")
                assert ledger.verify() == []
                hazard_id, what = tamper_with_one_event(data.draw, ledger, kind)
                problems = ledger.verify()
                assert any(p.hazard_id == hazard_id for p in problems), f"{what} went unnoticed: {problems}"
        finally:
            databases.drop(url)

    run()
