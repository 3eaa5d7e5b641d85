"""Orchestration: ledger entry -> requests -> vintages -> tidy table.

:class:`Fetcher` ties the pieces together for one run:

* ``online``: DSD first (reused from the cache when recent), key validated,
  data requested; Eurostat asynchronous deliveries are polled with a bound;
  ``413 EXTRACTION_TOO_BIG`` is split along the ledger's ``split_dimension``;
  every final body is stored as a new vintage.
* ``offline``: the same logic, but responses come from the latest cached
  vintage or from the mirror; the network is blocked for the duration.
* ``replay``: the pinned vintages are read back after checking their sha256.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from i4districts.fetch import eurostat, istat
from i4districts.fetch.errors import (
    AsyncTimeout,
    ChecksumMismatch,
    ExtractionTooBig,
    FetchError,
    MirrorMiss,
    OfflineViolation,
    QueryError,
    ResponseRejected,
)
from i4districts.fetch.httpclient import (
    HttpClient,
    HttpResponse,
    block_network,
    reject_non_data,
    unblock_network,
)
from i4districts.fetch.ledger import WILDCARD, DatasetSpec
from i4districts.fetch.mirror import Mirror
from i4districts.fetch.decode import DATA_SUFFIXES, apply_filters, derive_table, unpack_body
from i4districts.fetch.parsers import PARSER_VERSION
from i4districts.fetch.parsers.common import check_dimensions
from i4districts.fetch.ratelimit import FileRateLimiter
from i4districts.fetch.request import Request
from i4districts.fetch.safety import is_zip
from i4districts.fetch.settings import FetchSettings
from i4districts.fetch.structure import (
    DataStructure,
    load_catalog_constraints,
    parse_structure,
    validate_filters,
)
from i4districts.fetch.vintage import Vintage, VintageStore
from i4districts.io import sha256_bytes


@dataclass
class FetchResult:
    """What one ledger entry produced: a tidy table or a file, and its vintages."""

    spec: DatasetSpec
    vintages: list[Vintage] = field(default_factory=list)
    table: pd.DataFrame | None = None
    file: Path | None = None

    def pins(self) -> dict:
        """The replay pin of this result (written beside the output as ``.vintage.json``).

        Each vintage is pinned by the sha256 of its raw response and of its
        parsed ``data.parquet``; the pin file lives outside the cache, so
        editing a vintage (even together with its ``meta.json``) is detected.
        """
        return {
            "name": self.spec.name,
            "source": self.spec.source,
            "dataset": self.spec.dataset,
            "licence": self.spec.licence,
            "attribution": self.spec.attribution,
            "rows": None if self.table is None else len(self.table),
            "vintages": [
                {"vintage_id": v.vintage_id, "sha256": meta["sha256"],
                 "data_sha256": meta.get("data_sha256"), "url": meta.get("url")}
                for v, meta in ((v, v.meta) for v in self.vintages)
            ],
        }


class _TooBig(Exception):
    pass


@dataclass(frozen=True)
class Expected:
    """Dimensions a response may carry: declared ``dimensions`` plus ``extra`` attribute columns."""

    dimensions: Sequence[str]
    extra: Sequence[str] = ()
    source: str = "the ledger's dimensions"


def describe(spec: DatasetSpec, filters: Mapping[str, Sequence[str]] | None = None) -> str:
    """``'name (source dataset) filters ...'`` for error messages."""
    f = dict(spec.filters if filters is None else filters)
    per = f", periods {spec.start or ''}..{spec.end or ''}" if spec.start or spec.end else ""
    return f"{spec.name} ({spec.source} {spec.dataset}) with filters {f}{per}"


def first_request(spec: DatasetSpec) -> Request:
    """The first request a fetch of ``spec`` sends (structure first where the DSD is needed)."""
    filters = {k: list(v) for k, v in spec.filters.items()}
    if spec.api == "file":
        return Request(spec.url_template)
    if spec.source == "istat":
        return istat.structure_request(spec.dataset)
    if spec.api == "sdmx" and spec.wants_structure:
        return eurostat.structure_request(spec.dataset)
    if spec.api == "sdmx":
        return eurostat.data_request(spec.dataset, spec.dimensions, filters, start=spec.start,
                                     end=spec.end, params=spec.params)
    if spec.api == "statistics":
        return eurostat.statistics_request(spec.dataset, filters, start=spec.start, end=spec.end)
    return eurostat.bulk_request(spec.dataset, spec.params, url=spec.fixed_url)


class Fetcher:
    """Fetch ledger entries according to :class:`FetchSettings` (see module docstring)."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        clients: Mapping[str, HttpClient] | None = None,
    ) -> None:
        self.settings = settings
        self.store = VintageStore(settings.cache)
        self.mirror = Mirror(settings.mirror) if settings.mirror else None
        self._clients: dict[str, HttpClient] = dict(clients or {})

    # ------------------------------------------------------------ transport
    def _client(self, source: str) -> HttpClient:
        if source not in self._clients:
            s = self.settings
            if source == "istat":
                limiter = FileRateLimiter(
                    s.ratelimit_dir / "istat.json", limit=s.istat_limit, window=s.istat_window
                )
                self._clients[source] = HttpClient(policy=s.istat_policy, limiter=limiter, sleep=s.sleep)
            else:
                self._clients[source] = HttpClient(policy=s.policy, sleep=s.sleep)
        return self._clients[source]

    def _get(self, source: str, request: Request, pass_statuses: Sequence[int] = ()) -> tuple[HttpResponse, str]:
        """One response and its origin (``network`` or ``mirror:<path>``)."""
        mode = self.settings.mode
        if mode == "online":
            resp = self._client(source).get(request.url, headers=request.headers,
                                            pass_statuses=pass_statuses)
            return resp, "network"
        if mode == "replay":
            raise OfflineViolation(f"replay mode reads pinned vintages only; refused GET {request.url}")
        if self.mirror is None:
            raise MirrorMiss(
                f"offline mode: GET {request.url} is not in the vintage cache {self.store.root} "
                "and no mirror is configured (--mirror / I4D_MIRROR)"
            )
        resp = self.mirror.response(request)
        if resp is None:
            raise MirrorMiss(
                f"offline mode: GET {request.url} is neither in the vintage cache {self.store.root} "
                f"nor in the mirror index of {self.mirror.root}"
            )
        return resp, f"mirror:{self.mirror.find(request).path}"

    def _base(self, source: str, default: str) -> str:
        return self.settings.bases.get(source, default)

    # ------------------------------------------------------------ public
    def fetch(self, spec: DatasetSpec, pins: Sequence[Mapping[str, str]] | None = None) -> FetchResult:
        """Fetch one ledger entry in the configured mode."""
        if self.settings.mode == "replay":
            block_network("replay")  # a replay never needs the network (replication mode relies on it)
            try:
                if not pins and spec.api == "file" and spec.sha256:
                    # a file the ledger pins by sha256 needs no vintage pin: served from the cache or the
                    # mirror with the network blocked, and refused unless it has the ledger's checksum
                    return Fetcher(replace(self.settings, mode="offline"))._fetch_file(spec)
                return self.replay(spec, pins or [])
            finally:
                unblock_network()
        blocked = self.settings.mode == "offline"
        if blocked:
            block_network("offline")
        try:
            if spec.api == "file":
                return self._fetch_file(spec)
            if spec.source == "istat":
                return self._fetch_istat(spec)
            if spec.source == "eurostat":
                return self._fetch_eurostat(spec)
            raise QueryError(f"{describe(spec)}: no client for source {spec.source!r} api {spec.api!r}")
        finally:
            if blocked:
                unblock_network()

    def replay(self, spec: DatasetSpec, pins: Sequence[Mapping[str, str]]) -> FetchResult:
        """Read pinned vintages back, verifying the sha256 of each stored response and table."""
        if not pins:
            raise FetchError(f"replay mode: no pinned vintage given for {spec.name} (--vintage / --pins)")
        result = FetchResult(spec)
        tables = []
        for pin in pins:
            v = self.store.get(pin["vintage_id"])
            v.verify(pin.get("sha256"), pin.get("data_sha256"))
            result.vintages.append(v)
            if spec.api == "file":
                result.file = v.response_path
            else:
                tables.append(v.read_table())
        if tables:
            result.table = pd.concat(tables, ignore_index=True)
        return result

    # ------------------------------------------------------------ helpers
    def _cached(self, spec: DatasetSpec, request: Request, max_age_s: float | None = None) -> Vintage | None:
        v = self.store.latest(spec.source, spec.dataset, request.query_hash)
        if v is None:
            return None
        if max_age_s is not None:
            fetched = datetime.strptime(v.meta["fetched_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
            if (datetime.now(UTC) - fetched).total_seconds() > max_age_s:
                return None
        v.verify()
        return v

    def _catalog_codes(self, spec: DatasetSpec) -> dict[str, frozenset[str]]:
        if not (spec.catalog and self.mirror):
            return {}
        path = self.mirror.root / spec.catalog
        return load_catalog_constraints(path, spec.dataset) if path.is_file() else {}

    def _structure(self, spec: DatasetSpec, request: Request) -> DataStructure:
        """The DSD: cached (offline, or online if recent) or fetched and stored as a vintage."""
        max_age = None if self.settings.mode == "offline" else self.settings.structure_max_age_s
        v = self._cached(spec, request, max_age)
        if v is not None:
            return parse_structure(v.response_path.read_bytes(), what=f"structure of {spec.dataset}")
        resp, origin = self._get(spec.source, request)
        reject_non_data(resp)
        dsd = parse_structure(resp.body, what=f"structure of {spec.dataset} ({request.url})")
        self.store.write(
            source=spec.source, dataset=spec.dataset, query_hash=request.query_hash, body=resp.body,
            ext="xml", meta={"url": request.url, "query": request.as_record(), "http_status": resp.status,
                             "parser_version": PARSER_VERSION, "format": "sdmx-structure", "origin": origin,
                             "final_url": resp.url},
        )
        return dsd

    def _data(
        self,
        spec: DatasetSpec,
        request: Request,
        filters: Mapping[str, Sequence[str]],
        post: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
        expected: Expected | None = None,
    ) -> tuple[pd.DataFrame, Vintage]:
        """Obtain, unpack, parse and store one data request.

        ``expected``: the dimensions the DSD (or the ledger) declares, and the
        attributes allowed as extra columns; a response carrying any other
        dimension is refused (:class:`ParseError` naming it).
        """
        what = f"{describe(spec, filters)} [{request.url}]"
        if self.settings.mode == "offline":
            v = self._cached(spec, request)
            if v is not None:
                if v.meta.get("format") == "eurostat-413":
                    raise _TooBig(v.response_path.read_bytes()[:300].decode("utf-8", "replace"))
                return v.read_table(), v
        passing = (413,) if spec.source == "eurostat" else ()
        resp, origin = self._get(spec.source, request, pass_statuses=passing)
        delivered_from = None
        if spec.source == "eurostat":
            if eurostat.is_extraction_too_big(resp.status, resp.body):
                # the refusal is a response too: recorded, so offline re-runs split the same way
                self.store.write(
                    source=spec.source, dataset=spec.dataset, query_hash=request.query_hash,
                    body=resp.body, ext="txt",
                    meta={"url": request.url, "query": request.as_record(), "http_status": resp.status,
                          "parser_version": PARSER_VERSION, "format": "eurostat-413", "origin": origin},
                )
                raise _TooBig(resp.body[:300].decode("utf-8", "replace"))
            if resp.status == 413:
                notice = eurostat.detect_async(resp.body, spec.format, what=what)
                if notice is None:
                    raise FetchError(f"{what}: HTTP 413 neither async notice nor EXTRACTION_TOO_BIG")
            else:
                notice = eurostat.detect_async(resp.body, spec.format, what=what) if resp.body else None
            if notice is not None:
                resp, origin, delivered_from = self._await_async(spec, request, notice, what)
        reject_non_data(resp)
        if origin.startswith("mirror:") and self.mirror is not None:
            what = f"{what} from mirror file {self.mirror.root / origin[len('mirror:'):]}"
        table = derive_table(resp.body, spec.format, what=what, post=post,
                             max_bytes=self.settings.policy.max_bytes)
        if expected is not None:
            check_dimensions(table, expected.dimensions, expected.extra, what=what, declared_by=expected.source)
        if table.empty:
            raise ResponseRejected(f"{what}: the response parsed to zero observations")
        ext = "zip" if is_zip(resp.body) else ("gz" if resp.body[:2] == b"\x1f\x8b" else spec.ext)
        v = self.store.write(
            source=spec.source, dataset=spec.dataset, query_hash=request.query_hash, body=resp.body,
            ext=ext, table=table,
            meta={"url": request.url, "query": {**request.as_record(), "filters": dict(filters),
                                                "start": spec.start, "end": spec.end},
                  "http_status": resp.status, "parser_version": PARSER_VERSION,
                  "format": spec.format, "api": spec.api, "origin": origin,
                  "delivered_from": delivered_from, "final_url": resp.url,
                  "licence": spec.licence, "attribution": spec.attribution},
        )
        return table.assign(vintage_id=v.vintage_id), v

    def _await_async(
        self, spec: DatasetSpec, request: Request, notice: eurostat.AsyncNotice, what: str
    ) -> tuple[HttpResponse, str, str]:
        """Poll an asynchronous delivery at most ``async_max_polls`` times."""
        s = self.settings
        base = self._base("eurostat", eurostat.BASE)
        if notice.file_url and urlsplit(notice.file_url).hostname != urlsplit(base).hostname:
            raise FetchError(
                f"{what}: asynchronous delivery points to host {urlsplit(notice.file_url).hostname!r} "
                f"({notice.file_url}), not the API host {urlsplit(base).hostname!r}; refused"
            )
        for attempt in range(1, s.async_max_polls + 1):
            if notice.file_url:
                resp, origin = self._get("eurostat", Request(notice.file_url), pass_statuses=(404,))
                if resp.status == 200 and resp.body and eurostat.detect_async(resp.body, spec.format, what=what) is None:
                    return resp, origin, notice.file_url
            elif notice.key:
                st_resp, _ = self._get("eurostat", eurostat.async_status_request(notice.key, base))
                status = eurostat.async_status(st_resp.body, what=f"{what} async status")
                if status == "AVAILABLE":
                    data_req = eurostat.async_data_request(notice.key, base)
                    resp, origin = self._get("eurostat", data_req)
                    return resp, origin, data_req.url
                if status in ("EXPIRED", "UNKNOWN_REQUEST"):
                    raise FetchError(f"{what}: asynchronous request {notice.key} is {status}")
            else:  # JSON-stat "try again later": the same request, later
                resp, origin = self._get("eurostat", request, pass_statuses=(413,))
                if eurostat.detect_async(resp.body, spec.format, what=what) is None:
                    return resp, origin, request.url
            if attempt < s.async_max_polls:
                s.sleep(s.async_poll_interval)
        raise AsyncTimeout(
            f"{what}: asynchronous delivery not ready after {s.async_max_polls} polls "
            f"{s.async_poll_interval:g} s apart ({notice.file_url or notice.key}); try again later"
        )

    def _split(
        self,
        spec: DatasetSpec,
        filters: Mapping[str, list[str]],
        build: Callable[[Mapping[str, list[str]]], Request],
        codes_known: Mapping[str, frozenset[str]],
        post: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
        expected: Expected | None = None,
    ) -> tuple[list[pd.DataFrame], list[Vintage]]:
        """Fetch; on EXTRACTION_TOO_BIG split along ``spec.split_dimension`` (one level)."""
        try:
            table, v = self._data(spec, build(filters), filters, post, expected)
            return [table], [v]
        except _TooBig as exc:
            dim = spec.split_dimension
            lower = {k.lower(): k for k in filters}
            codes = list(filters.get(lower.get(dim.lower(), ""), [])) if dim else []
            if dim and (not codes or WILDCARD in codes):
                codes = sorted(codes_known.get(dim, codes_known.get(dim.lower(), ())))
            if not dim or len(codes) <= 1 or any(len(v) == 1 and k.lower() == dim.lower() for k, v in filters.items()):
                raise ExtractionTooBig(
                    f"{describe(spec, filters)}: Eurostat answered 413 EXTRACTION_TOO_BIG ({exc}); "
                    + ("no split_dimension in the ledger" if not dim else
                       f"cannot split further along {dim!r}") + "; narrow these filters"
                ) from None
            tables, vintages = [], []
            key = lower.get(dim.lower(), dim)
            for sub in eurostat.split_filters(filters, key, codes):
                t, v = self._split(spec, sub, build, codes_known, post, expected)
                tables += t
                vintages += v
            return tables, vintages

    # ------------------------------------------------------------ sources
    def _fetch_eurostat(self, spec: DatasetSpec) -> FetchResult:
        base = self._base("eurostat", eurostat.BASE)
        codes = self._catalog_codes(spec)
        dims: Sequence[str] = spec.dimensions or tuple(spec.filters)
        expected = Expected(spec.dimensions, (), "the ledger's dimensions") if spec.dimensions else None
        if spec.api == "sdmx" and spec.wants_structure:
            dsd = self._structure(spec, eurostat.structure_request(spec.dataset, base))
            dims = dsd.dimensions
            codes = {**codes, **dsd.codes_by_dimension()}
            expected = Expected(dsd.dimensions, dsd.attributes, f"the DSD {dsd.id}")
        what = describe(spec)
        if spec.api == "sdmx":
            if not dims:
                raise QueryError(f"{what}: no dimension order (ledger 'dimensions' or DSD)")
            filters = validate_filters(spec.filters, dims, codes, what=what)
            def build(f):
                return eurostat.data_request(spec.dataset, dims, f, start=spec.start, end=spec.end,
                                             params=spec.params, base=base)
            post = None
        elif spec.api == "statistics":
            filters = validate_filters(spec.filters, dims or tuple(spec.filters), codes, what=what)
            def build(f):
                return eurostat.statistics_request(spec.dataset, f, start=spec.start, end=spec.end, base=base)
            post = None
        elif spec.api == "bulk":
            filters = validate_filters(spec.filters, dims or tuple(spec.filters), codes, what=what)
            def build(f):
                return eurostat.bulk_request(spec.dataset, spec.params, base=base, url=spec.fixed_url)
            def post(t):
                return apply_filters(t, filters, spec.start, spec.end)
        else:
            raise QueryError(f"{what}: api {spec.api!r} not supported for eurostat")
        tables, vintages = self._split(spec, filters, build, codes, post, expected)
        return FetchResult(spec, vintages, pd.concat(tables, ignore_index=True))

    def _fetch_istat(self, spec: DatasetSpec) -> FetchResult:
        base = self._base("istat", istat.BASE)
        dsd = self._structure(spec, istat.structure_request(spec.dataset, base))
        what = describe(spec)
        # the key follows the DSD's order; the ledger's `dimensions` only document it, and
        # validate_filters (require_all) rejects filters naming a dimension the DSD lacks
        codes = {**self._catalog_codes(spec), **dsd.codes_by_dimension()}
        filters = validate_filters(spec.filters, dsd.dimensions, codes, what=what, require_all=True)
        request = istat.data_request(spec.dataset, dsd.dimensions, filters, start=spec.start,
                                     end=spec.end, base=base)
        table, v = self._data(spec, request, filters,
                              expected=Expected(dsd.dimensions, dsd.attributes, f"the DSD {dsd.id}"))
        return FetchResult(spec, [v], table)

    def _fetch_file(self, spec: DatasetSpec) -> FetchResult:
        request = Request(spec.url_template)
        what = f"{spec.name} ({request.url})"
        v = self._cached(spec, request) if self.settings.mode == "offline" else None
        if v is None:
            resp, origin = self._get(spec.source, request)
            reject_non_data(resp)
            digest = sha256_bytes(resp.body)
            if spec.sha256 and digest != spec.sha256:
                raise ChecksumMismatch(
                    f"{what}: sha256 {digest} differs from the ledger's pinned {spec.sha256}; "
                    "the file changed at the source: review it, then update the pin"
                )
            v = self.store.write(
                source=spec.source, dataset=spec.dataset, query_hash=request.query_hash,
                body=resp.body, ext=spec.ext,
                meta={"url": request.url, "query": request.as_record(), "http_status": resp.status,
                      "parser_version": None, "format": spec.format, "origin": origin,
                      "final_url": resp.url, "licence": spec.licence, "attribution": spec.attribution},
            )
        v.verify(spec.sha256)
        return FetchResult(spec, [v], None, v.response_path)


__all__ = ["DATA_SUFFIXES", "Expected", "FetchResult", "Fetcher", "apply_filters", "describe",
           "first_request", "unpack_body"]
