"""Spatial polarization across regions and the Theil between/within decomposition.

Regions are the population groups: ``y_r`` a regional rate or level
(employment rate, manufacturing share, income per head) and ``w_r`` the
population, ``pi_r = w_r / sum w``, ``mu = sum_r pi_r y_r``.

* :func:`spatial_polarization` — Esteban–Ray (1994) on the regions
  (``K sum_rq pi_r**(1+alpha) pi_q |y_r - y_q|``, mean-normalised by default),
  the population-weighted Gini ``1/(2 mu) sum_rq pi_r pi_q |y_r - y_q|`` and
  coefficient of variation ``sqrt(sum_r pi_r (y_r - mu)**2) / mu`` (Williamson 1965),
  per time.
* :func:`theil_decomposition` — Theil's T index
  ``T = sum_r pi_r (y_r / mu) ln(y_r / mu)`` (Theil 1967; ``0 ln 0 = 0``) split
  over groups g (e.g. districts vs non-districts; Shorrocks 1980):
  ``T_between = sum_g pi_g (mu_g / mu) ln(mu_g / mu)``,
  ``T_within = sum_g pi_g (mu_g / mu) T_g``, and ``T = T_between + T_within`` exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import xlogy

from ._core import IndicatorInputError, counts, group_codes, require_columns, safe_divide
from .polarization import _abs_dev, _prepare, esteban_ray


def spatial_polarization(
    df: pd.DataFrame,
    *,
    value: str,
    weight: str = "population",
    by: Sequence[str] | None = ("year",),
    alpha: float = 1.0,
    K: float = 1.0,
    relative: bool = True,
) -> pd.DataFrame:
    """Population-weighted Esteban–Ray, Gini and CV of ``value`` across regions, per ``by`` group.

    One row per region (× ``by``). Columns: ``by...``, ``"esteban_ray"``,
    ``"gini"``, ``"cv"``, ``"mean"``, ``"n_regions"``.
    """
    by = list(by) if by else []
    er = esteban_ray(df, value=value, weight=weight, by=by, alpha=alpha, K=K, relative=relative)
    g, frame = group_codes(df, by or None, "spatial input")
    y = df[value].to_numpy(dtype=float)
    w = counts(df, weight, "spatial input", "raise")
    n = len(frame)
    W = np.bincount(g, weights=w, minlength=n)
    pi = w / W[g]
    mu = np.bincount(g, weights=pi * y, minlength=n)
    var = np.bincount(g, weights=pi * (y - mu[g]) ** 2, minlength=n)
    gs, ys, ps, _, _ = _prepare(df, value, weight, by or None, "spatial input")
    a, _ = _abs_dev(gs, ys, ps, n)
    out = er
    out["gini"] = safe_divide(0.5 * np.bincount(gs, weights=ps * a, minlength=n), mu)
    out["cv"] = safe_divide(np.sqrt(var), mu)
    out["n_regions"] = np.bincount(g, minlength=n)
    return out


def theil_decomposition(
    df: pd.DataFrame,
    *,
    value: str,
    group: str,
    weight: str = "population",
    by: Sequence[str] | None = ("year",),
) -> pd.DataFrame:
    """Theil T of ``value`` across regions and its between/within-``group`` decomposition.

    Columns: ``by...``, ``"theil"``, ``"between"``, ``"within"``,
    ``"between_share"`` (between / theil). Values must be non-negative with a
    positive mean in each ``by`` group.
    """
    table = "theil input"
    by = list(by) if by else []
    require_columns(df, [value, group, weight, *by], table)
    y = counts(df, value, table, "raise")
    w = counts(df, weight, table, "raise")
    g, frame = group_codes(df, by or None, table)
    n = len(frame)
    W = np.bincount(g, weights=w, minlength=n)
    if (W <= 0).any():
        raise IndicatorInputError(f"{table}: total weight 0 in some group of {by}")
    pi = w / W[g]
    mu = np.bincount(g, weights=pi * y, minlength=n)
    if (mu <= 0).any():
        raise IndicatorInputError(f"{table}: mean of {value!r} is 0 in some group of {by}")
    T = np.bincount(g, weights=pi * xlogy(y / mu[g], y / mu[g]), minlength=n)
    gc, gl = pd.factorize(df[group], sort=True)
    if (gc < 0).any():
        raise IndicatorInputError(f"{table}: column {group!r} has missing values")
    ng = len(gl)
    cell = g * ng + gc
    pi_g = np.bincount(cell, weights=pi, minlength=n * ng)
    mu_g = safe_divide(np.bincount(cell, weights=pi * y, minlength=n * ng), pi_g)
    rel = safe_divide(mu_g, np.repeat(mu, ng))
    rel = np.where(pi_g > 0, rel, 0.0)
    between = np.bincount(np.arange(n * ng) // ng, weights=pi_g * xlogy(rel, rel), minlength=n)
    # within: sum_g pi_g (mu_g/mu) T_g with T_g = sum_{r in g} (pi_r/pi_g)(y_r/mu_g) ln(y_r/mu_g)
    ratio = np.where(mu_g[cell] > 0, y / np.where(mu_g[cell] > 0, mu_g[cell], 1.0), 0.0)
    within = np.bincount(g, weights=pi * (mu_g[cell] / mu[g]) * xlogy(ratio, ratio), minlength=n)
    out = frame.reset_index(drop=True) if by else pd.DataFrame(index=[0])
    out["theil"] = T
    out["between"] = between
    out["within"] = within
    out["between_share"] = safe_divide(between, T)
    return out
