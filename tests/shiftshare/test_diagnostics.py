"""Design diagnostics: Rotemberg weights (GPSS 2020), shock-level regression (BHJ 2022),
first-stage strength and pre-trend checks, against independent references.

ADH: the shifts are recovered from the published instrument by least squares on the
770-column share matrix (``IV ≈ S g``, max residual 3e-5, the rounding of the file);
the Bartik instrument is then ``S g`` and both decompositions must reproduce
``ivreg_ss`` with that instrument to 1e-10.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from i4districts.shiftshare import ShiftShareSpec, fit_shiftshare, ivreg_ss, reg_ss, share_design
from i4districts.shiftshare.design import control_matrix
from i4districts.shiftshare.diagnostics import (
    effective_shocks,
    first_stage_strength,
    pretrend_check,
    rotemberg_weights,
    shiftshare_diagnostics,
    shifts_vector,
    shock_level,
)

FULL = ["t2", "l_shind_manuf_cbp", "l_sh_popedu_c", "l_sh_popfborn", "l_sh_empl_f",
        "l_sh_routine33", "l_task_outsource", "division"]


@pytest.fixture(scope="module")
def adh(adh_regions, adh_W):
    S, labels, _ = adh_W
    r = adh_regions
    g = np.linalg.lstsq(S, r["IV"].to_numpy(), rcond=None)[0]
    Z, _ = control_matrix(r, FULL)
    return dict(S=S, labels=labels, g=g, Z=Z, w=r["weights"].to_numpy(), y=r["d_sh_empl"].to_numpy(),
                x=r["shock"].to_numpy())


def _rel(a, b):
    return abs(a - b) / abs(b)


def test_rotemberg_adh_reproduces_bartik_iv(adh, adh_regions):
    a = adh
    design = share_design(a["S"], a["w"], sectors=a["labels"])
    iv = ivreg_ss(a["y"], a["x"], a["S"] @ a["g"], design, a["Z"], weights=a["w"], methods=["ehw"])
    rw = rotemberg_weights(a["y"], a["x"], a["S"], a["g"], a["Z"], weights=a["w"], sectors=a["labels"])
    t = rw.table
    assert abs(t["alpha"].sum() - 1) < 1e-10
    assert _rel((t["alpha"] * t["beta"]).sum(), iv.estimate) < 1e-10
    assert _rel(rw.estimate, iv.estimate) < 1e-10
    # ... and the published instrument (rounded in the file) to 1e-6
    iv0 = ivreg_ss(a["y"], a["x"], adh_regions["IV"], design, a["Z"], weights=a["w"], methods=["ehw"])
    assert _rel(rw.estimate, iv0.estimate) < 1e-6
    assert list(t.columns[:2]) == ["period", "sector"] and len(t) == 770
    # GPSS (2020) Table 2: computers (SIC 3571) and games & toys (3944) carry the largest weights
    top = set(rw.by_sector().sort_values("alpha", ascending=False)["sector"].head(5))
    assert {3571, 3944} <= top
    assert (t["first_stage_f"].dropna() >= 0).all()


def test_rotemberg_simulated_with_reference_per_sector_iv():
    rng = np.random.default_rng(0)
    n, k = 200, 8
    S = rng.dirichlet(np.ones(k), n) * 0.8
    g = rng.standard_normal(k)
    Z = np.column_stack([np.ones(n), rng.standard_normal(n)])
    w = rng.uniform(0.5, 2, n)
    x = S @ g + 0.5 * rng.standard_normal(n) + 0.3 * Z[:, 1]
    y = 0.7 * x + rng.standard_normal(n)
    rw = rotemberg_weights(y, x, S, g, Z, weights=w)
    dsg = share_design(S, w)
    # beta_k: just-identified IV with share k as the instrument (ivreg_ss, independent code)
    for j in range(k):
        bj = ivreg_ss(y, x, S[:, j], dsg, Z, weights=w, methods=["ehw"]).estimate
        assert rw.table["beta"].iloc[j] == pytest.approx(bj, rel=1e-10)
    bartik = ivreg_ss(y, x, S @ g, dsg, Z, weights=w, methods=["ehw"]).estimate
    assert abs(rw.table["alpha"].sum() - 1) < 1e-12
    assert (rw.table["alpha"] * rw.table["beta"]).sum() == pytest.approx(bartik, rel=1e-10)
    # first-stage F of sector k = t^2 of the homoskedastic first stage (reg_ss)
    fs = reg_ss(x, S[:, 2], dsg, Z, weights=w, methods=["homoskedastic"])
    assert rw.table["first_stage_f"].iloc[2] == pytest.approx(
        (fs.estimate / fs.method("homoskedastic").std_error) ** 2, rel=1e-9)
    # OLS on the Bartik variable
    ols = rotemberg_weights(y, None, S, g, Z, weights=w)
    ref = reg_ss(y, S @ g, dsg, Z, weights=w, methods=["ehw"]).estimate
    assert ols.estimate == pytest.approx(ref, rel=1e-10)
    assert (ols.table["alpha"] * ols.table["beta"]).sum() == pytest.approx(ref, rel=1e-10)
    assert len(rw.top(3)) == 3 and rw.summary()["sum_alpha"] == pytest.approx(1)


def test_shock_level_adh_equals_region_level_iv(adh):
    a = adh
    design = share_design(a["S"], a["w"], sectors=a["labels"])
    iv = ivreg_ss(a["y"], a["x"], a["S"] @ a["g"], design, a["Z"], weights=a["w"], methods=["ehw"])
    sl = shock_level(a["y"], a["x"], a["S"], a["g"], a["Z"], weights=a["w"], sectors=a["labels"])
    assert _rel(sl.estimate, iv.estimate) < 1e-10
    # the shock-level IV computed from the aggregated table with a generic IV formula
    t = sl.table
    Zs, Xs, Ys = t["g"].to_numpy()[:, None], t["x_bar"].to_numpy()[:, None], t["y_bar"].to_numpy()
    W = np.diag(t["s"].to_numpy())
    b = np.linalg.solve(Zs.T @ W @ Xs, Zs.T @ W @ Ys)[0]
    assert _rel(b, iv.estimate) < 1e-10
    assert sl.n_shocks == 770 and 1 < sl.effective_n < 770
    assert sl.effective_n == pytest.approx(1 / sl.hhi)
    assert sl.std_error > 0


def test_shock_level_ols_and_hand_computed_effective_number():
    # tiny example: 3 regions, 2 sectors, weights e = (1, 2, 1)
    S = np.array([[0.5, 0.5], [1.0, 0.0], [0.0, 1.0]])
    e = np.array([1.0, 2.0, 1.0])
    # s_1 = 0.5 + 2 = 2.5, s_2 = 0.5 + 1 = 1.5 -> normalised 0.625, 0.375
    # HHI = 0.390625 + 0.140625 = 0.53125 -> effective number 1.88235...
    eff, hhi, mx = effective_shocks(S.T @ e)
    assert hhi == pytest.approx(0.53125) and eff == pytest.approx(1 / 0.53125) and mx == 0.625
    rng = np.random.default_rng(2)
    n, k = 120, 10
    S = rng.dirichlet(np.ones(k), n)
    g = rng.standard_normal(k)
    y = S @ g + rng.standard_normal(n)
    sl = shock_level(y, None, S, g, weights=None)
    ref = reg_ss(y, S @ g, share_design(S), None, methods=["ehw"]).estimate
    assert sl.estimate == pytest.approx(ref, rel=1e-10)
    # zero-exposure sector is left out
    S2 = np.column_stack([S, np.zeros(n)])
    assert shock_level(y, None, S2, np.append(g, 1.0)).n_shocks == k


def test_first_stage_warning_names_the_model(adh_regions, adh_shares, adh_spec_kwargs):
    spec = ShiftShareSpec(outcome="d_sh_empl", endogenous="shock", instrument="IV", model_id="adh_iv",
                          **adh_spec_kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = shiftshare_diagnostics(adh_regions, adh_shares, spec)  # strong: no warning
    fs = d["first_stage"]
    assert fs.primary_method == "akm" and fs.primary_f > 10 and not fs.weak
    r = adh_regions.copy()
    r["noise"] = np.random.default_rng(0).standard_normal(len(r))
    weak = ShiftShareSpec(outcome="d_sh_empl", endogenous="noise", instrument="IV", model_id="weak_iv",
                          **adh_spec_kwargs)
    with pytest.warns(UserWarning, match="model 'weak_iv'.*first-stage F"):
        d = shiftshare_diagnostics(r, adh_shares, weak)
    assert d["first_stage"].weak
    fs_res = reg_ss(r["noise"], r["IV"], share_design(np.eye(len(r))[:, :3]), None, methods=["ehw"])
    assert first_stage_strength(fs_res, warn=False).f["ehw"] == pytest.approx(
        (fs_res.estimate / fs_res.method("ehw").std_error) ** 2)


def test_pretrend_check_equals_reduced_form_fit(adh_regions, adh_shares, adh_spec_kwargs):
    spec = ShiftShareSpec(outcome="d_sh_empl", endogenous="shock", instrument="IV", model_id="adh_iv",
                          methods=("ehw", "cluster", "akm", "akm0"), **adh_spec_kwargs)
    out = pretrend_check(adh_regions, adh_shares, spec, ["d_sh_empl_mfg", "d_sh_empl_nmfg"])
    assert set(out["outcome"]) == {"d_sh_empl_mfg", "d_sh_empl_nmfg"} and len(out) == 8
    ref = fit_shiftshare(adh_regions, adh_shares, ShiftShareSpec(
        outcome="d_sh_empl_mfg", regressor="IV", methods=("ehw", "cluster", "akm", "akm0"), **adh_spec_kwargs))
    row = out[(out.outcome == "d_sh_empl_mfg") & (out.method == "akm")].iloc[0]
    assert row["estimate"] == ref.estimate and row["std_error"] == ref.method("akm").std_error
    assert row["term"] == "IV" and row["model_id"] == "adh_iv"


def test_diagnostics_with_shifts_table(adh, adh_regions, adh_shares, adh_spec_kwargs):
    labels = adh["labels"]
    shifts = pd.DataFrame({"period": [p for p, _ in labels], "sector": [s for _, s in labels],
                           "shift": adh["g"]})
    assert np.array_equal(shifts_vector(shifts, labels), adh["g"])
    spec = ShiftShareSpec(outcome="d_sh_empl", endogenous="shock", instrument="IV", model_id="adh_iv",
                          **adh_spec_kwargs)
    d = shiftshare_diagnostics(adh_regions, adh_shares, spec, shifts, pre_outcomes=["d_sh_empl_mfg"])
    assert d["rotemberg"].estimate == pytest.approx(d["shock_level"].estimate, rel=1e-10)
    assert d["rotemberg"].model_id == "adh_iv" and "pretrends" in d
    with pytest.raises(ValueError, match="lacks shifts"):
        shifts_vector(shifts.iloc[1:], labels)
