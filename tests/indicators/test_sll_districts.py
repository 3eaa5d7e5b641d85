"""SLL district outputs (#12 items 3-5): the section-level screen, census 2011 inputs, the SLL table and
NUTS-3 shares. Hand-computed cases; the real-data checks use ISTAT's files in the shared data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from i4districts.cli import main as cli
from i4districts.errors import InputError
from i4districts.harmonize.census2011 import census_size_class, finest_level, read_census2011
from i4districts.indicators._core import IndicatorInputError
from i4districts.indicators.district_screen import SCREEN_LABEL, asia_sll_units, manufacturing_sme_screen
from i4districts.indicators.sll_districts import istat_sll_outputs, nuts3_sll_shares, sll_flags, sll_table


# ----------------------------------------------------------------------------- the screen
def _units() -> pd.DataFrame:
    rows = []

    def add(r, s, c, v, u):
        rows.append(dict(region=r, sector=s, size_class=c, year=2021, value=v, units=u))

    # A: SME manufacturing system; B: the same manufacturing led by one large unit; C: services
    add("A", "C", "W0_9", 600, 150), add("A", "C", "W10_49", 300, 15), add("A", "J", "W0_9", 50, 20)
    add("A", "G", "W0_9", 100, 40)
    add("B", "C", "W_GE250", 800, 2), add("B", "C", "W0_9", 100, 30), add("B", "J", "W0_9", 50, 20)
    add("B", "G", "W0_9", 100, 40)
    add("C", "C", "W0_9", 50, 10), add("C", "J", "W0_9", 400, 100), add("C", "G", "W0_9", 600, 200)
    return pd.DataFrame(rows)


def test_screen_hand_computed():
    out = manufacturing_sme_screen(_units()).set_index("region")
    # E = 3150, E_C = 1850: LQ_C(A) = (900/1050) / (1850/3150) = 1.459459...
    assert out.loc["A", "lq_manufacturing"] == pytest.approx(900 / 1050 / (1850 / 3150), rel=1e-12)
    assert out.loc["A", "lq_manufacturing"] == pytest.approx(1.4594594594594594)
    # prevalence P_C(A) = 900/1050 - 1850/3150 = 0.26984; P_J(A) = 50/1050 - 500/3150 = -0.11111
    assert out.loc["A", "prevalence_manufacturing"] == pytest.approx(0.2698412698, abs=1e-9)
    assert out.loc["A", "prevalence_business_services"] == pytest.approx(-0.1111111111, abs=1e-9)
    # size LQs on manufacturing: micro (600/900)/(750/1850) = 1.6444, small (300/900)/(300/1850) = 2.0556
    assert out.loc["A", "size_lq_micro"] == pytest.approx(1.6444444444, abs=1e-9)
    assert out.loc["A", "size_lq_small"] == pytest.approx(2.0555555556, abs=1e-9)
    assert out.loc["A", "top_size_class"] == "small"
    assert out["screen_pass"].to_dict() == {"A": True, "B": False, "C": False}
    assert out.loc["B", "top_size_class"] == "large" and not out.loc["B", "step2_sme"]
    assert out.loc["B", "sme_share_manufacturing"] == pytest.approx(100 / 900)
    assert not out.loc["C", "step1_manufacturing"]
    assert (out["screen"] == SCREEN_LABEL).all() and "not ISTAT's industrial-district list" in SCREEN_LABEL
    assert "district" not in out.columns  # a screen never claims districts


def test_screen_refuses_divisions():
    u = _units().assign(sector=lambda d: d["sector"].map({"C": "13", "J": "62", "G": "47"}))
    with pytest.raises(IndicatorInputError, match="sections"):
        manufacturing_sme_screen(u)


def _fetched(units: pd.DataFrame, *, break_total: bool = False) -> pd.DataFrame:
    rows = []
    for r in units.itertuples():
        for dt, v in (("LU", r.units), ("LUEMPDAA", r.value)):
            rows.append(dict(ref_area=f"SLL_2021_{r.region}", data_type=dt, econ_activity_nace_2007=r.sector,
                             pers_empl_size_class=r.size_class, time="2021", value=float(v)))
    tot = units.groupby("region")[["value", "units"]].sum()
    for reg, t in tot.iterrows():
        for dt, v in (("LU", t["units"]), ("LUEMPDAA", t["value"] + (50 if break_total else 0))):
            rows.append(dict(ref_area=f"SLL_2021_{reg}", data_type=dt, econ_activity_nace_2007="0010",
                             pers_empl_size_class="TOTAL", time="2021", value=float(v)))
    rows.append(dict(ref_area="IT_OTH_TERR", data_type="LU", econ_activity_nace_2007="0010",
                     pers_empl_size_class="TOTAL", time="2021", value=3.0))
    return pd.DataFrame(rows)


def test_asia_flow_tidied_and_totals_checked():
    units = asia_sll_units(_fetched(_units()))
    assert set(units["region"]) == {"A", "B", "C"}  # IT_OTH_TERR is not a system
    assert len(units) == len(_units())
    merged = units.merge(_units(), on=["region", "sector", "size_class", "year"], suffixes=("", "_in"))
    assert (merged["value"] == merged["value_in"]).all() and (merged["units"] == merged["units_in"]).all()
    with pytest.raises(IndicatorInputError, match="do not add up"):
        asia_sll_units(_fetched(_units(), break_total=True))
    # the flow writes SLL 0101 as SLL_2021_101: codes are restored to the crosswalk's 4 digits
    coded = asia_sll_units(_fetched(_units().assign(region=lambda d: d["region"].map({"A": "101", "B": "1002",
                                                                                          "C": "938"}))))
    assert sorted(coded["region"].unique()) == ["0101", "0938", "1002"]


def test_screen_cli(tmp_path: Path, capsys):
    src = tmp_path / "asia.parquet"
    _fetched(_units()).to_parquet(src)
    assert cli(["indicators", "district-screen", "-i", str(src), "-o", str(tmp_path / "s.parquet")]) == 0
    assert "1 of 3 SLL-years pass the screen" in capsys.readouterr().out
    bad = tmp_path / "bad.parquet"
    _fetched(_units()).drop(columns=["data_type"]).to_parquet(bad)
    assert cli(["indicators", "district-screen", "-i", str(bad), "-o", str(tmp_path / "x.parquet")]) == 2
    assert "data_type" in capsys.readouterr().err


# ----------------------------------------------------------------------------- census 2011 inputs
HEADER = ('"ITTER107","Territorio","TIPO_DATO_CIS","Tipo dato","ATECO_2007","Ateco 2007","CLLVT",'
          '"Classe di addetti","TIME","Seleziona periodo","Value","Flag Codes","Flags"')


def _census_csv(path: Path, rows: list[tuple], *, sep: str = ",", encoding: str = "utf-8") -> Path:
    lines = [HEADER.replace(",", sep)]
    for terr, name, dt, ateco, cls, label, value in rows:
        dt_label = {"NUMUNITLOC": "numero unità locali", "NUMADDLOC": "numero addetti"}.get(dt, dt.lower())
        cells = [terr, name, dt, dt_label, ateco, ateco, cls, label, "2011", "2011", str(value), "", ""]
        lines.append(sep.join(f'"{c}"' for c in cells))
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def _census_rows() -> list[tuple]:
    rows = []
    # Carpi-like municipality 036005: knitwear (14.39) in micro and small units
    for dt, vals in (("NUMUNITLOC", (40, 12, 3, 1)), ("NUMADDLOC", (35, 60, 70, 55))):
        for (cls, label), v in zip((("1", "1"), ("2", "2-9"), ("3", "10-19"), ("4", "20-49")), vals):
            rows.append(("036005", "Carpi", dt, "1439", cls, label, v))
        rows.append(("036005", "Carpi", dt, "1439", "TOT", "totale", sum(vals)))
    # one medium unit in machinery (28) and the division level of textiles/clothing (14)
    rows.append(("036005", "Carpi", "NUMUNITLOC", "28", "5", "50-99", 1))
    rows.append(("036005", "Carpi", "NUMADDLOC", "28", "5", "50-99", 80))
    rows.append(("036005", "Carpi", "NUMADDLOC", "14", "2", "2-9", 60))
    rows.append(("036005", "Carpi", "NUMUNITLOC", "14", "2", "2-9", 12))
    # a province row (not a municipality) is ignored
    rows.append(("ITH54", "Modena", "NUMADDLOC", "1439", "2", "2-9", 999))
    # a large unit elsewhere
    rows.append(("001272", "Torino", "NUMUNITLOC", "29", "9", "1000 e più", 1))
    rows.append(("001272", "Torino", "NUMADDLOC", "29", "9", "1000 e più", 5400))
    return rows


def test_census_parser_on_hand_built_file(tmp_path: Path):
    t = read_census2011(_census_csv(tmp_path / "cis.csv", _census_rows()))
    assert set(t["region"]) == {"036005", "001272"}  # ITH54 is a province, not a municipality
    knit = t[(t["region"] == "036005") & (t["sector"] == "1439")].set_index("size_class")
    # census classes 1 and 2-9 are ISTAT's micro; 10-19 and 20-49 small
    assert knit.loc["micro", "value"] == 35 + 60 and knit.loc["micro", "units"] == 40 + 12
    assert knit.loc["small", "value"] == 70 + 55 and knit.loc["small", "units"] == 3 + 1
    assert t.set_index(["region", "sector"]).loc[("001272", "29"), "size_class"] == "large"
    assert t.set_index(["region", "sector"]).loc[("036005", "28"), "size_class"] == "medium"
    assert dict(zip(t["sector"], t["ateco_level"]))["1439"] == "class"
    assert (t["year"] == 2011).all() and (t["unit"] == "persons").all()
    fine = finest_level(t)  # class 14.39 and division 28/29 overlap nothing; division 14 is dropped
    assert "14" not in set(fine["sector"]) or "1439" not in set(fine["sector"])


def test_census_parser_semicolon_latin1(tmp_path: Path):
    t = read_census2011(_census_csv(tmp_path / "cis.csv", _census_rows(), sep=";", encoding="latin-1"))
    assert len(t) > 0


def test_census_parser_errors_name_file_and_field(tmp_path: Path):
    rows = _census_rows()
    bad_total = [r if not (r[4] == "TOT" and r[2] == "NUMADDLOC") else (*r[:6], 1) for r in rows]
    with pytest.raises(InputError, match="do not add up"):
        read_census2011(_census_csv(tmp_path / "a.csv", bad_total))
    straddle = rows + [("036005", "Carpi", "NUMADDLOC", "13", "X", "5-19", 7)]
    with pytest.raises(InputError, match=r"b.csv.*CLLVT.*straddles"):
        read_census2011(_census_csv(tmp_path / "b.csv", straddle))
    unknown = rows + [("036005", "Carpi", "FATTURATO", "13", "2", "2-9", 7)]
    with pytest.raises(InputError, match="TIPO_DATO_CIS.*FATTURATO"):
        read_census2011(_census_csv(tmp_path / "c.csv", unknown))
    with pytest.raises(InputError, match="not found"):
        read_census2011(tmp_path / "missing.csv")


@pytest.mark.parametrize("code,label,expected", [
    ("W0_9", "", "micro"), ("W_GE250", "", "large"), ("7", "200-249", "medium"), ("1", "0", "micro"),
    ("TOTAL", "totale", None), ("9", "1000 e più", "large"),
])
def test_census_size_classes(code, label, expected):
    assert census_size_class(code, label) == expected


def test_census_cli(tmp_path: Path):
    src = _census_csv(tmp_path / "cis.csv", _census_rows())
    assert cli(["data", "census2011", "-i", str(src), "-o", str(tmp_path / "c.parquet")]) == 0
    assert cli(["data", "census2011", "-i", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "d.parquet")]) == 2


# ----------------------------------------------------------------------------- SLL table and NUTS-3 shares
def test_nuts3_shares_hand_built():
    munis = pd.DataFrame({
        "municipality": ["m1", "m2", "m3", "m4"], "sll": ["s1", "s1", "s2", "s3"],
        "nuts3": ["P1", "P2", "P2", "P2"], "weight": [100.0, 50.0, 200.0, 250.0],
        "population": [300.0, 100.0, 500.0, 600.0],
    })
    flags = pd.DataFrame({"sll": ["s1", "s2", "s3"], "flag": "district", "flagged": [True, False, True]})
    out = nuts3_sll_shares(munis, flags).set_index("region")
    assert out.loc["P1", "employment_share"] == 1.0 and out.loc["P1", "population_share"] == 1.0
    # P2: employment (50 + 250) / 500 = 0.6; population (100 + 600) / 1200
    assert out.loc["P2", "employment_share"] == pytest.approx(0.6)
    assert out.loc["P2", "population_share"] == pytest.approx(700 / 1200)
    assert (out["population_basis"] == "municipality").all()
    with pytest.raises(IndicatorInputError, match="without flags"):
        nuts3_sll_shares(munis, flags[flags["sll"] != "s3"])


def test_sll_table_joins_method_decisions():
    cw = pd.DataFrame({"sll": ["s1", "s1", "s2"], "sll_name": ["A", "A", "B"], "municipality": ["001001", "001002",
                       "002001"], "is_main": [True, False, True], "region": ["01", "01", "01"]})
    dec = pd.DataFrame({"region": ["s1", "s2"], "year": [2011, 2011], "step1_manufacturing": [True, False],
                        "step3_main_industry": [True, False], "district": [True, False],
                        "main_industry": ["TEX", None]})
    t = sll_table(cw, decisions=dec, province_nuts3={"001": "ITC11", "002": "ITC12"})
    assert t["basis"].iloc[0] == "istat_sforzi" and t["district"].tolist() == [True, False]
    assert t["nuts3"].tolist() == ["ITC11", "ITC12"] and t["n_municipalities"].tolist() == [2, 1]
    assert sll_flags(t)["flag"].unique().tolist() == ["district"]
    with pytest.raises(IndicatorInputError, match="not in the crosswalk"):
        sll_table(cw, decisions=dec.assign(region=["s1", "s9"]))


@pytest.fixture(scope="module")
def real_outputs(shared_data):
    return istat_sll_outputs(shared_data)


def test_real_sll_table_matches_istat_totals(real_outputs):
    table, shares = real_outputs
    assert len(table) == 515 and table["sll"].is_unique
    # Italy in Frame-SBS 2023: 5,002,251 local units, 18,106,468 persons employed (the appendix's Tav.1)
    assert table["local_units"].sum() == 5_002_251
    # SLL totals are rounded cells: they add up to 18,106,466, two short of Italy's 18,106,468
    assert abs(table["persons_employed"].sum() - 18_106_468) <= 2
    assert table["nuts3"].notna().all() and set(table["istat_class"]) == {"A", "B", "C", "D"}
    assert table.loc[table["sll_name"] == "PRATO", "istat_group"].item() == "A2"


def test_real_nuts3_shares(real_outputs):
    table, shares = real_outputs
    s = shares.set_index(["flag", "region"])
    # Prato and Fermo: every municipality in a Made in Italy system (textiles, footwear)
    for nuts3 in ("ITI15", "ITI35"):
        assert s.loc[("made_in_italy", nuts3), "employment_share"] == pytest.approx(1.0)
        assert s.loc[("made_in_italy", nuts3), "population_share"] == pytest.approx(1.0)
    assert shares["employment_share"].between(0, 1).all() and shares["population_share"].between(0, 1).all()
    # employment flagged across provinces = persons employed of class-A systems (imputed cells: rounding)
    flagged = shares[shares["flag"] == "made_in_italy"]["employment"].sum()
    assert flagged == pytest.approx(table.loc[table["istat_class"] == "A", "persons_employed"].sum(), rel=1e-5)
    pop = shares[shares["flag"] == "manufacturing_specialised"]["population"].sum()
    assert pop == pytest.approx(table.loc[table["istat_class"].isin(["A", "B"]), "population"].sum(), rel=1e-12)
    assert shares.groupby("flag")["region_population"].sum().eq(table["population"].sum()).all() or \
        np.allclose(shares.groupby("flag")["region_population"].sum(), table["population"].sum())
    assert set(shares["population_basis"]) == {"sll_by_employment"}
    # Monza e Brianza lies in Milano's system: its population comes through employment, never zero
    assert s.loc[("made_in_italy", "ITC4D"), "region_population"] > 500_000
    assert np.isin(shares["data_flag"].unique(), ["", "imputed", "approximated", "approximated;imputed"]).all()


def test_sll_districts_cli(shared_data, tmp_path: Path):
    args = ["indicators", "sll-districts", "-i", str(shared_data), "-o", str(tmp_path / "sll.parquet"),
            "--shares-out", str(tmp_path / "shares.parquet")]
    assert cli(args) == 0
    assert pd.read_parquet(tmp_path / "sll.parquet").shape[0] == 515
