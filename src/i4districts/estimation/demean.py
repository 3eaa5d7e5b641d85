"""Within transformation for one or several fixed effects (absorbing the effects).

Three algorithms, all weighted (weights ``w``; unweighted means ``w = 1``):

* **one effect** - exact group-mean subtraction ``z_i - sum_g(w z)/sum_g(w)``.
* **exact multi-way** (Frisch-Waugh-Lovell): the effect with most levels ``A`` is
  removed by group means, the others (stacked dummies ``B``, at most
  ``max_exact_levels`` columns) are partialled out exactly from ``M_A z`` with the
  normal equations ``(B' W M_A B) b = B' W M_A z`` solved by a pseudo-inverse
  (Greene, *Econometric Analysis*, 7th ed., sec. 11.4; balanced two-way panels
  then reduce to ``z_it - zbar_i - zbar_t + zbar``, Baltagi 2021 sec. 3.2).
* **iterative** alternating projections (method of alternating projections /
  Gauss-Seidel demeaning; Guimaraes & Portugal 2010, Gaure 2013), stopping when
  the largest change of a sweep is below ``tol`` times the scale of the column.

Singletons (observations alone in a level of some effect) are found iteratively
(Correia 2015, "Singletons, cluster-robust standard errors and fixed effects").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from i4districts.errors import EstimationError

# scipy (linalg, sparse, csgraph: ~0.2 s to import) is imported where a Demeaner needs it,
# so that importing this module (and the CLI) stays light.

__all__ = [
    "ConvergenceError",
    "FixedEffects",
    "factorize_effects",
    "find_singletons",
    "Demeaner",
    "demean",
]


class ConvergenceError(EstimationError):
    """Iterative demeaning did not reach its tolerance."""


@dataclass(frozen=True)
class FixedEffects:
    """Integer codes (0..levels-1) of each fixed effect, aligned with the rows."""

    names: tuple[str, ...]
    codes: tuple[np.ndarray, ...]
    n_levels: tuple[int, ...]

    def subset(self, mask: np.ndarray) -> "FixedEffects":
        """Keep rows ``mask`` and recode levels densely."""
        codes, levels = [], []
        for c in self.codes:
            u, inv = np.unique(c[mask], return_inverse=True)
            codes.append(inv.astype(np.int64))
            levels.append(len(u))
        return FixedEffects(self.names, tuple(codes), tuple(levels))


def _column_codes(col: pd.Series) -> tuple[np.ndarray, int]:
    """Dense int64 codes (-1 for a missing value) of one column and its number of levels.

    Integer columns with a compact range are coded by ``value - min`` (levels in sorted
    order, gaps closed by a bincount), 5-10 x faster than hashing; others by ``pd.factorize``.
    """
    if isinstance(col.dtype, np.dtype) and col.dtype.kind in "iu" and len(col):
        v = col.to_numpy()
        lo, hi = int(v.min()), int(v.max())
        if hi - lo < max(4 * v.size, 1 << 16):
            return _dense(v.astype(np.int64) - lo, hi - lo + 1)
    c, u = pd.factorize(col)
    return c.astype(np.int64), len(u)


def _dense(c: np.ndarray, span: int) -> tuple[np.ndarray, int]:
    """Recode non-negative codes below ``span`` densely (order kept); returns codes and level count."""
    present = np.bincount(c, minlength=span) > 0
    if present.all():
        return c, span
    remap = np.cumsum(present) - 1
    return remap[c], int(remap[-1]) + 1


def factorize_effects(df: pd.DataFrame, effects: tuple[tuple[str, ...], ...]) -> FixedEffects:
    """Codes of each effect; a tuple of columns is the effect of their combinations."""
    names, codes, levels = [], [], []
    for cols in effects:
        c, n = _column_codes(df[cols[0]])
        for col in cols[1:]:
            c2, n2 = _column_codes(df[col])
            if (c < 0).any() or (c2 < 0).any():
                break
            key, span = c * n2 + c2, n * n2
            if span < max(4 * key.size, 1 << 16):
                c, n = _dense(key, span)
            else:
                c, u = pd.factorize(key)
                c, n = c.astype(np.int64), len(u)
        if (c < 0).any():
            raise ValueError(f"fixed effect {'×'.join(cols)} has missing values")
        names.append("×".join(cols))
        codes.append(c)
        levels.append(n)
    return FixedEffects(tuple(names), tuple(codes), tuple(levels))


def find_singletons(codes: tuple[np.ndarray, ...]) -> np.ndarray:
    """Boolean mask of singleton rows, removed iteratively until none is left."""
    n = len(codes[0]) if codes else 0
    drop = np.zeros(n, dtype=bool)
    changed = bool(codes)
    while changed:
        changed = False
        for c in codes:
            keep = ~drop
            counts = np.bincount(c[keep], minlength=int(c.max()) + 1 if n else 0)
            single = keep & (counts[c] == 1)
            if single.any():
                drop |= single
                changed = True
    return drop


def _group_mean(codes: np.ndarray, n_levels: int, w: np.ndarray | None, wsum: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Weighted group means of each column of ``z``, returned per level (levels × p); ``w=None``: unweighted."""
    out = np.empty((n_levels, z.shape[1]))
    for j in range(z.shape[1]):
        out[:, j] = np.bincount(codes, weights=z[:, j] if w is None else w * z[:, j], minlength=n_levels)
    return out / wsum[:, None]


