"""Fixtures of the harmonization tests: the real Eurostat correspondence sheets and sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from i4districts.harmonize.correspondence import Correspondence, read_eurostat_changes

SHEET_2016_2021 = "nuts/NUTS2016-NUTS2021__Changes_detailed_NUTS_2016-2021.csv"
SHEET_2013_2016 = "nuts/NUTS2013-NUTS2016__NUTS2013-NUTS2016.csv"
SAMPLE_CSV = "eurostat/IT_nama_10r_3empers.csv"


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(f"reference file missing: {path}", pytrace=False)
    return path


@pytest.fixture(scope="session")
def corr_16_21(shared_data: Path) -> Correspondence:
    return read_eurostat_changes(_need(shared_data / SHEET_2016_2021), 2016, 2021)


@pytest.fixture(scope="session")
def corr_13_16(shared_data: Path) -> Correspondence:
    return read_eurostat_changes(_need(shared_data / SHEET_2013_2016), 2013, 2016)


@pytest.fixture(scope="session")
def sample_csv(shared_data: Path) -> Path:
    return _need(shared_data / SAMPLE_CSV)


@pytest.fixture(scope="session")
def sample(sample_csv: Path):
    from i4districts.sample import read_nama_10r_3empers_csv

    return read_nama_10r_3empers_csv(sample_csv)
