"""Each revision category on small hand-built tables, and invariants (hypothesis)."""

from __future__ import annotations

import math

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from i4districts.errors import InputError
from i4districts.harmonize.correspondence import find_change_sheets, read_change_sheets
from i4districts.harmonize.nuts import version_code_sets
from i4districts.refresh.revisions import correspondence_between, infer_keys, revision_report
from i4districts.refresh.sources import convert_unit


def table(rows, flag=True):
    """rows: (region, year, value[, flag])."""
    df = pd.DataFrame([r[:3] for r in rows], columns=["region", "year", "value"])
    if flag:
        df["flag"] = [r[3] if len(r) > 3 else "" for r in rows]
    return df


def test_revised_cell_old_new_abs_and_relative_change():
    old = table([("A1", 2000, 100.0), ("A1", 2001, 0.0), ("A1", 2002, 50.0)])
    new = table([("A1", 2000, 110.0), ("A1", 2001, 5.0), ("A1", 2002, 50.0)])
    r = revision_report(old, new, dataset="t")
    assert r.revised[["region", "year", "old_value", "new_value", "abs_change"]].values.tolist() == [
        ["A1", 2000, 100.0, 110.0, 10.0], ["A1", 2001, 0.0, 5.0, 5.0]]
    assert r.revised["rel_change"].iloc[0] == pytest.approx(0.1)  # (110 - 100) / 100
    assert math.isnan(r.revised["rel_change"].iloc[1])  # old value 0: relative change undefined
    s = r.summary.iloc[0]
    assert (s["cells_shared"], s["cells_revised"]) == (3, 2)
    assert s["share_revised"] == pytest.approx(2 / 3)
    assert s["max_abs_rel_change"] == pytest.approx(0.1)
    assert r.changed


def test_tolerance_is_absolute_and_strict():
    old = table([("A1", 2000, 1000.0), ("A1", 2001, 1000.0), ("A1", 2002, 1000.0)])
    new = table([("A1", 2000, 1000.4), ("A1", 2001, 1000.5), ("A1", 2002, 1000.6)])
    r = revision_report(old, new, tolerance=0.5)
    assert r.revised["year"].tolist() == [2002]  # |diff| > 0.5 only
    assert revision_report(old, new).summary.iloc[0]["cells_revised"] == 3  # default: exact
    with pytest.raises(InputError, match="tolerance"):
        revision_report(old, new, tolerance=-1)


def test_added_and_removed_cells_say_why():
    old = table([("A1", 2000, 1.0), ("A1", 2001, 2.0), ("B1", 2000, 3.0), ("B1", 2001, 4.0), ("C1", 2000, 9.0)])
    new = table([("A1", 2000, 1.0), ("A1", 2002, 2.5), ("B1", 2000, 3.0), ("B1", 2001, 4.0), ("D1", 2001, 5.0)])
    r = revision_report(old, new)
    added = dict(zip(zip(r.added["region"], r.added["year"]), r.added["kind"]))
    removed = dict(zip(zip(r.removed["region"], r.removed["year"]), r.removed["kind"]))
    assert added == {("A1", 2002): "new_period", ("D1", 2001): "new_series"}
    assert removed == {("A1", 2001): "cell", ("C1", 2000): "series_removed"}
    assert r.codes("region") == ["D1"] and r.codes("region", "code_removed") == ["C1"]
    assert r.codes("year") == ["2002"]
    s = r.summary.iloc[0]
    assert (s["cells_added"], s["cells_removed"], s["new_series_cells"], s["new_period_cells"]) == (2, 2, 1, 1)


def test_unpublished_values_are_not_cells():
    old = table([("A1", 2000, 1.0), ("A1", 2001, np.nan)])
    new = table([("A1", 2000, np.nan), ("A1", 2001, 2.0)])
    r = revision_report(old, new)
    assert r.revised.empty
    # 2001 has no published cell in the old vintage, 2000 none in the new one
    assert r.added[["year", "kind"]].values.tolist() == [[2001, "new_period"]]
    assert r.removed[["year", "kind"]].values.tolist() == [[2000, "period_removed"]]
    assert (r.summary.iloc[0]["unpublished_old"], r.summary.iloc[0]["unpublished_new"]) == (1, 1)


def test_flags_changed_and_unknown_flags():
    old = table([("A1", 2000, 1.0, "p"), ("A1", 2001, 2.0, ""), ("A1", 2002, 3.0, "b")])
    new = table([("A1", 2000, 1.0, ""), ("A1", 2001, 2.0, "e"), ("A1", 2002, 3.0, "b")])
    r = revision_report(old, new)
    assert r.flags_changed[["year", "old_flag", "new_flag"]].values.tolist() == [[2000, "p", ""], [2001, "", "e"]]
    assert r.revised.empty and r.changed
    no_flags = table([("A1", 2000, 1.0), ("A1", 2001, 2.0), ("A1", 2002, 3.0)], flag=False)
    r2 = revision_report(no_flags, new)  # old flags unknown: nothing to compare
    assert r2.flags_changed.empty and not r2.summary.iloc[0]["flags_compared"]
    assert not r2.changed


def test_dimension_added_is_reported_and_cells_still_match():
    old = table([("A1", 2000, 1.0), ("A1", 2001, 2.0)])
    new = table([("A1", 2000, 1.0), ("A1", 2001, 2.5)]).assign(wstatus="EMP")
    r = revision_report(old, new, keys=["region", "year", "wstatus"])
    st_ = r.structure
    assert st_[["change", "dimension"]].values.tolist() == [["dimension_added", "wstatus"]]
    assert "EMP" in st_["detail"].iloc[0]
    assert r.revised["year"].tolist() == [2001]
    assert r.keys == ("region", "year")
    # with two codes of the new dimension the cells are ambiguous: refused, naming the keys
    two = pd.concat([new, new.assign(wstatus="SAL")], ignore_index=True)
    with pytest.raises(InputError, match="share their keys"):
        revision_report(old, two, keys=["region", "year", "wstatus"])
    # removed dimension: symmetric
    r3 = revision_report(new, old, keys=["region", "year", "wstatus"])
    assert r3.structure["change"].tolist() == ["dimension_removed"]


