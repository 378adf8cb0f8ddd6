"""The public 举报 form (no account): a Chinese page at /report and its JSON twin. Both call
the public intake service (workflow/service/public.py), which submits the report as the
configured intake account; nothing in the request names an actor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ...workflow.service.accounts import TooManyAttempts
from ...workflow.service.public import FIELDS, INDUSTRIES, PublicIntake, PublicReport, ReportInvalid, ReportsClosed
from .. import auth, forms, problems
from ..pages import templates
from ..schemas import PublicReportBody

router = APIRouter(tags=["public"])
CLOSED = "本平台暂未开放网络举报。请拨打安全生产举报投诉热线 12350，或向当地应急管理部门举报。"
TOO_MANY = "提交过于频繁，请稍后再试。"
EXPIRED = "页面已过期或来源不明，请重新填写后提交。"


def intake(request: Request) -> PublicIntake:
    found: PublicIntake = request.app.state.public
    return found


@router.post("/api/v1/public/reports", status_code=201,
             responses={422: {"description": "a field is missing or wrong (E635; `fields` names each)"},
                        429: {"description": "too many reports from this address (E634)"},
                        503: {"description": "public reports are not taken here (E636)"}})
def submit(body: PublicReportBody, request: Request, service: PublicIntake = Depends(intake),
           now: dt.datetime = Depends(auth.now)) -> Any:
    """举报 a hazard, without an account: it enters the ledger in verification (REPORT_VERIFYING)
    as the service's intake account, channel 网络举报; the answer is its number, to quote when
    asking after it. A JSON body cannot be sent by another site's form, so no CSRF token."""
    try:
        hazard = service.submit(PublicReport(**body.model_dump()), client=auth.client(request), at=now)
    except ReportInvalid as exc:
        return problems.problem(422, exc.code, exc.message, exc.hint, fields=exc.problems)
    return JSONResponse({"id": hazard.id, "state": hazard.state, "received_at": now.isoformat()}, status_code=201)


@router.get("/report", response_class=HTMLResponse, include_in_schema=False)
def report_page(request: Request, service: PublicIntake = Depends(intake),
                now: dt.datetime = Depends(auth.now)) -> Response:
    if not service.is_open():
        return _page(request, now, closed=True, status=503)
    return _page(request, now)


@router.post("/report", response_class=HTMLResponse, include_in_schema=False)
def report_form(request: Request, place: str = Form(default="", max_length=4000),
                jurisdiction: str = Form(default="", max_length=4000),
                location: str = Form(default="", max_length=4000),
                description: str = Form(default="", max_length=20000),
                industry: str = Form(default="", max_length=4000), contact: str = Form(default="", max_length=4000),
                form_token: str = Form(default="", max_length=200),
                service: PublicIntake = Depends(intake), now: dt.datetime = Depends(auth.now)) -> Response:
    """The form: refused pages say why (and which field), with what was typed kept."""
    report = PublicReport(place=place, jurisdiction=jurisdiction, description=description, location=location,
                          industry=industry, contact=contact)
    typed = {name: getattr(report, name) for name in FIELDS}
    key = request.app.state.settings.form_key
    if not forms.valid(key, request.cookies.get(forms.NONCE_COOKIE), form_token, now):
        return _page(request, now, typed=typed, error=EXPIRED, status=403)
    try:
        hazard = service.submit(report, client=auth.client(request), at=now)
    except ReportsClosed:
        return _page(request, now, closed=True, status=503)
    except TooManyAttempts:
        return _page(request, now, typed=typed, error=TOO_MANY, status=429)
    except ReportInvalid as exc:
        return _page(request, now, typed=typed, problems=exc.problems, status=422)
    return templates.TemplateResponse(request, "report_done.html", {"who": None, "id": hazard.id}, status_code=201)


def _page(request: Request, now: dt.datetime, *, closed: bool = False, typed: dict[str, str] | None = None,
          problems: dict[str, str] | None = None, error: str | None = None, status: int = 200) -> Response:
    """The form, with a fresh token (its nonce in a cookie)."""
    settings = request.app.state.settings
    nonce = forms.new_nonce()
    context = {"who": None, "closed": closed, "closed_text": CLOSED, "fields": FIELDS, "industries": INDUSTRIES,
               "typed": typed or {}, "problems": problems or {}, "error": error,
               "token": forms.sign(settings.form_key, nonce, now)}
    response = templates.TemplateResponse(request, "report.html", context, status_code=status)
    if not closed:
        response.set_cookie(forms.NONCE_COOKIE, nonce, max_age=int(forms.FORM_TTL.total_seconds()), httponly=True,
                            samesite="strict", secure=settings.secure_cookies, path="/report")
    return response
