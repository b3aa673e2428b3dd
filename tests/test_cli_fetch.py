"""``oncall-pay fetch`` and ``export --snapshot``, run as finance runs them: subprocesses,
against a PagerDuty- or Grafana-shaped server on 127.0.0.1 that the test starts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from api_server import FakeApi, Reply, grafana_pages, pagerduty_list, serve
from oncall_pay.cli import demo_files
from test_cli import BIN
from test_fetch import GRAFANA_RESULTS, PD, SHIFTS_PATH, TOKEN, load

ROSTER = """id,name,country,subdivision,timezone,email,pagerduty_id
alice,Alice Byrne,IE,,Europe/Dublin,alice@example.com,PALB123
bob,Bob Jones,GB,ENG,Europe/London,bob@example.com,PBJ0456
"""
PERIOD = ("--from", "2026-11-02", "--to", "2026-11-15")


def run(*args: str | Path, token: str | None = TOKEN) -> subprocess.CompletedProcess[str]:
    """The installed command, with the token in PD_TOKEN and GRAFANA_ONCALL_TOKEN and no proxy."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.pop("PD_TOKEN", None)
    if token is not None:
        env |= {"PD_TOKEN": token, "GRAFANA_ONCALL_TOKEN": token}
    return subprocess.run(
        [str(BIN), *map(str, args)], capture_output=True, text=True, env=env, check=False,
        timeout=120,
    )  # fmt: skip


@pytest.fixture
def api() -> Iterator[FakeApi]:
    """PagerDuty: one schedule with an override, 10 log entries 4 a page."""
    fake = FakeApi()
    schedule = load(PD / "schedule-with-override.json")
    fake.routes["/schedules/PSCH001"] = lambda _: Reply.json(schedule)
    fake.routes["/log_entries"] = pagerduty_list(
        "log_entries", load(PD / "log-entries.json")["log_entries"], page_size=4
    )
    with serve(fake):
        yield fake


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    """A roster with emails and PagerDuty ids, and the demo rules."""
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    shutil.copyfile(demo_files()["rules"], tmp_path / "rules.toml")
    return {"volunteers": tmp_path / "roster.csv", "rules": tmp_path / "rules.toml"}


