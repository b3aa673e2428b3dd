"""PagerDuty readers: files saved from PagerDuty's REST API in, shifts and pages out.

These readers make no network calls: ``oncall-pay fetch pagerduty``
(``oncall_pay.fetch``) or finance by hand saves the API's JSON responses to
files, and these readers turn them into domain values.

- ``read_pagerduty_oncalls``: ``GET /oncalls`` results, one or several pages.
- ``read_pagerduty_schedule``: ``GET /schedules/{id}`` (its final schedule).
- ``read_pagerduty_log_entries``: ``GET /log_entries`` (who was notified when).
- ``read_pagerduty_incidents_csv``: the incidents CSV export.

People are matched to the roster by an explicit mapping, then the roster's
``pagerduty_id``, then ``email`` (when the export carries the user's email,
e.g. saved with ``include[]=users``), then, as a last resort, by display name
when exactly one volunteer has it. Everyone who matches nobody is listed in
one ``InputError``, each with every file and JSON path (or CSV line) where
they appear. Every other bad value is reported with its file and JSON path
(or CSV line and column), all at once.
"""

from __future__ import annotations

import enum
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Literal, TypeAlias, TypeGuard

import attrs

from .._errors import InputError, Problem
from .._model import Page, Shift, Volunteer, plain_shift, zone
from .._notice import Notice
from .._vocab import NoticeKind
from ._json import load_json
from ._notes import Notes
from ._people import People, Unmatched
from .csv import _Row, _Table

#: A file to read, or the JSON text itself (a string starting with ``{`` or ``[``).
Source: TypeAlias = "str | os.PathLike[str]"

#: What to do with people PagerDuty escalated to who are not in the roster
#: (managers): list them in a ``not_a_volunteer`` notice, or fail.
NonVolunteers: TypeAlias = Literal["notice", "fail"]
NON_VOLUNTEERS: tuple[NonVolunteers, ...] = ("notice", "fail")

_USER_HINT = (
    "add their PagerDuty id to the roster's pagerduty_id column "
    "(or their email to its email column), or map them explicitly"
)
_DATETIME_FORM = "2026-11-21T02:10:00Z or 2026-11-21T02:10:00+01:00"


# --- public readers ----------------------------------------------------------------


def read_pagerduty_oncalls(
    paths_or_texts: Source | Iterable[Source],
    roster: Iterable[Volunteer],
    *,
    levels: Iterable[int] = (1,),
    clip: tuple[datetime, datetime] | None = None,
    mapping: Mapping[str, str] | None = None,
    notices: list[Notice] | None = None,
    non_volunteers: NonVolunteers = "notice",
) -> tuple[Shift, ...]:
    """Read shifts from saved ``GET /oncalls`` results.

    Each on-call entry ``{user, schedule, escalation_policy,
    escalation_level, start, end}`` of an escalation level asked for becomes
    one shift whose role is ``"level N"``. Entries of other levels are
    skipped without matching their people. An entry with a ``null`` start or
    end is a permanent member of an escalation rule (usually a manager): it
    is read only when its level is asked for, and its open ends are clipped
    to ``clip`` (left open when ``clip`` is ``None``; the engine then clips
    them to the reported weeks). Entries that are exactly the same (user,
    start, end, level), as overlapping pages of results or several
    escalation policies sharing a schedule give, are read once.

    A permanent member who is in no roster (a manager on level 2, say, when
    level 2 is asked for) is not a volunteer: with ``notices`` given and
    ``non_volunteers="notice"``, their entries are left out and listed in a
    ``not_a_volunteer`` notice. Anyone else who matches nobody is an error.

    Args:
        paths_or_texts: One file (or JSON text) or several, each holding one
            page of results ``{oncalls: [...], limit, offset, more, total}``,
            a JSON array of such pages, or a JSON array of on-call entries.
        roster: The volunteers people are matched to.
        levels: The escalation levels to pay; by default level 1 only.
        clip: ``(start, end)``, aware: the window permanent members' open
            ends are clipped to (pass the reported weeks).
        mapping: ``{PagerDuty user id or email: volunteer id}``, which wins
            over every other match.
        notices: A list the reader appends its notices to; without it,
            permanent members outside the roster are errors.
        non_volunteers: ``"fail"`` makes permanent members outside the
            roster errors even when ``notices`` is given.

    Returns:
        The shifts, in the order read.

    Raises:
        InputError: A file is not JSON of that shape, a value is bad, the
            pages of results have a gap (a page says ``more`` but the next
            offset is missing), or people match no volunteer. Lists every
            problem found.
        OSError: A file cannot be opened.
    """
    people = People.of(roster, mapping)
    mode = _mode(non_volunteers)
    wanted = _levels(levels)
    window = _window(clip)
    docs, unreadable = _load_all(paths_or_texts)
    problems = list(unreadable)
    unmatched = Unmatched(_USER_HINT)
    shifts: list[Shift] = []
    seen: set[tuple[str, datetime | None, datetime | None, str]] = set()
    pages: list[_PageInfo] = []
    # Unmatched people by whether they appear only as permanent members.
    permanent: dict[str, set[int]] = {}
    scheduled: set[str] = set()
    for doc in docs:
        for path, entry in doc.items("oncalls", "GET /oncalls results", pages):
            level = doc.integer(entry, "escalation_level", path)
            if level is None or level not in wanted:
                continue
            start = doc.instant(entry, "start", path, nullable=True)
            end = doc.instant(entry, "end", path, nullable=True)
            user = doc.person(entry, "user", path, people, unmatched)
            if user is None and (uid := _user_id(entry)) is not None:
                if start is None or end is None:
                    permanent.setdefault(uid, set()).add(level)
                else:
                    scheduled.add(uid)
            if isinstance(start, _Bad) or isinstance(end, _Bad) or user is None:
                continue
            vid = user[0]
            if window is not None and (start is None or end is None):
                start = window[0] if start is None else start
                end = window[1] if end is None else end
                if end <= start:
                    continue  # a permanent member's span that ends before the window
            role = f"level {level}"
            shift = doc.build(f"{path}.end", Shift, vid, start, end, role)
            key = (vid, start, end, role)
            if shift is not None and key not in seen:
                seen.add(key)
                shifts.append(shift)
        problems.extend(doc.problems)
    if not unreadable:  # a page that is not JSON is not a missing page
        problems.extend(_gaps(pages))
    if mode == "notice" and notices is not None:
        for uid, on_levels in permanent.items():
            if uid in scheduled or (taken := unmatched.take(uid)) is None:
                continue
            listed = ", ".join(map(str, sorted(on_levels)))
            notices.append(
                _not_a_volunteer(
                    taken,
                    f"PagerDuty lists them as a permanent member (no start or end) of "
                    f"escalation level {listed}",
                )
            )
    problems.extend(unmatched.problems())
    if problems:
        raise InputError(problems)
    return tuple(shifts)


