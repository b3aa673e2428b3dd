"""The one HTTP client of the package: timeouts, bounded retries, no token in any message.

Everything that talks to a network goes through :class:`Client`, built on
httpx. It retries what is worth retrying and nothing else:

- HTTP 429 (rate limited): waits as long as the server asks, by
  ``Retry-After`` (seconds or an HTTP date) or PagerDuty's
  ``ratelimit-reset`` (seconds until the limit resets), else backs off;
- HTTP 5xx, a timeout, a refused or dropped connection: backs off
  (``backoff``, doubled each time);

at most ``attempts`` tries per request, and never a wait longer than
``max_wait``. Any other answer that is not 200 stops at once. Messages name
the service, the method and the address (which never holds the token: it
travels in a header) and, for a refused token, the environment variable it
came from, never its value.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import attrs
import httpx

from .._errors import OncallPayError

__all__ = ["TOOL", "Client", "FetchError", "Response", "RetryPolicy", "check_ids"]

#: This program and its version, for the manifest and the User-Agent header.
try:
    TOOL = f"oncall-pay {version('oncall-pay')}"
except PackageNotFoundError:  # pragma: no cover  # run from a source tree, not installed
    TOOL = "oncall-pay 0.0.0"

Params = Sequence[tuple[str, str]]


class FetchError(OncallPayError, RuntimeError):
    """An API could not be read: refused, unreachable, too slow, or answering nonsense."""


@attrs.frozen
class RetryPolicy:
    """How hard to try before giving up on one request.

    Attributes:
        attempts: Tries per request, the first included (at least 1).
        max_wait: The longest single wait, in seconds; a server asking for
            a longer one is an error rather than a hang.
        backoff: The first wait after a 5xx answer or a timeout, in
            seconds; doubled after each further failure (up to ``max_wait``).
        timeout: Seconds to wait for a connection and for each read.
    """

    attempts: int = 5
    max_wait: float = 120.0
    backoff: float = 1.0
    timeout: float = 30.0

    def __attrs_post_init__(self) -> None:
        if self.attempts < 1:
            msg = f"attempts must be at least 1, got {self.attempts}"
            raise ValueError(msg)
        if self.timeout <= 0 or self.max_wait < 0 or self.backoff < 0:
            msg = "timeout must be positive, max_wait and backoff not negative"
            raise ValueError(msg)


@attrs.frozen
class Response:
    """One successful (200) answer.

    Attributes:
        request: ``GET`` and the address asked for, with its query.
        body: The body exactly as it came, to be saved unchanged.
        data: The body parsed as JSON.
    """

    request: str
    body: bytes
    data: Any


class Client:
    """A JSON API client for one service, one base address and one token.

    Args:
        service: The service's name for messages (``PagerDuty``).
        base_url: The API's base address; relative paths are joined to it.
        headers: Headers of every request (the token among them).
        token_env: The environment variable the token came from, named in
            the message when the token is refused.
        secret: The token itself: refused if a header cannot carry it, and
            blotted out of any message that would quote it.
        retry: The retry policy.
        sleep: Waits that many seconds (tests pass a recorder).
        notify: Called with a line before each wait, saying why and how long.
        transport: An httpx transport to use instead of the network's.
    """

    def __init__(
        self,
        service: str,
        base_url: str,
        headers: Mapping[str, str],
        *,
        token_env: str | None = None,
        secret: str | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        notify: Callable[[str], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if any(not value.isascii() or not value.isprintable() for value in headers.values()):
            where = f"${token_env}" if token_env else "the token"
            msg = (
                f"{service}: the token in {where} holds a character a header cannot carry "
                "(a line break, a tab or a non-ASCII character); copy it again"
            )
            raise FetchError(msg)
        self._secret = secret
        self.service = service
        self._notify = notify
        self.retry = retry or RetryPolicy()
        self.token_env = token_env
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=base_url,
            headers=dict(headers),
            timeout=httpx.Timeout(self.retry.timeout),
            follow_redirects=False,
            transport=transport,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    @property
    def base_url(self) -> httpx.URL:
        """The API's base address."""
        return self._http.base_url

    def get(self, path_or_url: str, params: Params = ()) -> Response:
        """``GET`` a JSON document, retrying as the policy allows.

        Args:
            path_or_url: A path joined to the base address, or a full address
                on the same host (a ``next`` link).
            params: The query, in order (a key may repeat, as ``include[]``).

        Raises:
            FetchError: Refused, unreachable, too slow or not JSON, after the
                retries the policy allows; the message says which and what to do.
        """
        request = self._http.build_request("GET", path_or_url, params=list(params) or None)
        shown = f"GET {request.url}"
        self._check_host(request.url, shown)
        for attempt in range(1, self.retry.attempts + 1):
            last = attempt == self.retry.attempts
            backoff = min(self.retry.backoff * 2 ** (attempt - 1), self.retry.max_wait)
            try:
                answer = self._http.send(request)
            except httpx.TimeoutException:
                why = f"did not answer within {self.retry.timeout:g} s"
                if last:
                    raise self._gave_up(shown, why, attempt) from None
                self._wait(backoff, request, why, attempt)
                continue
            except httpx.TransportError as error:
                why = f"could not be reached ({type(error).__name__}: {error})"
                if last:
                    raise self._gave_up(shown, why, attempt) from None
                self._wait(backoff, request, why, attempt)
                continue
            status = answer.status_code
            if status == 200:
                return Response(shown, answer.content, self._json(answer, shown))
            if status == 429:
                asked = _asked_wait(answer.headers)
                wait = backoff if asked is None else asked
                if wait > self.retry.max_wait:
                    msg = (
                        f"{self.service} rate limit: {shown} answered 429 and asks to wait "
                        f"{wait:g} s, longer than the {self.retry.max_wait:g} s allowed "
                        "(--max-wait). Nothing was saved: try again later, or allow a "
                        "longer wait"
                    )
                    raise FetchError(msg)
                if last:
                    raise self._gave_up(shown, "answered 429 (rate limited)", attempt)
                self._wait(wait, request, "answered 429 (rate limited)", attempt)
                continue
            if status >= 500:
                why = f"answered {status} {answer.reason_phrase}"
                if last:
                    raise self._gave_up(shown, why, attempt)
                self._wait(backoff, request, why, attempt)
                continue
            raise self._refused(answer, shown)
        raise AssertionError("unreachable")  # pragma: no cover  # the loop returns or raises

    def _check_host(self, url: httpx.URL, shown: str) -> None:
        base = self._http.base_url
        if (url.scheme, url.host, url.port) != (base.scheme, base.host, base.port):
            msg = (
                f"{self.service}: {shown} is not on {base.scheme}://{base.netloc.decode()}; "
                "the token is sent to the API's own address only"
            )
            raise FetchError(msg)

    def _wait(self, seconds: float, request: httpx.Request, why: str, attempt: int) -> None:
        if self._notify is not None:
            self._notify(
                self._scrub(
                    f"{self.service}: GET {request.url.path} {why}; waiting {seconds:g} s "
                    f"before try {attempt + 1} of {self.retry.attempts}"
                )
            )
        if seconds > 0:
            self._sleep(seconds)

    def _gave_up(self, shown: str, why: str, attempts: int) -> FetchError:
        tries = "once" if attempts == 1 else f"{attempts} times"
        msg = (
            f"{self.service}: {shown} {why}; tried {tries}. Nothing was saved. "
            "Check the address (--base-url) and the network, then run fetch again"
        )
        return FetchError(self._scrub(msg))

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "[token]") if self._secret else text

    def _refused(self, answer: httpx.Response, shown: str) -> FetchError:
        status = answer.status_code
        detail = _error_detail(answer)
        if status in (401, 403):
            where = f"${self.token_env}" if self.token_env else "the token"
            what = "refused the token" if status == 401 else "does not let the token read this"
            msg = (
                f"{self.service} {what} ({status}{detail}) for {shown}: check the API token "
                f"in {where} (a read-only key is enough) and its access"
            )
        elif status == 404:
            msg = f"{self.service}: {shown} was not found (404{detail}); check the id"
        elif 300 <= status < 400:
            msg = (
                f"{self.service}: {shown} answered {status} {answer.reason_phrase}, a redirect "
                f"to {answer.headers.get('location', 'nowhere')}; redirects are not followed "
                "(the token would go with them): give that address as --base-url"
            )
        else:
            msg = f"{self.service}: {shown} answered {status} {answer.reason_phrase}{detail}"
        return FetchError(self._scrub(msg))

    def _json(self, answer: httpx.Response, shown: str) -> Any:
        try:
            return json.loads(answer.content.decode("utf-8-sig"))
        except RecursionError:
            msg = f"{self.service}: {shown} answered JSON nested too deeply to read"
            raise FetchError(msg) from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            kind = answer.headers.get("content-type", "no content type")
            msg = (
                f"{self.service}: {shown} answered 200 but not with JSON ({kind}); "
                "check the address (--base-url): it must be the API's, not the web app's"
            )
            raise FetchError(msg) from None


def check_ids(option: str, ids: Sequence[str]) -> None:
    """Refuse an id that could change the address it is put in (only letters,
    digits, ``-`` and ``_``: PagerDuty's and Grafana's ids are so)."""
    bad = [i for i in ids if not i or not all(c.isalnum() or c in "-_" for c in i)]
    if bad:
        msg = f"{option} {bad[0]!r} is not an id (letters, digits, - and _ only)"
        raise FetchError(msg)


def _asked_wait(headers: httpx.Headers) -> float | None:
    """The seconds a 429 answer asks to wait, from ``Retry-After`` or ``ratelimit-reset``."""
    for name in ("retry-after", "ratelimit-reset"):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            continue
        if when.tzinfo is not None:
            return max(0.0, (when - datetime.now(UTC)).total_seconds())
    return None


def _error_detail(answer: httpx.Response) -> str:
    """The API's own error message, if any (PagerDuty's ``error``, Grafana's ``detail``)."""
    try:
        data = answer.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return ""
    message: object = None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            message = error.get("message")
            errors = error.get("errors")
            if isinstance(errors, list) and errors:
                message = f"{message}: {'; '.join(map(str, errors))}"
        else:
            message = data.get("detail") or error
    return f": {message}" if isinstance(message, str) and message else ""
