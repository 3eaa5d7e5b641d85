"""Vintage store: immutable dated folders, manifest, sha256 verification."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pandas as pd
import pytest

from i4districts.fetch.errors import ChecksumMismatch, FetchError
from i4districts.fetch.vintage import MANIFEST_COLUMNS, VintageStore

T1 = datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)
T2 = datetime(2026, 2, 2, 3, 4, 5, tzinfo=UTC)


def _write(store, body=b"<x/>", when=T1, table=None):
    return store.write(source="eurostat", dataset="ds", query_hash="abcd", body=body, ext="xml",
                       meta={"url": "https://e/x", "query": {"url": "https://e/x"}, "http_status": 200,
                             "parser_version": "1.0", "format": "sdmx-ml", "origin": "network"},
                       table=table, fetched_at=when)


def test_layout_meta_and_manifest(tmp_path):
    store = VintageStore(tmp_path)
    table = pd.DataFrame({"geo": ["IT"], "time": ["2020"], "value": [1.5]})
    v = _write(store, table=table)
    assert v.vintage_id == "eurostat/ds/abcd/20260102T030405.600000Z"
    assert (tmp_path / v.vintage_id / "response.xml").read_bytes() == b"<x/>"
    meta = json.loads((tmp_path / v.vintage_id / "meta.json").read_text())
    assert meta["sha256"] == hashlib.sha256(b"<x/>").hexdigest()
    assert meta["bytes"] == 4 and meta["rows"] == 1 and meta["fetched_at"] == "2026-01-02T03:04:05.600000Z"
    assert v.read_table()["vintage_id"].tolist() == [v.vintage_id]
    man = store.manifest()
    assert list(man.columns) == list(MANIFEST_COLUMNS)
    assert man.iloc[0]["sha256"] == meta["sha256"] and man.iloc[0]["rows"] == "1"


def test_refresh_adds_a_vintage_beside_the_old(tmp_path):
    store = VintageStore(tmp_path)
    v1 = _write(store, b"<old/>", T1)
    v2 = _write(store, b"<new/>", T2)
    assert [v.vintage_id for v in store.list("eurostat", "ds", "abcd")] == [v1.vintage_id, v2.vintage_id]
    assert store.latest("eurostat", "ds", "abcd") == v2
    assert v1.response_path.read_bytes() == b"<old/>"
    assert len(store.manifest()) == 2


def test_never_overwritten(tmp_path):
    store = VintageStore(tmp_path)
    _write(store)
    with pytest.raises(FetchError, match="never overwritten"):
        _write(store, b"<other/>")
    assert len(store.manifest()) == 1


def test_tampering_detected(tmp_path):
    store = VintageStore(tmp_path)
    v = _write(store)
    v.verify()
    with pytest.raises(ChecksumMismatch, match="pin"):
        v.verify("0" * 64)
    v.response_path.write_bytes(b"<tampered/>")
    with pytest.raises(ChecksumMismatch, match="meta.json"):
        v.verify()
    assert len(store.verify_all()) == 1


def test_tampered_table_detected(tmp_path):
    store = VintageStore(tmp_path)
    v = _write(store, table=pd.DataFrame({"geo": ["IT"], "time": ["2020"], "value": [1.5]}))
    pd.DataFrame({"geo": ["IT"], "time": ["2020"], "value": [9.9]}).to_parquet(v.data_path)
    with pytest.raises(ChecksumMismatch, match="data.parquet"):
        v.verify()


@pytest.mark.parametrize("bad", ["../x/y/z", "a/b/c", "a/b/../d", "/a/b/c/d"])
def test_malformed_vintage_ids_refused(tmp_path, bad):
    with pytest.raises(FetchError):
        VintageStore(tmp_path).get(bad)


def test_replication_mode_forces_replay_and_refuses_other_modes():
    from i4districts.fetch.errors import FetchError
    from i4districts.fetch.settings import FetchSettings

    assert FetchSettings.resolve(env={"I4D_REPLICATION": "1", "I4D_MIRROR": "/x"}).mode == "replay"
    with pytest.raises(FetchError, match="I4D_REPLICATION.*'online'"):
        FetchSettings.resolve(env={"I4D_REPLICATION": "1", "I4D_FETCH_MODE": "online"})
    assert FetchSettings.resolve(env={"I4D_REPLICATION": "0"}).mode == "online"


def test_replay_serves_a_ledger_pinned_file_without_a_vintage_pin(tmp_path, shared_data):
    """Replication mode: a GISCO file pinned by sha256 in the ledger replays from the mirror, network blocked."""
    from i4districts.fetch.client import Fetcher
    from i4districts.fetch.ledger import load_ledger
    from i4districts.fetch.settings import FetchSettings
    from i4districts.io import sha256_file

    spec = load_ledger()["nuts2016_l3"]
    fetcher = Fetcher(FetchSettings.resolve(mode="replay", cache=tmp_path / "raw", mirror=shared_data))
    result = fetcher.fetch(spec)
    assert sha256_file(result.file) == spec.sha256
