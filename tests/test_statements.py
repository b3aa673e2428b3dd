"""Printable pay statements: one PDF per volunteer and pay period (docs/statements.md)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import oncall_pay as op
from oncall_pay._payroll import PayPeriod, PeriodRule
from oncall_pay.cli import main
from oncall_pay.writers import statements as stmod
from oncall_pay.writers.statements import statement_name, write_statements
from test_health import png_rgb
from test_payroll import demo

PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(
    PDFTOTEXT is None or PDFTOPPM is None,
    reason="poppler-utils (pdftotext, pdftoppm) is not installed",
)


def text_of(pdf: Path) -> str:
    assert PDFTOTEXT is not None
    return subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
        timeout=60,
    ).stdout  # fmt: skip


@needs_poppler
def test_the_demo_month_gives_one_statement_per_volunteer_with_their_totals(
    tmp_path: Path, capsys: Any
) -> None:
    """`oncall-pay statements` on the demo: seven PDFs, each with the volunteer's total,
    every week's total and the arithmetic of each line."""
    demo_dir = Path(op.__file__).parent / "demo"
    out = tmp_path / "statements"
    args = [
        "statements", "--volunteers", str(demo_dir / "volunteers.csv"),
        "--rules", str(demo_dir / "rules.toml"), "--shifts", str(demo_dir / "shifts.csv"),
        "--pages", str(demo_dir / "pages.csv"), "--from", "2026-11-01", "--to", "2026-11-30",
        "--output", str(out),
    ]  # fmt: skip
    assert main(args) == 0
    assert "7 statement(s) written" in capsys.readouterr().out
    report, _, roster = demo()
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{v.id}_2026-11.pdf" for v in roster)
    for volunteer in roster:
        text = text_of(out / f"{volunteer.id}_2026-11.pdf")
        mine = [s for s in report.statements if s.volunteer_id == volunteer.id]
        currency = mine[0].currency
        total = sum((s.total for s in mine), Decimal(0))
        assert f"Total paid in {currency}" in text
        assert f"{total:,} {currency}" in text, volunteer.id
        for s in mine:
            assert f"Pay week {s.week}" in text
            assert f"Total: {s.total:,} {currency}" in text
    alice = text_of(out / "alice_2026-11.pdf")
    assert "650.28 EUR" in alice
    assert "0.926829 of a week × 300.00" in alice
    assert "× 40.00 × 1.5" in alice
    assert "Time off in lieu earned in this period: 0.5 day(s)" in alice
    assert "Alice Byrne" in alice
    assert "payroll id E1001" in alice


@needs_poppler
def test_a_statement_renders_to_a_printed_page(tmp_path: Path) -> None:
    """pdftoppm draws the first page: A4 portrait, with text on it."""
    assert PDFTOPPM is not None
    report, _, roster = demo()
    (path, *_) = write_statements(report, tmp_path, PeriodRule.parse("month"), volunteers=roster)
    subprocess.run(
        [PDFTOPPM, "-f", "1", "-l", "1", "-r", "40", "-png", "-singlefile", str(path),
         str(tmp_path / "page")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    width, height, rows = png_rgb(tmp_path / "page.png")
    assert abs(height / width - 297 / 210) < 0.02
    ink = sum(1 for row in rows for x in range(0, len(row), 3) if max(row[x : x + 3]) < 100)
    assert ink > 500, f"only {ink} dark pixels: the page looks blank"


@needs_poppler
def test_semi_monthly_statements_split_the_month_by_the_weeks_first_days(
    tmp_path: Path,
) -> None:
    """Alice's W45 (from 2 Nov) is in the first half, W47 and W48 in the second."""
    report, _, roster = demo()
    written = write_statements(
        report, tmp_path, PeriodRule.parse("semi-monthly"), volunteers=roster
    )
    names = [p.name for p in written]
    assert "alice_2026-11-01_2026-11-15.pdf" in names
    second = text_of(tmp_path / "alice_2026-11-16_2026-11-30.pdf")
    assert "Summary of 2 pay week(s): 2026-W47, 2026-W48" in second
    assert "628.33 EUR" in second  # 606.38 + 21.95
    assert "2026-W45" not in second


def test_a_file_name_never_leaves_the_directory() -> None:
    """Volunteer ids become safe file names: no separators, no leading dot."""
    period = PayPeriod(date(2026, 11, 1), date(2026, 11, 30))
    assert statement_name("alice", period) == "alice_2026-11.pdf"
    assert statement_name("../../etc/passwd", period) == "_.._etc_passwd_2026-11.pdf"
    assert "/" not in statement_name("a/b\\c", period)


@pytest.mark.parametrize(("first", "second"), [("a/b", "a_b"), ("zoë", "zoé"), ("Alice", "alice")])
def test_ids_that_give_the_same_file_name_are_refused(
    tmp_path: Path, first: str, second: str
) -> None:
    """One person must never get another's statement: a clash is refused, nothing written."""
    report, _, _ = demo()
    renamed = {"alice": first, "bob": second}
    statements = tuple(
        attrs.evolve(s, volunteer_id=renamed.get(s.volunteer_id, s.volunteer_id))
        for s in report.statements
    )
    clash = attrs.evolve(report, statements=statements, volunteers=())
    out = tmp_path / "statements"
    with pytest.raises(op.InputError) as caught:
        write_statements(clash, out, PeriodRule.parse("month"))
    (problem,) = caught.value.problems
    assert repr(first) in problem.message
    assert repr(second) in problem.message
    assert not out.exists() or not any(out.iterdir())


def test_a_week_outside_the_ranges_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    """Custom ranges must hold every week; else no statement is written."""
    report, _, roster = demo()
    with pytest.raises(op.InputError, match="none of the --period ranges"):
        write_statements(
            report, tmp_path / "out", PeriodRule.parse("2026-11-01..2026-11-20"),
            volunteers=roster,
        )  # fmt: skip
    assert not (tmp_path / "out").exists()


@needs_poppler
def test_without_a_unicode_font_other_scripts_show_as_question_marks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With only the PDF core font, Latin-1 names print whole and others as '?'."""
    monkeypatch.setattr(stmod, "_unicode_font", lambda: None)
    report, _, roster = demo()
    roster = tuple(attrs.evolve(v, name="陈美") if v.id == "mei" else v for v in roster)
    write_statements(report, tmp_path, PeriodRule.parse("month"), volunteers=roster)
    assert "?? (id mei)" in text_of(tmp_path / "mei_2026-11.pdf")
    assert "Ciarán Ó Súilleabháin" in text_of(tmp_path / "ciaran_2026-11.pdf")


def test_a_pinned_creation_time_gives_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same report and creation time (argument or SOURCE_DATE_EPOCH) give the same PDFs."""
    report, _, roster = demo()
    rule = PeriodRule.parse("month")
    when = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    first = write_statements(report, tmp_path / "a", rule, volunteers=roster, created=when)
    second = write_statements(report, tmp_path / "b", rule, volunteers=roster, created=when)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(when.timestamp())))
    third = write_statements(report, tmp_path / "c", rule, volunteers=roster)
    for a, b, c in zip(first, second, third, strict=True):
        assert a.read_bytes() == b.read_bytes() == c.read_bytes(), a.name


