"""Related/unrelated variety, size-class structure and servitization."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from i4districts.indicators import IndicatorInputError, specialization_indices
from i4districts.indicators.servitization import servitization
from i4districts.indicators.size_structure import size_class_structure
from i4districts.indicators.variety import related_unrelated_variety

SECTORS = ["C10", "C11", "C13", "M69", "M70", "G46"]


def long(matrix, sectors=SECTORS):
    m = np.asarray(matrix, dtype=float)
    return pd.DataFrame(
        {
            "region": np.repeat([f"R{i}" for i in range(m.shape[0])], m.shape[1]),
            "sector": np.tile(sectors[: m.shape[1]], m.shape[0]),
            "year": 2011,
            "value": m.ravel(),
        }
    )


def section(code):
    return code[0]


def test_variety_by_hand():
    # p = (1/8, 3/8, 0, 1/4, 1/4, 0) with groups C = {C10, C11, C13}, M = {M69, M70}, G = {G46}.
    # P_C = 1/2, P_M = 1/2, P_G = 0 -> UV = ln 2.
    # RV = 1/2 H(1/4, 3/4) + 1/2 H(1/2, 1/2) = 1/2 (-(1/4) ln(1/4) - (3/4) ln(3/4)) + 1/2 ln 2.
    out = related_unrelated_variety(long([[1, 3, 0, 2, 2, 0]]), section).iloc[0]
    h_c = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert out["unrelated_variety"] == pytest.approx(math.log(2))
    assert out["related_variety"] == pytest.approx(0.5 * h_c + 0.5 * math.log(2))
    assert out["entropy"] == pytest.approx(
        -(1 / 8 * math.log(1 / 8) + 3 / 8 * math.log(3 / 8) + 2 * 0.25 * math.log(0.25))
    )
    assert out["n_groups"] == 2


def test_variety_mapping_forms_and_errors():
    df = long([[1, 3, 0, 2, 2, 1]])
    a = related_unrelated_variety(df, section)
    b = related_unrelated_variety(df, {s: s[0] for s in SECTORS})
    c = related_unrelated_variety(df, pd.Series({s: s[0] for s in SECTORS}))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    with pytest.raises(IndicatorInputError, match="no group"):
        related_unrelated_variety(df, {"C10": "C"})


@settings(max_examples=80, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.just(6)), elements=st.integers(0, 40).map(float)))
def test_related_plus_unrelated_equals_entropy(m):
    m[:, 0] += 1
    out = related_unrelated_variety(long(m), section)
    np.testing.assert_allclose(out["related_variety"] + out["unrelated_variety"], out["entropy"], rtol=0, atol=1e-12)
    # entropy agrees with the specialization module's entropy
    spec = specialization_indices(long(m))
    np.testing.assert_allclose(out["entropy"], spec["entropy"], atol=1e-12)
    assert (out["unrelated_variety"] <= math.log(3) + 1e-12).all()


def test_size_class_structure_by_hand():
    # R0: 0-9 = 60, 10-49 = 40 (100); R1: 10-49 = 100, 250+ = 100 (200). Nation: 60, 140, 0, 100 of 300.
    df = pd.DataFrame(
        {
            "region": ["R0", "R0", "R1", "R1"],
            "size_class": ["W0_9", "W10_49", "W10_49", "W_GE250"],
            "year": 2011,
            "value": [60.0, 40, 100, 100],
        }
    )
    out = size_class_structure(df)
    assert out["share"].tolist() == pytest.approx([0.6, 0.4, 0.5, 0.5])
    # LQ R0, 0-9 = 0.6 / (60/300) = 3; R0, 10-49 = 0.4 / (140/300) = 6/7; R1, 250+ = 0.5 / (1/3) = 1.5.
    assert out["lq"].tolist() == pytest.approx([3.0, 6 / 7, 0.5 / (140 / 300), 1.5])
    with pytest.raises(IndicatorInputError, match="codes outside"):
        size_class_structure(df.assign(size_class=["TOTAL"] * 4))


def test_servitization_by_hand():
    # R0: manufacturing 4, KIBS 4, other 0 (E 8); R1: manufacturing 4, KIBS 2 (E 6). Nation K 6, M 8, E 14.
    df = long([[1, 3, 0, 2, 2, 0], [4, 0, 0, 1, 1, 0]])
    out = servitization(df, kibs=["M69", "M70"], manufacturing=["C10", "C11", "C13"]).set_index("region")
    assert out.loc["R0", "kibs_per_manufacturing"] == 1.0
    assert out.loc["R0", "kibs_lq"] == pytest.approx((4 / 8) / (6 / 14))
    assert out.loc["R0", "servitization_lq"] == pytest.approx(1.0 / (6 / 8))
    assert out.loc["R1", "servitization_lq"] == pytest.approx(0.5 / (6 / 8))
    # default KIBS list does not match "M69"-free tables -> explicit error
    with pytest.raises(IndicatorInputError, match="no KIBS sector"):
        servitization(long([[1, 2, 3]], sectors=["C10", "C11", "G46"]))
    with pytest.raises(IndicatorInputError, match="overlap"):
        servitization(df, kibs=["M69", "C10"], manufacturing=["C10"])


def test_servitization_zero_manufacturing_is_nan():
    df = long([[0, 0, 0, 2, 2, 0], [4, 0, 0, 1, 1, 0]])
    out = servitization(df, kibs=["M69", "M70"], manufacturing=["C10", "C11", "C13"]).set_index("region")
    assert np.isnan(out.loc["R0", "kibs_per_manufacturing"]) and np.isnan(out.loc["R0", "servitization_lq"])


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(1, 4), st.just(6)), elements=st.integers(0, 40).map(float)),
    st.floats(0.01, 1000),
    st.randoms(use_true_random=False),
)
def test_variety_invariant_to_row_order_and_scale(m, k, rnd):
    m[:, 0] += 1
    df = long(m)
    perm = list(range(len(df)))
    rnd.shuffle(perm)
    a = related_unrelated_variety(df, section).set_index("region").sort_index()
    b = related_unrelated_variety(df.iloc[perm].assign(value=lambda d: d["value"] * k), section)
    b = b.set_index("region").sort_index()
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-12)
