"""What ``compute()`` returns: weekly statements, page outcomes, notices.

Every value here is plain data that serialises to JSON with
``Report.to_json()``: decimals as strings, datetimes as ISO 8601 with their
offset, dates as ISO dates.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from ._health import Health
from ._model import Volunteer
from ._notice import Notice
from ._parallel import pickle_by_fields

__all__ = [
    "HolidayEntry",
    "LineItem",
    "Notice",
    "PageOutcome",
    "Report",
    "WeeklyStatement",
]


@pickle_by_fields
@attrs.frozen
class LineItem:
    """One priced line of a weekly statement.

    Attributes:
        kind: ``stipend``, ``standby``, ``callout``, ``page``,
            ``interrupted_weekend`` or ``cap``.
        category: The off-hours category, or ``None`` where the kind has none.
        quantity: What was measured (weeks, hours, days, pages, blocks),
            rounded to 6 decimal places for reading; the amount is computed
            from the exact quantity.
        unit: ``week``, ``hour``, ``day``, ``page``, ``block``, or ``None`` for a cap.
        rate: The rate or amount per unit, or ``None`` for a cap.
        multiplier: The category's multiplier for callouts and page fees, else ``None``.
        amount: The amount, rounded once to the currency's minor unit.
        tier: The plan's tier whose rates priced the line
            (docs/how-pay-is-computed.md#tiers-escalation-levels-and-shadows),
            ``None`` for the plan's own rates (and left out of the JSON).
    """

    kind: str
    category: str | None
    quantity: Decimal
    unit: str | None
    rate: Decimal | None
    multiplier: Decimal | None
    amount: Decimal
    tier: str | None = attrs.field(default=None, metadata={"omit_if_none": True})


@pickle_by_fields
@attrs.frozen
class WeeklyStatement:
    """What one volunteer earned in one pay week, line by line.

    Attributes:
        volunteer_id: Who.
        week: The ISO week of ``week_start``, e.g. ``2026-W48``.
        week_start: The first local date of the pay week.
        currency: The plan's ISO 4217 currency.
        rules_version: The ``effective_from`` of the version that priced it.
        plan: The name of the plan that priced it.
        lines: The priced lines, in a fixed order.
        hours: Covered hours per category (all five, ``night`` included), 6 decimal places.
        covered: Covered elapsed time per category, exact.
        page_ids: Every page of the volunteer in this week, in time order.
        counted_page_ids: The pages that counted for pay.
        toil_days: Time off in lieu earned (never capped).
        total: The sum of the rounded lines.
        week_off_hours: All off-hours hours of the week on the volunteer's
            calendar (the stipend's denominator), 6 decimal places.
    """

    volunteer_id: str
    week: str
    week_start: date
    currency: str
    rules_version: date
    plan: str
    lines: tuple[LineItem, ...]
    hours: Mapping[str, Decimal]
    covered: Mapping[str, timedelta]
    page_ids: tuple[str, ...]
    counted_page_ids: tuple[str, ...]
    toil_days: Decimal
    total: Decimal
    week_off_hours: Decimal = Decimal(0)

    def amount(self, kind: str, category: str | None = None) -> Decimal:
        """The sum of the lines of one kind (and category, if given)."""
        return sum(
            (
                li.amount
                for li in self.lines
                if li.kind == kind and (category is None or li.category == category)
            ),
            Decimal(0),
        )


@pickle_by_fields
@attrs.frozen
class PageOutcome:
    """What became of one input page.

    Attributes:
        page_id: The page's id.
        volunteer_id: Who was paged.
        at: When, in the volunteer's local time.
        week: The pay week the page falls in.
        week_start: Its first local date.
        category: The time category of the instant.
        counted: Whether it counted for pay in this run.
        reason: Why not: ``in_hours``, ``not_on_call``, ``urgency``,
            ``outside_period``; ``None`` when counted.
        work_from: Start of the page's work interval (local), when counted.
        work_to: End of the page's work interval (local), when counted.
        urgency: As given.
        title: As given.
        tier: The tier whose rates priced a counted page, ``None`` for the
            plan's own (and for a page that did not count; left out of the JSON).
    """

    page_id: str
    volunteer_id: str
    at: datetime
    week: str
    week_start: date
    category: str
    counted: bool
    reason: str | None
    work_from: datetime | None = None
    work_to: datetime | None = None
    urgency: str | None = None
    title: str | None = None
    tier: str | None = attrs.field(default=None, metadata={"omit_if_none": True})


@pickle_by_fields
@attrs.frozen
class HolidayEntry:
    """A holiday that fell in a reported week of some volunteer's cover.

    ``source`` is ``holidays`` (the package) or ``rules file`` (a company day off).
    """

    country: str
    subdivision: str | None
    date: date
    name: str
    source: str


@attrs.frozen
class Report:
    """The result of one pay run.

    Attributes:
        statements: Sorted by (volunteer id, week start).
        pages: Every input page with its outcome, sorted by (time, page id).
        notices: Overlaps, period edges, … in a stable order.
        holidays: Holidays in reported weeks with cover, per country/subdivision.
        period_start: The first date asked for.
        period_end: The last date asked for.
        week_starts: The start dates of the reported pay weeks.
        policy_name: The rules' name.
        input_counts: Rows read: ``volunteers``, ``shifts``, ``pages``.
        health: Whether the load is sustainable (``docs/health.md``);
            ``compute`` always fills it, a report built by hand may leave it out.
    """

    statements: tuple[WeeklyStatement, ...]
    pages: tuple[PageOutcome, ...]
    notices: tuple[Notice, ...]
    holidays: tuple[HolidayEntry, ...]
    period_start: date
    period_end: date
    week_starts: tuple[date, ...]
    policy_name: str
    input_counts: Mapping[str, int]
    volunteers: tuple[Volunteer, ...] = ()
    health: Health | None = None

    @property
    def currencies(self) -> tuple[str, ...]:
        """The currencies of the statements, sorted."""
        return tuple(sorted({s.currency for s in self.statements}))

    def totals(self) -> dict[str, Decimal]:
        """The total per currency (never summed across currencies)."""
        out: dict[str, Decimal] = {}
        for st in self.statements:
            out[st.currency] = out.get(st.currency, Decimal(0)) + st.total
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-friendly builtins."""
        result: dict[str, Any] = _plain(self)
        result["totals"] = {k: str(v) for k, v in self.totals().items()}
        return result

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON: decimals as strings, datetimes ISO 8601 with offset."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if attrs.has(type(value)):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in attrs.fields(type(value))
            if not (f.metadata.get("omit_if_none") and getattr(value, f.name) is None)
        }
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        # Exact elapsed seconds as a decimal string, like money: never a float.
        return f"{Decimal(value // timedelta(microseconds=1)).scaleb(-6):f}"
    return value
