"""The ``Weekly`` rows as CSV, for payroll systems that import CSV.

Same columns and order as the workbook's ``Weekly`` sheet. Amounts have
exactly the currency's minor unit (``12.50``, ``1200`` for JPY); hours and
other quantities up to 6 decimal places without trailing zeros; dates ISO.
Text that would start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'`` so a spreadsheet opening the file does not run
it as a formula; numbers are never prefixed, so a negative cap adjustment
stays a number.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Final

from .. import _columns as cols
from .._model import Volunteer
from .._money import minor_unit
from .._report import Report
from ._atomic import atomic_path

__all__ = ["escape_text", "write_weekly_csv"]

#: First characters that make a spreadsheet treat a cell as a formula.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")

_SIX: Final = Decimal("0.000001")


def escape_text(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would read as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_weekly_csv(
    report: Report,
    path: str | os.PathLike[str],
    *,
    volunteers: Iterable[Volunteer] | None = None,
) -> Path:
    """Write one CSV row per weekly statement, with a header row.

    The file is UTF-8 without a byte order mark, with CRLF line ends
    (RFC 4180), and appears atomically.

    Args:
        report: What ``compute()`` returned.
        path: Where the CSV should appear.
        volunteers: The roster, to fill ``Name``; by default the report's own
            roster. Blank for volunteers not given.

    Returns:
        The path written.
    """
    roster = {v.id: v for v in (report.volunteers if volunteers is None else volunteers)}
    kinds = [c.kind for c in cols.WEEKLY]
    target = Path(path)
    with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(c.header for c in cols.WEEKLY)
        for st in report.statements:
            values = cols.weekly_values(st, roster.get(st.volunteer_id))
            places = minor_unit(st.currency)
            writer.writerow(
                _field(kind, value, places) for kind, value in zip(kinds, values, strict=True)
            )
    return target


def _field(kind: str, value: object, places: int) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        if kind in ("money", "rate"):
            return f"{value:.{places}f}"
        return _plain(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return escape_text(value)
    return str(value)


def _plain(value: Decimal) -> str:
    # 6 places at most, no trailing zeros, never an exponent.
    text = f"{value.quantize(_SIX):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
