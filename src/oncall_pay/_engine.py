"""compute(): coverage → category intervals → weekly statements.

A pipeline, one step per section of ``docs/how-pay-is-computed.md``; each
step returns its result (nothing is filled in through out-parameters):

1. ``_coverage``: merged cover and the time it holds per local date and
   category, with the overlap notices.
2. ``_page_facts``: where each page fell and whether it counts.
3. ``_callouts``: the counted pages' work intervals, their union and its
   time per pay week and category.
4. ``_rest_blocks``: the interrupted rest blocks, with the period-edge notices.
5. ``_week_lines`` (``_stipend``, ``_standby``, ``_callout_lines``,
   ``_page_lines``, ``_bonus_lines``): the exact lines of one pay week.
6. ``_statement``: a week's lines rounded, capped and summed.

``_price_volunteer`` runs the steps for one volunteer and returns a frozen
``_Priced``; ``compute_exact`` gathers the notices, holidays and health
facts of every volunteer from those results.

It works by intervals: coverage and callouts are cut at local day and
working-hour boundaries, never walked minute by minute. Amounts are computed
from exact quantities (``Fraction`` of microseconds) and rounded once per line.

The statement of a week depends only on the inputs, never on the period
asked for: the period only chooses which weeks are reported.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, Final, Literal, NamedTuple, NoReturn, TypeVar

import attrs

from ._calendar import HOLIDAY, WORKDAY, Day, build_day, local_date, local_instant
from ._errors import InputError, PolicyError, Problem
from ._health import VolunteerTally, collect, measure_tallies, tally
from ._intervals import HOUR_US, ONE_DAY, Interval, ceil_div, covers, hours, hours_6, merge, us
from ._model import (
    SHADOW_ROLE,
    Page,
    Shift,
    Volunteer,
    country_subdivisions,
    period_problems,
    role_key,
)
from ._money import round_fraction, round_money
from ._notice import Notice
from ._parallel import map_ordered, pickle_by_fields
from ._report import HolidayEntry, LineItem, PageOutcome, Report, WeeklyStatement
from ._rules import Plan, Policy, ResolvedCalendar, Tier, Version, needs_base, paid
from ._vocab import CATEGORIES, OFF_HOURS, Category, LineKind, NoticeKind, PageReason, Unit
from ._weeks import (
    WEEK,
    iso_week,
    open_end_window,
    reported_weeks,
    week_end,
    week_start,
)

__all__ = ["ExactLine", "compute", "compute_exact", "iso_week", "work_length"]

#: The plain string of ``Category.IN_HOURS``, bound once: reading a member
#: off its enum class is three times slower than a global, and this one is
#: compared per piece of time.
_IN_HOURS: Final = Category.IN_HOURS.value
#: The categories as plain strings, for the keys of a statement's hour tables
#: (a dict keyed by enum members is tracked by the garbage collector).
_CATEGORY_NAMES: Final = tuple(c.value for c in CATEGORIES)
#: The paid categories as plain strings, for the same reason.
_OFF_HOURS_NAMES: Final = tuple(c.value for c in OFF_HOURS)
#: From a pay week's first date to each of its seven dates.
_WEEK_DAYS: Final = tuple(timedelta(days=i) for i in range(7))
#: How far a rest block is followed before we give up (a calendar of only
#: holidays would otherwise never end).
_MAX_BLOCK_DAYS: Final = 400


def _quantity_6(quantity: Fraction) -> Decimal:
    """A line's exact quantity rounded to 6 places (cached, as ``hours_6``)."""
    return _round_6(quantity.numerator, quantity.denominator)


def _amount(amount: Fraction, currency: str, rounding: str) -> Decimal:
    """A line's exact amount rounded once (cached: a few thousand distinct
    amounts recur across a large run's hundreds of thousands of lines)."""
    return _round_amount(amount.numerator, amount.denominator, currency, rounding)


# The caches are keyed by numerator and denominator: hashing a Fraction
# computes a modular inverse, which cost more than the rounding it saved.
@lru_cache(maxsize=65536)
def _round_6(numerator: int, denominator: int) -> Decimal:
    return round_fraction(Fraction(numerator, denominator), 6)


@lru_cache(maxsize=65536)
def _round_amount(numerator: int, denominator: int, currency: str, rounding: str) -> Decimal:
    return round_money(Fraction(numerator, denominator), currency, rounding)


@lru_cache(maxsize=64)
def _zero(currency: str, rounding: str) -> Decimal:
    """Zero in the currency's minor unit ("0.00"): where a week's sum starts."""
    return round_money(Fraction(0), currency, rounding)


_NO_TIME = timedelta(0)
_K = TypeVar("_K")
_V = TypeVar("_V")
_ONE_US = timedelta(microseconds=1)


@pickle_by_fields
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
    tier: str | None = None


@attrs.frozen
class _WeekRules:
    """What prices one pay week of one volunteer."""

    version: Version
    plan_name: str
    plan: Plan
    calendar: ResolvedCalendar

    def rates(self, tier: str | None, volunteer: Volunteer) -> Plan | Tier:
        """The rates of a tier (the plan's own for ``None``), as they price
        ``volunteer`` (whose ``rate_set`` and ``base_hourly`` made the plan).

        Raises:
            PolicyError: The tier has a rate that is a multiple of
                base_hourly and the volunteer has none (only now that they
                have time of the tier).
        """
        table = self.plan.rates(tier)
        if tier is not None and needs_base(table):
            original = self.version.plans[self.plan_name]
            original.for_volunteer(
                volunteer, version=self.version.effective_from, plan_name=self.plan_name
            )  # raises, naming the tier's rate
        return table


#: A local date of one calendar: (version's effective_from, plan name, zone,
#: country, subdivision, date). Within one policy the version and the plan
#: name fix the calendar, so equal keys give equal days.
_DayKey = tuple[date, str, str, str, str | None, date]


#: A tier and the shift role whose time it prices: ``(None, "")`` is the
#: plan's own time; ``(None, "level 2")`` level-2 time in a week whose plan
#: has no tier for it.
_TierRole = tuple[str | None, str]


def _rank(key: _TierRole) -> tuple[int, str, str]:
    """docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows: which
    tier a minute belongs to when several cover it: the plan's own time
    first, then the tiers by name, shadow time last."""
    tier, role = key
    if tier is None:
        return (0, "", role)
    return (2 if role == SHADOW_ROLE else 1, tier, role)


def _tier_order(plan: Plan, tier: str | None) -> tuple[int, str]:
    """The order of a week's lines: the plan's own, then its tiers by name,
    a shadow tier last."""
    if tier is None:
        return (0, "")
    found = plan.plan_tier(tier)
    return (2 if found is not None and found.shadow else 1, tier)


class _Cut:
    """A stretch of cover cut into days (``_Volunteer.cut``).

    Attributes:
        pieces: As ``_Volunteer.pieces`` yields them.
        days: The same as (local date, category, length).
        months: The off-hours per UTC month, once asked for
            (``_Volunteer.off_hours_by_month``).
    """

    __slots__ = ("days", "months", "pieces", "weeks")

    def __init__(
        self, pieces: tuple[tuple[Day, datetime, datetime, str], ...], weeks: tuple[date, ...]
    ) -> None:
        self.pieces = pieces
        self.days = tuple((info.date, category, hi - lo) for info, lo, hi, category in pieces)
        self.weeks = weeks
        self.months: tuple[tuple[tuple[int, int], int], ...] | None = None


class _Known:
    """What ``_Volunteer`` works out lazily for one calendar key."""

    __slots__ = ("days", "rules", "tier_in")

    def __init__(self) -> None:
        self.rules: dict[date, _WeekRules | None] = {}
        self.days: dict[date, Day | None] = {}
        self.tier_in: dict[tuple[date, str], str | Literal[False] | None] = {}


