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
import pickle
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future
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
    """How worker processes start.

    ``fork`` where the platform has it and this process runs no other
    thread (the command line): the workers inherit the tasks and the run's
    settings, so nothing but results crosses between processes. Forking a
    process that runs threads can deadlock the child, so then
    ``forkserver`` (a fork of a clean server process; the default from
    Python 3.14), and ``spawn`` where neither exists.
    """
    import multiprocessing  # here: a run in one process need not load it

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" not in methods:  # pragma: no cover - Windows
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # The server imports the engine once; each worker forked from it has it.
    context.set_forkserver_preload(["oncall_pay._engine"])
    return context


#: The tasks of the pool being started, for workers that inherit them (fork).
_INHERITED: list[Any] = []


def _inherited(fn: Callable[[Any], Any], index: int) -> Any:
    """Run a task a forked worker inherited, by its place in the list."""
    return fn(_INHERITED[index])


#: Who runs a task, in the shared array of claims: nobody yet, this
#: process, the pool.
_FREE: Final = 0
_HERE: Final = 1
_POOL: Final = 2

#: How long taking a task may wait for the claims' lock, in seconds.
_CLAIM_TIMEOUT: Final = 60.0

#: The claims of the pool this process belongs to (a pool process).
_CLAIMS: list[Any] = []


def _start_pool_process(
    claims: Any, initializer: Callable[..., object] | None, initargs: tuple[Any, ...]
) -> None:
    """A pool process's start: keep the shared claims, run the caller's initializer."""
    _CLAIMS[:] = [claims]
    if initializer is not None:
        initializer(*initargs)


def _claim(claims: Any, index: int, who: int) -> bool:
    """Take task ``index`` for ``who`` unless someone has it already.

    This process and the pool share the tasks through an array in shared
    memory rather than by cancelling the pool's futures: the pool queues a
    task ahead of the one it runs, and a queued future cannot be cancelled,
    so this process would wait at the end for the pool to run two tasks in
    a row.

    Raises:
        RuntimeError: The lock stayed taken for ``_CLAIM_TIMEOUT`` seconds
            (it is held for a few instructions: a process was killed
            holding it), instead of waiting for ever.
    """
    lock = claims.get_lock()
    if not lock.acquire(timeout=_CLAIM_TIMEOUT):
        raise RuntimeError("a worker process stopped while taking a task; run again")
    try:
        if claims[index] != _FREE:
            return False
        claims[index] = who
        return True
    finally:
        lock.release()


class _Sent:
    """A task sent to a pool process that did not inherit it (fork server,
    spawn). It is pickled late, when the pool's queue takes it in this
    process's feeder thread: a task this process has claimed by then is sent
    as nothing (the pool's call returns None without it), so a chunk priced
    here is not pickled and unpickled as well for a call that does nothing."""

    __slots__ = ("claims", "index", "task")

    def __init__(self, claims: Any, index: int, task: Any) -> None:
        self.claims = claims
        self.index = index
        self.task = task

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # One byte read without the lock: a task once claimed stays claimed,
        # and one still free is sent whole (the pool claims it, or not, itself).
        if self.claims.get_obj()[self.index] != _FREE:
            return _not_sent, ()
        return _received, (self.task,)


def _received(task: _T) -> _T:
    return task


def _not_sent() -> None:
    return None


def _pool_task(directory: str, index: int, run: Callable[..., Any], *args: Any) -> str | None:
    """Run task ``index`` in a pool process (``_to_file``), unless this
    process's parent has claimed it; then return None."""
    if not _claim(_CLAIMS[0], index, _POOL):
        return None
    return _to_file(directory, run, *args)


