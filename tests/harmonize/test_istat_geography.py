"""ISTAT geography as data: SLL 2021 crosswalk, specialisation, Frame-SBS 2023, province → NUTS-3.

Real files under ``$I4D_SHARED_DATA/istat_sll`` and ``geo`` (read in place; the
tests fail, never skip, when they are missing).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from i4districts.harmonize import HarmonizeError
from i4districts.harmonize import istat


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(f"reference file missing: {path}", pytrace=False)
    return path


@pytest.fixture(scope="module")
def crosswalk(shared_data: Path) -> pd.DataFrame:
    return istat.read_sll2021_crosswalk(_need(shared_data / istat.SLL_CROSSWALK_FILE))


@pytest.fixture(scope="module")
def specialisation(shared_data: Path) -> pd.DataFrame:
    return istat.read_sll2021_specialisation(_need(shared_data / istat.SLL_SPECIALISATION_FILE))


@pytest.fixture(scope="module")
def workbook(shared_data: Path) -> Path:
    return _need(shared_data / istat.FRAME_SBS_FILE)


@pytest.fixture(scope="module")
def frame39(workbook: Path) -> pd.DataFrame:
    return istat.read_frame_sbs_municipalities(workbook, 39)


@pytest.fixture(scope="module")
def sll42(workbook: Path) -> pd.DataFrame:
    return istat.read_frame_sbs_sll(workbook, 42)


@pytest.fixture(scope="module")
def resolution(frame39, crosswalk):
    return istat.resolve_municipalities(frame39, crosswalk)


# --------------------------------------------------------------------------- readers


def test_crosswalk(crosswalk):
    assert list(crosswalk.columns[:8]) == ["municipality", "municipality_name", "sll", "sll_name", "province",
                                           "province_name", "region", "is_main"]
    assert len(crosswalk) == 7894
    assert crosswalk["sll"].nunique() == 515
    assert crosswalk["province"].nunique() == 110
    assert crosswalk["region"].nunique() == 20
    assert crosswalk["is_main"].sum() == 515
    row = crosswalk.set_index("municipality").loc["001004"]
    assert (row["sll"], row["sll_name"], row["province"], row["province_name"]) == ("0101", "IVREA", "201", "Torino")


def test_specialisation(specialisation, crosswalk):
    assert len(specialisation) == 515
    assert set(specialisation["sll"]) == set(crosswalk["sll"])
    assert specialisation["class"].value_counts().to_dict() == {"A": 156, "C": 124, "D": 124, "B": 111}
    assert set(specialisation["group"]) == {f"A{i}" for i in range(1, 7)} | {f"B{i}" for i in range(1, 7)} \
        | {f"C{i}" for i in range(1, 5)} | {"D1"}
    by = specialisation.set_index("sll_name")
    assert by.loc["PRATO", "group"] == "A2"
    assert by.loc["FERMO", "group"] == "A3"
    assert by.loc["ROMA", "class"] == "C"


def test_frame_sbs_municipal_total(frame39):
    assert len(frame39) == 7900
    assert frame39["municipality"].str.fullmatch(r"\d{6}").all()
    assert frame39["local_units"].sum() == 5_002_251
    # suppressed cells are missing, never zero, and flagged
    assert frame39["persons_employed"].isna().sum() == 122
    assert frame39["employees"].isna().sum() == 122
    assert frame39.loc[frame39["persons_employed"].isna(), "suppressed"].all()
    assert not frame39.loc[~frame39["suppressed"], istat.COUNT_COLUMNS.values()].isna().any().any()
    row = frame39.set_index("municipality").loc["001001"]
    assert (row["municipality_name"], row["local_units"], row["persons_employed"], row["employees"]) == \
        ("Agliè", 192, 771, 591)
    assert row["sll_name"] == "RIVAROLO CANAVESE" and row["region"] == "01"
    # "None" is a municipality near Turin, not a missing value
    assert frame39.set_index("municipality").loc["001168", "municipality_name"] == "None"
    assert frame39["municipality_name"].notna().all()


def test_frame_sbs_municipal_industry_services(workbook):
    ind = istat.read_frame_sbs_municipalities(workbook, 40)
    ser = istat.read_frame_sbs_municipalities(workbook, 41)
    assert (ind["macro_sector"] == "industry").all() and (ser["macro_sector"] == "services").all()
    assert len(ind) == 7856 and len(ser) == 7899
    assert ind["local_units"].sum() == 1_036_192
    assert ser["local_units"].sum() == 3_966_059
    with pytest.raises(HarmonizeError):
        istat.read_frame_sbs_municipalities(workbook, 42)


def test_frame_sbs_sll(sll42, workbook):
    assert len(sll42) == 515
    # the swapped labels of the original: the first column holds the region, the second the macro area
    first = sll42.iloc[0]
    assert (first["sll"], first["sll_name"], first["region_name"], first["macro_area"]) == \
        ("0101", "IVREA", "Piemonte", "Nord-ovest")
    assert sll42["local_units"].sum() == 5_002_251
    # the ITALIA row (18,106,468 persons employed; 13,386,864 employees) is rounded separately
    assert sll42["persons_employed"].sum() == 18_106_466
    assert abs(sll42["employees"].sum() - 13_386_864) <= 0.5 * 515
    t43 = istat.read_frame_sbs_sll(workbook, 43)
    assert len(t43) == 2 * 515
    sums = t43.groupby("macro_sector")[["local_units", "persons_employed"]].sum()
    assert sums.loc["industry", "local_units"] == 1_036_192
    assert sums.loc["services", "local_units"] == 3_966_059
    both = t43.groupby("sll")["local_units"].sum()
    assert (both == sll42.set_index("sll")["local_units"]).all()


# --------------------------------------------------------------------------- resolution


def test_every_unknown_code_is_resolved_and_reported(resolution, frame39, crosswalk):
    resolved, report = resolution
    assert len(resolved) == len(frame39) == 7900          # nothing dropped
    unknown = ~frame39["municipality"].isin(crosswalk["municipality"])
    assert unknown.sum() == 388
    assert set(report["municipality"]) == set(frame39.loc[unknown, "municipality"])
    assert report["status"].value_counts().to_dict() == {"recoded": 378, "merged_name": 5, "merged_sll": 3,
                                                         "sll_only": 2}
    assert resolved["sll"].notna().all()
    # every placement agrees with the SLL that the Frame-SBS table itself gives the municipality
    assert resolved["sll_label_agrees"].all()


def test_sardinia_recoding_keeps_names(resolution):
    _, report = resolution
    sard = report[report["region"] == "20"]
    assert len(sard) == 377 and (sard["status"] == "recoded").all()
    assert (sard["municipality_name"].map(istat.normalise_name)
            == sard["successor_name"].map(istat.normalise_name)).all()
    assert (sard["municipality"] != sard["successor"]).all()


def test_mergers(resolution):
    _, report = resolution
    r = report.set_index("municipality_name")
    expected = {
        "Ronago": ("merged_name", "013256"), "Uggiate-Trevano": ("merged_name", "013256"),
        "Castegnero": ("merged_name", "024129"), "Nanto": ("merged_name", "024129"),
        "Vighizzolo d'Este": ("merged_name", "028108"), "Carceri": ("merged_sll", "028108"),
        "Alano di Piave": ("merged_sll", "025075"), "Quero Vas": ("merged_sll", "025075"),
        "Sovizzo": ("recoded", "024128"),
    }
    for name, (status, succ) in expected.items():
        assert (r.loc[name, "status"], r.loc[name, "successor"]) == (status, succ), name
    # successor not identifiable: SLL from ISTAT's own label, candidates reported
    assert r.loc["Gambugliano", "status"] == "sll_only" and r.loc["Gambugliano", "sll"] == "0510"
    assert set(r.loc["Gambugliano", "candidates"].split(";")) == {"024128", "024129"}
    assert r.loc["Lirio", "status"] == "sll_only" and r.loc["Lirio", "sll_name"] == "STRADELLA"
    assert pd.isna(r.loc["Lirio", "successor"])


def test_resolution_rules_synthetic():
    cw = pd.DataFrame({
        "municipality": ["001001", "001002", "001009", "002001"],
        "municipality_name": ["Alfa", "Beta Gamma", "Nuovo", "Delta"],
        "sll": ["0101", "0101", "0102", "0102"], "sll_name": ["UNO", "UNO", "DUE", "DUE"],
        "province": ["001", "001", "001", "002"], "province_name": ["P", "P", "P", "Q"],
        "region": ["01"] * 4, "is_main": [True, False, True, False], "sll_region": ["01"] * 4,
        "sll_metropolitan": [False] * 4,
    })
    frame = pd.DataFrame({
        "municipality": ["001001", "003005", "001007", "001008", "001006", "004001"],
        "municipality_name": ["Alfa", "Delta", "Gamma", "Vecchio", "Altro", "Ignoto"],
        "region": ["01"] * 6, "sll_name": ["UNO", "DUE", "UNO", "DUE", "DUE", "NESSUNO"],
    })
    resolved, report = istat.resolve_municipalities(frame, cw)
    st = resolved.set_index("municipality")["status"].to_dict()
    assert st == {"001001": "known", "003005": "recoded", "001007": "merged_name", "001008": "merged_sll",
                  "001006": "merged_sll", "004001": "unresolved"}
    assert resolved.set_index("municipality").loc["001007", "successor"] == "001002"
    assert len(report) == 5
    with pytest.raises(HarmonizeError, match="could not be placed"):
        istat.aggregate_municipalities_to_sll(resolved.assign(local_units=1.0, persons_employed=1.0,
                                                              employees=1.0))


# --------------------------------------------------------------------------- aggregation vs ISTAT's SLL totals


def test_municipal_sums_match_istat_sll_totals(resolution, sll42):
    resolved, _ = resolution
    agg = istat.aggregate_municipalities_to_sll(resolved)
    assert len(agg) == 515 and agg["n_municipalities"].sum() == 7900
    check = istat.validate_against_sll_totals(agg, sll42)
    # local units: exact for every SLL
    assert (check["local_units_status"] == "exact").all()
    assert (check["local_units_diff"] == 0).all()
    for col in ("persons_employed", "employees"):
        status = check[f"{col}_status"].value_counts().to_dict()
        assert "mismatch" not in status
        assert status["suppressed_residual"] == 38
        clean = check[check[f"{col}_n_suppressed"] == 0]
        assert (clean[f"{col}_diff"].abs() <= 0.5 * clean["n_municipalities"]).all()
        supp = check[check[f"{col}_n_suppressed"] > 0]
        assert supp[f"{col}_n_suppressed"].sum() == 122
        assert (supp[f"{col}_diff"] >= -0.5 * supp["n_municipalities"]).all()
    assert check.loc[check["persons_employed_status"] == "exact"].shape[0] == 196


# --------------------------------------------------------------------------- province → NUTS-3


def test_shipped_province_map_is_rederived(crosswalk, frame39, shared_data):
    rebuilt = istat.build_province_nuts_map(crosswalk, frame39,
                                            _need(shared_data / istat.NUTS_GEOJSON[2016]),
                                            _need(shared_data / istat.NUTS_GEOJSON[2021]))
    shipped = istat.read_province_nuts_map()
    pd.testing.assert_frame_equal(shipped, rebuilt.reset_index(drop=True), check_dtype=False)


def test_province_map_content():
    pm = istat.read_province_nuts_map()
    n16 = pm.loc[pm["nuts2016"] != "", "nuts2016"]
    n21 = pm.loc[pm["nuts2021"] != "", "nuts2021"]
    assert len(n16) == n16.nunique() == 110 and not n16.str.endswith("ZZZ").any()
    assert len(n21) == n21.nunique() == 107
    # every match checked: equal normalised names except three documented synonyms
    for v in (2016, 2021):
        rows = pm[pm[f"nuts{v}"] != ""]
        same = rows["province_name"].map(istat.normalise_name) == rows[f"nuts{v}_name"].map(istat.normalise_name)
        assert (same == (rows[f"nuts{v}_match"] == "name")).all()
    syn = pm[(pm["nuts2016_match"] == "synonym") | (pm["nuts2021_match"] == "synonym")]
    assert set(syn["province_name"]) == {"Reggio Calabria", "Gallura Nord-Est Sardegna", "Sulcis Iglesiente"}
    by = pm.set_index("province_prefix")
    assert by.loc["109", ["nuts2016", "nuts2021"]].tolist() == ["ITI35", "ITI35"]   # Fermo
    assert by.loc["100", ["nuts2016", "nuts2021"]].tolist() == ["ITI15", "ITI15"]   # Prato
    assert by.loc["058", ["province", "nuts2016"]].tolist() == ["258", "ITI43"]      # Roma
    assert by.loc["015", ["province", "nuts2016"]].tolist() == ["215", "ITC4C"]      # Milano
    sard = pm[pm["region"] == "20"]
    assert sard["approximated"].sum() == 8
    assert set(sard.loc[sard["approximated"], "nuts2016"]) == {"ITG25", "ITG26", "ITG27", "ITG28", "ITG29",
                                                               "ITG2A", "ITG2B", "ITG2C"}
    assert set(sard.loc[~sard["approximated"], "nuts2021"]) == {"ITG2D", "ITG2E", "ITG2F", "ITG2G", "ITG2H"}
    assert not pm.loc[pm["region"] != "20", "approximated"].any()


def test_province_map_refuses_unmatched_names(crosswalk, frame39):
    n16 = pd.DataFrame({"nuts": ["ITC11"], "nuts_name": ["Torino"]})
    with pytest.raises(HarmonizeError, match="no NUTS 2016 region"):
        istat.build_province_nuts_map(crosswalk, frame39, n16, n16)


def test_normalise_name():
    assert istat.normalise_name("Valle d’Aosta/Vallée d’Aoste") == istat.normalise_name("Valle d'Aosta/Vallée d'Aoste")
    assert istat.normalise_name("Forlì-Cesena") == "forli cesena"
    assert istat.same_label("BOLZANO", "BOLZANO/BOZEN")
    assert istat.same_label("SAN GIOVANNI DI FASSA", "SAN GIOVANNI DI FASSA-SÈN JAN")
    assert not istat.same_label("SAN", "")


def test_sll_module_reads_the_2021_crosswalk(shared_data, resolution):
    from i4districts.harmonize.sll import aggregate_to_sll, read_sll2021_correspondence

    corr = read_sll2021_correspondence(_need(shared_data / istat.SLL_CROSSWALK_FILE))
    assert list(corr.columns) == ["municipality", "sll"] and len(corr) == 7894
    resolved, _ = resolution
    # resolved municipalities with an identified successor, local units summed by the generic aggregator
    known = resolved[resolved["successor"].notna()].groupby("successor", as_index=False)["local_units"].sum()
    out, rep = aggregate_to_sll(known.rename(columns={"successor": "region", "local_units": "value"}), corr)
    assert out["value"].sum() == resolved.loc[resolved["successor"].notna(), "local_units"].sum()