class _Shared:
    """What volunteers on the same plan and calendar share within one run.

    A run of 10,000 volunteers has a handful of plans and locations: each
    plan's calendar is resolved once per version (not once per volunteer and
    week), and each local date of a location is cut into categories once.
    """

    def __init__(self) -> None:
        #: By (version, plan name, rate set, base_hourly as written): the plan
        #: as it prices such volunteers (``Plan.for_volunteer``). The base's
        #: text, so "30" and "30.00" keep their own digits in the rates shown.
        self.rules: dict[tuple[date, str, str | None, str | None], _WeekRules] = {}
        self.calendars: dict[tuple[date, str], ResolvedCalendar] = {}
        self.days: dict[_DayKey, Day] = {}
        #: By the plan of each version (its name, or None): the roles the
        #: tiers of those plans list.
        self.tier_roles: dict[tuple[str | None, ...], frozenset[str]] = {}
        #: Each stretch of cover cut into days (``_Volunteer.cut``).
        self.cuts: dict[tuple[object, ...], _Cut] = {}
        #: By calendar key (``_Volunteer.calendar_key``): rules, days, tiers.
        self.by_calendar: dict[tuple[object, ...], _Known] = {}
        #: Each distinct week's pay, and the part of it cover decides (``_price_weeks``).
        self.weeks: dict[tuple[object, ...], _WeekPay] = {}
        self.cover: dict[tuple[object, ...], _CoverPay] = {}
        #: The callouts', pages' and rest blocks' part of a week's pay, by
        #: what it is made of (``_price_weeks``): paged weeks of different
        #: cover share it.
        self.activity: dict[tuple[object, ...], _Activity] = {}
        #: Equal lines, hours and figures of statements, made once.
        self.parts = _Parts()
        #: The pay week of a date, and the dates of a pay week (one policy:
        #: one first weekday).
        self.week_of: dict[date, date] = {}
        self.dates_of: dict[date, tuple[date, ...]] = {}


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
        self.shared = shared if shared is not None else _Shared()
        self.tier_roles = self._roles_of_tiers()
        # The weeks' rules, the days and the roles' tiers depend only on the
        # calendar key, so everyone on the same calendar shares them.
        known = self.shared.by_calendar.get(self.calendar_key)
        if known is None:
            known = self.shared.by_calendar[self.calendar_key] = _Known()
        self._rules = known.rules
        self._days = known.days
        self._tier_in = known.tier_in

    def _roles_of_tiers(self) -> frozenset[str]:
        """docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows:
        the roles the tiers of this volunteer's plans list, over every
        version (empty: every shift but a shadow one is the plan's own time)."""
        names: list[str | None] = []
        for version in self.policy.versions:
            try:
                names.append(version.plan_name_for(self.v))
            except PolicyError:
                names.append(None)  # reported where it is priced, if ever
        key = tuple(names)
        # Everything that decides this volunteer's rules per week and the
        # days of their calendar (``rules``, ``day``): the place, the plan of
        # each version, and what ``Plan.for_volunteer`` reads to accept or
        # refuse them.
        v = self.v
        base = None if v.base_hourly is None else str(v.base_hourly)
        self.calendar_key = (v.timezone, v.country, v.subdivision, key, v.rate_set, base)
        roles = self.shared.tier_roles.get(key)
        if roles is None:
            roles = frozenset(
                role
                for version, name in zip(self.policy.versions, names, strict=True)
                if name is not None
                for tier in version.plans[name].tiers.values()
                for role in tier.roles
            )
            self.shared.tier_roles[key] = roles
        return roles

    def tier_in(self, week: date, role: str) -> str | Literal[False] | None:
        """The tier that prices a role's time in a pay week: its name, ``None``
        for the plan's own rates, ``False`` for time nobody pays (shadow time
        in a week whose plan has no shadow tier)."""
        if not role:
            return None
        key = (week, role)
        found = self._tier_in.get(key)
        if found is None and key not in self._tier_in:
            rules = self.rules(week)
            found = rules.plan.tier_for(role) if rules is not None else None
            if found is None and role == SHADOW_ROLE:
                found = False
            self._tier_in[key] = found
        return found

    def week_of(self, day: date) -> date:
        """``week_start``, remembered per run for each date."""
        found = self.shared.week_of.get(day)
        if found is None:
            found = self.shared.week_of[day] = self.week_start(day)
        return found

    def dates_of(self, week: date) -> tuple[date, ...]:
        """The seven dates of the pay week starting ``week``."""
        found = self.shared.dates_of.get(week)
        if found is None:
            found = self.shared.dates_of[week] = tuple(week + d for d in _WEEK_DAYS)
        return found

    # docs/how-pay-is-computed.md#pay-weeks
    def week_start(self, day: date) -> date:
        """``_weeks.week_start`` for this policy, inlined: it is called per
        covered date and per piece of callout time, and a second call costs."""
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
                v = self.v
                try:
                    name = version.plan_name_for(v)
                    base = None if v.base_hourly is None else str(v.base_hourly)
                    key = (version.effective_from, name, v.rate_set, base)
                    rules = self.shared.rules.get(key)
                    if rules is None:
                        # docs/how-pay-is-computed.md#rate-sets
                        plan = version.plans[name].for_volunteer(
                            v, version=version.effective_from, plan_name=name,
                            strict_tiers=False,
                        )  # fmt: skip
                        where = (version.effective_from, name)
                        calendar = self.shared.calendars.get(where)
                        if calendar is None:
                            calendar = version.calendar_for(name)
                            self.shared.calendars[where] = calendar
                        rules = _WeekRules(version, name, plan, calendar)
                        self.shared.rules[key] = rules
                except PolicyError:
                    if week_start in self.reported:
                        raise
                    # A stray page next to the period, in a version that has
                    # no plan (or rate set, or base) for this volunteer:
                    # nothing is priced there.
                    self._rules[week_start] = None
                    return None
                self._rules[week_start] = rules
        return self._rules[week_start]

    # docs/how-pay-is-computed.md#days-and-the-kinds-of-time
    def day(self, day: date) -> Day | None:
        """A local date cut into categories, with the calendar of its pay week."""
        if day not in self._days:
            rules = self.rules(self.week_of(day))
            if rules is None:
                self._days[day] = None
            else:
                v = self.v
                key = (rules.version.effective_from, rules.plan_name, v.timezone, v.country,
                       v.subdivision, day)  # fmt: skip
                info = self.shared.days.get(key)
                if info is None:
                    try:
                        info = build_day(day, v.timezone, v.country, v.subdivision, rules.calendar)
                    except InputError as e:
                        source = f"volunteer {v.id!r}"
                        raise InputError(
                            [attrs.evolve(p, source=source, volunteer_id=v.id) for p in e.problems]
                        ) from None
                    self.shared.days[key] = info
                self._days[day] = info
        return self._days[day]

    def local_date(self, instant: datetime) -> date:
        return local_date(instant, self.v.timezone)

    def midnight(self, day: date) -> datetime:
        return local_instant(day, 0, self.v.timezone)

    def week_cuts(
        self, start: datetime, end: datetime
    ) -> Iterable[tuple[datetime, datetime, date]]:
        """Cut ``[start, end)`` at the starts of local pay weeks."""
        week = self.week_start(self.local_date(start))
        while start < end:
            week += WEEK
            cut = min(self.midnight(week), end)
            yield start, cut, week - WEEK
            start = cut

    def cut(self, start: datetime, end: datetime) -> tuple[tuple[date, str, timedelta], ...]:
        """``pieces`` of ``[start, end)`` as (local date, category, length),
        worked out once per run for everyone on the same calendar (the
        volunteers of a rota share their shifts' times)."""
        return self._cut_entry(start, end).days

    def _cut_entry(self, start: datetime, end: datetime) -> _Cut:
        key = (self.calendar_key, start, end)
        found = self.shared.cuts.get(key)
        if found is None:
            pieces = tuple(self.pieces(start, end))
            weeks = tuple(dict.fromkeys(self.week_of(info.date) for info, _, _, _ in pieces))
            found = self.shared.cuts[key] = _Cut(pieces, weeks)
        return found

    def cut_weeks(self, start: datetime, end: datetime) -> tuple[date, ...]:
        """The pay weeks whose dates ``cut`` gives time on, in order."""
        return self._cut_entry(start, end).weeks

    def off_hours_by_month(
        self, start: datetime, end: datetime, reported: tuple[date, date]
    ) -> tuple[tuple[tuple[int, int], int], ...]:
        """docs/health.md: the off-hours microseconds of ``[start, end)`` per
        UTC month, counting the local dates of ``reported`` (first and last;
        one pair per run), once per run for everyone on the same calendar."""
        entry = self._cut_entry(start, end)
        if entry.months is None:
            first_day, last_day = reported
            months: dict[tuple[int, int], int] = defaultdict(int)
            for info, lo, hi, category in entry.pieces:
                if category == _IN_HOURS or not first_day <= info.date <= last_day:
                    continue
                # A piece lies within one local day, so it crosses at most
                # one start of a UTC month.
                last = hi - _ONE_US
                if (lo.year, lo.month) == (last.year, last.month):
                    months[(lo.year, lo.month)] += us(hi - lo)
                else:
                    boundary = datetime(last.year, last.month, 1, tzinfo=UTC)
                    months[(lo.year, lo.month)] += us(boundary - lo)
                    months[(last.year, last.month)] += us(hi - boundary)
            entry.months = tuple(months.items())
        return entry.months

    def pieces(
        self, start: datetime, end: datetime
    ) -> Iterable[tuple[Day, datetime, datetime, str]]:
        """Cut ``[start, end)`` at local day and working-hour boundaries."""
        day = self.local_date(start)
        while True:
            info = self.day(day)
            if info is None:
                # An unreported week no version covers: nothing is priced there.
                if self.midnight(day + ONE_DAY) >= end:
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
            day += ONE_DAY


def work_length(page: Page, plan: Plan | Tier) -> timedelta:
    """docs/how-pay-is-computed.md#callout-time: the length of a counted
    page's work interval (raised to the minimum, rounded up to the increment),
    by the callout rules of the plan or of the tier that prices the page."""
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
    minutes = ceil_div(us(length), 60_000_000)
    minutes = max(minutes, callout.minimum_minutes)
    step = max(callout.increment_minutes, 1)
    minutes = ceil_div(minutes, step) * step
    return timedelta(minutes=minutes)


def _fmt(instant: datetime, zone_name: str) -> str:
    from ._model import zone

    return instant.astimezone(zone(zone_name)).isoformat(timespec="minutes")


#: Covered time per local date and category.
_Covered = Mapping[date, Mapping[str, timedelta]]


# --- 1. coverage -------------------------------------------------------------


#: A stretch of priced time, the tier that prices it (``None``: the plan's
#: own) and the role of the shifts it came from.
_TierSpan = tuple[datetime, datetime, str | None, str]


