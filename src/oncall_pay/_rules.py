"""The pay rules as values: ``Policy`` → ``Version`` → ``Plan``.

Rules are data. A policy holds versions, each with an ``effective_from``
date and its own complete set of plans; a week is priced by the version in
effect on its first day. Reading and writing the TOML file lives in
``_rules_file.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any, Final, Literal

import attrs
import holidays

from ._errors import PolicyError, Problem
from ._model import Volunteer, country_subdivisions
from ._money import is_currency, minor_unit

WEEKDAYS: Final = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)  # fmt: skip
#: Time categories, in the order they are reported.
CATEGORIES: Final = ("in_hours", "workday_off_hours", "weekend", "holiday")
#: The categories that are paid.
OFF_HOURS: Final = ("workday_off_hours", "weekend", "holiday")
ROUNDINGS: Final = ("half_up", "half_even")
#: Rates (stipend, standby and callout rates) may have this many decimals.
RATE_PLACES: Final = 6

Category = Literal["in_hours", "workday_off_hours", "weekend", "holiday"]


@cache
def country_alpha2(code: str) -> str | None:
    """The ISO 3166-1 alpha-2 code under which the ``holidays`` package files ``code``.

    ``"US"`` gives ``"US"``; the aliases the package also accepts give their
    alpha-2 code (``"USA"`` → ``"US"``, ``"UK"`` → ``"GB"``); an unknown code
    gives ``None``. Rules must use the alpha-2 code itself: a plan listing
    ``"USA"`` would never match a volunteer in ``"US"``.
    """
    if country_subdivisions(code) is None:
        return None
    return str(holidays.country_holidays(code).country)


def _bad(path: str, message: str) -> PolicyError:
    return PolicyError(Problem(message, field=path))


def to_decimal(value: Any, path: str = "value") -> Decimal:
    """Turn a rules value into a ``Decimal``: strings, ints and Decimals only.

    Raises:
        PolicyError: A float (binary floats cannot hold cents), a bool, NaN,
            infinity or anything else that is not a plain number.
    """
    if isinstance(value, bool):
        raise _bad(path, f"expected a decimal written as a string, got {value!r}")
    if isinstance(value, float):
        raise _bad(path, f'{value!r} is a float; write it as a string: "{value!r}"')
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _bad(path, f"{value} is not a finite number")
        return value
    if isinstance(value, str):
        from ._money import parse_decimal

        try:
            return parse_decimal(value)
        except ValueError as e:
            raise _bad(path, str(e)) from None
    raise _bad(path, f"expected a decimal written as a string, got {value!r}")


def _dec(value: Any) -> Decimal:
    return to_decimal(value)


def _opt_dec(value: Any) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _non_negative(_inst: Any, attribute: attrs.Attribute[Any], value: Decimal | None) -> None:
    if value is not None and value < 0:
        raise _bad(attribute.name, f"must be ≥ 0, got {value}")


def _int_at_least(minimum: int) -> Any:
    """A validator: a whole number (not a bool) of at least ``minimum``."""

    def check(_inst: Any, attribute: attrs.Attribute[Any], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise _bad(attribute.name, f"expected a whole number ≥ {minimum}, got {value!r}")

    return check


def parse_hhmm(text: str) -> int:
    """Minutes after local midnight for ``HH:MM`` (``24:00`` allowed).

    Raises:
        ValueError: Not a wall-clock time of that form.
    """
    parts = text.split(":") if isinstance(text, str) else []
    # isascii: str.isdigit also accepts digits such as "²" that int() refuses.
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) == 2 for p in parts):
        msg = f"{text!r} is not a time of the form HH:MM"
        raise ValueError(msg)
    hours, minutes = int(parts[0]), int(parts[1])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        msg = f"{text!r} is not a wall-clock time between 00:00 and 24:00"
        raise ValueError(msg)
    return hours * 60 + minutes


@attrs.frozen
class WorkingHours:
    """A half-open local interval ``[start, end)`` of working time, ``HH:MM``."""

    start: str = "09:00"
    end: str = "18:00"

    def __attrs_post_init__(self) -> None:
        try:
            start, end = parse_hhmm(self.start), parse_hhmm(self.end)
        except ValueError as e:
            raise _bad("working_hours", str(e)) from None
        if start >= end:
            raise _bad("working_hours", f"start {self.start} is not before end {self.end}")

    @property
    def start_minutes(self) -> int:
        """Minutes after local midnight that working hours start."""
        return parse_hhmm(self.start)

    @property
    def end_minutes(self) -> int:
        """Minutes after local midnight that working hours end (1440 for 24:00)."""
        return parse_hhmm(self.end)


@attrs.frozen
class SleepHours:
    """The local hours a volunteer is asleep, ``[start, end)``, ``HH:MM``.

    Unlike working hours the window may cross midnight (``22:00`` to
    ``08:00``); ``start`` and ``end`` may not be the same time of day.
    """

    start: str = "22:00"
    end: str = "08:00"

    def __attrs_post_init__(self) -> None:
        try:
            start, end = parse_hhmm(self.start), parse_hhmm(self.end)
        except ValueError as e:
            raise _bad("sleep_hours", str(e)) from None
        if start % 1440 == end % 1440:
            raise _bad("sleep_hours", f"start {self.start} and end {self.end} are the same time")

    def contains(self, wall: time) -> bool:
        """Whether a local wall-clock time is in the window (``24:00`` is midnight)."""
        start, end = _wall_times(self.start, self.end)
        if start < end:
            return start <= wall < end
        return wall >= start or wall < end


@cache
def _wall_times(*texts: str) -> tuple[time, ...]:
    """``HH:MM`` texts as times of day (``24:00`` is midnight), parsed once."""
    return tuple(time(m // 60, m % 60) for m in (parse_hhmm(t) % 1440 for t in texts))


@attrs.frozen
class HealthSettings:
    """What ``spec/health.md`` measures the load against (the ``[health]`` table).

    Attributes:
        monthly_page_target: A month is healthy with fewer counted pages than this.
        sleep_hours: Local hours of sleep; a page in them is a sleep interruption.
        min_rest_hours: Rest owed after a callout that ends in sleep hours,
            before the volunteer's next in-hours start.
        max_consecutive_days: More local days in a row with coverage is a streak.
    """

    monthly_page_target: int = attrs.field(default=10, validator=_int_at_least(1))
    sleep_hours: SleepHours = attrs.field(factory=SleepHours)
    min_rest_hours: Decimal = attrs.field(
        default=Decimal(11), converter=_dec, validator=_non_negative
    )
    max_consecutive_days: int = attrs.field(default=8, validator=_int_at_least(1))


# Typed converters: mypy cannot infer the argument type of ``tuple`` or
# ``attrs.converters.optional(tuple)``, so every caller was an error.
def _tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _opt_tuple(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


def _dates_map(value: Mapping[str, Any] | None) -> Mapping[str, tuple[date, ...]]:
    if not value:
        return {}
    return {str(k): tuple(sorted(set(v))) for k, v in sorted(value.items())}


@attrs.frozen
class Calendar:
    """Calendar settings; ``None`` means "not set here" (inherit or default).

    A plan's calendar is merged key by key over its version's; extra and
    removed holidays are added together.
    """

    weekend_days: tuple[str, ...] | None = attrs.field(default=None, converter=_opt_tuple)
    working_hours: WorkingHours | None = None
    observed_holidays: bool | None = None
    extra_holidays: Mapping[str, tuple[date, ...]] = attrs.field(factory=dict, converter=_dates_map)
    removed_holidays: Mapping[str, tuple[date, ...]] = attrs.field(
        factory=dict, converter=_dates_map
    )
    allow_missing_subdivision: bool | None = None

    def __attrs_post_init__(self) -> None:
        if self.weekend_days is not None:
            for day in self.weekend_days:
                if day not in WEEKDAYS:
                    raise _bad("weekend_days", f"{day!r} is not an English weekday name")
            if len(set(self.weekend_days)) >= 7:
                raise _bad("weekend_days", "at least one day of the week must be a workday")
        for name, table in (
            ("extra_holidays", self.extra_holidays),
            ("removed_holidays", self.removed_holidays),
        ):
            for country in table:
                # "*" (every volunteer) is a company day off; removals are per country.
                if country == "*" and name == "extra_holidays":
                    continue
                if country_alpha2(country) != country:
                    raise _bad(
                        f"{name}.{country}",
                        f"{country!r} is not an ISO 3166-1 alpha-2 code the holidays package knows",
                    )

    def over(self, base: Calendar) -> Calendar:
        """This calendar merged key by key over ``base``."""
        return Calendar(
            weekend_days=self.weekend_days if self.weekend_days is not None else base.weekend_days,
            working_hours=self.working_hours or base.working_hours,
            observed_holidays=(
                self.observed_holidays
                if self.observed_holidays is not None
                else base.observed_holidays
            ),
            extra_holidays=_merge_dates(base.extra_holidays, self.extra_holidays),
            removed_holidays=_merge_dates(base.removed_holidays, self.removed_holidays),
            allow_missing_subdivision=(
                self.allow_missing_subdivision
                if self.allow_missing_subdivision is not None
                else base.allow_missing_subdivision
            ),
        )

    def resolved(self) -> ResolvedCalendar:
        """The settings with every default filled in."""
        weekend = self.weekend_days if self.weekend_days is not None else ("saturday", "sunday")
        return ResolvedCalendar(
            weekend_days=frozenset(WEEKDAYS.index(d) for d in weekend),
            working_hours=self.working_hours or WorkingHours(),
            observed_holidays=True if self.observed_holidays is None else self.observed_holidays,
            extra_holidays=self.extra_holidays,
            removed_holidays=self.removed_holidays,
            allow_missing_subdivision=bool(self.allow_missing_subdivision),
        )


def _merge_dates(
    a: Mapping[str, tuple[date, ...]], b: Mapping[str, tuple[date, ...]]
) -> dict[str, tuple[date, ...]]:
    out: dict[str, set[date]] = {k: set(v) for k, v in a.items()}
    for k, v in b.items():
        out.setdefault(k, set()).update(v)
    return {k: tuple(sorted(v)) for k, v in sorted(out.items())}


@attrs.frozen
class ResolvedCalendar:
    """A plan's calendar with every default filled in; weekdays as 0=Monday."""

    weekend_days: frozenset[int]
    working_hours: WorkingHours
    observed_holidays: bool
    extra_holidays: Mapping[str, tuple[date, ...]]
    removed_holidays: Mapping[str, tuple[date, ...]]
    allow_missing_subdivision: bool

    def __hash__(self) -> int:
        return hash(
            (
                self.weekend_days,
                self.working_hours,
                self.observed_holidays,
                tuple((k, v) for k, v in self.extra_holidays.items()),
                tuple((k, v) for k, v in self.removed_holidays.items()),
                self.allow_missing_subdivision,
            )
        )


