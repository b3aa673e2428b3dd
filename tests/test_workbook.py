"""The finance workbook, its CSV and JSON siblings, and reading it back (workbook.md)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest
from hypothesis import given
from openpyxl.worksheet import _writer as openpyxl_sheet_writer

import oncall_pay as op
from oncall_pay import _columns as cols
from oncall_pay._money import minor_unit
from oncall_pay.readers.workbook import WorkbookStatement, read_workbook
from oncall_pay.writers import _xlsx as xlsxmod
from oncall_pay.writers import workbook as wbmod
from oncall_pay.writers.csv import write_weekly_csv
from oncall_pay.writers.json import write_json
from oncall_pay.writers.workbook import write_workbook
from strategies import pay_runs
from strategies_workbook import reports

SHEETS = ("Summary", "Health", "Weekly", "Lines", "Pages", "Holidays", "Notices", "Run")
HEADERS = {
    "Summary": (
        "Volunteer ID", "Name", "Payroll ID", "Country", "Currency", "Weeks", "Stipend",
        "Standby", "Callout", "Page fees", "Interrupted weekends", "Weekend bonus",
        "Cap adjustment", "Total", "TOIL days",
    ),
    # Health's first table (the team per month); its other tables follow below.
    "Health": (
        "Month", "Partial", "Counted pages", "Target", "Below target", "Sleep-hour pages",
        "Interrupted rest blocks", "Volunteers paged", "Escalations",
    ),
    "Weekly": (
        "Volunteer ID", "Name", "Week", "Week start", "Currency", "Rules version", "In-hours h",
        "Workday off-hours h", "Night h", "Weekend h", "Holiday h", "Pages", "Counted pages",
        "Stipend", "Standby", "Callout", "Page fees", "Interrupted weekends", "Weekend bonus",
        "Cap adjustment", "Total", "TOIL days",
    ),
    "Lines": (
        "Volunteer ID", "Week", "Kind", "Category", "Tier", "Quantity", "Unit", "Rate",
        "Multiplier", "Amount", "Currency",
    ),
    "Pages": (
        "Page ID", "Volunteer ID", "At (local)", "UTC offset", "Week", "Category", "Counted",
        "Reason", "Work from (local)", "Work to (local)", "Tier",
    ),
    "Holidays": ("Country", "Subdivision", "Date", "Name", "Source"),
    "Notices": ("Kind", "Volunteer ID", "Detail"),
    "Run": ("Key", "Value"),
}  # fmt: skip
MONEY = ("Stipend", "Standby", "Callout", "Page fees", "Weekend bonus", "Cap adjustment")
EVIL_NAME = '=HYPERLINK("http://x","y")'
EVIL_ID = "+1"
PINNED = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


# --- a report built by hand -----------------------------------------------------

HOURS = {
    "in_hours": Decimal("45.000000"),
    "workday_off_hours": Decimal("66.000000"),
    "weekend": Decimal("48.000000"),
    "holiday": Decimal("0.000000"),
}


def _statement(
    vid: str,
    week_start: date,
    currency: str,
    lines: Sequence[op.LineItem],
    *,
    pages: tuple[str, ...] = (),
    counted: tuple[str, ...] = (),
    toil: str = "0",
) -> op.WeeklyStatement:
    year, number, _ = week_start.isocalendar()
    return op.WeeklyStatement(
        volunteer_id=vid,
        week=f"{year}-W{number:02d}",
        week_start=week_start,
        currency=currency,
        rules_version=date(2026, 1, 5),
        plan="default",
        lines=tuple(lines),
        hours=HOURS,
        covered={},
        page_ids=pages,
        counted_page_ids=counted,
        toil_days=Decimal(toil),
        total=sum((li.amount for li in lines), Decimal(0)),
    )


W46, W47 = date(2026, 11, 9), date(2026, 11, 16)
DUBLIN = op.Volunteer("alice", "Alice Byrne", "IE", "Europe/Dublin", payroll_id="E1001")
ROSTER = (
    DUBLIN,
    op.Volunteer("bob", "Bob Jones", "US", "America/Los_Angeles", "CA", payroll_id="U2001"),
    op.Volunteer("kenji", "Kenji Sato", "JP", "Asia/Tokyo", payroll_id="J3001"),
    op.Volunteer("layla", "Layla Haddad", "KW", "Asia/Kuwait", payroll_id="K4001"),
    op.Volunteer(EVIL_ID, EVIL_NAME, "IE", "Europe/Dublin", payroll_id="-x"),
)


def line(
    kind: str,
    category: str | None,
    quantity: str,
    unit: str | None,
    rate: str | None,
    multiplier: str | None,
    amount: str,
) -> op.LineItem:
    """A line item from decimal strings."""
    return op.LineItem(
        kind, category, Decimal(quantity), unit,
        None if rate is None else Decimal(rate),
        None if multiplier is None else Decimal(multiplier),
        Decimal(amount),
    )  # fmt: skip


def hand_report() -> op.Report:
    """Four currencies, a capped week, pages counted and not, an evil id."""
    stipend = line("stipend", None, "1.000000", "week", "300.00", None, "300.00")
    sts = (
        _statement(EVIL_ID, W46, "EUR", [stipend]),
        _statement(
            "alice", W46, "EUR",
            [
                stipend,
                line("standby", "weekend", "2.000000", "day", "50.00", None, "100.00"),
                line("callout", "weekend", "0.750000", "hour", "40.00", "1.5", "45.00"),
                line("page", "weekend", "2.000000", "page", "10.00", "1.5", "30.00"),
                line("interrupted_weekend", None, "1.000000", "block", "150.00", None, "150.00"),
                line("cap", None, "1", None, None, None, "-125.00"),
            ],
            pages=("PD-1", "PD-2", "PD-3"), counted=("PD-1", "PD-2"), toil="0.5",
        ),
        _statement(
            "alice", W47, "EUR",
            [line("stipend", None, "0.073171", "week", "300.00", None, "21.95")],
        ),
        _statement(
            "bob", W46, "USD",
            [line("callout", "holiday", "1.833333", "hour", "40.125", "2.0", "147.13")],
        ),
        _statement(
            "kenji", W47, "JPY",
            [line("standby", "workday_off_hours", "66.000000", "hour", "500", None, "33000")],
        ),
        _statement(
            "layla", W47, "KWD",
            [line("stipend", None, "0.5", "week", "30.125", None, "15.063")],
        ),
    )  # fmt: skip
    dublin = DUBLIN.zone
    pages = (
        op.PageOutcome(
            "PD-1", "alice", datetime(2026, 11, 14, 3, 12, tzinfo=dublin), "2026-W46", W46,
            "weekend", True, None,
            datetime(2026, 11, 14, 3, 12, tzinfo=dublin),
            datetime(2026, 11, 14, 3, 42, tzinfo=dublin),
        ),
        op.PageOutcome(
            "PD-3", "alice", datetime(2026, 11, 12, 11, 5, tzinfo=dublin), "2026-W46", W46,
            "in_hours", False, "in_hours", title=EVIL_NAME,
        ),
        op.PageOutcome(
            "PD-9", "bob", datetime(2026, 11, 11, 20, 0, tzinfo=ROSTER[1].zone),
            "2026-W46", W46, "holiday", True, None,
        ),
    )  # fmt: skip
    return op.Report(
        statements=sts,
        pages=pages,
        notices=(op.Notice("overlap", "alice", "=1+1 shifts overlap"),),
        holidays=(op.HolidayEntry("US", "CA", date(2026, 11, 11), "Veterans Day", "holidays"),),
        period_start=date(2026, 11, 8),
        period_end=date(2026, 11, 21),
        week_starts=(W46, W47),
        policy_name="Acme on-call",
        input_counts={"volunteers": 5, "shifts": 7, "pages": 3},
    )


def demo_report() -> tuple[op.Report, tuple[op.Volunteer, ...]]:
    """The built-in example team's November run, computed by the engine."""
    demo = Path(str(files("oncall_pay.demo")))
    vols = op.read_volunteers_csv(demo / "volunteers.csv")
    report = op.compute(
        vols,
        op.read_shifts_csv(demo / "shifts.csv"),
        op.read_pages_csv(demo / "pages.csv"),
        op.load_policy(demo / "rules.toml"),
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
    )
    return report, vols


