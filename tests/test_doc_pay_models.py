"""docs/how-to-pay-escalations-nights-and-personal-rates.md, run as a user would.

The guide's four files are taken from its code blocks, its command is run
through the CLI, and every amount its table states is checked against the
report, the workbook and ``explain``.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import openpyxl
import pytest

from oncall_pay import cli

DOC = Path(__file__).resolve().parents[1] / "docs" / (
    "how-to-pay-escalations-nights-and-personal-rates.md"
)


def _blocks(text: str) -> dict[str, str]:
    """The fenced block after each "`name`:" line (or paragraph starting so)."""
    out: dict[str, str] = {}
    for match in re.finditer(r"^`([\w.]+)`[^\n]*(?:\n[^\n`][^\n]*)*\n\n```\w+\n(.*?)```", text,
                             re.M | re.S):  # fmt: skip
        out[match.group(1)] = match.group(2)
    return out


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    text = DOC.read_text(encoding="utf-8")
    files = _blocks(text)
    assert sorted(files) == ["pages.csv", "rules.toml", "shifts.csv", "volunteers.csv"]
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    return tmp_path


def _command(text: str) -> list[str]:
    (line,) = re.findall(r"^\$ oncall-pay (export .*)$", text, re.M)
    return shlex.split(line)


def test_the_guide_pays_what_it_says(
    guide: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = DOC.read_text(encoding="utf-8")
    monkeypatch.chdir(guide)
    assert cli.main(_command(text)) == 0
    assert "Total EUR: 1,503.13" in capsys.readouterr().out
    assert "It pays EUR 1,503.13 in five weekly statements" in text
    # The table's totals and lines, from the JSON of the same run.
    args = [a if a != "pay.xlsx" else "pay.json" for a in _command(text)] + ["--format", "json"]
    assert cli.main(args) == 0
    report = json.loads((guide / "pay.json").read_text(encoding="utf-8"))
    rows = re.findall(r"^\| (\w+) \| (2026-W\d\d) \| (.*) \| ([\d.]+) \|$", text, re.M)
    assert len(rows) == 5
    totals = {(s["volunteer_id"], s["week"]): s for s in report["statements"]}
    assert set(totals) == {(vid, week) for vid, week, _, _ in rows}
    for vid, week, said, total in rows:
        statement = totals[(vid, week)]
        assert statement["total"] == total
        for line in statement["lines"]:
            assert line["amount"] in said, (vid, week, line)
            if "tier" in line:
                assert f"tier `{line['tier']}`" in said
    # Dana's page is an escalation; the workbook says the tiers.
    (month,) = report["health"]["months"]
    assert month["escalations"] == 1
    wb = openpyxl.load_workbook(guide / "pay.xlsx", read_only=True)
    lines = list(wb["Lines"].iter_rows(values_only=True))
    tier = lines[0].index("Tier")
    assert {r[0]: r[tier] for r in lines[1:] if r[tier]} == {"dana": "escalation", "sam": "shadow"}
    wb.close()


def test_the_guides_explain_command_shows_the_tier(
    guide: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = DOC.read_text(encoding="utf-8")
    monkeypatch.chdir(guide)
    inputs = [a for a in _command(text)[1:] if a not in ("--out", "pay.xlsx")]
    inputs = inputs[: inputs.index("--from")]
    assert cli.main(["explain", *inputs, "--volunteer", "dana", "--week", "2026-W47"]) == 0
    out = capsys.readouterr().out
    assert "stipend — tier 'escalation'" in out
    assert "=       200.00 EUR" in out
    assert "Total: 340.00 EUR" in out
