"""Grafana OnCall (and Grafana Cloud IRM) reader: saved final shifts in, shifts out.

``GET /api/v1/schedules/{id}/final_shifts`` answers with pages
``{count, next, previous, results, current_page_number, page_size,
total_pages}``; each result ``{user_pk, user_email, user_username,
shift_start, shift_end}`` is one stretch of the final schedule (rotations
with overrides applied) and becomes one shift.

People are matched to the roster, strongest first:

1. an explicit mapping ``{Grafana user pk, email or username: volunteer id}``;
2. the roster's ``email`` (``user_email``), compared case-insensitively;
3. the Grafana ``user_username`` equal to a roster volunteer ``id``
   (case-insensitively), for teams whose roster ids are their usernames.

Everyone who matches nobody is listed in one ``InputError``, with every file
and JSON path where they appear, along with every other bad value.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeAlias

from .._errors import InputError, Problem
from .._model import Shift, Volunteer
from ._json import load_json
from ._people import People, Unmatched, fold

#: A file to read, or the JSON text itself (a string starting with ``{`` or ``[``).
Source: TypeAlias = "str | os.PathLike[str]"

_HINT = (
    "add their email to the roster's email column (or use their Grafana username "
    "as their roster id), or map them explicitly"
)
_FORM = "2026-11-21T02:10:00Z"


def read_grafana_final_shifts(
    paths_or_texts: Source | Iterable[Source],
    roster: Iterable[Volunteer],
    *,
    mapping: Mapping[str, str] | None = None,
) -> tuple[Shift, ...]:
    """Read shifts from saved ``final_shifts`` answers.

    Args:
        paths_or_texts: One file (or JSON text) or several, each a page of
            results, a JSON array of pages, or a JSON array of results. The
            pages of one schedule are read together: a page that says
            ``next`` needs the following page to be given too.
        roster: The volunteers people are matched to.
        mapping: ``{Grafana user pk, email or username: volunteer id}``,
            which wins over every other match.

    Returns:
        The shifts, in the order read; the same (volunteer, start, end)
        given twice is read once.

    Raises:
        InputError: A file is not JSON of that shape, a value is bad, a page
            of results is missing, or people match no volunteer. Lists every
            problem found.
        OSError: A file cannot be opened.
    """
    people = People.of(roster, mapping)
    by_id = {fold(vid): vid for vid in people.ids}
    unmatched = Unmatched(_HINT)
    problems: list[Problem] = []
    shifts: list[Shift] = []
    seen: set[tuple[str, datetime, datetime]] = set()
    pages: dict[tuple[object, object], dict[int, str]] = {}
    items = [paths_or_texts] if isinstance(paths_or_texts, str | os.PathLike) else paths_or_texts
    for item in items:
        source, data = _load(item)
        for path, entry in _results(data, source, problems, pages):
            start = _instant(entry, "shift_start", path, source, problems)
            end = _instant(entry, "shift_end", path, source, problems)
            vid = _person(entry, path, source, people, by_id, unmatched, problems)
            if start is None or end is None or vid is None:
                continue
            try:
                shift = Shift(vid, start, end)
            except InputError as e:
                problems.extend(
                    Problem(p.message, source=source, field=f"{path}.shift_end") for p in e.problems
                )
                continue
            if (vid, start, end) not in seen:
                seen.add((vid, start, end))
                shifts.append(shift)
    problems.extend(_missing_pages(pages))
    problems.extend(unmatched.problems())
    if problems:
        raise InputError(problems)
    return tuple(shifts)


def _load(item: Source) -> tuple[str, Any]:
    return load_json(item, vendor="Grafana OnCall")


def _results(
    data: Any,
    source: str,
    problems: list[Problem],
    pages: dict[tuple[object, object], dict[int, str]],
) -> list[tuple[str, dict[str, Any]]]:
    """The results of every page in a document, with their JSON paths."""
    if isinstance(data, dict):
        located = [("", data)]
    elif (
        isinstance(data, list)
        and data
        and all(isinstance(p, dict) and "results" in p for p in data)
    ):
        located = [(f"[{i}]", p) for i, p in enumerate(data)]
    elif isinstance(data, list):
        located = [("", {"results": data})]
    else:
        msg = f"expected final_shifts results (a JSON object), got {_shown(data)}"
        problems.append(Problem(msg, source=source))
        return []
    found: list[tuple[str, dict[str, Any]]] = []
    for prefix, page in located:
        results = page.get("results")
        where = f"{prefix}.results" if prefix else "results"
        if not isinstance(results, list):
            keys = ", ".join(sorted(page)) or "nothing"
            msg = (
                "expected GET /schedules/{id}/final_shifts results, with the list "
                f"'results'; the object has: {keys}"
            )
            problems.append(Problem(msg, source=source, field=prefix or None))
            continue
        number, total = page.get("current_page_number"), page.get("total_pages")
        if isinstance(number, int) and isinstance(total, int) and total > 1:
            pages.setdefault((page.get("count"), total), {})[number] = source
        for index, entry in enumerate(results):
            if isinstance(entry, dict):
                found.append((f"{where}[{index}]", entry))
            else:
                msg = f"expected a shift {{user_email, shift_start, ...}}, got {_shown(entry)}"
                problems.append(Problem(msg, source=source, field=f"{where}[{index}]"))
    return found


def _missing_pages(pages: dict[tuple[object, object], dict[int, str]]) -> list[Problem]:
    problems = []
    for (_, total), numbers in pages.items():
        assert isinstance(total, int)  # only whole numbers are recorded
        missing = [n for n in range(1, total + 1) if n not in numbers]
        if missing:
            msg = (
                f"this is page {min(numbers)} of {total} of final shifts, but page "
                f"{missing[0]} was not given; save every page (follow 'next' until it is "
                "null) and give them all"
            )
            problems.append(Problem(msg, source=numbers[min(numbers)], field="current_page_number"))
    return problems


def _instant(
    entry: dict[str, Any], key: str, path: str, source: str, problems: list[Problem]
) -> datetime | None:
    value = entry.get(key)
    field = f"{path}.{key}"
    if not isinstance(value, str):
        what = "is missing" if key not in entry else f"is {_shown(value)}"
        msg = f"{what}; expected a date and time such as {_FORM}"
        problems.append(Problem(msg, source=source, field=field))
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        msg = f"{value!r} is not an ISO 8601 date and time; expected e.g. {_FORM}"
        problems.append(Problem(msg, source=source, field=field))
        return None
    if parsed.utcoffset() is None:
        msg = f"{value} has no UTC offset; Grafana OnCall writes one (e.g. {_FORM})"
        problems.append(Problem(msg, source=source, field=field))
        return None
    return parsed


def _person(
    entry: dict[str, Any],
    path: str,
    source: str,
    people: People,
    by_id: Mapping[str, str],
    unmatched: Unmatched,
    problems: list[Problem],
) -> str | None:
    pk, email, username = (_text(entry.get(k)) for k in ("user_pk", "user_email", "user_username"))
    if not (pk or email or username):
        msg = "names nobody: expected user_pk, user_email or user_username"
        problems.append(Problem(msg, source=source, field=path))
        return None
    for key in (pk, email, username):
        mapped = people.mapped(key)
        if mapped is not None:
            return mapped
    vid = people.email(email) or (by_id.get(fold(username)) if username else None)
    if vid is not None:
        return vid
    who = f"Grafana OnCall user {username or pk or email}"
    details = [d for d in (email, pk) if d and d != (username or pk or email)]
    if details:
        who += f" ({', '.join(details)})"
    unmatched.add(pk or email or username or "", who, source, path=path)
    return None


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _shown(value: object) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."