def read_pagerduty_schedule(
    paths_or_texts: Source | Iterable[Source],
    roster: Iterable[Volunteer],
    *,
    mapping: Mapping[str, str] | None = None,
    pay_weeks: tuple[date, date] | None = None,
    notices: list[Notice] | None = None,
) -> tuple[Shift, ...]:
    """Read shifts from saved ``GET /schedules/{id}`` responses.

    The final schedule (``final_schedule.rendered_schedule_entries``) is
    read: it is the layers with overrides applied, so an override splits the
    shift it falls in. Each entry ``{start, end, user}`` becomes one shift
    whose role is the schedule's name. A response may be saved whole
    (``{"schedule": {...}}``, as the API sends it) or as the schedule object
    alone (as the ``pdpyras`` client's ``rget()`` returns it). Save the
    schedule with ``overflow=true`` and ``since`` and ``until`` spanning the
    reported weeks, a day more either side.

    PagerDuty cuts entries at ``since`` and ``until`` unless asked for
    ``overflow=true``. Given ``pay_weeks``, an entry that starts at its
    file's first start, or ends at its last end, while its volunteer's local
    pay weeks go on past that instant, and no other file given with it
    carries that volunteer's cover on, is reported: a
    ``cut_at_saved_window`` notice, or, without ``notices``, an error. (So
    one schedule saved month by month, each month cut at its edges, reads
    whole when the months are given together.)

    Args:
        paths_or_texts: One file (or the JSON text itself), or several,
            read together.
        roster: The volunteers people are matched to.
        mapping: ``{PagerDuty user id or email: volunteer id}``, which wins
            over every other match.
        pay_weeks: ``(first, after)``: the first date of the first reported
            pay week and the first date after the last one, read as local
            midnights in each volunteer's zone.
        notices: A list the reader appends its notices to.

    Returns:
        The shifts, file by file in schedule order.

    Raises:
        InputError: A file is not JSON or not a schedule response, a value
            is bad, people match no volunteer, or (``pay_weeks`` given, no
            ``notices``) an entry is cut inside a pay week. Lists every
            problem of every file.
        OSError: A file cannot be opened.
    """
    roster = tuple(roster)
    people = People.of(roster, mapping)
    unmatched = Unmatched(_USER_HINT)
    docs, problems = _load_all(paths_or_texts)
    files = [_schedule_entries(doc, people, unmatched) for doc in docs]
    notes = Notes(notices)
    if pay_weeks is not None:
        zones = {v.id: v.timezone for v in roster}
        by_volunteer: dict[str, list[tuple[int, Shift]]] = {}
        for index, read in enumerate(files):
            for _, shift in read:
                by_volunteer.setdefault(shift.volunteer_id, []).append((index, shift))
        for index, (doc, read) in enumerate(zip(docs, files, strict=True)):
            _cut_entries(doc, read, index, by_volunteer, zones, pay_weeks, notes)
    problems.extend(p for doc in docs for p in doc.problems)
    problems.extend([*unmatched.problems(), *notes.problems])
    if problems:
        raise InputError(problems)
    # The same entry in two files (months saved with overflow=true both hold
    # the week across their boundary) is one shift.
    return tuple(dict.fromkeys(shift for read in files for _, shift in read))


