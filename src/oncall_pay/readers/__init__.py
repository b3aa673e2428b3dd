"""Readers: files in, domain values out. The core never imports them.

Every public reader is re-exported here. They load on first use, so that
``import oncall_pay`` does not pay for the iCalendar libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .csv import (
        check_volunteer_refs,
        read_pages_csv,
        read_pages_csv_with_lines,
        read_shifts_csv,
        read_shifts_csv_with_lines,
        read_volunteers_csv,
        read_volunteers_csv_with_lines,
    )
    from .grafana import read_grafana_final_shifts
    from .ical import read_ics
    from .pagerduty import (
        read_pagerduty_incidents_csv,
        read_pagerduty_log_entries,
        read_pagerduty_oncalls,
        read_pagerduty_schedule,
    )
    from .workbook import WorkbookStatement, read_workbook

_HOME = {
    "check_volunteer_refs": "csv",
    "read_pages_csv": "csv",
    "read_pages_csv_with_lines": "csv",
    "read_shifts_csv": "csv",
    "read_shifts_csv_with_lines": "csv",
    "read_volunteers_csv": "csv",
    "read_volunteers_csv_with_lines": "csv",
    "read_grafana_final_shifts": "grafana",
    "read_ics": "ical",
    "read_pagerduty_incidents_csv": "pagerduty",
    "read_pagerduty_log_entries": "pagerduty",
    "read_pagerduty_oncalls": "pagerduty",
    "read_pagerduty_schedule": "pagerduty",
    "WorkbookStatement": "workbook",
    "read_workbook": "workbook",
}

__all__ = [
    "WorkbookStatement",
    "check_volunteer_refs",
    "read_grafana_final_shifts",
    "read_ics",
    "read_pagerduty_incidents_csv",
    "read_pagerduty_log_entries",
    "read_pagerduty_oncalls",
    "read_pagerduty_schedule",
    "read_pages_csv",
    "read_pages_csv_with_lines",
    "read_shifts_csv",
    "read_shifts_csv_with_lines",
    "read_volunteers_csv",
    "read_volunteers_csv_with_lines",
    "read_workbook",
]


def __getattr__(name: str) -> object:
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
