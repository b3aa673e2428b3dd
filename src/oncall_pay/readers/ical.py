"""iCalendar reader: an on-call feed (``.ics``) in, shifts out.

PagerDuty, Opsgenie and Grafana OnCall publish on-call schedules as
iCalendar feeds (RFC 5545): one ``VEVENT`` per shift. Recurring events
(``RRULE``, ``RDATE``, ``EXDATE``, and instances moved or cancelled with
``RECURRENCE-ID``) are expanded by ``recurring-ical-events`` in each event's
own ``TZID`` zone, so a weekly Monday 09:00 handoff stays at 09:00 local
time across a daylight-saving change.

What is refused rather than guessed: floating times (no ``TZID``, no ``Z``)
and all-day (``DATE``) events, unless a zone to read them in is given; a
``TZID`` that is neither in the tz database nor defined by a ``VTIMEZONE``
in the file; an event without an end; an event whose person matches nobody.
``X-WR-TIMEZONE`` (a non-standard calendar-wide zone) is not used to read
times: RFC 5545 says what each time means, and a floating time with such a
header is still refused unless the zone is given.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import icalendar
import recurring_ical_events  # type: ignore[import-untyped]  # ships no type hints

from .._errors import InputError, Problem
from .._model import Shift, Volunteer, iana_zone_names, zone
from ._people import NO_MATCH, People, Unmatched, fold

_PERSON_HINT = "add their email (or exact name) to the roster, or map them explicitly"
_NO_EMAILS = (
    "matches no volunteer: attendees are matched by email, and the roster has no emails; "
    "add an `email` column to the roster with each volunteer's address as the feed writes it"
)
_ZONE_HINT = "pass the zone its times are meant in (default_zone; --ics-zone on the command line)"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Expand a little beyond the window: floating times are compared with the
# window before they are given their zone, and can be off by up to a day.
_PAD = timedelta(days=2)


def read_ics(
    path: str | os.PathLike[str],
    roster: Iterable[Volunteer],
    *,
    window: tuple[datetime, datetime],
    default_zone: str | None = None,
    mapping: Mapping[str, str] | None = None,
) -> tuple[Shift, ...]:
    """Read shifts from an iCalendar on-call feed.

    Each occurrence of a ``VEVENT`` that overlaps ``window`` is one shift
    (whole, not cut at the window's edges), whose role is the calendar's
    name (``X-WR-CALNAME``) when it has one. ``STATUS:CANCELLED`` events and
    instances are ignored.

    The person on call is, in this order:

    1. each ``ATTENDEE`` (``mailto:`` email), matched by the explicit
       mapping, then the roster's ``email`` (case-insensitive); an event with
       several attendees gives each of them the shift. When an event has an
       attendee, its summary is not used.
    2. else the ``SUMMARY``: the volunteer whose mapping key, else email,
       else roster id or name appears in it as whole words, case-insensitive
       (PagerDuty's ``On Call - Alice Byrne - Primary`` matches the roster
       name ``Alice Byrne``). A summary that names two volunteers is refused.

    Args:
        path: The ``.ics`` file (UTF-8).
        roster: The volunteers people are matched to.
        window: ``(start, end)``, aware: recurring events are expanded and
            occurrences kept only within it (pass the reported weeks, or
            wider).
        default_zone: The IANA zone floating times and all-day events are
            read in (all-day events run from local midnight to local
            midnight). Without it they are errors.
        mapping: ``{email, or text found in the summary: volunteer id}``,
            which wins over every other match.

    Returns:
        The shifts, in time order.

    Raises:
        InputError: The file is not iCalendar, an event has a floating or
            all-day time without a default zone, an unknown zone, no end,
            or a person who matches nobody. Lists every problem found, each
            with the file, the line of the property and the event's UID.
        OSError: The file cannot be opened.
    """
    source = os.fspath(path)
    people = People.of(roster, mapping)
    start, end = _window(window)
    local = _default_zone(default_zone)
    text = _decode(source, Path(path).read_bytes())
    calendar = _parse(source, text)
    feed = _Feed.of(source, text, calendar)
    # Broken events are reported and left out; the others are still read, so
    # one run lists every problem of the file.
    feed.check_components()
    role = _text(calendar.get("X-WR-CALNAME"))
    unmatched = Unmatched(_PERSON_HINT)
    shifts: list[Shift] = []
    for occurrence in feed.occurrences(start - _PAD, end + _PAD):
        if str(occurrence.get("STATUS", "")).upper() == "CANCELLED":
            continue
        event = feed.event_of(occurrence)
        span = event.span(occurrence, local)
        if span is None or not (span[0] < end and span[1] > start):
            continue
        for vid in event.people(occurrence, people, unmatched):
            shift = event.build(span, vid, role)
            if shift is not None:
                shifts.append(shift)
    feed.problems.extend(unmatched.problems())
    feed.raise_problems()
    return tuple(sorted(shifts, key=lambda s: (s.start or start, s.volunteer_id)))


# --- the feed: the parsed calendar, and where each event is in the file ------------------


@attrs.define
class _Feed:
    """A parsed calendar, its events' places in the file, and the problems found."""

    source: str
    calendar: icalendar.Calendar
    events: list[_Event]
    by_uid: dict[str, list[_Event]] = attrs.field(factory=dict)
    problems: list[Problem] = attrs.field(factory=list)

    @classmethod
    def of(cls, source: str, text: str, calendar: icalendar.Calendar) -> _Feed:
        components = list(calendar.walk("VEVENT"))
        lines = _event_lines(text)
        if len(lines) != len(components):  # pragma: no cover - a parser disagreement
            lines = [{} for _ in components]
        feed = cls(source, calendar, [])
        feed.events = [_Event(feed, c, places) for c, places in zip(components, lines, strict=True)]
        for event in feed.events:
            feed.by_uid.setdefault(str(event.component.get("UID", "")), []).append(event)
        return feed

    def fail(self, line: int | None, field: str | None, message: str) -> None:
        problem = Problem(message, source=self.source, line=line, field=field)
        if problem not in self.problems:  # each occurrence of a series repeats its problems
            self.problems.append(problem)

    def raise_problems(self) -> None:
        if self.problems:
            raise InputError(self.problems)

    def check_components(self) -> None:
        """Problems the parser noted in the events themselves, before expanding them.

        The broken events are reported and taken out of the calendar: the
        expansion of recurring events cannot read them.
        """
        broken = []
        for event in self.events:
            errors = list(getattr(event.component, "errors", ()))
            for name, error in errors:
                event.fail(str(name), f"{name} cannot be read: {error}")
            if "DTSTART" not in event.component:
                event.fail("BEGIN", "no DTSTART; an on-call shift needs a start")
            elif not errors:
                continue
            broken.append(event.component)
        if broken:
            self.calendar.subcomponents = [
                c for c in self.calendar.subcomponents if all(c is not b for b in broken)
            ]

    def occurrences(self, start: datetime, end: datetime) -> Iterator[Any]:
        # CalendarQuery rather than recurring_ical_events.of(): of() rewrites
        # times by X-WR-TIMEZONE, which would read floating times in a zone
        # nobody asked for.
        try:
            query = recurring_ical_events.CalendarQuery(self.calendar)
            yield from query.between(start, end)
        except (ValueError, TypeError) as e:
            self.fail(None, None, f"the recurring events cannot be expanded: {e}")

    def event_of(self, occurrence: Any) -> _Event:
        """The event (series master or moved instance) an occurrence came from."""
        rid = occurrence.get("RECURRENCE-ID")
        rid_value = rid.dt if rid is not None else None
        master = None
        for event in self.by_uid.get(str(occurrence.get("UID", "")), ()):
            own = event.component.get("RECURRENCE-ID")
            if own is None:
                master = master or event
            elif rid_value is not None and own.dt == rid_value:
                return event
        return master or _Event(self, occurrence, {})


@attrs.define
class _Event:
    """One ``VEVENT`` of the file, with the line of each of its properties."""

    feed: _Feed
    component: Any
    lines: dict[str, int]

    @property
    def uid(self) -> str:
        return str(self.component.get("UID", "")) or "(no UID)"

    def fail(self, field: str, message: str) -> None:
        line = self.lines.get(field.upper(), self.lines.get("BEGIN"))
        self.feed.fail(line, field, f"event {self.uid}: {message}")

    def span(self, occurrence: Any, local: ZoneInfo | None) -> tuple[datetime, datetime] | None:
        """The occurrence's start and end as aware datetimes, or ``None`` if reported."""
        # Without DTEND or DURATION an all-day event lasts its day (RFC 5545)
        # but a timed one lasts no time at all: a shift needs an end.
        endless = "DTEND" not in self.component and "DURATION" not in self.component
        if endless and isinstance(occurrence.get("DTSTART").dt, datetime):
            self.fail("DTSTART", "neither DTEND nor DURATION; an on-call shift needs an end")
            return None
        first, last = _bounds(occurrence)
        start = self._aware("DTSTART", first, local)
        if start is None:
            return None  # one problem per event is enough
        end_field = "DTEND" if "DTEND" in self.component else "DURATION"
        end = self._aware(end_field, last, local)
        if end is None:
            return None
        if end <= start:
            self.fail(
                end_field, f"the end {end.isoformat()} is not after the start {start.isoformat()}"
            )
            return None
        return start, end

    def _aware(self, field: str, value: date | datetime, local: ZoneInfo | None) -> datetime | None:
        if not isinstance(value, datetime):
            if local is None:
                self.fail(
                    field,
                    f"an all-day event ({value.isoformat()}); an on-call shift needs times, "
                    f"or a zone to read its days in: {_ZONE_HINT}",
                )
                return None
            return datetime.combine(value, time(0), tzinfo=local)
        if value.utcoffset() is not None:
            key = getattr(value.tzinfo, "key", None)
            if isinstance(value.tzinfo, ZoneInfo) and key not in iana_zone_names():
                tzid = getattr(self.component.get(field), "params", {}).get("TZID", key)
                self.fail(
                    field,
                    f"TZID {tzid} is read as {key!r}, the zone of the computer running "
                    "oncall-pay, so pay would depend on it; name an IANA zone such as "
                    "Europe/Dublin or define the TZID with a VTIMEZONE in the file",
                )
                return None
            return value
        # Occurrences drop the TZID parameter, so look at the event as written:
        # icalendar leaves a time naive when it does not know its TZID.
        prop = self.component.get(field)
        tzid = getattr(prop, "params", {}).get("TZID")
        if tzid:
            self.fail(
                field,
                f"TZID {tzid} is not a time zone: it is neither in the tz database nor "
                "defined by a VTIMEZONE in the file",
            )
            return None
        if local is None:
            declared = _text(self.feed.calendar.get("X-WR-TIMEZONE"))
            said = f" (the calendar says X-WR-TIMEZONE:{declared})" if declared else ""
            self.fail(
                field,
                f"{value.isoformat()} is a floating time, with no zone{said}; {_ZONE_HINT}",
            )
            return None
        return value.replace(tzinfo=local)  # fold=0, as for every local boundary

    def people(self, occurrence: Any, people: People, unmatched: Unmatched) -> list[str]:
        """The volunteers the occurrence is a shift of; the unmatched are recorded."""
        line = self.lines.get("ATTENDEE") or self.lines.get("BEGIN")
        listed = _addresses(occurrence.get("ATTENDEE"))
        # Google Calendar lists the organiser (the calendar's owner) among the
        # guests of every event they create: they are not on call for it.
        organiser = _addresses(occurrence.get("ORGANIZER"))
        listed = [a for a in listed if fold(a) not in {fold(o) for o in organiser}]
        if listed:
            found = []
            for address in listed:
                vid = people.mapped(address) or people.email(address)
                if vid is None:
                    unmatched.add(
                        f"attendee {fold(address)}",
                        f"attendee {address}",
                        self.feed.source,
                        line=line,
                        field="ATTENDEE",
                        why=_NO_EMAILS if not people.by_email else NO_MATCH,
                    )
                else:
                    found.append(vid)
            # An event is a shift of all its attendees, or of nobody until all match.
            return sorted(set(found)) if len(found) == len(listed) else []
        summary = _text(occurrence.get("SUMMARY"))
        line = self.lines.get("SUMMARY") or self.lines.get("BEGIN")
        if summary is None:
            self.fail("SUMMARY", "neither ATTENDEE nor SUMMARY, so it names nobody")
            return []
        vids = (
            people.mapped_in(summary)
            or tuple(sorted({v for e in _EMAIL.findall(summary) if (v := people.email(e))}))
            or people.named_in(summary)
        )
        if len(vids) == 1:
            return [vids[0]]
        why = "matches no volunteer in the roster"
        if vids:
            why = f"names several volunteers ({', '.join(vids)}) and cannot be told apart"
        unmatched.add(
            f"summary {fold(summary)}",
            f"summary {summary!r}",
            self.feed.source,
            line=line,
            field="SUMMARY",
            why=why,
        )
        return []

    def build(self, span: tuple[datetime, datetime], vid: str, role: str | None) -> Shift | None:
        try:
            return Shift(volunteer_id=vid, start=span[0], end=span[1], role=role)
        except InputError as e:
            for problem in e.problems:
                self.fail(problem.field or "DTSTART", problem.message)
            return None


def _addresses(value: Any) -> list[str]:
    """The addresses of an ATTENDEE or ORGANIZER value (one or a list), without ``mailto:``."""
    if value is None:
        return []
    listed = value if isinstance(value, list) else [value]
    found = (re.sub(r"(?i)^mailto:", "", str(item)).strip() for item in listed)
    return [address for address in found if address]


def _bounds(occurrence: Any) -> tuple[date | datetime, date | datetime]:
    """An occurrence's start and end as written (dates, naive or aware datetimes)."""
    first: date | datetime = occurrence["DTSTART"].dt
    if "DTEND" in occurrence:
        return first, occurrence["DTEND"].dt
    if "DURATION" in occurrence:
        return first, first + occurrence["DURATION"].dt
    # RFC 5545: an all-day event without an end lasts its day.
    return first, first if isinstance(first, datetime) else first + timedelta(days=1)


def _event_lines(text: str) -> list[dict[str, int]]:
    """For each top-level VEVENT in file order: the line of BEGIN and of each property."""
    events: list[dict[str, int]] = []
    current: dict[str, int] | None = None
    nested = 0
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        if not raw.strip() or raw[0] in " \t":
            continue  # blank, or the continuation of a folded line
        name, _, value = raw.partition(":")
        name = re.split(r"[;]", name, maxsplit=1)[0].strip().upper()
        value = value.strip().upper()
        if current is None:
            if name == "BEGIN" and value == "VEVENT":
                current, nested = {"BEGIN": number}, 0
        elif name == "BEGIN":
            nested += 1  # a VALARM inside the event: its properties are not the event's
        elif name == "END":
            if nested:
                nested -= 1
            else:
                events.append(current)
                current = None
        elif not nested:
            current.setdefault(name, number)
    return events


def _window(window: tuple[datetime, datetime]) -> tuple[datetime, datetime]:
    start, end = window
    for name, value in (("window start", start), ("window end", end)):
        if not isinstance(value, datetime) or value.utcoffset() is None:
            msg = f"{value!r} has no UTC offset; the window must be aware datetimes"
            raise InputError(Problem(msg, field=name))
    if end <= start:
        msg = f"{end.isoformat()} is not after the window start {start.isoformat()}"
        raise InputError(Problem(msg, field="window end"))
    return start, end


def _default_zone(name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return zone(name)
    except InputError as e:
        raise InputError(Problem(e.message, field="default_zone")) from None


def _decode(source: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        msg = f"not UTF-8: byte 0x{data[e.start]:02X} cannot be decoded (iCalendar files are UTF-8)"
        raise InputError(Problem(msg, source=source)) from None


def _parse(source: str, text: str) -> icalendar.Calendar:
    try:
        with warnings.catch_warnings():
            # A globally unique TZID ("/mozilla.org/…/Europe/Dublin") is read
            # by its last part with a warning; the zone it lands on is checked
            # per time (_Event._aware), so the warning is no news to finance.
            warnings.filterwarnings("ignore", message=".*globally unique TZID")
            calendar = icalendar.Calendar.from_ical(text)
    except ValueError as e:
        msg = f"not an iCalendar file ({e}); expected BEGIN:VCALENDAR … END:VCALENDAR"
        raise InputError(Problem(msg, source=source)) from None
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        msg = "not an iCalendar file; expected BEGIN:VCALENDAR … END:VCALENDAR"
        raise InputError(Problem(msg, source=source))
    return calendar


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
