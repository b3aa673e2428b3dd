"""The invariants of spec/quality.md (1–10), as hypothesis properties.

Each property draws a whole pay run (``strategies.pay_runs``), changes one
thing about it, and compares the two reports. Run the long profile after a
change to the pay rules: ``HYPOTHESIS_PROFILE=thorough pytest tests/test_properties.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar
from zoneinfo import ZoneInfo

import attrs
from hypothesis import given
from hypothesis import strategies as st

import oncall_pay as op
from helpers import DUBLIN, example_plan, example_policy, local
from oncall_pay._engine import ExactLine
from oracle import PLACES, oracle
from strategies import (
    PayRun,
    dressed,
    pages,
    pay_runs,
    raise_rate,
    representations,
    run_versions,
)

CATEGORIES = ("in_hours", "workday_off_hours", "night", "weekend", "holiday")
DUBLIN_TZ = "Europe/Dublin"
WEEK = date(2026, 11, 16)
Key = tuple[str, date]
T = TypeVar("T")
_US = timedelta(microseconds=1)


# --- helpers ---------------------------------------------------------------


# Instant arithmetic goes through UTC: Python adds, subtracts and compares two
# datetimes that share a zone by wall clock, which is wrong in the repeated
# hour of a clock change.
def utc(instant: datetime) -> datetime:
    """The same instant in UTC."""
    return instant.astimezone(UTC)


def elapsed_work(page: op.Page) -> timedelta:
    """What a page says was worked: ``worked``, else resolved − at, else nothing."""
    if page.worked is not None:
        return page.worked
    if page.resolved_at is not None:
        return utc(page.resolved_at) - utc(page.at)
    return timedelta(0)


def by_week(report: op.Report) -> dict[Key, op.WeeklyStatement]:
    """The statements of a report by (volunteer, week start)."""
    return {(s.volunteer_id, s.week_start): s for s in report.statements}


def without_overlaps(notices: Iterable[op.Notice]) -> list[op.Notice]:
    """The notices other than ``overlap`` ones."""
    return [n for n in notices if n.kind != "overlap"]


def assert_same_pay(before: op.Report, after: op.Report, *, overlaps_before: bool) -> None:
    """Every statement and page outcome is unchanged; so are the notices,
    except that ``overlap`` notices may differ where shifts overlapped."""
    assert after.statements == before.statements
    assert after.pages == before.pages
    if overlaps_before:
        assert without_overlaps(after.notices) == without_overlaps(before.notices)
    else:
        assert after.notices == before.notices


def assert_no_total_lower(before: op.Report, after: op.Report, but: tuple[str, ...] = ()) -> None:
    """No statement of ``before`` disappears or has a lower total in ``after``,
    leaving out the lines of the kinds in ``but``."""
    later = by_week(after)

    def kept(st: op.WeeklyStatement) -> Decimal:
        return st.total - sum((li.amount for li in st.lines if li.kind in but), Decimal(0))

    for key, st_before in by_week(before).items():
        assert key in later, f"statement {key} disappeared"
        assert kept(later[key]) >= kept(st_before), (
            f"{key}: total fell from {st_before.total} to {later[key].total}\n"
            f"before: {st_before.lines}\nafter:  {later[key].lines}"
        )


def assert_no_run_total_lower(before: op.Report, after: op.Report) -> None:
    """No volunteer's pay over the whole run, per currency, is lower in ``after``."""

    def totals(report: op.Report) -> dict[tuple[str, str], Decimal]:
        out: dict[tuple[str, str], Decimal] = {}
        for statement in report.statements:
            key = (statement.volunteer_id, statement.currency)
            out[key] = out.get(key, Decimal(0)) + statement.total
        return out

    later = totals(after)
    for key, total in totals(before).items():
        assert later.get(key, Decimal(0)) >= total, f"{key}: run total fell to {later.get(key)}"


def clipped_coverage(run: PayRun, vid: str) -> timedelta:
    """The elapsed time of a volunteer's union of shifts inside the reported weeks."""
    lo, hi = run.window(vid)
    spans = sorted(
        (
            lo if s.start is None else max(utc(s.start), lo),
            hi if s.end is None else min(utc(s.end), hi),
        )
        for s in run.shifts
        if s.volunteer_id == vid and not s.shadow  # shadow time is not cover
    )
    total = timedelta(0)
    reach: datetime | None = None
    for start, end in spans:
        if reach is not None:
            start = max(start, reach)
        if start < end:
            total += end - start
        reach = end if reach is None else max(reach, end)
    return total


