"""Pooled OLS, first/long differences, random effects, IV-2SLS against linearmodels and
statsmodels (rtol 1e-8 coefficients, 1e-6 standard errors), balanced and unbalanced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from linearmodels import FirstDifferenceOLS, PanelOLS, PooledOLS, RandomEffects
from linearmodels.iv import IV2SLS

from i4districts.estimation import ModelSpec, fit
from i4districts.estimation.simulate import simulate_panel

RB, RS = 1e-8, 1e-6


@pytest.fixture(params=["balanced", "unbalanced"])
def panel(request):
    drop = 0.0 if request.param == "balanced" else 0.15
    return simulate_panel(70, 7, n_clusters=15, cluster_sd=0.4, drop_share=drop, seed=5)


def _spec(**kw):
    base = {"outcome": "y", "regressors": ["x", "z"], "entity": "geo", "time": "year"}
    base.update(kw)
    return ModelSpec.from_dict(base)


def _lsdv(df, effects=("geo", "year")):
    """Least-squares dummy variables design (reference for FE models in statsmodels)."""
    dummies = [pd.get_dummies(df[effects[0]], dtype=float)]
    for e in effects[1:]:
        dummies.append(pd.get_dummies(df[e], prefix=e, drop_first=True, dtype=float))
    return pd.concat([df[["x", "z"]], *dummies], axis=1)


def test_pooled_vs_linearmodels_and_statsmodels(panel):
    p = panel.set_index(["geo", "year"])
    res = fit(panel, _spec(cov={"type": "clustered", "cluster": ["geo"], "correction": "linearmodels"}))
    lm = PooledOLS(p.y, sm.add_constant(p[["x", "z"]])).fit(cov_type="clustered", cluster_entity=True)
    np.testing.assert_allclose(res.params.values, lm.params.values, rtol=RB)
    np.testing.assert_allclose(res.std_errors.values, lm.std_errors.values, rtol=RS)
    assert list(res.params.index) == ["const", "x", "z"]
    X = sm.add_constant(panel[["x", "z"]])
    for ours, sm_kw in [
        ({"type": "homoskedastic"}, {}),
        ({"type": "robust"}, {"cov_type": "HC1"}),
        ({"type": "robust", "correction": "none"}, {"cov_type": "HC0"}),
        ({"type": "clustered", "cluster": "cluster", "correction": "cr1"},
         {"cov_type": "cluster", "cov_kwds": {"groups": pd.factorize(panel.cluster)[0]}}),
    ]:
        r = fit(panel, _spec(cov=ours))
        s = sm.OLS(panel.y, X).fit(**sm_kw)
        np.testing.assert_allclose(r.params.values, s.params.values, rtol=RB)
        np.testing.assert_allclose(r.std_errors.values, s.bse.values, rtol=RS)
        np.testing.assert_allclose(r.r2, s.rsquared, rtol=1e-10)


def test_within_cr1_hc1_vs_statsmodels_lsdv(panel):
    X = _lsdv(panel)
    groups = pd.factorize(panel.cluster)[0]
    for ours, sm_kw in [
        ({"type": "homoskedastic"}, {}),
        ({"type": "robust"}, {"cov_type": "HC1"}),
        ({"type": "clustered", "cluster": "cluster", "correction": "cr1"}, {"cov_type": "cluster", "cov_kwds": {"groups": groups}}),
    ]:
        r = fit(panel, _spec(effects=["entity", "time"], drop_singletons=False, cov=ours))
        s = sm.OLS(panel.y, X).fit(**sm_kw)
        np.testing.assert_allclose(r.params.values, s.params[["x", "z"]].values, rtol=RB)
        np.testing.assert_allclose(r.std_errors.values, s.bse[["x", "z"]].values, rtol=RS)
        np.testing.assert_allclose(r.r2, s.rsquared, rtol=1e-9)


def test_weighted_within_vs_statsmodels_wls(panel):
    X = _lsdv(panel)
    r = fit(panel, _spec(effects=["entity", "time"], weights="w", drop_singletons=False, cov={"type": "robust"}))
    s = sm.WLS(panel.y, X, weights=panel.w).fit(cov_type="HC1")
    np.testing.assert_allclose(r.params.values, s.params[["x", "z"]].values, rtol=RB)
    np.testing.assert_allclose(r.std_errors.values, s.bse[["x", "z"]].values, rtol=RS)


@pytest.mark.parametrize("cov,lm_kw", [
    ({"type": "homoskedastic", "correction": "linearmodels"}, {}),
    ({"type": "robust", "correction": "linearmodels"}, {"cov_type": "robust"}),
    ({"type": "clustered", "cluster": "geo", "correction": "linearmodels"}, {"cov_type": "clustered", "cluster_entity": True}),
])
def test_first_difference_vs_linearmodels(panel, cov, lm_kw):
    p = panel.set_index(["geo", "year"])
    lm = FirstDifferenceOLS(p.y, p[["x", "z"]]).fit(**lm_kw)
    res = fit(panel, _spec(estimator="first_difference", cov=cov))
    assert res.nobs == lm.nobs
    np.testing.assert_allclose(res.params.values, lm.params.values, rtol=RB)
    np.testing.assert_allclose(res.std_errors.values, lm.std_errors.values, rtol=RS)


def test_long_difference_vs_statsmodels(panel):
    res = fit(panel, _spec(estimator="long_difference", long_difference={"start": 2000, "end": 2006},
                           cov={"type": "robust"}))
    a = panel[panel.year == 2000].set_index("geo")[["y", "x", "z"]]
    b = panel[panel.year == 2006].set_index("geo")[["y", "x", "z"]]
    d = (b - a).dropna()
    s = sm.OLS(d.y, sm.add_constant(d[["x", "z"]])).fit(cov_type="HC1")
    np.testing.assert_allclose(res.params.values, s.params.values, rtol=RB)
    np.testing.assert_allclose(res.std_errors.values, s.bse.values, rtol=RS)
    assert res.nobs == len(d)
    assert res.dropped["differencing"] == len(a.index.union(b.index)) - len(d)


@pytest.mark.parametrize("cov,lm_kw", [
    ({"type": "homoskedastic", "correction": "linearmodels"}, {}),
    ({"type": "robust", "correction": "linearmodels"}, {"cov_type": "robust"}),
    ({"type": "clustered", "cluster": "geo", "correction": "linearmodels"}, {"cov_type": "clustered", "cluster_entity": True}),
])
def test_random_effects_vs_linearmodels(panel, cov, lm_kw):
    p = panel.set_index(["geo", "year"])
    lm = RandomEffects(p.y, sm.add_constant(p[["x", "z"]])).fit(**lm_kw)
    res = fit(panel, _spec(estimator="random_effects", cov=cov))
    np.testing.assert_allclose(res.params.values, lm.params.values, rtol=RB)
    np.testing.assert_allclose(res.std_errors.values, lm.std_errors.values, rtol=RS)
    np.testing.assert_allclose(res.extra["sigma2_u"], lm.variance_decomposition["Effects"], rtol=1e-8)
    np.testing.assert_allclose(res.extra["sigma2_e"], lm.variance_decomposition["Residual"], rtol=1e-8)


def test_hausman_against_hand_formula(panel):
    """H = d'(V_FE - V_RE)^-1 d from linearmodels' FE and RE fits (classical covariances)."""
    p = panel.set_index(["geo", "year"])
    fe = PanelOLS(p.y, p[["x", "z"]], entity_effects=True).fit()
    re = RandomEffects(p.y, sm.add_constant(p[["x", "z"]])).fit()
    d = fe.params.values - re.params[["x", "z"]].values
    vd = fe.cov.values - re.cov.loc[["x", "z"], ["x", "z"]].values
    expected = float(d @ np.linalg.solve(vd, d))
    res = fit(panel, _spec(estimator="random_effects", cov={"type": "homoskedastic"}))
    h = res.extra["hausman"]
    np.testing.assert_allclose(h["statistic"], expected, rtol=1e-8)
    assert h["df"] == 2 and h["terms"] == ["x", "z"]
    # x is built correlated with the entity effect: the test rejects random effects
    assert h["p"] < 0.01


def _iv_panel(seed=3, drop=0.0):
    df = simulate_panel(60, 6, n_clusters=12, cluster_sd=0.3, drop_share=drop, seed=seed)
    rng = np.random.default_rng(seed)
    v = rng.normal(size=len(df))
    df["inst"] = rng.normal(size=len(df))
    df["inst2"] = rng.normal(size=len(df))
    df["endo"] = 0.8 * df.inst + 0.3 * df.inst2 + v + 0.3 * df.x
    df["y"] = df.y + 0.7 * df.endo + 0.8 * v
    return df


@pytest.mark.parametrize("drop", [0.0, 0.15])
@pytest.mark.parametrize("cov,lm_kw", [
    ({"type": "robust", "correction": "dof"}, {"cov_type": "robust", "debiased": True}),
    ({"type": "clustered", "cluster": "cluster", "correction": "cr1"},
     {"cov_type": "clustered", "debiased": True}),
    ({"type": "homoskedastic"}, {"cov_type": "unadjusted", "debiased": True}),
])
def test_iv_2sls_fixed_effects_vs_linearmodels(drop, cov, lm_kw):
    df = _iv_panel(drop=drop)
    exog = _lsdv(df)
    if lm_kw["cov_type"] == "clustered":
        lm_kw = {**lm_kw, "clusters": pd.Series(pd.factorize(df.cluster)[0], index=df.index)}
    lm = IV2SLS(df.y, exog, df[["endo"]], df[["inst", "inst2"]]).fit(**lm_kw)
    res = fit(df, _spec(effects=["entity", "time"], endogenous=["endo"], instruments=["inst", "inst2"],
                        drop_singletons=False, cov=cov))
    names = ["x", "z", "endo"]
    np.testing.assert_allclose(res.params.values, lm.params[names].values, rtol=RB)
    np.testing.assert_allclose(res.std_errors.values, lm.std_errors[names].values, rtol=RS)
    stage = res.first_stage["stages"][0]
    diag = lm.first_stage.diagnostics
    np.testing.assert_allclose(stage["partial_r2"], diag.loc["endo", "partial.rsquared"], rtol=1e-8)
    if lm_kw["cov_type"] != "unadjusted":
        # linearmodels' f.stat is the Wald statistic with the model covariance
        np.testing.assert_allclose(stage["wald"], diag.loc["endo", "f.stat"], rtol=1e-6)
        np.testing.assert_allclose(res.first_stage_f, diag.loc["endo", "f.stat"] / 2, rtol=1e-6)


def test_iv_pooled_vs_linearmodels():
    df = _iv_panel(seed=9)
    lm = IV2SLS(df.y, sm.add_constant(df[["x", "z"]]), df[["endo"]], df[["inst"]]).fit(cov_type="robust", debiased=True)
    res = fit(df, _spec(endogenous=["endo"], instruments=["inst"], cov={"type": "robust"}))
    np.testing.assert_allclose(res.params.values, lm.params.values, rtol=RB)
    np.testing.assert_allclose(res.std_errors.values, lm.std_errors.values, rtol=RS)
