"""compute(): coverage → category intervals → weekly statements.

This module reads like ``spec/pay-rules.md``, section by section. It works
by intervals: coverage and callouts are cut at local day and working-hour
boundaries, never walked minute by minute. Amounts are computed from exact
quantities (``Fraction`` of microseconds) and rounded once per line.

The statement of a week depends only on the inputs, never on the period
asked for: the period only chooses which weeks are reported.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Final

import attrs

from ._calendar import HOLIDAY, WORKDAY, Day, build_day, local_date, local_instant
from ._errors import InputError, PolicyError, Problem
from ._health import VolunteerFacts, collect, measure
from ._model import Page, Shift, Volunteer, country_subdivisions
from ._money import round_fraction, round_money
from ._report import (
    HolidayEntry,
    LineItem,
    Notice,
    PageOutcome,
    Report,
    WeeklyStatement,
)
from ._rules import CATEGORIES, OFF_HOURS, Plan, Policy, ResolvedCalendar, Version

_US: Final = timedelta(microseconds=1)
_HOUR_US: Final = 3_600_000_000
#: How far a rest block is followed before we give up (a calendar of only
#: holidays would otherwise never end).
_MAX_BLOCK_DAYS: Final = 400

Interval = tuple[datetime, datetime]


def _us(span: timedelta) -> int:
    """Exact microseconds of a duration (never a float)."""
    return span // _US


def _hours(span: timedelta) -> Fraction:
    return Fraction(_us(span), _HOUR_US)


@lru_cache(maxsize=65536)
def _hours_6(us: int) -> Decimal:
    """Hours of ``us`` microseconds, rounded to 6 places for reading.

    Cached: the same weekly patterns of cover recur across volunteers and
    weeks, and rounding an exact fraction is the costliest step of a statement.
    """
    return round_fraction(Fraction(us, _HOUR_US), 6)


@lru_cache(maxsize=65536)
def _quantity_6(quantity: Fraction) -> Decimal:
    """A line's exact quantity rounded to 6 places (cached, as ``_hours_6``)."""
    return round_fraction(quantity, 6)


@lru_cache(maxsize=65536)
def _amount(amount: Fraction, currency: str, rounding: str) -> Decimal:
    """A line's exact amount rounded once (cached: a few thousand distinct
    amounts recur across a large run's hundreds of thousands of lines)."""
    return round_money(amount, currency, rounding)


