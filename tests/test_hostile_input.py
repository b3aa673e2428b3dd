"""Hostile and careless input (issue 18): a clear error, never a traceback,
never silently wrong money, never pay that depends on the machine.

Each case runs the command line in-process (an uncaught exception fails the
test), over a workbook left by an earlier run, and checks: exit 1, the
message names the file, line and field, the earlier workbook is byte for
byte as it was, and no temporary file is left beside it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given

import oncall_pay as op
from helpers import DUBLIN, example_plan, example_policy
from oncall_pay.cli import main
from oncall_pay.readers import read_pagerduty_log_entries, read_workbook
from oncall_pay.writers import write_workbook
from strategies import PayRun, pay_runs

PD = Path(__file__).parent / "fixtures" / "pagerduty"

OLD_WORKBOOK = b"last month's workbook"

Spoil = Callable[[dict[str, Path]], None]


def _args(files: dict[str, Path], output: Path, *extra: str | Path) -> list[str]:
    args: list[str | Path] = [
        "export", "--volunteers", files["volunteers"], "--shifts", files["shifts"],
        "--pages", files["pages"], "--rules", files["rules"], "--from", "2026-11-01",
        "--to", "2026-11-30", "--output", output, *extra,
    ]  # fmt: skip
    return [str(a) for a in args]


def _refused(args: list[str], output: Path, capsys: pytest.CaptureFixture[str], *words: str) -> str:
    """Run twice: with no output yet, then over an earlier one. Each time exit 1
    with the words, no output file (or the old one intact) and no temporary file."""
    assert not output.exists()
    for earlier in (None, OLD_WORKBOOK):
        if earlier is not None:
            output.write_bytes(earlier)
        status = main(args)
        err = capsys.readouterr().err
        assert status == 1, err
        assert "Traceback" not in err
        for word in words:
            assert word in err, (word, err)
        assert err.rstrip().endswith("nothing was written.")
        if earlier is None:
            assert not output.exists()
        else:
            assert output.read_bytes() == earlier
        left = sorted(p.name for p in output.parent.iterdir() if p.name.startswith(output.name))
        assert left == ([] if earlier is None else [output.name])
    return err


def _replace(files: dict[str, Path], key: str, old: str, new: str) -> None:
    text = files[key].read_text(encoding="utf-8")
    assert old in text, old
    files[key].write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(files: dict[str, Path], key: str, row: str) -> None:
    with files[key].open("a", encoding="utf-8") as f:
        f.write(row + "\n")


# --- 1. a short row is not an open end ------------------------------------------


def test_a_truncated_shift_row_is_an_error_not_an_open_end(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row cut short (its end missing, as a truncated export gives) is refused at its line."""
    _append(inputs, "shifts", "alice,2026-11-23T09:00:00+00:00")
    out = tmp_path / "payroll.xlsx"
    err = _refused(
        _args(inputs, out), out, capsys,
        "shifts.csv line 14", "2 fields but the header has 4", "end, role",
    )  # fmt: skip
    assert err.count("error:") == 1


@pytest.mark.parametrize(
    ("key", "row", "missing"),
    [
        ("volunteers", "zoe,Zoe Adams,IE,,Europe/Dublin", "payroll_id, email, pagerduty_id"),
        ("pages", "PD-9,alice,2026-11-10T22:00:00+00:00", "resolved_at, worked_minutes"),
    ],
)
def test_a_short_row_of_any_file_is_an_error(
    inputs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    key: str,
    row: str,
    missing: str,
) -> None:
    """Every CSV input refuses a row with fewer fields than its header."""
    _append(inputs, key, row)
    out = tmp_path / "payroll.xlsx"
    _refused(_args(inputs, out), out, capsys, f"{inputs[key].name} line", missing)


def test_an_open_end_written_out_is_still_accepted(tmp_path: Path) -> None:
    """The explicit open end (an empty field with its comma) is what the reader wants."""
    shifts = tmp_path / "shifts.csv"
    shifts.write_text(
        "volunteer_id,start,end,role\nalice,2026-11-23T09:00:00+00:00,,primary\n",
        encoding="utf-8",
    )
    (shift,) = op.read_shifts_csv(shifts)
    assert shift.end is None


