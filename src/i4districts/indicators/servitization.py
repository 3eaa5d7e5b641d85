"""Territorial servitization: co-location of KIBS with manufacturing.

Knowledge-intensive business services (KIBS) next to manufacturing are read as
a sign of a servitized local production system (e.g. Lafuente, Vaillant &
Vendrell-Herrero 2017, *Int. J. Production Economics* 192; in the district
literature: Bellandi & Santini 2017). Per region × time, with ``K_r`` KIBS
employment, ``M_r`` manufacturing employment, ``E_r`` total employment, and
``K, M, E`` the reference (sum over the table's regions per year):

* ``kibs_per_manufacturing = K_r / M_r``         (KIBS jobs per manufacturing job);
* ``kibs_lq = (K_r / E_r) / (K / E)``            (location quotient of KIBS);
* ``servitization_lq = (K_r / M_r) / (K / M)``   (KIBS-per-manufacturing relative to the reference).

Ratios with a zero denominator are NaN. Default KIBS: NACE Rev. 2 divisions
62, 63, 69, 70, 71, 72, 73 (core KIBS of Schnabl & Zenker 2013, Fraunhofer ISI,
at 2-digit level; 63 and 70 are approximations of 63.1 and 70.2).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ._core import IndicatorInputError, Missing, as_code_set, safe_divide
from ._coded import code_table
from .specialization import MANUFACTURING_NACE

KIBS_NACE: tuple[str, ...] = (
    ("62", "63", "69", "70", "71", "72", "73") + tuple(f"M{d}" for d in (69, 70, 71, 72, 73)) + ("J62", "J63")
)


def servitization(
    emp: pd.DataFrame,
    *,
    kibs: Iterable[object] = KIBS_NACE,
    manufacturing: Iterable[object] = MANUFACTURING_NACE,
    region: str = "region",
    sector: str = "sector",
    time: str = "year",
    value: str = "value",
    missing: Missing = "raise",
) -> pd.DataFrame:
    """KIBS per manufacturing job, KIBS LQ and servitization LQ per region × time.

    Columns: region, time, ``"kibs_employment"``, ``"manufacturing_employment"``,
    ``"employment"``, ``"kibs_per_manufacturing"``, ``"kibs_lq"``, ``"servitization_lq"``.
    """
    p = code_table(emp, region=region, sector=sector, time=time, value=value, reference=None, missing=missing)
    kibs, manufacturing = list(kibs), list(manufacturing)
    is_k = as_code_set(p.sectors, kibs)
    is_m = as_code_set(p.sectors, manufacturing)
    for name, mask, members in (("KIBS", is_k, kibs), ("manufacturing", is_m, manufacturing)):
        if not mask.any():
            raise IndicatorInputError(
                f"emp: no {name} sector found in column {sector!r} (looked for {members[:8]}...; "
                f"found {list(p.sectors[:8])})"
            )
    if (is_k & is_m).any():
        raise IndicatorInputError(f"kibs and manufacturing overlap: {list(p.sectors[is_k & is_m])}")
    m = p.nr * p.nt
    K = np.bincount(p.g, weights=np.where(is_k[p.s], p.v, 0.0), minlength=m)
    M = np.bincount(p.g, weights=np.where(is_m[p.s], p.v, 0.0), minlength=m)
    Kt = np.bincount(np.arange(m) % p.nt, weights=K, minlength=p.nt)
    Mt = np.bincount(np.arange(m) % p.nt, weights=M, minlength=p.nt)
    Et = np.bincount(np.arange(m) % p.nt, weights=p.E_g, minlength=p.nt)
    gi = p.present_groups()
    tt = gi % p.nt
    out = p.group_frame(gi, region, time)
    out["kibs_employment"] = K[gi]
    out["manufacturing_employment"] = M[gi]
    out["employment"] = p.E_g[gi]
    ratio = safe_divide(K[gi], M[gi])
    out["kibs_per_manufacturing"] = ratio
    out["kibs_lq"] = safe_divide(safe_divide(K[gi], p.E_g[gi]), safe_divide(Kt, Et)[tt])
    out["servitization_lq"] = safe_divide(ratio, safe_divide(Kt, Mt)[tt])
    return out
