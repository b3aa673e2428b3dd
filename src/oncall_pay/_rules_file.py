"""The TOML rules file (placeholder until the loader lands)."""

from __future__ import annotations

from pathlib import Path

from ._rules import Policy


def load_policy(path: str | Path) -> Policy:
    """Read a rules file."""
    raise NotImplementedError


def parse_policy(text: str, source: str = "<string>") -> Policy:
    """Parse rules file text."""
    raise NotImplementedError
