"""The pay rules as values: ``Policy`` → ``Version`` → ``Plan``.

Rules are data. A policy holds versions, each with an ``effective_from``
date and its own complete set of plans; a week is priced by the version in
effect on its first day.

Each field is declared once with ``rule()`` (``_schema.py``): its TOML
checker, its label and unit for ``diff_policies`` and the rules
description, its default and how it is written. The reader
(``_rules_file.py``), the writer (``policy_to_toml``) and the comparison
walk these declarations; see docs/adding-a-rules-key.md.
"""

# rule() is attrs.field with its declaration in the metadata: no shared mutable default.
# ruff: noqa: RUF009

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any, Final, Literal, TypeVar

import attrs

from . import _checks as checks
from ._checks import (
    CATEGORIES,
    OFF_HOURS,
    RATE_PLACES,
    ROUNDINGS,
    WEEKDAYS,
    country_alpha2,
    decimal_places,
    decimals,
    parse_hhmm,
)
from ._errors import PolicyError, Problem
from ._model import SHADOW_ROLE, Volunteer, role_key
from ._money import is_currency, minor_unit
from ._schema import (
    Checker,
    DiffContext,
    Invalid,
    Nested,
    RuleMeta,
    did_you_mean,
    diff_fields,
    expect_table,
    join,
    money,
    prefixed,
    rule,
    rule_meta,
    show,
    toml_string,
    write_toml,
)
from ._schema import table as rules_table
from ._vocab import CATEGORY_PLURAL

_T = TypeVar("_T")

__all__ = [
    "CATEGORIES",
    "OFF_HOURS",
    "RATE_PLACES",
    "ROUNDINGS",
    "WEEKDAYS",
    "Calendar",
    "Callout",
    "HealthSettings",
    "InterruptedWeekend",
    "Limits",
    "NightHours",
    "OfBase",
    "Plan",
    "Policy",
    "Rate",
    "RateSet",
    "ResolvedCalendar",
    "SleepHours",
    "StandbyRate",
    "Version",
    "WorkingHours",
    "country_alpha2",
    "decimal_places",
    "paid",
    "parse_hhmm",
    "to_decimal",
]

Category = Literal["in_hours", "workday_off_hours", "night", "weekend", "holiday"]

#: Categories in the words ``diff_policies`` uses.
_CATEGORY_WORDS: Final = CATEGORY_PLURAL


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


def _non_negative(
    _inst: Any, attribute: attrs.Attribute[Any], value: Decimal | OfBase | None
) -> None:
    if isinstance(value, OfBase):
        return  # checked by OfBase itself
    if value is not None and value < 0:
        raise _bad(attribute.name, f"must be ≥ 0, got {value}")
    if value is not None and value >= checks.DECIMAL_LIMIT:
        raise _bad(attribute.name, f"{value} is too large; {checks.TOO_LARGE}")


def _int_at_least(minimum: int, maximum: int) -> Any:
    """A validator: a whole number (not a bool) from ``minimum`` to ``maximum``."""

    def check(_inst: Any, attribute: attrs.Attribute[Any], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise _bad(attribute.name, f"expected a whole number ≥ {minimum}, got {value!r}")
        if value > maximum:
            raise _bad(attribute.name, f"{value} is more than {maximum}, the most allowed")

    return check


def _hours_at_most(maximum: int) -> Any:
    """A validator: a decimal number of hours from 0 to ``maximum``."""

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Decimal) -> None:
        _non_negative(inst, attribute, value)
        if value > maximum:
            raise _bad(attribute.name, f"{value} is more than {maximum} hours, the most allowed")

    return check


# --- hooks: what cannot be declared per field ----------------------------------

_HOURS_EXAMPLE: Final = 'a table such as { start = "09:00", end = "18:00" }'
_WALL_TIME: Final = 'a local wall-clock time "HH:MM"'


def _hours_after(*, across_midnight: bool) -> Any:
    """Start against end of working hours (one stretch) or sleep hours and the
    night band (may cross midnight)."""

    def after(ck: Checker, _table: Mapping[str, Any], clean: dict[str, Any], path: str) -> None:
        if "start" not in clean or "end" not in clean:
            return
        start, end = parse_hhmm(clean["start"]), parse_hhmm(clean["end"])
        if across_midnight and start % 1440 == end % 1440:
            raise ck.fail(
                path, f'start "{clean["start"]}" and end "{clean["end"]}" are the same time'
            )
        if not across_midnight and start >= end:
            raise ck.fail(
                path,
                f'start "{clean["start"]}" is not before end "{clean["end"]}"; working hours '
                'are one stretch of a day (end may be "24:00")',
            )

    return after


def _max_after_minimum(
    ck: Checker, _table: Mapping[str, Any], clean: dict[str, Any], path: str
) -> None:
    if "max_minutes" in clean and clean["max_minutes"] < clean.get("minimum_minutes", 0):
        ck.add(
            join(path, "max_minutes"),
            f"{clean['max_minutes']} is less than minimum_minutes "
            f"{clean.get('minimum_minutes', 0)}; expected max_minutes ≥ minimum_minutes",
        )


def _declared(
    cls: type, value: Any, path: str, get: Callable[[Any, str], Any]
) -> Iterator[tuple[str, RuleMeta, Any]]:
    """``(path, declaration, value)`` of every set field of ``cls`` and of the
    rules tables inside it (nested tables, tables keyed by category), read
    from ``value`` with ``get`` (an attribute of a value, a key of a checked
    TOML table)."""
    for field in attrs.fields(cls):
        meta = rule_meta(field)
        sub = get(value, field.name)
        if sub is None:
            continue
        checker = meta.checker
        at = join(path, field.name)
        if isinstance(checker, Nested):
            yield from _declared(checker.cls, sub, at, get)
        elif isinstance(checker, checks.ByCategory) and isinstance(checker.check, Nested):
            for category, entry in sub.items():
                yield from _declared(checker.check.cls, entry, join(at, category), get)
        elif isinstance(checker, _TierTables):
            for name, entry in sub.items():
                yield from _declared(Tier, entry, join(at, name), get)
        elif isinstance(checker, _RateSetTables):
            for name, entry in sub.items():
                yield from _declared(RateSet, entry, join(at, name), get)
        else:
            yield at, meta, sub


def _key_of(table: Any, key: str) -> Any:
    return table.get(key) if isinstance(table, Mapping) else None


