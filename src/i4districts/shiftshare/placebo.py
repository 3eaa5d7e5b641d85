"""Placebo shift-share regressions (Adão, Kolesár and Morales 2019, Section II).

``R`` random shift vectors ``g_r`` (i.i.d. normal, optionally correlated within
sector clusters) give placebo exposures ``X_r = S g_r`` with the SAME share
matrix ``S``, weights and controls; the REAL outcome is regressed on each of them.
The true effect of a placebo is zero, so a method whose rejection rate at level
``alpha`` is far above ``alpha`` over-rejects in this design (AKM's finding for
region-clustered/EHW errors when regions with similar shares have correlated
residuals).

Everything is projected once and the ``R`` draws are processed as matrices
(``G`` is K x R), with ``Ω = diag(w)`` and a tilde the weighted residual on the
controls ``Z``:

* ``S̃`` (N x K), ``b = S̃'Ωỹ``, ``Q = S̃'ΩS̃``, ``a = S'Ωỹ``, ``M = S'ΩS̃``,
  ``H = (S'ΩS)^{-1} S'ΩS̃`` (collinear sectors dropped as in :mod:`.akm`);
* per draw: ``β_r = (G'b)_r / RX_r`` with ``RX_r = (G'QG)_rr``; residual sum of
  squares ``ỹ'Ωỹ - β_r (G'b)_r``; EHW and region-cluster use
  ``u = w e_r ddx_r`` with ``ddx = S̃ G`` (N x R, in column chunks);
* AKM: ``hXs = H G``, ``R_s = a - (M G) β_r``, ``c_s = hXs_s R_s`` summed within
  sector clusters, ``SE = sqrt(Σ c²) / RX``; AKM0's null-imposed SE uses
  ``a - β0 (M G)``.

These are exactly the formulas of :func:`i4districts.shiftshare.akm.reg_ss`
(same small-sample corrections, normal p-values); the tests refit draws with
``reg_ss`` and agree to 1e-10.

**Randomization inference** (method ``ri``, :mod:`.ri`): for each placebo draw
``g_r`` its own randomization p-value over permutations of ``g_r`` (the nested
check). All draws x permutations form ONE K x (m R) matrix ``G[π]`` of shift
vectors whose studentised t-statistics come from :func:`ols_t_statistics` (the same
EHW/cluster formulas, in column chunks). ``m`` is every permutation when
``K! <= ri_exact_max`` (default 720; 120 for the pipeline's 5 sectors), else the
identity plus ``ri_nested`` seeded random permutations (default: as many as keep
the work near ``_RI_BUDGET`` multiply-adds, between 19 and 99). A draw is rejected
by ``ri`` when ``p <= alpha`` (the exact level-α randomization test: with
exchangeable placebo shifts its rejection rate is at most α up to Monte Carlo
error); the analytic methods reject when ``p < alpha``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg as sla
import scipy.sparse as sp
from scipy import stats

from i4districts.shiftshare.akm import ShareDesign, _check_weights, _controls, _vector, share_design
from i4districts.shiftshare.design import control_matrix, sector_clusters, share_matrix
from i4districts.shiftshare.errors import ShiftShareInputError
from i4districts.shiftshare.linalg import GramProjection, weighted_projection
from i4districts.shiftshare.results import ALL_METHODS, METHODS, RI
from i4districts.shiftshare.spec import ShiftShareSpec

__all__ = ["PlaceboResult", "draw_placebo_shifts", "ols_t_statistics", "placebo", "placebo_shiftshare"]

TABLE = "shift-share placebo"
_CHUNK_CELLS = 4_000_000  # N x R cells per chunk of the EHW/cluster sums
_RI_BUDGET = 4e9  # multiply-adds (N K columns) of the nested randomization check
_RI_TIE = 1e-12


@dataclass(frozen=True)
class PlaceboResult:
    """Rejection rates of placebo shift-share regressions, by inference method.

    ``estimates`` (R,), ``std_error``/``p`` per method (arrays of length R),
    ``shifts`` the K x R placebo draws; ``rejection[m]`` the share of draws with
    ``p < alpha``; ``mc_se[m]`` its Monte Carlo standard error.
    """

    methods: tuple[str, ...]
    estimates: np.ndarray
    std_error: dict[str, np.ndarray]
    p: dict[str, np.ndarray]
    shifts: np.ndarray = field(repr=False)
    alpha: float = 0.05
    beta0: float = 0.0
    seed: int | None = None
    model_id: str | None = None

    @property
    def n_draws(self) -> int:
        return int(self.estimates.shape[0])

    ri_permutations: int | None = None
    ri_exact: bool | None = None
    ri_studentization: str | None = None

    @property
    def rejection(self) -> dict[str, float]:
        """Share of draws rejected at ``alpha``: ``p < alpha``; ``ri``: ``p <= alpha`` (exact test)."""
        return {m: float(np.mean(self.p[m] <= self.alpha + _RI_TIE) if m == RI
                         else np.mean(self.p[m] < self.alpha)) for m in self.methods}

    @property
    def mc_se(self) -> dict[str, float]:
        r = self.n_draws
        return {m: float(np.sqrt(v * (1 - v) / r)) for m, v in self.rejection.items()}

    def t(self, method: str) -> np.ndarray:
        """``(β - β0) / SE`` per draw (AKM0: with the null-imposed SE; ri: the studentisation's SE)."""
        return (self.estimates - self.beta0) / self.std_error[method]

    def table(self) -> pd.DataFrame:
        """One row per method: rejection rate, its MC standard error, mean SE, SD of estimates."""
        sd = float(np.std(self.estimates, ddof=1)) if self.n_draws > 1 else float("nan")
        rej, mc = self.rejection, self.mc_se
        return pd.DataFrame([
            {"model_id": self.model_id, "method": m, "rejection_rate": rej[m], "mc_se": mc[m],
             "alpha": self.alpha, "n_draws": self.n_draws,
             "mean_std_error": float(np.mean(self.std_error[m])), "sd_estimate": sd}
            for m in self.methods
        ])

    def summary(self) -> dict[str, Any]:
        out = {"model_id": self.model_id, "n_draws": self.n_draws, "alpha": self.alpha,
               "seed": self.seed, "rejection": self.rejection, "mc_se": self.mc_se}
        if RI in self.methods:
            out["ri"] = {"permutations_per_draw": self.ri_permutations, "exact": self.ri_exact,
                         "studentization": self.ri_studentization, "rule": "reject when p <= alpha"}
        return out



def _cluster_indicator(region_cluster, n: int) -> tuple[sp.csr_matrix, int]:
    """Sparse G x N indicator of the region clusters (for sums of scores by cluster) and G."""
    rc = np.asarray(region_cluster)
    if rc.shape != (n,):
        raise ShiftShareInputError(TABLE, "region_cluster", f"has shape {rc.shape}, expected ({n},)")
    _, codes = np.unique(rc, return_inverse=True)
    n_g = int(codes.max()) + 1
    if n_g < 2:
        raise ShiftShareInputError(TABLE, "region_cluster", "needs at least two clusters")
    return sp.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(n_g, n)), n_g

