"""Ledger and mirror index: declared datasets, mirror coverage, network-import guard."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from i4districts.fetch.client import first_request
from i4districts.fetch.errors import QueryError
from i4districts.fetch.ledger import load_ledger
from i4districts.fetch.mirror import load_index

SRC = Path(__file__).resolve().parents[2] / "src" / "i4districts"
NETWORK_MODULES = {"requests", "urllib3", "httpx", "aiohttp", "socket", "http.client", "urllib.request",
                   "ftplib", "smtplib"}


def test_issue_datasets_declared_with_licence():
    ledger = load_ledger()
    datasets = {s.dataset for s in ledger.values()}
    assert {"nama_10r_3empers", "sbs_r_nuts2021", "sbs_r_nuts06_r2", "lfst_r_lfe2en2", "isoc_eb_ain2",
            "isoc_e_diin2", "isoc_cicce_usen2", "isoc_eb_p3d", "183_285_DF_DICA_ASIAULP_8",
            "183_285_DF_DICA_ASIAULP_10"} <= datasets
    for spec in ledger.values():
        assert spec.licence and spec.attribution
        if spec.source == "gisco":
            assert spec.sha256 and len(spec.sha256) == 64
            assert "EuroGeographics" in spec.attribution


def test_mirror_index_files_exist_and_are_reachable(shared_data):
    entries = load_index()
    for e in entries:
        assert (shared_data / e.path).is_file(), e.path
        assert e.url.startswith("https://"), e.url
    urls = {e.url for e in entries}
    reachable = {first_request(s).url for s in load_ledger().values()} & urls
    assert len(reachable) >= 10


def test_pinned_gisco_checksums_match_mirror(shared_data):
    import hashlib

    for spec in load_ledger().values():
        if spec.source == "gisco":
            path = shared_data / "geo" / f"{spec.dataset}.geojson"
            assert hashlib.sha256(path.read_bytes()).hexdigest() == spec.sha256


def test_ledger_errors_are_clear(tmp_path):
    bad = tmp_path / "ledger.yaml"
    bad.write_text("datasets:\n  x:\n    source: istat\n    dataset: 22_289\n    api: sdmx\n"
                   "    format: sdmx-ml\n    licence: CC\n    attribution: A\n")
    with pytest.raises(QueryError, match="must be quoted strings.*22289"):
        load_ledger(bad)
    bad.write_text("datasets:\n  x:\n    source: web\n    dataset: d\n    api: sdmx\n"
                   "    format: sdmx-ml\n    licence: CC\n    attribution: A\n")
    with pytest.raises(QueryError, match="source='web'"):
        load_ledger(bad)
    bad.write_text("datasets:\n  x:\n    source: gisco\n    dataset: d\n    api: file\n"
                   "    format: geojson\n    licence: CC\n    attribution: A\n")
    with pytest.raises(QueryError, match="pinned sha256"):
        load_ledger(bad)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_only_the_fetch_package_imports_network_libraries():
    offenders = {}
    # the replication guard imports socket only to refuse every connection (golden/netguard)
    guard = Path("golden", "netguard", "i4d_netguard.py")
    for path in SRC.rglob("*.py"):
        if "fetch" in path.relative_to(SRC).parts or path.relative_to(SRC) == guard:
            continue
        hits = {m for m in _imports(path) if m in NETWORK_MODULES or m.split(".")[0] in {"requests", "urllib3"}}
        if hits:
            offenders[str(path.relative_to(SRC))] = sorted(hits)
    assert offenders == {}


def test_sockets_only_opened_in_httpclient():
    fetch = SRC / "fetch"
    users = {p.name for p in fetch.rglob("*.py") if {"requests", "urllib3"} & _imports(p)}
    assert users == {"httpclient.py"}