@attrs.frozen
class _Coverage:
    """A volunteer's merged cover.

    Attributes:
        intervals: The merged coverage, UTC, in order (shadow time is not cover).
        starts: Their start instants (for bisecting).
        covered: Covered time per local date and category.
        notices: One ``overlap`` notice per pair of shifts that really overlapped.
        by_tier: The priced time per local date and category of each tier
            (``None``: the plan's own rates); shadow time of a shadow tier too.
        spans: With tiers, the priced time as disjoint stretches in order,
            each with its tier; ``None`` when the rules have no tiers (all
            cover is the plan's own).
    """

    intervals: list[Interval]
    starts: list[datetime]
    covered: _Covered
    notices: tuple[Notice, ...]
    by_tier: Mapping[str | None, _Covered]
    spans: list[_TierSpan] | None = None
    span_starts: list[datetime] = attrs.Factory(list)

    def tier_at(self, instant: datetime) -> tuple[bool, str | None, str]:
        """Whether ``instant`` is priced time, by which tier, of which role."""
        if self.spans is None:
            return covers(self.intervals, self.starts, instant), None, ""
        i = bisect.bisect_right(self.span_starts, instant) - 1
        if i >= 0 and self.spans[i][0] <= instant < self.spans[i][1]:
            return True, self.spans[i][2], self.spans[i][3]
        return False, None, ""


def _overlap_notices(v: Volunteer, overlaps: Iterable[tuple[Interval, Interval]]) -> list[Notice]:
    return [
        Notice(
            NoticeKind.OVERLAP,
            v.id,
            f"shift {_fmt(b[0], v.timezone)} – {_fmt(b[1], v.timezone)} overlaps "
            f"{_fmt(a[0], v.timezone)} – {_fmt(a[1], v.timezone)}; merged, paid once",
        )
        for a, b in overlaps
    ]


def _cut(ctx: _Volunteer, intervals: Iterable[Interval]) -> _Covered:
    """Time per local date and category of merged ``intervals``."""
    covered: dict[date, dict[str, timedelta]] = defaultdict(lambda: defaultdict(timedelta))
    for start, end in intervals:
        for day, category, span in ctx.cut(start, end):
            covered[day][category] += span
    return covered


class _LazyCovered(Mapping[date, Mapping[str, timedelta]]):
    """``_cut(ctx, intervals)``, worked out on first use."""

    def __init__(self, ctx: _Volunteer, intervals: Sequence[Interval]) -> None:
        self._ctx = ctx
        self._intervals = intervals
        self._value: _Covered | None = None

    def _cut(self) -> _Covered:
        if self._value is None:
            self._value = _cut(self._ctx, self._intervals)
        return self._value

    def __getitem__(self, day: date) -> Mapping[str, timedelta]:
        value = self._cut()
        if day not in value:  # never add a date (``_cut`` gives defaultdicts)
            raise KeyError(day)
        return value[day]

    def __iter__(self) -> Iterator[date]:
        return iter(self._cut())

    def __len__(self) -> int:
        return len(self._cut())


def _clipped(shift: Shift, open_window: Interval) -> Interval:
    start = shift.start.astimezone(UTC) if shift.start is not None else open_window[0]
    end = shift.end.astimezone(UTC) if shift.end is not None else open_window[1]
    return start, end


def _subtract(interval: Interval, taken: Sequence[Interval]) -> list[Interval]:
    """The parts of ``interval`` outside ``taken`` (merged, in order)."""
    start, end = interval
    out = []
    for lo, hi in taken:
        if hi <= start or lo >= end:
            continue
        if lo > start:
            out.append((start, lo))
        start = max(start, hi)
    if start < end:
        out.append((start, end))
    return out


def _claim(spans: Mapping[_TierRole, Iterable[Interval]]) -> list[_TierSpan]:
    """docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows: each
    tier's time less the time of the tiers before it, so a minute is priced
    once; disjoint stretches in order."""
    taken: list[Interval] = []
    out: list[_TierSpan] = []
    for key in sorted(spans, key=_rank):
        mine, _ = merge(spans[key])
        for interval in mine:
            out.extend((lo, hi, *key) for lo, hi in _subtract(interval, taken))
        taken, _ = merge([*taken, *mine])
    out.sort(key=lambda span: span[0])
    return out


def _coverage(ctx: _Volunteer, shifts: Iterable[Shift], open_window: Interval) -> _Coverage:
    """docs/how-pay-is-computed.md#pay-weeks: cover with open ends clipped to
    ``open_window`` (the reported weeks and a week either side), merged, then
    cut into local days and categories
    (docs/how-pay-is-computed.md#days-and-the-kinds-of-time)."""
    # docs/how-pay-is-computed.md#shadow-shifts: a shadow shift is not cover.
    raw = [c for c in (_clipped(s, open_window) for s in shifts if not s.shadow) if c[0] < c[1]]
    intervals, overlaps = merge(raw)
    # Cut only if asked for: the weeks are priced from each week's own
    # stretches (``_price_weeks``) and health from the stretches' months.
    covered = _LazyCovered(ctx, intervals)
    notices = tuple(_overlap_notices(ctx.v, overlaps))
    return _Coverage(intervals, [c[0] for c in intervals], covered, notices, {None: covered})


def _tiered_coverage(
    ctx: _Volunteer, shifts: Iterable[Shift], open_window: Interval
) -> _Coverage:
    """``_coverage`` when the rules have tiers
    (docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows): shifts
    are merged by role (a role no tier lists is the plan's own time), each
    week's role time goes to the tier its plan names, and a minute that two
    tiers cover is priced by the first of them."""
    listed = ctx.tier_roles
    by_role: dict[str, list[Interval]] = defaultdict(list)
    for shift in shifts:
        key = role_key(shift.role)
        role = key if key in listed or key == SHADOW_ROLE else ""
        if role == SHADOW_ROLE and role not in listed:
            continue  # no plan prices shadow time: it is nothing at all
        start, end = _clipped(shift, open_window)
        if start < end:
            by_role[role].append((start, end))
    notices: list[Notice] = []
    cover: list[Interval] = []
    spans: dict[_TierRole, list[Interval]] = defaultdict(list)
    for role, raw in by_role.items():
        merged, overlaps = merge(raw)
        notices += _overlap_notices(ctx.v, overlaps)
        if role != SHADOW_ROLE:
            cover += merged
        for start, end in merged:
            for lo, hi, week in ctx.week_cuts(start, end):
                tier = ctx.tier_in(week, role)
                if tier is False:
                    continue  # this week's plan does not price shadow time
                spans[(tier, role)].append((lo, hi))
    intervals, _ = merge(cover)
    claimed = _claim(spans)
    by_tier: dict[str | None, _Covered] = {
        tier: _cut(ctx, ((a, b) for a, b, t, _ in claimed if t == tier))
        for tier in {t for _, _, t, _ in claimed}
    }
    return _Coverage(
        intervals, [c[0] for c in intervals], _cut(ctx, intervals), tuple(notices), by_tier,
        claimed, [a for a, _, _, _ in claimed],
    )  # fmt: skip


# --- 2. which pages count ----------------------------------------------------


class _PageFacts(NamedTuple):
    """Where one page fell and whether it counts (a tuple: one per page,
    made and read in the engine only)."""

    page: Page
    at: datetime
    week_start: date
    category: str | None
    covered: bool
    qualifies: bool
    reason: str | None
    #: The tier of the time the page fell in (``None``: the plan's own).
    tier: str | None = None
    #: The role of the shifts of that time (``""``: none a tier lists).
    role: str = ""


def _page_fact(ctx: _Volunteer, page: Page, coverage: _Coverage) -> _PageFacts:
    """docs/how-pay-is-computed.md#which-pages-count: where one page fell, and
    whether (and, if not, why not) it counts."""
    at = page.at.astimezone(UTC)
    day = ctx.local_date(at)
    start = ctx.week_of(day)
    page_day = ctx.day(day)
    category = page_day.category_at(at) if page_day is not None else None
    is_covered, tier, role = coverage.tier_at(at)
    reason: str | None = None
    rules = ctx.rules(start)
    if not is_covered:
        reason = PageReason.NOT_ON_CALL
    elif category is None or category == _IN_HOURS:
        reason = PageReason.IN_HOURS if category == _IN_HOURS else PageReason.OUTSIDE_PERIOD
    elif rules is not None and not rules.plan.rates(tier).callout.pays_urgency(page.urgency):
        reason = PageReason.URGENCY
    qualifies = reason is None
    if start not in ctx.reported:
        reason = PageReason.OUTSIDE_PERIOD
    return _PageFacts(page, at, start, category, is_covered, qualifies, reason, tier, role)


def _page_facts(ctx: _Volunteer, pages: Iterable[Page], coverage: _Coverage) -> list[_PageFacts]:
    """Every page of a volunteer, in input order, with its facts."""
    return [_page_fact(ctx, page, coverage) for page in pages]


#: (pay week, tier, category): how time and pages are added up for the lines.
_Key = tuple[date, str | None, str]


def _page_counts(facts: Iterable[_PageFacts]) -> dict[_Key, int]:
    """docs/how-pay-is-computed.md#which-pages-count: counted pages per
    (pay week, tier, category), for the flat fee per page."""
    counts: dict[_Key, int] = defaultdict(int)
    for f in facts:
        if f.qualifies and f.category is not None:
            counts[(f.week_start, f.tier, f.category)] += 1
    return counts


# --- 3. callout time ---------------------------------------------------------


@attrs.frozen
class _Callouts:
    """A volunteer's callout time.

    Attributes:
        work: The work interval of each counted page, by page id.
        union: The union of the non-empty work intervals of cover (not of
            shadow time), in order.
        time: Off-hours callout time per (pay week, tier, category).
    """

    work: Mapping[str, Interval]
    union: list[Interval]
    time: Mapping[_Key, timedelta]


