"""The xlsx machinery both workbooks share (pay run and comparison).

- openpyxl's write-only mode streams each sheet to a temporary file, so the
  writer's memory does not grow with the number of rows; a ``Table`` goes on
  in ``Lines (2)``, ``Lines (3)`` … when a sheet reaches the row limit.
- A ``Table``'s rows are written as SpreadsheetML text to a file of their
  own (``_Rows``) and spliced into the sheet when the workbook is saved;
  openpyxl writes everything else (styles, widths, panes, page setup,
  autofilter). A cell object per value was most of an export's time. The
  text is byte for byte what openpyxl writes (``tests/test_xlsx_rows.py``),
  and each style is registered with openpyxl when a cell first needs it.
- Text that comes from inputs is always a text cell: openpyxl would turn a
  string starting with ``=`` into a formula (and ``#N/A`` into an error), so
  such strings get a cell whose type is set to text by hand.
- Money is a number with the currency's number format; amounts are already
  rounded to the minor unit, so a double holds them exactly (up to 15
  significant digits).
- The zip entries and the document properties carry the creation time, which
  is pinned by ``created`` or ``SOURCE_DATE_EPOCH``; nothing else in the file
  depends on the clock, so a pinned time gives the same bytes.
- The file is built beside the target and renamed into place; on any failure
  the sheets' temporary files are removed and nothing is left behind.
- Every sheet prints landscape, one page wide, with its header row repeated
  on each page; a column is at least as wide as its header.
- A ``SumColumn`` is a live formula (the sum of other cells of its row) that
  also carries its value, so a reader that does not calculate (pandas,
  openpyxl ``data_only``, Excel's protected view) sees the number.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Final

import attrs
from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped, unused-ignore]
from openpyxl.cell._writer import write_cell  # type: ignore[import-untyped, unused-ignore]
from openpyxl.cell.cell import (  # type: ignore[import-untyped, unused-ignore]
    ERROR_CODES,
    ILLEGAL_CHARACTERS_RE,
)
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped, unused-ignore]
from openpyxl.utils.cell import (  # type: ignore[import-untyped, unused-ignore]
    column_index_from_string,
    coordinate_from_string,
    get_column_letter,
)
from openpyxl.utils.datetime import to_excel  # type: ignore[import-untyped, unused-ignore]
from openpyxl.utils.exceptions import (  # type: ignore[import-untyped, unused-ignore]
    IllegalCharacterError,
)
from openpyxl.worksheet._writer import WorksheetWriter  # type: ignore[import-untyped, unused-ignore]
from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped, unused-ignore]
from openpyxl.xml.functions import xmlfile  # type: ignore[import-untyped, unused-ignore]

from .. import _columns as cols
from .._errors import InputError, Problem
from .._money import minor_unit
from ._atomic import atomic_path

__all__ = [
    "EXCEL_MAX_ROWS",
    "Formula",
    "SumColumn",
    "Table",
    "TextRows",
    "any_cell",
    "creation_time",
    "header_width",
    "money_format",
    "money_width",
    "package_version",
    "plain_number",
    "print_setup",
    "streamed_workbook",
    "text_cell",
    "text_width",
]

#: Rows on one Excel worksheet, the header row included.
EXCEL_MAX_ROWS: Final = 1_048_576

#: The most characters one Excel cell holds.
_MAX_CELL_TEXT: Final = 32_767

#: Characters XML 1.0 cannot carry (C0 controls but tab, LF and CR; the two
#: non-characters at the end of the BMP; lone surrogates).
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

_SIX: Final = Decimal("0.000001")

#: The height in points of a header row whose titles take two lines.
_TWO_LINES: Final = 30.0
_DATE_FORMAT: Final = "yyyy-mm-dd"
_DATETIME_FORMAT: Final = "yyyy-mm-dd hh:mm:ss"

#: ZIP timestamps cannot go before 1980 or after 2107.
_ZIP_EPOCH: Final = datetime(1980, 1, 1, tzinfo=UTC)
_ZIP_END: Final = datetime(2107, 12, 31, 23, 59, 58, tzinfo=UTC)


def money_format(currency: str, *, extra_places: int = 0) -> str:
    """The Excel number format for amounts in ``currency``.

    Shows the currency's minor unit (``#,##0.00 "EUR"``, ``#,##0 "JPY"``,
    ``#,##0.000 "KWD"``) and up to ``extra_places`` further digits when
    they are not zero.
    """
    places = minor_unit(currency)
    decimals = "0" * places + ("#" * extra_places if places else "")
    number = f"#,##0.{decimals}" if decimals else "#,##0"
    return f'{number} "{currency}"'


def package_version(distribution: str) -> str:
    """The installed version of ``distribution``, for the ``Run`` sheet."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def header_width(header: str) -> float:
    """The least column width (Excel character units) that shows ``header``
    whole on at most two lines, broken at a space.

    Bold text is wider than the digits Excel measures widths in, and the
    autofilter's button covers the right end of the header cell.
    """
    words = header.split(" ")
    lines = (
        max(" ".join(words[:i]), " ".join(words[i:]), key=len) for i in range(1, len(words) + 1)
    )
    return min(text_width(line) for line in lines)


