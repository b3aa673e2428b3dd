"""Pricing in worker processes gives the report of one process (issue 17)."""

from __future__ import annotations

import operator
import os
import pickle
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings

import oncall_pay as op
from helpers import example_policy
from oncall_pay import _parallel
from oncall_pay._engine import compute_exact
from oncall_pay._report import LineItem, PageOutcome, WeeklyStatement
from strategies import PayRun, pay_runs


def _compute(run: PayRun, workers: int) -> op.Report:
    return op.compute(
        run.volunteers, run.shifts, run.pages, run.policy,
        start=run.start, end=run.end, workers=workers,
    )  # fmt: skip


# Each example starts a pool of processes: fewer examples than the other
# properties, which price in one process and cover the pay itself.
@pytest.mark.slow
@settings(max_examples=20)
@given(pay_runs())
def test_two_processes_give_the_report_of_one(run: PayRun) -> None:
    """The same statements, pages, notices and health, in the same order."""
    one = _compute(run, 1)
    two = _compute(run, 2)
    assert two == one
    assert two.to_json() == one.to_json()


@pytest.mark.slow
@settings(max_examples=5)
@given(pay_runs())
def test_compute_exact_in_processes_keeps_the_lines_before_rounding(run: PayRun) -> None:
    """compute_exact with workers gives the same report and the same exact lines."""
    args = (run.volunteers, run.shifts, run.pages, run.policy)
    one = compute_exact(*args, start=run.start, end=run.end)
    three = compute_exact(*args, start=run.start, end=run.end, workers=3)
    assert three == one


def _team(n: int) -> list[op.Volunteer]:
    return [
        op.Volunteer(id=f"v{i:03}", name=f"V {i}", country="IE", timezone="Europe/Dublin")
        for i in range(n)
    ]


def _week_of_cover(vid: str) -> op.Shift:
    start = datetime(2026, 11, 16, 9, tzinfo=ZoneInfo("Europe/Dublin"))
    return op.Shift(vid, start, start + timedelta(days=7))


def test_the_first_error_in_id_order_is_raised_as_by_one_process() -> None:
    """A volunteer whose plan is missing fails the run with the same error,
    whichever process priced them; the first in id order wins."""
    team = _team(40)
    team[17] = attrs.evolve(team[17], plan="nonesuch")
    team[31] = attrs.evolve(team[31], plan="other")
    shifts = [_week_of_cover(v.id) for v in team]
    policy = example_policy()
    errors = []
    for workers in (1, 2):
        with pytest.raises(op.PolicyError) as caught:
            op.compute(team, shifts, [], policy, start=date(2026, 11, 16),
                       end=date(2026, 11, 22), workers=workers)  # fmt: skip
        errors.append(str(caught.value))
    assert errors[0] == errors[1]
    assert "'v017' asks for plan 'nonesuch'" in errors[0]