# --- 2. amounts a spreadsheet cell cannot hold exactly --------------------------


def test_a_rules_amount_beyond_a_trillion_is_refused(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The 18-digit stipend of the probe is stopped at the rules file, with its path."""
    _replace(
        inputs, "rules", 'weekly_stipend = "300.00"', 'weekly_stipend = "114423365426076482.89"'
    )
    out = tmp_path / "payroll.xlsx"
    _refused(
        _args(inputs, out), out, capsys,
        "rules.toml", "versions[0].plans.default.weekly_stipend", "1,000,000,000,000",
    )  # fmt: skip


def test_totals_beyond_15_significant_digits_are_not_written_to_the_workbook(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Amounts the rules allow can still add up past what a cell holds exactly:
    the workbook is refused, naming the total, and CSV keeps every digit."""
    big = '"999999999999.99"'  # the largest amount the rules allow
    _replace(inputs, "rules", 'weekly_stipend = "300.00"', f"weekly_stipend = {big}")
    _replace(inputs, "rules", 'rate = "50.00"', f"rate = {big}")
    _replace(inputs, "rules", 'limits = { weekly_cap = "1500.00" }', "")
    for who in ("alice", "ciaran"):  # both EUR volunteers on call all month
        _append(inputs, "shifts", f"{who},2026-11-02T00:00:00+00:00,2026-12-07T00:00:00+00:00,")
    out = tmp_path / "payroll.xlsx"
    _refused(
        _args(inputs, out), out, capsys,
        "payroll.xlsx", "significant digits", "15", "--format csv",
    )  # fmt: skip
    csv_out = tmp_path / "payroll.csv"
    assert main(_args(inputs, csv_out, "--format", "csv")) == 0
    assert "999999999999.99" in csv_out.read_text(encoding="utf-8")


def _report_with_total(total: str) -> op.Report:
    report = op.compute(
        [DUBLIN],
        [op.Shift("alice", datetime(2026, 11, 2, 9, tzinfo=UTC),
                  datetime(2026, 11, 9, 9, tzinfo=UTC))],
        [],
        example_policy(),
        start=date(2026, 11, 2),
        end=date(2026, 11, 8),
    )  # fmt: skip
    (st,) = report.statements
    line = op.LineItem("stipend", None, Decimal(1), "week", Decimal(total), None, Decimal(total))
    import attrs

    big = attrs.evolve(st, lines=(line,), total=Decimal(total))
    return attrs.evolve(report, statements=(big,))


def test_write_workbook_refuses_an_amount_it_would_round(tmp_path: Path) -> None:
    """From Python too: the number the workbook would hold differs, so nothing is written."""
    out = tmp_path / "big.xlsx"
    with pytest.raises(op.InputError) as caught:
        write_workbook(_report_with_total("114423365426076482.89"), out)
    message = str(caught.value)
    assert "alice" in message
    assert "2026-W45" in message
    assert "114423365426076482.89" in message
    assert "20 significant digits" in message
    assert not out.exists()


def test_write_workbook_writes_15_digits_exactly(tmp_path: Path) -> None:
    """The largest amount that fits is written and reads back as the same number."""
    out = tmp_path / "fits.xlsx"
    write_workbook(_report_with_total("9999999999999.99"), out)
    # Total is a live formula; the value stored with it is what a reader sees.
    sheet = openpyxl.load_workbook(out, read_only=True, data_only=True)["Weekly"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    row = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert Decimal(repr(row[header.index("Total")])) == Decimal("9999999999999.99")
    (back,) = read_workbook(out)
    assert back.total == Decimal("9999999999999.99")


# --- 3. zones that depend on the machine ------------------------------------------


@pytest.mark.parametrize("name", ["localtime", "posixrules", "/etc/localtime", "Factory"])
def test_a_machine_dependent_zone_in_the_roster_is_refused(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """Only canonical IANA names: these would price by the host's own clock."""
    _replace(inputs, "volunteers", "Europe/Dublin,E1001", f"{name},E1001")
    out = tmp_path / "payroll.xlsx"
    _refused(_args(inputs, out), out, capsys, "volunteers.csv line 2", '"timezone"', repr(name))


@pytest.mark.parametrize("name", ["UTC", "Etc/UTC", "Etc/GMT+5", "Europe/Dublin", "US/Pacific"])
def test_iana_names_including_etc_and_links_are_accepted(name: str) -> None:
    """UTC, the fixed Etc zones and the tz database's link names stay fine."""
    assert op.Volunteer(id="a", country="IE", timezone=name).zone.key == name


def test_a_machine_dependent_zone_from_python_is_refused() -> None:
    with pytest.raises(op.InputError, match="localtime"):
        op.Volunteer(id="a", country="IE", timezone="localtime")


@pytest.mark.parametrize("tzid", ["/etc/localtime", "localtime", "posixrules"])
def test_an_ics_tzid_naming_the_host_zone_is_refused(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], tzid: str
) -> None:
    """TZID=/etc/localtime is read by icalendar as the machine's zone: refused at its line."""
    feed = tmp_path / "rota.ics"
    feed.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:a1\r\n"
        f"DTSTART;TZID={tzid}:20261102T090000\r\n"
        f"DTEND;TZID={tzid}:20261109T090000\r\n"
        "SUMMARY:alice\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    out = tmp_path / "payroll.xlsx"
    args = _args(inputs, out, "--ics", feed)
    _refused(args, out, capsys, "rota.ics line 6", '"DTSTART"', tzid)


def test_an_ics_zone_naming_the_host_zone_is_refused_naming_the_option(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = Path(__file__).parent / "fixtures" / "ical" / "floating.ics"
    out = tmp_path / "payroll.xlsx"
    args = _args(inputs, out, "--ics", feed, "--ics-zone", "localtime")
    _refused(args, out, capsys, 'field "--ics-zone"', "'localtime'", "computer running")


# --- 4. every shift row accounted for ----------------------------------------------


def test_shifts_outside_the_period_get_a_notice_and_a_run_sheet_count(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong --from/--to no longer drops rows silently."""
    _append(inputs, "shifts", "alice,2026-03-02T09:00:00+00:00,2026-03-09T09:00:00+00:00,primary")
    _append(inputs, "shifts", "alice,2026-03-09T09:00:00+00:00,2026-03-16T09:00:00+00:00,primary")
    _append(inputs, "shifts", "bob,2027-01-04T09:00:00+00:00,,primary")
    out = tmp_path / "payroll.json"
    assert main(_args(inputs, out, "--format", "json")) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    outside = [n for n in report["notices"] if n["kind"] == "outside_period"]
    assert [n["volunteer_id"] for n in outside] == ["alice", "bob"]
    # Alice's two touching March shifts are one stretch of cover; Bob's open one is named so.
    assert outside[0]["detail"] == (
        "on call wholly outside the reported weeks 2026-11-02 – 2026-12-06, not paid in this "
        "run: 2026-03-02T09:00+00:00 – 2026-03-16T09:00+00:00; check --from and --to"
    )
    assert outside[1]["detail"].endswith(
        "run: 2027-01-04T09:00+00:00 – open; check --from and --to"
    )
    counts = report["input_counts"]
    assert counts["shifts"] == 15
    assert counts["shifts_outside_reported_weeks"] == 3
    assert counts["shifts_in_reported_weeks"] == 12

    book = tmp_path / "payroll.xlsx"
    assert main(_args(inputs, book)) == 0
    run = {r[0]: r[1] for r in openpyxl.load_workbook(book)["Run"].iter_rows(values_only=True)}
    assert run["Input rows: shifts"] == 15
    assert run["Shifts in the reported weeks"] == 12
    assert run["Shifts wholly outside the reported weeks (not paid)"] == 3
    assert run["Shift overlaps merged (paid once)"] == 0
    pages = report["pages"]
    assert run["Input rows: pages"] == len(pages) == 11
    assert run["Pages counted for pay"] == sum(p["counted"] for p in pages)
    not_counted = {k: v for k, v in run.items() if str(k).startswith("Pages not counted: ")}
    assert sum(not_counted.values()) + run["Pages counted for pay"] == len(pages)
    assert not_counted["Pages not counted: in_hours"] == sum(
        p["reason"] == "in_hours" for p in pages
    )


# --- 5. dates near the ends of the calendar ---------------------------------------


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--from", "0001-01-01"), ("--to", "9999-12-31"), ("--from", "1969-12-31"),
     ("--to", "2201-01-01")],
)  # fmt: skip
def test_a_period_beyond_the_supported_dates_is_refused(
    inputs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flag: str,
    value: str,
) -> None:
    out = tmp_path / "payroll.xlsx"
    args = _args(inputs, out)
    args[args.index(flag) + 1] = value
    _refused(args, out, capsys, f'field "{flag}"', value, "1970-01-01", "2200-12-31")


@pytest.mark.parametrize(
    "row",
    [
        "alice,9999-12-31T20:00:00-05:00,,primary",
        "alice,0001-01-01T01:00:00+05:00,2026-11-02T09:00:00+00:00,primary",
    ],
)
def test_shift_times_beyond_the_supported_dates_are_refused(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str
) -> None:
    _append(inputs, "shifts", row)
    out = tmp_path / "payroll.xlsx"
    _refused(_args(inputs, out), out, capsys, "shifts.csv line 14", '"start"', "2200-12-31")


def test_a_page_beyond_the_supported_dates_is_refused(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _append(
        inputs, "pages", "PD-9,alice,2026-11-10T22:00:00+00:00,9999-12-31T23:59:00-12:00,,high,x"
    )
    out = tmp_path / "payroll.xlsx"
    _refused(_args(inputs, out), out, capsys, "pages.csv line 13", '"resolved_at"', "1970-01-01")


def test_a_rules_date_beyond_the_supported_dates_is_refused(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _replace(inputs, "rules", "effective_from = 2026-01-05", "effective_from = 0001-01-01")
    out = tmp_path / "payroll.xlsx"
    _refused(_args(inputs, out), out, capsys, "rules.toml", "versions[0].effective_from", "1970")


def test_explain_of_a_week_beyond_the_supported_dates_is_refused(
    inputs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "explain", "--volunteers", str(inputs["volunteers"]), "--rules", str(inputs["rules"]),
        "--shifts", str(inputs["shifts"]), "--volunteer", "alice", "--week", "9999-W52",
    ]  # fmt: skip
    assert main(args) == 1
    err = capsys.readouterr().err
    assert 'field "--week"' in err
    assert "2200-12-31" in err


def test_compute_refuses_a_period_beyond_the_supported_dates() -> None:
    with pytest.raises(op.InputError, match="2200-12-31") as caught:
        op.compute([DUBLIN], [], [], example_policy(), start=date(2026, 1, 5), end=date.max)
    assert caught.value.field == "period"


def test_shift_and_page_refuse_times_beyond_the_supported_dates_from_python() -> None:
    far = datetime(9999, 12, 31, 20, tzinfo=timezone(-timedelta(hours=5)))
    with pytest.raises(op.InputError, match="1970-01-01") as caught:
        op.Shift("alice", far, None)
    assert caught.value.field == "start"
    with pytest.raises(op.InputError) as caught:
        op.Page("p", "alice", datetime(1, 1, 1, 1, tzinfo=timezone(timedelta(hours=5))))
    assert caught.value.field == "at"


# --- 6. integers (and decimals) beyond any sensible setting ---------------------


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("callout.increment_minutes = 15", "callout.increment_minutes = 100000000000000000000",
         "callout.increment_minutes"),
        ("callout.minimum_minutes = 30", "callout.minimum_minutes = 100000000000000000000",
         "callout.minimum_minutes"),
        ("callout.max_minutes = 240", "callout.max_minutes = 100000000000000000000",
         "callout.max_minutes"),
    ],
)  # fmt: skip
def test_huge_minutes_in_the_rules_are_refused(
    inputs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    path: str,
) -> None:
    _replace(inputs, "rules", old, new)
    out = tmp_path / "payroll.xlsx"
    _refused(
        _args(inputs, out), out, capsys,
        "rules.toml", f"versions[0].plans.default.{path}", "10080",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("table", "bad", "limit"),
    [
        ("monthly_page_target = 100000000000000000000", "health.monthly_page_target", "10000"),
        ("max_consecutive_days = 100000000000000000000", "health.max_consecutive_days", "366"),
        ('min_rest_hours = "1000000"', "health.min_rest_hours", "168"),
        ('min_rest_hours = "100000000000000000000"', "health.min_rest_hours", "1,000,000,000,000"),
    ],
)
def test_huge_health_settings_are_refused(
    inputs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    table: str,
    bad: str,
    limit: str,
) -> None:
    with inputs["rules"].open("a", encoding="utf-8") as f:
        f.write(f"\n[health]\n{table}\n")
    out = tmp_path / "payroll.xlsx"
    _refused(_args(inputs, out), out, capsys, "rules.toml", bad, limit)


def test_huge_numbers_from_python_are_refused() -> None:
    with pytest.raises(op.PolicyError, match="10080"):
        op.Callout(hourly="40", increment_minutes=10**20)
    with pytest.raises(op.PolicyError, match="1,000,000,000,000"):
        example_plan(weekly_stipend=Decimal(10) ** 18)
    with pytest.raises(op.PolicyError, match="366"):
        op.HealthSettings(max_consecutive_days=10**20)
    with pytest.raises(op.PolicyError, match="100, the most allowed"):
        op.Callout(hourly="40", multipliers={"weekend": Decimal("1E+30")})


def test_a_huge_callout_multiplier_in_the_rules_is_refused(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rate × multiplier × hours must stay exact: multipliers are at most 100."""
    _replace(inputs, "rules", 'weekend = "1.5"', 'weekend = "999999999999.999999"')
    out = tmp_path / "payroll.xlsx"
    _refused(
        _args(inputs, out), out, capsys,
        "rules.toml", "versions[0].plans.default.callout.multipliers.weekend", "100",
    )  # fmt: skip


# --- 7. nesting too deep for the parsers -------------------------------------------


def test_a_deeply_nested_rules_file_is_a_parse_error(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs["rules"].write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    out = tmp_path / "payroll.xlsx"
    _refused(_args(inputs, out), out, capsys, "rules.toml", "not valid TOML", "nested")


JSON_SOURCES = (
    "--pagerduty-log-entries", "--pagerduty-oncalls", "--pagerduty-schedule",
    "--grafana-final-shifts",
)  # fmt: skip


@pytest.mark.parametrize("flag", JSON_SOURCES)
def test_a_deeply_nested_json_file_is_a_parse_error(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    """Every JSON source: 100,000 levels of arrays are a parse error naming the file."""
    deep = tmp_path / "answer.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    out = tmp_path / "payroll.xlsx"
    args = _args(inputs, out, flag, deep)
    _refused(args, out, capsys, "answer.json", "not JSON", "nested")


def test_a_deeply_nested_snapshot_manifest_is_refused(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = tmp_path / "snap"
    snapshot.mkdir()
    (snapshot / "manifest.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    out = tmp_path / "payroll.xlsx"
    _refused(
        _args(inputs, out, "--snapshot", snapshot), out, capsys, "manifest.json", "not JSON"
    )


def test_a_lone_surrogate_in_grafana_text_is_refused_with_its_field(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (Path(__file__).parent / "fixtures" / "grafana" / "final-shifts.json").read_text(
        encoding="utf-8"
    )
    spoiled = tmp_path / "final-shifts.json"
    spoiled.write_text(text.replace('"abyrne"', '"ab\\udc00yrne"', 1), encoding="utf-8")
    out = tmp_path / "payroll.xlsx"
    args = _args(inputs, out, "--grafana-final-shifts", spoiled)
    _refused(args, out, capsys, "final-shifts.json", "results[0].user_username", "\\udc00")


# --- 8. text that is not text ------------------------------------------------------


@pytest.mark.parametrize(("key", "field"), [("title", "incident.title"), ("id", "incident.id")])
def test_a_lone_surrogate_in_pagerduty_text_is_refused_with_its_field(
    inputs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    key: str,
    field: str,
) -> None:
    text = (PD / "log-entries.json").read_text(encoding="utf-8")
    old = {"title": '"Checkout latency above 2s"', "id": '"Q2FGHIJ2"'}[key]
    spoiled = tmp_path / "log-entries.json"
    spoiled.write_text(text.replace(old, '"bad \\ud800 text"'), encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "id,name,country,subdivision,timezone,email,pagerduty_id\n"
        "alice,Alice Byrne,IE,,Europe/Dublin,alice@example.com,PALB123\n"
        "bob,Bob Jones,GB,ENG,Europe/London,bob@example.com,PBJ0456\n",
        encoding="utf-8",
    )
    out = tmp_path / "payroll.json"
    args = ["export", "--volunteers", str(roster), "--rules", str(inputs["rules"]),
            "--pagerduty-log-entries", str(spoiled), "--from", "2026-11-01", "--to", "2026-11-30",
            "--output", str(out), "--format", "json"]  # fmt: skip
    err = _refused(args, out, capsys, "log-entries.json", "surrogate", "\\ud800")
    assert f"{field}" in err


def test_an_escaped_surrogate_pair_is_ordinary_text(tmp_path: Path) -> None:
    """An emoji written as its escaped UTF-16 pair is fine."""
    text = (PD / "log-entries.json").read_text(encoding="utf-8")
    spoiled = tmp_path / "log-entries.json"
    spoiled.write_text(
        text.replace('"Checkout latency above 2s"', '"Checkout \\ud83d\\udd25"'), encoding="utf-8"
    )
    roster = (
        op.Volunteer(id="alice", country="IE", timezone="Europe/Dublin", pagerduty_id="PALB123"),
        op.Volunteer(
            id="bob", country="GB", subdivision="ENG", timezone="Europe/London",
            pagerduty_id="PBJ0456",
        ),
    )  # fmt: skip
    pages = read_pagerduty_log_entries(spoiled, roster)
    assert any(p.title == "Checkout \U0001f525" for p in pages)


# --- 9. an empty roster -------------------------------------------------------------


def test_a_header_only_roster_is_one_error(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = inputs["volunteers"].read_text(encoding="utf-8").splitlines()[0]
    inputs["volunteers"].write_text(header + "\n", encoding="utf-8")
    out = tmp_path / "payroll.xlsx"
    err = _refused(_args(inputs, out), out, capsys, "volunteers.csv", "no volunteers")
    assert err.count("error:") == 1, err


def test_compare_refuses_proposed_totals_a_cell_cannot_hold(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The comparison workbook checks its amounts as the finance workbook does."""
    proposed = tmp_path / "proposed.toml"
    shutil.copyfile(inputs["rules"], proposed)
    big = '"999999999999.99"'
    text = proposed.read_text(encoding="utf-8")
    text = text.replace('weekly_stipend = "300.00"', f"weekly_stipend = {big}", 1)
    text = text.replace('rate = "50.00"', f"rate = {big}", 1)
    text = text.replace('limits = { weekly_cap = "1500.00" }', "", 1)
    proposed.write_text(text, encoding="utf-8")
    for who in ("alice", "ciaran"):
        _append(inputs, "shifts", f"{who},2026-11-02T00:00:00+00:00,2026-12-07T00:00:00+00:00,")
    out = tmp_path / "compare.xlsx"
    args = _args(inputs, out, "--proposed", proposed)
    args[0] = "compare"
    _refused(args, out, capsys, "compare.xlsx", "the run's EUR total", "significant digits")


@given(pay_runs(max_shifts=4))
def test_every_shift_row_is_counted_in_or_outside_the_reported_weeks(run: PayRun) -> None:
    """The Run sheet's shift rows add up, and the notice goes to whoever has
    cover outside: always to one whose every shift is outside, never to one
    whose every shift reaches into the reported weeks."""
    report = run.compute()
    counts = report.input_counts
    assert counts["shifts"] == len(run.shifts)
    assert counts["shifts_in_reported_weeks"] + counts["shifts_outside_reported_weeks"] == len(
        run.shifts
    )
    assert counts["shift_overlaps"] == sum(n.kind == "overlap" for n in report.notices)
    noticed = [n.volunteer_id for n in report.notices if n.kind == "outside_period"]
    assert len(noticed) == len(set(noticed))
    if not report.week_starts:
        assert noticed == []
        return
    first, end = report.week_starts[0], report.week_starts[-1] + timedelta(days=7)
    for volunteer in run.volunteers:
        tz = volunteer.zone
        lo = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
        hi = datetime.combine(end, time(0), tzinfo=tz).astimezone(UTC)
        mine = [s for s in run.shifts if s.volunteer_id == volunteer.id]
        away = [
            (s.end is not None and s.end <= lo) or (s.start is not None and s.start >= hi)
            for s in mine
        ]
        if mine and all(away):
            assert volunteer.id in noticed
        if not any(away):
            assert volunteer.id not in noticed


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "payroll-csv"])
def test_an_output_that_cannot_be_written_is_an_error_not_a_traceback(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """No such folder, or a folder where the file should go: exit 1, the path named."""
    for out in (tmp_path / "missing" / "payroll.out", tmp_path):
        status = main(_args(inputs, out, "--format", fmt))
        err = capsys.readouterr().err
        assert status == 1, err
        assert "cannot write" in err
        assert str(out) in err
        assert err.rstrip().endswith("nothing was written.")
    assert not (tmp_path / "missing").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in inputs.values()
    )


def test_an_open_shift_does_not_hide_a_far_row_outside_the_weeks() -> None:
    """Open ends are clipped as the cover clips them, so a 2025 row stays outside."""
    utc = UTC
    shifts = [
        op.Shift("alice", None, datetime(2026, 11, 4, 9, tzinfo=utc)),
        op.Shift("alice", datetime(2025, 1, 1, tzinfo=utc), datetime(2025, 1, 8, tzinfo=utc)),
    ]
    report = op.compute(
        [DUBLIN], shifts, [], example_policy(), start=date(2026, 11, 1), end=date(2026, 11, 30)
    )
    assert report.input_counts["shifts_in_reported_weeks"] == 1
    assert report.input_counts["shifts_outside_reported_weeks"] == 1
    (notice,) = [n for n in report.notices if n.kind == "outside_period"]
    assert "2025-01-01T00:00+00:00 – 2025-01-08T00:00+00:00" in notice.detail


@pytest.mark.parametrize("week", ["2200-W50", "1970-W02"])
def test_explain_of_a_week_whose_month_leaves_the_dates_names_the_week(
    inputs: dict[str, Path], capsys: pytest.CaptureFixture[str], week: str
) -> None:
    args = [
        "explain", "--volunteers", str(inputs["volunteers"]), "--rules", str(inputs["rules"]),
        "--shifts", str(inputs["shifts"]), "--volunteer", "alice", "--week", week,
    ]  # fmt: skip
    assert main(args) == 1
    err = capsys.readouterr().err
    assert 'field "--week"' in err
    assert "explain reads" in err


def test_a_summary_sum_beyond_15_digits_is_refused_even_when_each_line_fits(
    tmp_path: Path,
) -> None:
    """Summary adds a volunteer's weeks per column: that sum is checked too."""
    import attrs

    one = _report_with_total("0.00")
    (st,) = one.statements

    def week(stipend: str, cap: str, shift: int) -> op.WeeklyStatement:
        lines = (
            op.LineItem("stipend", None, Decimal(1), "week", Decimal(stipend), None,
                        Decimal(stipend)),
            op.LineItem("cap", None, Decimal(1), None, None, None, Decimal(cap)),
        )  # fmt: skip
        start = st.week_start + timedelta(weeks=shift)
        return attrs.evolve(
            st, week=f"2026-W{45 + shift}", week_start=start, lines=lines,
            total=Decimal(stipend) + Decimal(cap),
        )  # fmt: skip

    report = attrs.evolve(
        one, statements=(week("9999999999999.99", "-9999999999999.99", 0), week("0.02", "0", 1))
    )
    out = tmp_path / "sums.xlsx"
    with pytest.raises(op.InputError) as caught:
        write_workbook(report, out)
    assert "volunteer 'alice' (EUR) on Summary" in str(caught.value)
    assert "10000000000000.01" in str(caught.value)
    assert not out.exists()
