"""The public face of the package and the JSON form of a report."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl

import oncall_pay as op
from helpers import DUBLIN, example_policy, local, page

PUBLIC = {
    "Calendar", "Callout", "HolidayEntry", "InputError", "InterruptedWeekend", "Limits",
    "LineItem", "Notice", "OncallPayError", "Page", "PageOutcome", "Plan", "Policy",
    "PolicyError", "Problem", "Report", "Shift", "StandbyRate", "Tier", "Version", "Volunteer",
    "WeeklyStatement", "WorkingHours", "__version__", "compute", "load_policy", "parse_policy",
    "read_pages_csv", "read_shifts_csv", "read_volunteers_csv",
    "read_workbook", "write_workbook",
    "Fairness", "Health", "TeamMonth", "VolunteerMonth", "HealthSettings", "SleepHours",
    "Comparison", "LineChange", "VolunteerChange", "WeekChange", "compare", "diff_policies",
    "Inputs", "Sources", "load_inputs",
    "Payroll",
    "NightHours", "OfBase", "RateSet",
}  # fmt: skip


def test_all_is_exactly_the_public_surface() -> None:
    """__all__ lists exactly the documented public names, alphabetised."""
    assert set(op.__all__) == PUBLIC
    assert op.__all__ == sorted(op.__all__)
    for name in op.__all__:
        assert hasattr(op, name)


def test_errors_are_value_errors() -> None:
    """Every error class is an OncallPayError and a ValueError."""
    for cls in (op.InputError, op.PolicyError):
        assert issubclass(cls, op.OncallPayError)
        assert issubclass(cls, ValueError)


def test_report_json_uses_strings_for_money_and_offsets_for_times() -> None:
    """to_json writes decimals as strings and datetimes in ISO 8601 with their offset."""
    d = "Europe/Dublin"
    shift = op.Shift("alice", local(d, 2026, 11, 16), local(d, 2026, 11, 23))
    p = page("P1", "alice", local(d, 2026, 11, 21, 2, 10), local(d, 2026, 11, 21, 2, 55))
    report = op.compute([DUBLIN], [shift], [p], example_policy(),
                        start=date(2026, 11, 16), end=date(2026, 11, 16))  # fmt: skip
    data = json.loads(report.to_json())
    (st,) = data["statements"]
    assert st["total"] == "595.00"
    assert st["week"] == "2026-W47"
    assert st["week_start"] == "2026-11-16"
    assert data["pages"][0]["at"] == "2026-11-21T02:10:00+00:00"
    assert data["totals"] == {"EUR": "595.00"}
    assert Decimal(st["lines"][0]["amount"]) == Decimal("300.00")


def test_the_workbook_names_volunteers_from_the_report(tmp_path: Path) -> None:
    """write_workbook(report, path) fills names from the roster that was priced."""
    d = "Europe/Dublin"
    shift = op.Shift("alice", local(d, 2026, 11, 16), local(d, 2026, 11, 23))
    report = op.compute([DUBLIN], [shift], [], example_policy(),
                        start=date(2026, 11, 16), end=date(2026, 11, 16))  # fmt: skip
    assert report.volunteers == (DUBLIN,)
    out = op.write_workbook(report, tmp_path / "w.xlsx")
    sheet = openpyxl.load_workbook(out, read_only=True)["Summary"]
    rows = list(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    assert rows[0][:2] == ("alice", "Alice Byrne")
