"""Polite HTTP client: the only module that opens network connections.

:func:`HttpClient._transport` is the single function that opens sockets
(through :mod:`requests`, TLS verification always on). Around it,
:meth:`HttpClient.get` applies

* an optional cross-process rate limiter (ISTAT: 5 requests per minute),
* retries of timeouts, connection errors, truncated bodies and 5xx, at most
  ``max_tries`` tries in all, waiting ``min(cap, base * 2**(k-1))`` seconds
  after failure ``k`` (capped exponential backoff) or the server's
  ``Retry-After`` when given (capped at ``retry_after_cap``),
* no retry of any 4xx: 429 and 403 raise :class:`RateLimited` with the time
  after which it is safe to try again, other 4xx raise :class:`HttpError`,
* a size cap and a check of ``Content-Length`` against the bytes received.

When the process is offline (:func:`block_network`), ``_transport`` raises
:class:`OfflineViolation` before touching a socket.

Reference: RFC 9110 section 10.2.3 (Retry-After: delay-seconds or HTTP-date).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import requests

from i4districts import __version__
from i4districts.fetch.errors import (
    HttpError,
    OfflineViolation,
    RateLimited,
    ResponseRejected,
    RetriesExhausted,
)
from i4districts.fetch.ratelimit import FileRateLimiter
from i4districts.fetch.safety import DEFAULT_MAX_BYTES

USER_AGENT = f"i4districts/{__version__} (+reproducible research pipeline; polite client)"
_NETWORK_BLOCKED: list[str] = []


def block_network(reason: str) -> None:
    """Make every later transport call in this process raise :class:`OfflineViolation`."""
    _NETWORK_BLOCKED.append(reason)


def unblock_network() -> None:
    """Undo the most recent :func:`block_network`."""
    if _NETWORK_BLOCKED:
        _NETWORK_BLOCKED.pop()


@dataclass(frozen=True)
class RetryPolicy:
    """Retry/backoff/timeout settings; seconds throughout."""

    max_tries: int = 3
    backoff_base: float = 2.0
    backoff_cap: float = 60.0
    retry_after_cap: float = 300.0
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    max_bytes: int = DEFAULT_MAX_BYTES
    #: Used in the RateLimited message when the server sends no Retry-After.
    block_hint: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class HttpResponse:
    """A complete response body with its status and headers."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    elapsed: float = 0.0

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", self.headers.get("content-type", ""))