def _fixed_amounts(
    ck: Checker, _table: Mapping[str, Any], clean: dict[str, Any], path: str
) -> None:
    """Fixed amounts (fields declared ``fixed``) have at most the currency's minor unit."""
    currency = clean.get("currency")
    if currency is None:
        return
    places = minor_unit(currency)
    for at, meta, amount in _declared(Plan, clean, path, _key_of):
        if meta.fixed and decimal_places(amount) > places:
            ck.add(
                at,
                f'"{amount}" has {decimals(decimal_places(amount))}; {currency} amounts '
                f"may have at most {decimals(places)} (the currency's minor unit)",
            )


# --- hooks: differences said in their own words ------------------------------------


def _on_off(value: bool | None) -> str:
    return "not set" if value is None else ("on" if value else "off")


def _yes_no(value: bool | None) -> str:
    return "not set" if value is None else ("yes" if value else "no")


def _day_names(days: tuple[str, ...] | None) -> str:
    if days is None:
        return "not set"
    ordered = sorted(days, key=WEEKDAYS.index)
    return ", ".join(d.capitalize() for d in ordered) if ordered else "none"


def _as_set_diff(show: Any) -> Any:
    """A differ for a list whose order does not matter (``None`` is "not set")."""

    def diff(label: str, old: Any, new: Any, _c: DiffContext) -> list[str]:
        if (old is None) != (new is None) or set(old or ()) != set(new or ()):
            return [f"{label} {show(old)} → {show(new)}"]
        return []

    return diff


def _countries_text(codes: tuple[str, ...]) -> str:
    return ", ".join(sorted(codes)) or "none"


def _dates_diff(
    label: str, old: Mapping[str, tuple[date, ...]], new: Mapping[str, tuple[date, ...]],
    _c: DiffContext,
) -> list[str]:  # fmt: skip
    out = []
    for key in sorted({*old, *new}):
        was, now = set(old.get(key, ())), set(new.get(key, ()))
        if was == now:
            continue
        where = "everyone" if key == "*" else key
        parts = []
        if now - was:
            parts.append("added " + ", ".join(d.isoformat() for d in sorted(now - was)))
        if was - now:
            parts.append("removed " + ", ".join(d.isoformat() for d in sorted(was - now)))
        if not parts:  # pragma: no cover - unequal sets differ one way or the other
            continue
        out.append(f"{label} for {where}: {'; '.join(parts)}")
    return out


def _standby_diff(
    label: str, old: Mapping[str, StandbyRate], new: Mapping[str, StandbyRate], c: DiffContext
) -> list[str]:
    out = []
    oc, nc = c.old_currency, c.new_currency
    for category in OFF_HOURS:
        was, now = old.get(category), new.get(category)
        if was == now:
            continue
        words = _CATEGORY_WORDS[category]
        if was is not None and now is not None and was.per == now.per:
            out.append(f"{label} {words} {money(was.rate, now.rate, c)} per {now.per}")
        else:
            before = "none" if was is None else f"{amount_text(was.rate, oc)} per {was.per}"
            after = "none" if now is None else f"{amount_text(now.rate, nc)} per {now.per}"
            out.append(f"{label} {words} {before} → {after}")
    return out


def _multipliers_diff(
    label: str, old: Mapping[str, Decimal], new: Mapping[str, Decimal], _c: DiffContext
) -> list[str]:
    one = Decimal(1)
    return [
        f"{label} {_CATEGORY_WORDS[k]} ×{old.get(k, one)} → ×{new.get(k, one)}"
        for k in OFF_HOURS
        if old.get(k, one) != new.get(k, one)
    ]


def _increment_diff(label: str, old: int, new: int, _c: DiffContext) -> list[str]:
    # 0 and 1 both mean "whole minutes".
    if max(old, 1) == max(new, 1):
        return []
    return [f"{label} {max(old, 1)} min → {max(new, 1)} min"]


def _plans_diff(
    _label: str, old: Mapping[str, Plan], new: Mapping[str, Plan], _c: DiffContext
) -> list[str]:
    out = []
    for name in sorted({*old, *new}):
        was, now = old.get(name), new.get(name)
        if was is None and now is not None:
            who = f"for {', '.join(now.countries)}" if now.countries else "without countries"
            out.append(f"plan {name!r} added ({now.currency}, {who})")
        elif now is None and was is not None:
            out.append(f"plan {name!r} removed")
        elif was is not None and now is not None:
            context = DiffContext(was.currency, now.currency)
            cls = type(now) if type(now) is type(was) else Plan
            out += [f"plan {name!r}: {line}" for line in diff_fields(cls, was, now, context)]
    return out


# --- the values ------------------------------------------------------------------------


@rules_table(_HOURS_EXAMPLE, after=_hours_after(across_midnight=False))
@attrs.frozen
class WorkingHours:
    """A half-open local interval ``[start, end)`` of working time, ``HH:MM``."""

    start: str = rule(
        checker=checks.wall_time, label="start", default="09:00", required=_WALL_TIME,
        omit="never",
    )  # fmt: skip
    end: str = rule(
        checker=checks.wall_time, label="end", default="18:00", required=_WALL_TIME,
        omit="never",
    )  # fmt: skip

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


@rules_table(_HOURS_EXAMPLE, after=_hours_after(across_midnight=True))
@attrs.frozen
class SleepHours:
    """The local hours a volunteer is asleep, ``[start, end)``, ``HH:MM``.

    Unlike working hours the window may cross midnight (``22:00`` to
    ``08:00``); ``start`` and ``end`` may not be the same time of day.
    """

    start: str = rule(
        checker=checks.wall_time, label="start", default="22:00", required=_WALL_TIME,
        omit="never",
    )  # fmt: skip
    end: str = rule(
        checker=checks.wall_time, label="end", default="08:00", required=_WALL_TIME,
        omit="never",
    )  # fmt: skip

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


@rules_table(
    'a table such as { start = "22:00", end = "06:00" }', after=_hours_after(across_midnight=True)
)
@attrs.frozen
class NightHours:
    """The night band of a workday, ``[start, end)`` local, ``HH:MM``
    (docs/how-pay-is-computed.md#the-night-band).

    Like sleep hours the band may cross midnight (``22:00`` to ``06:00``);
    ``start`` and ``end`` may not be the same time of day. It is read on each
    workday's own wall clock: a band across midnight is the parts
    ``[00:00, end)`` and ``[start, 24:00)`` of every workday.
    """

    start: str = rule(checker=checks.wall_time, label="start", required=_WALL_TIME, omit="never")
    end: str = rule(checker=checks.wall_time, label="end", required=_WALL_TIME, omit="never")

    def __attrs_post_init__(self) -> None:
        try:
            start, end = parse_hhmm(self.start), parse_hhmm(self.end)
        except ValueError as e:
            raise _bad("night_hours", str(e)) from None
        if start % 1440 == end % 1440:
            raise _bad("night_hours", f"start {self.start} and end {self.end} are the same time")

    @property
    def wall_intervals(self) -> tuple[tuple[int, int], ...]:
        """The band as ``[from, to)`` minutes after a workday's local midnight,
        in order: one stretch, or two for a band across midnight."""
        return _night_intervals(self.start, self.end)


