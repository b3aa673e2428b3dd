"""The sheets a ledger run adds to the finance workbook: To pay, Adjustments, TOIL.

They appear only in the workbook of a run of the ledger (``oncall-pay run
create --output`` or ``run show --output``); ``export`` writes none of them.
``docs/workbook.md#the-sheets-of-a-ledger-run`` explains every column.
The writer gets plain values: it knows nothing of the ledger itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Final, Protocol

import attrs

from .._columns import Column
from .._model import Volunteer
from .._report import Report
from ._xlsx import Table

__all__ = ["LedgerAdjustment", "LedgerSheets", "LedgerToil", "write_ledger_sheets"]


class LedgerAdjustment(Protocol):
    """One row of the Adjustments sheet: what the writer reads of an
    adjustment (``oncall_pay.ledger.Adjustment`` has it; the writer does not
    import the ledger)."""

    @property
    def source(self) -> str: ...
    @property
    def volunteer_id(self) -> str: ...
    @property
    def week(self) -> str: ...
    @property
    def week_start(self) -> date: ...
    @property
    def currency(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def toil_days(self) -> Decimal: ...
    @property
    def original_run(self) -> int | None: ...
    @property
    def reason(self) -> str: ...
    @property
    def by(self) -> str: ...
    @property
    def at(self) -> str: ...


@attrs.frozen
class LedgerToil:
    """One row of the TOIL sheet: a volunteer's time off in lieu in days."""

    volunteer_id: str
    earned_before: Decimal
    earned_here: Decimal
    taken: Decimal

    @property
    def balance(self) -> Decimal:
        """Earned before, plus earned in this run, less taken."""
        return self.earned_before + self.earned_here - self.taken


@attrs.frozen
class LedgerSheets:
    """What a ledger run adds to its workbook."""

    adjustments: tuple[LedgerAdjustment, ...]
    toil: tuple[LedgerToil, ...]


TO_PAY: Final = (
    Column("Volunteer ID", "text", 16),
    Column("Name", "text", 24),
    Column("Payroll ID", "text", 14),
    Column("Currency", "text", 9),
    Column("Statements", "money", 14),
    Column("Adjustments", "money", 14),
    Column("To pay", "money", 14),
)

ADJUSTMENTS: Final = (
    Column("Volunteer ID", "text", 16),
    Column("Name", "text", 24),
    Column("Week", "text", 10),
    Column("Week start", "date", 11),
    Column("Currency", "text", 9),
    Column("Amount", "money", 14),
    Column("TOIL days", "number", 10),
    Column("Kind", "text", 10),
    Column("Original run", "count", 12),
    Column("Reason", "text", 70),
    Column("By", "text", 16),
    Column("At (UTC)", "text", 26),
)

TOIL: Final = (
    Column("Volunteer ID", "text", 16),
    Column("Name", "text", 24),
    Column("Earned before this run", "number", 22),
    Column("Earned in this run", "number", 18),
    Column("Taken", "number", 10),
    Column("Balance", "number", 10),
)


def _name(roster: Mapping[str, Volunteer], vid: str) -> str | None:
    vol = roster.get(vid)
    return vol.name if vol else None


def write_ledger_sheets(
    wb: Any,
    report: Report,
    roster: Mapping[str, Volunteer],
    sheets: LedgerSheets,
    row_limit: int,
) -> None:
    """Write To pay, Adjustments and TOIL."""
    due: dict[tuple[str, str], list[Decimal]] = {}
    for st in report.statements:
        due.setdefault((st.volunteer_id, st.currency), [Decimal(0), Decimal(0)])[0] += st.total
    for adj in sheets.adjustments:
        due.setdefault((adj.volunteer_id, adj.currency), [Decimal(0), Decimal(0)])[1] += adj.amount
    to_pay = Table(wb, "To pay", TO_PAY, row_limit)
    for (vid, currency), (computed, adjusted) in sorted(due.items()):
        vol = roster.get(vid)
        to_pay.append(
            (vid, _name(roster, vid), vol.payroll_id if vol else None, currency,
             computed, adjusted, computed + adjusted),
            currency,
        )  # fmt: skip
    totals: dict[str, Decimal] = {}
    for (_, currency), (computed, adjusted) in due.items():
        totals[currency] = totals.get(currency, Decimal(0)) + computed + adjusted
    if totals:
        to_pay.ensure_room(1 + len(totals))
        to_pay.append_extra(())
        for currency, amount in sorted(totals.items()):
            to_pay.append_extra((f"Total {currency}", None, None, currency, None, None, amount),
                                currency)  # fmt: skip
    to_pay.finish()

    adjustments = Table(wb, "Adjustments", ADJUSTMENTS, row_limit)
    for adj in sheets.adjustments:
        adjustments.append(
            (adj.volunteer_id, _name(roster, adj.volunteer_id), adj.week, adj.week_start,
             adj.currency, adj.amount, adj.toil_days, adj.source, adj.original_run, adj.reason,
             adj.by, adj.at),
            adj.currency,
        )  # fmt: skip
    adjustments.finish()

    toil = Table(wb, "TOIL", TOIL, row_limit)
    for row in sheets.toil:
        toil.append(
            (row.volunteer_id, _name(roster, row.volunteer_id), row.earned_before,
             row.earned_here, row.taken, row.balance)
        )  # fmt: skip
    toil.finish()
