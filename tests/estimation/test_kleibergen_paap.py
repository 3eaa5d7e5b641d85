"""Kleibergen-Paap rk Wald statistic with two endogenous regressors.

Checks: (1) homoskedastic errors without correction give the Cragg-Donald statistic
n · min eig(Σ_VV^{-1/2} Y'P_Z Y Σ_VV^{-1/2} / n) computed here independently;
(2) invariance to non-singular linear transformations of the endogenous regressors and
of the instruments (a property of the rank statistic, Kleibergen & Paap 2006);
(3) one irrelevant endogenous regressor makes the statistic small (rank deficiency).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.linalg

from i4districts.estimation import ModelSpec, fit


def _data(seed=0, n=400, weak=False):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 3))
    v = rng.normal(size=(n, 2))
    e1 = z @ [1.0, 0.5, 0.0] + v[:, 0]
    e2 = z @ ([0.0, 0.0, 0.0] if weak else [0.2, -0.3, 0.8]) + v[:, 1] + 0.5 * v[:, 0]
    w = rng.normal(size=n)
    y = e1 - e2 + w + v[:, 0] + rng.normal(size=n)
    return pd.DataFrame({"id": np.arange(n), "t": 0, "g": rng.integers(0, 40, n), "y": y, "w": w,
                         "e1": e1, "e2": e2, "z1": z[:, 0], "z2": z[:, 1], "z3": z[:, 2]})


def _fit(df, cov, endog=("e1", "e2"), instr=("z1", "z2", "z3")):
    return fit(df, ModelSpec.from_dict({"outcome": "y", "regressors": ["w"], "entity": "id", "time": "t",
                                        "endogenous": list(endog), "instruments": list(instr), "cov": cov}))


def test_homoskedastic_equals_cragg_donald():
    df = _data()
    res = _fit(df, {"type": "homoskedastic", "correction": "none"})
    x = np.column_stack([np.ones(len(df)), df.w])
    ann = lambda a: a - x @ np.linalg.lstsq(x, a, rcond=None)[0]  # noqa: E731
    y, z = ann(df[["e1", "e2"]].to_numpy()), ann(df[["z1", "z2", "z3"]].to_numpy())
    pz_y = z @ np.linalg.lstsq(z, y, rcond=None)[0]
    v = y - pz_y
    s_inv_half = np.linalg.inv(scipy.linalg.sqrtm(v.T @ v / len(df)).real)
    cd = np.linalg.eigvalsh(s_inv_half @ (pz_y.T @ pz_y) @ s_inv_half).min()
    np.testing.assert_allclose(res.first_stage["kleibergen_paap_rk_wald"], cd, rtol=1e-8)
    np.testing.assert_allclose(res.first_stage_f, cd / 3, rtol=1e-8)


@pytest.mark.parametrize("cov", [{"type": "robust"}, {"type": "clustered", "cluster": "g"}])
def test_invariance_to_linear_transformations(cov):
    df = _data(seed=1)
    base = _fit(df, cov).first_stage["kleibergen_paap_rk_wald"]
    t = df.assign(a=2 * df.e1 + df.e2, b=df.e1 - 3 * df.e2, q1=df.z1 + df.z2, q2=5 * df.z2, q3=df.z3 - df.z1)
    other = _fit(t, cov, endog=("a", "b"), instr=("q1", "q2", "q3")).first_stage["kleibergen_paap_rk_wald"]
    np.testing.assert_allclose(other, base, rtol=1e-8)
    assert base > 50


def test_weak_second_endogenous_is_detected():
    strong = _fit(_data(seed=2), {"type": "robust"}).first_stage
    weak = _fit(_data(seed=2, weak=True), {"type": "robust"}).first_stage
    assert weak["kleibergen_paap_f"] < 5 < strong["kleibergen_paap_f"]
