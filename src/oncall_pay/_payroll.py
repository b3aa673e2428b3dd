"""Pay periods and payroll rows: weekly statements as payroll imports want them.

Payroll systems take one line per person, earning code and pay period, not
a workbook of weekly rows. This module turns a report into those lines
(``PayrollRow``); the writers in ``writers/payroll.py`` format them.

- **Periods.** A pay week belongs, whole, to the pay period that holds the
  date it starts on (the same rule that decides which weeks a run reports:
  those starting between ``--from`` and ``--to``). So no week is split or
  counted twice, and the sum over periods is the sum over weeks.
- **Codes.** Each line goes under the earning code of its kind and category
  (``standby.weekend``), else of its kind (``standby``), from the
  ``[versions.payroll]`` table of the version that priced the week.
- **Rows.** Lines of one volunteer, period, currency and code with the same
  unit and rate are added together: the quantities and the amounts (each
  already rounded, so the row's amount is the sum of the workbook's amounts
  to the cent). A rate change inside a period gives two rows.

docs/payroll.md explains it for payroll staff.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Final, Literal

import attrs

from ._errors import InputError, Problem
from ._model import Volunteer
from ._report import Report, WeeklyStatement
from ._rules import Payroll, Policy
from ._vocab import LINE_KINDS

__all__ = ["PERIOD_KINDS", "PayPeriod", "PayrollRow", "PeriodRule", "payroll_rows"]

#: The named kinds of pay period; custom ranges are given as dates.
PERIOD_KINDS: Final = ("week", "month", "semi-monthly")

_RANGE: Final = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
_TOIL: Final = "toil_days"
_KIND_ORDER: Final = {kind.value: i for i, kind in enumerate(LINE_KINDS)}


@attrs.frozen(order=True)
class PayPeriod:
    """A pay period: the local dates ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def label(self) -> str:
        """``2026-11`` for a calendar month, else ``2026-11-01..2026-11-15``."""
        last = calendar.monthrange(self.start.year, self.start.month)[1]
        if self.start.day == 1 and self.end == self.start.replace(day=last):
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@attrs.frozen
class PeriodRule:
    """How pay weeks are grouped into pay periods.

    Attributes:
        kind: ``week`` (each pay week is a period), ``month`` (calendar
            months), ``semi-monthly`` (the 1st to the 15th, the 16th to the
            month's end) or ``ranges`` (the ``ranges`` given).
        ranges: For ``ranges``: the periods, in order, not overlapping.
    """

    kind: Literal["week", "month", "semi-monthly", "ranges"] = "week"
    ranges: tuple[PayPeriod, ...] = ()

    @classmethod
    def parse(cls, text: str, *, field: str = "--period") -> PeriodRule:
        """``week``, ``month``, ``semi-monthly``, or ranges such as
        ``2026-11-01..2026-11-14,2026-11-15..2026-11-30``.

        Raises:
            InputError: Neither a kind nor well-formed, ordered, non-overlapping ranges.
        """
        if text in PERIOD_KINDS:
            return cls(kind=text)  # type: ignore[arg-type]
        periods = []
        for part in text.split(","):
            match = _RANGE.fullmatch(part.strip())
            try:
                if match is None:
                    raise ValueError
                start, end = date.fromisoformat(match[1]), date.fromisoformat(match[2])
            except ValueError:
                msg = (
                    f"expected week, month, semi-monthly or date ranges such as "
                    f"2026-11-01..2026-11-15,2026-11-16..2026-11-30, got {part.strip()!r}"
                )
                raise InputError(Problem(msg, field=field)) from None
            if end < start:
                msg = f"the range {part.strip()} ends before it starts"
                raise InputError(Problem(msg, field=field))
            periods.append(PayPeriod(start, end))
        periods.sort()
        for a, b in pairwise(periods):
            if b.start <= a.end:
                msg = f"the ranges {a.label} and {b.label} overlap; a week must fall in one period"
                raise InputError(Problem(msg, field=field))
        return cls(kind="ranges", ranges=tuple(periods))

    def period_of(self, week_start: date) -> PayPeriod | None:
        """The period holding ``week_start``; ``None`` when no custom range does."""
        if self.kind == "week":
            return PayPeriod(week_start, week_start + timedelta(days=6))
        last = calendar.monthrange(week_start.year, week_start.month)[1]
        if self.kind == "month":
            return PayPeriod(week_start.replace(day=1), week_start.replace(day=last))
        if self.kind == "semi-monthly":
            if week_start.day <= 15:
                return PayPeriod(week_start.replace(day=1), week_start.replace(day=15))
            return PayPeriod(week_start.replace(day=16), week_start.replace(day=last))
        for period in self.ranges:
            if period.start <= week_start <= period.end:
                return period
        return None


@attrs.frozen
class PayrollRow:
    """One line of a payroll import: one person, period, earning code, unit and rate.

    Attributes:
        volunteer_id: The roster id.
        payroll_id: The id payroll knows them by.
        cost_center: The volunteer's cost centre from the roster, else their plan's.
        period: The pay period.
        code: The earning code.
        kind: The line kind (``stipend`` …, ``toil_days``) of the row's first line.
        unit: ``week``, ``hour``, ``day``, ``page``, ``block``, or ``None`` (a cap).
        quantity: The summed quantity, in ``unit`` (6 decimal places).
        rate: The rate per unit times the category's multiplier, or ``None``.
        amount: The summed amount, in the currency's minor unit.
        currency: The ISO 4217 currency.
        weeks: The pay weeks added up, in order.
    """

    volunteer_id: str
    payroll_id: str
    cost_center: str | None
    period: PayPeriod
    code: str
    kind: str
    unit: str | None
    quantity: Decimal
    rate: Decimal | None
    amount: Decimal
    currency: str
    weeks: tuple[str, ...]


