"""The people and events that pay is computed from: volunteers, shifts, pages.

Values are checked once, where they are built, and trusted afterwards.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import holidays

from ._errors import InputError, Problem


@cache
def iana_zone_names() -> frozenset[str]:
    """The zone names of the IANA tz database, as the ``tzdata`` package lists them.

    Canonical names, their links (``US/Pacific``) and the fixed ``Etc/*``
    zones and ``UTC``; not ``localtime``, ``posixrules``, ``posix/…``,
    ``right/…``, a file path nor ``Factory``, which a computer's own
    zoneinfo folder may also answer to.
    """
    listing = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(listing.split()) - {"Factory"}


#: Names that are the zone of the machine running the program, not a place.
_HOST_ZONES: Final = ("localtime", "posixrules", "/etc/localtime")


@cache
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name, cached.

    Only names of the tz database are accepted (:func:`iana_zone_names`), so
    pay never depends on the zone or zoneinfo files of the machine running it.

    Raises:
        InputError: The name is not a time zone in the tz database.
    """
    if isinstance(name, str) and name in iana_zone_names():
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    msg = f"{name!r} is not an IANA time zone such as 'Europe/Dublin'"
    if isinstance(name, str) and (
        name in _HOST_ZONES or name.startswith(("/", "posix/", "right/"))
    ):
        msg += (
            " (it names the zone, or the zone files, of the computer running oncall-pay, "
            "so pay would depend on it)"
        )
    raise InputError(Problem(msg, field="timezone"))


@cache
def _supported() -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in holidays.list_supported_countries().items()}


def country_subdivisions(country: str) -> tuple[str, ...] | None:
    """The subdivision codes the ``holidays`` package has for a country.

    Returns:
        The codes (possibly empty), or ``None`` if the country is unknown.
    """
    return _supported().get(country)


def _fail(record: str, field: str, message: str) -> InputError:
    return InputError(Problem(message, source=record, field=field))


#: The dates oncall-pay accepts, in shifts, pages, periods and the rules
#: (docs/inputs.md#dates-and-times): far from the ends of Python's calendar,
#: so a local time, an offset or a padding window never leaves it.
EARLIEST_DATE: Final = date(1970, 1, 1)
LATEST_DATE: Final = date(2200, 12, 31)
#: The longest time worked that one page may record.
MAX_WORKED: Final = timedelta(days=7)


def date_range_problem(value: date) -> str | None:
    """Why ``value`` (a date, or a datetime's local date) is refused, or ``None``."""
    day = value.date() if isinstance(value, datetime) else value
    if EARLIEST_DATE <= day <= LATEST_DATE:
        return None
    return (
        f"{value.isoformat()} is outside the dates oncall-pay accepts, "
        f"{EARLIEST_DATE} to {LATEST_DATE}"
    )


def period_problems(start: date, end: date, *, fields: tuple[str, str]) -> list[Problem]:
    """What is wrong with a period's first and last date; ``fields`` names them."""
    problems = []
    for value, field in zip((start, end), fields, strict=True):
        problem = date_range_problem(value)
        if problem is not None:
            problems.append(Problem(problem, field=field))
    return problems


def _not_after(end: datetime, start: datetime) -> bool:
    """``end <= start`` as instants (in UTC but where both offsets are fixed)."""
    if type(start.tzinfo) is timezone and type(end.tzinfo) is timezone:
        return end <= start
    return end.astimezone(UTC) <= start.astimezone(UTC)


#: Years strictly between these are inside the accepted dates (a cheap test).
_FIRST_YEAR: Final = EARLIEST_DATE.year
_LAST_YEAR: Final = LATEST_DATE.year


def _plainly_aware(value: datetime | None) -> bool:
    """Whether ``value`` is, beyond doubt and cheaply, what ``_check_aware``
    accepts: ``None``, or a datetime with a fixed UTC offset inside the
    accepted dates (the common case, checked without building a message)."""
    if value is None:
        return True
    return (
        type(value) is datetime
        and type(value.tzinfo) is timezone
        and _FIRST_YEAR < value.year < _LAST_YEAR
    )


def _check_aware(record: str, field: str, value: datetime | None) -> None:
    if value is None:
        return
    if not isinstance(value, datetime):
        raise _fail(record, field, f"expected a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise _fail(
            record, field, f"{value.isoformat()} has no UTC offset (naive datetimes are refused)"
        )
    problem = date_range_problem(value)
    if problem is not None:
        raise _fail(record, field, problem)


@attrs.frozen
class Volunteer:
    """A person who carries the pager.

    Attributes:
        id: The roster id, unique in a run.
        name: The display name.
        country: ISO 3166-1 alpha-2 code known to the ``holidays`` package.
        timezone: IANA zone name; working hours and days are read in it.
        subdivision: ISO 3166-2 suffix (``ENG``, ``CA``) where the country has them.
        payroll_id: The id payroll knows them by.
        plan: The name of the plan that prices them, overriding country matching.
        email: Used to match schedule sources.
        pagerduty_id: Used to match PagerDuty exports.
        cost_center: Reported, not priced.
        rate_factor: Multiplies every rate of the plan that prices them
            (docs/how-pay-is-computed.md#per-person-rates); ``None`` (the
            default) is the plan's rates as they are.
        rate_set: The name of the plan's rate set that prices their primary
            time instead of the plan's own rates
            (docs/how-pay-is-computed.md#rate-sets); ``None`` is the plan's rates.
        base_hourly: Their own hourly base rate, in the plan's currency, for
            rates written as a multiple of it (``{ factor = "1.5", of =
            "base_hourly" }``); ``None`` when the roster has none.
    """

    id: str
    name: str = ""
    country: str = ""
    timezone: str = ""
    subdivision: str | None = None
    payroll_id: str | None = None
    plan: str | None = None
    email: str | None = None
    pagerduty_id: str | None = None
    cost_center: str | None = None
    # Left out of the report's JSON when None, so rosters without the column
    # give the JSON they gave before.
    rate_factor: Decimal | None = attrs.field(default=None, metadata={"omit_if_none": True})
    rate_set: str | None = attrs.field(default=None, metadata={"omit_if_none": True})
    base_hourly: Decimal | None = attrs.field(default=None, metadata={"omit_if_none": True})

    def __attrs_post_init__(self) -> None:
        record = f"volunteer {self.id!r}"
        if self.rate_factor is not None:
            problem = rate_factor_problem(self.rate_factor)
            if problem is not None:
                raise _fail(record, "rate_factor", problem)
        if self.base_hourly is not None:
            problem = base_hourly_problem(self.base_hourly)
            if problem is not None:
                raise _fail(record, "base_hourly", problem)
        if self.rate_set is not None and (
            not isinstance(self.rate_set, str) or not self.rate_set.strip()
        ):
            raise _fail(
                record, "rate_set", f"{self.rate_set!r} is not the name of a rate set"
            )
        if not isinstance(self.id, str) or not self.id.strip():
            raise _fail(record, "id", "a volunteer needs a non-empty id")
        known = country_subdivisions(self.country)
        if known is None:
            raise _fail(
                record,
                "country",
                f"{self.country!r} is not an ISO 3166-1 alpha-2 country "
                "that the holidays package knows",
            )
        if self.subdivision is not None and self.subdivision not in known:
            listed = ", ".join(known) if known else "none"
            raise _fail(
                record,
                "subdivision",
                f"{self.subdivision!r} is not a subdivision of {self.country} (known: {listed})",
            )
        try:
            zone(self.timezone)
        except InputError as e:
            raise _fail(record, "timezone", e.message) from None

    @property
    def zone(self) -> ZoneInfo:
        """The volunteer's time zone."""
        return zone(self.timezone)


#: A roster ``rate_factor`` is below this (so a rate times it is exact in 28 digits).
RATE_FACTOR_LIMIT: Final = Decimal(1000)
#: And has at most this many decimals.
RATE_FACTOR_PLACES: Final = 6


#: A roster ``base_hourly`` is below this, with at most ``RATE_FACTOR_PLACES``
#: decimals (so a factor times it is exact, and below 10**9).
BASE_HOURLY_LIMIT: Final = Decimal(1_000_000)


def rate_factor_problem(factor: object) -> str | None:
    """Why ``factor`` is not a roster ``rate_factor``, or ``None`` if it is one."""
    return _bounded_decimal_problem(factor, RATE_FACTOR_LIMIT, f"{RATE_FACTOR_LIMIT}", "1.25")


def base_hourly_problem(base: object) -> str | None:
    """Why ``base`` is not a roster ``base_hourly``, or ``None`` if it is one."""
    return _bounded_decimal_problem(base, BASE_HOURLY_LIMIT, "1,000,000", "32.50")


def _bounded_decimal_problem(
    factor: object, limit: Decimal, limit_text: str, example: str
) -> str | None:
    expected = f"a decimal from 0 to below {limit_text} such as {example}"
    if not isinstance(factor, Decimal) or not factor.is_finite():
        return f"{factor!r} is not {expected}"
    if factor < 0:
        return f"{factor} is negative; expected {expected}"
    if factor >= limit:
        return f"{factor} is too large; expected {expected}"
    # Not Decimal.normalize(): it rounds to the context's 28 digits.
    _sign, digits, exponent = factor.as_tuple()
    assert isinstance(exponent, int)  # finite
    significant = list(digits)
    while exponent < 0 and significant and significant[-1] == 0:
        significant.pop()
        exponent += 1
    places = max(0, -exponent) if any(significant) else 0
    if places > RATE_FACTOR_PLACES:
        return f"{factor} has {places} decimals; at most {RATE_FACTOR_PLACES} are allowed"
    return None


#: The role of a shadow shift (compared without case and surrounding spaces).
SHADOW_ROLE: Final = "shadow"


def role_key(role: str | None) -> str:
    """A shift role as the rules compare it: without case, runs of spaces as
    one, none around (``" Level  2 "`` is ``"level 2"``); no role is ``""``."""
    return " ".join((role or "").split()).casefold()


@attrs.frozen
class Shift:
    """A stretch of on-call cover, half-open ``[start, end)``.

    A missing ``start`` or ``end`` means open-ended: it is clipped to the
    reported weeks.
    """

    volunteer_id: str
    start: datetime | None
    end: datetime | None
    role: str | None = None

    @property
    def shadow(self) -> bool:
        """Whether this is a shadow shift (role ``shadow``, any case, spaces
        around ignored): never cover and never paid
        (docs/how-pay-is-computed.md#shadow-shifts)."""
        return role_key(self.role) == SHADOW_ROLE

    def __attrs_post_init__(self) -> None:
        start, end = self.start, self.end
        # The common case first, in one test and no call: both ends with a
        # fixed UTC offset, well inside the accepted dates, end after start
        # (readers build thousands of shifts per file).
        if (
            type(start) is datetime
            and type(end) is datetime
            and type(start.tzinfo) is timezone
            and type(end.tzinfo) is timezone
            and _FIRST_YEAR < start.year < _LAST_YEAR
            and _FIRST_YEAR < end.year < _LAST_YEAR
            and start < end
        ):
            return
        if not (_plainly_aware(start) and _plainly_aware(end)):
            record = f"shift of {self.volunteer_id!r}"
            _check_aware(record, "start", start)
            _check_aware(record, "end", end)
        # Compared in UTC: Python compares two datetimes that share a tzinfo
        # by wall clock, which gets the repeated hour of a clock change wrong
        # (not so with fixed offsets, which every reader but iCalendar gives).
        if start is not None and end is not None and _not_after(end, start):
            record = f"shift of {self.volunteer_id!r}"
            raise _fail(
                record,
                "end",
                f"{end.isoformat()} is not after start {start.isoformat()}",
            )


_new = object.__new__


def plain_shift(
    volunteer_id: str, start: datetime, end: datetime, role: str | None
) -> Shift | None:
    """``Shift(volunteer_id, start, end, role)`` for readers, built without
    the checks where ``Shift``'s one-test fast path would pass them (both
    ends with a fixed UTC offset, well inside the accepted dates, end after
    start); ``None`` otherwise, to build it the usual way (which says what
    is wrong). A reader of thousands of entries spends a third less on each."""
    if (
        type(start.tzinfo) is timezone
        and type(end.tzinfo) is timezone
        and _FIRST_YEAR < start.year < _LAST_YEAR
        and _FIRST_YEAR < end.year < _LAST_YEAR
        and start < end
        and type(start) is datetime
        and type(end) is datetime
    ):
        shift = _new(Shift)
        _set_volunteer_id(shift, volunteer_id)
        _set_start(shift, start)
        _set_end(shift, end)
        _set_role(shift, role)
        return shift
    return None


# Each field's slot, set directly (half the cost of ``object.__setattr__``).
_set_volunteer_id, _set_start, _set_end, _set_role = (
    Shift.__dict__[f.name].__set__ for f in attrs.fields(Shift)
)


@attrs.frozen
class Page:
    """One time a volunteer was notified.

    ``worked`` (the time they say they worked) wins over ``resolved_at``.
    """

    id: str
    volunteer_id: str
    at: datetime
    resolved_at: datetime | None = None
    worked: timedelta | None = None
    urgency: str | None = None
    title: str | None = None

    def __attrs_post_init__(self) -> None:
        record = f"page {self.id!r}"
        if not isinstance(self.id, str) or not self.id.strip():
            raise _fail(record, "id", "a page needs a non-empty id")
        if self.at is None:
            raise _fail(record, "at", "a page needs the time it was sent")
        _check_aware(record, "at", self.at)
        _check_aware(record, "resolved_at", self.resolved_at)
        if self.resolved_at is not None and (
            self.resolved_at.astimezone(UTC) < self.at.astimezone(UTC)  # elapsed, as for Shift
        ):
            raise _fail(
                record,
                "resolved_at",
                f"{self.resolved_at.isoformat()} is before the page at {self.at.isoformat()}",
            )
        if self.worked is not None:
            if not isinstance(self.worked, timedelta):
                raise _fail(record, "worked", f"expected a timedelta, got {self.worked!r}")
            if self.worked < timedelta(0):
                raise _fail(record, "worked", f"{self.worked} is negative")
            if self.worked > MAX_WORKED:
                raise _fail(
                    record,
                    "worked",
                    f"{self.worked} is more than {MAX_WORKED.days} days "
                    f"({MAX_WORKED // timedelta(minutes=1):,} minutes) of work on one page",
                )