def draw_placebo_shifts(
    n_sectors: int,
    n_draws: int,
    *,
    seed: int | np.random.Generator | None = 0,
    scale: float = 1.0,
    sector_cluster: Sequence[object] | np.ndarray | None = None,
    cluster_corr: float = 0.0,
) -> np.ndarray:
    """K x R normal placebo shifts with standard deviation ``scale``.

    With ``sector_cluster`` and ``cluster_corr = ρ`` in [0, 1], shifts of sectors in
    the same cluster have correlation ρ: ``g_k = scale (sqrt(ρ) u_c(k) + sqrt(1-ρ) ε_k)``.
    """
    if not 0.0 <= cluster_corr <= 1.0:
        raise ShiftShareInputError(TABLE, "cluster_corr", "must be in [0, 1]", [cluster_corr])
    if n_draws < 1:
        raise ShiftShareInputError(TABLE, "n_draws", "must be at least 1", [n_draws])
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    G = rng.standard_normal((n_sectors, n_draws))
    if cluster_corr > 0:
        if sector_cluster is None:
            raise ShiftShareInputError(TABLE, "sector_cluster", "is required when cluster_corr > 0")
        _, codes = np.unique(np.asarray(sector_cluster), return_inverse=True)
        U = rng.standard_normal((int(codes.max()) + 1, n_draws))
        G = np.sqrt(cluster_corr) * U[codes] + np.sqrt(1 - cluster_corr) * G
    return scale * G


