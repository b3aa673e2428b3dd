"""On-call health (spec/health.md): the load measures, the rest and streak
notices, the [health] rules table, the Health sheet and its chart."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import oncall_pay as op
from helpers import DUBLIN, LONDON, example_policy, local, page
from oncall_pay._explain import health_line
from oncall_pay._health import Fairness, Health, TeamMonth, VolunteerMonth, gini
from oncall_pay._rules import HealthSettings, SleepHours
from oncall_pay.cli import main
from oncall_pay.writers.workbook import write_workbook
from strategies import PayRun, health_settings, pay_runs

D, L, S = "Europe/Dublin", "Europe/London", "Australia/Sydney"
SYDNEY = op.Volunteer("mei", "Mei Chen", "AU", S, "NSW")


def notices(report: op.Report, kind: str) -> list[op.Notice]:
    """The report's notices of one kind."""
    return [n for n in report.notices if n.kind == kind]


def health(report: op.Report) -> Health:
    """The report's health measures (compute always fills them)."""
    assert report.health is not None
    return report.health


def volunteer_month(report: op.Report, vid: str, month: str) -> VolunteerMonth:
    """One volunteer's row for one month."""
    (found,) = [v for v in health(report).volunteers if (v.volunteer_id, v.month) == (vid, month)]
    return found


# --- November 2026 for two volunteers, worked by hand ----------------------------
#
# Weeks starting 26 October to 30 November are reported: 26 October to
# 6 December. October and December are partial; November is whole.
#
# Alice (Dublin, GMT) covers Mon 16 Nov 09:00 – Mon 23 Nov 09:00: 114 h of
# off-hours that week and 9 h the next (example B) = 123 h, 8 local dates.
#   Tue 17 11:00        in working hours: not counted.
#   Wed 18 23:00, 23:20 counted, sleep hours; one callout 23:00–23:50 (30-min
#                       minimum, 15-min steps), then 9 h 10 min to Thu 09:00:
#                       a rest notice.
#   Thu 19 19:00        counted, not in sleep hours; the callout ends 19:30.
#   Sat 21 02:10        counted, sleep hours; interrupts the rest block 21–22
#                       Nov; ends 02:55, and work starts Monday: no notice.
# Bob (London, GMT) covers Mon 2 Nov 09:00 – Mon 16 Nov 09:00: 114 + 123 + 9 =
# 246 h, 15 local dates in a row (a streak, more than 8).
#   Sun 8 14:00         counted, weekend, not sleep; interrupts 7–8 Nov.
#   Fri 13 07:30        counted, sleep; the callout 07:30–08:00 ends at 08:00
#                       sharp, its last moment in sleep hours: 1 h of rest
#                       before 09:00, a rest notice.
# Team, November: 6 counted pages, 4 in sleep hours, 2 rest blocks, 2
# volunteers paged, below the target of 10. Shares 4/6 and 2/6.
# Fairness: hours 123 and 246: median 184.5, Gini (246 − 123) / (2 · 369) = 1/6;
# pages 4 and 2: median 3, Gini (4 − 2) / (2 · 6) = 1/6.

NOVEMBER_SHIFTS = (
    op.Shift("alice", local(D, 2026, 11, 16, 9), local(D, 2026, 11, 23, 9)),
    op.Shift("bob", local(L, 2026, 11, 2, 9), local(L, 2026, 11, 16, 9)),
)
NOVEMBER_PAGES = (
    page("A1", "alice", local(D, 2026, 11, 17, 11), local(D, 2026, 11, 17, 11, 20)),
    page("A2", "alice", local(D, 2026, 11, 18, 23), local(D, 2026, 11, 18, 23, 10)),
    page("A3", "alice", local(D, 2026, 11, 18, 23, 20), local(D, 2026, 11, 18, 23, 40)),
    page("A4", "alice", local(D, 2026, 11, 19, 19), local(D, 2026, 11, 19, 19, 20)),
    page("A5", "alice", local(D, 2026, 11, 21, 2, 10), local(D, 2026, 11, 21, 2, 55)),
    page("B1", "bob", local(L, 2026, 11, 8, 14), local(L, 2026, 11, 8, 14, 10)),
    page("B2", "bob", local(L, 2026, 11, 13, 7, 30), local(L, 2026, 11, 13, 7, 40)),
)