def finite_end(shift: op.Shift) -> bool:
    """A shift with an end."""
    return shift.end is not None


def replace_at(items: tuple[T, ...], index: int, *new: T) -> tuple[T, ...]:
    """``items`` with the one at ``index`` replaced by ``new`` (zero or more items)."""
    return (*items[:index], *new, *items[index + 1 :])


def standby_exact(exact: dict[Key, list[ExactLine]], vids: set[str]) -> Fraction:
    """The unrounded stipend and standby of some volunteers over all reported weeks."""
    return sum(
        (
            line.amount
            for (vid, _), lines in exact.items()
            if vid in vids
            for line in lines
            if line.kind in ("stipend", "standby")
        ),
        Fraction(0),
    )


# --- 1 Conservation --------------------------------------------------------


@given(pay_runs())
def test_covered_time_falls_in_exactly_one_category(run: PayRun) -> None:
    """1 Conservation: the five categories' covered seconds add up to the volunteer's cover."""
    report = run.compute()
    for v in run.volunteers:
        mine = [s for s in report.statements if s.volunteer_id == v.id]
        for statement in mine:
            assert set(statement.covered) == set(CATEGORIES)
            assert all(span >= timedelta(0) for span in statement.covered.values())
        in_categories = sum((span for s in mine for span in s.covered.values()), timedelta(0))
        assert in_categories == clipped_coverage(run, v.id)


# --- 2 Split invariance ----------------------------------------------------


@given(pay_runs(), st.data())
def test_cutting_a_shift_in_two_changes_no_statement(run: PayRun, data: st.DataObject) -> None:
    """2 Split invariance: cutting a shift in two at any instant changes no statement."""
    index = data.draw(st.integers(0, max(0, len(run.shifts) - 1)))
    if not run.shifts:
        return
    shift = run.shifts[index]
    lo, hi = run.window(shift.volunteer_id)
    first = utc(shift.start) if shift.start is not None else lo
    last = utc(shift.end) if shift.end is not None else hi
    if last - first <= timedelta(microseconds=1):
        return
    inside = [utc(p.at) for p in run.pages if first < p.at < last]
    span_us = (last - first) // timedelta(microseconds=1)
    cut = data.draw(
        st.sampled_from(inside) | st.integers(1, span_us - 1).map(lambda us: first + us * _US)
        if inside
        else st.integers(1, span_us - 1).map(lambda us: first + us * _US)
    )
    cut = data.draw(dressed(cut, run.volunteer(shift.volunteer_id).timezone))
    halves = (attrs.evolve(shift, end=cut), attrs.evolve(shift, start=cut))
    cut_run = attrs.evolve(run, shifts=replace_at(run.shifts, index, *halves))
    before = run.compute()
    assert_same_pay(
        before, cut_run.compute(), overlaps_before=any(n.kind == "overlap" for n in before.notices)
    )


@given(pay_runs(), st.data())
def test_merging_two_touching_shifts_changes_no_statement(run: PayRun, data: st.DataObject) -> None:
    """2 Split invariance: two shifts that touch pay what one shift over both pays."""
    candidates = [i for i, s in enumerate(run.shifts) if finite_end(s)]
    if not candidates:
        return
    index = data.draw(st.sampled_from(candidates))
    shift = run.shifts[index]
    assert shift.end is not None
    length = data.draw(st.integers(1, 4 * 86400).map(lambda s: timedelta(seconds=s)))
    handover = data.draw(dressed(shift.end, run.volunteer(shift.volunteer_id).timezone))
    end = utc(shift.end) + length
    after = op.Shift(shift.volunteer_id, handover, end, role=shift.role)
    touching = attrs.evolve(run, shifts=(*run.shifts, after))
    merged = attrs.evolve(run, shifts=replace_at(run.shifts, index, attrs.evolve(shift, end=end)))
    before = touching.compute()
    assert_same_pay(
        before,
        merged.compute(),
        overlaps_before=any(n.kind == "overlap" for n in before.notices),
    )