def _schedule_entries(
    doc: _Json, people: People, unmatched: Unmatched
) -> list[tuple[int, Shift]]:
    """The shifts of one saved schedule, each with its index in the
    entries (whose JSON path is left in ``doc.entries_path``)."""
    read: list[tuple[int, Shift]] = []
    schedule, prefix = doc.data, ""
    if isinstance(schedule, dict) and "schedule" in schedule:
        schedule, prefix = schedule["schedule"], "schedule"
    elif not (isinstance(schedule, dict) and "final_schedule" in schedule):
        doc.fail(
            "",
            'expected a GET /schedules/{id} response: {"schedule": {...}}, or the schedule '
            f"object itself with its final_schedule; got {_shown(schedule)}",
        )
        return read
    final = doc.member(schedule, "final_schedule", prefix, "the rendered final schedule")
    base = doc.entries_path = _join(prefix, "final_schedule.rendered_schedule_entries")
    entries = doc.member(
        final, "rendered_schedule_entries", _join(prefix, "final_schedule"), "a list"
    )
    role = None
    if isinstance(schedule, dict):
        name = schedule.get("name") or schedule.get("summary")
        role = name if isinstance(name, str) and name.strip() else None
    matched = doc.matched
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        shift = _plain_entry(entry, matched, people, role)
        if shift is not None:
            read.append((index, shift))
            continue
        where = f"{base}[{index}]"
        if not isinstance(entry, dict):
            doc.fail(where, f"expected an entry {{start, end, user}}, got {_shown(entry)}")
            continue
        start = doc.instant(entry, "start", where, nullable=False)
        end = doc.instant(entry, "end", where, nullable=False)
        user = doc.person(entry, "user", where, people, unmatched)
        if isinstance(start, datetime) and isinstance(end, datetime) and user is not None:
            shift = doc.build(f"{where}.end", Shift, user[0], start, end, role)
            if shift is not None:
                read.append((index, shift))
    if entries is not None and not isinstance(entries, list):
        doc.fail(base, f"expected a list of entries, got {_shown(entries)}")
    return read


def _plain_entry(
    entry: object,
    matched: dict[tuple[object, ...], tuple[str, str]],
    people: People,
    role: str | None,
) -> Shift | None:
    """The shift of a well-formed entry whose user was matched before (or
    is matched now by their PagerDuty id), or ``None`` to read it the long
    way (which reports what is wrong).

    Most entries are such: a schedule names its few people again and
    again, and this skips spelling out each entry's place.
    """
    if type(entry) is not dict:
        return None
    start, end, user = entry.get("start"), entry.get("end"), entry.get("user")
    if type(start) is not str or type(end) is not str or type(user) is not dict:
        return None
    seen_as = (user.get("id"), user.get("email"), user.get("name"), user.get("summary"))
    try:
        found = matched.get(seen_as)
    except TypeError:  # a list or object where text belongs: the long way says so
        return None
    if found is None:
        # Seen first: matched at once where the roster knows their
        # PagerDuty id and no mapping comes first (``People.pagerduty``).
        user_id = seen_as[0]
        if people.mapping or type(user_id) is not str or not user_id:
            return None
        if not all(value is None or type(value) is str for value in seen_as):
            return None
        volunteer_id = people.by_pagerduty_id.get(user_id)
        if volunteer_id is None:
            return None
        found = matched[seen_as] = (volunteer_id, user_id)
    try:
        return plain_shift(found[0], _parse_instant(start), _parse_instant(end), role)
    except ValueError:
        return None


