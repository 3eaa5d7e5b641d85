"""Covariance estimators of linear-model coefficients and their small-sample corrections.

All estimators are sandwiches ``V = c · B S B`` with bread ``B = (X'X)^-1`` of the
transformed, weight-scaled regressors (for 2SLS ``X`` is the projected ``X̂``), meat
``S`` and small-sample factor ``c``:

* ``homoskedastic``:  ``V = c · (e'e / n) · B`` (classical OLS).
* ``robust`` (White 1980, Eicker-Huber-White): ``S = Σ_i x_i x_i' e_i²``; with
  correction ``dof`` this is **HC1** (MacKinnon & White 1985), with ``none`` HC0.
* ``clustered`` (Liang & Zeger 1986; Arellano 1987): ``S = Σ_g s_g s_g'`` with
  ``s_g = Σ_{i∈g} x_i e_i``. Two-way (Cameron, Gelbach & Miller 2011):
  ``V = V_1 + V_2 - V_12`` with ``V_12`` clustered on the intersection.
* ``driscoll_kraay`` (Driscoll & Kraay 1998; Hoechle 2007): ``h_t = Σ_{i∈t} x_i e_i``,
  ``S = Γ_0 + Σ_{l=1}^{L} (1 - l/(L+1)) (Γ_l + Γ_l')``, ``Γ_l = Σ_t h_t h_{t-l}'``
  (Bartlett kernel, Newey & West 1987; lags are positions in the sorted observed
  periods; default bandwidth ``L = floor(4 (T/100)^(2/9))``).

Small-sample corrections ``c`` (``n`` observations, ``k`` coefficients, ``d`` the rank
of the absorbed fixed effects, ``G`` clusters):

* ``none``: ``c = 1`` (HC0, CR0).
* ``dof``: ``c = n / (n - k - d)``; for ``homoskedastic`` ``s² = e'e/(n-k-d)``; HC1.
* ``linearmodels``: linearmodels ``PanelOLS.fit(debiased=True)`` (its default):
  ``c = n / (n - k - d_lm)`` with ``d_lm`` the naive count ``Σ levels - (#effects-1)``,
  set to 0 for a clustered covariance when the model has a single effect nested in
  the clusters (``auto_df``). Two-way clusters: the same ``c`` for all three parts.
* ``cr1``: ``c = G/(G-1) · (n-1)/(n-k-d)`` (Stata ``regress, vce(cluster)``;
  linearmodels ``IV2SLS`` clustered ``debiased=True``; statsmodels
  ``cov_type='cluster'``); two-way: each part with its own ``G``
  (linearmodels ``group_debias=True`` with ``debiased=True``).
* ``cr1_nested``: the fixest / pyfixest default ``ssc(k_adj=True,
  k_fixef="nonnested", G_adj=True, G_df="min")`` (as Stata ``reghdfe``): like ``cr1``
  but ``d = Σ levels - (#effects-1) - Σ_{nested} levels + #nested`` where *nested*
  effects are those whose every level lies in one cluster of every cluster variable;
  two-way uses ``G = min(G_1, G_2)`` for all parts.
* ``cluster_only``: ``c = G/(G-1)``.

Inference uses Student t with ``min G - 1`` degrees of freedom for clustered
covariances and ``n - k - d`` otherwise (or the normal, if asked).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from i4districts.errors import EstimationError

from .ols import tdot

__all__ = [
    "DegreesOfFreedom",
    "CovarianceResult",
    "ALLOWED_CORRECTIONS",
    "cluster_scores",
    "n_groups",
    "bartlett_weights",
    "default_dk_bandwidth",
    "robust_meat",
    "compute_covariance",
]

ALLOWED_CORRECTIONS = {
    "homoskedastic": ("none", "dof", "linearmodels"),
    "robust": ("none", "dof", "linearmodels"),
    "clustered": ("none", "dof", "linearmodels", "cr1", "cr1_nested", "cluster_only"),
    "driscoll_kraay": ("none", "dof", "linearmodels"),
}


@dataclass(frozen=True)
class DegreesOfFreedom:
    """Counts entering the small-sample corrections."""

    nobs: int
    k: int
    df_fe: int
    fe_levels: tuple[int, ...] = ()
    fe_nested: tuple[bool, ...] = ()

    @property
    def df_fe_naive(self) -> int:
        """``Σ levels - (#effects - 1)``: the count of linearmodels and fixest."""
        if not self.fe_levels:
            return 0
        return sum(self.fe_levels) - (len(self.fe_levels) - 1)

    @property
    def df_resid(self) -> int:
        return self.nobs - self.k - self.df_fe


@dataclass(frozen=True)
class CovarianceResult:
    matrix: np.ndarray
    cov_type: str
    correction: str
    n_clusters: tuple[int, ...]
    df_inference: int
    bandwidth: float | None = None


def cluster_scores(scores: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Sum the rows of ``scores`` (n × k) within clusters ``codes`` → (G × k).

    Column-major ``scores`` are read without a copy (a row-major column is gathered first).
    """
    g = int(codes.max()) + 1
    out = np.empty((g, scores.shape[1]))
    for j in range(scores.shape[1]):
        out[:, j] = np.bincount(codes, weights=scores[:, j], minlength=g)
    return out


def n_groups(codes: np.ndarray) -> int:
    """Number of distinct values of an integer code array (``np.unique`` size, by a bincount when compact)."""
    c = np.asarray(codes)
    if c.size and c.dtype.kind in "iu":
        lo, hi = int(c.min()), int(c.max())
        if lo >= 0 and hi < max(4 * c.size, 1 << 16):
            return int(np.count_nonzero(np.bincount(c, minlength=hi + 1)))
    return int(np.unique(c).size)


def _scores(x: np.ndarray, resid: np.ndarray) -> np.ndarray:
    """``x_i e_i`` (n × k), column-major so that each column is summed in place by :func:`cluster_scores`."""
    out = np.empty(x.shape, order="F")
    for j in range(x.shape[1]):  # column by column: a broadcast into column-major order is 5 x slower
        np.multiply(x[:, j], resid, out=out[:, j])
    return out


def bartlett_weights(bandwidth: float) -> np.ndarray:
    """Bartlett kernel weights ``1 - l/(L+1)`` for lags ``l = 0..floor(L)``."""
    lag = int(np.floor(bandwidth))
    return 1.0 - np.arange(lag + 1) / (lag + 1)


def default_dk_bandwidth(n_periods: int) -> float:
    """Newey-West rule of thumb ``floor(4 (T/100)^(2/9))`` (as linearmodels)."""
    return float(np.floor(4 * (n_periods / 100) ** (2 / 9)))


def _scale(correction: str, dof: DegreesOfFreedom, g: int | None, single_nested: bool, nested_df: int) -> float:
    n, k = dof.nobs, dof.k
    if correction == "none":
        return 1.0
    if correction == "dof":
        return n / (n - k - dof.df_fe)
    if correction == "linearmodels":
        d = 0 if single_nested else dof.df_fe_naive
        return n / (n - k - d)
    if g is None:
        raise ValueError(f"correction {correction!r} needs clusters")
    if correction == "cluster_only":
        return g / (g - 1)
    if correction == "cr1":
        return g / (g - 1) * (n - 1) / (n - k - dof.df_fe)
    if correction == "cr1_nested":
        return g / (g - 1) * (n - 1) / (n - k - nested_df)
    raise ValueError(f"unknown small-sample correction {correction!r}")


def robust_meat(
    scores: np.ndarray,
    *,
    cov_type: str,
    correction: str,
    dof: DegreesOfFreedom,
    clusters: list[np.ndarray] | None = None,
    time_codes: np.ndarray | None = None,
    bandwidth: float | None = None,
) -> tuple[np.ndarray, tuple[int, ...], int, float | None]:
    """Scaled meat ``c · S`` of a robust sandwich from the scores ``x_i e_i`` (n × m).

    Returns (meat, cluster counts, degrees of freedom for inference, bandwidth used).
    """
    if correction not in ALLOWED_CORRECTIONS[cov_type]:
        raise ValueError(
            f"cov/correction {correction!r} is not available for cov/type {cov_type!r}; "
            f"choose one of {list(ALLOWED_CORRECTIONS[cov_type])}"
        )
    if dof.nobs - dof.k - dof.df_fe <= 0:
        raise EstimationError(
            f"no residual degrees of freedom: {dof.nobs} observations, {dof.k} coefficients, "
            f"{dof.df_fe} absorbed fixed effects"
        )
    df_resid = dof.df_resid
    if cov_type == "robust":
        return _scale(correction, dof, None, False, 0) * tdot(scores, scores), (), df_resid, None
    if cov_type == "driscoll_kraay":
        assert time_codes is not None
        h = cluster_scores(scores, time_codes)
        t = h.shape[0]
        bw = default_dk_bandwidth(t) if bandwidth is None else float(bandwidth)
        if bw >= t:
            raise ValueError(
                f"cov/bandwidth {bw:g} of the Driscoll-Kraay covariance must be below the "
                f"number of time periods, {t}"
            )
        w = bartlett_weights(bw)
        meat = h.T @ h
        for lag in range(1, len(w)):
            gam = h[lag:].T @ h[:-lag]
            meat += w[lag] * (gam + gam.T)
        return _scale(correction, dof, None, False, 0) * meat, (t,), df_resid, bw
    if cov_type != "clustered":
        raise ValueError(f"unknown cov/type {cov_type!r}")
    assert clusters
    counts = tuple(n_groups(c) for c in clusters)
    if min(counts) < 2:
        raise EstimationError(f"a clustered covariance needs at least two clusters, got {counts}")
    nested = [i for i, flag in enumerate(dof.fe_nested) if flag]
    single_nested = len(dof.fe_levels) == 1 and bool(nested)
    nested_df = dof.df_fe_naive - sum(dof.fe_levels[i] for i in nested) + len(nested)
    if len(clusters) == 1:
        parts = [(clusters[0], 1.0, counts[0])]
    else:
        c0, c1 = clusters
        inter = np.unique(np.stack([c0, c1], axis=1), axis=0, return_inverse=True)[1].ravel()
        parts = [(c0, 1.0, counts[0]), (c1, 1.0, counts[1]), (inter, -1.0, int(inter.max()) + 1)]
    gmin = min(counts)
    meat = np.zeros((scores.shape[1], scores.shape[1]))
    for codes, sign, g in parts:
        sg = cluster_scores(scores, codes)
        g_use = gmin if correction == "cr1_nested" else g
        meat += sign * _scale(correction, dof, g_use, single_nested, nested_df) * (sg.T @ sg)
    return meat, counts, gmin - 1, None


def compute_covariance(
    x: np.ndarray,
    resid: np.ndarray,
    bread: np.ndarray,
    *,
    cov_type: str,
    correction: str,
    dof: DegreesOfFreedom,
    clusters: list[np.ndarray] | None = None,
    time_codes: np.ndarray | None = None,
    bandwidth: float | None = None,
) -> CovarianceResult:
    """Covariance of the coefficients (see module docstring for the formulas).

    ``x`` and ``resid`` are the transformed, ``sqrt(w)``-scaled regressors and residuals;
    ``clusters`` are integer codes (one or two arrays); ``time_codes`` are codes sorted
    like the periods (for Driscoll-Kraay).
    """
    if cov_type == "homoskedastic":
        if correction not in ALLOWED_CORRECTIONS[cov_type]:
            raise ValueError(
                f"cov/correction {correction!r} is not available for cov/type {cov_type!r}; "
                f"choose one of {list(ALLOWED_CORRECTIONS[cov_type])}"
            )
        if dof.df_resid <= 0:
            raise EstimationError(
                f"no residual degrees of freedom: {dof.nobs} observations, {dof.k} coefficients, "
                f"{dof.df_fe} absorbed fixed effects"
            )
        s2 = float(np.einsum("i,i->", resid, resid)) / dof.nobs * _scale(correction, dof, None, False, 0)
        mat = s2 * bread
        return CovarianceResult((mat + mat.T) / 2, cov_type, correction, (), dof.df_resid)
    meat, counts, df_inf, bw = robust_meat(
        _scores(x, resid), cov_type=cov_type, correction=correction, dof=dof,
        clusters=clusters, time_codes=time_codes, bandwidth=bandwidth,
    )
    mat = bread @ meat @ bread
    return CovarianceResult((mat + mat.T) / 2, cov_type, correction, counts, df_inf, bw)
