"""The finance workbook: one xlsx per pay run, streamed with openpyxl.

Sheets, in order: ``Summary``, ``Health`` (``_health_sheet.py``), ``Weekly``,
``Lines``, ``Pages``, ``Holidays``, ``Notices``, ``Run``. ``docs/workbook.md``
explains every column for finance, ``docs/health.md`` the Health sheet.

How the file is made, and why:

- openpyxl's write-only mode streams each sheet to a temporary file, so the
  writer's memory does not grow with the number of rows.
- Text that comes from inputs is always a text cell: openpyxl would turn a
  string starting with ``=`` into a formula (and ``#N/A`` into an error), so
  such strings get a cell whose type is set to text by hand.
- Money is a number with the currency's number format; amounts are already
  rounded to the minor unit, so a double holds them exactly (up to 15
  significant digits).
- The zip entries and the document properties carry the creation time, which
  is pinned by ``created`` or ``SOURCE_DATE_EPOCH``; nothing else in the file
  depends on the clock, so a pinned time gives the same bytes.
- The file is built beside the target and renamed into place.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from itertools import groupby, pairwise
from pathlib import Path
from typing import Any, Final

from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped, unused-ignore]
from openpyxl.cell.cell import ERROR_CODES, Cell  # type: ignore[import-untyped, unused-ignore]
from openpyxl.styles import Font  # type: ignore[import-untyped, unused-ignore]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]
from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped, unused-ignore]

from .._errors import InputError, Problem
from .._model import Volunteer
from .._money import minor_unit
from .._report import Report, WeeklyStatement
from . import _columns as cols
from ._atomic import atomic_path
from ._health_sheet import write_health_sheet

__all__ = ["EXCEL_MAX_ROWS", "money_format", "write_workbook"]

#: Rows on one Excel worksheet, the header row included.
EXCEL_MAX_ROWS: Final = 1_048_576

#: The most characters one Excel cell holds.
_MAX_CELL_TEXT: Final = 32_767

#: Characters XML 1.0 cannot carry (C0 controls but tab, LF and CR; the two
#: non-characters at the end of the BMP; lone surrogates).
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

_SIX: Final = Decimal("0.000001")
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


def write_workbook(
    report: Report,
    path: str | os.PathLike[str],
    *,
    volunteers: Iterable[Volunteer] | None = None,
    run_info: Mapping[str, str] | None = None,
    created: datetime | None = None,
    row_limit: int = EXCEL_MAX_ROWS,
) -> Path:
    """Write the finance workbook for one pay run.

    Args:
        report: What ``compute()`` returned.
        path: Where the workbook should appear; an older file there is
            replaced only once the new one is complete.
        volunteers: The roster, to fill ``Name``, ``Payroll ID`` and
            ``Country``; by default the report's own roster. Left blank
            for volunteers not given.
        run_info: Facts only the caller knows, as ``Run`` rows in the given
            order. The key ``Rules SHA-256`` fills that row (blank if not
            given); other keys are added after the standard rows.
        created: The creation time written into the file (naive means UTC).
            Defaults to ``SOURCE_DATE_EPOCH`` if set, else now. Pinning it
            makes the bytes reproducible.
        row_limit: Rows per worksheet, header included; a longer sheet goes
            on in ``Lines (2)``, ``Lines (3)`` … with the header repeated.
            Only tests change it.

    Returns:
        The path written.

    Raises:
        InputError: ``SOURCE_DATE_EPOCH`` is not a whole number of seconds.
        ValueError: ``row_limit`` leaves no room for a data row.
        OSError: The file could not be written; nothing was left behind.
    """
    if row_limit < 2 or row_limit > EXCEL_MAX_ROWS:
        msg = f"row_limit must be between 2 and {EXCEL_MAX_ROWS}, got {row_limit}"
        raise ValueError(msg)
    when = _creation_time(created)
    roster = {v.id: v for v in (report.volunteers if volunteers is None else volunteers)}
    target = Path(path)
    with atomic_path(target) as tmp:
        wb = Workbook(write_only=True)
        try:
            wb.properties.creator = "oncall_pay"
            wb.properties.created = when
            wb.properties.modified = when
            _write_sheets(wb, report, roster, run_info or {}, row_limit)
            _save(wb, tmp, when)
        except BaseException:
            _discard(wb)
            raise
    return target


# -- sheets --------------------------------------------------------------------


def _write_sheets(
    wb: Any,
    report: Report,
    roster: Mapping[str, Volunteer],
    run_info: Mapping[str, str],
    row_limit: int,
) -> None:
    _summary(_Table(wb, "Summary", cols.SUMMARY, row_limit), report, roster)
    write_health_sheet(wb, report, roster, row_limit, text=_text_cell, number=_plain_number)
    weekly = _Table(wb, "Weekly", cols.WEEKLY, row_limit)
    for st in report.statements:
        weekly.append(cols.weekly_values(st, roster.get(st.volunteer_id)), st.currency)
    weekly.finish()

    lines = _Table(wb, "Lines", cols.LINES, row_limit)
    for st in report.statements:
        for li in st.lines:
            lines.append(
                (
                    st.volunteer_id,
                    st.week,
                    li.kind,
                    li.category,
                    li.quantity,
                    li.unit,
                    li.rate,
                    li.multiplier,
                    li.amount,
                    st.currency,
                ),
                st.currency,
            )
    lines.finish()

    pages = _Table(wb, "Pages", cols.PAGES, row_limit)
    for p in report.pages:
        pages.append(
            (
                p.page_id,
                p.volunteer_id,
                _local(p.at),
                _offset(p.at),
                p.week,
                p.category,
                p.counted,
                p.reason,
                _local(p.work_from),
                _local(p.work_to),
            )
        )
    pages.finish()

    holidays = _Table(wb, "Holidays", cols.HOLIDAYS, row_limit)
    for h in report.holidays:
        holidays.append((h.country, h.subdivision, h.date, h.name, h.source))
    holidays.finish()

    notices = _Table(wb, "Notices", cols.NOTICES, row_limit)
    for n in report.notices:
        notices.append((n.kind, n.volunteer_id, n.detail))
    notices.finish()

    run = _Table(wb, "Run", cols.RUN, row_limit)
    for key, value in _run_rows(report, run_info):
        run.append((key, value))
    run.finish()


def _summary(table: _Table, report: Report, roster: Mapping[str, Volunteer]) -> None:
    # Statements come sorted by volunteer: one volunteer's running totals at a
    # time keep the memory flat however many weeks the run has.
    for vid, statements in groupby(_by_volunteer(report.statements), key=_volunteer_id):
        sums: dict[str, _SummarySums] = {}
        for st in statements:
            sums.setdefault(st.currency, _SummarySums()).add(st)
        vol = roster.get(vid)
        for currency, total in sorted(sums.items()):
            table.append(
                (
                    vid,
                    vol.name if vol else None,
                    vol.payroll_id if vol else None,
                    vol.country if vol else None,
                    currency,
                    total.weeks,
                    total.money["Stipend"],
                    total.money["Standby"],
                    total.money["Callout"],
                    total.money["Page fees"],
                    total.interrupted,
                    total.money["Weekend bonus"],
                    total.money["Cap adjustment"],
                    total.total,
                    total.toil,
                ),
                currency,
            )
    totals = report.totals()
    if totals:
        _summary_totals(table, totals)
    table.finish()


class _SummarySums:
    """One Summary row's running totals: one volunteer, one currency."""

    __slots__ = ("interrupted", "money", "toil", "total", "weeks")

    def __init__(self) -> None:
        self.weeks = 0
        self.money = dict.fromkeys(cols.MONEY_HEADERS, Decimal(0))
        self.interrupted = Decimal(0)
        self.total = Decimal(0)
        self.toil = Decimal(0)

    def add(self, statement: WeeklyStatement) -> None:
        parts = cols.breakdown(statement)
        for header, amount in parts.money.items():
            self.money[header] += amount
        self.interrupted += parts.interrupted
        self.total += statement.total
        self.toil += statement.toil_days
        self.weeks += 1


