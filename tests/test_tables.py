"""``i4d.etable`` on fitted results: the table shows what the results hold (more in ``tests/tables/``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import i4districts as i4d
from i4districts.tables.regression import read_coefficients
from i4districts.tables.render import Table


@pytest.fixture(scope="module")
def fits():
    rng = np.random.default_rng(0)
    n_r, n_t = 40, 6
    df = pd.DataFrame({"region": np.repeat([f"R{i:02d}" for i in range(n_r)], n_t),
                       "year": np.tile(np.arange(2010, 2010 + n_t), n_r)})
    df["x"] = rng.normal(size=len(df))
    df["z"] = df["x"] + rng.normal(size=len(df))
    df["y"] = 0.5 * df["x"] + rng.normal(size=len(df)) + df["region"].str[1:].astype(int) / 10
    fe = i4d.feols("y ~ x | region + year", df, vcov={"CRV1": "region"})
    ols = i4d.feols("y ~ x", df, vcov="hetero")
    iv = i4d.feols("y ~ 1 | region + year | x ~ z", df, vcov={"CRV1": "region"})
    return df, fe, ols, iv


def test_etable_shows_the_fitted_numbers(fits):
    df, fe, ols, iv = fits
    table = i4d.etable([fe, ols, iv], type="table")
    assert isinstance(table, Table)
    g = i4d.etable([fe, ols, iv], type="df", labels={"y": "Outcome"})
    assert list(g.columns) == ["(1) Outcome", "(2) Outcome", "(3) Outcome"]
    assert g.loc["x"].tolist() == [f"{fe.coef()['x']:.4f}***", f"{ols.coef()['x']:.4f}***",
                                   f"{iv.coef()['x']:.4f}***"]
    assert g.loc["Within R²"].tolist() == [f"{fe.r2_within:.3f}", "", f"{iv.r2_within:.3f}"]
    assert g.loc["R²"].tolist() == [f"{fe.r2:.3f}", f"{ols.r2:.3f}", f"{iv.r2:.3f}"]
    assert g.loc["First-stage F"].tolist() == ["", "", f"{iv.first_stage_f:.2f}"]
    assert g.loc["Clusters"].tolist() == ["40", "", "40"]
    assert g.loc["Inference"].tolist() == ["CRV1 by region", "HC1", "CRV1 by region"]
    assert g.loc["region FE"].tolist() == ["Yes", "No", "Yes"]
    assert g.loc["Observations"].tolist() == ["240"] * 3


def test_etable_csv_reads_back_exactly(fits):
    _, fe, ols, _ = fits
    back = read_coefficients(i4d.etable([fe, ols], type="csv"))
    x = back[back["term"] == "x"].set_index("model")
    assert x.loc[fe.model_id, "estimate"] == fe.coef()["x"] and x.loc[fe.model_id, "std_error"] == fe.se()["x"]
    assert x.loc[ols.model_id, "p"] == ols.tidy().set_index("term").loc["x", "p"]


def test_etable_options(fits):
    _, fe, ols, _ = fits
    md = i4d.etable([fe, ols], type="md", model_labels={fe.model_id: "FE"}, statistic="t", stars=False,
                    column_groups={"All": [fe.model_id, ols.model_id]}, units={"y": "persons"})
    assert "| (1) FE |" in md and "Column groups: All: (1)–(2)" in md and "t statistics in brackets" in md
    assert "| Dependent variable | y (persons) |" in md and "***" not in md
    assert "<table" in i4d.etable(fe, type="html") and r"\toprule" in i4d.etable(fe, type="tex")
    with pytest.raises(ValueError, match="type"):
        i4d.etable(fe, type="xlsx")
    with pytest.raises(ValueError, match="model_labels"):
        i4d.etable([fe, ols], model_labels=["a"])
    with pytest.raises(ValueError, match="no results"):
        i4d.etable([])
