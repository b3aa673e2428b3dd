"""Earning codes, pay periods and the payroll import files (docs/payroll.md, issue 14)."""

from __future__ import annotations

import csv
import io
import os
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import oncall_pay as op
from oncall_pay._payroll import PayPeriod, PeriodRule, payroll_rows
from oncall_pay.cli import DEMO_PERIOD, demo_files, main
from oncall_pay.writers.payroll import write_payroll
from strategies import PayRun, pay_runs

GOLDEN = Path(__file__).parent / "fixtures" / "payroll"
#: Set to rewrite the golden files from the current output (then review the diff).
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def demo() -> tuple[op.Report, op.Policy, tuple[op.Volunteer, ...]]:
    files = demo_files()
    roster = op.read_volunteers_csv(files["volunteers"])
    policy = op.load_policy(files["rules"])
    report = op.compute(
        roster, op.read_shifts_csv(files["shifts"]), op.read_pages_csv(files["pages"]),
        policy, start=DEMO_PERIOD[0], end=DEMO_PERIOD[1],
    )  # fmt: skip
    return report, policy, roster


# --- earning codes in the rules ----------------------------------------------------


def test_a_line_takes_the_code_of_its_category_before_that_of_its_kind() -> None:
    """standby.holiday has its own code in the demo; other standby goes under standby."""
    payroll = op.load_policy(demo_files()["rules"]).versions[0].payroll
    assert payroll.code_for("standby", "holiday") == "4111"
    assert payroll.code_for("standby", "weekend") == "4110"
    assert payroll.code_for("stipend") == "4100"
    assert op.Payroll({}).code_for("cap") is None


def test_python_callers_get_the_same_code_checks_as_the_file() -> None:
    """A Payroll built in Python refuses what the rules file refuses."""
    with pytest.raises(op.PolicyError, match=r"standby\.wekend"):
        op.Payroll({"standby.wekend": "X"})
    with pytest.raises(op.PolicyError, match="earning code of 1 to 20"):
        op.Payroll({"stipend": "=HYPERLINK(1)"})


def test_codes_and_cost_centres_round_trip_through_the_rules_file() -> None:
    """to_toml writes [versions.payroll] and a plan's cost_center; they read back equal."""
    policy = op.load_policy(demo_files()["rules"])
    plan = attrs.evolve(policy.versions[0].plans["default"], cost_center="CC 7")
    version = attrs.evolve(policy.versions[0], plans={**policy.versions[0].plans, "default": plan})
    policy = attrs.evolve(policy, versions=(version,))
    text = policy.to_toml()
    assert "[versions.payroll]" in text
    assert 'cost_center = "CC 7"' in text
    assert op.parse_policy(text) == policy


def test_a_change_of_code_is_said_in_words() -> None:
    """diff_policies names the line whose earning code changed."""
    old = op.load_policy(demo_files()["rules"])
    v = old.versions[0]
    codes = {**v.payroll.codes, "cap": "4191"}
    new = attrs.evolve(old, versions=(attrs.evolve(v, payroll=op.Payroll(codes)),))
    assert op.diff_policies(old, new) == [
        "version of 2026-01-05: payroll: earning code of cap 4190 → 4191"
    ]


# --- pay periods -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "week_start", "period"),
    [
        ("week", date(2026, 11, 30), PayPeriod(date(2026, 11, 30), date(2026, 12, 6))),
        ("month", date(2026, 11, 30), PayPeriod(date(2026, 11, 1), date(2026, 11, 30))),
        ("month", date(2028, 2, 28), PayPeriod(date(2028, 2, 1), date(2028, 2, 29))),
        ("semi-monthly", date(2026, 11, 15), PayPeriod(date(2026, 11, 1), date(2026, 11, 15))),
        ("semi-monthly", date(2026, 11, 16), PayPeriod(date(2026, 11, 16), date(2026, 11, 30))),
        (
            "2026-11-01..2026-11-13,2026-11-14..2026-12-01",
            date(2026, 11, 16),
            PayPeriod(date(2026, 11, 14), date(2026, 12, 1)),
        ),
    ],
)
def test_a_week_belongs_to_the_period_holding_its_first_day(
    text: str, week_start: date, period: PayPeriod
) -> None:
    """A week that ends in December but starts on 30 November is November's, whole."""
    assert PeriodRule.parse(text).period_of(week_start) == period


