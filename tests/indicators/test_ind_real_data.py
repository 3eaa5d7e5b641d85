"""Indicators on real data from ../shared/data (read in place), cross-checked independently.

* Eurostat nama_10r_3empers for Italy: NUTS-3 employment by the ten NACE A*10
  groups (a partition of the economy), 2000–2017.
* ISTAT provincial unemployment rates (as packaged by pspatreg), 1996–2019.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from i4districts.indicators import location_quotients, specialization_indices
from i4districts.indicators.concentration import concentration_indices
from i4districts.indicators.spatial import spatial_polarization, theil_decomposition
from i4districts.vocabulary import to_vocabulary

A10 = ["A", "B-E", "F", "G-I", "J", "K", "L", "M-N", "O-Q", "R-U"]


@pytest.fixture(scope="module")
def italy(shared_data):
    raw = pd.read_csv(shared_data / "eurostat" / "IT_nama_10r_3empers.csv")
    raw["geo"] = raw["GeoId"].str.replace("dcid:nuts/", "", regex=False)
    cols = {f"Count_Person_Employed_NACE/{g}": g for g in A10}
    n3 = raw[(raw["geo"].str.len() == 5) & (raw["geo"] != "ITZZZ") & (raw["Date"] >= 2000)]
    long = n3.melt(id_vars=["geo", "Date"], value_vars=list(cols), var_name="nace", value_name="employment")
    long["nace"] = long["nace"].map(cols)
    long["employment"] = long["employment"].round()  # the source has float noise; whole persons
    nat = raw[(raw["geo"] == "IT") & raw["Date"].between(2000, 2017)].melt(
        id_vars=["Date"], value_vars=list(cols), var_name="nace", value_name="employment"
    )
    nat["nace"] = nat["nace"].map(cols)
    return to_vocabulary(long.rename(columns={"Date": "year"})), to_vocabulary(nat.rename(columns={"Date": "year"}))


def test_italy_lq_matches_independent_pandas_and_identity(italy):
    emp, _ = italy
    out = location_quotients(emp)
    e = emp.copy()
    e_r = e.groupby(["region", "year"])["value"].transform("sum")
    e_s = e.groupby(["sector", "year"])["value"].transform("sum")
    e_t = e.groupby("year")["value"].transform("sum")
    expected = (e["value"] / e_r) / (e_s / e_t)
    np.testing.assert_allclose(out["lq"].to_numpy(), expected.to_numpy(), rtol=1e-13)
    assert (out["flag"] == "ok").all()
    # employment-weighted mean LQ over regions is 1 for every sector-year
    w = (e_r / e_t).to_numpy()
    mean_lq = pd.Series(w * out["lq"].to_numpy()).groupby([e["sector"], e["year"]]).sum()
    np.testing.assert_allclose(mean_lq.to_numpy(), 1.0, rtol=1e-12)


def test_italy_reference_is_the_national_account(italy):
    emp, nat = italy
    # The national figures equal the sum of the NUTS-3 figures up to rounding, so LQs nearly agree.
    own = location_quotients(emp)["lq"].to_numpy()
    ref = location_quotients(emp, reference=nat)["lq"].to_numpy()
    np.testing.assert_allclose(ref, own, rtol=2e-3)


def test_italy_specialization_indices_against_pandas(italy):
    emp, _ = italy
    ind = specialization_indices(emp).set_index(["region", "year"]).sort_index()
    e = emp.copy()
    e["s"] = e["value"] / e.groupby(["region", "year"])["value"].transform("sum")
    e["q"] = e.groupby(["sector", "year"])["value"].transform("sum") / e.groupby("year")["value"].transform(
        "sum"
    )
    g = e.groupby(["region", "year"])
    krugman = g.apply(lambda d: np.abs(d["s"] - d["q"]).sum())
    herf = g.apply(lambda d: (d["s"] ** 2).sum())
    ent = g.apply(lambda d: -(d["s"][d["s"] > 0] * np.log(d["s"][d["s"] > 0])).sum())
    np.testing.assert_allclose(ind["krugman"], krugman.sort_index(), rtol=1e-12)
    np.testing.assert_allclose(ind["herfindahl"], herf.sort_index(), rtol=1e-12)
    np.testing.assert_allclose(ind["entropy"], ent.sort_index(), rtol=1e-12)
    assert len(ind) == emp[["region", "year"]].drop_duplicates().shape[0] == 110 * 18  # 110 NUTS-3 codes, 18 years
    # Milan (ITC4C) is among the least agriculture-specialised provinces: LQ(A) far below 1
    lq = location_quotients(emp).set_index(["region", "sector", "year"])["lq"]
    assert lq[("ITC4C", "A", 2015)] < 0.2


def test_italy_concentration_bounds(italy):
    emp, _ = italy
    conc = concentration_indices(emp)
    assert conc["hoover_localization"].between(0, 1).all()
    assert conc["locational_gini"].between(0, 1).all()
    # agriculture is more localised than the sum of all trades (G-I) in every year
    piv = conc.pivot(index="year", columns="sector", values="hoover_localization")
    assert (piv["A"] > piv["G-I"]).all()


def test_provinces_theil_and_spatial_polarization(shared_data):
    df = pd.read_csv(shared_data / "provinces_it" / "provinces_it_1996_2019.csv")
    df = df.assign(population=df["popdens"] * df["area"])
    th = theil_decomposition(df, value="unrate", group="South", weight="population").set_index("year")
    # independent computation for one year
    d = df[df["year"] == 2010]
    p = d["population"] / d["population"].sum()
    mu = (p * d["unrate"]).sum()
    T = (p * d["unrate"] / mu * np.log(d["unrate"] / mu)).sum()
    pg = p.groupby(d["South"]).sum()
    mug = (p * d["unrate"]).groupby(d["South"]).sum() / pg
    B = (pg * mug / mu * np.log(mug / mu)).sum()
    assert th.loc[2010, "theil"] == pytest.approx(T, rel=1e-12)
    assert th.loc[2010, "between"] == pytest.approx(B, rel=1e-12)
    np.testing.assert_allclose(th["between"] + th["within"], th["theil"], rtol=1e-12)
    # the North–South divide dominates Italian unemployment inequality
    assert (th["between_share"] > 0.5).all()
    sp = spatial_polarization(df, value="unrate", weight="population")
    assert len(sp) == 24 and (sp["gini"].between(0, 1)).all() and (sp["esteban_ray"] > 0).all()
