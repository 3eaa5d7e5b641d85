"""Wild cluster bootstrap (WCR: null imposed) for one coefficient of a within or pooled OLS model.

Two engines give the same test (Cameron, Gelbach and Miller 2008; Roodman, MacKinnon,
Nielsen and Webb 2019, "Fast and wild"):

* ``"wildboottest"``: the maintained package ``wildboottest`` (Fischer, WCR11 with
  CRV1; PyPI), run on the data below;
* ``"numpy"``: this module's own implementation (:func:`wcr_test`).

The data of the bootstrap are those of the engine's fit (:func:`bootstrap_data`):
the model's sample (filters, missing values and singletons dropped as in
:func:`i4districts.estimation.fit`), the fixed effects absorbed from the outcome
and the regressors (Frisch-Waugh-Lovell) and every row scaled by ``sqrt(weight)``
for weighted models, so the OLS of ``y`` on ``X`` reproduces the model's
coefficients (checked).

WCR for ``H0: β_j = β0`` (Rademacher or Webb weights ``v_g``, one per cluster):

* restricted fit: ``y - β0 x_j`` on the other regressors, residuals ``ũ``;
* with ``A = (X'X)^{-1}``, ``q = (A X')_j`` (so ``β̂_j = q'y``),
  ``c_g = Σ_{i∈g} q_i ũ_i``, ``P_h = X_h' q_h`` and ``F_g = A X_g' ũ_g``:
  the bootstrap estimate is ``β*_j - β0 = Σ_g v_g c_g`` and its cluster scores
  ``s*_h = v_h c_h - Σ_g D_hg v_g`` with ``D = P'F`` (G x G), so every draw is a
  matrix-vector product (no refit);
* ``t* = (β*_j - β0) / sqrt(Σ_h s*_h²)`` and ``t = (β̂_j - β0) / sqrt(Σ_h ŝ_h²)``
  with the unrestricted residuals; the CRV1 factor ``G/(G-1) (N-1)/(N-k)`` multiplies
  both and cancels in the p-value, which is the symmetric
  ``mean(|t*| > |t|)`` (ties within 1e-9 relative, such as the draws ``v = ±1`` of a
  full enumeration, which reproduce ``t``, do not count; ``wildboottest`` counts them
  as rounding falls, so its enumerated p-values can exceed ours by ``2 / 2^G``);
* with Rademacher weights and ``2^G < B`` all ``2^G`` sign vectors are enumerated
  (exact; as ``wildboottest`` does);
* confidence interval: the set of ``β0`` not rejected at ``alpha``, found by
  bisection on each side with the same draws for every ``β0`` (test inversion).

With fixed effects that are not nested in the clusters (e.g. year effects with
region clusters) the bootstrap runs on the FE-residualised data, as
``wildboottest``/``fwildclusterboot`` do when effects are projected out.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from i4districts.errors import EstimationError, SpecError

__all__ = [
    "BootstrapData",
    "WildBootstrapResult",
    "bootstrap_data",
    "wcr_test",
    "wild_cluster_bootstrap",
    "wildboottest_available",
]

WEIGHT_TYPES = ("rademacher", "webb")
_WEBB = np.concatenate([-np.sqrt(np.array([3.0, 2.0, 1.0]) / 2), np.sqrt(np.array([1.0, 2.0, 3.0]) / 2)])


@dataclass(frozen=True)
class BootstrapData:
    """FE-residualised, weight-scaled data of a fitted model: ``y``, ``X`` (columns ``names``), clusters."""

    y: np.ndarray
    X: np.ndarray
    names: tuple[str, ...]
    cluster: np.ndarray  # integer codes 0..G-1
    cluster_name: str
    params: np.ndarray  # OLS of y on X (equal to the model's estimates)

    @property
    def n_clusters(self) -> int:
        return int(self.cluster.max()) + 1


@dataclass(frozen=True)
class WildBootstrapResult:
    """WCR test of one coefficient: t, bootstrap p-value and test-inversion interval."""

    model_id: str | None
    param: str
    estimate: float
    beta0: float
    t_stat: float
    p_value: float
    ci_low: float | None
    ci_high: float | None
    alpha: float
    B: int
    weights_type: str
    full_enumeration: bool
    n_clusters: int
    cluster: str
    engine: str
    seed: int | None
    bootstrap: str = "WCR11 (null imposed, CRV1)"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def wildboottest_available() -> bool:
    try:
        import wildboottest  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        return False
    return True


# ------------------------------------------------------------------ data
def bootstrap_data(result: Any, cluster: str | None = None) -> BootstrapData:
    """The data a WCR bootstrap of ``result`` (an :class:`EstimationResult`) runs on.

    ``cluster``: the bootstrap cluster column (default: the model's one cluster
    dimension). Only within and pooled OLS models (no instruments) are supported.
    """
    from .demean import Demeaner, factorize_effects, find_singletons
    from .design import prepare
    from .spec import ModelSpec

    mid = getattr(result, "model_id", None)
    data = getattr(result, "_data", None)
    if data is None:
        raise SpecError(f"model '{mid}': the wild bootstrap needs the estimation data; this result was read "
                        "back or built without it: re-fit it with i4districts.feols or estimation.fit")
    spec = ModelSpec.from_dict(dict(result.spec), source=f"model '{mid}'")
    est = spec.resolved_estimator
    if est not in ("within", "pooled"):
        raise SpecError(f"model '{mid}'", "estimator", "is not supported by the wild cluster bootstrap "
                        "(within and pooled OLS only)", [est])
    if spec.endogenous:
        raise SpecError(f"model '{mid}'", "endogenous", "IV models are not supported by the wild cluster "
                        "bootstrap", list(spec.endogenous))
    if cluster is None:
        if len(spec.cluster) != 1:
            raise SpecError(f"model '{mid}'", "cluster", "give one bootstrap cluster column (the model has "
                            f"{len(spec.cluster)} cluster dimensions)", list(spec.cluster))
        cluster = spec.cluster[0]
    prep = prepare(data, spec)
    frame = prep.frame
    if cluster not in frame.columns:
        raise SpecError(f"model '{mid}'", "cluster", "is not a column of the estimation data", [cluster])
    effects = spec.resolved_effects
    fe = factorize_effects(frame, effects) if effects else None
    if fe is not None and spec.drop_singletons:
        single = find_singletons(fe.codes)
        if single.any():
            frame = frame.loc[~single].reset_index(drop=True)
            fe = fe.subset(~single)
    names = list(prep.exog_terms)
    constant = (not effects) if spec.constant is None else spec.constant
    cols = [spec.outcome, *names]
    raw = frame[cols].to_numpy(dtype=float)
    if constant:
        raw = np.column_stack([raw[:, :1], np.ones(len(frame)), raw[:, 1:]])
        names = ["const", *names]
    w = frame[spec.weights].to_numpy(dtype=float) if spec.weights else None
    if fe is not None:
        raw = Demeaner(fe, w, method=spec.demean_method, tol=spec.demean_tol,
                       max_iter=spec.demean_max_iter)(raw)
    if w is not None:
        raw = raw * np.sqrt(w)[:, None]
    y, X = np.ascontiguousarray(raw[:, 0]), np.ascontiguousarray(raw[:, 1:])
    codes = pd.factorize(frame[cluster], sort=True)[0].astype(np.int64)
    if (codes < 0).any():
        raise SpecError(f"model '{mid}'", "cluster", "has missing values in the estimation sample", [cluster])
    params = np.linalg.lstsq(X, y, rcond=None)[0]
    ref = np.array([float(result.params[n]) for n in names])
    if not np.allclose(params, ref, rtol=1e-6, atol=1e-9 * max(1.0, float(np.abs(ref).max()))):
        raise EstimationError(f"model '{mid}': the bootstrap data do not reproduce the estimates "
                              f"({params.tolist()} vs {ref.tolist()})")
    return BootstrapData(y=y, X=X, names=tuple(names), cluster=codes, cluster_name=cluster, params=params)


# ---------------------------------------------------------------- numpy WCR
def draw_weights(n_clusters: int, B: int, weights_type: str, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """G x B bootstrap weights; all 2^G sign vectors for Rademacher when ``2^G < B``."""
    if weights_type not in WEIGHT_TYPES:
        raise SpecError("wild bootstrap", "weights_type", f"must be one of {list(WEIGHT_TYPES)}", [weights_type])
    if weights_type == "rademacher" and 2.0**n_clusters < B:
        v = np.array(list(itertools.product([-1.0, 1.0], repeat=n_clusters))).T
        return v, True
    if weights_type == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=(n_clusters, B)), False
    return rng.choice(_WEBB, size=(n_clusters, B)), False


class _WCR:
    """Pieces of the WCR test that do not depend on ``β0`` or the draws."""

    def __init__(self, y: np.ndarray, X: np.ndarray, cluster: np.ndarray, j: int):
        n, k = X.shape
        self.y, self.X, self.cluster, self.j = y, X, cluster, j
        self.G = int(cluster.max()) + 1
        A = np.linalg.inv(X.T @ X)
        self.A = A
        self.q = (A @ X.T)[j]                        # β̂_j = q'y
        self.beta = float(self.q @ y)
        e = y - X @ (A @ (X.T @ y))
        self.se_core = float(np.sqrt(np.sum(np.bincount(cluster, weights=self.q * e, minlength=self.G) ** 2)))
        self.others = np.delete(np.arange(k), j)
        X1 = X[:, self.others]
        self.X1pinv = np.linalg.pinv(X1) if X1.shape[1] else np.zeros((0, n))
        self.X1 = X1
        # P_h = X_h' q_h (k x G)
        ind = sp.csr_array((np.ones(n), (cluster, np.arange(n))), shape=(self.G, n))
        self.ind = ind
        self.P = np.asarray((ind @ (X * self.q[:, None])).T)
        self.ssc = self.G / (self.G - 1) * (n - 1) / (n - k)

    def t_stat(self, beta0: float) -> float:
        return (self.beta - beta0) / self.se_core / np.sqrt(self.ssc)

    def t_boot(self, beta0: float, v: np.ndarray) -> np.ndarray:
        y0 = self.y - beta0 * self.X[:, self.j]
        u = y0 - self.X1 @ (self.X1pinv @ y0) if self.X1.shape[1] else y0
        c = self.ind @ (self.q * u)                  # c_g
        F = self.A @ np.asarray(self.ind @ (self.X * u[:, None])).T  # k x G: A X_g' ũ_g
        D = self.P.T @ F                             # G x G
        num = c @ v
        S = c[:, None] * v - D @ v
        return num / np.sqrt(self.ssc * np.einsum("gb,gb->b", S, S))

    def p_value(self, beta0: float, v: np.ndarray) -> float:
        return _p(self.t_boot(beta0, v), self.t_stat(beta0))


def _p(t_boot: np.ndarray, t: float) -> float:
    """Symmetric p-value ``mean(|t*| > |t|)``; ties within 1e-9 relative (the draws ``±1`` of a full
    enumeration reproduce ``t`` exactly) do not count, whatever the rounding."""
    return float(np.mean(np.abs(t_boot) > abs(t) * (1 + 1e-9)))


def wcr_test(
    y: np.ndarray,
    X: np.ndarray,
    cluster: np.ndarray,
    j: int,
    *,
    beta0: float = 0.0,
    B: int = 9999,
    weights_type: str = "rademacher",
    seed: int | None = None,
    draws: np.ndarray | None = None,
) -> dict[str, Any]:
    """Numpy WCR test of ``β_j = β0`` in the OLS of ``y`` on ``X`` with cluster codes ``cluster``.

    Returns ``{"t": t, "p": p, "t_boot": t*, "full_enumeration": bool, "B": draws}``.
    ``draws`` (G x B) overrides the random weights.
    """
    cl = pd.factorize(np.asarray(cluster), sort=True)[0].astype(np.int64)
    core = _WCR(np.asarray(y, float), np.asarray(X, float), cl, j)
    if draws is None:
        v, full = draw_weights(core.G, B, weights_type, np.random.default_rng(seed))
    else:
        v, full = np.asarray(draws, float), False
    tb = core.t_boot(beta0, v)
    t = core.t_stat(beta0)
    return {"t": float(t), "p": _p(tb, t), "t_boot": tb,
            "full_enumeration": full, "B": int(v.shape[1])}


# ---------------------------------------------------------- wildboottest
def _wildboottest_p(y, X, cluster, j, beta0, B, weights_type, seed) -> tuple[float, float, bool, int]:
    from wildboottest.wildboottest import WildboottestCL

    R = np.zeros(X.shape[1])
    R[j] = 1.0
    boot = WildboottestCL(X=X, Y=y - beta0 * X[:, j], cluster=cluster, R=R, B=B, seed=seed, parallel=False)
    boot.get_scores(bootstrap_type="11", impose_null=True)
    _, b_used, full = boot.get_weights(weights_type=weights_type)
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    boot.get_vcov()
    boot.get_tstat()
    boot.get_pvalue(pval_type="two-tailed")
    return float(boot.pvalue), float(np.ravel(boot.t_stat)[0]), bool(full), int(b_used)


# ----------------------------------------------------------------- public
def _invert(pfun, beta: float, se: float, alpha: float, tol: float) -> tuple[float | None, float | None]:
    """Bounds of ``{β0 : p(β0) >= alpha}`` around ``beta`` by bracketing and bisection."""
    if not np.isfinite(se) or se <= 0:
        return None, None
    bounds = []
    for sign in (-1.0, 1.0):
        inner, step = beta, 2.0 * se
        outer = beta + sign * step
        n = 0
        while pfun(outer) >= alpha:
            inner, step = outer, step * 2
            outer = beta + sign * step
            n += 1
            if n > 30:
                return None, None  # unbounded set
        while abs(outer - inner) > tol * se:
            mid = 0.5 * (inner + outer)
            if pfun(mid) >= alpha:
                inner = mid
            else:
                outer = mid
        bounds.append(0.5 * (inner + outer))
    return bounds[0], bounds[1]


def wild_cluster_bootstrap(
    result: Any,
    param: str,
    *,
    cluster: str | None = None,
    B: int = 9999,
    weights_type: str = "rademacher",
    beta0: float = 0.0,
    alpha: float | None = None,
    seed: int | None = 0,
    ci: bool = True,
    ci_tol: float = 1e-4,
    engine: str = "auto",
) -> WildBootstrapResult:
    """WCR p-value and (test-inversion) confidence interval of coefficient ``param`` of ``result``.

    ``result`` is a within or pooled OLS :class:`~i4districts.estimation.EstimationResult`
    (it keeps its data). ``engine``: ``"wildboottest"`` (the PyPI package),
    ``"numpy"`` (:func:`wcr_test`) or ``"auto"`` (wildboottest when installed).
    ``alpha`` defaults to the model's. The same ``seed`` (same draws) is used for
    every ``β0`` of the interval.
    """
    if engine == "auto":
        engine = "wildboottest" if wildboottest_available() else "numpy"
    if engine not in ("wildboottest", "numpy"):
        raise SpecError("wild bootstrap", "engine", "must be 'auto', 'wildboottest' or 'numpy'", [engine])
    if weights_type not in WEIGHT_TYPES:
        raise SpecError("wild bootstrap", "weights_type", f"must be one of {list(WEIGHT_TYPES)}", [weights_type])
    if B < 1:
        raise SpecError("wild bootstrap", "B", "must be positive", [B])
    data = bootstrap_data(result, cluster)
    if param not in data.names:
        raise SpecError(f"model '{result.model_id}'", "param", "is not a coefficient of the model",
                        [param, *data.names])
    if data.n_clusters < 2:
        raise EstimationError(f"model '{result.model_id}': the wild cluster bootstrap needs at least two clusters")
    j = data.names.index(param)
    alpha = float(result.spec.get("alpha", 0.05)) if alpha is None else float(alpha)
    core = _WCR(data.y, data.X, data.cluster, j)
    if engine == "numpy":
        v, full = draw_weights(core.G, B, weights_type, np.random.default_rng(seed))
        b_used = int(v.shape[1])

        def pfun(b0: float) -> float:
            return core.p_value(b0, v)
        p = pfun(beta0)
        t = core.t_stat(beta0)
    else:
        wseed = 0 if seed is None else seed

        def pfun(b0: float) -> float:
            return _wildboottest_p(data.y, data.X, data.cluster, j, b0, B, weights_type, wseed)[0]
        p, t, full, b_used = _wildboottest_p(data.y, data.X, data.cluster, j, beta0, B, weights_type, wseed)
    lo = hi = None
    if ci:
        se = core.se_core * np.sqrt(core.ssc)
        lo, hi = _invert(pfun, core.beta, se, alpha, ci_tol)
    return WildBootstrapResult(
        model_id=getattr(result, "model_id", None), param=param, estimate=core.beta, beta0=beta0,
        t_stat=float(t), p_value=float(p), ci_low=lo, ci_high=hi, alpha=alpha, B=b_used,
        weights_type=weights_type, full_enumeration=bool(full), n_clusters=core.G,
        cluster=data.cluster_name, engine=engine, seed=seed,
    )
