"""Decentralization (Becattini's "population of SMEs"): employment by firm-size class.

Input: a long table of employment by region × size class × time (local units
classified by persons employed). For each cell:

* share  ``s_rc = E_rc / E_r`` (fraction of the region's employment in class c);
* LQ     ``LQ_rc = (E_rc / E_r) / (E_c / E)`` against the reference economy
  (sum over the table's regions, or an explicit ``reference`` by class × time).

Default classes are ISTAT's ASIA local-unit size classes (SDMX codes
``W0_9, W10_49, W50_249, W_GE250`` = 0–9, 10–49, 50–249, 250+ persons
employed; EU Recommendation 2003/361/EC: SMEs are units under 250). Reference:
Becattini (1990), "The Marshallian industrial district as a socio-economic notion";
Sforzi (1990) for the size-class LQs used by ISTAT.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ._core import IndicatorInputError, Missing, safe_divide
from ._coded import code_table
from .specialization import location_quotients

SIZE_CLASSES: tuple[str, ...] = ("W0_9", "W10_49", "W50_249", "W_GE250")
SIZE_CLASS_LABELS: dict[str, str] = {"W0_9": "0-9", "W10_49": "10-49", "W50_249": "50-249", "W_GE250": "250+"}


def size_class_structure(
    units: pd.DataFrame,
    *,
    region: str = "region",
    size_class: str = "size_class",
    time: str = "year",
    value: str = "value",
    classes: Sequence[str] | None = SIZE_CLASSES,
    reference: pd.DataFrame | None = None,
    missing: Missing = "raise",
) -> pd.DataFrame:
    """Employment share and LQ of each size class per region × time.

    ``classes`` lists the allowed, non-overlapping class codes (a ``TOTAL`` row
    must be removed first); any other code raises. ``None`` accepts any code.
    Returns one row per input row (input order): region, size_class, time,
    ``"employment"``, ``"share"`` (in [0, 1]), ``"lq"``, ``"flag"``.
    """
    if classes is not None and size_class in units.columns:
        bad = ~units[size_class].astype(str).isin([str(c) for c in classes])
        if bad.any():
            raise IndicatorInputError(
                f"units: column {size_class!r} has codes outside {list(classes)}: "
                f"{units.loc[bad, size_class].drop_duplicates().head(5).tolist()} "
                "(drop totals and map codes to the listed classes)"
            )
    lq = location_quotients(
        units, region=region, sector=size_class, time=time, value=value, reference=reference, missing=missing
    )
    p = code_table(
        units,
        region=region,
        sector=size_class,
        time=time,
        value=value,
        reference=reference,
        missing=missing,
        table="units",
    )
    out = lq[[region, size_class, time]].copy()
    out["employment"] = p.v
    out["share"] = safe_divide(p.v, p.E_g[p.g])
    out["lq"] = lq["lq"].to_numpy()
    out["flag"] = lq["flag"].to_numpy()
    return out
