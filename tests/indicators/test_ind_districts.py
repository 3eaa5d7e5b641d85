"""ISTAT/Sforzi district identification on synthetic systems built to pass or fail each step."""

from __future__ import annotations

import pandas as pd
import pytest

from i4districts.indicators import IndicatorInputError
from i4districts.indicators.districts import identify_districts

# The rest of the country (one big system): services-heavy, manufacturing mostly small.
REST = [
    ("13", "W0_9", 500, 100),
    ("28", "W10_49", 2000, 80),
    ("28", "W_GE250", 500, 1),
    ("62", "W0_9", 4000, 800),
    ("47", "W0_9", 4000, 900),
]


def country(**systems):
    rows = [("REST", *r) for r in REST]
    for name, spec in systems.items():
        rows += [(name, *r) for r in spec]
    return pd.DataFrame(rows, columns=["region", "sector", "size_class", "value", "units"]).assign(year=2011)


def run(name, spec, **kw):
    out = identify_districts(country(**{name: spec}), **kw)
    return out.set_index("region").loc[name]


DISTRICT = [  # textile SMEs
    ("13", "W0_9", 300, 60),
    ("13", "W10_49", 400, 20),
    ("13", "W50_249", 100, 1),
    ("28", "W10_49", 50, 2),
    ("62", "W0_9", 100, 20),
    ("47", "W0_9", 100, 20),
]


def test_textile_district_passes_every_step_by_hand():
    r = run("D", DISTRICT)
    # National (REST + D): E = 12050, manufacturing 3850, business (62) 4100, consumer (47) 4100.
    # LQ_manufacturing = (850/1050) / (3850/12050); LQ_business = (100/1050) / (4100/12050).
    assert r["lq_manufacturing"] == pytest.approx((850 / 1050) / (3850 / 12050))
    assert r["lq_business_services"] == pytest.approx((100 / 1050) / (4100 / 12050))
    assert r["step1_manufacturing"]
    # Manufacturing by class in D: 300, 450, 100, 0 (of 850); nation: 800, 2450, 100, 500 (of 3850).
    assert r["size_lq_micro"] == pytest.approx((300 / 850) / (800 / 3850))
    assert r["size_lq_medium"] == pytest.approx((100 / 850) / (100 / 3850))  # 4.53, the highest
    assert r["size_lq_large"] == 0.0
    assert r["top_size_class"] == "medium" and r["step2_sme"]
    # Textiles: (800/1050) / (1300/12050) = 7.06 > mechanics (50/1050) / (2550/12050).
    assert r["main_industry"] == "TEX"
    assert r["main_industry_lq"] == pytest.approx((800 / 1050) / (1300 / 12050))
    assert r["main_industry_employment"] == 800
    # One medium unit in the main industry -> the small units' share must exceed 1/2: 700/800.
    assert r["main_sme_share"] == 1.0 and r["main_medium_units"] == 1
    assert r["main_small_share"] == pytest.approx(700 / 800)
    assert r["step3_main_industry"] and r["step4_sme_main"]
    assert r["district"] and not r["large_firm_led"]


def test_service_system_fails_step1():
    r = run("S", [("62", "W0_9", 1000, 200), ("13", "W10_49", 100, 5)])
    assert r["lq_manufacturing"] < 1 and not r["step1_manufacturing"] and not r["district"]


def test_step1_at_threshold_fails_and_prevalence_option():
    # Half of REST: the same mix as the nation, so LQ_manufacturing == 1 exactly -> fails (strict ">").
    half = [(a, c, e / 2, u) for a, c, e, u in REST]
    r = run("H", half)
    assert r["lq_manufacturing"] == 1.0 and not r["step1_manufacturing"]
    with pytest.raises(IndicatorInputError, match="prevalence"):
        run("H", half, prevalence="share")


def test_prevalence_by_employment_vs_lq():
    # Nation = REST + P: E = 11790, manufacturing 3300, business services 4390.
    # LQ_m = (300/790)/(3300/11790) = 1.357 > LQ_bs = (390/790)/(4390/11790) = 1.326 (passes by LQ),
    # but in levels 300 manufacturing jobs < 390 business-service jobs (fails by employment).
    # ISTAT's prevalence index (default) also fails: excess manufacturing 300 - 790*3300/11790 = 78.9
    # < excess business services 390 - 790*4390/11790 = 95.8 (the LQ comparison was the deviation).
    spec = [("13", "W0_9", 300, 60), ("62", "W0_9", 390, 80), ("47", "W0_9", 100, 20)]
    by_lq = run("P", spec, prevalence="lq")
    by_emp = run("P", spec, prevalence="employment")
    assert by_lq["lq_manufacturing"] > by_lq["lq_business_services"]
    assert by_lq["step1_manufacturing"]
    assert not by_emp["step1_manufacturing"]  # 300 manufacturing jobs < 390 business-service jobs
    by_excess = run("P", spec)
    assert by_excess["prevalence_manufacturing"] == pytest.approx(300 / 790 - 3300 / 11790)
    assert by_excess["prevalence_business_services"] == pytest.approx(390 / 790 - 4390 / 11790)
    assert not by_excess["step1_manufacturing"]