def _callouts(ctx: _Volunteer, facts: Iterable[_PageFacts]) -> _Callouts:
    """docs/how-pay-is-computed.md#callout-time: the union of the counted
    pages' work intervals, cut into pay weeks and off-hours categories; with
    tiers, a minute of work that pages of two tiers share is priced by the
    first of them (docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows)."""
    work: dict[str, Interval] = {}
    by_key: dict[_TierRole, list[Interval]] = defaultdict(list)
    for f in facts:
        if f.qualifies:
            rules = ctx.rules(f.week_start)
            assert rules is not None  # a qualifying page has a category, so rules
            interval = (f.at, f.at + work_length(f.page, rules.plan.rates(f.tier)))
            work[f.page.id] = interval
            if interval[1] > interval[0]:
                by_key[(f.tier, f.role)].append(interval)
    time: dict[_Key, timedelta] = defaultdict(timedelta)
    if len(by_key) > 1:
        stretches = _claim(by_key)
    else:
        key = next(iter(by_key), (None, ""))
        stretches = [(a, b, *key) for a, b in merge(by_key.get(key, ()))[0]]
    union, _ = merge((a, b) for a, b, _, role in stretches if role != SHADOW_ROLE)
    for start, end, _tier, role in stretches:
        for info, lo, hi, category in ctx.pieces(start, end):
            if category != _IN_HOURS:
                week = ctx.week_of(info.date)
                # Work past the page's week is priced by the tier of its
                # role in the week it falls in (nothing, for shadow time
                # where no tier prices it).
                found = ctx.tier_in(week, role) if role else None
                if found is not False:
                    time[(week, found, category)] += hi - lo
    return _Callouts(work, union, time)


# --- 4. interrupted weekends -------------------------------------------------


@attrs.frozen
class _RestBlocks:
    """The interrupted rest blocks of a volunteer.

    Attributes:
        first_pages: The first counted page of each block, by the block's first date.
        per_week: Blocks per pay week (the week of the block's first counted page).
        notices: ``period_edge`` notices for blocks across the reported weeks' edge.
        roles: Per pay week, for each of its blocks, the roles of the time of
            the block's counted pages (the bonus is the best of their tiers').
        shadow_only: The first dates of blocks that only pages in shadow time
            interrupted (not rest lost by cover, for health).
    """

    first_pages: Mapping[date, _PageFacts]
    per_week: Mapping[date, int]
    notices: tuple[Notice, ...]
    roles: Mapping[date, list[frozenset[str]]] = attrs.Factory(dict)
    shadow_only: frozenset[date] = frozenset()


def _rest_block(ctx: _Volunteer, day: date) -> tuple[date, date]:
    """docs/how-pay-is-computed.md#interrupted-weekends: the maximal run of
    non-workdays around ``day``."""

    def off(d: date) -> bool:
        info = ctx.day(d)
        return info is not None and info.kind != WORKDAY

    first = last = day
    for _ in range(_MAX_BLOCK_DAYS):
        if not off(first - ONE_DAY):
            break
        first -= ONE_DAY
    for _ in range(_MAX_BLOCK_DAYS):
        if not off(last + ONE_DAY):
            break
        last += ONE_DAY
    return first, last


def _rest_blocks(
    ctx: _Volunteer, facts: Iterable[_PageFacts], reported_days: tuple[date, date]
) -> _RestBlocks:
    """docs/how-pay-is-computed.md#interrupted-weekends: each rest block with a
    counted page, paid in the week of its first counted page; a notice where a
    block crosses the first or last of ``reported_days``."""
    first_pages: dict[date, _PageFacts] = {}
    spans: dict[date, tuple[date, date]] = {}
    block_roles: dict[date, set[str]] = defaultdict(set)
    for f in sorted((f for f in facts if f.qualifies), key=lambda f: (f.at, f.page.id)):
        day = ctx.local_date(f.at)
        page_day = ctx.day(day)
        if page_day is None or page_day.kind == WORKDAY:
            continue
        first, last = _rest_block(ctx, day)
        if first not in first_pages:
            first_pages[first] = f
            spans[first] = (first, last)
        block_roles[first].add(f.role)
    per_week: dict[date, int] = defaultdict(int)
    roles: dict[date, list[frozenset[str]]] = defaultdict(list)
    notices: list[Notice] = []
    for first, f in first_pages.items():
        per_week[f.week_start] += 1
        roles[f.week_start].append(frozenset(block_roles[first]))
        block_first, block_last = spans[first]
        crosses_start = block_first < reported_days[0] <= block_last
        crosses_end = block_first <= reported_days[1] < block_last
        if crosses_start or crosses_end:
            notices.append(
                Notice(
                    NoticeKind.PERIOD_EDGE,
                    ctx.v.id,
                    f"rest block {block_first} – {block_last} holds counted page "
                    f"{f.page.id} and crosses the edge of the reported weeks "
                    f"({reported_days[0]} – {reported_days[1]}); "
                    "check the neighbouring pay run",
                )
            )
    shadow_only = frozenset(
        first for first, found in block_roles.items() if found == {SHADOW_ROLE}
    )
    return _RestBlocks(first_pages, per_week, tuple(notices), roles, shadow_only)


# --- 5. the lines of one pay week --------------------------------------------


def _stipend(
    plan: Plan | Tier, present: Sequence[Day], covered: _Covered, tier: str | None = None
) -> list[ExactLine]:
    """docs/how-pay-is-computed.md#the-stipend-is-prorated: over the week's off-hours."""
    off_total = sum(us(d.off_hours) for d in present)
    off_covered = sum(
        us(span)
        for d in present
        for category, span in covered.get(d.date, {}).items()
        if category != _IN_HOURS
    )
    stipend = paid(plan.weekly_stipend)
    if not (stipend and off_covered):
        return []
    fraction = Fraction(off_covered, off_total)
    return [
        ExactLine(
            LineKind.STIPEND, None, fraction, Unit.WEEK, stipend, None,
            fraction * Fraction(stipend), tier,
        )
    ]  # fmt: skip


def _standby(
    plan: Plan | Tier, present: Sequence[Day], covered: _Covered, tier: str | None = None
) -> list[ExactLine]:
    """docs/how-pay-is-computed.md#per-day-standby-counts-days-not-hours:
    per category, per hour or per local day."""
    lines: list[ExactLine] = []
    for category in _OFF_HOURS_NAMES:
        rate = plan.standby.get(category)
        if rate is None or not rate.rate:
            continue
        if rate.per == "hour":  # the rules file's own Literal; Unit.HOUR is its value
            # One fraction of the summed microseconds: the same value as the
            # sum of each day's hours, without a fraction per day.
            quantity = Fraction(
                sum(us(covered.get(d.date, {}).get(category, _NO_TIME)) for d in present),
                HOUR_US,
            )
        else:
            quantity = Fraction(0)
            for d in present:
                span = covered.get(d.date, {}).get(category)
                if span:
                    quantity += Fraction(us(span), us(d.category_total(category)))
        if quantity:
            lines.append(
                ExactLine(
                    LineKind.STANDBY, category, quantity, rate.per, paid(rate.rate), None,
                    quantity * Fraction(paid(rate.rate)), tier,
                )
            )  # fmt: skip
    return lines


def _callout_lines(
    plan: Plan | Tier,
    week: date,
    callout_time: Mapping[_Key, timedelta],
    tier: str | None = None,
) -> list[ExactLine]:
    """docs/how-pay-is-computed.md#callout-time: stretch time per category."""
    callout = plan.callout
    hourly = paid(callout.hourly)
    lines: list[ExactLine] = []
    for category in _OFF_HOURS_NAMES:
        span = callout_time.get((week, tier, category))
        if hourly and span:
            # Keyed by the figures' text: Decimal("40") == Decimal("40.00")
            # hash alike, but a line shows the rate as the rules wrote it.
            lines.append(
                _callout_line(str(hourly), str(callout.multiplier(category)), category, span, tier)
            )
    return lines


@lru_cache(maxsize=65536)
def _callout_line(
    hourly_text: str, multiplier_text: str, category: str, span: timedelta, tier: str | None
) -> ExactLine:
    """One callout line (cached: callout time comes in whole increments, so
    the same stretches recur across a run's many paged weeks). The rate and
    multiplier come as text so that equal values written with different
    digits are cached apart."""
    hourly, multiplier = Decimal(hourly_text), Decimal(multiplier_text)
    quantity = hours(span)
    return ExactLine(
        LineKind.CALLOUT, category, quantity, Unit.HOUR, hourly, multiplier,
        quantity * Fraction(hourly) * Fraction(multiplier), tier,
    )  # fmt: skip


def _page_lines(
    plan: Plan | Tier, week: date, page_counts: Mapping[_Key, int], tier: str | None = None
) -> list[ExactLine]:
    """docs/how-pay-is-computed.md#which-pages-count: the flat fee per counted page."""
    callout = plan.callout
    lines: list[ExactLine] = []
    for category in _OFF_HOURS_NAMES:
        count = page_counts.get((week, tier, category), 0)
        if callout.per_page and count:
            multiplier = callout.multiplier(category)
            lines.append(
                ExactLine(
                    LineKind.PAGE, category, Fraction(count), Unit.PAGE, callout.per_page,
                    multiplier, count * Fraction(callout.per_page) * Fraction(multiplier), tier,
                )
            )  # fmt: skip
    return lines


def _bonus_lines(plan: Plan | Tier, blocks: int, tier: str | None = None) -> list[ExactLine]:
    """docs/how-pay-is-computed.md#interrupted-weekends: the bonus per block."""
    bonus = plan.interrupted_weekend.bonus
    if not (bonus and blocks):
        return []
    return [
        ExactLine(
            LineKind.INTERRUPTED_WEEKEND, None, Fraction(blocks), Unit.BLOCK, bonus, None,
            blocks * Fraction(bonus), tier,
        )
    ]  # fmt: skip