_Key = tuple[str, PayPeriod, str, str, str | None, Decimal | None]


class _Sum:
    """A row being added up."""

    __slots__ = ("amount", "cost_center", "kind", "payroll_id", "quantity", "rank", "weeks")

    def __init__(
        self, payroll_id: str, cost_center: str | None, kind: str, rank: tuple[int, int]
    ) -> None:
        self.payroll_id = payroll_id
        self.cost_center = cost_center
        self.kind = kind
        self.rank = rank
        self.quantity = Decimal(0)
        self.amount = Decimal(0)
        self.weeks: list[str] = []


def payroll_rows(
    report: Report,
    policy: Policy,
    rule: PeriodRule,
    *,
    volunteers: Iterable[Volunteer] | None = None,
) -> tuple[PayrollRow, ...]:
    """The report's lines as payroll rows, grouped into pay periods.

    Lines of zero amount are left out (and need no code); TOIL days appear
    when ``toil_days`` has a code and the week earned some.

    Args:
        report: What ``compute()`` returned.
        policy: The rules that priced it (for the earning codes and cost centres).
        rule: How weeks group into periods.
        volunteers: The roster, for payroll ids and cost centres; by default
            the report's own.

    Returns:
        The rows, by volunteer, period, currency, then line kind order.

    Raises:
        InputError: A line with an amount has no earning code, a volunteer
            with pay has no payroll id, or a week falls in no custom range;
            every such problem is listed once.
    """
    roster = {v.id: v for v in (report.volunteers if volunteers is None else volunteers)}
    versions = {v.effective_from: v for v in policy.versions}
    problems: dict[Problem, None] = {}
    missing: dict[tuple[date, tuple[str, ...]], list[str]] = {}
    rows: dict[_Key, _Sum] = {}
    for st in report.statements:
        period = rule.period_of(st.week_start)
        if period is None:
            msg = (
                f"pay week {st.week} (starting {st.week_start}) is in none of the "
                "--period ranges; every reported week must fall in one"
            )
            problems[Problem(msg, field="--period")] = None
            continue
        version = versions.get(st.rules_version)
        if version is None:
            msg = f"the rules have no version of {st.rules_version}, which priced {st.week}"
            problems[Problem(msg, field="versions")] = None
            continue
        entries = list(_entries(st, version.payroll, missing))
        if not entries:
            continue
        volunteer = roster.get(st.volunteer_id)
        if volunteer is None or not volunteer.payroll_id:
            msg = f"volunteer {st.volunteer_id!r} has pay but no payroll_id in the roster"
            problems[Problem(msg, field="payroll_id")] = None
            continue
        plan = version.plans.get(st.plan)
        cost_center = volunteer.cost_center or (plan.cost_center if plan else None)
        for rank, code, kind, unit, quantity, rate, amount in entries:
            key: _Key = (st.volunteer_id, period, st.currency, code, unit, rate)
            row = rows.get(key)
            if row is None:
                row = rows[key] = _Sum(volunteer.payroll_id, cost_center, kind, (rank, len(rows)))
            row.quantity += quantity
            row.amount += amount
            if not row.weeks or row.weeks[-1] != st.week:
                row.weeks.append(st.week)
    for (when, keys), examples in missing.items():
        msg = (
            f"no earning code for {' or '.join(repr(k) for k in keys)} in the "
            f"[versions.payroll] codes of the version of {when}; {len(examples)} line(s) "
            f"have pay of it, such as {examples[0]}"
        )
        problems[Problem(msg, field="versions.payroll.codes")] = None
    if problems:
        raise InputError(list(problems))
    out = []
    for key in sorted(rows, key=lambda k: (k[0], k[1], k[2], rows[k].rank)):
        vid, period, currency, code, unit, rate = key
        row = rows[key]
        out.append(
            PayrollRow(
                volunteer_id=vid,
                payroll_id=row.payroll_id,
                cost_center=row.cost_center,
                period=period,
                code=code,
                kind=row.kind,
                unit=unit,
                quantity=row.quantity,
                rate=rate,
                amount=row.amount,
                currency=currency,
                weeks=tuple(row.weeks),
            )
        )
    return tuple(out)


_Entry = tuple[int, str, str, str | None, Decimal, Decimal | None, Decimal]


def _entries(
    st: WeeklyStatement,
    payroll: Payroll,
    missing: dict[tuple[date, tuple[str, ...]], list[str]],
) -> Iterable[_Entry]:
    """``(kind order, code, kind, unit, quantity, rate, amount)`` of each line
    with pay; a tier's line by the tier's codes first (docs/payroll.md)."""
    for line in st.lines:
        if line.amount == 0:
            continue
        code = payroll.code_for(str(line.kind), line.category, line.tier)
        if code is None:
            where = (st.rules_version, _keys(line.kind, line.category))
            example = f"{st.volunteer_id} {st.week}: {line.amount} {st.currency}"
            missing.setdefault(where, []).append(example)
            continue
        rate = line.rate
        if rate is not None and line.multiplier is not None:
            rate = rate * line.multiplier
        yield (
            _KIND_ORDER.get(line.kind, len(_KIND_ORDER)),
            code,
            line.kind,
            line.unit,
            line.quantity,
            rate,
            line.amount,
        )
    toil = payroll.codes.get(_TOIL)
    if toil is not None and st.toil_days:
        yield (len(_KIND_ORDER), toil, _TOIL, "day", st.toil_days, None, Decimal(0))


def _keys(kind: str, category: str | None) -> tuple[str, ...]:
    # str(): the engine's kinds are StrEnum members, whose repr is not their text.
    return (f"{kind}.{category}", str(kind)) if category else (str(kind),)