def iso_week(day: date) -> str:
    """The ISO week name of a date, ``2026-W48``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@attrs.frozen
class ExactLine:
    """A line before rounding: the exact quantity and amount."""

    kind: str
    category: str | None
    quantity: Fraction
    unit: str | None
    rate: Decimal | None
    multiplier: Decimal | None
    amount: Fraction


@attrs.frozen
class _WeekRules:
    """What prices one pay week of one volunteer."""

    version: Version
    plan_name: str
    plan: Plan
    calendar: ResolvedCalendar


#: A local date of one calendar: (version's effective_from, plan name, zone,
#: country, subdivision, date). Within one policy the version and the plan
#: name fix the calendar, so equal keys give equal days.
_DayKey = tuple[date, str, str, str, str | None, date]


class _Shared:
    """What volunteers on the same plan and calendar share within one run.

    A run of 10,000 volunteers has a handful of plans and locations: each
    plan's calendar is resolved once per version (not once per volunteer and
    week), and each local date of a location is cut into categories once.
    """

    def __init__(self) -> None:
        self.rules: dict[tuple[date, str], _WeekRules] = {}
        self.days: dict[_DayKey, Day] = {}


class _Volunteer:
    """Everything the engine works out for one volunteer, lazily and once."""

    def __init__(
        self,
        volunteer: Volunteer,
        policy: Policy,
        reported: frozenset[date],
        shared: _Shared | None = None,
    ) -> None:
        self.v = volunteer
        self.policy = policy
        self.reported = reported
        self._weekday = policy.week_start_weekday
        self._rules: dict[date, _WeekRules | None] = {}
        self._days: dict[date, Day | None] = {}
        self._shared = shared if shared is not None else _Shared()

    # §4 Pay weeks -----------------------------------------------------------
    def week_start(self, day: date) -> date:
        return day - timedelta(days=(day.weekday() - self._weekday) % 7)

    def rules(self, week_start: date) -> _WeekRules | None:
        """The rules of a pay week; ``None`` for an unreported week no version covers."""
        if week_start not in self._rules:
            version = self.policy.version_for(week_start)
            if version is None:
                if week_start in self.reported:
                    first = self.policy.versions[0].effective_from
                    msg = (
                        f"no rules version covers the pay week {iso_week(week_start)} "
                        f"(starting {week_start}); the earliest version is effective "
                        f"from {first}"
                    )
                    raise PolicyError(Problem(msg, field="versions"))
                self._rules[week_start] = None
            else:
                try:
                    name = version.plan_name_for(self.v)
                except PolicyError:
                    if week_start in self.reported:
                        raise
                    # A stray page next to the period, in a version that has
                    # no plan for this volunteer: nothing is priced there.
                    self._rules[week_start] = None
                    return None
                key = (version.effective_from, name)
                rules = self._shared.rules.get(key)
                if rules is None:
                    calendar = version.calendar_for(name)
                    rules = _WeekRules(version, name, version.plans[name], calendar)
                    self._shared.rules[key] = rules
                self._rules[week_start] = rules
        return self._rules[week_start]

    # §2 Days and time categories -------------------------------------------
    def day(self, day: date) -> Day | None:
        """A local date cut into categories, with the calendar of its pay week."""
        if day not in self._days:
            rules = self.rules(self.week_start(day))
            if rules is None:
                self._days[day] = None
            else:
                v = self.v
                key = (rules.version.effective_from, rules.plan_name, v.timezone, v.country,
                       v.subdivision, day)  # fmt: skip
                info = self._shared.days.get(key)
                if info is None:
                    try:
                        info = build_day(day, v.timezone, v.country, v.subdivision, rules.calendar)
                    except InputError as e:
                        source = f"volunteer {v.id!r}"
                        raise InputError(
                            [attrs.evolve(p, source=source) for p in e.problems]
                        ) from None
                    self._shared.days[key] = info
                self._days[day] = info
        return self._days[day]

    def local_date(self, instant: datetime) -> date:
        return local_date(instant, self.v.timezone)

    def midnight(self, day: date) -> datetime:
        return local_instant(day, 0, self.v.timezone)

    def pieces(
        self, start: datetime, end: datetime
    ) -> Iterable[tuple[Day, datetime, datetime, str]]:
        """Cut ``[start, end)`` at local day and working-hour boundaries."""
        day = self.local_date(start)
        while True:
            info = self.day(day)
            if info is None:
                # An unreported week no version covers: nothing is priced there.
                if self.midnight(day + timedelta(days=1)) >= end:
                    return
            else:
                if info.start >= end:
                    return
                for s, e, category in info.segments:
                    lo, hi = max(s, start), min(e, end)
                    if lo < hi:
                        yield info, lo, hi, category
                if info.end >= end:
                    return
            day += timedelta(days=1)


def _merge(
    intervals: list[Interval],
) -> tuple[list[Interval], list[tuple[Interval, Interval]]]:
    """Union of intervals; also the pairs that really overlapped (not just touched)."""
    merged: list[Interval] = []
    overlaps: list[tuple[Interval, Interval]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            if start < last[1]:
                overlaps.append((last, (start, end)))
            merged[-1] = (last[0], max(last[1], end))
        else:
            merged.append((start, end))
    return merged, overlaps


def _covers(coverage: list[Interval], starts: list[datetime], instant: datetime) -> bool:
    i = bisect.bisect_right(starts, instant) - 1
    return i >= 0 and coverage[i][0] <= instant < coverage[i][1]


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def work_length(page: Page, plan: Plan) -> timedelta:
    """§6 steps 1–2: the length of a counted page's work interval."""
    callout = plan.callout
    if page.worked is not None:
        length = page.worked
    elif page.resolved_at is not None:
        # Elapsed time: two datetimes sharing a zone subtract by wall clock.
        length = page.resolved_at.astimezone(UTC) - page.at.astimezone(UTC)
    else:
        length = timedelta(0)
    if callout.max_minutes is not None:
        length = min(length, timedelta(minutes=callout.max_minutes))
    minutes = _ceil_div(_us(length), 60_000_000)
    minutes = max(minutes, callout.minimum_minutes)
    step = max(callout.increment_minutes, 1)
    minutes = _ceil_div(minutes, step) * step
    return timedelta(minutes=minutes)


