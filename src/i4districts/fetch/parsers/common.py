"""Shared tidy-table construction and the format dispatcher."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from i4districts.fetch.errors import ParseError

#: Bumped whenever any parser changes its output; recorded in the manifest.
PARSER_VERSION = "1.0"

FLAG_COLUMNS = ("obs_flag", "obs_status", "conf_status")
#: SDMX attribute ids mapped to the tidy flag columns.
FLAG_ATTRIBUTES = {"OBS_FLAG": "obs_flag", "OBS_STATUS": "obs_status", "CONF_STATUS": "conf_status"}
#: Missing-value markers: Eurostat ``:``, SDMX ``NaN``, empty cells.
MISSING_MARKERS = frozenset({"", ":", "NaN", "nan", "NA"})
RESERVED = ("time", "value", *FLAG_COLUMNS, "vintage_id")


def parse_value(raw: str | None, *, what: str) -> float:
    """Observation value as float; ``:``/empty/``NaN`` give NaN (never 0)."""
    if raw is None:
        return math.nan
    text = raw.strip()
    if text in MISSING_MARKERS:
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise ParseError(f"{what}: observation value {raw!r} is not a number") from None


def dimension_columns(dims: Sequence[object], *, what: str) -> list[str]:
    """Lower-case column names of the dimension ids ``dims``, refusing unusable ids.

    A dimension id must be a non-empty string without surrounding blanks, must
    not collide with a reserved column (``time``, ``value``, the flags,
    ``vintage_id``) and must be unique case-insensitively.
    """
    bad = [d for d in dims if not isinstance(d, str) or not d.strip() or d != d.strip()]
    if bad:
        raise ParseError(f"{what}: dimension ids {first_repr(bad)} are not non-empty codes "
                         f"(all ids: {first_repr(dims)})")
    cols = [str(d).lower() for d in dims]
    clash = [c for c in cols if c in RESERVED]
    if clash:
        raise ParseError(f"{what}: dimension ids {clash} collide with reserved columns")
    if len(set(cols)) != len(cols):
        raise ParseError(f"{what}: duplicate dimension ids (case-insensitive) in {first_repr(dims)}")
    return cols


def first_repr(values: Sequence[object], n: int = 10, width: int = 200) -> str:
    """Short repr of the first ``n`` values (error messages never dump a whole hostile body)."""
    text = repr(list(values[:n])) + (f" ... ({len(values)} in all)" if len(values) > n else "")
    return text if len(text) <= width else text[:width] + "..."


def tidy_frame(
    rows: Iterable[Mapping[str, object]], dims: list[str], *, what: str
) -> pd.DataFrame:
    """Build the tidy table from row dicts keyed by original dimension ids.

    ``dims`` are the dimension ids in message order; they become lower-case
    columns. Each row must carry ``time`` and ``value`` (float) and may carry
    the flag columns.
    """
    cols = dimension_columns(dims, what=what)
    data: dict[str, list] = {c: [] for c in (*cols, "time", "value", *FLAG_COLUMNS)}
    for row in rows:
        for d, c in zip(dims, cols, strict=True):
            data[c].append(row.get(d))
        data["time"].append(row.get("time"))
        data["value"].append(row.get("value", math.nan))
        for f in FLAG_COLUMNS:
            v = row.get(f)
            data[f].append(v if v not in ("", None) else None)
    for f in FLAG_COLUMNS:
        odd = [v for v in data[f] if v is not None and not isinstance(v, str)]
        if odd:
            raise ParseError(f"{what}: flag column {f!r} holds values that are not strings: {first_repr(odd, 5)}")
    frame = pd.DataFrame(
        {
            **{c: pd.Series(data[c], dtype=object) for c in (*cols, "time")},
            "value": pd.Series(data["value"], dtype=np.float64),
            **{f: pd.Series(data[f], dtype="string") for f in FLAG_COLUMNS},
        }
    )
    for c in (*cols, "time"):
        bad = [i for i, v in enumerate(data[c]) if not isinstance(v, str) or v == ""]
        if bad:
            raise ParseError(f"{what}: column {c!r} has no code in rows {bad[:5]} "
                             f"(got {first_repr([data[c][i] for i in bad[:5]])})")
        frame[c] = frame[c].astype("string")
    return frame


def tidy_from_columns(
    dims: dict[str, object], time: object, value: object, flags: dict[str, object], *, what: str
) -> pd.DataFrame:
    """Build the tidy table from equal-length columns (vectorised parsers).

    ``dims`` maps original dimension ids to code arrays; ``flags`` maps flag
    column names (subset of :data:`FLAG_COLUMNS`) to arrays, empty strings
    meaning no flag.
    """
    cols = dimension_columns(list(dims), what=what)
    out = {c: pd.Series(v, dtype="string") for c, v in zip(cols, dims.values(), strict=True)}
    out["time"] = pd.Series(time, dtype="string")
    out["value"] = pd.Series(value, dtype=np.float64)
    n = len(out["value"])
    for f in FLAG_COLUMNS:
        col = pd.Series(flags[f], dtype="string") if f in flags else pd.Series([None] * n, dtype="string")
        out[f] = col.mask(col == "")
    frame = pd.DataFrame(out)
    for c in (*cols, "time"):
        if frame[c].isna().any() or (frame[c] == "").any():
            bad = frame.index[frame[c].isna() | (frame[c] == "")][:5].tolist()
            raise ParseError(f"{what}: column {c!r} has no code in rows {bad}")
    return frame


def numeric_values(raw: pd.Series, *, what: str) -> np.ndarray:
    """Vectorised :func:`parse_value`: missing markers give NaN, anything else must be a number."""
    text = raw.astype("string").str.strip()
    missing = text.isna() | text.isin(list(MISSING_MARKERS))
    nums = pd.to_numeric(text.mask(missing), errors="coerce")
    bad = text[nums.isna() & ~missing]
    if len(bad):
        raise ParseError(f"{what}: observation values {bad.head(5).tolist()} are not numbers")
    return nums.to_numpy(dtype=np.float64)


def check_dimensions(
    table: pd.DataFrame,
    dimensions: Sequence[str],
    extra: Sequence[str] = (),
    *,
    what: str,
    declared_by: str = "the ledger's dimensions",
) -> None:
    """Refuse a parsed table carrying a dimension column that is not declared.

    ``dimensions`` come from the DSD (or the ledger entry's ``dimensions``
    when no DSD is fetched); ``extra`` lists attributes the DSD declares,
    which parsers keep as columns. Comparison is case-insensitive; the time
    dimension and the flag columns are not dimensions here. A response with
    an undeclared dimension would otherwise add a column silently and
    duplicate keys downstream.
    """
    if not dimensions:
        return
    known = {str(d).lower() for d in (*dimensions, *extra)}
    unknown = [c for c in table.columns if c not in RESERVED and str(c).lower() not in known]
    if unknown:
        raise ParseError(
            f"{what}: the response has dimension(s) {unknown} that are not in {declared_by} "
            f"{list(dimensions)}; refusing to add undeclared columns"
        )


def parse_body(data: bytes, fmt: str, *, what: str) -> pd.DataFrame:
    """Dispatch ``data`` to the parser of ``fmt``.

    Formats: ``sdmx-ml`` (StructureSpecific or Generic, 2.1), ``sdmx-csv``,
    ``jsonstat`` (JSON-stat 2.0), ``tsv`` (Eurostat bulk SDMX-TSV).
    """
    from i4districts.fetch.parsers import jsonstat, sdmx_csv, sdmx_ml, tsv

    parsers = {
        "sdmx-ml": sdmx_ml.parse_sdmx_ml,
        "sdmx-csv": sdmx_csv.parse_sdmx_csv,
        "jsonstat": jsonstat.parse_jsonstat,
        "tsv": tsv.parse_tsv,
    }
    if fmt not in parsers:
        raise ParseError(f"{what}: unknown format {fmt!r}; known: {sorted(parsers)}")
    return parsers[fmt](data, what=what)
