"""The pay model beyond one rate table per plan (issue 15): shadow shifts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs
import pytest

import oncall_pay as op
from helpers import DUBLIN, example_policy, local, page
from oncall_pay._engine import compute_exact
from oncall_pay._explain import explain_statement
from oncall_pay.readers import read_volunteers_csv

DUBLIN_TZ = "Europe/Dublin"
WEEK = date(2026, 11, 16)  # a Monday


def _week_shift(role: str | None) -> op.Shift:
    return op.Shift("alice", local(DUBLIN_TZ, 2026, 11, 16), local(DUBLIN_TZ, 2026, 11, 23), role)


def test_a_shadow_shift_is_paid_nothing_and_is_not_cover() -> None:
    """A shadow week pays no stipend, standby or callout; its page is not on call."""
    saturday = page("P1", "alice", local(DUBLIN_TZ, 2026, 11, 21, 3), worked=None)
    for role in ("shadow", " Shadow ", "SHADOW"):
        report = op.compute(
            [DUBLIN], [_week_shift(role)], [saturday], example_policy(), start=WEEK, end=WEEK
        )
        (statement,) = report.statements
        assert statement.lines == ()
        assert str(statement.total) == "0.00"
        (outcome,) = report.pages
        assert (outcome.counted, outcome.reason) == (False, "not_on_call")
        assert not any(n.kind == "overlap" for n in report.notices)
        # Health counts primaries only: no coverage, so no fairness rows.
        assert report.health.fairness == ()
    primary = op.compute(
        [DUBLIN], [_week_shift("primary")], [saturday], example_policy(), start=WEEK, end=WEEK
    )
    assert primary.statements[0].total > 0
    assert primary.pages[0].counted


def test_a_shadow_shift_beside_a_primary_changes_nothing() -> None:
    """Shadowing one's own primary week: the same statement, no overlap notice."""
    saturday = page("P1", "alice", local(DUBLIN_TZ, 2026, 11, 21, 3))
    policy = example_policy()
    alone = op.compute([DUBLIN], [_week_shift(None)], [saturday], policy, start=WEEK, end=WEEK)
    both = op.compute(
        [DUBLIN],
        [_week_shift(None), _week_shift("shadow")],
        [saturday],
        policy,
        start=WEEK,
        end=WEEK,
    )
    assert both.statements == alone.statements
    assert both.pages == alone.pages
    assert both.notices == alone.notices
    assert both.health == alone.health
    assert both.input_counts == {**alone.input_counts, "shifts": 2, "shifts_in_reported_weeks": 2}


def test_other_roles_are_paid_as_before() -> None:
    """A role that is not ``shadow`` (even one that contains the word) is cover."""
    policy = example_policy()
    base = op.compute([DUBLIN], [_week_shift(None)], [], policy, start=WEEK, end=WEEK)
    for role in ("primary", "shadowing", "level 2", ""):
        other = op.compute([DUBLIN], [_week_shift(role)], [], policy, start=WEEK, end=WEEK)
        assert other.statements == base.statements
    assert attrs.evolve(_week_shift("shadow"), role="primary").shadow is False


# --- per-person rates ---------------------------------------------------------


def test_a_rate_factor_multiplies_every_rate_before_rounding() -> None:
    """Stipend, standby, callout, page fee and bonus: rate × factor, amount rounded once."""
    saturday = page("P1", "alice", local(DUBLIN_TZ, 2026, 11, 21, 3), worked=timedelta(minutes=50))
    policy = example_policy()
    shift = _week_shift(None)
    plain = op.compute([DUBLIN], [shift], [saturday], policy, start=WEEK, end=WEEK)
    factored = attrs.evolve(DUBLIN, rate_factor=Decimal("1.5"))
    scaled = op.compute([factored], [shift], [saturday], policy, start=WEEK, end=WEEK)
    (before,), (after,) = plain.statements, scaled.statements
    assert [li.kind for li in after.lines] == [li.kind for li in before.lines]
    assert len(before.lines) >= 3
    for b, a in zip(before.lines, after.lines, strict=True):
        assert a.quantity == b.quantity
        assert a.multiplier == b.multiplier
        if b.rate is not None:
            assert a.rate == b.rate * Decimal("1.5")
    _, exact = compute_exact([factored], [shift], [saturday], policy, start=WEEK, end=WEEK)
    _, exact_plain = compute_exact([DUBLIN], [shift], [saturday], policy, start=WEEK, end=WEEK)
    for a, b in zip(exact[("alice", WEEK)], exact_plain[("alice", WEEK)], strict=True):
        assert a.amount == b.amount * Fraction(3, 2)
    one = attrs.evolve(DUBLIN, rate_factor=Decimal("1.000"))
    same = op.compute([one], [shift], [saturday], policy, start=WEEK, end=WEEK)
    assert same.statements == plain.statements
    assert '"rate_factor": "1.000"' in same.to_json()
    assert "rate_factor" not in plain.to_json()  # no factor: the JSON of before


