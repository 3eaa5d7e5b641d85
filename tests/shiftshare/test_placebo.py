"""Placebo shift-share regressions (AKM 2019, Section II), vectorised over draws.

References: (1) refitting draws one by one with ``reg_ss`` (every method, 1e-10);
(2) Monte Carlo: with a true zero effect and residuals correlated across regions
with similar shares, AKM0 rejects at ~5% and region-clustered errors over-reject
(AKM 2019, Table I).
"""

from __future__ import annotations

import numpy as np
import pytest

from i4districts.shiftshare import ShiftShareSpec, reg_ss, share_design
from i4districts.shiftshare.design import control_matrix
from i4districts.shiftshare.errors import ShiftShareInputError
from i4districts.shiftshare.placebo import draw_placebo_shifts, placebo, placebo_shiftshare

FULL = ["t2", "l_shind_manuf_cbp", "l_sh_popedu_c", "l_sh_popfborn", "l_sh_empl_f",
        "l_sh_routine33", "l_task_outsource", "division"]


def _sim(n=300, k=40, conc=0.3, seed=0, collinear=False):
    rng = np.random.default_rng(seed)
    S = rng.dirichlet(np.full(k, conc), n) * rng.uniform(0.3, 0.9, n)[:, None]
    if collinear:
        S[:, -1] = S[:, 0] + S[:, 1]
    y = 3 * S @ (2 * rng.standard_normal(k)) + rng.standard_normal(n)  # sector-driven residuals
    Z = np.column_stack([np.ones(n), rng.standard_normal(n)])
    return S, y, Z, np.arange(n) // 10, rng.uniform(0.5, 2, n)


def _check_refit(pr, y, design, Z, w, rc, draws):
    for j in draws:
        res = reg_ss(y, design.W @ pr.shifts[:, j], design, Z, weights=w, region_cluster=rc)
        assert res.estimate == pytest.approx(pr.estimates[j], rel=1e-10)
        for m in res.methods:
            if m.method != "akm0":
                assert m.std_error == pytest.approx(pr.std_error[m.method][j], rel=1e-10), m.method
            assert m.p == pytest.approx(pr.p[m.method][j], rel=1e-8, abs=1e-13), m.method


def test_vectorised_equals_refit_simulated_weighted_clustered():
    S, y, Z, rc, w = _sim(k=30, seed=3)
    sc = np.arange(30) // 3
    d = share_design(S, w, sector_cluster=sc)
    pr = placebo(y, d, Z, weights=w, region_cluster=rc, n_draws=50, seed=1, methods="all")
    _check_refit(pr, y, d, Z, w, rc, [0, 7, 49])


def test_vectorised_equals_refit_with_collinear_sector():
    S, y, Z, rc, _ = _sim(k=20, seed=5, collinear=True)
    d = share_design(S)
    assert len(d.dropped_sectors) == 1
    pr = placebo(y, d, Z, region_cluster=rc, n_draws=20, seed=2, methods="all")
    _check_refit(pr, y, d, Z, None, rc, [0, 19])


def test_vectorised_equals_refit_adh(adh_regions, adh_design):
    r = adh_regions
    Z, _ = control_matrix(r, FULL)
    w, rc = r["weights"].to_numpy(), r["statefip"].to_numpy()
    y = r["d_sh_empl"].to_numpy()
    pr = placebo(y, adh_design, Z, weights=w, region_cluster=rc, n_draws=30, seed=7, methods="all")
    _check_refit(pr, y, adh_design, Z, w, rc, [0, 29])


def test_monte_carlo_rejection_rates():
    """True effect zero, concentrated shares, sector-driven residuals (R = 2000 draws)."""
    S, y, Z, rc, _ = _sim(k=40, conc=0.3, seed=0)
    pr = placebo(y, share_design(S), Z, region_cluster=rc, n_draws=2000, seed=11, methods="all")
    rej = pr.rejection
    band = 3 * np.sqrt(0.05 * 0.95 / 2000)  # 3 MC standard errors
    assert abs(rej["akm0"] - 0.05) <= band, rej
    assert rej["akm"] < 0.12, rej                       # AKM: mild finite-K over-rejection
    assert rej["cluster"] > 0.2 and rej["ehw"] > 0.2, rej  # the over-rejection AKM document
    assert rej["cluster"] > 2 * rej["akm"]
    t = pr.table()
    assert list(t["method"]) == ["homoskedastic", "ehw", "cluster", "akm", "akm0"]
    assert (t["n_draws"] == 2000).all()


def test_draws_scale_and_cluster_correlation():
    G = draw_placebo_shifts(200, 4000, seed=1, scale=2.0, sector_cluster=np.arange(200) // 2,
                            cluster_corr=0.5)
    assert G.std() == pytest.approx(2.0, rel=0.02)
    c = np.corrcoef(G[0], G[1])[0, 1], np.corrcoef(G[1], G[2])[0, 1]
    assert c[0] == pytest.approx(0.5, abs=0.05) and abs(c[1]) < 0.05
    S, y, Z, rc, _ = _sim(k=20, seed=1)
    d = share_design(S, sector_cluster=np.arange(20) // 4)
    a = placebo(y, d, Z, n_draws=40, seed=3, scale="actual", shifts=np.linspace(0, 10, 20),
                methods=["ehw", "akm"], cluster_corr=0.3)
    b = placebo(y, d, Z, draws=a.shifts / 7.0, methods=["ehw", "akm"])
    np.testing.assert_allclose(a.t("akm"), b.t("akm"), rtol=1e-10)  # scale-free t
    with pytest.raises(ShiftShareInputError, match="region_cluster"):
        placebo(y, d, Z, n_draws=5, methods=["cluster"])
    with pytest.raises(ShiftShareInputError, match="weights"):
        placebo(y, d, Z, weights=np.full(len(y), 2.0), n_draws=5, methods=["ehw"])


def test_placebo_from_spec_adh(adh_regions, adh_shares, adh_spec_kwargs):
    spec = ShiftShareSpec(outcome="d_sh_empl", regressor="IV", model_id="adh_rf", methods=("ehw", "cluster", "akm", "akm0"),
                          **adh_spec_kwargs)
    pr = placebo_shiftshare(adh_regions, adh_shares, spec, n_draws=300, seed=5)
    rej = pr.rejection
    assert pr.model_id == "adh_rf" and pr.shifts.shape == (770, 300)
    # AKM 2019 (Table I, ADH design): EHW/cluster over-reject heavily, AKM/AKM0 near nominal
    assert rej["ehw"] > 0.2 and rej["cluster"] > 0.15
    assert rej["akm"] < 0.12 and rej["akm0"] < 0.1