def test_period_labels() -> None:
    """A calendar month is labelled 2026-11; any other period by its dates."""
    assert PayPeriod(date(2026, 11, 1), date(2026, 11, 30)).label == "2026-11"
    assert PayPeriod(date(2026, 11, 1), date(2026, 11, 15)).label == "2026-11-01..2026-11-15"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("monthly", "expected week, month, semi-monthly or date ranges"),
        ("2026-11-01..2026-11-31", "got '2026-11-01..2026-11-31'"),
        ("2026-11-15..2026-11-01", "ends before it starts"),
        ("2026-11-01..2026-11-15,2026-11-15..2026-11-30", "overlap"),
    ],
)
def test_a_bad_period_is_refused_naming_the_option(text: str, fragment: str) -> None:
    """--period takes a kind or well-formed ranges that do not overlap."""
    with pytest.raises(op.InputError) as caught:
        PeriodRule.parse(text)
    (problem,) = caught.value.problems
    assert problem.field == "--period"
    assert fragment in problem.message


def _codes_run(run: PayRun) -> tuple[op.Report, tuple[op.Volunteer, ...]]:
    report = run.compute()
    roster = tuple(attrs.evolve(v, payroll_id=f"P-{v.id}") for v in run.volunteers)
    return report, roster


def _ranges(draw: st.DrawFn, report: op.Report) -> PeriodRule:
    """Custom ranges that cut the reported weeks at random places, covering them all."""
    weeks = sorted(report.week_starts)
    if not weeks:
        return PeriodRule.parse("week")
    first, last = weeks[0] - timedelta(days=draw(st.integers(0, 6))), weeks[-1]
    span = (last - first).days  # 0 for one reported week starting on its first day
    cuts = sorted(draw(st.sets(st.integers(1, span), max_size=4))) if span else []
    bounds = [first + timedelta(days=c) for c in cuts]
    starts, ends = [first, *bounds], [*(b - timedelta(days=1) for b in bounds), last]
    return PeriodRule.parse(",".join(f"{s}..{e}" for s, e in zip(starts, ends, strict=True)))


@given(pay_runs(), st.sampled_from(["week", "month", "semi-monthly", "ranges"]), st.data())
def test_the_sum_over_periods_is_the_sum_over_weeks(
    run: PayRun, kind: str, data: st.DataObject
) -> None:
    """Per volunteer and currency, the payroll rows of all periods add up to the weekly
    totals, and each period's rows to the weeks that start in it; TOIL days likewise."""
    report, roster = _codes_run(run)
    rule = _ranges(data.draw, report) if kind == "ranges" else PeriodRule.parse(kind)
    rows = payroll_rows(report, run.policy, rule, volunteers=roster)
    by_period: dict[tuple[str, str, PayPeriod], Decimal] = defaultdict(Decimal)
    toil: dict[tuple[str, PayPeriod], Decimal] = defaultdict(Decimal)
    for row in rows:
        by_period[row.volunteer_id, row.currency, row.period] += row.amount
        if row.kind == "toil_days":
            toil[row.volunteer_id, row.period] += row.quantity
    weekly: dict[tuple[str, str, PayPeriod], Decimal] = defaultdict(Decimal)
    weekly_toil: dict[tuple[str, PayPeriod], Decimal] = defaultdict(Decimal)
    for s in report.statements:
        period = rule.period_of(s.week_start)
        assert period is not None
        assert period.start <= s.week_start <= period.end
        weekly[s.volunteer_id, s.currency, period] += s.total
        weekly_toil[s.volunteer_id, period] += s.toil_days
    assert {k: v for k, v in by_period.items() if v} == {k: v for k, v in weekly.items() if v}
    assert dict(toil) == {k: v for k, v in weekly_toil.items() if v}
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[row.currency] += row.amount
    assert {k: v for k, v in totals.items() if v} == {
        k: v for k, v in report.totals().items() if v
    }


