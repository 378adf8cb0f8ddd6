"""The rules: list and one rule."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from ...classifying.catalogue import rule_detail, rule_rows
from ...workflow.service.accounts import Identity
from .. import auth

router = APIRouter(prefix="/api/v1/rules", tags=["rules"])


@router.get("")
def rules_list(request: Request, who: Identity = Depends(auth.identity)) -> list[dict[str, Any]]:
    """Every rule of every pack (`hazard-rules rules list --format json`)."""
    return rule_rows(request.app.state.ruleset)


@router.get("/{rule_id}")
def rules_show(rule_id: str, request: Request, who: Identity = Depends(auth.identity)) -> dict[str, Any]:
    """One rule: standard, text, condition, facts, situations."""
    return rule_detail(request.app.state.ruleset, rule_id)
