"""Named rate sets and rates as a multiple of a person's base rate (issue 15, point 2).

docs/how-pay-is-computed.md#rate-sets and
#rates-as-a-multiple-of-a-base-rate say the rules these tests pin.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import openpyxl
import pytest

import oncall_pay as op
from helpers import DUBLIN, example_plan, example_policy, local, page, statement
from oncall_pay._explain import describe_policy, explain_statement
from oncall_pay.cli import main
from oncall_pay.readers import read_volunteers_csv

TZ = "Europe/Dublin"
WEEK = date(2026, 11, 16)  # a Monday; no Irish holiday that week
DEMO = Path(op.__file__).parent / "demo"
BASE = op.OfBase(factor=Decimal("1.5"), of="base_hourly")


def _full_week() -> op.Shift:
    return op.Shift("alice", local(TZ, 2026, 11, 16), local(TZ, 2026, 11, 23))


def _saturday_page(minutes: int = 45) -> op.Page:
    start = local(TZ, 2026, 11, 21, 3)
    return page("P1", "alice", start, local(TZ, 2026, 11, 21, 3, minutes))


def _senior(**changes: object) -> op.RateSet:
    fields: dict[str, object] = {
        "weekly_stipend": "400.00",
        "standby": {"weekend": op.StandbyRate("day", "50.00")},
    }
    fields.update(changes)
    return op.RateSet(**fields)  # type: ignore[arg-type]


def _price(
    volunteer: op.Volunteer, plan: op.Plan, pages: tuple[op.Page, ...] = ()
) -> op.WeeklyStatement:
    report = op.compute(
        [volunteer], [_full_week()], list(pages), example_policy(plan), start=WEEK, end=WEEK
    )
    return statement(report, volunteer.id, WEEK)


def _line(st: op.WeeklyStatement, kind: str, category: str | None = None) -> op.LineItem:
    (found,) = [li for li in st.lines if li.kind == kind and li.category == category]
    return found


# --- worked examples -------------------------------------------------------------


def test_a_rate_set_prices_a_full_week_instead_of_the_plans_rates() -> None:
    """Stipend 400 instead of 300; the weekend standby of the set (2 days × 50)."""
    plan = example_plan(rate_sets={"senior": _senior()})
    st = _price(attrs.evolve(DUBLIN, rate_set="senior"), plan)
    assert _line(st, "stipend").rate == Decimal("400.00")
    assert _line(st, "stipend").amount == Decimal("400.00")
    assert _line(st, "standby", "weekend").amount == Decimal("100.00")
    assert st.total == Decimal("500.00")
    # Without the roster column: the plan's own rates, as before.
    assert _price(DUBLIN, plan).total == Decimal("400.00")


def test_a_rate_set_is_complete_nothing_comes_from_the_plan() -> None:
    """A rate set without standby or callout pays none, though the plan has both."""
    plan = example_plan(rate_sets={"stipend_only": op.RateSet(weekly_stipend="400.00")})
    volunteer = attrs.evolve(DUBLIN, rate_set="stipend_only")
    st = _price(volunteer, plan, (_saturday_page(),))
    assert [li.kind for li in st.lines] == ["stipend"]
    assert st.total == Decimal("400.00")
    # The plan's own volunteer is paid standby, callout and the weekend bonus.
    plain = _price(DUBLIN, plan, (_saturday_page(),))
    assert {li.kind for li in plain.lines} >= {"standby", "callout", "interrupted_weekend"}


def test_a_rate_set_keeps_the_plans_cap_and_currency() -> None:
    """The weekly cap is the plan's, whatever the set pays."""
    plan = example_plan(
        rate_sets={"senior": _senior(weekly_stipend="2000.00")},
        limits=op.Limits(weekly_cap="1500.00"),
    )
    st = _price(attrs.evolve(DUBLIN, rate_set="senior"), plan)
    assert st.currency == "EUR"
    assert st.total == Decimal("1500.00")
    assert _line(st, "cap").amount == Decimal("-600.00")


