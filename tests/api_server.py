"""A PagerDuty- and Grafana-shaped API on 127.0.0.1, run in a thread by the test that needs it.

Answers come from routes (a function of the request) and, before them,
from one-shot replies queued per path (a 429, a 500, a hang). Every request
is recorded. The server stops when the test ends, and on its own after
``LIFETIME`` seconds whatever happens; a hanging answer waits at most
``HANG`` seconds. Nothing here touches any other host.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs

LIFETIME = 120.0
HANG = 3.0


@attrs.frozen
class Request:
    """One request the server received."""

    path: str
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]

    def param(self, key: str) -> str | None:
        """The first value of a query parameter."""
        return next((v for k, v in self.query if k == key), None)

    def params(self, key: str) -> list[str]:
        """Every value of a query parameter, in order."""
        return [v for k, v in self.query if k == key]


@attrs.frozen
class Reply:
    """One answer: a status, headers and a body; ``hang`` waits instead of answering."""

    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = attrs.field(factory=dict)
    hang: bool = False

    @classmethod
    def json(cls, data: Any, status: int = 200, **headers: str) -> Reply:
        """A JSON answer, written as an API writes it."""
        body = json.dumps(data, indent=2).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json", **headers})


Route = Callable[[Request], Reply]


@attrs.define
class FakeApi:
    """The server's state: routes, queued one-shot replies and the requests seen."""

    routes: dict[str, Route] = attrs.field(factory=dict)
    queued: dict[str, list[Reply]] = attrs.field(factory=dict)
    requests: list[Request] = attrs.field(factory=list)
    stop: threading.Event = attrs.field(factory=threading.Event)
    url: str = ""

    def queue(self, path: str, *replies: Reply) -> None:
        """Answer the next requests of ``path`` with these, before its route."""
        self.queued.setdefault(path, []).extend(replies)

    def answer(self, request: Request) -> Reply:
        self.requests.append(request)
        queued = self.queued.get(request.path)
        if queued:
            return queued.pop(0)
        route = self.routes.get(request.path)
        if route is None:
            return Reply.json({"error": {"message": "Not Found", "code": 2100}}, 404)
        return route(request)

    def paths(self) -> list[str]:
        """The paths asked for, in order."""
        return [r.path for r in self.requests]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # the name http.server calls
        parts = urlsplit(self.path)
        request = Request(
            parts.path,
            tuple(parse_qsl(parts.query, keep_blank_values=True)),
            {k.lower(): v for k, v in self.headers.items()},
        )
        reply = self.server.api.answer(request)
        if reply.hang:
            self.server.api.stop.wait(HANG)
        try:
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            pass  # the client gave up waiting (a timeout test)

    def log_message(self, *_: object) -> None:
        pass  # keep the test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: FakeApi


@contextmanager
def serve(api: FakeApi) -> Iterator[FakeApi]:
    """Run ``api`` on a free port of 127.0.0.1 until the block ends."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.api = api
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    watchdog = threading.Timer(LIFETIME, server.shutdown)
    watchdog.daemon = True
    thread.start()
    watchdog.start()
    try:
        yield api
    finally:
        api.stop.set()
        watchdog.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def pagerduty_list(key: str, entries: list[Any], page_size: int) -> Route:
    """A PagerDuty list endpoint: ``limit``/``offset``/``more`` over ``entries``,
    serving at most ``page_size`` a page whatever the limit asked."""

    def route(request: Request) -> Reply:
        offset = int(request.param("offset") or 0)
        limit = min(int(request.param("limit") or 25), page_size)
        if offset + limit > 10_000:  # PagerDuty's classic pagination cap
            message = "Offset must be less than 10000"
            return Reply.json({"error": {"message": "Invalid Input Provided", "code": 2001,
                                         "errors": [message]}}, 400)  # fmt: skip
        page = entries[offset : offset + limit]
        more = offset + limit < len(entries)
        return Reply.json(
            {key: page, "limit": limit, "offset": offset, "more": more, "total": None}
        )

    return route


def endless_list(key: str) -> Route:
    """A PagerDuty list that always says more follow (more than 10,000 results)."""

    def route(request: Request) -> Reply:
        offset = int(request.param("offset") or 0)
        limit = int(request.param("limit") or 25)
        if offset + limit > 10_000:
            return Reply.json({"error": {"message": "Invalid Input Provided"}}, 400)
        return Reply.json({key: [], "limit": limit, "offset": offset, "more": True})

    return route


def grafana_pages(api: FakeApi, path: str, results: list[Any], page_size: int) -> Route:
    """A Grafana OnCall paged list: ``page`` in, ``next`` as a full address out."""

    def route(request: Request) -> Reply:
        number = int(request.param("page") or 1)
        total = max(1, -(-len(results) // page_size))
        query = "&".join(f"{k}={v}" for k, v in request.query if k != "page")
        following = (
            f"{api.url}{path}?{query}&page={number + 1}" if number < total else None
        )
        previous = f"{api.url}{path}?{query}&page={number - 1}" if number > 1 else None
        return Reply.json({
            "count": len(results), "next": following, "previous": previous,
            "results": results[(number - 1) * page_size : number * page_size],
            "current_page_number": number, "page_size": page_size, "total_pages": total,
        })  # fmt: skip

    return route
