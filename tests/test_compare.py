"""Comparing two pay runs (``compare``), two rule sets (``diff_policies``),
and the comparison workbook.

The properties run with the rest: ``HYPOTHESIS_PROFILE=thorough pytest
tests/test_compare.py`` after a change to the pay rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import attrs
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import oncall_pay as op
from helpers import DUBLIN, LONDON, example_plan, example_policy, local, page
from oncall_pay._compare import (
    Comparison,
    LineChange,
    VolunteerChange,
    compare,
    describe_comparison,
    diff_policies,
)
from oncall_pay.cli import DEMO_PERIOD, demo_files
from oncall_pay.writers.compare import write_comparison
from strategies import PayRun, pay_runs, proposed_policies, raised_policies

PROPOSED = Path(__file__).parent / "fixtures" / "rules" / "proposed.toml"
D = "Europe/Dublin"
WEEK = date(2026, 11, 16)
FULL_WEEK = op.Shift("alice", local(D, 2026, 11, 16), local(D, 2026, 11, 23))
ZERO = Decimal(0)


def run(
    policy: op.Policy,
    *,
    shifts: tuple[op.Shift, ...] = (FULL_WEEK,),
    pages: tuple[op.Page, ...] = (),
) -> op.Report:
    """Price the example volunteers' week of 16 November 2026 under ``policy``."""
    return op.compute([DUBLIN, LONDON], shifts, pages, policy, start=WEEK, end=WEEK)


def change_of(comparison: Comparison, vid: str, currency: str) -> VolunteerChange:
    """The one change of a volunteer in a currency."""
    found = [c for c in comparison.volunteers if c.volunteer_id == vid and c.currency == currency]
    assert len(found) == 1, comparison.volunteers
    return found[0]


def with_plan(**changes: object) -> op.Policy:
    """The examples policy with the example plan changed."""
    return example_policy(example_plan(**changes))


# --- the demo team under a hand-written proposal ------------------------------


@pytest.fixture(scope="module")
def demo_comparison() -> Comparison:
    """The demo's November priced under the demo rules and under proposed.toml."""
    files = demo_files()
    roster = op.read_volunteers_csv(files["volunteers"])
    shifts = op.read_shifts_csv(files["shifts"])
    pages = op.read_pages_csv(files["pages"])
    start, end = DEMO_PERIOD
    reports = [
        op.compute(roster, shifts, pages, op.load_policy(path), start=start, end=end)
        for path in (files["rules"], PROPOSED)
    ]
    return compare(reports[0], reports[1])