def test_a_callout_rate_of_one_and_a_half_times_base_hourly() -> None:
    """1.5 × base_hourly 30 = 45/h; a 45-minute Saturday page × 1.5 = 50.625 → 50.63."""
    callout = attrs.evolve(example_plan().callout, hourly=BASE)
    plan = example_plan(callout=callout)
    st = _price(attrs.evolve(DUBLIN, base_hourly=Decimal("30")), plan, (_saturday_page(),))
    line = _line(st, "callout", "weekend")
    assert (line.quantity, line.rate, line.multiplier) == (
        Decimal("0.75"), Decimal("45.0"), Decimal("1.5"),
    )  # fmt: skip
    assert line.amount == Decimal("50.63")
    # The rest of the plan is unchanged: 300 + 2 × 50 + 150 bonus + 50.63.
    assert st.total == Decimal("600.63")


def test_base_multiples_in_a_rate_set_and_rate_factor_on_top() -> None:
    """Every rate of the set, resolved per person, then × rate_factor before rounding."""
    senior = _senior(
        weekly_stipend=op.OfBase(factor=Decimal("10"), of="base_hourly"),
        standby={"weekend": op.StandbyRate("hour", op.OfBase(Decimal("0.1"), "base_hourly"))},
        callout=op.Callout(hourly=BASE, multipliers={"weekend": "1.5"}),
    )
    plan = example_plan(rate_sets={"senior": senior})
    volunteer = attrs.evolve(
        DUBLIN, rate_set="senior", base_hourly=Decimal("32.5"), rate_factor=Decimal("1.1")
    )
    st = _price(volunteer, plan, (_saturday_page(),))
    # stipend 10 × 32.5 = 325 × 1.1 = 357.50
    assert _line(st, "stipend").amount == Decimal("357.50")
    # standby 0.1 × 32.5 = 3.25/h × 1.1 = 3.575/h over 48 h = 171.60
    standby = _line(st, "standby", "weekend")
    assert standby.rate == Decimal("3.575")
    assert standby.amount == Decimal("171.60")
    # callout 1.5 × 32.5 = 48.75/h × 1.1 = 53.625; 45 min × 1.5 = 60.328125 → 60.33
    callout = _line(st, "callout", "weekend")
    assert callout.rate == Decimal("53.625")
    assert callout.amount == Decimal("60.33")
    assert st.total == Decimal("589.43")


def test_the_rate_set_callout_table_decides_minimum_and_rounding() -> None:
    """The whole callout table comes from the set: its minimum, not the plan's 30 min."""
    senior = _senior(callout=op.Callout(hourly="60.00", minimum_minutes=60))
    plan = example_plan(rate_sets={"senior": senior})
    st = _price(attrs.evolve(DUBLIN, rate_set="senior"), plan, (_saturday_page(10),))
    line = _line(st, "callout", "weekend")
    assert (line.quantity, line.multiplier, line.amount) == (
        Decimal("1"), Decimal("1"), Decimal("60.00"),
    )  # fmt: skip


def test_volunteers_on_one_plan_share_but_do_not_mix_their_rates() -> None:
    """Many volunteers, different sets and bases, one run: each priced by their own."""
    plan = example_plan(
        callout=attrs.evolve(example_plan().callout, hourly=BASE),
        rate_sets={"senior": _senior()},
    )
    people = [
        attrs.evolve(DUBLIN, id=f"v{i}", base_hourly=Decimal(20 + i % 3),
                     rate_set="senior" if i % 2 else None)
        for i in range(12)
    ]  # fmt: skip
    shifts = [
        op.Shift(v.id, local(TZ, 2026, 11, 16), local(TZ, 2026, 11, 23)) for v in people
    ]
    pages = [
        page(f"P{v.id}", v.id, local(TZ, 2026, 11, 21, 3), local(TZ, 2026, 11, 21, 4))
        for v in people
    ]
    report = op.compute(people, shifts, pages, example_policy(plan), start=WEEK, end=WEEK)
    for v in people:
        st = statement(report, v.id, WEEK)
        if v.rate_set:
            assert st.total == Decimal("500.00")  # the set has no callout rate
        else:
            assert v.base_hourly is not None
            assert _line(st, "callout", "weekend").rate == Decimal("1.5") * v.base_hourly


