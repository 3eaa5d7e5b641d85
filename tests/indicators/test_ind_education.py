"""Education-based employment polarization from the real Eurostat LFS table lfst_r_lfe2eedu (IT, ES NUTS-2)."""

from __future__ import annotations

import gzip
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from i4districts.cli import main
from i4districts.fetch.parsers import parse_body
from i4districts.indicators.education import (
    education_polarization,
    education_spatial_polarization,
    education_tier_shares,
    read_lfs_education,
)
from i4districts.vocabulary import to_vocabulary

LFS = Path(os.environ.get("I4D_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data")) / "lfs"
TSV = LFS / "lfst_r_lfe2eedu.tsv.gz"


@pytest.fixture(scope="module")
def table():
    return to_vocabulary(parse_body(gzip.decompress(TSV.read_bytes()), "tsv", what="lfst_r_lfe2eedu"))


@pytest.fixture(scope="module")
def shares(table):
    return education_tier_shares(table)


def _row(shares, region, year, tier):
    r = shares[(shares["region"] == region) & (shares["year"] == year) & (shares["tier"] == tier)]
    assert len(r) == 1
    return r.iloc[0]


def test_hand_computed_shares_from_the_file(shares):
    # zcat lfst_r_lfe2eedu.tsv.gz | grep -P "^THS,T,Y25-64,[^,]+,(ITC1|ES30)\t" (thousands, columns 2015 ... 1999):
    # ITC1 2000: ED0-2 722.7, ED3_4 665.9, ED5-8 178.3 (NRP 10.8, TOTAL 1577.7); known = 1566.9
    # ITC1 2015: ED0-2 552.2, ED3_4 806.4, ED5-8 326.4 (NRP ':', TOTAL 1685.1); known = 1685.0
    # ES30 2000: ED0-2 790.3, ED3_4 408.4, ED5-8 732.8; ES30 2015: 595.5, 653.8, 1410.3 (TOTAL 2659.6)
    cases = {
        ("ITC1", 2000): (722.7, 665.9, 178.3),
        ("ITC1", 2015): (552.2, 806.4, 326.4),
        ("ES30", 2000): (790.3, 408.4, 732.8),
        ("ES30", 2015): (595.5, 653.8, 1410.3),
    }
    for (reg, year), emp in cases.items():
        known = sum(emp)
        for tier, e in zip(("low", "middle", "high"), emp):
            r = _row(shares, reg, year, tier)
            assert r["value"] == pytest.approx(e / known, rel=1e-12)
            assert r["employment"] == pytest.approx(e)
            assert r["complete"] and not r["low_reliability"]
    assert _row(shares, "ITC1", 2000, "low")["value"] == pytest.approx(0.4612, abs=5e-5)
    assert _row(shares, "ITC1", 2000, "low")["coverage"] == pytest.approx(1566.9 / 1577.7)  # NRP excluded
    assert _row(shares, "ITC1", 2015, "high")["value"] == pytest.approx(0.1937, abs=5e-5)


def test_all_nuts2_regions_present_and_shares_sum_to_one(shares):
    regions = shares.drop_duplicates("region")["region"]
    assert (regions.str[:2] == "IT").sum() == 21 and (regions.str[:2] == "ES").sum() == 19
    assert set(shares["year"]) == set(range(1999, 2016))
    per = shares.groupby(["region", "year"]).agg(total=("value", "sum"), complete=("complete", "all"))
    assert np.allclose(per.loc[per["complete"], "total"], 1.0, atol=1e-12)
    assert per["complete"].mean() > 0.95


def test_flags_of_the_real_file(shares):
    # ITH5 and ITI3 (NUTS 2013 boundaries) are ':' before 2005: NaN with the missing tiers named, never 0
    r = _row(shares, "ITH5", 2000, "middle")
    assert math.isnan(r["value"]) and math.isnan(r["employment"]) and not r["complete"]
    assert r["flag"] == "missing:low;missing:middle;missing:high"
    # ES63 2000: ED3_4 '3.9 u' -> kept, every tier's share flagged low reliability
    r = _row(shares, "ES63", 2000, "middle")
    assert r["employment"] == pytest.approx(3.9) and r["source_flag"] == "u" and r["low_reliability"]
    assert _row(shares, "ES63", 2000, "low")["low_reliability"]
    # 2014: ISCED 1997 -> ISCED 2011, every tier cell carries 'b'
    assert _row(shares, "ITC1", 2014, "high")["series_break"] and "b" in _row(shares, "ITC1", 2014, "low")["flag"]
    assert not _row(shares, "ITC1", 2013, "high")["series_break"]


