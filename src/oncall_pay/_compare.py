"""What a change of the pay rules does to real pay, and what the change is.

``compare(old, new)`` takes two reports of the same inputs — typically priced
under the current rules and under proposed ones — and pairs their weekly
statements by volunteer, currency and pay week. It gives the difference of
every line, every week and every volunteer, and the total difference per
currency. Nothing is ever summed across currencies: a volunteer whose plan
moved from EUR to GBP shows as two rows, losing everything in EUR and
gaining everything in GBP.

``diff_policies(old, new)`` says in plain words how two sets of rules differ:
plans, rates, calendar settings, versions. It walks the fields of the rules
classes and says each change with the label and unit the field declares
(``rule()`` in ``_rules.py``; see docs/adding-a-rules-key.md).

Both are pure functions from values to values (or text); the command line
prints and writes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, Literal

import attrs

from ._report import LineItem, Report, WeeklyStatement, _plain
from ._rules import Policy, Version
from ._schema import DiffContext, diff_fields

__all__ = [
    "Comparison",
    "LineChange",
    "VolunteerChange",
    "WeekChange",
    "compare",
    "describe_comparison",
    "diff_policies",
]

_ZERO: Final = Decimal(0)
_PERCENT_PLACES: Final = Decimal("0.01")

#: How a volunteer fared: every row up or equal, every row down or equal,
#: every row equal, or up in one currency and down in another.
Outcome = Literal["gain", "loss", "unchanged", "mixed"]


def percent_change(old: Decimal, new: Decimal) -> Decimal | None:
    """``new`` against ``old`` in percent, to 2 places (half up); ``None`` when ``old`` is 0.

    There is no percentage of nothing: a volunteer paid nothing before has
    no percent change, however much they are paid now.
    """
    if old == 0:
        return None
    return ((new - old) * 100 / old).quantize(_PERCENT_PLACES, ROUND_HALF_UP)


@attrs.frozen
class LineChange:
    """One line of a weekly statement, as the old and the new report price it.

    Lines are paired by ``(kind, category)``; a line that only one side has
    is ``None`` on the other and counts as 0 there.

    Attributes:
        kind: The line kind (``stipend``, ``standby``, ``callout``, …).
        category: The off-hours category, or ``None``.
        old: The line in the old report, or ``None``.
        new: The line in the new report, or ``None``.
        difference: New amount minus old amount.
    """

    kind: str
    category: str | None
    old: LineItem | None
    new: LineItem | None
    difference: Decimal = attrs.field(init=False)

    @property
    def tier(self) -> str | None:
        """The tier of the paired lines (``None``: the plan's own rates)."""
        line = self.new if self.new is not None else self.old
        return line.tier if line is not None else None

    @difference.default
    def _line_difference(self) -> Decimal:
        return self.new_amount - self.old_amount

    @property
    def old_amount(self) -> Decimal:
        """The old amount (0 when the old report has no such line)."""
        return self.old.amount if self.old is not None else _ZERO

    @property
    def new_amount(self) -> Decimal:
        """The new amount (0 when the new report has no such line)."""
        return self.new.amount if self.new is not None else _ZERO

    @property
    def changed(self) -> bool:
        """Whether anything of the line differs: amount, quantity, unit, rate or multiplier."""
        return self.old != self.new


@attrs.frozen
class WeekChange:
    """One volunteer's pay week in one currency, old against new.

    A statement that only one report has counts as 0 on the other side, and
    the fields of that side (rules version, plan) are ``None``.

    Attributes:
        volunteer_id: Who.
        currency: The currency of both statements.
        week: The ISO week of ``week_start``.
        week_start: The first local date of the pay week.
        old_total: The old statement's total (0 without one).
        new_total: The new statement's total (0 without one).
        old_toil_days: Time off in lieu in the old statement.
        new_toil_days: Time off in lieu in the new statement.
        old_rules_version: The ``effective_from`` that priced the old statement.
        new_rules_version: The ``effective_from`` that priced the new statement.
        old_plan: The plan that priced the old statement.
        new_plan: The plan that priced the new statement.
        lines: Every line of either statement, paired, in statement order.
        difference: New total minus old total.
    """

    volunteer_id: str
    currency: str
    week: str
    week_start: date
    old_total: Decimal
    new_total: Decimal
    old_toil_days: Decimal
    new_toil_days: Decimal
    old_rules_version: date | None
    new_rules_version: date | None
    old_plan: str | None
    new_plan: str | None
    lines: tuple[LineChange, ...]
    difference: Decimal = attrs.field(init=False)

    @difference.default
    def _week_difference(self) -> Decimal:
        return self.new_total - self.old_total

    @property
    def changed_lines(self) -> tuple[LineChange, ...]:
        """The lines in which anything differs."""
        return tuple(line for line in self.lines if line.changed)


@attrs.frozen
class VolunteerChange:
    """All of one volunteer's pay in one currency over the compared weeks.

    Attributes:
        volunteer_id: Who.
        currency: The currency; a volunteer paid in two currencies has two.
        old_total: The old total over the weeks.
        new_total: The new total over the weeks.
        old_toil_days: Time off in lieu, old.
        new_toil_days: Time off in lieu, new.
        weeks: The weeks with a statement on either side, by week start.
        difference: New total minus old total.
        percent: The difference in percent of the old total, to 2 places;
            ``None`` when the old total is 0.
    """

    volunteer_id: str
    currency: str
    old_total: Decimal
    new_total: Decimal
    old_toil_days: Decimal
    new_toil_days: Decimal
    weeks: tuple[WeekChange, ...]
    difference: Decimal = attrs.field(init=False)
    percent: Decimal | None = attrs.field(init=False)

    @difference.default
    def _volunteer_difference(self) -> Decimal:
        return self.new_total - self.old_total

    @percent.default
    def _percent(self) -> Decimal | None:
        return percent_change(self.old_total, self.new_total)


@attrs.frozen
class Comparison:
    """Two reports of the same inputs side by side.

    Attributes:
        volunteers: One change per (volunteer, currency), sorted by both.
        old_totals: The old report's total per currency.
        new_totals: The new report's total per currency.
        differences: New minus old per currency (every currency of either side).
        old_name: The rules name of the old report.
        new_name: The rules name of the new report.
        period_start: The first date the old report was asked for (compare
            reports of the same period: a week only one of them reports
            counts as 0 in the other).
        period_end: The last date the old report was asked for.
        week_starts: The pay weeks reported by either side, sorted.
    """

    volunteers: tuple[VolunteerChange, ...]
    old_totals: Mapping[str, Decimal]
    new_totals: Mapping[str, Decimal]
    old_name: str
    new_name: str
    period_start: date
    period_end: date
    week_starts: tuple[date, ...]
    differences: Mapping[str, Decimal] = attrs.field(init=False)

    @differences.default
    def _differences(self) -> Mapping[str, Decimal]:
        codes = sorted({*self.old_totals, *self.new_totals})
        return {c: self.new_totals.get(c, _ZERO) - self.old_totals.get(c, _ZERO) for c in codes}

    @property
    def currencies(self) -> tuple[str, ...]:
        """Every currency of either report, sorted."""
        return tuple(self.differences)

    def percent(self, currency: str) -> Decimal | None:
        """The change of the total cost in ``currency``, in percent (``None`` from 0)."""
        return percent_change(
            self.old_totals.get(currency, _ZERO), self.new_totals.get(currency, _ZERO)
        )

    def outcomes(self) -> dict[str, Outcome]:
        """How each volunteer fared, by volunteer id (sorted).

        ``gain``: up in some currency and down in none; ``loss``: down in some
        and up in none; ``unchanged``: the same in every currency; ``mixed``:
        up in one currency and down in another (a plan that moved currency),
        which cannot be called a gain or a loss without an exchange rate.
        """
        signs: dict[str, set[int]] = {}
        for change in self.volunteers:
            sign = (change.difference > 0) - (change.difference < 0)
            signs.setdefault(change.volunteer_id, set()).add(sign)
        out: dict[str, Outcome] = {}
        for vid, found in sorted(signs.items()):
            if 1 in found and -1 in found:
                out[vid] = "mixed"
            elif 1 in found:
                out[vid] = "gain"
            elif -1 in found:
                out[vid] = "loss"
            else:
                out[vid] = "unchanged"
        return out

    def largest(self, count: int = 5) -> tuple[VolunteerChange, ...]:
        """The ``count`` changes that matter most to the people concerned.

        Amounts in different currencies cannot be compared, so changes are
        ranked by the size of their percent change; a change from nothing
        (no percent) ranks first, then by the size of the amount. Unchanged
        rows are left out.
        """
        moved = [c for c in self.volunteers if c.difference != 0]
        moved.sort(
            key=lambda c: (
                c.percent is not None,
                -abs(c.percent) if c.percent is not None else _ZERO,
                -abs(c.difference),
                c.volunteer_id,
                c.currency,
            )
        )
        return tuple(moved[:count])

    def weeks(self) -> Iterator[WeekChange]:
        """Every week of every volunteer, in the order of ``volunteers``."""
        for change in self.volunteers:
            yield from change.weeks

    def changed_lines(self) -> Iterator[tuple[WeekChange, LineChange]]:
        """Every line in which anything differs, with its week."""
        for week in self.weeks():
            for line in week.changed_lines:
                yield week, line

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON-friendly builtins (decimals as strings)."""
        result: dict[str, Any] = _plain(self)
        result["outcomes"] = self.outcomes()
        return result

    def to_json(self, *, indent: int | None = 2) -> str:
        """The comparison as JSON: decimals as strings, dates as ISO dates."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


# --- pairing -----------------------------------------------------------------

_Key = tuple[str, str, date]


def _by_key(report: Report, side: str) -> dict[_Key, WeeklyStatement]:
    out: dict[_Key, WeeklyStatement] = {}
    for st in report.statements:
        key = (st.volunteer_id, st.currency, st.week_start)
        if key in out:
            msg = (
                f"the {side} report has two statements for volunteer {st.volunteer_id!r}, "
                f"week {st.week}, {st.currency}"
            )
            raise ValueError(msg)
        out[key] = st
    return out


def _line_map(
    st: WeeklyStatement | None,
) -> dict[tuple[str, str | None, str | None], LineItem]:
    """The lines of a statement by (kind, category, tier).

    A statement has one line per (kind, category, tier); should a hand-built
    one have more, they are added together so no amount is lost.
    """
    out: dict[tuple[str, str | None, str | None], LineItem] = {}
    for line in st.lines if st is not None else ():
        key = (line.kind, line.category, line.tier)
        if key in out:
            was = out[key]
            line = attrs.evolve(
                was,
                quantity=was.quantity + line.quantity,
                amount=was.amount + line.amount,
                rate=was.rate if was.rate == line.rate else None,
                multiplier=was.multiplier if was.multiplier == line.multiplier else None,
            )
        out[key] = line
    return out


def _pair_lines(old: WeeklyStatement | None, new: WeeklyStatement | None) -> tuple[LineChange, ...]:
    olds, news = _line_map(old), _line_map(new)
    # The new statement's order, then lines only the old one has, in its order.
    keys = list(news) + [k for k in olds if k not in news]
    return tuple(LineChange(k[0], k[1], olds.get(k), news.get(k)) for k in keys)


def _week(key: _Key, old: WeeklyStatement | None, new: WeeklyStatement | None) -> WeekChange:
    either = new if new is not None else old
    assert either is not None  # a key comes from one side at least
    return WeekChange(
        volunteer_id=key[0],
        currency=key[1],
        week=either.week,
        week_start=key[2],
        old_total=old.total if old is not None else _ZERO,
        new_total=new.total if new is not None else _ZERO,
        old_toil_days=old.toil_days if old is not None else _ZERO,
        new_toil_days=new.toil_days if new is not None else _ZERO,
        old_rules_version=old.rules_version if old is not None else None,
        new_rules_version=new.rules_version if new is not None else None,
        old_plan=old.plan if old is not None else None,
        new_plan=new.plan if new is not None else None,
        lines=_pair_lines(old, new),
    )


def compare(old: Report, new: Report) -> Comparison:
    """Pair the statements of two reports and give every difference.

    Statements are paired by volunteer, currency and pay week; one that only
    one report has counts as 0 on the other side. Compare reports of the
    same inputs and period priced under two sets of rules to see what a rule
    change does, person by person.

    Args:
        old: The report under the current rules.
        new: The report under the proposed rules.

    Returns:
        The per-line, per-week and per-volunteer differences, each in its
        currency, and the total difference per currency.

    Raises:
        ValueError: A report has two statements for the same volunteer,
            currency and week (``compute`` never makes one).
    """
    olds, news = _by_key(old, "old"), _by_key(new, "new")
    weeks: dict[tuple[str, str], list[WeekChange]] = {}
    for key in sorted({*olds, *news}):
        weeks.setdefault(key[:2], []).append(_week(key, olds.get(key), news.get(key)))
    volunteers = tuple(
        VolunteerChange(
            volunteer_id=vid,
            currency=currency,
            old_total=sum((w.old_total for w in mine), _ZERO),
            new_total=sum((w.new_total for w in mine), _ZERO),
            old_toil_days=sum((w.old_toil_days for w in mine), _ZERO),
            new_toil_days=sum((w.new_toil_days for w in mine), _ZERO),
            weeks=tuple(mine),
        )
        for (vid, currency), mine in weeks.items()
    )
    return Comparison(
        volunteers=volunteers,
        old_totals=old.totals(),
        new_totals=new.totals(),
        old_name=old.policy_name,
        new_name=new.policy_name,
        period_start=old.period_start,
        period_end=old.period_end,
        week_starts=tuple(sorted({*old.week_starts, *new.week_starts})),
    )


# --- the printed summary -----------------------------------------------------


def _signed(value: Decimal) -> str:
    return f"{value:+,}"


def _pct(value: Decimal | None) -> str:
    return "(from nothing)" if value is None else f"({value:+}%)"


def describe_comparison(comparison: Comparison, *, largest: int = 5) -> str:
    """A short summary for people: who gains and loses, the largest changes,
    the total cost change per currency.

    Args:
        comparison: What ``compare`` returned.
        largest: How many of the largest changes to list.

    Returns:
        Several lines of text.
    """
    outcomes = list(comparison.outcomes().values())
    counts = [
        f"{outcomes.count('gain')} gain",
        f"{outcomes.count('loss')} lose",
        f"{outcomes.count('unchanged')} unchanged",
    ]
    if "mixed" in outcomes:
        counts.append(f"{outcomes.count('mixed')} gain in one currency and lose in another")
    weeks = comparison.week_starts
    out = []
    if weeks:
        out.append(
            f"Pay weeks compared: {weeks[0]} – {date.fromordinal(weeks[-1].toordinal() + 6)} "
            f"({len(weeks)} weeks)"
        )
    out.append(f"{len(outcomes)} volunteers: " + ", ".join(counts))
    top = comparison.largest(largest)
    if top:
        out.append("Largest changes:")
        width = max(len(c.volunteer_id) for c in top)
        for c in top:
            out.append(
                f"  {c.volunteer_id:<{width}} {c.currency} {c.old_total:>12,} → "
                f"{c.new_total:>12,}  {_signed(c.difference):>11} {_pct(c.percent)}"
            )
    else:
        out.append("Nobody's pay changes.")
    out.append("Total cost change per currency:")
    for code, diff in comparison.differences.items():
        out.append(
            f"  {code} {comparison.old_totals.get(code, _ZERO):>12,} → "
            f"{comparison.new_totals.get(code, _ZERO):>12,}  {_signed(diff):>11} "
            f"{_pct(comparison.percent(code))}"
        )
    changed = sum(1 for _ in comparison.changed_lines())
    total = sum(len(w.lines) for w in comparison.weeks())
    out.append(f"Changed lines: {changed} of {total}")
    return "\n".join(out)


# --- differences between two sets of rules ------------------------------------


def _version_diff(old: Version, new: Version) -> list[str]:
    """Rounding, calendar and plans, as the fields of ``Version`` declare them.

    ``effective_from`` is how versions are paired, said by ``diff_policies``.
    """
    return diff_fields(Version, old, new, DiffContext(), skip=("effective_from",))


def diff_policies(old: Policy, new: Policy) -> list[str]:
    """How two sets of rules differ, in plain words, one difference a line.

    Versions are paired by ``effective_from``. When each policy has a single
    version and their dates differ, those two are compared. A version only
    the new policy has is compared with the old policy's version in effect
    on its date (what it replaces), if there is one.

    Args:
        old: The rules in force.
        new: The proposed rules.

    Returns:
        The differences, in a stable order; empty when the rules pay the
        same in every respect.
    """
    # Versions are paired below; the health settings never change pay.
    out = diff_fields(Policy, old, new, DiffContext(), skip=("versions", "health"))
    olds = {v.effective_from: v for v in old.versions}
    news = {v.effective_from: v for v in new.versions}
    if len(olds) == 1 and len(news) == 1 and olds.keys() != news.keys():
        (first,), (second,) = old.versions, new.versions
        out.append(f"effective from {first.effective_from} → {second.effective_from}")
        context = f"version of {first.effective_from} → {second.effective_from}"
        out += [f"{context}: {line}" for line in _version_diff(first, second)]
        return out
    for day in sorted({*olds, *news}):
        was, now = olds.get(day), news.get(day)
        if was is not None and now is not None:
            out += [f"version of {day}: {line}" for line in _version_diff(was, now)]
        elif was is not None:
            replaced_by = new.version_for(day)
            then = (
                f"; its weeks are now priced by the version of {replaced_by.effective_from}"
                if replaced_by is not None
                else ""
            )
            out.append(f"version of {day} removed{then}")
        elif now is not None:
            before = old.version_for(day)
            if before is None:
                plans = ", ".join(repr(n) for n in now.plans)
                out.append(f"version of {day} added, with plans {plans}")
                continue
            out.append(f"version of {day} added, replacing the version of {before.effective_from}")
            context = f"version of {day} (against {before.effective_from})"
            out += [f"{context}: {line}" for line in _version_diff(before, now)]
    return out
