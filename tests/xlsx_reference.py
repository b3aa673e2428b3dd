"""The workbook's ``Table`` as it was before its rows were written as text
(commit ac6d2cf), and the ``Health`` sheet's tables likewise (``ReferenceStacked``,
as of commit e0db9e0): every cell an openpyxl cell object, written by openpyxl.

``tests/test_xlsx_rows.py`` writes the same rows with both and compares the
files byte for byte. Kept here, not in the library, as the reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell._writer import write_cell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter

from oncall_pay import _columns as cols
from oncall_pay.writers._xlsx import (
    _DATE_FORMAT,
    _DATETIME_FORMAT,
    _MAX_CELL_TEXT,
    _NOT_XML,
    _SIX,
    _TWO_LINES,
    Formula,
    SumColumn,
    _money_number,
    header_width,
    money_format,
    print_setup,
    text_width,
)


class _ReusedCell(Cell):  # type: ignore[misc, unused-ignore]
    """A styled cell written once per row, its value replaced each time.

    openpyxl's write-only ``append`` first tries a cell object as a value,
    and formats the object's repr into the ValueError it catches; a constant
    repr makes that about twice as fast, which shows on millions of cells.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "<reused cell>"


class _CachedFormulaCell(_ReusedCell):
    """A formula cell that also stores its value (``cached``), as a spreadsheet
    program saves one; ``_SheetWriter`` writes both."""

    __slots__ = ("cached",)

    def __init__(self, ws: Any) -> None:
        super().__init__(ws, row=1, column=1)
        self.cached = 0.0


class _SheetWriter(WorksheetWriter):  # type: ignore[misc, unused-ignore]
    """openpyxl's worksheet writer, which writes a formula's value too.

    openpyxl writes a formula with an empty value; programs that do not
    calculate would show it blank. The loop is openpyxl's ``write_row`` but
    for ``_CachedFormulaCell``.
    """

    def write_row(self, xf: Any, row: Sequence[Any], row_idx: int) -> None:
        row_attrs = {"r": f"{row_idx}"}
        row_attrs.update(self.ws.row_dimensions.get(row_idx, {}))
        with xf.element("row", row_attrs):
            for cell in row:
                if type(cell) is _CachedFormulaCell:
                    with xf.element("c", {"r": cell.coordinate, "s": f"{cell.style_id}"}):
                        with xf.element("f"):
                            xf.write(cell._value[1:])
                        with xf.element("v"):
                            xf.write(safe_string(cell.cached))
                    continue
                if cell._comment is not None:
                    self.ws._comments.append(CommentRecord.from_cell(cell))
                if cell._value is None and not cell.has_style and not cell._comment:
                    continue
                write_cell(xf, self.ws, cell, cell.has_style)


