"""The revision report on two real vintages of Eurostat nama_10r_3empers.

Old: shared/data/eurostat/IT_nama_10r_3empers.csv -- Data Commons re-publication, persons, NUTS 2016,
Italy, 1995-2018, no flags. New: shared/data/tsv/nama_10r_3empers_sample_data_EXCERPT.tsv -- 17 verbatim
rows of the later bulk TSV (thousands, flags after values, NUTS 2021 codes, 1995-2022).

Every figure below was read off the raw files (line numbers quoted) or counted from their raw text in
this module, independently of the library's parsers.
"""

from __future__ import annotations

import csv
import gzip
import math

import pytest

from i4districts.harmonize.correspondence import find_change_sheets, read_change_sheets
from i4districts.harmonize.nuts import version_code_sets
from i4districts.refresh.revisions import revision_report
from i4districts.refresh.sources import read_cells


@pytest.fixture(scope="module")
def files(shared_data):
    old = shared_data / "eurostat" / "IT_nama_10r_3empers.csv"
    new = shared_data / "tsv" / "nama_10r_3empers_sample_data_EXCERPT.tsv"
    for p in (old, new):
        assert p.is_file(), f"shared data file missing: {p}"
    return old, new


@pytest.fixture(scope="module")
def cells(files):
    old, new = files
    return read_cells(old, unit="persons"), read_cells(new, unit="persons")


@pytest.fixture(scope="module")
def report(cells, shared_data):
    (o, lo), (n, ln) = cells
    corrs = read_change_sheets(find_change_sheets(shared_data / "nuts"))
    return revision_report(o, n, dataset="nama_10r_3empers", unit="persons", tolerance=0.5,
                           nuts_versions=version_code_sets(*corrs), correspondences=corrs,
                           old_label=lo, new_label=ln)


def _raw_tsv(path):
    """{(wstatus, nace, geo): [cell text per year]} and the years, by plain string splitting."""
    lines = path.read_text().splitlines()
    years = lines[0].split("\t")[1:]
    rows = {}
    for ln in lines[1:]:
        key, *cells = ln.split("\t")
        _freq, _unit, wstatus, nace, geo = key.split(",")
        rows[(wstatus, nace, geo)] = [c.strip() for c in cells]
    return years, rows


def test_units_are_converted_explicitly(cells):
    (o, lo), (n, ln) = cells
    assert set(o["unit"]) == {"persons"} and set(n["unit"]) == {"persons"}
    assert ln.endswith("(THS x 1000 -> persons)")  # the TSV's unit THS = thousand persons
    assert lo.endswith("IT_nama_10r_3empers.csv")  # already persons: no conversion


def test_cell_counts_match_the_raw_files(report, files):
    old, new = files
    with old.open() as fh:
        rows = list(csv.reader(fh))
    old_cells = sum(1 for r in rows[1:] for c in r[2:] if c != "")
    assert old_cells == 40079  # 2,699 rows x 15 value columns = 40,485, of which 406 empty
    years, raw = _raw_tsv(new)
    new_cells = sum(1 for cells in raw.values() for c in cells if not c.startswith(":"))
    assert new_cells == 389  # 17 series x 28 years = 476, of which 87 are ':'
    s = report.summary.iloc[0]
    assert (s["cells_old"], s["cells_new"]) == (40079, 389)
    assert (s["unpublished_old"], s["unpublished_new"]) == (406, 87)


def test_shared_cells_and_no_revision(report):
    s = report.summary.iloc[0]
    # Shared: the 7 Italian EMP series of the TSV whose NUTS 2016 codes the CSV has: 6 NUTS-3 series
    # (ITC13 J, ITF21 C, ITF46 B-E, ITG18 TOTAL, ITH43 TOTAL, ITH59 G-I) x 2000-2017 = 108, plus
    # ITH3 O-Q 1995-2017 = 23: 131 cells.
    assert s["cells_shared"] == 131
    assert (s["series_old"], s["series_new"], s["series_shared"]) == (2100, 17, 7)
    # The two vintages agree on every shared cell to the published precision (0.1 thousand persons):
    assert s["cells_revised"] == 0
    assert report.revised.empty
    assert s["share_revised"] == 0.0 and s["max_abs_rel_change"] == 0.0


@pytest.mark.parametrize(("region", "sector", "year", "persons"), [
    # CSV line 1909 "2017,dcid:nuts/ITH43,...,55600.0" (total); TSV "A,THS,EMP,TOTAL,ITH43", 2017 = "55.6"
    ("ITH43", "TOTAL", 2017, 55600.0),
    # CSV line 1387 "2017,dcid:nuts/ITG18,...,115100.0"; TSV "A,THS,EMP,TOTAL,ITG18", 2017 = "115.1"
    ("ITG18", "TOTAL", 2017, 115100.0),
    # CSV line 127 "2017,dcid:nuts/ITC13,...,700.0,..." (J, 7th value column); TSV "...,J,ITC13", 2017 = "0.7"
    ("ITC13", "J", 2017, 700.0),
    # CSV line 1682 "1995,dcid:nuts/ITH3,...,302800.0,..." (O-Q); TSV "A,THS,EMP,O-Q,ITH3", 1995 = "302.8"
    ("ITH3", "O-Q", 1995, 302800.0),
])
def test_hand_checked_shared_cells(cells, region, sector, year, persons):
    (o, _), (n, _) = cells
    pick = {"region": region, "sector": sector, "year": year, "wstatus": "EMP"}
    vo = o.loc[(o[list(pick)] == list(pick.values())).all(axis=1), "value"]
    vn = n.loc[(n[list(pick)] == list(pick.values())).all(axis=1), "value"]
    assert len(vo) == 1 and len(vn) == 1
    assert vo.iloc[0] == persons
    assert abs(vn.iloc[0] - persons) <= 0.5  # thousands x 1000: float noise only, no revision