@attrs.frozen
class _PageFacts:
    page: Page
    at: datetime
    week_start: date
    category: str | None
    covered: bool
    qualifies: bool
    reason: str | None


def _fmt(instant: datetime, zone_name: str) -> str:
    from ._model import zone

    return instant.astimezone(zone(zone_name)).isoformat(timespec="minutes")


def _price_volunteer(
    ctx: _Volunteer,
    shifts: list[Shift],
    pages: list[Page],
    window: tuple[date, date],
    notices: list[Notice],
    holidays_seen: set[HolidayEntry],
    health: list[VolunteerFacts] | None = None,
) -> tuple[list[WeeklyStatement], list[PageOutcome], dict[date, list[ExactLine]]]:
    v = ctx.v
    first_week, last_week = window
    win_start = ctx.midnight(first_week)
    win_end = ctx.midnight(last_week + timedelta(days=7))
    # §4 clips an open-ended shift to the reported weeks. We keep a week
    # either side of them too, as we do for pages, so that whether a page
    # next door was on call (the first page of a rest block, a callout that
    # spills into the period) does not depend on the period asked for. Only
    # the reported weeks are paid, so their standby is the same either way.
    open_start = ctx.midnight(first_week - timedelta(days=7))
    open_end = ctx.midnight(last_week + timedelta(days=14))

    # §3 Coverage: open ends clipped to the reported weeks, then merged.
    raw: list[Interval] = []
    for shift in shifts:
        start = shift.start.astimezone(UTC) if shift.start is not None else open_start
        end = shift.end.astimezone(UTC) if shift.end is not None else open_end
        if start < end:
            raw.append((start, end))
    coverage, overlaps = _merge(raw)
    for a, b in overlaps:
        notices.append(
            Notice(
                "overlap",
                v.id,
                f"shift {_fmt(b[0], v.timezone)} – {_fmt(b[1], v.timezone)} overlaps "
                f"{_fmt(a[0], v.timezone)} – {_fmt(a[1], v.timezone)}; merged, paid once",
            )
        )
    starts = [c[0] for c in coverage]

    # §2/§5 Covered time per (date, category).
    covered: dict[date, dict[str, timedelta]] = defaultdict(lambda: defaultdict(timedelta))
    for start, end in coverage:
        for info, lo, hi, category in ctx.pieces(start, end):
            covered[info.date][category] += hi - lo

    # §6 Which pages count.
    facts: list[_PageFacts] = []
    for page in pages:
        at = page.at.astimezone(UTC)
        day = ctx.local_date(at)
        week_start = ctx.week_start(day)
        page_day = ctx.day(day)
        page_category = page_day.category_at(at) if page_day is not None else None
        is_covered = _covers(coverage, starts, at)
        reason: str | None = None
        rules = ctx.rules(week_start)
        if not is_covered:
            reason = "not_on_call"
        elif page_category is None or page_category == "in_hours":
            reason = "in_hours" if page_category == "in_hours" else "outside_period"
        elif rules is not None and not rules.plan.callout.pays_urgency(page.urgency):
            reason = "urgency"
        qualifies = reason is None
        if week_start not in ctx.reported:
            reason = "outside_period"
        facts.append(_PageFacts(page, at, week_start, page_category, is_covered, qualifies, reason))

    # §6 Callout time: the union of the counted pages' work intervals.
    work: dict[str, Interval] = {}
    for f in facts:
        if f.qualifies:
            rules = ctx.rules(f.week_start)
            assert rules is not None  # a qualifying page has a category, so rules
            length = work_length(f.page, rules.plan)
            work[f.page.id] = (f.at, f.at + length)
    callout_time: dict[tuple[date, str], timedelta] = defaultdict(timedelta)
    union, _ = _merge([w for w in work.values() if w[1] > w[0]])
    for start, end in union:
        for info, lo, hi, category in ctx.pieces(start, end):
            if category != "in_hours":
                callout_time[(ctx.week_start(info.date), category)] += hi - lo

    # §6 Per-page pay.
    page_counts: dict[tuple[date, str], int] = defaultdict(int)
    for f in facts:
        if f.qualifies and f.category is not None:
            page_counts[(f.week_start, f.category)] += 1

    # §7 Interrupted rest blocks: the week of the block's first counted page.
    blocks: dict[date, _PageFacts] = {}
    block_days: dict[date, tuple[date, date]] = {}
    for f in sorted((f for f in facts if f.qualifies), key=lambda f: (f.at, f.page.id)):
        day = ctx.local_date(f.at)
        page_day = ctx.day(day)
        if page_day is None or page_day.kind == WORKDAY:
            continue
        first, last = _rest_block(ctx, day)
        if first not in blocks:
            blocks[first] = f
            block_days[first] = (first, last)
    block_weeks: dict[date, int] = defaultdict(int)
    window_days = (first_week, last_week + timedelta(days=6))
    for first, f in blocks.items():
        block_weeks[f.week_start] += 1
        block_first, block_last = block_days[first]
        crosses_start = block_first < window_days[0] <= block_last
        crosses_end = block_first <= window_days[1] < block_last
        if crosses_start or crosses_end:
            notices.append(
                Notice(
                    "period_edge",
                    v.id,
                    f"rest block {block_first} – {block_last} holds counted page "
                    f"{f.page.id} and crosses the edge of the reported weeks "
                    f"({window_days[0]} – {window_days[1]}); "
                    "check the neighbouring pay run",
                )
            )

    # §10 Statements for the reported weeks with cover, pages or pay.
    by_week_pages: dict[date, list[_PageFacts]] = defaultdict(list)
    for f in facts:
        by_week_pages[f.week_start].append(f)
    weeks: set[date] = {ctx.week_start(d) for d in covered}
    weeks |= set(by_week_pages)
    weeks |= {w for w, _ in callout_time} | set(block_weeks)
    statements: list[WeeklyStatement] = []
    exact: dict[date, list[ExactLine]] = {}
    for week_start in sorted(weeks & ctx.reported):
        rules = ctx.rules(week_start)
        assert rules is not None  # reported weeks always have rules (or raised)
        days = [ctx.day(week_start + timedelta(days=i)) for i in range(7)]
        lines = _lines(rules, days, covered, callout_time, page_counts, block_weeks, week_start)
        statement = _statement(
            v, week_start, rules, days, covered, by_week_pages, block_weeks, lines
        )
        statements.append(statement)
        exact[week_start] = lines
        if any(covered.get(d.date) for d in days if d is not None):
            for d in days:
                if d is not None and d.kind == HOLIDAY:
                    holidays_seen.add(
                        HolidayEntry(
                            v.country,
                            v.subdivision,
                            d.date,
                            d.holiday_name or "",
                            d.holiday_source or "",
                        )
                    )

    # spec/health.md: what the load measures need, recorded as worked out above.
    if health is not None:
        health.append(
            collect(
                v.id, v.timezone, (win_start, win_end), coverage, union, covered,
                (f.at for f in facts if f.reason is None),
                (f.at for f in blocks.values() if f.reason is None),
                day=ctx.day,
                reported=(first_week, last_week + timedelta(days=6)),
                settings=ctx.policy.health,
            )
        )  # fmt: skip

    outcomes = [_outcome(ctx, f, work.get(f.page.id)) for f in facts]
    return statements, outcomes, exact


