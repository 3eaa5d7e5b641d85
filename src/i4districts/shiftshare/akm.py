"""AKM and AKM0 inference for shift-share OLS and IV (Adão, Kolesár, Morales 2019).

Notation (AKM 2019, QJE 134(4), Section IV and Remarks 5-6; ShiftShareSE):
``y`` outcome, ``X = W Xs`` the shift-share regressor (OLS) or instrument (IV),
``W`` the N x S share matrix, ``Z`` controls (intercept included), ``w``
regression weights, ``ddV`` the weighted residual of ``V`` on ``Z``.

* OLS estimate: ``beta = sum_i w_i ddX_i ddY_i / RX`` with ``RX = sum_i w_i ddX_i^2``
  (Frisch-Waugh-Lovell); residual ``e = ddY - beta ddX``.
* IV estimate (one endogenous ``y2``, one shift-share instrument):
  ``beta = (sum w ddX ddY1) / (sum w ddX ddY2)``, ``RX = sum w ddY2 ddX``,
  residual ``e = ddY1 - beta ddY2``.
* **homoskedastic SE**: OLS ``sqrt(sum w e^2 / (N - p) / RX)``; IV
  ``sqrt(sum w e^2 / N) / (sqrt(sum w ddX^2) |pi|)`` with ``pi`` the first-stage
  coefficient (no small-sample correction in IV, as ShiftShareSE).
* **EHW SE** (heteroskedasticity-robust), ``u_i = w_i e_i ddX_i``: OLS
  ``sqrt(N/(N-p) sum u^2) / RX``; IV ``sqrt(sum u^2) / |RX|``.
* **region-cluster SE**: OLS ``sqrt(G/(G-1) (N-1)/(N-p) sum_g (sum_{i in g} u_i)^2) / RX``;
  IV without correction.
* **AKM SE** (AKM 2019, eq. 36 / Remark 5): ``hXs = (W'ΩW)^{-1} W'Ω ddX`` (the
  shifters with controls partialled out), ``R_s = sum_i w_i W_is e_i``,
  ``c_s = hXs_s R_s`` summed within sector clusters ``k``:
  ``SE_AKM = sqrt(sum_k (sum_{s in k} c_s)^2) / |RX|``.
* **AKM0 confidence set** (Remark 6; inverts the null-imposed test):
  ``cR_s = hXs_s R_s``, ``cW_s = hXs_s sum_i w_i W_is ddX_i`` (OLS) or ``ddY2`` (IV),
  aggregated over sector clusters; ``Q = RX^2 / z^2 - sum cW^2``,
  ``Q2 = sum cR cW / Q``, ``mid = beta - Q2``, ``dis = Q2^2 + sum cR^2 / Q``.
  If ``Q > 0`` the set is ``mid ± sqrt(dis)``; if ``Q <= 0 < dis`` it is
  ``(-inf, mid - sqrt(dis)] U [mid + sqrt(dis), inf)``; otherwise the real line.
  Its p-value uses the null-imposed ``SE_AKM0 = sqrt(sum (hXs R_s(beta0))^2) / |RX|``
  with ``R_s(beta0) = sum_i w_i W_is (ddY_i - beta0 ddX_i)`` (OLS; ``ddY1 - beta0 ddY2`` in IV).
* Collinear shares: sectors whose share column is collinear with earlier ones
  (R ``lm.wfit``'s rule, tolerance 1e-7) are dropped from ``hXs`` (their
  ``c_s = 0``); point estimates are unchanged (ShiftShareSE default).

p-values are two-sided normal, ``2 (1 - Phi(|beta - beta0| / SE))`` (computed
with the survival function, so they are accurate below 1e-15 where R's
``1 - pnorm`` is not); intervals ``beta ± z_{1-alpha/2} SE``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy import stats

from i4districts.shiftshare.errors import ShiftShareInputError
from i4districts.shiftshare.linalg import (
    GramProjection,
    WeightedProjection,
    share_projection,
    weighted_projection,
)
from i4districts.shiftshare.results import METHODS, MethodResult, ShiftShareResult

__all__ = ["ShareDesign", "ivreg_ss", "reg_ss", "share_design"]

TABLE = "shift-share design"


@dataclass(frozen=True)
class ShareDesign:
    """The share matrix with its weighted factorisation (reusable across regressions).

    ``sectors`` labels the columns of ``W``; ``sector_cluster`` gives each
    column an integer cluster code (or ``None``: every sector its own cluster).
    """

    W: np.ndarray
    projection: GramProjection | WeightedProjection
    sectors: tuple[object, ...]
    sector_cluster: np.ndarray | None
    Wt: sp.csr_matrix  # W' in sparse form for the sector sums W'(w v)

    @property
    def dropped_sectors(self) -> tuple[object, ...]:
        return tuple(s for s, k in zip(self.sectors, self.projection.keep) if not k)

    @property
    def n_sector_clusters(self) -> int:
        if self.sector_cluster is None:
            return int(self.projection.keep.sum())
        return int(np.unique(self.sector_cluster[self.projection.keep]).size)


def share_design(
    W: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    sectors: Sequence[object] | None = None,
    sector_cluster: Sequence[object] | np.ndarray | None = None,
) -> ShareDesign:
    """Validate the N x S share matrix and factorise ``sqrt(w) W``.

    Collinear sectors (R ``lm.wfit`` rule) are detected here and dropped from
    the AKM sums; see :attr:`ShareDesign.dropped_sectors`.
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2:
        raise ShiftShareInputError("share matrix", "W", f"must be 2-D, got shape {W.shape}")
    if not np.isfinite(W).all():
        bad = np.argwhere(~np.isfinite(W))[:5].tolist()
        raise ShiftShareInputError("share matrix", "share", "has non-finite cells (row, col)", bad)
    labels = tuple(range(W.shape[1])) if sectors is None else tuple(sectors)
    if len(labels) != W.shape[1]:
        raise ShiftShareInputError(
            "share matrix", "sectors", f"has {len(labels)} labels for {W.shape[1]} columns"
        )
    codes = None
    if sector_cluster is not None:
        sc = np.asarray(sector_cluster)
        if sc.shape != (W.shape[1],):
            raise ShiftShareInputError(
                "sector table", "sector_cluster",
                f"has length {sc.shape} but there are {W.shape[1]} sectors",
            )
        if sc.dtype.kind == "f" and np.isnan(sc).any():
            raise ShiftShareInputError(
                "sector table", "sector_cluster", "is missing for sectors",
                [labels[i] for i in np.flatnonzero(np.isnan(sc))],
            )
        _, codes = np.unique(sc, return_inverse=True)
    proj = share_projection(W, None if weights is None else _check_weights(weights, W.shape[0]))
    wt = proj.at if isinstance(proj, GramProjection) else sp.csr_matrix(W.T)
    return ShareDesign(W=W, projection=proj, sectors=labels, sector_cluster=codes, Wt=wt)


