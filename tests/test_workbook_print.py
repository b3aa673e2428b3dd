"""The finance workbook on paper: page setup, column widths, Weekly's live Total (workbook.md)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest
from openpyxl.utils import get_column_letter

import oncall_pay as op
from oncall_pay import _columns as cols
from oncall_pay.cli import main
from oncall_pay.readers.workbook import read_workbook
from oncall_pay.writers._xlsx import header_width, text_width
from oncall_pay.writers.compare import write_comparison
from oncall_pay.writers.workbook import write_workbook
from test_compare import demo_comparison  # noqa: F401 (a fixture)
from test_workbook import (
    HEADERS,
    MONEY,
    ROSTER,
    SHEETS,
    cents,
    demo_report,
    hand_report,
    line,
    sheet_names,
)

SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")

#: The columns of every sheet of the pay-run workbook, by sheet.
COLUMNS = {
    "Summary": cols.SUMMARY,
    "Health": (*cols.HEALTH_MONTHS, *cols.HEALTH_VOLUNTEERS, *cols.HEALTH_FAIRNESS),
    "Weekly": cols.WEEKLY,
    "Lines": cols.LINES,
    "Pages": cols.PAGES,
    "Holidays": cols.HOLIDAYS,
    "Notices": cols.NOTICES,
    "Run": cols.RUN,
}


def _assert_prints_one_page_wide(ws: Any, *, title_rows: str | None) -> None:
    setup = ws.page_setup
    assert setup.orientation == "landscape", ws.title
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert ws.freeze_panes == "A2", ws.title
    assert ws.print_title_rows == title_rows, ws.title


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_repeated(
    tmp_path: Path,
) -> None:
    """Every sheet and every part of a split sheet: landscape, fit to width, row 1 on each page.

    Health's tables each have their own header, so it repeats none.
    """
    path = write_workbook(hand_report(), tmp_path / "split.xlsx", row_limit=3)
    names = sheet_names(path)
    assert "Lines (2)" in names
    wb = openpyxl.load_workbook(path)
    try:
        for ws in wb:
            health = ws.title.startswith("Health")
            _assert_prints_one_page_wide(ws, title_rows=None if health else "$1:$1")
    finally:
        wb.close()


def test_the_comparison_workbook_prints_the_same_way(
    tmp_path: Path,
    demo_comparison: Any,  # noqa: F811 (the fixture imported above)
) -> None:
    """Changes, Lines and Run of a rules comparison print landscape, one page wide."""
    path = write_comparison(demo_comparison, tmp_path / "compare.xlsx")
    wb = openpyxl.load_workbook(path)
    try:
        assert wb.sheetnames == ["Changes", "Lines", "Run"]
        for ws in wb:
            _assert_prints_one_page_wide(ws, title_rows="$1:$1")
            header = [c.value for c in ws[1]]
            for i, title in enumerate(header):
                if title is None:  # past the header: the Check of the totals
                    continue
                width = ws.column_dimensions[get_column_letter(i + 1)].width
                assert width >= header_width(title), (ws.title, title)
    finally:
        wb.close()


def test_a_header_takes_at_most_two_lines_broken_at_a_space() -> None:
    """header_width fits the longer of the two halves of the best break, or the one word."""
    assert header_width("Total") == text_width("Total")
    assert header_width("Interrupted weekends") == text_width("Interrupted")
    assert header_width("Workday off-hours h") == text_width("off-hours h")
    assert header_width("Longest on-call run (days)") == text_width("Longest on-call")
    # Wider than the text in Excel's digit units, for bold and the filter button.
    assert text_width("Weekend bonus") > len("Weekend bonus")


def test_every_column_is_wide_enough_for_its_header(tmp_path: Path) -> None:
    """No cut titles: each column fits its header on two lines, and a header that
    needs two lines wraps, in a row tall enough for them."""
    path = write_workbook(hand_report(), tmp_path / "pay.xlsx", volunteers=ROSTER)
    wb = openpyxl.load_workbook(path)
    try:
        for title in SHEETS:
            ws = wb[title]
            wrapped = False
            for i, column in enumerate(COLUMNS[title][: len(HEADERS[title])]):
                cell = ws.cell(row=1, column=i + 1)
                width = ws.column_dimensions[cell.column_letter].width
                assert width >= max(column.width, header_width(column.header)), column.header
                one_line = width >= text_width(column.header)
                if title != "Health":
                    assert bool(cell.alignment.wrap_text) == (not one_line), column.header
                wrapped = wrapped or not one_line
            if title != "Health":
                height = ws.row_dimensions[1].height
                assert (height is not None and height >= 28) == wrapped, title
        # Summary's Check note has a column of its own width.
        note = wb["Summary"].column_dimensions[get_column_letter(len(cols.SUMMARY) + 1)]
        assert note.width >= text_width("Check: SUMIF of the EUR Totals above")
    finally:
        wb.close()


def test_money_columns_widen_for_large_amounts(tmp_path: Path) -> None:
    """A week of 1,234,567.89 EUR gets columns wide enough to show it (no ###): a
    column is as many characters wide as the amount shown, and a margin."""
    report = hand_report()
    big = line("stipend", None, "1.000000", "week", "1234567.89", None, "1234567.89")
    first = attrs.evolve(report.statements[0], lines=(big,), total=Decimal("1234567.89"))
    report = attrs.evolve(report, statements=(first, *report.statements[1:]))
    small = write_workbook(hand_report(), tmp_path / "small.xlsx")
    large = write_workbook(report, tmp_path / "large.xlsx")
    shown = len("-1,234,567.89 EUR") + 1
    for path, enough in ((small, False), (large, True)):
        wb = openpyxl.load_workbook(path)
        try:
            for title, header in (
                ("Weekly", "Total"),
                ("Weekly", "Stipend"),
                ("Lines", "Amount"),
                ("Lines", "Rate"),
                ("Summary", "Total"),
                ("Summary", "TOIL days"),  # the Check of the totals sits here
            ):
                ws = wb[title]
                letter = get_column_letter(HEADERS[title].index(header) + 1)
                assert (ws.column_dimensions[letter].width >= shown) == enough, (title, header)
        finally:
            wb.close()


def _money_letters() -> list[str]:
    weekly = HEADERS["Weekly"]
    return [get_column_letter(weekly.index(h) + 1) for h in MONEY]


def test_weekly_total_is_a_live_sum_of_its_money_columns(tmp_path: Path) -> None:
    """Each Weekly Total is =Stipend+Standby+Callout+Page fees+Weekend bonus+Cap adjustment
    of its own row (not the count of interrupted weekends), stored with its value;
    on a split sheet each part counts its own rows."""
    report = hand_report()
    letters = _money_letters()
    total = HEADERS["Weekly"].index("Total")
    for limit in (1_048_576, 3):
        path = write_workbook(report, tmp_path / f"pay-{limit}.xlsx", row_limit=limit)
        parts = [n for n in sheet_names(path) if n.startswith("Weekly")]
        formulas = openpyxl.load_workbook(path)
        values = openpyxl.load_workbook(path, data_only=True)
        try:
            seen = []
            for name in parts:
                rows = zip(
                    formulas[name].iter_rows(min_row=2, values_only=True),
                    values[name].iter_rows(min_row=2, values_only=True),
                    strict=True,
                )
                for number, (formula_row, value_row) in enumerate(rows, 2):
                    assert formula_row[total] == "=" + "+".join(f"{c}{number}" for c in letters)
                    seen.append((value_row[0], value_row[2], cents(value_row[total], value_row[4])))
            assert seen == [(s.volunteer_id, s.week, s.total) for s in report.statements]
        finally:
            formulas.close()
            values.close()


# --- LibreOffice prints the demo --------------------------------------------------------


def _words_per_page(pdf: Path, pages: int) -> list[set[str]]:
    """The words pdftotext finds on each page."""
    assert PDFTOTEXT is not None
    words = []
    for number in range(1, pages + 1):
        out = subprocess.run(
            [PDFTOTEXT, "-bbox", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True, text=True, check=True, timeout=120,
        ).stdout  # fmt: skip
        words.append({html.unescape(w) for w in re.findall(r"<word [^>]*>([^<]*)</word>", out)})
    return words


def _header_shown(header: str, words: set[str]) -> bool:
    """Every word of the header is on the page (LibreOffice may break after a hyphen)."""
    for word in header.split(" "):
        if word in words:
            continue
        head, hyphen, rest = word.partition("-")
        if not (hyphen and f"{head}-" in words and rest in words):
            return False
    return True



def _print_to_pdf(book: Path, folder: Path) -> tuple[Path, str]:
    """LibreOffice prints ``book`` to a PDF in ``folder`` (its own profile); the PDF and pdfinfo."""
    assert SOFFICE is not None
    assert PDFINFO is not None
    profile = folder / "profile"
    subprocess.run(
        [
            SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
            "--convert-to", "pdf", "--outdir", str(folder), str(book),
        ],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pdf = folder / f"{book.stem}.pdf"
    info = subprocess.run(
        [PDFINFO, str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return pdf, info


def _page_count(info: str) -> int:
    found = re.search(r"^Pages:\s+(\d+)$", info, re.M)
    assert found is not None, info
    return int(found.group(1))

@pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None or PDFINFO is None,
    reason="LibreOffice (soffice) or poppler-utils (pdftotext, pdfinfo) is not installed",
)
def test_libreoffice_prints_the_demo_one_page_per_sheet_without_hashes(
    tmp_path: Path, capsys: Any
) -> None:
    """The demo workbook as LibreOffice prints it: 8 landscape pages, one per sheet, each
    with its whole headers, and no cell showing ### (a number too wide for its column)."""
    assert SOFFICE is not None
    assert PDFINFO is not None
    book = tmp_path / "demo.xlsx"
    assert main(["demo", "--output", str(book)]) == 0
    capsys.readouterr()
    pdf, info = _print_to_pdf(book, tmp_path)
    pages = _page_count(info)
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert size is not None
    assert float(size.group(1)) > float(size.group(2)), "pages are not landscape"
    # Without fitting to the width the demo took 24 pages, columns spilling over.
    assert pages == len(SHEETS)
    words = _words_per_page(pdf, pages)
    for title, on_page in zip(SHEETS, words, strict=True):
        assert not [w for w in on_page if "###" in w], f"{title} shows ###"
        missing = [c.header for c in COLUMNS[title] if not _header_shown(c.header, on_page)]
        assert not missing, f"{title} page lacks whole headers {missing}"
    # The live Totals print their values: Alice's week 47 and the run's USD total.
    assert "606.38" in words[SHEETS.index("Weekly")]
    assert "2,394.31" in words[SHEETS.index("Summary")]


@pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None or PDFINFO is None,
    reason="LibreOffice (soffice) or poppler-utils (pdftotext, pdfinfo) is not installed",
)
def test_libreoffice_prints_the_demo_comparison_without_hashes(
    tmp_path: Path,
    demo_comparison: Any,  # noqa: F811 (the fixture imported above)
) -> None:
    """The rules comparison of the demo prints one page per sheet, its negative
    differences and their Checks whole (no ###)."""
    assert SOFFICE is not None
    assert PDFINFO is not None
    book = write_comparison(demo_comparison, tmp_path / "compare.xlsx")
    pdf, info = _print_to_pdf(book, tmp_path)
    pages = _page_count(info)
    assert pages == 3  # Changes, Lines, Run
    words = _words_per_page(pdf, pages)
    assert not [w for page in words for w in page if "###" in w]
    assert "-22.19" in words[0]  # the EUR Difference and its Check
    assert "Differences" in words[0]


