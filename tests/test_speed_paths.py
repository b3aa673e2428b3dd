"""The shortcuts taken for speed (issue 17) give the same answers."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import oncall_pay as op
from helpers import example_plan, example_policy, page
from oncall_pay._model import plain_shift
from oncall_pay.readers import read_pagerduty_schedule
from strategies import PayRun, pay_runs


def _schedule(user_id: str) -> str:
    entry = {
        "start": "2026-11-16T09:00:00+00:00",
        "end": "2026-11-23T09:00:00+00:00",
        "user": {"id": user_id, "type": "user_reference", "summary": "Someone Else"},
    }
    return json.dumps(
        {"schedule": {"name": "Rota", "final_schedule": {"rendered_schedule_entries": [entry]}}}
    )


def _person(vid: str, pagerduty_id: str) -> op.Volunteer:
    return op.Volunteer(
        id=vid, name=vid.title(), country="IE", timezone="Europe/Dublin",
        pagerduty_id=pagerduty_id,
    )  # fmt: skip


def test_each_roster_is_matched_on_its_own_even_when_indexed_once() -> None:
    """The roster index is reused for the same roster object only: another
    roster, or the same roster with other PagerDuty ids, matches afresh."""
    first = (_person("alice", "P1"), _person("bob", "P2"))
    second = (attrs.evolve(first[0], pagerduty_id="P9"), attrs.evolve(first[1], pagerduty_id="P1"))
    text = _schedule("P1")
    assert [s.volunteer_id for s in read_pagerduty_schedule(text, first)] == ["alice"]
    assert [s.volunteer_id for s in read_pagerduty_schedule(text, first)] == ["alice"]
    assert [s.volunteer_id for s in read_pagerduty_schedule(text, second)] == ["bob"]
    assert [s.volunteer_id for s in read_pagerduty_schedule(text, list(first))] == ["alice"]
    mapped = read_pagerduty_schedule(text, first, mapping={"P1": "bob"})
    assert [s.volunteer_id for s in mapped] == ["bob"]
    assert [s.volunteer_id for s in read_pagerduty_schedule(text, first)] == ["alice"]


def test_the_command_line_loads_openpyxl_only_to_write_a_workbook() -> None:
    """A CSV or JSON run does not pay for importing openpyxl (a third of a second)."""
    code = (
        "import sys, oncall_pay, oncall_pay.cli; "
        "print('openpyxl' in sys.modules, 'multiprocessing' in sys.modules); "
        "oncall_pay.write_workbook; print('openpyxl' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False", "True"]


def _dublin_team(n: int) -> list[op.Volunteer]:
    return [
        op.Volunteer(id=f"v{i:03}", name=f"V {i}", country="IE", timezone="Europe/Dublin")
        for i in range(n)
    ]


def _week_of_cover(vid: str) -> op.Shift:
    start = datetime(2026, 11, 16, 9, tzinfo=ZoneInfo("Europe/Dublin"))
    return op.Shift(vid, start, start + timedelta(days=7))


@pytest.mark.parametrize("enabled", [True, False])
def test_compute_leaves_the_garbage_collector_as_it_found_it(enabled: bool) -> None:
    """Pricing pauses the cyclic collector; afterwards it is on again if it
    was on (and stays off if the caller had turned it off), also after an error."""
    team = _dublin_team(3)
    shifts = [_week_of_cover(v.id) for v in team]
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        report = op.compute(team, shifts, [], example_policy(),
                            start=date(2026, 11, 16), end=date(2026, 11, 22))  # fmt: skip
        assert len(report.statements) == 3
        assert gc.isenabled() is enabled
        if enabled:  # what the run made was aged in one step, not left for a young collection
            assert not any(o is report for o in gc.get_objects(generation=0))
            assert any(o is report for o in gc.get_objects(generation=2))
        team[1] = attrs.evolve(team[1], plan="nonesuch")
        with pytest.raises(op.PolicyError, match="'v001' asks for plan 'nonesuch'"):
            op.compute(team, shifts, [], example_policy(),
                       start=date(2026, 11, 16), end=date(2026, 11, 22))  # fmt: skip
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_objects_the_caller_froze_stay_frozen() -> None:
    """The run does not unfreeze what the caller froze (``gc.freeze``, e.g.
    before forking workers) when it ages its own objects."""
    team = _dublin_team(2)
    shifts = [_week_of_cover(v.id) for v in team]
    mine: list[object] = []  # a container the collector tracks, frozen below

    def tracked() -> bool:  # frozen objects are outside every generation
        return any(o is mine for o in gc.get_objects())

    gc.freeze()
    try:
        assert gc.get_freeze_count() > 0
        assert not tracked()
        op.compute(team, shifts, [], example_policy(),
                   start=date(2026, 11, 16), end=date(2026, 11, 22))  # fmt: skip
        # Not the freeze count: frozen objects that die meanwhile lower it.
        assert not tracked()
        assert gc.isenabled()
    finally:
        gc.unfreeze()
    assert tracked()


@given(pay_runs(max_volunteers=3, max_shifts=4, max_pages=3))
def test_off_hours_per_month_added_up_per_stretch_are_healths_own(run: PayRun) -> None:
    """The engine adds up each volunteer's off-hours per UTC month stretch by
    stretch of cover (each stretch worked out once per rota); health's own
    way, date by date from the covered time, gives the same months and
    microseconds."""
    from oncall_pay import _engine, _health, _weeks

    policy = run.policy
    week_starts = _weeks.reported_weeks(run.start, run.end, policy.week_start_weekday)
    assume(week_starts)
    run.compute()  # the run is one the engine prices (no error)
    reported = (week_starts[0], _weeks.week_end(week_starts[-1]))
    open_first, open_end = _weeks.open_end_window(week_starts[0], week_starts[-1])
    shared = _engine._Shared()
    for v in run.volunteers:
        ctx = _engine._Volunteer(v, policy, frozenset(week_starts), shared)
        window = (ctx.midnight(open_first), ctx.midnight(open_end))
        mine = [s for s in run.shifts if s.volunteer_id == v.id]
        price = _engine._tiered_coverage if ctx.tier_roles else _engine._coverage
        coverage = price(ctx, mine, window)
        months: dict[tuple[int, int], int] = {}
        for start, end in coverage.intervals:
            for month, n in ctx.off_hours_by_month(start, end, reported):
                months[month] = months.get(month, 0) + n
        expected = _health._off_hours_by_month(
            coverage.covered, coverage.intervals, ctx.day, reported
        )
        assert dict(sorted(months.items())) == expected
        assert list(expected) == sorted(expected)


def _each_as_if_alone(
    run: PayRun, volunteers: list[op.Volunteer], shifts: list[op.Shift], pages: list[op.Page]
) -> None:
    """Each volunteer's statements and pages in one run of everyone are
    those of pricing them alone, digit for digit."""
    whole = op.compute(volunteers, shifts, pages, run.policy, start=run.start, end=run.end)
    for v in volunteers:
        alone = op.compute(
            [v], [s for s in shifts if s.volunteer_id == v.id],
            [p for p in pages if p.volunteer_id == v.id],
            run.policy, start=run.start, end=run.end,
        )  # fmt: skip
        # Compared as text: equal Decimals may be written with other digits.
        assert [repr(s) for s in whole.statements if s.volunteer_id == v.id] == [
            repr(s) for s in alone.statements
        ]
        assert [p for p in whole.pages if p.volunteer_id == v.id] == list(alone.pages)


@given(pay_runs(max_volunteers=2, max_shifts=4, max_pages=4), st.data())
def test_weeks_reused_across_volunteers_are_each_ones_own(run: PayRun, data: st.DataObject) -> None:
    """A week's pay is worked out once per run and reused by every volunteer
    with the same rules, place, factors and time (``_price_weeks``). Clones
    of each volunteer (same place, plan, shifts; some of the pages, or
    none) make reuse certain: each one's statements and pages are those of
    pricing them alone, in a run with nobody to share with, digit for digit."""
    volunteers = list(run.volunteers)
    shifts = list(run.shifts)
    pages = list(run.pages)
    for v in run.volunteers:
        for n in range(2):
            clone = attrs.evolve(v, id=f"{v.id}-clone{n}", name=f"{v.name} clone {n}")
            volunteers.append(clone)
            shifts += [attrs.evolve(s, volunteer_id=clone.id) for s in run.shifts
                       if s.volunteer_id == v.id]  # fmt: skip
            mine = [p for p in run.pages if p.volunteer_id == v.id]
            kept = data.draw(st.lists(st.sampled_from(mine), unique=True) if mine else st.just([]))
            pages += [attrs.evolve(p, id=f"{p.id}-c{n}", volunteer_id=clone.id) for p in kept]
    _each_as_if_alone(run, volunteers, shifts, pages)


@given(pay_runs(max_volunteers=2, max_shifts=4, max_pages=4), st.data())
def test_activity_shared_by_weeks_of_other_cover_is_each_ones_own(
    run: PayRun, data: st.DataObject
) -> None:
    """The callouts', pages' and blocks' part of a week's pay is shared by
    weeks of different cover (``_Shared.activity``). Clones with the same
    pages but cover that starts earlier, and a rate factor of their own
    (equal factors written with other digits among them), get exactly the
    statements and pages they get when priced alone."""
    volunteers = list(run.volunteers)
    shifts = list(run.shifts)
    pages = list(run.pages)
    factors = st.sampled_from([None, Decimal("1.5"), Decimal("1.50"), Decimal("2")])
    for v in run.volunteers:
        for n in range(2):
            clone = attrs.evolve(v, id=f"{v.id}-other{n}", rate_factor=data.draw(factors))
            volunteers.append(clone)
            earlier = timedelta(minutes=data.draw(st.integers(0, 600)))
            shifts += [
                attrs.evolve(s, volunteer_id=clone.id,  # earlier in UTC, not on a wall clock
                             start=None if s.start is None else s.start.astimezone(UTC) - earlier)
                for s in run.shifts if s.volunteer_id == v.id
            ]  # fmt: skip
            pages += [attrs.evolve(p, id=f"{p.id}-o{n}", volunteer_id=clone.id)
                      for p in run.pages if p.volunteer_id == v.id]  # fmt: skip
    _each_as_if_alone(run, volunteers, shifts, pages)


def _paged_week(team: list[op.Volunteer]) -> tuple[list[op.Shift], list[op.Page]]:
    """A week of cover each and one Saturday page each, at the same times."""
    saturday = datetime(2026, 11, 21, 10, tzinfo=ZoneInfo("Europe/Dublin"))
    pages = [page(f"p-{v.id}", v.id, saturday, saturday + timedelta(minutes=50)) for v in team]
    return [_week_of_cover(v.id) for v in team], pages


def test_weeks_paged_as_often_but_for_longer_are_priced_apart() -> None:
    """The same cover and one Saturday page each, worked 50, 20 and 200
    minutes (equal page counts, not equal callout time), and one paged twice
    in the same 50 minutes (equal callout time, not equal counts): the
    shared part of the week's pay (``_Shared.activity``) tells them apart."""
    team = _dublin_team(4)
    shifts, pages = _paged_week(team)
    pages[1] = attrs.evolve(pages[1], resolved_at=pages[1].at + timedelta(minutes=20))
    pages[2] = attrs.evolve(pages[2], resolved_at=pages[2].at + timedelta(minutes=200))
    # Paged twice within the first page's work: the callout time of one page,
    # the fee of two.
    pages.append(attrs.evolve(pages[3], id="p-again", at=pages[3].at + timedelta(minutes=10),
                              resolved_at=pages[3].at + timedelta(minutes=40)))  # fmt: skip
    week = {"start": date(2026, 11, 16), "end": date(2026, 11, 22)}
    callout = op.Callout(
        hourly="40.00", minimum_minutes=30, increment_minutes=15, per_page="10.00",
        multipliers={"workday_off_hours": "1.0", "weekend": "1.5", "holiday": "2.0"},
    )  # fmt: skip
    policy = example_policy(example_plan(callout=callout))
    together = op.compute(team, shifts, pages, policy, **week)  # type: ignore[arg-type]
    for v, s in zip(team, shifts, strict=True):
        mine = [p for p in pages if p.volunteer_id == v.id]
        alone = op.compute([v], [s], mine, policy, **week)  # type: ignore[arg-type]
        assert _lines(together, v.id) == _lines(alone, v.id)
    assert len({str(s.total) for s in together.statements}) == 4


