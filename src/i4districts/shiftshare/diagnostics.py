"""Design diagnostics of shift-share regressions: Rotemberg weights, the shock-level
equivalent regression, the effective number of shocks, first-stage strength and
pre-trend (balance) checks.

Notation: ``y`` outcome, ``x`` the regressor (OLS: the shift-share variable itself;
IV: the endogenous variable), shares ``S`` (N x K), shifts ``g`` (K), the Bartik
variable ``B = S g``, controls ``Z`` (intercept included), regression weights
``e`` (``Ω = diag(e)``); a tilde is the weighted residual on ``Z``.

* **Rotemberg weights** (Goldsmith-Pinkham, Sorkin and Swift 2020, AER 110(8),
  eq. 5-6): the Bartik IV estimate ``β = B̃'Ωỹ / B̃'Ωx̃`` is
  ``Σ_k α_k β_k`` with ``α_k = g_k S_k'Ωx̃ / Σ_j g_j S_j'Ωx̃`` (summing to one)
  and ``β_k = S_k'Ωỹ / S_k'Ωx̃`` the just-identified IV estimate that uses the
  share of sector ``k`` alone as instrument (``S_k'Ωx̃ = S̃_k'Ωx̃`` because
  ``x̃`` is orthogonal to ``Z``). For OLS on the shift-share variable put
  ``x = B``. The per-sector first-stage F is the homoskedastic
  ``F_k = π_k² Σ e S̃_k² / σ²_k`` of ``x̃`` on ``S̃_k`` (``σ²_k`` with
  ``N - rank(Z) - 1`` degrees of freedom).
* **Shock-level regression** (Borusyak, Hull and Jaravel 2022, ReStud 89(1),
  Proposition 3; Stata ``ssaggregate``): exposure weights
  ``s_k = Σ_i e_i S_ik`` and exposure-weighted averages
  ``ȳ_k = Σ_i e_i S_ik ỹ_i / s_k`` (same for ``x̄_k``); the IV regression of
  ``ȳ_k`` on ``x̄_k`` instrumented by ``g_k`` with weights ``s_k`` (no
  constant) gives ``β = Σ s g ȳ / Σ s g x̄``, identical to the region-level
  estimate. Its heteroskedasticity-robust (HC0) standard error is
  ``sqrt(Σ_k s_k² g_k² ε_k²) / |Σ s g x̄|`` with ``ε_k = ȳ_k - β x̄_k``, summed
  within shock clusters if given (BHJ Section 4). **Effective number of
  shocks** ``1 / Σ_k ŝ_k²`` with ``ŝ_k = s_k / Σ_j s_j`` (the inverse
  Herfindahl index ``HHI = Σ ŝ_k²``); BHJ ask for it to be large.
* **First stage**: ``F = t²`` of the first-stage coefficient of the shift-share
  instrument under each inference method; a :class:`UserWarning` naming the
  model is issued when the F of the primary method (AKM when computed) is below
  :data:`WEAK_F` (Staiger-Stock rule of thumb).
* **Pre-trends / balance**: the pre-period outcome growth (or any
  predetermined characteristic) regressed on the shift-share variable with the
  same controls, weights and inference; a significant coefficient signals a
  pre-trend (GPSS 2020 Section V; BHJ Section 4).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from i4districts.shiftshare.akm import _check_weights, _controls, _vector, reg_ss
from i4districts.shiftshare.design import (
    control_matrix,
    fit_shiftshare,
    sector_clusters,
    share_matrix,
)
from i4districts.shiftshare.errors import ShiftShareInputError
from i4districts.shiftshare.linalg import weighted_projection
from i4districts.shiftshare.results import ShiftShareResult
from i4districts.shiftshare.spec import ShiftShareSpec

__all__ = [
    "WEAK_F",
    "RotembergWeights",
    "ShockLevel",
    "FirstStage",
    "rotemberg_weights",
    "shock_level",
    "first_stage_strength",
    "pretrend_check",
    "shifts_vector",
    "shiftshare_diagnostics",
    "design_diagnostics",
]

TABLE = "shift-share diagnostics"

WEAK_F = 10.0
"""First-stage F below which a weak-instrument warning is issued."""


# ----------------------------------------------------------------- helpers
def _shares(S: np.ndarray, n: int | None = None) -> np.ndarray:
    S = np.asarray(S, dtype=float)
    if S.ndim != 2:
        raise ShiftShareInputError(TABLE, "shares", f"must be 2-D, got shape {S.shape}")
    if n is not None and S.shape[0] != n:
        raise ShiftShareInputError(TABLE, "shares", f"have {S.shape[0]} rows, expected {n}")
    if not np.isfinite(S).all():
        raise ShiftShareInputError(TABLE, "shares", "have non-finite cells (row, col)",
                                   np.argwhere(~np.isfinite(S))[:5].tolist())
    return S


def _labels_frame(labels: Sequence[object] | None, k: int) -> pd.DataFrame:
    labels = list(range(k)) if labels is None else list(labels)
    if len(labels) != k:
        raise ShiftShareInputError(TABLE, "sectors", f"has {len(labels)} labels for {k} columns")
    if labels and all(isinstance(v, tuple) and len(v) == 2 for v in labels):
        return pd.DataFrame({"period": [v[0] for v in labels], "sector": [v[1] for v in labels]})
    return pd.DataFrame({"sector": labels})


def _residualise(Z: np.ndarray | None, w: np.ndarray, *cols: np.ndarray):
    n = w.shape[0]
    proj = weighted_projection(_controls(Z, n), w)
    return proj, [proj.residuals(c) for c in cols]


# --------------------------------------------------------- Rotemberg (GPSS)
@dataclass(frozen=True)
class RotembergWeights:
    """Rotemberg decomposition ``β = Σ_k α_k β_k`` of a Bartik estimate (GPSS 2020).

    ``table``: one row per share column (``[period,] sector, alpha, beta, g,
    contribution = alpha*beta, share_of_estimate = contribution/estimate,
    first_stage_f``); ``beta`` is NaN where a sector's share has no first stage
    (``S_k'Ωx̃ = 0``; its ``alpha`` is then 0 and so is its contribution).
    """

    estimate: float
    table: pd.DataFrame
    estimator: str
    model_id: str | None = None

    def top(self, n: int = 5) -> pd.DataFrame:
        """The ``n`` sectors with the largest ``|alpha|``."""
        t = self.table
        return t.loc[t["alpha"].abs().sort_values(ascending=False).index[:n]].reset_index(drop=True)

    @property
    def negative_weight_sum(self) -> float:
        return float(self.table.loc[self.table["alpha"] < 0, "alpha"].sum())

    def by_sector(self) -> pd.DataFrame:
        """Weights summed over periods per sector (GPSS Table 2 aggregation):
        ``alpha_s = Σ_t alpha_st``, ``beta_s = Σ_t alpha_st beta_st / alpha_s``."""
        t = self.table
        g = t.groupby("sector", sort=True)
        out = pd.DataFrame({"alpha": g["alpha"].sum(), "contribution": g["contribution"].sum()})
        with np.errstate(divide="ignore", invalid="ignore"):
            out["beta"] = out["contribution"] / out["alpha"]
        out["share_of_estimate"] = out["contribution"] / self.estimate
        return out.reset_index()

    def summary(self) -> dict[str, Any]:
        a = self.table["alpha"]
        return {
            "model_id": self.model_id,
            "estimator": self.estimator,
            "estimate": self.estimate,
            "n_sectors": int(len(a)),
            "sum_alpha": float(a.sum()),
            "sum_negative_alpha": self.negative_weight_sum,
            "sum_positive_alpha": float(a[a > 0].sum()),
            "share_negative": float((a < 0).mean()) if len(a) else float("nan"),
            "top": self.top(5).to_dict("records"),
        }


def rotemberg_weights(
    y: np.ndarray,
    x: np.ndarray | None,
    shares: np.ndarray,
    shifts: np.ndarray,
    Z: np.ndarray | None = None,
    *,
    weights: np.ndarray | None = None,
    sectors: Sequence[object] | None = None,
    first_stage_f: bool = True,
    model_id: str | None = None,
) -> RotembergWeights:
    """Rotemberg weights of the Bartik estimate with instrument ``shares @ shifts``.

    ``x`` is the endogenous regressor (IV); ``None`` means OLS of ``y`` on the
    Bartik variable itself (``x = shares @ shifts``). ``Z`` are the controls
    with the intercept (``None``: intercept only), ``weights`` the regression
    weights. Formulas in the module docstring.
    """
    S = _shares(shares)
    n, k = S.shape
    g = _vector(shifts, "shifts", k)
    y = _vector(y, "outcome", n)
    B = S @ g
    xv = B if x is None else _vector(x, "endogenous", n)
    w = np.ones(n) if weights is None else _check_weights(weights, n)
    proj, (yt, xt) = _residualise(Z, w, y, xv)
    a_x = S.T @ (w * xt)  # S_k'Ωx̃
    a_y = S.T @ (w * yt)  # S_k'Ωỹ
    denom = float(g @ a_x)
    if denom == 0.0:
        raise ShiftShareInputError(TABLE, "shifts", "give a zero first stage (B'Ωx̃ = 0)")
    alpha = g * a_x / denom
    contribution = g * a_y / denom
    with np.errstate(divide="ignore", invalid="ignore"):
        beta = np.where(a_x != 0, a_y / np.where(a_x != 0, a_x, 1.0), np.nan)
    estimate = float(g @ a_y / denom)
    table = _labels_frame(sectors, k)
    table["alpha"] = alpha
    table["beta"] = beta
    table["g"] = g
    table["contribution"] = contribution
    table["share_of_estimate"] = contribution / estimate if estimate != 0 else np.nan
    if first_stage_f:
        St = proj.residuals(S)
        ss = np.sum(w[:, None] * St**2, axis=0)
        dof = n - proj.rank - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            pi = np.where(ss > 0, a_x / np.where(ss > 0, ss, 1.0), 0.0)
            rss = np.sum(w * xt**2) - pi * a_x  # Σ e (x̃ - π S̃_k)²
            f = np.where(ss > 0, pi**2 * ss / (np.maximum(rss, 0) / dof), np.nan)
        table["first_stage_f"] = f
    return RotembergWeights(estimate=estimate, table=table,
                            estimator="ols" if x is None else "iv", model_id=model_id)


# ----------------------------------------------------- shock level (BHJ)
@dataclass(frozen=True)
class ShockLevel:
    """The shock-level equivalent regression (BHJ 2022) and the effective number of shocks.

    ``table``: one row per share column with positive exposure (``[period,]
    sector, s, s_norm, g, y_bar, x_bar``); ``estimate`` the shock-level IV
    (OLS when ``x`` was ``None``) coefficient; ``std_error`` its HC0 (or
    shock-clustered) standard error.
    """

    estimate: float
    std_error: float
    effective_n: float
    hhi: float
    max_share: float
    n_shocks: int
    table: pd.DataFrame
    model_id: str | None = None

    def summary(self) -> dict[str, Any]:
        return {"model_id": self.model_id, "estimate": self.estimate, "std_error": self.std_error,
                "effective_n_shocks": self.effective_n, "hhi": self.hhi,
                "max_shock_weight": self.max_share, "n_shocks": self.n_shocks}


def effective_shocks(s: np.ndarray) -> tuple[float, float, float]:
    """``(1 / HHI, HHI, max share)`` of exposure weights ``s`` (normalised to sum one)."""
    s = np.asarray(s, dtype=float)
    tot = s.sum()
    if not np.isfinite(tot) or tot <= 0:
        raise ShiftShareInputError(TABLE, "exposure weights", "must have a positive sum", [tot])
    sn = s / tot
    hhi = float(np.sum(sn**2))
    return 1.0 / hhi, hhi, float(sn.max())


def shock_level(
    y: np.ndarray,
    x: np.ndarray | None,
    shares: np.ndarray,
    shifts: np.ndarray,
    Z: np.ndarray | None = None,
    *,
    weights: np.ndarray | None = None,
    sectors: Sequence[object] | None = None,
    shock_cluster: Sequence[object] | None = None,
    model_id: str | None = None,
) -> ShockLevel:
    """Aggregate the region-level shift-share regression to the shocks (BHJ 2022).

    Controls are partialled out at the region level first (weighted by
    ``weights``); ``x=None`` is the OLS/reduced form of ``y`` on ``shares @ shifts``.
    Shocks with zero exposure weight are left out (they carry no information).
    """
    S = _shares(shares)
    n, k = S.shape
    g = _vector(shifts, "shifts", k)
    y = _vector(y, "outcome", n)
    xv = S @ g if x is None else _vector(x, "endogenous", n)
    w = np.ones(n) if weights is None else _check_weights(weights, n)
    _, (yt, xt) = _residualise(Z, w, y, xv)
    s = S.T @ w
    if (s < 0).any():
        raise ShiftShareInputError(TABLE, "shares", "give negative exposure weights for columns",
                                   np.flatnonzero(s < 0)[:5].tolist())
    keep = s > 0
    sk = s[keep]
    ybar = (S.T @ (w * yt))[keep] / sk
    xbar = (S.T @ (w * xt))[keep] / sk
    gk = g[keep]
    den = float(np.sum(sk * gk * xbar))
    if den == 0.0:
        raise ShiftShareInputError(TABLE, "shifts", "give a zero shock-level first stage")
    beta = float(np.sum(sk * gk * ybar) / den)
    score = sk * gk * (ybar - beta * xbar)
    if shock_cluster is not None:
        sc = np.asarray(shock_cluster)
        if sc.shape != (k,):
            raise ShiftShareInputError(TABLE, "shock_cluster", f"has shape {sc.shape}, expected ({k},)")
        _, codes = np.unique(sc[keep], return_inverse=True)
        score = np.bincount(codes, weights=score)
    se = float(np.sqrt(np.sum(score**2)) / abs(den))
    eff, hhi, mx = effective_shocks(sk)
    table = _labels_frame(sectors, k).loc[keep].reset_index(drop=True)
    table["s"] = sk
    table["s_norm"] = sk / sk.sum()
    table["g"] = gk
    table["y_bar"] = ybar
    table["x_bar"] = xbar
    return ShockLevel(estimate=beta, std_error=se, effective_n=eff, hhi=hhi, max_share=mx,
                      n_shocks=int(keep.sum()), table=table, model_id=model_id)


# ------------------------------------------------------------ first stage
@dataclass(frozen=True)
class FirstStage:
    """First-stage strength of a shift-share IV: ``F = t²`` per inference method."""

    coefficient: float
    f: dict[str, float]
    primary_method: str
    result: ShiftShareResult
    model_id: str | None = None

    @property
    def primary_f(self) -> float:
        return self.f[self.primary_method]

    @property
    def weak(self) -> bool:
        return not self.primary_f >= WEAK_F

    def summary(self) -> dict[str, Any]:
        return {"model_id": self.model_id, "coefficient": self.coefficient, "f": dict(self.f),
                "primary_method": self.primary_method, "primary_f": self.primary_f,
                "weak": self.weak, "threshold": WEAK_F}


def first_stage_strength(result: ShiftShareResult, *, warn: bool = True) -> FirstStage:
    """F statistics (``t²`` per method) of a fitted first stage (``reg_ss`` of the
    endogenous variable on the instrument); warns when the primary F < :data:`WEAK_F`."""
    f = {}
    for m in result.methods:
        se = m.std_error
        f[m.method] = float((m.estimate / se) ** 2) if se and np.isfinite(se) and se > 0 else 0.0
    primary = result.primary.method
    fs = FirstStage(coefficient=result.estimate, f=f, primary_method=primary, result=result,
                    model_id=result.model_id)
    if warn and fs.weak:
        warnings.warn(
            f"model '{result.model_id or '-'}': weak shift-share instrument, first-stage F = "
            f"{fs.primary_f:.2f} ({primary}) is below {WEAK_F:g}; use the AKM0 confidence set "
            "(method 'akm0'), which stays valid with a weak instrument",
            UserWarning, stacklevel=2,
        )
    return fs


# ------------------------------------------------------------ pre-trends
def pretrend_check(
    regions: pd.DataFrame,
    shares: pd.DataFrame,
    spec: ShiftShareSpec,
    pre_outcomes: str | Sequence[str],
    sector_table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Regress each pre-period outcome on the shift-share variable of ``spec``.

    Same controls, weights, clusters and inference methods as ``spec``; for an
    IV spec the regressor is the instrument (the reduced-form balance test).
    One row per pre-outcome and method: ``model_id, outcome, term, method,
    estimate, std_error, p, ci_low, ci_high, ci_type, reject`` (at ``spec.alpha``).
    """
    outs = [pre_outcomes] if isinstance(pre_outcomes, str) else list(pre_outcomes)
    if not outs:
        raise ShiftShareInputError(TABLE, "pre_outcomes", "is empty")
    rows = []
    for o in outs:
        sub = replace(spec, outcome=o, regressor=spec.shift_share_variable, endogenous=None,
                      instrument=None)
        res = fit_shiftshare(regions, shares, sub, sector_table)
        for m in res.methods:
            rows.append({"model_id": spec.model_id, "outcome": o, "term": res.regressor,
                         "method": m.method, "estimate": m.estimate, "std_error": m.std_error,
                         "p": m.p, "ci_low": m.ci_low, "ci_high": m.ci_high,
                         "ci_type": m.ci_type, "reject": bool(m.p < spec.alpha)})
    return pd.DataFrame(rows)


def balance_test(pre_outcomes: Mapping[str, np.ndarray], x: np.ndarray, design, Z=None,
                 **kwargs: Any) -> pd.DataFrame:
    """Array version of :func:`pretrend_check`: ``reg_ss`` of each pre-outcome on ``x``."""
    x_name = kwargs.pop("x_name", "x")
    rows = []
    for name, v in pre_outcomes.items():
        res = reg_ss(v, x, design, Z, names=(name, x_name), **kwargs)
        for m in res.methods:
            rows.append({"outcome": name, "method": m.method, "estimate": m.estimate,
                         "std_error": m.std_error, "p": m.p, "ci_low": m.ci_low,
                         "ci_high": m.ci_high, "reject": bool(m.p < res.alpha)})
    return pd.DataFrame(rows)


# --------------------------------------------------------- spec-level run
def shifts_vector(shifts: pd.DataFrame, labels: Sequence[object], *, sector: str = "sector",
                  period: str = "period", shift: str = "shift") -> np.ndarray:
    """Shifts aligned to the share-matrix columns ``labels`` (sectors, or ``(period, sector)``).

    Every column must have a shift (no silent zero).
    """
    labels = list(labels)
    paired = bool(labels) and all(isinstance(v, tuple) for v in labels)
    keys = [sector] + ([period] if paired else [])
    missing = [c for c in [*keys, shift] if c not in shifts.columns]
    if missing:
        raise ShiftShareInputError("shifts table", missing[0], f"is missing (have {list(shifts.columns)})")
    if paired:
        idx = pd.MultiIndex.from_arrays([shifts[period], shifts[sector]])
        want = pd.MultiIndex.from_tuples(labels)
    else:
        idx = pd.Index(shifts[sector])
        want = pd.Index(labels)
    if idx.has_duplicates:
        raise ShiftShareInputError("shifts table", sector, "has duplicate keys",
                                   idx[idx.duplicated()].unique().tolist())
    pos = idx.get_indexer(want)
    if (pos < 0).any():
        raise ShiftShareInputError("shifts table", sector, "lacks shifts for share columns",
                                   [labels[i] for i in np.flatnonzero(pos < 0)])
    vals = pd.to_numeric(shifts[shift], errors="coerce").to_numpy(dtype=float)[pos]
    if not np.isfinite(vals).all():
        raise ShiftShareInputError("shifts table", shift, "has missing values for",
                                   [labels[i] for i in np.flatnonzero(~np.isfinite(vals))])
    return vals


def shiftshare_diagnostics(
    regions: pd.DataFrame,
    shares: pd.DataFrame,
    spec: ShiftShareSpec,
    shifts: pd.DataFrame | None = None,
    *,
    sector_table: pd.DataFrame | None = None,
    pre_outcomes: Sequence[str] = (),
    warn: bool = True,
) -> dict[str, Any]:
    """All design diagnostics of one shift-share model (the inputs of :func:`fit_shiftshare`).

    Returns a dict with ``first_stage`` (IV only; warns when weak), and, when
    ``shifts`` (columns ``sector[, period], shift``) are given, ``rotemberg``
    (:class:`RotembergWeights`) and ``shock_level`` (:class:`ShockLevel`), and
    ``pretrends`` (a DataFrame) when ``pre_outcomes`` are given.
    """
    out: dict[str, Any] = {"model_id": spec.model_id}
    if spec.is_iv:
        out["first_stage"] = _first_stage(regions, shares, spec, sector_table, warn=warn)
    if shifts is not None:
        from i4districts.shiftshare.design import model_design

        md = model_design(regions, shares, spec, sector_table)
        g = shifts_vector(shifts, md.labels)
        out.update(_rotemberg_and_shocks(regions, spec, md, g))
    if pre_outcomes:
        out["pretrends"] = pretrend_check(regions, shares, spec, pre_outcomes, sector_table)
    return out


def _first_stage(regions, shares, spec, sector_table, *, warn: bool) -> FirstStage:
    fs_spec = replace(spec, outcome=spec.endogenous, regressor=spec.instrument, endogenous=None,
                      instrument=None, methods=spec.analytic_methods or (spec.studentization,),
                      placebo_draws=0)
    fs = first_stage_strength(fit_shiftshare(regions, shares, fs_spec, sector_table), warn=warn)
    return replace(fs, model_id=spec.model_id)


def _rotemberg_and_shocks(regions: pd.DataFrame, spec: ShiftShareSpec, md, g: np.ndarray) -> dict[str, Any]:
    y = regions[spec.outcome].to_numpy(dtype=float)
    x = regions[spec.endogenous].to_numpy(dtype=float) if spec.is_iv else None
    S = md.design.W
    sc = None if md.design.sector_cluster is None else md.design.sector_cluster
    return {"rotemberg": rotemberg_weights(y, x, S, g, md.Z, weights=md.weights, sectors=md.labels,
                                           model_id=spec.model_id),
            "shock_level": shock_level(y, x, S, g, md.Z, weights=md.weights, sectors=md.labels,
                                       shock_cluster=sc, model_id=spec.model_id)}


def design_diagnostics(regions: pd.DataFrame, shares: pd.DataFrame, spec: ShiftShareSpec, md,
                       shifts: np.ndarray, *, sector_table: pd.DataFrame | None = None,
                       top: int = 5) -> dict[str, Any]:
    """JSON-ready diagnostics of a fitted spec (``extra.diagnostics`` of the result).

    ``md`` the :class:`~i4districts.shiftshare.design.ModelDesign` of the fit and
    ``shifts`` the observed shifts aligned with its share columns: Rotemberg weights
    (the ``top`` sectors by ``|alpha|`` with their share of the estimate, and the
    by-sector aggregation over periods), the shock-level regression and the
    effective number of shocks, and for IV the first-stage F per method.
    """
    out: dict[str, Any] = {}
    parts = _rotemberg_and_shocks(regions, spec, md, np.asarray(shifts, dtype=float))
    rw: RotembergWeights = parts["rotemberg"]
    summ = rw.summary()
    by_sector = rw.by_sector().assign(abs_alpha=lambda d: d["alpha"].abs())
    by_sector = by_sector.sort_values("abs_alpha", ascending=False).drop(columns="abs_alpha")
    summ["top"] = by_sector.head(top).to_dict("records")
    summ["top_columns"] = rw.top(top).to_dict("records")
    summ.pop("model_id", None)
    out["rotemberg"] = summ
    sl: ShockLevel = parts["shock_level"]
    out["shock_level"] = {k: v for k, v in sl.summary().items() if k != "model_id"}
    if spec.is_iv:
        out["first_stage"] = {k: v for k, v in _first_stage(regions, shares, spec, sector_table,
                                                            warn=False).summary().items() if k != "model_id"}
    return out