def _rest_block(ctx: _Volunteer, day: date) -> tuple[date, date]:
    """§7 The maximal run of non-workdays around ``day``."""

    def off(d: date) -> bool:
        info = ctx.day(d)
        return info is not None and info.kind != WORKDAY

    first = last = day
    for _ in range(_MAX_BLOCK_DAYS):
        if not off(first - timedelta(days=1)):
            break
        first -= timedelta(days=1)
    for _ in range(_MAX_BLOCK_DAYS):
        if not off(last + timedelta(days=1)):
            break
        last += timedelta(days=1)
    return first, last


def _lines(
    rules: _WeekRules,
    days: list[Day | None],
    covered: Mapping[date, Mapping[str, timedelta]],
    callout_time: Mapping[tuple[date, str], timedelta],
    page_counts: Mapping[tuple[date, str], int],
    block_weeks: Mapping[date, int],
    week_start: date,
) -> list[ExactLine]:
    plan = rules.plan
    lines: list[ExactLine] = []
    present = [d for d in days if d is not None]

    # §5 Weekly stipend, prorated over the week's off-hours.
    off_total = sum(_us(d.off_hours) for d in present)
    off_covered = sum(
        _us(span)
        for d in present
        for category, span in covered.get(d.date, {}).items()
        if category != "in_hours"
    )
    if plan.weekly_stipend and off_covered:
        fraction = Fraction(off_covered, off_total)
        lines.append(
            ExactLine(
                "stipend", None, fraction, "week", plan.weekly_stipend, None,
                fraction * Fraction(plan.weekly_stipend),
            )
        )  # fmt: skip

    # §5 Per-category standby, per hour or per local day.
    for category in OFF_HOURS:
        rate = plan.standby.get(category)
        if rate is None or not rate.rate:
            continue
        if rate.per == "hour":
            quantity = sum(
                (_hours(covered.get(d.date, {}).get(category, timedelta(0))) for d in present),
                Fraction(0),
            )
        else:
            quantity = Fraction(0)
            for d in present:
                span = covered.get(d.date, {}).get(category)
                if span:
                    quantity += Fraction(_us(span), _us(d.category_total(category)))
        if quantity:
            lines.append(
                ExactLine(
                    "standby", category, quantity, rate.per, rate.rate, None,
                    quantity * Fraction(rate.rate),
                )
            )  # fmt: skip

    # §6 Callouts, stretch by stretch, and the flat fee per page.
    callout = plan.callout
    for category in OFF_HOURS:
        span = callout_time.get((week_start, category))
        if callout.hourly and span:
            quantity = _hours(span)
            multiplier = callout.multiplier(category)
            lines.append(
                ExactLine(
                    "callout", category, quantity, "hour", callout.hourly, multiplier,
                    quantity * Fraction(callout.hourly) * Fraction(multiplier),
                )
            )  # fmt: skip
    for category in OFF_HOURS:
        count = page_counts.get((week_start, category), 0)
        if callout.per_page and count:
            multiplier = callout.multiplier(category)
            lines.append(
                ExactLine(
                    "page", category, Fraction(count), "page", callout.per_page, multiplier,
                    count * Fraction(callout.per_page) * Fraction(multiplier),
                )
            )  # fmt: skip

    # §7 Interrupted weekends.
    blocks = block_weeks.get(week_start, 0)
    bonus = plan.interrupted_weekend.bonus
    if bonus and blocks:
        lines.append(
            ExactLine(
                "interrupted_weekend", None, Fraction(blocks), "block", bonus, None,
                blocks * Fraction(bonus),
            )
        )  # fmt: skip
    return lines


