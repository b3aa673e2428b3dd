"""The local calendar: day kinds, time categories and local boundaries.

Everything here is read in the volunteer's own zone. Local wall-clock
boundaries (midnight, the start and end of working hours) become instants
with ``zoneinfo`` and ``fold=0``; every duration is elapsed time between two
instants, so a 23- or 25-hour day really has 23 or 25 hours.

Holiday tables come from the ``holidays`` package, asked for by **local
date**, always in English, and cached per (country, subdivision, year,
observed) so a year of shifts never rebuilds a calendar.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import Final

import attrs
import holidays

from ._errors import InputError, Problem
from ._model import zone
from ._rules import ResolvedCalendar
from ._vocab import Category, DayKind

HOLIDAY: Final = DayKind.HOLIDAY
WEEKEND: Final = DayKind.WEEKEND
WORKDAY: Final = DayKind.WORKDAY

#: Segment categories are the plain strings of ``Category``: members are
#: objects the garbage collector tracks, and a tuple or dict holding one is
#: tracked too, which made every cached day and every statement's hour
#: table cost the collector (a measurable share of a large run). They are
#: equal to the members all the same.
_IN_HOURS: Final = Category.IN_HOURS.value
_WORKDAY_OFF_HOURS: Final = Category.WORKDAY_OFF_HOURS.value
_NIGHT: Final = Category.NIGHT.value
_NO_TIME: Final = timedelta(0)
COMPANY_DAY_OFF: Final = "Company day off"
SOURCE_PACKAGE: Final = "holidays"
SOURCE_RULES: Final = "rules file"

_ENGLISH: Final = ("en_US", "en_GB", "en")


@cache
def _holiday_class_range(country: str) -> tuple[int, int, tuple[str, ...]]:
    entity = holidays.country_holidays(country)
    cls = type(entity)
    languages = tuple(getattr(cls, "supported_languages", ()) or ())
    return int(cls.start_year), int(cls.end_year), languages


@cache
def holiday_table(
    country: str, subdivision: str | None, year: int, observed: bool
) -> dict[date, str]:
    """The package's holidays of one country/subdivision and year, in English.

    Raises:
        InputError: The year is outside the range the package covers (it
            would silently have no holidays).
    """
    first, last, languages = _holiday_class_range(country)
    if not first <= year <= last:
        msg = (
            f"the holidays package has no calendar for {country} in {year} "
            f"(it covers {first}–{last})"
        )
        raise InputError(Problem(msg, field="country"))
    language = next((lang for lang in _ENGLISH if lang in languages), None)
    table = holidays.country_holidays(
        country, subdiv=subdivision, years=year, observed=observed, language=language
    )
    return dict(table.items())


@attrs.frozen
class Day:
    """One local calendar date of one volunteer, cut into categories.

    Attributes:
        date: The local date.
        kind: ``holiday``, ``weekend`` or ``workday``.
        start: Local midnight, as a UTC instant.
        end: The next local midnight, as a UTC instant.
        segments: ``(start, end, category)`` pieces covering ``[start, end)``
            in order, UTC instants, none empty.
        holiday_name: The holiday's English name, on holidays.
        holiday_source: ``holidays`` or ``rules file``, on holidays.
    """

    date: date
    kind: str
    start: datetime
    end: datetime
    segments: tuple[tuple[datetime, datetime, str], ...]
    holiday_name: str | None
    holiday_source: str | None
    #: Elapsed off-hours time of the day: worked out once, as days are shared
    #: and every statement of a week reads it for all seven of its days.
    off_hours: timedelta = attrs.field(init=False, eq=False, repr=False)
    #: Elapsed time per category, worked out once for the same reason.
    _totals: Mapping[str, timedelta] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        totals: dict[str, timedelta] = {}
        for s, e, c in self.segments:
            totals[c] = totals.get(c, _NO_TIME) + (e - s)
        off = sum((span for c, span in totals.items() if c != _IN_HOURS), _NO_TIME)
        object.__setattr__(self, "off_hours", off)
        object.__setattr__(self, "_totals", totals)

    def category_total(self, category: str) -> timedelta:
        """Elapsed time of the day in one category."""
        return self._totals.get(category, _NO_TIME)

    def category_at(self, instant: datetime) -> str:
        """The category of an instant inside the day."""
        for s, e, c in self.segments:
            if s <= instant < e:
                return c
        msg = f"{instant} is not in {self.date}"
        raise ValueError(msg)


def local_instant(day: date, minutes: int, zone_name: str) -> datetime:
    """The UTC instant of a local wall-clock time (``fold=0``); 1440 = next midnight."""
    if minutes >= 1440:
        day, minutes = day + timedelta(days=1), minutes - 1440
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone(zone_name))
    return wall.astimezone(UTC)


def local_date(instant: datetime, zone_name: str) -> date:
    """The local date of an instant in a zone."""
    return instant.astimezone(zone(zone_name)).date()


def day_kind(
    day: date,
    country: str,
    subdivision: str | None,
    calendar: ResolvedCalendar,
) -> tuple[str, str | None, str | None]:
    """The kind of a local date, and the holiday's name and source if any."""
    if day in calendar.extra_holidays.get("*", ()) or day in calendar.extra_holidays.get(
        country, ()
    ):
        return HOLIDAY, COMPANY_DAY_OFF, SOURCE_RULES
    if day not in calendar.removed_holidays.get(country, ()):
        name = holiday_table(country, subdivision, day.year, calendar.observed_holidays).get(day)
        if name is not None:
            return HOLIDAY, name, SOURCE_PACKAGE
    if day.weekday() in calendar.weekend_days:
        return WEEKEND, None, None
    return WORKDAY, None, None


