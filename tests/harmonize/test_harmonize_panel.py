"""The validated panel builder on the real nama_10r_3empers sample."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from i4districts.harmonize import HarmonizeError
from i4districts.harmonize.nuts import version_code_sets
from i4districts.harmonize.panel import build_panel, panel_schema
from i4districts.validation import TableValidationError, validate
from i4districts.vocabulary import to_vocabulary

A10 = ("A", "B-E", "F", "G-I", "J", "K", "L", "M-N", "O-Q", "R-U")

@pytest.fixture(scope="module")
def sample(sample):  # noqa: F811 - the real sample (tests/harmonize/conftest.py) in the vocabulary
    return to_vocabulary(sample, table="nama_10r_3empers sample")




def test_a10_panel_from_sample(sample):
    panel, rep = build_panel(sample, sectors="A10", vintage="sample-2026", region_level=3, years=(2000, 2017))
    assert list(panel.columns) == ["region", "sector", "year", "value", "unit", "flag", "vintage"]
    assert rep.sector_set == "A10" and rep.sectors == A10
    assert set(rep.excluded_sectors) == {"C", "G-J", "K-N", "O-U", "TOTAL"}
    assert rep.n_regions == 111 and rep.years == (2000, 2017) and len(rep.gaps) == 0
    assert len(panel) == 111 * 10 * 18
    assert (panel["unit"] == "persons").all() and (panel["vintage"] == "sample-2026").all()
    # the published aggregates were checked and add up
    assert len(rep.sector_additivity) > 0 and set(rep.sector_additivity["status"]) == {"ok"}
    # the non-overlapping A10 set adds up to the published total in every region and year
    tot = sample[(sample["sector"] == "TOTAL") & (sample["nuts_level"] == 3) & sample["year"].between(2000, 2017)]
    s = panel.groupby(["region", "year"])["value"].sum()
    t = tot.set_index([tot["region"].astype(str), "year"])["value"].astype(float)
    np.testing.assert_array_equal(s.sort_index().to_numpy(), t.sort_index().to_numpy())
    json.dumps(rep.to_dict())  # JSON-ready


def test_unpublished_cells_are_gaps_and_balancing_lists_dropped(sample):
    panel, rep = build_panel(sample, sectors="A10", vintage="v", region_level=2)
    assert rep.years == (1995, 2018)
    # 2018 is a row in the file but not published at NUTS 2: rows kept, flagged, listed as gaps
    nulls = panel[panel["value"].isna()]
    assert len(nulls) and nulls["flag"].str.contains("not_published").all()
    assert set(rep.gaps["reason"]) == {"not_published"} and set(rep.gaps["year"]) == {2018}
    assert len(rep.gaps) == len(nulls) == panel["region"].nunique() * 10
    with pytest.raises(HarmonizeError, match="cannot balance"):
        build_panel(sample, sectors="A10", vintage="v", region_level=2, balanced=True)
    small = sample[sample["region"].isin(["ITC1", "ITC2"]) & sample["year"].between(2010, 2012)]
    small = small[~((small["region"] == "ITC2") & (small["sector"] == "J") & (small["year"] == 2011))]
    panel, rep = build_panel(small, sectors="A10", vintage="v", balanced=True)
    assert rep.dropped_regions == ("ITC2",) and set(panel["region"]) == {"ITC1"}
    assert rep.gaps[["region", "sector", "year", "reason"]].values.tolist() == [["ITC2", "J", 2011, "absent"]]


def test_overlapping_custom_set_refused(sample):
    with pytest.raises(HarmonizeError, match="double counted"):
        build_panel(sample, sectors=["A", "G-J", "J"], vintage="v")
    panel, rep = build_panel(sample, sectors=["C", "F"], vintage="v", region_level=0, years=(2010, 2010))
    assert rep.sector_set == "custom" and set(panel["sector"]) == {"C", "F"}


def test_nuts2021_code_flagged_in_panel(sample, corr_16_21):
    part = sample[(sample["nuts_level"] == 3) & (sample["year"] == 2016)]
    extra = part[part["region"] == "ITG25"].assign(region="ITG2D")
    mixed = pd.concat([part, extra], ignore_index=True)
    panel, rep = build_panel(mixed, sectors="A10", vintage="v", nuts_version="2016",
                             nuts_versions=version_code_sets(corr_16_21))
    assert (panel.loc[panel["region"] == "ITG2D", "flag"] == "nuts2021_code").all()
    assert rep.flag_counts == {"nuts2021_code": 10}
    assert panel["region"].nunique() == 112  # nothing dropped


def test_additivity_mismatch_refused(sample):
    bad = sample[(sample["region"] == "ITC11") & (sample["year"] == 2010)].copy()
    bad.loc[bad["sector"] == "J", "value"] += 1000
    with pytest.raises(HarmonizeError, match="do not add up"):
        build_panel(bad, sectors="A10", vintage="v")


def test_units_and_columns_are_explicit(sample):
    two_units = sample.head(4).copy()
    two_units["unit"] = ["persons", "persons", "thousand persons", "persons"]
    with pytest.raises(HarmonizeError, match="one unit"):
        build_panel(two_units, vintage="v")
    with pytest.raises(HarmonizeError, match="missing column"):
        build_panel(sample.drop(columns="year"), vintage="v")


def test_panel_schema_rejects_negative_and_duplicates():
    df = pd.DataFrame({"region": ["ITC11", "ITC11"], "sector": ["A", "A"], "year": [2010, 2010],
                       "value": [-1.0, 2.0], "unit": "persons", "flag": "", "vintage": "v"})
    with pytest.raises(TableValidationError) as ei:
        validate(df, panel_schema("persons"))
    assert {f.check for f in ei.value.failures} == {"duplicate_key", "negative"}


def _asia_like() -> pd.DataFrame:
    # employees by size class; TOTAL = W0_9 + W10_49 + W50_249 + W_GE250 (hand-built)
    rows = []
    for year, parts in ((2019, (50, 30, 15, 5)), (2020, (52, 31, 15, 6))):
        for cls, v in zip(("W0_9", "W10_49", "W50_249", "W_GE250"), parts):
            rows.append(("SLL_2011_0101", "C", year, cls, float(v)))
        rows.append(("SLL_2011_0101", "C", year, "TOTAL", float(sum(parts))))
    return pd.DataFrame(rows, columns=["geo", "nace", "year", "size", "employees"])


def test_size_classes_are_not_double_counted():
    df = _asia_like()
    panel, rep = build_panel(df, sectors="manufacturing", vintage="v", unit="persons", value_col="employees", region_col="geo", sector_col="nace",
                             size_class_col="size", flag_col=None)
    assert rep.size_classes == ("W0_9", "W10_49", "W50_249", "W_GE250")
    assert rep.excluded_size_classes == ("TOTAL",)
    assert set(rep.size_additivity["status"]) == {"ok"}
    assert list(panel.columns[:4]) == ["region", "sector", "year", "size_class"]
    assert panel.groupby("year")["value"].sum().to_dict() == {2019: 100.0, 2020: 104.0}
    with pytest.raises(HarmonizeError, match="double counted"):
        build_panel(df, sectors="manufacturing", vintage="v", unit="persons", value_col="employees", region_col="geo", sector_col="nace",
                    size_class_col="size", size_classes=["TOTAL", "W0_9"], flag_col=None)
    bad = df.copy()
    bad.loc[0, "employees"] += 1
    with pytest.raises(HarmonizeError, match="do not add up to 'TOTAL'"):
        build_panel(bad, sectors="manufacturing", vintage="v", unit="persons", value_col="employees", region_col="geo", sector_col="nace",
                    size_class_col="size", flag_col=None)


def test_input_keys_checked_before_anything(sample):
    from i4districts.validation import TableValidationError

    bad = sample.head(3).copy()
    bad.loc[1, "region"] = None
    bad.loc[2, "value"] = -5
    with pytest.raises(TableValidationError) as ei:
        build_panel(bad, vintage="v", table="sample.parquet")
    assert {f.check for f in ei.value.failures} == {"null_key", "negative"}
    assert "sample.parquet" in str(ei.value)