def test_progress_grows_to_every_volunteer_with_workers() -> None:
    """The progress callback counts volunteers as chunks come back, up to all."""
    team = _team(30)
    seen: list[tuple[int, int]] = []
    op.compute(
        team, [_week_of_cover(v.id) for v in team], [], example_policy(),
        start=date(2026, 11, 16), end=date(2026, 11, 22), workers=2,
        progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    done = [d for d, _ in seen]
    assert done[0] == 0
    assert done[-1] == 30
    assert done == sorted(done)
    assert len(seen) > 2  # chunk by chunk, not only start and end
    assert {total for _, total in seen} == {30}


@pytest.mark.parametrize("workers", [0, -1, True, 1.5, "2"])
def test_workers_must_be_a_whole_number_of_at_least_one(workers: object) -> None:
    """A bad worker count is refused before anything runs."""
    with pytest.raises(ValueError, match="workers must be a whole number of at least 1"):
        op.compute([], [], [], example_policy(), start=date(2026, 11, 16),
                   end=date(2026, 11, 22), workers=workers)  # type: ignore[arg-type]  # fmt: skip


def test_report_objects_pickle_to_equal_objects() -> None:
    """What crosses between processes comes back equal (pickled as field tuples)."""
    team = _team(2)
    report = op.compute(team, [_week_of_cover(v.id) for v in team], [], example_policy(),
                        start=date(2026, 11, 16), end=date(2026, 11, 22))  # fmt: skip
    assert report.statements
    for obj in (report, *report.statements, *report.statements[0].lines):
        assert pickle.loads(pickle.dumps(obj)) == obj
    for cls in (LineItem, WeeklyStatement, PageOutcome):
        assert cls.__reduce__ is not object.__reduce__


def _square(n: int) -> int:
    if n == 29:
        raise ValueError("twenty-nine")
    return n * n


def _results_left() -> set[Path]:
    """What runs left in the temporary directory (the test's own; the fork
    server's ``pymp-`` directory is multiprocessing's)."""
    return set(Path(tempfile.gettempdir()).glob("oncall_pay-*"))


def test_a_result_file_is_left_in_the_directory_given_and_removed_once_read(
    tmp_path: Path,
) -> None:
    path = _parallel._to_file(str(tmp_path), _square, 3)
    assert Path(path).parent == tmp_path
    assert _parallel._from_file(path) == 9
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("with_thread", [False, True])
def test_the_pool_and_this_process_share_the_tasks_in_order(
    with_thread: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This process runs tasks from the start, the pool from the end; the
    results come in task order, an error at its task's place, whether the
    workers are forked (no other thread) or come from the fork server (a
    thread is running); no result file is left behind (in a temporary
    directory of the test's own: other tests run alongside)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    if with_thread:
        thread.start()
    try:
        assert _parallel._context().get_start_method() == ("forkserver" if with_thread else "fork")
        ran_here: list[int] = []

        def here(n: int) -> int:
            ran_here.append(n)
            return _square(n)

        tasks = list(range(29))
        assert list(_parallel.map_ordered(_square, tasks, 2, here=here)) == [n * n for n in tasks]
        assert ran_here == tasks[: len(ran_here)]  # from the start, in order
        assert list(_parallel.map_ordered(_square, tasks, 3)) == [n * n for n in tasks]
        got: list[int] = []
        with pytest.raises(ValueError, match="twenty-nine"):
            got.extend(_parallel.map_ordered(_square, range(40), 2, here=_square))
        assert got == [n * n for n in range(29)]
    finally:
        stop.set()
        if with_thread:
            thread.join()
    assert _results_left() == set()


def _slow_square(n: int) -> int:
    time.sleep(0.6)  # longer than this process takes for the five tasks it gets
    return n * n


@pytest.mark.slow
def test_this_process_takes_every_task_the_pool_has_not_begun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool queues a task ahead of the one it runs; this process still
    takes that one, so it never waits for the pool to run two tasks in a row
    at the end (the pool, slow here, runs only the task it began with)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ran_here: list[int] = []

    def here(n: int) -> int:
        time.sleep(0.05)
        ran_here.append(n)
        return n * n

    tasks = list(range(6))
    assert list(_parallel.map_ordered(_slow_square, tasks, 2, here=here)) == [0, 1, 4, 9, 16, 25]
    assert ran_here[:5] == [0, 1, 2, 3, 4]
    assert _results_left() == set()


def _unreadable() -> None:
    raise ValueError("this result cannot be read back")


class _ReadsBackBadly:
    """A result that pickles but fails to unpickle (as a corrupt file would)."""

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return _unreadable, ()


def _last_reads_back_badly(n: int) -> object:
    return _ReadsBackBadly() if n == 5 else n


@pytest.mark.slow
def test_a_result_that_cannot_be_read_fails_at_its_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool's results are read ahead of their turn, while this process
    works; a result that cannot be read back still fails the run at its
    task's place, after every earlier result."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def here(n: int) -> object:
        time.sleep(0.1)  # the pool's result is ready long before its turn
        return n

    got: list[object] = []
    with pytest.raises(ValueError, match="cannot be read back"):
        got.extend(_parallel.map_ordered(_last_reads_back_badly, range(6), 2, here=here))
    assert got == [0, 1, 2, 3, 4]
    assert _results_left() == set()


def test_a_claim_waits_for_the_lock_only_so_long(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process killed while holding the claims' lock would leave the others
    waiting for ever; taking a task gives up with an error instead."""
    import multiprocessing

    claims = multiprocessing.get_context("fork").Array("b", 3)
    monkeypatch.setattr(_parallel, "_CLAIM_TIMEOUT", 0.05)
    assert _parallel._claim(claims, 0, _parallel._HERE)
    assert not _parallel._claim(claims, 0, _parallel._POOL)
    taken, done = threading.Event(), threading.Event()

    def hold() -> None:  # another owner of the lock, which does not let go
        with claims.get_lock():
            taken.set()
            done.wait()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert taken.wait(5)
        with pytest.raises(RuntimeError, match="stopped while taking a task"):
            _parallel._claim(claims, 1, _parallel._HERE)
    finally:
        done.set()
        holder.join()
    assert _parallel._claim(claims, 1, _parallel._POOL)


def test_a_result_that_does_not_pickle_leaves_no_file(tmp_path: Path) -> None:
    """The worker's error is the caller's; the half-written file is removed."""
    with pytest.raises(TypeError, match="pickle"):
        _parallel._to_file(str(tmp_path), threading.Lock)
    assert list(tmp_path.iterdir()) == []


def _dies_at_eight(n: int) -> int:
    if n == 8:
        os._exit(3)  # as a worker killed by the system would stop: no exception, no result
    return n


def _slowly(n: int) -> int:
    time.sleep(0.3)
    return n


@pytest.mark.slow
def test_a_worker_killed_mid_run_fails_the_run_at_once_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool breaks: the run raises ``BrokenProcessPool`` as soon as this
    process sees it (not after pricing its whole share), the pool's own
    thread does not die on futures this process had taken (CPython 3.11
    fails on a cancelled one), and the result the pool wrote before it broke
    is removed."""
    from concurrent.futures.process import BrokenProcessPool

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    thread_errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: thread_errors.append(args.exc_value))
    got: list[int] = []
    with pytest.raises(BrokenProcessPool):
        got.extend(_parallel.map_ordered(_dies_at_eight, range(10), 2, here=_slowly))
    assert got == list(range(len(got)))
    assert len(got) < 7  # seen while this process still had work of its own
    assert thread_errors == []
    assert _results_left() == set()


def _fails_to_start() -> None:
    raise OSError("no worker can start here")


@pytest.mark.slow
@pytest.mark.parametrize("n", [3, 40])
def test_a_pool_that_cannot_start_fails_the_run_whatever_its_size(
    n: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small run used to finish quietly in this process alone while a
    large one failed; both now fail the same way."""
    from concurrent.futures.process import BrokenProcessPool

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(BrokenProcessPool):
        list(_parallel.map_ordered(abs, range(n), 2, here=abs, initializer=_fails_to_start))
    assert _results_left() == set()


def _marks_and_waits(task: tuple[str, int]) -> int:
    directory, n = task
    Path(directory, f"ran-{n}").touch()
    time.sleep(0.6)
    return n


@pytest.mark.slow
def test_closing_early_runs_no_task_the_pool_has_not_begun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caller that stops after the first result waits for the task the
    pool is running, not for the one it queued behind it."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    marks = tmp_path / "marks"
    marks.mkdir()
    tasks = [(str(marks), n) for n in range(6)]
    results = _parallel.map_ordered(_marks_and_waits, tasks, 2, here=operator.itemgetter(1))
    assert next(results) == 0
    deadline = time.monotonic() + 10
    while not (marks / "ran-5").exists() and time.monotonic() < deadline:
        time.sleep(0.01)  # until the pool has begun its first task (and queued the next)
    results.close()
    assert {p.name for p in marks.iterdir()} <= {"ran-5"}
    assert _results_left() == set()


class _CountsItsPickling:
    """A task that notes, in this process, each time it is pickled."""

    pickled: list[int] = []  # noqa: RUF012 - this process's record, not an attribute

    def __init__(self, n: int) -> None:
        self.n = n

    def __reduce__(self) -> tuple[object, tuple[int]]:
        _CountsItsPickling.pickled.append(self.n)
        return _CountsItsPickling, (self.n,)


def _slowly_n(task: _CountsItsPickling) -> int:
    time.sleep(0.6)  # longer than this process takes for the tasks it gets
    return task.n


@pytest.mark.slow
def test_a_task_this_process_has_claimed_is_not_sent_to_the_fork_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers from the fork server receive each task pickled. One this
    process has priced by the time the pool's queue takes it is sent as
    nothing: the pool's call for it returns None without unpickling a chunk
    (and this process does not pickle it only for that)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(_CountsItsPickling, "pickled", [])
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert _parallel._context().get_start_method() == "forkserver"
        tasks = [_CountsItsPickling(n) for n in range(10)]
        got = list(_parallel.map_ordered(_slowly_n, tasks, 2, here=operator.attrgetter("n")))
    finally:
        stop.set()
        thread.join()
    assert got == list(range(10))
    # The task the pool runs, the one queued behind it, and one more at most
    # (its queue holds two); not the seven or more this process priced.
    assert len(_CountsItsPickling.pickled) <= 3, _CountsItsPickling.pickled
    assert _results_left() == set()