def _block_bonuses(
    plan: Plan, blocks: Iterable[frozenset[str]]
) -> tuple[dict[str | None, int], Decimal]:
    """docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows: each
    block pays the best bonus (and its time off) among the tiers of its
    counted pages' roles, read in the week's plan (shadow time it does not
    price pays none). Returns blocks per paying tier, and the time off in
    lieu earned."""
    if not blocks:  # most weeks
        return {}, 0 * plan.interrupted_weekend.toil_days
    count: dict[str | None, int] = defaultdict(int)
    for roles in blocks:
        found: list[_TierRole] = []
        for role in roles:
            tier = plan.tier_for(role) if role else None
            if tier is None and role == SHADOW_ROLE:
                continue
            found.append((tier, role))
        if not found:
            continue
        best, _ = max(
            sorted(found, key=_rank),
            key=lambda k: (
                plan.rates(k[0]).interrupted_weekend.bonus,
                plan.rates(k[0]).interrupted_weekend.toil_days,
            ),
        )
        count[best] += 1
    # Started from zero times the plan's own (so "0.0", as a week without a
    # block always showed), each tier's days times its blocks.
    toil = sum(
        (n * plan.rates(t).interrupted_weekend.toil_days for t, n in count.items()),
        0 * plan.interrupted_weekend.toil_days,
    )
    return count, toil


def _week_lines(
    rules: _WeekRules,
    week: date,
    days: Sequence[Day | None],
    by_tier: Mapping[str | None, _Covered],
    callouts: _Callouts,
    page_counts: Mapping[_Key, int],
    bonuses: Mapping[str | None, int],
    tiered: bool,
    volunteer: Volunteer,
) -> list[ExactLine]:
    """docs/how-pay-is-computed.md#the-lines-of-a-weekly-statement: the exact
    lines of one pay week, in their fixed order (the cap comes with rounding):
    the plan's own lines, then each tier's in turn."""
    plan = rules.plan
    present = [d for d in days if d is not None]
    if not tiered:
        names: Iterable[str | None] = (None,)
    else:
        found = {*by_tier, *bonuses}
        found.update(t for w, t, _ in callouts.time if w == week)
        found.update(t for w, t, _ in page_counts if w == week)
        names = sorted(found, key=lambda t: _tier_order(plan, t))
    lines: list[ExactLine] = []
    for tier in names:
        table = rules.rates(tier, volunteer)
        lines += _cover_lines(table, present, by_tier.get(tier, {}), tier)
        lines += _activity_lines(table, week, callouts, page_counts, bonuses.get(tier, 0), tier)
    return lines


def _cover_lines(
    table: Plan | Tier, days: Sequence[Day | None], covered: _Covered, tier: str | None = None
) -> list[ExactLine]:
    """The lines a week's cover alone decides: stipend and standby."""
    present = [d for d in days if d is not None]
    return [*_stipend(table, present, covered, tier), *_standby(table, present, covered, tier)]


def _activity_lines(
    table: Plan | Tier,
    week: date,
    callouts: _Callouts,
    page_counts: Mapping[_Key, int],
    blocks: int,
    tier: str | None = None,
) -> list[ExactLine]:
    """The lines of a week's callouts, counted pages and rest blocks."""
    lines: list[ExactLine] = []
    # Each step is skipped where it cannot give a line: most weeks have no
    # callout, page or rest block.
    if callouts.time:
        lines += _callout_lines(table, week, callouts.time, tier)
    if page_counts:
        lines += _page_lines(table, week, page_counts, tier)
    if blocks:
        lines += _bonus_lines(table, blocks, tier)
    return lines


def _scaled(lines: Sequence[ExactLine], factor: Decimal) -> list[ExactLine]:
    """docs/how-pay-is-computed.md#per-person-rates: every rate (and so every
    amount) times the volunteer's ``rate_factor``, before rounding. Exact: a
    rate has at most 18 digits and a factor 9, inside Decimal's 28."""
    exact = Fraction(factor)
    return [
        attrs.evolve(
            line,
            rate=None if line.rate is None else line.rate * factor,
            amount=line.amount * exact,
        )
        for line in lines
    ]


# --- 6. the statement --------------------------------------------------------


class _ReadOnlyDict(dict[_K, _V]):
    """A dict that refuses to change: the hours and covered time that
    statements of the same week's pay share (equal to a plain dict)."""

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("a statement's hours and covered time are read-only")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))


@attrs.frozen
class _WeekPay:
    """What a pay week pays, whoever's it is: the rounded lines and what the
    statement shows beside them. Volunteers with the same rules, place and
    time in a week get the same one (``_price_weeks`` reuses it)."""

    lines: tuple[LineItem, ...]
    total: Decimal
    hours: Mapping[str, Decimal]
    covered: Mapping[str, timedelta]
    toil_days: Decimal
    week_off_hours: Decimal
    exact: tuple[ExactLine, ...]
    holidays: tuple[HolidayEntry, ...]


@attrs.frozen
class _CoverPay:
    """The part of a week's pay that its cover alone decides: the lines
    before callouts, pages and rest blocks (rounded, not capped), the hours
    and the holidays. Shared by every week with the same rules, place and
    cover, paged or not."""

    lines: tuple[LineItem, ...]
    exact: tuple[ExactLine, ...]
    hours: Mapping[str, Decimal]
    covered: Mapping[str, timedelta]
    week_off_hours: Decimal
    holidays: tuple[HolidayEntry, ...]


class _Parts:
    """The parts of statements that recur, made once per run and shared:
    equal lines, lists of lines, hours and figures.

    Distinct weeks' pay is mostly made of the same few lines (a full week's
    stipend, a weekend's standby) and the same few spans of time. Sharing
    them keeps a large report small, and what a worker process sends back
    is pickled once per part, not once per statement. Keys hold figures as
    text wherever digits show: ``1.5`` and ``1.50`` are equal Decimals."""

    def __init__(self) -> None:
        self._lines: dict[tuple[object, ...], LineItem] = {}
        self._line_lists: dict[tuple[int, ...], tuple[LineItem, ...]] = {}
        self._spans: dict[
            tuple[tuple[str, timedelta], ...],
            tuple[Mapping[str, Decimal], Mapping[str, timedelta]],
        ] = {}
        self._figures: dict[str, Decimal] = {}

    def line(self, line: ExactLine, currency: str, rounding: str) -> LineItem:
        """A line rounded once: its quantity to 6 places, its amount to the minor unit."""
        quantity = _quantity_6(line.quantity)
        amount = _amount(line.amount, currency, rounding)
        # The quantity has 6 places and the amount the currency's (for its
        # rounding): equal values have equal digits. The kinds' types, as a
        # StrEnum member equals its text.
        key = (
            line.kind, type(line.kind), line.category, type(line.category), quantity,
            line.unit, type(line.unit), str(line.rate), str(line.multiplier), amount, currency,
            rounding, line.tier,
        )  # fmt: skip
        item = self._lines.get(key)
        if item is None:
            item = LineItem(
                line.kind, line.category, quantity, line.unit, line.rate, line.multiplier,
                amount, line.tier,
            )  # fmt: skip
            self._lines[key] = item
        return item

    def lines(self, items: Iterable[LineItem]) -> tuple[LineItem, ...]:
        """``tuple(items)``, shared with every list of the same line objects.

        Keyed by the lines' ids: the list stored for a key holds its lines,
        so no id in a key can be reused by another object while the entry
        exists (entries are never removed; a cap line, made anew for each
        capped week, is held by its list in the same way)."""
        found = tuple(items)
        return self._line_lists.setdefault(tuple(map(id, found)), found)

    def spans(
        self, spans: dict[str, timedelta]
    ) -> tuple[Mapping[str, Decimal], Mapping[str, timedelta]]:
        """The hours and the covered time of a week's spans per category,
        read-only and shared."""
        key = tuple(spans.items())
        found = self._spans.get(key)
        if found is None:
            found = (
                _ReadOnlyDict({c: hours_6(us(s)) for c, s in spans.items()}),
                _ReadOnlyDict(spans),
            )
            self._spans[key] = found
        return found

    def figure(self, value: Decimal) -> Decimal:
        """``value``, shared with every figure of the same text."""
        return self._figures.setdefault(str(value), value)


def _cover_pay(
    rules: _WeekRules,
    days: Sequence[Day | None],
    covered: _Covered,
    exact: Sequence[ExactLine],
    holidays: Sequence[HolidayEntry],
    parts: _Parts,
) -> _CoverPay:
    """The cover's lines rounded, and the week's hours per category."""
    currency, rounding = rules.plan.currency, rules.version.rounding
    spans: dict[str, timedelta] = {c: timedelta(0) for c in _CATEGORY_NAMES}
    for d in days:
        if d is not None:
            for category, span in covered.get(d.date, {}).items():
                spans[category] += span
    hours, covered_time = parts.spans(spans)
    return _CoverPay(
        lines=tuple(parts.line(line, currency, rounding) for line in exact),
        exact=tuple(exact),
        hours=hours,
        covered=covered_time,
        week_off_hours=hours_6(sum(us(d.off_hours) for d in days if d is not None)),
        holidays=tuple(holidays),
    )


