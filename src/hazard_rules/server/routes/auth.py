"""Sign in and out; who am I."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request, Response

from ...workflow.service.accounts import Accounts, Identity, csrf_token
from .. import auth
from ..schemas import Login

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def _me(who: Identity) -> dict[str, object]:
    return {"username": who.username, "name": who.name, "role": who.role, "organisation": who.organisation,
            "org_code": who.org_code, "department": who.department, "enterprise_id": who.enterprise_id}


@router.post("/login")
def login(body: Login, request: Request, response: Response, accounts: Accounts = Depends(auth.accounts),
          now: dt.datetime = Depends(auth.now)) -> dict[str, object]:
    """Start a console session (cookie); the answer carries the CSRF token for unsafe requests."""
    settings = request.app.state.settings
    who, secret = accounts.login(body.username, body.password, client=auth.client(request), at=now,
                                 hours=settings.session_hours)
    response.set_cookie(auth.SESSION_COOKIE, secret, max_age=settings.session_hours * 3600, httponly=True,
                        samesite="strict", secure=settings.secure_cookies, path="/")
    return {"user": _me(who), "csrf_token": csrf_token(secret)}


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, who: Identity = Depends(auth.identity),
           accounts: Accounts = Depends(auth.accounts)) -> None:
    secret = request.cookies.get(auth.SESSION_COOKIE)
    if secret:
        accounts.logout(secret)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")


@router.get("/me")
def me(who: Identity = Depends(auth.identity)) -> dict[str, object]:
    return _me(who)
