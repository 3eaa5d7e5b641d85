"""Randomization inference over permuted shifts (method ``ri``), share_scale, pool_periods and
the placebo check written into every shift-share result."""

from __future__ import annotations

import argparse
import itertools
import json
import time

import numpy as np
import pandas as pd
import pytest

from i4districts.shiftshare import (
    ShiftShareExposure,
    ShiftShareSpec,
    fit_shiftshare,
    parse_spec,
    placebo,
    reg_ss,
    share_design,
    shift_share_exposure,
)
from i4districts.shiftshare.cli import register
from i4districts.shiftshare.placebo import ols_t_statistics
from i4districts.shiftshare.ri import randomization_test, shift_permutations


def _tables(n=12, k=3, seed=0, periods=(1,)):
    rng = np.random.default_rng(seed)
    S = rng.dirichlet(np.ones(k + 1), size=n)[:, :k]
    g = np.arange(1, k + 1, dtype=float) ** 1.5
    rows = []
    for p in periods:
        y = rng.normal(size=n) + S @ rng.normal(size=k)
        for i in range(n):
            rows.append(dict(region=f"R{i:03d}", period=p, y=y[i], x=S[i] @ g, z=rng.normal(),
                             area=f"A{i % 4}_{p}", m=0.2 + (i % 5) / 5))
    reg = pd.DataFrame(rows)
    reg["row"] = np.arange(len(reg))
    reg["x_m"] = reg["x"] * reg["m"]
    idx = reg["region"].str[1:].astype(int).to_numpy()
    shares = pd.DataFrame([(r, f"s{j}", S[idx[r], j]) for r in range(len(reg)) for j in range(k)],
                          columns=["row", "sector", "share"])
    return reg, shares, S, g


def _t_loop(y, W, g, Z, method, rc=None):
    res = reg_ss(y, W @ g, share_design(W), Z, methods=[method], region_cluster=rc)
    return res.estimate / res.method(method).std_error


def test_ri_p_value_exact_on_a_hand_case_k3():
    reg, shares, S, g = _tables(n=12, k=3)
    Z = np.column_stack([np.ones(12), reg["z"]])
    y = reg["y"].to_numpy()
    ts = [_t_loop(y, S, g[list(p)], Z, "ehw") for p in itertools.permutations(range(3))]
    p_hand = np.mean(np.abs(ts) >= abs(ts[0]) * (1 - 1e-12))
    spec = ShiftShareSpec(outcome="y", regressor="x", controls=("z",), methods=("ehw", "ri"), placebo_draws=0)
    res = fit_shiftshare(reg, shares, spec)
    assert res.primary.method == "ri" and res.tidy()["p"].iloc[0] == pytest.approx(p_hand, abs=1e-15)
    assert res.extra["ri"]["permutations"] == 6 and res.extra["ri"]["exact"]
    assert res.extra["ri"]["t_obs"] == pytest.approx(ts[0], rel=1e-10)
    assert res.tidy()["t"].iloc[0] == pytest.approx(ts[0], rel=1e-10)  # the observed, studentised t
    assert res.method("ri").std_error == res.method("ehw").std_error
    assert np.isnan(res.method("ri").ci_low) and res.method("ri").ci_type == "none"


@pytest.mark.parametrize("stud", ["ehw", "cluster"])
def test_vectorised_ri_equals_looped_reg_ss(stud):
    reg, shares, S, g = _tables(n=40, k=6, seed=4)
    Z = np.column_stack([np.ones(40), reg["z"]])
    y = reg["y"].to_numpy()
    rc = np.arange(40) // 3
    rt = randomization_test(y, share_design(S), Z, g, region_cluster=rc, studentization=stud)
    assert rt.exact and rt.n_permutations == 720
    perms = list(itertools.permutations(range(6)))
    for j in range(0, 720, 37):
        assert rt.t_perm[j] == pytest.approx(_t_loop(y, S, g[list(perms[j])], Z, stud, rc), rel=1e-10, abs=1e-12)
    # sampled permutations (K! > exact_max): identity first, seeded
    rs = randomization_test(y, share_design(S), Z, g, region_cluster=rc, studentization=stud, exact_max=10,
                            draws=50, seed=3)
    cp, exact, scheme = shift_permutations(list(range(6)), draws=50, seed=3, exact_max=10)
    assert not exact and scheme == "pooled" and cp.shape == (51, 6) and (cp[0] == np.arange(6)).all()
    for j in (0, 7, 50):
        assert rs.t_perm[j] == pytest.approx(_t_loop(y, S, g[cp[j]], Z, stud, rc), rel=1e-10)
    assert rs.p == pytest.approx(np.mean(np.abs(rs.t_perm) >= abs(rs.t_perm[0]) * (1 - 1e-10)))


