"""Exception hierarchy of the fetch layer.

Every error names what was asked (URL, dataset, filters, file) and what was
wrong, so a failed scheduled refresh can be diagnosed from its log line.
"""

from __future__ import annotations

from i4districts.errors import I4DError


class FetchError(I4DError):
    """Base class of every fetch-layer error."""


class OfflineViolation(FetchError):
    """A network call was attempted in ``offline`` or ``replay`` mode."""


class HttpError(FetchError):
    """A non-retryable HTTP failure (4xx other than rate limiting)."""

    def __init__(self, message: str, status: int | None = None, url: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class RedirectRefused(HttpError):
    """A redirect to another host (or from TLS to plain HTTP): never followed."""


class DeadlineExceeded(FetchError):
    """A request took longer than its total deadline (e.g. a server dripping bytes)."""

    def __init__(self, message: str, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class RateLimited(HttpError):
    """HTTP 429/403: the server asks us to stop; never retried."""

    def __init__(self, message: str, status: int, url: str, retry_at: str) -> None:
        super().__init__(message, status, url)
        self.retry_at = retry_at


class RetriesExhausted(FetchError):
    """Transient failures (timeouts, 5xx, truncated bodies) on every try."""


class ResponseRejected(FetchError, ValueError):
    """A 200 response whose body is not data (empty, HTML page, too big, truncated)."""


class ParseError(FetchError, ValueError):
    """A body that does not follow the declared format."""


class QueryError(FetchError, ValueError):
    """A query whose key does not match the DSD / codelists / ledger."""


class ExtractionTooBig(FetchError):
    """Eurostat HTTP 413 EXTRACTION_TOO_BIG and no way left to split."""


class AsyncTimeout(FetchError):
    """An asynchronous delivery was not ready within the polling bound."""


class UnsafeContent(FetchError, ValueError):
    """XML with entities/DTD, archives with unsafe members, size bombs."""


class ChecksumMismatch(FetchError, ValueError):
    """A stored or downloaded file does not match its recorded sha256."""


class MirrorMiss(FetchError, LookupError):
    """Offline mode and neither the cache nor the mirror hold the query."""
