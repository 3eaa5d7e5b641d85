"""Workflow level: dry run, lint, config errors, a real run of the default pipeline, idempotence."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from linearmodels.panel import PanelOLS

from .conftest import make_workdir, snakemake

pytestmark = pytest.mark.workflow

RULES = ("sample", "panel", "specialization", "concentration", "adoption", "exposure", "model_frame", "estimate", "table", "all")


def test_dry_run_lists_every_job(workdir: Path):
    out = snakemake(workdir, "--dry-run").stdout
    for rule in RULES:
        assert f"rule {rule}:" in out or f"\n{rule} " in out, rule
    assert not (workdir / "results").exists()


def test_lint_is_clean(workdir: Path):
    proc = snakemake(workdir, "--lint", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Lints for" not in proc.stdout + proc.stderr


@pytest.mark.parametrize(("patch", "key"), [({"data": {"colour": 1}}, "data.colour"),
                                            ({"data": {"nuts_level": "x"}}, "data.nuts_level")])
def test_bad_config_stops_before_the_dag_naming_the_key(workdir: Path, patch: dict, key: str):
    cfg_path = workdir / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    for section, values in patch.items():
        cfg[section].update(values)
    cfg_path.write_text(yaml.safe_dump(cfg))
    proc = snakemake(workdir, "--dry-run", check=False)
    assert proc.returncode != 0
    assert key in proc.stdout + proc.stderr


def test_bad_model_spec_stops_naming_the_file(workdir: Path):
    spec = workdir / "config" / "models" / "twfe_exposure.yaml"
    spec.write_text(spec.read_text() + "colour: red\n")
    proc = snakemake(workdir, "--dry-run", check=False)
    assert proc.returncode != 0
    assert "twfe_exposure.yaml" in proc.stdout + proc.stderr and "colour" in proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> Path:
    workdir = make_workdir(tmp_path_factory.mktemp("default_run"))
    snakemake(workdir)
    return workdir


def test_default_run_writes_tables_holding_the_estimate(default_run: Path):
    tables = default_run / "results" / "tables"
    for ext in ("tex", "md", "csv", "html"):
        text = (tables / f"employment_exposure.{ext}").read_text()
        assert "illustrative adoption data" in text
    frame = pd.read_parquet(default_run / "results" / "data" / "model_frame.parquet").set_index(["geo", "year"])
    ref = PanelOLS(frame["employment_growth"], frame[["exposure_change"]], entity_effects=True,
                   time_effects=True).fit(cov_type="clustered", cluster_entity=True)
    csv = pd.read_csv(tables / "employment_exposure.csv")
    assert list(pd.unique(csv["model"])) == ["twfe_exposure", "twfe_exposure_by_specialisation", "ld_exposure"]
    csv = csv[csv["model"] == "twfe_exposure"].set_index("term")
    assert csv.loc["exposure_change", "estimate"] == pytest.approx(ref.params["exposure_change"], rel=1e-10, abs=0)
    assert csv.loc["exposure_change", "std_error"] == pytest.approx(ref.std_errors["exposure_change"], rel=1e-8)
    tex = (tables / "employment_exposure.tex").read_text()
    assert r"\toprule" in tex and f"{ref.params['exposure_change']:.4f}" in tex
    assert (default_run / "results" / "indicators" / "specialization.parquet").is_file()
    coefficients = pd.read_parquet(default_run / "results" / "models" / "twfe_exposure.parquet")
    assert coefficients.loc[coefficients["term"] == "exposure_change", "estimate"].iloc[0] == pytest.approx(
        ref.params["exposure_change"], rel=1e-10, abs=0)
    assert (default_run / "results" / "data" / "panel.parquet").is_file()


def test_default_run_concentration_per_sector_year(default_run: Path):
    conc = pd.read_parquet(default_run / "results" / "indicators" / "concentration.parquet")
    assert not conc.duplicated(["nace", "year"]).any()
    assert len(conc) == 11 * 18  # a10_split_c sectors x 2000-2017


def test_second_run_does_nothing(default_run: Path):
    out = snakemake(default_run, "--dry-run")
    assert "Nothing to be done" in out.stdout + out.stderr


def test_user_adoption_table_drives_the_run_and_drops_the_illustrative_label(default_run: Path, tmp_path: Path):
    workdir = make_workdir(tmp_path / "user_table")
    illustrative = pd.read_parquet(default_run / "results" / "data" / "adoption.parquet")
    table = workdir / "robots.csv"
    illustrative.rename(columns={"adoption": "robots"})[["nace", "year", "robots"]].to_csv(table, index=False)
    cfg_path = workdir / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["adoption"] = {"source": "table", "table": "robots.csv", "column": "robots", "unit": "robots per 1000 workers"}
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))  # keep the models' (column) order
    snakemake(workdir)
    md = (workdir / "results" / "tables" / "employment_exposure.md").read_text()
    assert "illustrative" not in md and "robots.csv" in md
    ours = pd.read_csv(workdir / "results" / "tables" / "employment_exposure.csv")
    ref = pd.read_csv(default_run / "results" / "tables" / "employment_exposure.csv")
    pd.testing.assert_series_equal(ours["estimate"], ref["estimate"], rtol=1e-12)
