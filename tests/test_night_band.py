"""The night band (issue 15, docs/how-pay-is-computed.md#the-night-band), worked to the cent.

The plan is the spec's example plan (stipend 300.00, weekend 50.00 and
holiday 100.00 a day, callouts 40.00 an hour, at least 30 min, in steps of
15, weekend ×1.5, holiday ×2.0) with a night band 22:00–06:00, night standby
5.00 an hour and a night callout multiplier of 1.25. Working hours are
09:00–18:00, so a workday is 6 h of night (00:00–06:00), 3 h of evening
(06:00–09:00), 9 h in hours, 4 h of evening (18:00–22:00) and 2 h of night.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import openpyxl
import pytest
from hypothesis import given

import oncall_pay as op
from helpers import DUBLIN, assert_lines_add_up, assert_paid, example_plan, local, page, statement
from oncall_pay._explain import describe_policy, explain_statement
from strategies import PayRun, pay_runs

D = "Europe/Dublin"
WEEK = date(2026, 11, 16)  # Monday; no Irish holiday that week, no clock change
FULL_WEEK = op.Shift("alice", local(D, 2026, 11, 16), local(D, 2026, 11, 23))
BAND = op.NightHours("22:00", "06:00")


def night_plan(**changes: object) -> op.Plan:
    """The example plan with night standby 5.00 an hour and night callouts ×1.25."""
    plan = example_plan()
    fields: dict[str, object] = {
        "standby": {"night": op.StandbyRate("hour", "5.00"), **plan.standby},
        "callout": attrs.evolve(
            plan.callout, multipliers={**plan.callout.multipliers, "night": Decimal("1.25")}
        ),
    }
    fields.update(changes)
    return example_plan(**fields)


def night_policy(
    plan: op.Plan | None = None, band: op.NightHours | None = BAND, **calendar: object
) -> op.Policy:
    """One version from 2026-01-05 whose calendar has ``band``."""
    return op.Policy(
        name="Night",
        versions=(
            op.Version(
                effective_from=date(2026, 1, 5),
                plans={"default": plan or night_plan()},
                calendar=op.Calendar(night_hours=band, **calendar),  # type: ignore[arg-type]
            ),
        ),
    )


def run(
    shifts: list[op.Shift],
    pages: list[op.Page] = (),  # type: ignore[assignment]
    policy: op.Policy | None = None,
    start: date = WEEK,
    end: date = WEEK,
    vol: op.Volunteer = DUBLIN,
) -> op.Report:
    """A report for one volunteer."""
    return op.compute([vol], shifts, list(pages), policy or night_policy(), start=start, end=end)


def outcome(report: op.Report, pid: str) -> op.PageOutcome:
    """The outcome of one page."""
    (found,) = [p for p in report.pages if p.page_id == pid]
    return found


# --- the hours of a week ---


def test_a_full_week_has_forty_night_hours() -> None:
    """5 workdays × (00:00–06:00 + 22:00–24:00) = 40 h of night, 35 h of evenings left;
    night standby 40 h × 5.00 = 200.00; the stipend is still the whole 300.00."""
    st = statement(run([FULL_WEEK]), "alice", WEEK)
    assert st.hours == {
        "in_hours": 45, "workday_off_hours": 35, "night": 40, "weekend": 48, "holiday": 0,
    }  # fmt: skip
    assert st.week_off_hours == 123
    assert_paid(st, "stipend", "300.00")
    assert_paid(st, "standby", "200.00", "night")
    assert_paid(st, "standby", "100.00", "weekend")
    (line,) = [li for li in st.lines if li.kind == "standby" and li.category == "night"]
    assert (line.quantity, line.unit, line.rate) == (Decimal(40), "hour", Decimal("5.00"))
    assert st.total == Decimal("600.00")
    assert_lines_add_up(st)


def test_without_a_band_there_is_no_night_and_nothing_changes() -> None:
    """No band: night rates are never paid, the night hours are 0, the rest is as before."""
    st = statement(run([FULL_WEEK], policy=night_policy(band=None)), "alice", WEEK)
    assert st.hours["night"] == 0
    assert st.hours["workday_off_hours"] == 75
    assert st.amount("standby", "night") == 0
    assert st.total == Decimal("400.00")


def test_friday_night_is_night_and_saturday_morning_is_weekend() -> None:
    """The band is cut per local date: Friday 22:00–24:00 is night, Saturday
    00:00–06:00 is weekend; Sunday 22:00–24:00 is weekend, Monday 00:00–06:00 night."""
    friday = op.Shift("alice", local(D, 2026, 11, 20, 22), local(D, 2026, 11, 21, 6))
    sunday = op.Shift("alice", local(D, 2026, 11, 22, 22), local(D, 2026, 11, 23, 6))
    report = run([friday, sunday], end=date(2026, 11, 23))
    first = statement(report, "alice", WEEK)
    assert first.hours["night"] == 2
    assert first.hours["weekend"] == 6 + 2
    assert first.hours["workday_off_hours"] == 0
    second = statement(report, "alice", date(2026, 11, 23))
    assert second.hours["night"] == 6
    assert second.hours["weekend"] == 0
    assert_paid(second, "standby", "30.00", "night")


def test_a_band_ending_at_midnight_or_starting_at_midnight() -> None:
    """22:00–24:00 and 22:00–00:00 are the same band; 00:00–06:00 is only the morning."""
    late = op.Shift("alice", local(D, 2026, 11, 17, 18), local(D, 2026, 11, 18, 9))
    for band, night in (
        (op.NightHours("22:00", "24:00"), 2),
        (op.NightHours("22:00", "00:00"), 2),
        (op.NightHours("00:00", "06:00"), 6),
        (op.NightHours("20:00", "06:00"), 4 + 6),
    ):
        st = statement(run([late], policy=night_policy(band=band)), "alice", WEEK)
        assert st.hours["night"] == night, band
        assert st.hours["night"] + st.hours["workday_off_hours"] == 15, band


def test_working_hours_win_over_an_overlapping_band() -> None:
    """A band 17:00–10:00 over working hours 09:00–18:00: in-hours time is never
    night, so a workday is 9 h in hours and 15 h of night; a 17:30 page is in hours."""
    band = op.NightHours("17:00", "10:00")
    pages = [
        page("IN", "alice", local(D, 2026, 11, 17, 17, 30), local(D, 2026, 11, 17, 17, 40)),
        page("AM", "alice", local(D, 2026, 11, 18, 8, 30), local(D, 2026, 11, 18, 8, 40)),
    ]
    report = run([FULL_WEEK], pages, policy=night_policy(band=band))
    st = statement(report, "alice", WEEK)
    assert st.hours["in_hours"] == 45
    assert st.hours["night"] == 75
    assert st.hours["workday_off_hours"] == 0
    assert (outcome(report, "IN").category, outcome(report, "IN").counted) == ("in_hours", False)
    assert outcome(report, "IN").reason == "in_hours"
    assert (outcome(report, "AM").category, outcome(report, "AM").counted) == ("night", True)
    # 08:30 + 30 min minimum = 09:00: all of it night, 0.5 h × 40.00 × 1.25.
    assert_paid(st, "callout", "25.00", "night")


# --- pages ---


def test_a_tuesday_23_00_page_is_night() -> None:
    """A 20-minute page at Tuesday 23:00: 30 min (the minimum) × 40.00 × 1.25 = 25.00,
    and its page fee 10.00 × 1.25 = 12.50."""
    p = page("P1", "alice", local(D, 2026, 11, 17, 23), local(D, 2026, 11, 17, 23, 20))
    report = run([FULL_WEEK], [p], policy=night_policy(night_plan(callout=night_callout())))
    st = statement(report, "alice", WEEK)
    assert outcome(report, "P1").category == "night"
    assert st.counted_page_ids == ("P1",)
    assert_paid(st, "callout", "25.00", "night")
    assert_paid(st, "page", "12.50", "night")
    assert st.amount("interrupted_weekend") == 0  # a workday night is not a rest block
    assert st.total == Decimal("600.00") + Decimal("37.50")


def night_callout() -> op.Callout:
    """The night plan's callout with a 10.00 fee per counted page."""
    return op.Callout(
        hourly="40.00",
        minimum_minutes=30,
        increment_minutes=15,
        multipliers={"night": "1.25", "weekend": "1.5", "holiday": "2.0"},
        per_page="10.00",
    )


