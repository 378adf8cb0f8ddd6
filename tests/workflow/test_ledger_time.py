"""Deadlines come from the jurisdiction's settings when a step is taken; `tick(now)`
turns passed deadlines into escalation events, idempotently, with no wall clock."""

from __future__ import annotations

import datetime as dt

from hazard_rules.workflow.service.ledger import Ledger

from .test_ledger import ENT, MAJOR, T0, book, register  # noqa: F401 - fixtures and helpers


def day(text: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{text}T{hour:02d}:00:00+08:00")


def test_report_deadline_and_escalation_ladder(book: Ledger) -> None:  # noqa: F811
    register(book, MAJOR)
    state = book.step(MAJOR, "classify_major", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=day("2025-03-11"),
                      fields={"interim_controls": "停用"})
    assert state.deadlines["report_due"] == "2025-03-11"          # Shandong (37): the same working day
    assert book.tick(day("2025-03-11", 18)) == []                   # due today: not late yet
    assert [h.id for h, timers in book.overdue(day("2025-03-12"))] == [MAJOR]
    first = book.tick(day("2025-03-12"))                            # 1 working day late: URGE
    assert [(e.fields["timer"], e.fields["step"]) for e in first] == [("report_due", "URGE")]
    assert book.tick(day("2025-03-12", 17)) == []                   # idempotent
    later = book.tick(day("2025-03-18"))                            # 5 working days late: 督办函
    assert [e.fields["step"] for e in later] == ["LETTER"]
    assert book.get(MAJOR).escalation == ["report_due:URGE", "report_due:LETTER"]
    book.step(MAJOR, "report_double", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=day("2025-03-21"),
              fields={"report": "r", "receipt_department": "a", "receipt_workers_congress": "b"})
    assert "report_due" not in book.get(MAJOR).deadlines
    assert book.get(MAJOR).deadlines["plan_due"] == "2025-04-07"     # 10 working days, 清明 (4-4) excluded
    assert book.verify() == []


def test_review_deadline_is_ten_days(book: Ledger) -> None:  # noqa: F811
    register(book, MAJOR)
    plan = dict.fromkeys(["targets", "methods", "funds", "organisation", "time_limit", "safety_measures"], "x")
    steps = [("classify_major", "ENT_PRINCIPAL", {"interim_controls": "c"}),
             ("report_double", "ENT_PRINCIPAL", {"report": "r", "receipt_department": "a",
                                                 "receipt_workers_congress": "b"}),
             ("file_plan", "ENT_PRINCIPAL", {"plan": plan, "rectify_due": "2025-06-30"}),
             ("start", "ENT_PRINCIPAL", {}),
             ("complete_and_assess", "EVALUATOR", {"assessment_by": "own_experts", "assessment_report": "报告"}),
             ("apply_closure", "ENT_PRINCIPAL", {"application": "申请"})]
    for action, role, fields in steps:
        state = book.step(MAJOR, action, actor="x", role=role, organisation=ENT, at=day("2025-05-06"), fields=fields)
    assert state.deadlines["review_due"] == "2025-05-16"
    assert state.deadlines["progress_due"] == "2025-08-06"          # quarterly progress reports
    escalated = book.tick(day("2025-05-19"))
    assert [(e.fields["timer"], e.fields["step"]) for e in escalated] == [("review_due", "URGE")]


def rectifying_in_qingdao(book: Ledger) -> dict[str, str]:  # noqa: F811
    """MAJOR registered in 青岛市市南区 (a 20-working-day extension window), rectifying until
    2025-06-30; returns an extension request."""
    from hazard_rules import Finding

    from .test_ledger import RECORDS, RULES

    record = dict(RECORDS[MAJOR], enterprise={**RECORDS[MAJOR]["enterprise"], "jurisdiction": "370214"})
    book.register(Finding.model_validate(record), RULES.classify(record), actor="王", role="INSPECTOR",
                  organisation=ENT, at=T0)
    plan = dict.fromkeys(["targets", "methods", "funds", "organisation", "time_limit", "safety_measures"], "x")
    for action, fields in [("classify_major", {"interim_controls": "c"}),
                           ("report_double", {"report": "r", "receipt_department": "a",
                                              "receipt_workers_congress": "b"}),
                           ("file_plan", {"plan": plan, "rectify_due": "2025-06-30"}), ("start", {})]:
        book.step(MAJOR, action, actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=day("2025-03-11"),
                  fields=fields)
    return {"reason": "r", "interim_controls": "c", "proposed_due": "2025-08-31"}


def test_extension_must_be_requested_inside_the_window(book: Ledger) -> None:  # noqa: F811
    import pytest

    from hazard_rules.workflow.service.ledger import StepRefused

    request = rectifying_in_qingdao(book)
    # Qingdao (3702): 20 working days before the due date
    with pytest.raises(StepRefused, match=r"延期须在 2025-05-30 之前申请（整改期限 \S+ 前 20 working days"):
        book.step(MAJOR, "request_extension", actor="张", role="ENT_PRINCIPAL", organisation=ENT,
                  at=day("2025-06-03"), fields=request)
    state = book.step(MAJOR, "request_extension", actor="张", role="ENT_PRINCIPAL", organisation=ENT,
                      at=day("2025-05-30"), fields=request)
    assert state.deadlines["decision_due"] == "2025-06-16"   # 10 working days; 端午 2025-06-02 excluded


def test_one_answer_to_is_it_overdue_across_midnight_in_china(book: Ledger) -> None:  # noqa: F811
    """Issue 8, bug 1: due 2025-03-11, clock 2025-03-11T20:00Z (04:00 on the 12th in China).
    overdue(), the statistics and tick() used to disagree (UTC date vs China date)."""
    from hazard_rules.workflow import stats as st

    register(book, MAJOR)
    book.step(MAJOR, "classify_major", actor="张", role="ENT_PRINCIPAL", organisation=ENT, at=day("2025-03-11"),
              fields={"interim_controls": "停用"})
    assert book.get(MAJOR).deadlines["report_due"] == "2025-03-11"
    utc_evening = dt.datetime(2025, 3, 11, 20, 0, tzinfo=dt.UTC)
    assert [h.id for h, timers in book.overdue(utc_evening)] == [MAJOR]
    assert st.breakdown(book, utc_evening)[0]["overdue"] == 1
    assert [e.fields["step"] for e in book.tick(utc_evening)] == ["URGE"]
    before_midnight = dt.datetime(2025, 3, 11, 15, 59, tzinfo=dt.UTC)  # 23:59 in China: still on time
    assert book.overdue(before_midnight) == []
    assert st.breakdown(book, before_midnight)[0]["overdue"] == 0


def test_the_extension_window_closes_at_midnight_in_china(book: Ledger) -> None:  # noqa: F811
    """The extension guard took the UTC date of the step: 2025-05-30T20:00Z is already 5-31 in China."""
    import pytest

    from hazard_rules.workflow.service.ledger import StepRefused

    request = rectifying_in_qingdao(book)
    with pytest.raises(StepRefused, match="延期须在 2025-05-30 之前申请"):
        book.step(MAJOR, "request_extension", actor="张", role="ENT_PRINCIPAL", organisation=ENT,
                  at=dt.datetime(2025, 5, 30, 20, 0, tzinfo=dt.UTC), fields=request)