def test_nested_placebo_ri_equals_looped_randomization_tests():
    reg, shares, S, g = _tables(n=30, k=4, seed=5)
    y = reg["y"].to_numpy()
    pr = placebo(y, share_design(S), None, n_draws=25, seed=2, methods=["ehw", "ri"])
    assert pr.ri_permutations == 24 and pr.ri_exact
    for r in (0, 11, 24):
        rt = randomization_test(y, share_design(S), None, pr.shifts[:, r], studentization="ehw")
        assert pr.p["ri"][r] == pytest.approx(rt.p, abs=1e-15)
    t = ols_t_statistics(y, share_design(S), None, pr.shifts, studentization="ehw")
    np.testing.assert_allclose(t, pr.t("ehw"), rtol=1e-10)


def test_share_scale_reproduces_reg_ss_with_the_scaled_share_matrix():
    reg, shares, S, g = _tables(n=50, k=5, seed=6)
    m = reg["m"].to_numpy()
    Z = np.column_stack([np.ones(50), reg["z"], m])
    spec = ShiftShareSpec(outcome="y", regressor="x_m", controls=("z", "m"), share_scale="m",
                          methods=("ehw", "akm", "akm0", "ri"), placebo_draws=0)
    res = fit_shiftshare(reg, shares, spec)
    ref = reg_ss(reg["y"], reg["x_m"], share_design(S * m[:, None]), Z, methods=["ehw", "akm", "akm0"])
    for name in ("ehw", "akm", "akm0"):
        a, b = res.method(name), ref.method(name)
        for f in ("estimate", "std_error", "p", "ci_low", "ci_high"):
            assert getattr(a, f) == pytest.approx(getattr(b, f), rel=1e-10), (name, f)
    assert res.extra["ri"]["computed"] and res.extra["design"]["share_scale"] == "m"
    # without share_scale, x_m is not a shift-share variable of the plain shares: ri is skipped, loudly
    with pytest.warns(UserWarning, match="'ri' not computed"):
        plain = fit_shiftshare(reg, shares, ShiftShareSpec(outcome="y", regressor="x_m", controls=("z", "m"),
                                                           methods=("ehw", "ri"), placebo_draws=0))
    assert plain.primary.method == "ehw" and not plain.extra["ri"]["computed"]


