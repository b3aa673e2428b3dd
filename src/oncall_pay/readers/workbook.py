"""Read a finance workbook back into statements.

The workbook is the record finance keeps, so the library can read it again:
to check a file against a recomputed run, and to prove the writer loses
nothing (``spec/quality.md``, invariant 11). Only what the workbook holds
comes back: the ``Weekly`` rows joined with their ``Lines``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

import attrs
from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

from .. import _columns as cols
from .._errors import InputError, Problem
from .._money import minor_unit
from .._report import LineItem, WeeklyStatement
from .._vocab import Category

__all__ = ["WorkbookStatement", "read_workbook"]

_SIX: Final = Decimal("0.000001")


@attrs.frozen
class WorkbookStatement:
    """A weekly statement as the workbook records it.

    Quantities and hours are rounded to 6 decimal places, as written; page
    ids are not in ``Weekly``, only their counts.

    Attributes:
        volunteer_id: Who.
        week: The ISO week, e.g. ``2026-W48``.
        week_start: The first local date of the pay week.
        currency: The ISO 4217 currency.
        rules_version: The ``effective_from`` of the rules version that priced it.
        hours: Covered hours per category, all five (night 0 from a workbook without it).
        pages: How many pages the volunteer had in the week.
        counted_pages: How many of them counted for pay.
        lines: The priced lines, in the statement's order.
        toil_days: Time off in lieu earned.
        total: The sum of the lines.
    """

    volunteer_id: str
    week: str
    week_start: date
    currency: str
    rules_version: date
    hours: Mapping[str, Decimal]
    pages: int
    counted_pages: int
    lines: tuple[LineItem, ...]
    toil_days: Decimal
    total: Decimal

    @classmethod
    def from_statement(cls, statement: WeeklyStatement) -> WorkbookStatement:
        """What the workbook should hold for ``statement``."""
        return cls(
            volunteer_id=statement.volunteer_id,
            week=statement.week,
            week_start=statement.week_start,
            currency=statement.currency,
            rules_version=statement.rules_version,
            hours={
                category: statement.hours.get(category, Decimal(0)).quantize(_SIX)
                for category in cols.HOURS_HEADERS
            },
            pages=len(statement.page_ids),
            counted_pages=len(statement.counted_page_ids),
            lines=tuple(
                attrs.evolve(li, quantity=li.quantity.quantize(_SIX)) for li in statement.lines
            ),
            toil_days=statement.toil_days.quantize(_SIX),
            total=statement.total,
        )


def read_workbook(path: str | os.PathLike[str]) -> tuple[WorkbookStatement, ...]:
    """Read the ``Weekly`` and ``Lines`` sheets (and their continuations).

    Amounts come back exact (rounded to the currency's minor unit, which is
    what was written), quantities to 6 decimal places, rates and multipliers
    as the shortest decimal of the stored number.

    Args:
        path: A workbook written by ``write_workbook``.

    Returns:
        The statements, in the order of the ``Weekly`` rows.

    Raises:
        InputError: A sheet or column is missing, or a cell holds the wrong
            kind of value (naming sheet, row and column).
    """
    source = os.fspath(path)
    wb = load_workbook(source, read_only=True, data_only=True)
    try:
        lines: dict[tuple[str, str], list[LineItem]] = {}
        for row in _rows(wb, source, "Lines", cols.LINES):
            currency = row.text("Currency")
            lines.setdefault((row.text("Volunteer ID"), row.text("Week")), []).append(
                LineItem(
                    kind=row.text("Kind"),
                    category=row.optional_text("Category"),
                    quantity=row.quantity("Quantity"),
                    unit=row.optional_text("Unit"),
                    rate=row.optional_number("Rate"),
                    multiplier=row.optional_number("Multiplier"),
                    amount=row.money("Amount", currency),
                    tier=row.optional_text("Tier"),
                )
            )
        statements = []
        for row in _rows(wb, source, "Weekly", cols.WEEKLY):
            vid, week, currency = row.text("Volunteer ID"), row.text("Week"), row.text("Currency")
            statements.append(
                WorkbookStatement(
                    volunteer_id=vid,
                    week=week,
                    week_start=row.date("Week start"),
                    currency=currency,
                    rules_version=row.date("Rules version"),
                    hours={
                        c: row.quantity(h) if h in row.where else Decimal(0)
                        for c, h in cols.HOURS_HEADERS.items()
                    },
                    pages=row.count("Pages"),
                    counted_pages=row.count("Counted pages"),
                    lines=tuple(lines.pop((vid, week), ())),
                    toil_days=row.quantity("TOIL days"),
                    total=row.total(currency),
                )
            )
    finally:
        wb.close()
    if lines:
        (vid, week), _ = next(iter(lines.items()))
        msg = f"Lines has rows for {vid} {week}, which has no Weekly row"
        raise InputError(Problem(msg, source=source, field="Lines"))
    return tuple(statements)


def _parts(wb: Any, title: str) -> list[str]:
    pattern = re.compile(rf"{re.escape(title)}(?: \((\d+)\))?")
    return [name for name in wb.sheetnames if pattern.fullmatch(name)]


#: Columns a workbook of an earlier release does not have: read as 0 (or,
#: for ``Tier``, no tier: the plan's own rates) when absent.
_ADDED_LATER: Final = frozenset({cols.HOURS_HEADERS[Category.NIGHT], "Tier"})


def _rows(wb: Any, source: str, title: str, columns: Sequence[cols.Column]) -> Iterator[_Row]:
    parts = _parts(wb, title)
    if not parts:
        msg = f"the workbook has no {title!r} sheet"
        raise InputError(Problem(msg, source=source, field=title))
    for name in parts:
        rows = wb[name].iter_rows(values_only=True)
        header = [str(h) if h is not None else "" for h in next(rows, ())]
        where = {}
        for column in columns:
            try:
                where[column.header] = header.index(column.header)
            except ValueError:
                if column.header in _ADDED_LATER:
                    continue
                msg = f"sheet {name!r} has no column {column.header!r}"
                raise InputError(Problem(msg, source=source, field=column.header)) from None
        for number, values in enumerate(rows, 2):
            if all(v is None for v in values):
                continue
            yield _Row(source, name, number, where, values)


@attrs.frozen
class _Row:
    source: str
    sheet: str
    line: int
    where: Mapping[str, int]
    values: Sequence[object]

    def _get(self, header: str) -> object:
        index = self.where.get(header)  # None: a column added since (_ADDED_LATER)
        if index is None:
            return None
        return self.values[index] if index < len(self.values) else None

    def _fail(self, header: str, expected: str, got: object) -> InputError:
        msg = f"sheet {self.sheet!r}: expected {expected}, got {got!r}"
        return InputError(Problem(msg, source=self.source, line=self.line, field=header))

    def optional_text(self, header: str) -> str | None:
        value = self._get(header)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._fail(header, "text", value)
        return value

    def text(self, header: str) -> str:
        value = self.optional_text(header)
        if value is None:
            raise self._fail(header, "text", value)
        return value

    def date(self, header: str) -> date:
        value = self._get(header)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        raise self._fail(header, "a date", value)

    def optional_number(self, header: str) -> Decimal | None:
        value = self._get(header)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(header, "a number", value)
        # repr() is the shortest decimal that reads back as the same double,
        # i.e. the decimal that was written.
        return Decimal(value) if isinstance(value, int) else Decimal(repr(value))

    def number(self, header: str) -> Decimal:
        value = self.optional_number(header)
        if value is None:
            raise self._fail(header, "a number", value)
        return value

    def quantity(self, header: str) -> Decimal:
        return self.number(header).quantize(_SIX)

    def money(self, header: str, currency: str) -> Decimal:
        try:
            places = minor_unit(currency)
        except KeyError:
            raise self._fail("Currency", "an ISO 4217 currency", currency) from None
        return self.number(header).quantize(Decimal(1).scaleb(-places))

    def total(self, currency: str) -> Decimal:
        """``Total``: its stored value, or, for a formula saved without one
        (a program that does not calculate), the sum of the money columns
        it adds up."""
        if self._get("Total") is None:
            return sum((self.money(h, currency) for h in cols.MONEY_HEADERS), Decimal(0))
        return self.money("Total", currency)

    def count(self, header: str) -> int:
        value = self.number(header)
        if value != value.to_integral_value():
            raise self._fail(header, "a whole number", value)
        return int(value)