def test_a_week_outside_every_range_is_refused() -> None:
    """Custom ranges must hold every reported week: pay is never dropped silently."""
    report, policy, roster = demo()
    rule = PeriodRule.parse("2026-11-01..2026-11-20")
    with pytest.raises(op.InputError) as caught:
        payroll_rows(report, policy, rule, volunteers=roster)
    messages = [p.message for p in caught.value.problems]
    assert any("2026-W48" in m and "none of the --period ranges" in m for m in messages)
    assert all(p.field == "--period" for p in caught.value.problems)


def test_a_line_with_pay_but_no_code_is_refused_once_per_missing_code() -> None:
    """Without a code for cap or standby, the export says which key to add and where."""
    report, policy, roster = demo()
    v = policy.versions[0]
    codes = {k: c for k, c in v.payroll.codes.items() if not k.startswith("standby")}
    policy = attrs.evolve(policy, versions=(attrs.evolve(v, payroll=op.Payroll(codes)),))
    with pytest.raises(op.InputError) as caught:
        payroll_rows(report, policy, PeriodRule.parse("month"), volunteers=roster)
    messages = sorted(p.message for p in caught.value.problems)
    assert len(messages) == 2  # standby.weekend and standby.holiday, each once
    assert "no earning code for 'standby.holiday' or 'standby'" in messages[0]
    assert "no earning code for 'standby.weekend' or 'standby'" in messages[1]
    assert "version of 2026-01-05" in messages[1]
    assert all(p.field == "versions.payroll.codes" for p in caught.value.problems)


def test_a_volunteer_with_pay_but_no_payroll_id_is_refused() -> None:
    """Payroll cannot pay someone it cannot name."""
    report, policy, roster = demo()
    roster = tuple(attrs.evolve(v, payroll_id=None) if v.id == "bob" else v for v in roster)
    with pytest.raises(op.InputError, match="'bob' has pay but no payroll_id"):
        payroll_rows(report, policy, PeriodRule.parse("month"), volunteers=roster)


def test_rows_add_weeks_with_the_same_code_unit_and_rate() -> None:
    """Alice's November: three stipend weeks in one row, callouts at two rates in two."""
    report, policy, roster = demo()
    rows = [
        r
        for r in payroll_rows(report, policy, PeriodRule.parse("month"), volunteers=roster)
        if r.volunteer_id == "alice"
    ]
    assert [(r.code, r.unit, r.quantity, r.rate, r.amount) for r in rows] == [
        ("4100", "week", Decimal("1.073171"), Decimal("300.00"), Decimal("321.95")),
        ("4110", "day", Decimal("2.000000"), Decimal("50.00"), Decimal("100.00")),
        ("4120", "hour", Decimal("0.833333"), Decimal("40.00"), Decimal("33.33")),
        ("4120", "hour", Decimal("0.750000"), Decimal("60.000"), Decimal("45.00")),
        ("4140", "block", Decimal("1.000000"), Decimal("150.00"), Decimal("150.00")),
        ("4900", "day", Decimal("0.5"), None, Decimal("0")),
    ]
    assert rows[0].weeks == ("2026-W45", "2026-W47", "2026-W48")
    assert {r.cost_center for r in rows} == {"platform"}  # from the roster
    assert sum(r.amount for r in rows) == Decimal("650.28")  # Alice's Summary total


def test_a_plan_cost_centre_applies_when_the_roster_has_none() -> None:
    """The roster's cost_center wins; without one, the plan's."""
    report, policy, roster = demo()
    roster = tuple(attrs.evolve(v, cost_center=None) for v in roster)
    v = policy.versions[0]
    plan = attrs.evolve(v.plans["default"], cost_center="IE-OPS")
    policy = attrs.evolve(
        policy, versions=(attrs.evolve(v, plans={**v.plans, "default": plan}),)
    )
    rows = payroll_rows(report, policy, PeriodRule.parse("month"), volunteers=roster)
    centres = {r.volunteer_id: r.cost_center for r in rows}
    assert centres["alice"] == "IE-OPS"
    assert centres["bob"] is None


# --- the files: golden samples ----------------------------------------------------------