def read_pagerduty_log_entries(
    paths_or_texts: Source | Iterable[Source],
    roster: Iterable[Volunteer],
    *,
    mapping: Mapping[str, str] | None = None,
    notices: list[Notice] | None = None,
    non_volunteers: NonVolunteers = "notice",
) -> tuple[Page, ...]:
    """Read pages from saved ``GET /log_entries`` results.

    A ``notify_log_entry`` is the moment PagerDuty actually notified a
    person. PagerDuty notifies the same person several times for one
    incident (one entry per contact method and notification rule: a push,
    then an SMS, then a phone call; again after an escalation loop), but it
    is one interruption of one person: each (incident, volunteer) is **one
    page**, at the first notification. Its id is ``"{incident id}/{user
    id}"`` (the incidents CSV reader gives the same id, so reading the same
    incident from both sources is caught as a duplicate page). Its
    ``resolved_at`` is the time of the incident's ``resolve_log_entry``
    (absent: still open when saved, so no resolved time); urgency and title
    come from the incident when it is included (``include[]=incidents``),
    else the title is the incident reference's summary. Other entry types
    are ignored.

    A person who is in no roster and was notified about each of their
    incidents only after someone else (an escalation, usually to a manager)
    is not a volunteer: with ``notices`` given and
    ``non_volunteers="notice"``, their notifications are left out and listed
    in a ``not_a_volunteer`` notice. Anyone else who matches nobody is an
    error. Files holding incidents but no notification at all (saved with
    ``is_overview=true``, which leaves notifications out) are an error;
    incidents saved without ``include[]=incidents`` give pages of unknown
    urgency and an ``urgency_unknown`` notice.

    Args:
        paths_or_texts: One file (or JSON text) or several pages of results
            ``{log_entries: [...], limit, offset, more, total}``, a JSON
            array of such pages, or a JSON array of log entries. All are
            read together, so a resolve on another page still counts.
        roster: The volunteers people are matched to.
        mapping: ``{PagerDuty user id or email: volunteer id}``, which wins
            over every other match.
        notices: A list the reader appends its notices to; without it,
            people escalated to outside the roster are errors.
        non_volunteers: ``"fail"`` makes people escalated to outside the
            roster errors even when ``notices`` is given.

    Returns:
        The pages, in time order.

    Raises:
        InputError: A file is not JSON of that shape, a value is bad, the
            pages of results have a gap, the files hold incidents but no
            notification, or people match no volunteer. Lists every
            problem found.
        OSError: A file cannot be opened.
    """
    people = People.of(roster, mapping)
    mode = _mode(non_volunteers)
    docs, unreadable = _load_all(paths_or_texts)
    unmatched = Unmatched(_USER_HINT)
    pages_info: list[_PageInfo] = []
    resolved: dict[str, datetime] = {}
    incidents: dict[str, _Incident] = {}
    notified: list[_Notified] = []
    # Every notification, of volunteers or not: (incident, user id) -> first time.
    first_told: dict[tuple[str, str], datetime] = {}
    kinds: dict[str, int] = {}
    for doc in docs:
        for path, entry in doc.items("log_entries", "GET /log_entries results", pages_info):
            kind = entry.get("type")
            if isinstance(kind, str):
                kinds[kind] = kinds.get(kind, 0) + 1
            if kind not in ("notify_log_entry", "resolve_log_entry"):
                continue
            at = doc.instant(entry, "created_at", path, nullable=False)
            incident = doc.incident(entry, path, incidents)
            if kind == "resolve_log_entry":
                if isinstance(at, datetime) and incident is not None:
                    earlier = resolved.get(incident)
                    resolved[incident] = at if earlier is None else min(at, earlier)
                continue
            user = doc.person(entry, "user", path, people, unmatched)
            uid = user[1] if user is not None else _user_id(entry)
            if isinstance(at, datetime) and incident is not None and uid is not None:
                known = first_told.get((incident, uid))
                first_told[(incident, uid)] = at if known is None else min(at, known)
            if isinstance(at, datetime) and incident is not None and user is not None:
                notified.append(_Notified(at, incident, user[0], user[1], doc, path))
    pages: list[Page] = []
    paged: set[tuple[str, str]] = set()
    # The API lists the newest entries first; the first notification is the page.
    for n in sorted(notified, key=lambda n: n.at):
        if (n.incident, n.volunteer_id) in paged:
            continue  # a later notification of the same person: the same page
        paged.add((n.incident, n.volunteer_id))
        info = incidents.get(n.incident, _Incident())
        page = n.doc.build(
            f"{n.path}.created_at",
            Page,
            f"{n.incident}/{n.user_id}",
            n.volunteer_id,
            n.at,
            resolved.get(n.incident),
            None,
            info.urgency,
            info.title,
        )
        if page is not None:
            pages.append(page)
    problems = [*unreadable, *(p for doc in docs for p in doc.problems)]
    if not unreadable:  # a page that is not JSON is not a missing page
        problems.extend(_gaps(pages_info))
    problems.extend(_overview(docs, kinds))
    if mode == "notice" and notices is not None:
        for uid, escalated in _escalated_only(first_told, unmatched.keys()).items():
            taken = unmatched.take(uid)
            if taken is not None:
                listed = ", ".join(escalated[:5]) + (", …" if len(escalated) > 5 else "")
                notices.append(
                    _not_a_volunteer(
                        taken,
                        f"PagerDuty notified them about {len(escalated)} incident(s) "
                        f"({listed}), each only after someone else: an escalation",
                    )
                )
    problems.extend(unmatched.problems())
    if problems:
        raise InputError(problems)
    unknown = [page for page in pages if page.urgency is None]
    if unknown and notices is not None:
        files = ", ".join(dict.fromkeys(doc.source for doc in docs))
        notices.append(
            Notice(
                NoticeKind.URGENCY_UNKNOWN,
                None,
                f"{files}: the urgency of {len(unknown)} page(s) is not in the file (the "
                "incidents are references only: saved without include[]=incidents); they are "
                "priced as of unknown urgency, which rules that pay only some urgencies do "
                "not pay",
            )
        )
    return tuple(pages)


