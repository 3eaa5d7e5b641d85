"""Descriptive, indicator, district and diagnostics tables: numbers against independent computations."""

from __future__ import annotations

import copy
import statistics

import numpy as np
import pandas as pd
import pytest

from i4districts.errors import InputError
from i4districts.tables.descriptive import descriptive_table
from i4districts.tables.diagnostics_table import diagnostics_table
from i4districts.tables.district_table import district_list_table
from i4districts.tables.indicator_tables import group_names, province_names, top_provinces_table, top_sll_table
from i4districts.tables.notes import column_span, data_note, illustrative, sample_text, split_provenance
from i4districts.tables.render import grid

from .builders import DECISIONS, SLL, SPECIALIZATION, SUMMARY
from .records import FRAME, PANEL_FE, PROVENANCE, SS_RI


def _values(table) -> pd.DataFrame:
    return table.cells.pivot(index="row", columns="column", values="value")


def test_descriptive_statistics_match_the_statistics_module():
    t = descriptive_table(FRAME, variables=["d_emp", "share"])
    v = _values(t)
    d = [x for x in FRAME["d_emp"] if x == x]
    assert v.loc["d_emp", "n"] == 7 and v.loc["d_emp", "mean"] == pytest.approx(statistics.fmean(d), rel=1e-15)
    assert v.loc["d_emp", "sd"] == pytest.approx(statistics.stdev(d), rel=1e-14)  # N-1 denominator
    assert v.loc["d_emp", "p50"] == statistics.median(d) and v.loc["d_emp", "min"] == min(d)
    assert v.loc["share", "max"] == max(FRAME["share"])
    assert [c.label for c in t.columns] == ["N", "Mean", "SD", "Min", "Median", "Max"]


def test_descriptive_defaults_long_tables_and_errors():
    t = descriptive_table(FRAME)
    rows = grid(t)["row"].tolist()
    assert rows == ["d_emp", "employment_start", "share"]  # identifiers (start, end) left out
    assert grid(t).set_index("row").loc["employment_start", "mean"] == "289,900"  # |x| >= 1000: no decimals
    long = pd.DataFrame({"region": ["a", "b", "a", "b"], "sector": ["C", "C", "F", "F"], "value": [1.0, 3.0, 2.0, 6.0],
                         "unit": ["persons"] * 4})
    t = descriptive_table(long, long_by="sector", labels={"C": "Manufacturing"})
    g = grid(t).set_index("row")
    assert g.loc["C", "label"] == "Manufacturing (persons)" and g.loc["F", "mean"] == "4.000"
    with pytest.raises(InputError, match="no column"):
        descriptive_table(FRAME, variables=["nope"])
    with pytest.raises(InputError, match="not numeric"):
        descriptive_table(FRAME, variables=["region"])
    with pytest.raises(InputError, match="no level"):
        descriptive_table(long, long_by="sector", variables=["Z"])
    with pytest.raises(InputError, match="group by"):
        descriptive_table(FRAME, by="nope")


def test_top_provinces_rank_lq_with_ties_by_code_and_main_class():
    t = top_provinces_table(SPECIALIZATION, top=3, summary=SUMMARY)
    g = grid(t)
    assert g["region"].tolist() == ["ITI15", "ITC13", "ITH32"]  # 2.33, then the tie 1.90 by code; F and 2016 ignored
    assert g["name"].tolist() == ["Prato", "Biella", "Vicenza"]  # shipped ISTAT province table
    assert g["class"].tolist() == ["A (100%)", "A (97%)", "A (77%)"]
    assert g["group"].tolist() == ["A2 (100%)", "A2 (97%)", "A5 (34%)"]
    assert "top_provinces" == t.name and "2017" in t.title


def test_top_provinces_from_shares_equal_those_from_the_summary():
    rows = []
    for _, r in SUMMARY.iterrows():
        for code, col in (("A", "made_in_italy_share"), ("B", "heavy_industry_share"),
                          ("C", "non_manufacturing_share"), ("D", "non_specialised_share")):
            rows.append({"region": r["region"], "nuts_version": 2016, "level": "class", "class": code,
                         "share": r[col]})
        rows.append({"region": r["region"], "nuts_version": 2016, "level": "group", "class": r["dominant_group"],
                     "share": r["dominant_group_share"]})
        rows.append({"region": r["region"], "nuts_version": 2016, "level": "group", "class": "Z9", "share": 0.01})
    shares = pd.DataFrame(rows)
    a = grid(top_provinces_table(SPECIALIZATION, top=5, summary=SUMMARY))
    b = grid(top_provinces_table(SPECIALIZATION, top=5, shares=shares))
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(InputError, match="NUTS versions"):
        top_provinces_table(SPECIALIZATION, shares=pd.concat([shares, shares.assign(nuts_version=2021)]))


def test_top_provinces_errors():
    with pytest.raises(InputError, match="sector 'Z'"):
        top_provinces_table(SPECIALIZATION, sector="Z")
    with pytest.raises(InputError, match="no year 1999"):
        top_provinces_table(SPECIALIZATION, year=1999)
    with pytest.raises(InputError, match="missing column"):
        top_provinces_table(SPECIALIZATION.drop(columns="indicator"))
    with pytest.raises(InputError, match="summary lacks"):
        top_provinces_table(SPECIALIZATION, summary=SUMMARY.drop(columns="dominant_group"))


