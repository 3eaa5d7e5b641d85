"""Panel selection, growth and model frame on hand-made frames."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from i4districts.panel import (
    PanelError,
    PanelSelection,
    employment_growth,
    is_extra_regio,
    model_frame,
    select_employment_panel,
)

A10_SPLIT = ("A", "B-E", "C", "F", "G-I", "J", "K", "L", "M-N", "O-Q", "R-U")


def _sample(geos=("ITX11", "ITX12", "ITZZZ"), years=(2000, 2001), c=30, b_e=50, other=10):
    rows = []
    for g in geos:
        for y in years:
            vals = {s: other for s in A10_SPLIT}
            vals["C"], vals["B-E"] = c, b_e
            total = sum(v for s, v in vals.items() if s != "C")
            for s, v in {**vals, "TOTAL": total}.items():
                rows.append({"geo": g, "nace": s, "year": y, "nuts_level": len(g) - 2, "employment": v})
    return pd.DataFrame(rows).astype({"employment": "Int64"})


def test_split_c_derives_rest_of_b_e_and_adds_up():
    p = select_employment_panel(_sample(), PanelSelection(country="IT", start=2000, end=2001))
    assert set(p["geo"]) == {"ITX11", "ITX12"}  # extra-regio dropped
    assert set(p["nace"]) == {"A", "B_D_E", "C", "F", "G-I", "J", "K", "L", "M-N", "O-Q", "R-U"}
    cell = p[(p["geo"] == "ITX11") & (p["year"] == 2000)].set_index("nace")["employment"]
    assert cell["B_D_E"] == 20 and cell["C"] == 30
    assert cell.sum() == 140  # = TOTAL: B-E (50) + 9 other sectors x 10
    assert not p.duplicated(["geo", "nace", "year"]).any()
    assert p["employment"].dtype == "int64" and set(p["unit"]) == {"persons"}


def test_a10_keeps_b_e_and_extra_regio_on_request():
    p = select_employment_panel(_sample(), PanelSelection(start=2000, end=2001, sectors="a10", drop_extra_regio=False))
    assert "B-E" in set(p["nace"]) and "C" not in set(p["nace"])
    assert "ITZZZ" in set(p["geo"])


def test_unpublished_cell_is_refused_with_its_key():
    s = _sample()
    s.loc[(s["geo"] == "ITX12") & (s["nace"] == "J") & (s["year"] == 2001), "employment"] = pd.NA
    with pytest.raises(PanelError, match="ITX12.*2001.*'J'"):
        select_employment_panel(s, PanelSelection(start=2000, end=2001))


def test_sectors_not_adding_up_are_refused():
    s = _sample()
    s.loc[(s["geo"] == "ITX11") & (s["nace"] == "TOTAL") & (s["year"] == 2000), "employment"] = 999
    with pytest.raises(PanelError, match="do not add up.*ITX11"):
        select_employment_panel(s, PanelSelection(start=2000, end=2001))


def test_missing_year_and_empty_selection():
    with pytest.raises(PanelError, match=r"year: no data for \[2002\]"):
        select_employment_panel(_sample(), PanelSelection(start=2000, end=2002))
    with pytest.raises(PanelError, match="no rows"):
        select_employment_panel(_sample(), PanelSelection(country="DE"))


def test_extra_regio_detection():
    codes = pd.Series(["ITZ", "ITZZ", "ITZZZ", "ITC4Z", "IT", "ITH32"])
    assert is_extra_regio(codes).tolist() == [True, True, True, False, False, False]


def test_growth_is_100_log_difference_and_breaks_at_gaps():
    p = pd.DataFrame({"geo": ["R"] * 4, "nace": ["A", "B", "A", "A"], "year": [2000, 2000, 2001, 2003],
                      "employment": [60, 40, 110, 121]})
    g = employment_growth(p).set_index("year")
    assert g.loc[2000, "employment"] == 100
    assert math.isnan(g.loc[2000, "employment_growth"])
    assert g.loc[2001, "employment_growth"] == pytest.approx(100 * math.log(110 / 100), rel=1e-14)
    assert math.isnan(g.loc[2003, "employment_growth"])  # 2002 missing: no growth across the gap


def test_model_frame_joins_and_reports_missing_exposure():
    growth = pd.DataFrame({"geo": ["R", "R", "S", "S"], "year": [2000, 2001, 2000, 2001],
                           "employment": [1, 2, 3, 4], "employment_growth": [None, 1.0, None, 2.0]})
    exposure = pd.DataFrame({"geo": ["R", "R", "S"], "year": [2000, 2001, 2001], "exposure": [0.0, 1.0, 2.0]})
    mf = model_frame(growth, exposure, base_year=2000)
    assert mf[["geo", "year", "exposure"]].values.tolist() == [["R", 2001, 1.0], ["S", 2001, 2.0]]
    with pytest.raises(PanelError, match="exposure: missing.*'S'"):
        model_frame(growth, exposure.iloc[:2], base_year=2000)
