"""The benchmark's generator and runner still run (tiny sizes, nothing timed)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

import oncall_pay as op

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str) -> ModuleType:
    # benchmarks/ is a folder of scripts, not a package: run.py imports
    # generate.py as a sibling, as it does when a person runs it.
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    """The generator module."""
    return _load("generate")


@pytest.fixture(scope="module")
def runner() -> ModuleType:
    """The runner module."""
    return _load("run")


def test_the_generator_is_reproducible_and_computes(generate: ModuleType) -> None:
    """The same seed gives the same organisation, in 12 countries, and it computes."""
    org = generate.generate(78, 2, seed=7)
    assert org == generate.generate(78, 2, seed=7)
    assert org.pages != generate.generate(78, 2, seed=8).pages
    assert len(org.volunteers) == 78
    assert len({v.country for v in org.volunteers}) == 12
    assert (org.end - org.start).days == 7
    report = op.compute(
        org.volunteers, org.shifts, org.pages, org.policy, start=org.start, end=org.end
    )
    assert len(report.pages) == len(org.pages)
    assert report.statements


def test_the_runner_prints_every_figure_in_process(
    runner: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both sizes, the floor, growth, the weeks comparison and the bars are printed."""
    argv = ["--volunteers", "12", "--weeks", "2", "--compare-weeks", "1"]
    code = runner.main([*argv, "--output-dir", str(tmp_path), "--in-process"])
    out = capsys.readouterr().out
    assert code in (0, 1)  # 1 only says a bar was missed, which tiny sizes may do
    for text in (
        "== 12 volunteers × 2 weeks ==",
        "== 6 volunteers × 2 weeks ==",
        "volunteer-weeks/s",
        "openpyxl floor",
        "(compute + export) / floor",
        "tracemalloc peak",
        "== growth: 12 vs 6 volunteers ==",
        "== export: 2 vs 1 weeks (12 volunteers) ==",
        "== bars",
    ):
        assert text in out


@pytest.mark.slow
def test_the_runner_measures_in_a_subprocess(
    runner: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The default path, a fresh subprocess per run, keeps the least of repeated times."""
    argv = ["--volunteers", "12", "--weeks", "2", "--skip-half", "--skip-memory", "--repeat", "2"]
    code = runner.main([*argv, "--output-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code in (0, 1)
    assert "times are the least of 2 runs" in out
    assert "compute" in out
    assert "export" in out
    assert list(tmp_path.glob("*.xlsx"))


def test_the_runner_profiles_compute(
    runner: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    """--profile prints cProfile's top functions of compute."""
    assert runner.main(["--volunteers", "12", "--weeks", "2", "--profile"]) == 0
    assert "_price_volunteer" in capsys.readouterr().out  # the engine's own functions


@pytest.mark.slow
def test_the_peer_case_runs_its_commands_in_turns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``peer.py`` writes a small rota, exports it both ways (each command
    run in turn with the others) and records the times; without the peer it
    says so."""
    import json

    peer = _load("peer")
    ran: list[str] = []
    real = peer._child_cpu

    def counted(cmd: list[object]) -> tuple[float, float]:
        words = [str(c) for c in cmd]
        ran.append(Path(words[words.index("--output") + 1]).name)
        return real(cmd)  # type: ignore[no-any-return]

    monkeypatch.setattr(peer, "_child_cpu", counted)
    args = ["--people", "8", "--weeks", "2", "--schedules", "2", "--repeat", "2", "--no-peer"]
    peer.main([*args, "--output-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert "oncall-pay export --format xlsx" in out
    assert "left out" in out
    assert ran == ["pay.xlsx", "pay.csv", "pay.xlsx", "pay.csv"]
    results = json.loads((tmp_path / "peer-results.json").read_text())
    assert set(results) == {"export_xlsx", "export_csv", "read", "json_loads"}
    assert (tmp_path / "pay.xlsx").stat().st_size > 0
