"""Region-level model frames from the validated panel (vocabulary: region, sector, year, value).

* employment growth: ``growth_{r,t} = 100 · (ln E_{r,t} − ln E_{r,t−1})`` in log
  points (≈ percent), missing for a region's first year or after a gap;
* ``ln_employment_x100 = 100 · ln E_{r,t}`` (log points, for long differences);
* base-year manufacturing location quotient ``LQ_{r,C}`` and the flag LQ > 1.

The frame is keyed by ``(region, year)``; exposure and region traits are
joined on those keys and nothing is dropped silently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from i4districts.errors import InputError
from i4districts.indicators.specialization import location_quotients
from i4districts.vocabulary import REGION, REGION_YEAR, SECTOR, VALUE, YEAR, require


class FrameError(InputError):
    """The model frame cannot be built as asked; the message names the field and the keys."""


def _keys(frame: pd.DataFrame, cols: list[str], n: int = 5) -> list[dict]:
    return frame[cols].head(n).astype(object).to_dict("records")


def employment_growth(panel: pd.DataFrame) -> pd.DataFrame:
    """Regional total employment and its growth, one row per (region, year).

    Returns ``region, year, employment, employment_growth`` with
    growth_{r,t} = 100 · (ln E_{r,t} − ln E_{r,t−1}) (log points), missing for a
    region's first year or after a gap in its years.
    """
    require(panel, [REGION, YEAR, VALUE], "panel")
    total = panel.groupby([REGION, YEAR], as_index=False, sort=True)[VALUE].sum()
    total = total.rename(columns={VALUE: "employment"}).sort_values([REGION, YEAR], ignore_index=True)
    log_e = np.log(total["employment"].astype(float))
    previous_year = total.groupby(REGION)[YEAR].shift(1)
    growth = 100.0 * (log_e - log_e.groupby(total[REGION]).shift(1))
    total["employment_growth"] = growth.where(previous_year == total[YEAR] - 1)
    return total


def manufacturing_specialisation(panel: pd.DataFrame, *, base_year: int, sector: str = "C",
                                 threshold: float = 1.0) -> pd.DataFrame:
    """Base-year manufacturing location quotient per region and the flag LQ > ``threshold``.

    A NUTS-3 proxy for district-like specialisation (Becattini's districts are
    defined on local labour systems; see :mod:`i4districts.indicators.districts`).
    Returns ``region, manufacturing_lq_base, manufacturing_specialised`` (0/1).
    """
    base = panel[panel[YEAR] == base_year]
    if base.empty:
        raise FrameError(f"panel: year: no rows for base year {base_year}")
    if sector not in set(base[SECTOR]):
        raise FrameError(f"panel: sector: {sector!r} not in the panel (sector set without it?)")
    lq = location_quotients(base[[REGION, SECTOR, YEAR, VALUE]], region=REGION, sector=SECTOR, time=YEAR, value=VALUE)
    lq = lq[lq[SECTOR] == sector]
    values = lq["lq"].to_numpy(dtype=float)
    return pd.DataFrame({
        REGION: lq[REGION].to_numpy(),
        "manufacturing_lq_base": values,
        "manufacturing_specialised": (values > threshold).astype("int64"),
    })


def model_frame(growth: pd.DataFrame, exposure: pd.DataFrame, *, base_year: int,
                region_traits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Join growth, exposure and time-invariant region traits on (region, year) for the years after ``base_year``.

    Adds ``ln_employment_x100`` = 100 · ln E (log points, for long differences).
    Every (region, year) of ``growth`` after the base year must have an exposure
    value, and every region its traits; the error names those that do not.
    """
    require(exposure, list(REGION_YEAR), "exposure")
    after = growth[growth[YEAR] > base_year]
    if after.empty:
        raise FrameError(f"panel: year: no years after the base year {base_year}")
    merged = after.merge(exposure, on=list(REGION_YEAR), how="left", validate="one_to_one")
    exposure_cols = [c for c in exposure.columns if c not in REGION_YEAR]
    lacking = merged[merged[exposure_cols].isna().any(axis=1)]
    if len(lacking):
        raise FrameError(f"exposure: missing for {len(lacking)} region-year(s), e.g. {_keys(lacking, list(REGION_YEAR))}")
    if merged["employment_growth"].isna().any():
        gaps = merged[merged["employment_growth"].isna()]
        raise FrameError(f"employment_growth: undefined (gap in years) for {_keys(gaps, list(REGION_YEAR))}")
    merged["ln_employment_x100"] = 100.0 * np.log(merged["employment"].astype(float))
    if region_traits is not None:
        merged = merged.merge(region_traits, on=REGION, how="left", validate="many_to_one")
        trait_cols = [c for c in region_traits.columns if c != REGION]
        lacking = merged[merged[trait_cols].isna().any(axis=1)]
        if len(lacking):
            raise FrameError(f"region traits: missing for {_keys(lacking.drop_duplicates(REGION), [REGION])}")
    return merged.sort_values(list(REGION_YEAR), ignore_index=True)