def _check_weights(weights: np.ndarray, n: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise ShiftShareInputError(TABLE, "weights", f"has shape {w.shape}, expected ({n},)")
    bad = np.flatnonzero(~np.isfinite(w) | (w <= 0))
    if bad.size:
        raise ShiftShareInputError(
            TABLE, "weights", "must be finite and positive; bad at rows",
            [(int(i), float(w[i])) for i in bad[:5]],
        )
    return w


def _vector(v: np.ndarray, name: str, n: int) -> np.ndarray:
    a = np.asarray(v, dtype=float).reshape(-1)
    if a.shape != (n,):
        raise ShiftShareInputError(TABLE, name, f"has length {a.shape[0]}, expected {n}")
    bad = np.flatnonzero(~np.isfinite(a))
    if bad.size:
        raise ShiftShareInputError(TABLE, name, "has missing/non-finite values at rows",
                                   bad[:5].tolist())
    return a


def _controls(Z: np.ndarray | None, n: int) -> np.ndarray:
    if Z is None:
        return np.ones((n, 1))
    Z = np.asarray(Z, dtype=float)
    if Z.ndim == 1:
        Z = Z[:, None]
    if Z.shape[0] != n:
        raise ShiftShareInputError(TABLE, "controls", f"have {Z.shape[0]} rows, expected {n}")
    bad = np.argwhere(~np.isfinite(Z))
    if bad.size:
        raise ShiftShareInputError(TABLE, "controls", "have non-finite cells (row, col)",
                                   bad[:5].tolist())
    return Z


@dataclass(frozen=True)
class _Prepared:
    n: int
    w: np.ndarray
    p: int  # rank of [X, Z]
    ddx: np.ndarray
    dd: np.ndarray  # residualised outcome(s), n x m
    cluster_codes: np.ndarray | None
    n_region_clusters: int | None


def _prepare(ys: list[np.ndarray], x: np.ndarray, Z: np.ndarray | None,
             weights: np.ndarray | None, region_cluster: Sequence[object] | None,
             design: ShareDesign, names: list[str]) -> _Prepared:
    n = design.W.shape[0]
    x = _vector(x, names[0], n)
    ys = [_vector(y, nm, n) for y, nm in zip(ys, names[1:])]
    Z = _controls(Z, n)
    w = np.ones(n) if weights is None else _check_weights(weights, n)
    if not np.allclose(design.projection.sqrt_w, np.sqrt(w), rtol=0, atol=0):
        raise ShiftShareInputError(
            TABLE, "weights", "differ from those used to factorise the share design"
        )
    zproj = weighted_projection(Z, w)
    dd = zproj.residuals(np.column_stack([x, *ys]))
    ddx = dd[:, 0]
    x_scale = np.sqrt(np.sum(w * x**2))
    if np.sqrt(np.sum(w * ddx**2)) <= 1e-7 * max(x_scale, np.finfo(float).tiny):
        raise ShiftShareInputError(
            TABLE, names[0], "is collinear with the controls (nothing left after partialling out)"
        )
    codes = None
    g = None
    if region_cluster is not None:
        rc = np.asarray(region_cluster)
        if rc.shape != (n,):
            raise ShiftShareInputError(TABLE, "region_cluster", f"has shape {rc.shape}, expected ({n},)")
        if rc.dtype.kind == "f" and np.isnan(rc).any():
            raise ShiftShareInputError(TABLE, "region_cluster", "is missing at rows",
                                       np.flatnonzero(np.isnan(rc))[:5].tolist())
        _, codes = np.unique(rc, return_inverse=True)
        g = int(codes.max()) + 1
        if g < 2:
            raise ShiftShareInputError(TABLE, "region_cluster", "needs at least two clusters")
    return _Prepared(n=n, w=w, p=zproj.rank + 1, ddx=ddx, dd=dd[:, 1:],
                     cluster_codes=codes, n_region_clusters=g)


def _sector_sum(c: np.ndarray, design: ShareDesign) -> np.ndarray:
    if design.sector_cluster is None:
        return c
    return np.bincount(design.sector_cluster, weights=c)


def _normalise_methods(methods: Sequence[str] | str) -> tuple[str, ...]:
    if isinstance(methods, str):
        methods = [methods]
    ms = list(methods)
    if "all" in ms:
        return METHODS
    unknown = [m for m in ms if m not in METHODS]
    if unknown:
        raise ShiftShareInputError(TABLE, "methods", f"unknown (allowed {list(METHODS)})", unknown)
    return tuple(m for m in METHODS if m in ms)


def _akm0_set(beta: float, RX: float, cR: np.ndarray, cW: np.ndarray, cv: float):
    """AKM0 confidence set by inverting the null-imposed test (AKM 2019, Remark 6)."""
    Q = RX**2 / cv**2 - np.sum(cW**2)
    Q2 = np.sum(cR * cW) / Q
    mid = beta - Q2
    dis = Q2**2 + np.sum(cR**2) / Q
    if Q > 0:
        h = np.sqrt(dis)
        return mid - h, mid + h, "interval", h / cv
    if dis > 0:
        h = np.sqrt(dis)
        return mid + h, mid - h, "complement", np.inf
    return -np.inf, np.inf, "real_line", np.inf


def _finish(beta: float, ses: dict[str, float], akm0: tuple | None, se0: float | None,
            methods: tuple[str, ...], beta0: float, alpha: float) -> tuple[MethodResult, ...]:
    cv = stats.norm.ppf(1 - alpha / 2)
    out = []
    for m in methods:
        if m == "akm0":
            lo, hi, kind, se = akm0
            p = float(2 * stats.norm.sf(abs(beta - beta0) / se0))
            out.append(MethodResult(m, beta, float(se), p, float(lo), float(hi), kind))
        else:
            se = ses[m]
            p = float(2 * stats.norm.sf(abs(beta - beta0) / se))
            out.append(MethodResult(m, beta, float(se), p, beta - cv * se, beta + cv * se))
    return tuple(out)


def _cluster_sum_sq(u: np.ndarray, prep: _Prepared) -> float:
    return float(np.sum(np.bincount(prep.cluster_codes, weights=u) ** 2))


def reg_ss(
    y: np.ndarray,
    x: np.ndarray,
    design: ShareDesign,
    Z: np.ndarray | None = None,
    *,
    weights: np.ndarray | None = None,
    region_cluster: Sequence[object] | None = None,
    methods: Sequence[str] | str = METHODS,
    beta0: float = 0.0,
    alpha: float = 0.05,
    names: tuple[str, str] = ("y", "x"),
    controls: Sequence[str] = (),
    weights_name: str | None = None,
    model_id: str | None = None,
) -> ShiftShareResult:
    """Shift-share OLS of ``y`` on the shift-share regressor ``x`` and controls ``Z``.

    Implements ShiftShareSE's ``reg_ss`` (AKM 2019): homoskedastic, EHW,
    region-cluster, AKM and AKM0 inference on the coefficient of ``x``. ``Z``
    must include the intercept (``None`` means intercept only). Formulas in
    the module docstring.
    """
    methods = _normalise_methods(methods)
    if "cluster" in methods and region_cluster is None:
        raise ShiftShareInputError(TABLE, "region_cluster", "is required for method 'cluster'")
    prep = _prepare([y], x, Z, weights, region_cluster, design, [names[1], names[0]])
    w, ddx, ddy = prep.w, prep.ddx, prep.dd[:, 0]
    n, p = prep.n, prep.p
    RX = float(np.sum(w * ddx**2))
    beta = float(np.sum(w * ddx * ddy) / RX)
    e = ddy - beta * ddx
    u = w * e * ddx
    ses: dict[str, float] = {}
    if "homoskedastic" in methods:
        ses["homoskedastic"] = float(np.sqrt(np.sum(w * e**2) / (n - p) / RX))
    if "ehw" in methods:
        ses["ehw"] = float(np.sqrt(n / (n - p) * np.sum(u**2)) / RX)
    if "cluster" in methods:
        g = prep.n_region_clusters
        ses["cluster"] = float(np.sqrt(g / (g - 1) * (n - 1) / (n - p) * _cluster_sum_sq(u, prep)) / RX)
    akm0 = se0 = None
    if "akm" in methods or "akm0" in methods:
        hx = design.projection.coefficients(ddx)
        Wt = design.Wt
        cR = _sector_sum(hx * (Wt @ (w * e)), design)
        if "akm" in methods:
            ses["akm"] = float(np.sqrt(np.sum(cR**2)) / RX)
        if "akm0" in methods:
            cR0 = _sector_sum(hx * (Wt @ (w * (ddy - beta0 * ddx))), design)
            cW = _sector_sum(hx * (Wt @ (w * ddx)), design)
            se0 = float(np.sqrt(np.sum(cR0**2)) / RX)
            akm0 = _akm0_set(beta, RX, cR, cW, stats.norm.ppf(1 - alpha / 2))
    return ShiftShareResult(
        estimator="ols", outcome=names[0], regressor=names[1], instrument=None,
        estimate=beta, n=n, rank=p, n_sectors=design.W.shape[1],
        dropped_sectors=design.dropped_sectors,
        n_sector_clusters=design.n_sector_clusters,
        n_region_clusters=prep.n_region_clusters, alpha=alpha, beta0=beta0,
        weights=weights_name, methods=_finish(beta, ses, akm0, se0, methods, beta0, alpha),
        model_id=model_id, controls=tuple(controls),
    )


def ivreg_ss(
    y1: np.ndarray,
    y2: np.ndarray,
    x: np.ndarray,
    design: ShareDesign,
    Z: np.ndarray | None = None,
    *,
    weights: np.ndarray | None = None,
    region_cluster: Sequence[object] | None = None,
    methods: Sequence[str] | str = METHODS,
    beta0: float = 0.0,
    alpha: float = 0.05,
    names: tuple[str, str, str] = ("y1", "y2", "x"),
    controls: Sequence[str] = (),
    weights_name: str | None = None,
    model_id: str | None = None,
) -> ShiftShareResult:
    """Shift-share IV: ``y1`` on endogenous ``y2`` instrumented by ``x`` (= W Xs).

    Implements ShiftShareSE's ``ivreg_ss`` (AKM 2019, Section IV.C, Remark 6):
    just-identified 2SLS with controls ``Z`` (intercept included; ``None`` =
    intercept only), and homoskedastic, EHW, region-cluster, AKM and AKM0
    inference. ``names`` = (outcome, endogenous, instrument).
    """
    methods = _normalise_methods(methods)
    if "cluster" in methods and region_cluster is None:
        raise ShiftShareInputError(TABLE, "region_cluster", "is required for method 'cluster'")
    prep = _prepare([y1, y2], x, Z, weights, region_cluster, design,
                    [names[2], names[0], names[1]])
    w, ddx = prep.w, prep.ddx
    ddy1, ddy2 = prep.dd[:, 0], prep.dd[:, 1]
    n = prep.n
    RXX = float(np.sum(w * ddx**2))
    RX = float(np.sum(w * ddy2 * ddx))
    if RX == 0.0:
        raise ShiftShareInputError(TABLE, names[2], "has a zero first stage (instrument irrelevant)")
    pi = RX / RXX
    beta = float(np.sum(w * ddx * ddy1) / RX)
    e = ddy1 - beta * ddy2
    u = w * e * ddx
    ses: dict[str, float] = {}
    if "homoskedastic" in methods:
        ses["homoskedastic"] = float(np.sqrt(np.sum(w * e**2) / n) / (np.sqrt(RXX) * abs(pi)))
    if "ehw" in methods:
        ses["ehw"] = float(np.sqrt(np.sum(u**2) / RX**2))
    if "cluster" in methods:
        ses["cluster"] = float(np.sqrt(_cluster_sum_sq(u, prep) / RX**2))
    akm0 = se0 = None
    if "akm" in methods or "akm0" in methods:
        hx = design.projection.coefficients(ddx)
        Wt = design.Wt
        cR = _sector_sum(hx * (Wt @ (w * e)), design)
        if "akm" in methods:
            ses["akm"] = float(np.sqrt(np.sum(cR**2) / RX**2))
        if "akm0" in methods:
            cR0 = _sector_sum(hx * (Wt @ (w * (ddy1 - beta0 * ddy2))), design)
            cW = _sector_sum(hx * (Wt @ (w * ddy2)), design)
            se0 = float(np.sqrt(np.sum(cR0**2) / RX**2))
            akm0 = _akm0_set(beta, RX, cR, cW, stats.norm.ppf(1 - alpha / 2))
    return ShiftShareResult(
        estimator="iv", outcome=names[0], regressor=names[1], instrument=names[2],
        estimate=beta, n=n, rank=prep.p, n_sectors=design.W.shape[1],
        dropped_sectors=design.dropped_sectors,
        n_sector_clusters=design.n_sector_clusters,
        n_region_clusters=prep.n_region_clusters, alpha=alpha, beta0=beta0,
        weights=weights_name, methods=_finish(beta, ses, akm0, se0, methods, beta0, alpha),
        first_stage=pi, model_id=model_id, controls=tuple(controls),
    )
