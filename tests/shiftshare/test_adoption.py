from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from i4districts.shiftshare.adoption import (
    ILLUSTRATIVE_NOTE,
    AdoptionTableError,
    illustrative_adoption,
    sector_adoption_table,
)
from i4districts.shiftshare.errors import ExposureInputError
from i4districts.shiftshare.normalise import normalise_exposure


def test_deterministic_and_independent_of_sector_order():
    a = illustrative_adoption(["C", "A", "F"], 2000, 2010, seed=7)
    b = illustrative_adoption(["F", "C", "A", "A"], 2000, 2010, seed=7)
    pd.testing.assert_frame_equal(a, b)
    c = illustrative_adoption(["C", "A", "F"], 2000, 2010, seed=8)
    assert not np.allclose(a["value"], c["value"])


def test_shape_bounds_and_monotone_diffusion():
    a = illustrative_adoption(["A", "B"], 2000, 2017, seed=1)
    assert len(a) == 2 * 18 and not a.duplicated(["sector", "year"]).any()
    assert a["value"].between(0, 90).all()  # percent of enterprises, ceiling at most 90 %
    assert set(a["unit"]) == {"percent of enterprises"}
    assert (a.groupby("sector")["value"].diff().dropna() > 0).all()  # logistic paths increase
    assert set(a["source"]) == {"illustrative"}
    assert "illustrative adoption data" in ILLUSTRATIVE_NOTE and "not real" in ILLUSTRATIVE_NOTE


def test_bad_arguments():
    with pytest.raises(ValueError, match="before start"):
        illustrative_adoption(["A"], 2010, 2000, seed=1)
    with pytest.raises(ValueError, match="no sectors"):
        illustrative_adoption([], 2000, 2001, seed=1)


def _user_table():
    return pd.DataFrame({"sector": ["A", "A", "A", "C", "C", "C"], "year": [1999, 2000, 2001, 1999, 2000, 2001],
                         "robots": [0.1, 0.2, 0.4, 1.0, 2.0, 4.0]})


def test_user_table_is_cut_to_the_panel_years_and_keeps_its_unit():
    t = sector_adoption_table(_user_table(), sectors=["C", "A"], start=2000, end=2001, column="robots",
                              unit="robots per 1000 workers", source="robots.csv")
    assert t[["sector", "year", "value"]].values.tolist() == [["A", 2000, 0.2], ["A", 2001, 0.4],
                                                                ["C", 2000, 2.0], ["C", 2001, 4.0]]
    assert set(t["unit"]) == {"robots per 1000 workers"} and set(t["source"]) == {"robots.csv"}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t[~((t["sector"] == "C") & (t["year"] == 2001))], r"no value for 1 \(sector, year\).*'C', 2001"),
        (lambda t: pd.concat([t, t.iloc[[1]]]), "duplicate"),
        (lambda t: t.assign(robots=t["robots"].astype(object).where(t["year"] != 2000, "n/a")), "non-numeric"),
        (lambda t: pd.concat([t, pd.DataFrame({"sector": ["J"], "year": [2000], "robots": [1.0]})]), r"\['J'\]"),
        (lambda t: t.drop(columns="robots"), "missing column"),
    ],
)
def test_bad_user_tables_are_refused_naming_the_problem(mutate, message):
    with pytest.raises(AdoptionTableError, match=message) as err:
        sector_adoption_table(mutate(_user_table()), sectors=["A", "C"], start=2000, end=2001, column="robots",
                              unit="u", source="robots.csv")
    assert "robots.csv" in str(err.value)


def test_sd_normalisation_uses_the_estimation_sample():
    t = pd.DataFrame({"region": ["R"] * 4, "year": [2000, 2001, 2002, 2003], "exposure": [100.0, 1.0, 2.0, 3.0]})
    out = normalise_exposure(t, columns=["exposure"], method="sd", base_year=2000)
    # after 2000 the values 1, 2, 3 have sample SD 1, so they are unchanged; the base year is scaled too
    assert out["exposure"].tolist() == [100.0, 1.0, 2.0, 3.0]
    scaled = normalise_exposure(t.assign(exposure=t["exposure"] * 4), columns=["exposure"], method="sd", base_year=2000)
    assert scaled["exposure"].tolist() == pytest.approx([100.0, 1.0, 2.0, 3.0])
    assert normalise_exposure(t, columns=["exposure"], method="none", base_year=2000).equals(t)
    with pytest.raises(ExposureInputError, match="no variation"):
        normalise_exposure(t.assign(exposure=1.0), columns=["exposure"], method="sd", base_year=2000)
