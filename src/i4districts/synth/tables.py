"""Tidy tables of a synthetic world (long, keyed, vocabulary columns, explicit units).

=============================  ======================================================================
table                          keys and measures
=============================  ======================================================================
``municipalities``             municipality; sll, nuts3, nuts2, centre, population and employment
                               (persons, first year; employment = the employment table's sum)
``employment``                 region (municipality), sector (ATECO division "01".."99"), size_class
                               (W0_9, W10_49, W50_249, W_GE250), year; value (persons employed),
                               unit, local_units (number of local units); non-zero cells only
``sll_employment``             the same keyed by region = SLL (sums over its municipalities)
``adoption``                   sector (division), year; value (% of enterprises using robots), unit, source
``adoption_sample_sectors``    the same for the A*10 sectors with C split out (``A10_split_C``),
                               weighted by national base-year employment
``education``                  region (NUTS-2), year, isced11 (ED0-2, ED3_4, ED5-8, TOTAL); tier, sex,
                               age, value (persons), unit, flag (the LFS layout of lfst_r_lfe2eedu)
``sample``                     geo, nace, year, nuts_level, employment, unit, obs_flag: exactly the
                               embedded nama_10r_3empers sample's layout (NUTS 0-3, A*10 codes incl.
                               the overlapping aggregates and TOTAL)
``shares``                     region (SLL), sector (division); share (base-year employment share)
``shifts``                     sector (division), period; start, end, shift (adoption change, pp)
``outcomes``                   region (SLL), period; the outcome frame of :mod:`.outcomes`
=============================  ======================================================================

**Education DGP** (NUTS-2 ``n``, year ``t``, ``south`` = NUTS-1 ITF/ITG): shares of the low
(ISCED 0-2) and high (ISCED 5-8) tiers ``l_nt = 0.42 + 0.08 south + 0.03 z_n - 0.009 (t - t0)`` and
``h_nt = 0.17 - 0.03 south + 0.02 z_n' + 0.006 (t - t0)``, middle the rest; persons by tier =
largest-remainder apportionment of the region's total persons employed, so tiers add up exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .divisions import A10_SPLIT_C, SAMPLE_SECTORS, SIZE_LABELS, division_table, sector_membership
from .employment import Cells
from .outcomes import ADOPTION_UNIT, period_label

PERSONS = "persons"
EDUCATION_CODES: dict[str, str] = {"low": "ED0-2", "middle": "ED3_4", "high": "ED5-8"}


def _cat(values: np.ndarray, categories: list[str] | tuple[str, ...]) -> pd.Categorical:
    return pd.Categorical.from_codes(values.astype(np.int32), categories=list(categories))


def cell_table(cells: Cells, emp: np.ndarray, units: np.ndarray, owners: list[str], years: np.ndarray) -> pd.DataFrame:
    """Long table (region, sector, size_class, year, value, unit, local_units) in (cell, year) order."""
    ny = years.size
    n = cells.owner.size
    divs = division_table()["division"].tolist()
    return pd.DataFrame({
        "region": _cat(np.repeat(cells.owner, ny), owners),
        "sector": _cat(np.repeat(cells.division, ny), divs),
        "size_class": _cat(np.repeat(cells.size, ny), SIZE_LABELS),
        "year": np.tile(years.astype(np.int64), n),
        "value": emp.astype(np.float64),
        "unit": _cat(np.zeros(n * ny, dtype=np.int32), [PERSONS]),
        "local_units": units.astype(np.int64),
    })


def aggregate_cells(cells: Cells, emp: np.ndarray, units: np.ndarray, owner_map: np.ndarray,
                    n_years: int) -> tuple[Cells, np.ndarray, np.ndarray]:
    """Sum municipality cells to SLL cells (``owner_map`` = SLL index of each municipality)."""
    K = len(division_table())
    key = (owner_map[cells.owner].astype(np.int64) * K + cells.division) * 4 + cells.size
    uniq, inv = np.unique(key, return_inverse=True)
    g = uniq.size
    idx = (inv[:, None] * n_years + np.arange(n_years)[None, :]).ravel()
    e = np.bincount(idx, weights=emp, minlength=g * n_years).astype(np.int64)
    u = np.bincount(idx, weights=units, minlength=g * n_years).astype(np.int64)
    agg = Cells(uniq // (K * 4), (uniq // 4) % K, uniq % 4, e.reshape(g, n_years)[:, 0], u.reshape(g, n_years)[:, 0])
    return agg, e, u


def owner_division_year(cells: Cells, emp: np.ndarray, n_owners: int, n_years: int) -> np.ndarray:
    """Persons by owner × division × year (dense array)."""
    K = len(division_table())
    idx = ((np.repeat(cells.owner.astype(np.int64) * K + cells.division, n_years)) * n_years
           + np.tile(np.arange(n_years), cells.owner.size))
    return np.bincount(idx, weights=emp, minlength=n_owners * K * n_years).reshape(n_owners, K, n_years)


def municipalities_table(geo, base_employment: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Municipalities with persons employed ``E_m`` and resident population (persons, first year):
    ``E_m / U(0.28, 0.42)``, at least 50, or ``LogNormal(ln 300, 0.8)`` where no one is employed."""
    m = geo.municipalities
    ratio = rng.uniform(0.28, 0.42, len(m))
    empty = np.maximum(50.0, np.exp(np.log(300.0) + 0.8 * rng.standard_normal(len(m))))
    pop = np.where(base_employment > 0, np.maximum(base_employment / ratio, 50.0), empty)
    return pd.DataFrame({
        "municipality": m["municipality"].to_numpy(), "sll": m["sll"].to_numpy(), "nuts3": m["nuts3"].to_numpy(),
        "nuts2": m["nuts2"].to_numpy(), "centre": m["centre"].to_numpy(), "population": np.round(pop).astype(np.int64),
        "employment": base_employment.astype(np.int64), "unit": PERSONS,
    })


