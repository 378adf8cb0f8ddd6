"""Statistics over time and the console's statistics page (统计分析).

The series function against the ledger with a known history (tests/workflow/test_stats.py,
on SQLite and PostgreSQL): each point is the `stock_increment` table as of that day, with
the numbers that history gives. The API endpoint for the roles that may and may not read
statistics; the page for a DEPT, without a session, for an enterprise account; the page's
chart data is the API's; the chart library comes from /static, nothing from another site."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape

import pytest

from hazard_rules.workflow import stats as st
from hazard_rules.workflow.service.ledger import Ledger

from ..conftest import ROOT
from ..workflow.test_stats import PHOTO, build, counts, step
from .conftest import sign_in

TEMPLATES = ROOT / "src" / "hazard_rules" / "server" / "templates"
STATIC = ROOT / "src" / "hazard_rules" / "server" / "static"
CUT_OFF = dt.date(2025, 1, 1)
CANVASES = ("chart-stock-increment", "chart-clearing", "chart-industry", "chart-department", "chart-industry-rate")


@pytest.fixture
def book(db_url):
    with Ledger.open(db_url) as ledger:
        build(ledger)
        yield ledger


# ---------------------------------------------------------------------------- the days of a series
def test_the_days_are_period_ends_cut_to_the_end() -> None:
    d = dt.date
    assert st.series_days(d(2024, 12, 15), d(2025, 3, 10), "month") == [d(2024, 12, 31), d(2025, 1, 31),
                                                                       d(2025, 2, 28), d(2025, 3, 10)]
    assert st.series_days(d(2024, 2, 1), d(2024, 2, 29), "month") == [d(2024, 2, 29)]        # a leap year's end
    assert st.series_days(d(2024, 12, 1), d(2025, 1, 31), "month") == [d(2024, 12, 31), d(2025, 1, 31)]
    # 2025-03-26 is a Wednesday: weeks end on Sundays
    assert st.series_days(d(2025, 3, 26), d(2025, 4, 10), "week") == [d(2025, 3, 30), d(2025, 4, 6), d(2025, 4, 10)]
    assert st.series_days(d(2025, 3, 30), d(2025, 4, 1), "day") == [d(2025, 3, 30), d(2025, 3, 31), d(2025, 4, 1)]
    assert st.series_days(d(2025, 3, 30), d(2025, 3, 30), "week") == [d(2025, 3, 30)]


def test_a_series_that_cannot_be_drawn_is_refused() -> None:
    d = dt.date
    with pytest.raises(st.StatisticsError, match="after it ends"):
        st.series_days(d(2025, 2, 1), d(2025, 1, 1), "month")
    with pytest.raises(st.StatisticsError, match="unknown step 'year'"):
        st.series_days(d(2025, 1, 1), d(2025, 2, 1), "year")
    with pytest.raises(st.StatisticsError, match=f"more than {st.MAX_POINTS} points"):
        st.series_days(d(2020, 1, 1), d(2025, 1, 1), "day")
    assert len(st.series_days(d(2025, 1, 1), d(2025, 1, 1) + dt.timedelta(days=st.MAX_POINTS - 1), "day")) \
        == st.MAX_POINTS


# ---------------------------------------------------------------------------- the series on a known ledger
def test_each_point_is_the_stock_table_as_of_that_day(book: Ledger) -> None:
    series = st.series(book, CUT_OFF, dt.date(2024, 12, 15), dt.date(2025, 6, 30))
    days = [p["as_of"] for p in series.points]
    assert days == [dt.date(2024, 12, 31), dt.date(2025, 1, 31), dt.date(2025, 2, 28), dt.date(2025, 3, 31),
                    dt.date(2025, 4, 30), dt.date(2025, 5, 31), dt.date(2025, 6, 30)]
    for point in series.points:    # one reading of the log gives what a snapshot per day gives
        rows = {r.pop("cohort"): r for r in st.stock_increment(book, CUT_OFF, point["as_of"])}
        assert (point["stock"], point["increment"], point["total"]) == (rows["stock"], rows["increment"], rows["*"])
    by_day = {p["as_of"]: p for p in series.points}
    # 2024-12-31: M1, M2, G4 found before the cut-off, all open; G4 overdue since 2024-07-01, M2 since its
    # listing's publication was due (2024-12-20); nothing found since
    end_2024 = by_day[dt.date(2024, 12, 31)]
    assert counts(end_2024["stock"]) == (3, 3, 0, 0, 2, 1, 0.0) and end_2024["increment"]["found"] == 0
    q1 = by_day[dt.date(2025, 3, 31)]
    assert counts(q1["stock"]) == (3, 3, 0, 0, 2, 1, 0.0)
    assert counts(q1["increment"]) == (4, 2, 1, 1, 1, 0, 0.3333)
    assert counts(q1["total"]) == (7, 5, 1, 1, 3, 1, 0.1667)
    june = by_day[dt.date(2025, 6, 30)]            # M1 and G4 closed: the stock is 2/3 cleared, its majors 1/2
    assert (june["stock"]["rate"], june["stock"]["major_rate"], june["increment"]["found"]) == (0.6667, 0.5, 5)
    assert june["total"]["rate"] == 0.5714
    assert [p["stock"]["closed"] for p in series.points] == [0, 0, 0, 0, 1, 2, 2]   # M1 04-10, G4 05-15


def test_a_series_of_majors_within_an_area(book: Ledger) -> None:
    series = st.series(book, CUT_OFF, dt.date(2025, 3, 1), dt.date(2025, 4, 30), major_only=True,
                       jurisdiction="37")
    april = series.points[-1]
    # Shandong's majors: M1 (stock, closed 04-10) and M2 (stock, open, overdue); M3 is in Jiangsu
    assert counts(april["stock"]) == (2, 1, 1, 0, 1, 1, 0.5) and april["increment"]["found"] == 0
    assert "major_found" not in april["stock"]
    body = series.as_dict()
    assert body["points"][-1]["as_of"] == "2025-04-30" and body["jurisdiction"] == "37" and body["major_only"]
    assert json.loads(json.dumps(body)) == body and body["breakdowns"] == {}
    lanes = st.series(book, CUT_OFF, dt.date(2025, 3, 1), dt.date(2025, 3, 31), by=["lane", "department"])
    assert lanes.breakdowns == {name: st.breakdown(book, dt.date(2025, 3, 31), by=[name])
                                for name in ("lane", "department")}


def test_a_later_event_moves_only_the_points_after_it(book: Ledger) -> None:
    before = st.series(book, CUT_OFF, dt.date(2025, 6, 1), dt.date(2025, 8, 31))
    step(book, "G5", "accept", "ENT_ASSIGNEE", "2025-07-02", actor="车间主任")
    step(book, "G5", "submit_rectification", "ENT_ASSIGNEE", "2025-07-10", actor="车间主任",
         evidence=[PHOTO], measures_taken="已清理")
    step(book, "G5", "verify_pass", "ENT_SAFETY", "2025-07-15", actor="安全员乙", opinion="合格")
    after = st.series(book, CUT_OFF, dt.date(2025, 6, 1), dt.date(2025, 8, 31))
    assert after.points[0] == before.points[0]                       # June: G5 still open
    assert [p["increment"]["closed"] - q["increment"]["closed"] for p, q in zip(after.points, before.points)] \
        == [0, 1, 1]


def test_snapshots_share_a_settled_state(book: Ledger) -> None:
    early, late, later = st.snapshots(book, [dt.date(2025, 1, 20), dt.date(2025, 2, 1), dt.date(2025, 3, 1)])
    g1 = [next(h for h in snap.hazards if h.id == "G1") for snap in (early, late, later)]
    assert g1[0].state != "CLOSED" and g1[1].state == "CLOSED"      # closed 2025-01-25
    assert g1[1] is g1[2]                                            # past its last event: replayed once
    assert [s.as_of for s in (early, late, later)] == [st.moment(dt.date(2025, m, d)) for m, d in
                                                       ((1, 20), (2, 1), (3, 1))]


def replayed(hazard_id, events, at):
    """The replay rule written out on its own: apply events in order, stop at the first one after `at`."""
    from hazard_rules.workflow.domain.state import HazardState, apply

    state, registered = HazardState(id=hazard_id), False
    for event in events:
        if event.at > at:
            break
        state, registered = apply(state, event), registered or event.action in ("register", "substantiate")
    return state if registered else None


def test_one_replay_for_many_moments_is_a_replay_per_moment(book: Ledger) -> None:
    events = book.history("M1")
    # an event recorded after a later one but dated before it (a clock that went back): replay stops at the later one
    skewed = [*events[:4], events[4].model_copy(update={"at": events[5].at + dt.timedelta(days=3)}), *events[5:]]
    ats = [st.moment(dt.date(2024, 11, d)) for d in (25, 19, 20)] + \
          [st.moment(dt.date(2025, m, d)) for m, d in ((3, 20), (3, 22), (3, 24), (4, 9), (4, 10), (1, 1))]
    for history in (events, skewed):
        assert st.states_as_of("M1", history, ats) == [replayed("M1", history, at) for at in ats]
    at_march_22 = st.states_as_of("M1", skewed, ats)[4]
    assert at_march_22.state == "PLAN_FILED"   # `start` is dated 03-23 in the skewed log: nothing after it yet
    assert st.states_as_of("M1", events, ats)[4].state == "CLOSURE_APPLIED"
    assert st.states_as_of("M1", events, [ats[1]]) == [None]                 # 2024-11-19: not yet registered


# ---------------------------------------------------------------------------- the API
def series_of(server, user, query=""):
    return server.request(user, "GET", f"/api/v1/stats/series{query}")


def test_the_series_endpoint_counts_what_the_account_may_see(server) -> None:
    response = series_of(server, "dept_wf", "?cut_off=2025-07-01&start=2026-04-15&end=2026-06-01")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [p["as_of"] for p in body["points"]] == ["2026-04-30", "2026-05-31", "2026-06-01"]
    assert (body["cut_off"], body["step"], body["jurisdiction"]) == ("2025-07-01", "month", "3707")
    assert body["breakdowns"] == {}
    # the examples were registered on 2026-06-01 (the test clock): not hazards before that day
    assert all(p["total"]["found"] == 0 for p in body["points"][:-1])
    last = body["points"][-1]
    seen = server.request("dept_wf", "GET", "/api/v1/hazards?limit=500").json()["items"]
    stock = [h for h in seen if (h["found_at"] or "9999") < "2025-07-01"]
    assert last["total"]["found"] == len(seen) > last["stock"]["found"] == len(stock) > 0
    assert last["total"]["found"] == last["stock"]["found"] + last["increment"]["found"]
    whole = server.request("dept_wf", "GET", "/api/v1/stats?as_of=2026-06-01").json()["rows"][-1]
    assert {k: last["total"][k] for k in ("found", "open", "closed", "overdue", "rate")} == \
        {k: whole[k] for k in ("found", "open", "closed", "overdue", "rate")}
    # the same numbers for a system that names 潍坊's code
    assert series_of(server, "system", "?cut_off=2025-07-01&start=2026-04-15&end=2026-06-01"
                                       "&jurisdiction=3707").json() == body


def test_the_series_endpoint_defaults_to_a_year_by_month(server) -> None:
    body = series_of(server, "sab_wf").json()
    assert (body["start"], body["end"], body["cut_off"], body["step"]) == ("2025-07-01", "2026-06-01",
                                                                           "2025-07-01", "month")
    assert len(body["points"]) == 12


@pytest.mark.parametrize("user", ["ent_zc", "boss_qd", "inspector", "evaluator", "worker_zc"])
def test_the_series_is_refused_to_accounts_that_read_no_statistics(server, user) -> None:
    response = series_of(server, user)
    assert response.status_code == 403 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "E633"


@pytest.mark.parametrize(("query", "status", "code"), [
    ("?jurisdiction=3702", 403, "E633"),                      # 青岛 is outside 潍坊
    ("?start=2026-02-01&end=2026-01-01", 400, "E621"),
    ("?start=2020-01-01&step=day", 400, "E621"),
    ("?step=year", 422, "E501"),
    ("?end=2026-06-31", 422, "E501"),
    ("?by=colour", 400, "E621"),
])
def test_a_series_request_that_cannot_be_answered(server, query, status, code) -> None:
    response = series_of(server, "dept_wf", query)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


# ---------------------------------------------------------------------------- the page


def chart_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S)
    assert found, "no chart data on the page"
    return json.loads(found.group(1))


def test_the_page_needs_a_session(console) -> None:
    console.client.cookies.clear()
    response = console.client.get("/console/stats", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/login"


def test_the_page_draws_the_numbers_of_the_api(console) -> None:
    assert sign_in(console, "dept_wf").status_code == 303
    query = "?cut_off=2025-07-01&start=2026-04-15&end=2026-06-01&step=month"
    page = console.client.get(f"/console/stats{query}")
    assert page.status_code == 200 and "统计分析" in page.text
    for canvas in CANVASES:
        assert f'<canvas id="{canvas}"' in page.text
    data = chart_data(page.text)
    api = series_of(console, "dept_wf", query + "&by=industry,department").json()
    names = data.pop("names")   # the page adds the industries' Chinese names to the API's series
    assert data == api
    charted = {r["industry"] for r in api["breakdowns"]["industry"]}
    assert names["industry"]["gongmao"] == "工贸企业" and set(names["industry"]) <= charted   # pack.yaml scope.codes
    for name in ("industry", "department"):   # the bars: the breakdown GET /stats gives as of the last day
        rows = console.request("dept_wf", "GET", f"/api/v1/stats?by={name}&as_of=2026-06-01").json()["rows"]
        assert data["breakdowns"][name] == rows and rows[-1][name] == "*"
    assert data["breakdowns"]["industry"][-1]["found"] == api["points"][-1]["total"]["found"] > 0
    # the table beside the charts shows the same points
    cells = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td><td>(\d+)</td><td>(\d+)</td>", page.text)
    assert [(d, int(s), int(o)) for d, s, o in cells] == [
        (p["as_of"], p["stock"]["found"] - p["stock"]["void"], p["stock"]["open"]) for p in api["points"]]
    # the form keeps the window; the nav links here
    assert 'name="cut_off" value="2025-07-01"' in page.text and 'href="/console/stats"' in page.text
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', page.text)
    assert scripts == ["/static/vendor/chart.js/chart.umd.min.js", "/static/stats.js"]


def test_the_page_of_majors_only(console) -> None:
    assert sign_in(console, "sab_wf").status_code == 303
    data = chart_data(console.client.get("/console/stats?major_only=true").text)
    data.pop("names")
    assert data["major_only"] is True and "major_found" not in data["points"][-1]["stock"]
    assert data == series_of(console, "sab_wf", "?major_only=true&by=industry&by=department").json()
    assert data["breakdowns"]["department"][-1]["found"] == data["points"][-1]["total"]["found"]


def test_the_page_says_why_it_shows_nothing(console) -> None:
    assert sign_in(console, "ent_zc").status_code == 303
    refused = console.client.get("/console/stats")
    assert refused.status_code == 403 and "无法统计" in refused.text and "chart-data" not in refused.text
    assert sign_in(console, "dept_wf").status_code == 303
    bad = console.client.get("/console/stats?start=2026-13-01")
    assert bad.status_code == 400 and "is not an ISO date" in unescape(bad.text)
    late = console.client.get("/console/stats?start=2026-06-02&end=2026-06-01")
    assert late.status_code == 400 and "after it ends" in late.text


# ---------------------------------------------------------------------------- offline
def test_the_chart_library_is_served_from_the_package(console) -> None:
    library = console.client.get("/static/vendor/chart.js/chart.umd.min.js")
    assert library.status_code == 200 and "javascript" in library.headers["content-type"]
    assert library.text.startswith("/*!\n * Chart.js v4.6.1")
    assert library.content == (STATIC / "vendor" / "chart.js" / "chart.umd.min.js").read_bytes()
    assert (STATIC / "vendor" / "chart.js" / "LICENSE.md").read_text(encoding="utf-8").startswith("The MIT License")
    assert "chart.js@4.6.1" in (STATIC / "vendor" / "README.md").read_text(encoding="utf-8")
    ours = console.client.get("/static/stats.js")
    assert ours.status_code == 200 and "chart-data" in ours.text


def test_no_template_or_script_of_ours_names_another_site() -> None:
    ours = [*TEMPLATES.glob("*.html"), *STATIC.glob("*.js"), *STATIC.glob("*.css")]
    assert any(p.name == "stats.html" for p in ours) and any(p.name == "stats.js" for p in ours)
    for path in ours:
        assert not re.search(r"https?://|(src|href)=\"//", path.read_text(encoding="utf-8")), path