class ReferenceTable:
    """One logical sheet, streamed over as many worksheets as its rows need.

    Cells that need a number format are made once per column (and currency)
    and reused row after row: openpyxl writes a row as it is appended, so
    the cell objects are free again when ``append`` returns. That keeps a
    styled cell about as cheap as a plain value.
    """

    def __init__(
        self,
        wb: Any,
        title: str,
        columns: Sequence[cols.Column],
        row_limit: int,
        *,
        widths: Mapping[int, float] | None = None,
        total: SumColumn | None = None,
    ) -> None:
        """Start the sheet.

        Args:
            wb: The write-only workbook.
            title: The sheet's title (``Lines``; parts ``Lines (2)`` …).
            columns: Its columns.
            row_limit: Rows per part, header included.
            widths: Least widths by column index, from the data (money that
                needs more room than the header); an index past the columns
                sizes a column ``append_extra`` fills.
            total: A column written as the sum of others (``SumColumn``);
                ``append`` takes its value, which the formula must equal.
        """
        self._wb = wb
        self._title = title
        self._columns = columns
        self._limit = row_limit
        self._widths = dict(widths or {})
        self._total = total
        self._sum_template = ""
        if total is not None:
            self._sum_template = "=" + "+".join(
                f"{get_column_letter(i + 1)}{{row}}" for i in total.terms
            )
        self._last_col = get_column_letter(len(columns))
        self._bold = Font(bold=True)
        self._wrap = Alignment(wrap_text=True, vertical="bottom")
        self._parts: list[list[Any]] = []
        self._currency = ""
        self._convert: list[Callable[[Any], Any]] = []
        self._new_part()

    @property
    def current_title(self) -> str:
        """The title of the worksheet the next row goes on."""
        return str(self._parts[-1][1])

    def append(self, values: Sequence[object], currency: str = "") -> None:
        """Write one data row; ``currency`` picks the number format of money cells."""
        part = self._room()
        self._currency = currency
        convert = self._convert
        row = [None if v is None else convert[i](v) for i, v in enumerate(values)]
        if self._total is not None:
            row[self._total.target] = self._sum_cell(part, values[self._total.target], currency)
        part[0].append(row)
        part[2] += 1
        part[3] = part[2]

    def _sum_cell(self, part: list[Any], value: object, currency: str) -> Any:
        cells: dict[str, _CachedFormulaCell] = part[4]
        cell = cells.get(currency)
        if cell is None:
            cell = cells[currency] = _CachedFormulaCell(part[0])
            cell.number_format = money_format(currency)
        # Set directly: the template is the writer's own formula, not input text.
        cell._value = self._sum_template.format(row=part[2] + 1)
        cell.data_type = "f"
        cell.cached = _money_number(value) if isinstance(value, Decimal) else 0.0
        return cell

    def append_extra(self, values: Sequence[object], currency: str = "") -> None:
        """Write a row outside the autofilter and the data ranges (Summary's totals).

        It may be wider than the header; a ``Formula`` becomes a formula
        with the currency's number format.
        """
        part = self._room()
        self._currency = currency
        ws = part[0]
        row: list[object] = []
        for i, v in enumerate(values):
            if isinstance(v, Formula):
                cell = WriteOnlyCell(ws, str(v))
                cell.number_format = money_format(currency)
                row.append(cell)
            elif v is None:
                row.append(None)
            elif i < len(self._convert):
                row.append(self._convert[i](v))
            else:
                row.append(text_cell(ws, v))
        ws.append(row)
        part[2] += 1

    def ensure_room(self, rows: int) -> None:
        """Start a new part now if ``rows`` more rows would not fit on this one.

        Does nothing when they could not fit on any part.
        """
        if rows < self._limit and self._parts[-1][2] + rows > self._limit:
            self._new_part()

    def data_ranges(self) -> list[tuple[str, int]]:
        """``(title, last data row)`` of every part that holds data rows."""
        return [(p[1], p[3]) for p in self._parts if p[3] > 1]

    def finish(self) -> None:
        """Set each part's autofilter over its header and data rows."""
        for ws, _title, _last, last_data, _cells in self._parts:
            ws.auto_filter.ref = f"A1:{self._last_col}{last_data}"

    def _room(self) -> list[Any]:
        if self._parts[-1][2] >= self._limit:
            self._new_part()
        return self._parts[-1]

    def _new_part(self) -> None:
        number = len(self._parts) + 1
        title = self._title if number == 1 else f"{self._title} ({number})"
        ws = self._wb.create_sheet(title)
        # Write-only sheets take widths, panes and page setup before the first row.
        for i, column in enumerate(self._columns):
            width = max(column.width, header_width(column.header), self._widths.get(i, 0))
            ws.column_dimensions[get_column_letter(i + 1)].width = width
        for i, width in self._widths.items():
            if i >= len(self._columns):
                ws.column_dimensions[get_column_letter(i + 1)].width = width
        ws.freeze_panes = "A2"
        print_setup(ws)
        if self._total is not None:
            ws._writer = _SheetWriter(ws)
            ws._writer.write_top()
        header = []
        two_lines = False
        for i, column in enumerate(self._columns):
            cell = WriteOnlyCell(ws, column.header)
            cell.font = self._bold
            width = ws.column_dimensions[get_column_letter(i + 1)].width
            if width < text_width(column.header):
                # Too long for one line at this width: two lines (header_width).
                cell.alignment = self._wrap
                two_lines = True
            header.append(cell)
        if two_lines:
            ws.row_dimensions[1].height = _TWO_LINES
        ws.append(header)
        # Per part: worksheet, title, last row, last data row, formula cells by currency.
        self._parts.append([ws, title, 1, 1, {}])
        self._convert = [self._converter(ws, c.kind) for c in self._columns]

    def _converter(self, ws: Any, kind: cols.Kind) -> Callable[[Any], Any]:
        if kind == "text":
            return lambda v: text_cell(ws, v)
        if kind == "value":
            return lambda v: any_cell(ws, v)
        if kind in ("number", "count", "bool"):
            return plain_number
        if kind in ("date", "datetime"):
            cell = _ReusedCell(ws, row=1, column=1)
            cell.number_format = _DATE_FORMAT if kind == "date" else _DATETIME_FORMAT

            def moment(value: date) -> Any:
                cell.value = value
                return cell

            return moment
        extra = 4 if kind == "rate" else 0
        by_currency: dict[str, Any] = {}

        def money(value: Decimal) -> Any:
            cell = by_currency.get(self._currency)
            if cell is None:
                cell = by_currency[self._currency] = _ReusedCell(ws, row=1, column=1)
                cell.number_format = money_format(self._currency, extra_places=extra)
            cell.value = _money_number(value)
            return cell

        return money


