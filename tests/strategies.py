"""Hypothesis strategies for the project's domain types, one per type.

Every strategy of the test suite lives in this module, grouped by domain
under a ``# --- <domain> ---`` heading, so a property test reads as
``@given(policies())`` and a new invariant reuses what is already here.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Final, TypeVar
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st

import oncall_pay as op
from oncall_pay._checks import EARNING_CODE_KEYS
from oncall_pay._engine import ExactLine, compute_exact
from oncall_pay._money import minor_unit
from oncall_pay._rules import (
    OFF_HOURS,
    RATE_PLACES,
    WEEKDAYS,
    HealthSettings,
    SleepHours,
    parse_hhmm,
)

# --- rules ---

#: Currencies with 2, 0 (JPY) and 3 (KWD) decimal places.
CURRENCIES = ("EUR", "USD", "GBP", "JPY", "KWD", "INR", "AUD", "NZD")
#: Countries the ``holidays`` package knows, with and without subdivisions.
COUNTRIES = ("IE", "GB", "US", "AU", "DE", "IN", "JP", "NZ")
#: Plan names, including ones that TOML must quote.
PLAN_NAMES = ("default", "us", "emea", "apac", "contractors", 'night "owls"', "équipe b")
FIRST_MONDAY = date(2025, 1, 6)
#: Mondays from 2025-01-06 to 2027-12-27.
MONDAYS = st.integers(0, 155).map(lambda k: FIRST_MONDAY + timedelta(weeks=k))


def decimals(max_places: int) -> st.SearchStrategy[Decimal]:
    """Decimals ≥ 0 with up to ``max_places`` decimals, trailing zeros included."""
    return st.builds(
        lambda n, places: Decimal(n).scaleb(-places),
        st.integers(0, 10**8),
        st.integers(0, max_places),
    )


def rates() -> st.SearchStrategy[Decimal]:
    """Rates: up to six decimals (``"40.123456"``)."""
    return decimals(RATE_PLACES)


#: A base multiple's factor (docs/how-pay-is-computed.md#rates-as-a-multiple-of-a-base-rate):
#: at most three significant digits, so factor × base × rate_factor stays
#: within the 15 digits a workbook cell holds.
BASE_FACTORS: Final = st.sampled_from(["1", "1.5", "2", "0.75", "0", "12.5"]).map(Decimal) | (
    st.builds(lambda n, p: Decimal(n).scaleb(-p), st.integers(0, 999), st.integers(1, 3))
)
OF_BASE: Final = st.builds(op.OfBase, BASE_FACTORS, st.just("base_hourly"))
#: A roster base_hourly: at most five significant digits (see BASE_FACTORS).
BASE_HOURLY: Final = st.builds(
    lambda n, p: Decimal(n).scaleb(-p), st.integers(0, 99999), st.integers(0, 2)
)
#: Rate set names, including ones that TOML must quote.
RATE_SET_NAMES = ("senior", "lead", 'on "call" lead', "équipe")


def rates_or_bases() -> st.SearchStrategy[Decimal | op.OfBase]:
    """A rate, now and then a multiple of base_hourly."""
    return rates() | OF_BASE


def raise_rate(rate: Decimal | op.OfBase, up: Decimal) -> Decimal | op.OfBase:
    """``rate`` raised by ``up``; a base multiple's factor raised (below its maximum of 1000)."""
    if isinstance(rate, op.OfBase):
        return op.OfBase(min(rate.factor + up, Decimal("999.999999")), rate.of)
    return rate + up


def uses_base(policy: op.Policy) -> bool:
    """Whether any rate of any plan, rate set or tier of ``policy`` is a base multiple."""
    return any(
        isinstance(rate, op.OfBase)
        for version in policy.versions
        for plan in version.plans.values()
        for table in (plan, *plan.rate_sets.values(), *plan.tiers.values())
        for rate in (
            table.weekly_stipend, table.callout.hourly, *(r.rate for r in table.standby.values())
        )
    )


