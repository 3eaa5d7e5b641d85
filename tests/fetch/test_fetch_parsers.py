"""Parsers against the real recorded responses in ../shared/data.

Every expected value below was read off the files by eye (open them to check).
"""

from __future__ import annotations

import math
import zipfile

import pandas as pd
import pytest

from i4districts.fetch.errors import ParseError
from i4districts.fetch.parsers import FLAG_COLUMNS, parse_body
from i4districts.fetch.parsers.sdmx_ml import find_async_footer
from i4districts.fetch.parsers.tsv import split_cell
from i4districts.fetch.safety import parse_xml


def _cell(df: pd.DataFrame, **key) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    for k, v in key.items():
        mask &= df[k] == v
    hit = df.loc[mask]
    assert len(hit) == 1, f"{key}: {len(hit)} rows"
    return hit.iloc[0]


def test_structure_specific_eurostat_nama_10_gdp(shared_data):
    # NAMA_10_GDP-ss.xml: one series geo=LU na_item=B1GQ unit=CP_MEUR freq=A, 2012..2015
    df = parse_body((shared_data / "sdmx/estat/NAMA_10_GDP-ss.xml").read_bytes(), "sdmx-ml", what="t")
    assert list(df.columns) == ["geo", "na_item", "unit", "freq", "time", "value", *FLAG_COLUMNS]
    assert df["time"].tolist() == ["2012", "2013", "2014", "2015"]
    assert df["value"].tolist() == [46526.2, 49094.5, 51791.3, 54142.3]
    assert set(df["geo"]) == {"LU"} and set(df["unit"]) == {"CP_MEUR"}
    assert df[list(FLAG_COLUMNS)].isna().all().all()


def test_structure_specific_istat_22_289_e_flag(shared_data):
    # 22_289.xml: SEX=1 and SEX=2, 2019..2022; only the 2022 obs carry OBS_STATUS="e"
    df = parse_body((shared_data / "sdmx/istat/22_289.xml").read_bytes(), "sdmx-ml", what="t")
    assert len(df) == 8
    assert list(df.columns[:6]) == ["freq", "ref_area", "data_type", "sex", "age", "marital_status"]
    assert _cell(df, sex="1", time="2019")["value"] == 29131195
    assert _cell(df, sex="2", time="2021")["value"] == 30369987
    last = _cell(df, sex="1", time="2022")
    assert last["value"] == 28747417 and last["obs_status"] == "e"
    assert _cell(df, sex="2", time="2022")["value"] == 30235705
    assert df["obs_status"].eq("e").sum() == 2
    assert df["obs_flag"].isna().all()


def test_generic_istat_recorded_47_850(shared_data):
    # b1957b05ba522041.decoded.xml: GenericData, REF_AREA 001001 and 001002, 2013..2023
    df = parse_body((shared_data / "sdmx/istat/recorded/b1957b05ba522041.decoded.xml").read_bytes(),
                    "sdmx-ml", what="t")
    assert len(df) == 22
    assert _cell(df, ref_area="001001", time="2013")["value"] == 0.0  # a real zero stays zero
    assert _cell(df, ref_area="001001", time="2022")["value"] == 30.0
    assert _cell(df, ref_area="001002", time="2014")["value"] == 54.0
    assert set(df["holder_sector_pubpriv"]) == {"1"}


def test_generic_async_delivery_zip_flags_and_missing(shared_data):
    # footer2.zip holds DataResponse-7JUdWyAy4fmjBSWT.xml: AL, CLV05_MEUR, B1GQ, 1975..2017
    with zipfile.ZipFile(shared_data / "sdmx/estat/footer2.zip") as zf:
        body = zf.read("DataResponse-7JUdWyAy4fmjBSWT.xml")
    df = parse_body(body, "sdmx-ml", what="t")
    assert len(df) == 43
    row = _cell(df, time="2017")
    assert row["value"] == 9820.6 and row["obs_flag"] == "e"
    row = _cell(df, time="2016")
    assert row["value"] == 9457.9 and row["obs_flag"] == "p"
    assert _cell(df, time="1997")["value"] == 3704.9
    gap = _cell(df, time="1996")
    assert math.isnan(gap["value"]) and gap["obs_status"] == "na"
    assert df["value"].isna().sum() == 22  # 1975..1996 are NaN with OBS_STATUS=na


@pytest.mark.parametrize("name,key", [("footer.xml", "wHsvjs7hQCy7Dqf4"), ("footer2.xml", "7JUdWyAy4fmjBSWT")])
def test_async_footer_detected(shared_data, name, key):
    root = parse_xml((shared_data / "sdmx/estat" / name).read_bytes(), what=name)
    footer = find_async_footer(root)
    assert footer is not None and footer.code == "413"
    assert footer.url == f"http://ec.europa.eu/eurostat/SDMX/diss-web/file/{key}"
    assert footer.key == key
    with pytest.raises(ParseError, match="asynchronous"):
        parse_body((shared_data / "sdmx/estat" / name).read_bytes(), "sdmx-ml", what=name)


def test_jsonstat_prc_hicp_manr(shared_data):
    body = (shared_data / "jsonstat/prc_hicp_manr_EA_2025-10_2025-12.jsonstat2.json").read_bytes()
    df = parse_body(body, "jsonstat", what="t")
    assert list(df.columns[:4]) == ["freq", "unit", "coicop", "geo"]
    assert df["time"].tolist() == ["2025-10", "2025-11", "2025-12"]
    assert df["value"].tolist() == [2.1, 2.1, 2.0]
    assert set(df["geo"]) == {"EA"} and set(df["unit"]) == {"RCH_A"}