# --- 3 Handoff invariance --------------------------------------------------


@given(pay_runs(max_volunteers=1, max_pages=0), st.data())
def test_moving_a_handoff_moves_standby_between_the_two(run: PayRun, data: st.DataObject) -> None:
    """3 Handoff invariance: moving a handoff moves standby pay, never makes or loses it."""
    (alice,) = run.volunteers
    bob = attrs.evolve(alice, id="bob", name="Bob")
    zone_name = alice.timezone
    start = next((utc(s.start) for s in run.shifts if s.start is not None), None)
    if start is None:
        return
    length_s = data.draw(st.integers(2, 12 * 86400))
    end = start + timedelta(seconds=length_s)

    def handoff() -> st.SearchStrategy[datetime]:
        # Any second of the stretch, ends included (then one of them covers it all).
        return st.integers(0, length_s).map(lambda s: start + timedelta(seconds=s))

    def run_with(handover: datetime) -> PayRun:
        shifts = []
        if handover > start:
            shifts.append(op.Shift(alice.id, start, handover))
        if handover < end:
            shifts.append(op.Shift(bob.id, data.draw(dressed(handover, zone_name)), end))
        return attrs.evolve(run, volunteers=(alice, bob), shifts=tuple(shifts), pages=())

    early, late = sorted((data.draw(handoff()), data.draw(handoff())))
    _, exact_early = run_with(early).compute_exact()
    _, exact_late = run_with(late).compute_exact()
    both = {alice.id, bob.id}
    assert standby_exact(exact_early, both) == standby_exact(exact_late, both)
    # Alice covers more with the later handoff, Bob less: pay moves, it does not vanish.
    assert standby_exact(exact_late, {alice.id}) >= standby_exact(exact_early, {alice.id})
    assert standby_exact(exact_late, {bob.id}) <= standby_exact(exact_early, {bob.id})


# --- 4 Order invariance ----------------------------------------------------


@given(pay_runs(), st.data())
def test_shuffling_the_inputs_changes_nothing(run: PayRun, data: st.DataObject) -> None:
    """4 Order invariance: the order of volunteers, shifts, pages and versions changes nothing."""
    shuffled = attrs.evolve(
        run,
        volunteers=tuple(data.draw(st.permutations(run.volunteers))),
        shifts=tuple(data.draw(st.permutations(run.shifts))),
        pages=tuple(data.draw(st.permutations(run.pages))),
        policy=attrs.evolve(
            run.policy, versions=tuple(data.draw(st.permutations(run.policy.versions)))
        ),
    )
    before, after = run.compute(), shuffled.compute()
    assert after == before
    assert after.to_json() == before.to_json()


# --- 5 Representation invariance -------------------------------------------


@given(pay_runs(), st.data())
def test_the_same_instants_in_other_offsets_change_nothing(
    run: PayRun, data: st.DataObject
) -> None:
    """5 Representation invariance: the same instants in other UTC offsets change nothing."""
    # Every instant in the volunteer's own zone (an offset that changes with
    # the clocks), or each one in a fixed offset, UTC or that zone.
    all_home = data.draw(st.booleans())

    def moved(instant: datetime, vid: str) -> datetime:
        home = run.volunteer(vid).timezone
        if all_home:
            return instant.astimezone(ZoneInfo(home))
        return instant.astimezone(data.draw(representations(home)))

    def maybe_moved(instant: datetime | None, vid: str) -> datetime | None:
        return None if instant is None else moved(instant, vid)

    other = attrs.evolve(
        run,
        shifts=tuple(
            attrs.evolve(
                s,
                start=maybe_moved(s.start, s.volunteer_id),
                end=maybe_moved(s.end, s.volunteer_id),
            )
            for s in run.shifts
        ),
        pages=tuple(
            attrs.evolve(
                p,
                at=moved(p.at, p.volunteer_id),
                resolved_at=maybe_moved(p.resolved_at, p.volunteer_id),
            )
            for p in run.pages
        ),
    )
    before, after = run.compute(), other.compute()
    assert after == before
    assert after.to_json() == before.to_json()


# --- 6 Monotonicity --------------------------------------------------------