def test_for_volunteer_is_pure_and_returns_the_plan_itself_when_nothing_applies() -> None:
    plan = example_plan(rate_sets={"senior": _senior()})
    assert plan.for_volunteer(DUBLIN, version=WEEK, plan_name="default") is plan
    senior = plan.for_volunteer(
        attrs.evolve(DUBLIN, rate_set="senior"), version=WEEK, plan_name="default"
    )
    assert senior.weekly_stipend == Decimal("400.00")
    assert senior.callout == op.Callout()
    assert senior.rate_sets == {}
    assert (senior.currency, senior.limits, senior.calendar) == (
        plan.currency, plan.limits, plan.calendar,
    )  # fmt: skip
    assert plan.rate_sets["senior"].weekly_stipend == Decimal("400.00")  # untouched


def test_the_engine_refuses_a_rate_that_was_not_worked_out() -> None:
    """The line functions read rates through paid(): a base multiple there is a bug."""
    from oncall_pay._rules import paid

    assert paid(Decimal("40.00")) == Decimal("40.00")
    with pytest.raises(TypeError, match=r"Plan\.for_volunteer"):
        paid(BASE)


def test_an_empty_rate_set_name_is_refused() -> None:
    with pytest.raises(op.InputError) as caught:
        attrs.evolve(DUBLIN, rate_set=" ")
    assert caught.value.problems[0].field == "rate_set"


def test_a_resolved_rate_keeps_every_digit() -> None:
    """6 decimals of factor × 6 of base: exact, up to 12 decimals."""
    plan = example_plan(weekly_stipend=op.OfBase(Decimal("1.000001"), "base_hourly"))
    volunteer = attrs.evolve(DUBLIN, base_hourly=Decimal("0.000001"))
    resolved = plan.for_volunteer(volunteer, version=WEEK, plan_name="default")
    assert resolved.weekly_stipend == Decimal("0.000001000001")


# --- the rules file ---------------------------------------------------------------

RATE_SET_TOML = """\
[versions.plans.default.rate_sets.senior]
weekly_stipend = "400.00"
standby.weekend = { per = "day", rate = { factor = "2", of = "base_hourly" } }
callout.hourly = { factor = "1.5", of = "base_hourly" }
callout.minimum_minutes = 30
callout.increment_minutes = 15
callout.multipliers = { weekend = "1.5" }
"""


def _demo_rules(extra: str = RATE_SET_TOML) -> str:
    text = (DEMO / "rules.toml").read_text(encoding="utf-8")
    return text.replace("  [versions.plans.uk]", extra + "\n  [versions.plans.uk]", 1)


def test_a_rate_set_reads_writes_back_and_compares() -> None:
    policy = op.parse_policy(_demo_rules())
    senior = policy.versions[0].plans["default"].rate_sets["senior"]
    assert senior.weekly_stipend == Decimal("400.00")
    assert senior.callout.hourly == op.OfBase(Decimal("1.5"), "base_hourly")
    assert senior.standby["weekend"].rate == op.OfBase(Decimal("2"), "base_hourly")
    assert senior.interrupted_weekend == op.InterruptedWeekend()
    text = policy.to_toml()
    assert "[versions.plans.default.rate_sets.senior]" in text
    assert 'callout.hourly = { factor = "1.5", of = "base_hourly" }' in text
    assert op.parse_policy(text) == policy

    before = op.parse_policy((DEMO / "rules.toml").read_text(encoding="utf-8"))
    assert op.diff_policies(before, policy) == [
        "version of 2026-01-05: plan 'default': rate set 'senior' added"
    ]
    changed = op.parse_policy(
        _demo_rules(RATE_SET_TOML.replace('"1.5", of', '"1.75", of')
                    .replace('"400.00"', '"450.00"'))
    )  # fmt: skip
    assert op.diff_policies(policy, changed) == [
        "version of 2026-01-05: plan 'default': rate set 'senior': weekly stipend "
        "400.00 → 450.00 EUR",
        "version of 2026-01-05: plan 'default': rate set 'senior': callout hourly rate "
        "1.5 × base_hourly → 1.75 × base_hourly",
    ]
    plan_multiple = op.parse_policy(
        _demo_rules("").replace('callout.hourly = "40.00"',
                                'callout.hourly = { factor = "1.5", of = "base_hourly" }', 1)
    )  # fmt: skip
    assert op.diff_policies(before, plan_multiple) == [
        "version of 2026-01-05: plan 'default': callout hourly rate 40.00 EUR → "
        "1.5 × base_hourly"
    ]