def adoption_tables(A: np.ndarray, years: np.ndarray, national_base: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Adoption by division and by A*10 sector (C split out), the latter weighted by base-year employment."""
    divs = division_table()["division"].tolist()
    ny = years.size
    by_div = pd.DataFrame({
        "sector": np.repeat(divs, ny), "year": np.tile(years.astype(np.int64), len(divs)), "value": A.ravel(),
        "unit": ADOPTION_UNIT, "source": "synthetic",
    })
    mem = sector_membership(A10_SPLIT_C).astype(float)
    w = mem * national_base[None, :]
    agg = (w @ A) / w.sum(axis=1, keepdims=True)
    codes = list(A10_SPLIT_C)
    by_a10 = pd.DataFrame({
        "sector": np.repeat(codes, ny), "year": np.tile(years.astype(np.int64), len(codes)), "value": agg.ravel(),
        "unit": ADOPTION_UNIT, "source": "synthetic",
    })
    return by_div, by_a10.sort_values(["sector", "year"], ignore_index=True)


def sample_table(sll_div_year: np.ndarray, sll_nuts3: np.ndarray, years: np.ndarray) -> pd.DataFrame:
    """NUTS 0-3 × nama_10r_3empers sector codes × year, in the embedded sample's exact layout."""
    mem = sector_membership(SAMPLE_SECTORS).astype(float)  # J x K
    codes3, inv = np.unique(sll_nuts3, return_inverse=True)
    K, T = sll_div_year.shape[1], sll_div_year.shape[2]
    n3 = np.zeros((codes3.size, K, T))
    np.add.at(n3, inv, sll_div_year)
    by3 = np.einsum("jk,nkt->njt", mem, n3)  # regions x codes x years
    blocks = []
    for level, width in ((3, 5), (2, 4), (1, 3), (0, 2)):
        labels = np.array([c[:width] for c in codes3])
        uniq, li = np.unique(labels, return_inverse=True)
        agg = np.zeros((uniq.size, by3.shape[1], T))
        np.add.at(agg, li, by3)
        blocks.append((uniq, level, agg))
    sectors = list(SAMPLE_SECTORS)
    frames = []
    for uniq, level, agg in blocks:
        n, J = uniq.size, len(sectors)
        frames.append(pd.DataFrame({
            "geo": np.repeat(uniq, J * T), "nace": np.tile(np.repeat(sectors, T), n),
            "year": np.tile(years.astype(np.int64), n * J), "nuts_level": level,
            "employment": np.rint(agg.ravel()).astype(np.int64),
        }))
    out = pd.concat(frames, ignore_index=True)
    out = pd.DataFrame({
        "geo": out["geo"].astype("string"), "nace": out["nace"].astype("string"), "year": out["year"].astype("int64"),
        "nuts_level": out["nuts_level"].astype("int64"), "employment": pd.array(out["employment"], dtype="Int64"),
        "unit": pd.Series(PERSONS, index=out.index, dtype="string"),
        "obs_flag": pd.Series("", index=out.index, dtype="string"),
    })
    return out.sort_values(["geo", "nace", "year"], ignore_index=True)


def _apportion_rows(total: np.ndarray, shares: np.ndarray) -> np.ndarray:
    raw = total[:, None] * shares
    base = np.floor(raw).astype(np.int64)
    short = total.astype(np.int64) - base.sum(axis=1)
    rank = np.argsort(np.argsort(-(raw - base), axis=1, kind="stable"), axis=1, kind="stable")
    return base + (rank < short[:, None])


def education_table(nuts2_totals: pd.DataFrame, first_year: int, rng: np.random.Generator) -> pd.DataFrame:
    """Persons employed by attainment tier, NUTS-2 × year (module docstring); ``nuts2_totals``: region, year, value."""
    regions = sorted(nuts2_totals["region"].unique())
    south = np.array([r[:3] in ("ITF", "ITG") for r in regions], dtype=float)
    low0 = 0.42 + 0.08 * south + 0.03 * rng.standard_normal(len(regions))
    high0 = 0.17 - 0.03 * south + 0.02 * rng.standard_normal(len(regions))
    t = nuts2_totals.sort_values(["region", "year"], ignore_index=True)
    ri = pd.Index(regions).get_indexer(t["region"])
    dt = (t["year"].to_numpy() - first_year).astype(float)
    low = low0[ri] - 0.009 * dt
    high = high0[ri] + 0.006 * dt
    shares = np.column_stack([low, 1.0 - low - high, high])
    persons = _apportion_rows(t["value"].to_numpy().astype(np.int64), shares)
    tiers = list(EDUCATION_CODES)
    parts = []
    for j, tier in enumerate(tiers):
        parts.append(pd.DataFrame({"region": t["region"], "year": t["year"], "isced11": EDUCATION_CODES[tier],
                                   "tier": tier, "value": persons[:, j].astype(float)}))
    parts.append(pd.DataFrame({"region": t["region"], "year": t["year"], "isced11": "TOTAL", "tier": "total",
                               "value": t["value"].to_numpy().astype(float)}))
    out = pd.concat(parts, ignore_index=True)
    out["sex"], out["age"], out["unit"], out["flag"] = "T", "Y_GE15", PERSONS, ""
    out = out[["region", "year", "isced11", "tier", "sex", "age", "value", "unit", "flag"]]
    return out.sort_values(["region", "year", "isced11"], ignore_index=True)


def shares_table(shares: np.ndarray, sll_codes: list[str]) -> pd.DataFrame:
    """Base-year division shares of each SLL's employment, non-zero cells only."""
    divs = np.array(division_table()["division"].tolist(), dtype=object)
    r, k = np.nonzero(shares)
    return pd.DataFrame({"region": np.asarray(sll_codes, dtype=object)[r], "sector": divs[k], "share": shares[r, k]})


def shifts_table(shifts: np.ndarray, periods: list[tuple[int, int]]) -> pd.DataFrame:
    """Adoption change of each division over each period (percentage points)."""
    divs = division_table()["division"].tolist()
    rows = []
    for i, p in enumerate(periods):
        rows.append(pd.DataFrame({"sector": divs, "period": period_label(p), "start": p[0], "end": p[1],
                                  "shift": shifts[:, i], "unit": "percentage points"}))
    return pd.concat(rows, ignore_index=True).sort_values(["sector", "period"], ignore_index=True)
