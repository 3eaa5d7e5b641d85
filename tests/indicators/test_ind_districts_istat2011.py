"""ISTAT 2011 district method: hand-computed cases where the earlier implementation deviated.

Each test builds a tiny country (a rest-of-country system R plus the systems under test) and
works out the expected decision by hand in the comments. Sectors: 62 = business services,
47 = consumer services, everything else manufacturing (ATECO 2007 codes).
"""

from __future__ import annotations

import pandas as pd
import pytest

from i4districts.indicators import IndicatorInputError
from i4districts.indicators.districts import identify_districts, is_division_fallback, istat_district_group

COLS = ["region", "sector", "size_class", "value", "units"]


def table(**systems):
    rows = [(name, *r) for name, spec in systems.items() for r in spec]
    return pd.DataFrame(rows, columns=COLS).assign(year=2011)


def result(df, **kw):
    return identify_districts(df, **kw).set_index("region")


# ---------------------------------------------------------------- step 1: prevalence index


def test_step1_prevalence_index_passes_where_lq_comparison_fails():
    # Business services are tiny nationally, so a few business jobs give a large LQ.
    # R: 13 = 3000, 62 = 100, 47 = 6900 (10000).  A: 13 = 700, 62 = 50, 47 = 250 (1000).
    # Nation: E = 11000; manufacturing 3700, business 150, consumer 7150.
    R = [("13", "W10_49", 3000, 100), ("62", "W0_9", 100, 20), ("47", "W0_9", 6900, 1000)]
    A = [("13", "W10_49", 700, 30), ("62", "W0_9", 50, 10), ("47", "W0_9", 250, 50)]
    E, M, B, C = 11000, 3700, 150, 7150
    # LQ_m = 0.7 / (3700/11000) = 2.08 < LQ_bs = 0.05 / (150/11000) = 3.67 -> fails by LQ comparison.
    # Excess employment: X_m = 700 - 1000*3700/11000 = 363.6 > X_bs = 50 - 1000*150/11000 = 36.4
    # and X_cs = 250 - 1000*7150/11000 < 0 -> manufacturing prevails (ISTAT) -> step 1 passes.
    r = result(table(R=R, A=A)).loc["A"]
    assert r["lq_manufacturing"] == pytest.approx(0.7 / (M / E))
    assert r["lq_business_services"] == pytest.approx(0.05 / (B / E))
    assert r["prevalence_manufacturing"] == pytest.approx(0.7 - M / E)  # X_m / E_A
    assert r["prevalence_business_services"] == pytest.approx(0.05 - B / E)
    assert r["prevalence_consumer_services"] == pytest.approx(0.25 - C / E)
    assert r["step1_manufacturing"]
    # All manufacturing small-firm textiles (SME share 1): a district by ISTAT's index ...
    assert r["main_industry"] == "TEX" and r["district"]
    # ... but not by the old LQ comparison.
    old = result(table(R=R, A=A), prevalence="lq").loc["A"]
    assert not old["step1_manufacturing"] and not old["district"]


# ---------------------------------------------------------------- step 2: ISTAT size classes


def test_istat_size_classes_aggregate_finer_census_classes():
    # Census-style classes mapped onto ISTAT's micro 1-9 / small 10-49 / medium 50-249 / large 250+.
    groups = {"1": "micro", "2-9": "micro", "10-19": "small", "20-49": "small", "50-249": "medium", "250+": "large"}
    R = [("28", "10-19", 1000, 60), ("28", "20-49", 1000, 30), ("28", "250+", 2000, 2),
         ("62", "1", 3000, 3000), ("47", "2-9", 3000, 800)]
    D = [("13", "1", 50, 50), ("13", "2-9", 150, 40), ("13", "10-19", 200, 15), ("13", "20-49", 100, 3),
         ("62", "1", 50, 50), ("47", "2-9", 50, 10)]
    r = result(table(R=R, D=D), size_groups=groups).loc["D"]
    # D manufacturing by ISTAT class: micro 50+150 = 200, small 200+100 = 300 (of 500).
    # Nation manufacturing: micro 200, small 2300, medium 0, large 2000 (of 4500).
    assert r["size_lq_micro"] == pytest.approx((200 / 500) / (200 / 4500))  # 9.0, the highest
    assert r["size_lq_small"] == pytest.approx((300 / 500) / (2300 / 4500))
    assert r["size_lq_large"] == 0.0 and pd.isna(r["size_lq_medium"])
    assert r["top_size_class"] == "micro" and r["step2_sme"]
    # Step 4 on ISTAT classes: micro + small = 500 of 500 in the main industry (TEX).
    assert r["main_small_share"] == 1.0 and r["main_sme_share"] == 1.0 and r["district"]
    # The same table with Eurostat labels gives the same numbers.
    eur = {"1": "W0_9", "2-9": "W0_9", "10-19": "W10_49", "20-49": "W10_49", "250+": "W_GE250"}
    df = table(R=R, D=D).assign(size_class=lambda d: d["size_class"].map(eur))
    df = df.groupby(["region", "sector", "size_class", "year"], as_index=False)[["value", "units"]].sum()
    r2 = result(df).loc["D"]
    assert r2["size_lq_micro"] == pytest.approx(r["size_lq_micro"]) and r2["district"]


