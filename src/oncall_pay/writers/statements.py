"""Printable pay statements: one PDF per volunteer and pay period (fpdf2).

A statement is for the person paid: "why was I paid this?". It holds the
period's total per currency and per kind of pay, then every pay week of the
period as ``oncall-pay explain`` says it: each line with its arithmetic
(quantity × rate × multiplier = amount), the hours on call, the pages and
the TOIL days earned. docs/statements.md shows one.

Text is set in DejaVu Sans when the system has it (every script it covers);
otherwise in the PDF core font Helvetica, which holds Latin-1 only: other
characters are shown as ``?`` there.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs
from fpdf import FPDF  # type: ignore[import-untyped, unused-ignore]
from fpdf.enums import XPos, YPos  # type: ignore[import-untyped, unused-ignore]

from .._explain import explain_statement
from .._model import Volunteer
from .._payroll import PayPeriod, PeriodRule
from .._report import Report, WeeklyStatement
from .._rules import Policy
from .._vocab import KIND_COLUMN, LINE_KINDS
from ._atomic import atomic_path
from ._xlsx import creation_time

__all__ = ["TimeOffBalance", "statement_name", "write_statements"]


@attrs.frozen
class TimeOffBalance:
    """A volunteer's time off in lieu, in days, as a ledger keeps it."""

    earned: Decimal = Decimal(0)
    taken: Decimal = Decimal(0)

    @property
    def balance(self) -> Decimal:
        """Days still to take."""
        return self.earned - self.taken


#: Where a Unicode font is looked for, regular and bold.
_FONT_DIRS: Final = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "C:/Windows/Fonts",
)
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9._-]")


def statement_name(volunteer_id: str, period: PayPeriod) -> str:
    """The file name of one statement: ``alice_2026-11.pdf``.

    Characters other than letters, digits, ``.``, ``_`` and ``-`` become
    ``_``, so an id can never name another directory.
    """
    label = period.label.replace("..", "_")
    safe = _UNSAFE.sub("_", volunteer_id).lstrip(".") or "_"
    return f"{safe}_{label}.pdf"


def write_statements(
    report: Report,
    directory: str | os.PathLike[str],
    rule: PeriodRule,
    *,
    volunteers: Iterable[Volunteer] | None = None,
    created: datetime | None = None,
    toil: Mapping[str, TimeOffBalance] | None = None,
    policy: Policy | None = None,
) -> list[Path]:
    """Write one PDF per volunteer and pay period into ``directory``.

    Args:
        report: What ``compute()`` returned.
        directory: Created if missing; files of the same names are replaced,
            each only once its new version is complete.
        rule: How pay weeks group into periods (a week goes to the period
            holding its first day).
        volunteers: The roster, for names; by default the report's own.
        created: The creation time written into each PDF (naive means UTC);
            defaults to ``SOURCE_DATE_EPOCH`` if set, else now. Pinning it
            makes the bytes reproducible.
        toil: Each volunteer's time off in lieu as the pay-run ledger keeps
            it (earned in locked runs, taken, balance); without it, a
            statement says that no balance is kept.
        policy: The rules the report was computed with: a week whose plan
            has a night band then says the band, as ``oncall-pay explain`` does.

    Returns:
        The paths written, in volunteer and period order.

    Raises:
        InputError: A week falls in none of the rule's custom ranges, or
            ``SOURCE_DATE_EPOCH`` is not a whole number of seconds.
    """
    from .._errors import InputError, Problem

    roster = {v.id: v for v in (report.volunteers if volunteers is None else volunteers)}
    groups: dict[tuple[str, PayPeriod], list[WeeklyStatement]] = defaultdict(list)
    problems = []
    for st in report.statements:
        period = rule.period_of(st.week_start)
        if period is None:
            msg = f"pay week {st.week} is in none of the --period ranges"
            problems.append(Problem(msg, field="--period"))
            continue
        groups[st.volunteer_id, period].append(st)
    # Two ids that make the same file name (a/b and a_b, zoë and zoé, or
    # Alice and alice on a disk that ignores case) would hand one person the
    # other's statement: refused, naming both, before anything is written.
    owner: dict[str, str] = {}
    for vid in sorted({vid for vid, _ in groups}):
        key = statement_name(vid, PayPeriod(date(2000, 1, 1), date(2000, 1, 31))).casefold()
        other = owner.setdefault(key, vid)
        if other != vid:
            msg = (
                f"volunteer ids {other!r} and {vid!r} give the same statement file name "
                f"({statement_name(vid, PayPeriod(date(2000, 1, 1), date(2000, 1, 31)))} "
                "for January 2000); give one of them another id"
            )
            problems.append(Problem(msg, field="volunteer_id"))
    if problems:
        raise InputError(problems)
    when = creation_time(created).replace(tzinfo=UTC)
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    font = _unicode_font()
    written: list[Path] = []
    for (vid, period), statements in sorted(groups.items(), key=lambda kv: kv[0]):
        volunteer = roster.get(vid) or Volunteer(id=vid)
        name = statement_name(vid, period)
        balance = None if toil is None else toil.get(vid, TimeOffBalance())
        pdf = _statement(report, volunteer, period, statements, font, balance, policy)
        pdf.set_creation_date(when)
        path = target / name
        with atomic_path(path) as tmp:
            pdf.output(str(tmp))
        written.append(path)
    return written


