"""The installed ``oncall-pay`` command, run as finance runs it: a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

BIN = Path(sys.executable).parent / "oncall-pay"


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed command and capture its output."""
    return subprocess.run(
        [str(BIN), *map(str, args)], capture_output=True, text=True, cwd=cwd, check=False
    )


def export_args(files: dict[str, Path], output: Path, *extra: str) -> list[str | Path]:
    """The arguments of an export of November 2026."""
    return [
        "export", "--volunteers", files["volunteers"], "--shifts", files["shifts"],
        "--pages", files["pages"], "--rules", files["rules"], "--from", "2026-11-01",
        "--to", "2026-11-30", "--output", output, *extra,
    ]  # fmt: skip


def test_the_command_is_installed() -> None:
    """The package installs an oncall-pay executable."""
    assert BIN.exists()


def test_demo_writes_a_workbook_and_prints_totals(tmp_path: Path) -> None:
    """demo writes the example team's workbook and prints where it went and the totals."""
    result = run("demo", "--output", tmp_path / "demo.xlsx")
    assert result.returncode == 0, result.stderr
    assert "Total EUR: 1,050.28" in result.stdout
    assert "Total USD:" in result.stdout
    assert str(tmp_path / "demo.xlsx") in result.stdout
    book = openpyxl.load_workbook(tmp_path / "demo.xlsx", read_only=True)
    assert book.sheetnames[0] == "Summary"