def _statement(
    v: Volunteer,
    week_start: date,
    rules: _WeekRules,
    days: list[Day | None],
    covered: Mapping[date, Mapping[str, timedelta]],
    by_week_pages: Mapping[date, list[_PageFacts]],
    block_weeks: Mapping[date, int],
    exact: list[ExactLine],
) -> WeeklyStatement:
    plan = rules.plan
    currency, rounding = plan.currency, rules.version.rounding
    lines = [
        LineItem(
            line.kind,
            line.category,
            _quantity_6(line.quantity),
            line.unit,
            line.rate,
            line.multiplier,
            _amount(line.amount, currency, rounding),
        )
        for line in exact
    ]
    # §8 The weekly cap, as a negative line so the lines still add up. Sums
    # start from a zero in the currency's minor unit, so a week without lines
    # totals "0.00" (not "0") and a cap written "1500" caps at "1500.00".
    zero = _amount(Fraction(0), currency, rounding)  # cached: once per currency, not per week
    total = sum((li.amount for li in lines), zero)
    cap = plan.limits.weekly_cap
    if cap is not None and total > cap:
        capped = cap.quantize(zero)
        lines.append(LineItem("cap", None, Decimal(1), None, None, None, capped - total))
        total = capped
    spans: dict[str, timedelta] = {c: timedelta(0) for c in CATEGORIES}
    for d in days:
        if d is not None:
            for category, span in covered.get(d.date, {}).items():
                spans[category] += span
    week_pages = sorted(by_week_pages.get(week_start, []), key=lambda f: (f.at, f.page.id))
    return WeeklyStatement(
        volunteer_id=v.id,
        week=iso_week(week_start),
        week_start=week_start,
        currency=currency,
        rules_version=rules.version.effective_from,
        plan=rules.plan_name,
        lines=tuple(lines),
        hours={c: _hours_6(_us(s)) for c, s in spans.items()},
        covered=spans,
        page_ids=tuple(f.page.id for f in week_pages),
        counted_page_ids=tuple(f.page.id for f in week_pages if f.reason is None),
        toil_days=block_weeks.get(week_start, 0) * plan.interrupted_weekend.toil_days,
        total=total,
        week_off_hours=_hours_6(sum(_us(d.off_hours) for d in days if d is not None)),
    )


