"""A slow reference implementation of pay-rules.md, for invariant 10.

It shares no code with the engine: only the domain values (``Volunteer``,
``Shift``, ``Page``, ``Policy`` …) and the ``holidays`` package. Where the
engine cuts intervals at local boundaries, this walks time one UTC minute at
a time and asks, for every minute, which local date and category it is in.
It therefore only accepts minute-aligned instants (worked durations may have
seconds: they are rounded up to whole minutes by the rules).

Minutes are numbered from the Unix epoch, so a set of minutes is a set of
integers and a union of intervals is a set union.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import cache
from zoneinfo import ZoneInfo

import attrs
import holidays

import oncall_pay as op

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PAID = ("workday_off_hours", "night", "weekend", "holiday")
ALL = ("in_hours", *PAID)
PLACES = {"JPY": 0, "KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3, "TND": 3, "KRW": 0, "ISK": 0}
ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}


def minute(instant: datetime) -> int:
    """The number of the UTC minute that starts at ``instant`` (which must be on one)."""
    seconds = (instant - EPOCH) / timedelta(seconds=1)
    assert seconds % 60 == 0, f"{instant} is not minute-aligned"
    return int(seconds) // 60


def instant(m: int) -> datetime:
    """The UTC instant at which minute ``m`` starts."""
    return EPOCH + timedelta(minutes=m)


@cache
def package_holidays(country: str, subdivision: str | None, year: int, observed: bool) -> set[date]:
    """The dates the holidays package lists for a country, subdivision and year."""
    table = holidays.country_holidays(
        country, subdiv=subdivision, years=year, observed=observed, language="en_US"
    )
    return set(table)


def money(amount: Fraction, currency: str, rounding: str) -> Decimal:
    """An exact amount rounded once to the currency's minor unit."""
    with localcontext() as ctx:
        ctx.prec = 80
        exact = Decimal(amount.numerator) / Decimal(amount.denominator)
        return exact.quantize(Decimal(1).scaleb(-PLACES.get(currency, 2)), ROUNDING[rounding])


@attrs.frozen
class LocalCalendar:
    """A plan's calendar with the version's underneath and the defaults filled in."""

    weekend: frozenset[str]
    work_from: int
    work_to: int
    observed: bool
    extra: frozenset[date]
    removed: frozenset[date]
    #: The night band as [from, to) minutes of a workday's wall clock; empty: no band.
    night: tuple[tuple[int, int], ...] = ()


