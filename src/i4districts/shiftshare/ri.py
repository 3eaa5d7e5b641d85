"""Randomization inference over counterfactual shocks (method ``ri``).

Design-based inference for shift-share regressions treats the shocks ``g`` as the
random part of the design (Adão, Kolesár and Morales 2019; Borusyak and Hull 2023,
Econometrica 91(6), "Non-random exposure to exogenous shocks"). With exchangeable
shocks every permutation of the observed shifts across sectors is an equally likely
counterfactual, so the distribution of a statistic over the permutations is its
exact null distribution.

The test of ``H0: β = β0``:

* outcome under the null ``u = y - β0 x`` (OLS, ``x = S g`` the shift-share
  regressor) or ``u = y1 - β0 y2`` (IV with instrument ``S g``: the Anderson-Rubin
  reduced form);
* statistic ``T(π) = b(π) / se(π)``, the coefficient of ``u`` on the
  counterfactual shift-share variable ``S g_π`` (same controls ``Z`` and weights),
  **studentised** by the region-clustered (CR1, when the spec has
  ``region_cluster``) or EHW (HC1) standard error of that regression; at the
  identity permutation and OLS this is exactly the reported
  ``(β̂ - β0) / SE``;
* ``p = #{π : |T(π)| >= |T(id)|} / #permutations``, the identity included. All
  ``K!`` permutations are enumerated when ``K! <= 50,000`` (exact p-value);
  otherwise the identity plus ``R`` seeded uniform random permutations
  (``p = (1 + #{|T(π_r)| >= |T(id)|}) / (R + 1)``, also an exact level-α test).
  Values within a relative ``1e-10`` of ``|T(id)|`` count as ties (``>=``).

Columns of the share matrix that are ``(period, sector)`` pairs (shares split by
period) are permuted **jointly** when every sector has a column in every period:
one permutation of the sectors applied in every period, so that a sector's shocks
stay together across periods (its time profile moves with it). Otherwise (sector
sets differ by period, as in ADH's 375 + 395 columns) the shifts are permuted
**within each period**, independently across periods (exact enumeration when the
product of the per-period factorials is at most 50,000).

Studentisation is used because a studentised permutation statistic stays
asymptotically valid when shocks are heteroskedastic rather than exchangeable
(Janssen 1997; DiCiccio and Romano 2017), while keeping exactness under
exchangeability. No confidence set is reported (``ci_type="none"``,
``ci_low``/``ci_high`` missing).

All permutations are processed as one K x m matrix of permuted shift vectors
through the vectorised placebo engine (:func:`i4districts.shiftshare.placebo.ols_t_statistics`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from i4districts.shiftshare.errors import ShiftShareInputError

__all__ = [
    "EXACT_MAX",
    "RandomizationResult",
    "column_permutations",
    "shift_permutations",
    "randomization_test",
    "recover_shifts",
    "sector_permutations",
]

TABLE = "shift-share randomization inference"
EXACT_MAX = 50_000
"""Enumerate all ``K!`` permutations when ``K! <= EXACT_MAX``, else sample."""
_TIE = 1e-10


@dataclass(frozen=True)
class RandomizationResult:
    """Outcome of :func:`randomization_test`.

    ``t_obs`` the studentised statistic at the identity; ``t_perm`` the statistic for
    every permutation (identity first); ``p`` the two-sided randomization p-value.
    """

    t_obs: float
    p: float
    n_permutations: int
    exact: bool
    studentization: str
    seed: int | None
    t_perm: np.ndarray = field(repr=False)
    scheme: str = "pooled"

    def summary(self) -> dict[str, Any]:
        return {"t_obs": self.t_obs, "p": self.p, "permutations": self.n_permutations,
                "exact": self.exact, "studentization": self.studentization, "seed": self.seed,
                "statistic": "studentised t of the coefficient on the permuted shift-share variable",
                "scheme": self.scheme}


def sector_permutations(k: int, *, draws: int = 1999, seed: int | None = 0,
                        exact_max: int = EXACT_MAX) -> tuple[np.ndarray, bool]:
    """``(P, exact)``: permutations of ``range(k)`` as rows of ``P``, the identity first.

    All ``k!`` when ``k! <= exact_max`` (``exact=True``), else the identity and
    ``draws`` seeded uniform random permutations.
    """
    if k < 1:
        raise ShiftShareInputError(TABLE, "sectors", "there are no shifts to permute")
    if math.factorial(k) <= exact_max:
        return np.array(list(itertools.permutations(range(k))), dtype=np.int64).reshape(-1, k), True
    if draws < 1:
        raise ShiftShareInputError(TABLE, "ri_draws", "must be at least 1", [draws])
    rng = np.random.default_rng(seed)
    P = np.argsort(rng.random((draws, k)), axis=1)
    return np.vstack([np.arange(k)[None, :], P]), False


def column_permutations(labels: Sequence[object], sector_perms: np.ndarray) -> np.ndarray:
    """Column index maps (m x C) for sector permutations of share-matrix columns ``labels``.

    ``labels`` are sectors (pooled) or ``(period, sector)`` pairs; for pairs the
    same sector permutation applies in every period (``g_π[(p, s)] = g[(p, σ(s))]``).
    """
    labels = list(labels)
    paired = bool(labels) and all(isinstance(v, tuple) and len(v) == 2 for v in labels)
    if not paired:
        return np.asarray(sector_perms, dtype=np.int64)
    periods = sorted({v[0] for v in labels}, key=lambda v: (type(v).__name__, v))
    sectors = sorted({v[1] for v in labels}, key=lambda v: (type(v).__name__, v))
    where = {v: i for i, v in enumerate(labels)}
    missing = [(p, s) for p in periods for s in sectors if (p, s) not in where]
    if missing:
        raise ShiftShareInputError(TABLE, "shares", "method 'ri' permutes sectors jointly across periods and "
                                   "needs every sector in every period (or pool_periods: true); missing",
                                   missing[:5])
    grid = np.array([[where[(p, s)] for s in sectors] for p in periods], dtype=np.int64)  # P x K
    sp = np.asarray(sector_perms, dtype=np.int64)
    out = np.empty((sp.shape[0], len(labels)), dtype=np.int64)
    out[:, grid.reshape(-1)] = grid[:, sp].transpose(1, 0, 2).reshape(sp.shape[0], -1)
    return out


def shift_permutations(labels: Sequence[object], *, draws: int = 1999, seed: int | None = 0,
                       exact_max: int = EXACT_MAX) -> tuple[np.ndarray, bool, str]:
    """``(cp, exact, scheme)``: column maps (m x C, identity first) permuting the shifts of columns ``labels``.

    ``scheme`` is ``"pooled"``, ``"joint"`` (one sector permutation in every period) or
    ``"within_period"`` (independent permutations within each period's columns).
    """
    labels = list(labels)
    paired = bool(labels) and all(isinstance(v, tuple) and len(v) == 2 for v in labels)
    if not paired:
        sp, exact = sector_permutations(len(labels), draws=draws, seed=seed, exact_max=exact_max)
        return sp, exact, "pooled"
    periods = sorted({v[0] for v in labels}, key=lambda v: (type(v).__name__, v))
    sectors = {v[1] for v in labels}
    if len(labels) == len(periods) * len(sectors):
        sp, exact = sector_permutations(len(sectors), draws=draws, seed=seed, exact_max=exact_max)
        return column_permutations(labels, sp), exact, "joint"
    blocks = [np.array([i for i, v in enumerate(labels) if v[0] == p], dtype=np.int64) for p in periods]
    total = 1
    for b in blocks:
        total *= math.factorial(len(b))
        if total > exact_max:
            break
    if total <= exact_max:
        rows = []
        for combo in itertools.product(*(itertools.permutations(range(len(b))) for b in blocks)):
            row = np.empty(len(labels), dtype=np.int64)
            for b, perm in zip(blocks, combo):
                row[b] = b[list(perm)]
            rows.append(row)
        return np.array(rows), True, "within_period"
    if draws < 1:
        raise ShiftShareInputError(TABLE, "ri_draws", "must be at least 1", [draws])
    rng = np.random.default_rng(seed)
    cp = np.tile(np.arange(len(labels), dtype=np.int64), (draws + 1, 1))
    for b in blocks:
        cp[1:, b] = b[np.argsort(rng.random((draws, len(b))), axis=1)]
    return cp, False, "within_period"


def recover_shifts(W: np.ndarray, x: np.ndarray, *, name: str = "regressor", rtol: float = 1e-8) -> np.ndarray:
    """Shifts ``g`` with ``W g = x`` (least squares), checking that ``x`` is a shift-share variable of ``W``."""
    x = np.asarray(x, dtype=float)
    g, *_ = np.linalg.lstsq(W, x, rcond=None)
    resid = float(np.linalg.norm(W @ g - x))
    scale = max(float(np.linalg.norm(x)), np.finfo(float).tiny)
    if resid > rtol * scale:
        raise ShiftShareInputError(
            "regions table", name,
            "is not shares x shifts of the design (method 'ri' permutes its shifts; relative residual "
            f"{resid / scale:.2e}): check share_scale and pool_periods, or drop 'ri' from methods")
    return g


def randomization_test(
    u: np.ndarray,
    design,
    Z: np.ndarray | None,
    shifts: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    region_cluster: Sequence[object] | None = None,
    studentization: str = "ehw",
    draws: int = 1999,
    seed: int | None = 0,
    exact_max: int = EXACT_MAX,
) -> RandomizationResult:
    """Randomization test that ``u`` (the outcome under the null) is unrelated to ``S g``.

    ``design`` the :class:`~i4districts.shiftshare.akm.ShareDesign`, ``shifts`` the
    observed shifts aligned with its columns, ``studentization`` ``"ehw"`` or
    ``"cluster"`` (needs ``region_cluster``). See the module docstring.
    """
    from i4districts.shiftshare.placebo import ols_t_statistics

    g = np.asarray(shifts, dtype=float).reshape(-1)
    labels = list(design.sectors)
    if g.shape != (len(labels),):
        raise ShiftShareInputError(TABLE, "shifts", f"have length {g.shape[0]}, expected {len(labels)}")
    cp, exact, scheme = shift_permutations(labels, draws=draws, seed=seed, exact_max=exact_max)
    G = g[cp].T  # C x m, identity first
    t = ols_t_statistics(u, design, Z, G, weights=weights, region_cluster=region_cluster,
                         studentization=studentization)
    p = randomization_p(t[:, None])[0]
    return RandomizationResult(t_obs=float(t[0]), p=float(p), n_permutations=int(cp.shape[0]), exact=exact,
                               studentization=studentization, seed=None if exact else seed, t_perm=t,
                               scheme=scheme)


def randomization_p(t: np.ndarray) -> np.ndarray:
    """Two-sided p-values from statistics ``t`` (m x R, the identity in row 0), ties counted."""
    a = np.abs(t)
    return np.mean(a >= a[0:1] * (1 - _TIE), axis=0)