@pytest.mark.parametrize("command", ["statements", "export"])
def test_a_bad_period_on_the_command_line_exits_1_and_writes_nothing(
    tmp_path: Path, capsys: Any, command: str
) -> None:
    """`--period monthly` is bad input for both commands: the problem, exit 1, no output."""
    demo_dir = Path(op.__file__).parent / "demo"
    out = tmp_path / "out"
    args = [
        command, "--volunteers", str(demo_dir / "volunteers.csv"),
        "--rules", str(demo_dir / "rules.toml"), "--shifts", str(demo_dir / "shifts.csv"),
        "--from", "2026-11-01", "--to", "2026-11-30", "--period", "monthly",
        "--output", str(out),
    ]  # fmt: skip
    if command == "export":
        args += ["--format", "payroll-csv"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert 'field "--period": expected week, month, semi-monthly or date ranges' in err
    assert "got 'monthly'" in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@needs_poppler
def test_with_a_ledger_each_statement_shows_the_time_off_in_lieu_balance(
    tmp_path: Path, capsys: Any
) -> None:
    """Once the ledger holds a locked run and days taken, the statement shows the balance."""
    demo_dir = Path(op.__file__).parent / "demo"
    ledger = tmp_path / "ledger.sqlite"
    inputs = [
        "--volunteers", str(demo_dir / "volunteers.csv"), "--rules", str(demo_dir / "rules.toml"),
        "--shifts", str(demo_dir / "shifts.csv"), "--pages", str(demo_dir / "pages.csv"),
        "--from", "2026-11-01", "--to", "2026-11-30",
    ]  # fmt: skip
    at = ["--ledger", str(ledger)]
    assert main(["run", "create", *inputs, *at, "--by", "Ana"]) == 0
    assert main(["run", "approve", "1", *at, "--by", "Sam"]) == 0
    assert main(["run", "lock", "1", *at, "--by", "Ana"]) == 0
    take = ["toil", "take", "--volunteer", "alice", "--days", "0.25", "--on", "2026-12-04"]
    assert main([*take, *at, "--by", "Sam"]) == 0
    capsys.readouterr()
    out = tmp_path / "statements"
    assert main(["statements", *inputs, *at, "--output", str(out)]) == 0
    alice = text_of(out / "alice_2026-11.pdf")
    assert "Time off in lieu balance (pay-run ledger): 0.25 day(s)" in alice
    assert "earned 0.5 in locked runs, taken 0.25" in alice
    bob = text_of(out / "bob_2026-11.pdf")
    assert "Time off in lieu balance (pay-run ledger): 0.5 day(s)" in bob
    missing = tmp_path / "none.sqlite"
    assert main(["statements", *inputs, "--ledger", str(missing), "--output", str(out)]) == 1
    assert "no ledger at" in capsys.readouterr().err
