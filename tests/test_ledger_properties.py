"""The ledger pays every cent exactly once, whatever the corrections."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import oncall_pay as op
from oncall_pay.ledger import InputFile, Ledger
from strategies import PayRun, pay_runs

FILES = (InputFile("Roster file", "roster.csv", "0" * 64),)


def _paid(report: op.Report) -> dict[tuple[str, date, str], Decimal]:
    return {
        (s.volunteer_id, s.week_start, s.currency): s.total for s in report.statements if s.total
    }


Step = tuple[tuple[int, ...], tuple[int, ...], bool]


@st.composite
def corrected_runs(draw: st.DrawFn) -> tuple[PayRun, list[Step]]:
    """A pay run and a sequence of corrections: each keeps a subset of its shifts and
    pages, and is locked or (now and then) discarded; the last one is locked."""
    run = draw(pay_runs(max_pages=5))
    steps = draw(st.integers(2, 5))
    return run, [
        (
            tuple(i for i in range(len(run.shifts)) if draw(st.booleans())),
            tuple(i for i in range(len(run.pages)) if draw(st.booleans())),
            n == steps - 1 or draw(st.integers(0, 3)) > 0,
        )
        for n in range(steps)
    ]


def _compute(run: PayRun, shifts: tuple[int, ...], pages: tuple[int, ...]) -> op.Report:
    return op.compute(
        run.volunteers, [run.shifts[i] for i in shifts], [run.pages[i] for i in pages],
        run.policy, start=run.start, end=run.end,
    )  # fmt: skip


@given(corrected_runs())
def test_all_runs_together_pay_what_one_fresh_computation_of_the_final_inputs_pays(
    case: tuple[PayRun, list[Step]],
) -> None:
    """For any sequence of corrected inputs, each priced and then locked (or discarded),
    the lines of all locked runs add up, per volunteer, week and currency, to one
    computation of the final inputs; and one more run of them pays nothing."""
    run, steps = case
    with Ledger(Path(":memory:")) as ledger:
        for shifts, pages, lock in steps:
            report = _compute(run, shifts, pages)
            run_id, _ = ledger.create_run(
                report, inputs=FILES, rules_path="r", rules_sha256="a" * 64, rules_text="",
                by="t",
            )  # fmt: skip
            if lock:
                ledger.approve(run_id, by="t")
                ledger.lock(run_id, by="t")
            else:
                ledger.discard(run_id, by="t", reason="wrong files")
        final = _compute(run, *steps[-1][:2])
        paid = {k: v for k, v in ledger.lines_total().items() if v}
        assert paid == _paid(final)
        again, arrears = ledger.create_run(
            final, inputs=FILES, rules_path="r", rules_sha256="a" * 64, rules_text="", by="t"
        )
        assert arrears == ()
        assert ledger.run(again).totals == {}
