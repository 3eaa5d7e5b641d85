"""Unit checks of the AKM engine: hand-computed toys, an independent
explicit-matrix implementation, statsmodels/linearmodels cross-checks,
collinear shares and invariances (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from i4districts.shiftshare import ShiftShareInputError, ivreg_ss, reg_ss, share_design
from i4districts.shiftshare.akm import _akm0_set

CV = stats.norm.ppf(0.975)


# ------------------------------------------------------------------ toy
def test_hand_computed_toy_identity_shares():
    """N = S = 4, W = I (each region is its own sector), Z = intercept.

    X = (1, -1, 2, -2) has mean 0, so ddX = X and RX = 1+1+4+4 = 10.
    y = (2, 0, 3, -5) has mean 0, so ddY = y; sum X y = 2+0+6+10 = 18, beta = 1.8.
    e = y - 1.8 X = (0.2, 1.8, -0.6, -1.4); sum e^2 = 5.6; n = 4, p = 2.
    homoskedastic: sqrt(5.6 / 2 / 10) = sqrt(0.28).
    u = X e = (0.2, -1.8, -1.2, 2.8); sum u^2 = 12.56.
    EHW: sqrt(4/2 * 12.56) / 10 = sqrt(25.12) / 10.
    region clusters {1,2}, {3,4}: U = (-1.6, 1.6), sum U^2 = 5.12, G = 2:
      sqrt(2/1 * 3/2 * 5.12) / 10 = sqrt(15.36) / 10.
    AKM with W = I: hXs = ddX, R_s = e_s, so SE = sqrt(12.56) / 10.
    AKM0 (beta0 = 0): R_s(0) = y_s, c = X y = (2, 0, 6, 10), sum c^2 = 140,
      se0 = sqrt(140) / 10; cW = X^2 = (1, 1, 4, 4), sum cW^2 = 34;
      Q = 100 / z^2 - 34 = 26.03 - 34 < 0, Q2 = sum(u cW) / Q = 4.8 / Q,
      dis = Q2^2 + 12.56 / Q = 0.363 - 1.576 < 0  ->  the real line.
    """
    X = np.array([1.0, -1.0, 2.0, -2.0])
    y = np.array([2.0, 0.0, 3.0, -5.0])
    design = share_design(np.eye(4))
    res = reg_ss(y, X, design, region_cluster=[1, 1, 2, 2], methods="all")
    assert res.estimate == pytest.approx(1.8)
    assert res.method("homoskedastic").std_error == pytest.approx(np.sqrt(0.28))
    assert res.method("ehw").std_error == pytest.approx(np.sqrt(25.12) / 10)
    assert res.method("cluster").std_error == pytest.approx(np.sqrt(15.36) / 10)
    assert res.method("akm").std_error == pytest.approx(np.sqrt(12.56) / 10)
    akm0 = res.method("akm0")
    assert akm0.p == pytest.approx(2 * stats.norm.sf(1.8 / (np.sqrt(140) / 10)))
    assert akm0.ci_type == "real_line" and akm0.std_error == np.inf
    assert akm0.ci_low == -np.inf and akm0.ci_high == np.inf
    # sector clusters {1,2},{3,4}: c summed per cluster = (-1.6, 1.6) -> sqrt(5.12)/10
    design_c = share_design(np.eye(4), sector_cluster=["a", "a", "b", "b"])
    res_c = reg_ss(y, X, design_c, methods=["akm"])
    assert res_c.method("akm").std_error == pytest.approx(np.sqrt(5.12) / 10)
    assert res_c.n_sector_clusters == 2
    # JSON: non-finite -> null, ci_type explains
    d = res.to_dict()["methods"]["akm0"]
    assert d["ci_low"] is None and d["std_error"] is None and d["ci_type"] == "real_line"


def test_akm0_set_three_shapes():
    """Hand numbers for the AKM0 inversion (AKM 2019, Remark 6), RX = 1.

    Interval: cW = 0, cR = 0.1: Q = 1/z^2, Q2 = 0, dis = 0.01 z^2, so
      beta ± 0.1 z and normalised SE = 0.1.
    Complement: cW = cR = 1: Q = 1/z^2 - 1 < 0, Q2 = 1/Q, dis = Q2^2 + 1/Q > 0.
    """
    lo, hi, kind, se = _akm0_set(0.5, 1.0, np.array([0.1]), np.array([0.0]), CV)
    assert kind == "interval"
    assert (lo, hi, se) == pytest.approx((0.5 - 0.1 * CV, 0.5 + 0.1 * CV, 0.1))
    Q = 1 / CV**2 - 1
    Q2 = 1 / Q
    dis = Q2**2 + 1 / Q
    assert dis > 0
    lo, hi, kind, se = _akm0_set(0.5, 1.0, np.array([1.0]), np.array([1.0]), CV)
    assert kind == "complement" and se == np.inf
    assert lo == pytest.approx(0.5 - Q2 + np.sqrt(dis))
    assert hi == pytest.approx(0.5 - Q2 - np.sqrt(dis))
    assert lo > hi


# ------------------------------------------------------- simulated designs
def _sim(seed=0, n=120, s=25, k=3, iv=False):
    rng = np.random.default_rng(seed)
    W = rng.dirichlet(np.full(s, 0.4), size=n) * rng.uniform(0.3, 1.0, size=(n, 1))
    Z = np.column_stack([np.ones(n), rng.normal(size=(n, k - 1))])
    xs = rng.normal(size=s)
    X = W @ xs
    eps = W @ rng.normal(size=s) + 0.3 * rng.normal(size=n)
    w = rng.uniform(0.5, 2.0, size=n)
    cl = rng.integers(0, 15, size=n)
    sc = rng.integers(0, 8, size=s)
    if iv:
        y2 = 0.8 * X + Z @ rng.normal(size=k) + 0.5 * eps + 0.2 * rng.normal(size=n)
        y1 = -0.5 * y2 + Z @ rng.normal(size=k) + eps
        return dict(W=W, Z=Z, X=X, y1=y1, y2=y2, w=w, cl=cl, sc=sc)
    y = 0.7 * X + Z @ rng.normal(size=k) + eps
    return dict(W=W, Z=Z, X=X, y=y, w=w, cl=cl, sc=sc)


def _explicit_akm(y, X, W, Z, w, sc, beta):
    """Independent textbook implementation with explicit projection matrices:
    M = I - Z (Z'ΩZ)^{-1} Z'Ω; hXs = (W'ΩW)^{-1} W'Ω M X; e = M y - beta M X;
    SE_AKM = sqrt(sum_k (sum_{s in k} hXs_s W_s'Ω e)^2) / (X'M'ΩMX)."""
    Om = np.diag(w)
    M = np.eye(len(y)) - Z @ np.linalg.inv(Z.T @ Om @ Z) @ Z.T @ Om
    ddx, ddy = M @ X, M @ y
    hxs = np.linalg.inv(W.T @ Om @ W) @ W.T @ Om @ ddx
    e = ddy - beta * ddx
    c = hxs * (W.T @ Om @ e)
    csum = np.array([c[sc == g].sum() for g in np.unique(sc)])
    return np.sqrt(np.sum(csum**2)) / (ddx @ Om @ ddx)


def test_akm_matches_explicit_matrix_formula():
    d = _sim(1)
    design = share_design(d["W"], d["w"], sector_cluster=d["sc"])
    res = reg_ss(d["y"], d["X"], design, d["Z"], weights=d["w"], methods=["akm"])
    ref = _explicit_akm(d["y"], d["X"], d["W"], d["Z"], d["w"], d["sc"], res.estimate)
    assert res.method("akm").std_error == pytest.approx(ref, rel=1e-10)
    # the explicit OLS coefficient
    A = np.column_stack([d["X"], d["Z"]]) * np.sqrt(d["w"])[:, None]
    b = np.linalg.lstsq(A, d["y"] * np.sqrt(d["w"]), rcond=None)[0]
    assert res.estimate == pytest.approx(b[0], rel=1e-10)


def test_ols_methods_match_statsmodels():
    sm = pytest.importorskip("statsmodels.api")
    d = _sim(2)
    design = share_design(d["W"], d["w"])
    res = reg_ss(d["y"], d["X"], design, d["Z"], weights=d["w"], region_cluster=d["cl"],
                 methods=["homoskedastic", "ehw", "cluster"])
    exog = np.column_stack([d["X"], d["Z"]])
    mod = sm.WLS(d["y"], exog, weights=d["w"])
    nonrobust = mod.fit()
    hc1 = mod.fit(cov_type="HC1")
    clu = mod.fit(cov_type="cluster", cov_kwds={"groups": d["cl"]})  # G/(G-1)(N-1)/(N-K)
    assert res.estimate == pytest.approx(nonrobust.params[0], rel=1e-10)
    assert res.method("homoskedastic").std_error == pytest.approx(nonrobust.bse[0], rel=1e-8)
    assert res.method("ehw").std_error == pytest.approx(hc1.bse[0], rel=1e-8)
    assert res.method("cluster").std_error == pytest.approx(clu.bse[0], rel=1e-8)


def test_iv_methods_match_linearmodels():
    lm = pytest.importorskip("linearmodels.iv")
    d = _sim(3, iv=True)
    design = share_design(d["W"], d["w"], sector_cluster=d["sc"])
    res = ivreg_ss(d["y1"], d["y2"], d["X"], design, d["Z"], weights=d["w"],
                   region_cluster=d["cl"], methods="all")
    m = lm.IV2SLS(d["y1"], d["Z"], d["y2"][:, None], d["X"][:, None], weights=d["w"])
    unadj = m.fit(cov_type="unadjusted", debiased=False)
    rob = m.fit(cov_type="robust", debiased=False)
    clu = m.fit(cov_type="clustered", clusters=d["cl"], debiased=False)
    j = list(unadj.params.index).index("endog")
    assert res.estimate == pytest.approx(unadj.params.iloc[j], rel=1e-10)
    assert res.method("homoskedastic").std_error == pytest.approx(unadj.std_errors.iloc[j], rel=1e-8)
    assert res.method("ehw").std_error == pytest.approx(rob.std_errors.iloc[j], rel=1e-8)
    assert res.method("cluster").std_error == pytest.approx(clu.std_errors.iloc[j], rel=1e-8)
    # IV AKM: explicit formula with the structural residual
    ref = _explicit_akm(d["y1"] - res.estimate * d["y2"], d["X"], d["W"], d["Z"], d["w"],
                        d["sc"], 0.0)
    # the explicit helper divides by X'MΩMX; IV divides by Y2'MΩMX
    Om = np.diag(d["w"])
    M = np.eye(len(d["X"])) - d["Z"] @ np.linalg.inv(d["Z"].T @ Om @ d["Z"]) @ d["Z"].T @ Om
    rxx_ratio = (M @ d["X"]) @ Om @ (M @ d["X"]) / ((M @ d["y2"]) @ Om @ (M @ d["X"]))
    assert res.method("akm").std_error == pytest.approx(abs(ref * rxx_ratio), rel=1e-9)


def test_identity_shares_akm_equals_hc0():
    """With W = I every region is a sector: AKM = EHW without n/(n-p)."""
    d = _sim(4)
    n = len(d["y"])
    design = share_design(np.eye(n), d["w"])
    res = reg_ss(d["y"], d["X"], design, d["Z"], weights=d["w"], methods=["ehw", "akm"])
    p = res.rank
    assert res.method("akm").std_error == pytest.approx(
        res.method("ehw").std_error * np.sqrt((n - p) / n), rel=1e-9)


# ------------------------------------------------------------- collinear
def test_collinear_sector_dropped_like_r():
    """A share column equal to the sum of two earlier ones is aliased (R's
    lm.wfit rule) and dropped; the estimate and every SE equal those of the
    share matrix without it; a sector with no shares is dropped too."""
    d = _sim(5)
    W = d["W"]
    W_col = np.column_stack([W, W[:, 0] + W[:, 1], np.zeros(len(W))])
    base = share_design(W, d["w"])
    coll = share_design(W_col, d["w"], sectors=[*range(W.shape[1]), "sum01", "empty"])
    assert coll.dropped_sectors == ("sum01", "empty")
    kw = dict(weights=d["w"], region_cluster=d["cl"], methods="all")
    r0 = reg_ss(d["y"], d["X"], base, d["Z"], **kw)
    r1 = reg_ss(d["y"], d["X"], coll, d["Z"], **kw)
    for m0, m1 in zip(r0.methods, r1.methods):
        assert m1.estimate == pytest.approx(m0.estimate, rel=1e-12)
        assert m1.std_error == pytest.approx(m0.std_error, rel=1e-8)
    assert r1.dropped_sectors == ("sum01", "empty")


def test_split_sector_is_invariant():
    """Splitting a sector into two proportional columns (a, 1-a) is collinear;
    after dropping the second, c_s is unchanged, so AKM is unchanged."""
    d = _sim(6)
    W = d["W"]
    Wsplit = np.column_stack([W[:, 1:], 0.3 * W[:, 0], 0.7 * W[:, 0]])
    r0 = reg_ss(d["y"], d["X"], share_design(W, d["w"]), d["Z"], weights=d["w"],
                methods=["akm", "akm0"])
    r1 = reg_ss(d["y"], d["X"], share_design(Wsplit, d["w"]), d["Z"], weights=d["w"],
                methods=["akm", "akm0"])
    assert len(r1.dropped_sectors) == 1
    for m0, m1 in zip(r0.methods, r1.methods):
        assert m1.std_error == pytest.approx(m0.std_error, rel=1e-8)


# ------------------------------------------------------------ properties
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.01, 100.0), shift=st.floats(-5, 5))
def test_invariances(seed, scale, shift):
    """Scaling y by c scales beta and every SE by |c|; adding a multiple of a
    control to y changes nothing; permuting sectors changes nothing."""
    d = _sim(seed, n=60, s=12)
    kw = dict(weights=d["w"], region_cluster=d["cl"], methods="all")
    design = share_design(d["W"], d["w"], sector_cluster=d["sc"])
    r0 = reg_ss(d["y"], d["X"], design, d["Z"], **kw)
    r1 = reg_ss(scale * d["y"], d["X"], design, d["Z"], **kw)
    r2 = reg_ss(d["y"] + shift * d["Z"][:, 1], d["X"], design, d["Z"], **kw)
    perm = np.random.default_rng(seed).permutation(d["W"].shape[1])
    r3 = reg_ss(d["y"], d["X"], share_design(d["W"][:, perm], d["w"],
                                             sector_cluster=d["sc"][perm]), d["Z"], **kw)
    assert r1.estimate == pytest.approx(scale * r0.estimate, rel=1e-7, abs=1e-12)
    for a, b, c, e in zip(r0.methods, r1.methods, r2.methods, r3.methods):
        if a.method == "akm0":
            continue  # beta0 = 0 is not scale-equivariant in the AKM0 set's shape
        assert b.std_error == pytest.approx(scale * a.std_error, rel=1e-7)
        assert c.std_error == pytest.approx(a.std_error, rel=1e-7)
        assert e.std_error == pytest.approx(a.std_error, rel=1e-7)
    assert r3.method("akm0").ci_low == pytest.approx(r0.method("akm0").ci_low, rel=1e-7)


# ----------------------------------------------------------------- errors
def test_bad_inputs_raise_clear_errors():
    d = _sim(7, n=30, s=6)
    design = share_design(d["W"])
    y = d["y"].copy()
    y[[3, 5]] = np.nan
    with pytest.raises(ShiftShareInputError, match=r"'y' has missing/non-finite values at rows: \[3, 5\]"):
        reg_ss(y, d["X"], design, d["Z"], methods=["ehw"])
    with pytest.raises(ShiftShareInputError, match=r"weights.*positive"):
        share_design(d["W"], -d["w"])
    with pytest.raises(ShiftShareInputError, match=r"region_cluster.*required"):
        reg_ss(d["y"], d["X"], design, d["Z"], methods=["cluster"])
    with pytest.raises(ShiftShareInputError, match=r"collinear with the controls"):
        reg_ss(d["y"], d["Z"][:, 1] * 2, design, d["Z"], methods=["ehw"])
    with pytest.raises(ShiftShareInputError, match=r"unknown.*'hc3'"):
        reg_ss(d["y"], d["X"], design, d["Z"], methods=["hc3"])
    with pytest.raises(ShiftShareInputError, match=r"differ from those used"):
        reg_ss(d["y"], d["X"], design, d["Z"], weights=d["w"], methods=["akm"])
    with pytest.raises(ValueError):  # ShiftShareInputError is a ValueError
        share_design(np.full((3, 2), np.nan))
