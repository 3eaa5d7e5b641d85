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

:func:`fit_shiftshare` fits the spec with the analytic methods (``reg_ss`` /
``ivreg_ss``), adds randomization inference (``ri``, :mod:`.ri`; the primary method
when computed), the placebo check (``extra.placebo``, :mod:`.placebo`) and, with
``diagnostics=True``, the design diagnostics (``extra.diagnostics`` and
``extra.diagnostics_summary``, :mod:`.diagnostics`).

Share columns: ``spec.share_scale`` multiplies each row of W by a REGIONS column
(``exposure x m_r`` is the shift-share variable with shares ``s_rk m_r``);
``spec.pool_periods=True`` ignores ``spec.period`` for the share columns (one column
per sector: the same shocks in every period), ``False``/unset splits them by
``spec.period`` when given.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from i4districts.shiftshare.akm import ShareDesign, ivreg_ss, reg_ss, share_design
from i4districts.shiftshare.errors import ShiftShareInputError, SpecError
from i4districts.shiftshare.expressions import evaluate_expression
from i4districts.shiftshare.results import RI, MethodResult, ShiftShareResult
from i4districts.shiftshare.spec import ShiftShareSpec

__all__ = [
    "ModelDesign",
    "control_matrix",
    "fit_shiftshare",
    "model_design",
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
            spec.weights, spec.region_cluster, spec.period, spec.share_scale, "row"]
    used = [c for c in used if c is not None]
    missing = [c for c in used if c not in regions.columns]
    if missing:
        raise ShiftShareInputError("regions table", missing[0], "is missing", missing)
    for c in used:
        na = regions[c].isna().to_numpy()
        if na.any():
            raise ShiftShareInputError("regions table", c, "has missing values at rows",
                                       regions.loc[na, "row"].head(5).tolist())


@dataclass(frozen=True)
class ModelDesign:
    """Arrays of one spec on one table: share design (scaled, pooled or split), controls, clusters."""

    design: ShareDesign
    labels: list[object]
    col_sector: np.ndarray
    Z: np.ndarray
    znames: list[str]
    weights: np.ndarray | None
    region_cluster: np.ndarray | None
    period: np.ndarray | None