@pytest.fixture(scope="module")
def november() -> op.Report:
    """The hand-worked November run."""
    return op.compute(
        [DUBLIN, LONDON], NOVEMBER_SHIFTS, NOVEMBER_PAGES, example_policy(),
        start=date(2026, 10, 26), end=date(2026, 11, 30),
    )  # fmt: skip


def test_team_months_cover_every_reported_month_and_mark_the_partial_ones(
    november: op.Report,
) -> None:
    """The team's row per UTC month: counted and sleep-hour pages, rest blocks, who was paged."""
    assert health(november).months == (
        TeamMonth("2026-10", True, 0, 0, 0, 0, True),
        TeamMonth("2026-11", False, 6, 4, 2, 2, True),
        TeamMonth("2026-12", True, 0, 0, 0, 0, True),
    )


def test_volunteer_months_hold_hours_pages_sleep_blocks_runs_and_share(
    november: op.Report,
) -> None:
    """Per volunteer and month: off-hours hours, pages, sleep pages, blocks, longest run, share."""
    assert health(november).volunteers == (
        VolunteerMonth("alice", "2026-11", Decimal("123.000000"), 4, 3, 1, 8, Decimal("0.6667")),
        VolunteerMonth("bob", "2026-11", Decimal("246.000000"), 2, 1, 1, 15, Decimal("0.3333")),
    )


def test_fairness_gives_min_median_max_and_gini(november: op.Report) -> None:
    """Fairness over the volunteers with cover: hours and pages, each with its Gini."""
    assert health(november).fairness == (
        Fairness("off_hours_hours", 2, Decimal("123.000000"), Decimal("184.500000"),
                 Decimal("246.000000"), Decimal("0.1667")),
        Fairness("counted_pages", 2, Decimal("2"), Decimal("3"), Decimal("4"), Decimal("0.1667")),
    )  # fmt: skip


def test_a_callout_ending_in_sleep_hours_with_too_little_rest_gives_a_rest_notice(
    november: op.Report,
) -> None:
    """rest: the callout, the rest actually had and time off in lieu, once per night."""
    alice = [n for n in notices(november, "rest") if n.volunteer_id == "alice"]
    assert [n.detail for n in alice] == [
        "callout 2026-11-18T23:00+00:00 – 2026-11-18T23:50+00:00 ended in sleep hours "
        "(22:00–08:00); 9 h 10 min of rest before the next in-hours start at "
        "2026-11-19T09:00+00:00, less than the 11 h owed: consider time off in lieu"
    ]


def test_a_callout_ending_at_the_end_of_sleep_hours_ended_in_them(november: op.Report) -> None:
    """A callout that ends at 08:00 sharp worked through the last minute of sleep."""
    (bob,) = [n for n in notices(november, "rest") if n.volunteer_id == "bob"]
    assert bob.detail.startswith("callout 2026-11-13T07:30+00:00 – 2026-11-13T08:00+00:00 ")
    assert "1 h 00 min of rest before the next in-hours start at 2026-11-13T09:00+00:00" in (
        bob.detail
    )


def test_more_than_max_consecutive_days_gives_a_streak_notice(november: op.Report) -> None:
    """streak: 15 local days in a row names the dates; a week with a Monday handoff (8) does not."""
    assert [(n.volunteer_id, n.detail) for n in notices(november, "streak")] == [
        ("bob", "on call 15 local days in a row, 2026-11-02 – 2026-11-16: "
                "more than max_consecutive_days = 8"),
    ]  # fmt: skip


def test_notices_do_not_change_pay(november: op.Report) -> None:
    """The working-time notices are notices: the statements are those of a run without them."""
    quiet = attrs.evolve(
        example_policy(),
        health=HealthSettings(min_rest_hours=Decimal(0), max_consecutive_days=100),
    )
    other = op.compute(
        [DUBLIN, LONDON], NOVEMBER_SHIFTS, NOVEMBER_PAGES, quiet,
        start=date(2026, 10, 26), end=date(2026, 11, 30),
    )  # fmt: skip
    assert not notices(other, "rest")
    assert not notices(other, "streak")
    assert other.statements == november.statements


