"""Geographic concentration of sectors across regions (per sector × time).

Notation per year: ``s_r = E_rs / E_s`` the region's share of sector s's
employment, ``x_r = E_r / E`` its share of total employment, sums over all
regions of the table (a region with no row for the sector has ``s_r = 0``).

* Hoover coefficient of localization ``hoover_localization = 1/2 sum_r |s_r - x_r|``,
  in [0, 1) (Hoover 1936, *QJE* 51; Isard 1960 ch. 7);
* Krugman dissimilarity ``dissimilarity = sum_r |s_r - x_r| = 2 hoover``;
* locational Gini (Krugman 1991, *Geography and Trade*, app. D): Gini of the
  sector's LQs across regions weighted by ``x_r``,
  ``locational_gini = 1/2 sum_r sum_q x_r x_q |LQ_r - LQ_q|`` (twice the area
  between the diagonal and the Lorenz curve of ``s_r`` against ``x_r`` with
  regions sorted by LQ);
* raw geographic concentration ``G = sum_r (s_r - x_r)**2``;
* geographic Herfindahl ``geographic_herfindahl = sum_r s_r**2``;
* Ellison–Glaeser index (Ellison & Glaeser 1997, *JPE* 105(5), eq. 5)
  ``gamma = (G - (1 - sum_r x_r**2) H) / ((1 - sum_r x_r**2) (1 - H))``
  with ``H = sum_j z_j**2`` the plant Herfindahl of the sector (``z_j`` plant
  employment shares); NaN when ``H = 1`` or ``sum x_r**2 = 1``.

Plant Herfindahl: exact from plant-level data (:func:`plant_herfindahl`) or
approximated from size classes (:func:`plant_herfindahl_from_size_classes`)
assuming all units in a class have the class's mean size,
``H ≈ sum_c n_c (e_c / n_c)**2 / E_s**2 = sum_c e_c**2 / n_c / E_s**2``. Equal
sizes minimise ``sum z**2`` within a class, so this is a lower bound on the
true H and the resulting gamma is biased upwards (slightly, when classes are
narrow and the top class is not dominated by one plant).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._core import IndicatorInputError, Missing, check_unique, codes, counts, require_columns, safe_divide
from ._coded import code_table
from .specialization import specialization_indices


def concentration_indices(
    emp: pd.DataFrame,
    *,
    region: str = "region",
    sector: str = "sector",
    time: str = "year",
    value: str = "value",
    missing: Missing = "raise",
) -> pd.DataFrame:
    """Hoover, dissimilarity, locational Gini, raw G and geographic Herfindahl per sector × time.

    Columns: sector, time, ``"employment"`` (E_s), ``"n_regions"`` (regions with
    E_rs > 0), ``"hoover_localization", "dissimilarity", "locational_gini",
    "raw_concentration"`` (G), ``"geographic_herfindahl"``, ``"sum_x2"``
    (``sum_r x_r**2``, needed by Ellison–Glaeser). NaN for a sector with E_s = 0.
    The computation is that of :func:`specialization_indices` with the roles of
    region and sector exchanged (the reference becomes the regions' total employment).
    """
    spec = specialization_indices(emp, region=sector, sector=region, time=time, value=value, missing=missing, gini=True)
    out = spec[[sector, time, "employment", "n_sectors"]].rename(columns={"n_sectors": "n_regions"})
    out["hoover_localization"] = spec["hoover"].to_numpy()
    out["dissimilarity"] = spec["krugman"].to_numpy()
    out["locational_gini"] = spec["gini"].to_numpy()
    out["raw_concentration"] = spec["herfindahl_relative"].to_numpy()
    out["geographic_herfindahl"] = spec["herfindahl"].to_numpy()
    # sum_r x_r^2 per year, x_r = E_r / E from region totals
    p = code_table(emp, region=region, sector=sector, time=time, value=value, reference=None, missing=missing)
    tg = np.arange(p.nr * p.nt) % p.nt
    x = safe_divide(p.E_g, np.bincount(tg, weights=p.E_g, minlength=p.nt)[tg])
    sum_x2 = np.bincount(tg, weights=np.where(p.rows_g > 0, x * x, 0.0), minlength=p.nt)
    out["sum_x2"] = sum_x2[p.times.get_indexer(out[time])]
    return out


def plant_herfindahl(
    plants: pd.DataFrame, *, sector: str = "sector", time: str = "year", value: str = "value"
) -> pd.DataFrame:
    """Plant Herfindahl ``H_s = sum_j (e_j / E_s)**2`` per sector × time from one row per plant."""
    table = "plants"
    require_columns(plants, [sector, time, value], table)
    s, sectors = codes(plants[sector], table)
    t, times = codes(plants[time], table)
    v = counts(plants, value, table, "raise")
    nt = len(times)
    k = s * nt + t
    m = len(sectors) * nt
    E = np.bincount(k, weights=v, minlength=m)
    H = safe_divide(np.bincount(k, weights=v * v, minlength=m), E * E)
    present = np.flatnonzero(np.bincount(k, minlength=m) > 0)
    return pd.DataFrame(
        {sector: sectors.take(present // nt), time: times.take(present % nt), "plant_herfindahl": H[present]}
    )


def plant_herfindahl_from_size_classes(
    units: pd.DataFrame,
    *,
    sector: str = "sector",
    time: str = "year",
    size_class: str = "size_class",
    value: str = "value",
    n_units: str = "units",
) -> pd.DataFrame:
    """Approximate plant Herfindahl from size classes: ``H ≈ sum_c e_c**2 / n_c / E_s**2``.

    Assumes equal-sized units within each class (a lower bound on the true H,
    see the module docstring). A class with employment but no units raises.
    """
    table = "units"
    require_columns(units, [sector, time, size_class, value, n_units], table)
    s, sectors = codes(units[sector], table)
    t, times = codes(units[time], table)
    c, classes = codes(units[size_class], table)
    check_unique([s, t, c], [len(sectors), len(times), len(classes)], units, [sector, time, size_class], table)
    e = counts(units, value, table, "raise")
    n = counts(units, n_units, table, "raise")
    bad = (n == 0) & (e > 0)
    if bad.any():
        raise IndicatorInputError(
            f"{table}: rows with employment but zero {n_units!r}, e.g.\n{units.loc[bad].head(5).to_string()}"
        )
    nt = len(times)
    k = s * nt + t
    m = len(sectors) * nt
    E = np.bincount(k, weights=e, minlength=m)
    sq = np.where(n > 0, e * e / np.where(n > 0, n, 1.0), 0.0)
    H = safe_divide(np.bincount(k, weights=sq, minlength=m), E * E)
    present = np.flatnonzero(np.bincount(k, minlength=m) > 0)
    return pd.DataFrame(
        {sector: sectors.take(present // nt), time: times.take(present % nt), "plant_herfindahl": H[present]}
    )


def ellison_glaeser(
    emp: pd.DataFrame,
    plant_h: pd.DataFrame,
    *,
    region: str = "region",
    sector: str = "sector",
    time: str = "year",
    value: str = "value",
    missing: Missing = "raise",
) -> pd.DataFrame:
    """Ellison–Glaeser agglomeration index per sector × time (formula in the module docstring).

    ``plant_h`` has columns sector, time, ``"plant_herfindahl"`` (from
    :func:`plant_herfindahl` or :func:`plant_herfindahl_from_size_classes`);
    every sector-year of ``emp`` must have one. Returns the columns of
    :func:`concentration_indices` plus ``"plant_herfindahl"`` and ``"ellison_glaeser"``.
    """
    require_columns(plant_h, [sector, time, "plant_herfindahl"], "plant_h")
    conc = concentration_indices(emp, region=region, sector=sector, time=time, value=value, missing=missing)
    merged = conc.merge(
        plant_h[[sector, time, "plant_herfindahl"]], on=[sector, time], how="left", validate="one_to_one"
    )
    lack = merged["plant_herfindahl"].isna() & (merged["employment"] > 0)
    if lack.any():
        raise IndicatorInputError(
            f"plant_h: no 'plant_herfindahl' for sector-years, e.g. "
            f"{merged.loc[lack, [sector, time]].head(5).to_records(index=False).tolist()}"
        )
    H = merged["plant_herfindahl"].to_numpy(dtype=float)
    if ((H < 0) | (H > 1)).any():
        raise IndicatorInputError("plant_h: 'plant_herfindahl' must lie in [0, 1]")
    G = merged["raw_concentration"].to_numpy(dtype=float)
    a = 1.0 - merged["sum_x2"].to_numpy(dtype=float)
    merged["ellison_glaeser"] = safe_divide(G - a * H, a * (1.0 - H))
    return merged
