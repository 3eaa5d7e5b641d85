"""Concentration across regions: Hoover, locational Gini, Ellison–Glaeser."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from i4districts.indicators import IndicatorInputError
from i4districts.indicators.concentration import (
    concentration_indices,
    ellison_glaeser,
    plant_herfindahl,
    plant_herfindahl_from_size_classes,
)


def long(matrix):
    m = np.asarray(matrix, dtype=float)
    return pd.DataFrame(
        {
            "region": np.repeat([f"R{i}" for i in range(m.shape[0])], m.shape[1]),
            "sector": np.tile([f"S{j}" for j in range(m.shape[1])], m.shape[0]),
            "year": 2011,
            "value": m.ravel(),
        }
    )


def test_concentration_by_hand():
    # Regions R0, R1 with totals 10 and 10 (x = 1/2, 1/2). S0 = (4, 0): s = (1, 0).
    # Hoover = 1/2 (|1 - 1/2| + |0 - 1/2|) = 1/2; G = 1/4 + 1/4 = 1/2; geographic H = 1.
    # Locational Gini: LQ = (2, 0), weights (1/2, 1/2) -> 1/4 * 2 = 1/2.
    out = concentration_indices(long([[4, 6], [0, 10]])).set_index("sector")
    r = out.loc["S0"]
    assert r["hoover_localization"] == pytest.approx(0.5)
    assert r["dissimilarity"] == pytest.approx(1.0)
    assert r["raw_concentration"] == pytest.approx(0.5)
    assert r["geographic_herfindahl"] == 1.0
    assert r["locational_gini"] == pytest.approx(0.5)
    assert r["sum_x2"] == pytest.approx(0.5)
    assert r["n_regions"] == 1


def test_ellison_glaeser_by_hand():
    # As above: G = 1/2, sum x^2 = 1/2. Four equal plants: H = 1/4.
    # gamma = (1/2 - 1/2 * 1/4) / (1/2 * 3/4) = (3/8) / (3/8) = 1.
    # S1 = (6, 10): s = (3/8, 5/8): G = 2 * (1/8)^2 = 1/32; with H = 1/2:
    # gamma = (1/32 - 1/4) / (1/2 * 1/2) = -7/8.
    emp = long([[4, 6], [0, 10]])
    ph = pd.DataFrame({"sector": ["S0", "S1"], "year": 2011, "plant_herfindahl": [0.25, 0.5]})
    out = ellison_glaeser(emp, ph).set_index("sector")
    assert out.loc["S0", "ellison_glaeser"] == pytest.approx(1.0)
    assert out.loc["S1", "ellison_glaeser"] == pytest.approx(-7 / 8)
    with pytest.raises(IndicatorInputError, match="no 'plant_herfindahl'"):
        ellison_glaeser(emp, ph.iloc[:1])


def test_plant_herfindahl_exact_and_size_class_bound():
    plants = pd.DataFrame({"sector": ["A"] * 4, "year": 2011, "value": [1.0, 1, 2, 4]})
    # H = (1 + 1 + 4 + 16) / 64 = 22/64
    assert plant_herfindahl(plants)["plant_herfindahl"].iloc[0] == pytest.approx(22 / 64)
    # size classes: small = {1, 1, 2} (e = 4, n = 3), large = {4} (e = 4, n = 1):
    # H ≈ (16/3 + 16) / 64 = 1/3 <= 22/64 (equal sizes within a class give a lower bound).
    units = pd.DataFrame(
        {"sector": ["A", "A"], "year": 2011, "size_class": ["s", "l"], "value": [4.0, 4.0], "units": [3, 1]}
    )
    h = plant_herfindahl_from_size_classes(units)["plant_herfindahl"].iloc[0]
    assert h == pytest.approx(1 / 3) and h <= 22 / 64
    with pytest.raises(IndicatorInputError, match="zero 'units'"):
        plant_herfindahl_from_size_classes(units.assign(units=[0, 1]))


def test_ellison_glaeser_recovers_gamma_in_simulation():
    """Parameter recovery: EG (1997) spillover model, E[gamma_hat] = gamma.

    Each industry has k plants of equal size. With probability gamma the industry's spillovers are
    "on" and all its plants sit at one location drawn from x; otherwise each plant draws its own
    location from x. Two plants then co-locate with probability gamma + (1 - gamma) sum x^2, so
    E[G] = (1 - sum x^2)(gamma + (1 - gamma) H) and the index is unbiased for gamma.
    (Letting each plant follow independently with probability gamma would give gamma**2.)
    """
    rng = np.random.default_rng(12345)
    n_regions, n_ind, k, gamma = 30, 1500, 20, 0.05
    x = rng.dirichlet(np.full(n_regions, 5.0))
    common = rng.choice(n_regions, size=n_ind, p=x)
    own = rng.choice(n_regions, size=(n_ind, k), p=x)
    follow = (rng.random(n_ind) < gamma)[:, None]
    loc = np.where(follow, common[:, None], own)
    counts = np.zeros((n_regions, n_ind))
    np.add.at(counts, (loc.ravel(), np.repeat(np.arange(n_ind), k)), 1.0)
    # a big "rest of economy" sector fixes the region sizes at x
    rest = x * 1e9
    emp = long(np.column_stack([counts, rest]))
    ph = pd.DataFrame(
        {"sector": [f"S{j}" for j in range(n_ind + 1)], "year": 2011, "plant_herfindahl": [1 / k] * n_ind + [0.0]}
    )
    out = ellison_glaeser(emp, ph)
    g = out.loc[out["sector"] != f"S{n_ind}", "ellison_glaeser"].to_numpy()
    se = g.std(ddof=1) / np.sqrt(g.size)
    assert abs(g.mean() - gamma) < 4 * se + 2e-3, (g.mean(), se)


def test_concentration_mean_lq_identity_and_order_invariance():
    rng = np.random.default_rng(0)
    m = rng.integers(0, 30, size=(7, 5)).astype(float) + 1
    df = long(m)
    a = concentration_indices(df).set_index("sector").sort_index()
    b = concentration_indices(df.sample(frac=1, random_state=1)).set_index("sector").sort_index()
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-10)
    assert (a["hoover_localization"].between(0, 1)).all()
