"""The console's statistics page (统计分析): charts of 存量/增量, 动态清零 progress and the
整改率 over time (the same numbers as GET /api/v1/stats/series), and of open, closed and
overdue hazards by industry and by department as of the window's last day: the page's
chart data is what GET /api/v1/stats/series?by=industry,department returns. The charts
are drawn in the browser by the vendored Chart.js (static/vendor/), nothing from a CDN."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ...errors import HazardRulesError
from ...workflow.service import reports
from ...workflow.service.desk import Desk
from .. import auth, problems
from ..pages import templates

router = APIRouter(include_in_schema=False)
STEPS = {"month": "按月", "week": "按周", "day": "按日"}
CHARTED = ("industry", "department")  # the bar charts: a breakdown by each as of the last day


@router.get("/console/stats", response_class=HTMLResponse)
def stats_page(request: Request, cut_off: str = "", start: str = "", end: str = "", step: str = "month",
               major_only: bool = False, now: dt.datetime = Depends(auth.now)) -> Response:
    """统计分析: the series and the breakdowns the account may read (DEPT, SAFETY_COMMITTEE
    within their area, SYSTEM); others see why not."""
    who = auth.session_identity(request)
    if who is None:
        return RedirectResponse("/console/login", status_code=303)
    context: dict[str, Any] = {"who": who, "csrf": auth.session_csrf(request), "steps": STEPS,
                               "major_only": major_only, "form": {"cut_off": cut_off, "start": start, "end": end,
                                                                  "step": step}}
    try:
        window = reports.Window.around(now, reports.parse_day(cut_off, "存量截止日"), reports.parse_day(start, "起"),
                                       reports.parse_day(end, "止"), step)
        series = Desk(auth.ledger(request), who).series(window, reports.Grouping(list(CHARTED), major_only))
    except HazardRulesError as exc:
        return templates.TemplateResponse(request, "stats.html", {**context, "error": exc},
                                          status_code=problems.status_of(exc.code))
    context["form"] = {"cut_off": window.cut_off.isoformat(), "start": window.start.isoformat(),
                       "end": window.end.isoformat(), "step": window.step}
    # the industry charts' labels: 中文名（code）; the API's series stays as it is
    charted = {row["industry"] for row in series["breakdowns"].get("industry", [])}
    context.update(series={**series, "names": {"industry": request.app.state.industries.of(charted)}})
    return templates.TemplateResponse(request, "stats.html", context)
