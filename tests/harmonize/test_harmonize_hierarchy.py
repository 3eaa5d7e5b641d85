"""NUTS aggregation against Eurostat's published NUTS-2 values, and its invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from i4districts.harmonize import HarmonizeError
from i4districts.harmonize.hierarchy import (
    aggregate_nuts,
    is_extra_regio,
    nuts_additivity_report,
    nuts_code_level,
    nuts_level,
)


@pytest.fixture(scope="module")
def long(sample) -> pd.DataFrame:
    # values are already rounded to whole persons by the sample reader (file has float noise)
    return pd.DataFrame({"region": sample["geo"].astype(str), "nace": sample["nace"].astype(str),
                         "year": sample["year"], "value": sample["employment"].astype(float)})


def test_nuts3_sums_reproduce_published_nuts2(long):
    agg = aggregate_nuts(long, to_level=2, by=["nace", "year"])
    pub = long[long["region"].str.len() == 4]
    both = agg.merge(pub, on=["region", "nace", "year"], suffixes=("_sum", "_pub"))
    both = both.dropna(subset=["value_sum", "value_pub"])
    # 21 NUTS-2 regions + ITZZ extra-regio, 15 NACE groups, 2000-2017; ITZZ(Z) also 1995-1999
    assert len(both) == 22 * 15 * 18 + 15 * 5
    np.testing.assert_array_equal(both["value_sum"].to_numpy(), both["value_pub"].to_numpy())
    # hand check: Sardinia ITG2 total 2016 = 113500 + 55100 + 230300 + 53100 + 63500 + 19500 + 29600 + 35600
    cell = agg.set_index(["region", "nace", "year"]).loc[("ITG2", "TOTAL", 2016)]
    assert cell["value"] == 600200.0 and cell["n_children"] == 8


def test_additivity_report_on_published_table(long):
    rep = nuts_additivity_report(long, by=["nace", "year"])
    lv2 = rep[rep["level"] == 2]
    assert len(lv2) > 0 and (lv2["status"] == "ok").all()
    assert set(rep["status"]) <= {"ok", "incomplete"}  # no mismatch anywhere


def test_null_child_gives_null_parent_and_is_reported():
    df = pd.DataFrame({"region": ["ITC1", "ITC11", "ITC12"], "value": [30.0, 10.0, np.nan]})
    agg = aggregate_nuts(df, to_level=2)
    assert np.isnan(agg["value"].iloc[0]) and agg["n_children"].iloc[0] == 2
    rep = nuts_additivity_report(df)
    assert rep["status"].tolist() == ["incomplete"]


def test_mismatch_is_reported_with_difference():
    df = pd.DataFrame({"region": ["ITC1", "ITC11", "ITC12"], "value": [31.0, 10.0, 20.0]})
    rep = nuts_additivity_report(df).iloc[0]
    assert (rep["status"], rep["difference"], rep["level"]) == ("mismatch", 1.0, 2)


def test_bad_levels_refused():
    with pytest.raises(HarmonizeError, match="to_level"):
        aggregate_nuts(pd.DataFrame({"region": ["ITC11"], "value": [1.0]}), to_level=3)
    with pytest.raises(HarmonizeError, match="duplicate"):
        aggregate_nuts(pd.DataFrame({"region": ["ITC11", "ITC11"], "value": [1.0, 2.0]}), to_level=2)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["ITC11", "ITC12", "ITC20", "ITF11", "ITG25", "ITH10", "ITZZZ"]),
                          st.integers(0, 10**7)), min_size=1, max_size=7, unique_by=lambda t: t[0]),
       st.integers(0, 2))
def test_aggregation_preserves_totals(rows, to_level):
    df = pd.DataFrame(rows, columns=["region", "value"]).astype({"value": float})
    agg = aggregate_nuts(df, to_level=to_level)
    assert agg["value"].sum() == df["value"].sum()
    assert agg["n_children"].sum() == len(df)
    assert (agg["region"].str.len() == 2 + to_level).all()


def test_nuts_level_helpers_are_one_set():
    from i4districts.harmonize import correspondence

    assert correspondence.nuts_level is nuts_level  # the correspondence uses the same helper
    assert [nuts_level(c) for c in ("IT", "ITC", "ITC1", "ITC11")] == [0, 1, 2, 3]
    codes = pd.Series(["IT", "ITC11", "ITZ", "ITZZZ", "ITZ1"])
    assert nuts_code_level(codes).tolist() == [0, 3, 1, 3, 2]
    assert is_extra_regio(codes).tolist() == [False, False, True, True, False]