def _to_file(directory: str, run: Callable[..., Any], *args: Any) -> str:
    """Run a task in a worker and leave its result, pickled, in a temporary
    file in ``directory`` (the run's directory, made by the parent: a worker
    from the fork server may not share its temporary directory); return the
    file's path.

    A result is megabytes: sent through the pool's pipe, the parent's
    result thread would take it in while the parent prices its own share,
    and the two threads would keep handing the interpreter lock to each
    other. Only the path crosses; the parent reads the file when its own
    share is done.
    """
    result = run(*args)
    fd, path = tempfile.mkstemp(prefix="oncall_pay-result-", suffix=".pickle", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        os.remove(path)  # a result that does not pickle leaves no half-written file
        raise
    return path


def _from_file(path: str) -> Any:
    """The result ``_to_file`` left, read and removed."""
    try:
        with open(path, "rb") as src:
            return pickle.load(src)
    finally:
        os.remove(path)


def map_ordered(
    fn: Callable[[_T], _R],
    tasks: Iterable[_T],
    workers: int,
    *,
    here: Callable[[_T], _R] | None = None,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[_R]:
    """``map(fn, tasks)`` in ``workers`` processes, results in task order.

    ``fn`` must be a module-level function; tasks and results must pickle.
    With ``here``, this process is one of the ``workers``: a pool of the
    others takes tasks from the end of the list while this process runs
    tasks from its start with ``here``, until the two meet (so the work is
    shared out as it goes, and only the pool's results cross between
    processes). Each pool process runs ``initializer(*initargs)`` once
    first. An exception raised by a task is raised here, at its task's
    place; a pool that breaks (a worker killed, an initializer that fails)
    raises ``BrokenProcessPool`` as soon as this process sees it.

    The pool is shut down when the iterator is exhausted or closed; closed
    early, it waits for the tasks the pool is running, and no other task
    begins. The results are left in a temporary directory of the run's own,
    removed at the end whatever happened.
    """
    from concurrent.futures import ProcessPoolExecutor

    tasks = list(tasks)
    pool_size = workers - 1 if here is not None else workers
    context = _context()
    forked = context.get_start_method() == "fork"
    # Who runs each task (``_claim``): the pool, this process, or nobody
    # (a task this process gave up when the caller stopped early).
    claims = context.Array("b", len(tasks))
    # Forked workers inherit the tasks: each is sent as its place in the list.
    _INHERITED[:] = tasks if forked else []
    futures: dict[int, Future[str | None]] = {}
    directory = tempfile.mkdtemp(prefix="oncall_pay-run-")
    try:
        with ProcessPoolExecutor(
            max_workers=max(pool_size, 1), mp_context=context,
            initializer=_start_pool_process, initargs=(claims, initializer, initargs),
        ) as pool:  # fmt: skip
            # The pool begins at the last task, so the two ends meet.
            order = range(len(tasks) - 1, -1, -1) if here is not None else range(len(tasks))
            for i in order:
                futures[i] = (
                    pool.submit(_pool_task, directory, i, _inherited, fn, i)
                    if forked
                    else pool.submit(_pool_task, directory, i, fn, _Sent(claims, i, tasks[i]))
                )
            submitted = list(futures.values())
            try:
                yield from _gather(tasks, futures, here, claims)
            finally:
                # No future is cancelled: CPython 3.11's pool fails on a
                # cancelled future when it breaks. Tasks nobody has begun are
                # taken instead, so the pool's queued calls return at once.
                _take_the_rest(claims)
        # The pool has stopped. One that broke after this process had taken
        # every task still fails the run, as it would a larger run.
        _raise_if_broken(submitted)
    finally:
        _INHERITED.clear()
        shutil.rmtree(directory, ignore_errors=True)


#: How long marking the rest taken waits for the claims' lock, in seconds:
#: it only spares the pool work, so it does not wait as a claim would.
_TAKE_TIMEOUT: Final = 1.0


def _take_the_rest(claims: Any) -> None:
    """Mark every task nobody has claimed as this process's (it will not
    run them: the caller stopped, or every task is done). Skipped if the
    lock cannot be had at once (a worker died holding it: the pool is
    broken, and its error should not wait for ``_CLAIM_TIMEOUT``)."""
    lock = claims.get_lock()
    if lock.acquire(timeout=_TAKE_TIMEOUT):
        try:
            for i in range(len(claims)):
                if claims[i] == _FREE:
                    claims[i] = _HERE
        finally:
            lock.release()


def _raise_if_broken(futures: Iterable[Future[str | None]]) -> None:
    """Raise the pool's ``BrokenExecutor`` error if a future holds one."""
    from concurrent.futures import BrokenExecutor

    for future in futures:
        if future.done():
            error = future.exception()
            if isinstance(error, BrokenExecutor):
                raise error


def _gather(
    tasks: list[_T],
    futures: dict[int, Future[str | None]],
    here: Callable[[_T], _R] | None,
    claims: Any,
) -> Iterator[_R]:
    """The results of ``map_ordered``, in task order: this process runs
    each task from the start that it can claim, and between its own tasks
    reads the pool's results that are ready (so none is left to read at the
    end, when the pool may be done and idle) and raises a broken pool's
    error. ``futures`` loses each entry it is done with."""
    # The pool's results read ahead of their turn, or what reading one raised
    # (raised at its turn, after every earlier result).
    done: dict[int, tuple[_R | None, BaseException | None]] = {}
    mine = 0  # tasks before this one were run here
    if here is not None:
        while mine < len(tasks) and _claim(claims, mine, _HERE):
            del futures[mine]  # the pool's call returns None
            result = here(tasks[mine])
            mine += 1
            # The pool works down from the end, so its results all come
            # after this process's: this one is next in order.
            yield result
            ready = [i for i, f in futures.items() if f.done()]
            _raise_if_broken(futures[i] for i in ready)
            for i in ready:
                if futures[i].exception() is None:  # a task's error waits for its turn
                    path = futures.pop(i).result()
                    assert path is not None  # claimed by the pool: this process stopped below it
                    try:
                        done[i] = (_from_file(path), None)
                    except Exception as e:  # raised at its place, below
                        done[i] = (None, e)
    for i in range(mine, len(tasks)):
        if i in done:
            read, error = done.pop(i)
            if error is not None:
                raise error
            yield read  # type: ignore[misc]  # _R itself may include None
        else:
            path = futures.pop(i).result()  # an error is raised here, in its place
            assert path is not None
            yield _from_file(path)