def hhmm(text: str) -> int:
    """Minutes after midnight of ``HH:MM``."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def night_band(start: str, end: str) -> tuple[tuple[int, int], ...]:
    """A night band's stretches on one local date's wall clock: the band
    itself, or for a band across midnight its morning and its evening."""
    first, last = hhmm(start) % 1440, hhmm(end)
    if last == 0:
        last = 1440
    if first < last:
        return ((first, last),)
    return ((0, last), (first, 1440))


def merged_calendar(version: op.Version, plan: op.Plan, country: str) -> LocalCalendar:
    """The plan's calendar over the version's, key by key; day lists added together."""
    top, base = plan.calendar, version.calendar
    weekend = top.weekend_days if top.weekend_days is not None else base.weekend_days
    hours = top.working_hours or base.working_hours
    band = top.night_hours or base.night_hours
    observed = top.observed_holidays
    if observed is None:
        observed = base.observed_holidays
    extra: set[date] = set()
    removed: set[date] = set()
    for cal in (top, base):
        extra |= set(cal.extra_holidays.get("*", ())) | set(cal.extra_holidays.get(country, ()))
        removed |= set(cal.removed_holidays.get(country, ()))
    return LocalCalendar(
        weekend=frozenset(("saturday", "sunday") if weekend is None else weekend),
        work_from=hhmm(hours.start) if hours else 9 * 60,
        work_to=hhmm(hours.end) if hours else 18 * 60,
        observed=True if observed is None else observed,
        extra=frozenset(extra),
        removed=frozenset(removed),
        night=() if band is None else night_band(band.start, band.end),
    )


@attrs.frozen
class Week:
    """What the oracle says one volunteer earned in one pay week."""

    volunteer_id: str
    week_start: date
    currency: str
    minutes: dict[str, int]
    lines: dict[tuple[str, str | None, str | None], Decimal]
    total: Decimal
    toil_days: Decimal


class Person:
    """One volunteer's minutes, dates and rules, each worked out on demand."""

    def __init__(self, volunteer: op.Volunteer, policy: op.Policy) -> None:
        self.v = volunteer
        self.policy = policy
        self.zone = ZoneInfo(volunteer.timezone)
        self.first_weekday = DAY_NAMES.index(policy.week_starts_on)
        self._kinds: dict[date, str | None] = {}
        self._hours: dict[date, tuple[int, int]] = {}
        self._night: dict[date, tuple[tuple[int, int], ...]] = {}

    def week_of(self, day: date) -> date:
        """The first date of the pay week holding ``day``."""
        while day.weekday() != self.first_weekday:
            day -= timedelta(days=1)
        return day

    def version(self, week_start: date) -> op.Version | None:
        """The version with the latest effective_from on or before ``week_start``."""
        candidates = [v for v in self.policy.versions if v.effective_from <= week_start]
        return max(candidates, key=lambda v: v.effective_from) if candidates else None

    def plan(self, version: op.Version) -> op.Plan:
        """The volunteer's plan: named, else by country, else ``default``."""
        if self.v.plan is not None:
            return version.plans[self.v.plan]
        for plan in version.plans.values():
            if self.v.country in plan.countries:
                return plan
        return version.plans["default"]

    def rates(self, plan: op.Plan) -> op.Plan | op.RateSet:
        """The table of rates that prices the volunteer: their rate set, else the plan."""
        return plan if self.v.rate_set is None else plan.rate_sets[self.v.rate_set]

    def value(self, rate: Decimal | op.OfBase) -> Fraction:
        """A rate as an exact fraction: a multiple of base_hourly worked out."""
        if isinstance(rate, op.OfBase):
            assert rate.of == "base_hourly"
            assert self.v.base_hourly is not None
            return Fraction(rate.factor) * Fraction(self.v.base_hourly)
        return Fraction(rate)

    def rules(self, day: date) -> tuple[op.Version, op.Plan, LocalCalendar] | None:
        """The version, plan and calendar of the pay week holding ``day``."""
        version = self.version(self.week_of(day))
        if version is None:
            return None
        plan = self.plan(version)
        return version, plan, merged_calendar(version, plan, self.v.country)

    @cache  # noqa: B019 - one Person per oracle call, so the cache dies with it
    def local_date(self, m: int) -> date:
        """The local date of minute ``m``."""
        return instant(m).astimezone(self.zone).date()

    def wall(self, day: date, minutes: int) -> int:
        """The minute at which a local wall-clock time (fold=0) of ``day`` happens."""
        day += timedelta(days=minutes // 1440)
        minutes %= 1440
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.zone)
        return minute(local.astimezone(UTC))

    def kind(self, day: date) -> str | None:
        """``holiday``, ``weekend`` or ``workday``; ``None`` where no version applies."""
        if day not in self._kinds:
            rules = self.rules(day)
            if rules is None:
                self._kinds[day] = None
            else:
                cal = rules[2]
                from_package = day in package_holidays(
                    self.v.country, self.v.subdivision, day.year, cal.observed
                )
                if day in cal.extra or (from_package and day not in cal.removed):
                    self._kinds[day] = "holiday"
                elif DAY_NAMES[day.weekday()] in cal.weekend:
                    self._kinds[day] = "weekend"
                else:
                    self._kinds[day] = "workday"
        return self._kinds[day]

    def category(self, m: int) -> str | None:
        """The time category of minute ``m``; ``None`` where no version applies."""
        day = self.local_date(m)
        kind = self.kind(day)
        if kind != "workday":
            return kind
        if day not in self._hours:
            rules = self.rules(day)
            assert rules is not None
            cal = rules[2]
            self._hours[day] = (self.wall(day, cal.work_from), self.wall(day, cal.work_to))
            self._night[day] = tuple((self.wall(day, a), self.wall(day, b)) for a, b in cal.night)
        work_from, work_to = self._hours[day]
        if work_from <= m < work_to:
            return "in_hours"
        # The night band, read on this date's own wall clock: weekends and
        # holidays returned above, working hours win over the band.
        if any(a <= m < b for a, b in self._night[day]):
            return "night"
        return "workday_off_hours"

    @cache  # noqa: B019 - one Person per oracle call, so the cache dies with it
    def day_minutes(self, day: date) -> Counter[str]:
        """How many minutes of each category the local date ``day`` has (23/25 h days too)."""
        return Counter(
            self.category(m) or "none" for m in range(self.wall(day, 0), self.wall(day, 1440))
        )


