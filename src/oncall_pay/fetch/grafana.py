"""Fetch a pay period from Grafana OnCall (or Grafana Cloud IRM) into a snapshot folder.

For each schedule, ``GET {base}/api/v1/schedules/{id}/final_shifts`` with
``start_date`` and ``end_date`` (dates, the UTC window the pay run reads:
``_weeks.source_read_window``), every page: the answer is paged
``{count, next, previous, results, current_page_number, page_size,
total_pages}`` and the fetch follows ``next`` until it is ``null``, only
ever on the API's own host (the token goes nowhere else).

The token goes in the ``Authorization`` header as it is (a Grafana OnCall
API token); with ``grafana_url`` (Grafana Cloud IRM and a service account
token) it is sent as ``Bearer`` with ``X-Grafana-URL``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from .._weeks import source_read_window
from ._http import TOOL, Client, FetchError, Response, RetryPolicy, check_ids
from ._snapshot import SnapshotWriter, utc_now

__all__ = ["MAX_DAYS", "MAX_PAGES", "fetch_grafana"]

#: ``final_shifts`` refuses an ``end_date`` more than 365 days after ``start_date``.
MAX_DAYS = 365
#: Pages followed per schedule before the fetch gives up (a ``next`` that never ends).
MAX_PAGES = 1000


def fetch_grafana(
    out: str | Path,
    *,
    token: str,
    base_url: str,
    start: date,
    end: date,
    schedules: Sequence[str],
    grafana_url: str | None = None,
    token_env: str | None = None,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Save every page of each schedule's final shifts for ``[start, end]``, with a manifest.

    Args:
        out: The snapshot folder to create (it must not exist, or be empty).
        token: The API token; sent in a header only, never saved or shown.
        base_url: The OnCall API's address, as Grafana shows it in the
            OnCall (IRM) settings, e.g. ``https://oncall-prod-eu-west-0.grafana.net/oncall``.
        start: The first date of the pay period.
        end: The last date of the pay period.
        schedules: Schedule ids.
        grafana_url: The Grafana stack's address, for Grafana Cloud IRM.
        token_env: The environment variable the token came from, for messages.
        retry: Timeouts and retries.
        sleep: Waits between retries (tests pass a recorder).
        progress: Called with a line per file saved.

    Returns:
        The path of the snapshot's ``manifest.json``.

    Raises:
        FetchError: The API refused, failed or was too slow after the
            retries, or the window is longer than Grafana serves.
            Nothing is left at ``out``.
        InputError: ``out`` exists and is not empty.
    """
    if not schedules:
        msg = "give at least one --schedule"
        raise FetchError(msg)
    check_ids("--schedule", schedules)
    since, until = source_read_window(start, end)
    first, last = since.date(), until.date()
    if end < start:
        msg = f"the period ends ({end}) before it starts ({start})"
        raise FetchError(msg)
    if (last - first).days > MAX_DAYS:
        msg = (
            f"Grafana OnCall serves at most {MAX_DAYS} days of final shifts at once, and the "
            f"period {start} – {end} needs {first} – {last}; fetch and price a shorter period"
        )
        raise FetchError(msg)
    headers = {"Authorization": token, "User-Agent": TOOL.replace(" ", "/")}
    if grafana_url:
        headers = {**headers, "Authorization": f"Bearer {token}", "X-Grafana-URL": grafana_url}
    started = utc_now()
    say = progress or (lambda _: None)
    with (
        SnapshotWriter(Path(out)) as snapshot,
        Client(
            "Grafana OnCall",
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
            query = [("start_date", first.isoformat()), ("end_date", last.isoformat())]
            following: str | None = f"api/v1/schedules/{schedule}/final_shifts"
            for n in range(1, MAX_PAGES + 1):
                if following is None:
                    break
                answer = client.get(following, query if n == 1 else ())
                following = _next(answer)
                name = f"grafana-final-shifts-{schedule}-{n:03}.json"
                snapshot.add(name, "grafana_final_shifts", answer.request, answer.body)
                say(f"saved {name} ({len(answer.data['results'])} shifts)")
            else:
                msg = f"Grafana OnCall: more than {MAX_PAGES} pages for schedule {schedule}"
                raise FetchError(msg)
        about = {
            "service": "Grafana OnCall",
            "tool": TOOL,
            "fetched_at": started,
            "finished_at": utc_now(),
            "base_url": str(client.base_url),
            "grafana_url": grafana_url,
            "token_env": token_env,
            "period": {"from": start.isoformat(), "to": end.isoformat()},
            "window": {"start_date": first.isoformat(), "end_date": last.isoformat()},
            "query": {"schedules": list(dict.fromkeys(schedules))},
        }
        return snapshot.finish(about)


def _next(answer: Response) -> str | None:
    """The ``next`` page's address, checking the answer is a page of final shifts."""
    data = answer.data
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        found = ", ".join(sorted(data)) if isinstance(data, dict) else type(data).__name__
        msg = (
            f"Grafana OnCall: {answer.request} answered without a 'results' list "
            f"(found: {found}); check the address (--base-url)"
        )
        raise FetchError(msg)
    following = data.get("next")
    if following is None or (isinstance(following, str) and following):
        return following
    msg = f"Grafana OnCall: {answer.request} gave 'next' as {following!r}, not an address"
    raise FetchError(msg)