def test_pooled_versus_split_periods():
    """Two periods, the same shocks in both. Pooled (one column per sector, the default of a
    single-shift-year exposure) and split (sector x period columns) give the SAME estimate and
    EHW/cluster errors (W only enters AKM/AKM0 and ri), but different AKM errors (AKM's sector
    sums run over 5 vs 10 shifters) and different RI schemes (split: sectors permuted jointly)."""
    reg, shares, S, g = _tables(n=60, k=5, seed=7, periods=(1, 2))
    lab = reg["region"].str[1:].astype(int).to_numpy()
    expo_shares = pd.DataFrame([(f"R{i:03d}", f"s{j}", S[i, j]) for i in range(60) for j in range(5)],
                               columns=["region", "sector", "share"])
    shifts = pd.DataFrame({"sector": [f"s{j}" for j in range(5)], "year": 2000, "shift": g})
    obj = ShiftShareExposure(shares=expo_shares, shifts=shifts, table=shift_share_exposure(expo_shares, shifts))
    base = dict(outcome="y", regressor="x", controls=("area",), region_cluster="region",
                methods=("cluster", "akm", "ri"), placebo_draws=0)
    pooled = obj.fit(reg.drop(columns="row"), ShiftShareSpec(**base), period="period")
    split = obj.fit(reg.drop(columns="row"), ShiftShareSpec(**base, pool_periods=False), period="period")
    assert pooled.n_sectors == 5 and split.n_sectors == 10
    assert pooled.extra["design"]["pooled_periods"] and not split.extra["design"]["pooled_periods"]
    assert pooled.estimate == pytest.approx(split.estimate, rel=1e-12)
    assert pooled.method("cluster").std_error == pytest.approx(split.method("cluster").std_error, rel=1e-12)
    assert pooled.method("akm").std_error != pytest.approx(split.method("akm").std_error, rel=1e-3)
    assert pooled.extra["ri"]["scheme"] == "pooled" and split.extra["ri"]["scheme"] == "joint"
    # joint permutation of sectors across periods = the pooled permutation of the same shocks
    assert pooled.method("ri").p == pytest.approx(split.method("ri").p, abs=1e-15)
    assert pooled.extra["design"]["shifts_source"] == "exposure shifts"
    assert (lab >= 0).all()


def _sim_110x5(seed=3, periods=(1, 2)):
    rng = np.random.default_rng(seed)
    n, k = 110, 5
    S = rng.dirichlet(np.ones(k + 1) * 2, size=n)[:, :k]
    g = np.array([19.6, 2.4, 3.2, 1.1, 3.8])
    area = np.array(list("ABCDE"))[rng.integers(0, 5, n)]
    frames = []
    for p in periods:
        y = S @ (2 * rng.normal(size=k)) + rng.normal(size=n)  # sector shocks: residuals correlated by shares
        frames.append(pd.DataFrame({"region": [f"R{i:03d}" for i in range(n)], "y": y, "x": S @ g,
                                    "area_period": [f"{a}_{p}" for a in area]}))
    reg = pd.concat(frames, ignore_index=True)
    reg["row"] = np.arange(len(reg))
    idx = np.tile(np.arange(n), len(periods))
    shares = pd.DataFrame([(r, f"s{j}", S[idx[r], j]) for r in range(len(reg)) for j in range(k)],
                          columns=["row", "sector", "share"])
    return reg, shares


def test_ri_placebo_rejection_rate_on_a_simulated_110x5_design():
    reg, shares = _sim_110x5()
    spec = ShiftShareSpec(outcome="y", regressor="x", controls=("area_period",), region_cluster="region",
                          placebo_draws=500, seed=1)
    t0 = time.perf_counter()
    res = fit_shiftshare(reg, shares, spec)
    assert time.perf_counter() - t0 < 20
    pl = res.extra["placebo"]
    assert pl["draws"] == 500 and pl["ri"]["permutations_per_draw"] == 120 and pl["ri"]["exact"]
    assert 0.02 <= pl["rejection"]["ri"] <= 0.08
    assert pl["mc_se"]["ri"] == pytest.approx(np.sqrt(pl["rejection"]["ri"] * (1 - pl["rejection"]["ri"]) / 500))
    assert pl["rejection"]["akm"] > 0.1  # five sectors: AKM over-rejects in this design
    assert res.primary.method == "ri" and res.to_dict()["inference"]["label"].startswith("RI")


