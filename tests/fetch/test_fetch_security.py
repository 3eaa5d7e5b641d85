"""Issue 16 (fetch layer): tampered vintages, redirects, resource exhaustion, undeclared
dimensions, read-only vintages and error messages. No real network: the mirror in
I4D_SHARED_DATA and a scripted server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import stat
import time
from dataclasses import replace

import pandas as pd
import pytest
from .conftest import Scripted

from i4districts.fetch.cli import main_verify
from i4districts.fetch.client import Fetcher
from i4districts.fetch.errors import (
    ChecksumMismatch,
    DeadlineExceeded,
    FetchError,
    ParseError,
    RedirectRefused,
)
from i4districts.fetch.httpclient import HttpClient, RetryPolicy
from i4districts.fetch.ledger import DatasetSpec, load_ledger
from i4districts.fetch.parsers import parse_body
from i4districts.fetch.settings import FetchSettings
from i4districts.fetch.vintage import VintageStore

from .conftest import offline  # noqa: E402

LEDGER = load_ledger()
FAST = RetryPolicy(max_tries=2, backoff_base=0.01, backoff_cap=0.02, connect_timeout=1, read_timeout=2)



def replayer(tmp_path) -> Fetcher:
    return Fetcher(FetchSettings.resolve(mode="replay", cache=tmp_path / "cache", env={}))


def _tamper_table(v) -> None:
    """Change one value in data.parquet and rewrite data_sha256 in meta.json to match."""
    table = pd.read_parquet(v.data_path)
    row = table["value"].first_valid_index()
    table.loc[row, "value"] = table.loc[row, "value"] + 1000.0
    for f in (v.data_path, v.path / "meta.json"):
        f.chmod(0o644)
    table.to_parquet(v.data_path, index=False)
    meta = json.loads((v.path / "meta.json").read_text())
    from i4districts.io import sha256_file

    meta["data_sha256"] = sha256_file(v.data_path)
    (v.path / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True))
    for f in (v.data_path, v.path / "meta.json"):
        f.chmod(0o444)  # a careful tamperer restores the modes too


# ------------------------------------------------------------------ 2. tampered parsed data
@pytest.mark.parametrize("pin_table_hash", [True, False], ids=["pins-both-hashes", "old-pins-response-only"])
def test_tampered_parsed_table_with_rewritten_meta_is_refused_on_replay(tmp_path, shared_data, pin_table_hash):
    result = offline(tmp_path, shared_data).fetch(LEDGER["nama_10_gdp_lu"])
    pins = result.pins()["vintages"]
    assert pins[0]["data_sha256"] == result.vintages[0].meta["data_sha256"]
    if not pin_table_hash:  # a pin file written before the table hash was pinned
        pins = [{k: p[k] for k in ("vintage_id", "sha256")} for p in pins]
    # untampered: replay gives the same table
    pd.testing.assert_frame_equal(replayer(tmp_path).fetch(LEDGER["nama_10_gdp_lu"], pins).table, result.table)
    _tamper_table(result.vintages[0])
    with pytest.raises(ChecksumMismatch, match=r"data\.parquet"):
        replayer(tmp_path).fetch(LEDGER["nama_10_gdp_lu"], pins)


def test_verify_rederives_the_table_from_the_raw_response(tmp_path, shared_data, capsys):
    result = offline(tmp_path, shared_data).fetch(LEDGER["nama_10r_3empers"])  # bulk TSV, filtered locally
    store = VintageStore(tmp_path / "cache")
    assert store.verify_all() == []
    _tamper_table(result.vintages[0])
    problems = store.verify_all()
    assert len(problems) == 1 and "data.parquet" in problems[0] and "parsed from the raw response" in problems[0]
    args = type("A", (), {"cache": str(tmp_path / "cache"), "fix_permissions": False})()
    with pytest.raises(ChecksumMismatch, match="1 of 1 vintages"):
        main_verify(args)
    assert "data.parquet" in capsys.readouterr().err


# ------------------------------------------------------------------ 4. redirects
def test_redirect_to_another_host_is_refused_naming_both_hosts(server):
    port = server.httpd.server_address[1]
    url = server.route("/data", Scripted(302, b"", {"Location": f"http://localhost:{port}/elsewhere"}))
    server.route("/elsewhere", Scripted(200, b"<ok/>"))
    with pytest.raises(RedirectRefused, match=rf"127\.0\.0\.1:{port} to another host localhost:{port}"):
        HttpClient(policy=FAST, sleep=lambda s: None).get(url)
    assert server.hits("/elsewhere") == 0  # the other host was never contacted
    assert server.hits("/data") == 1  # and the refusal is not retried


def test_same_host_redirect_is_followed_and_the_final_url_recorded(server):
    url = server.route("/old", Scripted(301, b"", {"Location": "/new?x=1"}))
    server.route("/new", Scripted(200, b"<ok/>"))
    resp = HttpClient(policy=FAST, sleep=lambda s: None).get(url)
    assert resp.body == b"<ok/>" and resp.url == server.url + "/new?x=1"


def test_tls_downgrade_redirect_is_refused():
    from i4districts.fetch.httpclient import check_redirect

    with pytest.raises(RedirectRefused, match="non-TLS"):
        check_redirect("https://a.example/x", "https://a.example/x", "http://a.example/y")
    assert check_redirect("http://a.example/x", "http://a.example/x", "https://a.example/y") == "https://a.example/y"


def test_async_file_url_on_another_host_is_refused(tmp_path, server):
    footer = (b'<m:GenericData xmlns:m="m" xmlns:f="f" xmlns:c="c"><f:Footer><f:Message code="413">'
              b"<c:Text>written to https://evil.example/file/abc123</c:Text></f:Message></f:Footer></m:GenericData>")
    server.route("/estat/sdmx/2.1/data/ds/A.LU", Scripted(200, footer))
    settings = FetchSettings(mode="online", cache=tmp_path / "cache", policy=FAST, ratelimit_dir=tmp_path / "rl",
                             async_max_polls=2, async_poll_interval=0.01, bases={"eurostat": server.url + "/estat"})
    spec = DatasetSpec(name="toy", source="eurostat", dataset="ds", api="sdmx", format="sdmx-ml",
                       licence="x", attribution="y", structure=False, dimensions=("freq", "geo"),
                       filters={"freq": ("A",), "geo": ("LU",)})
    with pytest.raises(FetchError, match="evil.example"):
        Fetcher(settings).fetch(spec)


# ------------------------------------------------------------------ 5. resource exhaustion
def test_request_deadline_stops_a_dripping_server(server):
    url = server.route("/drip", Scripted(200, b"x" * 200, behaviour="drip", hang_s=0.2))
    policy = replace(FAST, deadline=1.0, read_timeout=0.5)
    t0 = time.monotonic()
    with pytest.raises(DeadlineExceeded, match=rf"{url}.*deadline of 1 s"):
        HttpClient(policy=policy, sleep=lambda s: None).get(url)
    assert time.monotonic() - t0 < 4.0
    assert server.hits("/drip") == 1  # not retried
    assert RetryPolicy().deadline == 300.0


def test_jsonstat_declaring_a_huge_cube_is_refused_before_allocating():
    cats = {str(i): i for i in range(300)}
    doc = {"class": "dataset", "id": ["a", "b", "time"], "size": [300, 300, 300],
           "dimension": {d: {"category": {"index": cats}} for d in ("a", "b", "time")},
           "value": {}, "status": "p"}
    body = json.dumps(doc).encode()
    t0 = time.monotonic()
    with pytest.raises(ParseError, match=r"toy \[http://x\].*300 x 300 x 300 = 27000000 cells.*limit of 5000000"):
        parse_body(body, "jsonstat", what="toy [http://x]")
    assert time.monotonic() - t0 < 1.0


def test_jsonstat_sizes_must_be_non_negative_integers():
    doc = {"class": "dataset", "id": ["time"], "size": ["9"], "dimension": {"time": {}}}
    with pytest.raises(ParseError, match="non-negative integers"):
        parse_body(json.dumps(doc).encode(), "jsonstat", what="toy")


# ------------------------------------------------------------------ 6. undeclared dimensions
SDMX_SS = (b'<m:StructureSpecificData xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">'
           b'<m:DataSet><Series FREQ="A" GEO="LU" {extra}><Obs TIME_PERIOD="2020" OBS_VALUE="1.5"/></Series>'
           b"</m:DataSet></m:StructureSpecificData>")


def test_sdmx_series_with_an_undeclared_dimension_is_refused(tmp_path, server):
    settings = FetchSettings(mode="online", cache=tmp_path / "cache", policy=FAST, ratelimit_dir=tmp_path / "rl",
                             bases={"eurostat": server.url + "/estat"})
    spec = DatasetSpec(name="toy", source="eurostat", dataset="ds", api="sdmx", format="sdmx-ml",
                       licence="x", attribution="y", structure=False, dimensions=("freq", "geo"),
                       filters={"freq": ("A",), "geo": ("LU",)})
    server.route("/estat/sdmx/2.1/data/ds/A.LU", Scripted(200, SDMX_SS.replace(b"{extra}", b'SURPRISE="Z"')))
    with pytest.raises(ParseError, match=r"toy .*dimension\(s\) \['surprise'\].*not in the ledger's dimensions"):
        Fetcher(settings).fetch(spec)
    assert not list((tmp_path / "cache").rglob("response.*"))  # nothing stored
    # declared dimensions and known attributes pass
    server.route("/estat/sdmx/2.1/data/ds/A.LU", Scripted(200, SDMX_SS.replace(b"{extra}", b'UNIT_MULT="0"')))
    table = Fetcher(settings).fetch(spec).table
    assert list(table.columns[:3]) == ["freq", "geo", "time"]


# ------------------------------------------------------------------ 7. read-only vintages
def test_vintage_files_are_read_only_and_verify_reports_writable_ones(tmp_path, shared_data):
    result = offline(tmp_path, shared_data).fetch(LEDGER["nama_10_gdp_lu"])
    v = result.vintages[0]
    files = v.files
    assert {f.name for f in files} == {"response.xml", "meta.json", "data.parquet"}
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o444 for f in files)
    store = VintageStore(tmp_path / "cache")
    assert store.verify_all() == []
    v.data_path.chmod(0o644)
    problems = store.verify_all()
    assert len(problems) == 1 and "writable" in problems[0] and "data.parquet" in problems[0]
    assert store.verify_all(fix_permissions=True) == []
    assert stat.S_IMODE(v.data_path.stat().st_mode) == 0o444 and store.verify_all() == []


def test_refetch_and_cleanup_work_with_read_only_files(tmp_path, shared_data, monkeypatch):
    f = offline(tmp_path, shared_data)
    store = f.store
    spec = LEDGER["nama_10_gdp_lu"]
    first = f.fetch(spec).vintages[0]
    # a new vintage of the same query beside the read-only one
    body = first.response_path.read_bytes()
    second = store.write(source="eurostat", dataset="x", query_hash="q", body=body, ext="xml",
                         meta={"format": "sdmx-ml"}, table=first.read_table().drop(columns="vintage_id"))
    assert second.vintage_id != first.vintage_id and stat.S_IMODE(second.data_path.stat().st_mode) == 0o444
    # a write failing after the files were made read-only leaves no temporary directory behind
    real_rename = os.rename

    def failing_rename(src, dst):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "rename", failing_rename)
    with pytest.raises(OSError, match="simulated"):
        store.write(source="eurostat", dataset="x", query_hash="q", body=b"<x/>", ext="xml", meta={})
    monkeypatch.setattr(os, "rename", real_rename)
    assert [p.name for p in (tmp_path / "cache" / "eurostat" / "x" / "q").iterdir() if p.name.startswith(".")] == []
    shutil.rmtree(tmp_path / "cache")  # a cache of read-only vintages can still be removed
    assert not (tmp_path / "cache").exists()


# ------------------------------------------------------------------ 8. messages name dataset, URL, file
def _jsonstat(**over) -> bytes:
    doc = {"class": "dataset", "id": ["freq", "geo", "time"], "size": [1, 1, 2],
           "role": {"time": ["time"]},
           "dimension": {"freq": {"category": {"index": {"A": 0}}}, "geo": {"category": {"index": {"IT": 0}}},
                         "time": {"category": {"index": {"2020": 0, "2021": 1}}}},
           "value": {"0": 1.5, "1": 2.5}}
    doc.update(over)
    return json.dumps(doc).encode()


def test_jsonstat_missing_dimension_names_dataset_url_and_dimension():
    body = _jsonstat(dimension={"geo": {"category": {"index": {"IT": 0}}},
                                "time": {"category": {"index": {"2020": 0, "2021": 1}}}})
    with pytest.raises(ParseError, match=r"isoc_x \[https://e/x\]: .*\['freq'\].*missing"):
        parse_body(body, "jsonstat", what="isoc_x [https://e/x]")


def test_jsonstat_text_value_names_dataset_url_and_value():
    with pytest.raises(ParseError, match=r"isoc_x \[https://e/x\]: JSON-stat value 'n\.a\.' at cell 1 .*time=2021"):
        parse_body(_jsonstat(value=[1.5, "n.a."]), "jsonstat", what="isoc_x [https://e/x]")
    assert parse_body(_jsonstat(value=[1.5, ":"]), "jsonstat", what="x")["value"].isna().tolist() == [False, True]


@pytest.mark.parametrize("fmt,body", [("tsv", b"freq,geo\\TIME_PERIOD\t2020 \n"), ("sdmx-csv", b""),
                                      ("sdmx-csv", b"\xef\xbb\xbf")])
def test_empty_tables_name_the_source(fmt, body):
    with pytest.raises(ParseError, match=r"ds \[/mirror/file\.csv\]"):
        parse_body(body, fmt, what="ds [/mirror/file.csv]")


def test_offline_parse_errors_name_the_mirror_file(tmp_path, shared_data):
    mirror = tmp_path / "mirror"
    shutil.copytree(shared_data / "sdmx", mirror / "sdmx")
    target = next(p for p in (mirror / "sdmx").rglob("NAMA_10_GDP-ss.xml"))
    target.write_bytes(b"<broken")
    f = Fetcher(FetchSettings.resolve(mode="offline", cache=tmp_path / "cache", mirror=mirror, env={}))
    with pytest.raises(ParseError, match=r"nama_10_gdp_lu .*from mirror file .*NAMA_10_GDP-ss\.xml"):
        f.fetch(LEDGER["nama_10_gdp_lu"])


def test_empty_manifest_is_an_empty_cache(tmp_path):
    (tmp_path / "manifest.csv").write_bytes(b"")
    assert VintageStore(tmp_path).verify_all() == []
