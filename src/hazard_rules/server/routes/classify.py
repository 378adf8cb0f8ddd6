"""Classify findings (the contract of `hazard-rules check --format json`) and suggest clauses."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import Response

from ...classifying.suggestions import suggestions
from ...classifying.verdict_text import verdict_text
from ...pipeline import classify_records
from ...workflow.service.accounts import Identity
from .. import auth
from ..schemas import Records

router = APIRouter(prefix="/api/v1", tags=["classify"])


# Verdicts are answered as the text `check --format json` writes (classifying/verdict_text.py),
# not as dicts for FastAPI to walk and encode again: the same JSON at a fraction of the cost.
@router.post("/classify", response_model=dict[str, Any])
def classify_one(request: Request, record: dict[str, Any] = Body(description="one finding record"),
                 scope: Literal["finding", "enterprise"] = "finding", strict: bool = False,
                 as_of: dt.date | None = None, who: Identity = Depends(auth.identity)) -> Response:
    """One finding's verdict, as one element of `check --format json`; an invalid record is E401."""
    (outcome,) = classify_records(request.app.state.ruleset, [record], strict=strict, as_of=as_of, scope=scope)
    if outcome.error is not None:
        raise outcome.error
    assert outcome.verdict is not None
    return _json(verdict_text(outcome.verdict))


@router.post("/classify/batch", response_model=dict[str, Any])
def classify_batch(request: Request, body: Records, strict: bool = False, as_of: dt.date | None = None,
                   who: Identity = Depends(auth.identity)) -> Response:
    """Every record's verdict (`verdicts`: what `check --format json` prints); invalid records
    are listed in `errors` (as `check` reports them on stderr) and the others classified."""
    verdicts, errors = [], []
    for outcome in classify_records(request.app.state.ruleset, body.records, strict=strict, as_of=as_of,
                                    scope=body.scope):
        if outcome.error is not None:
            errors.append({"record": outcome.number, **outcome.error.as_dict()})
        elif outcome.verdict is not None:
            verdicts.append(verdict_text(outcome.verdict))
    return _json('{"verdicts": [' + ", ".join(verdicts) + '], "errors": '
                 + json.dumps(errors, ensure_ascii=False) + "}")


def _json(text: str) -> Response:
    return Response(text.encode("utf-8"), media_type="application/json")


@router.get("/suggest")
def suggest(request: Request, text: str = Query(min_length=1, max_length=2000), date: dt.date | None = None,
            top: int = Query(default=5, ge=1, le=50), who: Identity = Depends(auth.identity)) -> dict[str, Any]:
    """The clauses a deficiency description resembles (`hazard-rules suggest --format json`)."""
    return {"text": text, "candidates": suggestions(request.app.state.ruleset, text, date, top)}