@attrs.frozen
class _Activity:
    """The part of a week's pay its callouts, counted pages and rest blocks
    make (``_price_weeks``); with tiers, every line of the week.

    Attributes:
        exact: The lines before rounding (scaled by the person's rate factor).
        lines: The same lines, rounded (``_Parts.line``).
        toil_days: The time off in lieu the week's rest blocks earn.
    """

    exact: tuple[ExactLine, ...]
    lines: tuple[LineItem, ...]
    toil_days: Decimal


def _activity(
    rules: _WeekRules, exact: Sequence[ExactLine], toil_days: Decimal, parts: _Parts
) -> _Activity:
    """A week's activity lines, each rounded once (shared through ``parts``)."""
    currency, rounding = rules.plan.currency, rules.version.rounding
    return _Activity(
        tuple(exact), tuple(parts.line(line, currency, rounding) for line in exact), toil_days
    )


def _week_pay(
    rules: _WeekRules, cover: _CoverPay, activity: _Activity, parts: _Parts
) -> _WeekPay:
    """The cover's lines and the activity's, capped and summed."""
    plan = rules.plan
    currency, rounding = plan.currency, rules.version.rounding
    lines = [*cover.lines, *activity.lines]
    # docs/how-pay-is-computed.md#the-weekly-cap: a negative line so the lines
    # still add up. Sums start from a zero in the currency's minor unit, so a
    # week without lines totals "0.00" (not "0") and a cap written "1500" caps
    # at "1500.00".
    zero = _zero(currency, rounding)  # cached: once per currency, not per week
    total = sum((li.amount for li in lines), zero)
    cap = plan.limits.weekly_cap
    if cap is not None and total > cap:
        capped = cap.quantize(zero)
        lines.append(LineItem(LineKind.CAP, None, Decimal(1), None, None, None, capped - total))
        total = capped
    return _WeekPay(
        lines=parts.lines(lines),
        total=parts.figure(total),
        hours=cover.hours,
        covered=cover.covered,
        toil_days=parts.figure(activity.toil_days),
        week_off_hours=cover.week_off_hours,
        exact=(*cover.exact, *activity.exact),
        holidays=cover.holidays,
    )


#: ``iso_week``, remembered: every statement names its week.
_iso_week: Final = lru_cache(maxsize=4096)(iso_week)


def _statement(
    v: Volunteer, week: date, rules: _WeekRules, pay: _WeekPay, week_pages: Sequence[_PageFacts]
) -> WeeklyStatement:
    """A volunteer's statement of a week: the week's pay and their pages."""
    ordered = (
        sorted(week_pages, key=lambda f: (f.at, f.page.id)) if len(week_pages) > 1 else week_pages
    )
    return WeeklyStatement(
        volunteer_id=v.id,
        week=_iso_week(week),
        week_start=week,
        currency=rules.plan.currency,
        rules_version=rules.version.effective_from,
        plan=rules.plan_name,
        lines=pay.lines,
        # Shared with every statement of the same week's pay: read-only.
        hours=pay.hours,
        covered=pay.covered,
        page_ids=tuple(f.page.id for f in ordered),
        counted_page_ids=tuple(f.page.id for f in ordered if f.reason is None),
        toil_days=pay.toil_days,
        total=pay.total,
        week_off_hours=pay.week_off_hours,
    )


def _holidays(v: Volunteer, days: Sequence[Day | None], covered: _Covered) -> list[HolidayEntry]:
    """The holidays of a week with cover (for the report's holiday list)."""
    if not any(covered.get(d.date) for d in days if d is not None):
        return []
    return [
        HolidayEntry(v.country, v.subdivision, d.date, d.holiday_name or "", d.holiday_source or "")
        for d in days
        if d is not None and d.kind == HOLIDAY
    ]


def _outcome(ctx: _Volunteer, f: _PageFacts, work: Interval | None) -> PageOutcome:
    tz = ctx.v.zone
    counted = f.reason is None
    return PageOutcome(
        page_id=f.page.id,
        volunteer_id=ctx.v.id,
        at=f.at.astimezone(tz),
        week=_iso_week(f.week_start),
        week_start=f.week_start,
        category=f.category or "unknown",
        counted=counted,
        reason=f.reason,
        work_from=work[0].astimezone(tz) if counted and work else None,
        work_to=work[1].astimezone(tz) if counted and work else None,
        urgency=f.page.urgency,
        title=f.page.title,
        tier=f.tier if counted else None,
    )


# --- one volunteer -----------------------------------------------------------


@pickle_by_fields
@attrs.frozen
class _Priced:
    """Everything the pipeline worked out for one volunteer.

    Attributes:
        volunteer_id: Whose.
        statements: The reported weeks with cover, pages or pay, in order.
        outcomes: Every page of the volunteer, in input order.
        exact: Each statement's lines before rounding, by week start.
        notices: Overlap and period-edge notices.
        holidays: Holidays in reported weeks with cover.
        health: Their share of the load measures (``_health.tally``), when asked for.
    """

    volunteer_id: str
    statements: tuple[WeeklyStatement, ...]
    outcomes: tuple[PageOutcome, ...]
    exact: Mapping[date, list[ExactLine]]
    notices: tuple[Notice, ...]
    holidays: frozenset[HolidayEntry]
    health: VolunteerTally | None


def _price_weeks(
    ctx: _Volunteer,
    facts: Sequence[_PageFacts],
    coverage: _Coverage,
    callouts: _Callouts,
    page_counts: Mapping[_Key, int],
    blocks: _RestBlocks,
    keep_exact: bool = True,
) -> tuple[list[WeeklyStatement], dict[date, list[ExactLine]], set[HolidayEntry]]:
    """The statements (and exact lines, and holidays seen) of the reported
    weeks with cover (or paid shadow time), pages or pay.

    A week's pay is worked out once per run for each distinct (rules, place,
    person's factors, time per day and category, callout time, counted pages,
    rest blocks) and reused: rotas repeat, so most volunteers' weeks are one
    of a few shapes. The key holds everything the lines and the statement's
    figures are made of, so a reused week is the week it would have been."""
    v = ctx.v
    covered = coverage.covered
    by_tier = coverage.by_tier
    plain = len(by_tier) == 1 and by_tier.get(None) is covered
    by_week_pages: dict[date, list[_PageFacts]] = defaultdict(list)
    for f in facts:
        by_week_pages[f.week_start].append(f)
    callout_time: dict[date, list[tuple[str | None, str, timedelta]]] = defaultdict(list)
    for (w, tier, category), span in callouts.time.items():
        callout_time[w].append((tier, category, span))
    counts: dict[date, list[tuple[str | None, str, int]]] = defaultdict(list)
    for (w, tier, category), n in page_counts.items():
        counts[w].append((tier, category, n))
    # Without tiers a week's time is the cut of the stretches of cover that
    # reach into it (on this calendar), so those stretches name it in a key.
    stretches: dict[date, list[Interval]] = defaultdict(list)
    if plain:
        for interval in coverage.intervals:
            for week in ctx.cut_weeks(*interval):
                stretches[week].append(interval)
        weeks: set[date] = set(stretches)
    else:
        week_of = ctx.week_of
        weeks = {week_of(d) for tier in by_tier.values() for d in tier}
    weeks |= set(by_week_pages)
    weeks |= set(callout_time) | set(blocks.per_week)
    # Whose factors enter a week's pay: place (the calendar's days and
    # holidays), rate factor, and whether their plans have tiers.
    # The factor goes in as text: 1.5 and 1.50 are equal Decimals, but a
    # scaled rate keeps the factor's digits (450.000 against 450.0000).
    factor = str(v.rate_factor)
    person = (v.timezone, v.country, v.subdivision, factor, bool(ctx.tier_roles))
    reuse, reuse_cover, reuse_activity = ctx.shared.weeks, ctx.shared.cover, ctx.shared.activity
    statements: list[WeeklyStatement] = []
    exact: dict[date, list[ExactLine]] = {}
    holidays: set[HolidayEntry] = set()
    for week in sorted(weeks & ctx.reported):
        rules = ctx.rules(week)
        assert rules is not None  # reported weeks always have rules (or raised)
        dates = ctx.dates_of(week)
        cover: tuple[Any, ...]
        if plain:
            cover = tuple(stretches.get(week, ()))
        else:
            cover = (
                _week_cover(covered, dates),
                *((t, _week_cover(c, dates)) for t, c in by_tier.items()),
            )
        block_roles = tuple(blocks.roles.get(week, ()))
        week_callouts, week_counts = tuple(callout_time.get(week, ())), tuple(counts.get(week, ()))
        # The rules object itself is shared (``_Shared.rules``) and alive for
        # the run, so its id names it; hashing it would walk the whole plan.
        key = (id(rules), person, week, cover, week_callouts, week_counts, block_roles)
        pay = reuse.get(key)
        if pay is None and plain:
            # The cover's part is shared with every week of the same cover
            # (paged or not), the activity's with every week of the same
            # callouts, pages and blocks (their lines name no date); the
            # week's pay is the two together.
            cover_key = (id(rules), person, week, cover)
            cover_pay = reuse_cover.get(cover_key)
            if cover_pay is None:
                days = [ctx.day(d) for d in dates]
                mine = _cut(ctx, cover)  # the week's stretches (and their other dates)
                lines = _cover_lines(rules.plan, days, mine)
                if v.rate_factor is not None:
                    lines = _scaled(lines, v.rate_factor)
                cover_pay = _cover_pay(
                    rules, days, mine, lines, _holidays(v, days, mine), ctx.shared.parts
                )
                reuse_cover[cover_key] = cover_pay
            activity_key = (id(rules), factor, week_callouts, week_counts, block_roles)
            activity = reuse_activity.get(activity_key)
            if activity is None:
                bonuses, toil = _block_bonuses(rules.plan, block_roles)
                lines = _activity_lines(
                    rules.plan, week, callouts, page_counts, bonuses.get(None, 0)
                )
                if v.rate_factor is not None:
                    lines = _scaled(lines, v.rate_factor)
                activity = _activity(rules, lines, toil, ctx.shared.parts)
                reuse_activity[activity_key] = activity
            pay = reuse[key] = _week_pay(rules, cover_pay, activity, ctx.shared.parts)
        elif pay is None:  # with tiers, ``_week_lines`` prices all but the holidays, per tier
            bonuses, toil = _block_bonuses(rules.plan, block_roles)
            days = [ctx.day(d) for d in dates]
            cover_pay = _cover_pay(
                rules, days, covered, (), _holidays(v, days, covered), ctx.shared.parts
            )
            lines = _week_lines(
                rules, week, days, by_tier, callouts, page_counts, bonuses,
                bool(ctx.tier_roles), v,
            )  # fmt: skip
            if v.rate_factor is not None:
                lines = _scaled(lines, v.rate_factor)
            activity = _activity(rules, lines, toil, ctx.shared.parts)
            pay = reuse[key] = _week_pay(rules, cover_pay, activity, ctx.shared.parts)
        statements.append(_statement(v, week, rules, pay, by_week_pages.get(week, ())))
        if keep_exact:
            exact[week] = list(pay.exact)
        holidays.update(pay.holidays)
    return statements, exact, holidays


