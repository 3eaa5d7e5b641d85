"""Real adoption from Eurostat's ICT-usage survey and the cross-sectional robot exposure.

Data: shared/data/isoc (the verbatim isoc_eb_p3d SDMX-CSV through the offline
mirror; the third-party derivation of isoc_eb_p3dn2 as a documented fixture).
"""

from __future__ import annotations

import socket

import numpy as np
import pandas as pd
import pytest

from i4districts import io
from i4districts.cli import main
from i4districts.fetch.client import first_request
from i4districts.fetch.ledger import load_ledger
from i4districts.fetch.mirror import load_index
from i4districts.harmonize.sectors import sector_set
from i4districts.shiftshare.errors import ShiftShareInputError
from i4districts.shiftshare.eurostat_adoption import (
    NOT_COVERED,
    country_robot_use,
    cross_section_exposure,
    load_crosswalk,
    panel_eurostat_adoption,
    read_adoption_source,
    sector_adoption,
    survey_table,
    validate_crosswalk,
)
from i4districts.shiftshare.exposure import baseline_shares

NOTE_START = "exposure to robot-intensive industries: base-year shares x sector robot use (Eurostat isoc_eb_p3dn2"
NOTE_END = "a cross-sectional exposure, not adoption over time"


@pytest.fixture(scope="module")
def derived_path(shared_data):
    path = shared_data / "isoc" / "isoc_eb_p3dn2_E_RBT_sector_country_year.csv"
    if not path.is_file():
        pytest.fail(f"missing {path}", pytrace=False)
    return path


@pytest.fixture(scope="module")
def robots(derived_path):
    table, notes = read_adoption_source(derived_path)
    assert any("THIRD-PARTY" in n for n in notes)
    return table


@pytest.fixture(scope="module")
def it_panel(tmp_path_factory):
    d = tmp_path_factory.mktemp("panel")
    assert main(["data", "sample", "-o", str(d / "sample.parquet")]) == 0
    assert main(["data", "panel", "-i", str(d / "sample.parquet"), "-o", str(d / "panel.parquet"),
                 "--sectors", "A10_split_C"]) == 0
    return d / "panel.parquet"