def test_a_callout_across_the_band_edge_is_split_between_evening_and_night() -> None:
    """A page at 21:30 worked to 22:30: 0.5 h evening × 1.0 and 0.5 h night × 1.25."""
    p = page("P1", "alice", local(D, 2026, 11, 17, 21, 30), local(D, 2026, 11, 17, 22, 30))
    st = statement(run([FULL_WEEK], [p]), "alice", WEEK)
    assert_paid(st, "callout", "20.00", "workday_off_hours")
    assert_paid(st, "callout", "25.00", "night")


def test_a_saturday_night_page_is_weekend_not_night() -> None:
    """Example C with a band: Saturday 02:10–02:55 is weekend time (weekends win)."""
    p = page("P1", "alice", local(D, 2026, 11, 21, 2, 10), local(D, 2026, 11, 21, 2, 55))
    report = run([FULL_WEEK], [p])
    st = statement(report, "alice", WEEK)
    assert outcome(report, "P1").category == "weekend"
    assert_paid(st, "callout", "45.00", "weekend")
    assert st.amount("callout", "night") == 0
    assert_paid(st, "interrupted_weekend", "150.00")


def test_a_bank_holiday_monday_night_is_holiday() -> None:
    """Monday 3 August 2026 (August Bank Holiday) 02:00 is holiday time: 30 min × 40.00
    × 2.0 = 40.00; Tuesday 02:00 is night again: 30 min × 40.00 × 1.25 = 25.00."""
    week = date(2026, 8, 3)
    shift = op.Shift("alice", local(D, 2026, 8, 3), local(D, 2026, 8, 10))
    pages = [
        page("HOL", "alice", local(D, 2026, 8, 3, 2), local(D, 2026, 8, 3, 2, 10)),
        page("TUE", "alice", local(D, 2026, 8, 4, 2), local(D, 2026, 8, 4, 2, 10)),
    ]
    report = run([shift], pages, start=week, end=week)
    st = statement(report, "alice", week)
    assert outcome(report, "HOL").category == "holiday"
    assert outcome(report, "TUE").category == "night"
    assert_paid(st, "callout", "40.00", "holiday")
    assert_paid(st, "callout", "25.00", "night")
    # Four workdays of night, the holiday none of it.
    assert st.hours == {
        "in_hours": 36, "workday_off_hours": 28, "night": 32, "weekend": 48, "holiday": 24,
    }  # fmt: skip


