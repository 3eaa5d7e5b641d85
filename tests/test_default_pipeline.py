"""The default pipeline's numbers against independent references.

* Manufacturing (NACE C) location quotients for 2015, computed by hand from the
  published CSV cells.
* The two-way fixed-effects estimate against ``linearmodels.PanelOLS`` on the
  same model frame (entity and time effects, clustered by entity).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from linearmodels.panel import PanelOLS

from i4districts import io
from i4districts.cli import main
from i4districts.pipeline import steps

REPO = Path(__file__).resolve().parents[1]


def i4d(*args: object) -> None:
    """Run one ``i4d`` command (the steps run without Snakemake), failing on a non-zero exit."""
    assert main([str(a) for a in args]) == 0, args


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """Run every step of the default pipeline through the CLI (without Snakemake) into a temporary directory."""
    d = tmp_path_factory.mktemp("pipeline")
    i4d("data", "sample", "-o", d / "sample.parquet")
    i4d("data", "panel", "-i", d / "sample.parquet", "-o", d / "panel.parquet")
    i4d("indicators", "specialization", "-i", d / "panel.parquet", "-o", d / "specialization.parquet")
    i4d("exposure", "adoption", "-i", d / "panel.parquet", "-o", d / "adoption.parquet", "--seed", 20240917)
    i4d("exposure", "build", "-i", d / "panel.parquet", "--adoption", d / "adoption.parquet", "--base-year", 2000,
        "-o", d / "exposure.parquet")
    i4d("data", "frame", "-i", d / "panel.parquet", "--exposure", d / "exposure.parquet", "--base-year", 2000,
        "-o", d / "frame.parquet")
    return d


def _lq_c_2015(run: Path) -> pd.Series:
    s = pd.read_parquet(run / "specialization.parquet")
    sel = s[(s["indicator"] == "lq") & (s["sector"] == "C") & (s["year"] == 2015)]
    return sel.set_index("region")["value"]


def test_manufacturing_lq_2015_by_hand(run: Path):
    # Cells of IT_nama_10r_3empers.csv for 2015 (persons): C and total employment.
    #   ITI35 Fermo     C 25,800   total  72,000
    #   ITH32 Vicenza   C 138,300  total 393,500
    #   ITI15 Prato     C 39,400   total 117,400
    # Reference economy: the NUTS-3 regions without extra-regio ITZZZ (C 0, total 6,100):
    #   C = 3,833,400 (Italy) - 0 = 3,833,400; total = 24,516,200 - 6,100 = 24,510,100.
    ref = 3_833_400 / 24_510_100
    expected = {"ITI35": 25_800 / 72_000 / ref, "ITH32": 138_300 / 393_500 / ref, "ITI15": 39_400 / 117_400 / ref}
    lq = _lq_c_2015(run)
    for geo, value in expected.items():
        assert lq[geo] == pytest.approx(value, rel=1e-12)
    assert expected["ITI35"] == pytest.approx(2.2911, abs=1e-4)
    # Fermo, Vicenza and Prato are the three most specialised in manufacturing.
    assert list(lq.sort_values(ascending=False).index[:3]) == ["ITI35", "ITH32", "ITI15"]
    assert len(lq) == 110  # NUTS 2016 provinces of Italy, extra-regio excluded


def test_manufacturing_lq_matches_raw_csv(run: Path, shared_data: Path):
    raw = pd.read_csv(shared_data / "eurostat" / "IT_nama_10r_3empers.csv")
    raw["geo"] = raw["GeoId"].str.removeprefix("dcid:nuts/")
    r = raw[(raw["Date"] == 2015) & (raw["geo"].str.len() == 5) & (raw["geo"] != "ITZZZ")]
    c = r["Count_Person_Employed_NACE/C"].round()
    t = r["Count_Person_Employed"].round()
    expected = pd.Series(((c / t) / (c.sum() / t.sum())).to_numpy(), index=r["geo"])
    lq = _lq_c_2015(run)
    lq.index = lq.index.astype(str)
    expected.index = expected.index.astype(str)
    pd.testing.assert_series_equal(lq.sort_index(), expected.sort_index(), check_names=False,
                                   check_index_type=False, rtol=1e-12)


def test_employment_weighted_mean_lq_is_one(run: Path):
    panel = pd.read_parquet(run / "panel.parquet")
    s = pd.read_parquet(run / "specialization.parquet")
    lq = s[s["indicator"] == "lq"].merge(panel, on=["region", "sector", "year"], suffixes=("", "_emp"))
    region_total = lq.groupby(["region", "year"])["value_emp"].transform("sum")
    # identity: sum_r (E_r / E) LQ_rs = sum_r E_rs / E_s = 1 for every sector and year
    weighted = (lq["value"] * region_total / lq.groupby("year")["value_emp"].transform("sum"))
    sums = weighted.groupby([lq["sector"], lq["year"]]).sum()
    assert sums.to_numpy() == pytest.approx(1.0, rel=1e-12)


def test_twfe_estimate_equals_panelols(run: Path, tmp_path: Path):
    from i4districts.estimation import ModelSpec, fit

    frame = pd.read_parquet(run / "frame.parquet")
    spec = ModelSpec.from_yaml(REPO / "config" / "models" / "twfe_exposure.yaml")
    result = fit(frame, spec)
    ours = result.coefficients.set_index("term").loc["exposure_change"]

    data = frame.set_index(["region", "year"])
    ref = PanelOLS(data["employment_growth"], data[["exposure_change"]], entity_effects=True,
                   time_effects=True).fit(cov_type="clustered", cluster_entity=True)
    assert ours["estimate"] == pytest.approx(ref.params["exposure_change"], rel=1e-10, abs=0)
    assert ours["std_error"] == pytest.approx(ref.std_errors["exposure_change"], rel=1e-8)

    steps.table([_write(result, tmp_path / "twfe_exposure.json")], [run / "frame.parquet"], tmp_path,
                name="t", formats=["csv", "md", "tex"])
    from i4districts.tables.regression import read_coefficients

    coefs = read_coefficients(tmp_path / "t.csv")
    assert coefs.loc[coefs["term"] == "exposure_change", "estimate"].iloc[0] == pytest.approx(
        ref.params["exposure_change"], rel=1e-10, abs=0)
    for ext in ("md", "tex"):
        assert "illustrative adoption data" in (tmp_path / f"t.{ext}").read_text()


def test_heterogeneity_model_equals_panelols_with_interaction(run: Path):
    from i4districts.estimation import ModelSpec, fit

    frame = pd.read_parquet(run / "frame.parquet")
    spec = ModelSpec.from_yaml(REPO / "config" / "models" / "twfe_exposure_by_specialisation.yaml")
    ours = fit(frame, spec).coefficients.set_index("term")
    data = frame.set_index(["region", "year"])
    data["inter"] = data["exposure_change"] * data["manufacturing_specialised"]
    ref = PanelOLS(data["employment_growth"], data[["exposure_change", "inter"]], entity_effects=True,
                   time_effects=True).fit(cov_type="clustered", cluster_entity=True)
    term = "exposure_change:manufacturing_specialised"
    assert ours.loc[term, "estimate"] == pytest.approx(ref.params["inter"], rel=1e-10)
    assert ours.loc[term, "std_error"] == pytest.approx(ref.std_errors["inter"], rel=1e-8)
    assert ours.loc["exposure_change", "estimate"] == pytest.approx(ref.params["exposure_change"], rel=1e-10)


def test_long_difference_equals_statsmodels_hc1_on_hand_built_differences(run: Path):
    import statsmodels.api as sm

    from i4districts.estimation import ModelSpec, fit

    frame = pd.read_parquet(run / "frame.parquet")
    spec = ModelSpec.from_yaml(REPO / "config" / "models" / "ld_exposure.yaml")
    ours = fit(frame, spec).coefficients.set_index("term")
    wide = frame.pivot(index="region", columns="year", values=["ln_employment_x100", "exposure"])
    dy = wide[("ln_employment_x100", 2017)] - wide[("ln_employment_x100", 2001)]
    dx = wide[("exposure", 2017)] - wide[("exposure", 2001)]
    ref = sm.OLS(dy.to_numpy(), sm.add_constant(dx.to_numpy())).fit(cov_type="HC1")
    assert ours.loc["exposure", "estimate"] == pytest.approx(ref.params[1], rel=1e-10)
    assert ours.loc["exposure", "std_error"] == pytest.approx(ref.bse[1], rel=1e-8)


def test_manufacturing_specialisation_flag_by_hand(run: Path):
    frame = pd.read_parquet(run / "frame.parquet").drop_duplicates("region").set_index("region")
    panel = pd.read_parquet(run / "panel.parquet")
    base = panel[panel["year"] == 2000]
    c = base[base["sector"] == "C"].set_index("region")["value"]
    total = base.groupby("region")["value"].sum()
    lq = (c / total) / (c.sum() / total.sum())
    pd.testing.assert_series_equal(frame["manufacturing_lq_base"].sort_index(), lq.sort_index().astype(float),
                                   check_names=False, check_index_type=False, rtol=1e-12)
    assert frame.loc["ITH32", "manufacturing_specialised"] == 1  # Vicenza
    assert frame.loc["ITI43", "manufacturing_specialised"] == 0  # Roma


def test_user_table_with_the_illustrative_values_gives_the_same_frame(run: Path, tmp_path: Path):
    # Independent route: the same numbers entered as a user CSV must give the same exposure and frame.
    illustrative = pd.read_parquet(run / "adoption.parquet")
    csv = tmp_path / "robots.csv"
    illustrative.rename(columns={"value": "robots"})[["sector", "year", "robots"]].to_csv(csv, index=False)
    i4d("exposure", "adoption", "-i", run / "panel.parquet", "-o", tmp_path / "adoption.parquet", "--source", "table",
        "--table", csv, "--column", "robots", "--unit", "robots per 1000 workers")
    i4d("exposure", "build", "-i", run / "panel.parquet", "--adoption", tmp_path / "adoption.parquet",
        "--base-year", 2000, "-o", tmp_path / "exposure.parquet")
    i4d("data", "frame", "-i", run / "panel.parquet", "--exposure", tmp_path / "exposure.parquet",
        "--base-year", 2000, "-o", tmp_path / "frame.parquet")
    ours = pd.read_parquet(tmp_path / "frame.parquet")
    ref = pd.read_parquet(run / "frame.parquet")
    pd.testing.assert_frame_equal(ours, ref, rtol=1e-12)
    assert set(pd.read_parquet(tmp_path / "exposure.parquet")["unit"]) == {"robots per 1000 workers"}
    notes = io.read_notes(tmp_path / "frame.parquet")
    assert not any("illustrative" in n for n in notes) and any("robots.csv" in n for n in notes)


def test_sd_normalised_exposure_scales_the_coefficient(run: Path, tmp_path: Path):
    from i4districts.estimation import ModelSpec, fit

    i4d("exposure", "build", "-i", run / "panel.parquet", "--adoption", run / "adoption.parquet",
        "--base-year", 2000, "--normalisation", "sd", "-o", tmp_path / "exposure.parquet")
    i4d("data", "frame", "-i", run / "panel.parquet", "--exposure", tmp_path / "exposure.parquet",
        "--base-year", 2000, "-o", tmp_path / "frame.parquet")
    spec = ModelSpec.from_yaml(REPO / "config" / "models" / "twfe_exposure.yaml")
    raw = pd.read_parquet(run / "frame.parquet")
    sd = raw["exposure_change"].std(ddof=1)
    b_raw = fit(raw, spec).coefficients.set_index("term").loc["exposure_change", "estimate"]
    b_sd = fit(pd.read_parquet(tmp_path / "frame.parquet"), spec).coefficients.set_index("term").loc["exposure_change", "estimate"]
    assert b_sd == pytest.approx(b_raw * sd, rel=1e-10)


def _write(result, path: Path) -> Path:
    result.write_json(path)
    json.loads(path.read_text())  # valid JSON
    return path