def test_size_class_arguments_are_istat_names():
    df = table(R=[("13", "W0_9", 10, 1), ("62", "W0_9", 10, 1)])
    with pytest.raises(IndicatorInputError, match="not among ISTAT classes"):
        identify_districts(df, sme_classes=("W0_9", "W10_49"))
    with pytest.raises(IndicatorInputError, match="ISTAT classes are"):
        identify_districts(df, size_groups={"W0_9": "tiny"})


# ---------------------------------------------------------------- step 3: group mapping, catch-all

# Rest of the country for steps 3-4: 13 textiles 300 small, 28 machinery 2700 small, services.
REST = [("13", "W10_49", 300, 10), ("28", "W10_49", 2700, 90), ("62", "W0_9", 4000, 800), ("47", "W0_9", 4000, 900)]


def test_ceramic_tiles_class_codes_are_household_goods_division_code_is_flagged():
    # S (Sassuolo-like) reports ATECO class 23.31 (ceramic tiles); S2 the same jobs under division 23.
    S = [("23.31", "W10_49", 400, 20), ("23.31", "W50_249", 600, 4), ("62", "W0_9", 100, 20), ("47", "W0_9", 100, 20)]
    S2 = [("23", *r[1:]) if r[0] == "23.31" else r for r in S]
    out = result(table(R=REST, S=S, S2=S2))
    s, s2 = out.loc["S"], out.loc["S2"]
    # Nation: E = 11000 + 1200 + 1200 = 13400; HOU (23.31) = 1000, OTH (23) = 1000.
    # S: 23.31 -> HOU, LQ = (1000/1200) / (1000/13400) = 11.17 > 1 -> main industry.
    assert s["main_industry"] == "HOU"
    assert s["main_industry_lq"] == pytest.approx((1000 / 1200) / (1000 / 13400))
    # Step 1: X_m = 1000 - 1200*5000/13400 > 0 > X_bs; step 2: medium LQ (600/1000)/(1200/5000) = 2.5 top;
    # step 4: 4 medium units (not one) -> SME share 1000/1000 > 1/2 -> district.
    assert s["size_lq_medium"] == pytest.approx(2.5) and s["top_size_class"] == "medium"
    assert s["district"] and s["group_mapping"] == "fine" and s["division_fallback_employment"] == 0
    # S2: bare division 23 can only take the division default (catch-all OTH), which can never be the
    # main industry: no main industry, step 3 fails, and the fallback is flagged with its employment.
    assert s2["step1_manufacturing"] and s2["step2_sme"]
    assert pd.isna(s2["main_industry"]) and not s2["step3_main_industry"] and not s2["district"]
    assert s2["group_mapping"] == "division_fallback" and s2["division_fallback_employment"] == 1000


def test_group_mapping_finest_level():
    assert istat_district_group("23.31") == "HOU" and istat_district_group("23.32") == "HOU"
    assert istat_district_group("23") == "OTH"
    assert istat_district_group("32.50") == "MAC" and istat_district_group("32") == "JEW"
    assert istat_district_group("27.51") == "HOU" and istat_district_group("47") is None
    assert is_division_fallback("23") and is_division_fallback("32") and is_division_fallback("27")
    assert not is_division_fallback("23.31") and not is_division_fallback("13") and not is_division_fallback("32.50")


