"""The comparison workbook: what a rule change does, one xlsx.

Sheets, in order:

- ``Changes``: one row per volunteer and currency — old total, new total,
  difference, percent — then, below a blank row, one row per currency with
  the total difference and a ``Check`` formula beside it (``SUMIF`` over the
  rows above), as on the pay-run workbook's ``Summary``.
- ``Lines``: every line whose amount, quantity, unit, rate or multiplier
  differs, old beside new.
- ``Run``: what was compared: both rules files, the period, the weeks.

It is made exactly as the pay-run workbook is (both use ``writers/_xlsx.py``):
streamed in openpyxl's write-only mode, text from inputs always written as
text, money as numbers with the currency's format, a pinned creation time
giving the same bytes, and the file renamed into place only once it is
complete.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]

from .._columns import Column
from .._compare import Comparison, LineChange, WeekChange
from .._model import Volunteer
from .._weeks import week_end
from ._xlsx import (
    EXCEL_MAX_ROWS,
    CellCheck,
    Formula,
    Table,
    money_width,
    package_version,
    streamed_workbook,
    text_width,
)

__all__ = ["CHANGES", "CHANGE_LINES", "write_comparison"]

#: ``Percent`` holds percentage points: 6.95 means the total rose by 6.95 %.
CHANGES: Final = (
    Column("Volunteer ID", "text", 16),
    Column("Name", "text", 24),
    Column("Currency", "text", 9),
    Column("Weeks", "count", 8),
    Column("Old total", "money", 14),
    Column("New total", "money", 14),
    Column("Difference", "money", 14),
    Column("Percent", "number", 9),
    Column("Old TOIL days", "number", 10),
    Column("New TOIL days", "number", 10),
)

CHANGE_LINES: Final = (
    Column("Volunteer ID", "text", 16),
    Column("Week", "text", 10),
    Column("Week start", "date", 11),
    Column("Kind", "text", 19),
    Column("Category", "text", 18),
    Column("Tier", "text", 14),
    Column("Unit", "text", 11),
    Column("Old quantity", "number", 12),
    Column("New quantity", "number", 12),
    Column("Old rate", "rate", 13),
    Column("New rate", "rate", 13),
    Column("Old multiplier", "number", 10),
    Column("New multiplier", "number", 10),
    Column("Old amount", "money", 14),
    Column("New amount", "money", 14),
    Column("Difference", "money", 14),
    Column("Currency", "text", 9),
)

_RUN: Final = (Column("Key", "text", 28), Column("Value", "value", 66))


def write_comparison(
    comparison: Comparison,
    path: str | os.PathLike[str],
    *,
    volunteers: Iterable[Volunteer] | None = None,
    run_info: Mapping[str, str] | None = None,
    created: datetime | None = None,
    row_limit: int = EXCEL_MAX_ROWS,
) -> Path:
    """Write the workbook of a comparison of two pay runs.

    Args:
        comparison: What ``compare()`` returned.
        path: Where the workbook should appear; an older file there is
            replaced only once the new one is complete.
        volunteers: The roster, to fill ``Name``; blank for volunteers not given.
        run_info: Facts only the caller knows (the rules files, their
            SHA-256), added to ``Run`` in the given order.
        created: The creation time written into the file (naive means UTC).
            Defaults to ``SOURCE_DATE_EPOCH`` if set, else now.
        row_limit: Rows per worksheet, header included; a longer sheet goes
            on in ``Lines (2)`` … Only tests change it.

    Returns:
        The path written.

    Raises:
        InputError: ``SOURCE_DATE_EPOCH`` is not a whole number of seconds, or
            an amount or rate has more significant digits than a cell holds
            exactly (15); nothing is written.
        ValueError: ``row_limit`` leaves no room for a data row.
        OSError: The file could not be written; nothing was left behind.
    """
    target = Path(path)
    _check_cells_hold(comparison, target)
    with streamed_workbook(target, created=created, row_limit=row_limit) as wb:
        roster = {v.id: v for v in volunteers} if volunteers is not None else {}
        _changes(_changes_table(wb, comparison, row_limit), comparison, roster)
        _lines(Table(wb, "Lines", CHANGE_LINES, row_limit), comparison)
        run = Table(wb, "Run", _RUN, row_limit)
        for key, value in _run_rows(comparison, run_info or {}):
            run.append((key, value))
        run.finish()
    return target


def _check_cells_hold(comparison: Comparison, target: Path) -> None:
    """Refuse, before writing, amounts and rates that a cell would change."""
    cells = CellCheck(str(target))
    for change in comparison.volunteers:
        where = f"volunteer {change.volunteer_id!r}"
        for column in ("old_total", "new_total", "difference"):
            cells.check(getattr(change, column), where, column)
        for week in change.weeks:
            at = f"{where} week {week.week}"
            for column in ("old_total", "new_total", "difference"):
                cells.check(getattr(week, column), at, column)
            for line in week.lines:
                cells.check(line.difference, at, "difference")
                for item in (line.old, line.new):
                    if item is not None:
                        cells.check(item.amount, at, "amount")
                        cells.check(item.rate, at, "rate")
    for totals in (comparison.old_totals, comparison.new_totals):
        for currency, total in totals.items():
            cells.check(total, f"the run's {currency} total", "total")
    cells.raise_problems()


def _changes_table(wb: Any, comparison: Comparison, row_limit: int) -> Table:
    """Changes, its money columns (and the Check past them) wide enough for the
    totals, which bound every volunteer's amounts, and the Check's note beside."""
    bound = {
        code: max(
            abs(comparison.old_totals.get(code, Decimal(0))),
            abs(comparison.new_totals.get(code, Decimal(0))),
            abs(amount),
        )
        for code, amount in comparison.differences.items()
    }
    money = money_width(bound)
    widths = {i: money for i, c in enumerate(CHANGES) if c.kind == "money"}
    widths[len(CHANGES)] = money
    widths[len(CHANGES) + 1] = text_width(_CHECK_NOTE.format(code="EUR"))
    return Table(wb, "Changes", CHANGES, row_limit, widths=widths)


#: The note beside each Check of the totals.
_CHECK_NOTE: Final = "Check: SUMIF of the {code} Differences above"


def _changes(table: Table, comparison: Comparison, roster: Mapping[str, Volunteer]) -> None:
    for change in comparison.volunteers:
        vol = roster.get(change.volunteer_id)
        table.append(
            (
                change.volunteer_id,
                vol.name if vol else None,
                change.currency,
                len(change.weeks),
                change.old_total,
                change.new_total,
                change.difference,
                change.percent,
                change.old_toil_days,
                change.new_toil_days,
            ),
            change.currency,
        )
    if comparison.differences:
        _totals(table, comparison)
    table.finish()


def _index(header: str) -> int:
    return next(i for i, c in enumerate(CHANGES) if c.header == header)


def _totals(table: Table, comparison: Comparison) -> None:
    """A blank row, then per currency: old, new and difference, a Check beside it."""
    data = table.data_ranges()
    table.ensure_room(1 + len(comparison.differences))
    currency = get_column_letter(_index("Currency") + 1)
    difference = get_column_letter(_index("Difference") + 1)
    table.append_extra(())
    for code, amount in comparison.differences.items():
        table.ensure_room(1)
        here = table.current_title
        refs = [("" if title == here else f"'{title}'!", last) for title, last in data]
        check = "+".join(
            f'SUMIF({ref}{currency}2:{currency}{last},"{code}",'
            f"{ref}{difference}2:{difference}{last})"
            for ref, last in refs
        )
        values: list[object] = [None] * len(CHANGES)
        values[_index("Volunteer ID")] = f"Total {code}"
        values[_index("Currency")] = code
        values[_index("Old total")] = comparison.old_totals.get(code, Decimal(0))
        values[_index("New total")] = comparison.new_totals.get(code, Decimal(0))
        values[_index("Difference")] = amount
        values[_index("Percent")] = comparison.percent(code)
        # Check goes past the last column, so no data column holds a formula.
        values.append(Formula("=" + (check or "0")))
        values.append(_CHECK_NOTE.format(code=code))
        table.append_extra(values, code)


def _unit(line: LineChange) -> str | None:
    old = line.old.unit if line.old is not None else None
    new = line.new.unit if line.new is not None else None
    if old is not None and new is not None and old != new:
        return f"{old} → {new}"
    return new if new is not None else old


def _lines(table: Table, comparison: Comparison) -> None:
    for week, line in comparison.changed_lines():
        table.append(_line_row(week, line), week.currency)
    table.finish()


def _line_row(week: WeekChange, line: LineChange) -> tuple[object, ...]:
    old, new = line.old, line.new
    return (
        week.volunteer_id,
        week.week,
        week.week_start,
        line.kind,
        line.category,
        line.tier,
        _unit(line),
        old.quantity if old is not None else Decimal(0),
        new.quantity if new is not None else Decimal(0),
        old.rate if old is not None else None,
        new.rate if new is not None else None,
        old.multiplier if old is not None else None,
        new.multiplier if new is not None else None,
        line.old_amount,
        line.new_amount,
        line.difference,
        week.currency,
    )


def _run_rows(comparison: Comparison, run_info: Mapping[str, str]) -> Iterator[tuple[str, Any]]:
    yield "Current rules name", comparison.old_name
    yield "Proposed rules name", comparison.new_name
    yield "Period from", comparison.period_start
    yield "Period to", comparison.period_end
    weeks = comparison.week_starts
    yield "Pay weeks compared", len(weeks)
    yield "First pay week starts", weeks[0] if weeks else None
    yield "Last pay week ends", week_end(weeks[-1]) if weeks else None
    outcomes: list[str] = list(comparison.outcomes().values())
    yield "Volunteers", len(outcomes)
    for outcome, words in (
        ("gain", "Volunteers who gain"),
        ("loss", "Volunteers who lose"),
        ("unchanged", "Volunteers unchanged"),
        ("mixed", "Volunteers up in one currency, down in another"),
    ):
        yield words, outcomes.count(outcome)
    yield "Changed lines", sum(1 for _ in comparison.changed_lines())
    yield "Currencies", ", ".join(comparison.currencies)
    yield "oncall_pay version", package_version("oncall-pay")
    yield "holidays version", package_version("holidays")
    yield "tzdata version", package_version("tzdata")
    yield "openpyxl version", package_version("openpyxl")
    yield from run_info.items()