def wall_time(minutes: int) -> str:
    """``HH:MM`` for minutes after midnight (1440 is ``"24:00"``)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def working_hours(draw: st.DrawFn) -> op.WorkingHours:
    """A valid ``[start, end)`` of working time; ``end`` may be 24:00."""
    start = draw(st.integers(0, 1439))
    end = draw(st.integers(start + 1, 1440))
    return op.WorkingHours(wall_time(start), wall_time(end))


#: Night bands a payroll would write: across midnight, ending at 24:00,
#: starting at 00:00, overlapping working hours (09:00–18:00) or all evening.
NIGHT_BANDS: Final = (
    ("22:00", "06:00"), ("20:00", "06:00"), ("22:00", "24:00"), ("22:00", "00:00"),
    ("00:00", "06:00"), ("17:00", "10:00"), ("06:00", "22:00"), ("01:30", "03:30"),
)  # fmt: skip


@st.composite
def night_hours(draw: st.DrawFn) -> op.NightHours:
    """A valid night band: one a payroll would write, or any start and end
    that are not the same time of day (across midnight when start > end)."""
    if draw(st.booleans()):
        return op.NightHours(*draw(st.sampled_from(NIGHT_BANDS)))
    start = draw(st.integers(0, 1440))
    end = draw(st.integers(0, 1440).filter(lambda e: e % 1440 != start % 1440))
    return op.NightHours(wall_time(start), wall_time(end))


def holiday_dates() -> st.SearchStrategy[list[date]]:
    """A short list of dates in 2025–2027."""
    return st.lists(st.dates(date(2025, 1, 1), date(2027, 12, 31)), max_size=3)


_NONE_OR_BOOL = st.none() | st.booleans()
_NONE_OR_WEEKEND_DAYS = st.none() | st.lists(st.sampled_from(WEEKDAYS), unique=True, max_size=6)
_NONE_OR_WORKING_HOURS = st.none() | working_hours()
_NONE_OR_NIGHT_HOURS = st.none() | night_hours()


@st.composite
def calendars(draw: st.DrawFn) -> op.Calendar:
    """Calendar settings with each one present or left unset (``None``)."""
    return op.Calendar(
        weekend_days=draw(_NONE_OR_WEEKEND_DAYS),
        working_hours=draw(_NONE_OR_WORKING_HOURS),
        observed_holidays=draw(_NONE_OR_BOOL),
        extra_holidays=draw(
            st.dictionaries(st.sampled_from(("*", *COUNTRIES)), holiday_dates(), max_size=3)
        ),
        removed_holidays=draw(
            st.dictionaries(st.sampled_from(COUNTRIES), holiday_dates(), max_size=2)
        ),
        allow_missing_subdivision=draw(_NONE_OR_BOOL),
        night_hours=draw(_NONE_OR_NIGHT_HOURS),
    )


@st.composite
def callouts(draw: st.DrawFn, currency: str = "EUR") -> op.Callout:
    """Callout settings valid for ``currency``, optional ones present or absent."""
    fields: dict[str, object] = {}
    minimum = draw(st.integers(0, 120))
    if draw(st.booleans()):
        fields["hourly"] = draw(rates_or_bases())
    if minimum or draw(st.booleans()):
        fields["minimum_minutes"] = minimum
    if draw(st.booleans()):
        fields["increment_minutes"] = draw(st.integers(0, 60))
    if draw(st.booleans()):
        # At most 100: the rules refuse more (docs/rules-file.md).
        multiplier = st.builds(
            lambda n, places: Decimal(n).scaleb(-places), st.integers(0, 100), st.integers(0, 2)
        ) | st.integers(0, 10**6).map(lambda n: Decimal(n).scaleb(-4))
        fields["multipliers"] = draw(st.dictionaries(st.sampled_from(OFF_HOURS), multiplier))
    if draw(st.booleans()):
        fields["max_minutes"] = draw(st.integers(minimum, minimum + 600))
    if draw(st.booleans()):
        fields["urgencies"] = draw(st.lists(st.sampled_from(("high", "low")), unique=True))
    if draw(st.booleans()):
        fields["per_page"] = draw(decimals(minor_unit(currency)))
    return op.Callout(**fields)  # type: ignore[arg-type]


@st.composite
def rate_tables(draw: st.DrawFn, currency: str) -> dict[str, object]:
    """The rate keys of a plan or a rate set, each present or absent."""
    places = minor_unit(currency)
    fields: dict[str, object] = {}
    if draw(st.booleans()):
        fields["weekly_stipend"] = draw(rates_or_bases())
    if draw(st.booleans()):
        fields["standby"] = draw(
            st.dictionaries(
                st.sampled_from(OFF_HOURS),
                st.builds(op.StandbyRate, st.sampled_from(("hour", "day")), rates_or_bases()),
            )
        )
    if draw(st.booleans()):
        fields["callout"] = draw(callouts(currency))
    if draw(st.booleans()):
        fields["interrupted_weekend"] = op.InterruptedWeekend(
            bonus=draw(decimals(places)), toil_days=draw(decimals(2))
        )
    return fields


@st.composite
def plans(draw: st.DrawFn, countries: tuple[str, ...] | None = None) -> op.Plan:
    """A valid plan in a random currency; ``countries`` drawn when not given."""
    currency = draw(st.sampled_from(CURRENCIES))
    places = minor_unit(currency)
    if countries is None:
        countries = tuple(draw(st.lists(st.sampled_from(COUNTRIES), unique=True, max_size=3)))
    fields: dict[str, object] = {"currency": currency, "countries": countries}
    fields.update(draw(rate_tables(currency)))
    if draw(st.booleans()):
        fields["rate_sets"] = draw(
            st.dictionaries(
                st.sampled_from(RATE_SET_NAMES),
                rate_tables(currency).map(lambda t: op.RateSet(**t)),  # type: ignore[arg-type]
                max_size=2,
            )
        )
    if draw(st.booleans()):
        fields["limits"] = op.Limits(weekly_cap=draw(decimals(places)))
    if draw(st.booleans()):
        fields["calendar"] = draw(calendars())
    if draw(st.booleans()):
        fields["cost_center"] = draw(st.text(min_size=1, max_size=12))
    return op.Plan(**fields)  # type: ignore[arg-type]


#: An earning code for every key, for pay runs that are exported to payroll.
ALL_EARNING_CODES: Final = {key: f"C{i}" for i, key in enumerate(EARNING_CODE_KEYS, 100)}


def payrolls() -> st.SearchStrategy[op.Payroll]:
    """A valid [versions.payroll] table: some of the keys, each with a code."""
    codes = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,19}", fullmatch=True)
    return st.builds(op.Payroll, st.dictionaries(st.sampled_from(EARNING_CODE_KEYS), codes))


@st.composite
def versions(draw: st.DrawFn, effective_from: date | None = None) -> op.Version:
    """A valid version: 1–3 plans, no country listed by two of them."""
    names = draw(st.lists(st.sampled_from(PLAN_NAMES), min_size=1, max_size=3, unique=True))
    pool = list(draw(st.permutations(COUNTRIES)))
    plan_values = {}
    for name in names:
        take = draw(st.integers(0, min(3, len(pool))))
        mine, pool = tuple(pool[:take]), pool[take:]
        plan_values[name] = draw(plans(countries=mine))
    fields: dict[str, object] = {
        "effective_from": effective_from if effective_from is not None else draw(MONDAYS),
        "plans": plan_values,
    }
    if draw(st.booleans()):
        fields["rounding"] = draw(st.sampled_from(("half_up", "half_even")))
    if draw(st.booleans()):
        fields["calendar"] = draw(calendars())
    if draw(st.booleans()):
        fields["payroll"] = draw(payrolls())
    return op.Version(**fields)  # type: ignore[arg-type]


@st.composite
def sleep_hours(draw: st.DrawFn) -> SleepHours:
    """A sleep window ``[start, end)``, across midnight or not; ``24:00`` now and then."""
    start = draw(st.integers(0, 1440))
    end = draw(st.integers(0, 1440).filter(lambda m: m % 1440 != start % 1440))
    return SleepHours(wall_time(start), wall_time(end))


@st.composite
def health_settings(draw: st.DrawFn) -> HealthSettings:
    """``[health]`` settings, each key at its default or drawn."""
    fields: dict[str, object] = {}
    if draw(st.booleans()):
        fields["monthly_page_target"] = draw(st.integers(1, 500))
    if draw(st.booleans()):
        fields["sleep_hours"] = draw(sleep_hours())
    if draw(st.booleans()):
        # At most a week: the rules refuse more (docs/rules-file.md).
        fields["min_rest_hours"] = draw(
            st.integers(0, 168 * 100).map(lambda n: Decimal(n).scaleb(-2))
        )
    if draw(st.booleans()):
        fields["max_consecutive_days"] = draw(st.integers(1, 60))
    return HealthSettings(**fields)  # type: ignore[arg-type]


@st.composite
def policies(draw: st.DrawFn) -> op.Policy:
    """A valid policy: 1–3 versions with distinct Monday dates in 2025–2027."""
    dates = draw(st.lists(MONDAYS, min_size=1, max_size=3, unique=True))
    fields: dict[str, object] = {"versions": [draw(versions(effective_from=d)) for d in dates]}
    if draw(st.booleans()):
        # Any text finance might type, control characters and quotes included.
        fields["name"] = draw(st.text(st.characters(codec="utf-8"), max_size=20))
    if draw(st.booleans()):
        fields["week_starts_on"] = draw(st.sampled_from(WEEKDAYS))
    if draw(st.booleans()):
        fields["health"] = draw(health_settings())
    return op.Policy(**fields)  # type: ignore[arg-type]


# --- inputs and pay runs ---
#
# Volunteers at home in zones with awkward clocks (a 23/25-hour day, a
# +05:30 or +12:45 offset, a southern-hemisphere summer), shifts and pages
# drawn around the 2026 clock changes and public holidays, random valid
# plans, and `PayRun`: one call of `compute` as a value that the
# properties can change one thing at a time.

#: (time zone, country, subdivision) of the volunteers' homes. India has
#: states in the holidays package, so it needs one: Karnataka (Bengaluru).
HOMES: Final = (
    ("Europe/Dublin", "IE", None),
    ("Europe/London", "GB", "ENG"),
    ("America/Los_Angeles", "US", "CA"),
    ("Australia/Sydney", "AU", "NSW"),
    ("Asia/Kolkata", "IN", "KA"),
    ("Asia/Tokyo", "JP", None),
    ("Pacific/Chatham", "NZ", "CIT"),
)

#: Dates that shifts and pages are drawn around: the clock changes of 2026
#: in both hemispheres and days that are holidays somewhere.
ANCHORS: Final = (
    date(2026, 3, 8),  # US clocks go forward
    date(2026, 3, 29),  # EU clocks go forward
    date(2026, 4, 5),  # AU and NZ clocks go back; Easter weekend
    date(2026, 8, 31),  # Late Summer Bank Holiday (ENG)
    date(2026, 9, 27),  # Chatham clocks go forward
    date(2026, 10, 4),  # Sydney clocks go forward
    date(2026, 10, 25),  # EU clocks go back; October Bank Holiday (IE) next day
    date(2026, 11, 1),  # US clocks go back
    date(2026, 12, 25),  # Christmas into the new year
)

URGENCIES: Final = (None, "high", "low")


def wall(zone_name: str, day: date, minutes: int) -> datetime:
    """The UTC instant of a local wall-clock time (``fold=0``); 1440 is next midnight."""
    day = day + timedelta(days=minutes // 1440)
    minutes %= 1440
    local = datetime(
        day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=ZoneInfo(zone_name)
    )
    return local.astimezone(UTC)


# Strategies that every pay run draws from, built once: hypothesis spends
# more time validating a freshly built strategy than drawing from it.
_HOME_COUNTRIES = st.sampled_from(sorted({c for _, c, _ in HOMES}))
_NEAR_DAYS = st.lists(st.integers(-14, 14), min_size=1, max_size=3)
_WEEKENDS = st.sampled_from([None, ("saturday", "sunday"), ("friday", "saturday")]) | st.lists(
    st.sampled_from(WEEKDAYS), unique=True, max_size=6
).map(tuple)
_RUN_WORKING_HOURS = st.sampled_from([None, op.WorkingHours()]) | working_hours()
#: No band often (every existing rule), a usual band often, any band now and then.
_RUN_NIGHT_HOURS = (
    st.just(None) | st.sampled_from([op.NightHours(*b) for b in NIGHT_BANDS]) | night_hours()
)
_MAYBE = st.sampled_from([None, True, False])
_RUN_CURRENCIES = st.sampled_from(("EUR", "GBP", "USD", "JPY", "KWD"))
_RATE = st.builds(lambda n, p: Decimal(n).scaleb(-p), st.integers(0, 10**6), st.integers(0, 6))
_FIXED = {
    places: st.builds(
        lambda n, p: Decimal(n).scaleb(-p), st.integers(0, 10**5), st.integers(0, places)
    )
    for places in range(4)
}
_STANDBY = st.dictionaries(
    st.sampled_from(OFF_HOURS),
    st.builds(op.StandbyRate, st.sampled_from(("hour", "day")), _RATE),
)
#: A rate now and then a multiple of base_hourly (docs/how-pay-is-computed.md#rate-sets).
_RATE_OR_BASE = _RATE | OF_BASE
_STANDBY_OR_BASE = st.dictionaries(
    st.sampled_from(OFF_HOURS),
    st.builds(op.StandbyRate, st.sampled_from(("hour", "day")), _RATE_OR_BASE),
)
_MULTIPLIERS = st.dictionaries(
    st.sampled_from(OFF_HOURS), st.sampled_from(["0", "1", "1.0", "1.5", "2", "1.25", "0.75"])
)
_MINIMUMS = st.sampled_from([0, 15, 30, 60]) | st.integers(0, 120)
_INCREMENTS = st.sampled_from([0, 1, 5, 15, 30]) | st.integers(0, 60)
_URGENCY_SETS = st.sampled_from([None, None, None, ("high",), ("high", "low"), ()])
_TOIL = st.sampled_from(["0", "0.5", "1"])


_ANY_OR_HOME_COUNTRY = st.just("*") | _HOME_COUNTRIES


_ROUNDINGS = st.sampled_from(["half_up", "half_even"])
_TITLES = st.sampled_from([None, "disk full"])
_DAYS_BEFORE = st.sampled_from([14, 11]) | st.integers(0, 14)
_DAYS_AFTER = st.sampled_from([21, 14]) | st.integers(-3, 21)


@st.composite
def run_calendars(draw: st.DrawFn, anchor: date, *, allow_missing: bool) -> op.Calendar:
    """A calendar whose company days off and removed holidays (if any) fall
    near ``anchor``, and that allows a missing subdivision when ``allow_missing``."""
    extra: dict[str, list[date]] = {}
    if draw(st.booleans()):
        key = draw(_ANY_OR_HOME_COUNTRY)
        extra[key] = [anchor + timedelta(days=n) for n in draw(_NEAR_DAYS)]
    removed: dict[str, list[date]] = {}
    if draw(st.integers(0, 3)) == 0:
        # The anchor is a holiday somewhere (Easter, Christmas, a bank holiday).
        removed[draw(_HOME_COUNTRIES)] = [anchor + timedelta(days=draw(st.integers(0, 1)))]
    return op.Calendar(
        weekend_days=draw(_WEEKENDS),
        working_hours=draw(_RUN_WORKING_HOURS),
        observed_holidays=draw(_MAYBE),
        extra_holidays=extra,
        removed_holidays=removed,
        allow_missing_subdivision=True if allow_missing else draw(_MAYBE.filter(lambda b: not b)),
        night_hours=draw(_RUN_NIGHT_HOURS),
    )


#: Names a pay run's tiers may have: the same name prices level 2 in one plan
#: and shadow time in another, and a tier named "shadow" may price level 2
#: (whether time is shadowing goes by the role, never by the tier's name).
TIER_NAMES: Final = ("a", "escalation", "shadow", "z")


@st.composite
def tier_roles(draw: st.DrawFn) -> dict[str, tuple[str, ...]]:
    """Tier names and the roles each lists: level 2 and level 3 in one tier,
    two or none; shadow in a tier of its own, or none."""
    out: dict[str, list[str]] = {}
    for role in ("level 2", "level 3"):
        if draw(st.booleans()):
            out.setdefault(draw(st.sampled_from(TIER_NAMES)), []).append(role)
    if draw(st.booleans()):
        free = [n for n in (*TIER_NAMES, "zz") if n not in out]
        out[draw(st.sampled_from(free))] = ["shadow"]
    return {name: tuple(roles) for name, roles in out.items()}


def _down(value: Decimal, fraction: Decimal, places: int) -> Decimal:
    """``value × fraction``, cut (never rounded up) to ``places`` decimals."""
    return (value * fraction).quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN")


def _down_rate(value: Decimal | op.OfBase, fraction: Decimal) -> Decimal | op.OfBase:
    """A rate (or a base multiple's factor) times ``fraction``, cut to 6 decimals."""
    if isinstance(value, op.OfBase):
        return attrs.evolve(value, factor=_down(value.factor, fraction, 6))
    return _down(value, fraction, 6)


def scaled_tier(plan: op.Plan, roles: tuple[str, ...], fraction: Decimal) -> op.Tier:
    """A tier paying at most what ``plan`` pays: every rate, fee and bonus
    times ``fraction`` (≤ 1), the same callout rules and days off (or fewer).
    Tiers like these keep monotonicity
    (docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows)."""
    places = minor_unit(plan.currency)
    callout = plan.callout
    return op.Tier(
        roles=roles,
        weekly_stipend=_down_rate(plan.weekly_stipend, fraction),
        standby={
            c: op.StandbyRate(r.per, _down_rate(r.rate, fraction))
            for c, r in plan.standby.items()
        },
        callout=attrs.evolve(
            callout,
            hourly=_down_rate(callout.hourly, fraction),
            per_page=_down(callout.per_page, fraction, places),
        ),
        interrupted_weekend=op.InterruptedWeekend(
            bonus=_down(plan.interrupted_weekend.bonus, fraction, places),
            toil_days=_down(plan.interrupted_weekend.toil_days, fraction, 2),
        ),
    )


_FRACTIONS = st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(1)]) | st.integers(0, 100).map(
    lambda n: Decimal(n).scaleb(-2)
)