def _outcome(ctx: _Volunteer, f: _PageFacts, work: Interval | None) -> PageOutcome:
    tz = ctx.v.zone
    counted = f.reason is None
    return PageOutcome(
        page_id=f.page.id,
        volunteer_id=ctx.v.id,
        at=f.at.astimezone(tz),
        week=iso_week(f.week_start),
        week_start=f.week_start,
        category=f.category or "unknown",
        counted=counted,
        reason=f.reason,
        work_from=work[0].astimezone(tz) if counted and work else None,
        work_to=work[1].astimezone(tz) if counted and work else None,
        urgency=f.page.urgency,
        title=f.page.title,
    )


def _check_inputs(
    volunteers: list[Volunteer], shifts: list[Shift], pages: list[Page], start: date, end: date
) -> None:
    problems: list[Problem] = []
    if start > end:
        problems.append(Problem(f"from {start} is after to {end}", field="period"))
    ids: set[str] = set()
    for v in volunteers:
        if v.id in ids:
            problems.append(
                Problem(
                    f"duplicate volunteer id {v.id!r}", source=f"volunteer {v.id!r}", field="id"
                )
            )
        ids.add(v.id)
    for shift in shifts:
        if shift.volunteer_id not in ids:
            problems.append(
                Problem(
                    f"shift names volunteer {shift.volunteer_id!r}, who is not in the roster",
                    source=f"shift of {shift.volunteer_id!r} from {shift.start} to {shift.end}",
                    field="volunteer_id",
                )
            )
    page_ids: set[str] = set()
    for page in pages:
        if page.id in page_ids:
            problems.append(
                Problem(f"duplicate page id {page.id!r}", source=f"page {page.id!r}", field="id")
            )
        page_ids.add(page.id)
        if page.volunteer_id not in ids:
            problems.append(
                Problem(
                    f"page {page.id!r} names volunteer {page.volunteer_id!r}, "
                    "who is not in the roster",
                    source=f"page {page.id!r}",
                    field="volunteer_id",
                )
            )
    if problems:
        raise InputError(problems)