# --- stipend and per-day standby ---


def test_a_band_does_not_change_the_stipend() -> None:
    """Night is off-hours: a Monday 18:00 → Tuesday 09:00 shift is 15 of the week's 123
    off-hours with or without a band (36.59 of 300.00)."""
    shift = op.Shift("alice", local(D, 2026, 11, 16, 18), local(D, 2026, 11, 17, 9))
    for band in (BAND, None):
        st = statement(run([shift], policy=night_policy(band=band)), "alice", WEEK)
        assert st.week_off_hours == 123
        assert_paid(st, "stipend", "36.59")


def test_per_day_night_standby_pays_each_days_covered_share_of_its_night() -> None:
    """Tuesday 22:00 → Wednesday 02:00: 2 of Tuesday's 8 night hours and 2 of
    Wednesday's: 0.5 day × 20.00 = 10.00."""
    plan = night_plan(standby={"night": op.StandbyRate("day", "20.00")})
    shift = op.Shift("alice", local(D, 2026, 11, 17, 22), local(D, 2026, 11, 18, 2))
    st = statement(run([shift], policy=night_policy(plan)), "alice", WEEK)
    (line,) = [li for li in st.lines if li.kind == "standby"]
    assert (line.category, line.quantity, line.unit) == ("night", Decimal("0.5"), "day")
    assert_paid(st, "standby", "10.00", "night")