def test_a_rate_factor_of_zero_pays_nothing_but_keeps_the_lines() -> None:
    unpaid = attrs.evolve(DUBLIN, rate_factor=Decimal(0))
    report = op.compute([unpaid], [_week_shift(None)], [], example_policy(), start=WEEK, end=WEEK)
    (statement,) = report.statements
    assert statement.lines
    assert str(statement.total) == "0.00"


@pytest.mark.parametrize(
    ("factor", "message"),
    [
        (Decimal("-1"), "negative"),
        (Decimal("1000"), "too large"),
        (Decimal("1.0000001"), "7 decimals"),
        (Decimal("NaN"), "not a decimal"),
        (1.5, "not a decimal"),
    ],
)
def test_a_bad_rate_factor_is_refused_by_the_model(factor: object, message: str) -> None:
    with pytest.raises(op.InputError) as e:
        attrs.evolve(DUBLIN, rate_factor=factor)
    (problem,) = e.value.problems
    assert problem.field == "rate_factor"
    assert message in problem.message


ROSTER_HEAD = "id,name,country,timezone,rate_factor\n"


def test_the_roster_reads_a_rate_factor_and_an_empty_cell_as_none(tmp_path: Path) -> None:
    path = tmp_path / "volunteers.csv"
    path.write_text(ROSTER_HEAD + "alice,Alice,IE,Europe/Dublin,1.25\nbob,Bob,IE,Europe/Dublin,\n")
    alice, bob = read_volunteers_csv(path)
    assert alice.rate_factor == Decimal("1.25")
    assert bob.rate_factor is None


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("-1", "is not a decimal number"),
        ("1e3", "is not a decimal number"),
        ("one", "is not a decimal number"),
        ("1000", "too large"),
        ("1.1234567", "7 decimals"),
    ],
)
def test_a_bad_rate_factor_in_the_roster_names_file_line_and_column(
    tmp_path: Path, cell: str, message: str
) -> None:
    path = tmp_path / "volunteers.csv"
    path.write_text(
        ROSTER_HEAD + "alice,Alice,IE,Europe/Dublin,1\nbob,Bob,IE,Europe/Dublin," + cell + "\n"
    )
    with pytest.raises(op.InputError) as e:
        read_volunteers_csv(path)
    (problem,) = e.value.problems
    assert (problem.source, problem.line, problem.field) == (str(path), 3, "rate_factor")
    assert message in problem.message


def test_a_bad_rate_factor_writes_no_workbook(tmp_path: Path) -> None:
    from oncall_pay.cli import main

    demo = Path(op.__file__).parent / "demo"
    roster = tmp_path / "volunteers.csv"
    roster.write_text(ROSTER_HEAD + "alice,Alice,IE,Europe/Dublin,x\n")
    out = tmp_path / "out.xlsx"
    code = main(
        [
            "export", "--volunteers", str(roster), "--rules", str(demo / "rules.toml"),
            "--shifts", str(demo / "shifts.csv"), "--from", "2026-11-01", "--to", "2026-11-30",
            "--output", str(out),
        ]
    )  # fmt: skip
    assert code == 1
    assert not out.exists()


def test_explain_says_the_rate_factor() -> None:
    factored = attrs.evolve(DUBLIN, rate_factor=Decimal("1.5"))
    report = op.compute([factored], [_week_shift(None)], [], example_policy(), start=WEEK, end=WEEK)
    text = explain_statement(report, factored, WEEK)
    assert "Every rate × 1.5 (rate_factor in the roster)" in text
    plain = op.compute([DUBLIN], [_week_shift(None)], [], example_policy(), start=WEEK, end=WEEK)
    assert "rate_factor" not in explain_statement(plain, DUBLIN, WEEK)