def text_width(text: str) -> float:
    """The column width (Excel character units) that shows ``text`` on one line."""
    return round(len(text) * 1.1 + 3, 1)


def money_width(amounts: Mapping[str, Decimal], *, extra_places: int = 0) -> float:
    """The column width that shows each amount (by currency), or any smaller
    one, whole in its currency's number format, with a sign and a margin."""
    widest = 0
    for code, amount in amounts.items():
        try:
            places = minor_unit(code) + extra_places
        except KeyError:
            places = 2 + extra_places
        # "-1,234,567.89 EUR": sign, digits with separators, the code.
        widest = max(widest, len(f"-{abs(amount):,.{places}f} {code}"))
    return float(widest + 2)


def print_setup(ws: Any, *, title_rows: str | None = "1:1") -> None:
    """Print ``ws`` landscape, one page wide, repeating ``title_rows`` on each page.

    Must be called before the first row of a write-only sheet.
    """
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows is not None:
        ws.print_title_rows = title_rows


# -- cells ---------------------------------------------------------------------


class Formula(str):
    """A formula the writer made itself (never input text)."""

    __slots__ = ()


class _RowsWriter(WorksheetWriter):  # type: ignore[misc, unused-ignore]
    """openpyxl's worksheet writer for a sheet whose rows a ``_Rows`` holds.

    The sheet is written with an empty ``sheetData``; saving splices the
    rows' file into it (``_PinnedArchive.write``), streaming.
    """

    def __init__(self, ws: Any, rows: _Rows) -> None:
        super().__init__(ws)
        self.rows_file = rows

    def write_rows(self) -> None:
        xf = self.xf.send(True)
        with xf.element("sheetData"):
            pass
        self.xf.send(None)


class _Rows:
    """A sheet's rows as SpreadsheetML text, kept in a temporary file.

    openpyxl's write-only mode makes a cell object per value and an lxml
    element per cell, most of an export's time; the rows of a ``Table`` are
    the same text written directly (``_CellText``), byte for byte what
    openpyxl would write (``tests/test_xlsx_rows.py`` compares the two).
    """

    #: Rows gathered before they are written out.
    _BATCH: Final = 256

    def __init__(self) -> None:
        fd, self.path = tempfile.mkstemp(prefix="oncall_pay-rows-", suffix=".xml")
        self._file = os.fdopen(fd, "wb")
        self._pending: list[str] = []

    def add(self, row: str) -> None:
        self._pending.append(row)
        if len(self._pending) >= self._BATCH:
            self._flush()

    def _flush(self) -> None:
        self._file.write("".join(self._pending).encode("ascii"))
        self._pending.clear()

    def close(self) -> None:
        if not self._file.closed:
            self._flush()
            self._file.close()

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(OSError):
            os.remove(self.path)