@given(pay_runs(cap=False, tiers="ordered"), st.data())
def test_another_page_never_lowers_pay(run: PayRun, data: st.DataObject) -> None:
    """6 Monotonicity: a further page lowers no week but by moving a bonus to an earlier week."""
    before = run.compute()
    v = data.draw(st.sampled_from(run.volunteers))
    mine = tuple(s for s in run.shifts if s.volunteer_id == v.id)
    # Often shortly before a page that counted: the one place where the
    # order of pages matters (the week of a rest block's first counted page).
    counted = {o.page_id for o in before.pages if o.counted}
    theirs = tuple(p for p in run.pages if p.volunteer_id == v.id and p.id in counted)
    extra = data.draw(pages("extra", v, run.anchor, mine, after=theirs))
    more = attrs.evolve(run, pages=(*run.pages, extra))
    after = more.compute()
    # §7 pays a rest block's bonus in the week of its first counted page, so
    # an earlier page may move it to an earlier week: every week keeps all of
    # its pay but that bonus ...
    assert_no_total_lower(before, after, but=("interrupted_weekend",))
    # ... and the volunteer's pay over the run never falls when one version
    # prices every week and no rest block crosses the edge of the run.
    edges = [n for r in (before, after) for n in r.notices if n.kind == "period_edge"]
    if len(run.policy.versions) == 1 and not edges:
        assert_no_run_total_lower(before, after)


@given(pay_runs(cap=False, tiers="ordered"), st.data())
def test_a_longer_shift_never_lowers_pay(run: PayRun, data: st.DataObject) -> None:
    """6 Monotonicity: starting a shift earlier or ending it later never lowers anyone's total."""
    if not run.shifts:
        return
    index = data.draw(st.integers(0, len(run.shifts) - 1))
    shift = run.shifts[index]
    more = data.draw(st.integers(1, 4 * 86400).map(lambda s: timedelta(seconds=s)))
    if shift.end is not None and (shift.start is None or data.draw(st.booleans())):
        longer = attrs.evolve(shift, end=utc(shift.end) + more)
    elif shift.start is not None:
        longer = attrs.evolve(shift, start=utc(shift.start) - more)
    else:
        return
    longer_run = attrs.evolve(run, shifts=replace_at(run.shifts, index, longer))
    assert_no_total_lower(run.compute(), longer_run.compute())


@given(pay_runs(cap=False, tiers="ordered"), st.data())
def test_more_worked_time_never_lowers_pay(run: PayRun, data: st.DataObject) -> None:
    """6 Monotonicity: a page with a longer worked time never lowers anyone's total."""
    if not run.pages:
        return
    index = data.draw(st.integers(0, len(run.pages) - 1))
    page = run.pages[index]
    was = elapsed_work(page)
    more = data.draw(st.integers(0, 10 * 3600).map(lambda s: timedelta(seconds=s)))
    longer = attrs.evolve(
        run, pages=replace_at(run.pages, index, attrs.evolve(page, worked=was + more))
    )
    assert_no_total_lower(run.compute(), longer.compute())


_Rates = TypeVar("_Rates", op.Plan, op.RateSet, op.Tier)


@st.composite
def raised_plans(draw: st.DrawFn, plan: op.Plan) -> op.Plan:
    """``plan`` with one rate, fee, bonus or multiplier raised (or set from zero),
    of its own, of one of its rate sets or of one of its tiers."""
    if plan.rate_sets and draw(st.booleans()):
        name = draw(st.sampled_from(sorted(plan.rate_sets)))
        raised = draw(raised_rates(plan.rate_sets[name], plan.currency))
        return attrs.evolve(plan, rate_sets={**plan.rate_sets, name: raised})
    if plan.tiers and draw(st.booleans()):
        # docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows
        name = draw(st.sampled_from(sorted(plan.tiers)))
        tier = draw(raised_rates(plan.tiers[name], plan.currency))
        return attrs.evolve(plan, tiers={**plan.tiers, name: tier})
    return draw(raised_rates(plan, plan.currency))


