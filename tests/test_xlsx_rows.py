"""A ``Table`` writes its rows as text (``writers/_xlsx.py``): the workbook is
byte for byte the one openpyxl writes from a cell object per value
(``xlsx_reference.ReferenceTable``, the code before the change)."""

from __future__ import annotations

import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils.exceptions import IllegalCharacterError

import oncall_pay as op
from oncall_pay._columns import Column, Kind
from oncall_pay.cli import DEMO_PERIOD, demo_files
from oncall_pay.pay_run import Sources, load_inputs
from oncall_pay.writers import _health_sheet, _xlsx, write_workbook
from oncall_pay.writers._xlsx import Formula, SumColumn, Table, streamed_workbook
from xlsx_reference import ReferenceStacked, ReferenceTable

CREATED = datetime(2026, 12, 3, 12, 0, 0)

#: Every kind of column, a long header (two lines) and a money total.
COLUMNS = (
    Column("Volunteer name, as the roster spells it", "text", 12),
    Column("Value", "value", 10),
    Column("Number", "number", 8),
    Column("Count", "count", 8),
    Column("Flag", "bool", 6),
    Column("Day", "date", 10),
    Column("When", "datetime", 16),
    Column("Amount", "money", 12),
    Column("Rate", "rate", 12),
    Column("Total", "money", 12),
)
TOTAL = SumColumn(9, (7, 8))

texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["=SUM(A1)", "=", "#N/A", *ERROR_CODES, " lead", "trail ", "a<b&c>d\r\n", "é日本😀"]
    ),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=6),
    st.text(alphabet="\x00\x01\x08\x0b\x1f\ufffe\uffff\t\n\r ab", max_size=6),
)
decimals = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6, allow_nan=False
)
money = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=4)
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31))
moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2199, 12, 31))
numbers = st.one_of(
    decimals, st.integers(-(10**18), 10**18), st.floats(allow_nan=True, allow_infinity=True)
)

BY_KIND: dict[Kind, st.SearchStrategy[Any]] = {
    "text": st.one_of(texts, st.integers(), decimals),
    "value": st.one_of(texts, dates, moments, numbers, st.booleans()),
    "number": numbers,
    "count": st.integers(0, 10**6),
    "bool": st.booleans(),
    "date": dates,
    "datetime": moments,
    "money": money,
    "rate": money,
}


@st.composite
def rows(draw: st.DrawFn) -> tuple[str, str, list[object]]:
    """One row: how it is written (``append`` or ``append_extra``), its currency, its values."""
    how = draw(st.sampled_from(["append", "append", "append", "extra"]))
    currency = draw(st.sampled_from(["EUR", "JPY", "KWD", "USD"]))
    values = [draw(st.none() | BY_KIND[c.kind]) for c in COLUMNS]
    if how == "extra":
        if draw(st.booleans()):
            values[7] = Formula(f"=SUM(H2:H{draw(st.integers(2, 9))})")
        values += draw(st.lists(st.none() | texts, max_size=2))
    return how, currency, values


def _write(path: Path, table: Callable[..., Any], data: list[tuple[str, str, list[object]]],
           row_limit: int, total: SumColumn | None) -> None:  # fmt: skip
    with streamed_workbook(path, created=CREATED, row_limit=row_limit) as wb:
        sheet = table(wb, "Lines", COLUMNS, row_limit, widths={10: 14.0}, total=total)
        for how, currency, values in data:
            if how == "append":
                sheet.append(values, currency)
            else:
                sheet.ensure_room(1)
                sheet.append_extra(values, currency)
        sheet.finish()


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


@settings(deadline=None)
@given(
    st.lists(rows(), max_size=12),
    st.integers(min_value=2, max_value=6),
    st.booleans(),
)
def test_rows_written_as_text_are_the_bytes_openpyxl_writes(
    tmp_path_factory: pytest.TempPathFactory,
    data: list[tuple[str, str, list[object]]],
    row_limit: int,
    with_total: bool,
) -> None:
    folder = tmp_path_factory.mktemp("rows")
    ours, reference = folder / "ours.xlsx", folder / "reference.xlsx"
    total = TOTAL if with_total else None
    try:
        _write(reference, ReferenceTable, data, row_limit, total)
    except (IllegalCharacterError, TypeError, ValueError) as e:
        # What openpyxl refuses, the text rows refuse the same way.
        with pytest.raises(type(e)):
            _write(ours, Table, data, row_limit, total)
        assert not ours.exists()
        return
    _write(ours, Table, data, row_limit, total)
    mine, theirs = _entries(ours), _entries(reference)
    assert list(mine) == list(theirs)
    for name in theirs:
        assert mine[name] == theirs[name], name
    assert ours.read_bytes() == reference.read_bytes()


#: Few values, so that rows repeat them: equal values of different types or
#: digits (``True``, ``1``, ``1.0``, ``Decimal("1.00")``; ``-0.0`` and
#: ``0.0``), and the same amount in every currency.
REPEATED: dict[Kind, list[Any]] = {
    "text": ["ana", "ana ", "=SUM(A1)", "#N/A", 1, True, 1.0, Decimal("1.50"), Decimal("1.5"), "é"],
    "value": [True, 1, 1.0, Decimal("1.00"), -0.0, 0.0, "1", date(2026, 1, 5),
              datetime(2026, 1, 5), False, 0],
    "number": [True, 1, 1.0, Decimal("1.00"), Decimal("1"), -0.0, 0.0, Decimal("-0"),
               Decimal("0.0000005"), float("nan"), 10**17, Decimal(10**17)],
    "count": [0, 1, 2, True],
    "bool": [True, False, 1, 0],
    "date": [date(2026, 1, 5), datetime(2026, 1, 5), date(2026, 1, 6)],
    "datetime": [datetime(2026, 1, 5, 8, 30), datetime(2026, 1, 5), date(2026, 1, 5)],
    "money": [Decimal("1.5"), Decimal("1.50"), Decimal("-0"), Decimal("0"), Decimal("2.345")],
    "rate": [Decimal("1.5"), Decimal("1.50"), Decimal("0.0001"), Decimal("7")],
}


