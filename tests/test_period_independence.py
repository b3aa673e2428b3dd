"""A week's statement depends on the inputs, not on the period asked for."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

import oncall_pay as op
from helpers import LONDON, example_plan, example_policy, local, page, statement

L = "Europe/London"
AUG_24, AUG_31 = date(2026, 8, 24), date(2026, 8, 31)


def _bank_holiday_pages() -> list[op.Page]:
    """Pages in the Sat 29 – Mon 31 August block, one spilling past Sunday midnight."""
    return [
        page("S", "bob", local(L, 2026, 8, 29, 10)),
        page("M", "bob", local(L, 2026, 8, 31, 10)),
        page("N", "bob", local(L, 2026, 8, 30, 23, 45), worked=timedelta(minutes=60)),
    ]


def test_an_open_ended_shift_pays_the_same_week_whatever_the_period() -> None:
    """An open-ended shift still covers the week next to the period, so the block's
    bonus is not paid twice and a callout spilling into the period is paid."""
    shift = op.Shift("bob", None, None)
    pages = _bank_holiday_pages()
    alone = op.compute([LONDON], [shift], pages, example_policy(), start=AUG_31, end=AUG_31)
    both = op.compute([LONDON], [shift], pages, example_policy(), start=AUG_24, end=AUG_31)
    week_alone = statement(alone, "bob", AUG_31)
    assert week_alone == statement(both, "bob", AUG_31)
    # The block's first counted page is S on Saturday: the bonus is the week of 24 August's.
    assert week_alone.amount("interrupted_weekend") == 0
    assert statement(both, "bob", AUG_24).amount("interrupted_weekend") == 150
    # N worked 23:45–00:45: the 45 minutes after midnight are Monday's holiday rate.
    assert week_alone.amount("callout", "holiday") == 100  # 0.5 h (M) + 0.75 h (N) at 80.00


def test_a_missing_subdivision_is_an_error_even_without_shifts() -> None:
    """§2: a roster entry in GB without a subdivision is an error, cover or not."""
    no_sub = op.Volunteer(id="zoe", name="Zoe", country="GB", timezone=L)
    with pytest.raises(op.InputError) as error:
        op.compute([LONDON, no_sub], [], [], example_policy(), start=AUG_24, end=AUG_24)
    assert error.value.source == "volunteer 'zoe'"
    assert error.value.field == "subdivision"


def test_a_page_next_to_the_period_under_a_version_without_the_plan_is_harmless() -> None:
    """A stray page in a neighbouring week whose version lacks the volunteer's plan
    does not stop the run: nothing is priced there."""
    special = op.Volunteer(id="sam", name="Sam", country="GB", timezone=L, subdivision="ENG",
                           plan="special")  # fmt: skip
    policy = op.Policy(
        versions=(
            op.Version(effective_from=date(2026, 1, 5), plans={"default": example_plan()}),
            op.Version(
                effective_from=date(2026, 11, 16),
                plans={"default": example_plan(), "special": example_plan()},
            ),
        )
    )
    shift = op.Shift("sam", local(L, 2026, 11, 16), local(L, 2026, 11, 23))
    stray = page("P0", "sam", local(L, 2026, 11, 14, 10))
    report = op.compute([special], [shift], [stray], policy,
                        start=date(2026, 11, 16), end=date(2026, 11, 16))  # fmt: skip
    assert statement(report, "sam", date(2026, 11, 16)).total == 400
    (outcome,) = report.pages
    assert outcome.reason == "outside_period"
