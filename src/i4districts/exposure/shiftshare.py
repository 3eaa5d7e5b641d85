"""Shift-share (Bartik) exposure to Industry 4.0 adoption.

Formulas (grep for their names):

* **baseline share**: ``share_{r,s} = L_{r,s,base} / sum_s L_{r,s,base}``
  (sector employment share of region r in the base year).
* **shift-share exposure**: ``exposure_{r,t} = sum_s share_{r,s} * shift_{s,t}``
  (Bartik 1991; Goldsmith-Pinkham, Sorkin and Swift 2020, AER, eq. 1).
* **adoption change**: ``shift_{s,t1} = a_{s,t1} - a_{s,t0}`` for a period
  ``(t0, t1)`` (long difference of an adoption indicator).
* **adjusted penetration** (Acemoglu and Restrepo 2020, JPE, eq. 9):
  ``APR_{s,(t0,t1)} = (R_{s,t1} - R_{s,t0}) / L_{s,base} - g_{s,(t0,t1)} * R_{s,t0} / L_{s,base}``
  with ``g = Q_{s,t1} / Q_{s,t0} - 1`` the sector output (or employment)
  growth; with L in thousands, APR is in units per thousand workers.
* **leave-one-out shift** (instrument): ``shift^{-c}_{s,t} = mean_{c' != c} shift_{c',s,t}``;
  **named-countries shift**: ``mean_{c' in C} shift_{c',s,t}`` (Acemoglu and
  Restrepo 2020 use other European countries' robot adoption; Dauth,
  Findeisen, Suedekum and Woessner 2021, JEEA, use other high-income countries).

Every function is pure: DataFrame in, DataFrame out. Bad input raises
:class:`~i4districts.exposure.errors.ExposureInputError` naming the table,
column and offending values; nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from i4districts.exposure.errors import ExposureInputError

__all__ = [
    "adjusted_penetration",
    "adoption_changes",
    "baseline_shares",
    "leave_one_out_shift",
    "named_countries_shift",
    "shift_share_exposure",
]


# ---------------------------------------------------------------- validation
def _require_columns(df: pd.DataFrame, table: str, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ExposureInputError(
            table, missing[0], f"is missing (have {list(df.columns)})", missing
        )


def _require_finite(df: pd.DataFrame, table: str, column: str, keys: Sequence[str]) -> None:
    values = pd.to_numeric(df[column], errors="coerce")
    bad = ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        rows = df.loc[bad, [*keys, column]].head(5).to_dict("records")
        raise ExposureInputError(table, column, "has missing or non-numeric values", rows)


def _require_unique(df: pd.DataFrame, table: str, keys: Sequence[str]) -> None:
    dup = df.duplicated(list(keys), keep=False)
    if dup.any():
        rows = df.loc[dup, list(keys)].drop_duplicates().head(5).to_dict("records")
        raise ExposureInputError(
            table, ", ".join(keys), "has duplicate keys", rows
        )


# ------------------------------------------------------------- base shares
def baseline_shares(
    emp: pd.DataFrame,
    *,
    base_year: int,
    region: str = "geo",
    sector: str = "nace",
    time: str = "year",
    value: str = "employment",
) -> pd.DataFrame:
    """Baseline-year sector employment shares per region.

    baseline share: ``share_{r,s} = L_{r,s,base} / sum_s L_{r,s,base}``, so the
    shares of each region sum to one (dimensionless). Reference: Bartik (1991);
    Goldsmith-Pinkham, Sorkin and Swift (2020), AER 110(8), the "shares".

    Returns columns ``[region, sector, "share"]`` sorted by region, sector.
    Raises :class:`ExposureInputError` on missing columns, no rows in the base
    year, duplicate (region, sector) cells, missing/negative employment or a
    region whose base-year employment is zero.
    """
    table = "employment table"
    _require_columns(emp, table, [region, sector, time, value])
    base = emp.loc[emp[time] == base_year, [region, sector, value]]
    if base.empty:
        years = sorted(pd.unique(emp[time]).tolist())
        raise ExposureInputError(
            table, time, f"has no rows for base_year={base_year}; years present", years
        )
    _require_unique(base, table, [region, sector])
    _require_finite(base, table, value, [region, sector])
    vals = base[value].astype(float)
    if (vals < 0).any():
        rows = base.loc[vals < 0].head(5).to_dict("records")
        raise ExposureInputError(table, value, "has negative employment", rows)
    totals = vals.groupby(base[region]).transform("sum")
    zero = totals <= 0
    if zero.any():
        regions = pd.unique(base.loc[zero, region]).tolist()
        raise ExposureInputError(
            table, value, f"sums to zero in base_year={base_year} for regions", regions
        )
    out = pd.DataFrame(
        {region: base[region].to_numpy(), sector: base[sector].to_numpy(),
         "share": (vals / totals).to_numpy()}
    )
    return out.sort_values([region, sector], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------- exposure
def shift_share_exposure(
    shares: pd.DataFrame,
    shifts: pd.DataFrame,
    *,
    region: str = "geo",
    sector: str = "nace",
    time: str = "year",
    shift: str = "shift",
) -> pd.DataFrame:
    """Shift-share exposure per region and period.

    shift-share exposure: ``exposure_{r,t} = sum_s share_{r,s} * shift_{s,t}``
    (units of the shift, e.g. robots per thousand workers). Reference: Bartik
    (1991); Goldsmith-Pinkham, Sorkin and Swift (2020), eq. (1); Acemoglu and
    Restrepo (2020), JPE 128(6), eq. (10).

    ``shares`` has ``[region, sector, "share"]`` (e.g. from
    :func:`baseline_shares`); ``shifts`` has ``[sector, time, shift]`` and must
    hold every sector for every period. The sector sets must match exactly:
    sectors in one table but not the other raise an error naming them (drop or
    aggregate them explicitly upstream). Returns ``[region, time, "exposure"]``.
    """
    _require_columns(shares, "shares table", [region, sector, "share"])
    _require_columns(shifts, "shifts table", [sector, time, shift])
    _require_unique(shares, "shares table", [region, sector])
    _require_unique(shifts, "shifts table", [sector, time])
    _require_finite(shares, "shares table", "share", [region, sector])
    _require_finite(shifts, "shifts table", shift, [sector, time])

    s_sh = set(pd.unique(shares[sector]).tolist())
    s_sf = set(pd.unique(shifts[sector]).tolist())
    only_shares = sorted(s_sh - s_sf, key=str)
    only_shifts = sorted(s_sf - s_sh, key=str)
    if only_shares:
        raise ExposureInputError(
            "shares table", sector, "has sectors absent from the shifts table", only_shares
        )
    if only_shifts:
        raise ExposureInputError(
            "shifts table", sector, "has sectors absent from the shares table", only_shifts
        )
    # balanced shifts: every sector in every period
    wide = shifts.pivot(index=sector, columns=time, values=shift)
    if wide.isna().to_numpy().any():
        missing = wide.isna().stack()
        cells = [
            {sector: s, time: t} for (s, t), m in missing.items() if m
        ]
        raise ExposureInputError(
            "shifts table", shift, "lacks (sector, period) cells", cells
        )
    share_wide = shares.pivot(index=region, columns=sector, values="share").fillna(0.0)
    share_wide = share_wide.reindex(columns=wide.index)
    expo = share_wide.to_numpy(dtype=float) @ wide.to_numpy(dtype=float)
    out = pd.DataFrame(expo, index=share_wide.index, columns=wide.columns)
    out = out.stack().rename("exposure").reset_index()
    out.columns = [region, time, "exposure"]
    return out.sort_values([region, time], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------- shifts
def adoption_changes(
    adoption: pd.DataFrame,
    *,
    periods: Sequence[tuple[int, int]],
    sector: str = "nace",
    time: str = "year",
    value: str = "adoption",
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Long-difference change of a sector adoption indicator.

    adoption change: ``shift_{s,t1} = a_{s,t1} - a_{s,t0}`` for each period
    ``(t0, t1)`` (units of the indicator, e.g. percentage points of
    enterprises using AI). ``by`` adds grouping keys (e.g. ``["country"]``).
    Returns ``[*by, sector, time, "shift"]`` with ``time = t1``. A sector
    lacking either endpoint raises an error naming it.
    """
    table = "adoption table"
    keys = [*by, sector]
    _require_columns(adoption, table, [*keys, time, value])
    _require_unique(adoption, table, [*keys, time])
    _require_finite(adoption, table, value, [*keys, time])
    if not periods:
        raise ExposureInputError(table, time, "no periods requested")
    idx = adoption.set_index([*keys, time])[value].astype(float)
    groups = adoption[keys].drop_duplicates()
    frames = []
    for t0, t1 in periods:
        if t1 <= t0:
            raise ExposureInputError(table, time, "period must have end > start", [(t0, t1)])
        g = groups.copy()
        ix0 = pd.MultiIndex.from_frame(g.assign(**{time: t0}))
        ix1 = pd.MultiIndex.from_frame(g.assign(**{time: t1}))
        a0 = idx.reindex(ix0).to_numpy()
        a1 = idx.reindex(ix1).to_numpy()
        miss = np.isnan(a0) | np.isnan(a1)
        if miss.any():
            rows = g.loc[miss].head(5).to_dict("records")
            raise ExposureInputError(
                table, value, f"lacks an endpoint of period ({t0}, {t1}) for", rows
            )
        g[time] = t1
        g["shift"] = a1 - a0
        frames.append(g)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values([*keys, time], kind="stable").reset_index(drop=True)


