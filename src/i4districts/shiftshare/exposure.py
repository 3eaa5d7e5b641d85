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

The instruments are in :mod:`i4districts.shiftshare.instruments`.

Tables use the column vocabulary (:mod:`i4districts.vocabulary`): a panel
``(region, sector, year, value)``; shares ``(region, sector, share)``; shifts
``(sector, year, shift)``; exposure ``(region, year, exposure)``. Every
function is pure: DataFrame in, DataFrame out. Bad input raises
:class:`~i4districts.shiftshare.errors.ShiftShareInputError` naming the table,
column and offending values; nothing is dropped silently.

:class:`ShiftShareExposure` keeps the shares and the shifts next to the
exposure table, so that AKM/AKM0 inference (:mod:`.akm`) uses the very share
matrix the exposure was built from (:meth:`ShiftShareExposure.design`,
:meth:`ShiftShareExposure.fit`); :func:`build_exposure` makes one from a panel
and shifts, :func:`exposure_table` is the pipeline's exposure step (level and
annual change of exposure to a sector adoption table).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from i4districts.shiftshare._checks import require_columns, require_finite, require_unique
from i4districts.shiftshare.errors import ShiftShareInputError

__all__ = [
    "SHARES_COLUMNS",
    "SHIFTS_COLUMNS",
    "TABLE_COLUMNS",
    "ShiftShareExposure",
    "adjusted_penetration",
    "adoption_changes",
    "baseline_shares",
    "build_exposure",
    "exposure_table",
    "shift_share_exposure",
]

SHARES_COLUMNS: tuple[str, ...] = ("region", "sector", "share")
"""Columns of :attr:`ShiftShareExposure.shares`."""
SHIFTS_COLUMNS: tuple[str, ...] = ("sector", "year", "shift")
"""Columns of :attr:`ShiftShareExposure.shifts`."""
TABLE_COLUMNS: tuple[str, ...] = ("region", "year", "exposure")
"""Columns of :attr:`ShiftShareExposure.table`."""
_FILES = {"shares": "shares.parquet", "shifts": "shifts.parquet", "table": "exposure.parquet"}
_MANIFEST = "exposure.json"


