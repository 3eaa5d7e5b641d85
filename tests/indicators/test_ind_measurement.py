"""GMS tiers across the ISCO-88 -> ISCO-08 switch, Ellison–Glaeser bounds from size classes, KIBS definitions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from i4districts.indicators import IndicatorInputError
from i4districts.indicators.concentration import (
    concentration_indices,
    ellison_glaeser,
    plant_herfindahl,
    plant_herfindahl_bounds,
    plant_herfindahl_from_size_classes,
)
from i4districts.indicators.polarization import GMS_TIERS, occupation_tier_shares
from i4districts.indicators.servitization import kibs_codes, servitization

# the 43 ISCO-08 sub-major groups (ILO, ISCO-08 vol. 1, 2012)
ISCO08_SUBMAJOR = [
    "01", "02", "03", "11", "12", "13", "14", "21", "22", "23", "24", "25", "26", "31", "32", "33", "34", "35",
    "41", "42", "43", "44", "51", "52", "53", "54", "61", "62", "63", "71", "72", "73", "74", "75",
    "81", "82", "83", "91", "92", "93", "94", "95", "96",
]


# ------------------------------------------------------------------ ISCO-08 GMS tiers
def test_every_isco08_submajor_group_has_a_tier():
    m = GMS_TIERS["isco08_2digit"]
    assert sorted(m) == ISCO08_SUBMAJOR
    assert set(m.values()) == {"low", "middle", "high", "excluded"}


def test_isco08_exclusions_match_isco88_in_spirit():
    m88, m08 = GMS_TIERS["isco88_2digit"], GMS_TIERS["isco08_2digit"]
    excl88 = {k for k, v in m88.items() if v == "excluded"}
    excl08 = {k for k, v in m08.items() if v == "excluded"}
    assert excl88 == {"01", "11", "23", "33", "61", "92"}
    # armed forces, legislators/senior officials, teaching professionals, agriculture/forestry/fishery
    assert excl08 == {"01", "02", "03", "11", "23", "61", "62", "63", "92"}
    # ISCO-08 major groups 0 and 6 are wholly excluded in both 2-digit and major-group schemes
    assert all(m08[c] == "excluded" for c in ISCO08_SUBMAJOR if c[0] in "06")
    assert GMS_TIERS["isco08_major"]["0"] == GMS_TIERS["isco08_major"]["6"] == "excluded"
    # same tier where the code and content carry over unchanged
    for code in ("12", "13", "21", "22", "24", "31", "32", "41", "42", "51", "52", "71", "72", "73", "81",
                 "82", "83", "91", "93"):
        assert m08[code] == m88[code], code
    # the ISCO-08 tier of each 1-digit major group agrees with the GMS major-group approximation
    major = GMS_TIERS["isco08_major"]
    assert all(m08[c] == major[c[0]] for c in ISCO08_SUBMAJOR if c not in {"11", "23", "61", "62", "63", "92"}
               and c[0] not in "0")


def test_isco_switch_is_not_a_mechanical_break():
    # The same jobs (unchanged employment) coded in ISCO-88 in 2010 and in ISCO-08 in 2011, unit groups
    # assigned by the ILO correspondence: 2131 systems designers 21 -> 2511 (25); 2411 accountants 24 -> 2411 (24);
    # 2421 lawyers 24 -> 2611 (26); 3121 computer assistants 31 -> 3512 (35); 3411 securities dealers 34 -> 3311 (33);
    # 4112 word processors 41 -> 4131 (41); 4121 accounting clerks 41 -> 4311 (43); 4141 library clerks 41 -> 4411 (44);
    # 7241 electrical mechanics 72 -> 7412 (74); 7412 bakers 74 -> 7512 (75);
    # 8261 fibre-preparing machine operators 82 -> 8151 (81); 8281 mechanical assemblers 82 -> 8211 (82);
    # 5131 child-care workers 51 -> 5311 (53); 5161 fire-fighters 51 -> 5411 (54);
    # 9112 street vendors (non-food) 91 -> 9520 (95); 9131 domestic helpers 91 -> 9111 (91);
    # 9161 garbage collectors 91 -> 9611 (96); 6111 field crop growers 61 -> 6111 (61); 0110 armed forces -> 02 (part)
    jobs = [("21", "25", 30), ("24", "24", 20), ("24", "26", 10), ("31", "35", 15), ("34", "33", 25),
            ("41", "41", 12), ("41", "43", 18), ("41", "44", 5), ("72", "74", 9), ("74", "75", 11),
            ("82", "81", 14), ("82", "82", 6), ("51", "53", 7), ("51", "54", 3), ("91", "95", 2),
            ("91", "91", 8), ("91", "96", 4), ("61", "61", 40), ("01", "02", 3)]
    rows = [("R", 2010, c88, float(e)) for c88, _, e in jobs] + [("R", 2011, c08, float(e)) for _, c08, e in jobs]
    df = pd.DataFrame(rows, columns=["region", "year", "isco", "value"]).groupby(
        ["region", "year", "isco"], as_index=False)["value"].sum()
    sh = occupation_tier_shares(df, switch=2011).set_index("year")
    cols = ["share_low", "share_middle", "share_high", "employment_excluded"]
    assert sh.loc[2010, cols].tolist() == pytest.approx(sh.loc[2011, cols].tolist())
    assert sh.loc[2010, "share_high"] == pytest.approx(100 / 199)  # 30+20+10+15+25 of 199 non-excluded
    assert sh.loc[2011, "employment_excluded"] == 43
    # without the switch, ISCO-08 codes read with the ISCO-88 map fail loudly (25, 26, 35, ... do not exist)
    with pytest.raises(IndicatorInputError, match="not in the tier mapping"):
        occupation_tier_shares(df)
    # and ISCO-08 code 33 (business associate professionals, high) is not ISCO-88 33 (teaching, excluded)
    assert GMS_TIERS["isco88_2digit"]["33"] == "excluded" and GMS_TIERS["isco08_2digit"]["33"] == "high"


# ------------------------------------------------------------------ Ellison–Glaeser bounds
LIMITS = {"s": (1.0, 9.0), "l": (10.0, None)}


def _units():
    # plants {1, 2, 9} in class s (e = 12, n = 3) and {10, 30} in class l (e = 40, n = 2); E = 52
    return pd.DataFrame({"sector": ["A", "A"], "year": 2011, "size_class": ["s", "l"], "value": [12.0, 40.0],
                         "units": [3, 2]})


def test_plant_herfindahl_bounds_by_hand():
    units = _units()
    exact = plant_herfindahl(pd.DataFrame({"sector": "A", "year": 2011, "value": [1.0, 2, 9, 10, 30]}))
    h = exact["plant_herfindahl"].iloc[0]
    assert h == pytest.approx(1086 / 2704)
    b = plant_herfindahl_bounds(units, top_cap=None, limits=LIMITS).iloc[0]
    # lower: equal sizes, 12**2/3 + 40**2/2 = 848
    assert b["plant_herfindahl_lower"] == pytest.approx(848 / 2704) == b["plant_herfindahl"]
    assert b["plant_herfindahl"] == plant_herfindahl_from_size_classes(units)["plant_herfindahl"].iloc[0]
    # upper, no cap: s -> one plant at 9, one with the remainder 2, one at 1 (81 + 4 + 1 = 86);
    # l -> one at 10, one with 30 (100 + 900); (86 + 1000) / 52**2 -- attained by the true plants here
    assert b["plant_herfindahl_upper"] == pytest.approx(1086 / 2704)
    assert b["plant_herfindahl_lower"] <= h <= b["plant_herfindahl_upper"]
    # cap of 25 on the open class: l -> 25 and 15 (625 + 225), (86 + 850) / 2704
    capped = plant_herfindahl_bounds(units, top_cap=25, limits=LIMITS).iloc[0]
    assert capped["plant_herfindahl_upper"] == pytest.approx(936 / 2704)
    with pytest.raises(IndicatorInputError, match="outside the class limits"):
        plant_herfindahl_bounds(units, top_cap=15, limits=LIMITS)  # mean 20 > cap
    with pytest.raises(IndicatorInputError, match="have no limits"):
        plant_herfindahl_bounds(units, top_cap=None)  # classes s, l are not the default W.. codes
    with pytest.raises(TypeError):
        plant_herfindahl_bounds(units, limits=LIMITS)  # the tail assumption must be explicit


def test_ellison_glaeser_bounds_by_hand():
    # R1, R2: sector A 30, 10; sector B 10, 50. x = (0.4, 0.6), 1 - sum x^2 = 0.48, G_A = 2 * 0.35**2 = 0.245
    emp = pd.DataFrame({"region": ["R1", "R2", "R1", "R2"], "sector": ["A", "A", "B", "B"], "year": 2011,
                        "value": [30.0, 10, 10, 50]})
    ha = plant_herfindahl_bounds(_units(), top_cap=None, limits=LIMITS)
    hb = pd.DataFrame({"sector": ["B"], "year": [2011], "plant_herfindahl": [0.2],
                       "plant_herfindahl_lower": [0.2], "plant_herfindahl_upper": [0.2]})
    out = ellison_glaeser(emp, pd.concat([ha, hb])).set_index("sector")

    def gamma(H):
        return (0.245 - 0.48 * H) / (0.48 * (1 - H))

    lo, hi = 848 / 2704, 1086 / 2704
    assert out.loc["A", "raw_concentration"] == pytest.approx(0.245) and out.loc["A", "sum_x2"] == pytest.approx(0.52)
    assert out.loc["A", "ellison_glaeser"] == pytest.approx(gamma(lo))
    # G < 1 - sum x^2: gamma decreases in H, so the upper H gives the lower gamma
    assert out.loc["A", "ellison_glaeser_lower"] == pytest.approx(gamma(hi))
    assert out.loc["A", "ellison_glaeser_upper"] == pytest.approx(gamma(lo))
    assert out.loc["B", "ellison_glaeser_lower"] == pytest.approx(out.loc["B", "ellison_glaeser_upper"])
    # a single-unit-possible sector (H_hi = 1): gamma unbounded below
    one = pd.DataFrame({"sector": ["A", "B"], "year": 2011, "plant_herfindahl": [0.3, 0.2],
                        "plant_herfindahl_lower": [0.3, 0.2], "plant_herfindahl_upper": [1.0, 0.2]})
    o1 = ellison_glaeser(emp, one).set_index("sector")
    assert o1.loc["A", "ellison_glaeser_lower"] == -math.inf
    assert o1.loc["A", "ellison_glaeser_upper"] == pytest.approx(gamma(0.3))
    # without bounds the old columns only
    plain = ellison_glaeser(emp, pd.concat([ha, hb])[["sector", "year", "plant_herfindahl"]])
    assert "ellison_glaeser_lower" not in plain.columns
    assert list(concentration_indices(emp)["sector"]) == ["A", "B"]


# ------------------------------------------------------------------ KIBS definitions
def _emp(sectors, r1, r2):
    return pd.DataFrame({"region": ["R1"] * len(sectors) + ["R2"] * len(sectors), "sector": sectors * 2,
                         "year": 2015, "value": [float(v) for v in (*r1, *r2)]})


def test_kibs_core_excludes_head_offices_with_3digit_data():
    sectors = ["C10", "M69", "M70.1", "M70.2", "M74", "J62"]
    df = _emp(sectors, [10, 2, 6, 1, 1, 3], [10, 1, 0, 1, 2, 1])
    assert kibs_codes(sectors) == ["J62", "M69", "M70.2"]
    core = servitization(df).set_index("region")
    # R1: K = 2 + 1 + 3 = 6 (head offices 6 left out), M = 10 -> 0.6; R2: K = 1 + 1 + 1 = 3 -> 0.3
    assert core.loc["R1", "kibs_employment"] == 6 and core.loc["R2", "kibs_employment"] == 3
    assert core.loc["R1", "kibs_per_manufacturing"] == pytest.approx(0.6)
    assert core.attrs["kibs_codes"] == ["J62", "M69", "M70.2"]
    # broad: 62-63, 69-74 -> R1: 2 + 6 + 1 + 1 + 3 = 13, R2: 1 + 0 + 1 + 2 + 1 = 5
    broad = servitization(df, kibs="broad").set_index("region")
    assert broad.loc["R1", "kibs_employment"] == 13 and broad.loc["R2", "kibs_employment"] == 5
    assert broad.loc["R1", "kibs_lq"] == pytest.approx((13 / 23) / (18 / 38))


def test_kibs_with_2digit_data_and_explicit_lists():
    sectors = ["C10", "M69", "M70", "M74"]
    df = _emp(sectors, [10, 2, 6, 1], [10, 1, 0, 2])
    # only 2-digit codes: division 70 is the approximation of 70.2 (head offices included)
    assert servitization(df).set_index("region").loc["R1", "kibs_employment"] == 8
    assert servitization(df, kibs="broad").set_index("region").loc["R1", "kibs_employment"] == 9
    assert servitization(df, kibs=["M69"]).set_index("region").loc["R1", "kibs_employment"] == 2
    assert kibs_codes(["62", "631", "639", "70", "701", "702", "7010"]) == ["62", "631", "702"]
    with pytest.raises(IndicatorInputError, match="choose one of"):
        servitization(df, kibs="narrow")
    assert np.isfinite(servitization(df, kibs="broad")["servitization_lq"]).all()
