"""The schedule-source options of the installed command, on the vendors' file shapes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from oncall_pay.cli import demo_files
from test_cli import run
from test_sources import ICAL, PD, ROTA_CSV, ROTA_PAGES

ROSTER = """id,name,country,subdivision,timezone,email,pagerduty_id
alice,Alice Byrne,IE,,Europe/Dublin,alice@example.com,PALB123
bob,Bob Jones,GB,ENG,Europe/London,bob@example.com,PBJ0456
"""


def _export(tmp_path: Path, name: str, *shift_args: str | Path) -> dict[str, object]:
    """Export October 2026 as JSON with the given shift source; the parsed report."""
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "pages.csv").write_text(ROTA_PAGES, encoding="utf-8")
    shutil.copyfile(demo_files()["rules"], tmp_path / "rules.toml")
    out = tmp_path / f"{name}.json"
    result = run(
        "export", "--volunteers", tmp_path / "roster.csv", "--pages", tmp_path / "pages.csv",
        "--rules", tmp_path / "rules.toml", "--from", "2026-10-12", "--to", "2026-11-02",
        "--output", out, "--format", "json", *shift_args,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return data


def test_the_same_rota_from_each_source_option_pays_the_same(tmp_path: Path) -> None:
    """--shifts CSV, --pagerduty-oncalls and --ics give the same statements and pages."""
    (tmp_path / "shifts.csv").write_text(ROTA_CSV, encoding="utf-8")
    csv = _export(tmp_path, "csv", "--shifts", tmp_path / "shifts.csv")
    pagerduty = _export(tmp_path, "pd", "--pagerduty-oncalls", PD / "rota-oncalls.json")
    ics = _export(tmp_path, "ics", "--ics", ICAL / "rota.ics")
    assert len(csv["statements"]) == 7  # type: ignore[arg-type]
    for other in (pagerduty, ics):
        assert other["statements"] == csv["statements"]
        assert other["pages"] == csv["pages"]
        assert other["totals"] == csv["totals"]


def test_an_unmatched_person_in_a_feed_is_bad_input(tmp_path: Path) -> None:
    """A feed naming someone outside the roster exits 1 and lists where they appear."""
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    shutil.copyfile(demo_files()["rules"], tmp_path / "rules.toml")
    out = tmp_path / "x.xlsx"
    result = run(
        "export", "--volunteers", tmp_path / "roster.csv", "--rules", tmp_path / "rules.toml",
        "--ics", ICAL / "unknown-people.ics", "--from", "2026-10-12", "--to", "2026-11-02",
        "--output", out,
    )  # fmt: skip
    assert result.returncode == 1
    assert "unknown-people.ics" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
