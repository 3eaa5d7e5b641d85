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
from i4districts.fetch.parsers.common import MISSING_MARKERS, first_repr, tidy_frame

#: Largest declared cube (product of the dimension sizes) accepted before anything is
#: allocated. Eurostat refuses extractions above 5 000 000 cells (413 EXTRACTION_TOO_BIG,
#: "max authorised is 5000000"), so a larger declaration is malformed or hostile: an 8 KB
#: document declaring 300 x 300 x 300 cells would otherwise allocate gigabytes.
MAX_CELLS = 5_000_000


def _as_sparse(obj, n: int, what: str, field: str) -> dict[int, object]:
    if obj is None:
        return {}
    if isinstance(obj, list):
        if len(obj) != n:
            raise ParseError(f"{what}: JSON-stat {field!r} has {len(obj)} cells, size product is {n}")
        return {i: v for i, v in enumerate(obj) if v is not None}
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            try:
                out[int(k)] = v
            except ValueError:
                raise ParseError(f"{what}: JSON-stat {field!r} has a non-integer cell index {k!r}") from None
        return out
    raise ParseError(f"{what}: JSON-stat {field!r} of unexpected type {type(obj).__name__}")


def _codes(dim: dict, name: str, size: int, what: str) -> list[str]:
    if not isinstance(dim, dict) or not isinstance(dim.get("category", {}), dict):
        raise ParseError(f"{what}: JSON-stat dimension {name!r} is not an object with a 'category'")
    index = dim.get("category", {}).get("index")
    if index is None:
        labels = dim.get("category", {}).get("label", {})
        if not isinstance(labels, dict):
            raise ParseError(f"{what}: JSON-stat dimension {name!r} has no category index and its "
                             f"category label is a {type(labels).__name__}, not an object")
        codes = list(labels)
    elif isinstance(index, list):
        codes = list(index)
    elif isinstance(index, dict):
        codes = [None] * len(index)
        for code, pos in index.items():
            if not isinstance(pos, int) or isinstance(pos, bool) or not 0 <= pos < len(index):
                raise ParseError(f"{what}: JSON-stat dimension {name!r} code {code!r} has position {pos!r}, "
                                 f"outside 0..{len(index) - 1}")
            codes[pos] = code
    else:
        raise ParseError(f"{what}: JSON-stat dimension {name!r} category index of type {type(index).__name__}")
    if len(codes) != size or any(c is None for c in codes):
        raise ParseError(f"{what}: JSON-stat dimension {name!r} has {len(codes)} codes, size {size}")
    odd = [c for c in codes if not isinstance(c, str) or not c]
    if odd:
        raise ParseError(f"{what}: JSON-stat dimension {name!r} has codes that are not non-empty strings: "
                         f"{first_repr(odd, 5)}")
    if len(set(codes)) != len(codes):
        raise ParseError(f"{what}: JSON-stat dimension {name!r} lists a code twice: {first_repr(codes)}")
    return codes


def _number(v: object, flat: int, row: dict, what: str) -> float:
    if v is None:
        return math.nan
    if isinstance(v, str) and v.strip() in MISSING_MARKERS:
        return math.nan
    if isinstance(v, bool):
        v = None
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        where = ", ".join(f"{k}={c}" for k, c in row.items())
        raise ParseError(f"{what}: JSON-stat value {v!r} at cell {flat} ({where}) is not a number") from None