def test_names_come_from_shipped_and_shared_data(shared_data):
    names = province_names()
    assert names["ITC11"] == "Torino" and names["ITI43"] == "Roma" and len(names) >= 107
    groups = group_names(shared_data / "istat_sll" / "istat_sll2021_specializzazione_prevalente.csv")
    assert groups["A"] == 'SL del "Made in Italy"' and groups["B2"].startswith("Sistemi locali della produzione")


def test_top_sll_table_ranks_and_labels_industries():
    g = grid(top_sll_table(SLL, top=4))
    assert g["sll"].tolist() == ["1102", "0517", "0901", "0101"]
    assert g["main_industry"].tolist() == ["LEA Leather and footwear", "LEA Leather and footwear",
                                          "TEX Textile and clothing", ""]
    with pytest.raises(InputError, match="lq_manufacturing"):
        top_sll_table(SLL.drop(columns="lq_manufacturing"))
    with pytest.raises(InputError, match="twice"):
        top_sll_table(pd.concat([SLL, SLL]))


def test_district_list_from_identify_districts():
    from i4districts.indicators.districts import identify_districts

    rng = np.random.default_rng(3)
    rows = [(s, sec, sz, float(rng.integers(10, 1000)), int(rng.integers(1, 20)), 2011)
            for s in ["0101", "0102", "0103", "0104"] for sec in ["13", "15", "25", "28", "46", "47"]
            for sz in ["W0_9", "W10_49", "W50_249", "W_GE250"]]
    units = pd.DataFrame(rows, columns=["sll", "sector", "size_class", "value", "units", "year"])
    decisions = identify_districts(units, system="sll").assign(sll_name=lambda d: "S" + d["sll"])
    t = district_list_table(decisions)
    g = grid(t)
    assert len(g) == 4 and set(g["code"]) == set(decisions["sll"])
    n_d = int(decisions["district"].sum())
    assert g["district"].tolist()[:n_d] == ["Yes"] * n_d  # districts first
    byc = g.set_index("code")
    for _, r in decisions.iterrows():
        assert byc.loc[r["sll"], "step1"] == ("Yes" if r["step1_manufacturing"] else "No")
        assert byc.loc[r["sll"], "step4"] == ("Yes" if r["step4_sme_main"] else "No")
    assert f"{n_d:,} industrial districts" in next(n for n in t.notes if n.startswith("Sample:"))
    only = grid(district_list_table(decisions, districts_only=True))
    assert len(only) == n_d


def test_district_list_errors_and_flags():
    t = district_list_table(DECISIONS.assign(medium_unit_rule="not_applicable_no_units"))
    assert any("single-medium-unit exception not applied" in n for n in t.notes)
    assert grid(t).set_index("code").loc["0517", "district"] == "No (large-firm led)"
    with pytest.raises(InputError, match="step2_sme"):
        district_list_table(DECISIONS.drop(columns="step2_sme"))
    with pytest.raises(InputError, match="no year 2001"):
        district_list_table(DECISIONS, year=2001)


def test_diagnostics_table_from_records():
    t = diagnostics_table([SS_RI, copy.deepcopy(SS_RI) | {"model_id": "second"}], top=2)
    g = grid(t).set_index(["row", "statistic"])
    assert g.loc[("rank1", "sector"), "ss_ri"] == "C" and g.loc[("rank2", "alpha"), "ss_ri"] == "-0.038"
    assert ("rank3", "sector") not in g.index
    assert g.loc[("effective", "value"), "second"] == "3.4"
    assert g.loc[("primary", "value"), "ss_ri"] == "5.8%" and g.loc[("nominal", "value"), "ss_ri"] == "5%"
    assert g.loc[("method:akm", "value"), "ss_ri"] == "45.4%"
    with pytest.raises(InputError, match="extra.diagnostics"):
        diagnostics_table([PANEL_FE])


def test_provenance_notes_are_sorted_into_source_vintage_and_caveats():
    sources, vintages, others = split_provenance([
        *PROVENANCE, "adoption: robots = robot use; Source: Eurostat, isoc_eb_p3dn2", "Fonte: Istat (CC BY 4.0)"])
    assert sources == ["Source: Eurostat, nama_10r_3empers", "Source: Eurostat, isoc_eb_p3dn2",
                       "Fonte: Istat (CC BY 4.0)"]
    assert vintages == ["embedded:test@sha256:000000000000"]
    assert others == ["partial coverage (flag partial): M-N <- N (M not published)",
                      "adoption: robots = robot use; Source: Eurostat, isoc_eb_p3dn2"]
    assert data_note(PROVENANCE) == ("Data: Source: Eurostat, nama_10r_3empers. "
                                     "Vintage: embedded:test@sha256:000000000000.")
    assert data_note([]) is None
    assert illustrative(["illustrative adoption data (synthetic, seeded; not real data)"])
    assert not illustrative(PROVENANCE)
    assert column_span([1, 2, 3, 5]) == "(1)–(3), (5)" and column_span([2, 3]) == "(2), (3)"
    assert sample_text(FRAME) == "4 regions × 2 periods (2000–2017)"
    assert sample_text(pd.DataFrame({"region": ["a"], "year": [2001]})) == "1 region (2001)"
