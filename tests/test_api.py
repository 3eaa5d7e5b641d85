"""The Python API (i4d.feols, i4d.etable), the one results protocol and the estimator guards."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import i4districts as i4d
from i4districts.errors import EstimationError, InputError, SpecError
from i4districts.estimation import ModelSpec, fit
from i4districts.estimation.formula import parse_formula, parse_vcov
from i4districts.estimation.simulate import simulate_panel
from i4districts.results import COMMON_KEYS, TIDY_COLUMNS

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module", params=["balanced", "unbalanced"])
def panel(request):
    drop = 0.0 if request.param == "balanced" else 0.2
    df = simulate_panel(80, 9, n_clusters=20, cluster_sd=0.5, drop_share=drop, seed=11)
    return df.rename(columns={"geo": "region"})


@pytest.fixture(scope="module")
def iv_panel():
    df = simulate_panel(60, 6, seed=3).rename(columns={"geo": "region"})
    rng = np.random.default_rng(5)
    v = rng.normal(size=len(df))
    df["inst"] = rng.normal(size=len(df))
    df["inst2"] = rng.normal(size=len(df))
    df["endo"] = 0.8 * df.inst + 0.3 * df.inst2 + v + 0.3 * df.x
    df["y"] = df.y + 0.7 * df.endo + 0.8 * v
    return df


@pytest.fixture(scope="module")
def ss_result():
    """A shift-share OLS result (AKM inference) on small random data."""
    from i4districts.shiftshare import reg_ss, share_design

    rng = np.random.default_rng(0)
    n, s = 40, 6
    W = rng.dirichlet(np.ones(s), size=n) * 0.9
    shocks = rng.normal(size=s)
    x = W @ shocks
    y = 0.5 * x + rng.normal(size=n)
    return reg_ss(y, x, share_design(W), methods=["homoskedastic", "ehw", "akm", "akm0"],
                  names=("growth", "exposure"), model_id="ss1")


# ------------------------------------------------------------ references
def test_feols_reproduces_linearmodels_panelols(panel):
    """Two-way FE clustered by entity: correction 'linearmodels' == PanelOLS fit(debiased=True)."""
    from linearmodels import PanelOLS

    res = i4d.feols("y ~ x + z | region + year", panel, vcov={"CRV1": "region"}, correction="linearmodels",
                    drop_singletons=False)
    p = panel.set_index(["region", "year"])
    lm = PanelOLS(p.y, p[["x", "z"]], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True)
    np.testing.assert_allclose(res.coef().values, lm.params.values, rtol=1e-10)
    np.testing.assert_allclose(res.se().values, lm.std_errors.values, rtol=1e-10)
    assert list(res.coef().index) == ["x", "z"] and res.nobs == lm.nobs


@pytest.mark.parametrize("vcov", [{"CRV1": "region"}, {"CRV1": "cluster"}, "hetero", "iid"])
def test_feols_reproduces_pyfixest(panel, vcov):
    """pyfixest's default small-sample correction (one-way CRV1: our cr1_nested), HC1 and iid."""
    pf = pytest.importorskip("pyfixest")
    res = i4d.feols("y ~ x + z | region + year", panel, vcov=vcov)
    ref = pf.feols("y ~ x + z | region + year", data=panel, vcov=vcov)
    np.testing.assert_allclose(res.coef().values, ref.coef().values, rtol=1e-8)
    np.testing.assert_allclose(res.se().values, ref.se().values, rtol=1e-8)
    np.testing.assert_allclose(res.tidy()["t"].values, ref.tstat().values, rtol=1e-8)


def test_iv_formula_equals_spec_and_linearmodels(iv_panel):
    from linearmodels.iv import IV2SLS

    res = i4d.feols("y ~ x + z | region + year | endo ~ inst + inst2", iv_panel, vcov={"CRV1": "region"})
    spec = ModelSpec.from_dict({"outcome": "y", "regressors": ["x", "z"], "entity": "region", "time": "year",
                                "effects": ["region", "year"], "endogenous": ["endo"],
                                "instruments": ["inst", "inst2"], "cov": {"type": "clustered", "cluster": "region"}})
    ref = fit(iv_panel, spec)
    assert list(res.coef().index) == ["x", "z", "endo"]
    np.testing.assert_array_equal(res.coef().values, ref.coef().values)
    np.testing.assert_array_equal(res.se().values, ref.se().values)
    assert res.first_stage_f == ref.first_stage_f
    # pooled IV with a constant vs linearmodels IV2SLS (robust, debiased)
    pooled = i4d.feols("y ~ x + z | endo ~ inst", iv_panel, vcov="hetero")
    exog = iv_panel[["x", "z"]].assign(const=1.0)[["const", "x", "z"]]
    lm = IV2SLS(iv_panel.y, exog, iv_panel[["endo"]], iv_panel[["inst"]]).fit(cov_type="robust", debiased=True)
    np.testing.assert_allclose(pooled.coef().values, lm.params.values, rtol=1e-10)
    np.testing.assert_allclose(pooled.se().values, lm.std_errors.values, rtol=1e-8)
    # no exogenous regressors
    only = i4d.feols("y ~ 1 | region + year | endo ~ inst", iv_panel)
    assert list(only.coef().index) == ["endo"] and only.cluster == ["region"]