def _with_night(
    day: date,
    zone_name: str,
    band: tuple[tuple[int, int], ...],
    pieces: list[tuple[datetime, datetime, str]],
) -> list[tuple[datetime, datetime, str]]:
    """A workday's pieces with the night band cut out of its off-hours
    (docs/how-pay-is-computed.md#the-night-band).

    Each stretch of the band is read on the day's own wall clock and clipped
    to the day as working hours are, so a wall time in a spring-forward gap
    keeps the cut points in order. Working hours win over the band.
    """
    start, end = pieces[0][0], pieces[-1][1]
    night = []
    for lo, hi in band:
        a = min(max(local_instant(day, lo, zone_name), start), end)
        b = min(max(local_instant(day, hi, zone_name), a), end)
        if b > a:
            night.append((a, b))
    out: list[tuple[datetime, datetime, str]] = []
    for s, e, category in pieces:
        if category != _WORKDAY_OFF_HOURS:
            out.append((s, e, category))
            continue
        cursor = s
        for a, b in night:
            # The stretches are in order, but a band end in a gap can reach past
            # the next stretch's start: the band is their union all the same.
            cut_from, cut_to = max(a, cursor), min(b, e)
            if cut_to <= cut_from:
                continue
            out.append((cursor, cut_from, _WORKDAY_OFF_HOURS))
            out.append((cut_from, cut_to, _NIGHT))
            cursor = cut_to
        out.append((cursor, e, _WORKDAY_OFF_HOURS))
    return out


@lru_cache(maxsize=65536)
def build_day(
    day: date,
    zone_name: str,
    country: str,
    subdivision: str | None,
    calendar: ResolvedCalendar,
) -> Day:
    """Cut one local date into its time categories (cached: zones and
    calendars are shared by many volunteers)."""
    kind, name, source = day_kind(day, country, subdivision, calendar)
    start = local_instant(day, 0, zone_name)
    end = local_instant(day, 1440, zone_name)
    if kind == WORKDAY:
        hours = calendar.working_hours
        # max/min keep the cut points in order even where a wall time falls
        # in a spring-forward gap.
        work_from = min(max(local_instant(day, hours.start_minutes, zone_name), start), end)
        work_to = min(max(local_instant(day, hours.end_minutes, zone_name), work_from), end)
        pieces = [
            (start, work_from, _WORKDAY_OFF_HOURS),
            (work_from, work_to, _IN_HOURS),
            (work_to, end, _WORKDAY_OFF_HOURS),
        ]
        if calendar.night_hours is not None:
            pieces = _with_night(day, zone_name, calendar.night_hours.wall_intervals, pieces)
    else:
        pieces = [(start, end, Category(kind).value)]
    segments = tuple(p for p in pieces if p[1] > p[0])
    return Day(day, kind, start, end, segments, name, source)