@st.composite
def raised_rates(draw: st.DrawFn, plan: _Rates, currency: str) -> _Rates:
    """A plan's or rate set's rates with one raised (a base multiple's factor)."""
    places = PLACES.get(currency, 2)
    up = Decimal(draw(st.integers(1, 10**6))).scaleb(-draw(st.integers(0, 4)))
    whole = Decimal(draw(st.integers(1, 10**4)))
    fixed_up = whole + Decimal(draw(st.integers(0, 10**places - 1))).scaleb(-places)
    callout = plan.callout
    what = draw(
        st.sampled_from(["stipend", "standby", "hourly", "multiplier", "per_page", "bonus"])
    )
    if what == "stipend":
        return attrs.evolve(plan, weekly_stipend=raise_rate(plan.weekly_stipend, up))
    if what == "standby":
        category = draw(st.sampled_from(("workday_off_hours", "night", "weekend", "holiday")))
        old = plan.standby.get(category)
        new = (
            op.StandbyRate(draw(st.sampled_from(("hour", "day"))), up)
            if old is None
            else op.StandbyRate(old.per, raise_rate(old.rate, up))
        )
        return attrs.evolve(plan, standby={**plan.standby, category: new})
    if what == "hourly":
        hourly = raise_rate(callout.hourly, up)
        return attrs.evolve(plan, callout=attrs.evolve(callout, hourly=hourly))
    if what == "multiplier":
        category = draw(st.sampled_from(("workday_off_hours", "night", "weekend", "holiday")))
        # Raised, but never past the most the rules allow (100; the strategies stay ≤ 2).
        raised = callout.multipliers.get(category, Decimal(1)) + min(up, Decimal(98))
        return attrs.evolve(
            plan,
            callout=attrs.evolve(callout, multipliers={**callout.multipliers, category: raised}),
        )
    if what == "per_page":
        return attrs.evolve(
            plan, callout=attrs.evolve(callout, per_page=callout.per_page + fixed_up)
        )
    bonus = plan.interrupted_weekend
    return attrs.evolve(plan, interrupted_weekend=attrs.evolve(bonus, bonus=bonus.bonus + fixed_up))


@given(pay_runs(cap=False, tiers="ordered"), st.data())
def test_a_higher_rate_never_lowers_pay(run: PayRun, data: st.DataObject) -> None:
    """6 Monotonicity: raising any rate, fee, bonus or multiplier (of a plan or
    of a rate set), or a volunteer's base_hourly, never lowers anyone's total."""
    based = [i for i, v in enumerate(run.volunteers) if v.base_hourly is not None]
    if based and data.draw(st.integers(0, 3)) == 0:
        i = data.draw(st.sampled_from(based))
        v = run.volunteers[i]
        assert v.base_hourly is not None
        up = Decimal(data.draw(st.integers(1, 10**4))).scaleb(-data.draw(st.integers(0, 2)))
        higher = attrs.evolve(v, base_hourly=min(v.base_hourly + up, Decimal("999999.99")))
        richer = attrs.evolve(run, volunteers=replace_at(run.volunteers, i, higher))
        assert_no_total_lower(run.compute(), richer.compute())
        return
    versions = list(run.policy.versions)
    index = data.draw(st.integers(0, len(versions) - 1))
    version = versions[index]
    name = data.draw(st.sampled_from(sorted(version.plans)))
    plan = data.draw(raised_plans(version.plans[name]))
    versions[index] = attrs.evolve(version, plans={**version.plans, name: plan})
    richer = attrs.evolve(run, policy=attrs.evolve(run.policy, versions=tuple(versions)))
    assert_no_total_lower(run.compute(), richer.compute())


# --- 7 No double pay -------------------------------------------------------


@given(pay_runs(), st.data())
def test_a_duplicated_shift_is_paid_once_with_an_overlap_notice(
    run: PayRun, data: st.DataObject
) -> None:
    """7 No double pay: a shift given twice changes no statement and is reported as an overlap."""
    if not run.shifts:
        return
    shift = data.draw(st.sampled_from(run.shifts))
    twice = attrs.evolve(run, shifts=(*run.shifts, shift))
    before, after = run.compute(), twice.compute()
    assert after.statements == before.statements
    assert after.pages == before.pages
    assert without_overlaps(after.notices) == without_overlaps(before.notices)
    lo, hi = run.window(shift.volunteer_id)
    clipped = (lo if shift.start is None else shift.start, hi if shift.end is None else shift.end)
    if after.week_starts and clipped[0] < clipped[1] and not shift.shadow:
        assert any(
            n.kind == "overlap" and n.volunteer_id == shift.volunteer_id for n in after.notices
        )