def _lines(report: op.Report, vid: str) -> list[tuple[str, str | None, str | None, str]]:
    """Each line's kind, rate and multiplier as written, and amount."""
    return [
        (line.kind, None if line.rate is None else str(line.rate),
         None if line.multiplier is None else str(line.multiplier), str(line.amount))
        for s in report.statements if s.volunteer_id == vid for line in s.lines
    ]  # fmt: skip


def test_rate_factors_written_with_other_digits_are_priced_apart() -> None:
    """1.5 and 1.50 are equal numbers, but a scaled rate keeps its factor's
    digits; sharing a week's pay between them would make a statement's
    rates depend on who else is in the run."""
    team = [attrs.evolve(v, rate_factor=Decimal(f)) for v, f in
            zip(_dublin_team(2), ["1.5", "1.50"], strict=True)]  # fmt: skip
    shifts, pages = _paged_week(team)
    week = {"start": date(2026, 11, 16), "end": date(2026, 11, 22)}
    both = op.compute(team, shifts, pages, example_policy(), **week)  # type: ignore[arg-type]
    for v, s, p in zip(team, shifts, pages, strict=True):
        alone = op.compute([v], [s], [p], example_policy(), **week)  # type: ignore[arg-type]
        assert _lines(both, v.id) == _lines(alone, v.id)
    lines = _lines(both, "v000") + _lines(both, "v001")
    assert [rate for kind, rate, _, _ in lines if kind == "stipend"] == ["450.000", "450.0000"]


