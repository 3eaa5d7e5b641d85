"""Province employment shares by the prevailing specialisation of the SLL 2021 (issue 10 item 5).

Real ISTAT files under ``$I4D_SHARED_DATA/istat_sll`` (fail, never skip, when missing),
plus small synthetic cases for the formulas.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from i4districts.harmonize import istat
from i4districts.indicators import IndicatorInputError
from i4districts.indicators.district_shares import (
    CLASSES,
    GROUPS,
    assign_nuts3,
    district_shares_table,
    district_summary,
    impute_suppressed,
    province_specialisation_shares,
)


@pytest.fixture(scope="module")
def shares(shared_data: Path) -> pd.DataFrame:
    for rel in (istat.SLL_CROSSWALK_FILE, istat.SLL_SPECIALISATION_FILE, istat.FRAME_SBS_FILE):
        if not (shared_data / rel).is_file():
            pytest.fail(f"reference file missing: {shared_data / rel}", pytrace=False)
    return district_shares_table(shared_data)


@pytest.fixture(scope="module")
def summary(shares) -> pd.DataFrame:
    return district_summary(shares)


def _get(shares, region, level, code, version=2016):
    row = shares[(shares["region"] == region) & (shares["nuts_version"] == version)
                 & (shares["level"] == level) & (shares["class"] == code)]
    assert len(row) == 1
    return row.iloc[0]


def test_layout_and_coverage(shares):
    assert list(shares.columns) == ["region", "nuts_version", "level", "class", "share", "employment",
                                    "province_employment", "flag"]
    n = shares.groupby("nuts_version")["region"].nunique().to_dict()
    assert n == {2016: 110, 2021: 107}
    assert not shares["region"].str.endswith("ZZZ").any()
    per = shares.groupby(["region", "nuts_version", "level"]).size().unstack()
    assert (per["class"] == len(CLASSES)).all() and (per["group"] == len(GROUPS)).all()
    assert not shares.duplicated(["region", "nuts_version", "level", "class"]).any()
    assert shares["share"].between(0, 1).all()


def test_shares_sum_to_one(shares):
    sums = shares.groupby(["region", "nuts_version", "level"])["share"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, atol=1e-12)
    # groups add up to their class
    grp = shares[shares["level"] == "group"].assign(cls=lambda d: d["class"].str[0])
    by_cls = grp.groupby(["region", "nuts_version", "cls"])["employment"].sum()
    cls = shares[shares["level"] == "class"].set_index(["region", "nuts_version", "class"])["employment"]
    np.testing.assert_allclose(by_cls.sort_index().to_numpy(), cls.sort_index().to_numpy())


def test_total_weight_is_istat_total(shares):
    for version in (2016, 2021):
        tot = shares[(shares["nuts_version"] == version) & (shares["level"] == "class")]["employment"].sum()
        # published municipal cells + suppressed residuals = Σ of ISTAT's SLL totals (18,106,466) up to rounding
        assert abs(tot - 18_106_466) <= 0.5 * 7900


def test_fermo_and_prato_are_made_in_italy(shares, summary):
    for version in (2016, 2021):
        assert _get(shares, "ITI35", "class", "A", version)["share"] > 0.9       # Fermo
        assert _get(shares, "ITI35", "group", "A3", version)["share"] > 0.9      # leather and footwear
        assert _get(shares, "ITI15", "class", "A", version)["share"] > 0.9       # Prato
        assert _get(shares, "ITI15", "group", "A2", version)["share"] > 0.9      # textiles and clothing
    s = summary.set_index(["region", "nuts_version"])
    assert s.loc[("ITI35", 2016), "dominant_group"] == "A3"
    assert s.loc[("ITI15", 2016), "dominant_group"] == "A2"
    assert s.loc[("ITI15", 2016), "made_in_italy_share"] == pytest.approx(1.0)
    assert s.loc[("ITI35", 2016), "province_employment"] == 53_261
    assert s.loc[("ITI15", 2016), "province_employment"] == 111_886


def test_metropolitan_provinces_are_non_manufacturing(summary):
    s = summary.set_index(["region", "nuts_version"])
    for region in ("ITI43", "ITC4C"):                                            # Roma, Milano
        assert s.loc[(region, 2016), "non_manufacturing_share"] > 0.95
        assert s.loc[(region, 2016), "dominant_group"] == "C1"                  # urban, highly specialised
        assert s.loc[(region, 2016), "manufacturing_specialised_share"] < 0.05
    np.testing.assert_allclose(
        summary["manufacturing_specialised_share"],
        summary["made_in_italy_share"] + summary["heavy_industry_share"])


def test_sardinia_flags(shares):
    s16 = shares[(shares["nuts_version"] == 2016) & shares["region"].str.startswith("ITG2")]
    assert set(s16["region"]) == {"ITG25", "ITG26", "ITG27", "ITG28", "ITG29", "ITG2A", "ITG2B", "ITG2C"}
    assert s16["flag"].str.contains("approximated").all()
    s21 = shares[(shares["nuts_version"] == 2021) & shares["region"].str.startswith("ITG2")]
    assert set(s21["region"]) == {"ITG2D", "ITG2E", "ITG2F", "ITG2G", "ITG2H"}
    assert not s21["flag"].str.contains("approximated").any()
    assert not shares.loc[~shares["region"].str.startswith("ITG2"), "flag"].str.contains("approximated").any()
    # same island total under both versions
    tot = shares[shares["region"].str.startswith("ITG2") & (shares["level"] == "class")]
    by = tot.groupby("nuts_version")["employment"].sum()
    assert by[2016] == pytest.approx(by[2021])
    # outside Sardinia the two versions coincide
    rest = shares[~shares["region"].str.startswith("ITG2")]
    a = rest[rest["nuts_version"] == 2016].drop(columns="nuts_version").reset_index(drop=True)
    b = rest[rest["nuts_version"] == 2021].drop(columns="nuts_version").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_imputed_flag_marks_suppressed_cells(shares):
    flagged = shares[shares["flag"].str.contains("imputed")]
    assert len(flagged) > 0
    assert (flagged["employment"] > 0).all()


# --------------------------------------------------------------------------- synthetic


def _toy():
    resolved = pd.DataFrame({
        "municipality": ["001001", "001002", "001003", "002001", "002002"],
        "successor": ["001001", "001002", "001003", "002001", "002002"],
        "sll": ["0101", "0101", "0102", "0102", "0103"],
        "local_units": [10.0, 30.0, 5.0, 5.0, 1.0],
        "persons_employed": [100.0, np.nan, np.nan, 40.0, 10.0],
    })
    totals = pd.DataFrame({"sll": ["0101", "0102", "0103"], "macro_sector": "total",
                           "persons_employed": [180.0, 60.0, 10.0]})
    spec = pd.DataFrame({"sll": ["0101", "0102", "0103"], "class": ["A", "C", "B"], "group": ["A3", "C1", "B2"]})
    pmap = pd.DataFrame({"province_prefix": ["001", "002"], "nuts2016": ["ITX11", "ITX12"],
                         "nuts2021": ["ITX11", "ITX12"], "approximated": [False, False]})
    return resolved, totals, spec, pmap


def test_impute_suppressed_uses_residual_never_zero():
    resolved, totals, _, _ = _toy()
    out = impute_suppressed(resolved, totals).set_index("municipality")
    assert out.loc["001002", "weight"] == pytest.approx(80.0)    # 180 − 100, sole suppressed cell
    assert out.loc["001003", "weight"] == pytest.approx(20.0)    # 60 − 40
    assert out["imputed"].sum() == 2
    assert out.loc["001001", "weight"] == 100.0


def test_impute_splits_residual_by_local_units():
    resolved, totals, _, _ = _toy()
    resolved.loc[0, "persons_employed"] = np.nan                 # 001001 and 001002 both suppressed in 0101
    out = impute_suppressed(resolved, totals).set_index("municipality")
    assert out.loc["001001", "weight"] == pytest.approx(180 * 10 / 40)
    assert out.loc["001002", "weight"] == pytest.approx(180 * 30 / 40)


def test_province_shares_synthetic():
    resolved, totals, spec, pmap = _toy()
    placed = assign_nuts3(impute_suppressed(resolved, totals), pmap, 2021)
    out = province_specialisation_shares(placed, spec, nuts_version=2021)
    cls = out[out["level"] == "class"].set_index(["region", "class"])
    assert cls.loc[("ITX11", "A"), "share"] == pytest.approx(180 / 200)
    assert cls.loc[("ITX11", "C"), "share"] == pytest.approx(20 / 200)
    assert cls.loc[("ITX12", "C"), "share"] == pytest.approx(40 / 50)
    assert cls.loc[("ITX12", "B"), "share"] == pytest.approx(10 / 50)
    assert cls.loc[("ITX11", "A"), "flag"] == "imputed"
    assert cls.loc[("ITX12", "C"), "flag"] == ""
    assert cls.loc[("ITX11", "D"), "share"] == 0.0


def test_errors():
    resolved, totals, spec, pmap = _toy()
    with pytest.raises(IndicatorInputError, match="not placed"):
        assign_nuts3(resolved, pmap[pmap["province_prefix"] == "001"], 2016)
    with pytest.raises(IndicatorInputError, match="2016 or 2021"):
        assign_nuts3(resolved, pmap, 2013)
    placed = assign_nuts3(impute_suppressed(resolved, totals), pmap, 2016)
    with pytest.raises(IndicatorInputError, match="without a prevailing specialisation"):
        province_specialisation_shares(placed, spec[spec["sll"] != "0103"], nuts_version=2016)
    with pytest.raises(IndicatorInputError, match="missing or negative"):
        province_specialisation_shares(placed.assign(weight=np.nan), spec, nuts_version=2016)
