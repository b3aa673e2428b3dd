"""Matching the people of a schedule source to roster volunteers.

On-call tools know people by their own ids, emails and display names; the
roster knows them by its ids. This module holds the one set of matching
rules that every source reader uses, and collects everyone who matches
nobody so that one error can list them all, each with every place they
appear.

The order, strongest first:

1. an explicit mapping ``{external id or email: volunteer id}``;
2. the roster's ``pagerduty_id`` (PagerDuty sources only);
3. the roster's ``email``, compared case-insensitively;
4. as a last resort, the display name, compared case- and
   space-insensitively, and only when exactly one volunteer has that name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

import attrs

from .._errors import InputError, Problem
from .._model import Volunteer

# Problems list at most this many places per person; the rest are counted.
_PLACES_SHOWN = 12
#: Why a person is unmatched when nobody in the roster could be them.
NO_MATCH = "matches no volunteer in the roster"


def fold(text: str) -> str:
    """A key for comparing emails and names: case- and space-insensitive."""
    return " ".join(text.split()).casefold()


@attrs.frozen
class People:
    """The roster, indexed for matching people of one source.

    Build it with ``People.of``; it checks the mapping against the roster.
    """

    ids: frozenset[str]
    mapping: Mapping[str, str]
    by_pagerduty_id: Mapping[str, str]
    by_email: Mapping[str, str]
    by_name: Mapping[str, tuple[str, ...]]
    # Roster ids and names, for finding them as whole words inside free text
    # (compiled on first use: most sources never search text).
    words: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, roster: Iterable[Volunteer], mapping: Mapping[str, str] | None) -> People:
        """Index a roster and check an explicit mapping against it.

        Raises:
            InputError: A mapping value is not a roster id, or a key is empty.
        """
        # A pay run reads every file against the same roster tuple: index it
        # once (100 schedule files spent nine tenths of their reading here).
        # A tuple cannot change, and the one kept here cannot be collected,
        # so the same object means the same roster.
        key = (roster, tuple((mapping or {}).items()))
        last = _LAST
        if last is not None and last[0][0] is roster and last[0][1] == key[1]:
            return last[1]
        people = cls._index(roster, mapping)
        if isinstance(roster, tuple):
            globals()["_LAST"] = (key, people)
        return people

    @classmethod
    def _index(cls, roster: Iterable[Volunteer], mapping: Mapping[str, str] | None) -> People:
        volunteers = list(roster)
        ids = frozenset(v.id for v in volunteers)
        problems = [
            Problem(
                f"the mapping sends {key!r} to {vid!r}, which is not a volunteer id in the roster",
                source="mapping",
                field=key,
            )
            for key, vid in (mapping or {}).items()
            if vid not in ids
        ]
        problems.extend(
            Problem("a mapping key must not be empty", source="mapping", field=repr(key))
            for key in (mapping or {})
            if not key.strip()
        )
        if problems:
            raise InputError(problems)
        by_name: dict[str, list[str]] = {}
        words: list[tuple[str, str]] = []
        for v in volunteers:
            if v.name.strip():
                by_name.setdefault(fold(v.name), []).append(v.id)
            for word in {v.id, v.name.strip()} - {""}:
                words.append((word, v.id))
        return cls(
            ids=ids,
            mapping={fold(k): vid for k, vid in (mapping or {}).items()},
            by_pagerduty_id={v.pagerduty_id: v.id for v in volunteers if v.pagerduty_id},
            by_email={fold(v.email): v.id for v in volunteers if v.email},
            by_name={name: tuple(sorted(vids)) for name, vids in by_name.items()},
            words=tuple(words),
        )

    def mapped(self, key: str | None) -> str | None:
        """The volunteer an explicit mapping gives ``key`` (an id or email), if any."""
        return None if not key else self.mapping.get(fold(key))

    def email(self, address: str | None) -> str | None:
        """The volunteer with this email, compared case-insensitively."""
        return None if not address else self.by_email.get(fold(address))

    def name(self, display_name: str | None) -> tuple[str, ...]:
        """The volunteers with exactly this name (more than one means a namesake)."""
        return () if not display_name else self.by_name.get(fold(display_name), ())

    def mapped_in(self, text: str) -> tuple[str, ...]:
        """Volunteers whose mapping key appears in ``text`` as whole words."""
        return _unique(
            vid for key, vid in self.mapping.items() if _word(key).search(text) is not None
        )

    def named_in(self, text: str) -> tuple[str, ...]:
        """Volunteers whose roster id or name appears in ``text`` as whole words."""
        return _unique(vid for word, vid in self.words if _word(word).search(text) is not None)

    def pagerduty(
        self, user_id: str | None, email: str | None, name: str | None
    ) -> tuple[str, ...]:
        """Match a PagerDuty user: mapping, ``pagerduty_id``, email, then name.

        Returns:
            One volunteer id, none (nobody matches), or several (namesakes:
            the name alone cannot tell them apart).
        """
        if self.mapping:
            for vid in (self.mapped(user_id), self.mapped(email)):
                if vid is not None:
                    return (vid,)
        vid = self.by_pagerduty_id.get(user_id or "") or self.email(email)
        return (vid,) if vid is not None else self.name(name)


#: The roster (and mapping) indexed last, with its index: see ``People.of``.
_LAST: tuple[tuple[tuple[Volunteer, ...], tuple[tuple[str, str], ...]], People] | None = None


@functools.lru_cache(maxsize=1 << 16)
def _word(text: str) -> re.Pattern[str]:
    # Word edges rather than \b, so names ending in "." or ")" still match.
    # Cached: each source file indexes the roster again, and ``re``'s own
    # cache (512 patterns) is too small for a roster of hundreds, so 100
    # schedule files compiled 100,000 patterns (nine tenths of the run).
    return re.compile(rf"(?<!\w){re.escape(' '.join(text.split()))}(?!\w)", re.IGNORECASE)


def _unique(vids: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(vids)))


@attrs.define
class Unmatched:
    """People of a source who matched no volunteer, with every place they appear.

    Places are added as the source is read; ``problems()`` turns them into
    one problem per person (first place as the problem's own place), so one
    error lists everyone to add to the roster or the mapping.
    """

    hint: str
    _people: dict[str, _Person] = attrs.field(factory=dict)

    def add(
        self,
        key: str,
        who: str,
        source: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        why: str = NO_MATCH,
    ) -> None:
        """Record that the person ``key`` (described as ``who``) appears here."""
        person = self._people.setdefault(key, _Person(who, why))
        person.places.append(_Place(source, path, line, field))

    def keys(self) -> list[str]:
        """The keys of the unmatched people, in order of first appearance."""
        return list(self._people)

    def take(self, key: str) -> tuple[str, str] | None:
        """Remove a person nobody in the roster could be (not a namesake).

        Returns:
            How they are described and where they appear, or ``None`` (and
            they stay) if they are not such a person.
        """
        person = self._people.get(key)
        if person is None or person.why != NO_MATCH:
            return None
        del self._people[key]
        return person.who, _places(person.places)

    def problems(self) -> list[Problem]:
        """One problem per unmatched person, in order of first appearance."""
        problems = []
        for person in self._people.values():
            first = person.places[0]
            seen = ""
            if len(person.places) > 1:
                seen = f"; seen {len(person.places)} times: {_places(person.places)}"
            problems.append(
                Problem(
                    f"{person.who} {person.why}; {self.hint}{seen}",
                    source=first.source,
                    line=first.line,
                    field=first.field if first.field is not None else first.path,
                )
            )
        return problems


@attrs.define
class _Person:
    who: str
    why: str
    places: list[_Place] = attrs.field(factory=list)


@attrs.frozen
class _Place:
    source: str
    path: str | None
    line: int | None
    field: str | None


def _places(places: list[_Place]) -> str:
    """``file: a, b; other file: line 4, line 9``, at most ``_PLACES_SHOWN`` places."""
    groups: dict[str, list[str]] = {}
    for place in places[:_PLACES_SHOWN]:
        where = place.path if place.path is not None else f"line {place.line}"
        groups.setdefault(place.source, []).append(where)
    text = "; ".join(f"{source}: {', '.join(wheres)}" for source, wheres in groups.items())
    if len(places) > _PLACES_SHOWN:
        text += f"; and {len(places) - _PLACES_SHOWN} more"
    return text
