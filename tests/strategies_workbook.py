"""Hypothesis strategies for the workbook tests: whole reports, built by hand.

(To be merged into ``strategies.py`` under a ``# --- reports ---`` heading.)

The reports are not computed, so they reach corners the engine rarely
does: ids that look like formulas, every currency precision, large and
negative amounts, many volunteers in many currencies. Their lines always add
up to the total, as the engine guarantees.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Final

from hypothesis import strategies as st

import oncall_pay as op
from oncall_pay._money import minor_unit
from oncall_pay._rules import CATEGORIES, OFF_HOURS

#: 2 places, 0 places (JPY) and 3 places (KWD).
REPORT_CURRENCIES: Final = ("EUR", "USD", "GBP", "JPY", "KWD")

#: Text a spreadsheet might take for a formula or an error value.
EVIL_TEXT: Final = (
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+1",
    "-x",
    "@x",
    "#N/A",
    "#REF!",
    "\tindent",
    " padded ",
    "line\nbreak",
    "Ciarán Ó Súilleabháin",
    "名前",
)

FIRST_MONDAY: Final = date(2026, 1, 5)

#: Characters that XML 1.0, hence xlsx, cannot hold; the writer replaces them.
_NOT_XML: Final = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\ufffe\uffff"


def texts(min_size: int = 1) -> st.SearchStrategy[str]:
    """Text an input file could carry (no characters XML cannot hold)."""
    plain = st.text(
        st.characters(codec="utf-8", exclude_characters=_NOT_XML),
        min_size=min_size,
        max_size=24,
    )
    return st.one_of(plain, st.sampled_from(EVIL_TEXT))


def money(currency: str, *, negative: bool = False) -> st.SearchStrategy[Decimal]:
    """Amounts in the currency's minor unit, up to 15 significant digits."""
    places = minor_unit(currency)
    low, high = (-(10**12), -1) if negative else (0, 10**12)
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-places))


def sixths(high: int = 10**9) -> st.SearchStrategy[Decimal]:
    """Quantities with 6 decimal places."""
    return st.integers(0, high).map(lambda n: Decimal(n).scaleb(-6))


@st.composite
def line_items(draw: st.DrawFn, currency: str, kind: str) -> op.LineItem:
    """One line of ``kind``, shaped as pay-rules.md §10 says."""
    places = minor_unit(currency)
    if kind == "cap":
        amount = draw(money(currency, negative=True))
        return op.LineItem("cap", None, Decimal(1), None, None, None, amount)
    category = draw(st.sampled_from(OFF_HOURS)) if kind in ("standby", "callout", "page") else None
    unit = {
        "stipend": "week",
        "standby": draw(st.sampled_from(("hour", "day"))),
        "callout": "hour",
        "page": "page",
        "interrupted_weekend": "block",
    }[kind]
    quantity = draw(st.integers(1, 5).map(Decimal) if unit in ("page", "block") else sixths())
    rate = Decimal(draw(st.integers(0, 10**9))).scaleb(-draw(st.integers(places, 6)))
    multiplier = (
        Decimal(draw(st.integers(10, 30))).scaleb(-1) if kind in ("callout", "page") else None
    )
    return op.LineItem(kind, category, quantity, unit, rate, multiplier, draw(money(currency)))


@st.composite
def statements(
    draw: st.DrawFn, volunteer_id: str, week_start: date, currency: str
) -> op.WeeklyStatement:
    """A statement whose lines add up to its total."""
    kinds = draw(
        st.lists(
            st.sampled_from(("stipend", "standby", "callout", "page", "interrupted_weekend")),
            max_size=5,
        )
    )
    if draw(st.booleans()):
        kinds.append("cap")
    lines = tuple(draw(line_items(currency, kind)) for kind in kinds)
    pages = draw(st.lists(st.text("abcdef0123456789", min_size=1, max_size=6), max_size=3))
    year, number, _ = week_start.isocalendar()
    return op.WeeklyStatement(
        volunteer_id=volunteer_id,
        week=f"{year}-W{number:02d}",
        week_start=week_start,
        currency=currency,
        rules_version=FIRST_MONDAY - timedelta(weeks=draw(st.integers(0, 100))),
        plan="default",
        lines=lines,
        hours={c: draw(sixths(168 * 10**6)) for c in CATEGORIES},
        covered={},
        page_ids=tuple(pages),
        counted_page_ids=tuple(pages[: draw(st.integers(0, len(pages)))]),
        toil_days=Decimal(draw(st.integers(0, 20))).scaleb(-1),
        total=sum((li.amount for li in lines), Decimal(0)),
    )


@st.composite
def page_outcomes(draw: st.DrawFn, volunteer_id: str) -> op.PageOutcome:
    """A page, counted or not, at a local time with some UTC offset."""
    offset = timezone(timedelta(minutes=15 * draw(st.integers(-12 * 4, 14 * 4))))
    at = datetime(2026, 1, 5, tzinfo=offset) + timedelta(seconds=draw(st.integers(0, 10**7)))
    counted = draw(st.booleans())
    year, number, _ = at.date().isocalendar()
    return op.PageOutcome(
        page_id=draw(texts()),
        volunteer_id=volunteer_id,
        at=at,
        week=f"{year}-W{number:02d}",
        week_start=at.date() - timedelta(days=at.weekday()),
        category=draw(st.sampled_from(CATEGORIES)),
        counted=counted,
        reason=None if counted else draw(st.sampled_from(("in_hours", "not_on_call"))),
        work_from=at if counted else None,
        work_to=at + timedelta(minutes=30) if counted else None,
    )


@st.composite
def reports(draw: st.DrawFn, max_volunteers: int = 4, max_weeks: int = 3) -> op.Report:
    """A report of a few volunteers over a few weeks, in several currencies."""
    ids = draw(st.lists(texts(), min_size=1, max_size=max_volunteers, unique=True))
    weeks = tuple(FIRST_MONDAY + timedelta(weeks=k) for k in range(max_weeks))
    sts: list[op.WeeklyStatement] = []
    outcomes: list[op.PageOutcome] = []
    for vid in sorted(ids):
        for week in sorted(draw(st.sets(st.sampled_from(weeks), min_size=1))):
            currency = draw(st.sampled_from(REPORT_CURRENCIES))
            sts.append(draw(statements(vid, week, currency)))
        outcomes.extend(draw(st.lists(page_outcomes(vid), max_size=2)))
    notices = draw(
        st.lists(
            st.builds(
                op.Notice, st.sampled_from(("overlap", "period_edge")), st.none() | texts(), texts()
            ),
            max_size=2,
        )
    )
    return op.Report(
        statements=tuple(sts),
        pages=tuple(sorted(outcomes, key=lambda p: (p.at, p.page_id))),
        notices=tuple(notices),
        holidays=(op.HolidayEntry("IE", None, date(2026, 1, 6), "Epiphany?", "rules file"),),
        period_start=weeks[0],
        period_end=weeks[-1] + timedelta(days=6),
        week_starts=weeks,
        policy_name=draw(texts()),
        input_counts={"volunteers": len(ids), "shifts": 0, "pages": len(outcomes)},
    )
