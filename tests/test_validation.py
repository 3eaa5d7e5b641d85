"""Tests of the declarative table validation framework."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from i4districts.validation import (
    HierarchyRule,
    ShareRule,
    TableSchema,
    TableValidationError,
    children_sum_report,
    nuts_parent,
    validate,
)

EMP = TableSchema(
    name="employment",
    keys=("region", "year"),
    columns={"region": "str", "year": "int", "employment": "float", "unit": "str"},
    non_negative=("employment",),
    units={"employment": "persons"},
)


def good() -> pd.DataFrame:
    return pd.DataFrame(
        {"region": ["ITC11", "ITC12", "ITC11"], "year": [2015, 2015, 2016],
         "employment": [10.0, 20.0, 11.0], "unit": ["persons"] * 3}
    )


def test_valid_table_returned_unchanged():
    df = good()
    out = validate(df, EMP)
    assert out is df


def test_all_failures_collected_and_named():
    df = good()
    df.loc[2, "year"] = 2015  # duplicate (ITC11, 2015)
    df.loc[1, "employment"] = -3.0
    df.loc[0, "unit"] = "thousand persons"
    with pytest.raises(TableValidationError) as ei:
        validate(df, EMP, source="data/emp.parquet")
    err = ei.value
    assert isinstance(err, ValueError)
    checks = {f.check for f in err.failures}
    assert checks == {"duplicate_key", "negative", "undeclared_unit"}
    msg = str(err)
    assert "employment" in msg and "data/emp.parquet" in msg
    assert "('ITC11', 2015)" in msg  # the duplicated key
    assert "('ITC12', 2015)=-3.0" in msg  # key and value of the negative cell
    assert "thousand persons" in msg
    neg = next(f for f in err.failures if f.check == "negative")
    assert neg.column == "employment" and neg.keys == [("ITC12", 2015)] and neg.values == [-3.0]
    frame = err.to_frame()
    assert len(frame) == 3 and {"table", "check", "column", "keys", "values"} <= set(frame.columns)


def test_null_keys_missing_columns_and_dtypes():
    df = good().drop(columns="unit")
    df["region"] = ["ITC11", None, 3]  # a null and a non-string
    df["year"] = df["year"].astype(float)
    with pytest.raises(TableValidationError) as ei:
        validate(df, EMP)
    checks = [(f.check, f.column) for f in ei.value.failures]
    assert ("missing_column", "unit") in checks
    assert ("null_key", "region") in checks
    assert ("dtype", "region") in checks
    assert ("dtype", "year") in checks
    dt = next(f for f in ei.value.failures if f.check == "dtype" and f.column == "region")
    assert dt.values == [3]


def test_string_dtype_accepted():
    df = good()
    df["region"] = df["region"].astype("string")
    validate(df, EMP)


def test_required_allowed_strict():
    schema = TableSchema(
        name="t", keys=("k",), columns={"k": "str", "flag": "str", "v": "float"},
        required=("v",), allowed={"flag": ("", "p", "e")}, strict=True,
    )
    df = pd.DataFrame({"k": ["a", "b"], "flag": ["p", "zz"], "v": [1.0, np.nan], "extra": [1, 2]})
    with pytest.raises(TableValidationError) as ei:
        validate(df, schema)
    checks = {f.check for f in ei.value.failures}
    assert checks == {"null_value", "not_allowed", "extra_column"}
    assert "'zz'" in str(ei.value)


def test_unit_column_with_no_declared_units_fails():
    schema = TableSchema(name="t", keys=("k",), columns={"k": "str"})
    with pytest.raises(TableValidationError, match="undeclared_unit"):
        validate(pd.DataFrame({"k": ["a"], "unit": ["persons"]}), schema)


def test_shares_sum_to_one_by_group():
    schema = TableSchema(
        name="shares", keys=("region", "sector"), columns={"region": "str", "sector": "str", "share": "float"},
        shares=(ShareRule("share", by=("region",), atol=1e-9),),
    )
    df = pd.DataFrame({"region": ["a", "a", "b", "b"], "sector": ["x", "y", "x", "y"],
                       "share": [0.25, 0.75, 0.5, 0.6]})
    with pytest.raises(TableValidationError) as ei:
        validate(df, schema)
    (f,) = ei.value.failures
    assert f.check == "share_sum" and f.keys == [("b",)] and f.values == pytest.approx([1.1])
    df.loc[3, "share"] = 0.5
    validate(df, schema)


def test_share_rule_without_groups():
    schema = TableSchema(name="s", keys=("k",), columns={"k": "str", "w": "float"}, shares=(ShareRule("w"),))
    validate(pd.DataFrame({"k": ["a", "b"], "w": [0.3, 0.7]}), schema)
    with pytest.raises(TableValidationError):
        validate(pd.DataFrame({"k": ["a", "b"], "w": [0.3, 0.6]}), schema)


def test_unknown_kind_rejected():
    with pytest.raises(ValueError, match="unknown column kind"):
        TableSchema(name="x", keys=("a",), columns={"a": "text"})


def test_nuts_parent():
    assert nuts_parent("ITC11") == "ITC1"
    assert nuts_parent("ITC") == "IT"
    assert nuts_parent("IT") is None


def test_children_sum_nuts_hand_case():
    # ITC1 = 10 + 20 = 30 published 30 -> ok; ITC2 = 5 published 6 -> mismatch (diff 1).
    df = pd.DataFrame({"geo": ["ITC1", "ITC11", "ITC12", "ITC2", "ITC20"], "year": 2015,
                       "v": [30.0, 10.0, 20.0, 6.0, 5.0]})
    rule = HierarchyRule("geo", "v", nuts_parent, by=("year",), atol=0.5)
    rep = children_sum_report(df, rule).set_index("parent")
    assert rep.loc["ITC1", "status"] == "ok" and rep.loc["ITC1", "children_sum"] == 30.0
    assert rep.loc["ITC2", "status"] == "mismatch" and rep.loc["ITC2", "difference"] == 1.0
    schema = TableSchema("nuts", ("geo", "year"), {"geo": "str", "year": "int", "v": "float"}, hierarchies=(rule,))
    with pytest.raises(TableValidationError) as ei:
        validate(df, schema)
    (f,) = ei.value.failures
    assert f.check == "children_sum" and f.keys == [(2015, "ITC2")] and f.values == [1.0]


def test_children_sum_mapping_incomplete_is_not_failure():
    # NACE: G-J = G-I + J; J unpublished in 2016 -> incomplete, not a mismatch.
    rule = HierarchyRule("sector", "v", {"G-I": "G-J", "J": "G-J"}, by=("year",), atol=0)
    df = pd.DataFrame({"sector": ["G-J", "G-I", "J", "G-J", "G-I"], "year": [2015, 2015, 2015, 2016, 2016],
                       "v": [7.0, 5.0, 2.0, 9.0, 6.0]})
    rep = children_sum_report(df, rule)
    assert rep["status"].tolist() == ["ok", "incomplete"]
    assert rep["n_children_missing"].tolist() == [0, 1]
    schema = TableSchema("nace", ("sector", "year"), {"sector": "str", "year": "int", "v": "float"},
                         hierarchies=(rule,))
    validate(df, schema)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=8))
def test_children_sum_property_exact_parent_passes(values):
    codes = [f"ITC1{i}" for i in range(len(values))]
    df = pd.DataFrame({"geo": ["ITC1", *codes], "v": [float(np.sum(values)), *values]})
    rep = children_sum_report(df, HierarchyRule("geo", "v", nuts_parent, atol=1e-6, rtol=1e-9))
    assert rep["status"].tolist() == ["ok"]


def test_not_a_dataframe():
    with pytest.raises(TypeError):
        validate([1, 2], EMP)  # type: ignore[arg-type]


def test_non_negative_column_absent_or_not_numeric():
    schema = TableSchema(name="t", keys=("k",), columns={"k": "str"}, non_negative=("v",))
    with pytest.raises(TableValidationError, match=r"\[missing_column\] column 'v'"):
        validate(pd.DataFrame({"k": ["a"]}), schema)
    with pytest.raises(TableValidationError, match=r"\[dtype\] column 'v'"):
        validate(pd.DataFrame({"k": ["a"], "v": ["-1"]}), schema)


def test_nullable_integers_and_null_values_in_non_negative():
    df = pd.DataFrame({"region": ["a", "b"], "year": pd.array([2015, 2016], dtype="Int64"),
                       "employment": pd.array([3, None], dtype="Int64"), "unit": ["persons", "persons"]})
    validate(df, EMP)  # a null count is not negative; requiring non-null is `required`'s job


def test_validation_error_is_an_input_error():
    from i4districts.errors import I4DError, InputError

    assert issubclass(TableValidationError, InputError) and issubclass(TableValidationError, I4DError)
    assert issubclass(TableValidationError, ValueError)