def difference_frame(panel: pd.DataFrame, exposure: pd.DataFrame, periods: list[tuple[int, int]], *,
                     region_traits: pd.DataFrame | None = None, interact: tuple[str, ...] = (),
                     macro_level: int = 1) -> pd.DataFrame:
    """Long or stacked differences by period, one row per region and period (Acemoglu and Restrepo 2020).

    For each period ``(t0, t1)``: ``d_ln_employment = 100 · (ln E_{r,t1} − ln E_{r,t0})`` (log points over
    the period), ``d_ln_employment_pa`` = the same per year, ``employment_start`` = ``E_{r,t0}`` (persons, the
    declared choice for baseline-employment weights), the exposure measures of ``exposure`` taken at ``t0``
    (a cross-sectional exposure is the same in every year) and their change over the period (``d_<measure>``,
    for exposures that vary over time; a measure undefined at ``t0``, such as an annual change, stays missing), ``macro_area`` = the NUTS code of level
    ``macro_level`` (``ITC`` ...) and ``macro_period`` = macro area × period, the baseline control that does
    not absorb the exposure; ``period`` is ``"t0-t1"``. Numeric region traits are joined, and for each trait
    ``m`` in ``interact`` and exposure measure ``x`` the product ``x_x_m`` (the heterogeneity regressor) and
    ``m_p<i>`` = ``m`` × 1{period i} (trait × period effects, so that the interaction does not pick up the
    manufacturing cycle).
    """
    growth = employment_growth(panel)
    level = growth.set_index([REGION, YEAR])["employment"]
    require(exposure, list(REGION_YEAR), "exposure")
    measures = [c for c in exposure.columns if c not in (*REGION_YEAR, "unit")
                and pd.api.types.is_numeric_dtype(exposure[c])]
    expo = exposure.set_index([REGION, YEAR])[measures]
    regions = sorted(growth[REGION].unique())
    rows = []
    for i, (t0, t1) in enumerate(periods, start=1):
        if t1 <= t0:
            raise FrameError(f"differences: period ({t0}, {t1}) must end after it starts")
        for year in (t0, t1):
            if year not in set(growth[YEAR]):
                raise FrameError(f"differences: year {year} of period {t0}-{t1} is not in the panel")
        e0 = level.xs(t0, level=YEAR).reindex(regions)
        e1 = level.xs(t1, level=YEAR).reindex(regions)
        try:
            x0 = expo.xs(t0, level=YEAR).reindex(regions)
            x1 = expo.xs(t1, level=YEAR).reindex(regions)
        except KeyError:
            raise FrameError(f"exposure: no rows for a year of period {t0}-{t1}") from None
        if x0["exposure"].isna().any():
            raise FrameError(f"exposure: missing at {t0} for {x0.index[x0['exposure'].isna()].tolist()[:5]}")
        d = 100.0 * (np.log(e1.to_numpy(dtype=float)) - np.log(e0.to_numpy(dtype=float)))
        part = pd.DataFrame({REGION: regions, "period": f"{t0}-{t1}", "period_index": i, "start": t0, "end": t1,
                             "d_ln_employment": d, "d_ln_employment_pa": d / (t1 - t0),
                             "employment_start": e0.to_numpy(dtype=float)})
        for m in measures:
            part[m] = x0[m].to_numpy(dtype=float)
            part[f"d_{m}"] = (x1[m] - x0[m]).to_numpy(dtype=float)
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    out["macro_area"] = out[REGION].str.slice(0, 2 + macro_level)
    out["macro_period"] = out["macro_area"] + "_" + out["period"]
    if interact and region_traits is None:
        raise FrameError(f"differences.interact: {list(interact)} needs region traits (districts.measure)")
    if region_traits is not None:
        traits = [c for c in region_traits.columns if c != REGION and pd.api.types.is_numeric_dtype(region_traits[c])]
        out = out.merge(region_traits[[REGION, *traits]], on=REGION, how="left", validate="many_to_one")
        lacking = out[out[traits].isna().any(axis=1)]
        if len(lacking):
            raise FrameError(f"region traits: missing for {_keys(lacking.drop_duplicates(REGION), [REGION])}")
        unknown = [m for m in interact if m not in traits]
        if unknown:
            raise FrameError(f"differences.interact: {unknown} not among the region traits {traits}")
        for m in interact:
            for x in measures:
                out[f"{x}_x_{m}"] = out[x] * out[m]
            for i in range(1, len(periods) + 1):
                out[f"{m}_p{i}"] = out[m] * (out["period_index"] == i)
    return out.sort_values(["period_index", REGION], ignore_index=True)