def work_minutes(page: op.Page, plan: op.Plan | op.RateSet) -> int:
    """The length of a counted page's work interval, in whole minutes."""
    if page.worked is not None:
        length = page.worked
    elif page.resolved_at is not None:
        length = page.resolved_at.astimezone(UTC) - page.at.astimezone(UTC)
    else:
        length = timedelta(0)
    callout = plan.callout
    if callout.max_minutes is not None:
        length = min(length, timedelta(minutes=callout.max_minutes))
    whole = length // timedelta(minutes=1)
    if length % timedelta(minutes=1):
        whole += 1  # a started minute counts
    whole = max(whole, callout.minimum_minutes)
    step = callout.increment_minutes if callout.increment_minutes > 1 else 1
    while whole % step:
        whole += 1
    return whole


def role_of(shift: op.Shift) -> str:
    """A shift's role as the rules compare it: no case, runs of spaces as one."""
    return " ".join((shift.role or "").split()).casefold()


def tier_of(plan: op.Plan, role: str) -> str | bool | None:
    """The tier that prices a role's time in a plan: its name, ``None`` for
    the plan's own rates, ``False`` for time nobody pays (shadow, no tier)."""
    for name, tier in plan.tiers.items():
        if role in tier.roles:
            return name
    return False if role == "shadow" else None


def rank(key: tuple[str | None, str]) -> tuple[int, str, str]:
    """(tier, role): the plan's own time first, then tiers by name, shadow
    time last; within one tier, by role (no role first)."""
    tier, role = key
    if tier is None:
        return (0, "", role)
    return (2 if role == "shadow" else 1, tier, role)


def listed_roles(person: Person) -> set[str]:
    """The roles the tiers of the volunteer's plans list, in any version (a
    role no tier lists is the plan's own time, like no role)."""
    out: set[str] = set()
    for version in person.policy.versions:
        try:
            plan = person.plan(version)
        except KeyError:
            continue
        for tier in plan.tiers.values():
            out.update(tier.roles)
    return out


def table(person: Person, plan: op.Plan, tier: str | None) -> op.Plan | op.RateSet | op.Tier:
    """The rates of a tier; for ``None`` or a tier the plan lacks, the
    volunteer's own: their rate set, else the plan's."""
    if tier is not None and tier in plan.tiers:
        return plan.tiers[tier]
    return person.rates(plan)


