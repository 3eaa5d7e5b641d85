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
* a size cap and a check of ``Content-Length`` against the bytes received,
* a total deadline per request (``RetryPolicy.deadline``, default 300 s)
  covering redirects and the whole body, checked between socket reads, so a
  server dripping bytes cannot hold a run forever (not retried),
* redirects followed only on the same host (``http`` -> ``https`` upgrade
  allowed); a redirect to another host or a TLS downgrade raises
  :class:`RedirectRefused` naming both hosts. The response records the final URL.

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
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from i4districts import __version__
from i4districts.fetch.errors import (
    DeadlineExceeded,
    HttpError,
    OfflineViolation,
    RateLimited,
    RedirectRefused,
    ResponseRejected,
    RetriesExhausted,
)
from i4districts.fetch.ratelimit import FileRateLimiter
from i4districts.fetch.safety import DEFAULT_MAX_BYTES

USER_AGENT = f"i4districts/{__version__} (+reproducible research pipeline; polite client)"
MAX_REDIRECTS = 5
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_DEFAULT_PORTS = {"http": 80, "https": 443}
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
    #: Total time allowed for one request (connection, redirects, headers and the whole body);
    #: a server that drips bytes slower than this fails with DeadlineExceeded.
    deadline: float = 300.0
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


def _read_some(raw) -> bytes:
    """Next decoded bytes of a streamed body, returning as soon as some arrive.

    ``urllib3 >= 2.2`` has ``read1``; older versions fall back to small reads
    (the deadline is then checked every 1 KiB).
    """
    if hasattr(raw, "read1"):
        return raw.read1(65536, decode_content=True)
    return raw.read(1024, decode_content=True)


def _host(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())


def check_redirect(original: str, current: str, location: str) -> str:
    """The absolute redirect target, if it stays on the host of ``current``; else :class:`RedirectRefused`.

    Allowed: same host name and port, or the same host name upgraded from
    ``http`` (port 80) to ``https`` (port 443). Refused: any other host or
    port, a non-HTTP scheme, and any downgrade from ``https`` to ``http``.
    """
    target = urljoin(current, location)
    (s0, h0, p0), (s1, h1, p1) = _host(current), _host(target)
    if s1 not in ("http", "https"):
        raise RedirectRefused(f"GET {original}: redirect to non-HTTP URL {target!r} refused", url=original)
    if s0 == "https" and s1 != "https":
        raise RedirectRefused(f"GET {original}: redirected to non-TLS {target}; refused", url=original)
    upgrade = s0 == "http" and s1 == "https" and p0 == 80 and p1 == 443
    if h1 != h0 or (p1 != p0 and not upgrade):
        here = h0 if p0 == _DEFAULT_PORTS.get(s0) else f"{h0}:{p0}"
        there = h1 if p1 == _DEFAULT_PORTS.get(s1) else f"{h1}:{p1}"
        raise RedirectRefused(
            f"GET {original}: redirect from host {here} to another host {there} ({target}) refused; "
            "the data must come from the host the ledger names", url=original,
        )
    return target


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
        """The single place that opens sockets: one GET (plus same-host redirects), body read with caps.

        The whole exchange (redirect hops and body) must finish within
        ``policy.deadline`` seconds, else :class:`DeadlineExceeded` names the URL.
        """
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
        deadline = t0 + self.policy.deadline
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            result = self._exchange(url, current, headers, t0, deadline)
            if isinstance(result, HttpResponse):
                return result
            current = check_redirect(url, current, result)
        raise HttpError(f"GET {url}: more than {MAX_REDIRECTS} redirects; refused", url=url)

    def _exchange(
        self, url: str, current: str, headers: Mapping[str, str], t0: float, deadline: float
    ) -> HttpResponse | str:
        """One HTTP exchange: the response, or the ``Location`` of a redirect (not followed here)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._deadline(url, current, 0)
        timeout = (self.policy.connect_timeout, min(self.policy.read_timeout, remaining))
        size = 0
        try:
            with self.session.get(
                current, headers=dict(headers), timeout=timeout, stream=True, verify=True,
                allow_redirects=False,  # followed by _transport, same host only
            ) as r:
                if r.status_code in REDIRECT_STATUSES and r.headers.get("Location"):
                    return r.headers["Location"]
                declared = r.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.policy.max_bytes:
                    raise ResponseRejected(
                        f"{url}: Content-Length {declared} exceeds the cap of {self.policy.max_bytes} bytes"
                    )
                chunks = []
                while True:
                    if time.monotonic() > deadline:
                        raise self._deadline(url, current, size)
                    # read1 returns as soon as some bytes arrive, so the deadline is checked
                    # between socket reads even when a server drips one byte at a time
                    chunk = _read_some(r.raw)
                    if not chunk:
                        break
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
                return HttpResponse(url=current, status=r.status_code, headers=dict(r.headers),
                                    body=body, elapsed=time.monotonic() - t0)
        except requests.exceptions.SSLError as exc:
            raise HttpError(f"{url}: TLS verification failed ({exc})", url=url) from exc
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError,
                urllib3.exceptions.TimeoutError) as exc:
            if time.monotonic() > deadline:
                raise self._deadline(url, current, size) from exc
            raise _Transient(f"{type(exc).__name__}: {exc}") from exc
        except (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError) as exc:
            raise _Transient(f"truncated body ({exc})") from exc
        except urllib3.exceptions.DecodeError as exc:
            raise ResponseRejected(f"{url}: body cannot be decoded ({exc})") from exc

    def _deadline(self, url: str, current: str, size: int) -> DeadlineExceeded:
        via = f" (redirected to {current})" if current != url else ""
        return DeadlineExceeded(
            f"GET {url}{via}: no complete response within the deadline of {self.policy.deadline:g} s "
            f"({size} bytes received); not retried (RetryPolicy.deadline)", url=url,
        )

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
