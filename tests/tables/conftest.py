"""Fixtures of the table tests: hand-built records and frames (:mod:`.records`)."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from .records import COLUMN_GROUPS, COLUMN_LABELS, FRAME, LABELS, PROVENANCE, RECORDS, UNITS


@pytest.fixture
def records() -> list[dict]:
    return copy.deepcopy(RECORDS)


@pytest.fixture
def regression(records):
    from i4districts.tables.regression import regression_table

    return regression_table(records, name="regression", title="Employment and exposure", labels=LABELS,
                            units=UNITS, column_labels=COLUMN_LABELS, column_groups=COLUMN_GROUPS,
                            provenance=PROVENANCE)


@pytest.fixture
def frame() -> pd.DataFrame:
    return FRAME.copy()