@st.composite
def run_tiers(
    draw: st.DrawFn, plan: op.Plan, *, ordered: bool, multiples: bool = False
) -> dict[str, op.Tier]:
    """Tiers for ``plan`` (``tier_roles``). ``ordered``: each tier pays no
    more than the plan and the tiers before it (scaled copies, fractions
    falling in the order of precedence); else each has rates of its own."""
    roles = draw(tier_roles())
    tiers: dict[str, op.Tier] = {}
    fraction = Decimal(1)
    # The order of precedence: tiers by name, the shadow tier last.
    for name in sorted(roles, key=lambda n: (roles[n] == ("shadow",), n)):
        if ordered:
            fraction = min(fraction, draw(_FRACTIONS))
            tiers[name] = scaled_tier(plan, roles[name], fraction)
        else:
            own = draw(_rates_of(minor_unit(plan.currency), multiples))
            tiers[name] = op.Tier(
                roles=roles[name], weekly_stipend=own.weekly_stipend, standby=own.standby,
                callout=own.callout, interrupted_weekend=own.interrupted_weekend,
            )  # fmt: skip
    return tiers


@st.composite
def run_plans(
    draw: st.DrawFn,
    anchor: date,
    countries: tuple[str, ...] = (),
    *,
    cap: bool = True,
    allow_missing: bool = False,
    rate_sets: tuple[str, ...] = (),
    multiples: bool = False,
    tiers: str | None = "free",
) -> op.Plan:
    """A plan for a pay run: any mix of stipend, standby per hour or per day,
    callouts, page fees and rest-block bonus, in EUR, GBP, USD, JPY or KWD, with
    a weekly cap now and then (never unless ``cap``) and sometimes its own
    calendar (which leaves ``allow_missing_subdivision`` to the version); with
    a rate set of each name of ``rate_sets``, and rates that are multiples of
    base_hourly now and then when ``multiples``; now and then with tiers
    (``"free"``: rates of their own; ``"ordered"``: no more than those before
    them; ``None``: never)."""
    currency = draw(_RUN_CURRENCIES)
    places = minor_unit(currency)
    rates = draw(_rates_of(places, multiples))
    weekly_cap = None
    if cap and draw(st.booleans()):
        weekly_cap = Decimal(draw(_integers(0, 2000 * 10**places))).scaleb(-places)
    calendar = op.Calendar()
    if draw(st.integers(0, 2)) == 0:
        calendar = attrs.evolve(
            draw(_calendars_of(anchor, allow_missing)),
            allow_missing_subdivision=None,
        )
    sets = {name: draw(_rates_of(places, multiples)) for name in rate_sets}
    plan = op.Plan(
        currency=currency,
        countries=countries,
        weekly_stipend=rates.weekly_stipend,
        standby=rates.standby,
        callout=rates.callout,
        interrupted_weekend=rates.interrupted_weekend,
        limits=op.Limits(weekly_cap=weekly_cap),
        calendar=calendar,
        rate_sets=sets,
    )
    # docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows: often
    # none (every role is the plan's own time), else some of the tiers.
    if tiers is not None and draw(st.integers(0, 2)) == 0:
        found = draw(run_tiers(plan, ordered=tiers == "ordered", multiples=multiples))
        plan = attrs.evolve(plan, tiers=found)
    return plan