def _week_cover(covered: _Covered, dates: Sequence[date]) -> tuple[object, ...]:
    """A week's time per date and category, as a key (in the order it was cut)."""
    return tuple(tuple(covered[d].items()) if d in covered else () for d in dates)


def _price_volunteer(
    ctx: _Volunteer,
    shifts: Iterable[Shift],
    pages: Iterable[Page],
    window: tuple[date, date],
    *,
    health: bool = True,
    keep_exact: bool = True,
) -> _Priced:
    """Run the pipeline for one volunteer over the reported weeks ``window``
    (first and last week start). Without ``keep_exact`` the lines before
    rounding are dropped once the statements are made."""
    v = ctx.v
    first_week, last_week = window
    reported_days = (first_week, week_end(last_week))
    open_first, open_end = open_end_window(first_week, last_week)
    open_window = (ctx.midnight(open_first), ctx.midnight(open_end))
    if ctx.tier_roles:
        coverage = _tiered_coverage(ctx, shifts, open_window)
    else:
        coverage = _coverage(ctx, shifts, open_window)
    covered = coverage.covered
    facts = _page_facts(ctx, pages, coverage)
    callouts = _callouts(ctx, facts)
    page_counts = _page_counts(facts)
    blocks = _rest_blocks(ctx, facts, reported_days)

    statements, exact, holidays = _price_weeks(
        ctx, facts, coverage, callouts, page_counts, blocks, keep_exact
    )

    load = None
    if health:
        # docs/health.md: what the load measures need, as worked out above.
        months: dict[tuple[int, int], int] = defaultdict(int)
        for start, end in coverage.intervals:
            for month, n in ctx.off_hours_by_month(start, end, reported_days):
                months[month] += n
        facts_for_health = collect(
            v.id, v.timezone,
            (ctx.midnight(first_week), ctx.midnight(last_week + WEEK)),
            coverage.intervals, callouts.union, covered,
            # Shadow time is not cover: its pages and rest blocks are not load.
            (f.at for f in facts if f.reason is None and f.role != SHADOW_ROLE),
            (f.at for first, f in blocks.first_pages.items()
             if f.reason is None and first not in blocks.shadow_only),
            day=ctx.day,
            reported=reported_days,
            settings=ctx.policy.health,
            escalations=(f.at for f in facts
                         if f.reason is None and f.tier is not None and f.role != SHADOW_ROLE),
            off_hours_us={month: months[month] for month in sorted(months)},
        )  # fmt: skip
        # Tallied here, where the volunteer was priced (in a worker, with
        # workers): only the team's sums are left for the end.
        load = tally(facts_for_health, ctx.policy.health, reported_days)
    return _Priced(
        volunteer_id=v.id,
        statements=tuple(statements),
        outcomes=tuple(_outcome(ctx, f, callouts.work.get(f.page.id)) for f in facts),
        exact=exact,
        notices=coverage.notices + blocks.notices,
        holidays=frozenset(holidays),
        health=load,
    )