@cache
def _night_intervals(start_text: str, end_text: str) -> tuple[tuple[int, int], ...]:
    start, end = parse_hhmm(start_text) % 1440, parse_hhmm(end_text)
    end = end or 1440  # "00:00" ends the band at the day's end, as "24:00" does
    if start < end:
        return ((start, end),)
    return ((0, end), (start, 1440))


@cache
def _wall_times(*texts: str) -> tuple[time, ...]:
    """``HH:MM`` texts as times of day (``24:00`` is midnight), parsed once."""
    return tuple(time(m // 60, m % 60) for m in (parse_hhmm(t) % 1440 for t in texts))


#: The largest health settings allowed: far beyond any sensible target.
MAX_PAGE_TARGET: Final = 10_000
MAX_STREAK_DAYS: Final = 366
MAX_REST_HOURS: Final = 168


@rules_table("a table of health settings")
@attrs.frozen
class HealthSettings:
    """What docs/health.md measures the load against (the ``[health]`` table).

    Attributes:
        monthly_page_target: A month is healthy with fewer counted pages than this.
        sleep_hours: Local hours of sleep; a page in them is a sleep interruption.
        min_rest_hours: Rest owed after a callout that ends in sleep hours,
            before the volunteer's next in-hours start.
        max_consecutive_days: More local days in a row with coverage is a streak.
    """

    # Health settings are written only when they differ (==) from the defaults.
    monthly_page_target: int = rule(
        checker=checks.whole(1, "pages", 10, maximum=MAX_PAGE_TARGET),
        label="monthly page target", unit="pages",
        default=10, validator=_int_at_least(1, MAX_PAGE_TARGET), omit="equal",
    )  # fmt: skip
    sleep_hours: SleepHours = rule(
        checker=Nested(SleepHours), label="sleep hours", factory=SleepHours, omit="equal"
    )
    min_rest_hours: Decimal = rule(
        checker=checks.hours_at_most(MAX_REST_HOURS),
        label="rest owed after a callout in sleep hours", unit="h",
        default=Decimal(11), converter=_dec, validator=_hours_at_most(MAX_REST_HOURS),
        omit="equal",
    )  # fmt: skip
    max_consecutive_days: int = rule(
        checker=checks.whole(1, "days", 8, maximum=MAX_STREAK_DAYS),
        label="on-call days in a row", unit="days",
        default=8, validator=_int_at_least(1, MAX_STREAK_DAYS), omit="equal",
    )  # fmt: skip


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


@rules_table("a table of calendar settings")
@attrs.frozen
class Calendar:
    """Calendar settings; ``None`` means "not set here" (inherit or default).

    A plan's calendar is merged key by key over its version's; extra and
    removed holidays are added together.
    """

    weekend_days: tuple[str, ...] | None = rule(
        checker=checks.weekend_days, label="weekend days", default=None, converter=_opt_tuple,
        diff=_as_set_diff(_day_names),
    )  # fmt: skip
    working_hours: WorkingHours | None = rule(
        checker=Nested(WorkingHours), label="working hours", default=None,
        show=lambda h: "not set" if h is None else f"{h.start}–{h.end}",
    )  # fmt: skip
    observed_holidays: bool | None = rule(
        checker=checks.boolean, label="observed holidays", default=None, show=_on_off
    )
    extra_holidays: Mapping[str, tuple[date, ...]] = rule(
        checker=checks.holidays_by_country(everyone=True), label="company days off",
        factory=dict, converter=_dates_map, diff=_dates_diff,
    )  # fmt: skip
    removed_holidays: Mapping[str, tuple[date, ...]] = rule(
        checker=checks.holidays_by_country(everyone=False), label="holidays not observed",
        factory=dict, converter=_dates_map, diff=_dates_diff,
    )  # fmt: skip
    allow_missing_subdivision: bool | None = rule(
        checker=checks.boolean, label="a missing subdivision allowed", default=None,
        show=_yes_no,
    )  # fmt: skip
    night_hours: NightHours | None = rule(
        checker=Nested(NightHours), label="night band", default=None,
        show=lambda h: "not set" if h is None else f"{h.start}–{h.end}",
    )  # fmt: skip

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
            night_hours=self.night_hours or base.night_hours,
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
            night_hours=self.night_hours,
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
    #: ``None``: no night band, so no ``night`` time.
    night_hours: NightHours | None = None

    def __hash__(self) -> int:
        return hash(
            (
                self.weekend_days,
                self.working_hours,
                self.observed_holidays,
                tuple((k, v) for k, v in self.extra_holidays.items()),
                tuple((k, v) for k, v in self.removed_holidays.items()),
                self.allow_missing_subdivision,
                self.night_hours,
            )
        )


def _check_category(name: str, allowed: tuple[str, ...]) -> None:
    if name not in allowed:
        raise _bad(name, f"{name!r} is not one of {', '.join(allowed)}")


# --- rates as a multiple of a volunteer's own base ---------------------------------

#: The roster columns a rate may be a multiple of.
BASES: Final = ("base_hourly",)
#: A base multiple's factor is below this, with at most ``RATE_PLACES`` decimals.
MAX_BASE_FACTOR: Final = 1000
_FACTOR_EXPECTED: Final = (
    f'a decimal from 0 to below {MAX_BASE_FACTOR} written as a string, such as "1.5"'
)


def _factor(ck: Checker, value: Any, path: str) -> Decimal:
    """The ``factor`` of a base multiple: a decimal from 0 to below 1000, at most 6 decimals."""
    number = checks.decimal(ck, value, path)
    places = decimal_places(number)
    if places > RATE_PLACES:
        raise ck.fail(
            path,
            f"{show(value)} has {decimals(places)}; a factor may have at most "
            f"{decimals(RATE_PLACES)}",
        )
    if number >= MAX_BASE_FACTOR:
        raise ck.fail(path, f"{show(value)} is too large; expected {_FACTOR_EXPECTED}")
    return number


def _factor_ok(_inst: Any, attribute: attrs.Attribute[Any], value: Decimal) -> None:
    if value < 0 or value >= MAX_BASE_FACTOR or decimal_places(value) > RATE_PLACES:
        raise _bad(attribute.name, f"{value} is not {_FACTOR_EXPECTED} with at most 6 decimals")


def _base_ok(_inst: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in BASES:
        hint = did_you_mean(value, BASES) if isinstance(value, str) else ""
        raise _bad(attribute.name, f"{value!r} is not one of {', '.join(BASES)}{hint}")


@rules_table('a table such as { factor = "1.5", of = "base_hourly" }')
@attrs.frozen
class OfBase:
    """A rate written as a multiple of a volunteer's own base rate
    (docs/how-pay-is-computed.md#rates-as-a-multiple-of-a-base-rate):
    ``factor`` × the roster column ``of`` (``base_hourly``).

    Allowed wherever a rules file writes a rate (a weekly stipend, a standby
    ``rate``, ``callout.hourly``), never for a fixed amount. ``Plan.for_volunteer``
    turns it into a plain ``Decimal`` for one volunteer.
    """

    factor: Decimal = rule(
        checker=_factor, label="factor", converter=_dec, validator=_factor_ok,
        required=_FACTOR_EXPECTED,
    )  # fmt: skip
    of: str = rule(
        checker=checks.choice(BASES, "the roster column a rate is a multiple of"), label="of",
        validator=_base_ok, required='"base_hourly"',
    )  # fmt: skip

    def __str__(self) -> str:
        return f"{self.factor} × {self.of}"

    def of_volunteer(self, volunteer: Volunteer) -> Decimal | None:
        """The rate for one volunteer (exact), or ``None`` if they have no base."""
        base = volunteer.base_hourly
        return None if base is None else self.factor * base


#: A rate as the rules hold it: a decimal, or a multiple of a volunteer's base.
Rate = Decimal | OfBase


class _RateOrBase:
    """The checker of a rate: a decimal (``checks.rate``) or ``{ factor, of }``."""

    of_base = Nested(OfBase)

    def __call__(self, ck: Checker, value: Any, path: str) -> Rate:
        if isinstance(value, dict):
            clean = self.of_base(ck, value, path)
            if "factor" not in clean or "of" not in clean:
                raise Invalid
            return OfBase(**clean)
        return checks.rate(ck, value, path)


#: The one checker of every rate: ``Plan.__attrs_post_init__`` knows rates by it.
rate_or_base: Final = _RateOrBase()


def _rate(value: Any) -> Rate:
    return value if isinstance(value, OfBase) else to_decimal(value)


def paid(value: Rate) -> Decimal:
    """A rate of a plan resolved by ``Plan.for_volunteer``: a decimal.

    Raises:
        TypeError: A base multiple: the engine prices resolved plans only.
    """
    if isinstance(value, OfBase):
        msg = f"{value} is not resolved; price Plan.for_volunteer(...), not the plan"
        raise TypeError(msg)
    return value


def amount_text(value: Rate, currency: str) -> str:
    """A rate in words: ``40.00 EUR`` or ``1.5 × base_hourly``."""
    return f"{value} {currency}" if isinstance(value, Decimal) else str(value)


@rules_table('a table such as { per = "day", rate = "50.00" }')
@attrs.frozen
class StandbyRate:
    """Standby pay for one off-hours category: per hour, or per local day."""

    per: Literal["hour", "day"] = rule(checker=checks.per, label="per", required='"hour" or "day"')
    rate: Rate = rule(
        checker=rate_or_base, label="rate", unit="money", converter=_rate,
        validator=_non_negative,
        required=f"a decimal written as a string, such as {checks.EXAMPLE_DECIMAL}",
    )  # fmt: skip

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
        if d > checks.MAX_MULTIPLIER:
            raise _bad(
                f"multipliers.{k}", f"{d} is more than {checks.MAX_MULTIPLIER}, the most allowed"
            )
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
    if value > checks.MAX_MINUTES:
        raise _bad(
            attribute.name, f"{value} is more than {checks.MAX_MINUTES} minutes, the most allowed"
        )


@rules_table(
    "a table of callout settings",
    after=_max_after_minimum,
    diff_order=("hourly", "multipliers", "minimum_minutes", "increment_minutes", "max_minutes",
                "urgencies", "per_page"),
)  # fmt: skip
@attrs.frozen
class Callout:
    """Pay for the time worked when paged (see docs/how-pay-is-computed.md)."""

    hourly: Rate = rule(
        checker=rate_or_base, label="callout hourly rate", unit="money",
        default=Decimal(0), converter=_rate, validator=_non_negative,
    )  # fmt: skip
    minimum_minutes: int = rule(
        checker=checks.minutes, label="callout minimum", unit="min", default=0,
        validator=_opt_int,
    )  # fmt: skip
    increment_minutes: int = rule(
        checker=checks.minutes, label="callout rounded up to", unit="min", default=0,
        validator=_opt_int, diff=_increment_diff,
    )  # fmt: skip
    multipliers: Mapping[str, Decimal] = rule(
        checker=checks.ByCategory(checks.multiplier), label="callout multiplier on", unit="×",
        factory=dict, converter=_multipliers, diff=_multipliers_diff,
    )  # fmt: skip
    max_minutes: int | None = rule(
        checker=checks.minutes, label="longest callout counted for one page", unit="min",
        default=None, validator=_opt_int,
        show=lambda m: "no limit" if m is None else f"{m} min",
    )  # fmt: skip
    urgencies: tuple[str, ...] | None = rule(
        checker=checks.urgencies, label="urgencies paid", default=None, converter=_opt_tuple,
        show=lambda u: "all" if u is None else ", ".join(u) or "none",
    )  # fmt: skip
    #: A fixed amount: checked against the plan's currency by the plan.
    per_page: Decimal = rule(
        checker=checks.decimal, label="fee per counted page", unit="money", fixed=True,
        default=Decimal(0), converter=_dec, validator=_non_negative,
    )  # fmt: skip

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


@rules_table('a table such as { bonus = "150.00", toil_days = "0.5" }')
@attrs.frozen
class InterruptedWeekend:
    """Bonus and time off in lieu for each interrupted rest block
    (see docs/how-pay-is-computed.md)."""

    bonus: Decimal = rule(
        checker=checks.decimal, label="interrupted-weekend bonus", unit="money", fixed=True,
        default=Decimal(0), converter=_dec, validator=_non_negative,
    )  # fmt: skip
    toil_days: Decimal = rule(
        checker=checks.decimal, label="time off in lieu per interrupted weekend",
        unit="day(s)", default=Decimal(0), converter=_dec, validator=_non_negative,
    )  # fmt: skip


@rules_table('a table such as { weekly_cap = "1500.00" }')
@attrs.frozen
class Limits:
    """Bounds on a week's pay."""

    weekly_cap: Decimal | None = rule(
        checker=checks.decimal, label="weekly cap", unit="money", fixed=True,
        default=None, converter=_opt_dec, validator=_non_negative,
    )  # fmt: skip


def _codes_map(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return dict(sorted((value or {}).items()))


def _codes_diff(
    label: str, old: Mapping[str, str], new: Mapping[str, str], _c: DiffContext
) -> list[str]:
    return [
        f"{label} {key} {old.get(key, 'none')} → {new.get(key, 'none')}"
        for key in checks.EARNING_CODE_KEYS
        if old.get(key) != new.get(key)
    ]


def _tier_codes_map(
    value: Mapping[str, Mapping[str, str]] | None,
) -> Mapping[str, Mapping[str, str]]:
    return {tier: _codes_map(codes) for tier, codes in sorted((value or {}).items())}


def _tier_codes_diff(
    label: str,
    old: Mapping[str, Mapping[str, str]],
    new: Mapping[str, Mapping[str, str]],
    c: DiffContext,
) -> list[str]:
    return [
        line
        for tier in sorted({*old, *new})
        for line in _codes_diff(f"{label} tier {tier!r}", old.get(tier, {}), new.get(tier, {}), c)
    ]


def _tier_codes(ck: Checker, value: Any, path: str) -> dict[str, dict[str, str]]:
    """``{ escalation = { callout = "ESC3" } }``: earning codes by tier name."""
    expected = 'a table of earning codes by tier such as { escalation = { callout = "E1" } }'
    table = expect_table(ck, value, path, expected)
    return {name: checks.earning_codes(ck, table[name], join(path, name)) for name in table}


@rules_table('a table such as codes = { stipend = "ONC1" }')
@attrs.frozen
class Payroll:
    """How a version's pay is handed to payroll (``[versions.payroll]``, docs/payroll.md).

    Attributes:
        codes: The earning code (wage type, Lohnart) of each kind of line,
            ``standby.weekend`` before ``standby``, and of ``toil_days``.
        tier_codes: Earning codes of a tier's lines, by tier name, over
            ``codes`` (docs/payroll.md#earning-codes-for-tiers).
    """

    codes: Mapping[str, str] = rule(
        checker=checks.earning_codes, label="earning code of", factory=dict,
        converter=_codes_map, diff=_codes_diff,
    )  # fmt: skip
    tier_codes: Mapping[str, Mapping[str, str]] = rule(
        checker=_tier_codes, label="earning code of", factory=dict,
        converter=_tier_codes_map, diff=_tier_codes_diff, toml="dotted",
    )  # fmt: skip

    def __attrs_post_init__(self) -> None:
        for prefix, codes in (("codes", self.codes), *(
            (f"tier_codes.{tier}", table) for tier, table in self.tier_codes.items()
        )):  # fmt: skip
            for key, code in codes.items():
                problem = checks.earning_code_problem(key, code)
                if problem is not None:
                    raise _bad(f"{prefix}.{key}", problem)

    def code_for(
        self, kind: str, category: str | None = None, tier: str | None = None
    ) -> str | None:
        """The earning code of a line: the tier's codes first (by kind and
        category, else by kind), then the plain ones; ``None`` if neither."""
        tables = (self.tier_codes.get(tier, {}), self.codes) if tier else (self.codes,)
        for codes in tables:
            if category is not None:
                code = codes.get(f"{kind}.{category}")
                if code is not None:
                    return code
            code = codes.get(kind)
            if code is not None:
                return code
        return None


# The rate keys a plan, its tiers and its rate sets declare alike
# (docs/rules-file.md#tiers).
def _stipend_rule() -> Any:
    return rule(
        checker=rate_or_base, label="weekly stipend", unit="money",
        default=Decimal(0), converter=_rate, validator=_non_negative,
    )  # fmt: skip


def _standby_rule() -> Any:
    return rule(
        checker=checks.ByCategory(Nested(StandbyRate)), label="standby on", unit="money",
        factory=dict, converter=_standby, toml="dotted", diff=_standby_diff,
    )  # fmt: skip


def _callout_rule() -> Any:
    return rule(checker=Nested(Callout), label="callout", factory=Callout, toml="dotted")


def _interrupted_weekend_rule() -> Any:
    return rule(
        checker=Nested(InterruptedWeekend), label="interrupted weekend",
        factory=InterruptedWeekend,
    )  # fmt: skip


def _roles(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(role_key(r) for r in value)


@rules_table(
    'a table of a tier\'s roles and rates such as roles = ["level 2"]',
    order=("roles", "weekly_stipend", "standby", "callout", "interrupted_weekend"),
)
@attrs.frozen
class Tier:
    """Rates for the time of shifts whose role the tier lists: an escalation
    level, a shadow (docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows).

    It holds the rate keys of a plan and nothing else; any rate or bonus left
    out is zero (nothing is taken from the plan's own rates). ``roles`` are
    kept as the rules compare them (``role_key``); empty means the tier's
    own name (the plan fills it in).
    """

    roles: tuple[str, ...] = rule(
        checker=checks.roles, label="roles", default=(), converter=_roles,
        show=lambda r: ", ".join(r) or "its name",
    )  # fmt: skip
    weekly_stipend: Rate = _stipend_rule()
    standby: Mapping[str, StandbyRate] = _standby_rule()
    callout: Callout = _callout_rule()
    interrupted_weekend: InterruptedWeekend = _interrupted_weekend_rule()

    @property
    def shadow(self) -> bool:
        """Whether the tier prices shadow time (its one role is ``shadow``)."""
        return self.roles == (SHADOW_ROLE,)


def _tiers(value: Mapping[str, Tier] | None) -> Mapping[str, Tier]:
    """Tiers sorted by name, each with its roles (its name when it lists none)."""
    out = {}
    for name, tier in sorted((value or {}).items()):
        out[name] = tier if tier.roles else attrs.evolve(tier, roles=(role_key(name),))
    return out


class _TierTables:
    """``[versions.plans.NAME.tiers.TIER]`` tables: a role in one tier only,
    ``shadow`` in a tier of its own."""

    tier = Nested(Tier)

    def __call__(self, ck: Checker, value: Any, path: str) -> dict[str, Any]:
        table = expect_table(ck, value, path, "a table of tiers such as [...tiers.escalation]")
        clean = {}
        for name, tier in table.items():
            at = join(path, name)
            if not role_key(name):
                ck.add(at, "a tier needs a name, such as escalation")
                continue
            with contextlib.suppress(Invalid):
                clean[name] = self.tier(ck, tier, at)
        owner: dict[str, str] = {}
        for name, tier in clean.items():
            listed = [role_key(r) for r in tier.get("roles", ())] or [role_key(name)]
            at = join(join(path, name), "roles")
            if SHADOW_ROLE in listed and len(listed) > 1:
                ck.add(at, '"shadow" is never cover, so it needs a tier of its own')
            for role in listed:
                if role in owner and owner[role] != name:
                    ck.add(
                        at,
                        f"role {toml_string(role)} is also listed by tier "
                        f"{toml_string(owner[role])}; a role may belong to one tier only",
                    )
                owner.setdefault(role, name)
        return clean

    def build(self, clean: Mapping[str, Any]) -> dict[str, Tier]:
        """Each tier built."""
        return {name: self.tier.build(tier) for name, tier in clean.items()}


def _tiers_diff(
    _label: str, old: Mapping[str, Tier], new: Mapping[str, Tier], c: DiffContext
) -> list[str]:
    out = []
    for name in sorted({*old, *new}):
        was, now = old.get(name), new.get(name)
        if was is None and now is not None:
            out.append(f"tier {name!r} added (roles {', '.join(now.roles)})")
        elif now is None:
            out.append(f"tier {name!r} removed")
        elif was is not None:
            out += [f"tier {name!r}: {line}" for line in diff_fields(Tier, was, now, c)]
    return out


def _opt_str(value: str | None) -> str | None:
    return None if value is None else str(value)


@rules_table("a table of rates such as [versions.plans.default.rate_sets.senior]")
@attrs.frozen
class RateSet:
    """A named set of rates of a plan (``[versions.plans.NAME.rate_sets.SET]``),
    paying the volunteers whose roster ``rate_set`` names it instead of the
    plan's own rates (docs/how-pay-is-computed.md#rate-sets).

    Complete, like every table of the rules: a rate left out is zero, nothing
    is taken from the plan. Currency, countries, limits, calendar and cost
    centre stay the plan's.
    """

    weekly_stipend: Rate = _stipend_rule()
    standby: Mapping[str, StandbyRate] = _standby_rule()
    callout: Callout = _callout_rule()
    interrupted_weekend: InterruptedWeekend = _interrupted_weekend_rule()


def _rate_sets(value: Mapping[str, RateSet] | None) -> Mapping[str, RateSet]:
    return dict(sorted((value or {}).items()))


class _RateSetTables:
    """``[versions.plans.NAME.rate_sets.SET]`` tables: any number, each a ``RateSet``."""

    rate_set = Nested(RateSet)

    def __call__(self, ck: Checker, value: Any, path: str) -> dict[str, Any]:
        expected = "a table of rate sets such as [versions.plans.default.rate_sets.senior]"
        table = expect_table(ck, value, path, expected)
        clean = {}
        for name, entry in table.items():
            with contextlib.suppress(Invalid):
                clean[name] = self.rate_set(ck, entry, join(path, name))
        return clean

    def build(self, clean: Mapping[str, Any]) -> dict[str, RateSet]:
        """Each rate set built."""
        return {name: self.rate_set.build(entry) for name, entry in clean.items()}


def _rate_sets_diff(
    _label: str, old: Mapping[str, RateSet], new: Mapping[str, RateSet], c: DiffContext
) -> list[str]:
    out = []
    for name in sorted({*old, *new}):
        was, now = old.get(name), new.get(name)
        if was is None:
            out.append(f"rate set {name!r} added")
        elif now is None:
            out.append(f"rate set {name!r} removed")
        else:
            out += [f"rate set {name!r}: {line}" for line in diff_fields(RateSet, was, now, c)]
    return out


def needs_base(rates: Plan | RateSet | Tier) -> bool:
    """Whether any rate of a plan's or a rate set's own rates is a base multiple."""
    return (
        isinstance(rates.weekly_stipend, OfBase)
        or isinstance(rates.callout.hourly, OfBase)
        or any(isinstance(r.rate, OfBase) for r in rates.standby.values())
    )


@rules_table(
    "a table of plan settings",
    order=("countries", "currency", "cost_center", "weekly_stipend", "standby", "callout",
           "interrupted_weekend", "limits", "calendar", "tiers", "rate_sets"),
    after=_fixed_amounts,
)  # fmt: skip
@attrs.frozen
class Plan:
    """How one group of volunteers is paid, in one currency.

    Any rate or bonus left out is zero.
    """

    currency: str = rule(
        checker=checks.currency, label="currency",
        required='an ISO 4217 currency code such as "EUR"',
    )  # fmt: skip
    countries: tuple[str, ...] = rule(
        checker=checks.countries, label="countries", default=(), converter=_tuple,
        diff=_as_set_diff(_countries_text),
    )  # fmt: skip
    weekly_stipend: Rate = _stipend_rule()
    standby: Mapping[str, StandbyRate] = _standby_rule()
    callout: Callout = _callout_rule()
    interrupted_weekend: InterruptedWeekend = _interrupted_weekend_rule()
    limits: Limits = rule(checker=Nested(Limits), label="limits", factory=Limits)
    calendar: Calendar = rule(
        checker=Nested(Calendar), label="calendar", factory=Calendar, toml="dotted",
        diff=prefixed,
    )  # fmt: skip
    #: Reported to payroll for the plan's volunteers who have none in the roster.
    cost_center: str | None = rule(
        checker=checks.string, label="cost centre", default=None, converter=_opt_str,
        show=repr,
    )  # fmt: skip
    #: Rates by shift role (docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows).
    tiers: Mapping[str, Tier] = rule(
        checker=_TierTables(), label="tiers", factory=dict, converter=_tiers,
        toml="sections", diff=_tiers_diff,
    )  # fmt: skip
    #: Named sets of rates replacing the plan's own for the volunteers whose
    #: roster ``rate_set`` names one (docs/how-pay-is-computed.md#rate-sets).
    rate_sets: Mapping[str, RateSet] = rule(
        checker=_RateSetTables(), label="rate sets", factory=dict, converter=_rate_sets,
        toml="sections", diff=_rate_sets_diff,
    )  # fmt: skip

    def __attrs_post_init__(self) -> None:
        if not is_currency(self.currency):
            raise _bad("currency", f"{self.currency!r} is not an ISO 4217 currency code")
        # The rules file's checks of tiers (_TierTables), for values built in Python.
        owner: dict[str, str] = {}
        for name, tier in self.tiers.items():
            if not role_key(name) or any(not role for role in tier.roles):
                raise _bad(f"tiers.{name}", "a tier needs a name, and each role some text")
            if SHADOW_ROLE in tier.roles and len(tier.roles) > 1:
                msg = '"shadow" is never cover, so it needs a tier of its own'
                raise _bad(f"tiers.{name}.roles", msg)
            for role in tier.roles:
                if owner.setdefault(role, name) != name:
                    msg = f"role {role!r} is also listed by tier {owner[role]!r}"
                    raise _bad(f"tiers.{name}.roles", msg)
        for country in self.countries:
            if country_alpha2(country) != country:
                msg = f"{country!r} is not an ISO 3166-1 alpha-2 code the holidays package knows"
                raise _bad("countries", msg)
        # The same places as the file allows, for every field declared a
        # rate (checker ``rate_or_base`` or ``checks.rate``) or a fixed amount (``fixed=True``),
        # in the plan and in each of its rate sets. A base multiple checks itself.
        places = minor_unit(self.currency)
        for path, meta, amount in _declared(type(self), self, "", getattr):
            if isinstance(amount, OfBase):
                continue
            is_rate = meta.checker is rate_or_base or meta.checker is checks.rate
            if is_rate and decimal_places(amount) > RATE_PLACES:
                raise _bad(path, f"{amount} has more than {RATE_PLACES} decimals")
            if meta.fixed and decimal_places(amount) > places:
                raise _bad(
                    path,
                    f"{amount} has more decimals than {self.currency}'s minor unit ({places})",
                )

    def for_volunteer(
        self, volunteer: Volunteer, *, version: date, plan_name: str, strict_tiers: bool = True
    ) -> Plan:
        """The plan as it prices one volunteer: pure, and cheap to cache.

        The volunteer's rate set (roster ``rate_set``), if any, replaces the
        plan's own rates (stipend, standby, the whole callout table,
        interrupted weekend); every rate written as a multiple of a base
        (``OfBase``) becomes ``factor × the volunteer's base_hourly``, an
        exact ``Decimal`` of up to 12 decimals. Currency, countries, limits,
        calendar and cost centre stay the plan's; the plan returned has no
        rate sets left. A plan without either is returned as it is.

        Args:
            volunteer: The volunteer priced.
            version: The ``effective_from`` of the plan's version, for messages.
            plan_name: The plan's name in its version, for messages.
            strict_tiers: Whether a tier's base multiple the volunteer has no
                base for is an error now; without it, such a tier is kept
                as written (the engine raises the error only if the
                volunteer has time of that tier in a reported week).

        Raises:
            PolicyError: The plan has no rate set of the volunteer's
                ``rate_set``, or a rate that prices them is a multiple of
                ``base_hourly`` and the roster gives them none.
        """
        where = f"versions[{version}].plans.{plan_name}"
        rates_at = where
        rates: Plan | RateSet = self
        if volunteer.rate_set is not None:
            found = self.rate_sets.get(volunteer.rate_set)
            if found is None:
                sets = list(self.rate_sets)
                known = (
                    f"it has {', '.join(map(repr, sets))}{did_you_mean(volunteer.rate_set, sets)}"
                    if sets
                    else "it has none"
                )
                msg = (
                    f"volunteer {volunteer.id!r} asks for rate set {volunteer.rate_set!r}, "
                    f"which plan {plan_name!r} of the version of {version} does not have "
                    f"({known})"
                )
                raise _bad(f"{where}.rate_sets", msg)
            rates = found
            rates_at = join(f"{where}.rate_sets", volunteer.rate_set)
        elif not (needs_base(self) or any(map(needs_base, self.tiers.values()))):
            return self

        def resolve(value: Rate, at: str, field: str) -> Decimal:
            if isinstance(value, Decimal):
                return value
            rate = value.of_volunteer(volunteer)
            if rate is None:
                msg = (
                    f"volunteer {volunteer.id!r} is paid {field} = {value} by plan "
                    f"{plan_name!r} of the version of {version}, but the roster gives them "
                    "no base_hourly; add a base_hourly column to the roster with their "
                    "hourly base rate"
                )
                raise _bad(f"{at}.{field}", msg)
            return rate

        def resolved_rates(table: Plan | RateSet | Tier, at: str) -> dict[str, Any]:
            standby = {
                category: attrs.evolve(
                    entry, rate=resolve(entry.rate, at, f"standby.{category}.rate")
                )
                for category, entry in table.standby.items()
            }
            hourly = resolve(table.callout.hourly, at, "callout.hourly")
            return {
                "weekly_stipend": resolve(table.weekly_stipend, at, "weekly_stipend"),
                "standby": standby,
                "callout": attrs.evolve(table.callout, hourly=hourly),
                "interrupted_weekend": table.interrupted_weekend,
            }

        # Not attrs.evolve: a resolved rate may have 12 decimals (6 of the
        # factor, 6 of the base), more than a rules file may write, and
        # every value here was checked when the rules were read.
        def with_values(table: _T, values: Mapping[str, Any]) -> _T:
            out = copy.copy(table)
            for name, value in values.items():
                object.__setattr__(out, name, value)
            return out

        tiers = {}
        for name, tier in self.tiers.items():
            try:
                tiers[name] = with_values(tier, resolved_rates(tier, f"{where}.tiers.{name}"))
            except PolicyError:
                if strict_tiers:
                    raise
                tiers[name] = tier  # priced only if the volunteer has time of it
        resolved = with_values(
            self, {**resolved_rates(rates, rates_at), "rate_sets": {}, "tiers": tiers}
        )
        return resolved


    def tier_for(self, role: str) -> str | None:
        """The name of the tier that prices time of a shift role (a ``role_key``),
        or ``None`` when the plan's own rates do."""
        for name, tier in self.tiers.items():
            if role in tier.roles:
                return name
        return None

    def rates(self, tier: str | None) -> Plan | Tier:
        """The rate table of a tier, or the plan itself for ``None`` (and for a
        tier the plan does not have: its time is the plan's own)."""
        return self.plan_tier(tier) or self

    def plan_tier(self, tier: str | None) -> Tier | None:
        """The tier of that name, if the plan has it."""
        return None if tier is None else self.tiers.get(tier)


def _plans(value: Mapping[str, Plan]) -> Mapping[str, Plan]:
    return dict(sorted(value.items()))


class _PlanTables:
    """``[versions.plans.NAME]`` tables: at least one, a country in one plan only."""

    plan = Nested(Plan)

    def __call__(self, ck: Checker, value: Any, path: str) -> dict[str, Any]:
        table = expect_table(ck, value, path, "a table of plans such as [versions.plans.default]")
        if not table:
            raise ck.fail(
                path, "a version needs at least one plan, such as [versions.plans.default]"
            )
        clean = {}
        for name, plan in table.items():
            with contextlib.suppress(Invalid):
                clean[name] = self.plan(ck, plan, join(path, name))
        owner: dict[str, str] = {}
        for name, plan in clean.items():
            for i, country in enumerate(plan.get("countries", ())):
                if country in owner and owner[country] != name:
                    ck.add(
                        f"{join(join(path, name), 'countries')}[{i}]",
                        f'"{country}" is also listed by plan {toml_string(owner[country])}; '
                        "a country may belong to one plan of a version only",
                    )
                owner.setdefault(country, name)
        return clean

    def build(self, clean: Mapping[str, Any]) -> dict[str, Plan]:
        """Each plan built."""
        return {name: self.plan.build(plan) for name, plan in clean.items()}


def _tier_codes_known(
    ck: Checker, _table: Mapping[str, Any], clean: dict[str, Any], path: str
) -> None:
    """Earning codes name tiers that a plan of the version has."""
    known = {t for plan in clean.get("plans", {}).values() for t in plan.get("tiers", {})}
    for name in clean.get("payroll", {}).get("tier_codes", {}):
        if name not in known:
            at = join(join(join(path, "payroll"), "tier_codes"), name)
            ck.add(at, _unknown_tier(name, known))


def _unknown_tier(name: str, known: Iterable[str]) -> str:
    listed = sorted(known)
    return (
        f"no plan of this version has a tier {toml_string(name)}"
        f"{did_you_mean(name, listed)} (its tiers: {', '.join(listed) or 'none'})"
    )


@rules_table(
    "a [[versions]] table",
    order=("effective_from", "rounding", "calendar", "payroll", "plans"),
    diff_order=("rounding", "calendar", "payroll", "plans"),
    after=_tier_codes_known,
)
@attrs.frozen
class Version:
    """One complete set of rules, in effect for weeks starting on or after
    ``effective_from`` (until a later version)."""

    effective_from: date = rule(
        checker=checks.local_date, label="effective from",
        required="a TOML local date such as 2026-01-05",
    )  # fmt: skip
    plans: Mapping[str, Plan] = rule(
        checker=_PlanTables(), label="plans", converter=_plans, toml="sections",
        required="at least one plan, such as [versions.plans.default]", diff=_plans_diff,
    )  # fmt: skip
    rounding: Literal["half_up", "half_even"] = rule(
        checker=checks.rounding, label="rounding", default="half_up", omit="never",
        show=lambda r: r.replace("_", "-"),
    )  # fmt: skip
    calendar: Calendar = rule(
        checker=Nested(Calendar), label="calendar", factory=Calendar, toml="section",
        diff=prefixed,
    )  # fmt: skip
    payroll: Payroll = rule(
        checker=Nested(Payroll), label="payroll", factory=Payroll, toml="section",
        diff=prefixed,
    )  # fmt: skip

    def __attrs_post_init__(self) -> None:
        # A datetime is a date too, but comparing it with a week's start date fails.
        if isinstance(self.effective_from, datetime) or not isinstance(self.effective_from, date):
            raise _bad("effective_from", f"{self.effective_from!r} is not a date")
        if self.rounding not in ROUNDINGS:
            raise _bad("rounding", f"{self.rounding!r} is not one of {', '.join(ROUNDINGS)}")
        if not self.plans:
            raise _bad("plans", "a version needs at least one plan")
        known = {t for plan in self.plans.values() for t in plan.tiers}
        for name in self.payroll.tier_codes:
            if name not in known:
                raise _bad(f"payroll.tier_codes.{name}", _unknown_tier(name, known))
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


class _VersionTables:
    """``[[versions]]`` tables: at least one, each with its own ``effective_from``."""

    version = Nested(Version)

    def __call__(self, ck: Checker, value: Any, path: str) -> list[dict[str, Any]]:
        expected = "an array of tables, each written [[versions]]"
        items = checks.expect_array(ck, value, path, expected)
        if not items:
            raise ck.fail(path, "expected at least one [[versions]] table, got none")
        clean = []
        first: dict[date, int] = {}
        for i, item in enumerate(items):
            try:
                version = self.version(ck, item, f"{path}[{i}]")
            except Invalid:
                continue
            clean.append(version)
            when = version.get("effective_from")
            if when is None:
                continue
            if when in first:
                ck.add(
                    f"{path}[{i}].effective_from",
                    f"{when} is also the effective_from of versions[{first[when]}]; "
                    "expected a different date for each version",
                )
            first.setdefault(when, i)
        return clean

    def build(self, clean: list[dict[str, Any]]) -> list[Version]:
        """Each version built."""
        return [self.version.build(v) for v in clean]


def _week_start_diff(label: str, old: str, new: str, _c: DiffContext) -> list[str]:
    if old == new:
        return []
    return [f"{label} {old.capitalize()} → {new.capitalize()} (every pay week changes)"]


@rules_table("a rules file", order=("name", "week_starts_on", "versions", "health"))
@attrs.frozen
class Policy:
    """A named, versioned set of pay rules."""

    versions: tuple[Version, ...] = rule(
        checker=_VersionTables(), label="versions", converter=_versions, toml="tables",
        required="at least one [[versions]] table",
    )  # fmt: skip
    name: str = rule(checker=checks.string, label="name", default="", show=repr)
    week_starts_on: str = rule(
        checker=checks.weekday, label="pay weeks start on", default="monday", omit="never",
        diff=_week_start_diff,
    )  # fmt: skip
    #: Not versioned: the health measures (docs/health.md) never change pay.
    health: HealthSettings = rule(
        checker=Nested(HealthSettings), label="health", factory=HealthSettings, toml="section"
    )

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
        return write_toml(self)

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