@given(pay_runs(), st.data())
def test_two_pages_in_one_work_interval_are_paid_once(run: PayRun, data: st.DataObject) -> None:
    """7 No double pay: a second page inside a counted page's work interval adds no callout pay."""
    report = run.compute()
    counted = [o for o in report.pages if o.counted and o.work_from is not None]
    if not counted:
        return
    outcome = data.draw(st.sampled_from(counted))
    assert outcome.work_from is not None
    assert outcome.work_to is not None
    page = next(p for p in run.pages if p.id == outcome.page_id)
    zone_name = run.volunteer(page.volunteer_id).timezone
    # The same instant with no more work, or any later second with no worked time.
    work_from, work_to = utc(outcome.work_from), utc(outcome.work_to)
    span_s = int((work_to - work_from).total_seconds())
    offset = data.draw(st.integers(0, max(0, span_s - 1)))
    was = elapsed_work(page)
    second = attrs.evolve(
        page,
        id="second",
        at=data.draw(dressed(work_from + timedelta(seconds=offset), zone_name)),
        resolved_at=None,
        worked=timedelta(0)
        if offset
        else data.draw(
            st.integers(0, int(was.total_seconds())).map(lambda s: timedelta(seconds=s))
        ),
    )
    both = attrs.evolve(run, pages=(*run.pages, second))
    after = both.compute()
    new = next(o for o in after.pages if o.page_id == "second")
    if new.counted and new.work_to is not None and utc(new.work_to) > work_to:
        # Its own minimum reaches past the first interval; fall back to the same instant.
        second = attrs.evolve(second, at=page.at, worked=timedelta(0))
        both = attrs.evolve(run, pages=(*run.pages, second))
        after = both.compute()
    callouts_before = {
        k: [li for li in s.lines if li.kind == "callout"] for k, s in by_week(report).items()
    }
    callouts_after = {
        k: [li for li in s.lines if li.kind == "callout"] for k, s in by_week(after).items()
    }
    for key, lines in callouts_before.items():
        assert callouts_after[key] == lines
    for key in set(callouts_after) - set(callouts_before):
        assert callouts_after[key] == []


# --- 8 Lines add up --------------------------------------------------------


@given(pay_runs())
def test_lines_add_up_to_a_total_within_the_cap(run: PayRun) -> None:
    """8 Lines add up: a total is its rounded lines' sum, in the plan's currency, within the cap."""
    report = run.compute()
    for statement in report.statements:
        version = run.policy.version_for(statement.week_start)
        assert version is not None
        assert statement.rules_version == version.effective_from
        plan = version.plans[statement.plan]
        assert statement.currency == plan.currency
        places = PLACES.get(plan.currency, 2)
        assert statement.total == sum((li.amount for li in statement.lines), Decimal(0))
        for amount in (statement.total, *(li.amount for li in statement.lines)):
            assert amount.as_tuple().exponent == -places, (amount, plan.currency)
        cap = plan.limits.weekly_cap
        caps = [li for li in statement.lines if li.kind == "cap"]
        uncapped = sum((li.amount for li in statement.lines if li.kind != "cap"), Decimal(0))
        if cap is None or uncapped <= cap:
            assert caps == []
        else:
            assert len(caps) == 1
            assert caps[0].amount < 0
            assert statement.total == cap
        if cap is not None:
            assert statement.total <= cap
        assert all(li.amount >= 0 for li in statement.lines if li.kind != "cap")


# --- 9 Versions ------------------------------------------------------------