def _irish_demo(tmp_path: Path) -> dict[str, Path]:
    """The demo's Irish volunteers (paid in EUR) with DATEV Personalnummern, and their
    shifts and pages."""
    files = dict(demo_files())
    irish: set[str] = set()
    for name in ("volunteers", "shifts", "pages"):
        rows = list(csv.DictReader(io.StringIO(files[name].read_text(encoding="utf-8"))))
        out = tmp_path / f"ie-{name}.csv"
        with out.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            for row in rows:
                if name == "volunteers" and row["country"] == "IE":
                    irish.add(row["id"])
                    writer.writerow({**row, "payroll_id": row["payroll_id"].lstrip("E")})
                elif name != "volunteers" and row["volunteer_id"] in irish:
                    writer.writerow(row)
        files[name] = out
    return files


def _export(tmp_path: Path, fmt: str, period: str, files: dict[str, Path] | None = None) -> Path:
    files = files or demo_files()
    out = tmp_path / f"out.{fmt}"
    args = [
        "export", "--volunteers", str(files["volunteers"]),
        "--rules", str(files["rules"]), "--shifts", str(files["shifts"]),
        "--pages", str(files["pages"]), "--from", "2026-11-01", "--to", "2026-11-30",
        "--format", fmt, "--period", period, "--output", str(out),
    ]  # fmt: skip
    assert main(args) == 0
    return out


