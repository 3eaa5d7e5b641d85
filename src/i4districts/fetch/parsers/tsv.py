"""Eurostat bulk SDMX-TSV (``freq,unit,...,geo\\TIME_PERIOD`` then one column per period).

A cell is ``<value>[ <flags>]``: ``3.16 p`` is 3.16 flagged provisional,
``:`` is missing (NaN, never zero), ``: c`` is missing and confidential.
Vectorised with pandas/Arrow: rows come out series by series, periods in file order.

Reference: Eurostat, "API - Detailed guidelines - SDMX 2.1 data query" (format=TSV).
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from i4districts.fetch.errors import ParseError
from i4districts.fetch.parsers.common import numeric_values, tidy_from_columns

#: value (``:`` or a decimal number) then optional letters as flags: ``3.16 p``, ``:c``, ``: c``.
CELL_RE = re.compile(r"^\s*(:|NaN|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]*)\s*$")

CELL_RE_ARROW = r"^(?P<value>:|NaN|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(?P<flag>[A-Za-z]*)$"


def split_cell(cell: str) -> tuple[str, str | None]:
    """``'3.16 p'`` -> ``('3.16', 'p')``; ``': '`` -> ``(':', None)``; ``':c'`` -> ``(':', 'c')``."""
    m = CELL_RE.match(cell)
    if m is None:
        return cell.strip(), None
    return m.group(1), m.group(2) or None


def parse_tsv(data: bytes, *, what: str) -> pd.DataFrame:
    """Tidy table of a Eurostat bulk TSV (one row per series x period, ``:`` kept as NaN)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{what}: TSV is not UTF-8 ({exc})") from None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise ParseError(f"{what}: empty TSV body")
    head = lines[0].split("\t")
    if "\\" not in head[0]:
        raise ParseError(f"{what}: first header cell {head[0]!r} lacks 'dims\\TIME_PERIOD'")
    dims = [d.strip() for d in head[0].split("\\", 1)[0].split(",")]
    periods = np.array([p.strip() for p in head[1:]], dtype=object)
    widths = np.fromiter((ln.count("\t") for ln in lines), dtype=np.int64, count=len(lines))
    bad = np.flatnonzero(widths != len(head) - 1)
    if len(bad):
        raise ParseError(
            f"{what}: lines {(bad[:5] + 1).tolist()} have {(widths[bad[:5]] + 1).tolist()} cells, "
            f"header has {len(head)}"
        )
    if len(lines) == 1:
        raise ParseError(f"{what}: TSV has a header ({head[0]!r} ...) but no series lines")
    try:
        frame = pd.read_csv(io.StringIO("\n".join(lines[1:])), sep="\t", header=None, dtype=str,
                            keep_default_na=False, na_filter=False, quoting=3)
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
        raise ParseError(f"{what}: malformed TSV ({exc})") from None
    keys = frame[0].str.split(",", expand=True)
    if keys.shape[1] != len(dims) or keys.isna().any().any():
        raise ParseError(f"{what}: series keys {frame[0].head(3).tolist()} do not match {dims}")
    n, t = len(frame), len(periods)
    # regex split of every cell in Arrow (RE2, vectorised): value group, flag group
    cells = pc.utf8_trim_whitespace(pa.array(frame.iloc[:, 1:].to_numpy(dtype=object).ravel(), pa.string()))
    parts = pc.extract_regex(cells, CELL_RE_ARROW)
    unparsed = pc.and_(pc.is_null(parts), pc.not_equal(cells, ""))
    if pc.any(unparsed).as_py():
        bad = pc.filter(cells, unparsed).slice(0, 5).to_pylist()
        raise ParseError(f"{what}: cells {bad} are not '<value>[ <flags>]'")
    raw_values = pd.Series(pc.struct_field(parts, [0]).fill_null(""), dtype="string")
    values = numeric_values(raw_values, what=what)
    flags = pc.struct_field(parts, [1]).fill_null("")
    series_idx = pa.array(np.repeat(np.arange(n), t))
    return tidy_from_columns(
        {d: pa.array(keys[i].str.strip().tolist(), pa.string()).take(series_idx) for i, d in enumerate(dims)},
        pa.array(periods.tolist(), pa.string()).take(pa.array(np.tile(np.arange(t), n))),
        values,
        {"obs_flag": flags},
        what=what,
    )
