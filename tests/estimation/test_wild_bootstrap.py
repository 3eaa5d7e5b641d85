"""Wild cluster bootstrap (WCR) of within/pooled OLS models against independent references.

References: (1) a brute-force refit of every bootstrap sample (lstsq + CRV1 by
cluster sums, no algebraic shortcut) over the exact enumeration of all 2^G
Rademacher vectors; (2) the PyPI package ``wildboottest`` (Monte Carlo, B=9999).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

import i4districts as i4d
from i4districts.errors import SpecError
from i4districts.estimation.bootstrap import (
    bootstrap_data,
    wcr_test,
    wild_cluster_bootstrap,
)


def _panel(n_regions=60, n_years=6, n_clusters=10, seed=0, effect=0.0):
    rng = np.random.default_rng(seed)
    reg = np.repeat(np.arange(n_regions), n_years)
    year = np.tile(np.arange(2000, 2000 + n_years), n_regions)
    cl = reg % n_clusters
    cshock = rng.standard_normal(n_clusters)
    x = rng.standard_normal(len(reg)) + 0.5 * cshock[cl]
    z = rng.standard_normal(len(reg))
    u = rng.standard_normal(len(reg)) + rng.standard_normal(n_clusters)[cl] * 0.8
    y = 1.0 + effect * x + 0.5 * z + 0.3 * reg / n_regions + 0.1 * (year - 2000) + u
    return pd.DataFrame({"region": [f"R{r:03d}" for r in reg], "year": year, "cl": cl, "x": x, "z": z,
                         "y": y, "w": rng.uniform(0.5, 2.0, len(reg))})


def _brute_force(y, X, cluster, j, beta0):
    """Exact WCR p-value by refitting every one of the 2^G Rademacher samples."""
    codes = pd.factorize(cluster, sort=True)[0]
    G = codes.max() + 1
    n, k = X.shape
    ssc = G / (G - 1) * (n - 1) / (n - k)

    def tstat(yy, b0):
        b = np.linalg.lstsq(X, yy, rcond=None)[0]
        e = yy - X @ b
        A = np.linalg.inv(X.T @ X)
        meat = np.zeros((k, k))
        for g in range(G):
            s = X[codes == g].T @ e[codes == g]
            meat += np.outer(s, s)
        V = ssc * A @ meat @ A
        return (b[j] - b0) / np.sqrt(V[j, j])

    t = tstat(y, beta0)
    others = [c for c in range(k) if c != j]
    y0 = y - beta0 * X[:, j]
    gam = np.linalg.lstsq(X[:, others], y0, rcond=None)[0]
    fitted = X[:, others] @ gam + beta0 * X[:, j]
    u = y0 - X[:, others] @ gam
    tb = np.array([tstat(fitted + u * np.asarray(v)[codes], beta0)
                   for v in itertools.product([-1.0, 1.0], repeat=G)])
    return t, tb


@pytest.fixture(scope="module")
def panel():
    return _panel()


def _fit(df, fml="y ~ x + z | region + year", **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # few-clusters warning
        return i4d.feols(fml, df, vcov={"CRV1": "cl"}, **kw)


def test_bootstrap_data_reproduce_the_engine(panel):
    for kw in ({}, {"weights": "w"}):
        fe = _fit(panel, **kw)
        d = bootstrap_data(fe)
        np.testing.assert_allclose(d.params, fe.params[list(d.names)].to_numpy(), rtol=1e-9)
        assert d.n_clusters == 10 and d.names == ("x", "z")
    pooled = _fit(panel, "y ~ x + z")
    assert bootstrap_data(pooled).names == ("const", "x", "z")


@pytest.mark.parametrize("beta0", [0.0, 0.1])
def test_numpy_wcr_equals_brute_force_enumeration(panel, beta0):
    d = bootstrap_data(_fit(panel, weights="w"))
    t_ref, tb_ref = _brute_force(d.y, d.X, d.cluster, 0, beta0)
    out = wcr_test(d.y, d.X, d.cluster, 0, beta0=beta0, B=9999)
    assert out["full_enumeration"] and out["B"] == 1024
    assert out["t"] == pytest.approx(t_ref, rel=1e-10)
    # same enumeration order (itertools.product): every t* equal
    np.testing.assert_allclose(out["t_boot"], tb_ref, rtol=1e-9, atol=1e-12)
    p_ref = np.mean(np.abs(tb_ref) > abs(t_ref) * (1 + 1e-9))
    assert out["p"] == p_ref


def test_enumerated_p_value_matches_wildboottest(panel):
    fe = _fit(panel)
    a = wild_cluster_bootstrap(fe, "x", engine="numpy", ci=False)
    b = wild_cluster_bootstrap(fe, "x", engine="wildboottest", ci=False)
    assert a.full_enumeration and b.full_enumeration and a.B == b.B == 1024
    assert a.t_stat == pytest.approx(b.t_stat, rel=1e-10)
    # identical draws; wildboottest may count the two exact ties v = ±1
    assert 0 <= b.p_value - a.p_value <= 2 / 1024 + 1e-12


def test_monte_carlo_p_values_and_ci_match_wildboottest():
    """G = 30 clusters (no enumeration), B = 9999, different seeds: p within 0.02."""
    df = _panel(n_regions=90, n_years=5, n_clusters=30, seed=4, effect=0.08)
    fe = _fit(df, weights="w")
    for param in ("x", "z"):
        for wt in ("rademacher", "webb"):
            a = wild_cluster_bootstrap(fe, param, engine="numpy", weights_type=wt, seed=1, ci=False)
            b = wild_cluster_bootstrap(fe, param, engine="wildboottest", weights_type=wt, seed=2, ci=False)
            assert not a.full_enumeration and a.B == 9999
            assert abs(a.p_value - b.p_value) <= 0.02, (param, wt, a.p_value, b.p_value)


def test_same_seed_same_draws_identical_p_and_ci():
    """Both engines draw Rademacher weights with the same generator calls: with the same seed
    the draws are identical, so p-values and test-inversion intervals coincide."""
    fe = _fit(_panel(n_regions=90, n_years=5, n_clusters=30, seed=4, effect=0.08), weights="w")
    a = wild_cluster_bootstrap(fe, "x", engine="numpy", seed=1, B=1999)
    b = wild_cluster_bootstrap(fe, "x", engine="wildboottest", seed=1, B=1999)
    assert a.p_value == b.p_value
    assert a.ci_low < a.estimate < a.ci_high
    assert a.ci_low == pytest.approx(b.ci_low, rel=1e-9) and a.ci_high == pytest.approx(b.ci_high, rel=1e-9)


def test_ci_is_test_inversion(panel):
    fe = _fit(panel)
    r = wild_cluster_bootstrap(fe, "z", engine="numpy")
    d = bootstrap_data(fe)
    eps = 1e-3 * fe.se()["z"]
    p_in = wcr_test(d.y, d.X, d.cluster, 1, beta0=r.ci_low + eps)["p"]
    p_out = wcr_test(d.y, d.X, d.cluster, 1, beta0=r.ci_low - eps)["p"]
    assert p_in >= 0.05 > p_out
    assert r.ci_low < r.estimate < r.ci_high


def test_size_under_the_null_is_near_nominal():
    """20 panels with a true zero effect of x and 12 clusters: WCR rejects rarely."""
    rej = 0
    for s in range(20):
        fe = _fit(_panel(n_regions=36, n_years=4, n_clusters=12, seed=100 + s))
        rej += wild_cluster_bootstrap(fe, "x", engine="numpy", ci=False).p_value < 0.05
    assert rej <= 4  # Binomial(20, 0.05): P(X > 4) < 0.003


def test_errors(panel):
    fe = _fit(panel)
    with pytest.raises(SpecError, match="not a coefficient"):
        wild_cluster_bootstrap(fe, "nope", engine="numpy")
    with pytest.raises(SpecError, match="weights_type"):
        wild_cluster_bootstrap(fe, "x", engine="numpy", weights_type="mammen")
    iv = i4d.feols("y ~ z | region + year | x ~ w", panel, vcov={"CRV1": "region"})
    with pytest.raises(SpecError, match="IV"):
        wild_cluster_bootstrap(iv, "x", engine="numpy")
    two = i4d.feols("y ~ x + z | region + year", panel, vcov={"CRV1": "region+year"})
    with pytest.raises(SpecError, match="one bootstrap cluster"):
        wild_cluster_bootstrap(two, "x", engine="numpy")
    assert wild_cluster_bootstrap(two, "x", engine="numpy", cluster="region", ci=False).n_clusters == 60
