"""The hazard ledger: intake, list, one hazard, the steps allowed, take a step, history."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from ...pipeline import classify_records
from ...workflow.service.desk import Desk, Filters, Tally
from .. import auth
from ..schemas import Records, Step

router = APIRouter(prefix="/api/v1/hazards", tags=["ledger"])


@router.post("")
def intake(body: Records, request: Request, desk: Desk = Depends(auth.desk),
           now: dt.datetime = Depends(auth.now)) -> dict[str, Any]:
    """Classify finding records and register each as a hazard (idempotent on the finding id),
    as the signed-in account. Records refused one by one or invalid are listed; the others
    are registered (`ledger intake`)."""
    outcomes = classify_records(request.app.state.ruleset, body.records, scope=body.scope)
    tally, items = Tally(), []
    for item in desk.intake(outcomes, now):
        tally.add(item)
        items.append({"record": item.number, "finding_id": item.finding_id, "status": item.status,
                      "hazard": item.hazard.model_dump(mode="json") if item.hazard else None,
                      "error": item.error.as_dict() if item.error else None})
    return {"created": tally.created, "existing": tally.existing, "refused": tally.refused,
            "invalid": tally.invalid, "items": items}


@router.get("")
def hazards(desk: Desk = Depends(auth.desk), state: str | None = None,
            level: Literal["major", "ordinary", "undetermined"] | None = None,
            jurisdiction: str | None = Query(default=None, pattern="^[0-9]{1,12}$"),
            enterprise: str | None = None, industry: str | None = None, open: bool = False,
            listed: bool | None = None, overdue: bool = False, limit: int = Query(default=50, ge=1, le=500),
            offset: int = Query(default=0, ge=0), now: dt.datetime = Depends(auth.now)) -> dict[str, Any]:
    """The hazards the account may see, filtered, one page (`ledger list`; `overdue`: with a
    deadline passed now)."""
    filters = Filters(state=state, level=level, jurisdiction=jurisdiction, enterprise=enterprise, industry=industry,
                      open_only=open, listed=listed, overdue_at=now if overdue else None)
    page = desk.hazards(filters, limit=limit, offset=offset)
    return {"total": page.total, "limit": page.limit, "offset": page.offset,
            "items": [h.model_dump(mode="json") for h in page.items]}


@router.get("/{hazard_id}")
def hazard(hazard_id: str, desk: Desk = Depends(auth.desk)) -> dict[str, Any]:
    """One hazard's current state (`ledger show`)."""
    return desk.hazard(hazard_id).model_dump(mode="json")


@router.get("/{hazard_id}/steps")
def allowed_steps(hazard_id: str, desk: Desk = Depends(auth.desk),
                  now: dt.datetime = Depends(auth.now)) -> list[dict[str, Any]]:
    """The steps the account may take on the hazard now, with the fields and evidence each
    requires; a step a guard on the hazard's state or the account refuses is not offered
    (guards on the step's own fields are checked when it is taken)."""
    return desk.allowed(hazard_id, now)


@router.post("/{hazard_id}/steps")
def take_step(hazard_id: str, body: Step, desk: Desk = Depends(auth.desk),
              now: dt.datetime = Depends(auth.now)) -> dict[str, Any]:
    """Take one step as the signed-in account (`ledger step`): refused (E602, 403) with the
    reason, or a conflict (E603, 409) when the hazard changed first."""
    state = desk.step(hazard_id, body.action, at=now, fields=body.fields,
                      evidence=[e.model_dump() for e in body.evidence], expected_version=body.expected_version)
    return state.model_dump(mode="json")


@router.get("/{hazard_id}/history")
def history(hazard_id: str, desk: Desk = Depends(auth.desk)) -> list[dict[str, Any]]:
    """Every event of the hazard, from finding and verdict to closure (一键追溯; `ledger history`)."""
    return [event.model_dump(mode="json") for event in desk.history(hazard_id)]
