"""Spec validation, safe sector-cluster expressions, table-to-design and CLI."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import pytest

from i4districts.shiftshare import (
    ShiftShareInputError,
    ShiftShareSpec,
    SpecError,
    control_matrix,
    fit_shiftshare,
    load_spec,
    parse_spec,
    sector_clusters,
    share_matrix,
)
from i4districts.shiftshare.cli import main_shiftshare, register
from i4districts.shiftshare.expressions import evaluate_expression


# ------------------------------------------------------------------ spec
def test_parse_spec_ols_and_iv():
    s = parse_spec({"outcome": "y", "regressor": "x", "methods": ["akm", "ehw"]})
    assert not s.is_iv and s.shift_share_variable == "x"
    assert s.methods == ("ehw", "akm")  # canonical order
    s = parse_spec({"outcome": "y", "endogenous": "d", "instrument": "z", "methods": "all",
                    "region_cluster": "state"})
    assert s.is_iv and s.shift_share_variable == "z" and len(s.methods) == 5


@pytest.mark.parametrize(
    "raw, pattern",
    [
        ({"regressor": "x"}, r"'outcome' is a required property"),
        ({"outcome": "y"}, r"either 'regressor'"),
        ({"outcome": "y", "regressor": "x", "instrument": "z"}, r"either 'regressor'"),
        ({"outcome": "y", "endogenous": "d"}, r"either 'regressor'"),
        ({"outcome": "y", "regressor": "x", "methods": ["hc3"]}, r"methods/0"),
        ({"outcome": "y", "regressor": "x", "colour": 1}, r"Additional properties.*colour"),
        ({"outcome": "y", "regressor": "x", "alpha": 1.5}, r"'alpha'"),
        ({"outcome": "y", "regressor": "x", "methods": ["cluster"]}, r"'region_cluster' is required"),
        ({"outcome": "y", "regressor": "x", "categorical": ["d"]}, r"not controls.*'d'"),
        (["outcome"], r"must be a mapping"),
    ],
)
def test_parse_spec_rejects(raw, pattern):
    with pytest.raises(SpecError, match=pattern):
        parse_spec(raw)


def test_load_spec_yaml(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("outcome: y\nregressor: x\nsector_cluster: floor(sector/10)\n")
    assert load_spec(p).sector_cluster == "floor(sector/10)"
    p.write_text("outcome: [unclosed\n")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_spec(p)


# ----------------------------------------------------------- expressions
def test_expressions_numeric_and_string():
    sec = pd.Series([2011, 2015, 3999])
    assert evaluate_expression("floor(sector/10)", {"sector": sec}, field="f").tolist() == [201, 201, 399]
    assert evaluate_expression("sector // 100", {"sector": sec}, field="f").tolist() == [20, 20, 39]
    nace = pd.Series(["C10.1", "C10.2", "C11"])
    assert evaluate_expression("substr(sector, 0, 3)", {"sector": nace}, field="f").tolist() == [
        "C10", "C10", "C11"]
    assert evaluate_expression("left(sector, 1)", {"sector": nace}, field="f").tolist() == ["C"] * 3


@pytest.mark.parametrize(
    "expr",
    ["__import__('os').system('true')", "sector.__class__", "sector[0]",
     "(lambda: 1)()", "open('x')", "[s for s in sector]", "unknown + 1", "floor(sector, key=1)"],
)
def test_expressions_reject_unsafe(expr):
    with pytest.raises(SpecError, match="sector_cluster"):
        evaluate_expression(expr, {"sector": pd.Series([1, 2])}, field="sector_cluster")


def test_sector_clusters_from_table_column_and_expression():
    cols = np.array([2011, 2015, 3999], dtype=object)
    table = pd.DataFrame({"sector": [3999, 2011, 2015], "group": ["b", "a", "a"]})
    assert sector_clusters(cols, "group", table).tolist() == ["a", "a", "b"]
    assert sector_clusters(cols, "floor(sector/1000)").tolist() == [2, 2, 3]
    with pytest.raises(ShiftShareInputError, match=r"lacks sectors.*3999"):
        sector_clusters(cols, "group", table.iloc[1:])


# ----------------------------------------------------------------- design
def _toy_tables():
    regions = pd.DataFrame({
        "row": [10, 20, 30, 40, 50, 60],
        "y": [1.0, 2.0, 0.5, -1.0, 3.0, 0.0],
        "x": [0.3, 0.1, -0.2, 0.4, 0.0, -0.1],
        "per": [1, 1, 1, 2, 2, 2],
        "kind": ["a", "b", "a", "c", "b", "a"],
        "flag": [True, False, True, False, False, True],
    })
    shares = pd.DataFrame({
        "row": [10, 10, 20, 30, 40, 40, 50],
        "sector": [111, 122, 111, 122, 111, 122, 111],
        "share": [0.5, 0.5, 1.0, 0.8, 0.25, 0.75, 0.6],
    })
    return regions, shares


def test_share_matrix_layout_and_period_split():
    regions, shares = _toy_tables()
    W, labels, col_sector = share_matrix(shares, regions["row"].tolist())
    assert labels == [111, 122]
    np.testing.assert_allclose(W, [[.5, .5], [1, 0], [0, .8], [.25, .75], [.6, 0], [0, 0]])
    W2, labels2, cs2 = share_matrix(shares, regions["row"].tolist(), period=regions["per"])
    assert labels2 == [(1, 111), (1, 122), (2, 111), (2, 122)]
    assert cs2.tolist() == [111, 122, 111, 122]
    np.testing.assert_allclose(W2.sum(axis=1), W.sum(axis=1))
    assert W2[3].tolist() == [0, 0, .25, .75]


@pytest.mark.parametrize(
    "mutate, pattern",
    [
        (lambda s: pd.concat([s, pd.DataFrame({"row": [99], "sector": [111], "share": [0.1]})]),
         r"rows absent from the regions table: \[99\]"),
        (lambda s: pd.concat([s, s.iloc[[0]]]), r"duplicate cells"),
        (lambda s: s.assign(share=s.share.where(s.row != 20)), r"missing, non-numeric or negative"),
        (lambda s: s.assign(share=-s.share), r"negative"),
        (lambda s: s.drop(columns="share"), r"'share' is missing"),
    ],
)
def test_share_matrix_bad_input(mutate, pattern):
    regions, shares = _toy_tables()
    with pytest.raises(ShiftShareInputError, match=pattern):
        share_matrix(mutate(shares), regions["row"].tolist())


def test_control_matrix_dummies():
    regions, _ = _toy_tables()
    Z, names = control_matrix(regions, ["x", "kind", "flag", "per"], categorical=["per"])
    assert names == ["(intercept)", "x", "kind[b]", "kind[c]", "flag", "per[2]"]
    assert Z[:, 2].tolist() == [0, 1, 0, 0, 1, 0]
    assert Z[:, 4].tolist() == [1, 0, 1, 0, 0, 1]


def test_spec_dataclass_checks_consistency():
    with pytest.raises(SpecError, match="region_cluster"):
        ShiftShareSpec(outcome="y", regressor="x")  # default methods include 'cluster'
    with pytest.raises(SpecError, match="either 'regressor'"):
        ShiftShareSpec(outcome="y", regressor="x", instrument="z", methods=("akm",))


def test_fit_toy_end_to_end_with_period_and_sector_table():
    regions, shares = _toy_tables()
    spec = ShiftShareSpec(outcome="y", regressor="x", controls=("flag",), period="per",
                          sector_cluster="group", methods=("ehw", "akm", "akm0"))
    table = pd.DataFrame({"sector": [111, 122], "group": ["g", "g"]})
    res = fit_shiftshare(regions, shares, spec, table)
    assert res.n == 6 and res.n_sectors == 4 and res.n_sector_clusters == 1
    assert res.controls == ("(intercept)", "flag")


def test_fit_rejects_missing_values_naming_rows():
    regions, shares = _toy_tables()
    regions.loc[2, "y"] = np.nan
    spec = ShiftShareSpec(outcome="y", regressor="x", methods=("ehw",))
    with pytest.raises(ShiftShareInputError, match=r"regions table: 'y' has missing values at rows: \[30\]"):
        fit_shiftshare(regions, shares, spec)
    with pytest.raises(ShiftShareInputError, match=r"'nope' is missing"):
        fit_shiftshare(regions, shares, ShiftShareSpec(outcome="nope", regressor="x", methods=("ehw",)))


# -------------------------------------------------------------------- CLI
def test_register_adds_subcommand_with_help(capsys):
    parser = argparse.ArgumentParser(prog="i4d")
    sub = parser.add_subparsers(dest="command")
    register("estimate", sub)
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(["shiftshare", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for word in ("--input", "--shares", "--spec", "--out", "--parquet", "AKM0", "sector_cluster"):
        assert word in out
    args = parser.parse_args(["shiftshare", "-i", "r", "--shares", "s", "--spec", "p", "-o", "o"])
    assert args.func is main_shiftshare


def test_cli_reports_bad_spec(tmp_path):
    regions, shares = _toy_tables()
    regions.to_parquet(tmp_path / "r.parquet")
    shares.to_parquet(tmp_path / "s.parquet")
    (tmp_path / "spec.yaml").write_text("outcome: y\n")
    parser = argparse.ArgumentParser(prog="i4d")
    register("estimate", parser.add_subparsers(dest="command"))
    ns = parser.parse_args(["shiftshare", "-i", str(tmp_path / "r.parquet"), "--shares", str(tmp_path / "s.parquet"),
                            "--spec", str(tmp_path / "spec.yaml"), "-o", str(tmp_path / "o.json")])
    with pytest.raises(SpecError, match="either 'regressor'"):  # reported by i4districts.cli.main (exit 2)
        main_shiftshare(ns)
    assert not (tmp_path / "o.json").exists()
