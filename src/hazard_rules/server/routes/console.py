"""The web console (server-rendered, Chinese): sign-in and the 隐患台账 with filters. Pages
read the session cookie; forms that change something carry the session's CSRF token."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile  # what request.form() holds (fastapi's is a subclass)

from ...errors import HazardRulesError
from ...workflow.service import evidence
from ...workflow.service.accounts import Accounts, Identity, NotAuthenticated, TooManyAttempts
from ...workflow.service.desk import Desk, Filters
from .. import auth
from ..pages import templates

router = APIRouter(include_in_schema=False)
LEVELS = {"major": "重大隐患", "ordinary": "一般隐患", "undetermined": "待定"}
PAGE = 50


def _to_login() -> RedirectResponse:
    return RedirectResponse("/console/login", status_code=303)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/console/hazards", status_code=303)


@router.get("/console/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return templates.TemplateResponse(request, "login.html", {"who": None})


@router.post("/console/login", response_class=HTMLResponse)
def login(request: Request, username: str = Form(max_length=100), password: str = Form(max_length=1000),
          accounts: Accounts = Depends(auth.accounts), now: dt.datetime = Depends(auth.now)) -> Response:
    settings = request.app.state.settings
    try:
        _, secret = accounts.login(username, password, client=auth.client(request), at=now,
                                   hours=settings.session_hours)
    except (NotAuthenticated, TooManyAttempts) as exc:
        status = 429 if isinstance(exc, TooManyAttempts) else 401
        message = "登录失败次数过多，请稍后再试" if status == 429 else "用户名或密码错误"
        return templates.TemplateResponse(request, "login.html", {"who": None, "error": message,
                                                                  "username": username}, status_code=status)
    response = RedirectResponse("/console/hazards", status_code=303)
    response.set_cookie(auth.SESSION_COOKIE, secret, max_age=settings.session_hours * 3600, httponly=True,
                        samesite="strict", secure=settings.secure_cookies, path="/")
    return response


@router.post("/console/logout")
def logout(request: Request, who: Identity = Depends(auth.identity),
           accounts: Accounts = Depends(auth.accounts)) -> RedirectResponse:
    accounts.logout(request.cookies.get(auth.SESSION_COOKIE, ""))
    response = _to_login()
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


@router.get("/console/hazards", response_class=HTMLResponse)
def hazards(request: Request, level: str = "", state: str = "",
            jurisdiction: str = Query(default="", pattern="^[0-9]{0,12}$"), industry: str = "",
            open: bool = False, overdue: bool = False, listed: bool = False, offset: int = Query(default=0, ge=0),
            now: dt.datetime = Depends(auth.now)) -> Response:
    """隐患台账: the hazards the account may see, filtered, 50 a page."""
    who = auth.session_identity(request)
    if who is None:
        return _to_login()
    desk = Desk(auth.ledger(request), who)
    filters = Filters(state=state or None, level=level or None, jurisdiction=jurisdiction or None,
                      industry=industry or None, open_only=open, listed=True if listed else None,
                      overdue_at=now if overdue else None)
    page = desk.hazards(filters, limit=PAGE, offset=offset)
    kept = {k: v for k, v in request.query_params.items() if k != "offset"}
    return templates.TemplateResponse(request, "hazards.html", {
        "who": who, "csrf": auth.session_csrf(request), "page": page, "f": filters, "levels": LEVELS,
        "states": desk.state_labels(), "query": urlencode(kept), "industry": request.app.state.industries})


@router.get("/console/hazards/{hazard_id}", response_class=HTMLResponse)
def hazard_page(hazard_id: str, request: Request, now: dt.datetime = Depends(auth.now)) -> Response:
    """A hazard: what it is, the steps the account may take, and its whole record (一键追溯)."""
    who = auth.session_identity(request)
    if who is None:
        return _to_login()
    return _hazard(request, Desk(auth.ledger(request), who), hazard_id, now)


def _hazard(request: Request, desk: Desk, hazard_id: str, now: dt.datetime, error: HazardRulesError | None = None,
            status: int = 200) -> Response:
    hazard = desk.hazard(hazard_id)
    late = dict((h.id, timers) for h, timers in desk.overdue(now)).get(hazard_id, [])
    return templates.TemplateResponse(request, "hazard.html", {
        "who": desk.identity, "csrf": auth.session_csrf(request), "h": hazard, "steps": desk.allowed(hazard_id, now),
        "events": desk.history(hazard_id), "levels": LEVELS, "states": desk.state_labels(), "id_overdue": late,
        "actions": desk.transitions(), "fields": desk.field_defs(), "recorded": _recorded, "error": error,
        "industry": request.app.state.industries},
        status_code=status)


def _recorded(fields: dict[str, Any], names: list[str], defs: dict[str, Any]) -> list[tuple[str, str]]:
    """What a step recorded, for its entry in the record: (label, value) of each field it requires
    (dotted names looked up in the nested fields), a choice shown by its label."""
    shown = []
    for name in names:
        value: Any = fields
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None or isinstance(value, (dict, list)):
            continue
        found = defs.get(name)
        label = found.label if found else name
        shown.append((label, found.choices.get(str(value), str(value)) if found else str(value)))
    return shown


@router.post("/console/hazards/{hazard_id}/steps", response_class=HTMLResponse)
async def take_step(hazard_id: str, request: Request, desk: Desk = Depends(auth.desk),
                    now: dt.datetime = Depends(auth.now)) -> Response:
    """A step form: fields `f.NAME` (dotted names nest), evidence files `e.NAME`, the version
    the page showed; refused steps come back on the page with the reason."""
    form = await request.form()
    given = form.multi_items()
    pairs = [(key[2:], value) for key, value in given if key.startswith("f.") and isinstance(value, str)]
    files = [(key[2:], value) for key, value in given if key.startswith("e.") and isinstance(value, UploadFile)]
    folder = request.app.state.settings.evidence_dir
    items = [evidence.store(folder, name, await upload.read(), upload.filename)
             for name, upload in files if upload.filename]
    version = str(form.get("version") or "")
    try:
        desk.step(hazard_id, str(form.get("action") or ""), at=now, fields=evidence.nested(pairs), evidence=items,
                  expected_version=int(version) if version.isdigit() else None)
    except HazardRulesError as exc:
        return _hazard(request, desk, hazard_id, now, exc, 409 if exc.code == "E603" else 403)
    return RedirectResponse(f"/console/hazards/{hazard_id}", status_code=303)
