"""Optional live smoke tests against the real services (``-m network``; excluded by default).

They make at most one Eurostat and two ISTAT requests.
"""

from __future__ import annotations

import pytest

from i4districts.fetch.client import Fetcher
from i4districts.fetch.ledger import load_ledger
from i4districts.fetch.settings import FetchSettings

pytestmark = pytest.mark.network


def test_live_eurostat_jsonstat(tmp_path):
    f = Fetcher(FetchSettings(mode="online", cache=tmp_path))
    r = f.fetch(load_ledger()["prc_hicp_manr_ea"])
    assert len(r.table) == 3


def test_live_istat_structure_and_data(tmp_path):
    f = Fetcher(FetchSettings(mode="online", cache=tmp_path))
    r = f.fetch(load_ledger()["istat_popres_it"])
    assert len(r.table) == 8
