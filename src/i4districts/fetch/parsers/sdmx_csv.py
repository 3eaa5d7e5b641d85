"""SDMX-CSV (1.0 as served by Eurostat's SDMX 2.1 API, and 2.0) data files.

One observation per line; columns ``DATAFLOW``/``STRUCTURE``... describe the
message, then the dimensions, ``TIME_PERIOD``, ``OBS_VALUE`` and the flag
attributes (``OBS_FLAG``; since 2025 ``OBS_STATUS`` and ``CONF_STATUS``).

Reference: SDMX-CSV format specification v1.0 and v2.0 (github.com/sdmx-twg/sdmx-csv).
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from i4districts.fetch.errors import ParseError
from i4districts.fetch.parsers.common import FLAG_ATTRIBUTES, first_repr, numeric_values, tidy_from_columns

#: Columns that describe the message, not the observation.
META_COLUMNS = frozenset(
    {"DATAFLOW", "LAST UPDATE", "STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION"}
)
NON_DIMENSION = frozenset({"TIME_PERIOD", "OBS_VALUE", *FLAG_ATTRIBUTES, "OBS_CONF"})


def parse_sdmx_csv(data: bytes, *, what: str) -> pd.DataFrame:
    """Tidy table of an SDMX-CSV file (header row, one observation per line).

    Raises :class:`~i4districts.fetch.errors.ParseError` naming ``what`` for a
    body that is not UTF-8 CSV, a header without ``TIME_PERIOD``/``OBS_VALUE``
    or with blank or repeated columns, a line whose field count differs from
    the header's, and a value that is not a number.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{what}: SDMX-CSV is not UTF-8 ({exc})") from None
    # one csv pass gives both the field-count check and the columns, so the header
    # and the rows are split by the same reader (no second parser to disagree with)
    reader = csv.reader(io.StringIO(text))
    records, line_of = [], []
    try:
        for rec in reader:
            if rec:
                records.append(rec)
                line_of.append(reader.line_num)
    except csv.Error as exc:
        raise ParseError(f"{what}: malformed SDMX-CSV near line {reader.line_num} ({exc})") from None
    if not records:
        raise ParseError(f"{what}: empty SDMX-CSV body (no header line)")
    header, body = records[0], records[1:]
    missing = [c for c in ("TIME_PERIOD", "OBS_VALUE") if c not in header]
    if missing:
        raise ParseError(f"{what}: SDMX-CSV header lacks {missing}; header is {first_repr(header)}")
    blank = [i + 1 for i, c in enumerate(header) if not c.strip()]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if blank or repeated:
        raise ParseError(
            f"{what}: SDMX-CSV header has blank columns at positions {blank} or repeated columns "
            f"{first_repr(repeated)}; header is {first_repr(header)}"
        )
    bad = [(line, len(rec)) for line, rec in zip(line_of[1:], body, strict=True) if len(rec) != len(header)]
    if bad:
        raise ParseError(
            f"{what}: SDMX-CSV lines {[i for i, _ in bad[:5]]} have {[n for _, n in bad[:5]]} fields, "
            f"header has {len(header)} (truncated body?)"
        )
    columns = {name: np.array(col, dtype=object) for name, col in zip(header, zip(*body), strict=False)}
    if not body:
        columns = {name: np.array([], dtype=object) for name in header}
    del records, body, line_of
    dims = [c for c in header if c not in META_COLUMNS and c not in NON_DIMENSION]
    return tidy_from_columns(
        {d: columns[d] for d in dims},
        columns["TIME_PERIOD"],
        numeric_values(pd.Series(columns["OBS_VALUE"], dtype=object), what=what),
        {col: columns[att] for att, col in FLAG_ATTRIBUTES.items() if att in columns},
        what=what,
    )
