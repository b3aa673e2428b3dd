"""Is the load sustainable? The measures and notices of ``docs/health.md``.

The engine records, for each volunteer, the facts it already works out for
pay (``VolunteerFacts``: coverage, the callout stretches, counted pages,
interrupted rest blocks, covered off-hours per month); ``measure`` turns them
into ``Health`` and the ``rest`` and ``streak`` notices. Nothing here changes
pay.

Where the spec is silent (docs/health.md#decisions-where-the-spec-is-silent
says the same for readers):

- An instant (a page, an hour of cover, a rest block's first page) belongs
  to the calendar month of its UTC date; a local date (a day of a run of
  on-call days) to the month of that date.
- Only what lies in the reported pay weeks counts: pages counted in this run,
  covered hours inside the reported weeks. A month that has dates outside
  the reported weeks is marked partial.
- A sleep-hour page is a counted page whose local wall-clock time is in
  ``[start, end)`` of the sleep hours.
- A callout ends in sleep hours when its last moment does (its end is
  exclusive): one that ends at 08:00 sharp ended in sleep hours, one that
  ends at 22:00 sharp did not.
- Several callouts that end in sleep hours before the same in-hours start
  give one ``rest`` notice, about the last of them; the rest it had runs to
  the next in-hours start, or to the next callout when that comes first.
- A run of on-call days is a maximal run of consecutive local dates with
  any coverage; a month shows the longest run with a reported date in it,
  at its full length (a run across a month end is not cut in two).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Final

import attrs

from ._calendar import Day
from ._intervals import HOUR_US as _HOUR_US
from ._intervals import ONE_DAY as _ONE_DAY
from ._intervals import US as _US
from ._intervals import Interval
from ._intervals import hours_6 as _hours_6
from ._intervals import us as _us
from ._model import zone
from ._money import round_fraction
from ._notice import Notice
from ._parallel import pickle_by_fields
from ._rules import HealthSettings
from ._vocab import Category, NoticeKind
from ._weeks import week_end

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

__all__ = [
    "Fairness",
    "Health",
    "Stretch",
    "TeamMonth",
    "VolunteerFacts",
    "VolunteerMonth",
    "VolunteerTally",
    "collect",
    "gini",
    "measure",
    "measure_tallies",
    "month_name",
    "tally",
]

#: The plain string of ``Category.IN_HOURS``, bound once: reading a member
#: off its enum class is three times slower than a global, and this one is
#: compared per piece of time.
_IN_HOURS: Final = Category.IN_HOURS.value
_YEAR_US: Final = 366 * 24 * _HOUR_US
_MONTH_NAMES: Final = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip

#: A calendar month as (year, month); written ``YYYY-MM`` in the values.
_Month = tuple[int, int]


# --- values ------------------------------------------------------------------


@attrs.frozen
class TeamMonth:
    """The team's load in one calendar month (UTC).

    Attributes:
        month: ``YYYY-MM``.
        partial: Some dates of the month lie outside the reported pay weeks.
        counted_pages: Pages counted for pay in the reported weeks.
        sleep_hour_pages: Those whose local time was in sleep hours.
        interrupted_rest_blocks: Rest blocks whose first counted page fell in the month.
        volunteers_paged: Volunteers with at least one counted page.
        below_target: Whether ``counted_pages`` stayed below the monthly target.
        escalations: Counted pages in the time of an escalation tier (a
            tier of the plan that is not a shadow tier).
    """

    month: str
    partial: bool
    counted_pages: int
    sleep_hour_pages: int
    interrupted_rest_blocks: int
    volunteers_paged: int
    below_target: bool
    escalations: int = 0


@attrs.frozen
class VolunteerMonth:
    """One volunteer's load in one calendar month (UTC).

    Attributes:
        volunteer_id: Who.
        month: ``YYYY-MM``.
        off_hours_hours: Hours on call outside working hours, 6 decimal places.
        counted_pages: Pages counted for pay.
        sleep_hour_pages: Those whose local time was in sleep hours.
        interrupted_rest_blocks: Rest blocks whose first counted page fell in the month.
        longest_run_days: The longest run of consecutive local on-call days
            with a reported date in the month, at its full length.
        page_share: Their share of the team's counted pages in the month,
            0 to 1, 4 decimal places (0 when the team had none).
        escalations: Their counted pages in the time of an escalation tier.
    """

    volunteer_id: str
    month: str
    off_hours_hours: Decimal
    counted_pages: int
    sleep_hour_pages: int
    interrupted_rest_blocks: int
    longest_run_days: int
    page_share: Decimal
    escalations: int = 0


@attrs.frozen
class Fairness:
    """How evenly one measure is spread over the volunteers with any coverage.

    Attributes:
        measure: ``off_hours_hours`` or ``counted_pages``, over the reported weeks.
        volunteers: How many volunteers had any coverage in the reported weeks.
        minimum: The smallest value.
        median: The middle value (the mean of the two middle ones for an even count).
        maximum: The largest value.
        gini: The Gini coefficient, 4 decimal places: 0 when everyone carries
            the same, (n − 1) / n when one of n carries everything.
    """

    measure: str
    volunteers: int
    minimum: Decimal
    median: Decimal
    maximum: Decimal
    gini: Decimal


@attrs.frozen
class Health:
    """Whether the on-call load of a pay run is sustainable (``docs/health.md``).

    Attributes:
        settings: The ``[health]`` settings it was measured against.
        months: The team per calendar month, in order; every month that a
            reported week touches, and any other month a measure fell in.
        volunteers: Per volunteer and month, sorted by (volunteer id, month);
            a volunteer appears in a month with coverage or a counted page.
        fairness: ``off_hours_hours`` then ``counted_pages``; empty when no
            volunteer had coverage in the reported weeks.
    """

    settings: HealthSettings
    months: tuple[TeamMonth, ...]
    volunteers: tuple[VolunteerMonth, ...]
    fairness: tuple[Fairness, ...]

    def month(self, month: str) -> TeamMonth | None:
        """The team's row for ``YYYY-MM``, if the report has one."""
        return next((m for m in self.months if m.month == month), None)