def _check_inputs(
    volunteers: list[Volunteer], shifts: list[Shift], pages: list[Page], start: date, end: date
) -> None:
    problems = period_problems(start, end, fields=("period", "period"))
    if start > end:
        problems.append(Problem(f"from {start} is after to {end}", field="period"))
    ids: set[str] = set()
    for v in volunteers:
        if v.id in ids:
            problems.append(
                Problem(
                    f"duplicate volunteer id {v.id!r}",
                    source=f"volunteer {v.id!r}",
                    field="id",
                    volunteer_id=v.id,
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
    """Every volunteer of a country with subdivisions must have one, unless
    the calendar of each reported week allows it (then a notice says so);
    docs/how-pay-is-computed.md#days-and-the-kinds-of-time.

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
                    NoticeKind.SUBDIVISION,
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
            problems.append(
                Problem(msg, source=f"volunteer {v.id!r}", field="subdivision", volunteer_id=v.id)
            )
    if problems:
        raise InputError(problems)
    return notices


def _check_versions(policy: Policy, week_starts: Sequence[date]) -> None:
    """docs/how-pay-is-computed.md#pay-weeks: a reported week that no version
    covers is an error, whoever was on call.

    Raises:
        PolicyError: Naming the first such week and how many more there are.
    """
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


@pickle_by_fields
@attrs.frozen
class _Chunk:
    """Volunteers priced together, with only their own shifts and pages:
    what one worker process is sent for each piece of work
    (docs/architecture.md#parallel-pricing)."""

    volunteers: tuple[Volunteer, ...]
    shifts_of: Mapping[str, list[Shift]]
    pages_of: Mapping[str, list[Page]]


@pickle_by_fields
@attrs.frozen
class _RunSettings:
    """What every chunk of a run is priced with: sent to each worker once."""

    policy: Policy
    week_starts: tuple[date, ...]
    keep_exact: bool


def _price_chunk(chunk: _Chunk, run: _RunSettings, shared: _Shared) -> list[_Priced]:
    """Run the pipeline for each volunteer of a chunk, in order, sharing
    ``shared`` (resolved calendars, cut days, priced weeks) with every other
    chunk priced in this process for the same run."""
    window = (run.week_starts[0], run.week_starts[-1])
    reported = frozenset(run.week_starts)
    return [
        _price_volunteer(
            _Volunteer(v, run.policy, reported, shared),
            chunk.shifts_of.get(v.id, ()),
            chunk.pages_of.get(v.id, ()),
            window,
            keep_exact=run.keep_exact,
        )
        for v in chunk.volunteers
    ]


#: A worker process's run: its settings and what its chunks share.
_WORKER_RUN: list[tuple[_RunSettings, _Shared]] = []


def _start_worker(run: _RunSettings) -> None:
    """A worker process's start: the run's settings, received once. The
    process only prices, so its cyclic garbage collector is off for good
    (``_compute`` says why)."""
    gc.disable()
    _WORKER_RUN[:] = [(run, _Shared())]


def _price_chunk_in_worker(chunk: _Chunk) -> list[_Priced]:
    run, shared = _WORKER_RUN[0]
    return _price_chunk(chunk, run, shared)


#: Volunteers per chunk when pricing in processes: enough that sending a
#: chunk and its results costs little beside pricing it, few enough that the
#: workers finish together and the progress display moves.
_CHUNK_VOLUNTEERS: Final = 250


def _chunks(
    ordered: Sequence[Volunteer], shifts: Iterable[Shift], pages: Iterable[Page], size: int
) -> list[_Chunk]:
    """The volunteers in id order cut into chunks of ``size``."""
    shifts_of: dict[str, list[Shift]] = defaultdict(list)
    for shift in shifts:
        shifts_of[shift.volunteer_id].append(shift)
    pages_of: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        pages_of[page.volunteer_id].append(page)
    chunks = []
    for i in range(0, len(ordered), size):
        vols = tuple(ordered[i : i + size])
        chunks.append(
            _Chunk(
                vols,
                {v.id: shifts_of[v.id] for v in vols if v.id in shifts_of},
                {v.id: pages_of[v.id] for v in vols if v.id in pages_of},
            )
        )
    return chunks


def _price_all(
    volunteers: Sequence[Volunteer],
    shifts: Iterable[Shift],
    pages: Iterable[Page],
    policy: Policy,
    week_starts: Sequence[date],
    progress: Callable[[int, int], None] | None,
    keep_exact: bool,
    workers: int,
) -> list[_Priced]:
    """Run the pipeline for every volunteer, in id order: in this process,
    or in ``workers`` processes (this one among them), one chunk of
    volunteers at a time; the results are the same either way."""
    ordered = sorted(volunteers, key=lambda v: v.id)
    total = len(ordered)
    run = _RunSettings(policy, tuple(week_starts), keep_exact)
    shared = _Shared()
    results: Iterable[list[_Priced]]
    if workers <= 1:
        # Chunks of one percent, so the progress display moves as before.
        chunks = _chunks(ordered, shifts, pages, max(1, total // 100))
        results = (_price_chunk(chunk, run, shared) for chunk in chunks)
    else:
        size = min(_CHUNK_VOLUNTEERS, max(1, -(-total // (workers * 8))))
        results = map_ordered(
            _price_chunk_in_worker, _chunks(ordered, shifts, pages, size), workers,
            here=lambda chunk: _price_chunk(chunk, run, shared),
            initializer=_start_worker, initargs=(run,),
        )  # fmt: skip
    priced: list[_Priced] = []
    if progress is not None:
        progress(0, total)
    for done in results:
        priced.extend(done)
        if progress is not None and len(priced) < total:
            progress(len(priced), total)
    return priced


#: How many stretches of cover an ``outside_period`` notice spells out.
_STRETCHES_LISTED: Final = 3


def _fmt_end(instant: datetime, open_values: set[datetime], zone_name: str) -> str:
    return "open" if instant in open_values else _fmt(instant, zone_name)


def _shift_accounting(
    volunteers: Sequence[Volunteer], shifts: Sequence[Shift], week_starts: Sequence[date]
) -> tuple[list[Notice], int]:
    """docs/how-pay-is-computed.md#every-shift-is-accounted-for: each
    volunteer's shifts merged (as the engine merges them) into stretches of
    cover; a stretch wholly outside the reported weeks (local dates, the
    volunteer's zone) is named in one notice per volunteer, and its rows are
    counted outside. Returns the notices and how many rows are inside.

    Stretches, not rows, so cutting a shift in two or merging two touching
    shifts changes no notice (the split invariance holds for notices too)."""
    if not week_starts:
        return [], 0  # the ``period`` notice says that nothing was reported
    first, end = week_starts[0], week_starts[-1] + WEEK
    open_first, open_end = open_end_window(week_starts[0], week_starts[-1])
    by_volunteer: dict[str, list[Shift]] = defaultdict(list)
    for shift in shifts:
        by_volunteer[shift.volunteer_id].append(shift)
    zones = {v.id: v.timezone for v in volunteers}
    notices = []
    inside = 0
    for vid, mine in by_volunteer.items():
        tz = zones[vid]
        lo, hi = local_instant(first, 0, tz), local_instant(end, 0, tz)
        # Open ends are clipped as for the cover (a week either side), so an
        # open shift does not swallow a far-away row into its stretch.
        open_lo, open_hi = local_instant(open_first, 0, tz), local_instant(open_end, 0, tz)
        rows: list[Interval] = []
        open_starts: set[datetime] = set()
        open_ends: set[datetime] = set()
        for shift in mine:
            if shift.start is None:
                a = open_lo if shift.end is None else min(open_lo, shift.end.astimezone(UTC))
                open_starts.add(a)
            else:
                a = shift.start.astimezone(UTC)
            if shift.end is None:
                b = max(open_hi, a)
                open_ends.add(b)
            else:
                b = shift.end.astimezone(UTC)
            rows.append((a, b))
        stretches, _ = merge(rows)
        starts = [a for a, _ in stretches]
        away = [(a, b) for a, b in stretches if b <= lo or a >= hi]
        if not away:
            inside += len(rows)
            continue
        away_starts = {a for a, _ in away}
        inside += sum(
            stretches[bisect.bisect_right(starts, a) - 1][0] not in away_starts for a, _ in rows
        )
        listed = "; ".join(
            f"{_fmt_end(a, open_starts, tz)} – {_fmt_end(b, open_ends, tz)}"
            for a, b in away[:_STRETCHES_LISTED]
        )
        more = len(away) - _STRETCHES_LISTED
        listed += f"; and {more} more" if more > 0 else ""
        notices.append(
            Notice(
                NoticeKind.OUTSIDE_PERIOD,
                vid,
                f"on call wholly outside the reported weeks {first} – {end - timedelta(days=1)}, "
                f"not paid in this run: {listed}; check --from and --to",
            )
        )
    return notices, inside


def _unpriced_pages(
    volunteers: Iterable[Volunteer], pages: Iterable[Page], policy: Policy
) -> list[PageOutcome]:
    """A run without pay weeks: each page still gets its local time and pay
    week, as in a run with weeks (the offset the input happened to be written
    in must not show), and is outside the period."""
    zones = {v.id: v.zone for v in volunteers}
    outcomes = []
    for p in pages:
        at = p.at.astimezone(zones[p.volunteer_id])
        start_of = week_start(at.date(), policy.week_start_weekday)
        outcomes.append(
            PageOutcome(p.id, p.volunteer_id, at, iso_week(start_of), start_of,
                        "unknown", False, PageReason.OUTSIDE_PERIOD,
                        urgency=p.urgency, title=p.title)
        )  # fmt: skip
    return outcomes


def compute_exact(
    volunteers: Iterable[Volunteer],
    shifts: Iterable[Shift],
    pages: Iterable[Page],
    policy: Policy,
    *,
    start: date,
    end: date,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> tuple[Report, dict[tuple[str, date], list[ExactLine]]]:
    """``compute()``, also returning each statement's lines before rounding."""
    return _compute(
        volunteers, shifts, pages, policy, start=start, end=end, progress=progress,
        keep_exact=True, workers=workers,
    )  # fmt: skip


def _holiday_order(h: HolidayEntry) -> tuple[str, str, date, str]:
    return (h.country, h.subdivision or "", h.date, h.name)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a block, then as it was."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            # What the block made (the report: hundreds of thousands of
            # objects) is still young; the first collection after this would
            # walk all of it to find it alive. Freezing and unfreezing moves
            # it to the oldest generation in one step instead, as if it had
            # survived, to be walked at the next full collection. Skipped if
            # the caller froze objects of their own: unfreezing would thaw
            # theirs too.
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _compute(
    volunteers: Iterable[Volunteer],
    shifts: Iterable[Shift],
    pages: Iterable[Page],
    policy: Policy,
    *,
    start: date,
    end: date,
    progress: Callable[[int, int], None] | None,
    keep_exact: bool,
    workers: int,
) -> tuple[Report, dict[tuple[str, date], list[ExactLine]]]:
    """The run itself. ``compute`` does not keep the lines before rounding: a
    large run would hold two objects per line (and their fractions) for the
    garbage collector to walk until the end, for nothing."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number of at least 1, not {workers!r}")
    # The cyclic garbage collector is paused for the run: it makes millions
    # of small objects without cycles (reference counting frees them), and
    # each collection walked everything kept so far (a tenth of compute and
    # more). It is switched back on as it was, whatever happens.
    with _collector_paused():
        vols = list(volunteers)
        shift_list = list(shifts)
        page_list = list(pages)
        _check_inputs(vols, shift_list, page_list, start, end)

        week_starts = reported_weeks(start, end, policy.week_start_weekday)
        _check_versions(policy, week_starts)
        notices: list[Notice] = []
        if week_starts:
            notices.extend(_missing_subdivisions(vols, policy, week_starts))
            priced = _price_all(
                vols, shift_list, page_list, policy, week_starts, progress, keep_exact, workers
            )
            outcomes = [o for p in priced for o in p.outcomes]
        else:
            notices.append(
                Notice(NoticeKind.PERIOD, None, f"no pay week starts between {start} and {end}")
            )
            priced = []
            outcomes = _unpriced_pages(vols, page_list, policy)
        # Gathered from each volunteer's result (no step fills a shared list).
        statements = [st for p in priced for st in p.statements]
        notices.extend(n for p in priced for n in p.notices)
        holidays_seen = {h for p in priced for h in p.holidays}
        tallies = [p.health for p in priced if p.health is not None]
        exact = {(p.volunteer_id, w): lines for p in priced for w, lines in p.exact.items()}

        if progress is not None:
            progress(len(vols), len(vols))
        health, working_time = measure_tallies(tallies, policy.health, week_starts)
        notices.extend(working_time)
        outside, shifts_inside = _shift_accounting(vols, shift_list, week_starts)
        notices.extend(outside)
        overlaps = sum(n.kind == NoticeKind.OVERLAP for n in notices)
        report = Report(
            # Already in (volunteer id, week start) order: volunteers are
            # priced in id order, and each one's weeks in date order.
            statements=tuple(statements),
            # By the UTC instant: comparing aware datetimes of different zones asks
            # each zone for its offset on every comparison, which made this sort
            # a visible share of a large run. The order is the same.
            pages=tuple(sorted(outcomes, key=lambda p: (p.at.astimezone(UTC), p.page_id))),
            notices=tuple(sorted(notices, key=lambda n: (n.volunteer_id or "", n.kind, n.detail))),
            holidays=tuple(sorted(holidays_seen, key=_holiday_order)),
            period_start=start,
            period_end=end,
            week_starts=tuple(week_starts),
            policy_name=policy.name,
            input_counts={
                "volunteers": len(vols),
                "shifts": len(shift_list),
                "pages": len(page_list),
                "shifts_in_reported_weeks": shifts_inside,
                "shifts_outside_reported_weeks": len(shift_list) - shifts_inside,
                "shift_overlaps": overlaps,
            },
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
    workers: int = 1,
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
        workers: Price in this many processes (``1``: in this one). The
            report is the same; worth it from a few thousand volunteers, as
            starting the processes and sending the results back costs time
            (docs/architecture.md#parallel-pricing).

    Returns:
        The report: statements sorted by (volunteer id, week start), every
        page with its outcome, notices, and the health of the load
        (``docs/health.md``). It does not depend on input order.

    Raises:
        InputError: Duplicate or unknown ids, a period whose start is after
            its end, a missing subdivision.
        PolicyError: A reported week no version covers; no plan for a volunteer.
    """
    report, _ = _compute(
        volunteers, shifts, pages, policy, start=start, end=end, progress=progress,
        keep_exact=False, workers=workers,
    )  # fmt: skip
    return report
