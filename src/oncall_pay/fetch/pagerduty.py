"""Fetch a pay period from the PagerDuty REST API v2 into a snapshot folder.

What is asked, for the UTC window the pay run reads (``_weeks.source_read_window``:
the period with two weeks and more either side, so no local pay week is cut):

- each schedule: ``GET /schedules/{id}`` with ``since``, ``until``,
  ``time_zone=UTC`` and ``overflow=true`` (entries that cross the window's
  edges come whole, not cut at them);
- the escalation policies' on-calls: ``GET /oncalls`` with
  ``escalation_policy_ids[]``, ``include[]=users`` (emails, for roster
  matching) and ``time_zone=UTC``, every page;
- who was notified: ``GET /log_entries`` with ``include[]=incidents``
  (urgency and title) and ``is_overview=false`` (every entry, notifications
  included), optionally for some teams only, every page.

Lists are paged by ``limit``/``offset``/``more``. PagerDuty serves no result
past offset 10,000; a list that reaches it stops the fetch with an error
that says how to split the period.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from .._weeks import source_read_window
from ._http import TOOL, Client, FetchError, Params, Response, RetryPolicy, check_ids
from ._snapshot import SnapshotWriter, utc_now

__all__ = ["OFFSET_CAP", "PAGERDUTY_API", "fetch_pagerduty"]

PAGERDUTY_API = "https://api.pagerduty.com"
#: PagerDuty's classic pagination serves results up to this offset only.
OFFSET_CAP = 10_000
#: Results asked for per page (PagerDuty's largest).
LIMIT = 100


def fetch_pagerduty(
    out: str | Path,
    *,
    token: str,
    start: date,
    end: date,
    schedules: Sequence[str] = (),
    escalation_policies: Sequence[str] = (),
    log_entries: bool = True,
    teams: Sequence[str] = (),
    base_url: str = PAGERDUTY_API,
    token_env: str | None = None,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Save the PagerDuty answers a pay run of ``[start, end]`` reads, with a manifest.

    Args:
        out: The snapshot folder to create (it must not exist, or be empty).
        token: A PagerDuty REST API key (read-only is enough). It is sent in
            the ``Authorization`` header only, and never saved or shown.
        start: The first date of the pay period.
        end: The last date of the pay period.
        schedules: Schedule ids whose final schedule to save.
        escalation_policies: Escalation policy ids whose on-calls to save.
        log_entries: Whether to save the log entries (who was paged).
        teams: Only the log entries of these teams (all when empty).
        base_url: The API's address (another one for tests or a proxy).
        token_env: The environment variable the token came from, for messages.
        retry: Timeouts and retries.
        sleep: Waits between retries (tests pass a recorder).
        progress: Called with a line per file saved.

    Returns:
        The path of the snapshot's ``manifest.json``.

    Raises:
        FetchError: The API refused, failed or was too slow after the
            retries, or a list passed offset 10,000. Nothing is left at ``out``.
        InputError: ``out`` exists and is not empty.
    """
    if end < start:
        msg = f"the period ends ({end}) before it starts ({start})"
        raise FetchError(msg)
    check_ids("--schedule", schedules)
    check_ids("--escalation-policy", escalation_policies)
    check_ids("--team", teams)
    since, until = source_read_window(start, end)
    window = [("since", _z(since)), ("until", _z(until)), ("time_zone", "UTC")]
    headers = {
        "Authorization": f"Token token={token}",
        "Accept": "application/vnd.pagerduty+json;version=2",
        "User-Agent": TOOL.replace(" ", "/"),
    }
    started = utc_now()
    say = progress or (lambda _: None)
    with (
        SnapshotWriter(Path(out)) as snapshot,
        Client(
            "PagerDuty",
            base_url,
            headers,
            token_env=token_env,
            secret=token,
            retry=retry,
            sleep=sleep,
            notify=progress,
        ) as client,
    ):
        for schedule in dict.fromkeys(schedules):
            answer = client.get(f"/schedules/{schedule}", [*window, ("overflow", "true")])
            found = _expect(answer, "schedule", dict)["schedule"]
            name = f"pagerduty-schedule-{_safe(schedule)}.json"
            snapshot.add(name, "pagerduty_schedule", answer.request, answer.body)
            final = found.get("final_schedule")
            entries = final.get("rendered_schedule_entries") if isinstance(final, dict) else None
            count = f"{len(entries)} entries" if isinstance(entries, list) else "no final schedule"
            say(f"saved {name} (schedule {found.get('name') or schedule!r}, {count})")
        if escalation_policies:
            query = [
                *[("escalation_policy_ids[]", p) for p in dict.fromkeys(escalation_policies)],
                ("include[]", "users"),
                *window,
            ]
            for n, answer in enumerate(_pages(client, "/oncalls", query, "oncalls", start, end)):
                name = f"pagerduty-oncalls-{n + 1:03}.json"
                snapshot.add(name, "pagerduty_oncalls", answer.request, answer.body)
                say(f"saved {name} ({len(answer.data['oncalls'])} on-call entries)")
        if log_entries:
            query = [
                ("include[]", "incidents"),
                ("is_overview", "false"),
                *[("team_ids[]", t) for t in dict.fromkeys(teams)],
                *window,
            ]
            pages = _pages(client, "/log_entries", query, "log_entries", start, end)
            for n, answer in enumerate(pages):
                name = f"pagerduty-log-entries-{n + 1:03}.json"
                snapshot.add(name, "pagerduty_log_entries", answer.request, answer.body)
                say(f"saved {name} ({len(answer.data['log_entries'])} log entries)")
        about = {
            "service": "PagerDuty",
            "tool": TOOL,
            "fetched_at": started,
            "finished_at": utc_now(),
            "base_url": str(client.base_url),
            "token_env": token_env,
            "period": {"from": start.isoformat(), "to": end.isoformat()},
            "window": {"since": _z(since), "until": _z(until)},
            "query": {
                "schedules": list(dict.fromkeys(schedules)),
                "escalation_policies": list(dict.fromkeys(escalation_policies)),
                "log_entries": log_entries,
                "teams": list(dict.fromkeys(teams)),
            },
        }
        return snapshot.finish(about)