def test_check_rules_describes_a_rate_set_with_its_zero_rates() -> None:
    text = describe_policy(op.parse_policy(_demo_rules()))
    assert (
        "    rate set 'senior' (volunteers whose roster rate_set is 'senior'; a rate not "
        "written in it is zero, nothing is taken from the plan's rates):"
    ) in text
    assert "      weekly stipend 400.00 EUR for a full week of off-hours cover" in text
    assert "      standby on weekend: 2 × base_hourly per day" in text
    assert "      standby on public holiday: 0 EUR" in text
    assert "      callouts: 1.5 × base_hourly an hour" in text
    assert "      each interrupted weekend or holiday block: 0 EUR and 0 day(s) off" in text


def _problems(text: str) -> list[op.Problem]:
    with pytest.raises(op.PolicyError) as caught:
        op.parse_policy(text, "rules.toml")
    return list(caught.value.problems)


RS = "versions[0].plans.default.rate_sets.senior"


@pytest.mark.parametrize(
    ("snippet", "field", "fragment"),
    [
        ('weekly_stipnd = "1.00"', f"{RS}.weekly_stipnd",
         'unknown key "weekly_stipnd"; did you mean "weekly_stipend"?'),
        ('currency = "USD"', f"{RS}.currency", 'unknown key "currency"'),
        ('callout.hourly = { factor = "1.5", of = "base_hourlly" }', f"{RS}.callout.hourly.of",
         'did you mean "base_hourly"?'),
        ('callout.hourly = { factor = "1.1234567", of = "base_hourly" }',
         f"{RS}.callout.hourly.factor", "a factor may have at most 6 decimals"),
        ('callout.hourly = { factor = "1000", of = "base_hourly" }',
         f"{RS}.callout.hourly.factor", "too large"),
        ('callout.hourly = { factor = "1.5" }', f"{RS}.callout.hourly.of", "missing"),
        ('callout.per_page = { factor = "1.5", of = "base_hourly" }', f"{RS}.callout.per_page",
         "expected a decimal number"),
        ('callout.per_page = "1.005"', f"{RS}.callout.per_page",
         "EUR amounts may have at most 2 decimals"),
        ('weekly_stipend = "1.1234567"', f"{RS}.weekly_stipend",
         "a rate may have at most 6 decimals"),
    ],
)  # fmt: skip
def test_a_bad_rate_set_is_refused_at_its_path(snippet: str, field: str, fragment: str) -> None:
    text = _demo_rules(f"  [versions.plans.default.rate_sets.senior]\n  {snippet}\n")
    found = [p for p in _problems(text) if p.field == field]
    assert found, _problems(text)
    assert fragment in found[0].message
    assert found[0].source == "rules.toml"


def test_a_bad_base_multiple_is_refused_in_python_too() -> None:
    with pytest.raises(op.PolicyError, match="did you mean"):
        op.OfBase(Decimal("1.5"), "base_hourli")
    with pytest.raises(op.PolicyError, match="6 decimals"):
        op.OfBase(Decimal("1.1234567"), "base_hourly")
    with pytest.raises(op.PolicyError) as caught:
        example_plan(rate_sets={"senior": _senior(callout=op.Callout(per_page="1.005"))})
    assert caught.value.field == "rate_sets.senior.callout.per_page"


# --- the roster --------------------------------------------------------------------

ROSTER_HEAD = "id,name,country,timezone,rate_set,base_hourly\n"