def _missing_subdivisions(
    volunteers: list[Volunteer], policy: Policy, week_starts: list[date]
) -> list[Notice]:
    """§2: every volunteer of a country with subdivisions must have one, unless
    the calendar of each reported week allows it (then a notice says so).

    Raises:
        InputError: One problem per volunteer whose calendar does not allow it.
    """
    versions: dict[date, Version] = {}
    for week in week_starts:
        version = policy.version_for(week)
        if version is not None:
            versions[version.effective_from] = version
    notices: list[Notice] = []
    problems: list[Problem] = []
    for v in sorted(volunteers, key=lambda v: v.id):
        known = country_subdivisions(v.country)
        if v.subdivision is not None or not known:
            continue
        allowed = True
        for version in versions.values():
            try:
                name = version.plan_name_for(v)
            except PolicyError:
                continue  # no plan: reported if they have a shift or a page
            allowed = allowed and version.calendar_for(name).allow_missing_subdivision
        if allowed:
            notices.append(
                Notice(
                    "subdivision",
                    v.id,
                    f"no subdivision for {v.country}: only nation-wide holidays apply",
                )
            )
        else:
            msg = (
                f"{v.country} has subdivisions with their own holidays ({', '.join(known)}); "
                "without one only nation-wide holidays apply. Set the volunteer's "
                "subdivision, or allow_missing_subdivision = true in the rules calendar"
            )
            problems.append(Problem(msg, source=f"volunteer {v.id!r}", field="subdivision"))
    if problems:
        raise InputError(problems)
    return notices


