"""The finance workbook: one xlsx per pay run, streamed with openpyxl.

Sheets, in order: ``Summary``, ``Health`` (``_health_sheet.py``), ``Weekly``,
``Lines``, ``Pages``, ``Holidays``, ``Notices``, ``Run``. ``docs/workbook.md``
explains every column for finance, ``docs/health.md`` the Health sheet.

How the file is made (streamed, text kept as text, money as numbers with
the currency's format, reproducible bytes, atomic) is ``_xlsx.py``'s job.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import groupby, pairwise
from pathlib import Path
from typing import Any, Final

import attrs
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]

from .. import _columns as cols
from .._model import Volunteer
from .._report import Report, WeeklyStatement
from .._vocab import PageReason
from .._weeks import week_end
from ._health_sheet import write_health_sheet
from ._ledger_sheets import LedgerSheets, write_ledger_sheets
from ._xlsx import (
    EXCEL_MAX_ROWS,
    CellCheck,
    Formula,
    SumColumn,
    Table,
    money_format,
    money_width,
    package_version,
    streamed_workbook,
    text_width,
)

__all__ = ["EXCEL_MAX_ROWS", "money_format", "write_workbook"]


def write_workbook(
    report: Report,
    path: str | os.PathLike[str],
    *,
    volunteers: Iterable[Volunteer] | None = None,
    run_info: Mapping[str, str] | None = None,
    created: datetime | None = None,
    row_limit: int = EXCEL_MAX_ROWS,
    ledger: LedgerSheets | None = None,
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
        ledger: For a run of the ledger: its adjustments and time off in
            lieu, written as the ``To pay``, ``Adjustments`` and ``TOIL``
            sheets before ``Run``; ``None`` (an export) writes none of them.

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
    _check_cells_hold(report, target)
    with streamed_workbook(target, created=created, row_limit=row_limit) as wb:
        roster = {v.id: v for v in (report.volunteers if volunteers is None else volunteers)}
        _write_sheets(wb, report, roster, run_info or {}, row_limit, ledger)
    return target


def _check_cells_hold(report: Report, target: Path) -> None:
    """Refuse, before writing, amounts and rates that a cell would change."""
    cells = CellCheck(str(target))
    # Summary's money columns: each volunteer's sums per currency.
    sums: dict[tuple[str, str], dict[str, Decimal]] = {}
    for st in report.statements:
        where = f"volunteer {st.volunteer_id!r} week {st.week}"
        cells.check(st.total, where, "Total")
        for line in st.lines:
            cells.check(line.amount, where, "Amount")
            cells.check(line.rate, where, "Rate")
        mine = sums.setdefault((st.volunteer_id, st.currency), {"Total": Decimal(0)})
        mine["Total"] += st.total
        if len(st.lines) > 1:  # a column holding one line's amount is checked above
            for header, amount in cols.breakdown(st).money.items():
                cells.check(amount, where, header)
                mine[header] = mine.get(header, Decimal(0)) + amount
        else:
            for line in st.lines:
                header = cols.KIND_COLUMN.get(line.kind, line.kind)
                mine[header] = mine.get(header, Decimal(0)) + line.amount
    for (vid, currency), columns in sums.items():
        for header, amount in columns.items():
            cells.check(amount, f"volunteer {vid!r} ({currency}) on Summary", header)
    for currency, total in report.totals().items():
        cells.check(total, f"the run's {currency} total", "Total")
    cells.raise_problems()


# -- sheets --------------------------------------------------------------------


def _write_sheets(
    wb: Any,
    report: Report,
    roster: Mapping[str, Volunteer],
    run_info: Mapping[str, str],
    row_limit: int,
    ledger: LedgerSheets | None = None,
) -> None:
    room = _MoneyRoom.of(report.statements)
    summary = Table(
        wb,
        "Summary",
        cols.SUMMARY,
        row_limit,
        widths={
            **dict.fromkeys(_money_indexes(cols.SUMMARY), room.summary),
            # The Check sits in the TOIL days column, its label after it.
            _index(cols.SUMMARY, "TOIL days"): room.summary,
            len(cols.SUMMARY): _CHECK_LABEL_WIDTH,
        },
    )
    _summary(summary, report, roster)
    write_health_sheet(wb, report, roster, row_limit)
    weekly = Table(
        wb,
        "Weekly",
        cols.WEEKLY,
        row_limit,
        widths=dict.fromkeys(_money_indexes(cols.WEEKLY), room.week),
        total=WEEKLY_TOTAL,
    )
    for st in report.statements:
        weekly.append(cols.weekly_values(st, roster.get(st.volunteer_id)), st.currency)
    weekly.finish()

    lines = Table(
        wb,
        "Lines",
        cols.LINES,
        row_limit,
        widths={_index(cols.LINES, "Amount"): room.week, _index(cols.LINES, "Rate"): room.rate},
    )
    for st in report.statements:
        for li in st.lines:
            lines.append(
                (
                    st.volunteer_id,
                    st.week,
                    li.kind,
                    li.category,
                    li.tier,
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

    pages = Table(wb, "Pages", cols.PAGES, row_limit)
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
                p.tier,
            )
        )
    pages.finish()

    holidays = Table(wb, "Holidays", cols.HOLIDAYS, row_limit)
    for h in report.holidays:
        holidays.append((h.country, h.subdivision, h.date, h.name, h.source))
    holidays.finish()

    notices = Table(wb, "Notices", cols.NOTICES, row_limit)
    for n in report.notices:
        notices.append((n.kind, n.volunteer_id, n.detail))
    notices.finish()

    if ledger is not None:
        write_ledger_sheets(wb, report, roster, ledger, row_limit)

    run = Table(wb, "Run", cols.RUN, row_limit)
    for key, value in _run_rows(report, run_info):
        run.append((key, value))
    run.finish()


def _index(columns: Sequence[cols.Column], header: str) -> int:
    return next(i for i, c in enumerate(columns) if c.header == header)


def _weekly_total() -> SumColumn:
    money = [i for i, c in enumerate(cols.WEEKLY) if c.header in cols.MONEY_HEADERS]
    return SumColumn(_index(cols.WEEKLY, "Total"), tuple(money))


#: Weekly's ``Total``: the formula ``=M2+N2+O2+P2+R2+S2`` (its money columns,
#: not the count of interrupted weekends between them), with the value.
WEEKLY_TOTAL: Final = _weekly_total()

#: The note beside each Summary Check, and the width of its column.
_CHECK_LABEL: Final = "Check: SUMIF of the {code} Totals above"
_CHECK_LABEL_WIDTH: Final = text_width(_CHECK_LABEL.format(code="EUR"))


def _money_indexes(columns: Sequence[cols.Column]) -> list[int]:
    return [i for i, c in enumerate(columns) if c.kind == "money"]


@attrs.frozen
class _MoneyRoom:
    """How wide the money columns must be to show the run's amounts whole.

    Each bound is in characters of the widest formatted amount (sign,
    thousands separators, the currency code) plus a margin. A money cell of
    a week is a sum of some of its lines, so it is at most the sum of the
    lines' absolute amounts; a Summary cell (and a total) at most that sum
    over every week in its currency.

    Attributes:
        week: Weekly's money columns and the Amount of Lines.
        summary: Summary's money columns and its totals.
        rate: The Rate of Lines (up to 4 places past the minor unit).
    """

    week: float
    summary: float
    rate: float

    @classmethod
    def of(cls, statements: Sequence[WeeklyStatement]) -> _MoneyRoom:
        week: dict[str, Decimal] = {}
        run: dict[str, Decimal] = {}
        rate: dict[str, Decimal] = {}
        for st in statements:
            gross = Decimal(0)
            widest_rate = Decimal(0)
            for li in st.lines:
                gross += abs(li.amount)
                if li.rate is not None and abs(li.rate) > widest_rate:
                    widest_rate = abs(li.rate)
            code = st.currency
            week[code] = max(week.get(code, Decimal(0)), gross)
            run[code] = run.get(code, Decimal(0)) + gross
            rate[code] = max(rate.get(code, Decimal(0)), widest_rate)
        return cls(
            week=money_width(week),
            summary=money_width(run),
            rate=money_width(rate, extra_places=4),
        )


def _summary(table: Table, report: Report, roster: Mapping[str, Volunteer]) -> None:
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
                    *cols.money_cells(total.money, total.interrupted),
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


def _summary_totals(table: Table, totals: Mapping[str, Decimal]) -> None:
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
        values[_index(cols.SUMMARY, "Total") + 1] = Formula("=" + check)
        values.append(_CHECK_LABEL.format(code=code))
        table.append_extra(values, code)


#: Where every shift row went (docs/workbook.md#run): the first two add up
#: to ``Input rows: shifts``.
_SHIFT_ACCOUNTING: Final = {
    "shifts_in_reported_weeks": "Shifts in the reported weeks",
    "shifts_outside_reported_weeks": "Shifts wholly outside the reported weeks (not paid)",
    "shift_overlaps": "Shift overlaps merged (paid once)",
}


def _run_rows(report: Report, run_info: Mapping[str, str]) -> Iterator[tuple[str, object]]:
    yield "Rules name", report.policy_name
    yield "Rules SHA-256", run_info.get("Rules SHA-256")
    yield "Period from", report.period_start
    yield "Period to", report.period_end
    weeks = sorted(report.week_starts)
    yield "Pay weeks reported", len(weeks)
    yield "First pay week starts", weeks[0] if weeks else None
    yield "Last pay week ends", week_end(weeks[-1]) if weeks else None
    counts = dict(report.input_counts)
    for key in ("volunteers", "shifts", "pages"):
        yield f"Input rows: {key}", counts.pop(key, None)
    for key, label in _SHIFT_ACCOUNTING.items():
        if key in counts:
            yield label, counts.pop(key)
    for key, count in sorted(counts.items()):
        yield f"Input rows: {key}", count
    # Every page is a Pages row with its reason; these add up to the pages read.
    yield "Pages counted for pay", sum(p.counted for p in report.pages)
    reasons = Counter(p.reason for p in report.pages if not p.counted)
    for reason in PageReason:
        yield f"Pages not counted: {reason.value}", reasons.get(reason, 0)
    yield "Statements", len(report.statements)
    yield "Currencies", ", ".join(report.currencies)
    yield "oncall_pay version", package_version("oncall-pay")
    yield "holidays version", package_version("holidays")
    yield "tzdata version", package_version("tzdata")
    yield "openpyxl version", package_version("openpyxl")
    for key, value in run_info.items():
        if key != "Rules SHA-256":
            yield key, value


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
