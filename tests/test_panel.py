"""The one panel builder on the embedded sample's layout, growth and model frame on hand-made frames."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from i4districts.errors import InputError
from i4districts.frame import FrameError, employment_growth, model_frame
from i4districts.harmonize import HarmonizeError
from i4districts.harmonize.hierarchy import is_extra_regio
from i4districts.harmonize.panel import build_panel
from i4districts.vocabulary import to_vocabulary

A10_SPLIT = ("A", "B-E", "C", "F", "G-I", "J", "K", "L", "M-N", "O-Q", "R-U")


def _sample(geos=("ITX11", "ITX12", "ITZZZ"), years=(2000, 2001), c=30, b_e=50, other=10):
    rows = []
    for g in geos:
        for y in years:
            vals = {s: other for s in A10_SPLIT}
            vals["C"], vals["B-E"] = c, b_e
            total = sum(v for s, v in vals.items() if s != "C")
            for s, v in {**vals, "TOTAL": total}.items():
                rows.append({"geo": g, "nace": s, "year": y, "nuts_level": len(g) - 2, "employment": v,
                             "unit": "persons"})
    return to_vocabulary(pd.DataFrame(rows).astype({"employment": "Int64"}), vintage="test")


def _panel(sample, **kw):
    opts = dict(sectors="A10_split_C", vintage="test", country="IT", region_level=3, years=(2000, 2001),
                drop_extra_regio=True, complete=True)
    opts.update(kw)
    return build_panel(sample, **opts)[0]


def test_split_c_derives_rest_of_b_e_and_adds_up():
    p = _panel(_sample())
    assert set(p["region"]) == {"ITX11", "ITX12"}  # extra-regio dropped
    assert set(p["sector"]) == {"A", "B_D_E", "C", "F", "G-I", "J", "K", "L", "M-N", "O-Q", "R-U"}
    cell = p[(p["region"] == "ITX11") & (p["year"] == 2000)].set_index("sector")["value"]
    assert cell["B_D_E"] == 20 and cell["C"] == 30
    assert cell.sum() == 140  # = TOTAL: B-E (50) + 9 other sectors x 10
    assert not p.duplicated(["region", "sector", "year"]).any()
    assert set(p["unit"]) == {"persons"} and set(p["vintage"]) == {"test"}


def test_a10_keeps_b_e_and_extra_regio_on_request():
    p = _panel(_sample(), sectors="A10", drop_extra_regio=False)
    assert "B-E" in set(p["sector"]) and "C" not in set(p["sector"])
    assert "ITZZZ" in set(p["region"])


def test_unpublished_cell_is_refused_with_its_key():
    s = _sample()
    s.loc[(s["region"] == "ITX12") & (s["sector"] == "J") & (s["year"] == 2001), "value"] = float("nan")
    with pytest.raises(HarmonizeError, match="ITX12.*'J'.*2001"):
        _panel(s)


def test_sectors_not_adding_up_are_refused():
    s = _sample()
    s.loc[(s["region"] == "ITX11") & (s["sector"] == "TOTAL") & (s["year"] == 2000), "value"] = 999
    with pytest.raises(HarmonizeError, match="do not add up.*ITX11"):
        _panel(s)


def test_negative_derived_sector_is_refused():
    s = _sample(c=60)  # C > B-E
    with pytest.raises(HarmonizeError, match="B_D_E.*negative"):
        _panel(s)


def test_missing_year_and_empty_selection():
    with pytest.raises(HarmonizeError, match=r"2002"):
        _panel(_sample(), years=(2000, 2002))
    with pytest.raises(HarmonizeError, match="country 'DE'"):
        _panel(_sample(), country="DE")


def test_extra_regio_detection():
    codes = pd.Series(["ITZ", "ITZZ", "ITZZZ", "ITC4Z", "IT", "ITH32"])
    assert is_extra_regio(codes).tolist() == [True, True, True, False, False, False]


def test_growth_is_100_log_difference_and_breaks_at_gaps():
    p = pd.DataFrame({"region": ["R"] * 4, "sector": ["A", "B", "A", "A"], "year": [2000, 2000, 2001, 2003],
                      "value": [60, 40, 110, 121]})
    g = employment_growth(p).set_index("year")
    assert g.loc[2000, "employment"] == 100
    assert math.isnan(g.loc[2000, "employment_growth"])
    assert g.loc[2001, "employment_growth"] == pytest.approx(100 * math.log(110 / 100), rel=1e-14)
    assert math.isnan(g.loc[2003, "employment_growth"])  # 2002 missing: no growth across the gap


def test_model_frame_joins_and_reports_missing_exposure():
    growth = pd.DataFrame({"region": ["R", "R", "S", "S"], "year": [2000, 2001, 2000, 2001],
                           "employment": [1, 2, 3, 4], "employment_growth": [None, 1.0, None, 2.0]})
    exposure = pd.DataFrame({"region": ["R", "R", "S"], "year": [2000, 2001, 2001], "exposure": [0.0, 1.0, 2.0]})
    mf = model_frame(growth, exposure, base_year=2000)
    assert mf[["region", "year", "exposure"]].values.tolist() == [["R", 2001, 1.0], ["S", 2001, 2.0]]
    with pytest.raises(FrameError, match="exposure: missing.*'S'"):
        model_frame(growth, exposure.iloc[:2], base_year=2000)
    assert issubclass(FrameError, InputError)


def test_old_style_table_gets_a_hint():
    with pytest.raises(InputError, match="to_vocabulary"):
        employment_growth(pd.DataFrame({"geo": ["R"], "nace": ["A"], "year": [2000], "employment": [1]}))


def test_nuts_version_detected_and_a_split_without_weights_refused(tmp_path, shared_data):
    import json

    from i4districts.harmonize.correspondence import find_change_sheets
    from i4districts.pipeline import steps

    sheets = find_change_sheets(shared_data / "nuts")
    steps.sample(tmp_path / "s.parquet")
    steps.panel(tmp_path / "s.parquet", tmp_path / "p.parquet", country="IT", nuts_level=3, start=2000, end=2017,
                sectors="A10_split_C", report=tmp_path / "r.json", nuts_version="2016", nuts_sheets=sheets)
    nuts = json.loads((tmp_path / "r.json").read_text())["nuts"]
    assert nuts["checked"] and not nuts["converted"] and "2016" in nuts["candidates"]
    # NUTS 2021 redrew Sardinia's provinces: converting needs split weights, refused naming the codes
    with pytest.raises(InputError, match="ITG28 -> \\['ITG2F', 'ITG2G', 'ITG2H'\\]"):
        steps.panel(tmp_path / "s.parquet", tmp_path / "p21.parquet", country="IT", nuts_level=3, start=2000,
                    end=2017, sectors="A10_split_C", nuts_version="2021", nuts_sheets=sheets)
    assert not (tmp_path / "p21.parquet").exists()


def test_difference_frame_by_hand():
    from i4districts.frame import difference_frame

    panel = pd.DataFrame({"region": ["ITC11"] * 3 + ["ITF11"] * 3, "sector": ["A"] * 6,
                          "year": [2000, 2005, 2010] * 2, "value": [100.0, 110.0, 121.0, 50.0, 40.0, 45.0]})
    exposure = pd.DataFrame({"region": ["ITC11", "ITF11"] * 3, "year": [2000, 2000, 2005, 2005, 2010, 2010],
                             "exposure": [1.0, 3.0] * 3})
    traits = pd.DataFrame({"region": ["ITC11", "ITF11"], "made_in_italy_share": [0.25, 1.0]})
    f = difference_frame(panel, exposure, [(2000, 2005), (2005, 2010)], region_traits=traits,
                         interact=("made_in_italy_share",))
    row = f[(f["region"] == "ITF11") & (f["period"] == "2005-2010")].iloc[0]
    assert row["d_ln_employment"] == pytest.approx(100 * math.log(45 / 40), rel=1e-14)
    assert row["d_ln_employment_pa"] == pytest.approx(100 * math.log(45 / 40) / 5, rel=1e-14)
    assert row["employment_start"] == 40 and row["exposure"] == 3.0
    assert row["macro_area"] == "ITF" and row["macro_period"] == "ITF_2005-2010"
    assert row["exposure_x_made_in_italy_share"] == 3.0
    assert (row["made_in_italy_share_p1"], row["made_in_italy_share_p2"]) == (0.0, 1.0)
    with pytest.raises(FrameError, match="2015"):
        difference_frame(panel, exposure, [(2010, 2015)])