def parse_jsonstat(data: bytes, *, what: str, max_cells: int | None = None) -> pd.DataFrame:
    """Tidy table of a JSON-stat 2.0 ``dataset`` response.

    Refuses (``ParseError`` naming ``what``) a declared cube larger than
    ``max_cells`` (default :data:`MAX_CELLS`), a dimension listed in ``id``
    but absent from ``dimension``, and a value that is not a number.
    """
    max_cells = MAX_CELLS if max_cells is None else max_cells
    try:
        doc = json.loads(data)
    except RecursionError:
        raise ParseError(f"{what}: JSON nested too deeply to be a JSON-stat dataset") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, integers beyond the digit limit
        raise ParseError(f"{what}: not valid JSON ({str(exc)[:200]})") from None
    if not isinstance(doc, dict) or doc.get("class") != "dataset":
        keys = list(doc)[:8] if isinstance(doc, dict) else type(doc).__name__
        raise ParseError(f"{what}: not a JSON-stat 2.0 dataset (top-level keys {keys})")
    ids, sizes = doc.get("id"), doc.get("size")
    if not isinstance(ids, list) or not isinstance(sizes, list) or not ids or len(ids) != len(sizes):
        raise ParseError(f"{what}: JSON-stat 'id' {str(ids)[:200]} and 'size' {str(sizes)[:200]} do not match")
    odd = [d for d in ids if not isinstance(d, str) or not d]
    if odd:
        raise ParseError(f"{what}: JSON-stat 'id' holds entries that are not dimension names: {first_repr(odd, 5)}")
    if len(set(ids)) != len(ids):
        raise ParseError(f"{what}: JSON-stat 'id' lists a dimension twice: {first_repr(ids)}")
    bad = [s for s in sizes if not isinstance(s, int) or isinstance(s, bool) or s < 0]
    if bad:
        raise ParseError(f"{what}: JSON-stat 'size' holds values that are not non-negative integers: {bad[:5]}")
    n = math.prod(sizes)  # exact integer: checked before anything of size n is allocated
    if n > max_cells:
        raise ParseError(
            f"{what}: JSON-stat dataset declares {' x '.join(map(str, sizes))} = {n} cells, more than the "
            f"limit of {max_cells} (jsonstat.MAX_CELLS; Eurostat itself serves at most 5 000 000)"
        )
    dimension = doc.get("dimension")
    if not isinstance(dimension, dict):
        raise ParseError(f"{what}: JSON-stat dataset has no 'dimension' object")
    missing = [d for d in ids if d not in dimension]
    if missing:
        raise ParseError(
            f"{what}: JSON-stat dimension(s) {missing} listed in 'id' are missing from 'dimension' "
            f"(which has {list(dimension)[:10]})"
        )
    codes = [_codes(dimension[d], d, s, what) for d, s in zip(ids, sizes, strict=True)]
    strides = [math.prod(sizes[k + 1 :]) for k in range(len(sizes))]
    values = _as_sparse(doc.get("value"), n, what, "value")
    raw_status = doc.get("status")
    if isinstance(raw_status, str):
        # one status for every cell: all n cells of a dense value array (as long as the
        # document itself), else only the cells holding a value, never all n declared
        # cells of a sparse document (100 bytes could otherwise ask for 5 000 000 rows)
        cells = range(n) if isinstance(doc.get("value"), list) else values
        status = dict.fromkeys(cells, raw_status)
    else:
        status = _as_sparse(raw_status, n, what, "status")
    odd = [v for v in status.values() if not isinstance(v, str)]
    if odd:
        raise ParseError(f"{what}: JSON-stat 'status' holds values that are not strings: {first_repr(odd, 5)}")
    role = doc.get("role") if isinstance(doc.get("role"), dict) else {}
    role_time = role.get("time") or []
    if not isinstance(role_time, list) or not all(isinstance(t, str) for t in role_time):
        raise ParseError(f"{what}: JSON-stat 'role.time' should be a list of dimension names, "
                         f"not {str(role_time)[:200]}")
    tdim = role_time[0] if role_time else ("time" if "time" in ids else None)
    if tdim is None or tdim not in ids:
        raise ParseError(f"{what}: JSON-stat dataset has no time dimension among {ids} "
                         f"(role.time is {role_time})")
    dims = [d for d in ids if d != tdim]
    rows = []
    for flat in sorted(set(values) | set(status)):
        if not 0 <= flat < n:
            raise ParseError(f"{what}: JSON-stat cell index {flat} outside 0..{n - 1}")
        row: dict = {}
        for d, cs, st in zip(ids, codes, strides, strict=True):
            code = cs[(flat // st) % len(cs)]
            row["time" if d == tdim else d] = code
        row["value"] = _number(values.get(flat), flat, row, what)
        if flat in status:
            row["obs_flag"] = status[flat]
        rows.append(row)
    return tidy_frame(rows, dims, what=what)
