"""The one tidy column vocabulary of i4districts.

Every table that a step, a library function or a CLI command reads or writes
uses these names (long format, one row per observation):

==============  ========================================================  =========
column          meaning                                                   type
==============  ========================================================  =========
``region``      region code: NUTS (``ITC11``), SLL or ISTAT municipality  string
``sector``      sector code: NACE Rev.2 / ATECO (``C``, ``B_D_E``, ``25``)  string
``year``        reference year                                            int
``size_class``  firm-size class (optional key, e.g. ``W0_9``)              string
``value``       the measured quantity                                     float
``unit``        unit of ``value`` (``persons``, ``ratio``, ``% of enterprises``)  string
``flag``        observation flags, ``;``-separated (``""`` = none)        string
``vintage``     id of the data vintage the row comes from                 string
==============  ========================================================  =========

Derived tables keep the keys and add named measures (``share``, ``shift``,
``exposure``, ``indicator``); region-level model frames are keyed by
``(region, year)``. Fetched Eurostat/ISTAT tables (dimension columns in lower
case, ``time``, ``value``, ``obs_flag``/``obs_status``/``conf_status``,
``vintage_id``) and the embedded sample convert with :func:`to_vocabulary`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from i4districts.errors import InputError

REGION = "region"
SECTOR = "sector"
YEAR = "year"
SIZE_CLASS = "size_class"
VALUE = "value"
UNIT = "unit"
FLAG = "flag"
VINTAGE = "vintage"

KEYS: tuple[str, ...] = (REGION, SECTOR, YEAR)
"""Keys of a region × sector × year table."""
REGION_YEAR: tuple[str, ...] = (REGION, YEAR)
"""Keys of a region-level table (model frames, exposure)."""
SECTOR_YEAR: tuple[str, ...] = (SECTOR, YEAR)
"""Keys of a sector-level table (adoption, shifts)."""

#: Source column names recognised by :func:`to_vocabulary`, per canonical column (first match wins).
ALIASES: Mapping[str, tuple[str, ...]] = {
    REGION: (REGION, "geo", "nuts", "nuts_code", "pro_com_t", "cod_sll"),
    SECTOR: (SECTOR, "nace_r2", "nace", "ateco", "ateco_2007", "sector_code"),
    YEAR: (YEAR, "time", "time_period"),
    SIZE_CLASS: (SIZE_CLASS, "size_emp", "sizeclas"),
    VALUE: (VALUE, "employment", "obs_value"),
    UNIT: (UNIT,),
    VINTAGE: (VINTAGE, "vintage_id"),
}
#: Flag columns of fetched tables, joined into ``flag`` in this order.
FLAG_SOURCES: tuple[str, ...] = (FLAG, "obs_flag", "obs_status", "conf_status")


def _year(series: pd.Series, table: str, column: str) -> pd.Series:
    """Annual periods as int; ``2019``, ``"2019"`` and ``"2019-A"``/``"2019-01-01"`` are accepted."""
    if pd.api.types.is_integer_dtype(series):
        return series.astype("int64")
    text = series.astype(str).str.strip()
    year = pd.to_numeric(text.str.slice(0, 4), errors="coerce")
    bad = year.isna() | ~text.str.fullmatch(r"\d{4}(\.0)?(-A1?|-01-01)?")
    if bad.any():
        raise InputError(f"{table}: column {column!r} holds non-annual periods, e.g. "
                         f"{text[bad].unique()[:5].tolist()}; the vocabulary's 'year' is annual")
    return year.astype("int64")


def join_flags(parts: list[pd.Series]) -> pd.Series:
    """Join flag columns element-wise with ``;``, skipping empty and repeated flags (vectorised)."""
    out = np.full(len(parts[0]), "", dtype=object)
    for part in parts:
        flag = part.astype(object).where(part.notna(), "").astype(str).to_numpy(dtype=object)
        out = np.where(flag == "", out, np.where((out == "") | (out == flag), flag, out + ";" + flag))
    return pd.Series(out, index=parts[0].index, dtype=object)


def to_vocabulary(df: pd.DataFrame, *, unit: str | None = None, vintage: str | None = None,
                  rename: Mapping[str, str] | None = None, table: str = "table") -> pd.DataFrame:
    """Convert a tidy table (fetched, embedded or a user's) to the canonical vocabulary.

    Recognised source names are in :data:`ALIASES` (``geo`` → ``region``,
    ``nace_r2``/``nace`` → ``sector``, ``time`` → ``year``, ``employment`` →
    ``value``, ``vintage_id`` → ``vintage``); ``rename`` maps any other column
    explicitly. Flag columns (:data:`FLAG_SOURCES`) are joined into ``flag``
    (``;``-separated, ``""`` when none). ``unit``/``vintage`` fill those columns
    when the table has none. Other columns (further dimensions such as
    ``unit`` codes of a multi-unit query or ``nuts_level``) are kept as they are.
    Raises :class:`~i4districts.errors.InputError` when a key is ambiguous.
    """
    src = df.rename(columns=dict(rename or {}))
    lower = {c: str(c).lower() for c in src.columns}
    out: dict[str, pd.Series] = {}
    used: set[str] = set()
    for canon, names in ALIASES.items():
        hits = [c for c in src.columns if lower[c] in names]
        if len(hits) > 1:
            preferred = [c for n in names for c in hits if lower[c] == n][0]
            hits = [preferred]
        if hits:
            col = hits[0]
            used.add(col)
            out[canon] = src[col]
    if YEAR in out:
        out[YEAR] = _year(out[YEAR], table, YEAR)
    if VALUE in out:
        out[VALUE] = pd.to_numeric(out[VALUE], errors="raise").astype(float)
    flags = [c for c in src.columns if lower[c] in FLAG_SOURCES]
    used.update(flags)
    if flags:
        out[FLAG] = join_flags([src[c] for c in flags])
    else:
        out[FLAG] = pd.Series("", index=src.index, dtype=object)
    if UNIT not in out and unit is not None:
        out[UNIT] = pd.Series(unit, index=src.index, dtype=object)
    if VINTAGE not in out and vintage is not None:
        out[VINTAGE] = pd.Series(vintage, index=src.index, dtype=object)
    order = [c for c in (REGION, SECTOR, YEAR, SIZE_CLASS, VALUE, UNIT, FLAG, VINTAGE) if c in out]
    result = pd.DataFrame({c: out[c].to_numpy() for c in order}, index=src.index)
    for c in src.columns:
        if c not in used and c not in result.columns:
            result[c] = src[c].to_numpy()
    return result.reset_index(drop=True)


def require(df: pd.DataFrame, columns: tuple[str, ...] | list[str], table: str) -> None:
    """Raise :class:`InputError` naming ``table`` and the vocabulary columns it lacks."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        hint = ""
        if any(c in df.columns for c in ("geo", "nace", "employment")):
            hint = " (an old-style table: convert it with i4districts.vocabulary.to_vocabulary)"
        raise InputError(f"{table}: missing column(s) {missing}; found {list(df.columns)}{hint}")


__all__ = [
    "ALIASES", "FLAG", "FLAG_SOURCES", "KEYS", "REGION", "REGION_YEAR", "SECTOR", "SECTOR_YEAR", "SIZE_CLASS",
    "UNIT", "VALUE", "VINTAGE", "YEAR", "join_flags", "require", "to_vocabulary",
]
