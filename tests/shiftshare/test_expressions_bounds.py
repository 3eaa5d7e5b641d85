"""Sector-cluster expressions cannot exhaust memory (issue 16): bounded results, SpecError messages."""

from __future__ import annotations

import pandas as pd
import pytest

from i4districts.errors import SpecError
from i4districts.shiftshare.expressions import MAX_EXPRESSION_CHARS, evaluate_expression

NUM = pd.Series([2011, 2012, 3990])
TEXT = pd.Series(["C10", "C11", "C29"])


@pytest.mark.parametrize("expr", ["'x' * 99999999999", "99999999999 * 'x'", "sector * 99999999999",
                                  "str(sector) * 99999999999", "('ab' + str(sector)) * 3"])
@pytest.mark.parametrize("col", [NUM, TEXT], ids=["numeric", "text"])
def test_text_repetition_is_refused(expr, col):
    if expr == "sector * 99999999999" and col is NUM:
        pytest.skip("numbers may be multiplied")
    with pytest.raises(SpecError, match=r"'sector_cluster' multiplies text"):
        evaluate_expression(expr, {"sector": col}, field="sector_cluster")


def test_numeric_multiplication_still_works():
    assert evaluate_expression("floor(sector / 10) * 10", {"sector": NUM}, field="f").tolist() == [2010, 2010, 3990]


@pytest.mark.parametrize("expr,problem", [
    ("1 // 0", "ZeroDivisionError"),
    ("left(sector, 1e300)", "OverflowError"),
    ("1 + " * 200 + "1", f"longer than {MAX_EXPRESSION_CHARS}"),
])
def test_other_bounds_give_spec_errors(expr, problem):
    with pytest.raises(SpecError, match=problem):
        evaluate_expression(expr, {"sector": TEXT}, field="sector_cluster")


def test_long_text_results_are_refused():
    long = pd.Series(["x" * 600, "y"])
    assert evaluate_expression("'a' + sector", {"sector": long}, field="f").str.len().tolist() == [601, 2]
    with pytest.raises(SpecError, match="builds text longer than 1000 characters"):
        evaluate_expression("sector + sector", {"sector": long}, field="sector_cluster")