def test_a_plan_band_is_over_the_versions() -> None:
    """A plan's calendar.night_hours replaces the version's; a plan without one inherits it."""
    own = night_plan(calendar=op.Calendar(night_hours=op.NightHours("20:00", "06:00")))
    inherited = statement(run([FULL_WEEK]), "alice", WEEK)
    replaced = statement(run([FULL_WEEK], policy=night_policy(own)), "alice", WEEK)
    assert inherited.hours["night"] == 40
    assert replaced.hours["night"] == 50
    assert replaced.hours["workday_off_hours"] == 25


# --- clock changes: a workday night whose clocks change ---


def test_a_spring_forward_friday_night_in_jerusalem_has_five_morning_hours() -> None:
    """Israel moves its clocks on Friday 27 March 2026, 02:00 → 03:00: that workday
    has 23 h, of which 00:00–06:00 is 5 h of night, 22:00–24:00 two more."""
    vol = op.Volunteer(id="alice", name="Alice", country="IL", timezone="Asia/Jerusalem")
    z = "Asia/Jerusalem"
    friday = date(2026, 3, 27)
    shift = op.Shift("alice", local(z, 2026, 3, 27), local(z, 2026, 3, 28))
    st = statement(run([shift], start=date(2026, 3, 23), end=date(2026, 3, 23), vol=vol),
                   "alice", friday - timedelta(days=4))  # fmt: skip
    assert st.hours == {
        "in_hours": 9, "workday_off_hours": 7, "night": 7, "weekend": 0, "holiday": 0,
    }  # fmt: skip
    assert_paid(st, "standby", "35.00", "night")


def test_a_band_ending_at_24_00_on_cairos_25_hour_thursday() -> None:
    """Egypt turns its clocks back at the end of Thursday 29 October 2026 (24:00 →
    23:00): a band 22:00–24:00 holds three elapsed hours that night."""
    vol = op.Volunteer(id="alice", name="Alice", country="EG", timezone="Africa/Cairo")
    z = "Africa/Cairo"
    monday = date(2026, 10, 26)
    shift = op.Shift("alice", local(z, 2026, 10, 29, 18), local(z, 2026, 10, 30))
    policy = night_policy(band=op.NightHours("22:00", "24:00"), weekend_days=("friday", "saturday"))
    st = statement(run([shift], policy=policy, start=monday, end=monday, vol=vol), "alice", monday)
    assert st.hours["night"] == 3
    assert st.hours["workday_off_hours"] == 4
    assert st.covered["night"] == timedelta(hours=3)


# --- reports ---


