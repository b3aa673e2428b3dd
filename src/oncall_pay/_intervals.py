"""Exact time arithmetic shared by the engine and the health measures.

Durations are counted in whole microseconds (``int``), never floats; hours
are exact ``Fraction``s, rounded once for reading. An interval is a pair of
UTC instants ``[start, end)``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Final

from ._money import round_fraction

__all__ = [
    "HOUR_US",
    "ONE_DAY",
    "US",
    "Interval",
    "ceil_div",
    "covers",
    "hours",
    "hours_6",
    "merge",
    "us",
]

#: One microsecond: the unit every duration is counted in.
US: Final = timedelta(microseconds=1)
#: Microseconds in an hour.
HOUR_US: Final = 3_600_000_000
#: One calendar day (as a ``date`` step; local days may have 23 or 25 hours).
ONE_DAY: Final = timedelta(days=1)

#: ``[start, end)``, UTC instants.
Interval = tuple[datetime, datetime]


def us(span: timedelta) -> int:
    """Exact microseconds of a duration (never a float)."""
    return span // US


def hours(span: timedelta) -> Fraction:
    """Exact hours of a duration."""
    return Fraction(us(span), HOUR_US)


@lru_cache(maxsize=65536)
def hours_6(microseconds: int) -> Decimal:
    """Hours of ``microseconds``, rounded to 6 places for reading.

    Cached: the same weekly patterns of cover recur across volunteers and
    weeks, and rounding an exact fraction is the costliest step of a statement.
    """
    return round_fraction(Fraction(microseconds, HOUR_US), 6)


def ceil_div(a: int, b: int) -> int:
    """``a / b`` rounded up, in integers."""
    return -(-a // b)


def merge(
    intervals: Iterable[Interval],
) -> tuple[list[Interval], list[tuple[Interval, Interval]]]:
    """Union of intervals; also the pairs that really overlapped (not just touched).

    Returns:
        The merged intervals in order, and ``(earlier, later)`` for each input
        interval that started strictly inside the union built so far.
    """
    merged: list[Interval] = []
    overlaps: list[tuple[Interval, Interval]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            if start < last[1]:
                overlaps.append((last, (start, end)))
            merged[-1] = (last[0], max(last[1], end))
        else:
            merged.append((start, end))
    return merged, overlaps


def covers(coverage: Sequence[Interval], starts: Sequence[datetime], instant: datetime) -> bool:
    """Whether merged ``coverage`` (with ``starts``, its start instants) holds ``instant``."""
    i = bisect.bisect_right(starts, instant) - 1
    return i >= 0 and coverage[i][0] <= instant < coverage[i][1]