def test_the_demo_under_the_proposal_worked_by_hand(demo_comparison: Comparison) -> None:
    """The proposal (EUR stipend down, weekend rates up) moves pay exactly as worked out here.

    proposed.toml: EUR stipend 300.00 → 270.00, EUR weekend 50.00 → 60.00 a
    day, GBP weekend 45.00 → 60.00 a day; USD and AUD as they were. Every
    handover is Monday 09:00 local, so a week of cover is 114 of the week's
    123 off-hours (with both weekend days whole) in one pay week and 9 h of
    Monday night (no weekend) in the next.

    EUR stipend, long week: 270 × 114/123 = 250.2439… → 250.24 (was 278.05: −27.81)
    EUR stipend, Monday tail: 270 × 9/123 = 19.7560… → 19.76 (was 21.95: −2.19)
    EUR weekend: 2 days × 60.00 = 120.00 (was 100.00: +20.00)
    GBP weekend: 2 days × 60.00 = 120.00 (was 90.00: +30.00); GBP stipend unchanged

    alice (EUR): W45 tail −2.19; W47 −27.81 + 20.00 = −7.81; W48 tail −2.19
        → −12.19 on 650.28 = −1.87 %
    ciaran (EUR): W46 −7.81; W47 tail −2.19 → −10.00 on 400.00 = −2.50 %
    bob (GBP): weekends in W45 and W49, +30.00 each → +60.00 on 863.48 = +6.95 %
    priya (GBP): weekend in W48 → +30.00 on 506.25 = +5.93 %
    dana, eli (USD) and mei (AUD): unchanged.
    Totals: EUR −22.19 (1,050.28 → 1,028.09), GBP +90.00 (1,369.73 → 1,459.73),
    USD and AUD 0. 2 gain, 2 lose, 3 unchanged; 10 lines change (alice 4,
    ciaran 3, bob 2, priya 1).
    """
    c = demo_comparison
    expected = {
        ("alice", "EUR"): ("650.28", "638.09", "-12.19", "-1.87"),
        ("ciaran", "EUR"): ("400.00", "390.00", "-10.00", "-2.50"),
        ("bob", "GBP"): ("863.48", "923.48", "60.00", "6.95"),
        ("priya", "GBP"): ("506.25", "536.25", "30.00", "5.93"),
        ("dana", "USD"): ("889.31", "889.31", "0.00", "0.00"),
        ("eli", "USD"): ("1505.00", "1505.00", "0.00", "0.00"),
        ("mei", "AUD"): ("1277.38", "1277.38", "0.00", "0.00"),
    }
    got = {
        (v.volunteer_id, v.currency): (v.old_total, v.new_total, v.difference, v.percent)
        for v in c.volunteers
    }
    assert got == {k: tuple(Decimal(x) for x in v) for k, v in expected.items()}
    assert c.differences == {
        "AUD": ZERO, "EUR": Decimal("-22.19"), "GBP": Decimal("90.00"), "USD": ZERO
    }  # fmt: skip
    assert c.new_totals["EUR"] == Decimal("1028.09")
    assert list(c.outcomes().values()).count("gain") == 2
    assert list(c.outcomes().values()).count("loss") == 2
    assert list(c.outcomes().values()).count("unchanged") == 3
    lines = {
        (w.volunteer_id, w.week, line.kind, line.category): line.difference
        for w, line in c.changed_lines()
    }
    assert lines == {
        ("alice", "2026-W45", "stipend", None): Decimal("-2.19"),
        ("alice", "2026-W47", "stipend", None): Decimal("-27.81"),
        ("alice", "2026-W47", "standby", "weekend"): Decimal("20.00"),
        ("alice", "2026-W48", "stipend", None): Decimal("-2.19"),
        ("ciaran", "2026-W46", "stipend", None): Decimal("-27.81"),
        ("ciaran", "2026-W46", "standby", "weekend"): Decimal("20.00"),
        ("ciaran", "2026-W47", "stipend", None): Decimal("-2.19"),
        ("bob", "2026-W45", "standby", "weekend"): Decimal("30.00"),
        ("bob", "2026-W49", "standby", "weekend"): Decimal("30.00"),
        ("priya", "2026-W48", "standby", "weekend"): Decimal("30.00"),
    }


def test_the_demo_summary_names_the_largest_changes_first(demo_comparison: Comparison) -> None:
    """The printed summary counts winners and losers and lists changes by size of percent."""
    text = describe_comparison(demo_comparison)
    assert "7 volunteers: 2 gain, 2 lose, 3 unchanged" in text
    order = [text.index(f"  {vid} ") for vid in ("bob", "priya", "ciaran", "alice")]
    assert order == sorted(order)
    assert "(+6.95%)" in text
    assert "EUR     1,050.28 →     1,028.09       -22.19 (-2.11%)" in text
    assert "Changed lines: 10 of 43" in text


def test_the_demo_comparison_serialises_to_json(demo_comparison: Comparison) -> None:
    """A comparison is JSON: decimals as strings, outcomes by volunteer."""
    data = demo_comparison.to_dict()
    assert data["differences"]["EUR"] == "-22.19"
    assert data["outcomes"]["bob"] == "gain"
    bob = next(v for v in data["volunteers"] if v["volunteer_id"] == "bob")
    assert bob["percent"] == "6.95"
    assert '"old_total": "650.28"' in demo_comparison.to_json()


