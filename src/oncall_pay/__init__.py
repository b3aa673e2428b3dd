"""oncall_pay: pays the people who carry the pager.

The public face of the library; the logic lives in private modules.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from ._compare import (
    Comparison,
    LineChange,
    VolunteerChange,
    WeekChange,
    compare,
    diff_policies,
)
from ._engine import compute
from ._errors import InputError, OncallPayError, PolicyError, Problem
from ._health import Fairness, Health, TeamMonth, VolunteerMonth
from ._model import Page, Shift, Volunteer
from ._notice import Notice
from ._report import HolidayEntry, LineItem, PageOutcome, Report, WeeklyStatement
from ._rules import (
    Calendar,
    Callout,
    HealthSettings,
    InterruptedWeekend,
    Limits,
    NightHours,
    OfBase,
    Payroll,
    Plan,
    Policy,
    RateSet,
    SleepHours,
    StandbyRate,
    Tier,
    Version,
    WorkingHours,
)
from ._rules_file import load_policy, parse_policy
from .pay_run import Inputs, Sources, load_inputs
from .readers.csv import read_pages_csv, read_shifts_csv, read_volunteers_csv

if TYPE_CHECKING:
    from .readers.workbook import read_workbook
    from .writers.workbook import write_workbook

try:
    __version__ = version("oncall-pay")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "Calendar",
    "Callout",
    "Comparison",
    "Fairness",
    "Health",
    "HealthSettings",
    "HolidayEntry",
    "InputError",
    "Inputs",
    "InterruptedWeekend",
    "Limits",
    "LineChange",
    "LineItem",
    "NightHours",
    "Notice",
    "OfBase",
    "OncallPayError",
    "Page",
    "PageOutcome",
    "Payroll",
    "Plan",
    "Policy",
    "PolicyError",
    "Problem",
    "RateSet",
    "Report",
    "Shift",
    "SleepHours",
    "Sources",
    "StandbyRate",
    "TeamMonth",
    "Tier",
    "Version",
    "Volunteer",
    "VolunteerChange",
    "VolunteerMonth",
    "WeekChange",
    "WeeklyStatement",
    "WorkingHours",
    "__version__",
    "compare",
    "compute",
    "diff_policies",
    "load_inputs",
    "load_policy",
    "parse_policy",
    "read_pages_csv",
    "read_shifts_csv",
    "read_volunteers_csv",
    "read_workbook",
    "write_workbook",
]


#: Loaded on first use: openpyxl takes a third of a second to import, which a
#: run writing CSV or JSON (or a service that only computes) need not pay.
_LAZY = {"read_workbook": ".readers.workbook", "write_workbook": ".writers.workbook"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
