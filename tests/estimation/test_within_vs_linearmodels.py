"""Within (two-way FE) estimator and every covariance against linearmodels PanelOLS.

Correction mapping (see i4districts.estimation.covariance):
* ours ``linearmodels`` == PanelOLS ``fit(debiased=True)`` (its default): c = n/(n-k-d),
  d = effects counted as PanelOLS does (0 for one effect nested in the clusters).
* ours ``cr1`` two-way clusters == PanelOLS ``group_debias=True, debiased=True``.
* ours ``none`` == PanelOLS ``debiased=False`` with ``count_effects=False``.
"""

from __future__ import annotations

import numpy as np
import pytest
from linearmodels import PanelOLS

from i4districts.estimation import ModelSpec, fit
from i4districts.estimation.simulate import simulate_panel

RTOL_B, RTOL_SE = 1e-10, 1e-8


def _spec(**kw):
    base = {"outcome": "y", "regressors": ["x", "z"], "entity": "geo", "time": "year",
            "effects": ["entity", "time"], "drop_singletons": False}
    base.update(kw)
    return ModelSpec.from_dict(base)


@pytest.fixture(params=["balanced", "unbalanced"])
def panel(request):
    drop = 0.0 if request.param == "balanced" else 0.2
    return simulate_panel(80, 9, n_clusters=20, cluster_sd=0.5, drop_share=drop, seed=11)


def _lm(df, entity=True, time=True, weights=False):
    p = df.set_index(["geo", "year"])
    return PanelOLS(p.y, p[["x", "z"]], entity_effects=entity, time_effects=time,
                    weights=p.w if weights else None), p


def test_milestone_clustered_entity(panel):
    """First milestone: two-way FE, clustered by entity, linearmodels' default correction."""
    res = fit(panel, _spec(cov={"type": "clustered", "cluster": ["geo"], "correction": "linearmodels"}))
    mod, _ = _lm(panel)
    lm = mod.fit(cov_type="clustered", cluster_entity=True)
    np.testing.assert_allclose(res.params.values, lm.params.values, rtol=RTOL_B)
    np.testing.assert_allclose(res.std_errors.values, lm.std_errors.values, rtol=RTOL_SE)
    assert res.nobs == lm.nobs and res.n_entities == lm.entity_info["total"]
    assert res.n_clusters == panel.geo.nunique()
    np.testing.assert_allclose(res.r2_within, lm.rsquared, rtol=1e-10)
    assert res.estimator == "within" and res.cov_type == "clustered" and res.cov_correction == "linearmodels"
    cols = list(res.coefficients.columns)
    assert cols == ["term", "estimate", "std_error", "t", "p", "ci_low", "ci_high"]


@pytest.mark.parametrize("cov_type,lm_kw,ours", [
    ("homoskedastic", {"cov_type": "unadjusted"}, {}),
    ("robust", {"cov_type": "robust"}, {}),
    ("clustered", {"cov_type": "clustered", "cluster_entity": True}, {"cluster": ["geo"]}),
    ("clustered", {"cov_type": "clustered", "cluster_entity": True, "cluster_time": True}, {"cluster": ["geo", "year"]}),
    ("driscoll_kraay", {"cov_type": "kernel", "bandwidth": 3}, {"bandwidth": 3}),
    ("driscoll_kraay", {"cov_type": "kernel"}, {}),
])
def test_covariances_linearmodels_correction(panel, cov_type, lm_kw, ours):
    res = fit(panel, _spec(cov={"type": cov_type, "correction": "linearmodels", **ours}))
    mod, _ = _lm(panel)
    lm = mod.fit(**lm_kw)
    np.testing.assert_allclose(res.params.values, lm.params.values, rtol=RTOL_B)
    np.testing.assert_allclose(res.std_errors.values, lm.std_errors.values, rtol=RTOL_SE)
    np.testing.assert_allclose(res.cov.values, lm.cov.values, rtol=1e-7, atol=1e-14)


def test_dof_equals_linearmodels_when_connected(panel):
    """'dof' (exact FE rank) equals linearmodels' naive count on a connected panel."""
    res = fit(panel, _spec(cov={"type": "robust", "correction": "dof"}))
    lm = _lm(panel)[0].fit(cov_type="robust")
    np.testing.assert_allclose(res.std_errors.values, lm.std_errors.values, rtol=RTOL_SE)
    assert res.df_fe == panel.geo.nunique() + panel.year.nunique() - 1


def test_two_way_cluster_cr1_is_group_debias(panel):
    res = fit(panel, _spec(cov={"type": "clustered", "cluster": ["cluster", "year"], "correction": "cr1"}))
    mod, p = _lm(panel)
    clus = p[["cluster"]].copy()
    clus["cluster"] = clus["cluster"].astype("category").cat.codes
    clus["year"] = p.index.get_level_values("year")
    lm = mod.fit(cov_type="clustered", clusters=clus, group_debias=True, debiased=True)
    np.testing.assert_allclose(res.std_errors.values, lm.std_errors.values, rtol=RTOL_SE)
    assert res.n_clusters_by_dim == (panel.cluster.nunique(), panel.year.nunique())


def test_no_correction(panel):
    res = fit(panel, _spec(cov={"type": "clustered", "cluster": ["cluster"], "correction": "none"}))
    mod, p = _lm(panel)
    lm = mod.fit(cov_type="clustered", clusters=p.cluster.astype("category").cat.codes, debiased=False,
                 auto_df=False, count_effects=False)
    np.testing.assert_allclose(res.std_errors.values, lm.std_errors.values, rtol=RTOL_SE)


def test_one_way_nested_effect_not_counted(panel):
    """Entity effects only, clustered by entity: linearmodels does not count the effects."""
    res = fit(panel, _spec(effects=["entity"], cov={"type": "clustered", "cluster": ["geo"], "correction": "linearmodels"}))
    lm = _lm(panel, time=False)[0].fit(cov_type="clustered", cluster_entity=True)
    np.testing.assert_allclose(res.params.values, lm.params.values, rtol=RTOL_B)
    np.testing.assert_allclose(res.std_errors.values, lm.std_errors.values, rtol=RTOL_SE)


def test_weighted_two_way(panel):
    res = fit(panel, _spec(weights="w", cov={"type": "clustered", "cluster": ["geo"], "correction": "linearmodels"}))
    lm = _lm(panel, weights=True)[0].fit(cov_type="clustered", cluster_entity=True)
    np.testing.assert_allclose(res.params.values, lm.params.values, rtol=1e-9)
    np.testing.assert_allclose(res.std_errors.values, lm.std_errors.values, rtol=1e-7)


def test_iterative_demeaning_matches(panel):
    exact = fit(panel, _spec(cov={"type": "robust"}))
    it = fit(panel, _spec(cov={"type": "robust"}, demean={"method": "iterative", "tol": 1e-13}))
    assert it.demean_algorithm == "iterative"
    np.testing.assert_allclose(it.params.values, exact.params.values, rtol=1e-9)
    np.testing.assert_allclose(it.std_errors.values, exact.std_errors.values, rtol=1e-8)