@pytest.fixture
def offline_sockets(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("network connection attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# ---------------------------------------------------------------- crosswalk
def test_crosswalk_one_treatment_per_panel_sector():
    cw = load_crosswalk()
    assert cw["version"].nunique() == 1
    for name in ("A10_split_C", "A6_split_C"):
        sub = cw[cw["panel_sector_set"] == name]
        assert set(sub["panel_sector"]) == set(sector_set(name))
        assert (sub.groupby("panel_sector")["treatment"].nunique() == 1).all()
    a10 = cw[cw["panel_sector_set"] == "A10_split_C"].groupby("panel_sector")
    assert sorted(a10.get_group("G-I")["survey_sector"]) == ["G", "H", "I"]
    assert set(cw.loc[cw["treatment"] == NOT_COVERED, "panel_sector"]) >= {"A", "K", "O-Q", "R-U", "O-U"}
    bad = pd.concat([cw, cw[(cw["panel_sector"] == "A") & (cw["panel_sector_set"] == "A10_split_C")]
                     .assign(treatment="survey", survey_sector="C", weight=1.0)])
    with pytest.raises(ShiftShareInputError, match="treatment"):
        validate_crosswalk(bad)


# ---------------------------------------------------------------- values
def test_italy_robot_values_match_the_file(robots, derived_path):
    raw = pd.read_csv(derived_path)
    out, notes = sector_adoption(robots, countries=["IT"], sector_set="A10_split_C")
    it = out.set_index(["sector", "year"])["value"]
    assert it[("C", 2018)] == 19.25 == raw.query("geo == 'IT' and sector_code == 'C' and year == 2018")["value"].item()
    g, h, i = (raw.query(f"geo == 'IT' and sector_code == '{s}' and year == 2022")["value"].item() for s in "GHI")
    assert it[("G-I", 2022)] == pytest.approx((g + h + i) / 3)  # 5.44, 4.60, 0.71
    assert it[("M-N", 2020)] == 2.86  # N alone: M is not published for robots
    assert set(out["sector"]) == {"C", "F", "G-I", "J", "M-N"}
    assert out.loc[out["sector"] == "M-N", "flag"].eq("partial").all()
    assert any("M-N <- N" in n for n in notes)


def test_uncovered_exclude_vs_zero(robots):
    ex, ex_notes = sector_adoption(robots, countries=["IT"], sector_set="A10_split_C", uncovered="exclude")
    zero, z_notes = sector_adoption(robots, countries=["IT"], sector_set="A10_split_C", uncovered="zero")
    uncovered = {"A", "B_D_E", "K", "L", "O-Q", "R-U"}
    assert not uncovered & set(ex["sector"])
    nc = zero[zero["flag"] == NOT_COVERED]
    assert set(nc["sector"]) == uncovered and (nc["value"] == 0.0).all()
    assert any("excluded" in n and "not renormalised" in n for n in ex_notes)
    assert any("set to 0" in n for n in z_notes)


def test_spain_a6_set(robots):
    out, notes = sector_adoption(robots, countries=["ES"], sector_set="A6_split_C")
    assert set(out["sector"]) == {"C", "F", "G-J", "K-N"}
    assert out.loc[out["sector"] == "K-N", "flag"].str.contains("partial").all()


def test_leave_one_out_instrument_is_the_hand_mean(robots, it_panel, derived_path):
    panel = io.read_parquet(it_panel)
    adoption, notes = panel_eurostat_adoption(panel, robots, indicator="robots")
    others = sorted(set(adoption.loc[adoption["role"] == "instrument", "country"]))
    assert "IT" not in others and "BG" not in others and "UK" not in others and "NO" not in others
    assert len(others) == 25
    table, obj, tnotes = cross_section_exposure(panel, adoption, base_year=2010)
    # hand: sector intensity = mean over the survey years of the raw file, LOO = mean over the other countries
    raw = pd.read_csv(derived_path)
    raw = raw[raw["geo"].isin(others)]
    c_hand = raw[raw["sector_code"] == "C"].groupby("geo")["value"].mean().mean()
    gi = raw[raw["sector_code"].isin(["G", "H", "I"])].pivot_table(index=["geo", "year"], columns="sector_code",
                                                                  values="value").dropna().mean(axis=1)
    loo_hand = {"C": c_hand, "G-I": gi.groupby("geo").mean().mean()}
    for s in ("F", "J"):
        loo_hand[s] = raw[raw["sector_code"] == s].groupby("geo")["value"].mean().mean()
    loo_hand["M-N"] = raw[raw["sector_code"] == "N"].groupby("geo")["value"].mean().mean()
    it_raw = pd.read_csv(derived_path).query("geo == 'IT'")
    own_hand = {"C": it_raw.query("sector_code == 'C'")["value"].mean()}
    shares = baseline_shares(panel, base_year=2010).query("region == 'ITC11'").set_index("sector")["share"]
    row = table[(table["region"] == "ITC11")]
    assert row["exposure_iv"].nunique() == 1 and len(row) == panel["year"].nunique()
    assert row["exposure_iv"].iloc[0] == pytest.approx(sum(shares[s] * v for s, v in loo_hand.items()))
    own = obj.shifts.set_index("sector")["shift"]
    assert own["C"] == pytest.approx(own_hand["C"])  # (19.25 + 20.55 + 19.08) / 3
    assert row["exposure"].iloc[0] == pytest.approx(float((shares.reindex(own.index) * own).sum()))
    assert tnotes[0].startswith(NOTE_START) and tnotes[0].endswith(NOTE_END)


# ---------------------------------------------------------------- mirror + ledger
def test_ledger_entries_and_mirror(tmp_path, shared_data, offline_sockets):
    ledger = load_ledger()
    urls = {e.url for e in load_index()}
    assert first_request(ledger["isoc_eb_p3d"]).url in urls
    assert first_request(ledger["isoc_eb_p3dn2"]).url not in urls  # live only; the derived CSV is a fixture
    out = tmp_path / "fetch"
    assert main(["fetch", "get", "isoc_eb_p3d", "-o", str(out), "--cache", str(tmp_path / "cache"),
                 "--mirror", str(shared_data), "--mode", "offline"]) == 0
    fetched = io.read_parquet(out / "isoc_eb_p3d.parquet")
    raw = pd.read_csv(shared_data / "isoc" / "estat_isoc_eb_p3d_en.csv", dtype=str, keep_default_na=False)
    assert len(fetched) == len(raw)
    it = country_robot_use(fetched).query("country == 'IT'").set_index("year")["value"]
    hand = raw.query("geo == 'IT' and indic_is == 'E_RBT' and unit == 'PC_ENT' and size_emp == 'GE10'")
    assert it[2018] == float(hand.query("TIME_PERIOD == '2018'")["OBS_VALUE"].item()) == 8.71
    # no sector breakdown: the verbatim file cannot drive the sector adoption
    with pytest.raises(ShiftShareInputError, match="no sector breakdown"):
        survey_table(fetched, "robots")


# ---------------------------------------------------------------- whole path, CLI
def test_cli_path_from_panel_to_cross_section_exposure(tmp_path, it_panel, derived_path):
    ad, ex = tmp_path / "adoption.parquet", tmp_path / "exposure.parquet"
    assert main(["exposure", "adoption", "-i", str(it_panel), "-o", str(ad), "--source", "eurostat",
                 "--indicator", "robots", "--adoption-table", str(derived_path), "--country", "IT",
                 "--uncovered", "zero"]) == 0
    adoption = io.read_parquet(ad)
    it = adoption[adoption["role"] == "panel"]
    assert set(it.loc[it["flag"] == NOT_COVERED, "sector"]) == {"A", "B_D_E", "K", "L", "O-Q", "R-U"}
    assert any("THIRD-PARTY" in n for n in io.read_notes(ad))
    assert main(["exposure", "build", "-i", str(it_panel), "--adoption", str(ad), "-o", str(ex),
                 "--base-year", "2010", "--design", "cross_section", "--shares-out", str(tmp_path / "dir")]) == 0
    table = io.read_parquet(ex)
    assert list(table.columns) == ["region", "year", "exposure", "exposure_iv", "unit"]
    assert table.groupby("region")["exposure"].nunique().eq(1).all()
    assert np.isfinite(table[["exposure", "exposure_iv"]].to_numpy()).all()
    notes = io.read_notes(ex)
    assert any(n.startswith(NOTE_START) and n.endswith(NOTE_END) for n in notes)
    # exclude gives the same exposure level (uncovered sectors contribute nothing either way)
    ad2, ex2 = tmp_path / "adoption_ex.parquet", tmp_path / "exposure_ex.parquet"
    assert main(["exposure", "adoption", "-i", str(it_panel), "-o", str(ad2), "--source", "eurostat",
                 "--adoption-table", str(derived_path)]) == 0
    assert main(["exposure", "build", "-i", str(it_panel), "--adoption", str(ad2), "-o", str(ex2),
                 "--base-year", "2010", "--design", "cross_section"]) == 0
    assert np.allclose(io.read_parquet(ex2)["exposure"], table["exposure"])
    assert any("not renormalised" in n for n in io.read_notes(ex2))
    # annual design refuses a multi-country table
    assert main(["exposure", "build", "-i", str(it_panel), "--adoption", str(ad2), "-o", str(tmp_path / "x.parquet"),
                 "--base-year", "2010"]) == 2