# --- pairing, one-sided statements, currencies ----------------------------------


def test_a_report_compared_with_itself_changes_nothing() -> None:
    """Comparing a run with itself: every difference is zero and no line changed."""
    report = run(example_policy())
    c = compare(report, report)
    assert all(v.difference == 0 for v in c.volunteers)
    assert list(c.changed_lines()) == []
    assert c.outcomes() == {"alice": "unchanged"}
    assert "Nobody's pay changes." in describe_comparison(c)


def test_a_statement_on_one_side_only_counts_as_zero_on_the_other() -> None:
    """A week only the new run has is a gain of its whole total, from nothing (no percent)."""
    old = run(example_policy(), shifts=())
    new = run(example_policy())
    c = compare(old, new)
    alice = change_of(c, "alice", "EUR")
    assert (alice.old_total, alice.new_total) == (ZERO, Decimal("400.00"))
    assert alice.percent is None
    (week,) = alice.weeks
    assert week.old_plan is None
    assert week.new_plan == "default"
    assert all(line.old is None for line in week.lines)
    assert sum((line.difference for line in week.lines), ZERO) == Decimal("400.00")
    back = compare(new, old)
    assert change_of(back, "alice", "EUR").percent == Decimal("-100.00")
    assert "(from nothing)" in describe_comparison(c)


def test_a_plan_that_moves_currency_is_never_summed_across_currencies() -> None:
    """A plan moved from EUR to GBP: a loss of all the EUR and a gain of all the GBP, apart."""
    old = run(example_policy())
    new = run(with_plan(currency="GBP"))
    c = compare(old, new)
    eur, gbp = change_of(c, "alice", "EUR"), change_of(c, "alice", "GBP")
    assert (eur.old_total, eur.new_total) == (Decimal("400.00"), ZERO)
    assert (gbp.old_total, gbp.new_total) == (ZERO, Decimal("400.00"))
    assert c.differences == {"EUR": Decimal("-400.00"), "GBP": Decimal("400.00")}
    assert c.outcomes() == {"alice": "mixed"}
    assert "1 gain in one currency and lose in another" in describe_comparison(c)


def test_lines_are_paired_by_kind_and_category() -> None:
    """Lines pair by kind and category, across a unit change; a line on one side counts 0."""
    old = run(with_plan(standby={"weekend": op.StandbyRate("hour", "2.00")}))
    new = run(with_plan(standby={"weekend": op.StandbyRate("day", "50.00")}, weekly_stipend="0"))
    (week,) = compare(old, new).volunteers[0].weeks
    by_key = {(line.kind, line.category): line for line in week.lines}
    weekend = by_key["standby", "weekend"]
    assert weekend.old is not None
    assert weekend.new is not None
    assert (weekend.old.unit, weekend.new.unit) == ("hour", "day")
    assert (weekend.old_amount, weekend.new_amount) == (Decimal("96.00"), Decimal("100.00"))
    stipend = by_key["stipend", None]
    assert stipend.new is None
    assert stipend.difference == Decimal("-300.00")
    assert week.difference == sum((line.difference for line in week.lines), ZERO)


def test_a_changed_rate_with_the_same_amount_is_still_a_changed_line() -> None:
    """A line whose rate changed but whose rounded amount did not is listed as changed."""
    a = LineChange("stipend", None, _item("300.00", "300.00"), _item("300.001", "300.00"))
    assert a.changed
    assert a.difference == 0
    b = LineChange("stipend", None, _item("300.00", "300.00"), _item("300.0", "300.00"))
    assert not b.changed


def _item(rate: str, amount: str) -> op.LineItem:
    return op.LineItem("stipend", None, Decimal(1), "week", Decimal(rate), None, Decimal(amount))


