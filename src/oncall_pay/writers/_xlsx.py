"""The xlsx machinery both workbooks share (pay run and comparison).

- openpyxl's write-only mode streams each sheet to a temporary file, so the
  writer's memory does not grow with the number of rows; a ``Table`` goes on
  in ``Lines (2)``, ``Lines (3)`` … when a sheet reaches the row limit.
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
import os
import re
import shutil
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
from openpyxl.cell.cell import ERROR_CODES, Cell  # type: ignore[import-untyped, unused-ignore]
from openpyxl.comments.comment_sheet import CommentRecord  # type: ignore[import-untyped, unused-ignore]
from openpyxl.compat import safe_string  # type: ignore[import-untyped, unused-ignore]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped, unused-ignore]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]
from openpyxl.worksheet._writer import WorksheetWriter  # type: ignore[import-untyped, unused-ignore]
from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped, unused-ignore]

from .. import _columns as cols
from .._errors import InputError, Problem
from .._money import minor_unit
from ._atomic import atomic_path

__all__ = [
    "EXCEL_MAX_ROWS",
    "Formula",
    "SumColumn",
    "Table",
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


@attrs.frozen
class SumColumn:
    """A money column written as the live sum of other columns of its row.

    Attributes:
        target: The index of the column that holds the formula.
        terms: The indexes of the columns it adds up, in order.
    """

    target: int
    terms: tuple[int, ...]


class Table:
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


#: Significant digits a spreadsheet number (an IEEE double) holds exactly:
#: a decimal with at most this many reads back as itself.
CELL_DIGITS: Final = 15
#: How many unheld amounts an error lists before it says how many more.
_LISTED: Final = 10


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


class _PinnedArchive:
    """A ZIP archive whose entries all carry one timestamp and mode.

    ``ExcelWriter`` only calls ``writestr``, ``write``, ``namelist`` and
    ``close``;
    ``zipfile`` would otherwise stamp entries with the clock and the
    temporary files' modification times.
    """

    def __init__(self, path: Path, when: datetime) -> None:
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._when = (when.year, when.month, when.day, when.hour, when.minute, when.second)

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._when)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def writestr(self, name: str | zipfile.ZipInfo, data: bytes | str) -> None:
        info = self._info(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        self._zip.writestr(info, data)

    def write(self, filename: str, arcname: str) -> None:
        info = self._info(arcname)
        info.file_size = os.path.getsize(filename)
        with open(filename, "rb") as src, self._zip.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)

    def namelist(self) -> list[str]:
        return self._zip.namelist()

    def close(self) -> None:
        self._zip.close()


def _save(wb: Any, path: Path, when: datetime) -> None:
    archive = _PinnedArchive(path, when)
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