@st.composite
def run_rates(draw: st.DrawFn, places: int, *, multiples: bool = False) -> op.RateSet:
    """The rates of a pay run's plan or rate set: any mix of stipend, standby
    per hour or per day, callouts, page fees and rest-block bonus; rates
    multiples of base_hourly now and then when ``multiples``."""
    rate = _RATE_OR_BASE if multiples else _RATE
    fixed = _FIXED[places]
    minimum = draw(_MINIMUMS)
    callout = op.Callout(
        hourly=draw(rate) if draw(st.booleans()) else Decimal(0),
        minimum_minutes=minimum,
        increment_minutes=draw(_INCREMENTS),
        multipliers=draw(_MULTIPLIERS),
        max_minutes=draw(_none_or_integers(minimum, minimum + 600)),
        urgencies=draw(_URGENCY_SETS),
        per_page=draw(fixed) if draw(st.booleans()) else Decimal(0),
    )
    return op.RateSet(
        weekly_stipend=draw(rate) if draw(st.booleans()) else Decimal(0),
        standby=draw(_STANDBY_OR_BASE if multiples else _STANDBY),
        callout=callout,
        interrupted_weekend=op.InterruptedWeekend(
            bonus=draw(fixed) if draw(st.booleans()) else Decimal(0), toil_days=draw(_TOIL)
        ),
    )


