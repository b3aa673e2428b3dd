"""The worked examples A–G of spec/pay-rules.md §11, to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import oncall_pay as op
from helpers import (
    DUBLIN,
    LONDON,
    assert_lines_add_up,
    assert_paid,
    example_plan,
    example_policy,
    local,
    page,
    statement,
)

D = "Europe/Dublin"
WEEK = date(2026, 11, 16)
FULL_WEEK = op.Shift("alice", local(D, 2026, 11, 16), local(D, 2026, 11, 23))


def run(
    shifts: list[op.Shift],
    pages: list[op.Page] = (),
    policy: op.Policy | None = None,
    start: date = WEEK,
    end: date = WEEK,
    vols=(DUBLIN,),
) -> op.Report:  # type: ignore[assignment]
    """Compute a report for the example volunteers."""
    return op.compute(
        list(vols), shifts, list(pages), policy or example_policy(), start=start, end=end
    )


def test_a_plain_full_week() -> None:
    """A: a full week without pages pays the whole stipend and two weekend days."""
    st = statement(run([FULL_WEEK]), "alice", WEEK)
    assert_paid(st, "stipend", "300.00")
    assert_paid(st, "standby", "100.00", "weekend")
    assert st.total == Decimal("400.00")
    assert st.hours["workday_off_hours"] == 75
    assert st.hours["weekend"] == 48
    assert st.hours["in_hours"] == 45
    assert_lines_add_up(st)


def test_b_monday_0900_handoff_splits_the_stipend() -> None:
    """B: a Monday 09:00 handoff pays 114/123 of the stipend, the rest next week."""
    shift = op.Shift("alice", local(D, 2026, 11, 16, 9), local(D, 2026, 11, 23, 9))
    report = run([shift], end=date(2026, 11, 23))
    first = statement(report, "alice", WEEK)
    assert_paid(first, "stipend", "278.05")
    assert_paid(first, "standby", "100.00", "weekend")
    assert first.total == Decimal("378.05")
    second = statement(report, "alice", date(2026, 11, 23))
    assert second.total == Decimal("21.95")
    assert first.amount("stipend") + second.amount("stipend") == Decimal("300.00")


def test_c_saturday_night_callout() -> None:
    """C: a 45-minute Saturday-night page pays weekend callout and the weekend bonus."""
    p = page("P1", "alice", local(D, 2026, 11, 21, 2, 10), local(D, 2026, 11, 21, 2, 55))
    st = statement(run([FULL_WEEK], [p]), "alice", WEEK)
    assert_paid(st, "callout", "45.00", "weekend")
    assert_paid(st, "interrupted_weekend", "150.00")
    assert st.toil_days == Decimal("0.5")
    assert st.total == Decimal("595.00")
    assert st.counted_page_ids == ("P1",)


def test_d_two_pages_one_callout() -> None:
    """D: two overlapping minimum-raised pages are paid as one 50-minute callout."""
    pages = [
        page("P1", "alice", local(D, 2026, 11, 18, 23, 0), local(D, 2026, 11, 18, 23, 10)),
        page("P2", "alice", local(D, 2026, 11, 18, 23, 20), local(D, 2026, 11, 18, 23, 40)),
    ]
    st = statement(run([FULL_WEEK], pages), "alice", WEEK)
    assert_paid(st, "callout", "33.33", "workday_off_hours")
    assert_paid(st, "interrupted_weekend", "0")
    assert st.total == Decimal("433.33")


def test_e_page_in_working_hours_earns_nothing() -> None:
    """E: a page inside working hours is reported as in_hours and paid nothing."""
    p = page("P1", "alice", local(D, 2026, 11, 17, 11))
    report = run([FULL_WEEK], [p])
    assert statement(report, "alice", WEEK).total == Decimal("400.00")
    (outcome,) = report.pages
    assert (outcome.counted, outcome.reason, outcome.category) == (False, "in_hours", "in_hours")


def test_f_english_bank_holiday_weekend() -> None:
    """F: the Late Summer Bank Holiday makes one three-day block, paid once."""
    L = "Europe/London"
    shift = op.Shift("bob", local(L, 2026, 8, 28, 18), local(L, 2026, 9, 1, 9))
    p = page("P1", "bob", local(L, 2026, 8, 31, 10), local(L, 2026, 8, 31, 10, 20))
    report = run([shift], [p], start=date(2026, 8, 24), end=date(2026, 8, 31), vols=(LONDON,))
    first = statement(report, "bob", date(2026, 8, 24))
    assert_paid(first, "stipend", "131.71")
    assert_paid(first, "standby", "100.00", "weekend")
    assert first.total == Decimal("231.71")
    second = statement(report, "bob", date(2026, 8, 31))
    assert_paid(second, "stipend", "75.00")
    assert_paid(second, "standby", "100.00", "holiday")
    assert_paid(second, "callout", "40.00", "holiday")
    assert_paid(second, "interrupted_weekend", "150.00")
    assert second.toil_days == Decimal("0.5")
    assert second.total == Decimal("365.00")
    assert any(h.name == "Late Summer Bank Holiday" for h in report.holidays)


def test_g_daylight_saving_per_hour_counts_49_hours() -> None:
    """G: over the October clock change, per-hour weekend standby pays 49 hours."""
    plan = example_plan(standby={"weekend": op.StandbyRate("hour", "2.00")})
    shift = op.Shift("alice", local(D, 2026, 10, 24), local(D, 2026, 10, 26))
    st = statement(
        run([shift], policy=example_policy(plan), start=date(2026, 10, 19), end=date(2026, 10, 19)),
        "alice",
        date(2026, 10, 19),
    )
    assert_paid(st, "standby", "98.00", "weekend")
    assert st.hours["weekend"] == 49


def test_g_daylight_saving_per_day_counts_two_days() -> None:
    """G: over the October clock change, per-day weekend standby pays exactly two days."""
    shift = op.Shift("alice", local(D, 2026, 10, 24), local(D, 2026, 10, 26))
    st = statement(
        run([shift], start=date(2026, 10, 19), end=date(2026, 10, 19)), "alice", date(2026, 10, 19)
    )
    assert_paid(st, "standby", "100.00", "weekend")
    assert_paid(st, "stipend", "118.55")
    assert st.total == Decimal("218.55")