def test_python_dash_m_runs_the_same_command(tmp_path: Path) -> None:
    """python -m oncall_pay is the same command."""
    result = subprocess.run(
        [sys.executable, "-m", "oncall_pay", "demo", "--output", str(tmp_path / "d.xlsx")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "d.xlsx").exists()


def test_export_xlsx_prints_the_window_of_weeks(inputs: dict[str, Path], tmp_path: Path) -> None:
    """A November export reports the weeks starting 2 to 30 November, ending 6 December."""
    out = tmp_path / "payroll.xlsx"
    result = run(*export_args(inputs, out))
    assert result.returncode == 0, result.stderr
    assert "2026-11-02 – 2026-12-06" in result.stdout
    assert out.exists()


def test_export_json_is_the_report(inputs: dict[str, Path], tmp_path: Path) -> None:
    """--format json writes the report's JSON with money as strings."""
    out = tmp_path / "payroll.json"
    result = run(*export_args(inputs, out, "--format", "json"))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["totals"]["EUR"] == "1050.28"


def test_export_csv_has_the_weekly_rows(inputs: dict[str, Path], tmp_path: Path) -> None:
    """--format csv writes one row per volunteer and week under the Weekly headers."""
    out = tmp_path / "payroll.csv"
    result = run(*export_args(inputs, out, "--format", "csv"))
    assert result.returncode == 0, result.stderr
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Volunteer ID,Name,Week,Week start")
    assert len(lines) == 1 + 19


def test_explain_prints_one_statement(inputs: dict[str, Path]) -> None:
    """explain prints each line with how it was measured, and the week's pages."""
    result = run(
        "explain", "--volunteers", inputs["volunteers"], "--shifts", inputs["shifts"],
        "--pages", inputs["pages"], "--rules", inputs["rules"],
        "--volunteer", "alice", "--week", "2026-W47",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "covered 114 h of the week's 123 off-hours" in result.stdout
    assert "PD-1009" in result.stdout
    assert "Total: 606.38 EUR" in result.stdout


def test_check_rules_describes_each_plan(inputs: dict[str, Path]) -> None:
    """check-rules validates the file and describes every version and plan."""
    result = run("check-rules", inputs["rules"])
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout
    for plan in ("'default'", "'uk'", "'us'", "'au'"):
        assert f"Plan {plan}" in result.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    """A missing required option is a usage error: exit 2."""
    result = run("export", "--volunteers", tmp_path / "x.csv")
    assert result.returncode == 2


Spoil = Callable[[dict[str, Path]], None]


def _replace(key: str, old: str, new: str) -> Spoil:
    def spoil(files: dict[str, Path]) -> None:
        text = files[key].read_text(encoding="utf-8")
        assert old in text, old
        files[key].write_text(text.replace(old, new, 1), encoding="utf-8")

    return spoil


def _append(key: str, row: str) -> Spoil:
    def spoil(files: dict[str, Path]) -> None:
        with files[key].open("a", encoding="utf-8") as f:
            f.write(row + "\n")

    return spoil


def _write_bytes(key: str, data: bytes) -> Spoil:
    def spoil(files: dict[str, Path]) -> None:
        files[key].write_bytes(data)

    return spoil


BAD_INPUTS: dict[str, tuple[Spoil, str, list[str]]] = {
    "naive datetime": (
        _replace(
            "shifts", "2026-11-02T09:00:00+00:00,2026-11-09", "2026-11-02T09:00:00,2026-11-09"
        ),
        "shifts.csv", ["line 4", '"start"', "offset"],
    ),
    "end before start": (
        _append("shifts", "bob,2026-11-10T09:00:00+00:00,2026-11-09T09:00:00+00:00,primary"),
        "shifts.csv", ["line 14", '"end"', "not after start"],
    ),
    "end equal to start": (
        _append("shifts", "bob,2026-11-10T09:00:00+00:00,2026-11-10T09:00:00+00:00,primary"),
        "shifts.csv", ["line 14", '"end"', "not after start"],
    ),
    "unknown time zone": (
        _replace("volunteers", "Europe/Dublin,E1001", "Europe/Dubln,E1001"),
        "volunteers.csv", ["line 2", '"timezone"', "Europe/Dubln"],
    ),
    "unknown country": (
        _replace("volunteers", "Alice Byrne,IE", "Alice Byrne,XX"),
        "volunteers.csv", ["line 2", '"country"', "XX"],
    ),
    "unknown subdivision": (
        _replace("volunteers", "Bob Jones,GB,ENG", "Bob Jones,GB,XYZ"),
        "volunteers.csv", ["line 4", '"subdivision"', "XYZ"],
    ),
    "missing subdivision": (
        _replace("volunteers", "Bob Jones,GB,ENG", "Bob Jones,GB,"),
        "volunteers.csv", ["line 4", '"subdivision"', "allow_missing_subdivision"],
    ),
    "unknown volunteer in shifts": (
        _append("shifts", "zed,2026-11-10T09:00:00+00:00,2026-11-11T09:00:00+00:00,primary"),
        "shifts.csv", ["line 14", '"volunteer_id"', "zed"],
    ),
    "unknown volunteer in pages": (
        _append("pages", "PD-9,zed,2026-11-10T22:00:00+00:00,,,high,x"),
        "pages.csv", ["line 13", '"volunteer_id"', "zed"],
    ),
    "duplicate volunteer id": (
        _append("volunteers", "alice,Alice Again,IE,,Europe/Dublin,E9,,,"),
        "volunteers.csv", ["line 9", '"id"', "alice"],
    ),
    "duplicate page id": (
        _append("pages", "PD-1001,alice,2026-11-10T22:00:00+00:00,,,high,x"),
        "pages.csv", ["line 13", '"id"', "PD-1001"],
    ),
    "missing column": (
        _replace("shifts", "volunteer_id,start,end,role", "volunteer_id,begin,end,role"),
        "shifts.csv", ["line 1", "start"],
    ),
    "bad quoting": (
        _append("pages", 'PD-9,alice,2026-11-10T22:00:00+00:00,,,high,"unterminated'),
        "pages.csv", ["line 13"],
    ),
    "wrong encoding": (
        _write_bytes(
            "volunteers", "id,country,timezone,name\nzoë,IE,Europe/Dublin,Zoë\n".encode("latin-1")
        ),
        "volunteers.csv", ["line 2", "UTF-8"],
    ),
    "float amount in rules": (
        _replace("rules", 'weekly_stipend = "300.00"', "weekly_stipend = 300.5"),
        "rules.toml", ["versions[0].plans.default.weekly_stipend", '"300.5"'],
    ),
    "negative rate in rules": (
        _replace("rules", 'callout.hourly = "40.00"', 'callout.hourly = "-40.00"'),
        "rules.toml", ["versions[0].plans.default.callout.hourly", "-40.00"],
    ),
    "unknown key in rules": (
        _replace("rules", 'weekly_stipend = "300.00"', 'weekly_stippend = "300.00"'),
        "rules.toml", ["weekly_stippend", "weekly_stipend"],
    ),
    "overlapping countries in rules": (
        _replace("rules", 'countries = ["GB"]', 'countries = ["GB", "IE"]'),
        "rules.toml", ["IE", "countries"],
    ),
    "no version for a week": (
        _replace("rules", "effective_from = 2026-01-05", "effective_from = 2026-11-16"),
        "rules.toml", ["2026-W45", '"versions"', "2026-11-16"],
    ),
    "resolved before sent": (
        _append("pages", "PD-9,alice,2026-11-10T22:00:00+00:00,2026-11-10T21:00:00+00:00,,high,x"),
        "pages.csv", ["line 13", '"resolved_at"', "before"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exits_1_names_the_place_and_writes_nothing(
    case: str, inputs: dict[str, Path], tmp_path: Path
) -> None:
    """Each bad input of spec/quality.md: exit 1, file/line/field named, no output written."""
    spoil, where, words = BAD_INPUTS[case]
    spoil(inputs)
    out = tmp_path / "payroll.xlsx"
    result = run(*export_args(inputs, out))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert where in result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)
    assert not out.exists()
    assert list(tmp_path.glob("*.tmp")) == []


def test_bad_input_leaves_an_existing_workbook_untouched(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    """A failed run does not touch last month's workbook at the same path."""
    out = tmp_path / "payroll.xlsx"
    assert run(*export_args(inputs, out)).returncode == 0
    before = out.read_bytes()
    BAD_INPUTS["float amount in rules"][0](inputs)
    assert run(*export_args(inputs, out)).returncode == 1
    assert out.read_bytes() == before


def test_period_from_after_to_is_refused(inputs: dict[str, Path], tmp_path: Path) -> None:
    """--from after --to is bad input: exit 1 and no file."""
    out = tmp_path / "payroll.xlsx"
    args = export_args(inputs, out)
    args[args.index("--from") + 1] = "2026-12-01"
    result = run(*args)
    assert result.returncode == 1
    assert "--from 2026-12-01 is after --to 2026-11-30" in result.stderr
    assert not out.exists()


def test_every_bad_row_of_a_file_is_listed(inputs: dict[str, Path], tmp_path: Path) -> None:
    """A malformed file with several bad rows lists all of them, one per line."""
    for row in (
        "bob,2026-11-10T09:00:00,2026-11-11T09:00:00+00:00,primary",
        "bob,2026-11-12T09:00:00+00:00,2026-11-11T09:00:00+00:00,primary",
        "bob,yesterday,2026-11-11T09:00:00+00:00,primary",
    ):
        _append("shifts", row)(inputs)
    out = tmp_path / "payroll.xlsx"
    result = run(*export_args(inputs, out))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert [e.split(",")[0].split()[-1] for e in errors] == ["14", "15", "16"]
    assert not out.exists()


def test_explain_of_someone_not_in_the_roster_is_bad_input(inputs: dict[str, Path]) -> None:
    """explain for an unknown volunteer id exits 1 and names the roster."""
    result = run(
        "explain", "--volunteers", inputs["volunteers"], "--shifts", inputs["shifts"],
        "--rules", inputs["rules"], "--volunteer", "nobody", "--week", "2026-W47",
    )  # fmt: skip
    assert result.returncode == 1
    assert "'nobody' is not in the roster" in result.stderr
    assert "volunteers.csv" in result.stderr


def test_demo_can_hand_out_its_input_files(tmp_path: Path) -> None:
    """demo --inputs DIR copies the four demo input files for finance to try export on."""
    result = run("demo", "--output", tmp_path / "d.xlsx", "--inputs", tmp_path / "files")
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "files").iterdir())
    assert names == ["pages.csv", "rules.toml", "shifts.csv", "volunteers.csv"]
    files = {p.stem if p.suffix == ".csv" else "rules": p for p in (tmp_path / "files").iterdir()}
    again = run(*export_args(files, tmp_path / "again.xlsx"))
    assert again.returncode == 0, again.stderr
    assert "Total EUR: 1,050.28" in again.stdout


def test_demo_does_not_overwrite_input_files(tmp_path: Path) -> None:
    """demo --inputs refuses to overwrite a file already in DIR, and writes nothing."""
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "rules.toml").write_text("mine", encoding="utf-8")
    result = run("demo", "--output", tmp_path / "d.xlsx", "--inputs", tmp_path / "files")
    assert result.returncode == 1
    assert "rules.toml: already exists; not overwritten" in result.stderr
    assert (tmp_path / "files" / "rules.toml").read_text(encoding="utf-8") == "mine"
    assert not (tmp_path / "d.xlsx").exists()


def test_check_rules_says_when_the_maximum_is_rounded_up(inputs: dict[str, Path]) -> None:
    """A max_minutes that is not a multiple of the increment is described as paid rounded up."""
    _replace("rules", "callout.max_minutes = 240", "callout.max_minutes = 50")(inputs)
    result = run("check-rules", inputs["rules"])
    assert result.returncode == 0, result.stderr
    assert "at most 50 min a page (paid as 60 min" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_export_with_jobs_writes_the_same_file(
    inputs: dict[str, Path], tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--jobs 2 prices in two processes; the file is byte for byte the same."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")  # the workbook's clock, pinned
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"run-{jobs}.{fmt}"
        result = run(
            *export_args(inputs, out, "--format", fmt, "--jobs", jobs),
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("jobs", ["0", "-2", "many"])
def test_a_bad_jobs_value_is_a_usage_error(
    inputs: dict[str, Path], tmp_path: Path, jobs: str
) -> None:
    """--jobs takes a whole number of at least 1 or 'auto'; anything else exits 2."""
    out = tmp_path / "run.xlsx"
    result = run(*export_args(inputs, out, "--jobs", jobs))
    assert result.returncode == 2
    assert f"--jobs: expected a whole number of at least 1 or 'auto', got {jobs!r}" in result.stderr
    assert not out.exists()


def test_version_prints_the_installed_version() -> None:
    """--version prints the package's version to stdout and exits 0."""
    from importlib.metadata import version

    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"oncall-pay {version('oncall-pay')}\n"
    assert result.stderr == ""


def test_the_command_exits_with_mains_status_after_freezing_the_heap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``run`` (the installed command) returns ``main``'s status, having
    frozen what is alive out of the garbage collector, so the interpreter's
    last collections at exit do not walk the inputs and the report."""
    from oncall_pay import cli

    calls: list[str] = []
    monkeypatch.setattr(cli, "main", lambda: calls.append("main") or 3)
    monkeypatch.setattr(cli.gc, "freeze", lambda: calls.append("freeze"))
    with pytest.raises(SystemExit) as stopped:
        cli.run()
    assert stopped.value.code == 3
    assert calls == ["main", "freeze"]


def test_the_installed_command_and_python_dash_m_go_through_run() -> None:
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="oncall-pay")
    assert script.value == "oncall_pay.cli:run"
    source = (Path(__file__).parents[1] / "src" / "oncall_pay" / "__main__.py").read_text()
    assert "sys.exit(main())" not in source
    assert "run()" in source


def test_a_worker_that_stops_is_an_error_not_a_traceback(
    inputs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A pool process killed under ``--jobs`` (the out-of-memory killer, say)
    ends the command with one line saying so, exit status 1, and no file."""
    from concurrent.futures.process import BrokenProcessPool

    from oncall_pay import _engine, cli

    def broken(*args: object, **kwargs: object) -> object:
        raise BrokenProcessPool("A process in the process pool was terminated abruptly")

    monkeypatch.setattr(_engine, "map_ordered", broken)
    out = tmp_path / "pay.xlsx"
    assert cli.main([str(a) for a in export_args(inputs, out, "--jobs", "2")]) == 1
    err = capsys.readouterr().err
    assert "error: a worker process of --jobs stopped before its work was done" in err
    assert "Traceback" not in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("pay")] == []


def test_other_errors_are_not_taken_for_a_stopped_worker(
    inputs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oncall_pay import _engine, cli

    def failing(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(_engine, "map_ordered", failing)
    with pytest.raises(RuntimeError, match="a bug"):
        cli.main([str(a) for a in export_args(inputs, tmp_path / "pay.xlsx", "--jobs", "2")])