# --- reading helpers -------------------------------------------------------------


def sheet_rows(path: Path, title: str, *, data_only: bool = False) -> list[tuple[Any, ...]]:
    """Every row of one sheet, header included: formulas as their text, or
    (``data_only``) the values stored with them, as pandas would see them."""
    wb = openpyxl.load_workbook(path, data_only=data_only)
    try:
        return [tuple(row) for row in wb[title].iter_rows(values_only=True)]
    finally:
        wb.close()


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheet titles, in order."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def records(path: Path, title: str) -> Iterator[dict[str, Any]]:
    """The data rows of a sheet as dicts by header (up to the first blank row),
    values as stored (a formula's stored value, not its text)."""
    rows = sheet_rows(path, title, data_only=True)
    for row in rows[1:]:
        if all(v is None for v in row):
            return
        yield dict(zip(rows[0], row, strict=False))


def cents(value: object, currency: str) -> Decimal:
    """A spreadsheet number as an amount in the currency's minor unit."""
    assert isinstance(value, int | float), value
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-minor_unit(currency)))


def dump(path: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Every sheet's cells, for comparing two workbooks cell by cell."""
    wb = openpyxl.load_workbook(path)
    try:
        return [(ws.title, [tuple(r) for r in ws.iter_rows(values_only=True)]) for ws in wb]
    finally:
        wb.close()


# --- sheets and columns ----------------------------------------------------------


def test_sheets_come_in_order_with_the_exact_headers(tmp_path: Path) -> None:
    """The workbook has Summary … Run in the spec's order, each with its exact header row."""
    path = write_workbook(hand_report(), tmp_path / "pay.xlsx", volunteers=ROSTER)
    wb = openpyxl.load_workbook(path)
    try:
        assert tuple(wb.sheetnames) == SHEETS
        for title in SHEETS:
            ws = wb[title]
            header = next(ws.iter_rows(max_row=1, values_only=True))
            # Summary's total rows reach one column further (the Check label).
            assert header[: len(HEADERS[title])] == HEADERS[title]
            assert set(header[len(HEADERS[title]) :]) <= {None}
            assert ws.freeze_panes == "A2"
            assert ws.auto_filter.ref is not None
            assert ws.auto_filter.ref.startswith("A1:")
            widths = [ws.column_dimensions[chr(65 + i)].width for i in range(len(HEADERS[title]))]
            assert all(w >= 7 for w in widths)
    finally:
        wb.close()


def test_every_money_cell_equals_the_statement_to_the_cent(tmp_path: Path) -> None:
    """Weekly and Lines carry each statement's amounts exactly, as numbers in its currency."""
    report = hand_report()
    path = write_workbook(report, tmp_path / "pay.xlsx", volunteers=ROSTER)
    weekly = list(records(path, "Weekly"))
    assert len(weekly) == len(report.statements)
    for row, st in zip(weekly, report.statements, strict=True):
        key = (row["Volunteer ID"], row["Week"], row["Currency"])
        assert key == (st.volunteer_id, st.week, st.currency)
        for kind, header in cols.KIND_COLUMN.items():
            assert cents(row[header], st.currency) == st.amount(kind)
        assert cents(row["Total"], st.currency) == st.total
        assert row["Interrupted weekends"] == sum(
            li.quantity for li in st.lines if li.kind == "interrupted_weekend"
        )
    lines = list(records(path, "Lines"))
    expected = [(st, li) for st in report.statements for li in st.lines]
    assert len(lines) == len(expected)
    for row, (st, li) in zip(lines, expected, strict=True):
        assert cents(row["Amount"], st.currency) == li.amount
        assert (row["Kind"], row["Category"], row["Unit"]) == (li.kind, li.category, li.unit)


def test_money_cells_are_numbers_with_the_currency_format(tmp_path: Path) -> None:
    """Amounts are numeric cells showing the currency's places: 2 for EUR, 0 for JPY, 3 for KWD."""
    path = write_workbook(hand_report(), tmp_path / "pay.xlsx")
    wb = openpyxl.load_workbook(path)
    try:
        ws = wb["Weekly"]
        header = [c.value for c in ws[1]]
        total = header.index("Total")
        formats = {row[4].value: row[total] for row in ws.iter_rows(min_row=2)}
        assert formats["EUR"].number_format == '#,##0.00 "EUR"'
        assert formats["JPY"].number_format == '#,##0 "JPY"'
        assert formats["KWD"].number_format == '#,##0.000 "KWD"'
        # Total is a formula with its value stored (test_workbook_print.py);
        # the amounts it adds up are numbers.
        assert all(c.data_type == "f" for c in formats.values())
        for row in ws.iter_rows(min_row=2):
            assert {row[header.index(h)].data_type for h in MONEY} == {"n"}
        start = ws.cell(row=2, column=header.index("Week start") + 1)
        assert start.is_date
        assert start.value == datetime(2026, 11, 9)
    finally:
        wb.close()


def test_money_columns_add_up_to_total_on_every_row(tmp_path: Path) -> None:
    """Stipend + Standby + Callout + Page fees + Weekend bonus + Cap adjustment = Total."""
    path = write_workbook(hand_report(), tmp_path / "pay.xlsx")
    for title in ("Summary", "Weekly"):
        rows = list(records(path, title))
        assert rows
        for row in rows:
            assert sum(cents(row[h], row["Currency"]) for h in MONEY) == cents(
                row["Total"], row["Currency"]
            )


def test_summary_has_one_row_per_volunteer_and_currency_then_checked_totals(
    tmp_path: Path,
) -> None:
    """Summary sums each volunteer's weeks; under a blank row, each currency's total and Check."""
    report = hand_report()
    path = write_workbook(report, tmp_path / "pay.xlsx", volunteers=ROSTER)
    rows = sheet_rows(path, "Summary")
    data = list(records(path, "Summary"))
    assert [(r["Volunteer ID"], r["Currency"]) for r in data] == [
        (EVIL_ID, "EUR"), ("alice", "EUR"), ("bob", "USD"), ("kenji", "JPY"), ("layla", "KWD"),
    ]  # fmt: skip
    alice = data[1]
    assert (alice["Name"], alice["Payroll ID"], alice["Country"]) == ("Alice Byrne", "E1001", "IE")
    assert alice["Weeks"] == 2
    assert cents(alice["Total"], "EUR") == Decimal("521.95")
    assert cents(alice["Cap adjustment"], "EUR") == Decimal("-125.00")
    assert alice["Interrupted weekends"] == 1
    assert alice["TOIL days"] == 0.5
    n = len(data) + 1
    assert rows[n] == (None,) * len(rows[n])
    totals = rows[n + 1 :]
    assert [r[0] for r in totals] == [f"Total {c}" for c in report.totals()]
    for row, (currency, total) in zip(totals, report.totals().items(), strict=True):
        assert row[4] == currency
        assert cents(row[13], currency) == total
        assert row[14] == f'=SUMIF(E2:E{n},"{currency}",N2:N{n})'
        assert "Check" in row[15]


def test_pages_show_local_time_and_utc_offset(tmp_path: Path) -> None:
    """Pages hold the volunteer's wall time as a date-time cell and its offset beside it."""
    path = write_workbook(hand_report(), tmp_path / "pay.xlsx")
    first, second, third = records(path, "Pages")
    assert first["At (local)"] == datetime(2026, 11, 14, 3, 12)
    assert first["UTC offset"] == "+00:00"
    assert (first["Counted"], first["Reason"]) == (True, None)
    assert first["Work to (local)"] == datetime(2026, 11, 14, 3, 42)
    assert (second["Counted"], second["Reason"], second["Work from (local)"]) == (
        False, "in_hours", None,
    )  # fmt: skip
    assert third["UTC offset"] == "-08:00"


def test_run_sheet_records_the_rules_window_counts_and_versions(tmp_path: Path) -> None:
    """Run lists rules name and SHA-256, period, reported window, input counts and versions."""
    info = {"Rules SHA-256": "ab" * 32, "Roster file": "roster.csv"}
    path = write_workbook(hand_report(), tmp_path / "pay.xlsx", run_info=info)
    run = dict(sheet_rows(path, "Run")[1:])
    assert run["Rules name"] == "Acme on-call"
    assert run["Rules SHA-256"] == "ab" * 32
    assert run["Period from"] == datetime(2026, 11, 8)
    assert run["Period to"] == datetime(2026, 11, 21)
    assert run["First pay week starts"] == datetime(2026, 11, 9)
    assert run["Last pay week ends"] == datetime(2026, 11, 22)
    assert run["Pay weeks reported"] == 2
    assert (run["Input rows: volunteers"], run["Input rows: shifts"]) == (5, 7)
    assert run["oncall_pay version"] == op.__version__
    assert run["holidays version"]
    assert run["tzdata version"]
    assert run["Roster file"] == "roster.csv"


def test_name_columns_are_blank_without_a_roster(tmp_path: Path) -> None:
    """Without volunteers, Name, Payroll ID and Country are empty, everything else is there."""
    path = write_workbook(hand_report(), tmp_path / "pay.xlsx")
    for row in records(path, "Summary"):
        assert (row["Name"], row["Payroll ID"], row["Country"]) == (None, None, None)
        assert row["Volunteer ID"]


def test_a_line_kind_without_a_column_is_refused(tmp_path: Path) -> None:
    """A line of an unknown kind would break the row sums, so nothing is written."""
    report = hand_report()
    odd = line("bonus", None, "1", None, None, None, "1.00")
    st = report.statements[0]
    bad = _statement(st.volunteer_id, st.week_start, st.currency, [*st.lines, odd])
    report = _replace_statements(report, (bad,))
    with pytest.raises(cols.UnknownLineKindError, match="bonus"):
        write_workbook(report, tmp_path / "pay.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_summary_groups_a_hand_built_report_whatever_the_statement_order(
    tmp_path: Path,
) -> None:
    """One volunteer paid in two currencies week by week, statements in
    compute's order or shuffled: one Summary row per (volunteer, currency),
    sorted, every week counted once."""
    report = hand_report()
    sts = report.statements
    assert [st.volunteer_id for st in sts[1:3]] == ["alice", "alice"]
    gbp = _statement(
        "alice", W46, "GBP", [line("stipend", None, "1.000000", "week", "250.00", None, "250.00")]
    )
    # alice: EUR W46, GBP W46, EUR W47 — sorted by volunteer, currencies interleaved.
    in_order = _replace_statements(report, (sts[0], sts[1], gbp, *sts[2:]))
    shuffled = _replace_statements(report, tuple(reversed(in_order.statements)))
    a = write_workbook(in_order, tmp_path / "a.xlsx", volunteers=ROSTER)
    b = write_workbook(shuffled, tmp_path / "b.xlsx", volunteers=ROSTER)
    for path in (a, b):
        data = list(records(path, "Summary"))
        assert [(r["Volunteer ID"], r["Currency"], r["Weeks"]) for r in data] == [
            (EVIL_ID, "EUR", 1), ("alice", "EUR", 2), ("alice", "GBP", 1),
            ("bob", "USD", 1), ("kenji", "JPY", 1), ("layla", "KWD", 1),
        ]  # fmt: skip
        assert cents(data[1]["Total"], "EUR") == Decimal("521.95")
        assert cents(data[2]["Total"], "GBP") == Decimal("250.00")
    assert sheet_rows(a, "Summary") == sheet_rows(b, "Summary")


def _replace_statements(report: op.Report, sts: tuple[op.WeeklyStatement, ...]) -> op.Report:
    return attrs.evolve(report, statements=sts)


# --- text stays text -----------------------------------------------------------


def test_input_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    """Names and ids such as =HYPERLINK(…) and +1 are written and read back as strings."""
    path = write_workbook(hand_report(), tmp_path / "pay.xlsx", volunteers=ROSTER)
    wb = openpyxl.load_workbook(path)
    try:
        summary = wb["Summary"]
        evil = next(r for r in summary.iter_rows(min_row=2) if r[0].value == EVIL_ID)
        assert (evil[0].data_type, evil[1].data_type, evil[2].data_type) == ("s", "s", "s")
        assert (evil[1].value, evil[2].value) == (EVIL_NAME, "-x")
        notice = wb["Notices"]["C2"]
        assert (notice.value, notice.data_type) == ("=1+1 shifts overlap", "s")
    finally:
        wb.close()
    with zipfile.ZipFile(path) as z:
        summary_xml = z.read("xl/worksheets/sheet1.xml").decode()
    # The only formulas in the file are the Check formulas the writer made.
    assert summary_xml.count("<f>") == len(hand_report().totals())
    assert "HYPERLINK" not in summary_xml.split("<f>", 1)[1]


def test_error_codes_and_control_characters_in_text_are_kept_as_text(tmp_path: Path) -> None:
    """#N/A stays a string; characters XML cannot hold become U+FFFD rather than failing."""
    report = _replace_statements(
        hand_report(),
        tuple(
            _statement(vid, W46, "EUR", [])
            for vid in ("#N/A", "bell\x07", " padded ", "tab\tcr\rlf\n")
        ),
    )
    path = write_workbook(report, tmp_path / "pay.xlsx")
    ids = [row["Volunteer ID"] for row in records(path, "Weekly")]
    assert ids == ["#N/A", "bell\ufffd", " padded ", "tab\tcr\rlf\n"]


# --- atomic, reproducible -------------------------------------------------------


def test_a_failed_write_leaves_no_partial_file_and_the_older_workbook_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure half-way through Pages removes every temporary file and keeps the old workbook."""
    target = tmp_path / "pay.xlsx"
    write_workbook(hand_report(), target, created=PINNED)
    before = target.read_bytes()
    known_temps = set(openpyxl_sheet_writer.ALL_TEMP_FILES)
    calls = 0
    real = wbmod._offset

    def flaky(moment: datetime) -> str | None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("disk on fire")
        return real(moment)

    monkeypatch.setattr(wbmod, "_offset", flaky)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_workbook(hand_report(), target, created=PINNED)
    assert calls == 2
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pay.xlsx"]
    leftovers = set(openpyxl_sheet_writer.ALL_TEMP_FILES) - known_temps
    assert not [p for p in leftovers if os.path.exists(p)]


def test_a_failed_save_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while zipping (disk full) leaves neither a partial file nor a temporary one."""

    def full(self: object, filename: str, arcname: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsxmod._PinnedArchive, "write", full)
    with pytest.raises(OSError, match="No space"):
        write_workbook(hand_report(), tmp_path / "pay.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_a_pinned_creation_time_gives_the_same_bytes(tmp_path: Path) -> None:
    """Two writes of one report with the same creation time are byte-identical."""
    a = write_workbook(hand_report(), tmp_path / "a.xlsx", volunteers=ROSTER, created=PINNED)
    b = write_workbook(hand_report(), tmp_path / "b.xlsx", volunteers=ROSTER, created=PINNED)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 12, 1, 8, 30, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2026-12-01T08:30:00Z") == 2


def test_every_part_is_deflated_fast(tmp_path: Path) -> None:
    """Each part is deflated at zlib level 2 (docs/benchmarks.md: a quarter
    of the time of the default level 6, for files a fifth larger), and is
    read back whole."""
    path = write_workbook(hand_report(), tmp_path / "a.xlsx", volunteers=ROSTER, created=PINNED)
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        for info in z.infolist():
            data = z.read(info)
            fast = zlib.compressobj(2, zlib.DEFLATED, -zlib.MAX_WBITS)
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.compress_size == len(fast.compress(data) + fast.flush()), info.filename


def test_source_date_epoch_pins_the_creation_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With SOURCE_DATE_EPOCH set, two writes are byte-identical and carry that time."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(PINNED.timestamp())))
    a = write_workbook(hand_report(), tmp_path / "a.xlsx")
    b = write_workbook(hand_report(), tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()
    c = write_workbook(hand_report(), tmp_path / "c.xlsx", created=PINNED)
    assert a.read_bytes() == c.read_bytes()


def test_a_malformed_source_date_epoch_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SOURCE_DATE_EPOCH must be whole seconds; anything else is an input error, no file."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(op.InputError, match="SOURCE_DATE_EPOCH"):
        write_workbook(hand_report(), tmp_path / "pay.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_the_same_report_gives_the_same_cells_without_a_pinned_time(tmp_path: Path) -> None:
    """Unpinned, only the creation time differs: every cell is the same."""
    a = write_workbook(hand_report(), tmp_path / "a.xlsx", volunteers=ROSTER)
    b = write_workbook(
        hand_report(), tmp_path / "b.xlsx", volunteers=ROSTER, created=datetime(2001, 1, 1)
    )
    assert dump(a) == dump(b)


# --- row limit -------------------------------------------------------------------


def test_a_sheet_past_the_row_limit_continues_with_the_header_repeated(tmp_path: Path) -> None:
    """With 3 rows per sheet, Lines goes on in Lines (2), (3) …; no row is dropped."""
    report = hand_report()
    whole = write_workbook(report, tmp_path / "whole.xlsx")
    split = write_workbook(report, tmp_path / "split.xlsx", row_limit=3)
    names = sheet_names(split)
    n_lines = sum(len(st.lines) for st in report.statements)
    parts = (n_lines + 1) // 2
    assert [n for n in names if n.startswith("Lines")] == ["Lines"] + [
        f"Lines ({i})" for i in range(2, parts + 1)
    ]
    # Each sheet's parts follow each other, in the spec's order of sheets.
    bases = [n.split(" (")[0] for n in names]
    assert sorted(bases, key=SHEETS.index) == bases
    assert set(bases) == set(SHEETS)
    rows: list[tuple[Any, ...]] = []
    for name in (n for n in names if n.startswith("Lines")):
        part = sheet_rows(split, name)
        assert part[0] == HEADERS["Lines"]
        assert 2 <= len(part) <= 3
        rows.extend(part[1:])
    assert rows == sheet_rows(whole, "Lines")[1:]
    assert read_workbook(split) == read_workbook(whole)


def test_summary_checks_span_every_summary_part(tmp_path: Path) -> None:
    """When Summary itself is split, each Check formula adds up the rows of every part."""
    path = write_workbook(hand_report(), tmp_path / "split.xlsx", row_limit=4)
    summaries = [n for n in sheet_names(path) if n.startswith("Summary")]
    # 5 data rows, 3 per part; the blank row, then 4 totals that cannot share a part.
    assert summaries == ["Summary", "Summary (2)", "Summary (3)", "Summary (4)"]
    checks = {
        row[4]: row[14]
        for part in summaries
        for row in sheet_rows(path, part)
        if isinstance(row[0], str) and row[0].startswith("Total ")
    }
    assert list(checks) == ["EUR", "JPY", "KWD", "USD"]
    assert checks["EUR"] == (
        "=SUMIF('Summary'!E2:E4,\"EUR\",'Summary'!N2:N4)"
        "+SUMIF('Summary (2)'!E2:E3,\"EUR\",'Summary (2)'!N2:N3)"
    )


def test_a_row_limit_without_room_for_data_is_refused(tmp_path: Path) -> None:
    """A sheet needs room for its header and one row."""
    with pytest.raises(ValueError, match="row_limit"):
        write_workbook(hand_report(), tmp_path / "pay.xlsx", row_limit=1)


# --- round trip ------------------------------------------------------------------


def expected(report: op.Report) -> tuple[WorkbookStatement, ...]:
    """What reading the report's workbook back should give."""
    return tuple(WorkbookStatement.from_statement(st) for st in report.statements)


def test_reading_the_workbook_back_gives_the_statements(tmp_path: Path) -> None:
    """read_workbook returns every statement: amounts exact, quantities to 6 places."""
    report = hand_report()
    back = read_workbook(write_workbook(report, tmp_path / "pay.xlsx"))
    assert back == expected(report)
    assert [b.total for b in back] == [st.total for st in report.statements]
    assert str(back[-1].total) == "15.063"


def test_a_computed_run_reads_back_unchanged(tmp_path: Path) -> None:
    """The demo team's computed November run survives the workbook round trip."""
    report, vols = demo_report()
    assert report.statements
    path = write_workbook(report, tmp_path / "demo.xlsx", volunteers=vols)
    assert read_workbook(path) == expected(report)


@given(reports())
def test_workbook_round_trip_property(report: op.Report) -> None:
    """Invariant 11 on generated reports: amounts and totals exact, quantities to 6 places."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_workbook(report, Path(tmp) / "pay.xlsx", row_limit=5)
        assert read_workbook(path) == expected(report)


@given(pay_runs())
def test_workbook_round_trip_of_computed_runs(run: Any) -> None:
    """Invariant 11 on engine output: every computed statement reads back unchanged."""
    report = run.compute()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_workbook(report, Path(tmp) / "pay.xlsx", volunteers=run.volunteers)
        assert read_workbook(path) == expected(report)


def test_reading_a_workbook_without_weekly_names_the_sheet(tmp_path: Path) -> None:
    """A file that is not a pay workbook is an InputError naming what is missing."""
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Lines"
    wb.active.append(list(HEADERS["Lines"]))
    wb.save(path)
    with pytest.raises(op.InputError, match="no 'Weekly' sheet"):
        read_workbook(path)


# --- CSV and JSON ----------------------------------------------------------------


def test_csv_escapes_formula_text_but_not_numbers(tmp_path: Path) -> None:
    """Text starting with = + - @ tab or CR gets a ' prefix; a negative cap stays a number."""
    report = _replace_statements(
        hand_report(),
        (
            *hand_report().statements,
            *(
                _statement(vid, W47, "EUR", [])
                for vid in ("=cmd", "@SUM(A1)", "-2+3", "\tx", "\rx", "a=b")
            ),
        ),
    )
    path = write_weekly_csv(report, tmp_path / "weekly.csv", volunteers=ROSTER)
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(HEADERS["Weekly"])
    by_id = {(r["Volunteer ID"], r["Week"]): r for r in rows}
    evil = by_id[("'+1", "2026-W46")]
    assert evil["Name"] == "'" + EVIL_NAME
    for vid in ("=cmd", "@SUM(A1)", "-2+3", "\tx", "\rx"):
        assert ("'" + vid, "2026-W47") in by_id
    assert ("a=b", "2026-W47") in by_id
    alice = by_id[("alice", "2026-W46")]
    assert alice["Cap adjustment"] == "-125.00"
    assert alice["Total"] == "500.00"
    assert alice["Week start"] == "2026-11-09"
    assert alice["In-hours h"] == "45"
    assert by_id[("kenji", "2026-W47")]["Total"] == "33000"
    assert by_id[("layla", "2026-W47")]["Total"] == "15.063"


def test_csv_rows_add_up_like_the_weekly_sheet(tmp_path: Path) -> None:
    """Each CSV row's money columns add up to its Total, in the statement order."""
    report = hand_report()
    path = write_weekly_csv(report, tmp_path / "weekly.csv")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["Week"] for r in rows] == [st.week for st in report.statements]
    for row in rows:
        assert sum(Decimal(row[h]) for h in MONEY) == Decimal(row["Total"])


def test_json_is_the_report_as_json(tmp_path: Path) -> None:
    """write_json writes Report.to_json() (and a final newline)."""
    report = hand_report()
    path = write_json(report, tmp_path / "pay.json")
    assert path.read_text(encoding="utf-8") == report.to_json() + "\n"
    assert json.loads(path.read_text(encoding="utf-8"))["totals"]["JPY"] == "33000"


# --- LibreOffice -----------------------------------------------------------------

SOFFICE = shutil.which("soffice")

#: A LibreOffice profile that recalculates every formula of an xlsx on load.
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_recalculates_each_check_to_its_total(tmp_path: Path) -> None:
    """Recalculated in LibreOffice, every Check equals its currency's total to the cent,
    and every Weekly Total its statement's total."""
    assert SOFFICE is not None
    report, vols = demo_report()
    report = _replace_statements(report, report.statements + hand_report().statements)
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    write_workbook(report, src / "whole.xlsx", volunteers=(*vols, *ROSTER[1:]))
    write_workbook(report, src / "split.xlsx", row_limit=6)
    profile = tmp_path / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    subprocess.run(
        [
            SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
            "--convert-to", "xlsx", "--outdir", str(out),
            str(src / "whole.xlsx"), str(src / "split.xlsx"),
        ],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    totals = report.totals()
    for name in ("whole.xlsx", "split.xlsx"):
        wb = openpyxl.load_workbook(out / name, data_only=True)
        try:
            checked = {}
            for part in (n for n in wb.sheetnames if n.startswith("Summary")):
                for row in wb[part].iter_rows(values_only=True):
                    if isinstance(row[0], str) and row[0].startswith("Total "):
                        checked[row[4]] = (cents(row[13], row[4]), cents(row[14], row[4]))
            assert checked == {c: (t, t) for c, t in totals.items()}
            ids = {r[0] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
            assert EVIL_ID in ids
        finally:
            wb.close()
    names = {r[1] for r in sheet_rows(out / "whole.xlsx", "Summary")}
    assert EVIL_NAME in names
    # Weekly's Totals are formulas: recalculated, each is its statement's total again.
    for name in ("whole.xlsx", "split.xlsx"):
        recalculated = {(s.volunteer_id, s.week): s.total for s in read_workbook(out / name)}
        assert recalculated == {(s.volunteer_id, s.week): s.total for s in report.statements}


def test_checking_the_amounts_keeps_the_writers_memory_flat() -> None:
    """The check that every amount fits a cell remembers the values it
    cleared, but not all of them: twice the distinct amounts (more weeks),
    not twice the memory (spec/quality.md: the writer's memory flat in the
    number of rows; 30,000 distinct amounts at 10,000 volunteers × 52 weeks
    took 9 MiB)."""
    import tracemalloc


    def peak(n: int) -> int:
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            cells = xlsxmod.CellCheck("pay.xlsx")
            for i in range(1, n + 1):
                # Made as they are checked, as a statement's column sums are.
                cells.check(Decimal(i).scaleb(-2), "somewhere", "Amount")
            cells.raise_problems()
            return tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()

    short, long = peak(30_000), peak(60_000)
    assert long < short * 1.25, (short, long)