def _escalated_only(
    first_told: Mapping[tuple[str, str], datetime], users: Iterable[str]
) -> dict[str, list[str]]:
    """Of ``users``, those notified about every one of their incidents only
    after someone else was: each with those incidents."""
    first: dict[str, datetime] = {}
    for (incident, _), at in first_told.items():
        first[incident] = min(at, first.get(incident, at))
    wanted = set(users)
    direct: set[str] = set()
    escalated: dict[str, list[str]] = {}
    for (incident, uid), at in first_told.items():
        if uid not in wanted:
            continue
        if at <= first[incident]:
            direct.add(uid)  # paged first (or at once with the first): on the rota
        else:
            escalated.setdefault(uid, []).append(incident)
    return {uid: sorted(found) for uid, found in escalated.items() if uid not in direct}


def _overview(docs: list[_Json], kinds: Mapping[str, int]) -> list[Problem]:
    """Incidents but no notification at all: an overview, which says nothing of who was paged."""
    if kinds.get("notify_log_entry") or not kinds.get("trigger_log_entry"):
        return []
    found = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    msg = (
        f"holds log entries of incidents ({found}) but no notify_log_entry, so it cannot say "
        "who was paged: PagerDuty leaves notifications out of the overview. Save the log "
        "entries again with is_overview=false and include[]=incidents"
    )
    return [Problem(msg, source=docs[0].source, field="log_entries")]


def read_pagerduty_incidents_csv(
    path: str | os.PathLike[str],
    roster: Iterable[Volunteer],
    *,
    mapping: Mapping[str, str] | None = None,
) -> tuple[Page, ...]:
    """Read pages from PagerDuty's incidents CSV export.

    Each incident is one page, of the first user in
    ``acknowledged_by_user_ids``, else the first in ``assigned_to_user_ids``
    (ids separated by commas); an incident with neither paged nobody and is
    skipped. ``at`` is ``created_on``, ``resolved_at`` is ``resolved_on``,
    ``urgency`` is kept and the title is ``title`` or ``description``. The
    page id is ``"{incident id}/{user id}"``, as the log-entries reader
    gives it. The matching ``*_user_names`` column, when present, gives the
    display name used for last-resort matching and in messages.

    Args:
        path: The CSV file (UTF-8, header row; as the CSV readers accept).
        roster: The volunteers people are matched to.
        mapping: ``{PagerDuty user id or email: volunteer id}``, which wins
            over every other match.

    Returns:
        The pages, in file order.

    Raises:
        InputError: The file is not such a CSV, a row is bad (a time without
            an offset, resolved before created), or people match no
            volunteer. Lists every problem found.
        OSError: The file cannot be opened.
    """
    people = People.of(roster, mapping)
    table = _Table.read(Path(path), _INCIDENT_REQUIRED, _INCIDENT_OPTIONAL)
    unmatched = Unmatched(_USER_HINT)
    pages: list[Page] = []
    for row in table.rows():
        incident = row.required("id")
        at = _csv_instant(row, "created_on", required=True)
        resolved = _csv_instant(row, "resolved_on", required=False)
        person = _first_person(row, "acknowledged_by_user_ids", "acknowledged_by_user_names")
        if person is None:
            person = _first_person(row, "assigned_to_user_ids", "assigned_to_user_names")
        if person is None:
            continue  # assigned to nobody: nobody was paged
        column, user_id, name = person
        matched = people.pagerduty(user_id, None, name)
        if len(matched) != 1:
            _unmatched_user(
                unmatched, user_id, None, name, matched, table.source, line=row.line, field=column
            )
            continue
        if at is None or not incident:
            continue
        page = row.build(
            partial(
                Page,
                id=f"{incident}/{user_id}",
                volunteer_id=matched[0],
                at=at,
                resolved_at=resolved,
                urgency=row.optional("urgency"),
                title=row.optional("title") or row.optional("description"),
            ),
            columns=_INCIDENT_COLUMNS,
        )
        if page is not None:
            pages.append(page)
    table.problems.extend(unmatched.problems())
    table.raise_problems()
    return tuple(pages)


# --- JSON documents ------------------------------------------------------------------


class _Bad(enum.Enum):
    """A value that was present but wrong (and already reported)."""

    BAD = enum.auto()


_BAD = _Bad.BAD


@attrs.frozen
class _PageInfo:
    """One page of paginated results: where it came from and its pagination fields."""

    source: str
    path: str
    offset: int
    limit: int
    more: bool


@attrs.frozen
class _Notified:
    """A notification of a volunteer about an incident, and where it was read."""

    at: datetime
    incident: str
    volunteer_id: str
    user_id: str
    doc: _Json
    path: str


@attrs.frozen
class _Incident:
    urgency: str | None = None
    title: str | None = None


