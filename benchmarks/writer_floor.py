"""Time ``write_workbook`` against the openpyxl floor on a large synthetic report.

The floor is openpyxl's write-only mode writing the same cell values (plain
floats, dates and strings, already converted) with no number formats, no
header styles, no widths, no autofilter and no pinned zip: the least time any
openpyxl writer can take for these cells. ``spec/quality.md`` asks for
compute plus export within 2x of it.

The report is built by hand, shaped like the year-10k case: 10,000
volunteers over 52 weeks, one in six on call each week (about 8.7
statements each), four or five lines per statement and two pages per
on-call week.

Run: ``python benchmarks/writer_floor.py [--volunteers 10000] [--weeks 52]``
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

import oncall_pay as op
from oncall_pay._money import minor_unit
from oncall_pay.writers import _columns as cols
from oncall_pay.writers.workbook import write_workbook

COUNTRIES = (
    ("IE", "EUR"), ("DE", "EUR"), ("FR", "EUR"), ("NL", "EUR"), ("GB", "GBP"), ("US", "USD"),
    ("CA", "CAD"), ("AU", "AUD"), ("NZ", "NZD"), ("JP", "JPY"), ("IN", "INR"), ("KW", "KWD"),
)  # fmt: skip
FIRST = date(2026, 1, 5)


def synthetic_report(volunteers: int, weeks: int, seed: int = 1) -> op.Report:
    """A report of the year-10k shape, built without the engine."""
    rnd = random.Random(seed)
    statements: list[op.WeeklyStatement] = []
    pages: list[op.PageOutcome] = []
    tz = timezone(timedelta(hours=1))
    for n in range(volunteers):
        vid = f"v{n:05d}"
        currency = COUNTRIES[n % len(COUNTRIES)][1]
        q = Decimal(1).scaleb(-minor_unit(currency))
        for k in range(n % 6, weeks, 6):
            start = FIRST + timedelta(weeks=k)
            page_ids = (f"P{n}-{k}-a", f"P{n}-{k}-b")
            hours = {
                "in_hours": Decimal("45.000000"),
                "workday_off_hours": Decimal("75.000000"),
                "weekend": Decimal("48.000000"),
                "holiday": Decimal("0.000000"),
            }
            lines = [
                op.LineItem("stipend", None, Decimal("1.000000"), "week", Decimal("300"),
                            None, Decimal("300").quantize(q)),
                op.LineItem("standby", "weekend", Decimal("2.000000"), "day", Decimal("50"),
                            None, Decimal("100").quantize(q)),
                op.LineItem("callout", "weekend", Decimal("1.250000"), "hour", Decimal("40"),
                            Decimal("1.5"), Decimal("75").quantize(q)),
                op.LineItem("interrupted_weekend", None, Decimal("1.000000"), "block",
                            Decimal("150"), None, Decimal("150").quantize(q)),
            ]  # fmt: skip
            if rnd.random() < 0.3:
                lines.append(op.LineItem("cap", None, Decimal(1), None, None, None, -q * 12345))
            statements.append(
                op.WeeklyStatement(
                    vid, f"2026-W{start.isocalendar()[1]:02d}", start, currency, FIRST, "default",
                    tuple(lines), hours, {}, page_ids, page_ids, Decimal("0.5"),
                    sum((li.amount for li in lines), Decimal(0)),
                )
            )  # fmt: skip
            at = datetime.combine(start, datetime.min.time(), tz) + timedelta(days=5, hours=3)
            pages.extend(
                op.PageOutcome(pid, vid, at + timedelta(minutes=i), statements[-1].week, start,
                               "weekend", True, None, at, at + timedelta(minutes=30))
                for i, pid in enumerate(page_ids)
            )  # fmt: skip
    pages.sort(key=lambda p: (p.at, p.page_id))
    return op.Report(
        statements=tuple(statements),
        pages=tuple(pages),
        notices=(),
        holidays=(op.HolidayEntry("IE", None, date(2026, 3, 17), "St Patrick's Day", "holidays"),),
        period_start=FIRST,
        period_end=FIRST + timedelta(weeks=weeks, days=-1),
        week_starts=tuple(FIRST + timedelta(weeks=k) for k in range(weeks)),
        policy_name="synthetic",
        input_counts={"volunteers": volunteers, "shifts": len(statements), "pages": len(pages)},
    )  # fmt: skip


def _plain(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


def plain_sheets(report: op.Report) -> list[tuple[str, list[list[object]]]]:
    """The workbook's cells as plain values (Summary and Run left small)."""

    def weekly() -> Iterator[list[object]]:
        for st in report.statements:
            yield [_plain(v) for v in cols.weekly_values(st, None)]

    def lines() -> Iterator[list[object]]:
        for st in report.statements:
            for li in st.lines:
                yield [
                    st.volunteer_id, st.week, li.kind, li.category, float(li.quantity), li.unit,
                    _plain(li.rate), _plain(li.multiplier), float(li.amount), st.currency,
                ]  # fmt: skip

    def pages() -> Iterator[list[object]]:
        for p in report.pages:
            yield [
                p.page_id, p.volunteer_id, p.at.replace(tzinfo=None), "+01:00", p.week,
                p.category, p.counted, p.reason, _local(p.work_from), _local(p.work_to),
            ]  # fmt: skip

    summary = {}
    for st in report.statements:
        summary.setdefault((st.volunteer_id, st.currency), [st.volunteer_id] + [0.0] * 14)
    return [
        ("Summary", [[c.header for c in cols.SUMMARY], *summary.values()]),
        ("Weekly", [[c.header for c in cols.WEEKLY], *weekly()]),
        ("Lines", [[c.header for c in cols.LINES], *lines()]),
        ("Pages", [[c.header for c in cols.PAGES], *pages()]),
        ("Holidays", [[c.header for c in cols.HOLIDAYS]]),
        ("Notices", [[c.header for c in cols.NOTICES]]),
        ("Run", [["Key", "Value"], ["Rules name", report.policy_name]]),
    ]


