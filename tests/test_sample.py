"""The embedded Eurostat sample: tidy layout, whole persons, flags, provenance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from i4districts import io
from i4districts.sample import (
    ATTRIBUTION,
    SAMPLE_COLUMNS,
    SampleFormatError,
    embedded_sample_path,
    load_embedded_sample,
    read_nama_10r_3empers_csv,
    tidy_nama_10r_3empers,
)


def _raw(**cols):
    base = {"Date": [2015], "GeoId": ["dcid:nuts/ITI35"],
            "Count_Person_Employed_NACE/C": [129699.99999999999], "Count_Person_Employed": [300000.4]}
    base.update(cols)
    return pd.DataFrame(base)


def test_tidy_rounds_float_noise_to_whole_persons():
    out = tidy_nama_10r_3empers(_raw())
    assert list(out.columns) == SAMPLE_COLUMNS
    c = out[out["nace"] == "C"].iloc[0]
    assert c["employment"] == 129700 and c["geo"] == "ITI35" and c["nuts_level"] == 3
    assert out.loc[out["nace"] == "TOTAL", "employment"].iloc[0] == 300000
    assert set(out["unit"]) == {"persons"}


def test_unpublished_cell_is_missing_with_flag_never_zero():
    out = tidy_nama_10r_3empers(_raw(**{"Count_Person_Employed_NACE/C": [np.nan]}))
    c = out[out["nace"] == "C"].iloc[0]
    assert pd.isna(c["employment"]) and c["obs_flag"] == ":"


def test_bad_input_names_field_and_values():
    with pytest.raises(SampleFormatError, match="GeoId.*nuts:ITI35"):
        tidy_nama_10r_3empers(_raw(GeoId=["nuts:ITI35"]), source="x.csv")
    with pytest.raises(SampleFormatError, match="negative"):
        tidy_nama_10r_3empers(_raw(**{"Count_Person_Employed": [-5]}))
    with pytest.raises(SampleFormatError, match=r"x.csv: missing column\(s\) \['Date'\]"):
        tidy_nama_10r_3empers(_raw().drop(columns="Date"), source="x.csv")


def test_embedded_sample_is_tidy_and_attributed():
    df = load_embedded_sample()
    assert list(df.columns) == SAMPLE_COLUMNS
    assert not df.duplicated(["geo", "nace", "year"]).any()
    assert ATTRIBUTION in io.read_notes(embedded_sample_path())
    published = df.dropna(subset=["employment"])
    assert (published["employment"] >= 0).all()
    assert set(df.loc[df["employment"].isna(), "obs_flag"]) == {":"}


def test_embedded_nuts3_sum_to_country_total():
    df = load_embedded_sample()
    tot = df[(df["nace"] == "TOTAL") & df["year"].between(2000, 2017)]
    nuts3 = tot[tot["nuts_level"] == 3].groupby("year")["employment"].sum()
    country = tot[tot["geo"] == "IT"].set_index("year")["employment"]
    pd.testing.assert_series_equal(nuts3, country, check_names=False, check_dtype=False)
    # 2015, read off the CSV: Count_Person_Employed for dcid:nuts/IT
    assert country.loc[2015] == 24_516_200


def test_embedded_sample_is_reproducible_from_shared_csv(shared_data: Path):
    rebuilt = read_nama_10r_3empers_csv(shared_data / "eurostat" / "IT_nama_10r_3empers.csv")
    pd.testing.assert_frame_equal(rebuilt, load_embedded_sample())


def test_spanish_sample_is_reproducible_from_shared_csv(shared_data: Path):
    rebuilt = read_nama_10r_3empers_csv(shared_data / "eurostat" / "ES_nama_10r_3empers.csv")
    pd.testing.assert_frame_equal(rebuilt, load_embedded_sample("ES"))
    assert ATTRIBUTION in io.read_notes(embedded_sample_path("ES"))
    assert embedded_sample_path("ES").stat().st_size < 1_000_000


def test_no_embedded_sample_for_other_countries_names_the_key():
    with pytest.raises(SampleFormatError, match="data.country.*'DE'"):
        embedded_sample_path("DE")