@attrs.define
class _Json:
    """One parsed JSON document and the problems found in it so far."""

    source: str
    data: Any
    problems: list[Problem] = attrs.field(factory=list)
    #: Users already matched to one volunteer, by their reference's id,
    #: email, name and summary: a schedule names its few people again and
    #: again.
    matched: dict[tuple[object, ...], tuple[str, str]] = attrs.field(factory=dict)
    #: The JSON path of a schedule's entries, once they are read.
    entries_path: str = ""

    @classmethod
    def load(cls, item: Source) -> _Json:
        """Parse a file (or JSON text); raises at once if it is not JSON."""
        source, data = load_json(item, vendor="PagerDuty")
        return cls(source, data)

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(message, source=self.source, field=path or None))

    def member(self, obj: Any, key: str, path: str, what: str) -> Any:
        """``obj[key]``, reporting a missing key or a non-object ``obj``."""
        where = _join(path, key)
        if obj is None:
            return None  # the parent is missing, and already reported
        if not isinstance(obj, dict):
            self.fail(path, f"expected an object with {key!r}, got {_shown(obj)}")
            return None
        if key not in obj:
            self.fail(where, f"is missing; expected {what}")
            return None
        if obj[key] is None:
            self.fail(where, f"is null; expected {what}")
        return obj[key]

    def items(
        self, key: str, what: str, pages: list[_PageInfo]
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """The entries of every page of results in this document, with their paths.

        The document is one page ``{key: [...], limit, offset, more}``, a
        JSON array of pages, or a JSON array of entries. Pagination fields,
        where present, are recorded in ``pages`` to check for gaps.
        """
        data = self.data
        if isinstance(data, dict):
            located = [("", data)]
        elif (
            isinstance(data, list)
            and data
            and all(isinstance(page, dict) and key in page for page in data)
        ):
            located = [(f"[{i}]", page) for i, page in enumerate(data)]
        elif isinstance(data, list):
            yield from self._entries(data, "")
            return
        else:
            located = []
        for prefix, page in located:
            if key not in page:
                found = ", ".join(sorted(page)) or "nothing"
                self.fail(
                    prefix, f"expected {what}, with the list {key!r}; the object has: {found}"
                )
                continue
            self._pagination(page, prefix, pages)
            entries = page[key]
            if not isinstance(entries, list):
                self.fail(_join(prefix, key), f"expected a list, got {_shown(entries)}")
                continue
            yield from self._entries(entries, _join(prefix, key))
        if not located:
            self.fail("", f"expected {what} (a JSON object), got {_shown(data)}")

    def _entries(self, entries: list[Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for index, entry in enumerate(entries):
            where = f"{path}[{index}]"
            if isinstance(entry, dict):
                yield where, entry
            else:
                self.fail(where, f"expected an object, got {_shown(entry)}")

    def _pagination(self, page: dict[str, Any], prefix: str, pages: list[_PageInfo]) -> None:
        offset, limit, more = page.get("offset"), page.get("limit"), page.get("more")
        if _is_int(offset) and _is_int(limit) and isinstance(more, bool):
            pages.append(_PageInfo(self.source, prefix, offset, limit, more))

    def integer(self, obj: dict[str, Any], key: str, path: str) -> int | None:
        value = self.member(obj, key, path, "a whole number")
        if value is None or _is_int(value):
            return value
        self.fail(_join(path, key), f"expected a whole number, got {_shown(value)}")
        return None

    def instant(
        self, obj: dict[str, Any], key: str, path: str, *, nullable: bool
    ) -> datetime | _Bad | None:
        """An aware datetime; ``None`` for ``null`` when allowed; ``_BAD`` if reported."""
        # The place is only spelled out for a problem: this runs per entry.
        if key not in obj:
            self.fail(
                _join(path, key), f"is missing; expected a date and time such as {_DATETIME_FORM}"
            )
            return _BAD
        value = obj[key]
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            self.fail(
                _join(path, key),
                f"expected a date and time such as {_DATETIME_FORM}, got {_shown(value)}",
            )
            return _BAD
        try:
            return _parse_instant(value)
        except ValueError as e:
            self.fail(_join(path, key), str(e))
            return _BAD

    def person(
        self,
        obj: dict[str, Any],
        key: str,
        path: str,
        people: People,
        unmatched: Unmatched,
    ) -> tuple[str, str] | None:
        """(volunteer id, PagerDuty user id) of the user ``obj[key]``; ``None`` if reported."""
        user = self.member(obj, key, path, "a user {id, type, summary, ...}")
        if user is None:
            return None
        seen_as: tuple[object, ...] | None = None
        if type(user) is dict:
            seen_as = (user.get("id"), user.get("email"), user.get("name"), user.get("summary"))
            if all(value is None or type(value) is str for value in seen_as):
                found = self.matched.get(seen_as)
                if found is not None:
                    return found
            else:
                seen_as = None
        if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
            self.fail(_join(path, key), f"expected a user reference with an id, got {_shown(user)}")
            return None
        user_id = user["id"]
        email = _text(user.get("email"))
        name = _text(user.get("name")) or _text(user.get("summary"))
        matched = people.pagerduty(user_id, email, name)
        if len(matched) == 1:
            if seen_as is not None:
                self.matched[seen_as] = (matched[0], user_id)
            return matched[0], user_id
        _unmatched_user(
            unmatched, user_id, email, name, matched, self.source, path=_join(path, key)
        )
        return None

    def incident(
        self, entry: dict[str, Any], path: str, incidents: dict[str, _Incident]
    ) -> str | None:
        """The id of a log entry's incident; remembers its urgency and title."""
        where = _join(path, "incident")
        incident = self.member(entry, "incident", path, "the incident {id, ...}")
        if incident is None:
            return None
        if not isinstance(incident, dict) or not _text(incident.get("id")):
            self.fail(where, f"expected an incident with an id, got {_shown(incident)}")
            return None
        iid: str = incident["id"]
        known = incidents.get(iid, _Incident())
        incidents[iid] = _Incident(
            urgency=known.urgency or _text(incident.get("urgency")),
            title=known.title or _text(incident.get("title")) or _text(incident.get("summary")),
        )
        return iid

    def build(self, path: str, make: Any, *args: Any) -> Any:
        """``make(*args)``, with a refused value reported at ``path``."""
        try:
            return make(*args)
        except InputError as e:
            for problem in e.problems:
                self.fail(path, problem.message)
            return None


def _load_all(items: Source | Iterable[Source]) -> tuple[list[_Json], list[Problem]]:
    """Every file parsed, and the problems of those that are not JSON: one
    broken file does not hide the others' problems."""
    docs: list[_Json] = []
    problems: list[Problem] = []
    for item in _sources(items):
        try:
            docs.append(_Json.load(item))
        except InputError as e:
            problems.extend(e.problems)
    return docs, problems


def _sources(items: Source | Iterable[Source]) -> list[Source]:
    if isinstance(items, str | os.PathLike):
        return [items]
    return list(items)


def _levels(levels: Iterable[int]) -> frozenset[int]:
    wanted = frozenset(levels)
    bad = [level for level in wanted if not _is_int(level) or level < 1]
    if bad or not wanted:
        got = ", ".join(sorted(map(repr, wanted))) or "none"
        msg = f"escalation levels are whole numbers from 1, such as 1 or 1,2; got {got}"
        raise InputError(Problem(msg, field="levels"))
    return wanted


def _window(clip: tuple[datetime, datetime] | None) -> tuple[datetime, datetime] | None:
    if clip is None:
        return None
    start, end = clip
    for name, value in (("clip start", start), ("clip end", end)):
        if not isinstance(value, datetime) or value.utcoffset() is None:
            msg = f"{value!r} has no UTC offset; the clip window must be aware datetimes"
            raise InputError(Problem(msg, field=name))
    if end <= start:
        msg = f"{end.isoformat()} is not after the clip start {start.isoformat()}"
        raise InputError(Problem(msg, field="clip end"))
    return start, end


def _gaps(pages: list[_PageInfo]) -> list[Problem]:
    """Pages of results that say more follow when the next page was not given."""
    offsets = {page.offset for page in pages}
    problems = []
    for page in pages:
        following = page.offset + page.limit
        if page.more and following not in offsets:
            problems.append(
                Problem(
                    f"this page of results (offset {page.offset}, limit {page.limit}) says "
                    f"more follow, but no page at offset {following} was given; save every "
                    'page until one says "more": false',
                    source=page.source,
                    field=_join(page.path, "more"),
                )
            )
    if pages and 0 not in offsets:
        first = min(pages, key=lambda p: p.offset)
        problems.append(
            Problem(
                f"the first page of results (offset 0) was not given; the earliest is at "
                f"offset {first.offset}",
                source=first.source,
                field=_join(first.path, "offset"),
            )
        )
    return problems


def _unmatched_user(
    unmatched: Unmatched,
    user_id: str,
    email: str | None,
    name: str | None,
    namesakes: tuple[str, ...],
    source: str,
    *,
    path: str | None = None,
    line: int | None = None,
    field: str | None = None,
) -> None:
    who = f"PagerDuty user {user_id}"
    if name:
        who += f" ({name}{', ' + email if email else ''})"
    elif email:
        who += f" ({email})"
    why = "matches no volunteer in the roster"
    if namesakes:
        why = f"is known here only by a name that several volunteers share ({', '.join(namesakes)})"
    unmatched.add(user_id, who, source, path=path, line=line, field=field, why=why)




def _mode(non_volunteers: str) -> NonVolunteers:
    if non_volunteers not in NON_VOLUNTEERS:
        msg = f"expected one of {', '.join(NON_VOLUNTEERS)}, got {non_volunteers!r}"
        raise InputError(Problem(msg, field="non_volunteers"))
    return "notice" if non_volunteers == "notice" else "fail"


def _user_id(entry: dict[str, Any]) -> str | None:
    """The id of an entry's user reference, if it has one."""
    user = entry.get("user")
    return _text(user.get("id")) if isinstance(user, dict) else None


def _not_a_volunteer(taken: tuple[str, str], why: str) -> Notice:
    who, places = taken
    detail = f"{who} is not in the roster: not a volunteer, not paid ({why}); seen in {places}"
    return Notice(NoticeKind.NOT_A_VOLUNTEER, None, detail)


def _cut_entries(
    doc: _Json,
    read: list[tuple[int, Shift]],
    file: int,
    by_volunteer: Mapping[str, list[tuple[int, Shift]]],
    zones: Mapping[str, str],
    pay_weeks: tuple[date, date],
    notes: Notes,
) -> None:
    """Entries at the file's first start or last end, inside their volunteer's
    pay weeks, that no shift of another file (``by_volunteer``: every file's
    shifts, with the file's index) carries on.

    PagerDuty cuts a schedule's entries at ``since`` and ``until`` unless
    asked for ``overflow=true``, so cover past the file's edges is unknown:
    pay for a week the edge falls inside would silently be too low.
    """
    if not read:
        return
    first = min(shift.start for _, shift in read if shift.start is not None)
    last = max(shift.end for _, shift in read if shift.end is not None)
    hint = (
        "PagerDuty cuts a schedule at since and until unless asked for overflow=true: "
        "save it again with overflow=true, from a day before the first pay week to a day "
        "after the last"
    )
    source = doc.source
    for index, shift in read:
        where = f"{doc.entries_path}[{index}]"
        local = zone(zones[shift.volunteer_id])
        weeks = [datetime.combine(day, time(0), tzinfo=local) for day in pay_weeks]
        for field, edge, side in (("start", first, "starts"), ("end", last, "ends")):
            if (shift.start if field == "start" else shift.end) != edge:
                continue
            if not weeks[0] < edge < weeks[1]:
                continue  # the edge is outside the pay weeks, or on their boundary
            others = [s for i, s in by_volunteer[shift.volunteer_id] if i != file]
            if _carried_on(edge, field, others):
                continue  # another file has the cover on the other side
            missing = "before" if field == "start" else "after"
            detail = (
                f"{source}: the saved schedule {side} at {edge.isoformat()} ({where}), inside "
                f"the pay weeks of {shift.volunteer_id!r} ({weeks[0].isoformat()} to "
                f"{weeks[1].isoformat()}, their time); any cover {missing} that is not in "
                f"the file, so it would not be paid. {hint}"
            )
            notes.add(
                Notice(NoticeKind.CUT_AT_SAVED_WINDOW, shift.volunteer_id, detail),
                Problem(
                    detail.removeprefix(f"{source}: "), source=source, field=f"{where}.{field}"
                ),
            )


def _carried_on(edge: datetime, field: str, others: list[Shift]) -> bool:
    """Whether a shift of ``others`` covers the moment just beyond ``edge``."""
    for shift in others:
        if shift.start is None or shift.end is None:
            continue
        if field == "end" and shift.start <= edge < shift.end:
            return True
        if field == "start" and shift.start < edge <= shift.end:
            return True
    return False


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _shown(value: object) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


@lru_cache(maxsize=4096)
def _parse_instant(text: str) -> datetime:
    """An aware datetime (cached: every handoff is one entry's end and the
    next one's start, in the layers and again in the final schedule)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        msg = f"{text!r} is not an ISO 8601 date and time; expected e.g. {_DATETIME_FORM}"
        raise ValueError(msg) from None
    if value.utcoffset() is None:
        msg = (
            f"{text} has no UTC offset; PagerDuty writes one (e.g. {_DATETIME_FORM}), "
            "so the file was changed or is not a PagerDuty export"
        )
        raise ValueError(msg)
    return value


# --- the incidents CSV export -------------------------------------------------------

_INCIDENT_REQUIRED = ("id", "created_on", "acknowledged_by_user_ids", "assigned_to_user_ids")
_INCIDENT_OPTIONAL = (
    "resolved_on",
    "urgency",
    "title",
    "description",
    "acknowledged_by_user_names",
    "assigned_to_user_names",
)
_INCIDENT_COLUMNS = {"at": "created_on", "resolved_at": "resolved_on"}
_ID_SEPARATOR = re.compile(r"[\s,;]+")


def _csv_instant(row: _Row, column: str, *, required: bool) -> datetime | None:
    text = row.required(column) if required else row.cells[column]
    if not text:
        return None
    # Some exports write UTC as a " UTC" suffix rather than an offset.
    if text.endswith(" UTC"):
        text = text[: -len(" UTC")] + "+00:00"
    try:
        return _parse_instant(text)
    except ValueError as e:
        row.fail(column, str(e))
        return None


def _first_person(
    row: _Row, ids_column: str, names_column: str
) -> tuple[str, str, str | None] | None:
    """The first user id of a column, with their name when the names line up."""
    ids = [i for i in _ID_SEPARATOR.split(row.cells[ids_column]) if i]
    if not ids:
        return None
    names = [n.strip() for n in row.cells[names_column].split(",")]
    name = names[0] if len(names) == len(ids) and names[0] else None
    return ids_column, ids[0], name