# --- what the engine records --------------------------------------------------


@pickle_by_fields
@attrs.frozen
class Stretch:
    """One stretch of a volunteer's callout time (the union of
    docs/how-pay-is-computed.md#callout-time).

    Attributes:
        start: UTC instant.
        end: UTC instant (exclusive).
        next_in_hours: The first in-hours instant at or after ``end`` on the
            volunteer's calendar, if there is one within ``min_rest_hours``.
    """

    start: datetime
    end: datetime
    next_in_hours: datetime | None


@pickle_by_fields
@attrs.frozen
class VolunteerFacts:
    """What the engine worked out for one volunteer that the measures need.

    Attributes:
        volunteer_id: Who.
        timezone: Their IANA zone.
        window: The reported weeks, local midnight to local midnight, as UTC instants.
        coverage: Merged coverage, UTC, in order.
        off_hours_us: Covered off-hours microseconds per UTC month, as
            (year, month), inside the reported weeks only.
        counted_pages: UTC instants of the pages counted in this run.
        rest_blocks: UTC instants of the first counted page of each interrupted
            rest block this run pays.
        stretches: The callout stretches that touch the reported weeks, in order.
        escalations: UTC instants of the counted pages in the time of an
            escalation tier (docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows).
    """

    volunteer_id: str
    timezone: str
    window: Interval
    coverage: tuple[Interval, ...]
    off_hours_us: Mapping[_Month, int]
    counted_pages: tuple[datetime, ...]
    rest_blocks: tuple[datetime, ...]
    stretches: tuple[Stretch, ...]
    escalations: tuple[datetime, ...] = ()


def _utc_month(instant: datetime) -> _Month:
    """The (year, month) of an instant's UTC date (the engine's instants are UTC)."""
    if instant.tzinfo is not UTC:
        instant = instant.astimezone(UTC)
    return instant.year, instant.month