def _check_category(name: str, allowed: tuple[str, ...]) -> None:
    if name not in allowed:
        raise _bad(name, f"{name!r} is not one of {', '.join(allowed)}")


@attrs.frozen
class StandbyRate:
    """Standby pay for one off-hours category: per hour, or per local day."""

    per: Literal["hour", "day"]
    rate: Decimal = attrs.field(converter=_dec, validator=_non_negative)

    def __attrs_post_init__(self) -> None:
        if self.per not in ("hour", "day"):
            raise _bad("per", f"{self.per!r} is not 'hour' or 'day'")


def _multipliers(value: Mapping[str, Any] | None) -> Mapping[str, Decimal]:
    out: dict[str, Decimal] = {}
    for k, v in sorted((value or {}).items()):
        _check_category(k, OFF_HOURS)
        d = to_decimal(v, f"multipliers.{k}")
        if d < 0:
            raise _bad(f"multipliers.{k}", f"must be ≥ 0, got {d}")
        out[k] = d
    return out


def _standby(value: Mapping[str, StandbyRate] | None) -> Mapping[str, StandbyRate]:
    out = {}
    for k, v in sorted((value or {}).items()):
        _check_category(k, OFF_HOURS)
        out[k] = v
    return out


def _opt_int(_inst: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _bad(attribute.name, f"expected a whole number ≥ 0, got {value!r}")


@attrs.frozen
class Callout:
    """Pay for the time worked when paged (``pay-rules.md`` §6)."""

    hourly: Decimal = attrs.field(default=Decimal(0), converter=_dec, validator=_non_negative)
    minimum_minutes: int = attrs.field(default=0, validator=_opt_int)
    increment_minutes: int = attrs.field(default=0, validator=_opt_int)
    multipliers: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_multipliers)
    max_minutes: int | None = attrs.field(default=None, validator=_opt_int)
    urgencies: tuple[str, ...] | None = attrs.field(default=None, converter=_opt_tuple)
    per_page: Decimal = attrs.field(default=Decimal(0), converter=_dec, validator=_non_negative)

    def __attrs_post_init__(self) -> None:
        if self.max_minutes is not None and self.max_minutes < self.minimum_minutes:
            raise _bad(
                "max_minutes",
                f"{self.max_minutes} is less than minimum_minutes {self.minimum_minutes}",
            )

    def multiplier(self, category: str) -> Decimal:
        """The multiplier of an off-hours category (1 when not set)."""
        return self.multipliers.get(category, Decimal(1))

    def pays_urgency(self, urgency: str | None) -> bool:
        """Whether a page of this urgency is paid (all are, unless listed)."""
        return self.urgencies is None or urgency in self.urgencies


