"""Ledger operations of the command line over HTTP: the escalation tick (`ledger tick`), the
state machine's graph (`ledger graph`) and an enterprise's signed statistics table
(`ledger stats submit`), through the same service functions (workflow/service/operations.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Response
from fastapi.encoders import jsonable_encoder

from ...workflow.service.desk import Desk
from .. import auth
from ..schemas import StatisticsSubmission

router = APIRouter(prefix="/api/v1", tags=["operations"])


@router.post("/ledger/tick")
def tick(desk: Desk = Depends(auth.desk), now: dt.datetime = Depends(auth.now)) -> dict[str, Any]:
    """Record the escalation steps whose time has come, over the whole ledger (催办 → 督办函 →
    通报 → 约谈 → 处罚; idempotent): `ledger tick`. SYSTEM accounts only (a scheduler's token)."""
    recorded = desk.tick(now)
    return {"recorded": recorded, "count": len(recorded)}


@router.get("/ledger/graph", response_class=Response,
            responses={200: {"content": {"text/plain": {}}, "description": "the state machine as text"}})
def graph(format: Literal["mermaid", "dot"] = "mermaid", desk: Desk = Depends(auth.desk)) -> Response:
    """The state machine (states, transitions, roles) as Mermaid or Graphviz DOT: `ledger graph`."""
    return Response(desk.graph(format), media_type="text/plain; charset=utf-8")


@router.post("/stats/submissions")
def submit_statistics(body: StatisticsSubmission, desk: Desk = Depends(auth.desk),
                      now: dt.datetime = Depends(auth.now)) -> dict[str, Any]:
    """Record the account's enterprise's statistics table for an ended period, signed by the
    account (its 主要负责人, ENT_PRINCIPAL): `ledger stats submit --format json`. The same
    table again is recorded once (`created` false); refused (E622) before the period ends or
    for an enterprise that owes no table."""
    answer: dict[str, Any] = jsonable_encoder(desk.submit_statistics(body.period, now))
    return answer