def test_flags_on_a_hand_table():
    base = dict(unit="THS", sex="T", age="Y25-64")
    rows = [
        # R1 2010 complete; 'u' on high
        ("ITC1", 2010, "ED0-2", 10.0, ""), ("ITC1", 2010, "ED3_4", 20.0, "b"), ("ITC1", 2010, "ED5-8", 10.0, "u"),
        # R1 2011: middle confidential with a number printed -> no value; R2 2011: middle ':'
        ("ITC1", 2011, "ED0-2", 10.0, ""), ("ITC1", 2011, "ED3_4", 5.0, "c"), ("ITC1", 2011, "ED5-8", 10.0, ""),
        ("ITC2", 2011, "ED0-2", 1.0, ""), ("ITC2", 2011, "ED3_4", np.nan, ""), ("ITC2", 2011, "ED5-8", 1.0, ""),
        ("ITC2", 2011, "NRP", 4.0, ""), ("ITC2", 2011, "TOTAL", 6.0, ""),
    ]
    df = pd.DataFrame(rows, columns=["region", "year", "isced11", "value", "flag"]).assign(**base)
    out = education_tier_shares(df, countries=["IT"])
    r10 = out[(out.region == "ITC1") & (out.year == 2010)].set_index("tier")
    assert r10["value"].tolist() == pytest.approx([0.25, 0.5, 0.25])
    assert r10["low_reliability"].all() and r10["series_break"].all() and r10.loc["low", "flag"] == "b;u"
    assert r10.loc["middle", "source_flag"] == "b"
    r11 = out[(out.region == "ITC1") & (out.year == 2011)].set_index("tier")
    assert r11["value"].isna().all() and math.isnan(r11.loc["middle", "employment"])
    assert r11.loc["low", "flag"] == "c;missing:middle" and r11.loc["low", "employment"] == 10.0
    r2 = out[(out.region == "ITC2") & (out.year == 2011)]
    assert r2["value"].isna().all() and (r2["flag"] == "missing:middle").all()
    # region-years of a region missing entirely in a year still appear, all NaN
    assert len(out) == 2 * 2 * 3 and out[(out.region == "ITC2") & (out.year == 2010)]["value"].isna().all()


def test_long_changes_polarization_and_breaks(shares):
    ch = education_polarization(shares, start=2000, end=2015).set_index("region")
    assert len(ch) == 40
    itc1 = ch.loc["ITC1"]
    # 100 * (552.2/1685.0 - 722.7/1566.9) etc.
    d_low = 100 * (552.2 / 1685.0 - 722.7 / 1566.9)
    d_mid = 100 * (806.4 / 1685.0 - 665.9 / 1566.9)
    d_high = 100 * (326.4 / 1685.0 - 178.3 / 1566.9)
    assert itc1["change_low"] == pytest.approx(d_low) and itc1["change_high"] == pytest.approx(d_high)
    assert itc1["hollowing_out"] == pytest.approx(-d_mid)
    assert itc1["polarization_index"] == pytest.approx(min(d_low, d_high) - d_mid)
    assert itc1["pattern"] == "upgrading" and not itc1["polarized"]
    assert itc1["breaks"] == "2004;2005;2014" and ch.loc["ES30", "breaks"] == "2001;2005;2014"
    assert ch.loc["ES63", "low_reliability"] and not itc1["low_reliability"]
    # ITH5 has no 2000 data: NaN changes, not zero
    assert not ch.loc["ITH5", "complete"] and math.isnan(ch.loc["ITH5", "change_middle"])
    assert pd.isna(ch.loc["ITH5", "pattern"])


def test_spatial_polarization_of_shares(shares):
    sp = education_spatial_polarization(shares).set_index(["country", "tier", "year"])
    assert sp.loc[("IT", "high", 2015), "n_regions"] == 21 and sp.loc[("ES", "low", 2015), "n_regions"] == 19
    assert sp.loc[("IT", "high", 2000), "n_regions"] == 19 and sp.loc[("IT", "high", 2000), "n_incomplete"] == 2
    sub = shares[(shares.region.str[:2] == "ES") & (shares.year == 2015) & (shares.tier == "high")]
    mean = np.average(sub["value"], weights=sub["employment_known"])
    assert sp.loc[("ES", "high", 2015), "mean"] == pytest.approx(mean)
    assert (sp["gini"] >= 0).all() and (sp["esteban_ray"] >= 0).all()


def test_read_and_cli_on_fetched_parquet(tmp_path, table):
    raw = parse_body(gzip.decompress(TSV.read_bytes()), "tsv", what="lfst_r_lfe2eedu")
    fetched = tmp_path / "data.parquet"
    raw[raw["geo"].isin(["ITC1", "ES30", "ITH5"])].to_parquet(fetched)
    tidy = read_lfs_education(fetched)
    assert {"region", "year", "value", "flag", "isced11", "sex", "age", "unit"} <= set(tidy.columns)
    out, changes = tmp_path / "sh.parquet", tmp_path / "ch.parquet"
    assert main(["indicators", "education-polarization", "-i", str(fetched), "-o", str(out),
                 "--countries", "IT,ES", "--changes", str(changes)]) == 0
    got = pd.read_parquet(out)
    assert set(got["region"]) == {"ITC1", "ES30", "ITH5"}
    r = got[(got.region == "ITC1") & (got.year == 2000) & (got.tier == "low")].iloc[0]
    assert r["value"] == pytest.approx(722.7 / 1566.9)
    assert len(pd.read_parquet(changes)) == 3
    with pytest.raises(SystemExit) as exc:
        main(["indicators", "education-polarization", "--help"])
    assert exc.value.code == 0
    assert main(["indicators", "education-polarization", "-i", str(fetched), "-o", str(out),
                 "--countries", "FR"]) == 2  # no rows: a user error, exit 2