def test_the_demo_report_prices_what_the_pdf_test_expects() -> None:
    """The figures the PDF test looks for are the demo's (so that test cannot pass vacuously)."""
    report, _ = demo_report()
    alice = next(s for s in report.statements if (s.volunteer_id, s.week) == ("alice", "2026-W47"))
    assert alice.total == Decimal("606.38")
    assert report.totals()["USD"] == Decimal("2394.31")
    assert isinstance(report, op.Report)


def test_a_total_saved_without_its_value_reads_back_as_the_sum_of_its_columns(
    tmp_path: Path,
) -> None:
    """read_workbook recomputes a Weekly Total whose formula lost its stored value."""
    report = hand_report()
    path = write_workbook(report, tmp_path / "pay.xlsx")
    stripped = tmp_path / "stripped.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(stripped, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data, count = re.subn(rb"(</f>)<v>[^<]*</v>", rb"\1<v></v>", data)
                if b"<f>N2+" in src.read(info):
                    assert count == len(report.statements)
            dst.writestr(info, data)
    values = openpyxl.load_workbook(stripped, data_only=True)
    try:
        total = HEADERS["Weekly"].index("Total")
        assert {r[total] for r in values["Weekly"].iter_rows(min_row=2, values_only=True)} == {
            None
        }
    finally:
        values.close()
    assert read_workbook(stripped) == read_workbook(path)
