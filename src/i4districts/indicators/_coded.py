"""Integer-coded view of a long region × sector × time table (internal).

Not a panel: :func:`code_table` validates any long count table once and
returns a :class:`CodedTable`, its key columns as dense integer codes plus the
bincount aggregates every specialization-type indicator needs (the validated
panel of the pipeline is :mod:`i4districts.harmonize.panel`):

* ``g = region * nt + time``    (region-year cell),
* ``st = sector * nt + time``   (sector-year cell),
* ``E_g`` region totals, ``Q_st`` reference sector shares ``E_s / E``,
  and per year the size ``N_t`` of the reference sector universe and
  ``sum_s Q_st**2``.

The *reference economy* is either the table itself (sum over all its regions
per year) or an explicit table ``reference`` of employment by sector and year
(for example the national totals when ``emp`` covers a subset of regions).
In both cases a sector absent from a region-year row has employment 0 there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._core import IndicatorInputError, Missing, check_unique, codes, counts, require_columns


@dataclass(frozen=True)
class CodedTable:
    """Dense codes ``r, s, t`` of a long table, its counts ``v`` and the per-cell aggregates."""

    r: np.ndarray
    s: np.ndarray
    t: np.ndarray
    v: np.ndarray
    g: np.ndarray
    st: np.ndarray
    nr: int
    ns: int
    nt: int
    regions: pd.Index
    sectors: pd.Index
    times: pd.Index
    E_g: np.ndarray  # region-year totals, length nr*nt
    rows_g: np.ndarray  # number of rows per region-year
    Q_st: np.ndarray  # reference share of sector s in year t, length ns*nt
    N_t: np.ndarray  # number of sectors in the reference universe per year
    Q2_t: np.ndarray  # sum of squared reference shares per year

    def present_groups(self) -> np.ndarray:
        return np.flatnonzero(self.rows_g > 0)

    def group_frame(self, gi: np.ndarray, region: str, time: str) -> pd.DataFrame:
        return pd.DataFrame(
            {
                region: self.regions.take(gi // self.nt),
                time: self.times.take(gi % self.nt),
            }
        )


def code_table(
    emp: pd.DataFrame,
    *,
    region: str,
    sector: str,
    time: str,
    value: str,
    reference: pd.DataFrame | None,
    missing: Missing,
    table: str = "emp",
) -> CodedTable:
    require_columns(emp, [region, sector, time, value], table)
    r, regions = codes(emp[region], table)
    s, sectors = codes(emp[sector], table)
    t, times = codes(emp[time], table)
    v = counts(emp, value, table, missing)
    nr, ns, nt = len(regions), len(sectors), len(times)
    check_unique([r, s, t], [nr, ns, nt], emp, [region, sector, time], table)
    g = r * nt + t
    st = s * nt + t
    E_g = np.bincount(g, weights=v, minlength=nr * nt)
    rows_g = np.bincount(g, minlength=nr * nt)
    if reference is None:
        E_st = np.bincount(st, weights=v, minlength=ns * nt)
        E_t = np.bincount(t, weights=v, minlength=nt)
        present_st = np.bincount(st, minlength=ns * nt) > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            Q_st = E_st / np.repeat(E_t[None, :], ns, axis=0).ravel()
        Q_st = np.where(np.repeat(E_t[None, :], ns, axis=0).ravel() == 0, np.nan, Q_st)
        N_t = present_st.reshape(ns, nt).sum(axis=0).astype(np.float64)
        Q2_t = np.nansum((Q_st * present_st).reshape(ns, nt) ** 2, axis=0)
        Q2_t = np.where(np.isnan(E_t), np.nan, Q2_t)
    else:
        Q_st, N_t, Q2_t = _reference_shares(
            reference, sector=sector, time=time, value=value, sectors=sectors, times=times, missing=missing
        )
        needed = np.zeros(ns * nt, dtype=bool)
        needed[st] = True
        lacking = needed & np.isnan(Q_st) & ~_nan_from_values(reference, sector, time, value, sectors, times)
        if lacking.any():
            idx = np.flatnonzero(lacking)[:5]
            pairs = [(sectors[i // nt], times[i % nt]) for i in idx]
            raise IndicatorInputError(
                f"reference: no row for (sector, time) pairs used in {table}, e.g. {pairs} "
                f"(columns {sector!r}, {time!r})"
            )
    return CodedTable(r, s, t, v, g, st, nr, ns, nt, regions, sectors, times, E_g, rows_g, Q_st, N_t, Q2_t)


def _reference_shares(
    reference: pd.DataFrame, *, sector: str, time: str, value: str, sectors: pd.Index, times: pd.Index, missing: Missing
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference shares ``Q_st`` on the (sectors × times) grid of ``emp``, NaN where absent."""
    table = "reference"
    require_columns(reference, [sector, time, value], table)
    rs, rsec = codes(reference[sector], table)
    rt, rtim = codes(reference[time], table)
    rv = counts(reference, value, table, missing)
    check_unique([rs, rt], [len(rsec), len(rtim)], reference, [sector, time], table)
    nrt = len(rtim)
    E_t = np.bincount(rt, weights=rv, minlength=nrt)
    N_t_ref = np.bincount(rt, minlength=nrt).astype(np.float64)
    q = _divide_keep_nan(rv, E_t[rt])
    Q2_ref = np.bincount(rt, weights=np.where(np.isnan(q), 0.0, q) ** 2, minlength=nrt)
    Q2_ref = np.where(np.isnan(E_t), np.nan, Q2_ref)
    # map reference rows onto emp's grid
    s_map = sectors.get_indexer(rsec)  # reference sector code -> emp sector code (-1 if unused)
    t_map = times.get_indexer(rtim)
    ns, nt = len(sectors), len(times)
    Q_st = np.full(ns * nt, np.nan)
    es, et = s_map[rs], t_map[rt]
    keep = (es >= 0) & (et >= 0)
    Q_st[es[keep] * nt + et[keep]] = q[keep]
    N_t = np.full(nt, np.nan)
    Q2_t = np.full(nt, np.nan)
    ok = t_map >= 0
    N_t[t_map[ok]] = N_t_ref[ok]
    Q2_t[t_map[ok]] = Q2_ref[ok]
    return Q_st, N_t, Q2_t


def _nan_from_values(
    reference: pd.DataFrame, sector: str, time: str, value: str, sectors: pd.Index, times: pd.Index
) -> np.ndarray:
    """Grid cells whose reference row exists (so a NaN share there is a missing value, not a gap)."""
    nt = len(times)
    s_idx = sectors.get_indexer(reference[sector])
    t_idx = times.get_indexer(reference[time])
    out = np.zeros(len(sectors) * nt, dtype=bool)
    keep = (s_idx >= 0) & (t_idx >= 0)
    out[s_idx[keep] * nt + t_idx[keep]] = True
    return out


def _divide_keep_nan(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den
    return np.where(den == 0, np.nan, out)
