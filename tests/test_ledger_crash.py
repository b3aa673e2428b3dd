"""The ledger survives a process killed in the middle of ``run create``."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from oncall_pay.cli import demo_files, main
from oncall_pay.ledger import ENV_VAR, Ledger
from oncall_pay.ledger._schema import SCHEMA_VERSION

#: Runs ``oncall-pay`` with one step of the ledger's write replaced by
#: "do the step, then SIGKILL this process": the kill lands inside the open
#: transaction, after rows were written and before COMMIT.
_KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from oncall_pay.ledger import _store

    step = sys.argv[1]
    original = getattr(_store.Ledger, step)

    def killed(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(_store.Ledger, step, killed)
    from oncall_pay.cli import main
    sys.exit(main(sys.argv[2:]))
    """
)


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    """Arguments naming copies of the demo inputs, November 2026."""
    out = {}
    for key, path in demo_files().items():
        out[key] = tmp_path / path.name
        shutil.copyfile(path, out[key])
    return [str(a) for a in (
        "--volunteers", out["volunteers"], "--rules", out["rules"], "--shifts", out["shifts"],
        "--pages", out["pages"], "--from", "2026-11-01", "--to", "2026-11-30",
    )]  # fmt: skip


def _rows(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    tables = ("runs", "run_inputs", "run_weeks", "statements", "lines", "adjustments",
              "run_events")  # fmt: skip
    counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    db.close()
    return counts


@pytest.mark.parametrize("step", ["_insert_statements", "_event"])
def test_a_run_create_killed_mid_write_leaves_the_ledger_as_before(
    tmp_path: Path, files: list[str], monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    """SIGKILL after the lines (or the trail) were written but before the commit: the
    ledger holds exactly the runs it held before, is intact, and the next create works."""
    ledger = tmp_path / "team.sqlite"
    monkeypatch.setenv(ENV_VAR, str(ledger))
    assert main(["run", "create", *files, "--by", "ana"]) == 0
    assert main(["run", "approve", "1", "--by", "bea"]) == 0
    assert main(["run", "lock", "1", "--by", "cy"]) == 0
    before = _rows(ledger)
    pages = Path(files[files.index("--pages") + 1])
    with pages.open("a", encoding="utf-8") as f:  # a late page: the run would hold arrears
        f.write("PD-2001,bob,2026-11-07T22:30:00+00:00,2026-11-07T23:20:00+00:00,,high,Late\n")
    env = {**os.environ, ENV_VAR: str(ledger)}
    killed = subprocess.run(
        [sys.executable, "-c", _KILLER, step, "run", "create", *files, "--by", "ana"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _rows(ledger) == before
    with Ledger(ledger) as opened:
        assert [(r.id, r.status) for r in opened.runs()] == [(1, "locked")]
    assert main(["run", "create", *files, "--by", "ana"]) == 0
    with Ledger(ledger) as opened:
        record = opened.run(2)
        assert (record.status, record.adjustments) == ("draft", 1)


_KILL_MIGRATION = textwrap.dedent(
    """
    import os, signal, sys
    from oncall_pay.ledger import _store

    def statements(real):
        for n, statement in enumerate(real):
            if n == 3:  # three tables created, inside the migration's transaction
                os.kill(os.getpid(), signal.SIGKILL)
            yield statement

    _store.MIGRATIONS = tuple((v, d, statements(s)) for v, d, s in _store.MIGRATIONS)
    from oncall_pay.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def test_a_ledger_killed_while_it_is_first_created_opens_cleanly(
    tmp_path: Path, files: list[str]
) -> None:
    """SIGKILL half way through creating the tables: none of them is left, and the next
    open creates them all."""
    ledger = tmp_path / "team.sqlite"
    env = {**os.environ, ENV_VAR: str(ledger)}
    killed = subprocess.run(
        [sys.executable, "-c", _KILL_MIGRATION, "run", "create", *files],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    db = sqlite3.connect(ledger)
    assert db.execute("SELECT name FROM sqlite_master").fetchall() == []
    db.close()
    with Ledger(ledger) as opened:
        assert opened.runs() == []
        assert opened.schema_version() == SCHEMA_VERSION


@pytest.mark.parametrize("delay", [0.15, 0.3, 0.4, 0.45, 0.5, 0.6, 0.8])
def test_a_run_create_killed_at_any_moment_is_all_or_nothing(
    tmp_path: Path, files: list[str], monkeypatch: pytest.MonkeyPatch, delay: float
) -> None:
    """SIGKILL after a delay, wherever the process happens to be: afterwards the run is
    either absent or whole (its statements and lines as its trail says), and the file is
    intact."""
    ledger = tmp_path / "team.sqlite"
    monkeypatch.setenv(ENV_VAR, str(ledger))
    assert main(["run", "create", *files, "--by", "ana"]) == 0
    assert main(["run", "discard", "1", "--reason", "make room", "--by", "ana"]) == 0
    before = _rows(ledger)
    env = {**os.environ, ENV_VAR: str(ledger)}
    cmd = [sys.executable, "-m", "oncall_pay", "run", "create", *files, "--by", "ana"]
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    after = _rows(ledger)
    with Ledger(ledger) as opened:
        runs = opened.runs()
        if len(runs) == 1:
            assert after == before
        else:
            (_, second) = runs
            assert second.status == "draft"
            assert [e.action for e in second.events] == ["created"]
            assert second.events[0].detail.startswith(f"{second.statements} statements")
            assert second.statements == before["statements"]
            assert after["lines"] == 2 * before["lines"]