def _escape(text: str) -> str:
    """Text as lxml writes it in an ASCII document: ``& < >`` and CR as
    references, every non-ASCII character as a numeric reference."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if not text.isascii():
        text = text.encode("ascii", "xmlcharrefreplace").decode("ascii")
    return text


def _number_text(value: float | int) -> str:
    """A number as openpyxl writes it (``safe_string``)."""
    if math.isnan(value) or math.isinf(value):
        return ""
    return "%.16g" % value  # noqa: UP031 - openpyxl's own formatting, kept exactly


def _string_xml(ref: str, text: str, style: str = "") -> str:
    """An inline string cell (openpyxl's ``lxml_write_cell`` for type ``s``)."""
    return f'<c r="{ref}"{_string_tail(text, style)}'


def _string_tail(text: str, style: str = "") -> str:
    """``_string_xml`` after the cell's reference."""
    if text == "":
        return f'{style} t="inlineStr"></c>'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'{style} t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


def _number_tail(value: float | int, style: str = "") -> str:
    """``_value_xml`` of a number, after the cell's reference."""
    return f'{style} t="n"><v>{_number_text(value)}</v></c>'


def _value_xml(
    ws: Any, ref: str, value: object, style: str = "", number_format: str | None = None
) -> str:
    """Any value as openpyxl would write it in a cell with ``style``
    (`` s="N"``, the index of ``number_format``, or nothing): the common
    types directly, anything else through openpyxl itself."""
    kind = type(value)
    if kind is float or kind is int:
        return f'<c r="{ref}"{_number_tail(value, style)}'  # type: ignore[arg-type]
    if kind is bool:
        return f'<c r="{ref}"{style} t="b"><v>{"1" if value else "0"}</v></c>'
    if kind is str:
        text = str(value)
        if not ((len(text) > 1 and text[0] == "=") or text in ERROR_CODES):
            return _string_xml(ref, _check_text(text), style)
    return _through_openpyxl(ws, ref, value, number_format)


def _through_openpyxl(ws: Any, ref: str, value: object, number_format: str | None) -> str:
    """A cell written by openpyxl's own code, for a value of a rare type
    (and the error it raises for a value a cell cannot hold)."""
    column, row = coordinate_from_string(ref)
    cell = WriteOnlyCell(ws, value)
    cell.row, cell.column = row, column_index_from_string(column)
    if number_format is not None:
        cell.number_format = number_format
    buffer = io.BytesIO()
    with xmlfile(buffer) as xf:
        write_cell(xf, ws, cell, cell.has_style)
    return buffer.getvalue().decode("ascii")


def _check_text(text: str) -> str:
    """openpyxl's ``check_string``: at most a cell's characters, no C0 control."""
    text = text[:_MAX_CELL_TEXT]
    if ILLEGAL_CHARACTERS_RE.search(text):
        raise IllegalCharacterError(f"{text} cannot be used in worksheets.")
    return text


def _style_id(cell: Any) -> str:
    """`` s="N"``: the workbook's index of ``cell``'s style (registering it)."""
    return f' s="{cell.style_id}"'


class _Part:
    """One worksheet of a ``Table``: its rows, and where they have got to."""

    def __init__(self, ws: Any, title: str, rows: _Rows) -> None:
        self.ws = ws
        self.title = title
        self.rows = rows
        #: The last row written, and the last data row (the header is row 1).
        self.last = 1
        self.last_data = 1
        #: The style of the formula cells of a ``SumColumn``, by currency.
        self.sum_styles: dict[str, str] = {}


class TextRows:
    """The rows of a write-only sheet laid out by hand (the Health sheet's
    tables), written as text as a ``Table``'s are: each cell byte for byte
    what openpyxl's ``ws.append`` writes for the same value."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._rows = _Rows()
        ws._writer = _RowsWriter(ws, self._rows)
        ws._writer.write_top()
        self._formats: dict[str, str] = {}

    def add(self, number: int, cells: Sequence[str]) -> None:
        """Row ``number`` (from 1, each once, in order) of ``cells``."""
        self._rows.add(f'<row r="{number}">{"".join(cells)}</row>')

    def header(self, ref: str, text: str, font: Any) -> str:
        """A header cell: ``text`` in ``font``."""
        cell = WriteOnlyCell(self._ws, text)
        cell.font = font
        return _string_xml(ref, _check_text(text), _style_id(cell))

    def text(self, ref: str, value: object) -> str:
        """``value`` as a text cell, whatever it looks like (``text_cell``)."""
        return _text_xml(ref, value)

    def number(self, ref: str, value: object, number_format: str | None = None) -> str:
        """A value as a number (or as openpyxl writes it), with ``number_format``."""
        style = ""
        if number_format is not None:
            style = self._formats.get(number_format, "")
            if not style:
                cell = WriteOnlyCell(self._ws)
                cell.number_format = number_format
                style = self._formats[number_format] = _style_id(cell)
        return _value_xml(self._ws, ref, value, style, number_format)


@attrs.frozen
class SumColumn:
    """A money column written as the live sum of other columns of its row.

    Attributes:
        target: The index of the column that holds the formula.
        terms: The indexes of the columns it adds up, in order.
    """

    target: int
    terms: tuple[int, ...]


#: A column's cell writer: the value and the row number in, the cell's XML out.
_CellText = Callable[[Any, str], str]

#: Distinct values a column keeps the cell text of (``Table._converter``):
#: plenty for the values that repeat down a column (amounts, rates, weeks,
#: a volunteer's rows), and a bound for the columns whose values are all
#: different (page IDs and times), so that the writer's memory stays flat in
#: the number of rows. Past it, the column starts again with none.
_TAILS_KEPT: Final = 1024


class Table:
    """One logical sheet, streamed over as many worksheets as its rows need.

    Rows are written as text (``_Rows``); the styles a column needs (number
    formats by currency) are registered with openpyxl the first time a cell
    needs them, as openpyxl itself would, so the workbook's styles are the
    same as if openpyxl had written every cell.
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
            self._sum_template = "+".join(
                f"{get_column_letter(i + 1)}{{row}}" for i in total.terms
            )
        self._last_col = get_column_letter(len(columns))
        self._bold = Font(bold=True)
        self._wrap = Alignment(wrap_text=True, vertical="bottom")
        self._parts: list[_Part] = []
        self._currency = ""
        self._convert: list[_CellText] = []
        self._new_part()

    @property
    def current_title(self) -> str:
        """The title of the worksheet the next row goes on."""
        return self._parts[-1].title

    def append(self, values: Sequence[object], currency: str = "") -> None:
        """Write one data row; ``currency`` picks the number format of money cells."""
        part = self._room()
        self._currency = currency
        convert = self._convert
        r = str(part.last + 1)
        total = self._total
        if total is None:
            cells = [convert[i](v, r) for i, v in enumerate(values) if v is not None]
        else:
            cells = []
            for i, v in enumerate(values):
                if i == total.target:
                    cells.append(self._sum_cell(part, v, currency, r))
                elif v is not None:
                    cells.append(convert[i](v, r))
        part.rows.add(f'<row r="{r}">{"".join(cells)}</row>')
        part.last += 1
        part.last_data = part.last

    def _sum_cell(self, part: _Part, value: object, currency: str, r: str) -> str:
        style = part.sum_styles.get(currency)
        if style is None:
            cell = WriteOnlyCell(part.ws)
            cell.number_format = money_format(currency)
            style = part.sum_styles[currency] = _style_id(cell)
        cached = _money_number(value) if isinstance(value, Decimal) else 0.0
        ref = f"{get_column_letter(self._total.target + 1)}{r}"  # type: ignore[union-attr]
        formula = _escape(self._sum_template.format(row=r))
        return f'<c r="{ref}"{style}><f>{formula}</f><v>{_number_text(cached)}</v></c>'

    def append_extra(self, values: Sequence[object], currency: str = "") -> None:
        """Write a row outside the autofilter and the data ranges (Summary's totals).

        It may be wider than the header; a ``Formula`` becomes a formula
        with the currency's number format.
        """
        part = self._room()
        self._currency = currency
        r = str(part.last + 1)
        cells: list[str] = []
        for i, v in enumerate(values):
            if v is None:
                continue
            if isinstance(v, Formula):
                cell = WriteOnlyCell(part.ws, str(v))
                cell.number_format = money_format(currency)
                ref = f"{get_column_letter(i + 1)}{r}"
                cells.append(f'<c r="{ref}"{_style_id(cell)}><f>{_escape(v[1:])}</f><v></v></c>')
            elif i < len(self._convert):
                cells.append(self._convert[i](v, r))
            else:
                cells.append(_text_xml(f"{get_column_letter(i + 1)}{r}", v))
        part.rows.add(f'<row r="{r}">{"".join(cells)}</row>')
        part.last += 1

    def ensure_room(self, rows: int) -> None:
        """Start a new part now if ``rows`` more rows would not fit on this one.

        Does nothing when they could not fit on any part.
        """
        if rows < self._limit and self._parts[-1].last + rows > self._limit:
            self._new_part()

    def data_ranges(self) -> list[tuple[str, int]]:
        """``(title, last data row)`` of every part that holds data rows."""
        return [(p.title, p.last_data) for p in self._parts if p.last_data > 1]

    def finish(self) -> None:
        """Set each part's autofilter over its header and data rows."""
        for part in self._parts:
            part.ws.auto_filter.ref = f"A1:{self._last_col}{part.last_data}"

    def _room(self) -> _Part:
        if self._parts[-1].last >= self._limit:
            self._new_part()
        return self._parts[-1]

    def _new_part(self) -> None:
        number = len(self._parts) + 1
        title = self._title if number == 1 else f"{self._title} ({number})"
        ws = self._wb.create_sheet(title)
        # Widths, panes and page setup go in the sheet's top, written now.
        for i, column in enumerate(self._columns):
            width = max(column.width, header_width(column.header), self._widths.get(i, 0))
            ws.column_dimensions[get_column_letter(i + 1)].width = width
        for i, width in self._widths.items():
            if i >= len(self._columns):
                ws.column_dimensions[get_column_letter(i + 1)].width = width
        ws.freeze_panes = "A2"
        print_setup(ws)
        rows = _Rows()
        ws._writer = _RowsWriter(ws, rows)
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
        row_attrs = {"r": "1", **dict(ws.row_dimensions.get(1, {}))}
        attributes = "".join(f' {k}="{v}"' for k, v in row_attrs.items())
        cells = "".join(
            _string_xml(f"{get_column_letter(i + 1)}1", _check_text(c.value), _style_id(c))
            for i, c in enumerate(header)
        )
        rows.add(f"<row{attributes}>{cells}</row>")
        self._parts.append(_Part(ws, title, rows))
        self._convert = [self._converter(ws, i, c.kind) for i, c in enumerate(self._columns)]

    def _converter(self, ws: Any, index: int, kind: cols.Kind) -> _CellText:
        """How a value of column ``index`` becomes its cell's text.

        Values repeat down a column (names, dates, rates, amounts), so the
        text after a cell's reference is worked out once per distinct value
        and kept (``tails``). A key holds the value's type as well as the
        value: ``1`` and ``True``, ``1`` and ``1.0`` are equal keys but not
        equal cells. Floats are not kept (``-0.0 == 0.0``, and NaN is not
        equal to itself), nor the rare values written through openpyxl. At
        most ``_TAILS_KEPT`` values are kept per column (flat memory).
        """
        letter = get_column_letter(index + 1)
        tails: dict[object, str] = {}

        def keep(key: object, tail: str) -> str:
            if len(tails) >= _TAILS_KEPT:
                tails.clear()  # a column of values that all differ: start again
            tails[key] = tail
            return tail

        if kind == "text":

            def text(v: object, r: str) -> str:
                key = v if type(v) is str else str(v)  # the cell shows str(v)
                tail = tails.get(key)
                if tail is None:
                    tail = keep(key, _string_tail(_cell_text(key)))
                return f'<c r="{letter}{r}"{tail}'

            return text
        if kind == "value":
            return lambda v, r: _any_xml(ws, letter + r, v)
        if kind in ("number", "count", "bool"):

            def number(v: object, r: str) -> str:
                kind = type(v)
                if kind is not Decimal and kind is not int:
                    return _value_xml(ws, letter + r, plain_number(v))
                key = (kind, v)
                tail = tails.get(key)
                if tail is None:
                    tail = keep(key, _number_tail(plain_number(v)))  # type: ignore[arg-type]
                return f'<c r="{letter}{r}"{tail}'

            return number
        if kind in ("date", "datetime"):
            cell = WriteOnlyCell(ws)
            number_format = _DATE_FORMAT if kind == "date" else _DATETIME_FORMAT
            cell.number_format = number_format  # registered now, as before any row
            style = ""

            def moment(value: date, r: str) -> str:
                nonlocal style
                if not style:
                    style = _style_id(cell)
                kind = type(value)
                if kind is not date and not (kind is datetime and value.tzinfo is None):  # type: ignore[attr-defined]
                    return _moment_xml(ws, letter + r, value, style, number_format)
                key = (kind, value)
                tail = tails.get(key)
                if tail is None:
                    tail = keep(key, _number_tail(to_excel(value), style))
                return f'<c r="{letter}{r}"{tail}'

            return moment
        extra = 4 if kind == "rate" else 0
        by_currency: dict[str, str] = {}

        def money(value: Decimal, r: str) -> str:
            currency = self._currency
            key = (currency, type(value), value)
            tail = tails.get(key)
            if tail is None:
                style = by_currency.get(currency)
                if style is None:
                    cell = WriteOnlyCell(ws)
                    cell.number_format = money_format(currency, extra_places=extra)
                    style = by_currency[currency] = _style_id(cell)
                tail = keep(key, _number_tail(_money_number(value), style))
            return f'<c r="{letter}{r}"{tail}'

        return money


def _text_xml(ref: str, value: object) -> str:
    """An input string as a text cell, always (``text_cell``)."""
    return _string_xml(ref, _cell_text(str(value)))


def _cell_text(text: str) -> str:
    """Text as a cell holds it: characters XML cannot hold replaced, cut to a cell's length."""
    return _NOT_XML.sub("\ufffd", text)[:_MAX_CELL_TEXT]


def _moment_xml(ws: Any, ref: str, value: object, style: str, number_format: str) -> str:
    """A date or naive datetime as a serial number with ``style`` (the
    index of ``number_format``)."""
    if type(value) is date or (type(value) is datetime and value.tzinfo is None):
        return f'<c r="{ref}"{style} t="n"><v>{_number_text(to_excel(value))}</v></c>'
    return _through_openpyxl(ws, ref, value, number_format)


def _any_xml(ws: Any, ref: str, value: object) -> str:
    """``any_cell`` as text: text as text, dates with a date format, numbers."""
    if isinstance(value, str):
        return _text_xml(ref, value)
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = _DATETIME_FORMAT if isinstance(value, datetime) else _DATE_FORMAT
        return _moment_xml(ws, ref, value, _style_id(cell), cell.number_format)
    return _value_xml(ws, ref, plain_number(value))


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


#: Significant digits a spreadsheet number (an IEEE double) holds exactly:
#: a decimal with at most this many reads back as itself.
CELL_DIGITS: Final = 15
#: How many unheld amounts an error lists before it says how many more.
_LISTED: Final = 10


#: Distinct values ``CellCheck`` remembers as fitting: the amounts that
#: repeat (a stipend, a standby day) are far fewer; past it, it starts again,
#: so its memory does not grow with the weeks (10,000 volunteers × 52 weeks
#: have about 30,000 distinct amounts and column sums).
_FITS_KEPT: Final = 4096


class CellCheck:
    """Collects the amounts a workbook would hold as a different number.

    A cell is a binary float: 114423365426076482.89 would be written as
    114423365426076480 and read back as that. Every amount and rate is
    checked before the first byte is written, and the workbook is refused
    rather than written with numbers that differ from the report.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.found: list[tuple[str, str, Decimal, int]] = []
        # Amounts and rates repeat (a stipend, a standby day): each distinct
        # value that fits is worked out once.
        self._fits: set[Decimal] = set()

    def check(self, value: Decimal | None, where: str, column: str) -> None:
        """Note ``value`` if a cell cannot hold it exactly."""
        if value is None or value in self._fits:
            return
        digits = len(value.normalize().as_tuple().digits)
        if digits > CELL_DIGITS and value.is_finite():
            self.found.append((where, column, value, digits))
        else:
            if len(self._fits) >= _FITS_KEPT:
                self._fits.clear()  # memory flat in the number of rows
            self._fits.add(value)

    def raise_problems(self) -> None:
        """Raise every value noted, at most ``_LISTED`` of them spelled out."""
        if not self.found:
            return
        problems = [
            Problem(
                f"{where}: {value} has {digits} significant digits; a spreadsheet cell holds "
                f"{CELL_DIGITS} exactly and would show another number (--format csv or json "
                "keep every digit)",
                source=self.source,
                field=column,
            )
            for where, column, value, digits in self.found[:_LISTED]
        ]
        if len(self.found) > _LISTED:
            more = len(self.found) - _LISTED
            problems.append(Problem(f"and {more} more amount(s) like these", source=self.source))
        raise InputError(problems)


def _money_number(value: Decimal) -> float:
    return float(value) + 0.0


# -- reproducible, atomic saving ------------------------------------------------


def creation_time(created: datetime | None) -> datetime:
    """The creation time as naive UTC, whole seconds, within ZIP's range."""
    if created is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch is not None:
            try:
                seconds = int(epoch)
            except ValueError:
                msg = f"{epoch!r} is not a whole number of seconds since 1970"
                raise InputError(Problem(msg, field="SOURCE_DATE_EPOCH")) from None
            created = datetime.fromtimestamp(seconds, UTC)
        else:
            created = datetime.now(UTC)
    created = created.astimezone(UTC) if created.tzinfo else created.replace(tzinfo=UTC)
    created = min(max(created.replace(microsecond=0), _ZIP_EPOCH), _ZIP_END)
    # openpyxl writes the document properties' times as naive UTC.
    return created.replace(tzinfo=None)


#: zlib's level for the workbook's parts: 2 deflates the sheets in a quarter
#: of the time of the default 6, for files a fifth larger (docs/benchmarks.md).
_ZIP_LEVEL: Final = 2


class _PinnedArchive:
    """A ZIP archive whose entries all carry one timestamp and mode.

    ``ExcelWriter`` only calls ``writestr``, ``write``, ``namelist`` and
    ``close``;
    ``zipfile`` would otherwise stamp entries with the clock and the
    temporary files' modification times.
    """

    def __init__(self, path: Path, when: datetime, rows: Mapping[str, _Rows]) -> None:
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._when = (when.year, when.month, when.day, when.hour, when.minute, when.second)
        #: The rows of sheets written as text, by the file openpyxl wrote the sheet to.
        self._rows = rows

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._when)
        info.compress_type = zipfile.ZIP_DEFLATED
        # ``compress_level`` from Python 3.13; ``_compresslevel`` before (and
        # still, as an alias).
        setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel",
                _ZIP_LEVEL)  # fmt: skip
        info.external_attr = 0o644 << 16
        return info

    def writestr(self, name: str | zipfile.ZipInfo, data: bytes | str) -> None:
        info = self._info(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        self._zip.writestr(info, data)

    def write(self, filename: str, arcname: str) -> None:
        info = self._info(arcname)
        rows = self._rows.get(filename)
        if rows is None:
            info.file_size = os.path.getsize(filename)
            with open(filename, "rb") as src, self._zip.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            return
        # The sheet without its rows is small; its rows go where its empty
        # sheetData is, copied from their file.
        rows.close()
        sheet = Path(filename).read_bytes()
        found = _EMPTY_SHEET_DATA.search(sheet)
        if found is None:  # pragma: no cover - openpyxl always writes one
            raise RuntimeError(f"no sheetData in {arcname}")
        head, tail = sheet[: found.start()] + b"<sheetData>", b"</sheetData>" + sheet[found.end() :]
        info.file_size = len(head) + os.path.getsize(rows.path) + len(tail)
        with open(rows.path, "rb") as src, self._zip.open(info, "w") as dst:
            dst.write(head)
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.write(tail)
        rows.discard()

    def namelist(self) -> list[str]:
        return self._zip.namelist()

    def close(self) -> None:
        self._zip.close()


#: The sheetData openpyxl writes for a sheet whose rows it did not write.
_EMPTY_SHEET_DATA: Final = re.compile(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>")


def _save(wb: Any, path: Path, when: datetime) -> None:
    rows = {
        ws._writer.out: ws._writer.rows_file
        for ws in wb.worksheets
        if isinstance(getattr(ws, "_writer", None), _RowsWriter)
    }
    archive = _PinnedArchive(path, when, rows)
    try:
        ExcelWriter(wb, archive).save()
    finally:
        archive.close()


def _discard(wb: Any) -> None:
    """Close and delete the sheets' temporary files after a failure."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        if isinstance(writer, _RowsWriter):
            writer.rows_file.discard()
        with contextlib.suppress(Exception):
            ws.close()
        with contextlib.suppress(Exception):
            writer.close()
        with contextlib.suppress(OSError):
            os.remove(writer.out)


@contextlib.contextmanager
def streamed_workbook(path: Path, *, created: datetime | None, row_limit: int) -> Iterator[Any]:
    """A write-only workbook that becomes ``path`` when the block ends without error.

    Checks ``row_limit`` and the creation time before anything is made; on
    any exception the sheets' temporary files and the half-made file are
    removed and an older file at ``path`` is left as it was.

    Raises:
        InputError: ``SOURCE_DATE_EPOCH`` is not a whole number of seconds.
        ValueError: ``row_limit`` leaves no room for a data row.
    """
    if row_limit < 2 or row_limit > EXCEL_MAX_ROWS:
        msg = f"row_limit must be between 2 and {EXCEL_MAX_ROWS}, got {row_limit}"
        raise ValueError(msg)
    when = creation_time(created)
    with atomic_path(path) as tmp:
        wb = Workbook(write_only=True)
        try:
            wb.properties.creator = "oncall_pay"
            wb.properties.created = when
            wb.properties.modified = when
            yield wb
            _save(wb, tmp, when)
        except BaseException:
            _discard(wb)
            raise