def test_largest_ranks_by_percent_with_changes_from_nothing_first() -> None:
    """The largest changes: from nothing first, then by size of percent; no-change left out."""
    old = run(example_policy(), shifts=(FULL_WEEK,))
    bob_week = op.Shift(
        "bob", local("Europe/London", 2026, 11, 16), local("Europe/London", 2026, 11, 23)
    )
    new = op.compute(
        [DUBLIN, LONDON], [FULL_WEEK, bob_week], [], with_plan(weekly_stipend="330.00"),
        start=WEEK, end=WEEK,
    )  # fmt: skip
    c = compare(old, new)
    assert [x.volunteer_id for x in c.largest()] == ["bob", "alice"]
    assert c.largest()[1].percent == Decimal("7.50")
    assert c.largest(1)[0].volunteer_id == "bob"


def test_a_report_with_two_statements_for_one_week_is_refused() -> None:
    """A hand-built report that pays one volunteer twice for a week is an error, not a sum."""
    report = run(example_policy())
    doubled = attrs.evolve(report, statements=report.statements * 2)
    with pytest.raises(ValueError, match="two statements for volunteer 'alice'"):
        compare(doubled, report)


def test_toil_days_are_compared_too() -> None:
    """Time off in lieu is carried old and new, per week and per volunteer."""
    pages = (page("P1", "alice", local(D, 2026, 11, 21, 2, 10), local(D, 2026, 11, 21, 2, 55)),)
    old = run(example_policy(), pages=pages)
    new = run(
        with_plan(interrupted_weekend=op.InterruptedWeekend(bonus="150.00", toil_days="1")),
        pages=pages,
    )
    alice = compare(old, new).volunteers[0]
    assert (alice.old_toil_days, alice.new_toil_days) == (Decimal("0.5"), Decimal("1"))
    assert alice.difference == 0


# --- properties -----------------------------------------------------------------


@given(pay_runs())
def test_comparing_a_run_with_itself_shows_no_change(run: PayRun) -> None:
    """Property: a report compared with itself (or a recomputation) shows no change at all."""
    report = run.compute()
    for c in (compare(report, report), compare(report, run.compute())):
        assert all(v.difference == 0 and v.percent in (None, ZERO) for v in c.volunteers)
        assert all(w.difference == 0 for w in c.weeks())
        assert list(c.changed_lines()) == []
        assert set(c.differences.values()) <= {ZERO}
        assert set(c.outcomes().values()) <= {"unchanged"}


@given(pay_runs(), st.data())
def test_raising_a_single_rate_never_shows_anyone_losing(run: PayRun, data: st.DataObject) -> None:
    """Property: one rate, fee, bonus or multiplier raised: no volunteer and no week is down."""
    richer = attrs.evolve(run, policy=data.draw(raised_policies(run.policy)))
    c = compare(run.compute(), richer.compute())
    assert all(v.difference >= 0 for v in c.volunteers), c.volunteers
    assert all(w.difference >= 0 for w in c.weeks())
    assert all(d >= 0 for d in c.differences.values())
    assert "loss" not in c.outcomes().values()
    assert "mixed" not in c.outcomes().values()


def _sums(c: Comparison) -> Iterator[tuple[Decimal, Decimal]]:
    for v in c.volunteers:
        yield v.difference, sum((w.difference for w in v.weeks), ZERO)
        for w in v.weeks:
            yield w.difference, sum((line.difference for line in w.lines), ZERO)