def test_units_must_match_and_convert_explicitly():
    old = table([("A1", 2000, 52500.0)]).assign(unit="persons")
    new = table([("A1", 2000, 52.5)]).assign(unit="THS")
    with pytest.raises(InputError, match="different units"):
        revision_report(old, new)
    conv = convert_unit(new, "persons")
    assert conv["value"].tolist() == [52500.0] and conv["unit"].tolist() == ["persons"]
    assert not revision_report(old, conv).changed
    with pytest.raises(InputError, match="no declared conversion"):
        convert_unit(new.assign(unit="PC_ENT"), "persons")


def test_bad_inputs_are_refused():
    good = table([("A1", 2000, 1.0)])
    with pytest.raises(InputError, match="share their keys"):
        revision_report(table([("A1", 2000, 1.0), ("A1", 2000, 2.0)]), good)
    with pytest.raises(InputError, match="non-numbers"):
        revision_report(good.assign(value=["x"]), good)
    with pytest.raises(InputError, match="no 'value'"):
        revision_report(good.drop(columns="value"), good)
    with pytest.raises(InputError, match="neither vintage"):
        revision_report(good, good, keys=["region", "sector"])


def test_infer_keys_skips_value_flag_and_vintage():
    df = table([("A1", 2000, 1.0)]).assign(vintage="v1", sector="C")
    assert infer_keys(df, df) == ("region", "year", "sector")


@pytest.fixture(scope="module")
def nuts(shared_data):
    corrs = read_change_sheets(find_change_sheets(shared_data / "nuts"))
    return version_code_sets(*corrs), corrs


def test_nuts_version_change_is_detected_and_links_listed(nuts):
    versions, corrs = nuts
    old = table([("ITC11", 2017, 1.0), ("ITG25", 2017, 2.0), ("ITG29", 2017, 3.0)])
    new = table([("ITC11", 2017, 1.0), ("ITG2D", 2017, 5.0)])
    r = revision_report(old, new, nuts_versions=versions, correspondences=corrs)
    s = r.summary.iloc[0]
    assert (s["nuts_old"], s["nuts_new"]) == ("2016", "2021")
    links = r.nuts_links()
    assert sorted(zip(links["old"], links["new"])) == [("ITG25", "ITG2D"), ("ITG29", "ITG2D")]
    assert set(links["rule"]) == {"merge"}
    # the same codes in both: no NUTS row at all
    same = revision_report(old, old, nuts_versions=versions, correspondences=corrs)
    assert same.structure.empty and same.summary.iloc[0]["nuts_old"] == "2016"
    # without code lists the check is skipped and says so
    plain = revision_report(old, new)
    assert plain.summary.iloc[0]["nuts_old"] is None
    assert any("NUTS version not checked" in n for n in plain.notes)


def test_correspondence_between_chains_and_inverts(nuts):
    _, corrs = nuts
    c = correspondence_between(corrs, "2013", "2021")
    assert (c.from_version, c.to_version) == ("2013", "2021")
    back = correspondence_between(corrs, "2021", "2016")
    assert (back.from_version, back.to_version) == ("2021", "2016")
    assert correspondence_between(corrs, "2016", "2024") is None


# ----------------------------------------------------------------------------------------------- properties
regions = st.sampled_from(["A1", "A2", "B1", "B2"])
years = st.integers(2000, 2004)
cells = st.dictionaries(
    st.tuples(regions, years),
    st.tuples(st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from(["", "p", "b"])),
    max_size=20,
)


def frame(d):
    rows = [(r, y, v, f) for (r, y), (v, f) in sorted(d.items())]
    df = pd.DataFrame(rows, columns=["region", "year", "value", "flag"])
    return df.astype({"region": "string", "year": "int64", "value": "float64", "flag": "string"})


@settings(max_examples=30, deadline=None)
@given(cells)
def test_a_table_against_itself_reports_nothing(d):
    t = frame(d)
    r = revision_report(t, t, keys=["region", "year"])
    assert not r.changed
    assert r.summary.iloc[0]["cells_shared"] == len(t)


@settings(max_examples=20, deadline=None)
@given(cells, cells)
def test_swapping_vintages_swaps_signs_and_sides(a, b):
    old, new = frame(a), frame(b)
    fw = revision_report(old, new, keys=["region", "year"])
    bw = revision_report(new, old, keys=["region", "year"])
    key = ["region", "year"]
    f = fw.revised.sort_values(key).reset_index(drop=True)
    g = bw.revised.sort_values(key).reset_index(drop=True)
    assert f[key].equals(g[key])
    np.testing.assert_array_equal(f["abs_change"].to_numpy(), -g["abs_change"].to_numpy())
    np.testing.assert_array_equal(f["old_value"].to_numpy(), g["new_value"].to_numpy())
    assert sorted(map(tuple, fw.added[key].values.tolist())) == sorted(map(tuple, bw.removed[key].values.tolist()))
    assert sorted(map(tuple, fw.removed[key].values.tolist())) == sorted(map(tuple, bw.added[key].values.tolist()))
    assert len(fw.flags_changed) == len(bw.flags_changed)
    assert fw.codes("region") == bw.codes("region", "code_removed")
    sf, sb = fw.summary.iloc[0], bw.summary.iloc[0]
    assert (sf["cells_added"], sf["cells_removed"]) == (sb["cells_removed"], sb["cells_added"])
