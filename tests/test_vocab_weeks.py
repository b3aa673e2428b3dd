"""The shared vocabulary, pay-week helpers and interval helpers."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from oncall_pay import _columns, _explain, _rules
from oncall_pay._intervals import covers, hours_6, merge, us
from oncall_pay._vocab import (
    CATEGORIES,
    CATEGORY_PLURAL,
    CATEGORY_PROSE,
    HOURS_HEADERS,
    KIND_COLUMN,
    LABELS,
    MONEY_HEADERS,
    OFF_HOURS,
    Category,
    LineKind,
    PageReason,
    label,
)
from oncall_pay._weeks import (
    explain_read_period,
    iso_week,
    open_end_window,
    reported_weeks,
    source_read_window,
    week_end,
    week_start,
)


def test_members_are_their_strings() -> None:
    assert Category.WEEKEND == "weekend"
    assert {"weekend": 1}[Category.WEEKEND] == 1
    assert json.dumps([LineKind.INTERRUPTED_WEEKEND]) == '["interrupted_weekend"]'
    assert str(PageReason.NOT_ON_CALL) == "not_on_call"


def test_vocabulary_matches_the_rules_tuples() -> None:
    assert CATEGORIES == _rules.CATEGORIES
    assert OFF_HOURS == _rules.OFF_HOURS


def test_label_table_reproduces_every_label_in_use() -> None:
    """The one table gives, word for word, the wording explain, compare and the workbook used."""
    assert dict(CATEGORY_PROSE) == {
        "in_hours": "in working hours",
        "workday_off_hours": "workday evenings and nights",
        "night": "workday night",
        "weekend": "weekend",
        "holiday": "public holiday",
    }
    assert dict(CATEGORY_PLURAL) == {
        "workday_off_hours": "workday evenings and nights",
        "night": "workday nights",
        "weekend": "weekends",
        "holiday": "public holidays",
    }
    assert dict(KIND_COLUMN) == {
        "stipend": "Stipend",
        "standby": "Standby",
        "callout": "Callout",
        "page": "Page fees",
        "interrupted_weekend": "Weekend bonus",
        "cap": "Cap adjustment",
    }
    assert dict(HOURS_HEADERS) == {
        "in_hours": "In-hours h",
        "workday_off_hours": "Workday off-hours h",
        "night": "Night h",
        "weekend": "Weekend h",
        "holiday": "Holiday h",
    }
    assert MONEY_HEADERS == (
        "Stipend", "Standby", "Callout", "Page fees", "Weekend bonus", "Cap adjustment",
    )  # fmt: skip
    assert label(Category.WORKDAY_OFF_HOURS).title == "Workday off-hours"
    assert label(LineKind.INTERRUPTED_WEEKEND).title == "Interrupted weekend"


def test_explain_compare_and_the_workbook_read_the_one_table() -> None:
    assert _explain._CATEGORY_WORDS is CATEGORY_PROSE
    assert _rules._CATEGORY_WORDS is CATEGORY_PLURAL
    assert _columns.KIND_COLUMN is KIND_COLUMN
    assert _columns.HOURS_HEADERS is HOURS_HEADERS
    assert _columns.MONEY_HEADERS is MONEY_HEADERS


def test_every_member_has_a_label() -> None:
    for vocabulary, table in LABELS.items():
        assert set(table) == set(vocabulary)


def test_weeks() -> None:
    thursday = date(2026, 11, 26)
    assert week_start(thursday, 0) == date(2026, 11, 23)
    assert week_start(thursday, 3) == thursday
    assert week_start(thursday, 4) == date(2026, 11, 20)
    assert week_end(date(2026, 11, 23)) == date(2026, 11, 29)
    assert iso_week(date(2026, 11, 23)) == "2026-W48"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"
    assert reported_weeks(date(2026, 11, 24), date(2026, 12, 7), 0) == [
        date(2026, 11, 30),
        date(2026, 12, 7),
    ]
    assert reported_weeks(date(2026, 11, 24), date(2026, 11, 29), 0) == []
    assert open_end_window(date(2026, 11, 30), date(2026, 12, 7)) == (
        date(2026, 11, 23),
        date(2026, 12, 21),
    )


def test_cli_windows_keep_their_day_counts() -> None:
    """The named windows are the numbers the command line used (15/16, 6/37)."""
    first, last = date(2026, 11, 1), date(2026, 11, 30)
    assert source_read_window(first, last) == (
        datetime(2026, 10, 17, tzinfo=UTC),
        datetime(2026, 12, 16, tzinfo=UTC),
    )
    monday = date(2026, 11, 23)
    assert explain_read_period(monday) == (
        date(2026, 11, 1) - timedelta(days=6),
        monday + timedelta(days=37),
    )


def test_intervals() -> None:
    t = datetime(2026, 11, 23, tzinfo=UTC)
    h = timedelta(hours=1)
    merged, overlaps = merge([(t + 2 * h, t + 3 * h), (t, t + h), (t + h, t + 2 * h)])
    assert merged == [(t, t + 3 * h)]
    assert overlaps == []  # touching is not overlapping
    merged, overlaps = merge([(t, t + 2 * h), (t + h, t + 3 * h)])
    assert merged == [(t, t + 3 * h)]
    assert overlaps == [((t, t + 2 * h), (t + h, t + 3 * h))]
    starts = [s for s, _ in merged]
    assert covers(merged, starts, t)
    assert not covers(merged, starts, t + 3 * h)
    assert not covers(merged, starts, t - h)
    assert us(timedelta(seconds=1, microseconds=5)) == 1_000_005
    assert hours_6(us(timedelta(minutes=20))) == Decimal("0.333333")


def test_the_sheet_columns_are_built_from_the_label_table() -> None:
    """Summary and Weekly: the money columns in statement order, word for word."""
    money = [
        "Stipend", "Standby", "Callout", "Page fees", "Interrupted weekends", "Weekend bonus",
        "Cap adjustment", "Total", "TOIL days",
    ]  # fmt: skip
    summary = [c.header for c in _columns.SUMMARY]
    weekly = [c.header for c in _columns.WEEKLY]
    assert summary == ["Volunteer ID", "Name", "Payroll ID", "Country", "Currency", "Weeks",
                       *money]  # fmt: skip
    assert weekly == [
        "Volunteer ID", "Name", "Week", "Week start", "Currency", "Rules version",
        "In-hours h", "Workday off-hours h", "Night h", "Weekend h", "Holiday h", "Pages",
        "Counted pages", *money,
    ]  # fmt: skip
    widths = {c.header: c.width for c in _columns.WEEKLY}
    assert [widths[h] for h in money] == [12, 12, 12, 12, 12, 13, 14, 14, 10]
