"""Exposure on real Eurostat data (nama_10r_3empers, Italy).

The ten non-overlapping A*10 groups (A, B-E, F, G-I, J, K, L, M-N, O-Q, R-U)
partition total employment, so: baseline shares sum to one per region; the
share-weighted sum of group employment equals the published total (up to the
re-publisher's float noise and Eurostat rounding); a uniform shift gives the
same exposure everywhere; and Italy's exposure equals the employment-weighted
mean of its NUTS-2 regions' exposure (shares are additive).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from i4districts.shiftshare import baseline_shares, shift_share_exposure

GROUPS = ["A", "B-E", "F", "G-I", "J", "K", "L", "M-N", "O-Q", "R-U"]


@pytest.fixture(scope="module")
def it_emp(shared_data) -> pd.DataFrame:
    path = shared_data / "eurostat" / "IT_nama_10r_3empers.csv"
    if not path.exists():
        pytest.fail(f"missing {path}", pytrace=False)
    wide = pd.read_csv(path)
    wide["region"] = wide["GeoId"].str.removeprefix("dcid:nuts/")
    cols = {f"Count_Person_Employed_NACE/{g}": g for g in GROUPS}
    long = wide.melt(id_vars=["region", "Date"], value_vars=list(cols), var_name="sector",
                     value_name="value")
    long["sector"] = long["sector"].map(cols)
    long = long.rename(columns={"Date": "year"})
    long["value"] = long["value"].round()
    total = wide.set_index(["region", "Date"])["Count_Person_Employed"].round()
    return long, total


def test_shares_partition_total_employment(it_emp):
    long, total = it_emp
    # NUTS-2 regions (IT + 3 characters) with all ten groups published in 2015
    sub = long[(long.region.str.len() == 4) & (long.year == 2015)]
    complete = sub.groupby("region")["value"].apply(lambda s: s.notna().all())
    regions = complete[complete].index
    assert len(regions) >= 19
    sub = sub[sub.region.isin(regions)]
    shares = baseline_shares(sub, base_year=2015)
    assert np.allclose(shares.groupby("region")["share"].sum(), 1.0)
    group_sum = sub.groupby("region")["value"].sum()
    published = total.xs(2015, level="Date").reindex(group_sum.index)
    # groups add up to the published total within Eurostat's rounding (hundreds)
    assert np.allclose(group_sum, published, rtol=1e-3)

    flat = pd.DataFrame({"sector": GROUPS, "year": 2020, "shift": 2.5})
    assert np.allclose(shift_share_exposure(shares, flat)["exposure"], 2.5)

    # additivity: national exposure = employment-weighted mean of regional exposure
    rng = np.random.default_rng(0)
    shifts = pd.DataFrame({"sector": GROUPS, "year": 2020, "shift": rng.normal(size=len(GROUPS))})
    reg = shift_share_exposure(shares, shifts).set_index("region")["exposure"]
    nat_emp = sub.groupby("sector")["value"].sum().reset_index().assign(region="IT", year=2015)
    nat = shift_share_exposure(baseline_shares(nat_emp, base_year=2015), shifts)["exposure"].item()
    assert nat == pytest.approx(np.average(reg, weights=group_sum.reindex(reg.index)), rel=1e-12)


def test_unpublished_cells_are_reported_not_dropped(it_emp):
    long, _ = it_emp
    # 2018 is only partly published in this extract (e.g. Italy, ITC, ITC1 lack groups)
    sub = long[long.year == 2018]
    if not sub["value"].isna().any():
        pytest.fail("expected some unpublished 2018 cells in the Eurostat extract", pytrace=False)
    with pytest.raises(ValueError, match=r"employment.*missing or non-numeric.*'region': 'IT'"):
        baseline_shares(sub, base_year=2018)
