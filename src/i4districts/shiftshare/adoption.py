"""Sector-level I4.0 adoption tables: a user-supplied table, or illustrative synthetic paths.

An adoption table has the vocabulary columns :data:`ADOPTION_COLUMNS`
``(sector, year, value, unit, source)``: the adoption indicator ``value`` of
sector ``sector`` in ``year``, in ``unit``, from ``source``.

:func:`sector_adoption_table` validates a user table (for example robots per
thousand workers, or the share of enterprises using AI, by NACE sector and
year) against the panel's sectors and years.

Illustrative paths are NOT REAL DATA. The embedded sample has no adoption figures, so the default run
uses a deterministic, seeded logistic diffusion per sector to exercise the
exposure and model steps. Every output built on it carries the note
:data:`ILLUSTRATIVE_NOTE`. Real adoption tables (Eurostat ``isoc_*``, source
``eurostat``) come from the fetch layer through
:mod:`i4districts.shiftshare.eurostat_adoption` (survey years 2018+, used as a
cross-sectional sector intensity).

Model: adoption share of firms in sector s at year t,

    a_{s,t} = 100 · ceiling_s / (1 + exp(-speed_s * (t - midpoint_s)))

with ceiling_s ~ U(0.3, 0.9), speed_s ~ U(0.15, 0.6) per year and midpoint_s ~
U(start + 0.3 L, start + 1.1 L), L = end - start, drawn from
``numpy.random.default_rng(seed)`` in the sorted order of the sector codes.
Units: percent of enterprises (0..100).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from i4districts.errors import InputError
from i4districts.vocabulary import ALIASES, SECTOR, YEAR

ILLUSTRATIVE_NOTE = "illustrative adoption data (synthetic, seeded; not real data)"
ILLUSTRATIVE_UNIT = "percent of enterprises"
ADOPTION_COLUMNS = ["sector", "year", "value", "unit", "source"]
SOURCES = ("illustrative", "table", "eurostat")

__all__ = [
    "ADOPTION_COLUMNS", "ILLUSTRATIVE_NOTE", "ILLUSTRATIVE_UNIT", "SOURCES", "AdoptionTableError",
    "illustrative_adoption", "panel_adoption", "sector_adoption_table",
]


class AdoptionTableError(InputError):
    """A user adoption table is unusable; the message names the file, the column and the values."""


def illustrative_adoption(sectors: Sequence[str], start: int, end: int, *, seed: int) -> pd.DataFrame:
    """Seeded logistic adoption path per sector, one row per (sector, year) in [start, end].

    The same (sectors, start, end, seed) always gives the same table, whatever
    the order in which ``sectors`` is passed.
    """
    if end < start:
        raise InputError(f"illustrative_adoption: end year {end} is before start year {start}")
    codes = sorted(set(map(str, sectors)))
    if not codes:
        raise InputError("illustrative_adoption: no sectors given")
    rng = np.random.default_rng(seed)
    n = len(codes)
    span = max(end - start, 1)
    ceiling = rng.uniform(0.3, 0.9, n)
    speed = rng.uniform(0.15, 0.6, n)
    midpoint = rng.uniform(start + 0.3 * span, start + 1.1 * span, n)
    years = np.arange(start, end + 1)
    share = 100.0 * ceiling[:, None] / (1.0 + np.exp(-speed[:, None] * (years[None, :] - midpoint[:, None])))
    return pd.DataFrame(
        {
            "sector": pd.array(np.repeat(codes, len(years)), dtype="string"),
            "year": np.tile(years, n).astype("int64"),
            "value": share.ravel(),
            "unit": pd.array([ILLUSTRATIVE_UNIT] * share.size, dtype="string"),
            "source": pd.array(["illustrative"] * share.size, dtype="string"),
        }
    )


def _key_column(raw: pd.DataFrame, canon: str) -> str | None:
    """The column of ``raw`` holding key ``canon`` (vocabulary name or a known alias such as ``nace``)."""
    lower = {str(c).lower(): c for c in raw.columns}
    for name in ALIASES[canon]:
        if name in lower:
            return lower[name]
    return None


def sector_adoption_table(raw: pd.DataFrame, *, sectors: Sequence[str], start: int, end: int,
                          column: str = "value", unit: str, source: str = "table") -> pd.DataFrame:
    """Validate a user table of adoption by ``sector`` and ``year`` for the panel.

    The keys may also carry their old names (``nace``, ``time``...,
    :data:`i4districts.vocabulary.ALIASES`); ``column`` holds the indicator.
    Keeps the years ``start..end``; every panel sector must have a finite value
    in each of them, and the table may hold no sector the panel lacks (its
    sector level must match the panel's; nothing is dropped silently). Returns
    :data:`ADOPTION_COLUMNS` with the indicator in ``value`` and the declared ``unit``.
    """
    sec, yr = _key_column(raw, SECTOR), _key_column(raw, YEAR)
    missing = [name for name, col in ((SECTOR, sec), (YEAR, yr), (column, column if column in raw.columns else None))
               if col is None]
    if missing:
        raise AdoptionTableError(f"{source}: missing column(s) {missing}; found {list(raw.columns)}")
    t = pd.DataFrame({"sector": raw[sec].astype(str).to_numpy(), "year": raw[yr].to_numpy(),
                      "_value": raw[column].to_numpy()})
    years = pd.to_numeric(t["year"], errors="coerce")
    if years.isna().any() or (years % 1 != 0).any():
        raise AdoptionTableError(f"{source}: column 'year' has non-integer values "
                                 f"{t.loc[years.isna() | (years % 1 != 0), 'year'].head(5).tolist()}")
    t["year"] = years.astype("int64")
    t = t[t["year"].between(start, end)]
    extra = sorted(set(t["sector"]) - set(map(str, sectors)))
    if extra:
        raise AdoptionTableError(f"{source}: column 'sector' has sector(s) {extra} that the panel does not have "
                                 f"(panel sectors: {sorted(map(str, sectors))}); aggregate them to the panel's level first")
    dup = t.duplicated(["sector", "year"], keep=False)
    if dup.any():
        raise AdoptionTableError(f"{source}: duplicate (sector, year) rows, e.g. "
                                 f"{t.loc[dup, ['sector', 'year']].head(5).values.tolist()}")
    values = pd.to_numeric(t["_value"], errors="coerce")
    bad = ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        raise AdoptionTableError(f"{source}: column {column!r} has missing or non-numeric values at "
                                 f"{t.loc[bad, ['sector', 'year']].head(5).values.tolist()}")
    grid = pd.MultiIndex.from_product([sorted(map(str, sectors)), range(start, end + 1)], names=["sector", "year"])
    absent = grid.difference(pd.MultiIndex.from_frame(t[["sector", "year"]]))
    if len(absent):
        raise AdoptionTableError(f"{source}: no value for {len(absent)} (sector, year) pair(s) of the panel, "
                                 f"e.g. {list(absent[:5])}")
    out = pd.DataFrame({
        "sector": pd.array(t["sector"], dtype="string"),
        "year": t["year"].to_numpy(),
        "value": values.to_numpy(dtype=float),
        "unit": pd.array([unit] * len(t), dtype="string"),
        "source": pd.array([source] * len(t), dtype="string"),
    })
    return out.sort_values(["sector", "year"], ignore_index=True)


def panel_adoption(panel: pd.DataFrame, *, source: str = "illustrative", seed: int = 0,
                   table: pd.DataFrame | None = None, table_name: str | Path = "table",
                   column: str = "value", unit: str = "",
                   eurostat: dict | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Sector adoption for the sectors and years of ``panel`` (vocabulary ``sector``, ``year``).

    ``source="illustrative"``: :func:`illustrative_adoption` (note
    :data:`ILLUSTRATIVE_NOTE`); ``source="table"``: the user ``table`` (read from
    ``table_name``) validated by :func:`sector_adoption_table`. Returns the
    adoption table and its provenance notes. ``source="eurostat"``: ``table``
    is a fetched tidy Eurostat table and ``eurostat`` the keyword arguments of
    :func:`i4districts.shiftshare.eurostat_adoption.panel_eurostat_adoption`
    (indicator, country, uncovered, sector_set, instrument_countries, years).
    """
    missing = [c for c in (SECTOR, YEAR) if c not in panel.columns]
    if missing:
        raise InputError(f"panel: missing column(s) {missing}; found {list(panel.columns)}")
    if source == "eurostat":
        if table is None:
            raise InputError("adoption.source: 'eurostat' needs the fetched Eurostat table (adoption.table)")
        from i4districts.shiftshare.eurostat_adoption import panel_eurostat_adoption

        out, notes = panel_eurostat_adoption(panel, table, **dict(eurostat or {}))
        return out, [*notes, f"adoption table: {Path(str(table_name)).name}"]
    sectors, start, end = panel[SECTOR].unique(), int(panel[YEAR].min()), int(panel[YEAR].max())
    if source == "illustrative":
        return illustrative_adoption(sectors, start, end, seed=seed), [ILLUSTRATIVE_NOTE]
    if source != "table" or table is None:
        raise InputError(f"adoption.source: {source!r} needs adoption.table (a CSV or Parquet path)"
                         if source == "table" else f"adoption.source: unknown source {source!r}")
    out = sector_adoption_table(table, sectors=sectors, start=start, end=end, column=column, unit=unit,
                                source=str(table_name))
    return out, [f"adoption: {column} ({unit}) from {Path(str(table_name)).name}"]