def _volunteer_id(statement: WeeklyStatement) -> str:
    return statement.volunteer_id


def _by_volunteer(statements: Sequence[WeeklyStatement]) -> Iterable[WeeklyStatement]:
    """The statements grouped by volunteer: as given when already in order
    (``compute`` sorts them), else a sorted copy (a report built by hand)."""
    ordered = all(a.volunteer_id <= b.volunteer_id for a, b in pairwise(statements))
    return statements if ordered else sorted(statements, key=_volunteer_id)


def _summary_totals(table: _Table, totals: Mapping[str, Decimal]) -> None:
    """A blank row, then per currency: the total and a Check formula beside it."""
    data = table.data_ranges()
    table.ensure_room(1 + len(totals))
    currency = get_column_letter(_index(cols.SUMMARY, "Currency") + 1)
    total = get_column_letter(_index(cols.SUMMARY, "Total") + 1)
    table.append_extra(())
    for code, amount in totals.items():
        table.ensure_room(1)
        here = table.current_title
        # One SUMIF per Summary part; ranges on another part name their sheet.
        refs = [("" if title == here else f"'{title}'!", last) for title, last in data]
        check = "+".join(
            f'SUMIF({ref}{currency}2:{currency}{last},"{code}",{ref}{total}2:{total}{last})'
            for ref, last in refs
        )
        row: dict[str, object] = {
            "Volunteer ID": f"Total {code}",
            "Currency": code,
            "Total": amount,
        }
        values: list[object] = [row.get(c.header) for c in cols.SUMMARY]
        # Check sits right beside Total (in the TOIL days column, blank on
        # these rows), its label after it.
        values[_index(cols.SUMMARY, "Total") + 1] = _Formula("=" + check)
        values.append(f"Check: SUMIF of Total over the {code} rows above; equals Total")
        table.append_extra(values, code)


def _index(columns: Sequence[cols.Column], header: str) -> int:
    return next(i for i, c in enumerate(columns) if c.header == header)


