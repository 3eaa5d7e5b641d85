"""Tables of a synthetic world: determinism, keys, accounting invariants, layouts the workflow reads."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from i4districts import io, synth
from i4districts.errors import ConfigError
from i4districts.harmonize.panel import build_panel
from i4districts.indicators.education import education_tier_shares
from i4districts.sample import SAMPLE_SCHEMA, load_embedded_sample
from i4districts.synth.world import italian_nuts3
from i4districts.validation import validate
from i4districts.vocabulary import to_vocabulary

KEYS = {
    "municipalities": ["municipality"],
    "employment": ["region", "sector", "size_class", "year"],
    "sll_employment": ["region", "sector", "size_class", "year"],
    "adoption": ["sector", "year"],
    "adoption_sample_sectors": ["sector", "year"],
    "education": ["region", "year", "isced11"],
    "sample": ["geo", "nace", "year"],
    "shares": ["region", "sector"],
    "shifts": ["sector", "period"],
    "outcomes": ["region", "period"],
}
BOUNDS = {"W0_9": (1, 9), "W10_49": (10, 49), "W50_249": (50, 249), "W_GE250": (250, np.inf)}
#: NACE Rev. 2 sections by division range (Eurostat 2008, NACE Rev. 2, Part III), written out here independently.
SECTION_RANGES = {"A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39), "F": (41, 43),
                  "G": (45, 47), "H": (49, 53), "I": (55, 56), "J": (58, 63), "K": (64, 66), "L": (68, 68),
                  "M": (69, 75), "N": (77, 82), "O": (84, 84), "P": (85, 85), "Q": (86, 88), "R": (90, 93),
                  "S": (94, 96), "T": (97, 98), "U": (99, 99)}


def _section(div: str) -> str:
    d = int(div)
    return next(s for s, (a, b) in SECTION_RANGES.items() if a <= d <= b)


def test_same_seed_gives_byte_identical_parquet(tmp_path, tiny_dir):
    again = synth.write_world(synth.generate("tiny", seed=11), tmp_path / "again")
    for path in again:
        assert io.sha256_file(path) == io.sha256_file(tiny_dir / path.name), path.name
    other = synth.write_world(synth.generate("tiny", seed=12), tmp_path / "other")
    assert io.sha256_file(other[0].parent / "sample.parquet") != io.sha256_file(tiny_dir / "sample.parquet")


def test_files_are_labelled_synthetic(tiny_dir, tiny_world):
    for name in synth.TABLES:
        notes = io.read_notes(tiny_dir / f"{name}.parquet")
        assert synth.SYNTHETIC_NOTE in notes, name
        assert pd.read_parquet(tiny_dir / f"{name}.parquet").equals(getattr(tiny_world, name)), name
    assert "SYNTHETIC DATA (not real)" in (tiny_dir / "README.md").read_text("utf-8")
    truth = json.loads((tiny_dir / "truth.json").read_text("utf-8"))
    assert truth["synthetic"] is True and truth["seed"] == 11


@pytest.mark.parametrize("name", list(KEYS))
def test_keys_unique_and_values_non_negative(regional_world, name):
    df = getattr(regional_world, name)
    assert not df.duplicated(KEYS[name]).any()
    assert not df[KEYS[name]].isna().any().any()
    numeric = df.select_dtypes("number")
    assert (numeric.drop(columns=[c for c in ("d_ln_employment", "shift") if c in numeric]) >= 0).all().all()


def test_employment_cells_respect_size_class_bounds(regional_world):
    for df in (regional_world.employment, regional_world.sll_employment):
        assert (df["value"] > 0).all() and (df["value"] % 1 == 0).all()
        assert (df["unit"] == "persons").all()
        cats = df["size_class"].cat.categories
        lo = np.array([BOUNDS[c][0] for c in cats])[df["size_class"].cat.codes]
        hi = np.array([BOUNDS[c][1] for c in cats])[df["size_class"].cat.codes]
        u = df["local_units"].to_numpy()
        assert (u >= 1).all()
        assert (df["value"].to_numpy() >= lo * u).all() and (df["value"].to_numpy() <= hi * u).all()


def test_municipality_sums_equal_sll_sums_equal_nuts_sums(regional_world):
    w = regional_world
    munis = w.municipalities.set_index("municipality")
    emp = w.employment.assign(sll=w.employment["region"].astype(str).map(munis["sll"]),
                              nuts3=w.employment["region"].astype(str).map(munis["nuts3"]))
    assert emp["sll"].notna().all()
    by_sll = emp.groupby(["sll", "sector", "size_class", "year"], observed=True)[["value", "local_units"]].sum()
    by_sll = by_sll.reset_index().astype({"sll": str, "sector": str, "size_class": str})
    sll = w.sll_employment.astype({"region": str, "sector": str, "size_class": str})
    both = sll.merge(by_sll, left_on=["region", "sector", "size_class", "year"],
                     right_on=["sll", "sector", "size_class", "year"], how="outer", suffixes=("", "_munis"))
    assert len(both) == len(sll) == len(by_sll)
    assert (both["value"] == both["value_munis"]).all() and (both["local_units"] == both["local_units_munis"]).all()
    # NUTS-3 and higher totals of the sample
    s = w.sample[w.sample["nace"] == "TOTAL"].assign(geo=lambda d: d["geo"].astype(str))
    n3 = emp.groupby(["nuts3", "year"])["value"].sum().rename("want").reset_index()
    got = s[s["nuts_level"] == 3].merge(n3, left_on=["geo", "year"], right_on=["nuts3", "year"], how="outer")
    assert got["want"].notna().all() and got["employment"].notna().all()
    assert (got["employment"].astype(float) == got["want"]).all()
    for level, width in ((2, 4), (1, 3), (0, 2)):
        up = s[s["nuts_level"] == level].set_index(["geo", "year"])["employment"].sort_index()
        down = s[s["nuts_level"] == 3].assign(geo=lambda d: d["geo"].str.slice(0, width)).groupby(
            ["geo", "year"])["employment"].sum().sort_index()
        assert up.index.tolist() == down.index.tolist() and (up.to_numpy() == down.to_numpy()).all()
    base = emp[emp["year"] == w.truth["base_year"]].groupby(emp["region"].astype(str))["value"].sum()
    assert (munis["employment"].reindex(base.index) == base).all() and munis["employment"].sum() == base.sum()
    assert (munis["population"] >= munis["employment"]).all()
    # each SLL lies in one NUTS-3 region; NUTS-2 is the NUTS-3 prefix
    assert (w.municipalities.groupby("sll")["nuts3"].nunique() == 1).all()
    assert (w.municipalities["nuts2"] == w.municipalities["nuts3"].str.slice(0, 4)).all()


def test_sample_is_in_the_embedded_layout_and_runs_through_the_panel(tiny_world):
    s = tiny_world.sample
    emb = load_embedded_sample()
    assert list(s.columns) == list(emb.columns)
    assert (s.dtypes == emb.dtypes).all()
    assert set(s["nace"]) == set(emb["nace"])
    validate(s, SAMPLE_SCHEMA, source="synthetic sample")
    years = tiny_world.truth["years"]
    panel, report = build_panel(to_vocabulary(s, vintage="synthetic", table="synthetic"), sectors="A10_split_C",
                                vintage="synthetic", country="IT", region_level=3, years=tuple(years),
                                table="synthetic sample")
    assert len(report.gaps) == 0
    assert set(report.sector_additivity["status"]) == {"ok"}
    assert len(panel) == s[s["nuts_level"] == 3]["geo"].nunique() * 11 * (years[1] - years[0] + 1)


def test_sample_sectors_aggregate_the_divisions(tiny_world):
    e = tiny_world.employment
    m = tiny_world.municipalities.set_index("municipality")["nuts3"]
    sections = {d: _section(d) for d in e["sector"].cat.categories}
    t = e.assign(nuts3=e["region"].astype(str).map(m), section=e["sector"].astype(str).map(sections))
    s = tiny_world.sample[tiny_world.sample["nuts_level"] == 3].astype({"geo": str, "nace": str})
    for code, letters in {"C": "C", "B-E": "BCDE", "G-J": "GHIJ", "K-N": "KLMN", "O-U": "OPQRSTU", "A": "A"}.items():
        want = t[t["section"].isin(list(letters))].groupby(["nuts3", "year"])["value"].sum().rename("want")
        got = s[s["nace"] == code].merge(want.reset_index(), left_on=["geo", "year"], right_on=["nuts3", "year"],
                                          how="left")
        assert (got["employment"].astype(float) == got["want"].fillna(0.0)).all(), code


def test_real_nuts_2016_codes(regional_world, shared_data):
    geo = json.loads((shared_data / "geo" / "NUTS_RG_20M_2016_4326_LEVL_3.geojson").read_text("utf-8"))
    official = {f["properties"]["NUTS_ID"] for f in geo["features"]}
    assert set(regional_world.municipalities["nuts3"]) <= official
    assert set(italian_nuts3()) == {c for c in official if c.startswith("IT")}


def test_education_tiers_add_up(tiny_world):
    ed = tiny_world.education
    wide = ed.pivot(index=["region", "year"], columns="isced11", values="value")
    assert np.allclose(wide[["ED0-2", "ED3_4", "ED5-8"]].sum(axis=1), wide["TOTAL"])
    n2 = tiny_world.sample.query("nuts_level == 2 and nace == 'TOTAL'").set_index(["geo", "year"])["employment"]
    assert np.allclose(wide["TOTAL"].to_numpy(), n2.sort_index().to_numpy())
    shares = education_tier_shares(ed, countries=("IT",), age="Y_GE15", unit="persons")
    assert shares["complete"].all() and np.allclose(shares.groupby(["region", "year"])["value"].sum(), 1.0)
    high = shares[shares["tier"] == "high"].sort_values("year").groupby("region")["value"]
    assert (high.last() > high.first()).all()  # the declared upgrading trend


def test_adoption_paths_rise_and_differ_across_sectors(regional_world):
    a = regional_world.adoption.sort_values(["sector", "year"])
    assert a["value"].between(0, 100).all()
    assert (a.groupby("sector")["value"].diff().dropna() >= 0).all()
    last = a[a["year"] == a["year"].max()].set_index("sector")["value"]
    assert last[[f"{d}" for d in range(10, 34)]].mean() > 2 * last[["47", "56", "85"]].mean()
    a10 = regional_world.adoption_sample_sectors
    assert set(a10["sector"]) == {"A", "B_D_E", "C", "F", "G-I", "J", "K", "L", "M-N", "O-Q", "R-U"}


def test_shares_shifts_exposure_and_growth_follow_from_the_tables(regional_world):
    w = regional_world
    base = w.sll_employment[w.sll_employment["year"] == w.truth["base_year"]]
    by = base.groupby(["region", "sector"], observed=True)["value"].sum()
    share = (by / by.groupby(level="region").transform("sum")).rename("want")
    got = w.shares.set_index(["region", "sector"])["share"]
    assert np.allclose(got.sort_index().to_numpy(), share.reindex(got.sort_index().index).to_numpy())
    adoption = w.adoption.set_index(["sector", "year"])["value"]
    for p in w.shifts.itertuples():
        assert np.isclose(p.shift, adoption[(p.sector, p.end)] - adoption[(p.sector, p.start)])
    merged = w.shares.merge(w.shifts, on="sector")
    expo = (merged["share"] * merged["shift"]).groupby([merged["region"], merged["period"]]).sum()
    frame = w.outcomes.set_index(["region", "period"])
    assert np.allclose(frame["exposure"], expo.reindex(frame.index))
    tot = w.sll_employment.groupby(["region", "year"], observed=True)["value"].sum()
    for row in w.outcomes.head(30).itertuples():
        want = 100 * (np.log(tot[(row.region, row.end)]) - np.log(tot[(row.region, row.start)]))
        assert np.isclose(row.d_ln_employment, want)
    planted = {d["sll"] for d in w.truth["districts"]["planted"]}
    assert set(w.outcomes.loc[w.outcomes["district"] == 1, "region"]) == planted
    assert w.truth["outcome_model"]["rounding"]["max_abs_observed_minus_model"] < 0.2


def test_skewed_sizes(regional_world):
    tot = regional_world.sll_employment.query("year == @regional_world.truth['base_year']").groupby(
        "region", observed=True)["value"].sum()
    assert tot.max() > 8 * tot.median() and tot.min() < tot.median() / 2
    per_muni = regional_world.municipalities.groupby("sll").size()
    assert per_muni.max() > 3 * per_muni.median()


def test_named_scales_and_bad_arguments():
    national = synth.SCALES["national"]
    assert (national.n_municipalities, national.n_sll, national.n_years) == (7900, 600, 15)
    with pytest.raises(ConfigError, match="unknown scale 'huge'"):
        synth.generate("huge")
    with pytest.raises(ConfigError, match="seed"):
        synth.generate("tiny", seed=-1)
    with pytest.raises(ConfigError, match="n_municipalities"):
        synth.generate(synth.Scale("bad", n_municipalities=10, n_sll=30, n_districts=5, n_near_misses=1,
                                   nuts2=("ITI1",)))
    with pytest.raises(ConfigError, match="nuts2"):
        synth.generate(synth.Scale("bad", n_municipalities=100, n_sll=30, n_districts=5, n_near_misses=1,
                                   nuts2=("XX99",)))