def test_the_health_measures_are_in_the_json(november: op.Report) -> None:
    """Report.to_json() carries the settings, the months, the volunteers and fairness."""
    data = json.loads(november.to_json())["health"]
    assert data["settings"]["sleep_hours"] == {"start": "22:00", "end": "08:00"}
    assert data["settings"]["min_rest_hours"] == "11"
    assert data["months"][1] == {
        "month": "2026-11", "partial": False, "counted_pages": 6, "sleep_hour_pages": 4,
        "interrupted_rest_blocks": 2, "volunteers_paged": 2, "below_target": True,
        "escalations": 0,
    }  # fmt: skip
    assert data["volunteers"][0]["off_hours_hours"] == "123.000000"
    assert data["fairness"][0]["gini"] == "0.1667"


def test_a_month_at_the_target_is_not_healthy(november: op.Report) -> None:
    """Healthy means fewer counted pages than the target: 6 pages against a target of 6 is not."""
    strict = attrs.evolve(example_policy(), health=HealthSettings(monthly_page_target=6))
    report = op.compute(
        [DUBLIN, LONDON], NOVEMBER_SHIFTS, NOVEMBER_PAGES, strict,
        start=date(2026, 10, 26), end=date(2026, 11, 30),
    )  # fmt: skip
    month = health(report).month("2026-11")
    assert month is not None
    assert not month.below_target
    assert health_line(report.health, "2026-11") == (
        "November 2026: 6 counted pages (target < 6): not healthy"
    )
    assert health_line(november.health, "2026-11") == (
        "November 2026: 6 counted pages (target < 10): healthy"
    )
    assert health_line(november.health, "2026-12") == (
        "December 2026: 0 counted pages (target < 10): healthy (partial month)"
    )


# --- sleep hours, months in UTC, daylight saving ----------------------------------


@pytest.mark.parametrize(
    ("window", "wall", "inside"),
    [
        (("22:00", "08:00"), time(22, 0), True),
        (("22:00", "08:00"), time(23, 59, 59), True),
        (("22:00", "08:00"), time(0, 0), True),
        (("22:00", "08:00"), time(7, 59, 59, 999999), True),
        (("22:00", "08:00"), time(8, 0), False),
        (("22:00", "08:00"), time(21, 59), False),
        (("00:00", "06:00"), time(0, 0), True),
        (("00:00", "06:00"), time(6, 0), False),
        (("00:00", "06:00"), time(23, 0), False),
        (("23:00", "24:00"), time(23, 30), True),
        (("23:00", "24:00"), time(0, 0), False),
    ],
)
def test_sleep_hours_are_half_open_and_may_cross_midnight(
    window: tuple[str, str], wall: time, inside: bool
) -> None:
    """[start, end) of local wall-clock time, across midnight when end is before start."""
    assert SleepHours(*window).contains(wall) is inside


def test_months_are_utc_months_and_a_local_day_is_cut_at_the_month_start() -> None:
    """Sydney's 1 December 06:00 is 30 November in UTC; its off-hours split at 00:00 UTC.

    Cover Mon 30 Nov – Wed 2 Dec 00:00 (AEDT, +11): each workday has 15 h of
    off-hours. In UTC, 30 Nov's 15 h and 1 Dec's 00:00–09:00 fall in November
    (24 h), 1 Dec's 18:00–24:00 (07:00–13:00 UTC) in December (6 h).
    """
    report = op.compute(
        [SYDNEY],
        [op.Shift("mei", local(S, 2026, 11, 30), local(S, 2026, 12, 2))],
        [page("M1", "mei", local(S, 2026, 12, 1, 6), local(S, 2026, 12, 1, 6, 10))],
        example_policy(),
        start=date(2026, 11, 30),
        end=date(2026, 11, 30),
    )
    assert health(report).volunteers == (
        VolunteerMonth("mei", "2026-11", Decimal("24.000000"), 1, 1, 0, 2, Decimal("1.0000")),
        VolunteerMonth("mei", "2026-12", Decimal("6.000000"), 0, 0, 0, 2, Decimal("0.0000")),
    )
    assert [(m.month, m.partial, m.counted_pages) for m in health(report).months] == [
        ("2026-11", True, 1),
        ("2026-12", True, 0),
    ]
    (rest,) = notices(report, "rest")
    assert "2 h 30 min of rest before the next in-hours start at 2026-12-01T09:00+11:00" in (
        rest.detail
    )