def test_the_json_and_the_workbook_carry_the_night_hours(tmp_path: Path) -> None:
    """The statement's hours have a night key in JSON; Weekly has a Night h column."""
    report = run([FULL_WEEK])
    data = json.loads(report.to_json())
    (st,) = data["statements"]
    assert st["hours"]["night"] == "40.000000"
    path = op.write_workbook(report, tmp_path / "pay.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(wb["Weekly"].iter_rows(values_only=True))
    finally:
        wb.close()
    header, row = rows[0], rows[1]
    assert header[header.index("Workday off-hours h") + 1] == "Night h"
    assert row[header.index("Night h")] == 40
    assert row[header.index("Workday off-hours h")] == 35
    (back,) = op.read_workbook(path)
    assert back.hours["night"] == 40


def test_explain_says_the_band_and_the_night_lines() -> None:
    """explain: the band, the night hours and the night standby and callout lines."""
    p = page("P1", "alice", local(D, 2026, 11, 17, 23), local(D, 2026, 11, 17, 23, 20))
    policy = night_policy()
    text = explain_statement(run([FULL_WEEK], [p], policy), DUBLIN, WEEK, policy)
    assert "Night band 22:00–06:00 local, on workdays outside working hours" in text
    # With a band, the rest of the workday off-hours are evenings and mornings.
    assert "workday evenings and mornings 35 h, workday night 40 h, weekend 48 h" in text
    assert "  standby (workday night)\n      40 h on call × 5.00 per hour\n      =" in text
    assert "  callout (workday night)\n      0.5 h worked" in text
    assert "× 40.00 × 1.25" in text
    described = describe_policy(policy)
    assert "    standby on workday night: 5.00 EUR per hour" in described
    assert "workday night ×1.25" in described
    assert "    night band 22:00–06:00 on workdays, outside working hours" in described


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_the_pdf_statement_says_the_band_when_given_the_rules(tmp_path: Path) -> None:
    """write_statements(policy=...) says the band above each week, as explain does."""
    from oncall_pay._payroll import PeriodRule
    from oncall_pay.writers.statements import write_statements

    policy = night_policy()
    report = run([FULL_WEEK], policy=policy)
    texts = []
    for folder, rules in (("with", policy), ("without", None)):
        (path,) = write_statements(
            report, tmp_path / folder, PeriodRule.parse("month"), volunteers=[DUBLIN],
            policy=rules,
        )  # fmt: skip
        texts.append(
            subprocess.run(
                ["pdftotext", "-layout", str(path), "-"],
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
            ).stdout
        )
    with_rules, without_rules = texts
    assert "Night band 22:00–06:00 local" in with_rules
    assert "Night band" not in without_rules
    for text in texts:
        assert "workday night 40 h" in text


def test_explain_without_a_band_says_no_night() -> None:
    """Without a band the explanation is as before: no night hours, no band line."""
    policy = night_policy(plan=example_plan(), band=None)
    text = explain_statement(run([FULL_WEEK], policy=policy), DUBLIN, WEEK, policy)
    assert "night h" not in text.replace("nights", "")
    assert "Night band" not in text
    described = describe_policy(policy)
    assert "night band" not in described
    assert "workday night ×" not in described


def test_a_night_rate_without_a_band_is_said_to_be_never_paid() -> None:
    """A plan pricing night time under a calendar without a band says so."""
    described = describe_policy(night_policy(band=None))
    assert "no night band is set, so the night rates above are never paid" in described


# --- the rules file ---

RULES = """\
[[versions]]
effective_from = 2026-01-05

[versions.calendar]
{calendar}

[versions.plans.default]
currency = "EUR"
{plan}
"""


def test_the_rules_file_reads_and_writes_a_band() -> None:
    """night_hours in the version's calendar and a plan's; night rates and codes; round trip."""
    text = RULES.format(
        calendar='night_hours = { start = "22:00", end = "06:00" }\n'
        '[versions.payroll]\ncodes = { "standby.night" = "4115", "callout.night" = "4125" }',
        plan='standby.night = { per = "hour", rate = "5.00" }\n'
        'callout.multipliers = { night = "1.25" }\n'
        'calendar.night_hours = { start = "20:00", end = "24:00" }',
    )
    policy = op.parse_policy(text)
    version = policy.versions[0]
    assert version.calendar.night_hours == BAND
    plan = version.plans["default"]
    assert plan.calendar.night_hours == op.NightHours("20:00", "24:00")
    assert version.calendar_for("default").night_hours == op.NightHours("20:00", "24:00")
    assert plan.standby["night"] == op.StandbyRate("hour", "5.00")
    assert plan.callout.multiplier("night") == Decimal("1.25")
    assert version.payroll.code_for("standby", "night") == "4115"
    written = policy.to_toml()
    assert 'night_hours = { start = "22:00", end = "06:00" }' in written
    assert op.parse_policy(written) == policy


def test_diff_policies_says_a_band_and_night_rates_changed() -> None:
    """check-rules --against: the band and the night rates, in words."""
    old = op.parse_policy(RULES.format(calendar="", plan=""))
    new = op.parse_policy(
        RULES.format(
            calendar='night_hours = { start = "22:00", end = "06:00" }',
            plan='standby.night = { per = "hour", rate = "5.00" }\n'
            'callout.multipliers = { night = "1.25" }',
        )
    )
    lines = op.diff_policies(old, new)
    text = "\n".join(lines)
    assert "version of 2026-01-05: calendar: night band not set → 22:00–06:00" in lines
    assert "standby on workday nights none → 5.00 EUR per hour" in text
    assert "callout multiplier on workday nights ×1 → ×1.25" in text


CAL = "versions[0].calendar"
PLAN = "versions[0].plans.default"


@pytest.mark.parametrize(
    ("calendar", "plan", "field", "fragments"),
    [
        pytest.param('night_hours = { start = "22:00", end = "22:00" }', "", f"{CAL}.night_hours",
                     ['start "22:00" and end "22:00" are the same time'], id="start-equals-end"),
        pytest.param('night_hours = { start = "00:00", end = "24:00" }', "", f"{CAL}.night_hours",
                     ['start "00:00" and end "24:00" are the same time'], id="whole-day"),
        pytest.param('night_hours = { start = "25:00", end = "06:00" }', "",
                     f"{CAL}.night_hours.start", ['"HH:MM" from "00:00" to "24:00"', '"25:00"'],
                     id="bad-time"),
        pytest.param("night_hours = { start = 22:00:00, end = 06:00:00 }", "",
                     f"{CAL}.night_hours.start", ['write "22:00"'], id="toml-time"),
        pytest.param('night_hours = { start = "22:00" }', "", f"{CAL}.night_hours.end",
                     ["missing"], id="missing-end"),
        pytest.param('night_hour = { start = "22:00", end = "06:00" }', "",
                     f"{CAL}.night_hour", ['did you mean "night_hours"'], id="unknown-key"),
        pytest.param('night_hours = { start = "22:00", ends = "06:00" }', "",
                     f"{CAL}.night_hours.ends", ['did you mean "end"'], id="unknown-inner-key"),
        pytest.param("night_hours = \"22:00-06:00\"", "", f"{CAL}.night_hours",
                     ['{ start = "22:00", end = "06:00" }'], id="not-a-table"),
        pytest.param("", 'standby.nigth = { per = "hour", rate = "5.00" }',
                     f"{PLAN}.standby.nigth", ['did you mean "night"'], id="standby-category"),
        pytest.param("", 'calendar.night_hours = { start = "06:00", end = "06:00" }',
                     f"{PLAN}.calendar.night_hours", ["are the same time"], id="plan-band"),
    ],
)  # fmt: skip
def test_a_bad_band_is_refused_at_its_path(
    calendar: str, plan: str, field: str, fragments: list[str]
) -> None:
    """Each refusal names the key's path and says what was expected."""
    with pytest.raises(op.PolicyError) as caught:
        op.parse_policy(RULES.format(calendar=calendar, plan=plan), "rules.toml")
    found = [p for p in caught.value.problems if p.field == field]
    assert found, caught.value.problems
    for fragment in fragments:
        assert fragment in found[0].message, found[0].message
    assert found[0].source == "rules.toml"


def test_python_callers_get_the_same_refusals() -> None:
    """NightHours built in Python refuses what the file refuses."""
    with pytest.raises(op.PolicyError, match="are the same time"):
        op.NightHours("06:00", "06:00")
    with pytest.raises(op.PolicyError, match="not a time of the form HH:MM"):
        op.NightHours("10 pm", "06:00")
    with pytest.raises(op.PolicyError, match="'evening' is not one of"):
        night_plan(standby={"evening": op.StandbyRate("hour", "1")})


def test_export_refuses_a_bad_band_and_writes_nothing(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    """The command line: exit 1, the rules file and the key's path named, no workbook
    (rules problems are placed by their TOML path, as everywhere in rules-file.md)."""
    rules = inputs["rules"]
    text = rules.read_text(encoding="utf-8")
    marker = 'working_hours = { start = "09:00", end = "18:00" }'
    assert marker in text
    rules.write_text(
        text.replace(marker, marker + '\n  night_hours = { start = "22:00", end = "22:00" }'),
        encoding="utf-8",
    )
    out = tmp_path / "payroll.xlsx"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "oncall-pay"), "export",
            "--volunteers", str(inputs["volunteers"]), "--shifts", str(inputs["shifts"]),
            "--pages", str(inputs["pages"]), "--rules", str(rules),
            "--from", "2026-11-01", "--to", "2026-11-30", "--output", str(out),
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert rules.name in result.stderr
    assert "versions[0].calendar.night_hours" in result.stderr
    assert "are the same time" in result.stderr
    assert not out.exists()


def test_a_workbook_of_an_earlier_release_reads_with_no_night(tmp_path: Path) -> None:
    """read_workbook reads a Weekly sheet without the Night h column as 0 night hours;
    any other missing column is still refused."""
    report = run([FULL_WEEK], policy=night_policy(band=None))
    path = op.write_workbook(report, tmp_path / "pay.xlsx")
    for header, refused in (("Night h", False), ("Weekend h", True)):
        wb = openpyxl.load_workbook(path)
        ws = wb["Weekly"]
        names = [c.value for c in ws[1]]
        ws.delete_cols(names.index(header) + 1)
        old = tmp_path / f"without {header}.xlsx"
        wb.save(old)
        wb.close()
        if refused:
            with pytest.raises(op.InputError, match="has no column 'Weekend h'"):
                op.read_workbook(old)
            continue
        (back,) = op.read_workbook(old)
        assert back.hours["night"] == 0
        assert back == op.read_workbook(path)[0]


# --- a property: a band only moves workday evening time into night ---


def without_bands(policy: op.Policy) -> op.Policy:
    """The same rules with every night band taken out."""

    def bare(calendar: op.Calendar) -> op.Calendar:
        return attrs.evolve(calendar, night_hours=None)

    return attrs.evolve(
        policy,
        versions=tuple(
            attrs.evolve(
                version,
                calendar=bare(version.calendar),
                plans={
                    name: attrs.evolve(plan, calendar=bare(plan.calendar))
                    for name, plan in version.plans.items()
                },
            )
            for version in policy.versions
        ),
    )


@given(pay_runs())
def test_a_band_moves_only_workday_evening_time_into_night(run: PayRun) -> None:
    """With or without the bands: the same weeks, in-hours, weekend and holiday time,
    the same stipend, weekend and holiday standby and the same counted pages; night
    and workday evenings together are the evenings without a band, which has no night."""
    banded = run.compute()
    bare = attrs.evolve(run, policy=without_bands(run.policy)).compute()
    assert [(s.volunteer_id, s.week_start) for s in banded.statements] == [
        (s.volunteer_id, s.week_start) for s in bare.statements
    ]
    for with_band, without in zip(banded.statements, bare.statements, strict=True):
        assert without.covered["night"] == timedelta(0)
        for category in ("in_hours", "weekend", "holiday"):
            assert with_band.covered[category] == without.covered[category]
            assert with_band.amount("standby", category) == without.amount("standby", category)
        evenings = with_band.covered["workday_off_hours"] + with_band.covered["night"]
        assert evenings == without.covered["workday_off_hours"]
        assert with_band.week_off_hours == without.week_off_hours
        assert with_band.amount("stipend") == without.amount("stipend")
    assert [(p.page_id, p.counted) for p in banded.pages] == [
        (p.page_id, p.counted) for p in bare.pages
    ]
