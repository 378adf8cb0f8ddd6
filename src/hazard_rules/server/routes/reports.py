"""Overdue hazards, statistics, exports and verification."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from ...workflow.service import reports
from ...workflow.service.desk import Desk
from .. import auth

router = APIRouter(prefix="/api/v1", tags=["reports"])

MEDIA = {".csv": "text/csv; charset=utf-8",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def grouping(by: list[str] = Query(default=[]), major_only: bool = False,
             jurisdiction: str | None = Query(default=None, pattern="^[0-9]{2,12}$"),
             jurisdiction_level: Literal["province", "city", "county", "township"] = "county",
             industry_depth: int = Query(default=1, ge=0)) -> reports.Grouping:
    return reports.Grouping([name for value in by for name in value.split(",") if name], major_only, jurisdiction,
                            jurisdiction_level, industry_depth)


@router.get("/overdue")
def overdue(desk: Desk = Depends(auth.desk), now: dt.datetime = Depends(auth.now)) -> list[dict[str, Any]]:
    """Hazards the account may see with a deadline passed now, and which (`ledger overdue`)."""
    return [{"hazard": h.model_dump(mode="json"), "late": {t: h.deadlines[t] for t in timers}}
            for h, timers in desk.overdue(now)]


@router.get("/stats")
def stats(desk: Desk = Depends(auth.desk), groups: reports.Grouping = Depends(grouping),
          as_of: str | None = Query(default=None, description="a date (its end) or an ISO date-time; default now"),
          now: dt.datetime = Depends(auth.now)) -> dict[str, Any]:
    """Open/closed/void/overdue and the rectification rate, grouped (`ledger stats`)."""
    moment = reports.parse_as_of(as_of) or now
    return {"as_of": str(moment), "rows": desk.stats(moment, groups)}


@router.get("/stats/series")
def stats_series(desk: Desk = Depends(auth.desk), groups: reports.Grouping = Depends(grouping),
                 cut_off: dt.date | None = Query(default=None, description="存量: found before it; default start"),
                 start: dt.date | None = Query(default=None, description="default: 11 months before end's month"),
                 end: dt.date | None = Query(default=None, description="default: today"),
                 step: Literal["day", "week", "month"] = "month",
                 now: dt.datetime = Depends(auth.now)) -> dict[str, Any]:
    """存量/增量, 动态清零 progress and the rectification rate at the end of each day, week
    or month from start to end (`stock_increment` as of each), and the breakdown by each
    dimension of `by` as of end (`breakdowns`): the numbers of the console's charts."""
    window = reports.Window.around(now, cut_off, start, end, step)
    return desk.series(window, groups)


@router.get("/export", response_class=Response,
            responses={200: {"content": {MEDIA[".csv"]: {}, MEDIA[".xlsx"]: {}}}})
def export(desk: Desk = Depends(auth.desk), groups: reports.Grouping = Depends(grouping),
           what: list[str] = Query(), format: Literal["csv", "xlsx"] = "xlsx", as_of: str | None = None,
           cut_off: dt.date | None = None, period: str | None = None,
           now: dt.datetime = Depends(auth.now)) -> Response:
    """Statistics tables as CSV (one table) or XLSX (a sheet each), Chinese headers (`ledger export`)."""
    kind, quarter = f".{format}", reports.parse_period(period)
    moment = reports.parse_as_of(as_of) or reports.default_as_of(what, quarter, now)
    body = desk.export(what, kind, moment, groups, cut_off, quarter)
    return Response(body, media_type=MEDIA[kind],
                    headers={"Content-Disposition": f'attachment; filename="hazard-statistics{kind}"'})


@router.get("/verify")
def verify(desk: Desk = Depends(auth.desk)) -> dict[str, Any]:
    """Every hash chain and projection checked against a replay (`ledger verify`)."""
    problems = desk.verify()
    return {"ok": not problems, "problems": problems}