def test_rest_across_the_night_the_clocks_go_back_is_elapsed_time() -> None:
    """Dublin, 25 Oct 2026: a callout ending 01:30 IST leaves 8 h 30 min, not 7 h 30, to 09:00 GMT.

    Sunday is a workday here (weekend Friday–Saturday). The page at 00:30 IST
    (23:30 UTC) is worked 60 min, to 01:30 IST (00:30 UTC); the clocks go back
    at 01:00 UTC, and work starts at 09:00 GMT (09:00 UTC).
    """
    policy = example_policy(calendar=op.Calendar(weekend_days=("friday", "saturday")))
    at = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    report = op.compute(
        [DUBLIN],
        [op.Shift("alice", local(D, 2026, 10, 24, 18), local(D, 2026, 10, 25, 9))],
        [op.Page("N1", "alice", at, worked=timedelta(minutes=60))],
        policy,
        start=date(2026, 10, 19),
        end=date(2026, 10, 19),
    )
    (rest,) = notices(report, "rest")
    assert rest.detail.startswith(
        "callout 2026-10-25T00:30+01:00 – 2026-10-25T01:30+01:00 ended in sleep hours"
    )
    assert "8 h 30 min of rest before the next in-hours start at 2026-10-25T09:00+00:00" in (
        rest.detail
    )
    assert volunteer_month(report, "alice", "2026-10").sleep_hour_pages == 1


def test_off_hours_hours_are_elapsed_across_the_clock_change() -> None:
    """Example G: Sat 24 – Mon 26 Oct in Dublin holds 49 h of weekend (Sunday has 25 h)."""
    report = op.compute(
        [DUBLIN],
        [op.Shift("alice", local(D, 2026, 10, 24), local(D, 2026, 10, 26))],
        [],
        example_policy(),
        start=date(2026, 10, 19),
        end=date(2026, 10, 19),
    )
    row = volunteer_month(report, "alice", "2026-10")
    assert (row.off_hours_hours, row.longest_run_days) == (Decimal("49.000000"), 2)


def test_a_second_callout_in_the_night_gives_one_notice_about_the_last() -> None:
    """Two callouts ending in sleep before the same morning: one notice, the shorter rest."""
    report = op.compute(
        [DUBLIN],
        [op.Shift("alice", local(D, 2026, 11, 16, 9), local(D, 2026, 11, 23, 9))],
        [
            page("A1", "alice", local(D, 2026, 11, 17, 23), local(D, 2026, 11, 17, 23, 10)),
            page("A2", "alice", local(D, 2026, 11, 18, 4), local(D, 2026, 11, 18, 4, 45)),
        ],
        example_policy(),
        start=date(2026, 11, 16),
        end=date(2026, 11, 16),
    )
    (rest,) = notices(report, "rest")
    assert rest.detail.startswith(
        "callout 2026-11-18T04:00+00:00 – 2026-11-18T04:45+00:00 (the last of 2 callouts "
        "that ended in sleep hours before it) ended in sleep hours (22:00–08:00); "
        "4 h 15 min of rest before the next in-hours start"
    )


def test_rest_broken_by_a_later_callout_is_measured_to_that_callout() -> None:
    """A callout at 07:30 (ending after sleep hours) cuts the rest after the 01:00 one short."""
    report = op.compute(
        [DUBLIN],
        [op.Shift("alice", local(D, 2026, 11, 16, 9), local(D, 2026, 11, 23, 9))],
        [
            page("A1", "alice", local(D, 2026, 11, 18, 0, 30), local(D, 2026, 11, 18, 1)),
            page("A2", "alice", local(D, 2026, 11, 18, 7, 30), local(D, 2026, 11, 18, 8, 15)),
        ],
        example_policy(),
        start=date(2026, 11, 16),
        end=date(2026, 11, 16),
    )
    (rest,) = notices(report, "rest")
    assert "6 h 30 min of rest before the next callout at 2026-11-18T07:30+00:00" in rest.detail


