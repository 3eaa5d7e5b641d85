"""NACE Rev.2 / ATECO 2007 hierarchy, aggregates and ISTAT district groups."""

from __future__ import annotations

import pytest

from i4districts.harmonize import HarmonizeError
from i4districts.harmonize.sectors import (
    SECTIONS,
    additive_parent_map,
    ateco_to_nace,
    check_non_overlapping,
    district_group,
    district_groups,
    division_section,
    nace_sections,
    normalise_sector,
    overlapping_pairs,
    sector_set,
    sector_sets,
    sections_of,
)

SAMPLE_CODES = ["A", "B-E", "C", "F", "G-I", "G-J", "J", "K", "K-N", "L", "M-N", "O-Q", "O-U", "R-U", "TOTAL"]


def test_sections_table_covers_divisions_without_overlap():
    t = nace_sections()
    assert tuple(t["section"]) == SECTIONS
    assert (t["division_from"].iloc[1:].to_numpy() > t["division_to"].iloc[:-1].to_numpy()).all()
    assert division_section(25) == "C" and division_section("01") == "A" and division_section(99) == "U"
    with pytest.raises(HarmonizeError, match="04"):
        division_section(4)  # NACE has no division 04


def test_section_ranges_and_overlaps():
    assert sections_of("G-J") == {"G", "H", "I", "J"}
    assert sections_of("M_N") == {"M", "N"} and normalise_sector("m_n") == "M-N"
    assert len(sections_of("TOTAL")) == 21
    assert ("G-J", "J") in overlapping_pairs(["G-J", "J", "K"])
    assert ("B-E", "C") in overlapping_pairs(SAMPLE_CODES)
    with pytest.raises(HarmonizeError, match="double counted"):
        check_non_overlapping(["A", "G-J", "J"])
    with pytest.raises(HarmonizeError):
        sections_of("J-G")


def test_additive_parents_of_the_sample_aggregates():
    m = additive_parent_map(SAMPLE_CODES)
    # G-J = G-I + J ; K-N = K + L + M-N ; O-U = O-Q + R-U ; TOTAL = A + B-E + F + G-J + K-N + O-U
    assert {c for c, p in m.items() if p == "G-J"} == {"G-I", "J"}
    assert {c for c, p in m.items() if p == "K-N"} == {"K", "L", "M-N"}
    assert {c for c, p in m.items() if p == "O-U"} == {"O-Q", "R-U"}
    assert {c for c, p in m.items() if p == "TOTAL"} == {"A", "B-E", "F", "G-J", "K-N", "O-U"}
    assert "C" not in m and "B-E" not in set(m.values())  # B-E is not C alone


@pytest.mark.parametrize("name", ["A10", "A21", "A6", "total"])
def test_named_sets_partition_the_economy(name):
    codes = sector_set(name)
    check_non_overlapping(codes)
    covered = [s for c in codes for s in sections_of(c)]
    assert sorted(covered) == list(SECTIONS)


def test_a10_is_the_documented_set():
    assert sector_set("A10") == ("A", "B-E", "F", "G-I", "J", "K", "L", "M-N", "O-Q", "R-U")
    assert "manufacturing" in sector_sets()
    with pytest.raises(HarmonizeError, match="unknown sector set"):
        sector_set("A64")


def test_ateco_is_nace_plus_national_digits():
    assert ateco_to_nace("25.62.00") == "25.62"
    assert ateco_to_nace("25.62.00", "group") == "25.6"
    assert ateco_to_nace("C 25.62", "division") == "25"
    assert ateco_to_nace("256200", "section") == "C"
    with pytest.raises(HarmonizeError):
        ateco_to_nace("25", "class")
    with pytest.raises(HarmonizeError):
        ateco_to_nace("ab.cd")


def test_district_groups_cover_manufacturing():
    t = district_groups()
    assert set(t["group"]) == {"TEX", "LEA", "HOU", "JEW", "FOO", "MAC", "MET", "CHE", "TRA", "PAP", "OTH"}
    for d in range(10, 34):
        assert district_group(f"{d}.00") in set(t["group"])
    assert district_group("15.20.10") == "LEA"  # footwear
    assert district_group("14.13") == "TEX"
    assert district_group("27.51") == "HOU"  # domestic appliances, group override
    assert district_group("27.11") == "MAC"
    assert district_group("32.12.10") == "JEW"  # jewellery
    assert district_group("32.50") == "MAC"  # medical instruments, group override
    assert district_group("23.31") == "HOU" and district_group("23.51") == "OTH"
    with pytest.raises(HarmonizeError, match="not manufacturing"):
        district_group("45.20")


def test_aggregate_sections_to_a10():
    import pandas as pd

    from i4districts.harmonize.sectors import aggregate_to_sector_set

    df = pd.DataFrame({"sector": ["G", "H", "I", "J", "C"], "value": [1.0, 2.0, 4.0, 8.0, 16.0]})
    out, mapping = aggregate_to_sector_set(df, ["G-I", "J", "B-E"])
    # G-I = 1 + 2 + 4 = 7 ; J = 8 ; B-E = C = 16 (the other sections of B-E are absent, not zero)
    assert out.set_index("sector")["value"].to_dict() == {"B-E": 16.0, "G-I": 7.0, "J": 8.0}
    assert dict(zip(mapping["code"], mapping["target"]))["H"] == "G-I"
    with pytest.raises(HarmonizeError, match="double counted"):
        aggregate_to_sector_set(pd.DataFrame({"sector": ["G-J", "J"], "value": [1.0, 2.0]}), "A10")
    with pytest.raises(HarmonizeError, match="exactly one"):
        aggregate_to_sector_set(pd.DataFrame({"sector": ["G-J"], "value": [1.0]}), "A10")


def test_aggregate_ateco_to_district_groups():
    import pandas as pd

    from i4districts.harmonize.sectors import aggregate_to_district_groups

    df = pd.DataFrame({"sector": ["13", "14", "15", "27.5", "27.1", "45"], "year": 2020,
                       "value": [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]})
    with pytest.raises(HarmonizeError, match="non-manufacturing code '45'"):
        aggregate_to_district_groups(df, by=["year"])
    out, mapping = aggregate_to_district_groups(df, by=["year"], non_manufacturing="exclude")
    # TEX = 13 + 14 = 3 ; LEA = 4 ; HOU = 27.5 = 8 ; MAC = 27.1 = 16 ; 45 excluded and listed
    assert out.set_index("group")["value"].to_dict() == {"HOU": 8.0, "LEA": 4.0, "MAC": 16.0, "TEX": 3.0}
    assert pd.isna(dict(zip(mapping["code"], mapping["group"]))["45"])
    with pytest.raises(HarmonizeError, match="nested"):
        aggregate_to_district_groups(pd.DataFrame({"sector": ["25", "25.62"], "value": [1.0, 1.0]}))


def test_harmonize_errors_are_input_errors():
    from i4districts.errors import InputError
    from i4districts.harmonize.nuts import NutsVersionError
    from i4districts.indicators import IndicatorInputError

    for cls in (HarmonizeError, NutsVersionError, IndicatorInputError):
        assert issubclass(cls, InputError) and issubclass(cls, ValueError)