def model_design(regions: pd.DataFrame, shares: pd.DataFrame, spec: ShiftShareSpec,
                 sector_table: pd.DataFrame | None = None) -> ModelDesign:
    """The :class:`ModelDesign` of ``spec``: W from ``shares`` in the order of ``regions['row']``,
    split by ``spec.period`` unless ``spec.pool_periods``, rows scaled by ``spec.share_scale``."""
    _check_columns(regions, spec)
    period = regions[spec.period].to_numpy() if spec.period and not spec.pool_periods else None
    W, labels, col_sector = share_matrix(shares, regions["row"].tolist(), period=period)
    if spec.share_scale:
        scale = pd.to_numeric(regions[spec.share_scale], errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(scale).all():
            raise ShiftShareInputError("regions table", spec.share_scale, "must be finite numbers (share_scale)",
                                       regions.loc[~np.isfinite(scale), "row"].head(5).tolist())
        W = W * scale[:, None]
    weights = regions[spec.weights].to_numpy(dtype=float) if spec.weights else None
    sc = sector_clusters(col_sector, spec.sector_cluster, sector_table) if spec.sector_cluster else None
    design = share_design(W, weights, sectors=labels, sector_cluster=sc)
    Z, znames = control_matrix(regions, spec.controls, categorical=spec.categorical, intercept=spec.intercept)
    rc = regions[spec.region_cluster].to_numpy() if spec.region_cluster else None
    return ModelDesign(design=design, labels=list(labels), col_sector=col_sector, Z=Z, znames=znames,
                       weights=weights, region_cluster=rc, period=period)


def fit_shiftshare(
    regions: pd.DataFrame,
    shares: pd.DataFrame,
    spec: ShiftShareSpec,
    sector_table: pd.DataFrame | None = None,
    *,
    shifts: np.ndarray | None = None,
    diagnostics: bool = False,
) -> ShiftShareResult:
    """Fit the model in ``spec`` (OLS or IV) and compute the requested inference.

    Analytic methods by :func:`~.akm.reg_ss`/:func:`~.akm.ivreg_ss`; ``ri`` by
    :func:`~.ri.randomization_test` with the observed ``shifts`` (aligned with the
    share columns; default: recovered from the shift-share variable by least squares,
    which must then be shares x shifts), made the primary method; the placebo check
    (``spec.placebo_draws`` > 0) under ``extra["placebo"]``; with ``diagnostics`` the
    Rotemberg weights, shock-level regression, effective number of shocks and (IV)
    first-stage F under ``extra["diagnostics"]`` and ``extra["diagnostics_summary"]``.
    """
    md = model_design(regions, shares, spec, sector_table)
    design, Z = md.design, md.Z
    analytic = spec.analytic_methods
    want_ri = RI in spec.methods
    stud = spec.studentization
    run = tuple(m for m in ("homoskedastic", "ehw", "cluster", "akm", "akm0")
                if m in analytic or (want_ri and m == stud))
    common = dict(weights=md.weights, region_cluster=md.region_cluster, methods=run, beta0=spec.beta0,
                  alpha=spec.alpha, controls=md.znames, weights_name=spec.weights, model_id=spec.model_id)
    y = regions[spec.outcome].to_numpy(dtype=float)
    x = regions[spec.shift_share_variable].to_numpy(dtype=float)
    if spec.is_iv:
        y2 = regions[spec.endogenous].to_numpy(dtype=float)
        res = ivreg_ss(y, y2, x, design, Z, names=(spec.outcome, spec.endogenous, spec.instrument), **common)
    else:
        y2 = None
        res = reg_ss(y, x, design, Z, names=(spec.outcome, spec.regressor), **common)
    extra: dict[str, Any] = {"design": _design_info(md, spec)}
    methods = tuple(m for m in res.methods if m.method in analytic)
    g = None
    if want_ri or diagnostics:
        try:
            g, source, resid = _observed_shifts(design.W, x, shifts, spec.shift_share_variable, strict=want_ri)
        except ShiftShareInputError as exc:  # the variable is not shares x shifts of this design
            warnings.warn(f"model '{spec.model_id or '-'}': method 'ri' not computed: {exc}", UserWarning,
                          stacklevel=2)
            extra["ri"] = {"computed": False, "reason": str(exc)}
            want_ri = False
            g, source, resid = _observed_shifts(design.W, x, shifts, spec.shift_share_variable, strict=False)
        extra["design"].update(shifts_source=source, shifts_relative_residual=resid)
    if want_ri:
        from i4districts.shiftshare.ri import randomization_test

        u = y - spec.beta0 * (y2 if spec.is_iv else x)
        rt = randomization_test(u, design, Z, g, weights=md.weights, region_cluster=md.region_cluster,
                                studentization=stud, draws=spec.ri_draws, seed=spec.seed)
        se = res.method(stud).std_error
        methods = (*methods, MethodResult(RI, res.estimate, se, rt.p, float("nan"), float("nan"), "none"))
        extra["ri"] = {"computed": True, **rt.summary(), "null": "beta = beta0", "beta0": spec.beta0,
                       "ci": "none (no test inversion)",
                       "statistic_outcome": "y1 - beta0 * y2 on the permuted instrument (Anderson-Rubin)"
                       if spec.is_iv else "y - beta0 * x on the permuted shift-share regressor"}
    if spec.placebo_draws > 0:
        pspec = spec if want_ri or RI not in spec.methods else replace(spec, methods=analytic or (stud,))
        extra["placebo"] = _placebo_check(y, md, pspec)
    out = replace(res, methods=methods, primary_method=RI if want_ri else None, extra=extra)
    if diagnostics:
        from i4districts.shiftshare.diagnostics import design_diagnostics

        diag = design_diagnostics(regions, shares, spec, md, g, sector_table=sector_table)
        extra["diagnostics"] = diag
        extra["diagnostics_summary"] = _diagnostics_summary(diag, extra.get("placebo"), out)
    return out


def _design_info(md: ModelDesign, spec: ShiftShareSpec) -> dict[str, Any]:
    return {"share_columns": len(md.labels), "pooled_periods": md.period is None,
            "period": None if md.period is None else spec.period, "share_scale": spec.share_scale}


def _observed_shifts(W: np.ndarray, x: np.ndarray, shifts: np.ndarray | None, name: str, *, strict: bool):
    """The shifts aligned with W: given (checked to reproduce ``x`` up to scale) or recovered by least squares."""
    from i4districts.shiftshare.ri import recover_shifts

    scale = max(float(np.linalg.norm(x)), np.finfo(float).tiny)
    if shifts is not None:
        g = np.asarray(shifts, dtype=float).reshape(-1)
        if g.shape == (W.shape[1],):
            fit = W @ g
            c = float(fit @ x) / max(float(fit @ fit), np.finfo(float).tiny)
            resid = float(np.linalg.norm(c * fit - x)) / scale
            if resid <= 1e-5:
                return g, "exposure shifts" + ("" if abs(c - 1) < 1e-9 else f" (regressor = {c:.6g} x W g)"), resid
    try:
        g = recover_shifts(W, x, name=name, rtol=1e-5)
    except ShiftShareInputError:
        if strict:
            raise
        g, *_ = np.linalg.lstsq(W, x, rcond=None)
    resid = float(np.linalg.norm(W @ g - x)) / scale
    return g, "least squares of the shift-share variable on the shares", resid


def _placebo_check(y: np.ndarray, md: ModelDesign, spec: ShiftShareSpec) -> dict[str, Any]:
    """Random N(0,1) shifts through the same design on the real outcome (IV: the reduced form)."""
    from i4districts.shiftshare.placebo import placebo

    pr = placebo(y, md.design, md.Z, weights=md.weights, region_cluster=md.region_cluster,
                 n_draws=spec.placebo_draws, seed=spec.seed, methods=spec.methods, alpha=spec.alpha,
                 beta0=0.0, model_id=spec.model_id, ri_studentization=spec.studentization)
    # no wall time in the record: identical runs write identical records (benchmarks/ times the placebo)
    out = {**pr.summary(), "draws": pr.n_draws,
           "shifts": "i.i.d. N(0,1) per share column", "outcome": spec.outcome,
           "regression": "reduced form (outcome on the placebo instrument)" if spec.is_iv else
           "outcome on the placebo shift-share regressor", "rule": "analytic: p < alpha; ri: p <= alpha"}
    out.pop("model_id", None)
    return out


def _diagnostics_summary(diag: dict[str, Any], plac: dict[str, Any] | None, res: ShiftShareResult):
    top = (diag.get("rotemberg") or {}).get("top") or [{}]
    prim = res.primary.method
    return {
        "effective_shocks": (diag.get("shock_level") or {}).get("effective_n_shocks"),
        "top_sector": top[0].get("sector"),
        "top_sector_share": top[0].get("share_of_estimate"),
        "top_sector_alpha": top[0].get("alpha"),
        "primary_method": prim,
        "placebo_rejection": None if plac is None else plac["rejection"].get(prim),
        "placebo_mc_se": None if plac is None else plac["mc_se"].get(prim),
        "placebo_draws": None if plac is None else plac["draws"],
        "first_stage_f": (diag.get("first_stage") or {}).get("primary_f"),
    }