@attrs.frozen
class InterruptedWeekend:
    """Bonus and time off in lieu for each interrupted rest block (§7)."""

    bonus: Decimal = attrs.field(default=Decimal(0), converter=_dec, validator=_non_negative)
    toil_days: Decimal = attrs.field(default=Decimal(0), converter=_dec, validator=_non_negative)


@attrs.frozen
class Limits:
    """Bounds on a week's pay."""

    weekly_cap: Decimal | None = attrs.field(
        default=None, converter=_opt_dec, validator=_non_negative
    )


@attrs.frozen
class Plan:
    """How one group of volunteers is paid, in one currency.

    Any rate or bonus left out is zero.
    """

    currency: str
    countries: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    weekly_stipend: Decimal = attrs.field(
        default=Decimal(0), converter=_dec, validator=_non_negative
    )
    standby: Mapping[str, StandbyRate] = attrs.field(factory=dict, converter=_standby)
    callout: Callout = attrs.field(factory=Callout)
    interrupted_weekend: InterruptedWeekend = attrs.field(factory=InterruptedWeekend)
    limits: Limits = attrs.field(factory=Limits)
    calendar: Calendar = attrs.field(factory=Calendar)

    def __attrs_post_init__(self) -> None:
        if not is_currency(self.currency):
            raise _bad("currency", f"{self.currency!r} is not an ISO 4217 currency code")
        for country in self.countries:
            if country_alpha2(country) != country:
                msg = f"{country!r} is not an ISO 3166-1 alpha-2 code the holidays package knows"
                raise _bad("countries", msg)
        rates = {
            "weekly_stipend": self.weekly_stipend,
            "callout.hourly": self.callout.hourly,
            **{f"standby.{k}.rate": v.rate for k, v in self.standby.items()},
        }
        for path, rate in rates.items():
            if decimal_places(rate) > RATE_PLACES:
                raise _bad(path, f"{rate} has more than {RATE_PLACES} decimals")
        places = minor_unit(self.currency)
        fixed = {
            "callout.per_page": self.callout.per_page,
            "interrupted_weekend.bonus": self.interrupted_weekend.bonus,
            "limits.weekly_cap": self.limits.weekly_cap,
        }
        for path, amount in fixed.items():
            if amount is not None and decimal_places(amount) > places:
                raise _bad(
                    path,
                    f"{amount} has more decimals than {self.currency}'s minor unit ({places})",
                )


