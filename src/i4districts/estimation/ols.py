"""Least squares on (transformed, weight-scaled) arrays.

``beta = (X'X)^-1 X'y`` from the normal equations with one step of iterative
refinement (accuracy close to QR for well-conditioned designs; the rank is checked
first by :func:`check_rank`), residuals
``e = y - X beta``, bread ``(X'X)^-1``. Columns with no variation left after the
fixed effects are absorbed, or collinear columns, raise :class:`CollinearityError`
naming the terms (Greene, *Econometric Analysis*, ch. 3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from i4districts.errors import EstimationError

__all__ = ["CollinearityError", "LeastSquares", "least_squares", "check_rank", "tdot", "matvec"]


#: Up to this many columns, tall products are computed column by column (one fast ``i,i->``
#: reduction per pair); beyond it, one ``einsum`` on column-major copies.
_COLUMN_LOOP_MAX = 8


def _col_dot(u: np.ndarray, v: np.ndarray) -> float:
    return np.einsum("i,i->", u, v)


def tdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a' b`` for tall arrays without a BLAS call (no thread pool wake-ups; the
    multi-threaded BLAS busy-waits and slows the following single-threaded steps on a
    loaded machine, while tall-skinny products are memory-bound anyway).

    A few columns: one ``einsum("i,i->")`` per column pair (4-6 x faster than
    ``einsum("ij,ik->jk")`` on a row-major tall array); ``a' a`` is filled symmetrically.
    """
    ka = a.shape[1]
    if b.ndim == 1:
        if ka <= _COLUMN_LOOP_MAX:
            return np.array([_col_dot(a[:, j], b) for j in range(ka)], dtype=np.float64)
        return np.einsum("ij,i->j", a, b)
    kb = b.shape[1]
    if max(ka, kb) > _COLUMN_LOOP_MAX:
        af = np.asfortranarray(a)
        return np.einsum("ij,ik->jk", af, af if b is a else np.asfortranarray(b))
    out = np.empty((ka, kb))
    sym = a is b
    for j in range(ka):
        for k in range(kb):
            out[j, k] = out[k, j] if (sym and k < j) else _col_dot(a[:, j], b[:, k])
    return out


def matvec(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``a v`` for a tall ``a`` (n × k) as a sum of scaled columns, without BLAS."""
    if a.shape[1] == 0:
        return np.zeros(a.shape[0])
    out = a[:, 0] * v[0]
    for j in range(1, a.shape[1]):
        out += a[:, j] * v[j]
    return out


class CollinearityError(EstimationError):
    """Regressors are collinear or absorbed by the fixed effects."""


@dataclass(frozen=True)
class LeastSquares:
    params: np.ndarray
    resid: np.ndarray
    bread: np.ndarray


def check_rank(x: np.ndarray, names: list[str], x_before: np.ndarray | None = None, *, what: str = "regressors",
               model_id: str | None = None) -> None:
    """Raise if a column of ``x`` is (numerically) zero or the columns are collinear.

    A column counts as absorbed if its norm after the transformation is below
    ``1e-8`` times its norm before (``x_before``).
    """
    if x.shape[1] == 0:
        return
    where = f"model '{model_id}': " if model_id else ""
    gram = tdot(x, x)
    norms = np.sqrt(np.diag(gram))
    if x_before is not None:
        ref = np.sqrt(np.array([_col_dot(c, c) for c in x_before.T], dtype=np.float64))
    else:
        ref = np.maximum(norms, 1.0)
    ref = np.where(ref == 0, 1.0, ref)
    absorbed = [n for n, a, b in zip(names, norms, ref) if a <= 1e-8 * b]
    if absorbed:
        raise CollinearityError(f"{where}{what} {absorbed} have no variation left (absorbed by the fixed effects "
                                "or constant)")
    gram = gram / np.outer(norms, norms)
    evals, evecs = np.linalg.eigh(gram)
    if evals[0] < 1e-12 * evals[-1]:
        combo = evecs[:, 0]
        involved = [n for n, c in zip(names, combo) if abs(c) > 1e-3]
        raise CollinearityError(f"{where}{what} are collinear: {involved}")


def least_squares(x: np.ndarray, y: np.ndarray) -> LeastSquares:
    """OLS of ``y`` on ``x``; returns estimates, residuals and ``(X'X)^-1``."""
    xtx = tdot(x, x)
    bread = np.linalg.inv(xtx)
    params = bread @ tdot(x, y)
    resid = y - matvec(x, params)
    for _ in range(1):  # one step of iterative refinement of the normal equations (Björck 1996, sec. 2.9)
        step = np.linalg.solve(xtx, tdot(x, resid))
        params = params + step
        resid = y - matvec(x, params)
    return LeastSquares(params, resid, (bread + bread.T) / 2)