def test_catch_all_never_main_industry():
    # C: cement (23.51 -> OTH) 800 and textiles 200, all small units.
    C = [("23.51", "W10_49", 800, 20), ("13", "W10_49", 200, 10), ("62", "W0_9", 100, 20), ("47", "W0_9", 100, 20)]
    r = result(table(R=REST, C=C)).loc["C"]
    # Nation: E = 12200; OTH = 800, TEX = 300 + 200 = 500.
    # LQ_OTH = (800/1200)/(800/12200) = 10.17 is the highest, but OTH is the catch-all;
    # main = TEX with LQ (200/1200)/(500/12200) = 4.07 > 1 -> step 3 passes, TEX all SME -> district.
    assert r["main_industry"] == "TEX"
    assert r["main_industry_lq"] == pytest.approx((200 / 1200) / (500 / 12200))
    assert r["district"] and r["specialisations"] == "TEX"
    # C2: textiles 20 only -> LQ_TEX = (20/1020)/(320/12020) = 0.74 <= 1; only the catch-all is
    # over-represented -> step 3 fails (the old code made OTH the main industry and a district).
    C2 = [("23.51", "W10_49", 800, 20), ("13", "W10_49", 20, 2), ("62", "W0_9", 100, 20), ("47", "W0_9", 100, 20)]
    r2 = result(table(R=REST, C2=C2)).loc["C2"]
    assert r2["main_industry"] == "TEX"
    assert r2["main_industry_lq"] == pytest.approx((20 / 1020) / (320 / 12020))
    assert r2["step1_manufacturing"] and not r2["step3_main_industry"] and not r2["district"]
    # Opting out of the rule (catch_all=None) restores the old behaviour.
    assert result(table(R=REST, C2=C2), catch_all=None).loc["C2", "main_industry"] == "OTH"


# ---------------------------------------------------------------- multiple specialisations


def test_multiple_specialisations_rule():
    R = [("13", "W10_49", 300, 10), ("15", "W0_9", 300, 60), ("28", "W10_49", 2000, 70), ("28", "W_GE250", 400, 1),
         ("62", "W0_9", 4000, 800), ("47", "W0_9", 4000, 900)]
    MS = [("13", "W10_49", 500, 20), ("15", "W0_9", 300, 60), ("28", "W_GE250", 300, 1),
          ("62", "W0_9", 100, 20), ("47", "W0_9", 100, 20)]
    r = result(table(R=R, MS=MS)).loc["MS"]
    # Nation: E = 12300; TEX 800, LEA 600, MAC 2700.  MS: E = 1300.
    # LQ_TEX = (500/1300)/(800/12300) = 5.91 (main); LQ_LEA = (300/1300)/(600/12300) = 4.73 (SME share 1)
    # LQ_MAC = (300/1300)/(2700/12300) = 1.05 > 1 but its employment is all in a large unit (SME share 0)
    # -> specialisations TEX;LEA.  Step 2: manufacturing micro 300, small 500, large 300 of 1100;
    # nation micro 600, small 2800, large 700 of 4100: LQ micro 1.86 > large 1.60 -> SME.
    assert r["main_industry_lq"] == pytest.approx((500 / 1300) / (800 / 12300))
    assert r["size_lq_micro"] == pytest.approx((300 / 1100) / (600 / 4100))
    assert r["size_lq_large"] == pytest.approx((300 / 1100) / (700 / 4100))
    assert r["district"] and r["specialisations"] == "TEX;LEA" and r["n_specialisations"] == 2
    # Non-districts carry no specialisations.
    rest = result(table(R=R, MS=MS)).loc["R"]
    assert not rest["district"] and pd.isna(rest["specialisations"]) and rest["n_specialisations"] == 0
    # A stricter secondary threshold above LQ_LEA leaves only the main industry.
    assert result(table(R=R, MS=MS), secondary_lq_min=5.0).loc["MS", "specialisations"] == "TEX"


# ---------------------------------------------------------------- step 4: medium-unit rule flag


def test_medium_unit_rule_flag_and_decision():
    # T: textiles 100 micro + 100 small + ONE medium unit of 300 (of 500): small share 0.4, SME share 1.
    T = [("13", "W0_9", 100, 20), ("13", "W10_49", 100, 5), ("13", "W50_249", 300, 1),
         ("62", "W0_9", 50, 10), ("47", "W0_9", 50, 10)]
    df = table(R=REST, T=T)
    with_units = result(df).loc["T"]
    assert with_units["medium_unit_rule"] == "applied" and with_units["main_medium_units"] == 1
    # One medium unit -> micro+small share 200/500 = 0.4 must exceed 1/2 -> fails step 4.
    assert with_units["main_small_share"] == pytest.approx(0.4) and not with_units["step4_sme_main"]
    no_units = result(df.drop(columns="units"), n_units=None).loc["T"]
    # Without unit counts the rule cannot be evaluated: flagged, and the SME share (1 > 1/2) decides.
    assert no_units["medium_unit_rule"] == "not_applicable_no_units" and pd.isna(no_units["main_medium_units"])
    assert no_units["step4_sme_main"]
    assert (result(df.drop(columns="units"), n_units=None)["medium_unit_rule"] == "not_applicable_no_units").all()