@given(pay_runs(), st.data())
def test_volunteer_differences_add_up_to_the_total_per_currency(
    run: PayRun, data: st.DataObject
) -> None:
    """Property: per currency, the volunteers' differences add up to the change of the total."""
    proposal = attrs.evolve(run, policy=data.draw(proposed_policies(run)))
    old, new = run.compute(), proposal.compute()
    c = compare(old, new)
    for code in {*old.totals(), *new.totals()}:
        mine = [v for v in c.volunteers if v.currency == code]
        expected = new.totals().get(code, ZERO) - old.totals().get(code, ZERO)
        assert sum((v.difference for v in mine), ZERO) == expected == c.differences[code]
        assert sum((v.old_total for v in mine), ZERO) == old.totals().get(code, ZERO)
    assert set(c.differences) == {*old.totals(), *new.totals()}
    for whole, parts in _sums(c):
        assert whole == parts


# --- diff_policies ----------------------------------------------------------------


def test_the_same_rules_have_no_differences() -> None:
    """A policy compared with itself, or with its own TOML read back, has no differences."""
    policy = op.load_policy(demo_files()["rules"])
    assert diff_policies(policy, policy) == []
    assert diff_policies(policy, op.parse_policy(policy.to_toml())) == []


def test_the_proposal_is_described_in_plain_words() -> None:
    """proposed.toml against the demo rules: the name, the EUR stipend and both weekend rates."""
    changes = diff_policies(op.load_policy(demo_files()["rules"]), op.load_policy(PROPOSED))
    assert changes == [
        "name 'Virtual on-call team (demo)' → 'Virtual on-call team (proposed)'",
        "version of 2026-01-05: plan 'default': weekly stipend 300.00 → 270.00 EUR",
        "version of 2026-01-05: plan 'default': standby on weekends 50.00 → 60.00 EUR per day",
        "version of 2026-01-05: plan 'uk': standby on weekends 45.00 → 60.00 GBP per day",
    ]


def test_every_setting_of_a_plan_is_compared() -> None:
    """Each rate, amount, multiplier, minimum, increment, cap, urgency, currency and country."""
    old = example_plan(countries=("IE",))
    new = example_plan(
        currency="GBP",
        countries=("IE", "GB"),
        weekly_stipend="310.00",
        standby={"weekend": op.StandbyRate("hour", "2.50")},
        callout=op.Callout(
            hourly="45.00", minimum_minutes=15, increment_minutes=1,
            multipliers={"weekend": "1.5", "holiday": "2.5"},
            max_minutes=240, urgencies=("high",), per_page="5.00",
        ),
        interrupted_weekend=op.InterruptedWeekend(bonus="175.00", toil_days="1"),
        limits=op.Limits(weekly_cap="1500.00"),
    )  # fmt: skip
    words = [
        line.split(": ", 2)[-1] for line in diff_policies(example_policy(old), example_policy(new))
    ]
    assert words == [
        "currency EUR → GBP",
        "countries IE → GB, IE",
        "weekly stipend 300.00 EUR → 310.00 GBP",
        "standby on weekends 50.00 EUR per day → 2.50 GBP per hour",
        "standby on public holidays 100.00 EUR per day → none",
        "callout hourly rate 40.00 EUR → 45.00 GBP",
        "callout multiplier on public holidays ×2.0 → ×2.5",
        "callout minimum 30 min → 15 min",
        "callout rounded up to 15 min → 1 min",
        "longest callout counted for one page no limit → 240 min",
        "urgencies paid all → high",
        "fee per counted page 0 EUR → 5.00 GBP",
        "interrupted-weekend bonus 150.00 EUR → 175.00 GBP",
        "time off in lieu per interrupted weekend 0.5 → 1 day(s)",
        "weekly cap none → 1500.00 GBP",
    ]


def test_multipliers_and_increments_are_compared_by_what_they_pay() -> None:
    """A multiplier of 1.0 equals a missing one; increments 0 and 1 both mean whole minutes."""
    old = example_plan(callout=op.Callout(hourly="40", multipliers={"weekend": "1.0"}))
    new = example_plan(callout=op.Callout(hourly="40.00", increment_minutes=1))
    assert diff_policies(example_policy(old), example_policy(new)) == []


