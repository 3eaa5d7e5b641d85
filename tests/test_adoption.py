from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from i4districts.adoption import ILLUSTRATIVE_NOTE, illustrative_adoption


def test_deterministic_and_independent_of_sector_order():
    a = illustrative_adoption(["C", "A", "F"], 2000, 2010, seed=7)
    b = illustrative_adoption(["F", "C", "A", "A"], 2000, 2010, seed=7)
    pd.testing.assert_frame_equal(a, b)
    c = illustrative_adoption(["C", "A", "F"], 2000, 2010, seed=8)
    assert not np.allclose(a["adoption"], c["adoption"])


def test_shape_bounds_and_monotone_diffusion():
    a = illustrative_adoption(["A", "B"], 2000, 2017, seed=1)
    assert len(a) == 2 * 18 and not a.duplicated(["nace", "year"]).any()
    assert a["adoption"].between(0, 0.9).all()
    assert (a.groupby("nace")["adoption"].diff().dropna() > 0).all()  # logistic paths increase
    assert set(a["source"]) == {"illustrative"}
    assert "illustrative adoption data" in ILLUSTRATIVE_NOTE and "not real" in ILLUSTRATIVE_NOTE


def test_bad_arguments():
    with pytest.raises(ValueError, match="before start"):
        illustrative_adoption(["A"], 2010, 2000, seed=1)
    with pytest.raises(ValueError, match="no sectors"):
        illustrative_adoption([], 2000, 2001, seed=1)
