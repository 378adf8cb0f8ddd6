"""Classify findings (the contract of `hazard-rules check --format json`) and suggest clauses."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request

from ...classifying.suggestions import suggestions
from ...pipeline import classify_records
from ...workflow.service.accounts import Identity
from .. import auth
from ..schemas import Records

router = APIRouter(prefix="/api/v1", tags=["classify"])


@router.post("/classify")
def classify_one(request: Request, record: dict[str, Any] = Body(description="one finding record"),
                 scope: Literal["finding", "enterprise"] = "finding", strict: bool = False,
                 as_of: dt.date | None = None, who: Identity = Depends(auth.identity)) -> dict[str, Any]:
    """One finding's verdict, as one element of `check --format json`; an invalid record is E401."""
    (outcome,) = classify_records(request.app.state.ruleset, [record], strict=strict, as_of=as_of, scope=scope)
    if outcome.error is not None:
        raise outcome.error
    assert outcome.verdict is not None
    return outcome.verdict.model_dump(mode="json")


@router.post("/classify/batch")
def classify_batch(request: Request, body: Records, strict: bool = False, as_of: dt.date | None = None,
                   who: Identity = Depends(auth.identity)) -> dict[str, Any]:
    """Every record's verdict (`verdicts`: what `check --format json` prints); invalid records
    are listed in `errors` (as `check` reports them on stderr) and the others classified."""
    verdicts, errors = [], []
    for outcome in classify_records(request.app.state.ruleset, body.records, strict=strict, as_of=as_of,
                                    scope=body.scope):
        if outcome.error is not None:
            errors.append({"record": outcome.number, **outcome.error.as_dict()})
        elif outcome.verdict is not None:
            verdicts.append(outcome.verdict.model_dump(mode="json"))
    return {"verdicts": verdicts, "errors": errors}


@router.get("/suggest")
def suggest(request: Request, text: str = Query(min_length=1, max_length=2000), date: dt.date | None = None,
            top: int = Query(default=5, ge=1, le=50), who: Identity = Depends(auth.identity)) -> dict[str, Any]:
    """The clauses a deficiency description resembles (`hazard-rules suggest --format json`)."""
    return {"text": text, "candidates": suggestions(request.app.state.ruleset, text, date, top)}