def test_only_pages_counted_in_the_reported_weeks_count() -> None:
    """A page in an unreported week is outside the measures, as it is outside pay."""
    report = op.compute(
        [DUBLIN], NOVEMBER_SHIFTS[:1], NOVEMBER_PAGES[:5], example_policy(),
        start=date(2026, 11, 23), end=date(2026, 11, 23),
    )  # fmt: skip
    (row,) = health(report).volunteers
    # Only Monday 23 Nov 00:00–09:00 of the cover is in the reported week.
    assert (row.off_hours_hours, row.counted_pages, row.longest_run_days) == (
        Decimal("9.000000"), 0, 8,
    )  # fmt: skip
    assert not notices(report, "rest")


def test_a_run_without_pay_weeks_has_empty_health() -> None:
    """No reported week: no months, no volunteers, no fairness figures."""
    report = op.compute([DUBLIN], [], [], example_policy(),
                        start=date(2026, 11, 17), end=date(2026, 11, 18))  # fmt: skip
    assert health(report) == Health(HealthSettings(), (), (), ())


# --- the [health] rules table -----------------------------------------------------


def test_the_health_table_builds_the_policy_settings() -> None:
    """[health] in the rules file becomes Policy.health; unset keys keep their defaults."""
    text = """
[health]
monthly_page_target = 6
sleep_hours = { start = "23:00", end = "07:00" }
min_rest_hours = "10.5"

[[versions]]
effective_from = 2026-01-05
  [versions.plans.default]
  currency = "EUR"
"""
    policy = op.parse_policy(text)
    assert policy.health == HealthSettings(
        monthly_page_target=6,
        sleep_hours=SleepHours("23:00", "07:00"),
        min_rest_hours=Decimal("10.5"),
        max_consecutive_days=8,
    )
    text = policy.to_toml()
    assert op.parse_policy(text) == policy
    assert (
        '[health]\nmonthly_page_target = 6\nsleep_hours = { start = "23:00", end = "07:00" }'
        in text
    )


def test_default_health_settings_are_not_written() -> None:
    """A policy with the default settings writes no [health] table."""
    assert "[health]" not in example_policy().to_toml()


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: HealthSettings(monthly_page_target=0), "monthly_page_target"),
        (lambda: HealthSettings(max_consecutive_days=0), "max_consecutive_days"),
        (lambda: HealthSettings(min_rest_hours=Decimal(-1)), "min_rest_hours"),
        (lambda: SleepHours("22:00", "22:00"), "sleep_hours"),
        (lambda: SleepHours("10pm", "08:00"), "sleep_hours"),
    ],
)
def test_bad_health_settings_in_code_are_refused(build: Callable[[], object], field: str) -> None:
    """Settings built in code are checked like the rules file's."""
    with pytest.raises(op.PolicyError) as caught:
        build()
    assert caught.value.problems[0].field == field


@given(health_settings())
def test_health_settings_read_back_equal(settings: HealthSettings) -> None:
    """parse_policy(to_toml()) keeps any [health] settings."""
    policy = attrs.evolve(example_policy(), health=settings)
    assert op.parse_policy(policy.to_toml()) == policy


# --- properties -----------------------------------------------------------------------


