"""Arrears: what a run pays for pay weeks that locked runs already paid.

Pure functions of values (no database): the store reads what the locked runs
paid and hands it here with the fresh report.

For every pay week a locked run reported, each volunteer was paid the sum of
their statement's lines there (nothing, if they had no statement) plus any
arrears since. A new run that reports the same week again pays, per
volunteer, week and currency, only the difference between the fresh
statement and what was paid: one ``adjustment`` of that amount (positive or
negative) naming the first run that paid the week. Weeks no locked run
reported are paid in full, as the engine priced them. So every cent is paid
exactly once, and a run over unchanged inputs pays nothing more.

Manual adjustments stand apart: they are never part of what a week "was
paid" for this comparison, so arrears never undo them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

import attrs

from .._notice import Notice
from .._report import Report
from .._vocab import NoticeKind
from .._weeks import iso_week

__all__ = ["Arrears", "Paid", "split_report"]


@attrs.frozen
class Paid:
    """What locked runs paid one volunteer for one pay week in one currency.

    Attributes:
        volunteer_id: Who.
        week_start: The first local date of the pay week.
        currency: The currency.
        amount: Statement totals plus arrears adjustments, in every locked run.
        toil_days: Time off in lieu accrued the same way.
    """

    volunteer_id: str
    week_start: date
    currency: str
    amount: Decimal
    toil_days: Decimal


@attrs.frozen
class Arrears:
    """One arrears adjustment: the difference for a volunteer, week and currency.

    Attributes:
        volunteer_id: Who.
        week_start: The pay week corrected.
        week: Its ISO week name.
        currency: The currency.
        amount: Now due minus already paid (positive or negative).
        toil_days: Time off in lieu now due minus already accrued.
        original_run: The first locked run that reported the week.
        paid: What was paid before.
        due: What the fresh computation says is due.
    """

    volunteer_id: str
    week_start: date
    week: str
    currency: str
    amount: Decimal
    toil_days: Decimal
    original_run: int
    paid: Decimal
    due: Decimal

    @property
    def reason(self) -> str:
        """The adjustment's reason, as stored and shown."""
        return (
            f"arrears for {self.week} (first paid in run {self.original_run}): "
            f"paid {self.paid} {self.currency}, now due {self.due} {self.currency}"
        )


def split_report(
    report: Report, paid: Iterable[Paid], covered: Mapping[date, int]
) -> tuple[Report, tuple[Arrears, ...]]:
    """Split a fresh report into what is new and what corrects locked runs.

    Args:
        report: The fresh computation of the run's period.
        paid: What locked runs paid, per volunteer, week and currency.
        covered: Each pay week that a locked run reported, with the first
            such run.

    Returns:
        The report keeping only the statements of weeks no locked run
        reported (pages, notices and health stay whole: they are the
        evidence for the arrears too), and the arrears adjustments of the
        covered weeks, sorted by volunteer, week and currency.
    """
    new = tuple(st for st in report.statements if st.week_start not in covered)
    due: dict[tuple[str, date, str], tuple[Decimal, Decimal]] = {}
    for st in report.statements:
        if st.week_start in covered:
            due[(st.volunteer_id, st.week_start, st.currency)] = (st.total, st.toil_days)
    reported = set(report.week_starts)
    # Only the roster of this run is re-checked: someone who has left keeps
    # what they were paid (see docs/ledger.md#arrears).
    roster = {v.id for v in report.volunteers} or {st.volunteer_id for st in report.statements}
    left: dict[str, set[str]] = {}
    for p in paid:
        if p.week_start in covered and p.week_start in reported and p.volunteer_id not in roster:
            left.setdefault(p.volunteer_id, set()).add(iso_week(p.week_start))
    notices = tuple(
        Notice(
            NoticeKind.NOT_RECHECKED,
            vid,
            f"paid in locked runs for {', '.join(sorted(weeks))} but not in this run's roster, "
            "so those weeks are not re-checked for them; if the id was changed, the new id "
            "is paid those weeks again in full: keep roster ids stable",
        )
        for vid, weeks in sorted(left.items())
    )
    before = {
        (p.volunteer_id, p.week_start, p.currency): (p.amount, p.toil_days)
        for p in paid
        if p.week_start in covered and p.week_start in reported and p.volunteer_id in roster
    }
    zero = (Decimal(0), Decimal(0))
    arrears = []
    for key in sorted(due.keys() | before.keys()):
        volunteer_id, week_start, currency = key
        (now, now_toil), (then, then_toil) = due.get(key, zero), before.get(key, zero)
        if now != then or now_toil != then_toil:
            arrears.append(
                Arrears(
                    volunteer_id, week_start, iso_week(week_start), currency,
                    now - then, now_toil - then_toil, covered[week_start], then, now,
                )
            )
    return attrs.evolve(report, statements=new, notices=report.notices + notices), tuple(arrears)