def test_step2_tie_fails_and_large_firm_led_flag():
    # T's manufacturing class mix equals the nation's (half of REST's manufacturing): all size LQs 1.
    tie = [
        ("13", "W0_9", 250, 50),
        ("28", "W10_49", 1000, 40),
        ("28", "W_GE250", 250, 1),
        ("62", "W0_9", 100, 20),
        ("47", "W0_9", 100, 20),
    ]
    r = run("T", tie)
    assert r["step1_manufacturing"]
    assert r["size_lq_micro"] == 1.0 and r["size_lq_large"] == 1.0 and not r["step2_sme"]
    # L: a large mechanics plant (LQ of 250+ = (800/1100)/(1300/4100) = 2.29, the highest class)
    # next to a small-firm textile industry, which is the main industry (LQ 3.55 vs 2.29).
    L = [("28", "W_GE250", 800, 1), ("13", "W10_49", 300, 10), ("62", "W0_9", 100, 20), ("47", "W0_9", 100, 20)]
    r = run("L", L)
    assert r["size_lq_large"] == pytest.approx((800 / 1100) / (1300 / 4100))
    assert r["top_size_class"] == "large" and not r["step2_sme"]
    assert r["main_industry"] == "TEX"
    assert r["main_industry_lq"] == pytest.approx((300 / 1300) / (800 / 12300))
    assert r["step4_sme_main"] and r["large_firm_led"] and not r["district"]


def test_step4_single_medium_unit_exception_at_threshold():
    # Main industry textiles: small units 200 of 400 (exactly 1/2) plus ONE medium unit of 200.
    spec = [
        ("13", "W0_9", 100, 20),
        ("13", "W10_49", 100, 5),
        ("13", "W50_249", 200, 1),
        ("62", "W0_9", 50, 10),
        ("47", "W0_9", 50, 10),
    ]
    r = run("M", spec)
    assert r["step1_manufacturing"] and r["step2_sme"] and r["main_sme_share"] == 1.0
    assert r["main_small_share"] == 0.5 and not r["step4_sme_main"] and not r["district"]
    # With two medium units the ordinary rule applies: SME share 1 > 1/2 -> district.
    two = [s if s[1] != "W50_249" else ("13", "W50_249", 200, 2) for s in spec]
    assert run("M", two)["district"]
    # Without a units column the exception cannot be applied -> flagged, SME share decides -> district.
    no_units = identify_districts(country(M=spec).drop(columns="units"), n_units=None).set_index("region").loc["M"]
    assert no_units["district"] and pd.isna(no_units["main_medium_units"])
    assert no_units["medium_unit_rule"] == "not_applicable_no_units" and r["medium_unit_rule"] == "applied"


def test_step4_fails_when_large_units_dominate_main_industry():
    # Main industry mechanics with 60% of its employment in one large unit; SMEs still top size LQ.
    spec = [
        ("28", "W10_49", 400, 10),
        ("28", "W_GE250", 600, 1),
        ("13", "W0_9", 10, 2),
        ("62", "W0_9", 50, 10),
        ("47", "W0_9", 50, 10),
    ]
    r = run("X", spec)
    assert r["main_industry"] == "MAC"
    assert r["main_sme_share"] == pytest.approx(0.4) and not r["step4_sme_main"] and not r["district"]


def test_micro_class_option_and_time_none():
    out = identify_districts(country(D=DISTRICT).drop(columns="year"), time=None)
    assert "year" not in out.columns and out.set_index("region").loc["D", "district"]
    # Excluding micro units from the SME classes leaves W50_249 (highest) -> still SME.
    r = run("D", DISTRICT, sme_classes=("small", "medium"))
    assert r["step2_sme"]


def test_bad_input():
    df = country(D=DISTRICT)
    with pytest.raises(IndicatorInputError, match="codes outside"):
        identify_districts(df.assign(size_class="TOTAL"))
    with pytest.raises(IndicatorInputError, match="not unique"):
        identify_districts(pd.concat([df, df.iloc[:1]]))
    with pytest.raises(IndicatorInputError, match="without a main-industry group"):
        identify_districts(df, industries={"28": "mechanics"})
    with pytest.raises(IndicatorInputError, match="negative"):
        identify_districts(df.assign(value=-1))


def test_step3_at_threshold_fails():
    # Setting the main-industry threshold exactly at D's main LQ makes step 3 (strict ">") fail.
    lq = (800 / 1050) / (1300 / 12050)
    r = run("D", DISTRICT, main_industry_lq_min=lq)
    assert r["main_industry_lq"] == pytest.approx(lq)
    assert not r["step3_main_industry"] and not r["district"]
    assert run("D", DISTRICT, main_industry_lq_min=lq * (1 - 1e-9))["district"]


@pytest.mark.parametrize("k", [0.5, 3.0, 1000.0])
def test_district_decisions_invariant_to_scaling_employment_and_system_order(k):
    df = country(
        D=DISTRICT,
        L=[("28", "W_GE250", 800, 1), ("13", "W10_49", 300, 10), ("62", "W0_9", 100, 20), ("47", "W0_9", 100, 20)],
    )
    base = identify_districts(df).set_index("region").sort_index()
    scaled = identify_districts(df.assign(value=df["value"] * k).sample(frac=1, random_state=2))
    scaled = scaled.set_index("region").sort_index()
    flags = ["step1_manufacturing", "step2_sme", "step3_main_industry", "step4_sme_main", "district", "large_firm_led"]
    pd.testing.assert_frame_equal(base[flags], scaled[flags])
    pd.testing.assert_series_equal(base["main_industry"], scaled["main_industry"])
    assert list(base.loc[["D", "L"], "district"]) == [True, False]