def test_tsv_flags_missing_and_zero(shared_data):
    df = parse_body((shared_data / "tsv/nama_10r_3empers_sample_data_EXCERPT.tsv").read_bytes(),
                    "tsv", what="t")
    assert list(df.columns[:5]) == ["freq", "unit", "wstatus", "nace_r2", "geo"]
    assert len(df) == 17 * 28  # 17 series x 1995..2022, ':' kept as NaN rows
    # 'A,THS,SAL,F,DE234': ':' in 1995, '3.16 p' in 2020, '3.1 p' in 2021, ':' in 2022
    assert math.isnan(_cell(df, geo="DE234", time="1995")["value"])
    r = _cell(df, geo="DE234", time="2020")
    assert r["value"] == 3.16 and r["obs_flag"] == "p"
    assert _cell(df, geo="DE234", time="2021")["obs_flag"] == "p"
    assert _cell(df, geo="DE234", time="2000")["value"] == 3.06
    # 'A,THS,SAL,J,EL541': '0.14 b' in 2010
    r = _cell(df, geo="EL541", time="2010")
    assert r["value"] == 0.14 and r["obs_flag"] == "b"
    # 'A,THS,EMP,O-Q,MTZ': ':' for 1995..1999, then true zeros 2000..2022 (kept as 0.0)
    mtz = df[df["geo"] == "MTZ"].set_index("time")["value"]
    assert mtz.loc["1995":"1999"].isna().all()
    assert (mtz.loc["2000":"2022"] == 0.0).all() and len(mtz.loc["2000":"2022"]) == 23
    # 'A,THS,SAL,K,BE343': '0.2 p' in 2022
    r = _cell(df, geo="BE343", time="2022")
    assert r["value"] == 0.2 and r["obs_flag"] == "p"
    # 'A,THS,EMP,G-I,DE': 9373 in 2000, '10020 p' in 2020
    assert _cell(df, geo="DE", nace_r2="G-I", time="2000")["value"] == 9373
    assert _cell(df, geo="ITH3", time="1995")["value"] == 302.8
    # ':' is NaN, never zero; and NaN cells carry no flag here
    assert not ((df["value"] == 0) & (df["geo"] != "MTZ")).any()


@pytest.mark.parametrize(
    "cell,expected",
    [("3.16 p", ("3.16", "p")), (": ", (":", None)), ("0 ", ("0", None)), (": c", (":", "c")),
     (":c", (":", "c")), ("12.5 pe", ("12.5", "pe")), ("", ("", None))],
)
def test_split_cell(cell, expected):
    assert split_cell(cell) == expected


def test_sdmx_csv_toy_with_2025_split_flags():
    # hand-written SDMX-CSV in Eurostat's layout with the 2025 OBS_STATUS/CONF_STATUS columns
    body = (
        "DATAFLOW,LAST UPDATE,freq,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,OBS_STATUS,CONF_STATUS\n"
        "ESTAT:X(1.0),01/01/25,A,THS,ITC1,2021,12.5,,P,\n"
        "ESTAT:X(1.0),01/01/25,A,THS,ITC1,2022,,,M,C\n"
        "ESTAT:X(1.0),01/01/25,A,THS,ITC2,2021,0,b,,F\n"
    ).encode()
    df = parse_body(body, "sdmx-csv", what="toy")
    assert list(df.columns) == ["freq", "unit", "geo", "time", "value", *FLAG_COLUMNS]
    assert df["value"].iloc[0] == 12.5 and df["obs_status"].iloc[0] == "P"
    assert math.isnan(df["value"].iloc[1]) and df["conf_status"].iloc[1] == "C"
    assert df["value"].iloc[2] == 0.0 and df["obs_flag"].iloc[2] == "b"


@pytest.mark.parametrize(
    "fmt,body,match",
    [
        ("sdmx-ml", b"<a><b/></a>", "no DataSet"),
        ("sdmx-ml", b"<a><b></a>", "malformed"),
        ("jsonstat", b"{\"error\": [{\"status\": 400}]}", "not a JSON-stat"),
        ("jsonstat", b"not json", "not valid JSON"),
        ("tsv", b"freq,geo\tx\n", "TIME_PERIOD"),
        ("sdmx-csv", b"a,b\n1,2\n", "lacks"),
        ("sdmx-csv", b"geo,TIME_PERIOD,OBS_VALUE\nIT,2020,1\nFR,2020\n", r"lines \[3\] have \[2\] fields"),
        ("tsv", b"freq,geo\\TIME_PERIOD\t2020\nA,IT\tabc\n", r"cells \['abc'\] are not"),
        ("tsv", b"freq,geo\\TIME_PERIOD\t2020\t2021\nA,IT\t1\n", r"lines \[2\] have \[2\] cells"),
    ],
)
def test_bad_bodies_raise_clear_errors(fmt, body, match):
    with pytest.raises(ParseError, match=match):
        parse_body(body, fmt, what="toy")


def test_parsed_schema_is_string_typed_in_parquet(shared_data, tmp_path):
    df = parse_body((shared_data / "sdmx/estat/NAMA_10_GDP-ss.xml").read_bytes(), "sdmx-ml", what="t")
    df.to_parquet(tmp_path / "x.parquet")
    import pyarrow.parquet as pq

    schema = pq.read_schema(tmp_path / "x.parquet")
    assert str(schema.field("obs_flag").type) in ("string", "large_string")  # even when all missing
    assert str(schema.field("value").type) == "double"