def _text(month: _Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def month_name(month: str) -> str:
    """``2026-11`` as ``November 2026`` (English, whatever the locale)."""
    year, number = month.split("-")
    return f"{_MONTH_NAMES[int(number) - 1]} {year}"


def _off_hours_by_month(
    covered: Mapping[date, Mapping[str, timedelta]],
    coverage: Sequence[Interval],
    day: Callable[[date], Day | None],
    reported: tuple[date, date],
) -> dict[_Month, int]:
    """Covered off-hours microseconds per UTC month, from the engine's time per local date.

    A local day lies in one UTC month except where a month starts during it
    (east or west of UTC); only those days are cut again, at the month start.
    """
    out: dict[_Month, timedelta] = defaultdict(timedelta)
    first_day, last_day = reported
    for local, spans in covered.items():
        if not first_day <= local <= last_day:
            continue
        info = day(local)
        if info is None:
            continue
        first, last = _utc_month(info.start), _utc_month(info.end - _US)
        if first == last:
            for category, span in spans.items():
                if category != _IN_HOURS:
                    out[first] += span
            continue
        boundary = datetime(last[0], last[1], 1, tzinfo=UTC)
        for cover_start, cover_end in coverage:
            if cover_end <= info.start or cover_start >= info.end:
                continue
            for seg_start, seg_end, category in info.segments:
                lo, hi = max(seg_start, cover_start), min(seg_end, cover_end)
                if category == _IN_HOURS or lo >= hi:
                    continue
                if lo < boundary:
                    out[first] += min(hi, boundary) - lo
                if hi > boundary:
                    out[last] += hi - max(lo, boundary)
    return {month: _us(span) for month, span in sorted(out.items())}


def _next_in_hours(
    instant: datetime, limit: datetime, local: date, day: Callable[[date], Day | None]
) -> datetime | None:
    """The first in-hours instant in ``[instant, limit)``, walking local days."""
    current = local
    while True:
        info = day(current)
        if info is not None:
            if info.start >= limit:
                return None
            for seg_start, seg_end, category in info.segments:
                if category == _IN_HOURS and seg_end > instant:
                    found = max(seg_start, instant)
                    return found if found < limit else None
        elif current > limit.date() + _ONE_DAY:
            return None
        current += _ONE_DAY


def collect(
    volunteer_id: str,
    timezone: str,
    window: Interval,
    coverage: Sequence[Interval],
    callouts: Sequence[Interval],
    covered: Mapping[date, Mapping[str, timedelta]],
    counted_pages: Iterable[datetime],
    rest_blocks: Iterable[datetime],
    *,
    day: Callable[[date], Day | None],
    reported: tuple[date, date],
    settings: HealthSettings,
    escalations: Iterable[datetime] = (),
    off_hours_us: Mapping[_Month, int] | None = None,
) -> VolunteerFacts:
    """Record one volunteer's facts, as the engine has them.

    Args:
        volunteer_id: Who.
        timezone: Their IANA zone.
        window: The reported weeks, UTC.
        coverage: Merged coverage, UTC.
        callouts: The stretches of the callout union, UTC.
        covered: Covered time per local date and category.
        counted_pages: UTC instants of the pages counted in this run.
        rest_blocks: UTC instants of the first counted page of each paid rest block.
        day: The engine's calendar: a local date cut into categories.
        reported: The first and last local dates of the reported pay weeks.
        settings: The health settings (how far to look for the next in-hours start).
        escalations: UTC instants of the counted pages in an escalation tier's time.
        off_hours_us: Covered off-hours microseconds per UTC month of the
            reported dates, in month order, when the caller has them (the
            engine adds them up per stretch of cover, once per rota);
            otherwise worked out here from ``covered``.

    Returns:
        The facts ``measure`` works from.
    """
    tz = zone(timezone)
    # Past the rest owed the next in-hours start does not matter; a year
    # bounds a setting that owes more than any calendar could give.
    owed = timedelta(microseconds=min(math.ceil(settings.min_rest_hours * _HOUR_US), _YEAR_US))
    win_start, win_end = window
    stretches = tuple(
        Stretch(
            start,
            end,
            _next_in_hours(end, end + owed, end.astimezone(tz).date(), day),
        )
        for start, end in callouts
        if start < win_end and end > win_start
    )
    return VolunteerFacts(
        volunteer_id=volunteer_id,
        timezone=timezone,
        window=window,
        coverage=tuple(coverage),
        off_hours_us=(
            _off_hours_by_month(covered, coverage, day, reported)
            if off_hours_us is None
            else dict(off_hours_us)
        ),
        counted_pages=tuple(sorted(counted_pages)),
        rest_blocks=tuple(sorted(rest_blocks)),
        stretches=stretches,
        escalations=tuple(sorted(escalations)),
    )


# --- the measures -------------------------------------------------------------


@attrs.define
class _Tally:
    off_us: int = 0
    pages: int = 0
    sleep: int = 0
    blocks: int = 0
    longest: int = 0
    escalations: int = 0


def gini(values: Sequence[Fraction | int]) -> Fraction:
    """The Gini coefficient of non-negative values, exactly.

    ``Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n Σ x)``, computed on the sorted values as
    ``Σᵢ (2i − n − 1) xᵢ / (n Σ x)``: 0 when all are equal (or all zero),
    (n − 1) / n when one of n values holds everything. It does not depend
    on the unit (hours or microseconds give the same).
    """
    ordered = sorted(values)
    n, total = len(ordered), sum(ordered)
    if n == 0 or total == 0:
        return Fraction(0)
    weighted = sum((2 * i - n - 1) * x for i, x in enumerate(ordered, 1))
    return Fraction(weighted) / (n * total)


def _fairness(measure: str, values: Sequence[int], unit: int, places: int | None) -> Fairness:
    """The spread of whole-number ``values`` (microseconds, pages), shown in ``unit``s."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    median = (
        Fraction(ordered[middle])
        if len(ordered) % 2
        else Fraction(ordered[middle - 1] + ordered[middle], 2)
    )

    def show(value: Fraction | int) -> Decimal:
        exact = Fraction(value, unit)
        if places is None:  # whole pages, or a half for an even count's median
            return Decimal(exact.numerator) / Decimal(exact.denominator)
        return round_fraction(exact, places)

    return Fairness(
        measure=measure,
        volunteers=len(ordered),
        minimum=show(ordered[0]),
        median=show(median),
        maximum=show(ordered[-1]),
        gini=round_fraction(gini(ordered), 4),
    )


@lru_cache(maxsize=4096)
def _share(part: int, whole: int) -> Decimal:
    return round_fraction(Fraction(part, whole) if whole else Fraction(0), 4)


def _runs(coverage: Sequence[Interval], tz_name: str) -> list[tuple[date, date]]:
    """Maximal runs of consecutive local dates with any coverage (inclusive)."""
    tz = zone(tz_name)
    runs: list[tuple[date, date]] = []
    for start, end in coverage:
        first, last = start.astimezone(tz).date(), (end - _US).astimezone(tz).date()
        if runs and first <= runs[-1][1] + _ONE_DAY:
            runs[-1] = (runs[-1][0], max(runs[-1][1], last))
        else:
            runs.append((first, last))
    return runs


def _months_between(first: date, last: date) -> list[_Month]:
    months = []
    year, number = first.year, first.month
    while (year, number) <= (last.year, last.month):
        months.append((year, number))
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return months


def _month_dates(month: _Month) -> tuple[date, date]:
    year, number = month
    first = date(year, number, 1)
    following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return first, following - _ONE_DAY


def _stamp(instant: datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).isoformat(timespec="minutes")


def _duration(span: timedelta) -> str:
    minutes = _us(span) // 60_000_000
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _rest_notices(facts: VolunteerFacts, settings: HealthSettings) -> list[Notice]:
    """``rest``: a callout ending in sleep hours, then too little rest before work."""
    tz = zone(facts.timezone)
    sleep = settings.sleep_hours
    # Rest is whole microseconds: at least the hours owed is at least their
    # microseconds rounded up (compared as integers, not fractions).
    owed = math.ceil(Fraction(settings.min_rest_hours) * _HOUR_US)
    stretches = facts.stretches
    last: dict[datetime, int] = {}
    count: dict[datetime, int] = defaultdict(int)
    in_sleep = sleep.contains
    for i, stretch in enumerate(stretches):
        work = stretch.next_in_hours
        if work is None or not in_sleep((stretch.end - _US).astimezone(tz).time()):
            continue
        last[work] = i
        count[work] += 1
    notices = []
    for work, i in sorted(last.items()):
        stretch = stretches[i]
        resume, what = work, "the next in-hours start"
        if i + 1 < len(stretches) and stretches[i + 1].start < work:
            resume, what = stretches[i + 1].start, "the next callout"
        rest = resume - stretch.end
        if _us(rest) >= owed:
            continue
        also = ""
        if count[work] > 1:
            also = f" (the last of {count[work]} callouts that ended in sleep hours before it)"
        notices.append(
            Notice(
                NoticeKind.REST,
                facts.volunteer_id,
                f"callout {_stamp(stretch.start, tz)} – "
                f"{_stamp(stretch.end, tz)}{also} ended in sleep hours "
                f"({sleep.start}–{sleep.end}); {_duration(rest)} of rest before {what} "
                f"at {_stamp(resume, tz)}, less than the "
                f"{settings.min_rest_hours} h owed: consider time off in lieu",
            )
        )
    return notices


@pickle_by_fields
@attrs.frozen
class VolunteerTally:
    """One volunteer's share of the measures, worked out from their facts
    alone (so it can be worked out where they were priced).

    Attributes:
        volunteer_id: Who.
        months: Their counts per UTC month (months touched with nothing
            included: each still gets its team row).
        total: (off-hours microseconds, counted pages) in the run, if they
            had cover in the reported weeks (the fairness measures' values).
        notices: Their ``streak`` and ``rest`` notices, in order.
    """

    volunteer_id: str
    months: Mapping[_Month, _Tally]
    total: tuple[int, int] | None
    notices: tuple[Notice, ...]


def _dates(week_starts: Sequence[date]) -> tuple[date, date]:
    """The reported weeks' first and last date (empty: a range nothing is in)."""
    if week_starts:
        return week_starts[0], week_end(week_starts[-1])
    return date.max, date.min


def tally(
    f: VolunteerFacts, settings: HealthSettings, reported: tuple[date, date]
) -> VolunteerTally:
    """One volunteer's counts per month, fairness values and notices;
    ``reported`` is the reported weeks' first and last date (``_dates``)."""
    first_date, last_date = reported
    vid, tz = f.volunteer_id, zone(f.timezone)
    months: dict[_Month, _Tally] = defaultdict(_Tally)
    notices: list[Notice] = []
    for month, us in f.off_hours_us.items():
        months[month].off_us += us
    win_start, win_end = f.window
    total = None
    if any(s < win_end and e > win_start for s, e in f.coverage):
        total = (sum(f.off_hours_us.values()), len(f.counted_pages))
    for at in f.counted_pages:
        row = months[_utc_month(at)]
        row.pages += 1
        row.sleep += settings.sleep_hours.contains(at.astimezone(tz).time())
    for at in f.rest_blocks:
        months[_utc_month(at)].blocks += 1
    for at in f.escalations:
        months[_utc_month(at)].escalations += 1
    for first, last in _runs(f.coverage, f.timezone):
        lo, hi = max(first, first_date), min(last, last_date)
        if lo > hi:
            continue  # no reported date in the run
        length = (last - first).days + 1
        for month in _months_between(lo, hi):
            row = months[month]
            row.longest = max(row.longest, length)
        if length > settings.max_consecutive_days:
            notices.append(
                Notice(
                    NoticeKind.STREAK,
                    vid,
                    f"on call {length} local days in a row, {first} – {last}: more than "
                    f"max_consecutive_days = {settings.max_consecutive_days}",
                )
            )
    notices.extend(_rest_notices(f, settings))
    return VolunteerTally(vid, dict(months), total, tuple(notices))


def measure(
    facts: Iterable[VolunteerFacts],
    settings: HealthSettings,
    week_starts: Sequence[date],
) -> tuple[Health, list[Notice]]:
    """The health of a pay run, and its ``rest`` and ``streak`` notices.

    Args:
        facts: One entry per volunteer, as ``collect`` recorded it.
        settings: The policy's health settings.
        week_starts: The reported pay weeks' first dates, in order.

    Returns:
        The measures, and the notices in volunteer order.
    """
    reported = _dates(week_starts)
    return measure_tallies((tally(f, settings, reported) for f in facts), settings, week_starts)


def measure_tallies(
    tallies: Iterable[VolunteerTally],
    settings: HealthSettings,
    week_starts: Sequence[date],
) -> tuple[Health, list[Notice]]:
    """``measure``, from each volunteer's ``tally`` (worked out where they
    were priced, perhaps in another process): the team's sums, shares and
    fairness, and the notices in volunteer order."""
    first_date, last_date = _dates(week_starts)
    months = set(_months_between(first_date, last_date)) if week_starts else set()
    rows: dict[tuple[str, _Month], _Tally] = {}
    paged: dict[_Month, set[str]] = defaultdict(set)
    # Per volunteer with cover in the reported weeks: off-hours µs, counted pages.
    totals: dict[str, tuple[int, int]] = {}
    notices: list[Notice] = []
    # In (volunteer, month) order, as the rows are listed.
    for t in sorted(tallies, key=lambda t: t.volunteer_id):
        vid = t.volunteer_id
        for month in sorted(t.months):
            row = t.months[month]
            rows[(vid, month)] = row
            if row.pages:
                paged[month].add(vid)
        if t.total is not None:
            totals[vid] = t.total
        notices.extend(t.notices)
    team: dict[_Month, _Tally] = defaultdict(_Tally)
    for (_, month), mine in rows.items():
        row = team[month]
        row.pages += mine.pages
        row.sleep += mine.sleep
        row.blocks += mine.blocks
        row.escalations += mine.escalations
    months |= set(team)
    team_rows = []
    for month in sorted(months):
        row = team[month]
        month_first, month_last = _month_dates(month)
        team_rows.append(
            TeamMonth(
                month=_text(month),
                partial=not (first_date <= month_first and month_last <= last_date),
                counted_pages=row.pages,
                sleep_hour_pages=row.sleep,
                interrupted_rest_blocks=row.blocks,
                volunteers_paged=len(paged[month]),
                below_target=row.pages < settings.monthly_page_target,
                escalations=row.escalations,
            )
        )
    texts = {month: _text(month) for month in months}
    volunteer_rows = [
        VolunteerMonth(
            volunteer_id=vid,
            month=texts[month],
            off_hours_hours=_hours_6(t.off_us),
            counted_pages=t.pages,
            sleep_hour_pages=t.sleep,
            interrupted_rest_blocks=t.blocks,
            longest_run_days=t.longest,
            page_share=_share(t.pages, team[month].pages),
            escalations=t.escalations,
        )
        for (vid, month), t in rows.items()
        if t.off_us or t.pages or t.blocks or t.longest
    ]
    fairness: tuple[Fairness, ...] = ()
    if totals:
        fairness = (
            _fairness("off_hours_hours", [us for us, _ in totals.values()], _HOUR_US, 6),
            _fairness("counted_pages", [n for _, n in totals.values()], 1, None),
        )
    health = Health(settings, tuple(team_rows), tuple(volunteer_rows), fairness)
    return health, notices
