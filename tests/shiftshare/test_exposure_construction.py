"""Hand-computed checks of the shift-share exposure construction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from i4districts.shiftshare import (
    ExposureInputError,
    adjusted_penetration,
    adoption_changes,
    baseline_shares,
    leave_one_out_shift,
    named_countries_shift,
    shift_share_exposure,
)


def _emp() -> pd.DataFrame:
    # Region A in 2015: C=30, F=10, G=60 (total 100) -> shares .3, .1, .6
    # Region B in 2015: C=50, F=50 (no G)            -> shares .5, .5
    # 2016 rows must be ignored.
    return pd.DataFrame(
        {
            "region": ["A", "A", "A", "B", "B", "A", "B"],
            "sector": ["C", "F", "G", "C", "F", "C", "C"],
            "year": [2015, 2015, 2015, 2015, 2015, 2016, 2016],
            "value": [30.0, 10.0, 60.0, 50.0, 50.0, 999.0, 1.0],
        }
    )


def test_baseline_shares_hand_computed():
    out = baseline_shares(_emp(), base_year=2015)
    assert list(out.columns) == ["region", "sector", "share"]
    got = {(r, s): v for r, s, v in out.itertuples(index=False)}
    assert got == pytest.approx(
        {("A", "C"): 0.3, ("A", "F"): 0.1, ("A", "G"): 0.6, ("B", "C"): 0.5, ("B", "F"): 0.5}
    )
    assert out.groupby("region")["share"].sum().to_numpy() == pytest.approx([1.0, 1.0])


def test_baseline_shares_custom_columns():
    emp = _emp().rename(columns={"region": "r", "sector": "s", "year": "t", "value": "L"})
    out = baseline_shares(emp, base_year=2015, region="r", sector="s", time="t", value="L")
    assert list(out.columns) == ["r", "s", "share"]


def test_shift_share_exposure_hand_computed():
    shares = baseline_shares(_emp(), base_year=2015)
    shifts = pd.DataFrame(
        {
            "sector": ["C", "F", "G", "C", "F", "G"],
            "year": [2018, 2018, 2018, 2020, 2020, 2020],
            "shift": [2.0, 1.0, 0.5, 4.0, -1.0, 0.0],
        }
    )
    out = shift_share_exposure(shares, shifts)
    # A,2018: .3*2 + .1*1 + .6*.5 = .6 + .1 + .3 = 1.0
    # A,2020: .3*4 + .1*(-1) + .6*0 = 1.2 - .1 = 1.1
    # B,2018: .5*2 + .5*1 = 1.5 ; B,2020: .5*4 - .5*1 = 1.5
    assert list(out.columns) == ["region", "year", "exposure"]
    got = {(r, t): v for r, t, v in out.itertuples(index=False)}
    assert got == pytest.approx(
        {("A", 2018): 1.0, ("A", 2020): 1.1, ("B", 2018): 1.5, ("B", 2020): 1.5}
    )


def test_exposure_sector_mismatch_names_sectors():
    shares = baseline_shares(_emp(), base_year=2015)
    shifts = pd.DataFrame({"sector": ["C", "F", "X"], "year": [1, 1, 1], "shift": [1.0, 1.0, 1.0]})
    with pytest.raises(ExposureInputError, match=r"shares table.*sector.*'G'"):
        shift_share_exposure(shares, shifts)
    shifts2 = pd.DataFrame(
        {"sector": ["C", "F", "G", "X"], "year": [1] * 4, "shift": [1.0] * 4}
    )
    with pytest.raises(ExposureInputError, match=r"shifts table.*sector.*'X'"):
        shift_share_exposure(shares, shifts2)


def test_exposure_unbalanced_shifts_raise():
    shares = baseline_shares(_emp(), base_year=2015)
    shifts = pd.DataFrame(
        {"sector": ["C", "F", "G", "C", "F"], "year": [1, 1, 1, 2, 2], "shift": [1.0] * 5}
    )
    with pytest.raises(ExposureInputError, match=r"lacks .*'G'"):
        shift_share_exposure(shares, shifts)


@pytest.mark.parametrize(
    "mutate, pattern",
    [
        (lambda d: d.drop(columns="value"), r"'value' is missing"),
        (lambda d: d.assign(value=d.value.where(d.sector != "F")), r"missing or non-numeric"),
        (lambda d: d.assign(value=-d.value), r"negative"),
        (lambda d: pd.concat([d, d.iloc[[0]]]), r"duplicate keys"),
        (lambda d: d.assign(value=0.0), r"sums to zero"),
    ],
)
def test_baseline_shares_bad_input(mutate, pattern):
    with pytest.raises(ExposureInputError, match=pattern):
        baseline_shares(mutate(_emp()), base_year=2015)


def test_baseline_shares_missing_year():
    with pytest.raises(ExposureInputError, match=r"base_year=1990.*2015, 2016"):
        baseline_shares(_emp(), base_year=1990)


def test_exposure_error_is_value_error():
    assert issubclass(ExposureInputError, ValueError)


@settings(max_examples=40, deadline=None)
@given(
    emp=hnp.arrays(np.float64, (4, 3), elements=st.floats(0.5, 1e4)),
    c=st.floats(-10, 10),
)
def test_constant_shift_gives_constant_exposure(emp, c):
    """Invariant: shares sum to one, so a shift equal to c in every sector
    gives exposure c in every region; and exposure is linear in the shift."""
    regions, sectors = np.meshgrid(range(4), range(3), indexing="ij")
    df = pd.DataFrame(
        {"region": regions.ravel(), "sector": sectors.ravel(), "year": 2000, "value": emp.ravel()}
    )
    sh = baseline_shares(df, base_year=2000)
    assert np.allclose(sh.groupby("region")["share"].sum(), 1.0)
    shifts = pd.DataFrame({"sector": range(3), "year": 2005, "shift": c})
    out = shift_share_exposure(sh, shifts)
    assert np.allclose(out["exposure"], c, atol=1e-9 * (1 + abs(c)))
    # linearity: exposure(2 * shift) == 2 * exposure(shift)
    s1 = pd.DataFrame({"sector": range(3), "year": 2005, "shift": [1.0, -2.0, 3.0]})
    e1 = shift_share_exposure(sh, s1)["exposure"].to_numpy()
    e2 = shift_share_exposure(sh, s1.assign(shift=2 * s1["shift"]))["exposure"].to_numpy()
    assert np.allclose(e2, 2 * e1)
    # matches the direct matrix product
    w = emp / emp.sum(axis=1, keepdims=True)
    assert np.allclose(e1, w @ np.array([1.0, -2.0, 3.0]))


def test_adoption_changes_hand_computed():
    a = pd.DataFrame(
        {
            "sector": ["C", "C", "C", "J", "J", "J"],
            "year": [2015, 2018, 2021, 2015, 2018, 2021],
            "value": [10.0, 14.0, 20.0, 30.0, 31.0, 45.0],
        }
    )
    out = adoption_changes(a, periods=[(2015, 2018), (2018, 2021), (2015, 2021)])
    got = {(s, t): v for s, t, v in out.itertuples(index=False)}
    # (2015,2018): C 14-10=4, J 31-30=1 ; (2018,2021): C 6, J 14 ; (2015,2021): C 10, J 15
    # the 2021 key is shared by two periods, so check the table row by row
    assert len(out) == 6
    rows = sorted(map(tuple, out[["sector", "year", "shift"]].to_numpy().tolist()))
    assert rows == sorted(
        [("C", 2018, 4.0), ("J", 2018, 1.0), ("C", 2021, 6.0), ("J", 2021, 14.0),
         ("C", 2021, 10.0), ("J", 2021, 15.0)]
    )
    assert got[("C", 2018)] == 4.0
    with pytest.raises(ExposureInputError, match=r"lacks an endpoint.*'J'"):
        adoption_changes(a[~((a.sector == "J") & (a.year == 2018))], periods=[(2015, 2018)])


def test_adjusted_penetration_hand_computed():
    # Sector C: R0=100, R1=160, L=50 (thousand), Q0=200, Q1=220 -> g=0.1
    #   APR = (160-100)/50 - 0.1*100/50 = 1.2 - 0.2 = 1.0
    # Sector J: R0=10, R1=10, L=20, Q0=100, Q1=50 -> g=-0.5
    #   APR = 0/20 + 0.5*10/20 = 0.25
    stock = pd.DataFrame(
        {"sector": ["C", "C", "J", "J"], "year": [2000, 2010] * 2, "value": [100.0, 160.0, 10.0, 10.0]}
    )
    out_ = pd.DataFrame(
        {"sector": ["C", "C", "J", "J"], "year": [2000, 2010] * 2, "value": [200.0, 220.0, 100.0, 50.0]}
    )
    emp = pd.DataFrame({"sector": ["C", "J"], "value": [50.0, 20.0]})
    res = adjusted_penetration(stock, out_, emp, periods=[(2000, 2010)])
    got = dict(zip(res["sector"], res["shift"]))
    assert got == pytest.approx({"C": 1.0, "J": 0.25})
    assert set(res["year"]) == {2010}


def test_leave_one_out_and_named_countries():
    # sector C, year 1: IT=1, DE=3, FR=8 -> LOO IT=(3+8)/2=5.5, DE=4.5, FR=2
    shifts = pd.DataFrame(
        {"country": ["IT", "DE", "FR"], "sector": "C", "year": 1, "shift": [1.0, 3.0, 8.0]}
    )
    loo = leave_one_out_shift(shifts)
    got = dict(zip(loo["country"], loo["shift"]))
    assert got == pytest.approx({"IT": 5.5, "DE": 4.5, "FR": 2.0})
    named = named_countries_shift(shifts, ["DE", "FR"])
    assert named["shift"].tolist() == pytest.approx([5.5])
    with pytest.raises(ExposureInputError, match=r"lacks the named countries.*'ES'"):
        named_countries_shift(shifts, ["DE", "ES"])
    with pytest.raises(ExposureInputError, match=r"at least two countries"):
        leave_one_out_shift(shifts[shifts.country == "IT"])


def test_adjusted_penetration_by_country_and_errors():
    """Per country: IT as in the single-country case (C: 1.0); DE sector C:
    R0=50, R1=50, L=25, Q0=100, Q1=150 -> g=.5, APR = 0 - .5*50/25 = -1."""
    stock = pd.DataFrame({"country": ["IT", "IT", "DE", "DE"], "sector": "C",
                          "year": [2000, 2010] * 2, "value": [100.0, 160.0, 50.0, 50.0]})
    output = pd.DataFrame({"country": ["IT", "IT", "DE", "DE"], "sector": "C",
                           "year": [2000, 2010] * 2, "value": [200.0, 220.0, 100.0, 150.0]})
    emp = pd.DataFrame({"country": ["IT", "DE"], "sector": "C", "value": [50.0, 25.0]})
    res = adjusted_penetration(stock, output, emp, periods=[(2000, 2010)], by=["country"])
    got = dict(zip(res["country"], res["shift"]))
    assert got == pytest.approx({"IT": 1.0, "DE": -1.0})
    with pytest.raises(ExposureInputError, match=r"growth table.*positive.*'DE'"):
        adjusted_penetration(stock, output.assign(value=output.value.where(
            output.country != "DE", 0.0)), emp, periods=[(2000, 2010)], by=["country"])
    with pytest.raises(ExposureInputError, match=r"lacks baseline employment.*'DE'"):
        adjusted_penetration(stock, output, emp[emp.country == "IT"], periods=[(2000, 2010)],
                             by=["country"])


def test_adoption_changes_by_country_feeds_instruments():
    """End to end: country adoption -> changes -> leave-one-out -> exposure.
    C: IT 10->14 (4), DE 20->30 (10), FR 5->11 (6); F: IT 0->1, DE 2->2, FR 1->5.
    LOO for IT: C (10+6)/2 = 8, F (0+4)/2 = 2. Region with shares C .25, F .75:
    exposure = .25*8 + .75*2 = 3.5."""
    a = pd.DataFrame({
        "country": ["IT", "IT", "DE", "DE", "FR", "FR"] * 2,
        "sector": ["C"] * 6 + ["F"] * 6,
        "year": [2015, 2021] * 6,
        "value": [10, 14, 20, 30, 5, 11, 0, 1, 2, 2, 1, 5],
    })
    ch = adoption_changes(a, periods=[(2015, 2021)], by=["country"])
    loo = leave_one_out_shift(ch)
    it = loo[loo.country == "IT"].drop(columns="country")
    shares = pd.DataFrame({"region": ["R1", "R1"], "sector": ["C", "F"], "share": [0.25, 0.75]})
    out = shift_share_exposure(shares, it)
    assert out["exposure"].tolist() == pytest.approx([3.5])
    assert out["year"].tolist() == [2021]