def _coef_matrix(design: ShareDesign, V: np.ndarray) -> np.ndarray:
    """``(S'ΩS)^{-1} S'Ω V`` column by column (K x m), aliased sectors 0 (as ``coefficients``)."""
    proj = design.projection
    if isinstance(proj, GramProjection):
        return sla.cho_solve(proj.chol, proj.at @ (proj.w[:, None] * V), check_finite=False)
    out = np.zeros((proj.keep.shape[0], V.shape[1]))
    if proj.keep.any():
        out[proj.keep] = sla.solve_triangular(proj.r, proj.q.T @ (proj.sqrt_w[:, None] * V),
                                              check_finite=False)
    return out


def placebo(
    y: np.ndarray,
    design: ShareDesign,
    Z: np.ndarray | None = None,
    *,
    weights: np.ndarray | None = None,
    region_cluster: Sequence[object] | None = None,
    n_draws: int = 500,
    seed: int | None = 0,
    shifts: np.ndarray | None = None,
    scale: float | str = 1.0,
    cluster_corr: float = 0.0,
    draws: np.ndarray | None = None,
    methods: Sequence[str] | str = ("homoskedastic", "ehw", "cluster", "akm", "akm0"),
    alpha: float = 0.05,
    beta0: float = 0.0,
    model_id: str | None = None,
    ri_studentization: str | None = None,
    ri_exact_max: int = 720,
    ri_nested: int | None = None,
) -> PlaceboResult:
    """Placebo regressions of the real outcome ``y`` on ``S g_r`` for ``n_draws`` random shifts.

    ``design`` is the share design of the model (:func:`~.akm.share_design`, with
    the same ``weights``); ``Z`` the controls with intercept (``None``: intercept
    only). ``scale="actual"`` draws with the standard deviation of ``shifts``
    (the real shifts; t-statistics and rejection rates do not depend on the
    scale). ``cluster_corr`` correlates draws within the design's sector clusters.
    ``draws`` (K x R) overrides the random draws. Methods as in ``reg_ss``
    (``cluster`` needs ``region_cluster``). ``"ri"`` adds each draw's own randomization
    p-value (module docstring), studentised by ``ri_studentization`` (default
    ``cluster`` when ``region_cluster`` is given, else ``ehw``).
    """
    ms = tuple(METHODS) if methods == "all" else tuple([methods] if isinstance(methods, str) else methods)
    unknown = [m for m in ms if m not in ALL_METHODS]
    if unknown:
        raise ShiftShareInputError(TABLE, "methods", f"unknown (allowed {list(ALL_METHODS)})", unknown)
    ms = tuple(m for m in ALL_METHODS if m in ms)
    S = design.W
    n, k = S.shape
    y = _vector(y, "outcome", n)
    w = np.ones(n) if weights is None else _check_weights(weights, n)
    if not np.array_equal(design.projection.sqrt_w, np.sqrt(w)):
        raise ShiftShareInputError(TABLE, "weights", "differ from those used to factorise the share design")
    if "cluster" in ms and region_cluster is None:
        raise ShiftShareInputError(TABLE, "region_cluster", "is required for method 'cluster'")
    # draws
    if draws is not None:
        G = np.asarray(draws, dtype=float)
        if G.ndim != 2 or G.shape[0] != k:
            raise ShiftShareInputError(TABLE, "draws", f"must be {k} x R, got shape {G.shape}")
    else:
        if isinstance(scale, str):
            if scale != "actual" or shifts is None:
                raise ShiftShareInputError(TABLE, "scale", "must be a number, or 'actual' with shifts",
                                           [scale])
            sc = float(np.std(_vector(shifts, "shifts", k), ddof=1))
        else:
            sc = float(scale)
        clusters = None
        if cluster_corr > 0:
            if design.sector_cluster is None:
                raise ShiftShareInputError(TABLE, "sector_cluster",
                                           "the design has no sector clusters for cluster_corr > 0")
            clusters = design.sector_cluster
        G = draw_placebo_shifts(k, n_draws, seed=seed, scale=sc, sector_cluster=clusters,
                                cluster_corr=cluster_corr)
    # project once
    zproj = weighted_projection(_controls(Z, n), w)
    p_rank = zproj.rank + 1
    yt = zproj.residuals(y)
    St = zproj.residuals(S)
    wS = w[:, None] * St
    b = wS.T @ yt                       # S̃'Ωỹ
    Q = St.T @ wS                       # S̃'ΩS̃
    num = G.T @ b
    RX = np.einsum("kr,kr->r", G, Q @ G)
    if (RX <= 0).any():
        raise ShiftShareInputError(TABLE, "draws", "give placebo exposures collinear with the controls",
                                   np.flatnonzero(RX <= 0)[:5].tolist())
    beta = num / RX
    ses: dict[str, np.ndarray] = {}
    pv: dict[str, np.ndarray] = {}
    if "homoskedastic" in ms:
        ssr = float(np.sum(w * yt**2)) - beta * num
        ses["homoskedastic"] = np.sqrt(np.maximum(ssr, 0) / (n - p_rank) / RX)
    if "ehw" in ms or "cluster" in ms:
        sum_u2 = np.empty(G.shape[1])
        sum_c2 = np.empty(G.shape[1])
        if "cluster" in ms:
            ind, n_g = _cluster_indicator(region_cluster, n)
        step = max(1, _CHUNK_CELLS // max(n, 1))
        for j0 in range(0, G.shape[1], step):
            sl = slice(j0, j0 + step)
            ddx = St @ G[:, sl]
            u = w[:, None] * (yt[:, None] - ddx * beta[sl]) * ddx
            if "ehw" in ms:
                sum_u2[sl] = np.einsum("ir,ir->r", u, u)
            if "cluster" in ms:
                cu = ind @ u
                sum_c2[sl] = np.einsum("gr,gr->r", cu, cu)
        if "ehw" in ms:
            ses["ehw"] = np.sqrt(n / (n - p_rank) * sum_u2) / RX
        if "cluster" in ms:
            ses["cluster"] = np.sqrt(n_g / (n_g - 1) * (n - 1) / (n - p_rank) * sum_c2) / RX
    if "akm" in ms or "akm0" in ms:
        H = _coef_matrix(design, St)    # (S'ΩS)^{-1} S'Ω S̃
        hx = H @ G
        a = design.Wt @ (w * yt)        # S'Ωỹ
        MG = (design.Wt @ wS) @ G       # S'ΩS̃ G
        if design.sector_cluster is not None:
            kc = int(design.sector_cluster.max()) + 1
            agg = sp.csr_matrix((np.ones(k), (design.sector_cluster, np.arange(k))), shape=(kc, k))
        else:
            agg = None

        def _se(resid_sums: np.ndarray) -> np.ndarray:
            c = hx * resid_sums
            if agg is not None:
                c = agg @ c
            return np.sqrt(np.einsum("kr,kr->r", c, c)) / RX

        if "akm" in ms:
            ses["akm"] = _se(a[:, None] - MG * beta)
        if "akm0" in ms:
            ses["akm0"] = _se(a[:, None] - beta0 * MG)
    for m in ms:
        if m == RI:
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            pv[m] = 2 * stats.norm.sf(np.abs(beta - beta0) / ses[m])
    ri_info: dict[str, Any] = {}
    if RI in ms:
        stud = ri_studentization or ("cluster" if region_cluster is not None else "ehw")
        ses[RI], pv[RI], ri_info = _nested_ri(y, design, Z, G, w=w, weights=weights,
                                              region_cluster=region_cluster, studentization=stud,
                                              exact_max=ri_exact_max, nested=ri_nested, seed=seed)
    return PlaceboResult(methods=ms, estimates=beta, std_error=ses, p=pv, shifts=G, alpha=alpha,
                         beta0=beta0, seed=seed if draws is None else None, model_id=model_id, **ri_info)


def _nested_ri(y, design, Z, G, *, w, weights, region_cluster, studentization, exact_max, nested, seed):
    """Each draw's randomization p-value over permutations of its own shifts (one matrix product)."""
    from i4districts.shiftshare.ri import randomization_p, shift_permutations

    labels = list(design.sectors)
    n, c = design.W.shape
    r = G.shape[1]
    if nested is None:
        nested = int(min(99, max(19, _RI_BUDGET // max(1.0, float(r) * n * c))))
    rng_seed = None if seed is None else int(seed) + 1
    cp, exact, _ = shift_permutations(labels, draws=nested, seed=rng_seed, exact_max=exact_max)  # m x C
    m = cp.shape[0]
    Gall = G[cp.T].reshape(c, m * r)              # column j*r + i: permutation j of draw i
    t, se = ols_t_statistics(y, design, Z, Gall, weights=weights, region_cluster=region_cluster,
                             studentization=studentization, return_se=True)
    p = randomization_p(t.reshape(m, r))
    return se[:r], p, {"ri_permutations": m, "ri_exact": exact, "ri_studentization": studentization}


def ols_t_statistics(
    y: np.ndarray,
    design: ShareDesign,
    Z: np.ndarray | None,
    G: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    region_cluster: Sequence[object] | None = None,
    studentization: str = "ehw",
    return_se: bool = False,
):
    """t-statistics ``β_j / SE_j`` of ``y`` on ``S G[:, j]`` for every column of ``G`` (K x m).

    ``SE`` is EHW (HC1) or region-clustered (CR1), exactly as in
    :func:`~i4districts.shiftshare.akm.reg_ss`; the work is matrix products in column chunks.
    """
    if studentization not in ("ehw", "cluster"):
        raise ShiftShareInputError(TABLE, "ri_studentization", "must be 'ehw' or 'cluster'", [studentization])
    S = design.W
    n, k = S.shape
    y = _vector(y, "outcome", n)
    G = np.asarray(G, dtype=float)
    if G.ndim != 2 or G.shape[0] != k:
        raise ShiftShareInputError(TABLE, "draws", f"must be {k} x R, got shape {G.shape}")
    w = np.ones(n) if weights is None else _check_weights(weights, n)
    zproj = weighted_projection(_controls(Z, n), w)
    p_rank = zproj.rank + 1
    yt = zproj.residuals(y)
    St = zproj.residuals(S)
    b = St.T @ (w * yt)
    Q = St.T @ (w[:, None] * St)
    num = G.T @ b
    RX = np.einsum("kr,kr->r", G, Q @ G)
    if (RX <= 1e-14 * np.max(np.abs(RX), initial=0.0)).any():
        raise ShiftShareInputError(TABLE, "shifts", "give permuted exposures collinear with the controls",
                                   np.flatnonzero(RX <= 0)[:5].tolist())
    beta = num / RX
    if studentization == "cluster":
        if region_cluster is None:
            raise ShiftShareInputError(TABLE, "region_cluster", "is required for the cluster studentisation")
        ind, n_g = _cluster_indicator(region_cluster, n)
    ss = np.empty(G.shape[1])
    step = max(1, _CHUNK_CELLS // max(n, 1))
    for j0 in range(0, G.shape[1], step):
        sl = slice(j0, j0 + step)
        ddx = St @ G[:, sl]
        u = w[:, None] * (yt[:, None] - ddx * beta[sl]) * ddx
        if studentization == "cluster":
            u = ind @ u
        ss[sl] = np.einsum("ir,ir->r", u, u)
    if studentization == "cluster":
        se = np.sqrt(n_g / (n_g - 1) * (n - 1) / (n - p_rank) * ss) / RX
    else:
        se = np.sqrt(n / (n - p_rank) * ss) / RX
    t = beta / se
    return (t, se) if return_se else t


def placebo_shiftshare(
    regions: pd.DataFrame,
    shares: pd.DataFrame,
    spec: ShiftShareSpec,
    *,
    sector_table: pd.DataFrame | None = None,
    n_draws: int = 500,
    seed: int | None = 0,
    shifts: np.ndarray | None = None,
    scale: float | str = 1.0,
    cluster_corr: float = 0.0,
    methods: Sequence[str] | None = None,
) -> PlaceboResult:
    """Placebo of a model spec: the spec's outcome on placebo exposures built from its shares.

    Same controls, weights, region and sector clusters as ``spec`` (the inputs of
    :func:`~.design.fit_shiftshare`); methods default to the spec's.
    """
    from i4districts.shiftshare.design import model_design

    needed = [c for c in (spec.outcome, spec.weights, spec.region_cluster, spec.period, spec.share_scale,
                          *spec.controls, "row") if c is not None]
    missing = [c for c in needed if c not in regions.columns]
    if missing:
        raise ShiftShareInputError("regions table", missing[0], "is missing", missing)
    # the fit's design without needing the regressor columns
    md = model_design(regions, shares, replace(spec, regressor=spec.outcome, endogenous=None, instrument=None),
                      sector_table)
    return placebo(regions[spec.outcome].to_numpy(dtype=float), md.design, md.Z, weights=md.weights,
                   region_cluster=md.region_cluster, n_draws=n_draws, seed=seed, shifts=shifts, scale=scale,
                   cluster_corr=cluster_corr, methods=spec.methods if methods is None else methods,
                   alpha=spec.alpha, beta0=spec.beta0, model_id=spec.model_id,
                   ri_studentization=spec.studentization)