def _local(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=None)


def floor(sheets: list[tuple[str, list[list[object]]]], path: Path) -> None:
    """openpyxl write-only, plain values, nothing else."""
    wb = Workbook(write_only=True)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    t0 = time.perf_counter()
    report = synthetic_report(args.volunteers, args.weeks)
    n_lines = sum(len(st.lines) for st in report.statements)
    print(
        f"report: {len(report.statements):,} statements, {n_lines:,} lines, "
        f"{len(report.pages):,} pages (built in {time.perf_counter() - t0:.1f} s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        # The writer runs first, so the peak memory it adds to the report's
        # is not hidden by the floor's rows, which are built in memory.
        rss_report = _peak_mb()
        ours = [_timed(lambda: write_workbook(report, out / "pay.xlsx", created=PINNED))]
        rss_writer = _peak_mb()
        sheets = plain_sheets(report)
        cells = sum(len(r) for _, rows in sheets for r in rows)
        print(f"cells: about {cells:,}")
        floors = [_timed(lambda: floor(sheets, out / "floor.xlsx"))]
        for _ in range(args.repeat - 1):
            ours.append(_timed(lambda: write_workbook(report, out / "pay.xlsx", created=PINNED)))
            floors.append(_timed(lambda: floor(sheets, out / "floor.xlsx")))
        for name, runs, file in (
            ("openpyxl floor", floors, "floor.xlsx"),
            ("write_workbook", ours, "pay.xlsx"),
        ):
            wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
            size = (out / file).stat().st_size / 1e6
            print(
                f"{name:>15}: {wall:6.1f} s wall, {cpu:6.1f} s CPU "
                f"(best of {len(runs)}), {size:.1f} MB"
            )
        best = min(r[1] for r in ours) / min(r[1] for r in floors)
        print(f"write_workbook / floor (CPU): {best:.2f}")
    print(
        f"peak RSS: {rss_report:.0f} MB with the report built, {rss_writer:.0f} MB after "
        "write_workbook (the writer's own share is the difference)"
    )


PINNED = datetime(2026, 1, 1, tzinfo=UTC)


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
