"""Reading Eurostat's NUTS correspondence sheets into links with rules and weights."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from i4districts.harmonize import HarmonizeError
from i4districts.harmonize.correspondence import links_from_change_rows, read_eurostat_changes, resolve_links


def _link(corr, a, b):
    rows = corr.links[(corr.links["code_from"] == a) & (corr.links["code_to"] == b)]
    assert len(rows) == 1, (a, b, rows)
    return rows.iloc[0]


def test_sardinia_links_2016_2021(corr_16_21):
    # Eurostat: "ITG2D = ex-ITG25 + ex-ITG29" -> two whole links, a merge with weight 1.
    for a in ("ITG25", "ITG29"):
        r = _link(corr_16_21, a, "ITG2D")
        assert (r["rule"], r["weight"], r["link"]) == ("merge", 1.0, "whole")
    # "made of ex-ITG26 plus parts of ex-ITG2A": ITG2A is split between ITG2E and ITG2F.
    assert _link(corr_16_21, "ITG26", "ITG2E")["weight"] == 1.0
    for b in ("ITG2E", "ITG2F"):
        r = _link(corr_16_21, "ITG2A", b)
        assert r["rule"] == "split" and math.isnan(r["weight"])
    # ITG28 loses parts to ITG2F, most of it to new ITG2H, keeps ITG2G: a split.
    assert set(corr_16_21.links.loc[corr_16_21.links["code_from"] == "ITG28", "code_to"]) == {"ITG2F", "ITG2G", "ITG2H"}
    # the rest of Italy is unchanged
    assert _link(corr_16_21, "ITC11", "ITC11")["rule"] == "unchanged"
    it_changes = corr_16_21.changes()
    it_changes = it_changes[it_changes["code_from"].fillna(it_changes["code_to"]).str.startswith("IT")]
    assert set(it_changes["code_from"].dropna()) == {"ITG25", "ITG26", "ITG27", "ITG28", "ITG29", "ITG2A", "ITG2B", "ITG2C"}


def test_2013_2016_recodes_and_merge(corr_13_16):
    assert tuple(_link(corr_13_16, "FR241", "FRB01")[["rule", "weight"]]) == ("recode", 1.0)
    assert tuple(_link(corr_13_16, "DE915", "DE91C")[["rule", "weight"]]) == ("merge", 1.0)
    assert tuple(_link(corr_13_16, "DEB16", "DEB1C")[["rule", "weight"]]) == ("boundary_shift", 1.0)
    # "boundary shift, lost new PL926": PL12A is split between PL913 and PL926
    assert _link(corr_13_16, "PL12A", "PL926")["rule"] == "split"
    disc = corr_13_16.links[(corr_13_16.links["rule"] == "discontinued") & (corr_13_16.links["level"] == 3)]
    assert set(disc["code_from"]) == {"UKN02", "UKN03", "UKN04", "UKN05"}


def test_every_code_of_both_versions_accounted_for(corr_16_21):
    links = corr_16_21.links
    assert set(links["code_from"].dropna()) == set(corr_16_21.codes_from)
    assert set(links["code_to"].dropna()) == set(corr_16_21.codes_to)
    assert "ITG2D" in corr_16_21.codes_to and "ITG2D" not in corr_16_21.codes_from
    assert "ITZZZ" in corr_16_21.codes_from


def test_reading_backwards_inverts(shared_data, corr_16_21):
    back = read_eurostat_changes(shared_data / "nuts/NUTS2016-NUTS2021__Changes_detailed_NUTS_2016-2021.csv",
                                 2021, 2016)
    assert (back.from_version, back.to_version) == ("2016", "2021")[::-1]
    # ITG2D came wholly from ITG25 + ITG29 -> going back it is split between them (weights unknown)
    r = _link(back, "ITG2D", "ITG25")
    assert r["rule"] == "split" and math.isnan(r["weight"])
    # ITG2H lies inside old ITG28 only -> whole link back
    assert tuple(_link(back, "ITG2H", "ITG28")[["link", "weight"]]) == ("whole", 1.0)


def test_parse_synthetic_rows():
    rows = pd.DataFrame({
        "code_from": ["XX11", "XX12", None, "XX14", "XX15", None],
        "code_to": ["XX21", None, "XX22", "XX24", None, "XX26"],
        "comment": ["recoded", "discontinued; now part of XX22", "new; merge of ex-XX12 and XX13",
                    "boundary shift", "split into new XX26 and XX24", "new"],
    })
    codes_from = {"XX11", "XX12", "XX13", "XX14", "XX15"}
    codes_to = {"XX21", "XX22", "XX24", "XX26"}
    raw, notes = links_from_change_rows(rows, codes_from, codes_to)
    links = resolve_links(raw, codes_from, codes_to).set_index(["code_from", "code_to"])
    assert links.loc[("XX11", "XX21"), "rule"] == "recode"
    assert links.loc[("XX12", "XX22"), "rule"] == "merge"
    assert links.loc[("XX13", "XX22"), "rule"] == "merge"
    assert links.loc[("XX15", "XX26"), "rule"] == "split"
    assert links.loc[("XX14", "XX24"), "rule"] == "boundary_shift"
    assert notes == []


def test_header_missing_is_refused(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(HarmonizeError, match="Code 2016"):
        read_eurostat_changes(p, 2016, 2021)


def test_malformed_code_is_refused(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("Code 2016,Code 2021,Change\nIT-C11,ITC11,recoded\n", encoding="utf-8")
    with pytest.raises(HarmonizeError, match="IT-C11"):
        read_eurostat_changes(p, 2016, 2021)


def test_2024_sheet_with_same_layout_is_accepted(tmp_path):
    p = tmp_path / "NUTS2021-NUTS2024.csv"
    p.write_text("Code 2021,Code 2024,Change\nXX111,XX111,\nXX112,XX115,recoded\n", encoding="utf-8")
    c = read_eurostat_changes(p, 2021, 2024)
    assert c.to_version == "2024"
    assert tuple(_link(c, "XX112", "XX115")[["rule", "weight"]]) == ("recode", 1.0)


def test_chain_2013_to_2021(corr_13_16, corr_16_21):
    c = corr_13_16.then(corr_16_21)
    assert (c.from_version, c.to_version) == ("2013", "2021")
    # Göttingen: DE915 + DE919 merged into DE91C in 2016, unchanged in 2021
    assert tuple(_link(c, "DE915", "DE91C")[["rule", "weight"]]) == ("merge", 1.0)
    # Italy unchanged in 2016, so 2013 -> 2021 equals 2016 -> 2021 for Sardinia
    assert tuple(_link(c, "ITG25", "ITG2D")[["rule", "weight"]]) == ("merge", 1.0)
    assert _link(c, "ITG28", "ITG2H")["rule"] == "split"
    # Northern Ireland: UKN10 appeared in 2016 (no 2013 source) and was recoded UKN0A in 2021 -> new
    new = c.links[c.links["rule"] == "new"]
    assert "UKN0A" in set(new["code_to"])
    with pytest.raises(HarmonizeError, match="cannot chain"):
        corr_16_21.then(corr_13_16)