@st.composite
def run_versions(
    draw: st.DrawFn,
    effective_from: date,
    anchor: date,
    *,
    cap: bool,
    allow_missing: bool,
    rate_sets: tuple[str, ...] = (),
    multiples: bool = False,
    tiers: str = "free",
) -> op.Version:
    """A version: a default plan, sometimes a country plan in another currency."""
    plan_values = {
        "default": draw(_plans_of(anchor, (), cap, allow_missing, rate_sets, multiples, tiers))
    }
    if draw(st.integers(0, 2)) == 0:
        countries = draw(st.lists(_HOME_COUNTRIES, min_size=1, max_size=3, unique=True))
        plan_values["local"] = draw(
            _plans_of(anchor, tuple(countries), cap, allow_missing, rate_sets, multiples, tiers)
        )
    return op.Version(
        effective_from=effective_from,
        plans=plan_values,
        rounding=draw(_ROUNDINGS),
        calendar=draw(_calendars_of(anchor, allow_missing)),
        payroll=op.Payroll(ALL_EARNING_CODES),
    )


# Strategies made once and reused: building a strategy object on every draw
# made Hypothesis validate each new one again, a third of the time the
# property tests spent (the values drawn are the same).
@functools.cache
def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@functools.cache
def _none_or_integers(low: int, high: int) -> st.SearchStrategy[int | None]:
    return st.none() | st.integers(low, high)


@functools.cache
def _rates_of(places: int, multiples: bool) -> st.SearchStrategy[op.RateSet]:
    return run_rates(places, multiples=multiples)


@functools.lru_cache(maxsize=4096)
def _calendars_of(anchor: date, allow_missing: bool) -> st.SearchStrategy[op.Calendar]:
    return run_calendars(anchor, allow_missing=allow_missing)


@functools.lru_cache(maxsize=4096)
def _plans_of(
    anchor: date, countries: tuple[str, ...], cap: bool, allow_missing: bool,
    rate_sets: tuple[str, ...], multiples: bool, tiers: str | None,
) -> st.SearchStrategy[op.Plan]:  # fmt: skip
    return run_plans(
        anchor, countries, cap=cap, allow_missing=allow_missing, rate_sets=rate_sets,
        multiples=multiples, tiers=tiers,
    )  # fmt: skip


@functools.lru_cache(maxsize=4096)
def _versions_of(
    effective_from: date, anchor: date, cap: bool, allow_missing: bool,
    rate_sets: tuple[str, ...], multiples: bool, tiers: str,
) -> st.SearchStrategy[op.Version]:  # fmt: skip
    return run_versions(
        effective_from, anchor, cap=cap, allow_missing=allow_missing, rate_sets=rate_sets,
        multiples=multiples, tiers=tiers,
    )  # fmt: skip


_WEEK_STARTS = st.sampled_from(["monday"] * 4 + ["sunday", "saturday", *WEEKDAYS])


@functools.lru_cache(maxsize=4096)
def _later_versions(anchor: date, max_versions: int) -> st.SearchStrategy[list[date]]:
    return st.lists(
        st.integers(-14, 21).map(lambda n: anchor + timedelta(days=n)),
        max_size=max_versions - 1,
        unique=True,
    )


@st.composite
def run_policies(
    draw: st.DrawFn,
    first_week: date,
    anchor: date,
    *,
    cap: bool = True,
    allow_missing: bool = False,
    max_versions: int = 2,
    rate_sets: bool | None = None,
    multiples: bool | None = None,
    tiers: str = "free",
) -> op.Policy:
    """A policy whose first version covers ``first_week``; later ones start near ``anchor``.

    With ``rate_sets`` every plan of every version has a rate set ``senior``
    (so a volunteer may name it whatever week is priced); with ``multiples``
    rates are multiples of base_hourly now and then. ``None`` draws each.
    ``tiers="ordered"`` (for monotonicity) never draws rate sets: a tier that
    pays no more than the plan's own rates may pay more than a rate set's.
    """
    if rate_sets is None:
        rate_sets = tiers != "ordered" and draw(st.integers(0, 2)) == 0
    if multiples is None:
        multiples = draw(st.integers(0, 2)) == 0
    sets = ("senior",) if rate_sets else ()
    first = first_week - timedelta(days=draw(st.integers(0, 40)))
    later = draw(_later_versions(anchor, max_versions))
    dates = [first] + [d for d in later if d > first]
    return op.Policy(
        versions=tuple(
            draw(_versions_of(d, anchor, cap, allow_missing, sets, multiples, tiers))
            for d in dates
        ),
        name="properties",
        # Monday mostly; Sunday and Saturday cut a plain weekend in two.
        week_starts_on=draw(_WEEK_STARTS),
    )


