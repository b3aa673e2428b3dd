"""Pay weeks: where a week starts, its ISO name, the reported weeks of a
period, and the padding windows around them.

docs/how-pay-is-computed.md#pay-weeks: a pay week starts on the policy's
weekday, at local midnight; a period reports every pay week whose first date
lies in it. The statement of a week depends only on the inputs, never on the
period asked for, so the engine (and the readers feeding it) look a little
beyond the reported weeks; each such margin is a named constant here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Final

__all__ = [
    "EXPLAIN_READ_AFTER",
    "EXPLAIN_READ_BEFORE",
    "OPEN_END_PAD",
    "SOURCE_READ_AFTER",
    "SOURCE_READ_BEFORE",
    "WEEK",
    "WEEK_LAST_DAY",
    "explain_read_period",
    "iso_week",
    "open_end_window",
    "reported_weeks",
    "source_read_window",
    "week_end",
    "week_start",
]

#: The length of a pay week, in local dates.
WEEK: Final = timedelta(days=7)

#: From a pay week's first date to its last (inclusive): six days.
WEEK_LAST_DAY: Final = timedelta(days=6)

#: How far an open-ended shift runs past the reported weeks (one pay week
#: either side). docs/how-pay-is-computed.md#pay-weeks clips an open end to
#: the reported weeks; the engine keeps a week either side too, as it does
#: for pages, so whether a page next door was on call (the first page of a
#: rest block, a callout that spills into the period) does not depend on the
#: period asked for. Only the reported weeks are paid, so their standby is
#: the same either way.
OPEN_END_PAD: Final = WEEK

#: How far before the period's first date the command line reads date-bound
#: sources (iCalendar feeds), so a shift just outside the period can still
#: extend a callout or hold the first page of a rest block. It is wider than
#: the engine's padded week (``OPEN_END_PAD``): a second week for a shift
#: that starts before the padded week and runs into it, and a day for the
#: zones east and west of UTC (the window is in UTC, pay weeks are local).
SOURCE_READ_BEFORE: Final = timedelta(days=15)

#: How far after the period's last date the command line reads date-bound
#: sources: the last reported pay week may end six days after the period's
#: last date (``WEEK_LAST_DAY``), the engine pads a week after it
#: (``OPEN_END_PAD``), and the window is in UTC while pay weeks are local
#: (a day either way), with a day to spare.
SOURCE_READ_AFTER: Final = timedelta(days=16)

#: ``oncall-pay explain``: how far before the first of the week's month the
#: sources are read: the pay week holding the 1st may start six days earlier.
EXPLAIN_READ_BEFORE: Final = timedelta(days=6)

#: ``oncall-pay explain``: how far after the explained week's ISO Monday the
#: sources are read, so the month's last pay week is read whole: the month
#: ends at most 30 days after the Monday, and its last pay week may start on
#: the last day and run six more (30 + 6 + 1 for the policy's start weekday).
EXPLAIN_READ_AFTER: Final = timedelta(days=37)


def week_start(day: date, weekday: int) -> date:
    """The first date of the pay week holding ``day``, for weeks starting on
    ``weekday`` (0 = Monday)."""
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def week_end(start: date) -> date:
    """The last date (inclusive) of the pay week starting on ``start``."""
    return start + WEEK_LAST_DAY


def iso_week(day: date) -> str:
    """The ISO week name of a date, ``2026-W48``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def reported_weeks(start: date, end: date, weekday: int) -> list[date]:
    """The first dates of the pay weeks that start in ``[start, end]``, in order."""
    week = start + timedelta(days=(weekday - start.weekday()) % 7)
    weeks = []
    while week <= end:
        weeks.append(week)
        week += WEEK
    return weeks


def open_end_window(first_week: date, last_week: date) -> tuple[date, date]:
    """Where an open-ended shift is clipped: local dates ``[first, end)``,
    the reported weeks with ``OPEN_END_PAD`` either side."""
    return first_week - OPEN_END_PAD, last_week + WEEK + OPEN_END_PAD


def source_read_window(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC instants between which date-bound sources are read for the
    period ``[first, last]`` (``SOURCE_READ_BEFORE``/``SOURCE_READ_AFTER``)."""
    return (
        datetime.combine(first - SOURCE_READ_BEFORE, time(), tzinfo=UTC),
        datetime.combine(last + SOURCE_READ_AFTER, time(), tzinfo=UTC),
    )


def explain_read_period(monday: date) -> tuple[date, date]:
    """The dates whose sources ``explain`` reads for the ISO week of ``monday``:
    the whole month around it (``EXPLAIN_READ_BEFORE``/``EXPLAIN_READ_AFTER``)."""
    return monday.replace(day=1) - EXPLAIN_READ_BEFORE, monday + EXPLAIN_READ_AFTER
