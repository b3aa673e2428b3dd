"""A synthetic organisation for the benchmarks: seeded, so every run is the same.

``generate(n)`` builds ``n`` volunteers in 12 countries (13 locations: the US
twice), each in their real time zone and subdivision, grouped in rotations of
six people in one location. Each rotation runs a weekly rota with Monday
09:00 local handoffs, so one volunteer in six is on call in any week. Each
on-call week gets about two pages, mostly in the evening, at night and at
the weekend, some in working hours, a few for someone who is not on call;
some are resolved, some carry worked minutes, some are neither. The policy is
built in code: one version, one plan per currency, realistic rates, a weekly
cap.

The same arguments always give the same values (``random.Random(seed)``, no
dependence on hashing or the clock).

Run it alone to see what it builds::

    python benchmarks/generate.py --volunteers 10000 --weeks 52
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, NamedTuple
from zoneinfo import ZoneInfo

import oncall_pay as op

#: The first pay week of the default period (a Monday).
DEFAULT_START: Final = date(2026, 1, 5)
#: People per rotation: one of them is on call in any week.
ROTATION: Final = 6


class Location(NamedTuple):
    """Where a rotation lives: country, subdivision, zone and currency."""

    country: str
    subdivision: str | None
    timezone: str
    currency: str


#: 13 locations in 12 countries. France is asked for without a subdivision
#: (metropolitan France has none in the holidays package; its codes are the
#: overseas territories), so the EUR plan allows a missing subdivision and
#: every French volunteer gets a ``subdivision`` notice.
LOCATIONS: Final = (
    Location("IE", None, "Europe/Dublin", "EUR"),
    Location("GB", "ENG", "Europe/London", "GBP"),
    Location("US", "CA", "America/Los_Angeles", "USD"),
    Location("US", "NY", "America/New_York", "USD"),
    Location("AU", "NSW", "Australia/Sydney", "AUD"),
    Location("IN", "KA", "Asia/Kolkata", "INR"),
    Location("JP", None, "Asia/Tokyo", "JPY"),
    Location("DE", "BY", "Europe/Berlin", "EUR"),
    Location("FR", None, "Europe/Paris", "EUR"),
    Location("BR", "SP", "America/Sao_Paulo", "BRL"),
    Location("NZ", "AUK", "Pacific/Auckland", "NZD"),
    Location("CA", "ON", "America/Toronto", "CAD"),
    Location("SG", None, "Asia/Singapore", "SGD"),
)

_FIRST: Final = (
    "Aoife", "Oliver", "Maya", "Daniel", "Chloe", "Arjun", "Yuki", "Lukas", "Camille",
    "Rafael", "Aroha", "Liam", "Wei", "Siobhan", "Amelia", "Ethan", "Priya", "Haruto",
    "Lena", "Hugo", "Beatriz", "Nikau", "Olivia", "Jun",
)  # fmt: skip
_LAST: Final = (
    "Byrne", "Jones", "Garcia", "Cohen", "Nguyen", "Sharma", "Sato", "Müller", "Martin",
    "Silva", "Ngata", "Tremblay", "Tan", "Murphy", "Smith", "Lee", "Iyer", "Tanaka",
    "Schmidt", "Bernard", "Costa", "Walker", "Brown", "Lim",
)  # fmt: skip
_TITLES: Final = (
    "API latency above SLO", "Checkout error rate", "Disk 90% full on db-primary",
    "Queue backlog growing", "Certificate expires in 7 days", "5xx spike on edge",
    "Replica lag", "Payment provider timeouts", "Search index stale", "Login failures",
)  # fmt: skip

#: Pages per on-call week: 0–5 with these weights (mean ≈ 1.96).
_PAGES_PER_WEEK: Final = ((0, 1, 2, 3, 4, 5), (14, 27, 27, 18, 9, 5))
#: When pages come, in the volunteer's local time, and how often (per cent).
_WHEN: Final = ("in_hours", "evening", "night", "weekend")
_WHEN_WEIGHTS: Final = (15, 35, 20, 30)


class Organisation(NamedTuple):
    """What ``compute`` needs: the inputs, the policy and the period."""

    volunteers: list[op.Volunteer]
    shifts: list[op.Shift]
    pages: list[op.Page]
    policy: op.Policy
    start: date
    end: date


# currency: stipend, weekend/day, holiday/day, callout/h, per page, bonus, weekly cap
_RATES: Final = {
    "AUD": ("480.00", "80.00", "160.00", "65.00", "0.00", "240.00", "2400.00"),
    "BRL": ("900.00", "150.00", "300.00", "120.00", "0.00", "450.00", "4500.00"),
    "CAD": ("420.00", "70.00", "140.00", "60.00", "0.00", "210.00", "2100.00"),
    "EUR": ("300.00", "50.00", "100.00", "40.00", "0.00", "150.00", "1500.00"),
    "GBP": ("260.00", "45.00", "90.00", "35.00", "0.00", "130.00", "1300.00"),
    "INR": ("9000.00", "1500.00", "3000.00", "1200.00", "250.00", "4500.00", "45000.00"),
    "JPY": ("40000", "7000", "14000", "5500", "1000", "20000", "200000"),
    "NZD": ("500.00", "85.00", "170.00", "70.00", "0.00", "250.00", "2500.00"),
    "SGD": ("420.00", "70.00", "140.00", "55.00", "0.00", "200.00", "2000.00"),
    "USD": ("350.00", "60.00", "120.00", "50.00", "0.00", "175.00", "1750.00"),
}


def build_policy(effective_from: date) -> op.Policy:
    """One version from ``effective_from``, one plan per currency.

    Every plan pays a prorated weekly stipend, weekend and holiday standby
    per day, callouts by the hour with weekend and holiday multipliers (high
    urgency only, at most four hours a page), a bonus per interrupted rest
    block and has a weekly cap. INR and JPY also pay a fee per page; USD
    works 08:00–17:00; EUR allows France's missing subdivision.
    """
    plans: dict[str, op.Plan] = {}
    for currency, (stipend, weekend, holiday, hourly, per_page, bonus, cap) in _RATES.items():
        countries = tuple(sorted({loc.country for loc in LOCATIONS if loc.currency == currency}))
        calendar = op.Calendar()
        if currency == "USD":
            calendar = op.Calendar(working_hours=op.WorkingHours("08:00", "17:00"))
        elif currency == "EUR":
            calendar = op.Calendar(allow_missing_subdivision=True)
        plans[currency.lower()] = op.Plan(
            currency=currency,
            countries=countries,
            weekly_stipend=stipend,
            standby={
                "weekend": op.StandbyRate("day", weekend),
                "holiday": op.StandbyRate("day", holiday),
            },
            callout=op.Callout(
                hourly=hourly,
                minimum_minutes=30,
                increment_minutes=15,
                multipliers={"workday_off_hours": "1.0", "weekend": "1.5", "holiday": "2.0"},
                max_minutes=240,
                urgencies=("high",),
                per_page=per_page,
            ),
            interrupted_weekend=op.InterruptedWeekend(bonus=bonus, toil_days="0.5"),
            limits=op.Limits(weekly_cap=cap),
            calendar=calendar,
        )
    version = op.Version(
        effective_from=effective_from,
        plans=plans,
        calendar=op.Calendar(
            weekend_days=("saturday", "sunday"),
            working_hours=op.WorkingHours("09:00", "18:00"),
            # A company day off for everyone: Holidays rows with the rules file as source.
            extra_holidays={"*": [date(y, 12, 24) for y in range(2020, 2041)]},
        ),
    )
    return op.Policy(versions=(version,), name="Benchmark organisation")


def _page_instant(
    rng: random.Random, monday: date, tz: ZoneInfo, shift: op.Shift, working: tuple[int, int]
) -> datetime:
    """An instant (in UTC) inside ``shift``, at a local time of the kind drawn from ``_WHEN``."""
    assert shift.start is not None
    assert shift.end is not None
    kind = rng.choices(_WHEN, _WHEN_WEIGHTS)[0]
    for _ in range(20):
        if kind == "weekend":
            day = monday + timedelta(days=rng.choice((5, 6)))
            minute = rng.randrange(24 * 60)
        elif kind == "in_hours":
            day = monday + timedelta(days=rng.randrange(5))
            minute = rng.randrange(working[0], working[1])
        elif kind == "evening":
            day = monday + timedelta(days=rng.randrange(5))
            minute = rng.randrange(working[1], 23 * 60)
        else:  # night: 23:00–07:00, on the workday it starts on
            day = monday + timedelta(days=rng.randrange(5))
            minute = (23 * 60 + rng.randrange(8 * 60)) % (24 * 60)
            if minute < 23 * 60:
                day += timedelta(days=1)
        wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)
        # In UTC, as paging tools export them: arithmetic on a zoned datetime
        # is wall-clock arithmetic, which goes wrong across a DST change.
        at = wall.astimezone(UTC) + timedelta(seconds=rng.randrange(60))
        if shift.start <= at < shift.end:
            return at
    return shift.start.astimezone(UTC) + timedelta(hours=10)  # pragma: no cover - unlikely


def generate(
    volunteers: int,
    weeks: int = 52,
    *,
    seed: int = 2026,
    start: date = DEFAULT_START,
) -> Organisation:
    """Build the synthetic organisation.

    Args:
        volunteers: How many volunteers (any number ≥ 1; the last rotation
            may have fewer than six people).
        weeks: How many pay weeks the period holds.
        seed: The seed; the same seed gives the same organisation.
        start: The first pay week (a Monday).

    Returns:
        ``(volunteers, shifts, pages, policy, start, end)``: shifts run from
        the week before the period (its Monday-morning tail belongs to the
        first week) to its last week; pages fall in the reported weeks.
    """
    if volunteers < 1 or weeks < 1:
        msg = f"need at least one volunteer and one week, got {volunteers} and {weeks}"
        raise ValueError(msg)
    if start.weekday() != 0:
        msg = f"start {start} is not a Monday"
        raise ValueError(msg)
    rng = random.Random(seed)
    end = start + timedelta(weeks=weeks - 1)
    roster: list[op.Volunteer] = []
    for i in range(volunteers):
        loc = LOCATIONS[(i // ROTATION) % len(LOCATIONS)]
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        roster.append(
            op.Volunteer(
                id=f"v{i:06d}",
                name=f"{first} {last}",
                country=loc.country,
                timezone=loc.timezone,
                subdivision=loc.subdivision,
                payroll_id=f"{loc.country}-{100000 + i}",
                email=f"{first.lower()}.{last.lower()}.{i}@example.com",
                cost_center=f"CC-{(i // ROTATION) % 40:02d}",
            )
        )

    shifts: list[op.Shift] = []
    pages: list[op.Page] = []
    counts, weights = _PAGES_PER_WEEK
    for r in range((volunteers + ROTATION - 1) // ROTATION):
        members = roster[r * ROTATION : (r + 1) * ROTATION]
        loc = LOCATIONS[r % len(LOCATIONS)]
        tz = ZoneInfo(loc.timezone)
        working = (8 * 60, 17 * 60) if loc.currency == "USD" else (9 * 60, 18 * 60)
        for w in range(-1, weeks):
            slot = (w + r) % ROTATION
            if slot >= len(members):
                continue  # a short last rotation leaves this week uncovered
            who = members[slot]
            monday = start + timedelta(weeks=w)
            shift = op.Shift(
                who.id,
                datetime.combine(monday, time(9), tzinfo=tz),
                datetime.combine(monday + timedelta(days=7), time(9), tzinfo=tz),
                role="primary",
            )
            shifts.append(shift)
            if w < 0:
                continue
            for _ in range(rng.choices(counts, weights)[0]):
                at = _page_instant(rng, monday, tz, shift, working)
                paged = who
                if rng.random() < 0.03:
                    # Paged by mistake while off rota: reported as not_on_call.
                    paged = members[(slot + 1) % len(members)]
                roll = rng.random()
                resolved: datetime | None = None
                worked: timedelta | None = None
                if roll < 0.6:
                    resolved = at + timedelta(seconds=int(rng.lognormvariate(7.3, 0.9)))
                elif roll < 0.9:
                    resolved = at + timedelta(minutes=rng.randrange(2, 30))
                    worked = timedelta(minutes=rng.choice((15, 30, 45, 60, 90, 120, 180)))
                pages.append(
                    op.Page(
                        id=f"P{len(pages):07d}",
                        volunteer_id=paged.id,
                        at=at,
                        resolved_at=resolved,
                        worked=worked,
                        urgency="high" if rng.random() < 0.92 else "low",
                        title=rng.choice(_TITLES),
                    )
                )
    policy = build_policy(start - timedelta(weeks=1))
    return Organisation(roster, shifts, pages, policy, start, end)


def main(argv: list[str] | None = None) -> int:
    """Print what ``generate`` builds for the given size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    org = generate(args.volunteers, args.weeks, seed=args.seed)
    countries = sorted({v.country for v in org.volunteers})
    print(
        f"{len(org.volunteers)} volunteers in {len(countries)} countries "
        f"({', '.join(countries)}), {len(org.shifts)} shifts, {len(org.pages)} pages, "
        f"{len(org.policy.versions[0].plans)} plans, weeks {org.start} – {org.end}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