@st.composite
def repeating_rows(draw: st.DrawFn) -> tuple[str, str, list[object]]:
    currency = draw(st.sampled_from(["EUR", "JPY", "KWD"]))
    return "append", currency, [draw(st.sampled_from(REPEATED[c.kind])) for c in COLUMNS]


@settings(deadline=None)
@given(
    st.lists(repeating_rows(), min_size=2, max_size=20),
    st.booleans(),
    st.sampled_from([_xlsx._TAILS_KEPT, 2]),
)
def test_rows_that_repeat_values_are_the_bytes_openpyxl_writes(
    tmp_path_factory: pytest.TempPathFactory,
    data: list[tuple[str, str, list[object]]],
    with_total: bool,
    kept: int,
) -> None:
    """A cell's text is worked out once per distinct value and reused: a
    value equal to an earlier one of another type (``1`` and ``True``,
    ``-0.0`` and ``0.0``) or in another currency still gets its own. A
    column keeps at most ``_TAILS_KEPT`` values' text; past it (here, at
    times, after two) it starts again with none, and the bytes do not
    change."""
    folder = tmp_path_factory.mktemp("repeat")
    ours, reference = folder / "ours.xlsx", folder / "reference.xlsx"
    total = TOTAL if with_total else None
    _write(reference, ReferenceTable, data, 1_048_576, total)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_xlsx, "_TAILS_KEPT", kept)
        _write(ours, Table, data, 1_048_576, total)
    mine, theirs = _entries(ours), _entries(reference)
    for name in theirs:
        assert mine[name] == theirs[name], name
    assert ours.read_bytes() == reference.read_bytes()


def _writer_peak(path: Path, values: list[str]) -> int:
    """tracemalloc's peak while a one-column ``Table`` writes ``values``, one per row."""
    tracemalloc.start()
    try:
        with streamed_workbook(path, created=CREATED, row_limit=1_048_576) as wb:
            sheet = Table(wb, "Pages", (Column("Page ID", "text", 16),), 1_048_576)
            for value in values:
                sheet.append([value])
            sheet.finish()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_a_column_of_distinct_values_keeps_the_writers_memory_flat(tmp_path: Path) -> None:
    """Page IDs are all different: twice the rows, not twice the memory
    (spec/quality.md: the writer's memory flat in the number of rows)."""
    ids = [f"P{i:07}" for i in range(40_000)]  # made before tracing
    short = _writer_peak(tmp_path / "short.xlsx", ids[:20_000])
    long = _writer_peak(tmp_path / "long.xlsx", ids)
    assert long < short * 1.25, (short, long)


def test_a_failed_export_leaves_no_rows_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows' temporary files go with the workbook when an export fails
    (looked for in a temporary directory of the test's own: other tests
    write workbooks alongside)."""
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    target = tmp_path / "out.xlsx"

    def export() -> None:
        with streamed_workbook(target, created=CREATED, row_limit=10) as wb:
            sheet = Table(wb, "Lines", COLUMNS, 10)
            row = ["a", 1, Decimal(1), 1, True, None, None, Decimal(2), None, None]
            sheet.append(row, "EUR")
            assert len(list(scratch.glob("oncall_pay-rows-*"))) == 1
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        export()
    assert not target.exists()
    assert list(scratch.iterdir()) == []


@pytest.fixture(scope="module")
def health_report() -> tuple[op.Report, list[op.Volunteer]]:
    """The demo team's report, with names a text cell must keep as text."""
    files = demo_files()
    sources = Sources(volunteers=files["volunteers"], rules=files["rules"],
                      files={"shifts": files["shifts"], "pages": files["pages"]})  # fmt: skip
    data = load_inputs(sources, DEMO_PERIOD)
    odd = ["=SUM(A1)", " lead é日本", "#N/A", "a<b&c>d"]
    roster = [
        attrs.evolve(v, name=odd[i]) if i < len(odd) else v
        for i, v in enumerate(sorted(data.volunteers, key=lambda v: v.id))
    ]
    report = op.compute(roster, data.shifts, data.pages, data.policy,
                        start=DEMO_PERIOD[0], end=DEMO_PERIOD[1])  # fmt: skip
    return report, roster


@pytest.mark.parametrize("row_limit", [4, 7, 1_048_576])
def test_the_health_sheet_written_as_text_is_the_bytes_openpyxl_writes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    row_limit: int,
    health_report: tuple[op.Report, list[op.Volunteer]],
) -> None:
    """The Health sheet's tables (``_health_sheet._Stacked``) are written as
    text like a ``Table``'s: the workbook is byte for byte the one written
    with a cell object per value (``xlsx_reference.ReferenceStacked``),
    also when the tables go on over parts."""
    report, roster = health_report
    assert report.health is not None
    assert report.health.volunteers
    ours = write_workbook(report, tmp_path / "ours.xlsx", volunteers=roster,
                          created=CREATED, row_limit=row_limit)  # fmt: skip
    monkeypatch.setattr(_health_sheet, "_Stacked", ReferenceStacked)
    reference = write_workbook(report, tmp_path / "reference.xlsx", volunteers=roster,
                               created=CREATED, row_limit=row_limit)  # fmt: skip
    mine, theirs = _entries(ours), _entries(reference)
    assert list(mine) == list(theirs)
    for name in theirs:
        assert mine[name] == theirs[name], name
    assert ours.read_bytes() == reference.read_bytes()
