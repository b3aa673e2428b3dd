"""``oncall-pay compare`` and ``oncall-pay check-rules --against``, run as finance runs them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from oncall_pay.cli import demo_files

BIN = Path(sys.executable).parent / "oncall-pay"
PROPOSED = Path(__file__).parent / "fixtures" / "rules" / "proposed.toml"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the installed command and capture its output."""
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, check=False)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Copies of the demo team's files and of the proposed rules, which a test may spoil."""
    out = {}
    for key, path in {**demo_files(), "proposed": PROPOSED}.items():
        out[key] = tmp_path / ("proposed.toml" if key == "proposed" else path.name)
        shutil.copyfile(path, out[key])
    return out


def compare_args(files: dict[str, Path], output: Path) -> list[str | Path]:
    """The arguments of a comparison of November 2026 under the two rules files."""
    return [
        "compare", "--volunteers", files["volunteers"], "--shifts", files["shifts"],
        "--pages", files["pages"], "--rules", files["rules"], "--proposed", files["proposed"],
        "--from", "2026-11-01", "--to", "2026-11-30", "--output", output,
    ]  # fmt: skip


def test_compare_prints_the_summary_and_writes_the_workbook(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """compare prints who gains and loses, the largest changes and the cost per currency."""
    out = tmp_path / "compare.xlsx"
    result = run(*compare_args(files, out))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Pay weeks compared: 2026-11-02 – 2026-12-06 (5 weeks)" in text
    assert "7 volunteers: 2 gain, 2 lose, 3 unchanged" in text
    assert "bob    GBP       863.48 →       923.48       +60.00 (+6.95%)" in text
    assert "EUR     1,050.28 →     1,028.09       -22.19 (-2.11%)" in text
    assert "GBP     1,369.73 →     1,459.73       +90.00 (+6.57%)" in text
    assert "Changed lines: 10 of 43" in text
    assert f"Written: {out}" in text
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["Changes", "Lines", "Run"]
    run_sheet = dict(book["Run"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert run_sheet["Proposed rules file"] == str(files["proposed"])
    assert len(str(run_sheet["Proposed rules SHA-256"])) == 64


def test_compare_of_the_same_rules_changes_nothing(files: dict[str, Path], tmp_path: Path) -> None:
    """The current rules proposed again: everyone unchanged, no changed line."""
    files["proposed"] = files["rules"]
    result = run(*compare_args(files, tmp_path / "same.xlsx"))
    assert result.returncode == 0, result.stderr
    assert "0 gain, 0 lose, 7 unchanged" in result.stdout
    assert "Nobody's pay changes." in result.stdout


def test_a_version_after_the_period_is_pointed_out(files: dict[str, Path], tmp_path: Path) -> None:
    """A proposal published as a version from 2027 changes nothing in November, and says why."""
    # The proposal's version, published after the demo's with a later date.
    draft = PROPOSED.read_text().split("effective_from = 2026-01-05\n", 1)[1]
    files["proposed"].write_text(
        files["rules"].read_text() + "\n[[versions]]\neffective_from = 2027-01-04\n" + draft
    )
    result = run(*compare_args(files, tmp_path / "later.xlsx"))
    assert result.returncode == 0, result.stderr
    assert "7 unchanged" in result.stdout
    assert "Note: the proposed version of 2027-01-04 takes effect after the weeks compared" in (
        result.stdout
    )


def test_bad_files_on_both_sides_are_all_listed_and_nothing_is_written(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """A float in the proposed rules and a bad roster row: exit 1, both named, no workbook."""
    proposed = files["proposed"]
    proposed.write_text(proposed.read_text().replace('"270.00"', "270.0"))
    with files["volunteers"].open("a") as roster:
        roster.write("zed,Zed,XX,,Europe/Nowhere,,,,\n")
    out = tmp_path / "compare.xlsx"
    result = run(*compare_args(files, out))
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert f'{proposed}, field "versions[0].plans.default.weekly_stipend"' in result.stderr
    assert f"{files['volunteers']} line 9" in result.stderr
    assert not out.exists()
    assert list(tmp_path.glob("*.tmp")) == []


def test_a_proposal_that_cannot_price_the_period_names_the_proposed_file(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """Proposed rules with no version for the first week: exit 1, the error in that file."""
    proposed = files["proposed"]
    proposed.write_text(proposed.read_text().replace("2026-01-05", "2026-11-09"))
    out = tmp_path / "compare.xlsx"
    result = run(*compare_args(files, out))
    assert result.returncode == 1
    assert f'error: {proposed}, field "versions": no rules version covers the pay week' in (
        result.stderr
    )
    assert not out.exists()


def test_compare_refuses_from_after_to_and_needs_the_proposed_rules(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """--from after --to is bad input (exit 1); leaving out --proposed is bad usage (exit 2)."""
    args = compare_args(files, tmp_path / "c.xlsx")
    args[args.index("--from") + 1] = "2026-12-01"
    result = run(*args)
    assert result.returncode == 1
    assert "--from 2026-12-01 is after --to 2026-11-30" in result.stderr
    args = compare_args(files, tmp_path / "c.xlsx")
    del args[args.index("--proposed") : args.index("--proposed") + 2]
    assert run(*args).returncode == 2


def test_check_rules_against_prints_the_differences_in_plain_words(files: dict[str, Path]) -> None:
    """check-rules NEW --against OLD lists each changed plan setting."""
    result = run("check-rules", files["proposed"], "--against", files["rules"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{files['proposed']}: valid")
    assert f"Changes from {files['rules']} to {files['proposed']}:" in lines
    assert "  - version of 2026-01-05: plan 'default': weekly stipend 300.00 → 270.00 EUR" in lines
    assert (
        "  - version of 2026-01-05: plan 'uk': standby on weekends 45.00 → 60.00 GBP per day"
        in lines
    )
    assert "Plan 'default'" not in result.stdout  # the full description is left out


def test_check_rules_against_the_same_rules_finds_no_differences(files: dict[str, Path]) -> None:
    """The same rules against themselves: no differences."""
    result = run("check-rules", files["rules"], "--against", files["rules"])
    assert result.returncode == 0, result.stderr
    assert "No differences" in result.stdout


def test_check_rules_against_a_bad_file_lists_every_problem(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """A broken new file and a missing old one: exit 1, both named."""
    proposed = files["proposed"]
    proposed.write_text(
        proposed.read_text().replace('weekly_stipend = "270', 'weekly_stippend = "270')
    )
    missing = tmp_path / "gone.toml"
    result = run("check-rules", proposed, "--against", missing)
    assert result.returncode == 1
    assert 'unknown key "weekly_stippend"' in result.stderr
    assert f"{missing}: cannot read the rules file" in result.stderr
    assert "Traceback" not in result.stderr
