"""The documented fetched-data configs: config/lfs_nuts2.yaml end to end offline, config/eurostat_current.yaml wired.

``lfs_nuts2`` builds Italy's NUTS-2 panel from Eurostat's legacy bulk download of the LFS table
lfst_r_lfe2en2 (served byte for byte from the offline mirror, ../shared/data/lfs/) and runs its models;
one full run (module fixture) is shared by the tests. ``eurostat_current`` needs the network, so only its
dry run is checked here (no network: the mirror is set and the mode is offline).
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from i4districts.cli import main as i4d

from .conftest import make_workdir, snakemake

pytestmark = pytest.mark.workflow

LFS = "lfst_r_lfe2en2_bulk"
LEGACY_URL = ("https://ec.europa.eu/eurostat/estat-navtree-portlet-prod/BulkDownloadListing"
              "?file=data/lfst_r_lfe2en2.tsv.gz")
FORMATS = ("tex", "md", "csv", "html")


def _offline_env(mp: pytest.MonkeyPatch, workdir: Path, shared: Path) -> None:
    mp.setenv("I4D_MIRROR", str(shared))
    mp.setenv("I4D_FETCH_MODE", "offline")
    mp.setenv("I4D_CACHE", str(workdir / "results" / "raw"))


@pytest.fixture(scope="module")
def lfs_run(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """One offline run of config/lfs_nuts2.yaml in a temporary working directory."""
    workdir = make_workdir(tmp_path_factory.mktemp("lfs_nuts2"))
    with pytest.MonkeyPatch.context() as mp:
        _offline_env(mp, workdir, shared_data)
        snakemake(workdir, "--configfile", "config/lfs_nuts2.yaml")
    return workdir


def test_lfs_config_fetches_the_whole_legacy_bulk_file_from_the_mirror(lfs_run: Path, shared_data: Path, capsys):
    table = pd.read_parquet(lfs_run / "results" / "fetch" / f"{LFS}.parquet")
    assert len(table) == 224_520  # 28,065 series x 2008-2015: the whole file, filtered only by the sample step
    assert {"unit", "nace_r2", "age", "geo", "time", "value", "obs_flag", "vintage_id"} <= set(table.columns)
    pin = json.loads((lfs_run / "results" / "fetch" / f"{LFS}.vintage.json").read_text())
    (vintage,) = pin["vintages"]
    assert vintage["url"] == LEGACY_URL
    mirrored = (shared_data / "lfs" / "lfst_r_lfe2en2.tsv.gz").read_bytes()
    assert vintage["sha256"] == hashlib.sha256(mirrored).hexdigest()  # the raw response is the mirrored file
    assert pin["attribution"].startswith("Source: Eurostat, lfst_r_lfe2en2")
    assert i4d(["fetch", "verify", "-i", str(lfs_run / "results" / "raw")]) == 0
    assert "vintages verified" in capsys.readouterr().out


def test_lfs_config_writes_tables_whose_notes_carry_the_vintage(lfs_run: Path):
    out = lfs_run / "results" / "lfs_nuts2"
    for fmt in FORMATS:
        assert (out / "tables" / f"employment_exposure.{fmt}").is_file()
    assert sorted(p.stem for p in (out / "models").glob("*.json")) == ["growth_exposure_lfs", "ld_exposure_level_lfs"]
    assert not (lfs_run / "results" / "italy").exists()
    (vintage,) = json.loads((lfs_run / "results" / "fetch" / f"{LFS}.vintage.json").read_text())["vintages"]
    stamp = f"{vintage['vintage_id']} (sha256 {vintage['sha256'][:12]})"
    assert vintage["vintage_id"].startswith("eurostat/lfst_r_lfe2en2/")
    for fmt in FORMATS:
        text = (out / "tables" / f"employment_exposure.{fmt}").read_text().replace("\\_", "_")  # TeX escapes _
        assert stamp in text, fmt
        assert "selection: age=Y15-64" in text
        assert "set to 0 (data.unpublished: zero)" in text
    assert "illustrative" not in (out / "tables" / "employment_exposure.md").read_text()
    records = {p.stem: json.loads(p.read_text()) for p in (out / "models").glob("*.json")}
    assert records["ld_exposure_level_lfs"]["nobs"] == 21  # one long difference 2009-2015 per NUTS-2 region
    assert records["growth_exposure_lfs"]["nobs"] == 21 * 7  # annual growth 2009-2015
    assert records["growth_exposure_lfs"]["n_clusters"] == 21


def test_lfs_panel_is_the_21_nuts2_regions_with_suppressed_cells_zeroed_and_reported(lfs_run: Path, shared_data: Path):
    out = lfs_run / "results" / "lfs_nuts2" / "data"
    report = json.loads((out / "panel_report.json").read_text())
    assert report["unpublished"] == "zero" and report["sector_set"] == "A10" and report["region_level"] == 2
    gaps = pd.DataFrame(report["gaps"])
    assert len(gaps) == report["n_gaps"] == 83
    assert set(gaps["reason"]) == {"not_published"}
    assert set(gaps["sector"]) == {"J", "K", "L"}
    assert {"region": "ITC2", "sector": "L", "year": 2015} in gaps[["region", "sector", "year"]].to_dict("records")
    panel = pd.read_parquet(out / "panel.parquet")
    assert len(panel) == 21 * 10 * 8
    zeroed = panel[panel["flag"].str.contains("unpublished_set_to_zero")]
    assert len(zeroed) == 83 and (zeroed["value"] == 0).all()
    assert panel.loc[~panel.index.isin(zeroed.index), "value"].gt(0).all()
    # The 2017 release is in NUTS 2013; Italy's NUTS-2 codes are the same in NUTS 2016 (the correspondence table)
    with open(shared_data / "nuts" / "NUTS2013-NUTS2016__NUTS2013-NUTS2016.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))[2:]
    it2 = {(r[1], r[2]) for r in rows
           if len(r) > 8 and r[8] == "2" and r[2].startswith("IT") and not r[2].endswith("Z")}
    assert all(a == b for a, b in it2)
    assert set(panel["region"]) == {b for _, b in it2}
    nuts = report["nuts"]  # the panel step's own check against Eurostat's change sheets agrees
    assert nuts["checked"] and not nuts["converted"] and {"2013", "2016"} <= set(nuts["candidates"])


def test_eurostat_current_dry_run_lists_the_fetches_and_the_models(tmp_path: Path, shared_data: Path,
                                                                    monkeypatch: pytest.MonkeyPatch):
    workdir = make_workdir(tmp_path)
    _offline_env(monkeypatch, workdir, shared_data)
    proc = snakemake(workdir, "--dry-run", "--configfile", "config/eurostat_current.yaml")
    text = proc.stdout + proc.stderr
    for name in ("nama_10r_3empers", "isoc_eb_p3dn2"):
        assert f"results/fetch/{name}.parquet" in text
    for rule in ("fetch_table", "sample", "panel", "adoption", "exposure", "model_frame", "estimate", "table"):
        assert f"rule {rule}:" in text or f"localrule {rule}:" in text, rule
    for model in ("growth_exposure", "ld_exposure_level_2018_2022"):
        assert f"results/eurostat_current/models/{model}.json" in text
    assert "growth_exposure_by_district" not in text  # config.yaml's models are replaced, not merged
    assert not (workdir / "results" / "fetch").exists() and not (workdir / "results" / "raw").exists()


def test_lfs_config_writes_education_polarization_from_the_fetched_lfs(lfs_run: Path):
    """Education tiers of the employed (low ED0-2, middle ED3_4, high ED5-8) by NUTS-2 region, as outcomes."""
    out = lfs_run / "results" / "lfs_nuts2" / "indicators"
    shares = pd.read_parquet(out / "education_tier_shares.parquet")
    assert shares["region"].str.slice(0, 2).isin(["IT", "ES"]).all()
    assert shares["region"].nunique() == 21 + 19
    piemonte = shares[(shares["region"] == "ITC1") & (shares["year"] == 2000)].set_index("tier")["value"]
    # Piemonte 2000, Y25-64, from lfst_r_lfe2eedu: ED0-2 722.7, ED3_4 665.9, ED5-8 178.3 thousand
    assert piemonte["low"] == pytest.approx(722.7 / (722.7 + 665.9 + 178.3), rel=1e-9)
    changes = pd.read_parquet(out / "education_polarization.parquet")
    assert {"hollowing_out", "polarization_index"} <= set(changes.columns)