def _pages(
    client: Client, path: str, query: Params, key: str, start: date, end: date
) -> Iterator[Response]:
    """Every page of a ``limit``/``offset``/``more`` list, up to PagerDuty's offset cap."""
    offset = 0
    while True:
        answer = client.get(path, [*query, ("limit", str(LIMIT)), ("offset", str(offset))])
        data = _expect(answer, key, list)
        yield answer
        if data.get("more") is not True:
            return
        limit = data.get("limit")
        served = data.get("offset")
        if not isinstance(served, int) or isinstance(served, bool):
            served = offset
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            limit = len(data[key])
        if limit < 1:
            msg = f"PagerDuty: {answer.request} says more follow but gave no entries to page on"
            raise FetchError(msg)
        offset = served + limit
        if offset + limit > OFFSET_CAP:
            raise FetchError(_cap_message(path, start, end))


def _cap_message(path: str, start: date, end: date) -> str:
    middle = start + timedelta(days=(end - start).days // 2)
    return (
        f"PagerDuty: GET {path} has more than {OFFSET_CAP:,} results for "
        f"{start} – {end}, and PagerDuty serves none past offset {OFFSET_CAP:,}, so the "
        "pay run would miss some. Nothing was saved. Split the period and fetch and price "
        f"each part on its own: --from {start} --to {middle} --out PART1, then "
        f"--from {middle + timedelta(days=1)} --to {end} --out PART2 (a pay week is priced "
        "in the part where it starts)"
        + (", or ask for fewer log entries with --team" if path == "/log_entries" else "")
    )


def _expect(answer: Response, key: str, kind: type) -> dict[str, Any]:
    data = answer.data
    if not isinstance(data, dict) or not isinstance(data.get(key), kind):
        found = ", ".join(sorted(data)) if isinstance(data, dict) else type(data).__name__
        msg = (
            f"PagerDuty: {answer.request} answered without {key!r} (found: {found}); "
            "check the address (--base-url)"
        )
        raise FetchError(msg)
    return data


def _z(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _safe(text: str) -> str:
    """An id as a file-name part: letters, digits, ``-`` and ``_`` only."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text) or "_"