def _take(table: np.ndarray, codes: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out[:] = table[codes]`` for a small 1-D table (codes are valid: no bounds-check buffering)."""
    return np.take(np.ascontiguousarray(table), codes, out=out, mode="clip")


#: Up to this many B levels, the small dense products of the FWL step loop over rows of ``C'``
#: (contiguous ``i,i->`` reductions, several times faster than ``einsum("gj,gk->jk")`` on ``C``).
_ROW_LOOP_MAX = 64


def _weighted_gram(ct: np.ndarray, wa: np.ndarray) -> np.ndarray:
    """``C' diag(1/w_A) C`` from ``C'`` (nb × ga), without BLAS (no thread pool; see ``ols.tdot``)."""
    nb = ct.shape[0]
    if nb > _ROW_LOOP_MAX:
        return np.einsum("jg,kg->jk", ct / wa, ct)
    cs = ct / wa
    out = np.empty((nb, nb))
    for j in range(nb):
        for k in range(j, nb):
            out[j, k] = out[k, j] = np.einsum("i,i->", cs[j], ct[k])
    return out


def _rows_dot(ct: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``C' m`` (nb × p) from ``C'`` (nb × ga) and ``m`` (ga × p)."""
    if ct.shape[0] > _ROW_LOOP_MAX:
        return np.einsum("jg,gp->jp", ct, m)
    mt = np.ascontiguousarray(m.T)
    return np.array([[np.einsum("i,i->", row, col) for col in mt] for row in ct]).reshape(ct.shape[0], m.shape[1])


def _rows_combine(ct: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """``C coef`` (ga × p) from ``C'`` (nb × ga) and ``coef`` (nb × p), as sums of scaled rows of ``C'``."""
    if ct.shape[0] > _ROW_LOOP_MAX:
        return np.einsum("jg,jp->gp", ct, coef)
    out = np.zeros((coef.shape[1], ct.shape[1]))
    buf = np.empty(ct.shape[1])
    for p in range(coef.shape[1]):
        for j in range(ct.shape[0]):
            out[p] += np.multiply(ct[j], coef[j, p], out=buf)
    return out.T


@dataclass
class Demeaner:
    """Absorbs the fixed effects ``fe`` from columns of a matrix (rows aligned with ``fe``).

    ``method``: ``auto`` (exact when possible, else iterative), ``exact`` or ``iterative``.
    After construction ``algorithm`` names the algorithm used and ``df_absorbed`` is the
    rank of the fixed-effect dummies (the degrees of freedom they use).
    """

    fe: FixedEffects
    weights: np.ndarray | None = None
    method: str = "auto"
    tol: float = 1e-10
    max_iter: int = 10_000
    max_exact_levels: int = 5_000
    dense_limit: int = 20_000_000
    algorithm: str = field(init=False, default="")
    df_absorbed: int = field(init=False, default=0)
    iterations: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        fe = self.fe
        if self.method not in ("auto", "exact", "iterative"):
            raise ValueError(f"demean method must be auto/exact/iterative, got {self.method!r}")
        n = len(fe.codes[0]) if fe.codes else 0
        self._n = n
        self._w = np.ones(n) if self.weights is None else np.asarray(self.weights, dtype=float)
        self._wz = None if self.weights is None else self._w  # weights of the sums (None: counts)
        self._wsum = [self._wcount(c, g) for c, g in zip(fe.codes, fe.n_levels)]
        k = len(fe.codes)
        if k == 0:
            self.algorithm, self.df_absorbed = "none", 0
            return
        if k == 1:
            self.algorithm, self.df_absorbed = "one_way", fe.n_levels[0]
            return
        order = np.argsort(fe.n_levels)[::-1]
        self._a = int(order[0])
        self._b = [int(i) for i in order[1:]]
        n_b = sum(fe.n_levels[i] for i in self._b)
        if self.method == "iterative" or (self.method == "auto" and n_b > self.max_exact_levels):
            self.algorithm = "iterative"
            self.df_absorbed = self._rank_estimate()
            return
        if self.weights is None and k == 2 and self._is_balanced_two_way():
            self.algorithm = "balanced_two_way"
            self.df_absorbed = fe.n_levels[0] + fe.n_levels[1] - 1
            return
        self.algorithm = "exact_fwl"
        self._setup_fwl()

    # ----------------------------------------------------------- helpers
    def _wcount(self, codes: np.ndarray, n_levels: int) -> np.ndarray:
        """Sum of weights per level (exact counts, as floats, when unweighted)."""
        if self._wz is None:
            return np.bincount(codes, minlength=n_levels).astype(np.float64)
        return np.bincount(codes, weights=self._wz, minlength=n_levels)

    def _is_balanced_two_way(self) -> bool:
        (c0, c1), (g0, g1) = self.fe.codes, self.fe.n_levels
        if self._n != g0 * g1:
            return False
        cell = c0 * g1 + c1
        return bool(np.bincount(cell, minlength=g0 * g1).min() == 1)

    def _rank_estimate(self) -> int:
        """Exact rank for two effects (levels minus connected components), else levels - (k-1)."""
        import scipy.sparse as sp
        from scipy.sparse.csgraph import connected_components

        fe = self.fe
        if len(fe.codes) == 2:
            g0, g1 = fe.n_levels
            graph = sp.coo_matrix(
                (np.ones(self._n), (fe.codes[0], fe.codes[1] + g0)), shape=(g0 + g1, g0 + g1)
            )
            ncomp, _ = connected_components(graph, directed=False)
            return g0 + g1 - ncomp
        return sum(fe.n_levels) - (len(fe.codes) - 1)

    def _setup_fwl(self) -> None:
        import scipy.linalg
        import scipy.sparse as sp

        fe, w = self.fe, self._w
        a, ga = fe.codes[self._a], fe.n_levels[self._a]
        self._offsets = np.cumsum([0] + [fe.n_levels[i] for i in self._b])
        nb = int(self._offsets[-1])
        wa = self._wsum[self._a]
        # C = A'WB (ga × nb): weighted counts of each (A level, B level) pair
        if ga * nb <= self.dense_limit:
            # C' (nb × ga) built directly: its rows (B levels) are what the products below read
            self._ct = np.vstack([self._wcount(fe.codes[i] * ga + a, fe.n_levels[i] * ga).reshape(-1, ga)
                                  for i in self._b])
            c = self._ct.T
            db = self._ct.sum(axis=1)
            k_mat = np.diag(db) - _weighted_gram(self._ct, wa)
        else:
            c = sp.hstack([sp.csr_matrix((w, (a, fe.codes[i])), shape=(ga, fe.n_levels[i])) for i in self._b], format="csr")
            db = np.asarray(c.sum(axis=0)).ravel()
            k_mat = np.diag(db) - (c.T @ sp.diags(1.0 / wa) @ c).toarray()
        # B'WB is diagonal within a block; between blocks it holds the cross counts
        for (i, oi), (j, oj) in ((x, y) for x in zip(self._b, self._offsets[:-1]) for y in zip(self._b, self._offsets[:-1])):
            if oi < oj:
                gi, gj = fe.n_levels[i], fe.n_levels[j]
                cross = self._wcount(fe.codes[i] * gj + fe.codes[j], gi * gj).reshape(gi, gj)
                k_mat[oi : oi + gi, oj : oj + gj] += cross
                k_mat[oj : oj + gj, oi : oi + gi] += cross.T
        self._c = c
        evals, evecs = scipy.linalg.eigh(k_mat)
        tol = max(evals.max(), 1.0) * 1e-10
        keep = evals > tol
        self._pinv_vecs = evecs[:, keep]
        self._pinv_vals = evals[keep]
        self.df_absorbed = ga + int(keep.sum())

    # ----------------------------------------------------------- apply
    def __call__(self, z: np.ndarray) -> np.ndarray:
        """Return the columns of ``z`` (n × p or n) with the effects absorbed."""
        z = np.asarray(z, dtype=float)
        vec = z.ndim == 1
        z2 = z[:, None] if vec else z
        if z2.shape[0] != self._n:
            raise ValueError(f"demean: {z2.shape[0]} rows but the fixed effects have {self._n}")
        alg = self.algorithm
        if alg == "none":
            out = z2.copy()
        elif alg == "one_way":
            out = self._sub_mean(0, z2)
        elif alg == "balanced_two_way":
            (c0, c1), (g0, g1) = self.fe.codes, self.fe.n_levels
            m0 = _group_mean(c0, g0, self._wz, self._wsum[0], z2)
            m1 = _group_mean(c1, g1, self._wz, self._wsum[1], z2)
            out = z2 - m0[c0] - m1[c1] + z2.mean(axis=0)
        elif alg == "exact_fwl":
            out = self._fwl(z2)
        else:
            out = self._iterate(z2)
        return out[:, 0] if vec else out

    def _sub_mean(self, k: int, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``z`` minus its weighted means over effect ``k`` (into ``out``, column-major; may be ``z``)."""
        c, g = self.fe.codes[k], self.fe.n_levels[k]
        means = _group_mean(c, g, self._wz, self._wsum[k], z)
        if out is None:
            out = np.empty(z.shape, order="F")
        buf = np.empty(z.shape[0])
        for j in range(z.shape[1]):
            np.subtract(z[:, j], _take(means[:, j], c, buf), out=out[:, j])
        return out

    def _fwl(self, z: np.ndarray) -> np.ndarray:
        """``M_A z - M_A B b`` with ``b = (B'W M_A B)^+ B'W M_A z``; ``M_A B b`` uses ``C = A'WB``.

        Column by column on a column-major copy: every bincount and gather reads contiguous
        memory, and the weighted sums over A and over each B effect share one product ``w z``.
        """
        fe, w = self.fe, self._wz
        a, ga = fe.codes[self._a], fe.n_levels[self._a]
        wa = self._wsum[self._a]
        zf = np.asfortranarray(z)
        p = zf.shape[1]
        nb = int(self._offsets[-1])
        sum_a = np.empty((ga, p))
        rhs = np.zeros((nb, p))
        for j in range(p):
            col = zf[:, j] if w is None else w * zf[:, j]
            sum_a[:, j] = np.bincount(a, weights=col, minlength=ga)
            for i, off in zip(self._b, self._offsets[:-1]):
                g = fe.n_levels[i]
                rhs[off : off + g, j] = np.bincount(fe.codes[i], weights=col, minlength=g)
        mean_a = sum_a / wa[:, None]
        c = self._c
        dense = isinstance(c, np.ndarray)
        rhs -= _rows_dot(self._ct, mean_a) if dense else c.T @ mean_a  # B'W M_A z = B'Wz - C'(A'Wz/w_A)
        coef = self._pinv_vecs @ ((self._pinv_vecs.T @ rhs) / self._pinv_vals[:, None])
        c_coef = _rows_combine(self._ct, coef) if dense else c @ coef
        m_a = mean_a - c_coef / wa[:, None]
        out = np.empty(zf.shape, order="F")
        buf = np.empty(zf.shape[0])
        for j in range(p):
            o = out[:, j]
            np.subtract(zf[:, j], _take(m_a[:, j], a, o), out=o)  # z - (mean_A - C b / w_A)[a]
            for i, off in zip(self._b, self._offsets[:-1]):
                o -= _take(coef[off : off + fe.n_levels[i], j], fe.codes[i], buf)
        return out

    def _iterate(self, z: np.ndarray) -> np.ndarray:
        out = np.array(z, order="F")
        prev = np.empty_like(out)
        scale = np.maximum(np.abs(z).max(axis=0), 1e-300)
        order = [self._a, *self._b]
        for it in range(1, self.max_iter + 1):
            np.copyto(prev, out)
            for k in order:
                self._sub_mean(k, out, out=out)
            change = (np.abs(out - prev).max(axis=0) / scale).max()
            if change < self.tol:
                self.iterations = max(self.iterations, it)
                return out
        raise ConvergenceError(
            f"iterative demeaning over effects {list(self.fe.names)} did not converge to "
            f"tol={self.tol:g} in {self.max_iter} sweeps (last relative change {change:.3g}); "
            "raise demean.max_iter or use demean.method 'exact'"
        )


def demean(z: np.ndarray, fe: FixedEffects, weights: np.ndarray | None = None, **kwargs) -> np.ndarray:
    """Convenience wrapper: ``Demeaner(fe, weights, **kwargs)(z)``."""
    return Demeaner(fe, weights, **kwargs)(z)