@st.composite
def volunteers(
    draw: st.DrawFn,
    vid: str,
    *,
    allow_missing: bool = False,
    homes: tuple[tuple[str, str, str | None], ...] = HOMES,
    rate_sets: tuple[str, ...] = (),
    base: bool = False,
) -> op.Volunteer:
    """A volunteer at one of ``homes`` (without a subdivision only if allowed),
    now and then with one of ``rate_sets`` and a base_hourly (always when ``base``)."""
    zone_name, country, subdivision = draw(st.sampled_from(homes))
    if allow_missing and subdivision is not None and draw(st.booleans()):
        subdivision = None
    return op.Volunteer(
        id=vid, name=vid.title(), country=country, timezone=zone_name, subdivision=subdivision,
        rate_factor=draw(_RATE_FACTORS),  # docs/how-pay-is-computed.md#per-person-rates
        rate_set=draw(_none_or_one_of(rate_sets)) if rate_sets else None,
        base_hourly=draw(BASE_HOURLY if base else _NONE_OR_BASE_HOURLY),
    )  # fmt: skip


_NONE_OR_BASE_HOURLY = st.none() | BASE_HOURLY
_RATE_FACTORS = st.none() | st.sampled_from(
    [Decimal(0), Decimal("0.5"), Decimal("1.25"), Decimal("1.333333")]
)


@functools.cache
def _none_or_one_of(values: tuple[str, ...]) -> st.SearchStrategy[str | None]:
    return st.none() | st.sampled_from(values)


@functools.cache
def representations(zone_name: str) -> st.SearchStrategy[tzinfo]:
    """Ways to write an instant: UTC, the volunteer's own zone, a fixed offset."""
    return st.sampled_from([UTC, ZoneInfo(zone_name), ZoneInfo(zone_name)]) | fixed_offsets()


@st.composite
def dressed(draw: st.DrawFn, instant: datetime, zone_name: str) -> datetime:
    """The same instant in UTC, in the volunteer's zone or in a fixed offset."""
    return instant.astimezone(draw(representations(zone_name)))


@functools.cache
def _none_or_representation(zone_name: str) -> st.SearchStrategy[tzinfo | None]:
    return st.none() | representations(zone_name)


@functools.cache
def fixed_offsets() -> st.SearchStrategy[timezone]:
    """Fixed UTC offsets between -12:00 and +14:00: minutes, sometimes seconds."""
    return st.integers(-12 * 3600, 14 * 3600).map(
        lambda s: timezone(timedelta(seconds=s))
    ) | st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@functools.cache
def clock_changes(zone_name: str, anchor: date) -> tuple[datetime, ...]:
    """The UTC instants within two weeks of ``anchor`` when the zone's offset changes."""
    zone = ZoneInfo(zone_name)
    first = wall(zone_name, anchor - timedelta(days=14), 0)
    found = []
    # Offsets change on a quarter hour (Chatham: 02:45), so step by 15 minutes.
    for k in range(28 * 96):
        before = first + timedelta(minutes=15 * k)
        after = before + timedelta(minutes=15)
        if before.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset():
            found.append(after)
    return tuple(found)


