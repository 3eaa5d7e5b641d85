"""The estimators recover the planted coefficients; placebo shifts through the same design reject at the
nominal rate (with the model's regressors as controls; AKM without them, on the national world)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from i4districts import synth
from i4districts.api import feols
from i4districts.shiftshare import placebo, reg_ss, share_design
from i4districts.synth.outcomes import expected_outcome, stacked_share_matrix

FORMULA = "d_ln_employment ~ exposure + exposure_x_district + district + manufacturing_share | period"
TERMS = {"exposure": "beta", "exposure_x_district": "gamma", "district": "theta", "manufacturing_share": "delta"}


def _controls(f: pd.DataFrame, *cols: str) -> np.ndarray:
    return np.column_stack([pd.get_dummies(f["period"]).astype(float).to_numpy(), *(f[c].to_numpy() for c in cols)])


def test_feols_recovers_planted_coefficients(regional_world):
    truth = regional_world.truth["outcome_model"]["coefficients"]
    tidy = feols(FORMULA, regional_world.outcomes, vcov="hetero").tidy().set_index("term")
    for term, name in TERMS.items():
        est, se = tidy.loc[term, "estimate"], tidy.loc[term, "std_error"]
        assert abs(est - truth[name]) < 2 * se, (term, est, se, truth[name])
    assert tidy.loc["exposure", "std_error"] < 0.3  # informative, not a pass by vagueness


def test_redrawn_errors_unbiased_and_covered(tiny_world):
    """Monte Carlo over the error on a fixed world: OLS is unbiased and, the error being i.i.d. normal, the
    classical 95% t intervals cover exactly 95% (finite-sample theory), up to Monte Carlo error."""
    f = tiny_world.outcomes
    truth = tiny_world.truth["outcome_model"]
    mean = expected_outcome(f, tiny_world.truth)
    X = _controls(f, *TERMS)
    XtX_inv = np.linalg.inv(X.T @ X)
    n, k = X.shape
    draws = 4000
    Y = mean[:, None] + truth["error"]["sigma"] * np.random.default_rng(0).standard_normal((n, draws))
    B = XtX_inv @ X.T @ Y
    s2 = ((Y - X @ B) ** 2).sum(axis=0) / (n - k)
    se = np.sqrt(np.outer(s2, np.diag(XtX_inv)[-4:]))
    est = B[-4:].T
    want = np.array([truth["coefficients"][v] for v in TERMS.values()])
    mc_se = est.std(axis=0, ddof=1) / np.sqrt(draws)
    assert np.all(np.abs(est.mean(axis=0) - want) < 4 * mc_se)
    coverage = (np.abs(est - want) < stats.t.ppf(0.975, n - k) * se).mean(axis=0)
    assert np.all(np.abs(coverage - 0.95) < 4 * np.sqrt(0.95 * 0.05 / draws)), coverage


def test_placebo_rejects_at_nominal_rate(regional_world):
    f = regional_world.outcomes
    W, _, g = stacked_share_matrix(f, regional_world.shares, regional_world.shifts)
    assert np.allclose(W @ g, f["exposure"])
    Z = _controls(f, "exposure", *TERMS)
    res = placebo(f["d_ln_employment"].to_numpy(), share_design(W), Z, region_cluster=f["region"].to_numpy(),
                  n_draws=1000, seed=3, methods=("homoskedastic", "ehw", "cluster"))
    for method, rate in res.rejection.items():
        assert abs(rate - 0.05) < 0.035, (method, rate)


@pytest.mark.slow
def test_akm_on_national_world():
    world = synth.generate("national", seed=0)
    f = world.outcomes
    truth = world.truth["outcome_model"]["coefficients"]
    W, _, _ = stacked_share_matrix(f, world.shares, world.shifts)
    design = share_design(W)
    y = f["d_ln_employment"].to_numpy()
    res = reg_ss(y, f["exposure"].to_numpy(), design, _controls(f, "exposure_x_district", "district",
                                                              "manufacturing_share"),
                 region_cluster=f["region"].to_numpy(), methods=("ehw", "akm"))
    for m in res.methods:
        assert abs(res.estimate - truth["beta"]) < 2 * m.std_error, m
    # placebo without the exposure terms as controls: the residual is correlated across regions with similar
    # shares, so EHW over-rejects while AKM0 keeps the nominal rate (Adao, Kolesar and Morales 2019)
    pl = placebo(y, design, _controls(f), region_cluster=f["region"].to_numpy(), n_draws=500, seed=1,
                 methods=("ehw", "akm0"))
    assert pl.rejection["ehw"] > 0.2
    assert abs(pl.rejection["akm0"] - 0.05) < 0.035