def decimal_places(value: Decimal) -> int:
    """The decimals a value needs: ``"150.00"`` needs 0, ``"0.125"`` needs 3."""
    # Not Decimal.normalize(): it rounds to the context's 28 digits, so
    # "1.0000000000000000000000000000001" would pass as a whole number.
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return 0
    significant = list(digits)
    while exponent < 0 and significant and significant[-1] == 0:
        significant.pop()
        exponent += 1
    return max(0, -exponent) if any(significant) else 0


def _plans(value: Mapping[str, Plan]) -> Mapping[str, Plan]:
    return dict(sorted(value.items()))


@attrs.frozen
class Version:
    """One complete set of rules, in effect for weeks starting on or after
    ``effective_from`` (until a later version)."""

    effective_from: date
    plans: Mapping[str, Plan] = attrs.field(converter=_plans)
    rounding: Literal["half_up", "half_even"] = "half_up"
    calendar: Calendar = attrs.field(factory=Calendar)

    def __attrs_post_init__(self) -> None:
        # A datetime is a date too, but comparing it with a week's start date fails.
        if isinstance(self.effective_from, datetime) or not isinstance(self.effective_from, date):
            raise _bad("effective_from", f"{self.effective_from!r} is not a date")
        if self.rounding not in ROUNDINGS:
            raise _bad("rounding", f"{self.rounding!r} is not one of {', '.join(ROUNDINGS)}")
        if not self.plans:
            raise _bad("plans", "a version needs at least one plan")
        seen: dict[str, str] = {}
        for name, plan in self.plans.items():
            for country in plan.countries:
                if country in seen:
                    raise _bad(
                        f"plans.{name}.countries",
                        f"{country} is already listed by plan {seen[country]!r}",
                    )
                seen[country] = name

    def plan_name_for(self, volunteer: Volunteer) -> str:
        """The name of the plan that prices ``volunteer`` in this version.

        Raises:
            PolicyError: No plan matches, or the volunteer's explicit plan is missing.
        """
        if volunteer.plan is not None:
            if volunteer.plan not in self.plans:
                msg = (
                    f"volunteer {volunteer.id!r} asks for plan {volunteer.plan!r}, "
                    f"which the version of {self.effective_from} does not have"
                )
                raise _bad(f"versions[{self.effective_from}].plans", msg)
            return volunteer.plan
        for name, plan in self.plans.items():
            if volunteer.country in plan.countries:
                return name
        if "default" in self.plans:
            return "default"
        msg = (
            f"no plan of the version of {self.effective_from} matches volunteer "
            f"{volunteer.id!r} (country {volunteer.country}) and there is no 'default' plan"
        )
        raise _bad(f"versions[{self.effective_from}].plans", msg)

    def calendar_for(self, plan_name: str) -> ResolvedCalendar:
        """The calendar of a plan: its own settings over the version's."""
        return self.plans[plan_name].calendar.over(self.calendar).resolved()


