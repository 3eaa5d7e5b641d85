"""SDMX-CSV (1.0 as served by Eurostat's SDMX 2.1 API, and 2.0) data files.

One observation per line; columns ``DATAFLOW``/``STRUCTURE``... describe the
message, then the dimensions, ``TIME_PERIOD``, ``OBS_VALUE`` and the flag
attributes (``OBS_FLAG``; since 2025 ``OBS_STATUS`` and ``CONF_STATUS``).

Reference: SDMX-CSV format specification v1.0 and v2.0 (github.com/sdmx-twg/sdmx-csv).
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from i4districts.fetch.errors import ParseError
from i4districts.fetch.parsers.common import FLAG_ATTRIBUTES, numeric_values, tidy_from_columns

#: Columns that describe the message, not the observation.
META_COLUMNS = frozenset(
    {"DATAFLOW", "LAST UPDATE", "STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION"}
)
NON_DIMENSION = frozenset({"TIME_PERIOD", "OBS_VALUE", *FLAG_ATTRIBUTES, "OBS_CONF"})


def parse_sdmx_csv(data: bytes, *, what: str) -> pd.DataFrame:
    """Tidy table of an SDMX-CSV file (header row, one observation per line)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{what}: SDMX-CSV is not UTF-8 ({exc})") from None
    try:
        header = next(csv.reader(io.StringIO(text)))
    except StopIteration:
        raise ParseError(f"{what}: empty SDMX-CSV body (no header line)") from None
    except csv.Error as exc:
        raise ParseError(f"{what}: malformed SDMX-CSV header ({exc})") from None
    missing = [c for c in ("TIME_PERIOD", "OBS_VALUE") if c not in header]
    if missing:
        raise ParseError(f"{what}: SDMX-CSV header lacks {missing}; header is {header[:10]}")
    try:
        bad = [(i, len(rec)) for i, rec in enumerate(csv.reader(io.StringIO(text)), start=1)
               if rec and len(rec) != len(header)]
    except csv.Error as exc:
        raise ParseError(f"{what}: malformed SDMX-CSV ({exc})") from None
    if bad:
        raise ParseError(
            f"{what}: SDMX-CSV lines {[i for i, _ in bad[:5]]} have {[n for _, n in bad[:5]]} fields, "
            f"header has {len(header)} (truncated body?)"
        )
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ParseError(f"{what}: malformed SDMX-CSV ({exc})") from exc
    if len(frame.columns) != len(header):
        raise ParseError(f"{what}: SDMX-CSV header has duplicate or blank columns: {header}")
    dims = [c for c in header if c not in META_COLUMNS and c not in NON_DIMENSION]
    return tidy_from_columns(
        {d: frame[d].to_numpy(dtype=object) for d in dims},
        frame["TIME_PERIOD"].to_numpy(dtype=object),
        numeric_values(frame["OBS_VALUE"], what=what),
        {col: frame[att].to_numpy(dtype=object) for att, col in FLAG_ATTRIBUTES.items() if att in frame},
        what=what,
    )
