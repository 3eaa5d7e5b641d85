"""Municipality → SLL aggregation on synthetic data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from i4districts.harmonize import HarmonizeError
from i4districts.harmonize.sll import aggregate_to_sll, check_sll_correspondence, read_sll_correspondence

CORR = pd.DataFrame({"municipality": ["001001", "001002", "001003", "002001", "002002"],
                     "sll": ["0101", "0101", "0102", "0102", "0201"]})


def test_synthetic_aggregation_is_exact():
    df = pd.DataFrame({
        "region": ["001001", "001002", "001003", "002001", "002002"] * 2,
        "year": [2019] * 5 + [2020] * 5,
        "employees": [10, 20, 5, 7, 100, 11, 21, 6, 8, 101],
    })
    out, rep = aggregate_to_sll(df, CORR, value_cols=["employees"], by=["year"])
    got = out.set_index(["region", "year"])["employees"].to_dict()
    # 0101 = 001001 + 001002; 0102 = 001003 + 002001; 0201 = 002002
    assert got == {("0101", 2019): 30, ("0102", 2019): 12, ("0201", 2019): 100,
                   ("0101", 2020): 32, ("0102", 2020): 14, ("0201", 2020): 101}
    assert (out["flag"] == "").all() and out["n_municipalities"].tolist() == [2, 2, 2, 2, 1, 1]
    assert (rep["n_expected"] == rep["n_present"]).all()


def test_missing_municipality_flags_incomplete_sll():
    df = pd.DataFrame({"region": ["001001", "001003", "002001"], "value": [1.0, 2.0, 3.0]})
    out, rep = aggregate_to_sll(df, CORR)
    flags = out.set_index("region")["flag"].to_dict()
    assert flags == {"0101": "incomplete", "0102": ""}
    assert rep.set_index("region").loc["0101", "missing"] == ["001002"]


def test_unknown_municipality_refused_not_dropped():
    df = pd.DataFrame({"region": ["001001", "1002"], "value": [1.0, 2.0]})
    with pytest.raises(HarmonizeError, match=r"not in the SLL correspondence: \['1002'\].*zero padding"):
        aggregate_to_sll(df, CORR)


def test_null_value_propagates():
    df = pd.DataFrame({"region": ["001001", "001002"], "value": [1.0, np.nan]})
    out, _ = aggregate_to_sll(df, CORR)
    assert np.isnan(out["value"].iloc[0])


def test_bad_correspondence_refused():
    bad = pd.concat([CORR, pd.DataFrame({"municipality": ["001001"], "sll": ["0201"]})], ignore_index=True)
    with pytest.raises(HarmonizeError, match="several SLL"):
        check_sll_correspondence(bad)


def test_read_correspondence_pads_codes(tmp_path):
    p = tmp_path / "sll.csv"
    p.write_text("PRO_COM_T;SLL_2021;DEN\n1001;101;Torino\n1002;101;Torino\n90001;2005;X\n", encoding="utf-8")
    corr = read_sll_correspondence(p, sll_col="SLL_2021")
    assert corr.values.tolist() == [["001001", "0101"], ["001002", "0101"], ["090001", "2005"]]
    with pytest.raises(HarmonizeError, match="SLL_2011"):
        read_sll_correspondence(p)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=5, max_size=5), st.lists(st.sampled_from(list("abc")), min_size=5,
                                                                           max_size=5))
def test_sll_aggregation_preserves_totals(values, slls):
    corr = pd.DataFrame({"municipality": CORR["municipality"], "sll": slls})
    df = pd.DataFrame({"region": CORR["municipality"], "value": values})
    out, _ = aggregate_to_sll(df, corr)
    assert out["value"].sum() == sum(values)