@given(pay_runs(), st.data())
def test_a_new_version_leaves_earlier_weeks_as_they_were(run: PayRun, data: st.DataObject) -> None:
    """9 Versions: a new version effective from D changes no week that starts before D."""
    taken = {v.effective_from for v in run.policy.versions}
    first = min(taken)
    day = data.draw(
        st.integers(-14, 28)
        .map(lambda n: run.anchor + timedelta(days=n))
        .filter(lambda d: d > first and d not in taken)
    )
    allow = run.policy.versions[0].calendar.allow_missing_subdivision is True
    # The run's volunteers name the rate sets and lack the bases they do.
    sets = tuple(sorted({v.rate_set for v in run.volunteers if v.rate_set is not None}))
    multiples = all(v.base_hourly is not None for v in run.volunteers) and data.draw(
        st.booleans()
    )
    new = data.draw(
        run_versions(
            day, run.anchor, cap=True, allow_missing=allow, rate_sets=sets, multiples=multiples
        )
    )
    newer = attrs.evolve(run, policy=attrs.evolve(run.policy, versions=(*run.policy.versions, new)))
    before, after = by_week(run.compute()), newer.compute()
    earlier = {k: s for k, s in by_week(after).items() if k[1] < day}
    assert earlier == {k: s for k, s in before.items() if k[1] < day}
    pages_before = [o for o in run.compute().pages if o.week_start < day]
    assert [o for o in after.pages if o.week_start < day] == pages_before


# --- 10 Oracle -------------------------------------------------------------


@given(pay_runs(resolution=60))
def test_the_engine_agrees_with_a_minute_by_minute_oracle(run: PayRun) -> None:
    """10 Oracle: a minute-by-minute walk gives the same hours, lines, totals and TOIL."""
    report = run.compute()
    expected = oracle(run.volunteers, run.shifts, run.pages, run.policy, run.start, run.end)
    assert set(by_week(report)) == set(expected)
    for key, statement in by_week(report).items():
        week = expected[key]
        assert statement.currency == week.currency
        assert {c: statement.covered[c] for c in CATEGORIES} == {
            c: timedelta(minutes=week.minutes[c]) for c in CATEGORIES
        }
        assert {c: statement.hours[c] for c in CATEGORIES} == {
            c: (Decimal(week.minutes[c]) / 60).quantize(Decimal("0.000001")) for c in CATEGORIES
        }
        assert {(li.kind, li.category, li.tier): li.amount for li in statement.lines} == week.lines
        assert statement.total == week.total
        assert statement.toil_days == week.toil_days


# --- Regressions: counterexamples the properties found, minimised ------------


def test_a_week_without_lines_totals_zero_in_minor_units() -> None:
    """8: a statement with only in-hours cover totals "0.00", not "0" (EUR has cents)."""
    shift = op.Shift(
        "alice", local(DUBLIN_TZ, 2026, 11, 16, 10), local(DUBLIN_TZ, 2026, 11, 16, 11)
    )
    report = op.compute([DUBLIN], [shift], [], example_policy(), start=WEEK, end=WEEK)
    (statement,) = report.statements
    assert statement.lines == ()
    assert str(statement.total) == "0.00"


def test_a_cap_written_without_cents_still_caps_in_cents() -> None:
    """8: a cap written "100" caps a EUR week at "100.00", and the lines still add up."""
    plan = example_plan(limits=op.Limits(weekly_cap="100"))
    shift = op.Shift("alice", local(DUBLIN_TZ, 2026, 11, 16), local(DUBLIN_TZ, 2026, 11, 23))
    report = op.compute([DUBLIN], [shift], [], example_policy(plan), start=WEEK, end=WEEK)
    (statement,) = report.statements
    assert str(statement.total) == "100.00"
    assert str(statement.amount("cap")) == "-300.00"
    assert statement.total == sum((li.amount for li in statement.lines), Decimal(0))


def test_a_page_in_a_run_without_pay_weeks_is_dated_in_the_volunteers_zone() -> None:
    """5: with no pay week in the period, a page's outcome does not depend on its UTC offset."""
    at = datetime(2026, 3, 8, 0, 0, tzinfo=UTC)  # Sunday midnight in Dublin (GMT)
    shift = op.Shift("alice", at, at + timedelta(seconds=1))
    runs = [
        op.compute(
            [DUBLIN],
            [shift],
            [op.Page(id="P0", volunteer_id="alice", at=at.astimezone(offset))],
            example_policy(),
            start=date(2026, 3, 8),
            end=date(2026, 3, 8),  # a Sunday: no Monday, so no pay week, in the period
        )
        for offset in (UTC, timezone(timedelta(seconds=-1)))
    ]
    assert runs[0] == runs[1]
    assert runs[0].to_json() == runs[1].to_json()
    (outcome,) = runs[0].pages
    assert outcome.at.utcoffset() == timedelta(0)  # Dublin in March: GMT
    assert (outcome.week_start, outcome.week) == (date(2026, 3, 2), "2026-W10")