def test_callout_rates_written_with_other_digits_are_shown_as_written() -> None:
    """Callout lines are cached across runs; a later run whose rules write
    the same hourly rate and multiplier with other digits shows its own."""
    team = _dublin_team(1)
    shifts, pages = _paged_week(team)
    week = {"start": date(2026, 11, 16), "end": date(2026, 11, 22)}

    def callouts(hourly: str, weekend: str) -> list[tuple[str | None, str | None]]:
        callout = op.Callout(
            hourly=Decimal(hourly), minimum_minutes=30, increment_minutes=15,
            multipliers={"workday_off_hours": Decimal("1.0"), "weekend": Decimal(weekend),
                         "holiday": Decimal("2.0")},
        )  # fmt: skip
        policy = example_policy(example_plan(callout=callout))
        report = op.compute(team, shifts, pages, policy, **week)  # type: ignore[arg-type]
        return [(rate, mult) for kind, rate, mult, _ in _lines(report, "v000") if kind == "callout"]

    assert callouts("40.00", "1.5") == [("40.00", "1.5")]
    assert callouts("40", "1.50") == [("40", "1.50")]


_EDGE_YEARS = st.sampled_from([1969, 1970, 2026, 2200, 2201])


@st.composite
def _instants(draw: st.DrawFn) -> datetime | None:
    """Instants near the accepted dates' edges, with fixed offsets, zones or none."""
    if draw(st.integers(0, 7)) == 0:
        return None
    year = draw(_EDGE_YEARS)
    naive = draw(st.datetimes(datetime(year, 1, 1), datetime(year, 12, 31, 23, 59)))
    tz = draw(
        st.sampled_from([None, UTC, timezone(timedelta(hours=5, minutes=30)),
                         timezone(timedelta(hours=-8)), ZoneInfo("Europe/Dublin")])
    )  # fmt: skip
    return naive.replace(tzinfo=tz)


