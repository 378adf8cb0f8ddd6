"""Who is calling: a bearer token (systems) or the console's session cookie, resolved to an
`Identity` by the accounts service. A cookie-authenticated unsafe request (POST, PUT, PATCH,
DELETE) must carry the session's CSRF token in the X-CSRF-Token header (or, for console
forms, a `csrf_token` form field): another site's page can make the browser send the
cookie, but cannot read the token."""

from __future__ import annotations

import datetime as dt
import hmac

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from ..workflow.service.accounts import AccessDenied, Accounts, Identity, NotAuthenticated, csrf_token
from ..workflow.service.desk import Desk
from ..workflow.service.ledger import Ledger

SESSION_COOKIE = "hazard_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(auto_error=False, description="A token from `hazard-rules users token USERNAME`.")
session = APIKeyCookie(name=SESSION_COOKIE, auto_error=False,
                       description="The console's session (POST /api/v1/auth/login); unsafe requests also "
                                   f"send {CSRF_HEADER}.")


def ledger(request: Request) -> Ledger:
    found: Ledger = request.app.state.ledger
    return found


def accounts(request: Request) -> Accounts:
    found: Accounts = request.app.state.accounts
    return found


def now(request: Request) -> dt.datetime:
    moment: dt.datetime = request.app.state.settings.clock()
    return moment


def client(request: Request) -> str:
    """The caller's address (behind a proxy: uvicorn --proxy-headers sets it from X-Forwarded-For)."""
    return request.client.host if request.client else "unknown"


async def identity(request: Request, token: HTTPAuthorizationCredentials | None = Depends(bearer),
                   cookie: str | None = Depends(session)) -> Identity:
    book = accounts(request)
    if token is not None:
        return book.resolve(token.credentials, "token", now(request))
    if cookie:
        who = book.resolve(cookie, "session", now(request))
        if request.method not in SAFE_METHODS:
            given = request.headers.get(CSRF_HEADER)
            if given is None and request.headers.get("content-type", "").startswith(
                    ("application/x-www-form-urlencoded", "multipart/form-data")):
                field = (await request.form()).get("csrf_token")
                given = field if isinstance(field, str) else None
            if not given or not hmac.compare_digest(given, csrf_token(cookie)):
                raise AccessDenied("a cookie-authenticated change needs the session's CSRF token",
                                   hint=f"send the csrf_token from the sign-in in the {CSRF_HEADER} header")
        return who
    raise NotAuthenticated("sign in (POST /api/v1/auth/login) or send a bearer token",
                           hint="Authorization: Bearer TOKEN (hazard-rules users token USERNAME)")


def session_identity(request: Request) -> Identity | None:
    """The console's caller, or None when not signed in (the page then redirects to sign-in)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        return accounts(request).resolve(cookie, "session", now(request))
    except NotAuthenticated:
        return None


def session_csrf(request: Request) -> str:
    """The CSRF token of the caller's session, for the console's forms."""
    return csrf_token(request.cookies.get(SESSION_COOKIE, ""))


def desk(request: Request, who: Identity = Depends(identity)) -> Desk:
    """The ledger as the caller uses it (workflow/service/desk.py)."""
    return Desk(ledger(request), who)
