"""Run independent pieces of a computation in worker processes.

Pricing is a map: each volunteer's statements depend only on their own
shifts and pages and the rules (docs/architecture.md#parallel-pricing). The
engine cuts the volunteers into chunks and hands them to ``map_ordered``,
which runs them in a process pool and yields the results in the order the
chunks were given, so the report is the same as from one process — and an
error is the one a single process would have raised first.

What crosses between processes is pickled. attrs' own pickling of a slotted
class builds a dict per object; ``pickle_by_fields`` replaces it with a plain
tuple of the fields, which halves the cost of sending a report's statements
back to the parent.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

import attrs

__all__ = ["available_workers", "map_ordered", "pickle_by_fields"]

_T = TypeVar("_T")
_R = TypeVar("_R")
_C = TypeVar("_C", bound=type)


def pickle_by_fields(cls: _C) -> _C:
    """Pickle instances of the frozen attrs class ``cls`` as ``cls(*fields)``.

    Only for classes whose ``__init__`` takes every field positionally, in
    order, with no converter (so rebuilding gives an equal object).
    """
    names = tuple(f.name for f in attrs.fields(cls))
    for f in attrs.fields(cls):
        if f.converter is not None or not f.init:  # pragma: no cover - a misuse
            raise TypeError(f"{cls.__name__}.{f.name} cannot be rebuilt from its value")
    values = operator.attrgetter(*names)
    if len(names) == 1:  # attrgetter of one name gives the value, not a tuple

        def __reduce__(self: Any) -> tuple[Any, tuple[Any, ...]]:
            return cls, (values(self),)
    else:

        def __reduce__(self: Any) -> tuple[Any, tuple[Any, ...]]:
            return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign, assignment]
    return cls


def available_workers() -> int:
    """The CPUs this process may run on (``os.sched_getaffinity`` where it exists)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS and Windows
        return os.cpu_count() or 1


def _context() -> BaseContext:
    """``forkserver`` where the platform has it (Linux, macOS): a fork of a
    clean server process, safe even when the caller runs threads, and the
    default from Python 3.14; ``spawn`` elsewhere."""
    import multiprocessing  # here: a run in one process need not load it

    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:  # pragma: no cover - Windows
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # The server imports the engine once; each worker forked from it has it.
    context.set_forkserver_preload(["oncall_pay._engine"])
    return context


def map_ordered(fn: Callable[[_T], _R], tasks: Iterable[_T], workers: int) -> Iterator[_R]:
    """``map(fn, tasks)`` in ``workers`` processes, results in task order.

    ``fn`` must be a module-level function; tasks and results must pickle.
    The pool is shut down when the iterator is exhausted or closed, and an
    exception raised by ``fn`` is raised here, at its task's place.
    """
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        futures = [pool.submit(fn, task) for task in tasks]
        try:
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.cancel()
