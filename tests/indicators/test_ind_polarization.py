"""Polarization: GMS tiers, Esteban–Ray, Duclos–Esteban–Ray, Wolfson, spatial and Theil."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from i4districts.indicators import IndicatorInputError
from i4districts.indicators.polarization import (
    GMS_TIERS,
    der_bandwidth,
    duclos_esteban_ray,
    esteban_ray,
    occupation_tier_shares,
    routine_intensity,
    tier_share_changes,
    wolfson,
)
from i4districts.indicators.spatial import spatial_polarization, theil_decomposition


# ------------------------------------------------------------------ job polarization
def test_gms_mapping_has_21_occupations():
    m = GMS_TIERS["isco88_2digit"]
    tiers = pd.Series(m).value_counts()
    assert tiers["high"] == 8 and tiers["middle"] == 9 and tiers["low"] == 4  # GMS 2014 Table 2
    assert m["93"] == "low" and m["41"] == "middle" and m["12"] == "high" and m["61"] == "excluded"


def test_tier_shares_and_changes_by_hand():
    # R0 in 2001: high (12) 20, middle (41, 72) 60, low (51) 20, excluded (61) 100.
    # In 2011: high 30, middle 40, low 30 -> changes +10, -20, +10 percentage points: polarized.
    df = pd.DataFrame(
        {
            "region": "R0",
            "isco": ["12", "41", "72", "51", "61"] * 2,
            "year": [2001] * 5 + [2011] * 5,
            "value": [20.0, 30, 30, 20, 100, 30, 20, 20, 30, 100],
        }
    )
    sh = occupation_tier_shares(df)
    first = sh.iloc[0]
    assert first["share_middle"] == pytest.approx(0.6) and first["employment_excluded"] == 100
    assert first[["share_low", "share_middle", "share_high"]].sum() == pytest.approx(1.0)
    ch = tier_share_changes(sh, start=2001, end=2011).iloc[0]
    assert ch["change_middle"] == pytest.approx(-20) and ch["change_low"] == pytest.approx(10)
    assert ch["change_high"] == pytest.approx(10) and ch["polarized"]
    with pytest.raises(IndicatorInputError, match="not in the tier mapping"):
        occupation_tier_shares(df.assign(isco=["12", "41", "72", "51", "99"] * 2))
    # ISCO-08 major groups and integer codes
    d8 = pd.DataFrame({"region": "R0", "isco": [1, 4, 9], "year": 2011, "value": [1.0, 2, 1]})
    assert occupation_tier_shares(d8, scheme="isco08_major")["share_middle"].iloc[0] == 0.5


def test_routine_intensity_by_hand():
    # RTI: 41 -> 2, 72 -> 1, 12 -> -1. Base-year national weights: 41: 10, 72: 10, 12: 10.
    # Weighted 2/3 quantile (first RTI with cumulative weight >= 20 of 30) = 1 -> routine = RTI > 1 = {41}.
    emp = pd.DataFrame(
        {
            "region": ["A", "A", "A", "B", "B", "B"],
            "isco": ["41", "72", "12"] * 2,
            "year": 2001,
            "value": [6.0, 2, 2, 4, 8, 8],
        }
    )
    rti = pd.DataFrame({"isco": ["41", "72", "12"], "rti": [2.0, 1.0, -1.0]})
    out = routine_intensity(emp, rti).set_index("region")
    assert out.loc["A", "rti_threshold"] == 1.0
    assert out.loc["A", "routine_share"] == pytest.approx(0.6)
    assert out.loc["A", "mean_rti"] == pytest.approx((6 * 2 + 2 * 1 - 2) / 10)
    with pytest.raises(IndicatorInputError, match="no score"):
        routine_intensity(emp, rti.iloc[:2])


# ---------------------------------------------------------------- Esteban–Ray
def test_esteban_ray_by_hand():
    # Two equal groups at 0 and 1: ER = 2 * 0.5**(1+alpha) * 0.5 * 1 = 0.5**(1+alpha).
    two = pd.DataFrame({"y": [0.0, 1.0], "pop": [5.0, 5.0]})
    for alpha in (0.5, 1.0, 1.6):
        assert esteban_ray(two, value="y", weight="pop", alpha=alpha)["esteban_ray"].iloc[0] == pytest.approx(
            0.5 ** (1 + alpha)
        )
    # Three groups pi = (0.2, 0.5, 0.3), y = (1, 2, 4), alpha = 1.5:
    # 0.2^2.5 (0.5*1 + 0.3*3) + 0.5^2.5 (0.2*1 + 0.3*2) + 0.3^2.5 (0.2*3 + 0.5*2)
    # = 0.0178885*1.4 + 0.1767767*0.8 + 0.0492950*1.6 = 0.0250440 + 0.1414214 + 0.0788720 = 0.2453374
    three = pd.DataFrame({"y": [4.0, 1.0, 2.0], "pop": [30.0, 20.0, 50.0]})
    er = esteban_ray(three, value="y", weight="pop", alpha=1.5)["esteban_ray"].iloc[0]
    assert er == pytest.approx(0.2453374, abs=1e-7)
    # K scales; relative divides by the mean 0.2 + 1 + 1.2 = 2.4
    assert esteban_ray(three, value="y", weight="pop", alpha=1.5, K=2)["esteban_ray"].iloc[0] == pytest.approx(2 * er)
    rel = esteban_ray(three, value="y", weight="pop", alpha=1.5, relative=True)["esteban_ray"].iloc[0]
    assert rel == pytest.approx(er / 2.4)
    # a single group has ER = 0
    assert esteban_ray(pd.DataFrame({"y": [3.0]}), value="y")["esteban_ray"].iloc[0] == 0.0
    with pytest.raises(IndicatorInputError, match="alpha"):
        esteban_ray(three, value="y", alpha=2.0)


def _er_brute(y, w, alpha):
    p = np.asarray(w) / np.sum(w)
    y = np.asarray(y)
    return sum(p[i] ** (1 + alpha) * p[j] * abs(y[i] - y[j]) for i in range(len(y)) for j in range(len(y)))


groups = st.lists(st.tuples(st.floats(0, 100, allow_nan=False), st.floats(0.01, 50)), min_size=1, max_size=8)


@settings(max_examples=80, deadline=None)
@given(st.lists(groups, min_size=1, max_size=3), st.floats(0.05, 1.6), st.floats(0.1, 10))
def test_esteban_ray_matches_definition_and_invariances(gs, alpha, k):
    rows = [(b, y, w) for b, grp in enumerate(gs) for y, w in grp]
    df = pd.DataFrame(rows, columns=["by", "y", "pop"])
    out = esteban_ray(df, value="y", weight="pop", by=["by"], alpha=alpha)
    for b, grp in enumerate(gs):
        ys, ws = zip(*grp)
        assert out["esteban_ray"].iloc[b] == pytest.approx(_er_brute(ys, ws, alpha), rel=1e-9, abs=1e-9)
    shuffled = esteban_ray(df.sample(frac=1, random_state=0), value="y", weight="pop", by=["by"], alpha=alpha)
    np.testing.assert_allclose(shuffled["esteban_ray"], out["esteban_ray"], rtol=1e-9, atol=1e-12)
    scaled = esteban_ray(df.assign(y=df["y"] * k, pop=df["pop"] * k), value="y", weight="pop", by=["by"], alpha=alpha)
    np.testing.assert_allclose(scaled["esteban_ray"], k * out["esteban_ray"], rtol=1e-9, atol=1e-9)


# ------------------------------------------------------------ Duclos–Esteban–Ray
def test_der_alpha_zero_is_twice_the_gini():
    # y = (1, 2, 3, 4)/2.5 -> mean difference = 20/16/2.5 = 0.5 = 2 * Gini (Gini = 0.25).
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0]})
    assert duclos_esteban_ray(df, value="y", alpha=0.0)["der"].iloc[0] == pytest.approx(0.5)


def test_der_matches_double_loop_with_fixed_bandwidth():
    rng = np.random.default_rng(7)
    y = np.concatenate([rng.normal(10, 1, 40), rng.normal(20, 2, 25)])
    w = rng.uniform(0.5, 2, y.size)
    alpha, h = 0.5, 0.15
    p = w / w.sum()
    z = y / np.dot(p, y)
    f = np.array(
        [
            sum(p[j] * math.exp(-0.5 * ((z[i] - z[j]) / h) ** 2) / (h * math.sqrt(2 * math.pi)) for j in range(z.size))
            for i in range(z.size)
        ]
    )
    a = np.array([sum(p[j] * abs(z[i] - z[j]) for j in range(z.size)) for i in range(z.size)])
    expected = float(np.sum(p * f**alpha * a))
    df = pd.DataFrame({"y": y, "w": w})
    got = duclos_esteban_ray(df, value="y", weight="w", alpha=alpha, bandwidth=h, chunk=7)
    assert got["der"].iloc[0] == pytest.approx(expected, rel=1e-10)
    # default bandwidth rule: 4.7 n^-1/2 sigma alpha^0.1
    assert der_bandwidth(100, 2.0, 1.0) == pytest.approx(0.94)
    auto = duclos_esteban_ray(df, value="y", weight="w", alpha=alpha)
    sigma = math.sqrt(np.dot(p, (z - np.dot(p, z)) ** 2))
    assert auto["bandwidth"].iloc[0] == pytest.approx(4.7 / math.sqrt(y.size) * sigma * alpha**0.1)
    # bimodal beats unimodal with the same mean and spread ordering: polarization is higher
    uni = pd.DataFrame({"y": rng.normal(14, 1.0, 65)})
    assert auto["der"].iloc[0] > duclos_esteban_ray(uni, value="y", alpha=alpha)["der"].iloc[0]


# ------------------------------------------------------------------------ Wolfson
def test_wolfson_by_hand():
    # (1, 2, 3, 4): mu = 2.5, median 2.5 (cumulative share hits 1/2 exactly), L(1/2) = 3/10,
    # Gini = 1/4 -> W = 2 * 1 * (1 - 0.6 - 0.25) = 0.3.
    r = wolfson(pd.DataFrame({"y": [4.0, 1.0, 3.0, 2.0]}), value="y").iloc[0]
    assert r["median"] == 2.5 and r["lorenz_half"] == pytest.approx(0.3) and r["gini"] == pytest.approx(0.25)
    assert r["wolfson"] == pytest.approx(0.3)
    # (1, 2, 6): mu = 3, median 2, Lorenz points (1/3, 1/9), (2/3, 3/9): L(1/2) = 1/9 + 1/2 * 2/9 = 2/9;
    # Gini = (1/(2*3)) * 20/9 = 10/27 -> W = 2 * (3/2) * (1 - 4/9 - 10/27) = 3 * 5/27 = 5/9.
    r = wolfson(pd.DataFrame({"y": [1.0, 2.0, 6.0]}), value="y").iloc[0]
    assert r["wolfson"] == pytest.approx(5 / 9)
    # weights: (1 with weight 2, 4 with weight 2) == (1, 1, 4, 4)
    a = wolfson(pd.DataFrame({"y": [1.0, 4.0], "w": [2.0, 2.0]}), value="y", weight="w")["wolfson"].iloc[0]
    b = wolfson(pd.DataFrame({"y": [1.0, 1.0, 4.0, 4.0]}), value="y")["wolfson"].iloc[0]
    assert a == pytest.approx(b)
    assert wolfson(pd.DataFrame({"y": [3.0, 3.0]}), value="y")["wolfson"].iloc[0] == pytest.approx(0.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.5, 100), min_size=2, max_size=12), st.floats(0.1, 10))
def test_wolfson_scale_invariant(ys, k):
    df = pd.DataFrame({"y": ys})
    a = wolfson(df, value="y")["wolfson"].iloc[0]
    b = wolfson(df.assign(y=df["y"] * k), value="y")["wolfson"].iloc[0]
    assert a == pytest.approx(b, rel=1e-9, abs=1e-12)


# ------------------------------------------------------------ spatial and Theil
def test_spatial_polarization_by_hand():
    # four regions, equal population, rates (1, 2, 3, 4): Gini 1/4; CV = sqrt(1.25)/2.5;
    # ER (alpha=1, relative): (1/4)^2 * (1/4) * 20 / 2.5 = 0.125.
    df = pd.DataFrame({"year": 2011, "rate": [1.0, 2, 3, 4], "population": 1.0})
    r = spatial_polarization(df, value="rate").iloc[0]
    assert r["gini"] == pytest.approx(0.25) and r["cv"] == pytest.approx(math.sqrt(1.25) / 2.5)
    assert r["esteban_ray"] == pytest.approx(0.125) and r["n_regions"] == 4


def test_theil_by_hand():
    # y = (1, 2, 3, 4), equal weights, mu = 2.5: T = 1/4 sum (y/mu) ln(y/mu) = 0.1064397;
    # groups {1, 2}, {3, 4}: between = 1/2 (0.6 ln 0.6 + 1.4 ln 1.4) = 0.0822832.
    df = pd.DataFrame({"year": 2011, "y": [1.0, 2, 3, 4], "population": 1.0, "district": [0, 0, 1, 1]})
    r = theil_decomposition(df, value="y", group="district").iloc[0]
    assert r["theil"] == pytest.approx(0.25 * sum(v / 2.5 * math.log(v / 2.5) for v in (1, 2, 3, 4)))
    assert r["between"] == pytest.approx(0.5 * (0.6 * math.log(0.6) + 1.4 * math.log(1.4)))
    assert r["theil"] == pytest.approx(r["between"] + r["within"])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.just(0.0), st.floats(1e-6, 100)), st.floats(0.1, 100), st.integers(0, 3)),
        min_size=1,
        max_size=15,
    ).filter(lambda rows: sum(y for y, _, _ in rows) > 0)
)
def test_theil_between_plus_within_equals_total(rows):
    df = pd.DataFrame(rows, columns=["y", "population", "grp"]).assign(year=2011)
    r = theil_decomposition(df, value="y", group="grp").iloc[0]
    assert r["between"] + r["within"] == pytest.approx(r["theil"], abs=1e-12)
    assert r["between"] >= -1e-12 and r["within"] >= -1e-12