# ------------------------------------------------------------- formulas
def test_formula_parsing():
    p = parse_formula("y ~ x1*x2 + x3:C(g) | region^sector + year | e ~ z1 + z2")
    assert p.outcome == "y" and p.regressors == ("x1", "x2")
    assert p.interactions == (("x1", "x2"), ("x3", "g")) and p.categorical == ("g",)
    assert p.effects == (("region", "sector"), "year")
    assert p.endogenous == ("e",) and p.instruments == ("z1", "z2")
    assert parse_formula("y ~ 0 + x").spec_fields()["constant"] is False
    for bad in ("y x", "log(y) ~ x", "y ~ log(x)", "y ~ C(g)", "y ~ x | a | b | c"):
        with pytest.raises(SpecError):
            parse_formula(bad)
    assert parse_vcov({"CRV1": "region+year"}) == {"type": "clustered", "cluster": ["region", "year"]}
    assert parse_vcov("HC1") == {"type": "robust", "correction": "dof"}
    assert parse_vcov({"DK": 2}) == {"type": "driscoll_kraay", "bandwidth": 2}
    with pytest.raises(SpecError, match="vcov"):
        parse_vcov("sandwich")


def test_interaction_formula_equals_spec(panel):
    res = i4d.feols("y ~ x + x:d | region + year", panel, vcov="hetero")
    ref = fit(panel, ModelSpec.from_dict({"outcome": "y", "regressors": ["x"], "interactions": [["x", "d"]],
                                          "entity": "region", "time": "year", "effects": ["entity", "time"],
                                          "cov": {"type": "robust"}}))
    assert list(res.coef().index) == ["x", "x:d"]
    np.testing.assert_array_equal(res.coef().values, ref.coef().values)
    np.testing.assert_array_equal(res.se().values, ref.se().values)


