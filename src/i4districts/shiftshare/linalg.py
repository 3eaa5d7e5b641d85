"""Weighted least-squares building blocks (numpy/scipy QR), R-compatible.

* **weighted residualisation**: ``ddV = V - Z (Z'ΩZ)^{-1} Z'ΩV`` with
  ``Ω = diag(w)``, computed from a QR factorisation of ``sqrt(w) Z``.
* **collinear-column rule** (R's ``lm.fit``/LINPACK ``dqrdc2``, tolerance
  ``1e-7``): scanning columns left to right, column ``j`` is aliased (dropped)
  when ``|R_jj| < tol * ||A_j||``, i.e. when its residual norm after projecting
  on the preceding columns is below ``tol`` times its own norm. All-zero
  columns are always dropped. This is the rule ShiftShareSE applies to the
  share matrix (drop collinear sectors; point estimates are unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

R_LM_TOL = 1e-7


def aliased_columns(a: np.ndarray, tol: float = R_LM_TOL) -> np.ndarray:
    """Boolean mask of columns of ``a`` that are collinear with earlier ones.

    collinear-column rule: ``|R_jj| < tol * ||a_j||`` (R ``dqrdc2``), plus
    all-zero columns.
    """
    if a.shape[1] == 0:
        return np.zeros(0, dtype=bool)
    norms = np.linalg.norm(a, axis=0)
    r = sla.qr(a, mode="r", check_finite=False)[0]
    k = min(a.shape)
    diag = np.zeros(a.shape[1])
    diag[:k] = np.abs(np.diag(r[:k, :k]))
    # columns beyond the number of rows are necessarily dependent
    return (norms == 0) | (diag < tol * norms) | (np.arange(a.shape[1]) >= k)


@dataclass(frozen=True)
class WeightedProjection:
    """QR factorisation of ``sqrt(w) A`` over its non-aliased columns.

    ``keep`` marks the retained columns of ``A``; ``q`` (n x k) spans them.
    """

    sqrt_w: np.ndarray
    keep: np.ndarray
    q: np.ndarray
    r: np.ndarray

    @property
    def rank(self) -> int:
        return int(self.keep.sum())

    def residuals(self, v: np.ndarray) -> np.ndarray:
        """Weighted least-squares residuals of ``v`` (n or n x m) on ``A``,
        on the original (unweighted) scale, as R's ``lm.wfit``."""
        vs = v * (self.sqrt_w if v.ndim == 1 else self.sqrt_w[:, None])
        res = vs - self.q @ (self.q.T @ vs)
        return res / (self.sqrt_w if v.ndim == 1 else self.sqrt_w[:, None])

    def coefficients(self, v: np.ndarray) -> np.ndarray:
        """Weighted least-squares coefficients of ``v`` (length n) on ``A``;
        aliased columns get coefficient 0 (R reports NA and drops them)."""
        vs = v * self.sqrt_w
        b = sla.solve_triangular(self.r, self.q.T @ vs, check_finite=False)
        out = np.zeros(self.keep.shape[0])
        out[self.keep] = b
        return out


def weighted_projection(
    a: np.ndarray, weights: np.ndarray | None = None, tol: float = R_LM_TOL
) -> WeightedProjection:
    """Factorise ``sqrt(w) A`` after dropping aliased columns (R ``lm.wfit``)."""
    n = a.shape[0]
    sqrt_w = np.ones(n) if weights is None else np.sqrt(np.asarray(weights, dtype=float))
    aw = a * sqrt_w[:, None]
    if aw.shape[1] == 0:
        return WeightedProjection(sqrt_w, np.zeros(0, bool), np.zeros((n, 0)), np.zeros((0, 0)))
    norms = np.linalg.norm(aw, axis=0)
    q, r = sla.qr(aw, mode="economic", check_finite=False)
    k = min(aw.shape)
    diag = np.zeros(aw.shape[1])
    diag[:k] = np.abs(np.diag(r[:k, :k]))
    keep = ~((norms == 0) | (diag < tol * norms) | (np.arange(aw.shape[1]) >= k))
    if not keep.all():
        if keep.any():
            q, r = sla.qr(aw[:, keep], mode="economic", check_finite=False)
        else:
            q, r = np.zeros((n, 0)), np.zeros((0, 0))
    return WeightedProjection(sqrt_w=sqrt_w, keep=keep, q=q, r=r)


CHOLESKY_SAFE_RATIO = 1e-4
"""Fast path threshold: if every ``R_jj / ||a_j||`` from the Cholesky factor of
``A'A`` exceeds this (far above R's 1e-7, beyond Cholesky's ~1e-8 error on the
ratio), no column can be aliased under R's rule and the normal equations are
well enough conditioned; otherwise the pivot-free QR path decides."""


@dataclass(frozen=True)
class GramProjection:
    """Cholesky factor of the weighted Gram matrix ``A'ΩA`` (full column rank).

    ``at`` is ``A'`` in sparse (CSR) form: share matrices are mostly zeros and
    sparse products are single-threaded, so they stay fast on busy machines.
    """

    at: sp.csr_matrix
    w: np.ndarray
    sqrt_w: np.ndarray
    keep: np.ndarray
    chol: tuple[np.ndarray, bool]

    @property
    def rank(self) -> int:
        return int(self.keep.size)

    def coefficients(self, v: np.ndarray) -> np.ndarray:
        """``(A'ΩA)^{-1} A'Ω v``."""
        return sla.cho_solve(self.chol, self.at @ (self.w * v), check_finite=False)


def share_projection(
    a: np.ndarray, weights: np.ndarray | None = None, tol: float = R_LM_TOL
) -> GramProjection | WeightedProjection:
    """Weighted least-squares solver for regressions on the share matrix.

    Fast path: Cholesky of the weighted Gram matrix ``A'ΩA`` (formed with
    sparse products) when it is safely of full rank
    (:data:`CHOLESKY_SAFE_RATIO`); otherwise :func:`weighted_projection`, which
    applies R's collinear-column rule and drops aliased sectors.
    """
    n, k = a.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    sqrt_w = np.sqrt(w)
    if 0 < k <= n:
        a_sp = sp.csr_matrix(a)
        at = a_sp.T.tocsr()
        aw = a_sp.copy()
        aw.data *= np.repeat(sqrt_w, np.diff(a_sp.indptr))  # rows scaled by sqrt(w)
        gram = (aw.T @ aw).toarray()
        norms = np.sqrt(np.diag(gram))
        if (norms > 0).all():
            try:
                c, lower = sla.cho_factor(gram, check_finite=False)
            except np.linalg.LinAlgError:
                c = None
            if c is not None and np.all(np.abs(np.diag(c)) > CHOLESKY_SAFE_RATIO * norms):
                return GramProjection(at=at, w=w, sqrt_w=sqrt_w, keep=np.ones(k, bool),
                                      chol=(c, lower))
    return weighted_projection(a, weights, tol)