def _versions(value: Any) -> tuple[Version, ...]:
    return tuple(sorted(value, key=lambda v: v.effective_from))


@attrs.frozen
class Policy:
    """A named, versioned set of pay rules."""

    versions: tuple[Version, ...] = attrs.field(converter=_versions)
    name: str = ""
    week_starts_on: str = "monday"
    #: Not versioned: the health measures (spec/health.md) never change pay.
    health: HealthSettings = attrs.field(factory=HealthSettings)

    def __attrs_post_init__(self) -> None:
        if not self.versions:
            raise _bad("versions", "a policy needs at least one version")
        if self.week_starts_on not in WEEKDAYS:
            raise _bad("week_starts_on", f"{self.week_starts_on!r} is not an English weekday name")
        dates = [v.effective_from for v in self.versions]
        if len(set(dates)) != len(dates):
            raise _bad("versions", "two versions have the same effective_from")

    def to_toml(self) -> str:
        """The policy as a rules file; ``parse_policy`` reads it back equal."""
        from ._rules_file import policy_to_toml  # the file format depends on these values

        return policy_to_toml(self)

    @property
    def week_start_weekday(self) -> int:
        """The weekday pay weeks start on, 0 = Monday."""
        return WEEKDAYS.index(self.week_starts_on)

    def version_for(self, week_start: date) -> Version | None:
        """The version in effect for a week starting on ``week_start``."""
        found = None
        for version in self.versions:
            if version.effective_from <= week_start:
                found = version
        return found
