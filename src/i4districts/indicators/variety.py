"""Related and unrelated variety (Frenken, Van Oort & Verburg 2007, *Regional Studies* 41(5)).

Sectors ``i`` (e.g. NACE divisions) nest in groups ``G`` (e.g. NACE sections).
With ``p_i = E_ri / E_r`` the region's sector shares and ``P_G = sum_{i in G} p_i``:

* entropy            ``H = -sum_i p_i ln p_i`` (natural log, ``0 ln 0 = 0``);
* unrelated variety  ``UV = -sum_G P_G ln P_G`` (entropy between groups);
* related variety    ``RV = sum_G P_G H_G`` with ``H_G = -sum_{i in G} (p_i / P_G) ln(p_i / P_G)``
  (weighted sum of within-group entropies).

By the chain rule of entropy ``RV + UV = H`` exactly (up to float rounding).
Units: nats (natural log; FVV 2007 use log base 2 — multiply by ``1/ln 2`` for bits).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from scipy.special import xlogy

from ._core import IndicatorInputError, Missing, safe_divide
from ._coded import code_table

GroupMap = Mapping[object, object] | pd.Series | Callable[[object], object]


def _group_codes(sectors: pd.Index, groups: GroupMap, sector: str) -> tuple[np.ndarray, pd.Index]:
    if callable(groups) and not isinstance(groups, (Mapping, pd.Series)):
        labels = [groups(s) for s in sectors]
    else:
        mapping = groups
        labels = [
            mapping.get(s, mapping.get(str(s)))
            if isinstance(mapping, Mapping)
            else (mapping[s] if s in mapping.index else None)
            for s in sectors
        ]
    missing = [s for s, lab in zip(sectors, labels) if lab is None or (isinstance(lab, float) and np.isnan(lab))]
    if missing:
        raise IndicatorInputError(
            f"emp: sector codes in column {sector!r} have no group in the mapping, e.g. {missing[:5]}"
        )
    codes, uniques = pd.factorize(pd.Series(labels, dtype=object), sort=True)
    return codes.astype(np.intp), pd.Index(uniques)


def related_unrelated_variety(
    emp: pd.DataFrame,
    groups: GroupMap,
    *,
    region: str = "region",
    sector: str = "sector",
    time: str = "year",
    value: str = "value",
    missing: Missing = "raise",
) -> pd.DataFrame:
    """Entropy, related variety and unrelated variety per region × time.

    ``groups`` maps each sector code to its group: a dict, a Series indexed by
    sector, or a function (e.g. ``lambda code: code[:1]`` for NACE sections
    from ``"C10"``-style codes). Returns columns region, time, ``"entropy"``,
    ``"unrelated_variety"``, ``"related_variety"``, ``"n_groups"`` (groups with
    positive employment). NaN where the region-year total is 0.
    """
    p = code_table(emp, region=region, sector=sector, time=time, value=value, reference=None, missing=missing)
    gcode, _ = _group_codes(p.sectors, groups, sector)
    ng = int(gcode.max()) + 1 if gcode.size else 1
    m = p.nr * p.nt
    G = gcode[p.s]
    cell = p.g * ng + G
    share = safe_divide(p.v, p.E_g[p.g])
    P = np.bincount(cell, weights=share, minlength=m * ng)  # P_G per region-year
    H = -np.bincount(p.g, weights=xlogy(share, share), minlength=m)
    UV = -np.bincount(np.arange(m * ng) // ng, weights=xlogy(P, P), minlength=m)
    within = safe_divide(share, P[cell])  # p_i / P_G
    within = np.where(share == 0, 0.0, within)
    RV = -np.bincount(
        p.g, weights=share * np.where(within > 0, np.log(np.where(within > 0, within, 1.0)), 0.0), minlength=m
    )
    n_groups = np.bincount(np.arange(m * ng) // ng, weights=(P > 0), minlength=m)
    undefined = ~(p.E_g > 0)
    gi = p.present_groups()
    out = p.group_frame(gi, region, time)
    for name, arr in (("entropy", H), ("unrelated_variety", UV), ("related_variety", RV)):
        out[name] = np.where(undefined, np.nan, arr)[gi]
    out["n_groups"] = n_groups[gi].astype(np.int64)
    return out