@settings(max_examples=400)  # cheap, and the edges are many combinations
@given(_instants(), _instants())
@example(datetime(2026, 6, 1, tzinfo=UTC), datetime(2201, 1, 1, tzinfo=UTC))
@example(datetime(1969, 12, 31, 23, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))
@example(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))
def test_a_shift_is_refused_exactly_when_its_ends_are(
    start: datetime | None, end: datetime | None
) -> None:
    """The shortcut for fixed offsets in ``Shift`` accepts what the full
    checks accept: aware ends inside the accepted dates, end after start in UTC."""

    def fine(value: datetime | None) -> bool:
        return value is None or (
            value.utcoffset() is not None and date(1970, 1, 1) <= value.date() <= date(2200, 12, 31)
        )

    ok = fine(start) and fine(end)
    if ok and start is not None and end is not None:
        ok = end.astimezone(UTC) > start.astimezone(UTC)
    if ok:
        assert op.Shift("v", start, end).end == end
    else:
        with pytest.raises(op.InputError):
            op.Shift("v", start, end)
    # Readers' shortcut builds a shift only where ``Shift`` accepts it, the
    # same shift, and leaves the rest to ``Shift`` (which says what is wrong).
    if start is not None and end is not None:
        plain = plain_shift("v", start, end, "rota")
        if plain is not None:
            assert ok
            assert repr(plain) == repr(op.Shift("v", start, end, "rota"))
            assert plain == op.Shift("v", start, end, "rota")
            assert hash(plain) == hash(op.Shift("v", start, end, "rota"))
        elif ok:  # only a zone or an end near the accepted dates' edges
            assert not (
                isinstance(start.tzinfo, timezone) and isinstance(end.tzinfo, timezone)
            ) or {start.year, end.year} & {1970, 2200}


