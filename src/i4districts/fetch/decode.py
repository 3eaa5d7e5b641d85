"""Raw response bytes -> tidy table: the one derivation used when fetching and when verifying.

:func:`derive_table` is what :class:`~i4districts.fetch.client.Fetcher` runs
on a response before storing it, and what
:meth:`~i4districts.fetch.vintage.Vintage.verify` runs again on the stored
raw response to check ``data.parquet``: the parsed table is trusted only
because it can be re-derived from the raw bytes whose sha256 is pinned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from i4districts.fetch.errors import QueryError, ResponseRejected
from i4districts.fetch.ledger import WILDCARD
from i4districts.fetch.parsers import parse_body
from i4districts.fetch.safety import DEFAULT_MAX_BYTES, gunzip_capped, is_gzip, is_zip, read_zip_members

DATA_SUFFIXES = (".xml", ".csv", ".json", ".tsv")


def unpack_body(body: bytes, *, what: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Data bytes inside a zip (single data member) or gzip body; other bodies unchanged.

    Both are capped at ``max_bytes`` of output (:class:`UnsafeContent` beyond,
    without decompressing the rest); a corrupt archive raises :class:`ParseError`.
    """
    if is_zip(body):
        members = read_zip_members(body, what=what, max_bytes=max_bytes)
        data = {n: b for n, b in members.items() if n.lower().endswith(DATA_SUFFIXES)}
        if len(data) != 1:
            raise ResponseRejected(f"{what}: zip should hold one data file, holds {sorted(members)}")
        return next(iter(data.values()))
    if is_gzip(body):
        return gunzip_capped(body, what=what, max_bytes=max_bytes)
    return body


def apply_filters(
    table: pd.DataFrame, filters: Mapping[str, Sequence[str]], start: str | None, end: str | None
) -> pd.DataFrame:
    """Rows matching ``filters`` (``*`` = any) and ``start <= time <= end`` (same-format strings)."""
    keep = pd.Series(True, index=table.index)
    for dim, codes in filters.items():
        col = dim.lower()
        if col not in table.columns:
            raise QueryError(f"filter dimension {dim!r} not among columns {list(table.columns)}")
        if WILDCARD not in codes:
            keep &= table[col].isin(list(codes))
    if start:
        keep &= table["time"] >= start
    if end:
        keep &= table["time"] <= end
    return table.loc[keep].reset_index(drop=True)


def derive_table(
    body: bytes,
    fmt: str,
    *,
    what: str,
    post: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> pd.DataFrame:
    """Unpack (zip/gzip), parse ``fmt`` and apply ``post`` (bulk downloads: the ledger filters)."""
    table = parse_body(unpack_body(body, what=what, max_bytes=max_bytes), fmt, what=what)
    return post(table) if post is not None else table


def post_filter_of(meta: Mapping) -> Callable[[pd.DataFrame], pd.DataFrame] | None:
    """The ``post`` step recorded in a vintage's ``meta.json``: bulk TSV downloads are filtered locally."""
    api = meta.get("api")
    if api != "bulk" and not (api is None and meta.get("format") == "tsv"):
        return None
    query = meta.get("query") or {}
    filters = query.get("filters") or {}
    start, end = query.get("start"), query.get("end")
    return lambda t: apply_filters(t, filters, start, end)


__all__ = ["DATA_SUFFIXES", "apply_filters", "derive_table", "post_filter_of", "unpack_body"]