def oracle(
    volunteers: Iterable[op.Volunteer],
    shifts: Iterable[op.Shift],
    pages: Iterable[op.Page],
    policy: op.Policy,
    start: date,
    end: date,
) -> dict[tuple[str, date], Week]:
    """Every statement of a pay run, worked out minute by minute."""
    shifts, pages = list(shifts), list(pages)
    out: dict[tuple[str, date], Week] = {}
    for v in volunteers:
        person = Person(v, policy)
        first = start
        while first.weekday() != person.first_weekday:
            first += timedelta(days=1)
        reported = []
        week = first
        while week <= end:
            reported.append(week)
            week += timedelta(days=7)
        if not reported:
            continue
        window = (person.wall(reported[0], 0), person.wall(reported[-1] + timedelta(days=7), 0))

        # Every minute of every shift, open ends stopping at the window, by
        # role; each minute goes to the first of its roles' tiers.
        by_role: dict[str, set[int]] = defaultdict(set)
        listed = listed_roles(person)
        for s in shifts:
            if s.volunteer_id == v.id:
                lo = window[0] if s.start is None else minute(s.start)
                hi = window[1] if s.end is None else minute(s.end)
                role = role_of(s)
                role = role if role in listed or role == "shadow" else ""
                by_role[role].update(range(lo, hi))
        coverage = set().union(*(m for r, m in by_role.items() if r != "shadow"))
        # No role is the plan's own time in every week, and first: no lookup.
        priced: dict[int, tuple[str | None, str]] = dict.fromkeys(by_role.get("", ()), (None, ""))
        tiers_of: dict[tuple[date, str], str | bool | None] = {}  # (local date, role) -> tier
        for role in sorted(r for r in by_role if r):
            for m in by_role[role]:
                if priced.get(m) == (None, ""):
                    continue
                day = person.local_date(m)
                if (day, role) not in tiers_of:
                    rules = person.rules(day)
                    tiers_of[(day, role)] = (
                        None if rules is None and role != "shadow"
                        else False if rules is None
                        else tier_of(rules[1], role)
                    )  # fmt: skip
                tier = tiers_of[(day, role)]
                if tier is False:
                    continue
                key = (tier, role)
                if m not in priced or rank(key) < rank(priced[m]):  # type: ignore[arg-type]
                    priced[m] = key  # type: ignore[assignment]
        covered: dict[date, Counter[str]] = defaultdict(Counter)  # cover only: the hours
        by_tier: dict[str | None, dict[date, Counter[str]]] = defaultdict(
            lambda: defaultdict(Counter)
        )
        for m, (tier, _) in priced.items():
            category = person.category(m)
            if category is not None:
                by_tier[tier][person.local_date(m)][category] += 1
                if m in coverage:
                    covered[person.local_date(m)][category] += 1

        # Pages: which count, their tier, work minutes, fees and rest blocks.
        mine = sorted((p for p in pages if p.volunteer_id == v.id), key=lambda p: (p.at, p.id))
        page_weeks: set[date] = set()
        work: dict[int, set[tuple[str | None, str]]] = defaultdict(set)
        fees: Counter[tuple[date, str | None, str]] = Counter()
        blocks: dict[date, tuple[date, set[str]]] = {}  # first date -> (week, roles)
        for p in mine:
            m = minute(p.at)
            day = person.local_date(m)
            week = person.week_of(day)
            page_weeks.add(week)
            category = person.category(m)
            rules = person.rules(day)
            if m not in priced or category in (None, "in_hours") or rules is None:
                continue
            tier, role = priced[m]
            rates = table(person, rules[1], tier)
            if rates.callout.urgencies is not None and p.urgency not in rates.callout.urgencies:
                continue
            for w in range(m, m + work_minutes(p, rates)):
                work[w].add((tier, role))
            assert category is not None
            fees[(week, tier, category)] += 1
            if person.kind(day) != "workday":
                block_start = day
                while person.kind(block_start - timedelta(days=1)) in ("weekend", "holiday"):
                    block_start -= timedelta(days=1)
                blocks.setdefault(block_start, (week, set()))[1].add(role)
        callout: Counter[tuple[date, str | None, str]] = Counter()
        for w, tiers_at in work.items():
            category = person.category(w)
            if category in PAID:
                assert category is not None
                week = person.week_of(person.local_date(w))
                rules = person.rules(person.local_date(w))
                assert rules is not None
                # The first page's (tier, role) holds the minute; its role
                # is priced by the tier of the week the minute falls in.
                _, role = min(tiers_at, key=rank)
                tier = tier_of(rules[1], role) if role else None
                if tier is not False:
                    callout[(week, tier, category)] += 1  # type: ignore[index]
        bonus_blocks: dict[date, list[set[str]]] = defaultdict(list)
        for week, tiers_in in blocks.values():
            bonus_blocks[week].append(tiers_in)

        active = {person.week_of(d) for tier in by_tier.values() for d in tier} | page_weeks
        active |= {w for w, _, _ in callout} | set(bonus_blocks)
        for week in reported:
            if week in active:
                out[(v.id, week)] = price_week(
                    person, week, covered, by_tier, callout, fees, bonus_blocks[week]
                )
    return out


def line_order(plan: op.Plan, tier: str | None) -> tuple[int, str]:
    """The order of a week's lines: the plan's own, its tiers by name, shadow last."""
    if tier is None:
        return (0, "")
    found = plan.tiers.get(tier)
    return (2 if found is not None and found.roles == ("shadow",) else 1, tier)


