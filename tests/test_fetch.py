"""Fetching from PagerDuty and Grafana OnCall, against a real HTTP server on 127.0.0.1.

The server (``api_server``) is started by each test and stops with it; its
answers are recorded-shaped PagerDuty and Grafana JSON. Waits between
retries go to a recorder, so the tests check how long the client would wait
without waiting.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from api_server import FakeApi, Reply, endless_list, grafana_pages, pagerduty_list, serve
from oncall_pay.fetch import FetchError, RetryPolicy, fetch_grafana, fetch_pagerduty
from oncall_pay.fetch.pagerduty import PAGERDUTY_API

FIXTURES = Path(__file__).parent / "fixtures"
PD = FIXTURES / "pagerduty"
TOKEN = "u+SECRET-token-never-shown"
NOVEMBER = {"start": date(2026, 11, 2), "end": date(2026, 11, 15)}


def load(path: Path) -> Any:
    """A fixture's JSON."""
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests to the test server go straight to 127.0.0.1, whatever the machine's proxy."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def api() -> Iterator[FakeApi]:
    """A PagerDuty-shaped API: one schedule, and 10 log entries served 4 a page (3 pages)."""
    fake = FakeApi()
    schedule = load(PD / "schedule-with-override.json")
    entries = load(PD / "log-entries.json")["log_entries"]
    fake.routes["/schedules/PSCH001"] = lambda _: Reply.json(schedule)
    fake.routes["/log_entries"] = pagerduty_list("log_entries", entries, page_size=4)
    fake.routes["/oncalls"] = pagerduty_list(
        "oncalls", load(PD / "rota-oncalls.json")["oncalls"], page_size=100
    )
    with serve(fake):
        yield fake


class Sleeps(list[float]):
    """Records the waits the client asks for instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fetch(api: FakeApi, out: Path, sleeps: Sleeps | None = None, **kwargs: Any) -> Path:
    """fetch_pagerduty of November's first two weeks from the test server."""
    options: dict[str, Any] = {
        "token": TOKEN, "base_url": api.url, "token_env": "PD_TOKEN",
        "retry": RetryPolicy(attempts=3, timeout=2.0),
        "sleep": Sleeps() if sleeps is None else sleeps,
        "schedules": ["PSCH001"], **NOVEMBER, **kwargs,
    }  # fmt: skip
    return fetch_pagerduty(out, **options)


def assert_nothing_written(out: Path) -> None:
    """Neither the snapshot folder nor a half-written one is left."""
    assert not out.exists()
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")] == []