@st.composite
def instants(
    draw: st.DrawFn,
    zone_name: str,
    anchor: date,
    *,
    resolution: int = 1,
    walls: tuple[int, ...] = (0, 9 * 60, 18 * 60),
    days: tuple[int, int] = (-10, 8),
) -> datetime:
    """A UTC instant near ``anchor``: a local wall time (midnight, 09:00, 18:00 …),
    any second (or any ``resolution`` seconds) of a local day, or one of the
    two hours either side of a clock change."""
    changes = clock_changes(zone_name, anchor)
    if changes and draw(st.integers(0, 4)) == 0:
        change = draw(st.sampled_from(changes))
        step = draw(st.integers(-7200 // resolution, 7200 // resolution))
        return change + timedelta(seconds=step * resolution)
    day = anchor + timedelta(days=draw(st.integers(*days)))
    if draw(st.booleans()):
        return wall(zone_name, day, draw(st.sampled_from(walls)))
    midnight = wall(zone_name, day, 0)
    step = draw(st.integers(0, 86400 // resolution - 1))
    return midnight + timedelta(seconds=step * resolution)


@st.composite
def shifts(
    draw: st.DrawFn,
    volunteer: op.Volunteer,
    anchor: date,
    *,
    resolution: int = 1,
    walls: tuple[int, ...] = (0, 9 * 60, 18 * 60),
    open_ends: bool = True,
) -> op.Shift:
    """A shift of up to ten days near ``anchor``, sometimes without a start or an end."""
    zone_name = volunteer.timezone
    start = draw(instants(zone_name, anchor, resolution=resolution, walls=walls))
    if draw(st.booleans()):
        end = start + timedelta(seconds=resolution * draw(st.integers(1, 10 * 86400 // resolution)))
    else:
        end = draw(instants(zone_name, anchor, resolution=resolution, walls=walls))
        if end <= start:
            start, end = end, start
        if end == start:
            end = start + timedelta(hours=7)
    start_out: datetime | None = draw(dressed(start, zone_name))
    end_out: datetime | None = draw(dressed(end, zone_name))
    if open_ends and draw(st.integers(0, 15)) == 0:
        if draw(st.booleans()):
            start_out = None
        else:
            end_out = None
    # Shadow is never cover; "level 2" and "level 3" are priced by tiers where
    # the plan has them (docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows).
    roles = ["primary", "secondary", None, "shadow", " Shadow ", "level 2", "Level  2", "level 3"]
    return op.Shift(volunteer.id, start_out, end_out, role=draw(st.sampled_from(roles)))


@st.composite
def pages(
    draw: st.DrawFn,
    pid: str,
    volunteer: op.Volunteer,
    anchor: date,
    near: tuple[op.Shift, ...] = (),
    *,
    resolution: int = 1,
    after: tuple[op.Page, ...] = (),
) -> op.Page:
    """A page near ``anchor``, at/inside one of ``near``'s shifts, or up to
    three days before one of the pages ``after`` (pages come in clusters, and
    an earlier page can change which week a rest block's bonus belongs to);
    with or without resolved_at and worked time, of any urgency."""
    zone_name = volunteer.timezone
    bounded = [s for s in near if s.start is not None and s.end is not None]
    changes = clock_changes(zone_name, anchor)
    ways = ["free"] + ["change"] * 2 * bool(changes)
    ways += ["inside", "inside", "edge"] * bool(bounded) + ["before"] * 3 * bool(after)
    how = draw(st.sampled_from(ways))
    if how == "free":
        at = draw(instants(zone_name, anchor, resolution=resolution))
    elif how == "change":
        # The night the clocks change (a repeated or a skipped hour), on call if possible.
        covered = [
            c
            for c in changes
            for s in bounded
            if s.start is not None and s.end is not None and s.start < c < s.end
        ]
        step = draw(st.integers(-7200 // resolution, 1800 // resolution))
        at = draw(st.sampled_from(covered or changes)) + timedelta(seconds=step * resolution)
    elif how == "before":
        later = draw(st.sampled_from(after)).at.astimezone(UTC)
        back = st.sampled_from([86400, 2 * 86400]) | st.integers(0, 3 * 86400 // resolution).map(
            lambda n: n * resolution
        )
        at = later - timedelta(seconds=draw(back))
    else:
        shift = draw(st.sampled_from(bounded))
        assert shift.start is not None
        assert shift.end is not None
        # Arithmetic in UTC: datetimes that share a zone add and subtract by wall clock.
        first, last = shift.start.astimezone(UTC), shift.end.astimezone(UTC)
        span = int((last - first).total_seconds()) // resolution
        if how == "edge":
            at = draw(st.sampled_from([first, last]))
        else:
            at = first + timedelta(seconds=resolution * draw(st.integers(0, span)))
    resolved = None
    if draw(st.booleans()) or (how == "change" and draw(st.booleans())):
        resolved = at + timedelta(seconds=resolution * draw(st.integers(0, 300 * 60 // resolution)))
    worked = None
    if draw(st.integers(0, 2)) == 0:
        worked = timedelta(minutes=draw(st.integers(0, 300)), seconds=draw(st.integers(0, 59)))
    # Mostly both instants written the same way, as an export would.
    same = draw(_none_or_representation(zone_name))
    return op.Page(
        id=pid,
        volunteer_id=volunteer.id,
        at=at.astimezone(same) if same else draw(dressed(at, zone_name)),
        resolved_at=(
            None
            if resolved is None
            else resolved.astimezone(same)
            if same
            else draw(dressed(resolved, zone_name))
        ),
        worked=worked,
        urgency=draw(st.sampled_from(URGENCIES)),
        title=draw(_TITLES),
    )


@attrs.frozen
class PayRun:
    """The arguments of one call of ``compute``, as a value."""

    volunteers: tuple[op.Volunteer, ...]
    shifts: tuple[op.Shift, ...]
    pages: tuple[op.Page, ...]
    policy: op.Policy
    start: date
    end: date
    anchor: date

    def compute(self) -> op.Report:
        """The engine's report for this run."""
        return op.compute(
            self.volunteers, self.shifts, self.pages, self.policy, start=self.start, end=self.end
        )

    def compute_exact(self) -> tuple[op.Report, dict[tuple[str, date], list[ExactLine]]]:
        """The report and every statement's lines before rounding."""
        return compute_exact(
            self.volunteers, self.shifts, self.pages, self.policy, start=self.start, end=self.end
        )

    def volunteer(self, vid: str) -> op.Volunteer:
        """The roster entry of ``vid``."""
        return next(v for v in self.volunteers if v.id == vid)

    def window(self, vid: str) -> tuple[datetime, datetime]:
        """The reported weeks of ``vid``: local midnight of the first week start
        to local midnight after the last week (empty if no week starts in the period)."""
        weekday = self.policy.week_start_weekday
        first = self.start + timedelta(days=(weekday - self.start.weekday()) % 7)
        zone_name = self.volunteer(vid).timezone
        if first > self.end:
            return wall(zone_name, first, 0), wall(zone_name, first, 0)
        last = first
        while last + timedelta(days=7) <= self.end:
            last += timedelta(days=7)
        return wall(zone_name, first, 0), wall(zone_name, last + timedelta(days=7), 0)


@st.composite
def pay_runs(
    draw: st.DrawFn,
    *,
    max_volunteers: int = 2,
    max_shifts: int = 3,
    max_pages: int = 4,
    resolution: int = 1,
    cap: bool = True,
    open_ends: bool = True,
    max_versions: int = 2,
    tiers: str = "free",
) -> PayRun:
    """A whole pay run: volunteers, shifts, pages, a policy and the period.

    ``resolution`` is the grain of every instant in seconds (60: minute-aligned);
    ``cap=False`` leaves every plan without a weekly cap; ``tiers="ordered"``
    draws only tiers that pay no more than those before them (for monotonicity).
    """
    anchor = draw(st.sampled_from(ANCHORS))
    # Mostly a period that reports all the cover, sometimes one that cuts it.
    start = anchor - timedelta(days=draw(_DAYS_BEFORE))
    end = max(start, anchor + timedelta(days=draw(_DAYS_AFTER)))
    allow_missing = draw(st.integers(0, 5)) == 0
    policy = draw(
        run_policies(
            start,
            anchor,
            cap=cap,
            allow_missing=allow_missing,
            max_versions=max_versions,
            tiers=tiers,
        )
    )
    walls = {0, 9 * 60, 18 * 60}
    for version in policy.versions:
        for plan in version.plans.values():
            for hours in (plan.calendar.working_hours, version.calendar.working_hours):
                if hours is not None:
                    walls |= {hours.start_minutes, hours.end_minutes}
            for band in (plan.calendar.night_hours, version.calendar.night_hours):
                if band is not None:
                    walls |= {parse_hhmm(band.start) % 1440, parse_hhmm(band.end)}
    walls_t = tuple(sorted(walls))
    # Now and then a night the clocks change, on call: homes whose clocks
    # change near the anchor, each with a shift across the change.
    clocks = draw(st.integers(0, 3)) == 0
    homes = tuple(h for h in HOMES if clocks and clock_changes(h[0], anchor)) or HOMES
    n = draw(st.integers(1, max_volunteers))
    # A rate set every plan of every version has, and a base for everyone
    # when some rate is a multiple of it: every week can be priced.
    sets = tuple(
        set.intersection(
            *(set(p.rate_sets) for v in policy.versions for p in v.plans.values())
        )
    )
    base = uses_base(policy)
    vols = tuple(
        draw(
            volunteers(
                f"v{i}", allow_missing=allow_missing, homes=homes, rate_sets=tuple(sorted(sets)),
                base=base,
            )
        )
        for i in range(n)
    )
    shift_list: list[op.Shift] = []
    for v in vols:
        changes = clock_changes(v.timezone, anchor)
        if clocks and changes:
            change = draw(st.sampled_from(changes))
            around = st.integers(1, 36 * 3600 // resolution).map(
                lambda k: timedelta(seconds=k * resolution)
            )
            shift_list.append(
                op.Shift(
                    v.id,
                    draw(dressed(change - draw(around), v.timezone)),
                    draw(dressed(change + draw(around), v.timezone)),
                )
            )
        across = clocks and bool(changes)
        for _ in range(draw(st.integers(0 if n > 1 or across else 1, max_shifts))):
            shift_list.append(
                draw(shifts(v, anchor, resolution=resolution, walls=walls_t, open_ends=open_ends))
            )
    page_list: list[op.Page] = []
    for i in range(draw(st.integers(0, max_pages))):
        v = draw(st.sampled_from(vols))
        mine = tuple(s for s in shift_list if s.volunteer_id == v.id)
        earlier = tuple(p for p in page_list if p.volunteer_id == v.id)
        page_list.append(
            draw(pages(f"P{i}", v, anchor, mine, resolution=resolution, after=earlier))
        )
    return PayRun(vols, tuple(shift_list), tuple(page_list), policy, start, end, anchor)


# --- compare ---
#
# Rules changes for `oncall_pay.compare`: one rate raised in one plan of one
# version, and a whole other policy for the same pay run.

_RAISES: Final = ("stipend", "standby", "hourly", "multiplier", "per_page", "bonus")
_Rates = TypeVar("_Rates", op.Plan, op.RateSet)


@st.composite
def raised_policies(draw: st.DrawFn, policy: op.Policy) -> op.Policy:
    """``policy`` with a single rate, fee, bonus or multiplier of one plan of
    one version raised (or set from zero); nothing else changes."""
    index = draw(st.integers(0, len(policy.versions) - 1))
    version = policy.versions[index]
    name = draw(st.sampled_from(sorted(version.plans)))
    plan = version.plans[name]
    places = minor_unit(plan.currency)
    up = Decimal(draw(st.integers(1, 10**6))).scaleb(-draw(st.integers(0, RATE_PLACES)))
    fixed_up = Decimal(draw(st.integers(1, 10**6))).scaleb(-draw(st.integers(0, places)))
    if plan.rate_sets and draw(st.booleans()):
        # A rate of one of the plan's rate sets instead (docs/how-pay-is-computed.md#rate-sets).
        set_name = draw(st.sampled_from(sorted(plan.rate_sets)))
        rates = _raised(draw, plan.rate_sets[set_name], up, fixed_up)
        plan = attrs.evolve(plan, rate_sets={**plan.rate_sets, set_name: rates})
    else:
        plan = _raised(draw, plan, up, fixed_up)
    versions = list(policy.versions)
    versions[index] = attrs.evolve(version, plans={**version.plans, name: plan})
    return attrs.evolve(policy, versions=tuple(versions))


def _raised(
    draw: st.DrawFn, plan: _Rates, up: Decimal, fixed_up: Decimal
) -> _Rates:
    """A plan or rate set with one rate, fee, bonus or multiplier raised."""
    callout, bonus = plan.callout, plan.interrupted_weekend
    what = draw(st.sampled_from(_RAISES))
    if what == "stipend":
        plan = attrs.evolve(plan, weekly_stipend=raise_rate(plan.weekly_stipend, up))
    elif what == "standby":
        category = draw(st.sampled_from(OFF_HOURS))
        old = plan.standby.get(category)
        rate = (
            op.StandbyRate(draw(st.sampled_from(("hour", "day"))), up)
            if old is None
            else op.StandbyRate(old.per, raise_rate(old.rate, up))
        )
        plan = attrs.evolve(plan, standby={**plan.standby, category: rate})
    elif what == "hourly":
        raised_hourly = raise_rate(callout.hourly, up)
        plan = attrs.evolve(plan, callout=attrs.evolve(callout, hourly=raised_hourly))
    elif what == "multiplier":
        category = draw(st.sampled_from(OFF_HOURS))
        # Raised, but never past the most the rules allow (100; the strategies stay ≤ 2).
        step = min(up, Decimal(98))
        raised = {**callout.multipliers, category: callout.multiplier(category) + step}
        plan = attrs.evolve(plan, callout=attrs.evolve(callout, multipliers=raised))
    elif what == "per_page":
        fee = callout.per_page + fixed_up
        plan = attrs.evolve(plan, callout=attrs.evolve(callout, per_page=fee))
    else:
        plan = attrs.evolve(
            plan, interrupted_weekend=attrs.evolve(bonus, bonus=bonus.bonus + fixed_up)
        )
    return plan


def proposed_policies(run: PayRun) -> st.SearchStrategy[op.Policy]:
    """Any other policy that can price ``run``: plans, currencies, calendars and
    versions all drawn afresh (a missing subdivision is allowed, so every
    volunteer of the run has a plan and a calendar)."""
    return run_policies(
        run.start,
        run.anchor,
        allow_missing=True,
        # The run's volunteers name rate sets and lack bases as they do.
        rate_sets=True if any(v.rate_set for v in run.volunteers) else None,
        multiples=None if all(v.base_hourly is not None for v in run.volunteers) else False,
    )
