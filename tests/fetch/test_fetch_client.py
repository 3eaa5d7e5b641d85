"""End-to-end fetches: offline from the real mirror, online against 127.0.0.1."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pandas as pd
import pytest
from .conftest import Scripted

from i4districts.fetch.client import Fetcher, first_request
from i4districts.fetch.cli import mirrored_names
from i4districts.fetch.errors import (
    AsyncTimeout,
    ChecksumMismatch,
    ExtractionTooBig,
    MirrorMiss,
    QueryError,
    RateLimited,
    ResponseRejected,
)
from i4districts.fetch.httpclient import RetryPolicy
from i4districts.fetch.ledger import DatasetSpec, load_ledger
from i4districts.fetch.settings import FetchSettings

from .conftest import offline  # noqa: E402

LEDGER = load_ledger()
FAST = RetryPolicy(max_tries=3, backoff_base=0.01, backoff_cap=0.02, connect_timeout=1, read_timeout=2)



def online(tmp_path, server, **kw) -> Fetcher:
    settings = FetchSettings(
        mode="online", cache=tmp_path / "cache", policy=FAST, istat_policy=FAST,
        istat_limit=5, istat_window=1.0, ratelimit_dir=tmp_path / "rl",
        async_max_polls=3, async_poll_interval=0.01,
        bases={"eurostat": server.url + "/estat", "istat": server.url + "/istat"}, **kw,
    )
    return Fetcher(settings)


def spec(**kw) -> DatasetSpec:
    base = dict(name="toy", source="eurostat", dataset="ds", api="sdmx", format="sdmx-csv",
                licence="CC BY 4.0", attribution="Source: test", structure=False,
                dimensions=("freq", "geo"), filters={"freq": ("A",), "geo": ("IT", "FR")})
    base.update(kw)
    return DatasetSpec(**base)


def csv_body(geo: str, value: str) -> bytes:
    return (f"DATAFLOW,LAST UPDATE,freq,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
            f"ESTAT:DS(1.0),01/01/26,A,{geo},2021,{value},\n").encode()


TOO_BIG = (b'<S:Fault xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><faultcode>413</faultcode>'
           b"<faultstring>EXTRACTION_TOO_BIG: The requested extraction is too big, estimated 420709314 "
           b"rows, max authorised is 5000000</faultstring></S:Fault>")


# ------------------------------------------------------------------ offline, real mirror
def test_offline_mirror_produces_vintaged_tables_with_zero_sockets(tmp_path, shared_data, no_sockets):
    f = offline(tmp_path, shared_data)
    names = mirrored_names()
    assert {"nama_10r_3empers", "nama_10_gdp_lu", "nama_10_gdp_al_async", "prc_hicp_manr_ea",
            "istat_popres_it", "istat_servsocedu", "nuts2021_l3"} <= set(names)
    results = {n: f.fetch(LEDGER[n]) for n in names}
    assert no_sockets == []
    assert len(results["nama_10r_3empers"].table) == 476
    assert results["nama_10_gdp_lu"].table["value"].tolist() == [46526.2, 49094.5, 51791.3, 54142.3]
    asy = results["nama_10_gdp_al_async"]
    assert len(asy.table) == 43 and asy.vintages[0].meta["delivered_from"].endswith("7JUdWyAy4fmjBSWT")
    assert asy.vintages[0].response_path.suffix == ".zip"
    pop = results["istat_popres_it"].table
    assert pop.loc[(pop["sex"] == "2") & (pop["time"] == "2022"), "obs_status"].item() == "e"
    assert results["istat_servsocedu"].table["value"].sum() == 0 + 20 * 8 + 30 + 20 + 18 * 10 + 54
    for r in results.values():
        if r.table is not None:
            assert (r.table["vintage_id"] == r.vintages[-1].vintage_id).all()
    assert results["nuts2021_l3"].file.stat().st_size == 993501
    man = f.store.manifest()
    # ISTAT flows store their DSD as a vintage too
    assert len(man) == len(names) + 2
    assert set(man["origin"].str.split(":").str[0]) == {"mirror"}


def test_offline_reuses_cache_without_new_vintage(tmp_path, shared_data, no_sockets):
    f = offline(tmp_path, shared_data)
    first = f.fetch(LEDGER["nama_10_gdp_lu"])
    f.mirror = None  # the second run must not even need the mirror
    second = f.fetch(LEDGER["nama_10_gdp_lu"])
    assert second.vintages[0].vintage_id == first.vintages[0].vintage_id
    assert len(f.store.manifest()) == 1
    assert no_sockets == []


def test_offline_miss_names_the_url(tmp_path, shared_data, no_sockets):
    with pytest.raises(MirrorMiss, match="isoc_eb_ain2") as info:
        offline(tmp_path, shared_data).fetch(LEDGER["isoc_eb_ain2"])
    assert "neither in the vintage cache" in str(info.value)
    assert no_sockets == []


def test_replay_verifies_pins(tmp_path, shared_data, no_sockets):
    fetched = offline(tmp_path, shared_data).fetch(LEDGER["prc_hicp_manr_ea"])
    pins = fetched.pins()["vintages"]
    rf = Fetcher(FetchSettings(mode="replay", cache=tmp_path / "cache"))
    again = rf.replay(LEDGER["prc_hicp_manr_ea"], pins)
    pd.testing.assert_frame_equal(again.table, fetched.table)
    with pytest.raises(ChecksumMismatch):
        rf.fetch(LEDGER["prc_hicp_manr_ea"], [{**pins[0], "sha256": "f" * 64}])
    fetched.vintages[0].response_path.write_bytes(b"{}")
    with pytest.raises(ChecksumMismatch):
        rf.fetch(LEDGER["prc_hicp_manr_ea"], pins)
    assert no_sockets == []


def test_dsd_validation_happens_before_sending(tmp_path, shared_data, no_sockets):
    # GOV_10Q_GGNFA's structure is mirrored, its data is not: an invalid code must fail
    # on the DSD check, never reaching the (offline) data request.
    s = spec(dataset="GOV_10Q_GGNFA", structure=True, dimensions=(), format="sdmx-ml",
             filters={"geo": ("IT", "XX"), "unit": ("PC_GDP",)})
    with pytest.raises(QueryError, match=r"dimension 'geo' has code\(s\) not in its codelist: \['XX'\]"):
        offline(tmp_path, shared_data).fetch(s)
    with pytest.raises(QueryError, match="unknown dimension"):
        offline(tmp_path, shared_data).fetch(replace(s, filters={"nace": ("C",)}))
    ok = replace(s, filters={"geo": ("IT",), "unit": ("PC_GDP",)})
    with pytest.raises(MirrorMiss, match=r"GOV_10Q_GGNFA/\.\.\.\.PC_GDP|GOV_10Q_GGNFA/\.PC_GDP\.\.\.\.IT"):
        offline(tmp_path, shared_data).fetch(ok)
    assert no_sockets == []


def test_istat_url_equals_recorded_call():
    req = first_request(LEDGER["istat_servsocedu"])
    assert req.url == "https://esploradati.istat.it/SDMXWS/rest/dataflow/all/47_850/latest?references=datastructure"


def test_catalog_constraints_check_codes(tmp_path, shared_data):
    s = LEDGER["istat_asia_ul_sll2011"].with_overrides({"PERS_EMPL_SIZE_CLASS": ["W_10_19"]})
    f = offline(tmp_path, shared_data)
    assert f._catalog_codes(s)["PERS_EMPL_SIZE_CLASS"] == {"TOTAL", "W0_9", "W10_49", "W50_249", "W_GE250"}


# ------------------------------------------------------------------ online, local server
def test_extraction_too_big_is_split_along_the_named_dimension(tmp_path, server):
    server.route("/estat/sdmx/2.1/data/ds/A.IT+FR", Scripted(413, TOO_BIG))
    server.route("/estat/sdmx/2.1/data/ds/A.IT", Scripted(200, csv_body("IT", "1.5")))
    server.route("/estat/sdmx/2.1/data/ds/A.FR", Scripted(200, csv_body("FR", ":")))
    r = online(tmp_path, server).fetch(spec(split_dimension="geo"))
    assert r.table["geo"].tolist() == ["IT", "FR"]
    assert r.table["value"].iloc[0] == 1.5 and pd.isna(r.table["value"].iloc[1])
    assert len(r.vintages) == 2 and server.hits() == 3
    # the 413 refusal is recorded, so an offline re-run splits the same way from the cache
    man = Fetcher(FetchSettings(mode="offline", cache=tmp_path / "cache")).store.manifest()
    assert man["http_status"].tolist() == ["413", "200", "200"]
    f2 = Fetcher(replace(online(tmp_path, server).settings, mode="offline"))
    again = f2.fetch(spec(split_dimension="geo"))
    pd.testing.assert_frame_equal(again.table, r.table)
    assert server.hits() == 3


def test_extraction_too_big_without_split_names_the_filters(tmp_path, server):
    server.route("/estat/sdmx/2.1/data/ds/A.IT+FR", Scripted(413, TOO_BIG))
    with pytest.raises(ExtractionTooBig, match=r"filters \{'freq': \['A'\], 'geo': \['IT', 'FR'\]\}.*no split_dimension"):
        online(tmp_path, server).fetch(spec())
    assert server.hits() == 1


@pytest.mark.parametrize("answer", [
    # SOAP envelope of the current async API
    b'<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Header/><env:Body>'
    b'<ns0:syncResponse xmlns:ns0="http://estat.ec.europa.eu/disschain/soap/extraction"><queued>'
    b"<id>aBcD1234eFgH</id><status>SUBMITTED</status></queued></ns0:syncResponse></env:Body></env:Envelope>",
    # SDMX-ML footer carrying the key only
    b'<m:GenericData xmlns:m="m" xmlns:f="f" xmlns:c="c"><f:Footer><f:Message code="413" '
    b'severity="Infomation"><c:Text>ASYNC_RESPONSE</c:Text><c:Text>aBcD1234eFgH</c:Text>'
    b"</f:Message></f:Footer></m:GenericData>",
])
def test_async_key_is_polled_then_downloaded(tmp_path, server, shared_data, answer):
    footer = answer
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("data.xml", (shared_data / "sdmx/estat/NAMA_10_GDP-ss.xml").read_bytes())
    server.route("/estat/sdmx/2.1/data/ds/A...LU", Scripted(200, footer))
    status = "<env:Envelope xmlns:env='e'><env:status>{}</env:status></env:Envelope>"
    server.route("/estat/1.0/async/status/aBcD1234eFgH",
                 Scripted(200, status.format("SUBMITTED").encode()),
                 Scripted(200, status.format("PROCESSING").encode()),
                 Scripted(200, status.format("AVAILABLE").encode()))
    server.route("/estat/1.0/async/data/aBcD1234eFgH", Scripted(200, buf.getvalue()))
    # the ledger declares every dimension of the delivered series (undeclared ones are refused)
    r = online(tmp_path, server).fetch(spec(format="sdmx-ml", dimensions=("freq", "unit", "na_item", "geo"),
                                            filters={"freq": ("A",), "geo": ("LU",)}))
    assert r.table["value"].tolist() == [46526.2, 49094.5, 51791.3, 54142.3]
    assert server.hits("/estat/1.0/async/status/aBcD1234eFgH") == 3
    assert r.vintages[0].meta["delivered_from"].endswith("/1.0/async/data/aBcD1234eFgH")


def test_async_gives_up_after_the_bound(tmp_path, server):
    footer = (b'<m:GenericData xmlns:m="m" xmlns:f="f" xmlns:c="c"><f:Footer><f:Message code="413">'
              b"<c:Text>zzzz9999yyyy</c:Text></f:Message></f:Footer></m:GenericData>")
    server.route("/estat/sdmx/2.1/data/ds/A.LU", Scripted(200, footer))
    server.route("/estat/1.0/async/status/zzzz9999yyyy", Scripted(200, b"<s><status>PROCESSING</status></s>"))
    with pytest.raises(AsyncTimeout, match="not ready after 3 polls"):
        online(tmp_path, server).fetch(spec(format="sdmx-ml", filters={"freq": ("A",), "geo": ("LU",)}))
    assert server.hits("/estat/1.0/async/status/zzzz9999yyyy") == 3


def test_jsonstat_413_warning_is_retried_later(tmp_path, server, shared_data):
    warn = b'{"warning": {"status": 413, "label": "ASYNCHRONOUS_RESPONSE. Please try again later."}}'
    real = (shared_data / "jsonstat/prc_hicp_manr_EA_2025-10_2025-12.jsonstat2.json").read_bytes()
    server.route("/estat/statistics/1.0/data/prc_hicp_manr", Scripted(200, warn), Scripted(200, real))
    r = online(tmp_path, server).fetch(replace(LEDGER["prc_hicp_manr_ea"]))
    assert r.table["value"].tolist() == [2.1, 2.1, 2.0]
    assert server.hits("/estat/statistics/1.0/data/prc_hicp_manr") == 2


def test_istat_dsd_first_then_full_key(tmp_path, server, shared_data):
    server.route("/istat/dataflow/all/22_289/latest",
                 Scripted(200, (shared_data / "sdmx/istat/22_289-structure.xml").read_bytes()))
    server.route("/istat/data/22_289/A.IT.JAN.1+2.TOTAL.99",
                 Scripted(200, (shared_data / "sdmx/istat/22_289.xml").read_bytes()))
    f = online(tmp_path, server)
    r = f.fetch(LEDGER["istat_popres_it"])
    assert len(r.table) == 8
    paths = [p for _, p, _ in server.log]
    assert paths[0].startswith("/istat/dataflow/all/22_289/latest?references=datastructure")
    assert paths[1] == "/istat/data/22_289/A.IT.JAN.1+2.TOTAL.99?startPeriod=2019&endPeriod=2022"
    assert "structurespecificdata" in server.log[1][2]["Accept"]
    # a refresh reuses the recent DSD (politeness) and makes a new data vintage
    r2 = f.fetch(LEDGER["istat_popres_it"])
    assert server.hits("/istat/dataflow/all/22_289/latest") == 1
    assert r2.vintages[0].vintage_id != r.vintages[0].vintage_id


def test_istat_partial_key_refused_before_data_request(tmp_path, server, shared_data):
    server.route("/istat/dataflow/all/22_289/latest",
                 Scripted(200, (shared_data / "sdmx/istat/22_289-structure.xml").read_bytes()))
    s = replace(LEDGER["istat_popres_it"], filters={"FREQ": ("A",), "REF_AREA": ("IT",)})
    with pytest.raises(QueryError, match=r"fully specified; no codes for dimension\(s\) \['DATA_TYPE'"):
        online(tmp_path, server).fetch(s)
    assert server.hits() == 1


def test_istat_429_stops_after_one_request(tmp_path, server):
    server.route("/istat/dataflow/all/22_289/latest", Scripted(429, b"Too Many Requests"))
    with pytest.raises(RateLimited, match="Safe to try again after"):
        online(tmp_path, server).fetch(LEDGER["istat_popres_it"])
    assert server.hits() == 1


def test_html_200_not_parsed_into_empty_table(tmp_path, server):
    server.route("/estat/sdmx/2.1/data/ds/A.IT+FR",
                 Scripted(200, b"<html><body>Service unavailable</body></html>", {"Content-Type": "text/html"}))
    with pytest.raises(ResponseRejected, match="HTML"):
        online(tmp_path, server).fetch(spec())
    assert not (tmp_path / "cache" / "manifest.csv").exists()


def test_zero_observations_rejected(tmp_path, server):
    server.route("/estat/sdmx/2.1/data/ds/A.IT+FR",
                 Scripted(200, b"DATAFLOW,LAST UPDATE,freq,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"))
    with pytest.raises(ResponseRejected, match="zero observations"):
        online(tmp_path, server).fetch(spec())


def test_gisco_checksum_mismatch(tmp_path, server):
    server.route("/gisco/n.geojson", Scripted(200, b'{"type": "FeatureCollection", "features": []}'))
    s = replace(LEDGER["nuts2021_l3"], url_template=server.url + "/gisco/n.geojson")
    with pytest.raises(ChecksumMismatch, match="pinned"):
        online(tmp_path, server).fetch(s)
    assert not (tmp_path / "cache" / "manifest.csv").exists()


def test_settings_resolution():
    env = {"I4D_MIRROR": "/m", "I4D_CACHE": "/c"}
    s = FetchSettings.resolve(env=env)
    assert (s.mode, str(s.cache), str(s.mirror)) == ("offline", "/c", "/m")
    assert FetchSettings.resolve(env={}).mode == "online"
    assert str(FetchSettings.resolve(env={}).cache) == "results/raw"
    assert FetchSettings.resolve(mode="replay", env={"I4D_FETCH_MODE": "online"}).mode == "replay"
    assert FetchSettings.resolve(env={"I4D_FETCH_MODE": "online", "I4D_MIRROR": "/m"}).mode == "online"
    with pytest.raises(Exception, match="not one of"):
        FetchSettings.resolve(mode="sometimes", env={})
