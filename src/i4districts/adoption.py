"""Sector-level I4.0 adoption tables: a user-supplied table, or illustrative synthetic paths.

:func:`sector_adoption_table` validates a user table (for example robots per
thousand workers, or the share of enterprises using AI, by NACE sector and
year) against the panel's sectors and years.

Illustrative paths are NOT REAL DATA. The embedded sample has no adoption figures, so the default run
uses a deterministic, seeded logistic diffusion per sector to exercise the
exposure and model steps. Every output built on it carries the note
:data:`ILLUSTRATIVE_NOTE`. Real adoption tables (Eurostat ``isoc_*``) come from
the fetch layer.

Model: adoption share of firms in sector s at year t,

    a_{s,t} = 100 · ceiling_s / (1 + exp(-speed_s * (t - midpoint_s)))

with ceiling_s ~ U(0.3, 0.9), speed_s ~ U(0.15, 0.6) per year and midpoint_s ~
U(start + 0.3 L, start + 1.1 L), L = end - start, drawn from
``numpy.random.default_rng(seed)`` in the sorted order of the sector codes.
Units: percent of enterprises (0..100).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

ILLUSTRATIVE_NOTE = "illustrative adoption data (synthetic, seeded; not real data)"
ILLUSTRATIVE_UNIT = "percent of enterprises"
ADOPTION_COLUMNS = ["nace", "year", "adoption", "unit", "source"]


class AdoptionTableError(ValueError):
    """A user adoption table is unusable; the message names the file, the column and the values."""


def illustrative_adoption(sectors: Sequence[str], start: int, end: int, *, seed: int) -> pd.DataFrame:
    """Seeded logistic adoption path per sector, one row per (nace, year) in [start, end].

    The same (sectors, start, end, seed) always gives the same table, whatever
    the order in which ``sectors`` is passed.
    """
    if end < start:
        raise ValueError(f"illustrative_adoption: end year {end} is before start year {start}")
    codes = sorted(set(map(str, sectors)))
    if not codes:
        raise ValueError("illustrative_adoption: no sectors given")
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
            "nace": pd.array(np.repeat(codes, len(years)), dtype="string"),
            "year": np.tile(years, n).astype("int64"),
            "adoption": share.ravel(),
            "unit": pd.array([ILLUSTRATIVE_UNIT] * share.size, dtype="string"),
            "source": pd.array(["illustrative"] * share.size, dtype="string"),
        }
    )


def sector_adoption_table(raw: pd.DataFrame, *, sectors: Sequence[str], start: int, end: int,
                          column: str = "adoption", unit: str, source: str = "table") -> pd.DataFrame:
    """Validate a user table of adoption by sector (``nace``) and ``year`` for the panel.

    Keeps the years ``start..end``; every panel sector must have a finite value
    in each of them, and the table may hold no sector the panel lacks (its
    sector level must match the panel's; nothing is dropped silently). Returns
    :data:`ADOPTION_COLUMNS` with the value in ``adoption`` and the declared ``unit``.
    """
    missing = [c for c in ("nace", "year", column) if c not in raw.columns]
    if missing:
        raise AdoptionTableError(f"{source}: missing column(s) {missing}; found {list(raw.columns)}")
    t = raw[["nace", "year", column]].copy()
    t["nace"] = t["nace"].astype(str)
    years = pd.to_numeric(t["year"], errors="coerce")
    if years.isna().any() or (years % 1 != 0).any():
        raise AdoptionTableError(f"{source}: column 'year' has non-integer values {t.loc[years.isna() | (years % 1 != 0), 'year'].head(5).tolist()}")
    t["year"] = years.astype("int64")
    t = t[t["year"].between(start, end)]
    extra = sorted(set(t["nace"]) - set(map(str, sectors)))
    if extra:
        raise AdoptionTableError(f"{source}: column 'nace' has sector(s) {extra} that the panel does not have "
                                 f"(panel sectors: {sorted(map(str, sectors))}); aggregate them to the panel's level first")
    dup = t.duplicated(["nace", "year"], keep=False)
    if dup.any():
        raise AdoptionTableError(f"{source}: duplicate (nace, year) rows, e.g. {t.loc[dup, ['nace', 'year']].head(5).values.tolist()}")
    values = pd.to_numeric(t[column], errors="coerce")
    bad = ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        raise AdoptionTableError(f"{source}: column {column!r} has missing or non-numeric values at "
                                 f"{t.loc[bad, ['nace', 'year']].head(5).values.tolist()}")
    grid = pd.MultiIndex.from_product([sorted(map(str, sectors)), range(start, end + 1)], names=["nace", "year"])
    absent = grid.difference(pd.MultiIndex.from_frame(t[["nace", "year"]]))
    if len(absent):
        raise AdoptionTableError(f"{source}: no value for {len(absent)} (nace, year) pair(s) of the panel, "
                                 f"e.g. {list(absent[:5])}")
    out = pd.DataFrame({
        "nace": pd.array(t["nace"], dtype="string"),
        "year": t["year"].to_numpy(),
        "adoption": values.to_numpy(dtype=float),
        "unit": pd.array([unit] * len(t), dtype="string"),
        "source": pd.array([source] * len(t), dtype="string"),
    })
    return out.sort_values(["nace", "year"], ignore_index=True)