def test_an_earlier_page_moves_the_bonus_to_the_earlier_week() -> None:
    """6 and §7: an earlier page in a bank-holiday block moves its bonus to the earlier week."""
    # The rest block Sat 24 – Mon 26 October 2026 (Irish October Bank Holiday)
    # spans two pay weeks. With one page on the Monday the bonus is paid in the
    # week of 26 October; a further page on the Sunday moves it to the week of
    # 19 October (§7: "the pay week that holds the block's first counted page").
    # The week of 26 October falls from 344.55 to 194.55 by exactly the bonus;
    # the run as a whole pays the bonus once and the Sunday callout on top.
    shift = op.Shift("alice", local(DUBLIN_TZ, 2026, 10, 24), local(DUBLIN_TZ, 2026, 10, 27))
    monday = op.Page(id="P1", volunteer_id="alice", at=local(DUBLIN_TZ, 2026, 10, 26, 10))
    sunday = op.Page(id="P2", volunteer_id="alice", at=local(DUBLIN_TZ, 2026, 10, 25, 3))
    period = {"start": date(2026, 10, 19), "end": date(2026, 10, 26)}
    before = op.compute([DUBLIN], [shift], [monday], example_policy(), **period)
    after = op.compute([DUBLIN], [shift], [monday, sunday], example_policy(), **period)
    weeks_before, weeks_after = by_week(before), by_week(after)
    late, early = ("alice", date(2026, 10, 26)), ("alice", date(2026, 10, 19))
    assert weeks_before[late].total == Decimal("344.55")
    assert weeks_after[late].total == Decimal("194.55")
    assert weeks_before[late].amount("interrupted_weekend") == Decimal("150.00")
    assert weeks_after[late].amount("interrupted_weekend") == Decimal("0")
    assert weeks_after[early].amount("interrupted_weekend") == Decimal("150.00")
    assert weeks_after[early].amount("callout") == Decimal("30.00")  # 30 min × 40 × 1.5
    assert_no_total_lower(before, after, but=("interrupted_weekend",))
    assert_no_run_total_lower(before, after)
    assert sum(s.total for s in after.statements) - sum(
        s.total for s in before.statements
    ) == Decimal("30.00")


def test_a_callout_across_the_clock_change_is_paid_for_elapsed_time() -> None:
    """5: a page from 01:10 IST to 01:20 GMT in Dublin's repeated hour is 70 minutes' work."""
    # Written in Europe/Dublin the two instants share a tzinfo, and Python
    # subtracts those by wall clock (10 minutes); in UTC they are 70 minutes
    # apart. The callout (weekend, 40.00/h × 1.5, 15-minute steps) must be
    # 75 minutes, 75.00, whichever way the instants are written.
    zone = ZoneInfo(DUBLIN_TZ)
    at = datetime(2026, 10, 25, 1, 10, tzinfo=zone)  # the first 01:10, IST: 00:10 UTC
    resolved = datetime(2026, 10, 25, 1, 20, fold=1, tzinfo=zone)  # the second 01:20, GMT
    shift = op.Shift("alice", local(DUBLIN_TZ, 2026, 10, 24), local(DUBLIN_TZ, 2026, 10, 26))
    week = date(2026, 10, 19)
    for tz in (zone, UTC):
        page = op.Page(
            id="P1", volunteer_id="alice", at=at.astimezone(tz), resolved_at=resolved.astimezone(tz)
        )
        report = op.compute([DUBLIN], [shift], [page], example_policy(), start=week, end=week)
        (statement,) = report.statements
        assert statement.amount("callout", "weekend") == Decimal("75.00"), tz


@given(pay_runs())
def test_compute_gives_the_report_of_compute_exact(run: PayRun) -> None:
    """compute() drops the lines before rounding as it goes; its report is the same."""
    report, exact = run.compute_exact()
    assert run.compute() == report
    assert set(exact) == {(s.volunteer_id, s.week_start) for s in report.statements}