def adjusted_penetration(
    stock: pd.DataFrame,
    growth_base: pd.DataFrame,
    employment: pd.DataFrame,
    *,
    periods: Sequence[tuple[int, int]],
    sector: str = "nace",
    time: str = "year",
    value: str = "stock",
    growth_value: str = "output",
    emp_value: str = "employment",
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Acemoglu-Restrepo adjusted penetration of a technology stock.

    adjusted penetration (Acemoglu and Restrepo 2020, JPE 128(6), eq. 9):
    ``APR_{s,(t0,t1)} = (R_{s,t1} - R_{s,t0}) / L_{s,base} - g_{s,(t0,t1)} * R_{s,t0} / L_{s,base}``,
    where ``R`` is the stock (e.g. robots), ``L_{s,base}`` baseline sector
    employment (from ``employment``: ``[*by, sector, emp_value]``) and
    ``g = Q_{s,t1} / Q_{s,t0} - 1`` the growth of sector output or employment
    (from ``growth_base``: ``[*by, sector, time, growth_value]``). It nets out
    the adoption that sector growth alone would imply. With ``L`` in thousands,
    the result is robots per thousand workers. Returns
    ``[*by, sector, time, "shift"]`` with ``time = t1``.
    """
    keys = [*by, sector]
    _require_columns(employment, "employment table", [*keys, emp_value])
    _require_unique(employment, "employment table", keys)
    _require_finite(employment, "employment table", emp_value, keys)
    emp = employment.set_index(keys)[emp_value].astype(float)
    if (emp <= 0).any():
        raise ExposureInputError(
            "employment table", emp_value, "must be positive; non-positive for",
            emp[emp <= 0].index.tolist(),
        )
    d_stock = adoption_changes(stock, periods=periods, sector=sector, time=time,
                               value=value, by=by)
    _require_columns(growth_base, "growth table", [*keys, time, growth_value])
    gt = growth_base.set_index([*keys, time])[growth_value].astype(float)
    st = stock.set_index([*keys, time])[value].astype(float)
    frames = []
    for t0, t1 in periods:
        part = d_stock.loc[d_stock[time] == t1].copy()
        kf = part[keys]
        ix0 = pd.MultiIndex.from_frame(kf.assign(**{time: t0}))
        ix1 = pd.MultiIndex.from_frame(kf.assign(**{time: t1}))
        q0 = gt.reindex(ix0).to_numpy()
        q1 = gt.reindex(ix1).to_numpy()
        bad = ~np.isfinite(q0) | ~np.isfinite(q1) | (q0 <= 0)
        if bad.any():
            raise ExposureInputError(
                "growth table", growth_value,
                f"lacks a positive value at an endpoint of ({t0}, {t1}) for",
                kf.loc[bad].to_dict("records"),
            )
        ekey = pd.MultiIndex.from_frame(kf) if len(keys) > 1 else pd.Index(kf[sector])
        l_base = emp.reindex(ekey).to_numpy()
        if np.isnan(l_base).any():
            raise ExposureInputError(
                "employment table", sector, "lacks baseline employment for",
                kf.loc[np.isnan(l_base)].to_dict("records"),
            )
        r0 = st.reindex(ix0).to_numpy()
        g = q1 / q0 - 1.0
        part["shift"] = part["shift"].to_numpy() / l_base - g * r0 / l_base
        frames.append(part)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values([*keys, time], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------- instruments
def _country_shift_wide(
    shifts: pd.DataFrame, country: str, sector: str, time: str, shift: str
) -> pd.DataFrame:
    table = "country shifts table"
    _require_columns(shifts, table, [country, sector, time, shift])
    _require_unique(shifts, table, [country, sector, time])
    _require_finite(shifts, table, shift, [country, sector, time])
    return shifts.pivot(index=[sector, time], columns=country, values=shift)


def leave_one_out_shift(
    shifts: pd.DataFrame,
    *,
    country: str = "country",
    sector: str = "nace",
    time: str = "year",
    shift: str = "shift",
) -> pd.DataFrame:
    """Leave-one-out shift for each country (instrument construction).

    leave-one-out shift: ``shift^{-c}_{s,t} = mean_{c' != c} shift_{c',s,t}``,
    the unweighted mean of the other countries' shift (the robot literature's
    instrument: Acemoglu and Restrepo 2020; Dauth et al. 2021, JEEA). Feed the
    result for country c to :func:`shift_share_exposure` to build c's
    instrument. Needs every country for every (sector, period) and at least
    two countries. Returns ``[country, sector, time, "shift"]``.
    """
    wide = _country_shift_wide(shifts, country, sector, time, shift)
    if wide.shape[1] < 2:
        raise ExposureInputError(
            "country shifts table", country, "needs at least two countries; have",
            list(wide.columns),
        )
    if wide.isna().to_numpy().any():
        miss = wide.isna().stack()
        raise ExposureInputError(
            "country shifts table", shift, "lacks (sector, period, country) cells",
            [k for k, m in miss.items() if m],
        )
    total = wide.sum(axis=1)
    k = wide.shape[1]
    loo = wide.rsub(total, axis=0) / (k - 1)
    out = loo.stack().rename("shift").reset_index()
    out = out[[country, sector, time, "shift"]]
    return out.sort_values([country, sector, time], kind="stable").reset_index(drop=True)


def named_countries_shift(
    shifts: pd.DataFrame,
    countries: Sequence[str],
    *,
    country: str = "country",
    sector: str = "nace",
    time: str = "year",
    shift: str = "shift",
) -> pd.DataFrame:
    """Mean shift over a named set of countries (instrument construction).

    named-countries shift: ``shift^{C}_{s,t} = mean_{c in C} shift_{c,s,t}``
    (Acemoglu and Restrepo 2020 use European countries ahead of the US;
    Dauth et al. 2021 use other high-income countries). Every named country
    must be present for every (sector, period). Returns
    ``[sector, time, "shift"]``.
    """
    wide = _country_shift_wide(shifts, country, sector, time, shift)
    names = list(dict.fromkeys(countries))
    if not names:
        raise ExposureInputError("country shifts table", country, "no countries named")
    absent = [c for c in names if c not in wide.columns]
    if absent:
        raise ExposureInputError(
            "country shifts table", country, "lacks the named countries", absent
        )
    sub = wide[names]
    if sub.isna().to_numpy().any():
        miss = sub.isna().stack()
        raise ExposureInputError(
            "country shifts table", shift, "lacks (sector, period, country) cells",
            [k for k, m in miss.items() if m],
        )
    out = sub.mean(axis=1).rename("shift").reset_index()
    return out.sort_values([sector, time], kind="stable").reset_index(drop=True)
