"""Eurostat dissemination API: request builders and response classification.

Endpoints (https://ec.europa.eu/eurostat/api/dissemination):

* SDMX 2.1 data: ``/sdmx/2.1/data/{dataset}/{key}?startPeriod=&endPeriod=&format=``
  (SDMX-ML by default, ``format=SDMX-CSV``, or ``format=TSV`` for the bulk file);
* JSON-stat 2.0: ``/statistics/1.0/data/{dataset}?format=JSON&lang=EN&{dim}={code}...``
  with ``sinceTimePeriod``/``untilTimePeriod``;
* structure: ``/sdmx/2.1/dataflow/ESTAT/{dataset}/latest?references=descendants&detail=referencepartial``;
* asynchronous delivery: a footer ``413`` in an SDMX-ML answer (or a JSON-stat
  ``warning`` with status 413) means "ready later": poll ``/1.0/async/status/{key}``
  and download ``/1.0/async/data/{key}``; old footers carry the file URL itself;
* ``413 EXTRACTION_TOO_BIG``: the query must be split (see :func:`split_filters`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from i4districts.fetch.errors import ParseError
from i4districts.fetch.parsers.sdmx_ml import find_async_footer
from i4districts.fetch.request import Request
from i4districts.fetch.safety import parse_xml
from i4districts.fetch.structure import build_key

BASE = "https://ec.europa.eu/eurostat/api/dissemination"
#: Eurostat's legacy bulk download service (files ``data/<dataset>.tsv.gz``; superseded in 2023).
LEGACY_BULK = "https://ec.europa.eu/eurostat/estat-navtree-portlet-prod/BulkDownloadListing"


def data_request(
    dataset: str,
    dimensions: Sequence[str],
    filters: Mapping[str, Sequence[str]],
    *,
    start: str | None = None,
    end: str | None = None,
    params: Mapping[str, str] | None = None,
    base: str = BASE,
) -> Request:
    """SDMX 2.1 data request with the key built in DSD order."""
    key = build_key(dimensions, filters)
    query = {k: v for k, v in (("startPeriod", start), ("endPeriod", end)) if v}
    query.update(params or {})
    qs = f"?{urlencode(query)}" if query else ""
    return Request(f"{base}/sdmx/2.1/data/{dataset}/{key}{qs}")


def bulk_request(
    dataset: str, params: Mapping[str, str] | None = None, base: str = BASE, url: str | None = None
) -> Request:
    """Whole dataset as SDMX-TSV (filters are applied after parsing).

    ``url``: a fixed download URL instead of the API's ``format=TSV`` query, e.g. a file of the
    legacy bulk download service (``LEGACY_BULK``, gzip, old ``...,geo\\time`` header).
    """
    if url:
        return Request(url)
    query = {"format": "TSV", **(params or {})}
    return Request(f"{base}/sdmx/2.1/data/{dataset}?{urlencode(query)}")


def statistics_request(
    dataset: str,
    filters: Mapping[str, Sequence[str]],
    *,
    start: str | None = None,
    end: str | None = None,
    lang: str = "EN",
    base: str = BASE,
) -> Request:
    """JSON-stat 2.0 request; filters sorted by dimension for a stable URL."""
    pairs = [("format", "JSON"), ("lang", lang)]
    for dim in sorted(filters):
        pairs += [(dim.lower(), c) for c in filters[dim]]
    if start:
        pairs.append(("sinceTimePeriod", start))
    if end:
        pairs.append(("untilTimePeriod", end))
    return Request(f"{base}/statistics/1.0/data/{dataset}?{urlencode(pairs)}")


def structure_request(dataset: str, base: str = BASE) -> Request:
    """Dataflow + DSD + codelists of a dataset."""
    return Request(
        f"{base}/sdmx/2.1/dataflow/ESTAT/{dataset}/latest?references=descendants&detail=referencepartial"
    )


def async_status_request(key: str, base: str = BASE) -> Request:
    return Request(f"{base}/1.0/async/status/{key}")


def async_data_request(key: str, base: str = BASE) -> Request:
    return Request(f"{base}/1.0/async/data/{key}")


@dataclass(frozen=True)
class AsyncNotice:
    """Where an asynchronously delivered result will appear."""

    file_url: str | None  # old API: poll this URL directly
    key: str | None  # new API: poll the async status endpoint
    text: str


def https(url: str) -> str:
    """Upgrade ``http://`` Eurostat links to ``https://`` (TLS is always on)."""
    return "https://" + url[len("http://") :] if url.startswith("http://") else url


def detect_async(body: bytes, fmt: str, *, what: str) -> AsyncNotice | None:
    """Return the asynchronous-delivery notice carried by ``body``, if any."""
    head = body[:4096].lstrip()
    if head.startswith(b"<") and b"syncResponse" in head:
        # SOAP envelope of the async API: <queued><id>KEY</id><status>SUBMITTED</status></queued>
        root = parse_xml(body, what=what)
        for el in root.iter():
            if el.tag.rsplit("}", 1)[-1] == "id" and el.text and el.text.strip():
                return AsyncNotice(file_url=None, key=el.text.strip(), text="queued")
    if head.startswith(b"<") and b"413" in body and b"Footer" in body:
        footer = find_async_footer(parse_xml(body, what=what))
        if footer is not None:
            url = https(footer.url) if footer.url else None
            return AsyncNotice(file_url=url, key=None if url else footer.key, text=footer.text)
    if fmt == "jsonstat" and head.startswith(b"{"):
        try:
            doc = json.loads(body)
        except json.JSONDecodeError:
            return None
        warn = doc.get("warning") if isinstance(doc, dict) else None
        if isinstance(warn, dict) and str(warn.get("status")) == "413":
            ext = doc.get("extension") or {}
            key = ext.get("key") or ext.get("id") if isinstance(ext, dict) else None
            return AsyncNotice(file_url=None, key=key, text=str(warn.get("label", "")))
    return None


def is_extraction_too_big(status: int, body: bytes) -> bool:
    """HTTP 413 with ``EXTRACTION_TOO_BIG`` (SOAP fault or JSON-stat error)."""
    return status == 413 and b"EXTRACTION_TOO_BIG" in body[:20000]


def async_status(body: bytes, *, what: str) -> str:
    """``SUBMITTED``/``PROCESSING``/``AVAILABLE``/``EXPIRED``/... from an async status answer."""
    text = body.lstrip()
    if text.startswith(b"{"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(f"{what}: async status is not valid JSON ({exc})") from exc
        return str(doc.get("status", "")).upper()
    root = parse_xml(body, what=what)
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1].lower() == "status" and el.text:
            return el.text.strip().upper()
    m = re.search(rb"(SUBMITTED|PROCESSING|AVAILABLE|EXPIRED|UNKNOWN_REQUEST)", body)
    return m.group(1).decode() if m else ""


def split_filters(
    filters: Mapping[str, Sequence[str]], dimension: str, codes: Sequence[str]
) -> list[dict[str, list[str]]]:
    """One filter set per code of ``dimension`` (the others unchanged)."""
    return [{**{k: list(v) for k, v in filters.items()}, dimension: [c]} for c in codes]
