"""CSV readers (placeholder until the readers land)."""

from __future__ import annotations

from pathlib import Path

from .._model import Page, Shift, Volunteer


def read_volunteers_csv(path: str | Path) -> tuple[Volunteer, ...]:
    """Read a roster CSV."""
    raise NotImplementedError


def read_shifts_csv(path: str | Path) -> tuple[Shift, ...]:
    """Read a shifts CSV."""
    raise NotImplementedError


def read_pages_csv(path: str | Path) -> tuple[Page, ...]:
    """Read a pages CSV."""
    raise NotImplementedError