def test_added_and_removed_cells_by_kind(report, files):
    _, new = files
    kinds = report.added["kind"].value_counts().to_dict()
    # new periods: the 7 shared series in 2019-2021 (2022 is ':' for them) = 21;
    # cell: the same 7 series in 2018, a year the CSV has (ITH3's total) but not for these series = 7
    assert kinds == {"new_series": 230, "new_period": 21, "cell": 7}
    years, raw = _raw_tsv(new)
    shared = {("EMP", "J", "ITC13"), ("EMP", "C", "ITF21"), ("EMP", "B-E", "ITF46"), ("EMP", "TOTAL", "ITG18"),
              ("EMP", "TOTAL", "ITH43"), ("EMP", "G-I", "ITH59"), ("EMP", "O-Q", "ITH3")}
    new_series_cells = sum(1 for k, cells in raw.items() if k not in shared for c in cells if not c.startswith(":"))
    assert new_series_cells == 230
    # CSV line 1705 "2018,dcid:nuts/ITH3,,,,,,,,,,,,,,,2259100.0": O-Q unpublished in 2018, published in the TSV
    ith3 = report.added[(report.added["region"] == "ITH3") & (report.added["year"] == 2018)]
    assert ith3[["sector", "new_value", "kind"]].values.tolist() == [["O-Q", 355800.0, "cell"]]
    # every removed cell belongs to a series absent from the 17-row excerpt
    assert report.removed["kind"].value_counts().to_dict() == {"series_removed": 40079 - 131}


def test_codes_added_and_removed(report):
    assert report.codes("year") == ["2019", "2020", "2021", "2022"]
    assert report.codes("wstatus") == ["SAL"]  # the CSV is employment (EMP) only
    assert report.codes("region") == ["BE343", "CZ05", "DE", "DE234", "EL541", "ITG2E", "MTZ", "RS212"]
    removed = report.codes("region", "code_removed")
    assert len(removed) == 131
    # Sardinia's NUTS 2016 provinces are in the old vintage only; ITG2E (Nuoro, NUTS 2021) in the new only
    assert {"ITG25", "ITG26", "ITG27", "ITG28", "ITG29", "ITG2A", "ITG2B", "ITG2C"} <= set(removed)
    assert report.codes("sector", "code_removed") == ["A", "G-J", "K-N", "L", "O-U", "R-U"]
    s = report.summary.iloc[0]
    assert (s["codes_added"], s["codes_removed"]) == (13, 137)
    assert (s["dimensions_added"], s["dimensions_removed"]) == (0, 0)


def test_nuts_version_change_and_sardinia_links(report):
    s = report.summary.iloc[0]
    assert (s["nuts_old"], s["nuts_new"], s["nuts_links_changed"]) == ("2016", "2021", 11)
    version = report.structure[report.structure["change"] == "nuts_version"]
    assert version[["old", "new"]].values.tolist() == [["2016", "2021"]]
    links = report.nuts_links()
    pairs = set(zip(links["old"], links["new"]))
    # NUTS2016-NUTS2021 detailed change sheet, rows ITG25..ITG28 / ITG29..ITG2C (Sardinia)
    assert {("ITG25", "ITG2D"), ("ITG29", "ITG2D"), ("ITG26", "ITG2E"), ("ITG2A", "ITG2E"),
            ("ITG27", "ITG2F"), ("ITG2B", "ITG2F"), ("ITG2C", "ITG2F"), ("ITG28", "ITG2G"),
            ("ITG28", "ITG2H")} <= pairs
    assert len(pairs) == 11
    assert set(links["old"].str[:4]) == {"ITG2"}  # no other region of either vintage changed


def test_flags(report):
    s = report.summary.iloc[0]
    # the TSV's 28 flags (27 'p', 1 'b'; e.g. "3.16 p" of DE234 SAL 2020, "0.14 b" of EL541 SAL 2010) fall on
    # cells that the CSV does not have; the CSV carries no flags at all, so none can be compared
    assert s["flagged_new"] == 28 and s["flagged_old"] == 0
    assert not s["flags_compared"] and s["flags_changed"] == 0
    assert report.added["new_flag"].value_counts().to_dict() == {"": 258 - 28, "p": 27, "b": 1}
    assert any("flags not compared" in n for n in report.notes)


def test_the_recoded_nuoro_series_is_not_a_revision(report):
    # TSV "A,THS,EMP,M_N,ITG2E" 2000 = 4.1 thousand; the CSV's ITG26 (Nuoro, NUTS 2016) M-N 2000 = 3100:
    # different territory (ITG2E = ex-ITG26 + parts of ex-ITG2A), reported as a new series, not a revision
    nuoro = report.added[(report.added["region"] == "ITG2E") & (report.added["year"] == 2000)]
    assert nuoro["new_value"].tolist() == [4100.0]
    assert set(report.added.loc[report.added["region"] == "ITG2E", "kind"]) == {"new_series"}
    assert not math.isnan(report.summary.iloc[0]["share_revised"])


def test_a_gzipped_bulk_tsv_reads_the_same(files, cells, tmp_path):
    gz = tmp_path / "nama_10r_3empers.tsv.gz"
    gz.write_bytes(gzip.compress(files[1].read_bytes()))
    again, _ = read_cells(gz, unit="persons")
    assert again.equals(cells[1][0])