@given(pay_runs(max_volunteers=3, max_pages=6))
def test_team_months_are_the_sums_over_volunteers(run: PayRun) -> None:
    """The team's counted pages (and sleep pages, rest blocks) per month add up the volunteers'."""
    report = run.compute()
    measures = health(report)
    for month in measures.months:
        mine = [v for v in measures.volunteers if v.month == month.month]
        assert month.counted_pages == sum(v.counted_pages for v in mine)
        assert month.sleep_hour_pages == sum(v.sleep_hour_pages for v in mine)
        assert month.interrupted_rest_blocks == sum(v.interrupted_rest_blocks for v in mine)
        assert month.volunteers_paged == sum(1 for v in mine if v.counted_pages)
        assert month.below_target == (month.counted_pages < measures.settings.monthly_page_target)
        assert month.escalations == sum(v.escalations for v in mine)
    # Pages counted in shadow time are paid by a shadow tier but are not load
    # (docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows).
    # Whether a tier is a shadow tier is read in the version of the page's
    # week: versions may give one tier name to different roles.
    volunteers = {v.id: v for v in run.volunteers}

    def in_shadow(page: op.PageOutcome) -> bool:
        version = run.policy.version_for(page.week_start)
        if page.tier is None or version is None:
            return False
        plan = version.plans[version.plan_name_for(volunteers[page.volunteer_id])]
        tier = plan.plan_tier(page.tier)
        return tier is not None and tier.shadow

    counted = sum(p.counted and not in_shadow(p) for p in report.pages)
    assert sum(m.counted_pages for m in measures.months) == counted
    escalated = sum(p.counted and p.tier is not None and not in_shadow(p) for p in report.pages)
    assert sum(m.escalations for m in measures.months) == escalated
    # Off-hours hours are the statements' off-hours cover, month by month.
    by_volunteer: dict[str, Decimal] = {}
    for v in measures.volunteers:
        by_volunteer[v.volunteer_id] = by_volunteer.get(v.volunteer_id, Decimal(0)) + (
            v.off_hours_hours
        )
    for vid, hours in by_volunteer.items():
        paid = sum(
            (s.covered[c] for s in report.statements if s.volunteer_id == vid
             for c in ("workday_off_hours", "night", "weekend", "holiday")),
            timedelta(0),
        )  # fmt: skip
        assert abs(hours - Decimal(paid // timedelta(microseconds=1)) / 3_600_000_000) < Decimal(
            "0.00001"
        )


@given(pay_runs(), st.data())
def test_cutting_a_shift_in_two_changes_no_measure(run: PayRun, data: st.DataObject) -> None:
    """Health and its notices depend on the cover, not on how it is cut into shifts."""
    bounded = [s for s in run.shifts if s.start is not None and s.end is not None]
    if not bounded:
        return
    shift = data.draw(st.sampled_from(bounded))
    assert shift.start is not None
    assert shift.end is not None
    first, last = shift.start.astimezone(UTC), shift.end.astimezone(UTC)
    seconds = int((last - first).total_seconds())
    if seconds < 2:
        return
    cut = first + timedelta(seconds=data.draw(st.integers(1, seconds - 1)))
    shifts = [s for s in run.shifts if s is not shift]
    shifts += [attrs.evolve(shift, end=cut), attrs.evolve(shift, start=cut)]
    before, after = run.compute(), attrs.evolve(run, shifts=tuple(shifts)).compute()
    assert after.health == before.health
    kinds = ("rest", "streak")
    assert [n for n in after.notices if n.kind in kinds] == [
        n for n in before.notices if n.kind in kinds
    ]


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=12), st.integers(0, 10_000))
def test_gini_is_zero_for_an_equal_load(n: list[int], value: int) -> None:
    """Everyone carrying the same gives a Gini of 0, whatever the amount."""
    assert gini([value] * len(n)) == 0


@given(st.lists(st.integers(0, 10_000), min_size=2, max_size=12), st.data())
def test_gini_grows_when_load_moves_to_one_person(values: list[int], data: st.DataObject) -> None:
    """Moving some load from anyone to the most loaded person raises the Gini."""
    top = values.index(max(values))
    donors = [i for i, v in enumerate(values) if i != top and v > 0]
    if not donors:
        return
    donor = data.draw(st.sampled_from(donors))
    moved = data.draw(st.integers(1, values[donor]))
    after = list(values)
    after[donor] -= moved
    after[top] += moved
    assert gini(after) > gini(values)
    assert 0 <= gini(after) <= Fraction(len(values) - 1, len(values))


def test_gini_of_one_person_carrying_everything() -> None:
    """One of four carrying all the pages: (n − 1) / n = 0.75."""
    assert gini([0, 0, 12, 0]) == Fraction(3, 4)
    assert gini([1, 1, 1, 1]) == 0


