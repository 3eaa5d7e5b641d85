"""From tables to a shift-share design: share matrix, controls, sector clusters.

* REGIONS: one row per region-period, keyed by ``row``.
* SHARES: long ``(row, sector, share)``, non-zero cells only; a region with no
  cell has a zero row of W.
* Sector table (optional): ``sector`` plus attribute columns usable in
  ``sector_cluster``.

Nothing is dropped silently: missing values in any used column, shares for
unknown rows, duplicate cells or negative shares raise
:class:`~i4districts.shiftshare.errors.ShiftShareInputError` naming the table,
column and first offending values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from i4districts.shiftshare.akm import ShareDesign, ivreg_ss, reg_ss, share_design
from i4districts.shiftshare.errors import ShiftShareInputError, SpecError
from i4districts.shiftshare.expressions import evaluate_expression
from i4districts.shiftshare.results import ShiftShareResult
from i4districts.shiftshare.spec import ShiftShareSpec

__all__ = [
    "control_matrix",
    "fit_shiftshare",
    "sector_clusters",
    "share_matrix",
]


def share_matrix(
    shares: pd.DataFrame,
    rows: Sequence[object],
    *,
    period: Sequence[object] | None = None,
    row: str = "row",
    sector: str = "sector",
    share: str = "share",
) -> tuple[np.ndarray, list[object], np.ndarray]:
    """Dense N x S share matrix in the order of ``rows``.

    Columns are the sorted sectors, or the sorted ``(period, sector)`` pairs
    when ``period`` (one value per row) is given. Returns
    ``(W, column labels, sector code of each column)``.
    """
    table = "shares table"
    missing = [c for c in (row, sector, share) if c not in shares.columns]
    if missing:
        raise ShiftShareInputError(table, missing[0], f"is missing (have {list(shares.columns)})")
    rows_idx = pd.Index(rows)
    if rows_idx.has_duplicates:
        raise ShiftShareInputError("regions table", row, "has duplicate keys",
                                   rows_idx[rows_idx.duplicated()].unique().tolist())
    pos = rows_idx.get_indexer(shares[row])
    if (pos < 0).any():
        raise ShiftShareInputError(table, row, "has rows absent from the regions table",
                                   pd.unique(shares.loc[pos < 0, row]).tolist())
    vals = pd.to_numeric(shares[share], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(vals) | (vals < 0)
    if bad.any():
        raise ShiftShareInputError(table, share, "has missing, non-numeric or negative values",
                                   shares.loc[bad, [row, sector, share]].head(5).to_dict("records"))
    if shares[sector].isna().any():
        raise ShiftShareInputError(table, sector, "has missing sector codes at rows",
                                   shares.loc[shares[sector].isna(), row].head(5).tolist())
    sec_code, sec_uniq = pd.factorize(shares[sector], sort=True)
    n_sec = len(sec_uniq)
    cell = np.sort(pos.astype(np.int64) * n_sec + sec_code)
    if cell.size > 1 and (np.diff(cell) == 0).any():
        dup = shares.duplicated([row, sector], keep=False)
        raise ShiftShareInputError(table, f"{row}, {sector}", "has duplicate cells",
                                   shares.loc[dup, [row, sector]].head(5).to_dict("records"))
    if period is None:
        col = sec_code
        labels = sec_uniq.tolist()
        col_sector = np.asarray(labels, dtype=object)
    else:
        per = np.asarray(period)
        if per.shape != (len(rows_idx),):
            raise ShiftShareInputError("regions table", "period", "has wrong length")
        per_code, per_uniq = pd.factorize(pd.Series(per), sort=True)
        key = per_code[pos].astype(np.int64) * n_sec + sec_code
        col, used = pd.factorize(key, sort=True)
        per_vals = per_uniq.tolist()
        sec_vals = sec_uniq.tolist()
        labels = [(per_vals[k // n_sec], sec_vals[k % n_sec]) for k in used.tolist()]
        col_sector = np.empty(len(labels), dtype=object)
        col_sector[:] = [sec_vals[k % n_sec] for k in used.tolist()]
    W = np.zeros((len(rows_idx), len(labels)))
    W[pos, col] = vals
    return W, labels, col_sector


def sector_clusters(
    col_sector: np.ndarray,
    expr_or_column: str,
    sector_table: pd.DataFrame | None = None,
    *,
    sector: str = "sector",
) -> np.ndarray:
    """Cluster label for each column of W.

    ``expr_or_column`` is a column of ``sector_table`` (matched on ``sector``)
    or a declarative expression on ``sector`` and the sector table's columns,
    e.g. the 3-digit code ``floor(sector/10)`` (see :mod:`.expressions`).
    """
    codes = pd.Series(list(col_sector))
    columns: dict[str, pd.Series] = {sector: codes}
    if sector_table is not None:
        if sector not in sector_table.columns:
            raise ShiftShareInputError("sector table", sector, "is missing",
                                       [list(sector_table.columns)])
        st = sector_table.drop_duplicates(sector)
        if len(st) != len(sector_table):
            raise ShiftShareInputError("sector table", sector, "has duplicate sectors",
                                       sector_table.loc[sector_table[sector].duplicated(), sector].tolist())
        idx = pd.Index(st[sector]).get_indexer(codes)
        if (idx < 0).any():
            raise ShiftShareInputError("sector table", sector, "lacks sectors present in the shares",
                                       codes[idx < 0].unique().tolist())
        for c in st.columns:
            if c != sector:
                columns[c] = st[c].iloc[idx].reset_index(drop=True)
    if sector_table is not None and expr_or_column in sector_table.columns:
        out = columns[expr_or_column] if expr_or_column != sector else codes
    else:
        out = evaluate_expression(expr_or_column, columns, field="sector_cluster")
    if out.isna().any():
        raise ShiftShareInputError("sector table", expr_or_column, "is missing for sectors",
                                   codes[out.isna().to_numpy()].tolist())
    return out.to_numpy()


def control_matrix(
    regions: pd.DataFrame,
    controls: Sequence[str],
    *,
    categorical: Sequence[str] = (),
    intercept: bool = True,
) -> tuple[np.ndarray, list[str]]:
    """Control matrix Z: intercept, numeric columns, dummies for categoricals.

    String/categorical columns (and those in ``categorical``) become dummies
    with the first sorted level dropped (R treatment contrasts); booleans 0/1.
    """
    cols: list[np.ndarray] = []
    names: list[str] = []
    if intercept:
        cols.append(np.ones(len(regions)))
        names.append("(intercept)")
    for c in controls:
        s = regions[c]
        is_cat = c in categorical or s.dtype == object or isinstance(
            s.dtype, (pd.CategoricalDtype, pd.StringDtype)) or pd.api.types.is_string_dtype(s)
        if is_cat:
            levels = sorted(pd.unique(s).tolist(), key=lambda v: (str(type(v)), v))
            for lev in levels[1:]:
                cols.append((s == lev).to_numpy(dtype=float))
                names.append(f"{c}[{lev}]")
        else:
            cols.append(s.to_numpy(dtype=float))
            names.append(c)
    if not cols:
        raise SpecError("spec", "controls", "are empty and intercept is false: no controls at all")
    return np.column_stack(cols), names


def _check_columns(regions: pd.DataFrame, spec: ShiftShareSpec) -> None:
    used = [spec.outcome, spec.regressor, spec.endogenous, spec.instrument, *spec.controls,
            spec.weights, spec.region_cluster, spec.period, "row"]
    used = [c for c in used if c is not None]
    missing = [c for c in used if c not in regions.columns]
    if missing:
        raise ShiftShareInputError("regions table", missing[0], "is missing", missing)
    for c in used:
        na = regions[c].isna().to_numpy()
        if na.any():
            raise ShiftShareInputError("regions table", c, "has missing values at rows",
                                       regions.loc[na, "row"].head(5).tolist())


def fit_shiftshare(
    regions: pd.DataFrame,
    shares: pd.DataFrame,
    spec: ShiftShareSpec,
    sector_table: pd.DataFrame | None = None,
) -> ShiftShareResult:
    """Fit the model in ``spec`` (OLS or IV) and compute the requested inference."""
    _check_columns(regions, spec)
    period = regions[spec.period].to_numpy() if spec.period else None
    W, labels, col_sector = share_matrix(shares, regions["row"].tolist(), period=period)
    weights = regions[spec.weights].to_numpy(dtype=float) if spec.weights else None
    sc = None
    if spec.sector_cluster:
        sc = sector_clusters(col_sector, spec.sector_cluster, sector_table)
    design: ShareDesign = share_design(W, weights, sectors=labels, sector_cluster=sc)
    Z, znames = control_matrix(regions, spec.controls, categorical=spec.categorical,
                               intercept=spec.intercept)
    rc = regions[spec.region_cluster].to_numpy() if spec.region_cluster else None
    common = dict(weights=weights, region_cluster=rc, methods=spec.methods, beta0=spec.beta0,
                  alpha=spec.alpha, controls=znames, weights_name=spec.weights,
                  model_id=spec.model_id)
    if spec.is_iv:
        return ivreg_ss(regions[spec.outcome].to_numpy(dtype=float),
                        regions[spec.endogenous].to_numpy(dtype=float),
                        regions[spec.instrument].to_numpy(dtype=float), design, Z,
                        names=(spec.outcome, spec.endogenous, spec.instrument), **common)
    return reg_ss(regions[spec.outcome].to_numpy(dtype=float),
                  regions[spec.regressor].to_numpy(dtype=float), design, Z,
                  names=(spec.outcome, spec.regressor), **common)
