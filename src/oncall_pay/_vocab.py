"""The closed vocabularies of a report, and their human labels.

Every word the engine writes into a report (a time category, a line kind, a
unit, why a page did not count, a notice kind) is one of the values of an
``enum.StrEnum`` here. Members are ``str``: they compare equal to their
value, hash like it, and serialise to it, so ``Report.to_json()`` and every
``== "weekend"`` elsewhere are unchanged. The report's fields stay typed
``str``, and the engine keeps time categories as their plain values where
it stores them per day and per statement (see ``_engine._CATEGORY_NAMES``):
a member is an object the garbage collector tracks, and a large run holds
hundreds of thousands of those keys.

``LABELS`` is the one table of human wording for them; ``CATEGORY_PROSE``,
``CATEGORY_PLURAL``, ``KIND_COLUMN``, ``HOURS_HEADERS`` and ``MONEY_HEADERS``
are views of it that reproduce, word for word, the wording the explanation,
the rules comparison and the workbook use.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import attrs

__all__ = [
    "CATEGORIES",
    "CATEGORY_PLURAL",
    "CATEGORY_PROSE",
    "HOURS_HEADERS",
    "KIND_COLUMN",
    "LABELS",
    "LINE_KINDS",
    "MONEY_HEADERS",
    "OFF_HOURS",
    "Category",
    "DayKind",
    "Label",
    "LineKind",
    "NoticeKind",
    "PageReason",
    "Unit",
    "label",
]


class Category(enum.StrEnum):
    """The five kinds of time (docs/how-pay-is-computed.md#days-and-the-kinds-of-time).

    ``night`` is only ever found where the rules set a night band
    (``calendar.night_hours``); without one a statement's night hours are 0.
    """

    IN_HOURS = "in_hours"
    WORKDAY_OFF_HOURS = "workday_off_hours"
    NIGHT = "night"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"


class DayKind(enum.StrEnum):
    """What a local date is, before it is cut into categories."""

    HOLIDAY = "holiday"
    WEEKEND = "weekend"
    WORKDAY = "workday"


class LineKind(enum.StrEnum):
    """The lines of a weekly statement, in the order they are written
    (docs/how-pay-is-computed.md#the-lines-of-a-weekly-statement)."""

    STIPEND = "stipend"
    STANDBY = "standby"
    CALLOUT = "callout"
    PAGE = "page"
    INTERRUPTED_WEEKEND = "interrupted_weekend"
    CAP = "cap"


class Unit(enum.StrEnum):
    """What a line's quantity counts (a cap line has none)."""

    WEEK = "week"
    HOUR = "hour"
    DAY = "day"
    PAGE = "page"
    BLOCK = "block"


class PageReason(enum.StrEnum):
    """Why a page did not count (docs/how-pay-is-computed.md#which-pages-count)."""

    NOT_ON_CALL = "not_on_call"
    IN_HOURS = "in_hours"
    OUTSIDE_PERIOD = "outside_period"
    URGENCY = "urgency"


class NoticeKind(enum.StrEnum):
    """What a notice is about."""

    OVERLAP = "overlap"
    PERIOD_EDGE = "period_edge"
    SUBDIVISION = "subdivision"
    PERIOD = "period"
    OUTSIDE_PERIOD = "outside_period"
    REST = "rest"
    STREAK = "streak"
    # About the input files, found while reading them (docs/inputs.md).
    NOT_A_VOLUNTEER = "not_a_volunteer"
    CUT_AT_SAVED_WINDOW = "cut_at_saved_window"
    URGENCY_UNKNOWN = "urgency_unknown"
    # About the pay-run ledger (docs/ledger.md#arrears).
    NOT_RECHECKED = "not_rechecked"


#: The time categories, in the order they are reported.
CATEGORIES: Final = tuple(Category)
#: The categories that are paid.
OFF_HOURS: Final = (
    Category.WORKDAY_OFF_HOURS, Category.NIGHT, Category.WEEKEND, Category.HOLIDAY
)  # fmt: skip
#: The line kinds, in statement order.
LINE_KINDS: Final = tuple(LineKind)


@attrs.frozen
class Label:
    """The human wording of one vocabulary member.

    Attributes:
        title: A short label, capitalised ("Workday off-hours").
        prose: Inside a sentence, singular ("workday evenings and nights").
        plural: Inside a sentence about rules, plural ("public holidays").
        column: A workbook column header ("Workday off-hours h", "Page fees").
    """

    title: str
    prose: str | None = None
    plural: str | None = None
    column: str | None = None


#: The one table of human labels: per vocabulary, per member. Keyed by the
#: vocabulary first because members of different vocabularies may share a
#: value (``Category.IN_HOURS`` and ``PageReason.IN_HOURS`` are both
#: ``"in_hours"``, and equal as strings).
LABELS: Final[Mapping[type[enum.StrEnum], Mapping[str, Label]]] = MappingProxyType({
    Category: MappingProxyType({
        Category.IN_HOURS: Label("In hours", "in working hours", None, "In-hours h"),
        Category.WORKDAY_OFF_HOURS: Label(
            "Workday off-hours", "workday evenings and nights",
            "workday evenings and nights", "Workday off-hours h",
        ),
        Category.NIGHT: Label("Night", "workday night", "workday nights", "Night h"),
        Category.WEEKEND: Label("Weekend", "weekend", "weekends", "Weekend h"),
        Category.HOLIDAY: Label("Holiday", "public holiday", "public holidays", "Holiday h"),
    }),
    DayKind: MappingProxyType({
        DayKind.HOLIDAY: Label("Holiday"),
        DayKind.WEEKEND: Label("Weekend"),
        DayKind.WORKDAY: Label("Workday"),
    }),
    LineKind: MappingProxyType({
        LineKind.STIPEND: Label("Stipend", column="Stipend"),
        LineKind.STANDBY: Label("Standby", column="Standby"),
        LineKind.CALLOUT: Label("Callout", column="Callout"),
        LineKind.PAGE: Label("Page fee", column="Page fees"),
        LineKind.INTERRUPTED_WEEKEND: Label("Interrupted weekend", column="Weekend bonus"),
        LineKind.CAP: Label("Weekly cap", column="Cap adjustment"),
    }),
    Unit: MappingProxyType({
        Unit.WEEK: Label("Week"),
        Unit.HOUR: Label("Hour"),
        Unit.DAY: Label("Day"),
        Unit.PAGE: Label("Page"),
        Unit.BLOCK: Label("Rest block"),
    }),
    PageReason: MappingProxyType({
        PageReason.NOT_ON_CALL: Label("Not on call"),
        PageReason.IN_HOURS: Label("In working hours"),
        PageReason.OUTSIDE_PERIOD: Label("Outside the period"),
        PageReason.URGENCY: Label("Urgency not paid"),
    }),
    NoticeKind: MappingProxyType({
        NoticeKind.OVERLAP: Label("Overlapping shifts"),
        NoticeKind.PERIOD_EDGE: Label("Rest block across the period edge"),
        NoticeKind.SUBDIVISION: Label("No subdivision"),
        NoticeKind.PERIOD: Label("No pay week in the period"),
        NoticeKind.OUTSIDE_PERIOD: Label("Shifts outside the reported weeks"),
        NoticeKind.REST: Label("Too little rest"),
        NoticeKind.STREAK: Label("Too many days in a row"),
        NoticeKind.NOT_A_VOLUNTEER: Label("Not a volunteer, not paid"),
        NoticeKind.CUT_AT_SAVED_WINDOW: Label("Schedule cut where it was saved"),
        NoticeKind.NOT_RECHECKED: Label("Paid before, not in the roster now"),
        NoticeKind.URGENCY_UNKNOWN: Label("Urgency unknown"),
    }),
})  # fmt: skip


def label(member: enum.StrEnum) -> Label:
    """The human wording of one member (``label(LineKind.CAP).title``)."""
    return LABELS[type(member)][member]


def _view(members: tuple[enum.StrEnum, ...], field: str) -> Mapping[str, str]:
    out: dict[str, str] = {}
    for member in members:
        text = getattr(label(member), field)
        if text is not None:
            out[member.value] = text
    return MappingProxyType(out)


#: Categories in a sentence: ``_explain._CATEGORY_WORDS``.
CATEGORY_PROSE: Final = _view(CATEGORIES, "prose")
#: Off-hours categories in a sentence about rules: ``_compare._CATEGORY_WORDS``.
CATEGORY_PLURAL: Final = _view(CATEGORIES, "plural")
#: Which Summary/Weekly money column each line kind is added to.
KIND_COLUMN: Final = _view(LINE_KINDS, "column")
#: Weekly's hours columns, by time category.
HOURS_HEADERS: Final = _view(CATEGORIES, "column")
#: The money columns of Summary and Weekly, in the order they add up to Total.
MONEY_HEADERS: Final = tuple(KIND_COLUMN.values())
