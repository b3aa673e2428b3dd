"""Progress for long runs: reported by the engine, shown only on a terminal."""

from __future__ import annotations

import io
from datetime import date

import oncall_pay as op
from helpers import example_policy, local
from oncall_pay.cli import _progress


class _Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        """Pretend to be a terminal."""
        return True


def test_the_engine_reports_progress_up_to_every_volunteer() -> None:
    """compute calls the progress callback with a growing count that ends at the total."""
    vols = [op.Volunteer(id=f"v{i:03}", country="IE", timezone="Europe/Dublin") for i in range(250)]
    shifts = [
        op.Shift(v.id, local("Europe/Dublin", 2026, 11, 16), local("Europe/Dublin", 2026, 11, 17))
        for v in vols
    ]
    seen: list[tuple[int, int]] = []
    week = date(2026, 11, 16)
    op.compute(
        vols, shifts, [], example_policy(), start=week, end=week,
        progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    assert seen[0] == (0, 250)
    assert seen[-1] == (250, 250)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_progress_is_shown_on_a_terminal_only() -> None:
    """The command line shows progress on a terminal and stays silent in a pipe."""
    assert _progress(io.StringIO()) is None
    out = _Terminal()
    show = _progress(out)
    assert show is not None
    show(0, 1000)
    show(1000, 1000)
    assert out.getvalue() == (
        "\rpricing volunteers: 0/1,000 (0%)\rpricing volunteers: 1,000/1,000 (100%)\n"
    )
