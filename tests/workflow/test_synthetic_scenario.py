"""The synthetic scenario end to end (#12 item 6, #15): a synthetic Italy through the whole workflow.
The district method finds exactly the planted districts, the NUTS-3 district shares follow from them,
and every output says synthetic and prints no significance stars."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from .conftest import make_workdir, snakemake

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory) -> Path:
    workdir = make_workdir(tmp_path_factory.mktemp("synthetic_run"))
    snakemake(workdir, "--configfile", "config/synthetic.yaml")
    return workdir / "results" / "synthetic"


def test_the_method_finds_exactly_the_planted_districts(synthetic_run: Path):
    truth = json.loads((synthetic_run / "world" / "truth.json").read_text())
    planted = {d["sll"] for d in truth["districts"]["planted"]}
    decoys = {d["sll"]: d["failing_step"] for d in truth["districts"]["non_districts"]}
    sll = pd.read_parquet(synthetic_run / "districts" / "sll_districts.parquet").set_index("sll")
    assert set(sll.index[sll["district"]]) == planted and planted
    assert not sll.loc[list(decoys), "district"].any()
    step_columns = {1: "step1_manufacturing", 2: "step2_sme", 3: "step3_main_industry", 4: "step4_sme_main"}
    for code, step in decoys.items():  # each near-miss fails at its declared step
        assert not sll.loc[code, step_columns[step]], (code, step)


def test_nuts3_district_shares_follow_from_the_district_slls(synthetic_run: Path):
    munis = pd.read_parquet(synthetic_run / "world" / "municipalities.parquet")
    sll = pd.read_parquet(synthetic_run / "districts" / "sll_districts.parquet")
    shares = pd.read_parquet(synthetic_run / "districts" / "nuts3_district_shares.parquet").set_index("region")
    inside = munis["sll"].isin(sll.loc[sll["district"], "sll"])
    expected = munis[inside].groupby("nuts3")["employment"].sum() / munis.groupby("nuts3")["employment"].sum()
    got = shares["employment_share"]
    assert got.to_numpy() == pytest.approx(expected.reindex(got.index).fillna(0).to_numpy(), abs=1e-12)
    assert (shares["population_basis"] == "municipality").all()


def test_synthetic_outputs_say_so_and_print_no_stars(synthetic_run: Path):
    for name in ("employment_exposure", "districts", "descriptive", "design_diagnostics"):
        md = (synthetic_run / "tables" / f"{name}.md").read_text()
        assert "synthetic" in md.lower(), name
    table = (synthetic_run / "tables" / "employment_exposure.md").read_text()
    assert "*" not in table.replace("**", "") and "No significance stars" in table
    assert "SYNTHETIC" in (synthetic_run / "report.html").read_text()
