"""The statistics page (统计分析) in a real browser: the vendored Chart.js loads from /static,
each chart is drawn with the numbers of the page's #chart-data (which is the API's answer,
fetched here by the page's own session), bars stand as high as their numbers, and the
charts fit a phone. The examples are registered through the intake page first, into a
server of this module's own (the walk's ledger is left as the walk expects it)."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from hazard_rules.workflow.stats import series_days

from ..conftest import EXAMPLES, ROOT
from .conftest import Console, serve

CANVASES = ("chart-stock-increment", "chart-clearing", "chart-industry", "chart-department", "chart-industry-rate")


@pytest.fixture(scope="module")
def console(driver, tmp_path_factory):
    """The console over a server and ledger of this module's own."""
    shots = os.environ.get("HAZARD_RULES_SCREENSHOTS")
    with serve(tmp_path_factory.mktemp("stats-browser")) as server:
        yield Console(driver, server, (ROOT / shots) if shots else None)


def percent(rate):
    return None if rate is None else round(rate * 1000) / 10


def expected(data: dict) -> dict[str, dict]:
    """What each canvas must show, read off the chart data as docs/server.md describes it."""
    points, bars = data["points"], data["breakdowns"]
    days = [p["as_of"] for p in points]

    def grouped(name, columns):
        rows = [r for r in bars[name] if r[name] != "*"]
        named = data["names"].get(name, {})   # industries: 中文名（code）, a code without a name as it is
        return {"labels": [f"{named[r[name]]}（{r[name]}）" if r[name] in named else r[name] or "（未填）"
                           for r in rows],
                "datasets": [{"label": label, "data": [read(r) for r in rows]} for label, read in columns]}

    counts = [("未销号", lambda r: r["open"]), ("已销号", lambda r: r["closed"]), ("逾期", lambda r: r["overdue"])]
    clearing = [{"label": "动态清零进度", "data": [percent(p["stock"]["rate"]) for p in points]}]
    if not data["major_only"]:
        clearing.append({"label": "重大隐患动态清零进度", "data": [percent(p["stock"]["major_rate"]) for p in points]})
    clearing.append({"label": "整改率", "data": [percent(p["total"]["rate"]) for p in points]})
    return {
        "chart-stock-increment": {"labels": days, "datasets": [
            {"label": "存量未销号", "data": [p["stock"]["open"] for p in points]},
            {"label": "增量未销号", "data": [p["increment"]["open"] for p in points]},
            {"label": "逾期", "data": [p["total"]["overdue"] for p in points]}]},
        "chart-clearing": {"labels": days, "datasets": clearing},
        "chart-industry": grouped("industry", counts),
        "chart-department": grouped("department", counts),
        "chart-industry-rate": grouped("industry", [("整改率", lambda r: percent(r["rate"]))]),
    }


def drawn(console) -> dict[str, dict]:
    """Wait until every chart has been drawn; what each canvas says it drew."""
    console.navigation.until(lambda d: all(
        d.execute_script(f"return document.getElementById('{c}').dataset.rendered") == "1" for c in CANVASES))
    return {c: json.loads(console.find(f"#{c}").get_attribute("data-values")) for c in CANVASES}


def test_the_statistics_page_draws_its_charts(console) -> None:
    console.sign_in("inspector")
    console.follow("登记")
    console.find("input[type=file][name=file]").send_keys(str(EXAMPLES / "inspections.jsonl"))
    console.submit(console.find("form.intake button[type=submit]"))
    console.sign_in("dept_wf")
    console.follow("统计")
    assert console.driver.current_url.endswith("/console/stats"), console.driver.current_url
    assert console.driver.execute_script("return typeof Chart") == "function"   # /static/vendor/chart.js loaded
    data = json.loads(console.find("#chart-data").get_attribute("textContent"))
    assert drawn(console) == expected(data)
    assert data["points"][-1]["total"]["found"] > 0 and len(data["points"]) == 12

    # the page's numbers are the API's, asked by the page's own session
    query = (f"?cut_off={data['cut_off']}&start={data['start']}&end={data['end']}&step={data['step']}"
             "&by=industry&by=department")
    api = console.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"fetch('/api/v1/stats/series{query}').then(r => r.json()).then(done, e => done(String(e)));")
    assert api == {key: value for key, value in data.items() if key != "names"}
    assert "工贸企业（gongmao）" in drawn(console)["chart-industry"]["labels"]

    # each bar of open hazards stands as high as its number (Chart.js laid it out from the data)
    heights = console.driver.execute_script(
        "const meta = window.hazardCharts['chart-industry'].getDatasetMeta(0);"
        "return meta.data.map(bar => Math.round(bar.base - bar.y));")
    opens = expected(data)["chart-industry"]["datasets"][0]["data"]
    assert len(heights) == len(opens) and all((h > 0) == (n > 0) for h, n in zip(heights, opens)), (heights, opens)
    if len(opens) > 1 and max(opens) > min(opens):
        assert heights[opens.index(max(opens))] > heights[opens.index(min(opens))]


def test_the_charts_fit_a_phone(console) -> None:
    console.sign_in("sab_wf")
    console.as_phone()
    try:
        console.open("/console/stats?start=2025-12-01&end=2026-11-30&step=week")
        values = drawn(console)
        weeks = series_days(dt.date(2025, 12, 1), dt.date(2026, 11, 30), "week")
        assert values["chart-stock-increment"]["labels"] == [d.isoformat() for d in weeks] and len(weeks) == 53
        widths = console.driver.execute_script(
            "return [...document.querySelectorAll('canvas')].map(c => c.getBoundingClientRect().right);")
        assert len(widths) == len(CANVASES) and max(widths) <= 390, widths
        assert not console.overflows_sideways()
        console.screenshot("10-phone-stats", full=True)
    finally:
        console.as_desktop()
    console.open("/console/stats")
    drawn(console)
    console.screenshot("11-stats", full=True)