def _run_rows(report: Report, run_info: Mapping[str, str]) -> Iterator[tuple[str, object]]:
    yield "Rules name", report.policy_name
    yield "Rules SHA-256", run_info.get("Rules SHA-256")
    yield "Period from", report.period_start
    yield "Period to", report.period_end
    weeks = sorted(report.week_starts)
    yield "Pay weeks reported", len(weeks)
    yield "First pay week starts", weeks[0] if weeks else None
    yield "Last pay week ends", weeks[-1] + timedelta(days=6) if weeks else None
    counts = dict(report.input_counts)
    for key in ("volunteers", "shifts", "pages"):
        yield f"Input rows: {key}", counts.pop(key, None)
    for key, count in sorted(counts.items()):
        yield f"Input rows: {key}", count
    yield "Statements", len(report.statements)
    yield "Currencies", ", ".join(report.currencies)
    yield "oncall_pay version", _version("oncall-pay")
    yield "holidays version", _version("holidays")
    yield "tzdata version", _version("tzdata")
    yield "openpyxl version", _version("openpyxl")
    for key, value in run_info.items():
        if key != "Rules SHA-256":
            yield key, value


def _version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def _local(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: the local wall time goes in the cell and the
    # offset in its own column.
    return None if moment is None else moment.replace(tzinfo=None)


def _offset(moment: datetime) -> str | None:
    offset = moment.utcoffset()
    if offset is None:
        return None
    sign = "-" if offset < timedelta(0) else "+"
    seconds = int(abs(offset).total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    return f"{text}:{secs:02d}" if secs else text


# -- cells ---------------------------------------------------------------------


class _Formula(str):
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


class _Table:
    """One logical sheet, streamed over as many worksheets as its rows need.

    Cells that need a number format are made once per column (and currency)
    and reused row after row: openpyxl writes a row as it is appended, so
    the cell objects are free again when ``append`` returns. That keeps a
    styled cell about as cheap as a plain value.
    """

    def __init__(self, wb: Any, title: str, columns: Sequence[cols.Column], row_limit: int) -> None:
        self._wb = wb
        self._title = title
        self._columns = columns
        self._limit = row_limit
        self._last_col = get_column_letter(len(columns))
        self._bold = Font(bold=True)
        # Per part: (worksheet, title, last row, last data row).
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
        part[0].append([None if v is None else convert[i](v) for i, v in enumerate(values)])
        part[2] += 1
        part[3] = part[2]

    def append_extra(self, values: Sequence[object], currency: str = "") -> None:
        """Write a row outside the autofilter and the data ranges (Summary's totals).

        It may be wider than the header; a ``_Formula`` becomes a formula
        with the currency's number format.
        """
        part = self._room()
        self._currency = currency
        ws = part[0]
        row: list[object] = []
        for i, v in enumerate(values):
            if isinstance(v, _Formula):
                cell = WriteOnlyCell(ws, str(v))
                cell.number_format = money_format(currency)
                row.append(cell)
            elif v is None:
                row.append(None)
            elif i < len(self._convert):
                row.append(self._convert[i](v))
            else:
                row.append(_text_cell(ws, v))
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
        for ws, _title, _last, last_data in self._parts:
            ws.auto_filter.ref = f"A1:{self._last_col}{last_data}"

    def _room(self) -> list[Any]:
        if self._parts[-1][2] >= self._limit:
            self._new_part()
        return self._parts[-1]

    def _new_part(self) -> None:
        number = len(self._parts) + 1
        title = self._title if number == 1 else f"{self._title} ({number})"
        ws = self._wb.create_sheet(title)
        # Write-only sheets take widths and panes before the first row.
        for i, column in enumerate(self._columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = column.width
        ws.freeze_panes = "A2"
        header = []
        for column in self._columns:
            cell = WriteOnlyCell(ws, column.header)
            cell.font = self._bold
            header.append(cell)
        ws.append(header)
        self._parts.append([ws, title, 1, 1])
        self._convert = [self._converter(ws, c.kind) for c in self._columns]

    def _converter(self, ws: Any, kind: cols.Kind) -> Callable[[Any], Any]:
        if kind == "text":
            return lambda v: _text_cell(ws, v)
        if kind == "value":
            return lambda v: _any_cell(ws, v)
        if kind in ("number", "count", "bool"):
            return _plain_number
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


def _text_cell(ws: Any, value: object) -> Any:
    text = _NOT_XML.sub("\ufffd", str(value))[:_MAX_CELL_TEXT]
    if (len(text) > 1 and text[0] == "=") or text in ERROR_CODES:
        # openpyxl would store these as a formula or an error value.
        cell = WriteOnlyCell(ws, text)
        cell.data_type = "s"
        return cell
    return text


def _any_cell(ws: Any, value: object) -> Any:
    if isinstance(value, str):
        return _text_cell(ws, value)
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = _DATETIME_FORMAT if isinstance(value, datetime) else _DATE_FORMAT
        return cell
    return _plain_number(value)


def _plain_number(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value.quantize(_SIX)) + 0.0  # + 0.0 turns -0.0 into 0.0
    return value


def _money_number(value: Decimal) -> float:
    return float(value) + 0.0


# -- reproducible, atomic saving ------------------------------------------------


def _creation_time(created: datetime | None) -> datetime:
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