def compute_exact(
    volunteers: Iterable[Volunteer],
    shifts: Iterable[Shift],
    pages: Iterable[Page],
    policy: Policy,
    *,
    start: date,
    end: date,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Report, dict[tuple[str, date], list[ExactLine]]]:
    """``compute()``, also returning each statement's lines before rounding."""
    vols = list(volunteers)
    shift_list = list(shifts)
    page_list = list(pages)
    _check_inputs(vols, shift_list, page_list, start, end)

    offset = (policy.week_start_weekday - start.weekday()) % 7
    first_week = start + timedelta(days=offset)
    week_starts = []
    week = first_week
    while week <= end:
        week_starts.append(week)
        week += timedelta(days=7)
    reported = frozenset(week_starts)
    # §4: a reported week that no version covers is an error, whoever was on call.
    uncovered = [w for w in week_starts if policy.version_for(w) is None]
    if uncovered:
        first = policy.versions[0].effective_from
        msg = (
            f"no rules version covers the pay week {iso_week(uncovered[0])} "
            f"(starting {uncovered[0]})"
            + (f" nor {len(uncovered) - 1} later week(s)" if len(uncovered) > 1 else "")
            + f"; the earliest version is effective from {first}"
        )
        raise PolicyError(Problem(msg, field="versions"))

    shifts_of: dict[str, list[Shift]] = defaultdict(list)
    for shift in shift_list:
        shifts_of[shift.volunteer_id].append(shift)
    pages_of: dict[str, list[Page]] = defaultdict(list)
    for page in page_list:
        pages_of[page.volunteer_id].append(page)

    statements: list[WeeklyStatement] = []
    outcomes: list[PageOutcome] = []
    notices: list[Notice] = []
    holidays_seen: set[HolidayEntry] = set()
    exact: dict[tuple[str, date], list[ExactLine]] = {}
    health_facts: list[VolunteerFacts] = []
    if week_starts:
        window = (week_starts[0], week_starts[-1])
        shared = _Shared()
        notices.extend(_missing_subdivisions(vols, policy, week_starts))
        ordered = sorted(vols, key=lambda v: v.id)
        step = max(1, len(ordered) // 100)
        for done, v in enumerate(ordered):
            if progress is not None and done % step == 0:
                progress(done, len(ordered))
            ctx = _Volunteer(v, policy, reported, shared)
            sts, outs, ex = _price_volunteer(
                ctx, shifts_of[v.id], pages_of[v.id], window, notices, holidays_seen, health_facts
            )
            statements.extend(sts)
            outcomes.extend(outs)
            exact.update({(v.id, w): lines for w, lines in ex.items()})
    else:
        notices.append(Notice("period", None, f"no pay week starts between {start} and {end}"))
        # Each page still gets its local time and pay week, as in a run with
        # weeks: the offset the input happened to be written in must not show.
        zones = {v.id: v.zone for v in vols}
        for p in page_list:
            at = p.at.astimezone(zones[p.volunteer_id])
            week_start = at.date() - timedelta(
                days=(at.date().weekday() - policy.week_start_weekday) % 7
            )
            outcomes.append(
                PageOutcome(p.id, p.volunteer_id, at, iso_week(week_start), week_start,
                            "unknown", False, "outside_period", urgency=p.urgency, title=p.title)
            )  # fmt: skip

    if progress is not None:
        progress(len(vols), len(vols))
    health, working_time = measure(health_facts, policy.health, week_starts)
    notices.extend(working_time)
    report = Report(
        statements=tuple(sorted(statements, key=lambda s: (s.volunteer_id, s.week_start))),
        # By the UTC instant: comparing aware datetimes of different zones asks
        # each zone for its offset on every comparison, which made this sort
        # a visible share of a large run. The order is the same.
        pages=tuple(sorted(outcomes, key=lambda p: (p.at.astimezone(UTC), p.page_id))),
        notices=tuple(sorted(notices, key=lambda n: (n.volunteer_id or "", n.kind, n.detail))),
        holidays=tuple(
            sorted(holidays_seen, key=lambda h: (h.country, h.subdivision or "", h.date, h.name))
        ),
        period_start=start,
        period_end=end,
        week_starts=tuple(week_starts),
        policy_name=policy.name,
        input_counts={"volunteers": len(vols), "shifts": len(shift_list), "pages": len(page_list)},
        volunteers=tuple(sorted(vols, key=lambda v: v.id)),
        health=health,
    )
    return report, exact


def compute(
    volunteers: Iterable[Volunteer],
    shifts: Iterable[Shift],
    pages: Iterable[Page],
    policy: Policy,
    *,
    start: date,
    end: date,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Price every pay week whose start lies in ``[start, end]``.

    Args:
        volunteers: The roster; ids must be unique.
        shifts: Cover, of volunteers in the roster, in any order.
        pages: Pages, of volunteers in the roster, in any order; ids unique.
        policy: The versioned pay rules.
        start: The first date of the period.
        end: The last date of the period (inclusive).
        progress: Called now and then with (volunteers priced, volunteers in
            all), and once at the end; for a progress display (no I/O here).

    Returns:
        The report: statements sorted by (volunteer id, week start), every
        page with its outcome, notices, and the health of the load
        (``spec/health.md``). It does not depend on input order.

    Raises:
        InputError: Duplicate or unknown ids, a period whose start is after
            its end, a missing subdivision.
        PolicyError: A reported week no version covers; no plan for a volunteer.
    """
    report, _ = compute_exact(
        volunteers, shifts, pages, policy, start=start, end=end, progress=progress
    )
    return report
