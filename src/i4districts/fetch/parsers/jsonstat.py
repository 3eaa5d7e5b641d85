"""JSON-stat 2.0 datasets (Eurostat ``statistics/1.0`` API).

Cell ``(i_1, ..., i_n)`` sits at flat index ``sum_k i_k * stride_k`` with
row-major strides ``stride_k = prod_{j>k} size_j`` (JSON-stat 2.0 spec,
"value"). ``value`` and ``status`` may be arrays or sparse objects keyed by
the flat index; absent cells are not observations. Eurostat's ``status``
holds the single-letter flags, stored in ``obs_flag``.

Reference: JSON-stat 2.0 format, https://json-stat.org/full/ ("value", "status", "size").
"""

from __future__ import annotations

import json
import math

import pandas as pd

from i4districts.fetch.errors import ParseError
from i4districts.fetch.parsers.common import tidy_frame


def _as_sparse(obj, n: int, what: str, field: str) -> dict[int, object]:
    if obj is None:
        return {}
    if isinstance(obj, list):
        if len(obj) != n:
            raise ParseError(f"{what}: JSON-stat {field!r} has {len(obj)} cells, size product is {n}")
        return {i: v for i, v in enumerate(obj) if v is not None}
    if isinstance(obj, dict):
        return {int(k): v for k, v in obj.items()}
    if isinstance(obj, str) and field == "status":
        return {i: obj for i in range(n)}
    raise ParseError(f"{what}: JSON-stat {field!r} of unexpected type {type(obj).__name__}")


def _codes(dim: dict, name: str, size: int, what: str) -> list[str]:
    index = dim.get("category", {}).get("index")
    if index is None:
        labels = dim.get("category", {}).get("label", {})
        codes = list(labels)
    elif isinstance(index, list):
        codes = list(index)
    else:
        codes = [None] * len(index)
        for code, pos in index.items():
            codes[pos] = code
    if len(codes) != size or any(c is None for c in codes):
        raise ParseError(f"{what}: JSON-stat dimension {name!r} has {len(codes)} codes, size {size}")
    return codes


def parse_jsonstat(data: bytes, *, what: str) -> pd.DataFrame:
    """Tidy table of a JSON-stat 2.0 ``dataset`` response."""
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"{what}: not valid JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("class") != "dataset":
        keys = list(doc)[:8] if isinstance(doc, dict) else type(doc).__name__
        raise ParseError(f"{what}: not a JSON-stat 2.0 dataset (top-level keys {keys})")
    ids, sizes = doc.get("id"), doc.get("size")
    if not ids or not sizes or len(ids) != len(sizes):
        raise ParseError(f"{what}: JSON-stat 'id' {ids} and 'size' {sizes} do not match")
    n = math.prod(sizes)
    codes = [_codes(doc["dimension"][d], d, s, what) for d, s in zip(ids, sizes, strict=True)]
    strides = [math.prod(sizes[k + 1 :]) for k in range(len(sizes))]
    values = _as_sparse(doc.get("value"), n, what, "value")
    status = _as_sparse(doc.get("status"), n, what, "status")
    role_time = doc.get("role", {}).get("time") or []
    tdim = role_time[0] if role_time else ("time" if "time" in ids else None)
    if tdim is None:
        raise ParseError(f"{what}: JSON-stat dataset has no time dimension among {ids}")
    dims = [d for d in ids if d != tdim]
    rows = []
    for flat in sorted(set(values) | set(status)):
        if not 0 <= flat < n:
            raise ParseError(f"{what}: JSON-stat cell index {flat} outside 0..{n - 1}")
        row: dict = {}
        for d, cs, st in zip(ids, codes, strides, strict=True):
            code = cs[(flat // st) % len(cs)]
            row["time" if d == tdim else d] = code
        v = values.get(flat)
        row["value"] = math.nan if v is None else float(v)
        if flat in status:
            row["obs_flag"] = status[flat]
        rows.append(row)
    return tidy_frame(rows, dims, what=what)