@given(pay_runs(max_volunteers=1, max_pages=0), st.integers(2, 4))
def test_volunteers_with_the_same_cover_have_a_gini_of_zero(run: PayRun, copies: int) -> None:
    """Copies of one volunteer with the same shifts: hours and pages spread evenly."""
    (v,) = run.volunteers
    vols = [attrs.evolve(v, id=f"{v.id}-{i}") for i in range(copies)]
    shifts = [attrs.evolve(s, volunteer_id=w.id) for w in vols for s in run.shifts]
    report = op.compute(vols, shifts, [], run.policy, start=run.start, end=run.end)
    for fairness in health(report).fairness:
        assert fairness.gini == 0
        assert fairness.minimum == fairness.median == fairness.maximum


# --- workbook, explain and demo ---------------------------------------------------------


def test_the_health_sheet_follows_summary_with_its_tables_and_a_chart(
    november: op.Report, tmp_path: Path
) -> None:
    """Health: team months, the chart beside them, volunteers, fairness; chart1.xml in the file."""
    path = write_workbook(november, tmp_path / "pay.xlsx", volunteers=[DUBLIN, LONDON])
    with zipfile.ZipFile(path) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert "<barChart>" in chart
    assert "<lineChart>" in chart
    # Bars: counted pages of the three months; the line: the target beside them.
    assert "<f>'Health'!$C$2:$C$4</f>" in chart
    assert "<f>'Health'!$D$2:$D$4</f>" in chart
    assert "<f>'Health'!$A$2:$A$4</f>" in chart
    wb = openpyxl.load_workbook(path)
    try:
        assert wb.sheetnames[:3] == ["Summary", "Health", "Weekly"]
        rows = [r[:10] for r in wb["Health"].iter_rows(values_only=True)]
        assert len(wb["Health"]._charts) == 1
    finally:
        wb.close()
    assert rows[1][:5] == ("2026-10", True, 0, 10, True)
    # The team's escalations last: no tiers, so none.
    assert rows[2] == ("2026-11", False, 6, 10, True, 4, 2, 2, 0, None)
    assert rows[4] == (None,) * 10
    assert rows[5][:3] == ("Volunteer ID", "Name", "Month")
    assert rows[6] == ("alice", "Alice Byrne", "2026-11", 123, 4, 3, 1, 8, 0, 0.6667)
    assert rows[9][:2] == ("Measure", "Volunteers")
    assert rows[10][:6] == ("off_hours_hours", 2, 123, 184.5, 246, 0.1667)


def test_a_report_built_by_hand_gets_an_empty_health_sheet(tmp_path: Path) -> None:
    """Without health measures the sheet holds the team header only, and no chart."""
    report = attrs.evolve(op.compute([DUBLIN], [], [], example_policy(), start=date(2026, 11, 16),
                                     end=date(2026, 11, 16)), health=None)  # fmt: skip
    path = write_workbook(report, tmp_path / "pay.xlsx")
    with zipfile.ZipFile(path) as archive:
        assert not [n for n in archive.namelist() if n.startswith("xl/charts/")]
    wb = openpyxl.load_workbook(path)
    try:
        assert [len(r) for r in wb["Health"].iter_rows(values_only=True)] == [9]
    finally:
        wb.close()


def test_a_long_volunteer_table_continues_on_health_2(november: op.Report, tmp_path: Path) -> None:
    """With 4 rows a sheet, the volunteer table goes on in Health (2) with its header."""
    path = write_workbook(november, tmp_path / "pay.xlsx", volunteers=[DUBLIN], row_limit=4)
    wb = openpyxl.load_workbook(path)
    try:
        names = [n for n in wb.sheetnames if n.startswith("Health")]
        parts = [[r[:3] for r in wb[n].iter_rows(values_only=True)] for n in names]
    finally:
        wb.close()
    assert names == ["Health", "Health (2)", "Health (3)"]
    assert [len(p) for p in parts] == [4, 3, 3]
    assert parts[1] == [("Volunteer ID", "Name", "Month"), ("alice", "Alice Byrne", "2026-11"),
                        ("bob", None, "2026-11")]  # fmt: skip
    assert parts[2][0] == ("Measure", "Volunteers", "Min")


