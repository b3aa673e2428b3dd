"""Writers: a report in, files out. The core never imports them."""

from .compare import write_comparison
from .csv import write_weekly_csv
from .json import write_json
from .workbook import write_workbook

__all__ = ["write_comparison", "write_json", "write_weekly_csv", "write_workbook"]
