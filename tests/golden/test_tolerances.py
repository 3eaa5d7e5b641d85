"""Tolerances declared per quantity: the isclose rule on hand-computed bounds, lookup order, file errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from i4districts.errors import ConfigError
from i4districts.golden.tolerances import EXACT, Tolerance, Tolerances, load_tolerances

REPO = Path(__file__).resolve().parents[2]


def test_bound_is_abs_plus_rel_times_golden():
    tol = Tolerance(abs=1e-3, rel=1e-2)
    # golden 10: bound = 0.001 + 0.01 * 10 = 0.101
    assert tol.holds(10.0, 10.1) and tol.holds(10.0, 9.9)
    assert not tol.holds(10.0, 10.102) and not tol.holds(10.0, 9.898)
    assert Tolerance(abs=0.0).holds(0.058, 0.058) and not Tolerance(abs=0.0).holds(0.058, 0.06)


def test_exact_and_labels():
    assert EXACT.holds(110, 110) and not EXACT.holds(110, 111)
    assert EXACT.holds(110, 110.0)  # an integer count read back as a float is the same count
    loose = Tolerance(abs=1.0, rel=1.0)
    assert loose.holds("C", "C") and not loose.holds("C", "F")  # labels: always equality
    assert loose.holds(True, True) and not loose.holds(True, 1)  # a flag is not a number


@given(golden=st.floats(-1e6, 1e6), abs_=st.floats(0, 1), rel=st.floats(0, 1), frac=st.floats(0, 1))
def test_moves_up_to_the_bound_hold(golden, abs_, rel, frac):
    tol = Tolerance(abs=abs_, rel=rel)
    move = frac * tol.bound(golden) * (1 - 1e-9)
    assert tol.holds(golden, golden + move) and tol.holds(golden, golden - move)


def test_lookup_order_model_name_family_default():
    t = Tolerances.from_dict({
        "default": {"abs": 1.0},
        "quantities": {"std_error": {"rel": 0.1}, "std_error[akm]": {"rel": 0.2}},
        "models": {"m1": {"std_error": {"rel": 0.3}, "std_error[ri]": "exact"}},
    })
    assert t.lookup("m2", "estimate") == Tolerance(abs=1.0)
    assert t.lookup("m2", "std_error[cluster]") == Tolerance(rel=0.1)
    assert t.lookup("m2", "std_error[akm]") == Tolerance(rel=0.2)
    assert t.lookup("m1", "std_error[akm]") == Tolerance(rel=0.3)
    assert t.lookup("m1", "std_error[ri]") == EXACT


@pytest.mark.parametrize(("doc", "key"), [
    ({"quantities": {}}, "'default'"),
    ({"default": {"abs": -1}}, "'abs'"),
    ({"default": {"abs": 0}, "quantities": {"p": {"tol": 1}}}, "quantities.p"),
    ({"default": {"abs": 0}, "colour": 1}, "colour"),
    ({"default": {"exact": True, "abs": 1}}, "exact"),
])
def test_bad_tolerances_name_the_key(doc, key):
    with pytest.raises(ConfigError, match=key.replace("[", r"\[")):
        Tolerances.from_dict(doc, source="golden/tolerances.yaml")


def test_committed_tolerances():
    tol = load_tolerances(REPO / "golden" / "tolerances.yaml")
    for count in ("nobs", "n_clusters", "n_sectors", "n_shocks", "placebo_draws", "placebo_seed", "rank"):
        assert tol.lookup("ld_robots", count) == EXACT, count
    # seeded placebo draws: the rejection rate is a count over the draws, it may not move at all
    assert tol.lookup("ld_robots", "placebo_rejection[ri]") == Tolerance(abs=0.0)
    assert tol.lookup("ld_robots", "estimate") == Tolerance(abs=1e-10, rel=1e-9)
    assert tol.lookup("ld_robots", "std_error[akm]") == Tolerance(abs=1e-12, rel=1e-8)
