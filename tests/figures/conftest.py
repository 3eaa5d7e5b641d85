"""Fixtures of the figure tests: GISCO geometries from the shared data, values built here.

Values come from the package's embedded Eurostat sample (manufacturing LQ
computed by hand), from the shared LFS file (education polarization via the
package's function) or are hand-built (exposure, district classes). Nothing is
read from a pipeline run.
"""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from i4districts import io  # noqa: E402


@pytest.fixture(scope="session")
def geo_dir(shared_data: Path) -> Path:
    path = shared_data / "geo"
    if not path.is_dir():
        pytest.fail(f"GISCO geometries not found at {path}", pytrace=False)
    return path


@pytest.fixture(scope="session")
def nuts3_2016_path(geo_dir: Path) -> Path:
    return geo_dir / "NUTS_RG_20M_2016_4326_LEVL_3.geojson"


@pytest.fixture(scope="session")
def nuts2_2016_path(geo_dir: Path) -> Path:
    return geo_dir / "NUTS_RG_20M_2016_4326_LEVL_2.geojson"


@pytest.fixture(scope="session")
def nuts3_2016(nuts3_2016_path: Path):
    from i4districts.figures.geometry import read_geometry

    return read_geometry(nuts3_2016_path)


@pytest.fixture(scope="session")
def nuts2_2016(nuts2_2016_path: Path):
    from i4districts.figures.geometry import read_geometry

    return read_geometry(nuts2_2016_path)


@pytest.fixture(scope="session")
def it_lq() -> pd.DataFrame:
    """Manufacturing LQ 2017 of the Italian NUTS-3 regions, by hand from the embedded sample:
    LQ_r = (E_rC / E_r) / (E_IT,C / E_IT), E = persons employed (TOTAL = all NACE)."""
    from i4districts.sample import load_embedded_sample

    s = load_embedded_sample()
    s = s[s["year"] == 2017]
    wide = s.pivot_table(index=["geo", "nuts_level"], columns="nace", values="employment").reset_index()
    nat = wide[wide["nuts_level"] == 0].iloc[0]
    r3 = wide[wide["nuts_level"] == 3]
    lq = (r3["C"] / r3["TOTAL"]) / (nat["C"] / nat["TOTAL"])
    out = pd.DataFrame({"region": r3["geo"].astype(str).to_numpy(), "value": lq.to_numpy(dtype=float)})
    out = out[~out["region"].str.endswith("ZZZ")]  # extra-regio, no territory
    return out.dropna().reset_index(drop=True)


def _specialization_long(lq: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for year, shift in ((2016, 0.97), (2017, 1.0)):
        for sector, f in (("C", 1.0), ("F", 0.5)):
            rows.append(pd.DataFrame({"region": lq["region"], "sector": sector, "year": year, "indicator": "lq",
                                      "value": lq["value"] * shift * f, "unit": "ratio", "flag": ""}))
    base = pd.concat(rows, ignore_index=True)
    other = base.assign(indicator="gini", value=0.3)
    return pd.concat([base, other], ignore_index=True)


@pytest.fixture(scope="session")
def polarization_table(shared_data: Path) -> pd.DataFrame:
    """Education polarization 2000-2015 for the Italian NUTS-2 regions (real LFS data, package function)."""
    from i4districts.indicators.education import education_polarization, education_tier_shares, read_lfs_education

    table = read_lfs_education(shared_data / "lfs" / "lfst_r_lfe2eedu.tsv.gz")
    shares = education_tier_shares(table, countries=("IT",))
    return education_polarization(shares, start=2000, end=2015)


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory, it_lq: pd.DataFrame, polarization_table: pd.DataFrame) -> Path:
    """A run directory ``results/<scenario>`` with the inputs of the default maps."""
    root = tmp_path_factory.mktemp("run") / "italy"
    io.write_parquet(_specialization_long(it_lq), root / "indicators" / "specialization.parquet",
                     notes=["Source: Eurostat, nama_10r_3empers"])
    regions = it_lq["region"].tolist()
    k = np.arange(len(regions))
    exposure = pd.DataFrame({"region": np.repeat(regions, 2), "year": np.tile([2000, 2017], len(regions)),
                             "exposure": np.repeat(2.0 + (k % 17) / 2.0, 2),
                             "unit": "% of enterprises (10+ persons employed)"})
    io.write_parquet(exposure, root / "data" / "exposure.parquet", notes=["Source: Eurostat, isoc_eb_p3dn2"])
    classes = ["A", "B", "C", "D"]
    shares = []
    for i, r in enumerate(regions):
        top = classes[i % 4]
        for c in classes:
            shares.append({"region": r, "nuts_version": 2016, "level": "class", "class": c,
                           "share": 0.55 if c == top else 0.15, "employment": 1.0, "province_employment": 4.0,
                           "flag": ""})
    io.write_parquet(pd.DataFrame(shares), root / "data" / "district_shares.parquet",
                     notes=["Fonte: Istat (CC BY 4.0): sistemi locali del lavoro 2021"])
    summary = pd.DataFrame({"region": regions, "made_in_italy_share": (k % 10) / 10.0})
    io.write_parquet(summary, root / "data" / "district_summary.parquet", notes=["Fonte: Istat (CC BY 4.0)"])
    io.write_parquet(polarization_table, root / "indicators" / "education_polarization.parquet",
                     notes=["Source: Eurostat, lfst_r_lfe2eedu"])
    return root
