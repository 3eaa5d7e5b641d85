"""Fixtures for shift-share tests: the ADH (2013) replication data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from i4districts.shiftshare import share_design, share_matrix

ADH_CONTROLS = (
    "t2",
    "l_shind_manuf_cbp",
    "l_sh_popedu_c",
    "l_sh_popfborn",
    "l_sh_empl_f",
    "l_sh_routine33",
    "l_task_outsource",
    "division",
)


@pytest.fixture(scope="session")
def adh_dir(shared_data: Path) -> Path:
    d = shared_data / "adh"
    if not d.is_dir():
        pytest.fail(f"ADH reference data missing at {d}", pytrace=False)
    return d


@pytest.fixture(scope="session")
def adh_regions(adh_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(adh_dir / "regions.parquet").sort_values("row").reset_index(drop=True)


@pytest.fixture(scope="session")
def adh_shares(adh_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(adh_dir / "shares.parquet")


@pytest.fixture(scope="session")
def adh_spec_kwargs() -> dict:
    return dict(
        controls=ADH_CONTROLS,
        weights="weights",
        region_cluster="statefip",
        sector_cluster="floor(sector/10)",
        period="t2",
    )


@pytest.fixture(scope="session")
def adh_W(adh_regions, adh_shares):
    W, labels, col_sector = share_matrix(
        adh_shares, adh_regions["row"].tolist(), period=adh_regions["t2"].to_numpy()
    )
    return W, labels, col_sector


@pytest.fixture(scope="session")
def adh_design(adh_regions, adh_W):
    W, labels, col_sector = adh_W
    clusters = np.array([s // 10 for s in col_sector])
    return share_design(W, adh_regions["weights"].to_numpy(), sectors=labels,
                        sector_cluster=clusters)
