"""Domain assertion helpers and builders shared by the tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import oncall_pay as op


def local(zone: str, *args: int) -> datetime:
    """An aware datetime from local wall-clock fields in ``zone``."""
    return datetime(*args, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def example_plan(**changes: object) -> op.Plan:
    """The plan of the spec's worked examples (pay-rules.md §11)."""
    fields: dict[str, object] = {
        "currency": "EUR",
        "weekly_stipend": "300.00",
        "standby": {
            "weekend": op.StandbyRate("day", "50.00"),
            "holiday": op.StandbyRate("day", "100.00"),
        },
        "callout": op.Callout(
            hourly="40.00",
            minimum_minutes=30,
            increment_minutes=15,
            multipliers={"workday_off_hours": "1.0", "weekend": "1.5", "holiday": "2.0"},
        ),
        "interrupted_weekend": op.InterruptedWeekend(bonus="150.00", toil_days="0.5"),
    }
    fields.update(changes)
    return op.Plan(**fields)  # type: ignore[arg-type]


def example_policy(plan: op.Plan | None = None, **version: object) -> op.Policy:
    """A one-version policy from 2026-01-05 with the example plan as default."""
    return op.Policy(
        name="Examples",
        versions=(
            op.Version(
                effective_from=date(2026, 1, 5),
                plans={"default": plan or example_plan()},
                **version,  # type: ignore[arg-type]
            ),
        ),
    )


DUBLIN = op.Volunteer(id="alice", name="Alice Byrne", country="IE", timezone="Europe/Dublin")
LONDON = op.Volunteer(
    id="bob", name="Bob Jones", country="GB", timezone="Europe/London", subdivision="ENG"
)


def page(
    pid: str, vid: str, at: datetime, resolved: datetime | None = None, **kw: object
) -> op.Page:
    """A page, resolved at ``resolved`` if given."""
    return op.Page(id=pid, volunteer_id=vid, at=at, resolved_at=resolved, **kw)  # type: ignore[arg-type]


def statement(report: op.Report, vid: str, week_start: date) -> op.WeeklyStatement:
    """The one statement of a volunteer and week."""
    found = [s for s in report.statements if s.volunteer_id == vid and s.week_start == week_start]
    assert len(found) == 1, f"expected one statement for {vid} {week_start}, got {found}"
    return found[0]


def assert_paid(
    st: op.WeeklyStatement, kind: str, amount: str, category: str | None = None
) -> None:
    """The statement pays exactly ``amount`` for lines of ``kind`` (and category)."""
    assert st.amount(kind, category) == Decimal(amount), (
        f"{kind}/{category}: expected {amount}, got {st.amount(kind, category)} in {st.lines}"
    )


def assert_lines_add_up(st: op.WeeklyStatement) -> None:
    """The total is the sum of the rounded lines."""
    assert st.total == sum((li.amount for li in st.lines), Decimal(0))


def hours(td: timedelta) -> Decimal:
    """Exact hours of a whole-second duration as a Decimal."""
    return Decimal(int(td.total_seconds())) / 3600