def _unicode_font() -> tuple[str, str] | None:
    for folder in _FONT_DIRS:
        regular = os.path.join(folder, "DejaVuSans.ttf")
        bold = os.path.join(folder, "DejaVuSans-Bold.ttf")
        if os.path.isfile(regular) and os.path.isfile(bold):
            return regular, bold
    return None


class _Page:
    """An A4 page with a font that shows the text or, failing that, ``?``."""

    def __init__(self, font: tuple[str, str] | None, title: str) -> None:
        self.pdf: Any = FPDF(orientation="portrait", unit="mm", format="A4")
        self.pdf.set_title(title)
        self.pdf.set_creator("oncall_pay")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        if font is None:
            self.family, self.latin1 = "Helvetica", True
        else:
            self.pdf.add_font("DejaVu", "", font[0])
            self.pdf.add_font("DejaVu", "B", font[1])
            self.family, self.latin1 = "DejaVu", False
        self.pdf.add_page()

    def _text(self, text: str) -> str:
        if self.latin1:
            return text.encode("latin-1", "replace").decode("latin-1")
        return text

    def line(self, text: str, *, size: float = 9.5, bold: bool = False, gap: float = 0) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.multi_cell(
            0, size * 0.5, self._text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        if gap:
            self.pdf.ln(gap)

    def row(self, cells: Sequence[tuple[str, float, str]], *, bold: bool = False) -> None:
        """Cells of (text, width in mm, align ``L`` or ``R``) on one line."""
        self.pdf.set_font(self.family, "B" if bold else "", 9.5)
        for text, width, align in cells:
            self.pdf.cell(width, 5.5, self._text(text), align=align)
        self.pdf.ln(5.5)


def _statement(
    report: Report,
    volunteer: Volunteer,
    period: PayPeriod,
    statements: Sequence[WeeklyStatement],
    font: tuple[str, str] | None,
    toil: TimeOffBalance | None = None,
    policy: Policy | None = None,
) -> Any:
    who = volunteer.name or volunteer.id
    page = _Page(font, f"On-call pay statement: {who}, {period.label}")
    page.line("On-call pay statement", size=16, bold=True, gap=1)
    page.line(f"{who} (id {volunteer.id})", size=12, bold=True)
    facts = [f"Pay period {period.label}: {_day(period.start)} – {_day(period.end)}"]
    if volunteer.payroll_id:
        facts.append(f"payroll id {volunteer.payroll_id}")
    if volunteer.cost_center:
        facts.append(f"cost centre {volunteer.cost_center}")
    page.line(", ".join(facts), gap=1)
    page.line(
        f"Rules: {report.policy_name or 'unnamed'}. Each pay week of the period is below, "
        "with every line and how it was worked out. A week belongs to the period "
        "holding its first day.",
        gap=3,
    )
    _summary(page, statements)
    for st in statements:
        page.pdf.ln(3)
        # explain's first line repeats the name given at the top; its second
        # (the week and its dates) is the heading.
        lines = explain_statement(report, volunteer, st.week_start, policy).splitlines()[1:]
        page.line(lines[0] if lines else f"Pay week {st.week}", size=11, bold=True)
        for line in lines[1:]:
            if line.strip():
                page.line(line.replace("      =", "  ="))
            else:
                page.pdf.ln(1.5)
    page.pdf.ln(3)
    if toil is None:
        page.line(
            "TOIL balance: no pay-run ledger was given (--ledger); the days above are "
            "the days earned in this period.",
            size=8.5,
        )
    else:
        page.line(
            f"Time off in lieu balance (pay-run ledger): {toil.balance.normalize():f} day(s) — "
            f"earned {toil.earned.normalize():f} in locked runs, taken "
            f"{toil.taken.normalize():f}",
            size=10,
            bold=True,
        )
    return page.pdf


def _summary(page: _Page, statements: Sequence[WeeklyStatement]) -> None:
    by_currency: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    toil = Decimal(0)
    for st in statements:
        for line in st.lines:
            by_currency[st.currency][line.kind] += line.amount
        totals[st.currency] += st.total
        toil += st.toil_days
    weeks = ", ".join(st.week for st in statements)
    page.line(f"Summary of {len(statements)} pay week(s): {weeks}", size=11, bold=True)
    for currency, kinds in sorted(by_currency.items()):
        page.row((("Kind of pay", 70, "L"), (f"Amount ({currency})", 40, "R")), bold=True)
        for kind in _ordered(kinds):
            page.row(((KIND_COLUMN.get(kind, kind), 70, "L"), (f"{kinds[kind]:,}", 40, "R")))
        total = f"{totals[currency]:,} {currency}"
        page.row(((f"Total paid in {currency}", 70, "L"), (total, 40, "R")), bold=True)
    if not by_currency:
        page.line("No pay in this period.")
    page.line(f"Time off in lieu earned in this period: {toil.normalize():f} day(s)", gap=1)


def _ordered(kinds: Mapping[str, Decimal]) -> list[str]:
    known = [k.value for k in LINE_KINDS if k.value in kinds]
    return known + sorted(k for k in kinds if k not in known)


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"
