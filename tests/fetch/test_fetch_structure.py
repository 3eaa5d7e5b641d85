"""DSD parsing and key validation on the real structure messages."""

from __future__ import annotations

import pytest

from i4districts.fetch.errors import QueryError
from i4districts.fetch.structure import (
    build_key,
    load_catalog_constraints,
    parse_structure,
    validate_filters,
)


def test_eurostat_dsd_with_codelists(shared_data):
    dsd = parse_structure((shared_data / "sdmx/estat/GOV_10Q_GGNFA.xml").read_bytes(), what="gov")
    assert dsd.id == "GOV_10Q_GGNFA" and dsd.agency == "ESTAT"
    assert dsd.dimensions == ("freq", "unit", "s_adj", "sector", "na_item", "geo")
    assert dsd.time_dimension == "TIME_PERIOD" and "OBS_FLAG" in dsd.attributes
    codes = dsd.codes_by_dimension()
    assert {"IT", "EU27_2020", "EA20"} <= codes["geo"]
    assert {"MIO_EUR", "PC_GDP"} <= codes["unit"]


def test_istat_dsd_order(shared_data):
    dsd = parse_structure((shared_data / "sdmx/istat/22_289-structure.xml").read_bytes(), what="ist")
    assert (dsd.id, dsd.agency) == ("DCIS_POPRES1", "IT1")
    assert dsd.dimensions == ("FREQ", "REF_AREA", "DATA_TYPE", "SEX", "AGE", "MARITAL_STATUS")
    assert dsd.codelist_of["REF_AREA"] == "CL_ITTER107"
    key = build_key(dsd.dimensions, {"SEX": ["1", "2"], "FREQ": ["A"], "REF_AREA": ["IT"],
                                     "DATA_TYPE": ["JAN"], "AGE": ["TOTAL"], "MARITAL_STATUS": ["99"]})
    assert key == "A.IT.JAN.1+2.TOTAL.99"


def test_recorded_istat_dsd_rebuilds_recorded_key(shared_data):
    dsd = parse_structure((shared_data / "sdmx/istat/recorded/2556f1775294929a.decoded.xml").read_bytes(),
                          what="rec")
    f = {"FREQ": ["A"], "REF_AREA": ["001001", "001002"], "DATA_TYPE": ["AUTP"],
         "TYPE_SOCIO_EDUC_SERVICE": ["ALL"], "TYPE_MANAGEMENT": ["ALL"], "HOLDER_SECTOR_PUBPRIV": ["1"]}
    checked = validate_filters(f, dsd.dimensions, dsd.codes_by_dimension(), what="rec", require_all=True)
    assert build_key(dsd.dimensions, checked) == "A.001001+001002.AUTP.ALL.ALL.1"


def test_validation_messages_name_dimension_and_codes():
    dims = ("freq", "geo")
    codes = {"geo": frozenset({"IT", "FR"})}
    with pytest.raises(QueryError, match=r"dimension 'geo' has code\(s\) not in its codelist: \['XX', 'YY'\]"):
        validate_filters({"GEO": ["IT", "XX", "YY"]}, dims, codes, what="ds")
    with pytest.raises(QueryError, match=r"unknown dimension\(s\) \['nace'\]"):
        validate_filters({"nace": ["C"]}, dims, codes, what="ds")
    with pytest.raises(QueryError, match="fully specified"):
        validate_filters({"geo": ["IT"]}, dims, codes, what="ds", require_all=True)
    assert validate_filters({"GEO": ["*"], "freq": ["A"]}, dims, codes, what="ds", require_all=True) == {
        "geo": ["*"], "freq": ["A"]}
    assert build_key(dims, {"freq": ["A"], "geo": ["*"]}) == "A."


def test_catalog_constraints(shared_data):
    c = load_catalog_constraints(shared_data / "catalog/istat_constraints_SLL_flows.csv",
                                 "183_285_DF_DICA_ASIAULP_8")
    assert c["DATA_TYPE"] == {"LU", "LUEMPDAA"}
    assert len(c["REF_AREA"]) == 613 and "SLL_2011_1001" in c["REF_AREA"]
    e = load_catalog_constraints(shared_data / "catalog/eurostat_constraints_selected_flows.csv",
                                 "nama_10r_3empers")
    assert e["wstatus"] == {"EMP", "SAL", "SELF"} and "TIME_PERIOD" not in e