def test_the_roster_reads_rate_set_and_base_hourly(tmp_path: Path) -> None:
    path = tmp_path / "volunteers.csv"
    path.write_text(ROSTER_HEAD + "alice,Alice,IE,Europe/Dublin,senior,30.50\n"
                    "bob,Bob,IE,Europe/Dublin,,\n")  # fmt: skip
    alice, bob = read_volunteers_csv(path)
    assert (alice.rate_set, alice.base_hourly) == ("senior", Decimal("30.50"))
    assert (bob.rate_set, bob.base_hourly) == (None, None)
    report = op.compute([alice, bob], [], [], example_policy(), start=WEEK, end=WEEK)
    text = report.to_json()
    assert '"rate_set": "senior"' in text
    assert '"base_hourly": "30.50"' in text
    assert text.count("rate_set") == 1  # none for bob: the JSON of before


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("x", "'x' is not a decimal number"),
        ("-1", "'-1' is not a decimal number"),
        ("1000000", "too large"),
        ("1.1234567", "7 decimals; at most 6"),
    ],
)
def test_a_bad_base_hourly_names_file_line_and_column(
    tmp_path: Path, cell: str, fragment: str
) -> None:
    path = tmp_path / "volunteers.csv"
    path.write_text(ROSTER_HEAD + "alice,Alice,IE,Europe/Dublin,,30\n"
                    f"bob,Bob,IE,Europe/Dublin,,{cell}\n")  # fmt: skip
    with pytest.raises(op.InputError) as caught:
        read_volunteers_csv(path)
    (problem,) = caught.value.problems
    assert (problem.source, problem.line, problem.field) == (str(path), 3, "base_hourly")
    assert fragment in problem.message


# --- errors when pricing -----------------------------------------------------------


def test_an_unknown_rate_set_names_volunteer_set_version_and_plan() -> None:
    plan = example_plan(rate_sets={"senior": _senior()})
    with pytest.raises(op.PolicyError) as caught:
        _price(attrs.evolve(DUBLIN, rate_set="senoir"), plan)
    problem = caught.value.problems[0]
    assert problem.field == "versions[2026-01-05].plans.default.rate_sets"
    assert problem.message == (
        "volunteer 'alice' asks for rate set 'senoir', which plan 'default' of the version "
        "of 2026-01-05 does not have (it has 'senior'; did you mean \"senior\"?)"
    )


def test_a_base_multiple_without_base_hourly_says_to_add_the_column() -> None:
    plan = example_plan(rate_sets={"senior": _senior(callout=op.Callout(hourly=BASE))})
    with pytest.raises(op.PolicyError) as caught:
        _price(attrs.evolve(DUBLIN, rate_set="senior"), plan)
    problem = caught.value.problems[0]
    assert problem.field == "versions[2026-01-05].plans.default.rate_sets.senior.callout.hourly"
    assert "volunteer 'alice' is paid callout.hourly = 1.5 × base_hourly" in problem.message
    assert "add a base_hourly column to the roster" in problem.message


# --- the command line ----------------------------------------------------------------


def _cli_inputs(tmp_path: Path, roster_rows: str) -> dict[str, Path]:
    files = {
        "rules": ("rules.toml", _demo_rules()),
        "volunteers": ("volunteers.csv", ROSTER_HEAD + roster_rows),
        "shifts": ("shifts.csv", "volunteer_id,start,end\n"
                   "alice,2026-11-16T00:00:00+00:00,2026-11-23T00:00:00+00:00\n"
                   "bob,2026-11-16T00:00:00+00:00,2026-11-23T00:00:00+00:00\n"),
        "pages": ("pages.csv", "id,volunteer_id,at,resolved_at,urgency\n"
                  "P1,alice,2026-11-21T03:00:00+00:00,2026-11-21T03:45:00+00:00,high\n"),
    }  # fmt: skip
    out = {}
    for key, (name, text) in files.items():
        out[key] = tmp_path / name
        out[key].write_text(text, encoding="utf-8")
    return out


def _args(command: str, files: dict[str, Path], *more: str) -> list[str]:
    return [
        command, "--volunteers", str(files["volunteers"]), "--rules", str(files["rules"]),
        "--shifts", str(files["shifts"]), "--pages", str(files["pages"]), *more,
    ]  # fmt: skip