def test_a_user_seen_first_is_matched_as_the_long_way_matches_them() -> None:
    """The first entry of a user is matched at once by PagerDuty id only
    where that is the long way's answer: a mapping still wins, and a user
    the roster knows by email alone is still found by email."""
    alice = attrs.evolve(_person("alice", "P1"), email="alice@example.com")
    bob = attrs.evolve(_person("bob", "P2"), pagerduty_id=None, email="bob@example.com")
    roster = (alice, bob)
    by_id = json.loads(_schedule("P1"))
    by_email = json.loads(_schedule("PX"))
    user = by_email["schedule"]["final_schedule"]["rendered_schedule_entries"][0]["user"]
    user["email"] = "BOB@example.com"
    assert [s.volunteer_id for s in read_pagerduty_schedule(json.dumps(by_id), roster)] == [
        "alice"
    ]
    assert [s.volunteer_id for s in read_pagerduty_schedule(json.dumps(by_email), roster)] == [
        "bob"
    ]
    mapped = read_pagerduty_schedule(json.dumps(by_id), roster, mapping={"P1": "bob"})
    assert [s.volunteer_id for s in mapped] == ["bob"]
    with pytest.raises(op.InputError, match="PX"):
        read_pagerduty_schedule(_schedule("PX"), roster)


def test_plans_written_with_other_digits_share_no_line() -> None:
    """Lines, hours and figures are shared between statements (``_Parts``),
    but never across digits: three plans whose rates are equal numbers
    written differently, one of them in yen (no minor unit), price the same
    week and page; each volunteer's lines are those of pricing them alone,
    digit for digit."""
    written = {
        "cents": example_plan(),
        "plain": example_plan(
            weekly_stipend="300",
            standby={"weekend": op.StandbyRate("day", "50"),
                     "holiday": op.StandbyRate("day", "100")},
            callout=op.Callout(hourly="40.00", minimum_minutes=30, increment_minutes=15,
                               multipliers={"workday_off_hours": "1", "weekend": "1.50",
                                            "holiday": "2"}),
            interrupted_weekend=op.InterruptedWeekend(bonus="150", toil_days="0.50"),
        ),
        "yen": example_plan(currency="JPY", weekly_stipend="300", interrupted_weekend=
                            op.InterruptedWeekend(bonus="150", toil_days="0.5")),
    }  # fmt: skip
    policy = example_policy(written["cents"])
    version = attrs.evolve(policy.versions[0], plans=written)
    policy = attrs.evolve(policy, versions=(version,))
    team = [attrs.evolve(v, plan=name) for v, name in zip(_dublin_team(3), written, strict=True)]
    shifts, pages = _paged_week(team)
    week = {"start": date(2026, 11, 16), "end": date(2026, 11, 22)}
    both = op.compute(team, shifts, pages, policy, **week)  # type: ignore[arg-type]
    for v, s, p in zip(team, shifts, pages, strict=True):
        alone = op.compute([v], [s], [p], policy, **week)  # type: ignore[arg-type]
        assert [repr(st) for st in both.statements if st.volunteer_id == v.id] == [
            repr(st) for st in alone.statements
        ]
    stipends = [li.amount for st in both.statements for li in st.lines if li.kind == "stipend"]
    assert [str(a) for a in stipends] == ["278.05", "278.05", "278"]
    toil = [str(st.toil_days) for st in both.statements]
    assert toil == ["0.5", "0.50", "0.5"]


def test_equal_parts_of_statements_are_one_object() -> None:
    """Two weeks of the same cover show equal lines, hours and totals, and
    hold them once (what keeps a large report small, and quick to send back
    from a worker process)."""
    team = _dublin_team(1)
    start = datetime(2026, 11, 9, 0, tzinfo=ZoneInfo("Europe/Dublin"))
    shifts = [op.Shift("v000", start, start + timedelta(days=14))]
    report = op.compute(team, shifts, [], example_policy(),
                        start=date(2026, 11, 9), end=date(2026, 11, 22))  # fmt: skip
    first, second = report.statements
    assert first.lines == second.lines
    assert first.lines is second.lines
    assert first.hours is second.hours
    assert first.covered is second.covered
    assert first.total is second.total
    assert first.toil_days is second.toil_days


@given(pay_runs(max_volunteers=4, max_shifts=4, max_pages=4))
def test_a_report_lists_statements_and_pages_in_the_order_promised(run: PayRun) -> None:
    """Statements by (volunteer id, week start), pages by (time, page id)
    (spec/inputs.md): the statements come in that order from pricing, not
    from a sort at the end."""
    report = op.compute(run.volunteers, run.shifts, run.pages, run.policy,
                        start=run.start, end=run.end)  # fmt: skip
    keys = [(s.volunteer_id, s.week_start) for s in report.statements]
    assert keys == sorted(keys)
    instants = [(p.at.astimezone(UTC), p.page_id) for p in report.pages]
    assert instants == sorted(instants)