def _golden(name: str, produced: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(produced)
    assert produced == path.read_bytes(), f"{name} differs from its golden file"


def test_payroll_csv_of_the_demo_month_is_the_golden_file(tmp_path: Path, capsys: Any) -> None:
    """`export --format payroll-csv --period month` on the demo gives docs/payroll.md's sample."""
    out = _export(tmp_path, "payroll-csv", "month")
    capsys.readouterr()
    _golden("demo-month.payroll.csv", out.read_bytes())
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    report, _, _ = demo()
    for code, total in report.totals().items():
        assert sum(Decimal(r["amount"]) for r in rows if r["currency"] == code) == total


def test_workday_eib_of_the_demo_half_months_is_the_golden_file(
    tmp_path: Path, capsys: Any
) -> None:
    """`export --format workday-eib --period semi-monthly` on the demo."""
    out = _export(tmp_path, "workday-eib", "semi-monthly")
    capsys.readouterr()
    _golden("demo-semi-monthly.workday-eib.csv", out.read_bytes())


def test_datev_of_the_irish_demo_month_is_the_golden_file(tmp_path: Path, capsys: Any) -> None:
    """`export --format datev --period month`: semicolons, decimal comma, CRLF, Windows-1252."""
    out = _export(tmp_path, "datev", "month", _irish_demo(tmp_path))
    capsys.readouterr()
    data = out.read_bytes()
    _golden("demo-ie-month.datev.txt", data)
    lines = data.decode("cp1252").split("\r\n")
    assert lines[0] == "Personalnummer;Lohnart;Stunden;Tage;Wert;Kostenstelle"
    assert "1001;4120;0,83;;33,33;platform" in lines
    wert = sum(Decimal(line.split(";")[4].replace(",", ".")) for line in lines[1:] if line)
    assert wert == Decimal("1050.28")  # the demo's EUR total


def test_datev_refuses_what_datev_would_refuse_and_writes_nothing(
    tmp_path: Path, capsys: Any
) -> None:
    """Several periods, other currencies, ids that are not Personalnummern: all listed, exit 1."""
    files = demo_files()
    out = tmp_path / "lohn.txt"
    args = [
        "export", "--volunteers", str(files["volunteers"]), "--rules", str(files["rules"]),
        "--shifts", str(files["shifts"]), "--pages", str(files["pages"]),
        "--from", "2026-11-01", "--to", "2026-11-30", "--format", "datev", "--output", str(out),
    ]  # fmt: skip
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "a DATEV import is for one Abrechnungsmonat, but the rows span 5 pay periods" in err
    assert "DATEV Lohn und Gehalt pays EUR; bob is paid in GBP" in err
    assert "payroll_id 'E1001' is not a DATEV Personalnummer" in err
    assert "nothing was written" in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_period_is_refused_for_the_workbook(tmp_path: Path, capsys: Any) -> None:
    """--period applies to the payroll formats only; exit 1, nothing written."""
    files = demo_files()
    out = tmp_path / "pay.xlsx"
    args = [
        "export", "--volunteers", str(files["volunteers"]), "--rules", str(files["rules"]),
        "--shifts", str(files["shifts"]), "--from", "2026-11-01", "--to", "2026-11-30",
        "--period", "month", "--output", str(out),
    ]  # fmt: skip
    assert main(args) == 1
    assert 'field "--period": --period applies to the payroll formats' in capsys.readouterr().err
    assert not out.exists()


# --- formula injection -----------------------------------------------------------------


EVIL = ("=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@SUM(A1)", "\tx")


@pytest.mark.parametrize("fmt", ["payroll-csv", "workday-eib"])
def test_roster_text_that_looks_like_a_formula_stays_text(tmp_path: Path, fmt: str) -> None:
    """Payroll ids and cost centres starting with = + - @ or a tab get a leading '."""
    report, policy, roster = demo()
    evil = {v.id: EVIL[i % len(EVIL)] for i, v in enumerate(roster)}
    roster = tuple(
        attrs.evolve(v, payroll_id=evil[v.id], cost_center=evil[v.id]) for v in roster
    )
    rows = payroll_rows(report, policy, PeriodRule.parse("month"), volunteers=roster)
    path = write_payroll(rows, tmp_path / "out.csv", fmt)
    records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header, data = records[0], records[1:]
    pid = header.index("payroll_id" if fmt == "payroll-csv" else "Employee ID")
    centre = header.index("cost_center" if fmt == "payroll-csv" else "Cost Center")
    assert data
    for record in data:
        assert record[pid] in {"'" + e for e in EVIL}
        assert record[centre] == record[pid]
    # Numbers are never prefixed: a negative amount would stay a number.
    amount = header.index("amount" if fmt == "payroll-csv" else "Amount")
    assert all(not r[amount].startswith("'") for r in data)


def test_a_cap_row_is_a_negative_number_not_text(tmp_path: Path) -> None:
    """A capped week's cap line goes out under its code as a plain negative amount."""
    report, policy, roster = demo()
    st0 = report.statements[0]
    cap = op.LineItem("cap", None, Decimal(1), None, None, None, Decimal("-5.00"))
    capped = attrs.evolve(st0, lines=(*st0.lines, cap), total=st0.total - Decimal(5))
    report = attrs.evolve(report, statements=(capped, *report.statements[1:]))
    rows = payroll_rows(report, policy, PeriodRule.parse("month"), volunteers=roster)
    path = write_payroll(rows, tmp_path / "out.csv", "payroll-csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert any(",4190,1,,,-5.00,EUR," in line for line in lines)


def test_check_rules_lists_the_earning_codes(capsys: Any) -> None:
    """`oncall-pay check-rules` says each version's earning codes."""
    assert main(["check-rules", str(demo_files()["rules"])]) == 0
    out = capsys.readouterr().out
    assert "  earning codes: callout 4120, cap 4190, interrupted_weekend 4140, page 4130, " in out
    assert "standby.holiday 4111, stipend 4100, toil_days 4900" in out


@pytest.mark.parametrize("cost_center", ["100\r\n99990815", "=SUM(A1)", "a;b", "tab\there"])
def test_datev_refuses_a_cost_centre_that_would_break_or_change_a_record(
    tmp_path: Path, capsys: Any, cost_center: str
) -> None:
    """A line break would start a record of its own; an escaped formula would put a quote
    into the data DATEV imports: refused, nothing written."""
    files = _irish_demo(tmp_path)
    roster = files["volunteers"]
    rows = list(csv.DictReader(io.StringIO(roster.read_text(encoding="utf-8"))))
    with roster.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "cost_center": cost_center})
    out = tmp_path / "lohn.txt"
    args = [
        "export", "--volunteers", str(roster), "--rules", str(files["rules"]),
        "--shifts", str(files["shifts"]), "--pages", str(files["pages"]),
        "--from", "2026-11-01", "--to", "2026-11-30", "--format", "datev",
        "--period", "month", "--output", str(out),
    ]  # fmt: skip
    assert main(args) == 1
    err = capsys.readouterr().err
    assert 'field "cost_center"' in err
    assert "a DATEV Kostenstelle is plain text" in err
    assert not out.exists()