GOOD_ROSTER = "alice,Alice,IE,Europe/Dublin,senior,30\nbob,Bob,IE,Europe/Dublin,,\n"


def test_export_and_explain_price_by_the_rate_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _cli_inputs(tmp_path, GOOD_ROSTER)
    out = tmp_path / "pay.xlsx"
    period = ["--from", "2026-11-16", "--to", "2026-11-22"]
    assert main(_args("export", files, *period, "--output", str(out))) == 0
    sheet = openpyxl.load_workbook(out, read_only=True)["Lines"]
    rows = list(sheet.iter_rows(values_only=True))
    head = list(rows[0])
    got = {
        (r[head.index("Volunteer ID")], r[head.index("Kind")], r[head.index("Category")]): (
            Decimal(str(r[head.index("Rate")])), Decimal(str(r[head.index("Amount")]))
        )
        for r in rows[1:]
        if r[0]
    }  # fmt: skip
    assert got[("alice", "stipend", None)] == (Decimal("400"), Decimal("400"))
    # 2 × base_hourly 30 = 60 a weekend day; 1.5 × 30 = 45/h × 0.75 h × 1.5
    assert got[("alice", "standby", "weekend")] == (Decimal("60"), Decimal("120"))
    assert got[("alice", "callout", "weekend")] == (Decimal("45"), Decimal("50.63"))
    assert got[("bob", "stipend", None)] == (Decimal("300"), Decimal("300"))
    assert ("alice", "interrupted_weekend", None) not in got  # the set has no bonus

    capsys.readouterr()
    code = main(_args("explain", files, "--volunteer", "alice", "--week", "2026-W47"))
    text = capsys.readouterr().out
    assert code == 0
    assert "Rates of rate set 'senior' of plan 'default' (rate_set in the roster)" in text
    assert "Base hourly rate 30 EUR (base_hourly in the roster)" in text
    assert "× 45.0 × 1.5" in text
    assert "Total: 570.63 EUR" in text


@pytest.mark.parametrize(
    ("roster", "fragment", "field"),
    [
        ("alice,Alice,IE,Europe/Dublin,junior,30\n", "asks for rate set 'junior'",
         "versions[2026-01-05].plans.default.rate_sets"),
        ("alice,Alice,IE,Europe/Dublin,senior,\n", "add a base_hourly column",
         "versions[2026-01-05].plans.default.rate_sets.senior.standby.weekend.rate"),
        ("alice,Alice,IE,Europe/Dublin,senior,3x\n", "'3x' is not a decimal number",
         "base_hourly"),
    ],
)  # fmt: skip
def test_a_bad_rate_set_or_base_writes_no_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], roster: str, fragment: str, field: str
) -> None:
    files = _cli_inputs(tmp_path, roster + "bob,Bob,IE,Europe/Dublin,,\n")
    err = _refused_export(tmp_path, files, capsys)
    assert fragment in err
    assert field in err


def _refused_export(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> str:
    """Run export on ``files``; it must exit 1 and write no workbook. Its stderr."""
    out = tmp_path / "pay.xlsx"
    code = main(
        _args("export", files, "--from", "2026-11-16", "--to", "2026-11-22", "--output", str(out))
    )
    assert code == 1
    assert not out.exists()
    return capsys.readouterr().err


def test_a_bad_rate_set_in_the_rules_writes_no_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _cli_inputs(tmp_path, GOOD_ROSTER)
    files["rules"].write_text(
        _demo_rules(RATE_SET_TOML.replace("weekly_stipend", "weekly_stipnd")), encoding="utf-8"
    )
    err = _refused_export(tmp_path, files, capsys)
    assert str(files["rules"]) in err
    assert 'unknown key "weekly_stipnd"; did you mean "weekly_stipend"?' in err
    assert f"{RS}.weekly_stipnd" in err


def test_explain_without_a_rate_set_says_nothing_of_one() -> None:
    report = op.compute([DUBLIN], [_full_week()], [], example_policy(), start=WEEK, end=WEEK)
    text = explain_statement(report, DUBLIN, WEEK)
    assert "rate set" not in text
    assert "base_hourly" not in text
