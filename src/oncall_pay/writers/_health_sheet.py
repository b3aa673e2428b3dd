"""The ``Health`` sheet of the finance workbook (``spec/health.md``).

Three tables, one under another, each with its header row: the team per
calendar month, then the volunteers per month, then the fairness figures.
Beside the team table, a bar chart of counted pages per month with the
monthly target drawn as a line over the bars.

Like every sheet it is streamed (openpyxl write-only mode, which takes a
chart as long as it is added before the sheet is saved), its rows written
as text as a ``Table``'s are (``TextRows``). Only the volunteer
table can grow with the run; a part that reaches the row limit goes on in
``Health (2)`` with that table's header repeated. The sheet prints on pages
one wide, landscape, so the chart comes out beside the tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from openpyxl.chart import BarChart, LineChart, Reference  # type: ignore[import-untyped, unused-ignore]
from openpyxl.chart.marker import Marker  # type: ignore[import-untyped, unused-ignore]
from openpyxl.chart.shapes import GraphicalProperties  # type: ignore[import-untyped, unused-ignore]
from openpyxl.styles import Font  # type: ignore[import-untyped, unused-ignore]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]

from .. import _columns as cols
from .._model import Volunteer
from .._report import Report
from ._xlsx import TextRows, plain_number, print_setup

__all__ = ["CHART_ANCHOR", "write_health_sheet"]

#: Where the chart's top-left corner sits: right of the widest table.
CHART_ANCHOR: Final = "K2"
_BAR_COLOUR: Final = "4472C4"
_TARGET_COLOUR: Final = "C00000"
_SHARE_FORMAT: Final = "0.0%"


class _Part:
    """One worksheet of the sheet: its rows, and the first table's extent."""

    def __init__(self, ws: Any, rows: TextRows) -> None:
        self.ws = ws
        self.text = rows
        self.rows = 0
        self.filter_columns = 1
        self.filter_rows = 1
        self.filtering = True  # the first table on the part is still being written


class _Stacked:
    """Tables one under another on one logical sheet, streamed over parts;
    the rows are written as text, as a ``Table``'s are."""

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
        self.parts: list[_Part] = []
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
        text = part.text
        r = str(part.rows + 1)
        row: list[str] = []
        for i, (column, value) in enumerate(zip(self._columns, values, strict=True)):
            if value is None:
                continue
            ref = get_column_letter(i + 1) + r
            if column.kind == "text":
                row.append(text.text(ref, value))
            elif formats and i in formats:
                row.append(text.number(ref, plain_number(value), formats[i]))
            else:
                row.append(text.number(ref, plain_number(value)))
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
        r = str(part.rows + 1)
        self._write(
            [
                part.text.header(get_column_letter(i + 1) + r, column.header, self._bold)
                for i, column in enumerate(self._columns)
            ]
        )
        if part.rows == 1:
            part.filter_columns = len(self._columns)

    def _write(self, cells: Sequence[str]) -> None:
        part = self.parts[-1]
        part.rows += 1
        part.text.add(part.rows, cells)

    def _new_part(self) -> None:
        number = len(self.parts) + 1
        title = self._title if number == 1 else f"{self._title} ({number})"
        ws = self._wb.create_sheet(title)
        # Widths, panes and page setup go in the sheet's top, written now.
        tables = (cols.HEALTH_MONTHS, cols.HEALTH_VOLUNTEERS, cols.HEALTH_FAIRNESS)
        for i in range(max(len(t) for t in tables)):
            width = max(t[i].width for t in tables if i < len(t))
            ws.column_dimensions[get_column_letter(i + 1)].width = width
        ws.freeze_panes = "A2"
        # No repeated rows: the tables under the first have headers of their own.
        print_setup(ws, title_rows=None)
        self.parts.append(_Part(ws, TextRows(ws)))


def _chart(ws: Any, months: int, target: int) -> Any:
    """Counted pages per month as bars, the target as a line over them."""
    categories = Reference(ws, min_col=1, min_row=2, max_row=1 + months)
    bars = BarChart()
    bars.type = "col"
    bars.title = f"Counted pages per month (target < {target})"
    bars.y_axis.title = "Counted pages"
    bars.x_axis.title = "Month (UTC)"
    bars.y_axis.scaling.min = 0
    bars.y_axis.majorGridlines = None
    # openpyxl 3.1 marks axes deleted unless told otherwise: keep them visible.
    bars.x_axis.delete = False
    bars.y_axis.delete = False
    bars.add_data(Reference(ws, min_col=3, min_row=1, max_row=1 + months), titles_from_data=True)
    bars.set_categories(categories)
    bars.series[0].graphicalProperties.solidFill = _BAR_COLOUR
    bars.series[0].graphicalProperties.line.solidFill = _BAR_COLOUR
    line = LineChart()
    line.add_data(Reference(ws, min_col=4, min_row=1, max_row=1 + months), titles_from_data=True)
    line.set_categories(categories)
    target_line = line.series[0]
    target_line.graphicalProperties.line.solidFill = _TARGET_COLOUR
    target_line.graphicalProperties.line.width = 28575  # 2.25 pt, in EMU
    target_line.smooth = False
    # A marker on every month, so the target shows even for a single month.
    target_line.marker = Marker(symbol="dash", size=20)
    target_line.marker.graphicalProperties = GraphicalProperties(solidFill=_TARGET_COLOUR)
    target_line.marker.graphicalProperties.line.solidFill = _TARGET_COLOUR
    bars += line
    bars.legend.position = "b"
    bars.width, bars.height = 18, 9  # cm
    return bars


def write_health_sheet(
    wb: Any,
    report: Report,
    roster: Mapping[str, Volunteer],
    row_limit: int,
) -> None:
    """Write ``Health`` (and its continuations) into a write-only workbook.

    A report without health measures (built by hand) gets the team table's
    header only.

    Args:
        wb: The workbook, in write-only mode.
        report: The pay run.
        roster: Volunteers by id, for the ``Name`` column.
        row_limit: Rows per worksheet, header included.
    """
    sheet = _Stacked(wb, "Health", row_limit)
    sheet.table(cols.HEALTH_MONTHS)
    health = report.health
    if health is None:
        sheet.finish()
        return
    target = health.settings.monthly_page_target
    for m in health.months:
        sheet.append(
            (
                m.month,
                m.partial,
                m.counted_pages,
                target,
                m.below_target,
                m.sleep_hour_pages,
                m.interrupted_rest_blocks,
                m.volunteers_paged,
                m.escalations,
            )
        )
    if health.months:
        # The chart reads the team rows of the first part (all of them, but
        # for the tiny row limits of tests).
        first = sheet.parts[0]
        shown = min(len(health.months), first.filter_rows - 1)
        first.ws.add_chart(_chart(first.ws, shown, target), CHART_ANCHOR)
    sheet.table(cols.HEALTH_VOLUNTEERS)
    share = {len(cols.HEALTH_VOLUNTEERS) - 1: _SHARE_FORMAT}
    for vm in health.volunteers:
        volunteer = roster.get(vm.volunteer_id)
        sheet.append(
            (
                vm.volunteer_id,
                volunteer.name if volunteer is not None else None,
                vm.month,
                vm.off_hours_hours,
                vm.counted_pages,
                vm.sleep_hour_pages,
                vm.interrupted_rest_blocks,
                vm.longest_run_days,
                vm.escalations,
                vm.page_share,
            ),
            share,
        )
    sheet.table(cols.HEALTH_FAIRNESS)
    for f in health.fairness:
        sheet.append((f.measure, f.volunteers, f.minimum, f.median, f.maximum, f.gini))
    sheet.finish()
