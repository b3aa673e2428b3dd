"""The whole report as JSON (``Report.to_json()``)."""

from __future__ import annotations

import os
from pathlib import Path

from .._report import Report
from ._atomic import atomic_path

__all__ = ["write_json"]


def write_json(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write ``report.to_json()`` (and a final newline) as UTF-8, atomically.

    Args:
        report: What ``compute()`` returned.
        path: Where the JSON file should appear.

    Returns:
        The path written.
    """
    target = Path(path)
    with atomic_path(target) as tmp:
        tmp.write_text(report.to_json() + "\n", encoding="utf-8")
    return target
