"""The console's intake page (登记隐患): an account that may register pastes JSON Lines or
uploads a .jsonl file; each record is classified and registered as `POST /api/v1/hazards`
does it (Desk.intake), and the page lists what became of each record."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from ...errors import HazardRulesError
from ...pipeline import Scope, classify_jsonl
from ...workflow.service.desk import Desk, IntakeItem, Tally
from .. import auth
from ..pages import templates

router = APIRouter(include_in_schema=False)
MAX_BYTES = 10 * 1024 * 1024
PASTED = "粘贴的记录"


@router.get("/console/intake", response_class=HTMLResponse)
def intake_page(request: Request) -> Response:
    who = auth.session_identity(request)
    if who is None:
        return RedirectResponse("/console/login", status_code=303)
    return _page(request, who)


@router.post("/console/intake", response_class=HTMLResponse)
async def intake(request: Request, desk: Desk = Depends(auth.desk), now: dt.datetime = Depends(auth.now)) -> Response:
    """Form fields: `records` (pasted JSON Lines) or `file` (a .jsonl upload, which wins), `scope`."""
    form = await request.form()
    upload, pasted = form.get("file"), form.get("records")
    scope: Scope = "enterprise" if form.get("scope") == "enterprise" else "finding"
    if isinstance(upload, UploadFile) and upload.filename:
        content, source = await upload.read(MAX_BYTES + 1), upload.filename
    else:
        content, source = (pasted if isinstance(pasted, str) else "").encode(), PASTED
    if len(content) > MAX_BYTES:
        return _page(request, desk.identity, error=f"文件超过 {MAX_BYTES // 1024 // 1024} MiB，请分批登记", status=413)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _page(request, desk.identity, status=400,
                     error="文件不是 UTF-8 编码的 JSON Lines（其他编码的文件可用 hazard-rules ledger intake 登记）")
    if not text.strip():
        return _page(request, desk.identity, error="没有要登记的记录：请粘贴 JSON Lines 或选择 .jsonl 文件", status=400)
    tally, items = Tally(), []
    try:
        for item in desk.intake(classify_jsonl(request.app.state.ruleset, text, source=source, scope=scope), now):
            items.append(tally.add(item))
    except HazardRulesError as exc:  # the account may not register at all
        return _page(request, desk.identity, error=f"未登记：{exc.message}", status=403)
    return _page(request, desk.identity, tally=tally, items=items, source=source)


def _page(request: Request, who: object, *, error: str | None = None, status: int = 200, tally: Tally | None = None,
          items: list[IntakeItem] | None = None, source: str | None = None) -> Response:
    return templates.TemplateResponse(request, "intake.html", {
        "who": who, "csrf": auth.session_csrf(request), "error": error, "tally": tally, "items": items or [],
        "source": source}, status_code=status)
