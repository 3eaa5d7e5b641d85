"""Shared fixtures.

``shared_data`` points at the real reference material beside the repository
(``../shared/data``), overridable with ``I4D_SHARED_DATA``. Tests that need
it fail loudly when it is missing: they never skip silently.
"""

from __future__ import annotations

import os

# One BLAS thread: on a 2-core machine multi-threaded BLAS stalls under load and
# makes the numerical tests slow and erratic. Set before anything imports numpy.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    return Path(os.environ.get("I4D_SHARED_DATA", REPO_ROOT.parent / "shared" / "data")).resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.fail(
            f"shared reference data not found at {path}; set I4D_SHARED_DATA to the "
            "directory holding eurostat/, sdmx/, adh/ ...",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