# ------------------------------------------------------------- base shares
def baseline_shares(
    emp: pd.DataFrame,
    *,
    base_year: int,
    region: str = "region",
    sector: str = "sector",
    time: str = "year",
    value: str = "value",
) -> pd.DataFrame:
    """Baseline-year sector employment shares per region.

    baseline share: ``share_{r,s} = L_{r,s,base} / sum_s L_{r,s,base}``, so the
    shares of each region sum to one (dimensionless). Reference: Bartik (1991);
    Goldsmith-Pinkham, Sorkin and Swift (2020), AER 110(8), the "shares".

    Returns columns ``[region, sector, "share"]`` sorted by region, sector.
    Raises :class:`ShiftShareInputError` on missing columns, no rows in the base
    year, duplicate (region, sector) cells, missing/negative employment or a
    region whose base-year employment is zero.
    """
    table = "employment table"
    require_columns(emp, table, [region, sector, time, value])
    base = emp.loc[emp[time] == base_year, [region, sector, value]]
    if base.empty:
        years = sorted(pd.unique(emp[time]).tolist())
        raise ShiftShareInputError(
            table, time, f"has no rows for base_year={base_year}; years present", years
        )
    require_unique(base, table, [region, sector])
    require_finite(base, table, value, [region, sector])
    vals = base[value].astype(float)
    if (vals < 0).any():
        rows = base.loc[vals < 0].head(5).to_dict("records")
        raise ShiftShareInputError(table, value, "has negative employment", rows)
    totals = vals.groupby(base[region]).transform("sum")
    zero = totals <= 0
    if zero.any():
        regions = pd.unique(base.loc[zero, region]).tolist()
        raise ShiftShareInputError(
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
    region: str = "region",
    sector: str = "sector",
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
    require_columns(shares, "shares table", [region, sector, "share"])
    require_columns(shifts, "shifts table", [sector, time, shift])
    require_unique(shares, "shares table", [region, sector])
    require_unique(shifts, "shifts table", [sector, time])
    require_finite(shares, "shares table", "share", [region, sector])
    require_finite(shifts, "shifts table", shift, [sector, time])

    s_sh = set(pd.unique(shares[sector]).tolist())
    s_sf = set(pd.unique(shifts[sector]).tolist())
    only_shares = sorted(s_sh - s_sf, key=str)
    only_shifts = sorted(s_sf - s_sh, key=str)
    if only_shares:
        raise ShiftShareInputError(
            "shares table", sector, "has sectors absent from the shifts table", only_shares
        )
    if only_shifts:
        raise ShiftShareInputError(
            "shifts table", sector, "has sectors absent from the shares table", only_shifts
        )
    # balanced shifts: every sector in every period
    wide = shifts.pivot(index=sector, columns=time, values=shift)
    if wide.isna().to_numpy().any():
        missing = wide.isna().stack()
        cells = [
            {sector: s, time: t} for (s, t), m in missing.items() if m
        ]
        raise ShiftShareInputError(
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
    sector: str = "sector",
    time: str = "year",
    value: str = "value",
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
    require_columns(adoption, table, [*keys, time, value])
    require_unique(adoption, table, [*keys, time])
    require_finite(adoption, table, value, [*keys, time])
    if not periods:
        raise ShiftShareInputError(table, time, "no periods requested")
    idx = adoption.set_index([*keys, time])[value].astype(float)
    groups = adoption[keys].drop_duplicates()
    frames = []
    for t0, t1 in periods:
        if t1 <= t0:
            raise ShiftShareInputError(table, time, "period must have end > start", [(t0, t1)])
        g = groups.copy()
        ix0 = pd.MultiIndex.from_frame(g.assign(**{time: t0}))
        ix1 = pd.MultiIndex.from_frame(g.assign(**{time: t1}))
        a0 = idx.reindex(ix0).to_numpy()
        a1 = idx.reindex(ix1).to_numpy()
        miss = np.isnan(a0) | np.isnan(a1)
        if miss.any():
            rows = g.loc[miss].head(5).to_dict("records")
            raise ShiftShareInputError(
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
    sector: str = "sector",
    time: str = "year",
    value: str = "value",
    growth_value: str = "value",
    emp_value: str = "value",
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
    require_columns(employment, "employment table", [*keys, emp_value])
    require_unique(employment, "employment table", keys)
    require_finite(employment, "employment table", emp_value, keys)
    emp = employment.set_index(keys)[emp_value].astype(float)
    if (emp <= 0).any():
        raise ShiftShareInputError(
            "employment table", emp_value, "must be positive; non-positive for",
            emp[emp <= 0].index.tolist(),
        )
    d_stock = adoption_changes(stock, periods=periods, sector=sector, time=time,
                               value=value, by=by)
    require_columns(growth_base, "growth table", [*keys, time, growth_value])
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
            raise ShiftShareInputError(
                "growth table", growth_value,
                f"lacks a positive value at an endpoint of ({t0}, {t1}) for",
                kf.loc[bad].to_dict("records"),
            )
        ekey = pd.MultiIndex.from_frame(kf) if len(keys) > 1 else pd.Index(kf[sector])
        l_base = emp.reindex(ekey).to_numpy()
        if np.isnan(l_base).any():
            raise ShiftShareInputError(
                "employment table", sector, "lacks baseline employment for",
                kf.loc[np.isnan(l_base)].to_dict("records"),
            )
        r0 = st.reindex(ix0).to_numpy()
        g = q1 / q0 - 1.0
        part["shift"] = part["shift"].to_numpy() / l_base - g * r0 / l_base
        frames.append(part)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values([*keys, time], kind="stable").reset_index(drop=True)




# ---------------------------------------------------------- the exposure object
@dataclass(frozen=True, eq=False)
class ShiftShareExposure:
    """A shift-share exposure with the share matrix and the shifts it was built from.

    * ``shares``: long ``(region, sector, share)``, the base-year shares ``w_rs``;
    * ``shifts``: long ``(sector, year, shift)``, the shifts ``g_st``;
    * ``table``: ``(region, year, exposure)`` with ``exposure_rt = sum_s w_rs g_st``.

    ``base_year`` and provenance ``notes`` travel with it (:meth:`write`/:meth:`read`).
    Inference treats the shifts as the identifying shocks (Adão, Kolesár and
    Morales 2019): :meth:`design` gives the :class:`~i4districts.shiftshare.akm.ShareDesign`
    for a table of region(-period) observations and :meth:`fit` runs
    :func:`~i4districts.shiftshare.akm.reg_ss`/:func:`~i4districts.shiftshare.akm.ivreg_ss`
    with the object's own shares. An instrument built from other countries'
    shifts has the same shares: :meth:`with_shifts`.
    """

    shares: pd.DataFrame
    shifts: pd.DataFrame
    table: pd.DataFrame
    base_year: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        require_columns(self.shares, "exposure shares", SHARES_COLUMNS)
        require_columns(self.shifts, "exposure shifts", SHIFTS_COLUMNS)
        require_columns(self.table, "exposure table", TABLE_COLUMNS)
        require_unique(self.shares, "exposure shares", ["region", "sector"])
        object.__setattr__(self, "notes", tuple(self.notes))

    # ---------------------------------------------------------------- views
    @property
    def regions(self) -> list[object]:
        """Sorted region codes with shares."""
        return sorted(pd.unique(self.shares["region"]).tolist(), key=_sort_key)

    @property
    def sectors(self) -> list[object]:
        """Sorted sector codes with shares."""
        return sorted(pd.unique(self.shares["sector"]).tolist(), key=_sort_key)

    def with_shifts(self, shifts: pd.DataFrame, *, shift: str = "shift", sector: str = "sector",
                    time: str = "year") -> ShiftShareExposure:
        """The exposure to other shifts (e.g. an instrument from other countries) with the same shares."""
        sf = _vocab_shifts(shifts, sector=sector, time=time, shift=shift)
        table = shift_share_exposure(self.shares, sf)
        return replace(self, shifts=sf, table=table)

    def join(self, regions: pd.DataFrame, *, region: str = "region", year: str = "year",
             name: str = "exposure") -> pd.DataFrame:
        """``regions`` with the exposure as column ``name``, matched on (region, year); every row must match."""
        require_columns(regions, "regions table", [region, year])
        if name in regions.columns:
            raise ShiftShareInputError("regions table", name, "already exists; choose another name", [name])
        expo = self.table.rename(columns={"region": region, "year": year, "exposure": name})
        out = regions.merge(expo, on=[region, year], how="left", validate="many_to_one")
        miss = out[name].isna().to_numpy()
        if miss.any():
            raise ShiftShareInputError("regions table", f"{region}, {year}", "has no exposure for",
                                       out.loc[miss, [region, year]].head(5).to_dict("records"))
        return out

    def long_shares(self, regions: Sequence[object], *, region: str = "region",
                    missing: str = "error") -> pd.DataFrame:
        """Long shares ``(row, sector, share)`` for observations whose regions are ``regions``.

        ``row`` is the position ``0..n-1`` of the observation; a region may occur
        in several rows (one per period). A region without shares raises an
        error, or with ``missing="zero"`` gets a zero row of W (as a region
        without cells in :func:`~i4districts.shiftshare.design.share_matrix`).
        """
        if missing not in ("error", "zero"):
            raise ShiftShareInputError("arguments", "missing", "must be 'error' or 'zero'", [missing])
        obs = pd.DataFrame({"row": np.arange(len(regions)), "region": list(regions)})
        known = pd.Index(pd.unique(self.shares["region"]))
        absent = ~obs["region"].isin(known)
        if absent.any() and missing == "error":
            raise ShiftShareInputError("regions table", region, "has regions without exposure shares",
                                       pd.unique(obs.loc[absent, "region"]).tolist())
        long = obs.merge(self.shares[list(SHARES_COLUMNS)], on="region", how="inner", sort=False)
        return long[["row", "sector", "share"]].sort_values(["row", "sector"], kind="stable",
                                                             ignore_index=True)

    def share_matrix(self, regions: Sequence[object], *, period: Sequence[object] | None = None,
                     missing: str = "error") -> tuple[np.ndarray, list[object], np.ndarray]:
        """Dense N x S share matrix for observations in ``regions`` (one region code per row).

        Without ``period`` the columns are the sorted sectors; with ``period`` (one
        value per row) they are the sorted ``(period, sector)`` pairs, so a sector's
        shares in different periods are distinct shifters (as in
        :func:`~i4districts.shiftshare.design.share_matrix`). Returns
        ``(W, column labels, sector of each column)``. ``missing``: see :meth:`long_shares`.
        """
        from i4districts.shiftshare.design import share_matrix

        long = self.long_shares(regions, missing=missing)
        return share_matrix(long, list(range(len(regions))), period=period)

    def shift_vector(self, labels: Sequence[object]) -> np.ndarray:
        """The shift of each column label of :meth:`share_matrix`, so that ``W @ g`` is the exposure.

        Labels are ``(period, sector)`` pairs, or sectors when the shifts have a single year.
        """
        g = self.shifts.set_index(["year", "sector"])["shift"]
        keys = list(labels)
        if keys and not isinstance(keys[0], tuple):
            years = pd.unique(self.shifts["year"]).tolist()
            if len(years) != 1:
                raise ShiftShareInputError("exposure shifts", "year", "has several years; give "
                                           "(period, sector) labels", years)
            keys = [(years[0], k) for k in keys]
        out = g.reindex(pd.MultiIndex.from_tuples(keys, names=["year", "sector"])).to_numpy(dtype=float)
        if np.isnan(out).any():
            raise ShiftShareInputError("exposure shifts", "shift", "lacks (year, sector) cells",
                                       [k for k, v in zip(keys, out) if np.isnan(v)])
        return out

    def design(self, regions: pd.DataFrame, *, region: str = "region", period: str | None = "year",
               weights: str | None = None, sector_cluster: str | None = None,
               sector_table: pd.DataFrame | None = None, missing: str = "error"):
        """The :class:`~i4districts.shiftshare.akm.ShareDesign` for the rows of ``regions``.

        ``region`` names the column of region codes; ``period`` a column whose
        values split a sector's shares into distinct columns per period (default
        ``year``; ``None`` pools them); ``weights`` a column of regression weights;
        ``sector_cluster`` a column of ``sector_table`` or an expression on
        ``sector`` (see :func:`~i4districts.shiftshare.design.sector_clusters`);
        ``missing``: see :meth:`long_shares`.
        """
        from i4districts.shiftshare.akm import share_design
        from i4districts.shiftshare.design import sector_clusters

        used = [c for c in (region, period, weights) if c is not None]
        require_columns(regions, "regions table", used)
        per = regions[period].to_numpy() if period is not None else None
        W, labels, col_sector = self.share_matrix(regions[region].tolist(), period=per, missing=missing)
        sc = sector_clusters(col_sector, sector_cluster, sector_table) if sector_cluster else None
        w = regions[weights].to_numpy(dtype=float) if weights else None
        return share_design(W, w, sectors=labels, sector_cluster=sc)

    def fit(self, regions: pd.DataFrame, spec, *, region: str = "region", period: str | None = "year",
            sector_table: pd.DataFrame | None = None, missing: str = "error", diagnostics: bool = False):
        """Fit ``spec`` (a :class:`~i4districts.shiftshare.spec.ShiftShareSpec`) with this share matrix.

        ``regions`` has one row per observation, the region codes in column
        ``region`` and the spec's columns (join the exposure with :meth:`join`).
        Share columns: one per sector when ``spec.pool_periods`` is true, or when it
        is unset, the spec gives no ``period`` and the shifts have a single year
        (a cross-sectional exposure: the same shocks in every period); otherwise
        split by ``spec.period``, else by ``period`` (default ``year``; ``None``
        pools). Identical to :func:`~i4districts.shiftshare.design.fit_shiftshare`
        with the corresponding long shares table, with this object's shifts as the
        observed shocks (``ri``, diagnostics) when they reproduce the shift-share
        variable; ``missing``: see :meth:`long_shares`. Returns a
        :class:`~i4districts.shiftshare.results.ShiftShareResult`.
        """
        from i4districts.shiftshare.design import fit_shiftshare

        require_columns(regions, "regions table", [region])
        per = self.fit_period(spec, period)
        if per is not None:
            require_columns(regions, "regions table", [per])
        frame = regions.reset_index(drop=True).assign(row=np.arange(len(regions)))
        long = self.long_shares(frame[region].tolist(), region=region, missing=missing)
        fspec = replace(spec, period=per, pool_periods=per is None)
        shifts = self._shifts_for(frame, long, fspec)
        return fit_shiftshare(frame, long, fspec, sector_table, shifts=shifts, diagnostics=diagnostics)

    def fit_period(self, spec, period: str | None = "year") -> str | None:
        """The column splitting the share columns by period in :meth:`fit` (``None``: pooled)."""
        if spec.pool_periods:
            return None
        if spec.pool_periods is None and spec.period is None and self.shifts["year"].nunique() == 1:
            return None
        return spec.period or period

    def _shifts_for(self, frame: pd.DataFrame, long: pd.DataFrame, spec) -> np.ndarray | None:
        """This object's shifts aligned with the share columns of ``spec`` (``None`` when they do not align)."""
        from i4districts.shiftshare.design import share_matrix

        per = frame[spec.period].to_numpy() if spec.period and not spec.pool_periods else None
        _, labels, _ = share_matrix(long, frame["row"].tolist(), period=per)
        try:
            return self.shift_vector(labels)
        except ShiftShareInputError:
            return None

    # ------------------------------------------------------------ persistence
    def write(self, directory: str | Path) -> Path:
        """Write ``shares.parquet``, ``shifts.parquet``, ``exposure.parquet`` and ``exposure.json``
        (base year, notes, file checksums) into ``directory``, each atomically. Never pickle."""
        from i4districts import io

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        sums = {}
        for key, name in _FILES.items():
            io.write_parquet(getattr(self, key), d / name, notes=self.notes)
            sums[name] = io.sha256_file(d / name)
        io.write_json({"kind": "i4districts.shiftshare.ShiftShareExposure", "base_year": self.base_year,
                       "notes": list(self.notes), "files": _FILES, "sha256": sums}, d / _MANIFEST)
        return d

    @classmethod
    def read(cls, directory: str | Path) -> ShiftShareExposure:
        """Read an exposure written by :meth:`write` (checksums verified)."""
        from i4districts import io

        d = Path(directory)
        mpath = d / _MANIFEST
        if not mpath.is_file():
            raise io.InputFileError(f"{d}: not an exposure directory (no {_MANIFEST})")
        meta = json.loads(mpath.read_text(encoding="utf-8"))
        parts = {}
        for key, name in meta.get("files", _FILES).items():
            path = d / name
            want = meta.get("sha256", {}).get(name)
            if path.is_file() and want is not None and io.sha256_file(path) != want:
                raise io.InputFileError(f"{path}: checksum differs from {mpath}; the exposure was modified")
            parts[key] = io.read_parquet(path)
        return cls(shares=parts["shares"], shifts=parts["shifts"], table=parts["table"],
                   base_year=meta.get("base_year"), notes=tuple(meta.get("notes", ())))


def _sort_key(v: object) -> tuple[str, object]:
    return (type(v).__name__, v)


def _vocab_shifts(shifts: pd.DataFrame, *, sector: str, time: str, shift: str) -> pd.DataFrame:
    require_columns(shifts, "shifts table", [sector, time, shift])
    out = shifts[[sector, time, shift]].rename(columns={sector: "sector", time: "year", shift: "shift"})
    return out.sort_values(["sector", "year"], kind="stable", ignore_index=True)


def build_exposure(
    panel: pd.DataFrame,
    shifts: pd.DataFrame,
    *,
    base_year: int,
    region: str = "region",
    sector: str = "sector",
    time: str = "year",
    value: str = "value",
    shift: str = "shift",
    notes: Sequence[str] = (),
) -> ShiftShareExposure:
    """Shift-share exposure of the regions of ``panel`` to ``shifts``, keeping shares and shifts.

    ``panel``: ``(region, sector, year, value)`` employment; the base-year
    shares are :func:`baseline_shares`. ``shifts``: ``(sector, year, shift)``.
    The result's tables use the vocabulary names whatever the input names.
    """
    shares = baseline_shares(panel, base_year=base_year, region=region, sector=sector, time=time,
                             value=value)
    shares = shares.rename(columns={region: "region", sector: "sector"})
    sf = _vocab_shifts(shifts, sector=sector, time=time, shift=shift)
    table = shift_share_exposure(shares, sf)
    return ShiftShareExposure(shares=shares, shifts=sf, table=table, base_year=int(base_year),
                              notes=tuple(notes))


def exposure_table(panel: pd.DataFrame, adoption: pd.DataFrame, *, base_year: int,
                   normalisation: str = "none") -> tuple[pd.DataFrame, ShiftShareExposure]:
    """The pipeline's exposure step: level and annual change of exposure to a sector adoption table.

    ``exposure_rt = sum_s w_rs a_st`` and ``exposure_change_rt = sum_s w_rs (a_st - a_s,t-1)``
    (consecutive years of the adoption table; missing in its first year), with
    ``w_rs`` the base-year shares of ``panel`` ``(region, sector, year, value)``
    and ``a_st`` the adoption table ``(sector, year, value, unit)``. With
    ``normalisation="sd"`` both columns are divided by their standard deviation
    after the base year (:mod:`.normalise`). Returns the table ``(region, year,
    exposure, exposure_change, unit)`` and the :class:`ShiftShareExposure` of the
    annual change (shifts ``a_st - a_s,t-1``, not normalised: normalisation
    rescales the regressor, not the share matrix used by AKM).
    """
    from i4districts.shiftshare.normalise import normalise_exposure

    require_columns(adoption, "adoption table", ["sector", "year", "value", "unit"])
    shares = baseline_shares(panel, base_year=base_year)
    level = adoption.rename(columns={"value": "shift"})[["sector", "year", "shift"]]
    years = sorted(level["year"].unique())
    change = adoption_changes(level, periods=list(zip(years[:-1], years[1:])), value="shift")
    exp_level = shift_share_exposure(shares, level)
    exp_change = shift_share_exposure(shares, change)
    table = exp_level.merge(exp_change.rename(columns={"exposure": "exposure_change"}),
                            on=["region", "year"], how="left", validate="one_to_one")
    table = normalise_exposure(table, columns=["exposure", "exposure_change"], method=normalisation,
                               base_year=base_year)
    unit = "standard deviations" if normalisation == "sd" else str(adoption["unit"].iloc[0])
    table["unit"] = pd.Series(unit, index=table.index, dtype="string")
    obj = ShiftShareExposure(shares=shares, shifts=change[["sector", "year", "shift"]], table=exp_change,
                             base_year=int(base_year))
    return table, obj