def test_cli_writes_ri_placebo_and_diagnostics(tmp_path):
    reg, shares = _sim_110x5(periods=(1,))
    sh = shares.merge(reg[["row", "region"]], on="row")[["region", "sector", "share"]]
    shifts = pd.DataFrame({"sector": [f"s{j}" for j in range(5)], "year": 2000,
                           "shift": [19.6, 2.4, 3.2, 1.1, 3.8]})
    ShiftShareExposure(shares=sh, shifts=shifts, table=shift_share_exposure(sh, shifts)).write(tmp_path / "expo")
    reg.drop(columns="row").assign(year=2017).to_parquet(tmp_path / "r.parquet")
    (tmp_path / "spec.yaml").write_text("model_id: m\noutcome: y\nregressor: x\ncontrols: [area_period]\n"
                                        "region_cluster: region\nplacebo_draws: 200\nseed: 4\n")
    parser = argparse.ArgumentParser(prog="i4d")
    register("estimate", parser.add_subparsers(dest="command"))
    ns = parser.parse_args(["shiftshare", "-i", str(tmp_path / "r.parquet"), "--shares", str(tmp_path / "expo"),
                            "--spec", str(tmp_path / "spec.yaml"), "-o", str(tmp_path / "o.json")])
    assert ns.func(ns) == 0
    doc = json.loads((tmp_path / "o.json").read_text())
    assert set(doc["methods"]) == {"homoskedastic", "ehw", "cluster", "akm", "akm0", "ri"}
    assert doc["inference"]["method"] == "ri" and doc["inference"]["studentization"] == "cluster"
    assert doc["coefficients"][0]["p"] == doc["methods"]["ri"]["p"]
    ex = doc["extra"]
    assert ex["placebo"]["draws"] == 200 and set(ex["placebo"]["rejection"]) == set(doc["methods"])
    assert ex["design"]["shifts_source"] == "exposure shifts" and ex["design"]["share_columns"] == 5
    d = ex["diagnostics"]
    assert d["rotemberg"]["top"][0]["sector"] == ex["diagnostics_summary"]["top_sector"]
    assert d["shock_level"]["estimate"] == pytest.approx(doc["coefficients"][0]["estimate"], rel=1e-8)
    s = ex["diagnostics_summary"]
    assert 1 <= s["effective_shocks"] <= 5 and s["placebo_rejection"] == ex["placebo"]["rejection"]["ri"]


def test_iv_ri_is_the_anderson_rubin_randomization_test():
    reg, shares, S, g = _tables(n=40, k=5, seed=8)
    rng = np.random.default_rng(1)
    reg["d"] = reg["x"] + rng.normal(size=40)
    reg["y"] = 0.5 * reg["d"] + rng.normal(size=40)
    spec = ShiftShareSpec(outcome="y", endogenous="d", instrument="x", methods=("ehw", "akm", "ri"), beta0=0.5,
                          placebo_draws=50)
    res = fit_shiftshare(reg, shares, spec, diagnostics=True)
    u = reg["y"].to_numpy() - 0.5 * reg["d"].to_numpy()
    rt = randomization_test(u, share_design(S), None, g, studentization="ehw")
    assert res.method("ri").p == pytest.approx(rt.p) and res.primary.method == "ri"
    assert res.extra["diagnostics"]["first_stage"]["primary_f"] > 0


def test_spec_fields_and_defaults():
    s = parse_spec({"outcome": "y", "regressor": "x"})
    assert s.methods == ("homoskedastic", "ehw", "akm", "akm0", "ri") and s.studentization == "ehw"
    assert (s.ri_draws, s.placebo_draws, s.seed, s.pool_periods, s.share_scale) == (1999, 500, 0, None, None)
    s = parse_spec({"outcome": "y", "regressor": "x", "region_cluster": "r", "methods": ["all", "ri"],
                    "pool_periods": True, "share_scale": "m", "ri_draws": 99, "placebo_draws": 0, "seed": 5})
    assert len(s.methods) == 6 and s.studentization == "cluster" and s.pool_periods and s.ri_draws == 99
    assert len(parse_spec({"outcome": "y", "regressor": "x", "region_cluster": "r", "methods": "all"}).methods) == 5
    from i4districts.shiftshare.errors import SpecError

    with pytest.raises(SpecError, match="ri_draws"):
        parse_spec({"outcome": "y", "regressor": "x", "ri_draws": 0})
    with pytest.raises(SpecError, match="region_cluster"):
        parse_spec({"outcome": "y", "regressor": "x", "ri_studentization": "cluster"})