def test_demo_and_explain_print_the_months_health(tmp_path: Path, capsys: Any) -> None:
    """demo and explain end with one line on the month's health."""
    assert main(["demo", "--output", str(tmp_path / "demo.xlsx")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == (
        "Team health: November 2026: 8 counted pages (target < 10): healthy (partial month)"
    )
    demo = Path(str(op.__file__)).parent / "demo"
    args = [
        "explain", "--volunteers", str(demo / "volunteers.csv"), "--rules",
        str(demo / "rules.toml"), "--shifts", str(demo / "shifts.csv"), "--pages",
        str(demo / "pages.csv"), "--volunteer", "alice", "--week", "2026-W47",
    ]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Pay week 2026-W47" in out
    assert "Total: 606.38 EUR" in out
    # explain measures the whole month (weeks from 26 October on): not partial.
    assert out.splitlines()[-1] == (
        "Team health: November 2026: 8 counted pages (target < 10): healthy"
    )


# --- the picture: LibreOffice renders the demo's Health sheet -----------------------

SOFFICE = shutil.which("soffice")
PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")


def png_rgb(path: Path) -> tuple[int, int, list[bytearray]]:
    """Width, height and RGB rows of an 8-bit, non-interlaced PNG (as pdftoppm writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert (depth, colour, header[12]) == (8, 2, 0), "expected 8-bit RGB, not interlaced"
    raw, stride, size = zlib.decompress(idat), width * 3, 3
    rows: list[bytearray] = []
    prior = bytearray(stride)
    for y in range(height):
        kind_of_filter = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - size] if x >= size else 0
            up, corner = prior[x], prior[x - size] if x >= size else 0
            if kind_of_filter == 1:
                line[x] = (line[x] + left) & 255
            elif kind_of_filter == 2:
                line[x] = (line[x] + up) & 255
            elif kind_of_filter == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind_of_filter == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                guess = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + guess) & 255
        rows.append(line)
        prior = line
    return width, height, rows


@pytest.mark.slow
@pytest.mark.skipif(
    SOFFICE is None or PDFTOPPM is None or PDFTOTEXT is None,
    reason="LibreOffice (soffice) or poppler-utils (pdftoppm, pdftotext) is not installed",
)
def test_libreoffice_draws_the_demo_chart(tmp_path: Path, capsys: Any) -> None:
    """The demo workbook as LibreOffice prints it: the Health page shows the coloured chart."""
    assert SOFFICE is not None
    assert PDFTOPPM is not None
    assert PDFTOTEXT is not None
    book = tmp_path / "demo.xlsx"
    assert main(["demo", "--output", str(book)]) == 0
    capsys.readouterr()
    with zipfile.ZipFile(book) as archive:
        assert "xl/charts/chart1.xml" in archive.namelist()
    profile = tmp_path / "profile"
    subprocess.run(
        [
            SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
            "--convert-to", "pdf", "--outdir", str(tmp_path), str(book),
        ],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pdf = tmp_path / "demo.pdf"
    page_number = 0
    for number in range(1, 40):
        text = subprocess.run(
            [PDFTOTEXT, "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if text.returncode != 0:
            break
        if "Counted pages per month" in text.stdout:
            page_number = number
            assert "Sleep-hour pages" in text.stdout  # the tables share the chart's page
            break
    assert page_number, "no page of the PDF shows the chart title"
    subprocess.run(
        [PDFTOPPM, "-f", str(page_number), "-l", str(page_number), "-r", "50", "-png",
         "-singlefile", str(pdf), str(tmp_path / "health")],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    width, height, rows = png_rgb(tmp_path / "health.png")
    # The tables are black on white; the bars (blue) and the target (red) are
    # the only saturated colours on the page.
    coloured = [
        (x // 3, y)
        for y, row in enumerate(rows)
        for x in range(0, len(row), 3)
        if max(row[x : x + 3]) - min(row[x : x + 3]) > 80
    ]
    assert len(coloured) > 150, f"only {len(coloured)} coloured pixels on the Health page"
    # …and they sit in the chart, right of the tables.
    assert min(x for x, _ in coloured) > width * 0.4
    assert max(y for _, y in coloured) < height * 0.6