def text_cell(ws: Any, value: object) -> Any:
    text = _NOT_XML.sub("\ufffd", str(value))[:_MAX_CELL_TEXT]
    if (len(text) > 1 and text[0] == "=") or text in ERROR_CODES:
        # openpyxl would store these as a formula or an error value.
        cell = WriteOnlyCell(ws, text)
        cell.data_type = "s"
        return cell
    return text


def any_cell(ws: Any, value: object) -> Any:
    if isinstance(value, str):
        return text_cell(ws, value)
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = _DATETIME_FORMAT if isinstance(value, datetime) else _DATE_FORMAT
        return cell
    return plain_number(value)


def plain_number(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value.quantize(_SIX)) + 0.0  # + 0.0 turns -0.0 into 0.0
    return value


# --- the Health sheet's tables (writers/_health_sheet.py) ---------------------


class _ReferencePart:
    """One worksheet of the sheet: rows so far, and the first table's extent."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.rows = 0
        self.filter_columns = 1
        self.filter_rows = 1
        self.filtering = True  # the first table on the part is still being written


class ReferenceStacked:
    """Tables one under another on one logical sheet, streamed over parts."""

    def __init__(
        self,
        wb: Any,
        title: str,
        row_limit: int,
    ) -> None:
        self._wb = wb
        self._title = title
        self._limit = row_limit
        self._bold = Font(bold=True)
        self._columns: Sequence[cols.Column] = ()
        self.parts: list[_ReferencePart] = []
        self._new_part()

    def table(self, columns: Sequence[cols.Column]) -> None:
        """Start a table: its header row, on a new part when it and a row would not fit."""
        part = self.parts[-1]
        if part.rows:
            part.filtering = False
            if part.rows + 3 > self._limit:
                self._new_part()
            else:
                self._write([])  # a blank row between two tables
        self._columns = columns
        self._header()

    def append(self, values: Sequence[object], formats: Mapping[int, str] | None = None) -> None:
        """One data row of the current table; ``formats`` by column index."""
        if self.parts[-1].rows >= self._limit:
            self._new_part()
            self._header()
        part = self.parts[-1]
        row: list[object] = []
        for i, (column, value) in enumerate(zip(self._columns, values, strict=True)):
            if value is None:
                row.append(None)
            elif column.kind == "text":
                row.append(text_cell(part.ws, value))
            elif formats and i in formats:
                cell = WriteOnlyCell(part.ws, plain_number(value))
                cell.number_format = formats[i]
                row.append(cell)
            else:
                row.append(plain_number(value))
        self._write(row)
        if part.filtering:
            part.filter_rows = part.rows

    def finish(self) -> None:
        """Set each part's autofilter over the first table on it."""
        for part in self.parts:
            part.ws.auto_filter.ref = (
                f"A1:{get_column_letter(part.filter_columns)}{part.filter_rows}"
            )

    def _header(self) -> None:
        part = self.parts[-1]
        header = []
        for column in self._columns:
            cell = WriteOnlyCell(part.ws, column.header)
            cell.font = self._bold
            header.append(cell)
        self._write(header)
        if part.rows == 1:
            part.filter_columns = len(self._columns)

    def _write(self, row: Sequence[object]) -> None:
        part = self.parts[-1]
        part.ws.append(row)
        part.rows += 1

    def _new_part(self) -> None:
        number = len(self.parts) + 1
        title = self._title if number == 1 else f"{self._title} ({number})"
        ws = self._wb.create_sheet(title)
        # Write-only sheets take widths, panes and page setup before the first row.
        tables = (cols.HEALTH_MONTHS, cols.HEALTH_VOLUNTEERS, cols.HEALTH_FAIRNESS)
        for i in range(max(len(t) for t in tables)):
            width = max(t[i].width for t in tables if i < len(t))
            ws.column_dimensions[get_column_letter(i + 1)].width = width
        ws.freeze_panes = "A2"
        # No repeated rows: the tables under the first have headers of their own.
        print_setup(ws, title_rows=None)
        self.parts.append(_ReferencePart(ws))