def test_pagerduty_fetch_saves_every_answer_and_a_manifest(api: FakeApi, tmp_path: Path) -> None:
    """A schedule, three pages of log entries and the on-calls are saved unchanged, each
    with its SHA-256, query and source in manifest.json."""
    out = tmp_path / "snap"
    manifest_path = fetch(api, out, escalation_policies=["PEP0001"])
    manifest = load(manifest_path)
    names = [f["name"] for f in manifest["files"]]
    assert names == [
        "pagerduty-schedule-PSCH001.json", "pagerduty-oncalls-001.json",
        "pagerduty-log-entries-001.json", "pagerduty-log-entries-002.json",
        "pagerduty-log-entries-003.json",
    ]  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == sorted([*names, "manifest.json"])
    (tmp_path / "plain").mkdir()
    assert out.stat().st_mode == (tmp_path / "plain").stat().st_mode  # not mkdtemp's 0700
    for entry in manifest["files"]:
        body = (out / entry["name"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(body).hexdigest()
        assert entry["size"] == len(body)
    sources = {f["name"]: f["source"] for f in manifest["files"]}
    assert sources["pagerduty-oncalls-001.json"] == "pagerduty_oncalls"
    assert sources["pagerduty-log-entries-002.json"] == "pagerduty_log_entries"
    assert sources["pagerduty-schedule-PSCH001.json"] == "pagerduty_schedule"
    pages = [load(out / n)["log_entries"] for n in names[2:]]
    assert [len(p) for p in pages] == [4, 4, 2]
    assert [e for page in pages for e in page] == load(PD / "log-entries.json")["log_entries"]
    assert manifest["format"] == "oncall-pay snapshot 1"
    assert manifest["service"] == "PagerDuty"
    assert manifest["period"] == {"from": "2026-11-02", "to": "2026-11-15"}
    assert manifest["window"] == {"since": "2026-10-18T00:00:00Z", "until": "2026-12-01T00:00:00Z"}
    assert manifest["query"]["schedules"] == ["PSCH001"]
    assert manifest["token_env"] == "PD_TOKEN"
    assert manifest["fetched_at"].endswith("Z")
    assert "/log_entries?" in manifest["files"][3]["request"]


def test_pagerduty_requests_ask_for_what_the_pay_run_needs(api: FakeApi, tmp_path: Path) -> None:
    """The padded window, overflow=true, include[]=incidents, is_overview=false, the
    offsets page by page, and the token and API version in headers."""
    fetch(api, tmp_path / "snap", escalation_policies=["PEP0001", "PEP0002"], teams=["PT1"])
    schedule, oncalls, *logs = api.requests
    assert schedule.path == "/schedules/PSCH001"
    assert schedule.param("overflow") == "true"
    assert schedule.param("time_zone") == "UTC"
    for request in api.requests:
        assert request.param("since") == "2026-10-18T00:00:00Z"
        assert request.param("until") == "2026-12-01T00:00:00Z"
        assert request.headers["authorization"] == f"Token token={TOKEN}"
        assert request.headers["accept"] == "application/vnd.pagerduty+json;version=2"
    assert oncalls.params("escalation_policy_ids[]") == ["PEP0001", "PEP0002"]
    assert oncalls.params("include[]") == ["users"]
    assert [r.param("offset") for r in logs] == ["0", "4", "8"]
    for request in logs:
        assert request.params("include[]") == ["incidents"]
        assert request.param("is_overview") == "false"
        assert request.params("team_ids[]") == ["PT1"]
        assert request.param("limit") == "100"


@pytest.mark.parametrize(
    ("headers", "wait"),
    [({"Retry-After": "7"}, 7.0), ({"ratelimit-reset": "3"}, 3.0), ({}, 1.0)],
    ids=["retry-after", "ratelimit-reset", "no-header-backs-off"],
)
def test_a_429_waits_as_the_server_asks_then_succeeds(
    api: FakeApi, tmp_path: Path, headers: dict[str, str], wait: float
) -> None:
    """One 429 answer: the client waits Retry-After (or ratelimit-reset) seconds, asks again,
    and the snapshot is complete."""
    api.queue("/log_entries", Reply.json({"error": {"message": "Rate Limit Exceeded"}}, 429,
                                         **headers))  # fmt: skip
    sleeps = Sleeps()
    fetch(api, tmp_path / "snap", sleeps)
    assert sleeps == [wait]
    assert [r.param("offset") for r in api.requests if r.path == "/log_entries"] == [
        "0", "0", "4", "8",
    ]  # fmt: skip
    assert len(list((tmp_path / "snap").glob("pagerduty-log-entries-*.json"))) == 3


def test_a_500_is_retried_with_a_growing_backoff_then_succeeds(
    api: FakeApi, tmp_path: Path
) -> None:
    """Two 5xx answers: waits of 1 s then 2 s, then the answer is saved."""
    api.queue("/schedules/PSCH001", Reply.json({}, 500), Reply(502, b"<html>Bad Gateway</html>"))
    sleeps = Sleeps()
    fetch(api, tmp_path / "snap", sleeps, log_entries=False)
    assert sleeps == [1.0, 2.0]
    saved = (tmp_path / "snap" / "pagerduty-schedule-PSCH001.json").read_bytes()
    assert json.loads(saved) == load(PD / "schedule-with-override.json")


def test_retries_are_bounded_and_a_failure_writes_nothing(api: FakeApi, tmp_path: Path) -> None:
    """A server that keeps failing: exactly `attempts` tries, then an error naming the
    request and the status; no snapshot folder, not even half of one."""
    api.queue("/log_entries", *[Reply.json({}, 503)] * 10)
    out = tmp_path / "snap"
    with pytest.raises(FetchError) as caught:
        fetch(api, out)
    message = str(caught.value)
    assert "GET http://127.0.0.1:" in message
    assert "/log_entries?" in message
    assert "answered 503 Service Unavailable; tried 3 times" in message
    assert TOKEN not in message
    assert api.paths().count("/log_entries") == 3
    assert_nothing_written(out)


def test_rate_limit_retries_are_bounded_too(api: FakeApi, tmp_path: Path) -> None:
    """429 after 429: the client gives up after its attempts, saying it was rate limited."""
    api.queue("/schedules/PSCH001", *[Reply.json({}, 429, **{"Retry-After": "1"})] * 5)
    sleeps = Sleeps()
    with pytest.raises(FetchError, match=r"answered 429 \(rate limited\); tried 3 times"):
        fetch(api, tmp_path / "snap", sleeps)
    assert sleeps == [1.0, 1.0]
    assert_nothing_written(tmp_path / "snap")


def test_a_wait_longer_than_allowed_is_an_error_not_a_hang(api: FakeApi, tmp_path: Path) -> None:
    """A 429 asking for an hour with max_wait 60 s stops at once, saying why."""
    api.queue("/schedules/PSCH001", Reply.json({}, 429, **{"Retry-After": "3600"}))
    sleeps = Sleeps()
    with pytest.raises(FetchError, match=r"asks to wait 3600 s, longer than the 60 s allowed"):
        fetch(api, tmp_path / "snap", sleeps, retry=RetryPolicy(max_wait=60, timeout=2))
    assert sleeps == []


def test_a_server_that_does_not_answer_times_out(api: FakeApi, tmp_path: Path) -> None:
    """A hanging server: each try gives up after the timeout, and the fetch fails
    with a message naming the timeout, in well under the server's hang."""
    api.queue("/schedules/PSCH001", *[Reply(hang=True)] * 2)
    out = tmp_path / "snap"
    began = time.monotonic()
    with pytest.raises(FetchError, match=r"did not answer within 0.2 s; tried 2 times"):
        fetch(api, out, retry=RetryPolicy(attempts=2, timeout=0.2))
    assert time.monotonic() - began < 2.5
    assert api.paths() == ["/schedules/PSCH001"] * 2
    assert_nothing_written(out)


def test_a_timeout_is_retried_like_a_failure(api: FakeApi, tmp_path: Path) -> None:
    """One hang, then an answer: the fetch succeeds after one backoff."""
    api.queue("/schedules/PSCH001", Reply(hang=True))
    sleeps = Sleeps()
    fetch(api, tmp_path / "snap", sleeps, log_entries=False,
          retry=RetryPolicy(attempts=2, timeout=0.2))  # fmt: skip
    assert sleeps == [1.0]
    assert (tmp_path / "snap" / "pagerduty-schedule-PSCH001.json").exists()


def test_the_offset_cap_stops_with_how_to_split_the_period(tmp_path: Path) -> None:
    """A list with more than 10,000 results: the fetch stops at PagerDuty's offset cap
    (offset 9,900 is the last page served) and says how to split the period."""
    fake = FakeApi()
    fake.routes["/log_entries"] = endless_list("log_entries")
    out = tmp_path / "snap"
    with serve(fake), pytest.raises(FetchError) as caught:
        fetch(fake, out, schedules=[], start=date(2026, 11, 1), end=date(2026, 11, 30))
    message = str(caught.value)
    assert "GET /log_entries has more than 10,000 results for 2026-11-01 – 2026-11-30" in message
    assert "--from 2026-11-01 --to 2026-11-15 --out PART1" in message
    assert "--from 2026-11-16 --to 2026-11-30 --out PART2" in message
    assert "--team" in message
    offsets = [int(r.param("offset") or 0) for r in fake.requests]
    assert offsets == list(range(0, 10_000, 100))
    assert_nothing_written(out)


def test_a_refused_token_names_its_variable_never_its_value(
    api: FakeApi, tmp_path: Path
) -> None:
    """401: the message says which environment variable to fix, with PagerDuty's reason."""
    api.queue("/schedules/PSCH001", Reply.json({"error": {"message": "Unauthorized",
                                                          "code": 2006}}, 401))  # fmt: skip
    with pytest.raises(FetchError) as caught:
        fetch(api, tmp_path / "snap")
    message = str(caught.value)
    assert "PagerDuty refused the token (401: Unauthorized)" in message
    assert "$PD_TOKEN" in message
    assert TOKEN not in message
    assert api.paths() == ["/schedules/PSCH001"]  # no retry of a refusal


def test_an_unknown_schedule_is_a_clear_error(api: FakeApi, tmp_path: Path) -> None:
    """404 for a schedule id: the message says to check the id."""
    with pytest.raises(FetchError, match=r"schedules/PNOPE.* was not found \(404: Not Found\)"):
        fetch(api, tmp_path / "snap", schedules=["PNOPE"])


def test_an_answer_that_is_not_json_is_a_clear_error(api: FakeApi, tmp_path: Path) -> None:
    """A web page instead of the API (a wrong --base-url) is named as such."""
    api.queue("/schedules/PSCH001", Reply(200, b"<html>Sign in</html>",
                                          {"Content-Type": "text/html"}))  # fmt: skip
    with pytest.raises(FetchError, match=r"answered 200 but not with JSON \(text/html\)"):
        fetch(api, tmp_path / "snap")


def test_an_id_cannot_change_the_address(api: FakeApi, tmp_path: Path) -> None:
    """An id with / or ? is refused before anything is asked."""
    with pytest.raises(FetchError, match=r"--schedule '../users' is not an id"):
        fetch(api, tmp_path / "snap", schedules=["../users"])
    assert api.requests == []


def test_a_snapshot_never_overwrites_a_folder(api: FakeApi, tmp_path: Path) -> None:
    """--out naming a folder with files in it is refused; an empty folder is used."""
    from oncall_pay import InputError

    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="already exists and is not empty"):
        fetch(api, tmp_path / "full")
    assert api.requests == []
    (tmp_path / "empty").mkdir()
    fetch(api, tmp_path / "empty")
    assert (tmp_path / "empty" / "manifest.json").exists()


def test_the_default_address_is_pagerdutys() -> None:
    """The library and the command line default to the same API address."""
    from oncall_pay import cli

    assert PAGERDUTY_API == cli._PAGERDUTY_API == "https://api.pagerduty.com"


# --- Grafana OnCall ----------------------------------------------------------------------

GRAFANA_RESULTS = load(FIXTURES / "grafana" / "final-shifts.json")["results"]
SHIFTS_PATH = "/oncall/api/v1/schedules/SBM7DV7BKFUYU/final_shifts"


@pytest.fixture
def grafana() -> Iterator[FakeApi]:
    """A Grafana OnCall API under /oncall: 5 final shifts served 2 a page (3 pages)."""
    fake = FakeApi()
    fake.routes[SHIFTS_PATH] = grafana_pages(fake, SHIFTS_PATH, GRAFANA_RESULTS, page_size=2)
    with serve(fake):
        yield fake


def grafana_fetch(api: FakeApi, out: Path, **kwargs: Any) -> Path:
    """fetch_grafana of November's first two weeks from the test server."""
    options: dict[str, Any] = {
        "token": TOKEN, "base_url": f"{api.url}/oncall", "schedules": ["SBM7DV7BKFUYU"],
        "token_env": "GRAFANA_ONCALL_TOKEN", "retry": RetryPolicy(attempts=2, timeout=2.0),
        "sleep": Sleeps(), **NOVEMBER, **kwargs,
    }  # fmt: skip
    return fetch_grafana(out, **options)


def test_grafana_fetch_follows_next_and_saves_every_page(grafana: FakeApi, tmp_path: Path) -> None:
    """Three pages by their next links, each saved with its SHA-256; dates padded as PagerDuty's."""
    manifest = load(grafana_fetch(grafana, tmp_path / "snap"))
    names = [f["name"] for f in manifest["files"]]
    assert names == [f"grafana-final-shifts-SBM7DV7BKFUYU-00{n}.json" for n in (1, 2, 3)]
    assert {f["source"] for f in manifest["files"]} == {"grafana_final_shifts"}
    results = [r for n in names for r in load(tmp_path / "snap" / n)["results"]]
    assert results == GRAFANA_RESULTS
    assert [r.param("page") for r in grafana.requests] == [None, "2", "3"]
    for request in grafana.requests:
        assert request.path == SHIFTS_PATH
        assert request.param("start_date") == "2026-10-18"
        assert request.param("end_date") == "2026-12-01"
        assert request.headers["authorization"] == TOKEN
        assert "x-grafana-url" not in request.headers
    assert manifest["service"] == "Grafana OnCall"
    assert manifest["window"] == {"start_date": "2026-10-18", "end_date": "2026-12-01"}


def test_grafana_irm_sends_a_bearer_token_and_the_stack(grafana: FakeApi, tmp_path: Path) -> None:
    """With the stack's address, the service account token goes as Bearer with X-Grafana-URL."""
    grafana_fetch(grafana, tmp_path / "snap", grafana_url="https://team.grafana.net")
    for request in grafana.requests:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["x-grafana-url"] == "https://team.grafana.net"


def test_a_next_link_to_another_host_is_not_followed(grafana: FakeApi, tmp_path: Path) -> None:
    """The token goes to the API's own host only: a next link elsewhere is an error."""
    page = {"count": 3, "next": "http://203.0.113.9/oncall/api/v1/x?page=2", "previous": None,
            "results": GRAFANA_RESULTS[:1], "current_page_number": 1, "page_size": 1,
            "total_pages": 3}  # fmt: skip
    grafana.queue(SHIFTS_PATH, Reply.json(page))
    with pytest.raises(FetchError, match=r"is not on http://127.0.0.1:\d+; the token is sent"):
        grafana_fetch(grafana, tmp_path / "snap")
    assert len(grafana.requests) == 1
    assert_nothing_written(tmp_path / "snap")


def test_grafana_retries_a_429_and_a_500(grafana: FakeApi, tmp_path: Path) -> None:
    """The same client: a 429 with Retry-After and a 500 are retried, the fetch completes."""
    grafana.queue(SHIFTS_PATH, Reply.json({"detail": "slow down"}, 429, **{"Retry-After": "2"}),
                  Reply.json({}, 500))  # fmt: skip
    sleeps = Sleeps()
    grafana_fetch(grafana, tmp_path / "snap", sleep=sleeps,
                  retry=RetryPolicy(attempts=3, timeout=2))  # fmt: skip
    assert sleeps == [2.0, 2.0]  # Retry-After 2, then the backoff of a second failure
    assert len(list((tmp_path / "snap").glob("grafana-*.json"))) == 3


def test_grafana_refuses_more_than_a_year(grafana: FakeApi, tmp_path: Path) -> None:
    """final_shifts serves at most 365 days; a longer window is refused before asking."""
    with pytest.raises(FetchError, match="at most 365 days"):
        grafana_fetch(grafana, tmp_path / "snap", start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert grafana.requests == []


def test_only_fetching_loads_the_http_client() -> None:
    """Importing the package, the CLI, the pay run or oncall_pay.fetch does not load httpx;
    reaching for a fetcher does."""
    import subprocess
    import sys

    code = (
        "import sys, oncall_pay, oncall_pay.cli, oncall_pay.pay_run, oncall_pay.fetch; "
        "print('httpx' in sys.modules); oncall_pay.fetch.fetch_pagerduty; "
        "print('httpx' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True"]


def test_a_token_a_header_cannot_carry_is_refused_without_showing_it(
    api: FakeApi, tmp_path: Path
) -> None:
    """A token pasted with a line break inside: refused before any request, the message
    naming the variable; nothing written."""
    broken = "u+abc\nSECRET-second-line"
    with pytest.raises(FetchError) as caught:
        fetch(api, tmp_path / "snap", token=broken)
    message = str(caught.value)
    assert "the token in $PD_TOKEN holds a character a header cannot carry" in message
    assert "SECRET" not in message
    assert api.requests == []
    assert_nothing_written(tmp_path / "snap")


def test_an_error_that_quotes_the_token_is_blotted(api: FakeApi, tmp_path: Path) -> None:
    """An API error message that echoes the token shows [token] instead."""
    echo = {"error": {"message": f"Invalid Input Provided: bad key {TOKEN}"}}
    api.queue("/schedules/PSCH001", Reply.json(echo, 400))
    with pytest.raises(FetchError) as caught:
        fetch(api, tmp_path / "snap")
    assert "bad key [token]" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_a_redirect_is_not_followed(api: FakeApi, tmp_path: Path) -> None:
    """A 301 elsewhere stops the fetch, saying where it pointed; the token does not follow."""
    api.queue("/schedules/PSCH001", Reply(301, b"", {"Location": "https://api.eu.example/x"}))
    with pytest.raises(FetchError, match=r"answered 301 Moved Permanently, a redirect to "
                       r"https://api.eu.example/x; redirects are not followed"):  # fmt: skip
        fetch(api, tmp_path / "snap")
    assert api.paths() == ["/schedules/PSCH001"]


def test_a_manifest_cannot_point_outside_its_folder_or_at_an_unknown_source(
    api: FakeApi, tmp_path: Path
) -> None:
    """A manifest edited to read ../roster.csv, or a file for a source this version does not
    know, is refused with every problem at its manifest path; a wrong format is named."""
    from oncall_pay import InputError
    from oncall_pay.fetch import read_snapshot
    from oncall_pay.pay_run import SOURCES

    out = tmp_path / "snap"
    manifest_path = fetch(api, out, log_entries=False)
    manifest = load(manifest_path)
    assert read_snapshot(out, sources=SOURCES).files == {
        "pagerduty_schedule": (out / "pagerduty-schedule-PSCH001.json",)
    }
    manifest["files"].append({**manifest["files"][0], "name": "../roster.csv"})
    manifest["files"].append({**manifest["files"][0], "name": "x.json", "source": "opsgenie"})
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_snapshot(out, sources=SOURCES)
    assert [p.field for p in caught.value.problems] == ["files[1].name", "files[2].source"]
    assert {p.source for p in caught.value.problems} == {str(manifest_path)}
    manifest_path.write_text(json.dumps({**manifest, "format": "v0"}), encoding="utf-8")
    with pytest.raises(InputError, match="expected format 'oncall-pay snapshot 1', got 'v0'"):
        read_snapshot(out, sources=SOURCES)