def fetch_pd(api: FakeApi, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``oncall-pay fetch pagerduty`` of one schedule and the log entries."""
    return run(
        "fetch", "pagerduty", "--token-env", "PD_TOKEN", "--schedule", "PSCH001",
        *PERIOD, "--out", out, "--base-url", api.url, *extra,
    )  # fmt: skip


def export(
    inputs: dict[str, Path], output: Path, *sources: str | Path
) -> subprocess.CompletedProcess[str]:
    """``oncall-pay export`` of the period from the given sources."""
    fmt = ("--format", "json") if output.suffix == ".json" else ()
    return run(
        "export", "--volunteers", inputs["volunteers"], "--rules", inputs["rules"], *sources,
        *PERIOD, "--output", output, *fmt,
    )  # fmt: skip


def every_text(folder: Path) -> str:
    """Every file of a folder, as text."""
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()))


def test_from_a_token_to_a_workbook_in_two_commands(
    api: FakeApi, inputs: dict[str, Path], tmp_path: Path
) -> None:
    """fetch then export --snapshot: the workbook is priced as from the same files given by
    hand, its Run sheet names the snapshot, and the token appears nowhere."""
    snap = tmp_path / "snap"
    fetched = fetch_pd(api, snap)
    assert fetched.returncode == 0, fetched.stderr
    assert "saved pagerduty-schedule-PSCH001.json (schedule 'Volunteers - Primary', 4 entries)" in (
        fetched.stdout
    )
    assert "saved pagerduty-log-entries-003.json (2 log entries)" in fetched.stdout
    assert f"Snapshot written: {snap} (4 files;" in fetched.stdout
    assert f"oncall-pay export --snapshot {snap}" in fetched.stdout
    assert all(r.headers["authorization"] == f"Token token={TOKEN}" for r in api.requests)

    workbook = tmp_path / "pay.xlsx"
    priced = export(inputs, workbook, "--snapshot", snap)
    assert priced.returncode == 0, priced.stderr
    assert f"Written: {workbook}" in priced.stdout
    run_sheet = {row[0]: row[1] for row in openpyxl.load_workbook(workbook)["Run"].values}
    assert str(snap) in str(run_sheet["Snapshots"])
    assert "PagerDuty, 2026-11-02 – 2026-11-15" in str(run_sheet["Snapshots"])

    from_snapshot = export(inputs, tmp_path / "snap.json", "--snapshot", snap)
    by_hand = export(
        inputs, tmp_path / "hand.json", "--pagerduty-schedule", PD / "schedule-with-override.json",
        "--pagerduty-log-entries", PD / "log-entries.json",
    )  # fmt: skip
    assert from_snapshot.returncode == by_hand.returncode == 0, from_snapshot.stderr
    snap_report = json.loads((tmp_path / "snap.json").read_text(encoding="utf-8"))
    hand_report = json.loads((tmp_path / "hand.json").read_text(encoding="utf-8"))
    assert snap_report["statements"] == hand_report["statements"]
    assert snap_report["pages"] == hand_report["pages"]
    assert len(snap_report["pages"]) == 3
    assert snap_report["totals"] == hand_report["totals"] != {}

    for result in (fetched, priced):
        assert TOKEN not in result.stdout + result.stderr
    assert TOKEN not in every_text(snap)


def test_a_changed_file_in_the_snapshot_is_refused(
    api: FakeApi, inputs: dict[str, Path], tmp_path: Path
) -> None:
    """One byte changed after the fetch: export exits 1 naming the file and both SHA-256s,
    and writes nothing."""
    snap = tmp_path / "snap"
    assert fetch_pd(api, snap).returncode == 0
    changed = snap / "pagerduty-log-entries-002.json"
    changed.write_text(changed.read_text(encoding="utf-8").replace("PALB123", "PBJ0456", 1),
                       encoding="utf-8")  # fmt: skip
    output = tmp_path / "pay.xlsx"
    result = export(inputs, output, "--snapshot", snap)
    assert result.returncode == 1
    assert f'error: {changed}, field "sha256": changed since it was fetched' in result.stderr
    assert "manifest.json recorded" in result.stderr
    assert "1 problem(s); nothing was written." in result.stderr
    assert "Traceback" not in result.stderr
    assert not output.exists()


def test_a_snapshot_with_a_missing_or_an_extra_file_is_refused(
    api: FakeApi, inputs: dict[str, Path], tmp_path: Path
) -> None:
    """A listed file gone and an unlisted one added: both are reported, in one run."""
    snap = tmp_path / "snap"
    assert fetch_pd(api, snap).returncode == 0
    (snap / "pagerduty-log-entries-003.json").unlink()
    shutil.copyfile(PD / "oncalls-page-1.json", snap / "extra.json")
    (snap / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")  # hidden: not data
    output = tmp_path / "pay.xlsx"
    result = export(inputs, output, "--snapshot", snap)
    assert result.returncode == 1
    assert f"{snap / 'pagerduty-log-entries-003.json'}: is listed in manifest.json but" in (
        result.stderr
    )
    assert f"{snap / 'extra.json'}: is not listed in manifest.json" in result.stderr
    assert "2 problem(s); nothing was written." in result.stderr
    assert not output.exists()


def test_a_snapshot_of_another_period_is_refused(
    api: FakeApi, inputs: dict[str, Path], tmp_path: Path
) -> None:
    """Pricing weeks the snapshot was not fetched for is an error, not a quiet underpayment."""
    snap = tmp_path / "snap"
    assert fetch_pd(api, snap).returncode == 0
    output = tmp_path / "pay.xlsx"
    result = run(
        "export", "--volunteers", inputs["volunteers"], "--rules", inputs["rules"],
        "--snapshot", snap, "--from", "2026-11-02", "--to", "2026-11-30", "--output", output,
    )  # fmt: skip
    assert result.returncode == 1
    assert "was fetched for 2026-11-02 – 2026-11-15, which does not cover 2026-11-02 – " in (
        result.stderr
    )
    assert not output.exists()


def test_a_folder_that_is_not_a_snapshot_is_refused(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    """--snapshot naming a folder without manifest.json says what it expected."""
    (tmp_path / "notsnap").mkdir()
    result = export(inputs, tmp_path / "pay.xlsx", "--snapshot", tmp_path / "notsnap")
    assert result.returncode == 1
    assert "cannot read the snapshot manifest" in result.stderr
    assert not (tmp_path / "pay.xlsx").exists()


def test_a_missing_token_names_the_variable(api: FakeApi, tmp_path: Path) -> None:
    """No PD_TOKEN: exit 1, saying which variable to set; nothing is asked or written."""
    result = run(
        "fetch", "pagerduty", "--schedule", "PSCH001", *PERIOD, "--out", tmp_path / "snap",
        "--base-url", api.url, token=None,
    )  # fmt: skip
    assert result.returncode == 1
    assert "the environment variable PD_TOKEN is not set or empty" in result.stderr
    assert api.requests == []
    assert not (tmp_path / "snap").exists()


def test_a_refused_token_is_never_printed(api: FakeApi, tmp_path: Path) -> None:
    """401 from PagerDuty: exit 1, the message names $PD_TOKEN but not its value."""
    api.queue("/schedules/PSCH001", Reply.json({"error": {"message": "Unauthorized"}}, 401))
    result = fetch_pd(api, tmp_path / "snap")
    assert result.returncode == 1
    assert "PagerDuty refused the token (401: Unauthorized)" in result.stderr
    assert "$PD_TOKEN" in result.stderr
    assert TOKEN not in result.stdout + result.stderr
    assert not (tmp_path / "snap").exists()


def test_fetch_retries_a_429_and_a_500_from_the_command_line(api: FakeApi, tmp_path: Path) -> None:
    """Retry-After 0 and one 500 (backoff capped by --max-wait): the fetch completes."""
    api.queue("/log_entries", Reply.json({}, 429, **{"Retry-After": "0"}), Reply.json({}, 500))
    result = fetch_pd(api, tmp_path / "snap", "--max-wait", "0.05")
    assert result.returncode == 0, result.stderr
    assert (
        "PagerDuty: GET /log_entries answered 429 (rate limited); waiting 0 s before try 2 of 5"
    ) in result.stdout
    assert (
        "PagerDuty: GET /log_entries answered 500 Internal Server Error; waiting 0.05 s before "
        "try 3 of 5"
    ) in result.stdout
    assert len(list((tmp_path / "snap").glob("pagerduty-log-entries-*.json"))) == 3


def test_fetch_times_out_from_the_command_line(api: FakeApi, tmp_path: Path) -> None:
    """--timeout and --retries bound a hanging server: exit 1 with the timeout named."""
    api.queue("/schedules/PSCH001", Reply(hang=True), Reply(hang=True))
    result = fetch_pd(api, tmp_path / "snap", "--timeout", "0.2", "--retries", "1",
                      "--max-wait", "0.05")  # fmt: skip
    assert result.returncode == 1
    assert "did not answer within 0.2 s; tried 2 times" in result.stderr
    assert not (tmp_path / "snap").exists()


def test_grafana_from_a_token_to_a_workbook(inputs: dict[str, Path], tmp_path: Path) -> None:
    """fetch grafana (three pages by next) then export --snapshot: Alice matched by email,
    Bob by his username being his roster id; the same pay as the PagerDuty rota."""
    fake = FakeApi()
    fake.routes[SHIFTS_PATH] = grafana_pages(fake, SHIFTS_PATH, GRAFANA_RESULTS, page_size=2)
    snap = tmp_path / "snap"
    with serve(fake):
        fetched = run(
            "fetch", "grafana", "--base-url", f"{fake.url}/oncall", "--schedule",
            "SBM7DV7BKFUYU", *PERIOD, "--out", snap,
        )  # fmt: skip
    assert fetched.returncode == 0, fetched.stderr
    assert "saved grafana-final-shifts-SBM7DV7BKFUYU-003.json (1 shifts)" in fetched.stdout
    assert TOKEN not in fetched.stdout + fetched.stderr + every_text(snap)
    result = export(inputs, tmp_path / "g.json", "--snapshot", snap)
    assert result.returncode == 0, result.stderr
    by_hand = export(
        inputs, tmp_path / "pd.json", "--pagerduty-schedule", PD / "schedule-with-override.json"
    )
    assert by_hand.returncode == 0, by_hand.stderr
    grafana = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    pagerduty = json.loads((tmp_path / "pd.json").read_text(encoding="utf-8"))
    # The same rota for the two weeks priced (Grafana's last shift runs on past them).
    assert [s["volunteer_id"] for s in grafana["statements"]] == ["alice", "alice", "bob", "bob"]
    assert grafana["totals"] == pagerduty["totals"]


def test_fetch_refuses_a_backwards_period_before_asking(api: FakeApi, tmp_path: Path) -> None:
    """--from after --to: exit 1, nothing asked, nothing written."""
    result = run(
        "fetch", "pagerduty", "--schedule", "PSCH001", "--from", "2026-11-30", "--to",
        "2026-11-01", "--out", tmp_path / "snap", "--base-url", api.url,
    )  # fmt: skip
    assert result.returncode == 1
    assert "--from 2026-11-30 is after --to 2026-11-01" in result.stderr
    assert api.requests == []
    assert not (tmp_path / "snap").exists()
