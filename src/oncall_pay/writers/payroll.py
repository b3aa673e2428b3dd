"""Payroll import files: one line per person, pay period and earning code.

Three layouts of the same ``PayrollRow`` values (``_payroll.py``),
each documented with a sample in docs/payroll.md:

- ``payroll-csv``: a generic CSV any payroll system can map.
- ``datev``: DATEV Lohn und Gehalt's ASCII import (semicolons, decimal
  comma, Windows-1252): Personalnummer, Lohnart, Stunden, Tage, Wert,
  Kostenstelle. One pay period, in EUR, numeric ids, as DATEV takes them.
- ``workday-eib``: the columns of Workday's *Submit Payroll Input* EIB
  template, as CSV.

Every file appears atomically; text from the roster or rules that a
spreadsheet would read as a formula gets a leading ``'`` (as in the Weekly
CSV); numbers are never prefixed.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Final

from .._errors import InputError, Problem
from .._money import minor_unit
from .._payroll import PayrollRow
from ._atomic import atomic_path
from .csv import escape_text

__all__ = ["PAYROLL_FORMATS", "write_payroll"]

PAYROLL_CSV_HEADER: Final = (
    "payroll_id", "volunteer_id", "cost_center", "period", "period_start", "period_end",
    "earning_code", "quantity", "unit", "rate", "amount", "currency", "weeks",
)  # fmt: skip
DATEV_HEADER: Final = ("Personalnummer", "Lohnart", "Stunden", "Tage", "Wert", "Kostenstelle")
WORKDAY_HEADER: Final = (
    "Spreadsheet Key", "Employee ID", "Pay Component", "Start Date", "End Date", "Amount",
    "Hours", "Currency", "Cost Center", "Comment",
)  # fmt: skip

_PERSONALNUMMER: Final = re.compile(r"[0-9]{1,5}")
_LOHNART: Final = re.compile(r"[0-9]{1,4}")
_SIX: Final = Decimal("0.000001")
_HUNDREDTH: Final = Decimal("0.01")


#: What a DATEV Kostenstelle may hold: no field separator, no control
#: character (a line break would start a record), and no leading character a
#: spreadsheet would read as a formula (escaping it would put a quote into
#: the data DATEV imports).
_DATEV_TEXT: Final = re.compile(r"(?![=+\-@])[^;\x00-\x1f\x7f]*")

def write_payroll(rows: Sequence[PayrollRow], path: str | os.PathLike[str], fmt: str) -> Path:
    """Write ``rows`` in the layout ``fmt`` (one of ``PAYROLL_FORMATS``).

    Args:
        rows: From ``_payroll.payroll_rows``.
        path: Where the file should appear; nothing is written on an error.
        fmt: ``payroll-csv``, ``datev`` or ``workday-eib``.

    Returns:
        The path written.

    Raises:
        InputError: The rows cannot be written in this layout (DATEV: not one
            period, not EUR, an id or code DATEV would refuse); every problem
            is listed.
    """
    writer = PAYROLL_FORMATS[fmt]
    return writer(rows, Path(path))


def _payroll_csv(rows: Sequence[PayrollRow], target: Path) -> Path:
    with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(PAYROLL_CSV_HEADER)
        for row in rows:
            places = minor_unit(row.currency)
            writer.writerow(
                (
                    escape_text(row.payroll_id),
                    escape_text(row.volunteer_id),
                    escape_text(row.cost_center or ""),
                    row.period.label,
                    row.period.start.isoformat(),
                    row.period.end.isoformat(),
                    escape_text(row.code),
                    _plain(row.quantity),
                    row.unit or "",
                    "" if row.rate is None else _rate(row.rate, places),
                    f"{row.amount:.{places}f}",
                    row.currency,
                    " ".join(row.weeks),
                )
            )
    return target


def _datev(rows: Sequence[PayrollRow], target: Path) -> Path:
    problems: dict[Problem, None] = {}
    periods = sorted({row.period for row in rows})
    if len(periods) > 1:
        listed = ", ".join(p.label for p in periods)
        msg = (
            f"a DATEV import is for one Abrechnungsmonat, but the rows span {len(periods)} "
            f"pay periods ({listed}); use --period month and --from/--to of one month"
        )
        problems[Problem(msg, field="--period")] = None
    for row in rows:
        if row.currency != "EUR":
            msg = f"DATEV Lohn und Gehalt pays EUR; {row.volunteer_id} is paid in {row.currency}"
            problems[Problem(msg, field="currency")] = None
        if not _PERSONALNUMMER.fullmatch(row.payroll_id):
            msg = (
                f"{row.volunteer_id}: payroll_id {row.payroll_id!r} is not a DATEV "
                "Personalnummer (1 to 5 digits)"
            )
            problems[Problem(msg, field="payroll_id")] = None
        if not _LOHNART.fullmatch(row.code):
            msg = (
                f"earning code {row.code!r} ({row.kind}) is not a DATEV Lohnart (1 to 4 digits)"
            )
            problems[Problem(msg, field="versions.payroll.codes")] = None
        if row.cost_center is not None and not _DATEV_TEXT.fullmatch(row.cost_center):
            msg = (
                f"{row.volunteer_id}: cost centre {row.cost_center!r} holds a ';', a line "
                "break or another control character, or starts with =, +, - or @; a DATEV "
                "Kostenstelle is plain text written as it is"
            )
            problems[Problem(msg, field="cost_center")] = None
        elif row.cost_center is not None:
            try:
                row.cost_center.encode("cp1252")
            except UnicodeEncodeError:
                msg = f"{row.volunteer_id}: cost centre {row.cost_center!r} is not Windows-1252"
                problems[Problem(msg, field="cost_center")] = None
    if problems:
        raise InputError(list(problems))
    with atomic_path(target) as tmp, tmp.open("w", encoding="cp1252", newline="") as out:
        out.write(";".join(DATEV_HEADER) + "\r\n")
        for row in rows:
            hours = row.quantity if row.unit == "hour" else None
            days = row.quantity if row.unit == "day" else None
            fields = (
                row.payroll_id,
                row.code,
                _komma(hours),
                _komma(days),
                _komma(row.amount),
                row.cost_center or "",  # checked above: nothing to escape
            )
            out.write(";".join(fields) + "\r\n")
    return target


def _workday_eib(rows: Sequence[PayrollRow], target: Path) -> Path:
    with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(WORKDAY_HEADER)
        for key, row in enumerate(rows, 1):
            places = minor_unit(row.currency)
            writer.writerow(
                (
                    key,
                    escape_text(row.payroll_id),
                    escape_text(row.code),
                    row.period.start.isoformat(),
                    row.period.end.isoformat(),
                    f"{row.amount:.{places}f}",
                    _plain(row.quantity) if row.unit == "hour" else "",
                    row.currency,
                    escape_text(row.cost_center or ""),
                    f"on-call {row.kind}, {_plain(row.quantity)} {row.unit or 'adjustment'}, "
                    f"weeks {' '.join(row.weeks)}",
                )
            )
    return target


PAYROLL_FORMATS: Final[dict[str, Callable[[Sequence[PayrollRow], Path], Path]]] = {
    "payroll-csv": _payroll_csv,
    "datev": _datev,
    "workday-eib": _workday_eib,
}


def _plain(value: Decimal) -> str:
    # 6 places at most, no trailing zeros, never an exponent.
    text = f"{value.quantize(_SIX):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _rate(value: Decimal, places: int) -> str:
    """At least the currency's places, more only when the rate has them."""
    text = _plain(value)
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(places, '0')}" if places or fraction else whole


def _komma(value: Decimal | None) -> str:
    """DATEV's number: two decimals, a decimal comma, no thousands separator."""
    if value is None:
        return ""
    return f"{value.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP):f}".replace(".", ",")
