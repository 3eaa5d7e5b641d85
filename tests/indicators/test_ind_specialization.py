"""Specialization indices: hand-computed cases, bounds, invariances and identities."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from i4districts.indicators import (
    IndicatorInputError,
    location_quotients,
    specialization_indices,
    specialization_tables,
)
from i4districts.indicators.specialization import sector_group_share


def long(matrix, regions=None, sectors=None, year=2011):
    """Long table from a regions × sectors matrix of employment."""
    m = np.asarray(matrix, dtype=float)
    regions = regions or [f"R{i}" for i in range(m.shape[0])]
    sectors = sectors or [f"S{j}" for j in range(m.shape[1])]
    return pd.DataFrame(
        {
            "region": np.repeat(regions, m.shape[1]),
            "sector": np.tile(sectors, m.shape[0]),
            "year": year,
            "value": m.ravel(),
        }
    )


def by_region(df):
    return df.set_index("region")


# ---------------------------------------------------------------- hand cases
def test_lq_toy_case_by_hand():
    # R0 = (10, 30), R1 = (30, 10), R2 = (20, 20); nation = (60, 60), s_s = (1/2, 1/2).
    # LQ_R0,S0 = (10/40)/(1/2) = 0.5; LQ_R0,S1 = (30/40)/(1/2) = 1.5; R2 has the national mix -> 1.
    out = location_quotients(long([[10, 30], [30, 10], [20, 20]]))
    assert out["lq"].tolist() == pytest.approx([0.5, 1.5, 1.5, 0.5, 1.0, 1.0], abs=1e-15)
    assert (out["flag"] == "ok").all()
    assert list(out.columns) == ["region", "sector", "year", "lq", "flag"]


def test_lq_exactly_one_for_national_mix():
    # R1 is 3 x R0 and R2 is 0.5 x R0, so every region has the national mix: LQ == 1 exactly.
    out = location_quotients(long([[2, 6, 12], [6, 18, 36], [1, 3, 6]]))
    np.testing.assert_array_equal(out["lq"].to_numpy(), 1.0)


def test_lq_zero_cell_and_zero_totals():
    # R0 = (0, 5): LQ(S0) = 0 (empty cell, positive totals). R1 = (0, 0): total 0 -> NaN + flag.
    # S2 is empty everywhere: national share 0 -> NaN + flag.
    df = long([[0, 5, 0], [0, 0, 0], [4, 1, 0]])
    out = location_quotients(df)
    lq = out.set_index(["region", "sector"])["lq"]
    fl = out.set_index(["region", "sector"])["flag"]
    # nation: S0 = 4, S1 = 6, total 10. LQ_R0,S1 = (5/5)/(6/10) = 5/3; LQ_R2,S0 = (4/5)/(4/10) = 2.
    assert lq[("R0", "S0")] == 0.0
    assert lq[("R0", "S1")] == pytest.approx(5 / 3)
    assert lq[("R2", "S0")] == pytest.approx(2.0)
    assert np.isnan(lq[("R1", "S0")]) and fl[("R1", "S0")] == "region_total_zero"
    assert np.isnan(lq[("R0", "S2")]) and fl[("R0", "S2")] == "sector_total_zero"
    with pytest.raises(IndicatorInputError, match="total employment 0"):
        location_quotients(df, zero_total="raise")


def test_lq_with_explicit_reference():
    # The table covers one region; the nation (reference) is (100, 300) for S0, S1 plus 600 in S2.
    # s_s = (0.1, 0.3, 0.6); R0 = (5, 5): LQ = (0.5/0.1, 0.5/0.3) = (5, 5/3).
    emp = long([[5, 5]])
    ref = pd.DataFrame({"sector": ["S0", "S1", "S2"], "year": 2011, "value": [100.0, 300, 600]})
    out = location_quotients(emp, reference=ref)
    assert out["lq"].tolist() == pytest.approx([5.0, 5 / 3])
    ind = specialization_indices(emp, reference=ref).iloc[0]
    # Krugman = |0.5-0.1| + |0.5-0.3| + |0-0.6| = 0.4 + 0.2 + 0.6 = 1.2 (absent S2 counted).
    assert ind["krugman"] == pytest.approx(1.2)
    # relative Herfindahl = 0.16 + 0.04 + 0.36 = 0.56; N = 3 reference sectors.
    assert ind["herfindahl_relative"] == pytest.approx(0.56)
    # Gini: LQs (S2: 0, S1: 5/3, S0: 5) weights (0.6, 0.3, 0.1):
    # pairs 0.6*0.3*5/3 + 0.6*0.1*5 + 0.3*0.1*(10/3) = 0.3 + 0.3 + 0.1 = 0.7.
    assert ind["gini"] == pytest.approx(0.7)
    missing_ref = ref[ref["sector"] != "S1"]
    with pytest.raises(IndicatorInputError, match="reference: no row"):
        location_quotients(emp, reference=missing_ref)


def test_specialization_indices_by_hand():
    # R0 = (1, 3), R1 = (3, 1). Nation s_s = (1/2, 1/2); region shares (1/4, 3/4).
    # Krugman = 1/4 + 1/4 = 1/2; Hoover = 1/4; Herfindahl = 1/16 + 9/16 = 5/8;
    # normalised = (5/8 - 1/2)/(1/2) = 1/4; relative = 2 * (1/4)^2 = 1/8;
    # entropy = -(1/4 ln 1/4 + 3/4 ln 3/4); Theil = 1/4 ln(1/2) + 3/4 ln(3/2);
    # Gini = w1 w2 |LQ1 - LQ2| = 1/4 * |1/2 - 3/2| = 1/4.
    out = by_region(specialization_indices(long([[1, 3], [3, 1]])))
    r = out.loc["R0"]
    assert r["employment"] == 4 and r["n_sectors"] == 2
    assert r["krugman"] == pytest.approx(0.5)
    assert r["hoover"] == pytest.approx(0.25)
    assert r["herfindahl"] == pytest.approx(5 / 8)
    assert r["herfindahl_normalized"] == pytest.approx(0.25)
    assert r["herfindahl_relative"] == pytest.approx(1 / 8)
    h = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert r["entropy"] == pytest.approx(h)
    assert r["entropy_normalized"] == pytest.approx(h / math.log(2))
    assert r["entropy_relative"] == pytest.approx(0.25 * math.log(0.5) + 0.75 * math.log(1.5))
    assert r["gini"] == pytest.approx(0.25)


def test_bounds_krugman_herfindahl_entropy():
    # R0 all in S0, R1 all in S1 (disjoint): Krugman vs nation (1/2, 1/2, 0 ...) is 1 here,
    # so use 2 regions vs an explicit reference concentrated in another sector to hit 2.
    n = 4
    equal = long([[5] * n, [5] * n])
    out = by_region(specialization_indices(equal))
    assert out.loc["R0", "krugman"] == 0.0  # lower bound 0
    assert out.loc["R0", "herfindahl"] == pytest.approx(1 / n)  # 1/N
    assert out.loc["R0", "entropy"] == pytest.approx(math.log(n))  # ln N
    assert out.loc["R0", "gini"] == pytest.approx(0.0, abs=1e-15)
    assert out.loc["R0", "entropy_normalized"] == pytest.approx(1.0)
    # Krugman = 2: region entirely in S0, reference entirely in S1.
    ref = pd.DataFrame({"sector": ["S0", "S1"], "year": 2011, "value": [0.0, 10.0]})
    one = specialization_indices(long([[7, 0]]), reference=ref).iloc[0]
    assert one["krugman"] == pytest.approx(2.0)
    assert one["hoover"] == pytest.approx(1.0)
    assert one["herfindahl"] == 1.0  # upper bound 1
    assert one["entropy"] == 0.0
    assert np.isinf(one["entropy_relative"])  # s_rs > 0 where s_s = 0


def test_absent_rows_equal_zero_rows():
    full = long([[3, 0, 2], [1, 4, 5]])
    sparse = full[full["value"] > 0]
    a = specialization_indices(full).drop(columns="n_sectors")
    b = specialization_indices(sparse).drop(columns="n_sectors")
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)


def test_zero_total_region_gives_nan_and_flag():
    out = by_region(specialization_indices(long([[0, 0], [1, 2]])))
    assert np.isnan(out.loc["R0", "krugman"]) and out.loc["R0", "flag"] == "region_total_zero"
    assert out.loc["R1", "flag"] == "ok"


def test_missing_policy():
    df = long([[1, 2], [3, 4]])
    df.loc[0, "value"] = np.nan
    with pytest.raises(IndicatorInputError, match="missing value"):
        location_quotients(df)
    z = location_quotients(df, missing="zero")
    assert z["lq"].iloc[0] == 0.0
    prop = location_quotients(df, missing="propagate")
    # The year's national total E is unknown, so every share s_s = E_s / E and every LQ is NaN.
    assert prop["lq"].isna().all()
    assert (prop["flag"] == "missing").all()
    ind = by_region(specialization_indices(df, missing="propagate"))
    assert np.isnan(ind.loc["R0", "krugman"]) and ind.loc["R0", "flag"] == "missing"


def test_bad_input_errors_name_the_field():
    df = long([[1, 2], [3, 4]])
    with pytest.raises(IndicatorInputError, match="negative"):
        location_quotients(df.assign(value=[1.0, -2, 3, 4]))
    with pytest.raises(IndicatorInputError, match="not unique"):
        location_quotients(pd.concat([df, df.iloc[:1]]))
    with pytest.raises(IndicatorInputError, match="missing column"):
        specialization_indices(df.drop(columns="year"))
    with pytest.raises(IndicatorInputError, match="'region' has missing"):
        location_quotients(df.assign(region=[None, "R0", "R1", "R1"]))
    with pytest.raises(IndicatorInputError, match="numeric"):
        location_quotients(df.assign(value=["a", "b", "c", "d"]))


def test_years_are_separate_reference_economies():
    a = long([[1, 3], [3, 1]], year=2001)
    b = long([[2, 2], [2, 2]], year=2011)
    out = specialization_indices(pd.concat([a, b]))
    assert out["year"].tolist() == [2001, 2011, 2001, 2011]
    assert out["krugman"].tolist() == pytest.approx([0.5, 0.0, 0.5, 0.0])


def test_categorical_and_custom_column_names():
    df = long([[1, 3], [3, 1]]).rename(columns={"region": "sll", "sector": "ateco", "year": "t", "value": "n"})
    df["sll"] = df["sll"].astype("category")
    out = specialization_indices(df, region="sll", sector="ateco", time="t", value="n")
    assert out["krugman"].tolist() == pytest.approx([0.5, 0.5])
    assert list(out.columns[:2]) == ["sll", "t"]


def test_manufacturing_share():
    df = long([[1, 3], [3, 1]], sectors=["C", "G"])
    out = sector_group_share(df).set_index("region")
    # R0: 1/4 manufacturing; nation 4/8 = 1/2 -> LQ 0.5.
    assert out.loc["R0", "manufacturing_share"] == 0.25
    assert out.loc["R0", "manufacturing_share_lq"] == 0.5
    with pytest.raises(IndicatorInputError, match="no sector"):
        sector_group_share(df, ["Z"])


# ------------------------------------------------------------ property tests
matrices = st.integers(2, 5).flatmap(
    lambda nr: st.integers(2, 6).flatmap(
        lambda ns: arrays(np.float64, (nr, ns), elements=st.integers(0, 50).map(float))
    )
)


def _positive_rows(m):
    m = m.copy()
    m[:, 0] += 1.0  # every region and sector 0 nonempty
    return m


@settings(max_examples=60, deadline=None)
@given(matrices)
def test_weighted_mean_lq_is_one_per_sector(m):
    # sum_r (E_r / E) LQ_rs = sum_r E_rs / E_s = 1 for every sector with E_s > 0.
    m = _positive_rows(m)
    df = long(m)
    out = location_quotients(df)
    df = df.assign(lq=out["lq"].to_numpy(), w=df.groupby("region")["value"].transform("sum") / m.sum())
    s = (df["w"] * df["lq"]).groupby(df["sector"]).sum()
    pos = m.sum(axis=0) > 0
    np.testing.assert_allclose(s.to_numpy()[pos], 1.0, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(matrices, st.randoms(use_true_random=False), st.floats(0.01, 1000))
def test_invariances_order_and_scale(m, rnd, k):
    m = _positive_rows(m)
    df = long(m)
    base = specialization_indices(df).set_index("region").sort_index()
    perm = list(range(len(df)))
    rnd.shuffle(perm)
    shuffled = specialization_indices(df.iloc[perm]).set_index("region").sort_index()
    scaled = specialization_indices(df.assign(value=df["value"] * k)).set_index("region").sort_index()
    cols = ["krugman", "herfindahl", "herfindahl_relative", "entropy", "entropy_relative", "gini"]
    pd.testing.assert_frame_equal(base[cols], shuffled[cols], check_exact=False, rtol=1e-9, atol=1e-12)
    pd.testing.assert_frame_equal(base[cols], scaled[cols], check_exact=False, rtol=1e-9, atol=1e-12)
    lq = location_quotients(df.iloc[perm]).set_index(["region", "sector"]).sort_index()["lq"]
    lq0 = location_quotients(df).set_index(["region", "sector"]).sort_index()["lq"]
    pd.testing.assert_series_equal(lq, lq0, check_exact=False, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(matrices)
def test_bounds_and_gini_matches_pairwise_definition(m):
    m = _positive_rows(m)
    df = long(m)
    out = specialization_indices(df)
    n = m.shape[1]
    ok = out["employment"] > 0
    o = out[ok]
    assert (o["krugman"].between(-1e-12, 2 + 1e-12)).all()
    assert (o["herfindahl"] >= 1 / n - 1e-12).all() and (o["herfindahl"] <= 1 + 1e-12).all()
    assert (o["entropy"] <= math.log(n) + 1e-12).all() and (o["entropy"] >= -1e-12).all()
    assert (o["entropy_relative"] >= -1e-12).all()
    # Gini against the O(N^2) definition 1/2 sum_ij w_i w_j |LQ_i - LQ_j|, w = national shares.
    w = m.sum(axis=0) / m.sum()
    for i, row in enumerate(m):
        if row.sum() == 0:
            continue
        lq = np.divide(row / row.sum(), w, out=np.zeros(n), where=w > 0)
        g = 0.5 * np.sum(np.outer(w, w) * np.abs(lq[:, None] - lq[None, :]))
        assert out["gini"].iloc[i] == pytest.approx(g, abs=1e-12)
        assert out["hoover"].iloc[i] == pytest.approx(0.5 * np.abs(row / row.sum() - w).sum(), abs=1e-12)


def test_specialization_tables_equal_separate_calls():
    df = long([[0, 5, 0], [0, 0, 0], [4, 1, 2]])
    df.loc[2, "value"] = np.nan
    for missing in ("zero", "propagate"):
        lq, ind = specialization_tables(df, missing=missing)
        pd.testing.assert_frame_equal(lq, location_quotients(df, missing=missing))
        pd.testing.assert_frame_equal(ind, specialization_indices(df, missing=missing))


def test_group_value_order_falls_back_to_exact_sort():
    from i4districts.indicators.specialization import _order_by_group_then_value

    # Huge group codes make the float key too coarse to separate 1.0 from 1.001: the O(n)
    # check must detect the inversion and fall back to lexsort.
    rng = np.random.default_rng(3)
    g = np.repeat(np.array([2**40, 2**40 + 1], dtype=np.int64), 50)
    x = rng.uniform(1.0, 1.001, g.size)
    x[::7] = np.inf
    order = _order_by_group_then_value(g, x)
    np.testing.assert_array_equal(g[order], np.sort(g))
    xs, gs = x[order], g[order]
    assert all(np.all(np.diff(xs[gs == k][np.isfinite(xs[gs == k])]) >= 0) for k in np.unique(g))
    for k in np.unique(g):
        inf = np.isinf(xs[gs == k])
        assert inf.any() and inf[np.argmax(inf) :].all()  # infinite LQs parked last in each group


def test_single_sector_table_flags_undefined_normalised_indices():
    # One sector: 1 - 1/N = 0 and ln N = 0, so the normalised Herfindahl and entropy are
    # undefined. They must not come out as NaN with flag "ok".
    out = by_region(specialization_indices(long([[5], [7]])))
    assert out["herfindahl"].tolist() == [1.0, 1.0]
    assert out["herfindahl_normalized"].isna().all() and out["entropy_normalized"].isna().all()
    assert (out["flag"] == "single_sector").all()
    # a region-year with total 0 keeps its more specific flag
    assert by_region(specialization_indices(long([[0], [7]]))).loc["R0", "flag"] == "region_total_zero"


def test_specialization_long_table_stacks_lqs_and_indices():
    from i4districts.indicators.specialization import ALL_SECTORS, SPECIALIZATION_INDICES, specialization_long_table

    df = long([[1, 3], [3, 1]])
    out = specialization_long_table(df.rename(columns={"region": "geo"}), region="geo")
    assert list(out.columns) == ["region", "sector", "year", "indicator", "value", "unit", "flag"]
    lq = out[out["indicator"] == "lq"].set_index(["region", "sector"])["value"]
    assert lq[("R0", "S0")] == pytest.approx(0.5) and lq[("R1", "S0")] == pytest.approx(1.5)
    idx = out[out["sector"] == ALL_SECTORS]
    assert set(idx["indicator"]) == set(SPECIALIZATION_INDICES) and len(idx) == 2 * len(SPECIALIZATION_INDICES)
    k = idx.set_index(["region", "indicator"])["value"]
    assert k[("R0", "krugman")] == pytest.approx(0.5)
    assert (out["unit"] == "ratio").all() and (out["flag"] == "ok").all()
    no_gini = specialization_long_table(df, gini=False)
    assert "gini" not in set(no_gini["indicator"])
