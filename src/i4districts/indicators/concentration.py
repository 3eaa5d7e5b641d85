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
from size classes. With ``n_c`` units and ``e_c`` employment in class c, the
size-class data only bound H:

* lower bound (:func:`plant_herfindahl_from_size_classes`, and
  ``plant_herfindahl_lower`` of :func:`plant_herfindahl_bounds`): equal sizes
  within each class, ``H_lo = sum_c e_c**2 / n_c / E_s**2`` (equal sizes
  minimise ``sum z**2`` given the class totals);
* upper bound (:func:`plant_herfindahl_bounds`): within each class
  ``[a_c, b_c]`` as many units as possible at the class maximum ``b_c``, one
  unit with the remainder and the rest at the class minimum ``a_c`` (the
  extreme point of the feasible set that maximises the convex ``sum z**2``).
  The top class is open: its maximum is the explicit ``top_cap`` argument, or
  with ``top_cap=None`` no cap (one unit holds everything above the other
  units' minimum: the worst case).

The true H lies in ``[H_lo, H_hi]``; the equal-size H alone is a lower bound
whose bias is not small in general (one large plant in the open top class can
dominate H), so :func:`ellison_glaeser` reports the Ellison–Glaeser index at
both bounds when the plant table carries them (``ellison_glaeser_lower``,
``ellison_glaeser_upper``: gamma is monotone in H on [0, 1), increasing or
decreasing with the sign of ``G - (1 - sum x_r**2)``, so its bounds are the
min and max of gamma at ``H_lo`` and ``H_hi``; ``±inf`` on one side when
``H_hi = 1``).
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
    """Lower bound of the plant Herfindahl from size classes: ``H_lo = sum_c e_c**2 / n_c / E_s**2``.

    Assumes equal-sized units within each class: a lower bound on the true H,
    not an estimate with a small bias; use :func:`plant_herfindahl_bounds` for
    the interval (module docstring). A class with employment but no units raises.
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


#: class limits (min, max persons employed; max None = open class) of the usual size-class codes
SIZE_CLASS_LIMITS: dict[str, tuple[float, float | None]] = {
    "W0_9": (0.0, 9.0),
    "W10_49": (10.0, 49.0),
    "W50_249": (50.0, 249.0),
    "W_GE250": (250.0, None),
}


def _max_sum_squares(e: np.ndarray, n: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Max ``sum x_i**2`` over ``n`` sizes in ``[a, b]`` summing to ``e`` (``b = inf``: no cap)."""
    out = np.zeros_like(e)
    pos = n > 0
    e, n, a, b = e[pos], n[pos], a[pos], b[pos]
    capped = np.isfinite(b) & (b > a)
    width = np.where(capped, b - a, 1.0)
    # units at the cap: k = floor((e - n a) / (b - a)), at most n - 1 besides the one with the remainder
    k = np.where(capped, np.minimum(np.floor((e - n * a) / width), n - 1), 0.0)
    k = np.maximum(k, 0.0)
    top = np.where(capped, b, 0.0)
    rest = e - k * top - (n - k - 1) * a  # the one unit with the remainder
    out[pos] = k * top**2 + rest**2 + (n - k - 1) * a**2
    return out


def plant_herfindahl_bounds(
    units: pd.DataFrame,
    *,
    top_cap: float | None,
    limits: dict[str, tuple[float, float | None]] | None = None,
    sector: str = "sector",
    time: str = "year",
    size_class: str = "size_class",
    value: str = "value",
    n_units: str = "units",
) -> pd.DataFrame:
    """Lower and upper bounds of the plant Herfindahl from size-class counts (module docstring).

    ``limits`` maps each size class to ``(min, max)`` employment per unit
    (default :data:`SIZE_CLASS_LIMITS`); a class with ``max=None`` is open and
    takes ``top_cap`` (an explicit tail assumption, e.g. the largest plant
    size known for the sector; ``None`` = no cap, the worst case). A class
    whose mean size ``e_c / n_c`` lies outside its limits raises (the limits do
    not describe the data). Columns: sector, time, ``plant_herfindahl``
    (= the lower bound, equal sizes within classes), ``plant_herfindahl_lower``,
    ``plant_herfindahl_upper``.
    """
    table = "units"
    limits = SIZE_CLASS_LIMITS if limits is None else limits
    low = plant_herfindahl_from_size_classes(
        units, sector=sector, time=time, size_class=size_class, value=value, n_units=n_units
    )
    cls = units[size_class].astype(str)
    unknown = sorted(set(cls) - {str(k) for k in limits})
    if unknown:
        raise IndicatorInputError(f"{table}: size classes {unknown[:8]} have no limits; known: {sorted(limits)}")
    lim = {str(k): v for k, v in limits.items()}
    cap = np.inf if top_cap is None else float(top_cap)
    a = np.array([float(lim[c][0]) for c in cls], dtype=float)
    b = np.array([cap if lim[c][1] is None else float(lim[c][1]) for c in cls], dtype=float)
    if (b < a).any():
        raise IndicatorInputError(f"{table}: a class maximum (or top_cap={top_cap}) is below its minimum")
    e = counts(units, value, table, "raise")
    n = counts(units, n_units, table, "raise")
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, e / np.where(n > 0, n, 1.0), np.nan)
    off = (n > 0) & ((mean < a - 1e-9) | (mean > b + 1e-9))
    if off.any():
        raise IndicatorInputError(
            f"{table}: mean size {value!r}/{n_units!r} outside the class limits (or above top_cap), e.g.\n"
            f"{units.loc[off].head(5).to_string()}"
        )
    s, sectors = codes(units[sector], table)
    t, times = codes(units[time], table)
    nt = len(times)
    k = s * nt + t
    m = len(sectors) * nt
    E = np.bincount(k, weights=e, minlength=m)
    H_hi = safe_divide(np.bincount(k, weights=_max_sum_squares(e, n, a, b), minlength=m), E * E)
    idx = sectors.get_indexer(low[sector]) * nt + times.get_indexer(low[time])
    out = low.copy()
    out["plant_herfindahl_lower"] = low["plant_herfindahl"].to_numpy()
    out["plant_herfindahl_upper"] = np.minimum(H_hi[idx], 1.0)
    return out


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
    When ``plant_h`` also has ``plant_herfindahl_lower``/``plant_herfindahl_upper``
    (:func:`plant_herfindahl_bounds`), the bounds of gamma over that interval are
    added as ``ellison_glaeser_lower``/``ellison_glaeser_upper``.
    """
    require_columns(plant_h, [sector, time, "plant_herfindahl"], "plant_h")
    conc = concentration_indices(emp, region=region, sector=sector, time=time, value=value, missing=missing)
    bounds = [c for c in ("plant_herfindahl_lower", "plant_herfindahl_upper") if c in plant_h.columns]
    merged = conc.merge(
        plant_h[[sector, time, "plant_herfindahl", *bounds]], on=[sector, time], how="left", validate="one_to_one"
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
    if len(bounds) == 2:
        lo = merged["plant_herfindahl_lower"].to_numpy(dtype=float)
        hi = merged["plant_herfindahl_upper"].to_numpy(dtype=float)
        if ((lo < 0) | (hi > 1) | (lo > hi + 1e-12)).any():
            raise IndicatorInputError("plant_h: need 0 <= plant_herfindahl_lower <= plant_herfindahl_upper <= 1")
        g_lo = safe_divide(G - a * lo, a * (1.0 - lo))
        g_hi = safe_divide(G - a * hi, a * (1.0 - hi))
        # H_hi = 1 (a single unit could hold the sector): gamma is unbounded on the side of sign(G - a)
        slope = G - a
        g_hi = np.where(hi >= 1.0, np.sign(slope) * np.inf, g_hi)
        g_hi = np.where((hi >= 1.0) & (slope == 0), g_lo, g_hi)
        merged["ellison_glaeser_lower"] = np.fmin(g_lo, g_hi)
        merged["ellison_glaeser_upper"] = np.fmax(g_lo, g_hi)
    return merged