def test_calendar_settings_and_rounding_are_compared() -> None:
    """Version and plan calendars: weekend, working hours, holidays, days off; and rounding."""
    old = example_policy(
        calendar=op.Calendar(extra_holidays={"*": [date(2026, 12, 24)]}, observed_holidays=True)
    )
    new_plan = example_plan(calendar=op.Calendar(working_hours=op.WorkingHours("08:00", "17:00")))
    new = example_policy(
        new_plan,
        rounding="half_even",
        calendar=op.Calendar(
            weekend_days=("friday", "saturday"),
            extra_holidays={"*": [date(2026, 12, 31)], "IE": [date(2026, 12, 29)]},
            removed_holidays={"GB": [date(2026, 5, 4)]},
            allow_missing_subdivision=True,
        ),
    )
    assert diff_policies(old, new) == [
        "version of 2026-01-05: rounding half-up → half-even",
        "version of 2026-01-05: calendar: weekend days not set → Friday, Saturday",
        "version of 2026-01-05: calendar: observed holidays on → not set",
        "version of 2026-01-05: calendar: company days off for everyone: added 2026-12-31; "
        "removed 2026-12-24",
        "version of 2026-01-05: calendar: company days off for IE: added 2026-12-29",
        "version of 2026-01-05: calendar: holidays not observed for GB: added 2026-05-04",
        "version of 2026-01-05: calendar: a missing subdivision allowed not set → yes",
        "version of 2026-01-05: plan 'default': calendar: working hours not set → 08:00–17:00",
    ]


def test_plans_added_and_removed_are_named() -> None:
    """A plan only the new rules have is added (currency, countries); one they lack is removed."""
    old = op.Policy(
        versions=[op.Version(date(2026, 1, 5), {"default": example_plan(), "x": example_plan()})]
    )
    new = op.Policy(
        versions=[
            op.Version(
                date(2026, 1, 5),
                {"default": example_plan(), "uk": example_plan(currency="GBP", countries=("GB",))},
            )
        ]
    )
    assert diff_policies(old, new) == [
        "version of 2026-01-05: plan 'uk' added (GBP, for GB)",
        "version of 2026-01-05: plan 'x' removed",
    ]


def test_a_new_version_is_compared_with_the_one_it_replaces() -> None:
    """A change published as a later version is listed against the version it replaces."""
    old = example_policy()
    later = op.Version(date(2027, 1, 4), {"default": example_plan(weekly_stipend="280.00")})
    new = attrs.evolve(old, versions=(*old.versions, later))
    assert diff_policies(old, new) == [
        "version of 2027-01-04 added, replacing the version of 2026-01-05",
        "version of 2027-01-04 (against 2026-01-05): plan 'default': "
        "weekly stipend 300.00 → 280.00 EUR",
    ]
    assert diff_policies(new, old) == [
        "version of 2027-01-04 removed; its weeks are now priced by the version of 2026-01-05"
    ]


def test_single_versions_with_different_dates_are_compared_with_each_other() -> None:
    """One version each, different effective_from: the date change and the rate change."""
    old = example_policy()
    new = op.Policy(
        name="Examples",
        versions=[op.Version(date(2026, 3, 2), {"default": example_plan(weekly_stipend="280.00")})],
    )
    assert diff_policies(old, new) == [
        "effective from 2026-01-05 → 2026-03-02",
        "version of 2026-01-05 → 2026-03-02: plan 'default': weekly stipend 300.00 → 280.00 EUR",
    ]


def test_an_earlier_version_and_the_week_start_are_reported() -> None:
    """A version before any old one is added with its plans; a new week start day is named."""
    old = example_policy()
    earlier = op.Version(date(2025, 1, 6), {"default": example_plan()})
    new = attrs.evolve(old, versions=(earlier, *old.versions), week_starts_on="sunday")
    assert diff_policies(old, new) == [
        "pay weeks start on Monday → Sunday (every pay week changes)",
        "version of 2025-01-06 added, with plans 'default'",
    ]