def price_week(
    person: Person,
    week: date,
    covered: dict[date, Counter[str]],
    by_tier: dict[str | None, dict[date, Counter[str]]],
    callout: Counter[tuple[date, str | None, str]],
    fees: Counter[tuple[date, str | None, str]],
    blocks: list[set[str]],
) -> Week:
    """The lines of one pay week from its counted minutes, pages and blocks."""
    rules = person.rules(week)
    assert rules is not None
    version, plan, _ = rules
    rates = person.rates(plan)  # the plan's currency, cap and calendar; the set's rates
    days = [week + timedelta(days=i) for i in range(7)]
    minutes: Counter[str] = Counter()
    for d in days:
        minutes.update(covered.get(d, Counter()))
    exact: dict[tuple[str, str | None, str | None], Fraction] = {}
    off_total = sum(person.day_minutes(d)[c] for d in days for c in PAID)

    # Each block's bonus: the best of its tiers' (bonus, then time off).
    bonus_count: Counter[str | None] = Counter()
    toil = 0 * plan.interrupted_weekend.toil_days
    for roles_in in blocks:
        keys = [(t, r) for r in roles_in for t in [tier_of(plan, r) if r else None]]
        keys = [k for k in keys if k[0] is not False]
        if not keys:
            continue  # only shadow time this week's plan does not price
        best, _ = max(
            sorted(keys, key=rank),  # type: ignore[arg-type]
            key=lambda k: (
                table(person, plan, k[0]).interrupted_weekend.bonus,  # type: ignore[arg-type]
                table(person, plan, k[0]).interrupted_weekend.toil_days,  # type: ignore[arg-type]
            ),
        )
        bonus_count[best] += 1  # type: ignore[index]
        toil += table(person, plan, best).interrupted_weekend.toil_days  # type: ignore[arg-type]

    present = {t for t, per_day in by_tier.items() if any(per_day.get(d) for d in days)}
    present |= {t for w, t, _ in callout if w == week} | {t for w, t, _ in fees if w == week}
    present |= set(bonus_count)
    for tier in sorted(present, key=lambda t: line_order(plan, t)):
        rates = table(person, plan, tier)
        mine: Counter[str] = Counter()
        for d in days:
            mine.update(by_tier.get(tier, {}).get(d, Counter()))
        off_covered = sum(mine[c] for c in PAID)
        stipend = person.value(rates.weekly_stipend)
        if stipend and off_covered:
            exact[("stipend", None, tier)] = Fraction(off_covered, off_total) * stipend
        for c in PAID:
            rate = rates.standby.get(c)
            if rate is None or not person.value(rate.rate):
                continue
            if rate.per == "hour":
                quantity = Fraction(mine[c], 60)
            else:
                quantity = sum(
                    (
                        Fraction(by_tier[tier][d][c], person.day_minutes(d)[c])
                        for d in days
                        if by_tier.get(tier, {}).get(d, Counter())[c]
                    ),
                    Fraction(0),
                )
            if quantity:
                exact[("standby", c, tier)] = quantity * person.value(rate.rate)
        hourly = person.value(rates.callout.hourly)
        for c in PAID:
            multiplier = Fraction(rates.callout.multipliers.get(c, Decimal(1)))
            if hourly and callout[(week, tier, c)]:
                exact[("callout", c, tier)] = (
                    Fraction(callout[(week, tier, c)], 60) * hourly * multiplier
                )
            if rates.callout.per_page and fees[(week, tier, c)]:
                exact[("page", c, tier)] = (
                    fees[(week, tier, c)] * Fraction(rates.callout.per_page) * multiplier
                )
        if rates.interrupted_weekend.bonus and bonus_count[tier]:
            exact[("interrupted_weekend", None, tier)] = bonus_count[tier] * Fraction(
                rates.interrupted_weekend.bonus
            )

    factor = Fraction(person.v.rate_factor) if person.v.rate_factor is not None else 1
    lines = {k: money(a * factor, plan.currency, version.rounding) for k, a in exact.items()}
    total = sum(lines.values(), Decimal(0))
    cap = plan.limits.weekly_cap
    if cap is not None and total > cap:
        lines[("cap", None, None)] = cap - total
        total = cap
    return Week(
        volunteer_id=person.v.id,
        week_start=week,
        currency=plan.currency,
        minutes={c: minutes[c] for c in ALL},
        lines=lines,
        total=total,
        toil_days=toil,
    )