class _Transient(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(failure: int, policy: RetryPolicy, retry_after: float | None) -> float:
    """Wait after failure number ``failure`` (1-based): Retry-After if given, else capped exponential."""
    if retry_after is not None:
        return min(retry_after, policy.retry_after_cap)
    return min(policy.backoff_cap, policy.backoff_base * 2 ** (failure - 1))


def reject_non_data(resp: HttpResponse) -> None:
    """Raise :class:`ResponseRejected` for an empty body or an HTML page served with 200."""
    body = resp.body
    if not body.strip():
        raise ResponseRejected(f"{resp.url}: HTTP {resp.status} with an empty body")
    head = body[:512].lstrip().lower()
    if "text/html" in resp.content_type.lower() or head.startswith((b"<!doctype html", b"<html")):
        snippet = body[:200].decode("utf-8", "replace")
        raise ResponseRejected(
            f"{resp.url}: HTTP {resp.status} returned an HTML page, not data "
            f"(Content-Type {resp.content_type!r}); starts {snippet!r}"
        )


@dataclass
class HttpClient:
    """Retrying, rate-limited GET client (see module docstring)."""

    policy: RetryPolicy = field(default_factory=RetryPolicy)
    limiter: FileRateLimiter | None = None
    sleep: Callable[[float], None] = time.sleep
    user_agent: str = USER_AGENT
    session: requests.Session | None = None
    attempts: int = 0

    def _transport(self, url: str, headers: Mapping[str, str]) -> HttpResponse:
        """The single place that opens sockets: one GET, body read with caps."""
        if _NETWORK_BLOCKED:
            raise OfflineViolation(
                f"network access attempted in {_NETWORK_BLOCKED[-1]} mode: GET {url}"
            )
        if not url.startswith(("https://", "http://")):
            raise HttpError(f"refusing non-HTTP URL {url!r}", url=url)
        if self.session is None:
            self.session = requests.Session()
        self.attempts += 1
        t0 = time.monotonic()
        timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        try:
            with self.session.get(
                url, headers=dict(headers), timeout=timeout, stream=True, verify=True,
                allow_redirects=True,
            ) as r:
                if url.startswith("https://") and not r.url.startswith("https://"):
                    raise HttpError(f"{url}: redirected to non-TLS {r.url}; refused", url=url)
                declared = r.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.policy.max_bytes:
                    raise ResponseRejected(
                        f"{url}: Content-Length {declared} exceeds the cap of {self.policy.max_bytes} bytes"
                    )
                chunks, size = [], 0
                for chunk in r.iter_content(65536):
                    size += len(chunk)
                    if size > self.policy.max_bytes:
                        raise ResponseRejected(
                            f"{url}: body exceeds the cap of {self.policy.max_bytes} bytes"
                        )
                    chunks.append(chunk)
                body = b"".join(chunks)
                encoded = r.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
                if declared and declared.isdigit() and not encoded and len(body) != int(declared):
                    raise _Transient(f"truncated body: {len(body)} of {declared} bytes")
                return HttpResponse(url=r.url, status=r.status_code, headers=dict(r.headers),
                                    body=body, elapsed=time.monotonic() - t0)
        except requests.exceptions.SSLError as exc:
            raise HttpError(f"{url}: TLS verification failed ({exc})", url=url) from exc
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as exc:
            raise _Transient(f"{type(exc).__name__}: {exc}") from exc
        except requests.exceptions.ChunkedEncodingError as exc:
            raise _Transient(f"truncated body ({exc})") from exc

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        pass_statuses: Iterable[int] = (),
    ) -> HttpResponse:
        """GET ``url`` with rate limiting and retries; 2xx (or ``pass_statuses``) returned."""
        hdrs = {"User-Agent": self.user_agent, **(headers or {})}
        passing = set(pass_statuses)
        last = ""
        for attempt in range(1, self.policy.max_tries + 1):
            if self.limiter is not None:
                self.limiter.acquire()
            retry_after = None
            try:
                resp = self._transport(url, hdrs)
            except _Transient as exc:
                last = str(exc)
            else:
                if 200 <= resp.status < 300 or resp.status in passing:
                    return resp
                if resp.status in (403, 429):
                    raise self._rate_limited(resp)
                if 400 <= resp.status < 500:
                    snippet = resp.body[:300].decode("utf-8", "replace")
                    raise HttpError(f"GET {url}: HTTP {resp.status} (not retried): {snippet}",
                                    status=resp.status, url=url)
                if resp.status < 500:
                    raise HttpError(f"GET {url}: unexpected HTTP {resp.status}", status=resp.status, url=url)
                last = f"HTTP {resp.status}"
                retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            if attempt < self.policy.max_tries:
                self.sleep(backoff_delay(attempt, self.policy, retry_after))
        raise RetriesExhausted(f"GET {url}: failed {self.policy.max_tries} tries; last error: {last}")

    def _rate_limited(self, resp: HttpResponse) -> RateLimited:
        wait = parse_retry_after(resp.headers.get("Retry-After"))
        now = datetime.now(UTC)
        when = now + (timedelta(seconds=wait) if wait is not None else self.policy.block_hint)
        retry_at = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        how = f"Retry-After {resp.headers['Retry-After']!r}" if wait is not None else "no Retry-After sent"
        return RateLimited(
            f"GET {resp.url}: HTTP {resp.status}: the server refuses or rate-limits this client; "
            f"stopping without retry. Safe to try again after {retry_at} ({how}).",
            status=resp.status, url=resp.url, retry_at=retry_at,
        )