# --- the comparison workbook ------------------------------------------------------


def test_the_workbook_has_changes_lines_and_run(
    demo_comparison: Comparison, tmp_path: Path
) -> None:
    """Changes: a row per volunteer, Check rows; Lines: the changed lines; money as numbers."""
    out = write_comparison(demo_comparison, tmp_path / "cmp.xlsx")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Changes", "Lines", "Run"]
    rows = list(book["Changes"].iter_rows(values_only=True))
    assert rows[0][:8] == (
        "Volunteer ID", "Name", "Currency", "Weeks",
        "Old total", "New total", "Difference", "Percent",
    )  # fmt: skip
    assert rows[1][:8] == ("alice", None, "EUR", 3, 650.28, 638.09, -12.19, -1.87)
    totals = {r[0]: r for r in rows if isinstance(r[0], str) and r[0].startswith("Total ")}
    assert totals["Total EUR"][6] == -22.19
    assert totals["Total GBP"][10] == '=SUMIF(C2:C8,"GBP",G2:G8)'
    assert book["Changes"]["E2"].number_format == '#,##0.00 "EUR"'
    lines = list(book["Lines"].iter_rows(values_only=True))
    assert len(lines) == 1 + 10
    # Kind, Category, Tier (none: the plan's own rates), Unit.
    assert lines[1][:7] == ("alice", "2026-W45", lines[1][2], "stipend", None, None, "week")
    assert lines[1][9:] == (300, 270, None, None, 21.95, 19.76, -2.19, "EUR")
    assert list(tmp_path.glob("*.tmp")) == []


def test_names_from_inputs_are_written_as_text(tmp_path: Path) -> None:
    """A volunteer named like a formula stays text in the Changes sheet."""
    report = run(example_policy())
    c = compare(report, run(with_plan(weekly_stipend="310.00")))
    evil = attrs.evolve(DUBLIN, name='=HYPERLINK("http://x","y")')
    out = write_comparison(c, tmp_path / "c.xlsx", volunteers=[evil])
    cell = openpyxl.load_workbook(out)["Changes"]["B2"]
    assert cell.value == '=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"


def test_a_pinned_creation_time_gives_the_same_bytes(
    demo_comparison: Comparison, tmp_path: Path
) -> None:
    """The same comparison written twice with a pinned time is byte for byte the same."""
    when = datetime(2026, 12, 1, 12, 0)
    a = write_comparison(demo_comparison, tmp_path / "a.xlsx", created=when).read_bytes()
    b = write_comparison(demo_comparison, tmp_path / "b.xlsx", created=when).read_bytes()
    assert a == b


def test_long_sheets_go_on_in_numbered_parts(demo_comparison: Comparison, tmp_path: Path) -> None:
    """With room for 4 rows a sheet, Lines goes on in Lines (2) … and the Check spans the parts."""
    out = write_comparison(demo_comparison, tmp_path / "c.xlsx", row_limit=4)
    book = openpyxl.load_workbook(out)
    assert "Lines (4)" in book.sheetnames
    data = sum(
        1 for name in book.sheetnames if name.startswith("Lines")
        for _ in book[name].iter_rows(min_row=2)
    )  # fmt: skip
    assert data == 10
    formulas = [
        cell.value for name in book.sheetnames if name.startswith("Changes")
        for row in book[name].iter_rows() for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=SUMIF")
    ]  # fmt: skip
    assert formulas
    assert all("'Changes'!" in f for f in formulas)


def test_a_failed_write_leaves_nothing(demo_comparison: Comparison, tmp_path: Path) -> None:
    """A row limit that leaves no room is refused before any file is made."""
    with pytest.raises(ValueError, match="row_limit"):
        write_comparison(demo_comparison, tmp_path / "c.xlsx", row_limit=1)
    assert list(tmp_path.iterdir()) == []
