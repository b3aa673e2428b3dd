"""compute(): placeholder until the engine lands."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ._model import Page, Shift, Volunteer
from ._report import Report
from ._rules import Policy


def compute(
    volunteers: Iterable[Volunteer],
    shifts: Iterable[Shift],
    pages: Iterable[Page],
    policy: Policy,
    *,
    start: date,
    end: date,
) -> Report:
    """Price every pay week whose start lies in ``[start, end]``."""
    raise NotImplementedError
