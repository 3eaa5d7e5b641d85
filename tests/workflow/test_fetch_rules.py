"""The fetch rules produce vintaged Parquet from the offline mirror (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from .conftest import snakemake

pytestmark = pytest.mark.workflow


def test_fetch_rules_write_vintaged_parquet_from_the_mirror(workdir: Path, shared_data: Path, monkeypatch):
    cfg_path = workdir / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["fetch"] = {"datasets": ["nama_10r_3empers", "istat_popres_it"]}
    cfg_path.write_text(yaml.safe_dump(cfg))
    monkeypatch.setenv("I4D_MIRROR", str(shared_data))
    monkeypatch.setenv("I4D_FETCH_MODE", "offline")
    monkeypatch.setenv("I4D_CACHE", str(workdir / "results" / "raw"))
    snakemake(workdir, "fetch_all")
    for name in cfg["fetch"]["datasets"]:
        table = pd.read_parquet(workdir / "results" / "fetch" / f"{name}.parquet")
        assert {"time", "value", "vintage_id"} <= set(table.columns) and len(table) > 0
        pin = json.loads((workdir / "results" / "fetch" / f"{name}.vintage.json").read_text())
        assert pin
    manifest = list((workdir / "results" / "raw").rglob("manifest.csv"))
    assert manifest, "no vintage manifest written"


def test_unknown_fetch_dataset_stops_naming_the_key(workdir: Path):
    cfg_path = workdir / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg["fetch"] = {"datasets": ["no_such_table"]}
    cfg_path.write_text(yaml.safe_dump(cfg))
    proc = snakemake(workdir, "--dry-run", "fetch_all", check=False)
    assert proc.returncode != 0 and "fetch.datasets" in proc.stdout + proc.stderr
