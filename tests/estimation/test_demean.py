"""Within transformation: hand-computed toy cases, LSDV cross-check, invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from i4districts.estimation.demean import (
    ConvergenceError, Demeaner, FixedEffects, factorize_effects, find_singletons,
)


def _fe(*codes):
    codes = tuple(np.asarray(c, dtype=np.int64) for c in codes)
    return FixedEffects(tuple(f"f{i}" for i in range(len(codes))), codes, tuple(int(c.max()) + 1 for c in codes))


def _dummies(fe: FixedEffects) -> np.ndarray:
    return np.column_stack([np.eye(g)[c] for c, g in zip(fe.codes, fe.n_levels)])


def _lsdv_resid(z, fe, w=None):
    d = _dummies(fe)
    w = np.ones(len(z)) if w is None else w
    rw = np.sqrt(w)[:, None]
    coef = np.linalg.lstsq(d * rw, z * rw, rcond=None)[0]
    return z - d @ coef


def test_balanced_two_way_by_hand():
    """Entities A, B × periods 1, 2 with z = A:(1, 2), B:(3, 8).

    Means: A 1.5, B 5.5, period 1: 2, period 2: 5, overall 3.5, so
    z - z̄_i - z̄_t + z̄ = A1: 1-1.5-2+3.5 = 1, A2: 2-1.5-5+3.5 = -1, B1: -1, B2: 1.
    """
    fe = _fe([0, 0, 1, 1], [0, 1, 0, 1])
    dm = Demeaner(fe)
    assert dm.algorithm == "balanced_two_way" and dm.df_absorbed == 3
    np.testing.assert_allclose(dm(np.array([1.0, 2, 3, 8])), [1, -1, -1, 1])


def test_one_way_by_hand_weighted():
    """Group 0 = (2, 4) with weights (1, 3): weighted mean 3.5 → (-1.5, 0.5); group 1 = (5) → 0."""
    fe = _fe([0, 0, 1])
    out = Demeaner(fe, weights=np.array([1.0, 3.0, 2.0]))(np.array([2.0, 4.0, 5.0]))
    np.testing.assert_allclose(out, [-1.5, 0.5, 0.0])


def test_three_way_unbalanced_matches_lsdv():
    rng = np.random.default_rng(1)
    n = 600
    fe = _fe(rng.integers(0, 40, n), rng.integers(0, 7, n), rng.integers(0, 12, n))
    z = rng.normal(size=(n, 3))
    w = rng.uniform(0.5, 2, n)
    ref = _lsdv_resid(z, fe, w)
    exact = Demeaner(fe, weights=w)
    assert exact.algorithm == "exact_fwl"
    np.testing.assert_allclose(exact(z), ref, atol=1e-10)
    assert exact.df_absorbed == np.linalg.matrix_rank(_dummies(fe))
    sparse = Demeaner(fe, weights=w, dense_limit=0)  # sparse C = A'WB path
    np.testing.assert_allclose(sparse(z), ref, atol=1e-10)
    it = Demeaner(fe, weights=w, method="iterative", tol=1e-14)
    np.testing.assert_allclose(it(z), ref, atol=1e-8)


def test_iterative_rank_two_way_disconnected():
    """Two disconnected blocks: rank = levels - components = (2 + 2) - 2 = 2... plus one per block."""
    fe = _fe([0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 2, 2])
    dm = Demeaner(fe, method="iterative")
    assert dm.df_absorbed == np.linalg.matrix_rank(_dummies(fe)) == 4


def test_convergence_error():
    rng = np.random.default_rng(2)
    fe = _fe(rng.integers(0, 30, 300), rng.integers(0, 30, 300))
    with pytest.raises(ConvergenceError, match="did not converge"):
        Demeaner(fe, method="iterative", tol=1e-15, max_iter=2)(rng.normal(size=300))


def test_singletons_iterative():
    """Cascade by hand: f0 = (0,0,1,1,2), f1 = (0,1,0,2,2).

    Row 4 is alone in f0 level 2 -> dropped; then row 3 is alone in f1 level 2 -> dropped;
    then row 2 is alone in f0 level 1, then row 0 alone in f1 level 0, then row 1: all go.
    Without row 4 and with f1 = (0,1,0,1) nothing is a singleton.
    """
    f0 = np.array([0, 0, 1, 1, 2])
    f1 = np.array([0, 1, 0, 2, 2])
    assert find_singletons((f0, f1)).all()
    f0b, f1b = np.array([0, 0, 1, 1, 2, 2]), np.array([0, 1, 0, 1, 3, 4])
    np.testing.assert_array_equal(find_singletons((f0b, f1b)), [False] * 4 + [True] * 2)
    assert not find_singletons((np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))).any()


def test_factorize_combined_effect():
    df = pd.DataFrame({"r": ["a", "a", "b", "b"], "s": [1, 2, 1, 1], "t": [1, 1, 1, 2]})
    fe = factorize_effects(df, (("r", "s"), ("t",)))
    assert fe.n_levels == (3, 2) and fe.names == ("r×s", "t")
    assert fe.codes[0][2] == fe.codes[0][3] != fe.codes[0][0]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 3), st.booleans())
def test_properties_orthogonal_idempotent_lsdv(seed, k, weighted):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 120))
    fe = _fe(*[rng.integers(0, int(rng.integers(2, 8)), n) for _ in range(k)])
    fe = fe.subset(np.ones(n, dtype=bool))  # dense recoding
    w = rng.uniform(0.2, 3.0, n) if weighted else None
    z = rng.normal(size=(n, 2)) * 10
    dm = Demeaner(fe, weights=w)
    out = dm(z)
    ww = np.ones(n) if w is None else w
    for c, g in zip(fe.codes, fe.n_levels):  # weighted group sums are zero for every effect
        for j in range(2):
            np.testing.assert_allclose(np.bincount(c, weights=ww * out[:, j], minlength=g), 0, atol=1e-8)
    np.testing.assert_allclose(dm(out), out, atol=1e-9)  # idempotent (a projection)
    np.testing.assert_allclose(out, _lsdv_resid(z, fe, w), atol=1e-8)
    assert dm.df_absorbed == np.linalg.matrix_rank(_dummies(fe))
