"""Polite HTTP client against a scripted server on 127.0.0.1 (no real network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from .conftest import Scripted

from i4districts.fetch.errors import (
    HttpError,
    OfflineViolation,
    RateLimited,
    ResponseRejected,
    RetriesExhausted,
)
from i4districts.fetch.httpclient import (
    HttpClient,
    RetryPolicy,
    backoff_delay,
    block_network,
    parse_retry_after,
    reject_non_data,
    unblock_network,
)

FAST = RetryPolicy(max_tries=3, backoff_base=0.01, backoff_cap=0.05, connect_timeout=1.0, read_timeout=0.5)


class Sleeps(list):
    def __call__(self, s: float) -> None:
        self.append(s)


def test_503_503_200_with_retry_after_succeeds_in_three_tries(server):
    url = server.route(
        "/data",
        Scripted(503, b"busy", {"Retry-After": "2"}),
        Scripted(503, b"busy", {"Retry-After": "1"}),
        Scripted(200, b"<ok/>", {"Content-Type": "application/xml"}),
    )
    sleeps = Sleeps()
    resp = HttpClient(policy=FAST, sleep=sleeps).get(url)
    assert resp.status == 200 and resp.body == b"<ok/>"
    assert server.hits("/data") == 3
    assert sleeps == [2.0, 1.0]  # Retry-After honoured, not the (tiny) backoff


def test_5xx_exhausts_after_max_tries(server):
    url = server.route("/down", Scripted(502, b"bad gateway"))
    sleeps = Sleeps()
    with pytest.raises(RetriesExhausted, match="failed 3 tries; last error: HTTP 502"):
        HttpClient(policy=FAST, sleep=sleeps).get(url)
    assert server.hits("/down") == 3
    assert sleeps == [0.01, 0.02]  # capped exponential: base * 2**(k-1)


@pytest.mark.parametrize("status", [429, 403])
def test_rate_limit_status_makes_one_request_and_stops(server, status):
    url = server.route("/istat", Scripted(status, b"slow down", {"Retry-After": "3600"}))
    with pytest.raises(RateLimited) as info:
        HttpClient(policy=FAST, sleep=Sleeps()).get(url)
    assert server.hits("/istat") == 1
    msg = str(info.value)
    assert "Safe to try again after" in msg and f"HTTP {status}" in msg
    when = datetime.strptime(info.value.retry_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert timedelta(minutes=59) < when - datetime.now(UTC) < timedelta(minutes=61)


def test_429_without_retry_after_uses_block_hint(server):
    url = server.route("/istat", Scripted(429, b""))
    policy = RetryPolicy(max_tries=3, block_hint=timedelta(hours=24))
    with pytest.raises(RateLimited, match="no Retry-After sent") as info:
        HttpClient(policy=policy, sleep=Sleeps()).get(url)
    when = datetime.strptime(info.value.retry_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert when - datetime.now(UTC) > timedelta(hours=23)
    assert server.hits() == 1


def test_other_4xx_not_retried(server):
    url = server.route("/bad", Scripted(400, b"Semantic error: bad key"))
    with pytest.raises(HttpError, match="HTTP 400 \\(not retried\\): Semantic error"):
        HttpClient(policy=FAST, sleep=Sleeps()).get(url)
    assert server.hits("/bad") == 1


def test_html_error_page_with_200_rejected(server):
    url = server.route("/html", Scripted(200, b"<!DOCTYPE html><html><body>Maintenance</body></html>",
                                         {"Content-Type": "text/html; charset=utf-8"}))
    resp = HttpClient(policy=FAST).get(url)
    with pytest.raises(ResponseRejected, match="HTML page, not data"):
        reject_non_data(resp)


def test_html_body_with_xml_content_type_rejected(server):
    url = server.route("/html2", Scripted(200, b"  <html><body>oops</body></html>",
                                          {"Content-Type": "application/xml"}))
    with pytest.raises(ResponseRejected, match="HTML page"):
        reject_non_data(HttpClient(policy=FAST).get(url))


def test_empty_body_rejected(server):
    url = server.route("/empty", Scripted(200, b""))
    with pytest.raises(ResponseRejected, match="empty body"):
        reject_non_data(HttpClient(policy=FAST).get(url))


def test_truncated_body_is_retried_then_fails(server):
    url = server.route("/trunc", Scripted(200, b"<data>partial", behaviour="truncate"))
    with pytest.raises(RetriesExhausted, match="truncated"):
        HttpClient(policy=FAST, sleep=Sleeps()).get(url)
    assert server.hits("/trunc") == 3


def test_truncated_then_complete_succeeds(server):
    url = server.route("/trunc2", Scripted(200, b"<d>", behaviour="truncate"), Scripted(200, b"<d/>"))
    assert HttpClient(policy=FAST, sleep=Sleeps()).get(url).body == b"<d/>"


def test_server_that_never_answers_times_out(server):
    url = server.route("/hang", Scripted(behaviour="hang", hang_s=2.0))
    policy = RetryPolicy(max_tries=2, backoff_base=0.01, connect_timeout=0.5, read_timeout=0.3)
    with pytest.raises(RetriesExhausted, match="Timeout|timed out"):
        HttpClient(policy=policy, sleep=Sleeps()).get(url)
    assert server.hits("/hang") == 2


def test_body_size_cap(server):
    url = server.route("/big", Scripted(200, b"x" * 5000))
    policy = RetryPolicy(max_tries=1, max_bytes=1000)
    with pytest.raises(ResponseRejected, match="exceeds the cap"):
        HttpClient(policy=policy).get(url)


def test_blocked_network_never_connects(server, no_sockets):
    url = server.route("/x", Scripted(200, b"<x/>"))
    block_network("offline")
    try:
        with pytest.raises(OfflineViolation, match="offline"):
            HttpClient(policy=FAST).get(url)
    finally:
        unblock_network()
    assert no_sockets == []


def test_non_http_url_refused():
    with pytest.raises(HttpError, match="non-HTTP"):
        HttpClient(policy=FAST).get("file:///etc/passwd")


def test_user_agent_sent(server):
    url = server.route("/ua", Scripted(200, b"<x/>"))
    HttpClient(policy=FAST).get(url, headers={"Accept": "application/xml"})
    headers = server.log[-1][2]
    assert headers["User-Agent"].startswith("i4districts/")
    assert headers["Accept"] == "application/xml"


def test_parse_retry_after_forms():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("garbage") is None and parse_retry_after(None) is None


def test_backoff_delay_is_capped():
    p = RetryPolicy(backoff_base=2.0, backoff_cap=5.0, retry_after_cap=10.0)
    assert [backoff_delay(k, p, None) for k in (1, 2, 3, 4)] == [2.0, 4.0, 5.0, 5.0]
    assert backoff_delay(1, p, 3600.0) == 10.0
