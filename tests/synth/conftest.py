"""Synthetic worlds shared by the tests of ``i4districts.synth`` (tiny and regional scales only)."""

from __future__ import annotations

import pytest

from i4districts import synth

TINY_SEED = 11
REGIONAL_SEED = 5


@pytest.fixture(scope="session")
def tiny_world() -> synth.SyntheticWorld:
    return synth.generate("tiny", seed=TINY_SEED)


@pytest.fixture(scope="session")
def regional_world() -> synth.SyntheticWorld:
    return synth.generate("regional", seed=REGIONAL_SEED)


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory, tiny_world):
    out = tmp_path_factory.mktemp("synth_tiny")
    synth.write_world(tiny_world, out)
    return out
