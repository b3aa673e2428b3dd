"""The pay model beyond one rate table per plan (issue 15): shadow shifts."""

from __future__ import annotations

from datetime import date

import attrs

import oncall_pay as op
from helpers import DUBLIN, example_policy, local, page

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