def test_yaml_spec_with_formula(panel, tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("model_id: f\nformula: 'y ~ x + z | region + year'\ncov: {type: clustered, cluster: region}\n")
    spec = ModelSpec.from_yaml(path)
    assert (spec.outcome, spec.regressors, spec.entity, spec.time) == ("y", ("x", "z"), "region", "year")
    assert spec.resolved_effects == (("region",), ("year",))
    assert ModelSpec.from_dict(spec.to_dict()) == spec
    res = fit(panel, spec)
    np.testing.assert_array_equal(res.coef().values, i4d.feols("y ~ x + z | region + year", panel).coef().values)
    with pytest.raises(SpecError, match="disagrees with the formula"):
        ModelSpec.from_dict({"formula": "y ~ x | region + year", "outcome": "w"})
    with pytest.raises(SpecError, match="'time' is required"):
        ModelSpec.from_dict({"formula": "y ~ x | region"})


# ------------------------------------------------------------ protocol
def test_vcov_returns_a_new_result(panel):
    res = i4d.feols("y ~ x + z | region + year", panel, vcov={"CRV1": "region"})
    before = res.to_dict()
    other = res.vcov("hetero")
    two = res.vcov({"CRV1": "region+year"})
    assert other is not res and other.cov_type == "robust" and two.cluster == ["region", "year"]
    assert res.to_dict() == before and res.cov_type == "clustered"
    np.testing.assert_array_equal(other.coef().values, res.coef().values)
    assert not np.allclose(other.se().values, res.se().values)
    np.testing.assert_array_equal(res.vcov({"CRV1": "region"}).se().values, res.se().values)
    with pytest.raises(Exception):
        res.cov_type = "robust"  # frozen


def test_panel_protocol(panel, tmp_path):
    res = i4d.feols("y ~ x + z | region + year", panel, vcov={"CRV1": "region"}, model_id="m1")
    tidy = res.tidy()
    assert list(tidy.columns) == TIDY_COLUMNS and list(tidy.term) == ["x", "z"]
    assert res.coef()["x"] == tidy.estimate[0] and res.se()["z"] == tidy.std_error[1]
    text = res.summary()
    assert isinstance(text, str)
    for token in ("m1", "within", f"{res.nobs:,}", "cr1_nested", "fixest", "region (80 clusters)", "x", "z"):
        assert token in text
    d = res.to_dict()
    assert set(COMMON_KEYS) <= set(d) and d["kind"] == "panel" and d["outcome"] == "y"
    assert d["inference"]["correction"] == "cr1_nested" and d["inference"]["clusters"] == ["region"]
    assert d["coefficients"][0] == tidy.iloc[0].to_dict()
    for key in ("vcov", "r2", "r2_within", "fixed_effects", "first_stage", "spec", "n_clusters"):
        assert key in d
    back = json.loads(res.write_json(tmp_path / "r.json").read_text())
    assert back == json.loads(json.dumps(d))
    rows = pd.read_parquet(res.write_parquet(tmp_path / "r.parquet"))
    assert list(rows.term) == ["x", "z"] and rows.estimate.iloc[0] == res.coef()["x"]


def test_shiftshare_protocol(ss_result, tmp_path):
    res = ss_result
    tidy = res.tidy()
    assert list(tidy.columns) == TIDY_COLUMNS and list(tidy.term) == ["exposure"]
    akm = res.method("akm")
    assert tidy.std_error[0] == akm.std_error and res.coef()["exposure"] == res.estimate
    assert res.se()["exposure"] == akm.std_error and tidy.t[0] == pytest.approx(res.estimate / akm.std_error)
    text = res.summary()
    assert "ss1" in text and "shiftshare" in text and "akm" in text and "exposure" in text
    d = res.to_dict()
    assert set(COMMON_KEYS) <= set(d) and d["kind"] == "shiftshare" and d["nobs"] == res.n
    assert d["inference"]["method"] == "akm" and d["primary_method"] == "akm"
    assert set(d["methods"]) == {"homoskedastic", "ehw", "akm", "akm0"} and d["n_sectors"] == 6
    ehw = res.vcov("ehw")
    assert ehw is not res and ehw.se()["exposure"] == res.method("ehw").std_error
    assert res.tidy().std_error[0] == akm.std_error  # unchanged
    with pytest.raises(KeyError, match="cluster"):
        res.vcov("cluster")
    assert json.loads(res.write_json(tmp_path / "s.json").read_text())["coefficients"][0]["term"] == "exposure"
    assert len(pd.read_parquet(res.write_parquet(tmp_path / "s.parquet"))) == 4


def test_etable_mixes_panel_and_shiftshare(panel, ss_result):
    fe = i4d.feols("y ~ x + z | region + year", panel, vcov={"CRV1": "region"})
    md = i4d.etable([fe, ss_result], type="md", labels={"x": "Exposure"})
    assert "| Exposure | " in md and "| exposure |" in md and "AKM" in md and "(1) y" in md and "(2) growth" in md
    df = i4d.etable([fe, ss_result, fe.to_dict()], type="df")
    assert isinstance(df, pd.DataFrame) and df.shape[1] == 3
    assert df.loc["x"].iloc[0].startswith(f"{fe.coef()['x']:.4f}") and df.loc["x"].iloc[1] == ""
    assert df.loc["exposure"].iloc[1].startswith(f"{ss_result.estimate:.4f}")
    assert df.loc["Observations"].tolist() == [f"{fe.nobs:,}", f"{ss_result.n:,}", f"{fe.nobs:,}"]
    assert "\\toprule" in i4d.etable([fe, ss_result], type="tex")
    assert "<table" in i4d.etable(fe, type="html")
    with pytest.raises(ValueError, match="type"):
        i4d.etable([fe], type="xlsx")


# ----------------------------------------------------------------- guards
def test_duplicate_entity_time_keys_are_rejected(panel):
    dup = pd.concat([panel, panel.iloc[:3]], ignore_index=True)
    with pytest.raises(InputError, match=r"duplicated.*R0000"):
        i4d.feols("y ~ x | region + year", dup, model_id="dups")
    # other effects make repeated (entity, time) keys legitimate: no check
    res = i4d.feols("y ~ x | cluster + year", dup, entity="region", time="year", vcov="hetero")
    assert res.nobs == len(dup)


def test_few_clusters_warn_with_model_id(panel):
    with pytest.warns(UserWarning, match=r"model 'few': only 1\d clusters \(cluster"):
        i4d.feols("y ~ x + z | region + year", panel, vcov={"CRV1": "cluster"}, model_id="few")


def test_single_region_is_a_clear_estimation_error(panel):
    one = panel[panel.region == panel.region.iloc[0]]
    with pytest.raises(EstimationError, match="single region"):
        i4d.feols("y ~ x | region + year", one, model_id="one")
    with pytest.raises(EstimationError, match="cluster column 'region'"):
        i4d.feols("y ~ x + z", one, vcov={"CRV1": "region"})


def test_collinearity_error_names_the_model(panel):
    with pytest.raises(EstimationError, match="model 'col'.*d"):
        i4d.feols("y ~ x + d | region + year", panel, model_id="col")


def test_package_import_is_light():
    code = "import sys, i4districts; assert 'pandas' not in sys.modules and 'numpy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
    assert {"feols", "etable", "fit", "ModelSpec"} <= set(dir(i4d)) and i4d.fit is fit


def test_readme_python_api_example_runs():
    """The ```python block under '## Python API' in README.md runs as written."""
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Python API\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section, "README.md has no '## Python API' section"
    block = re.search(r"```python\n(.*?)```", section.group(1), re.S)
    assert block, "the '## Python API' section has no ```python block"
    exec(compile(block.group(1), "README.md", "exec"), {"__name__": "readme_example"})
