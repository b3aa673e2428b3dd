"""A report back from its JSON form (``Report.to_dict()``), for the ledger.

The ledger keeps each run's report as JSON text (decimals as strings, times
ISO 8601 with their offset) so that a run's workbook can be written again
later, with its approval trail, from the database alone. This walks the
attrs classes of the report by their type hints: no pickles in the database.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

import attrs

from .._report import Report

_T = TypeVar("_T")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _value(hint: Any, data: Any) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        inner = [a for a in args if a is not type(None)]
        return _value(inner[0], data)
    if origin is tuple:
        return tuple(_value(args[0], item) for item in data)
    if origin in (Mapping, dict) or (origin is not None and issubclass(origin, Mapping)):
        return {_value(args[0], k): _value(args[1], v) for k, v in data.items()}
    if isinstance(hint, type) and attrs.has(hint):
        return restore(hint, data)
    if hint is Decimal:
        return Decimal(data)
    if hint is datetime:
        return datetime.fromisoformat(data)
    if hint is date:
        return date.fromisoformat(data)
    if hint is time:
        return time.fromisoformat(data)
    if hint is timedelta:
        return timedelta(microseconds=int(Decimal(data).scaleb(6)))
    return data


def restore(cls: type[_T], data: Mapping[str, Any]) -> _T:
    """An attrs value of ``cls`` from its plain form (``_report._plain``)."""
    kind: Any = cls
    hints = _hints(kind)
    kwargs = {
        f.name: _value(hints[f.name], data[f.name]) for f in attrs.fields(kind) if f.name in data
    }
    return cls(**kwargs)


def restore_report(data: Mapping[str, Any]) -> Report:
    """The report of ``Report.to_dict()`` (its ``totals`` key is derived, and ignored)."""
    return restore(Report, {k: v for k, v in data.items() if k != "totals"})
