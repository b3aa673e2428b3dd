"""The columns of the finance workbook and the CSV, in one place.

Each column is a header (exactly as ``spec/workbook.md`` writes it), the
kind of value it holds and a width for the spreadsheet. The workbook writer,
the CSV writer and the workbook reader all read these tables, so a header is
spelled once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Final, Literal

import attrs

from . import _vocab
from ._errors import OncallPayError
from ._model import Volunteer
from ._report import WeeklyStatement

#: What a column holds, which decides its cell type and number format:
#: ``text`` (any text, always written as text), ``money`` (an amount in the
#: row's currency), ``rate`` (a rate in the row's currency, maybe finer than
#: its minor unit), ``number`` (a quantity to 6 decimal places, or a
#: multiplier), ``count`` (an integer), ``date``, ``datetime`` (naive local
#: time), ``bool``, and ``value`` (whatever the row holds: text, a date or a
#: number, for key/value sheets).
Kind = Literal["text", "money", "rate", "number", "count", "date", "datetime", "bool", "value"]


@attrs.frozen
class Column:
    """One column of a sheet.

    Attributes:
        header: The header text, exactly.
        kind: What the cells hold.
        width: The column width in Excel's character units.
    """

    header: str
    kind: Kind
    width: float


def _cols(*specs: tuple[str, Kind, float]) -> tuple[Column, ...]:
    return tuple(Column(h, k, w) for h, k, w in specs)


#: The money columns of Summary and Weekly, in the order they add up to
#: Total; which column each line kind is added to; Weekly's hours columns by
#: time category. All three are views of the one label table in ``_vocab``.
MONEY_HEADERS: Final = _vocab.MONEY_HEADERS
KIND_COLUMN: Final = _vocab.KIND_COLUMN
HOURS_HEADERS: Final = _vocab.HOURS_HEADERS

#: The line kind whose quantity (rest blocks) fills ``Interrupted weekends``.
INTERRUPTED_KIND: Final = _vocab.LineKind.INTERRUPTED_WEEKEND.value

#: Column widths of the money columns that are wider than the rest.
_MONEY_WIDTH: Final[Mapping[str, float]] = {
    _vocab.LineKind.INTERRUPTED_WEEKEND: 13,
    _vocab.LineKind.CAP: 14,
}


def _money_block() -> tuple[tuple[str, Kind, float], ...]:
    """One money column per line kind, in statement order (the count of
    interrupted weekends just before their bonus), then Total and TOIL days."""
    block: list[tuple[str, Kind, float]] = []
    for kind in _vocab.LINE_KINDS:
        if kind == INTERRUPTED_KIND:
            block.append(("Interrupted weekends", "number", 12))
        block.append((KIND_COLUMN[kind], "money", _MONEY_WIDTH.get(kind, 12)))
    return (*block, ("Total", "money", 14), ("TOIL days", "number", 10))


def money_cells(money: Mapping[str, Decimal], interrupted: Decimal) -> Iterator[Decimal]:
    """The cells of the money columns before Total, in ``_money_block`` order."""
    for kind in _vocab.LINE_KINDS:
        if kind == INTERRUPTED_KIND:
            yield interrupted
        yield money[KIND_COLUMN[kind]]


_MONEY_BLOCK: Final = _money_block()

SUMMARY: Final = _cols(
    ("Volunteer ID", "text", 16),
    ("Name", "text", 24),
    ("Payroll ID", "text", 14),
    ("Country", "text", 9),
    ("Currency", "text", 9),
    ("Weeks", "count", 8),
    *_MONEY_BLOCK,
)

WEEKLY: Final = _cols(
    ("Volunteer ID", "text", 16),
    ("Name", "text", 24),
    ("Week", "text", 10),
    ("Week start", "date", 11),
    ("Currency", "text", 9),
    ("Rules version", "date", 12),
    *((HOURS_HEADERS[category], "number", 11) for category in _vocab.CATEGORIES),
    ("Pages", "count", 7),
    ("Counted pages", "count", 8),
    *_MONEY_BLOCK,
)

LINES: Final = _cols(
    ("Volunteer ID", "text", 16),
    ("Week", "text", 10),
    ("Kind", "text", 19),
    ("Category", "text", 18),
    ("Tier", "text", 14),
    ("Quantity", "number", 12),
    ("Unit", "text", 7),
    ("Rate", "rate", 13),
    ("Multiplier", "number", 10),
    ("Amount", "money", 14),
    ("Currency", "text", 9),
)

PAGES: Final = _cols(
    ("Page ID", "text", 16),
    ("Volunteer ID", "text", 16),
    ("At (local)", "datetime", 19),
    ("UTC offset", "text", 10),
    ("Week", "text", 10),
    ("Category", "text", 18),
    ("Counted", "bool", 9),
    ("Reason", "text", 15),
    ("Work from (local)", "datetime", 19),
    ("Work to (local)", "datetime", 19),
    ("Tier", "text", 14),
)

HOLIDAYS: Final = _cols(
    ("Country", "text", 9),
    ("Subdivision", "text", 12),
    ("Date", "date", 11),
    ("Name", "text", 36),
    ("Source", "text", 11),
)

NOTICES: Final = _cols(
    ("Kind", "text", 12),
    ("Volunteer ID", "text", 16),
    ("Detail", "text", 100),
)

#: Run is a key/value sheet; its values are of mixed types.
RUN: Final = _cols(
    ("Key", "text", 28),
    ("Value", "value", 66),
)

# Health (spec/health.md) holds three tables, one under another: the team per
# month (with the chart beside it), the volunteers per month, and fairness.
# ``Share of team pages`` is a fraction from 0 to 1, shown as a percentage.

HEALTH_MONTHS: Final = _cols(
    ("Month", "text", 16),
    ("Partial", "bool", 24),
    ("Counted pages", "count", 14),
    ("Target", "count", 12),
    ("Below target", "bool", 14),
    ("Sleep-hour pages", "count", 17),
    ("Interrupted rest blocks", "count", 23),
    ("Volunteers paged", "count", 26),
    ("Escalations", "count", 16),
)

HEALTH_VOLUNTEERS: Final = _cols(
    ("Volunteer ID", "text", 16),
    ("Name", "text", 24),
    ("Month", "text", 14),
    ("Off-hours h", "number", 12),
    ("Counted pages", "count", 14),
    ("Sleep-hour pages", "count", 17),
    ("Interrupted rest blocks", "count", 23),
    ("Longest on-call run (days)", "count", 26),
    ("Escalations", "count", 16),
    ("Share of team pages", "number", 20),
)

HEALTH_FAIRNESS: Final = _cols(
    ("Measure", "text", 16),
    ("Volunteers", "count", 24),
    ("Min", "number", 14),
    ("Median", "number", 12),
    ("Max", "number", 14),
    ("Gini", "number", 17),
)


class UnknownLineKindError(OncallPayError, ValueError):
    """A line kind that no Summary/Weekly column takes; the rows would not add up."""


@attrs.frozen
class Breakdown:
    """A statement's (or a sum of statements') amounts by workbook column.

    Attributes:
        money: Amount per money header, every header present.
        interrupted: Interrupted rest blocks (the quantity of the bonus lines).
    """

    money: Mapping[str, Decimal]
    interrupted: Decimal


def breakdown(statement: WeeklyStatement) -> Breakdown:
    """Add a statement's lines into the Summary/Weekly money columns.

    Raises:
        UnknownLineKindError: A line's kind has no column, so the columns
            would not add up to the total.
    """
    money = dict.fromkeys(MONEY_HEADERS, Decimal(0))
    interrupted = Decimal(0)
    for line in statement.lines:
        header = KIND_COLUMN.get(line.kind)
        if header is None:
            msg = (
                f"statement {statement.volunteer_id} {statement.week}: line kind "
                f"{line.kind!r} is not one of {', '.join(KIND_COLUMN)}"
            )
            raise UnknownLineKindError(msg)
        money[header] += line.amount
        if line.kind == INTERRUPTED_KIND:
            interrupted += line.quantity
    return Breakdown(money, interrupted)


def weekly_values(statement: WeeklyStatement, volunteer: Volunteer | None) -> tuple[object, ...]:
    """The values of one ``Weekly`` row, in ``WEEKLY`` order, unformatted.

    Amounts and quantities stay ``Decimal``; each writer formats them.
    """
    parts = breakdown(statement)
    return (
        statement.volunteer_id,
        volunteer.name if volunteer is not None else None,
        statement.week,
        statement.week_start,
        statement.currency,
        statement.rules_version,
        *(statement.hours.get(category, Decimal(0)) for category in HOURS_HEADERS),
        len(statement.page_ids),
        len(statement.counted_page_ids),
        *money_cells(parts.money, parts.interrupted),
        statement.total,
        statement.toil_days,
    )
