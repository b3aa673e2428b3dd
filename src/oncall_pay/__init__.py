"""oncall_pay: pays the people who carry the pager.

The public face of the library; the logic lives in private modules.
"""

from importlib.metadata import PackageNotFoundError, version

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
    Plan,
    Policy,
    SleepHours,
    StandbyRate,
    Version,
    WorkingHours,
)
from ._rules_file import load_policy, parse_policy
from .pay_run import Inputs, Sources, load_inputs
from .readers.csv import read_pages_csv, read_shifts_csv, read_volunteers_csv
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
    "Notice",
    "OncallPayError",
    "Page",
    "PageOutcome",
    "Plan",
    "Policy",
    "PolicyError",
    "Problem",
    "Report",
    "Shift",
    "SleepHours",
    "Sources",
    "StandbyRate",
    "TeamMonth",
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
