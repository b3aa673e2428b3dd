"""Fetchers: on-call APIs in, snapshot folders out. The only package that does HTTP.

``fetch_pagerduty`` and ``fetch_grafana`` save every raw API answer of a pay
period with a ``manifest.json`` (the query, the fetch time, each file's
SHA-256); ``read_snapshot`` checks a snapshot and says which pay-run source
reads each file. The readers then read the files as if saved by hand: the
fetchers know the APIs, never the pay rules. Names load on first use, so
``import oncall_pay`` does not load httpx.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._http import FetchError, RetryPolicy
    from ._snapshot import Snapshot, read_snapshot
    from .grafana import fetch_grafana
    from .pagerduty import fetch_pagerduty

_HOME = {
    "FetchError": "_http",
    "RetryPolicy": "_http",
    "Snapshot": "_snapshot",
    "fetch_grafana": "grafana",
    "fetch_pagerduty": "pagerduty",
    "read_snapshot": "_snapshot",
}

__all__ = [
    "FetchError",
    "RetryPolicy",
    "Snapshot",
    "fetch_grafana",
    "fetch_pagerduty",
    "read_snapshot",
]


def __getattr__(name: str) -> object:
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
