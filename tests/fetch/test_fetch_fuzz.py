"""Fuzzing the parsers: a body either parses to the tidy table or raises a documented error.

Inputs are real recorded responses (``I4D_SHARED_DATA``: SDMX-ML structure-specific and
generic, JSON-stat 2.0, Eurostat TSV with flags, a bulk ``.tsv.gz``) mutated byte by byte,
plus structure-aware generators of each format with hostile names and cells. Property:

* :func:`~i4districts.fetch.parsers.parse_body` returns the tidy table (lower-case, unique,
  non-reserved dimension columns of non-empty string codes, ``time`` string, ``value``
  float64, the three flag columns as strings) or raises ``ParseError``/``UnsafeContent``,
  never another exception (KeyError, IndexError, pandas' ValueError, UnicodeDecodeError,
  RecursionError, OverflowError ...);
* :func:`~i4districts.fetch.decode.derive_table` on a gzip body may also raise
  ``ResponseRejected``;
* memory stays bounded: tracemalloc peak under :data:`PEAK_LIMIT` for inputs of a few KB.

Bounded for CI (2 cores): ``derandomize=True`` (same examples on every run, no example
database) and ``max_examples`` sized so the module runs in well under 25 s. Set
``I4D_FUZZ_SCALE=20`` locally to hunt longer (and at random). Crashes found are kept as ``@example``.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import tracemalloc
from functools import cache
from pathlib import Path
from xml.sax.saxutils import quoteattr

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings

from i4districts.fetch.decode import derive_table
from i4districts.fetch.errors import ParseError, ResponseRejected, UnsafeContent
from i4districts.fetch.parsers import FLAG_COLUMNS, parse_body
from i4districts.fetch.parsers.common import RESERVED

SCALE = max(1, int(os.environ.get("I4D_FUZZ_SCALE", "1")))
PEAK_LIMIT = 48 * 1024 * 1024  # bytes; inputs are a few KB, a sane parse needs well under 10 MB
DOCUMENTED = (ParseError, UnsafeContent)


def fuzz_settings(n: int):
    return settings(
        max_examples=n * SCALE,
        deadline=None,
        derandomize=SCALE == 1,  # CI: fixed examples; a local hunt explores at random
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _shared() -> Path:
    return Path(os.environ.get("I4D_SHARED_DATA", "/work/shared/data"))


@cache
def fixture(name: str) -> bytes:
    """Small real bodies from the shared reference data (skip when absent)."""
    base = _shared()
    if name == "lfs":  # first lines of a bulk download: header 'unit,sex,age,geo\\time', flags b/u/:
        path = base / "lfs/lfst_r_lfe2emp.tsv.gz"
        if not path.exists():
            pytest.skip(f"{path} not available")
        with gzip.open(path, "rb") as fh:
            return b"".join(fh.readline() for _ in range(25))
    path = base / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path.read_bytes()


FIXTURES = {
    "sdmx-ml": ["sdmx/estat/NAMA_10_GDP-ss.xml", "sdmx/istat/22_289.xml",
                "sdmx/istat/recorded/b1957b05ba522041.decoded.xml"],
    "jsonstat": ["jsonstat/prc_hicp_manr_EA_2025-10_2025-12.jsonstat2.json"],
    "tsv": ["tsv/nama_10r_3empers_sample_data_EXCERPT.tsv", "lfs"],
}
#: SDMX-CSV 1.0 as served by Eurostat (values of NAMA_10_GDP-ss.xml; OBS_FLAG column).
SDMX_CSV = (
    b"DATAFLOW,LAST UPDATE,freq,unit,na_item,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\r\n"
    b"ESTAT:NAMA_10_GDP(1.0),11/11/22 12:30:30,A,CP_MEUR,B1GQ,LU,2012,46526.2,\r\n"
    b"ESTAT:NAMA_10_GDP(1.0),11/11/22 12:30:30,A,CP_MEUR,B1GQ,LU,2013,49094.5,p\r\n"
    b"ESTAT:NAMA_10_GDP(1.0),11/11/22 12:30:30,A,CP_MEUR,B1GQ,LU,2014,:,c\r\n"
)
#: SDMX-CSV 2.0 with the 2025 split flags.
SDMX_CSV2 = (
    b"STRUCTURE,STRUCTURE_ID,ACTION,freq,geo,TIME_PERIOD,OBS_VALUE,OBS_STATUS,CONF_STATUS\n"
    b"dataflow,ESTAT:X(1.0),I,A,IT,2020,12.5,P,F\n"
    b'dataflow,ESTAT:X(1.0),I,A,"FR",2021,,,C\n'
)

#: Fragments that matter to the formats, spliced in by the mutator.
TOKENS = [
    b"\t", b",", b":", b" ", b"\n", b"\r", b"\r\n", b'"', b"'", b"\\", b"<", b">", b"/>", b"</", b"&amp;",
    b"&#0;", b"<!DOCTYPE x>", b"{", b"}", b"[", b"]", b"null", b"true", b"-1", b"1e999", b"9" * 400,
    b"NaN", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3", b"OBS_VALUE", b"TIME_PERIOD", b"OBS_FLAG",
    b"OBS_STATUS", b"time", b"value", b"vintage_id", b"GEO", b"geo", b'"size"', b'"index"', b'"status"',
    b'"id"', b'"role"', b": c", b" p", b"Series", b"Obs", b"Value", b'id=""', b"=", b"\x1f\x8b",
]


@st.composite
def mutated(draw, base: bytes) -> bytes:
    """``base`` with a few byte-level mutations (delete, insert, replace, duplicate, truncate)."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        n = len(data)
        op = draw(st.sampled_from(["delete", "insert", "token", "replace", "dup", "truncate", "swap"]))
        i = draw(st.integers(0, n))
        j = min(n, i + draw(st.integers(0, 64)))
        if op == "delete":
            del data[i:j]
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=16))
        elif op == "token":
            data[i:i] = draw(st.sampled_from(TOKENS)) * draw(st.integers(1, 3))
        elif op == "replace" and n:
            data[min(i, n - 1)] = draw(st.integers(0, 255))
        elif op == "dup":
            data[j:j] = data[i:j]
        elif op == "truncate":
            del data[i:]
        elif op == "swap" and n:
            k = draw(st.integers(0, n - 1))
            data[i:j], data[k:k] = b"", data[i:j]
    return bytes(data)


def check_tidy(table: pd.DataFrame) -> None:
    """The documented tidy layout: dimension columns, time, value, the flag columns."""
    cols = list(table.columns)
    assert cols[-(2 + len(FLAG_COLUMNS)):] == ["time", "value", *FLAG_COLUMNS], cols
    dims = cols[: -(2 + len(FLAG_COLUMNS))]
    assert len(set(dims)) == len(dims), dims
    for d in dims:
        assert isinstance(d, str) and d and d == d.lower() and d not in RESERVED, d
    for c in (*dims, "time"):
        assert pd.api.types.is_string_dtype(table[c].dtype), (c, table[c].dtype)
        assert not table[c].isna().any() and not (table[c] == "").any(), c
    assert table["value"].dtype == "float64"
    for f in FLAG_COLUMNS:
        assert str(table[f].dtype) == "string", (f, table[f].dtype)
        assert not (table[f] == "").any(), f


def run_parser(fn, *args, allowed=DOCUMENTED, **kw):
    """Run ``fn``; a documented error or the tidy table, within :data:`PEAK_LIMIT` bytes."""
    tracemalloc.start()
    try:
        table = fn(*args, **kw)
    except allowed:
        table = None
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < PEAK_LIMIT, f"peak {peak / 2**20:.1f} MiB for a {len(args[0])}-byte body"
    if table is not None:
        check_tidy(table)
    return table


# ---------------------------------------------------------------- mutated real fixtures

FIXTURE_CASES = [(fmt, name) for fmt, names in FIXTURES.items() for name in names]


@pytest.mark.parametrize("fmt,name", FIXTURE_CASES, ids=[n.rsplit("/", 1)[-1] for _, n in FIXTURE_CASES])
def test_real_fixtures_parse_to_tidy_tables(fmt, name):
    table = run_parser(parse_body, fixture(name), fmt, what="fuzz")
    assert table is not None and len(table) > 0


@pytest.mark.parametrize("body", [SDMX_CSV, SDMX_CSV2], ids=["csv1", "csv2"])
def test_sdmx_csv_samples_parse(body):
    table = run_parser(parse_body, body, "sdmx-csv", what="fuzz")
    assert table is not None and len(table) == 3 - (body is SDMX_CSV2)
    assert math.isnan(table["value"].iloc[-1])


@pytest.mark.parametrize("fmt,name", FIXTURE_CASES, ids=[n.rsplit("/", 1)[-1] for _, n in FIXTURE_CASES])
@given(data=st.data())
@fuzz_settings(40)
def test_mutated_fixtures(fmt, name, data):
    run_parser(parse_body, data.draw(mutated(fixture(name))), fmt, what="fuzz")


@given(body=st.sampled_from([SDMX_CSV, SDMX_CSV2]).flatmap(mutated))
@fuzz_settings(80)
@example(body=b"A,,TIME_PERIOD,OBS_VALUE\nx,y,2020,1\n")  # blank header column: was KeyError ''
@example(body=b"A,A,TIME_PERIOD,OBS_VALUE\nx,y,2020,1\n")  # repeated column: silently dropped one
@example(body=b" A,TIME_PERIOD,OBS_VALUE\nx,2020,1\n")  # id with surrounding blank
@example(body=b"A,TIME_PERIOD,OBS_VALUE\nx,2020,1\ny,\"20\n21\",2\n")
@example(body=b"A,TIME_PERIOD,OBS_VALUE\nx,2020,1\ry,2021,2\n")
def test_mutated_sdmx_csv(body):
    run_parser(parse_body, body, "sdmx-csv", what="fuzz")


@given(body=st.sampled_from(["tsv/nama_10r_3empers_sample_data_EXCERPT.tsv", "lfs"]).map(
    lambda n: gzip.compress(fixture(n), mtime=0)).flatmap(mutated))
@fuzz_settings(60)
@example(body=gzip.compress(b"a\\TIME_PERIOD\t2020\nx\t1\n", mtime=0)[:-5])  # truncated: was EOFError
@example(body=gzip.compress(b"a\\TIME_PERIOD\t2020\nx\t1\n", mtime=0) + b"junk")  # was BadGzipFile
@example(body=b"\x1f\x8b\x08\x00" + b"\x00" * 20)  # corrupt deflate stream: was zlib.error
def test_mutated_gzip_tsv_bodies(body):
    run_parser(derive_table, body, "tsv", what="fuzz", allowed=(*DOCUMENTED, ResponseRejected))


# ---------------------------------------------------------------- structure-aware generators

names = st.sampled_from(
    ["geo", "GEO", "unit", "freq", "nace_r2", "TIME_PERIOD", "OBS_VALUE", "OBS_FLAG", "OBS_STATUS",
     "CONF_STATUS", "time", "value", "Time", "vintage_id", "UNIT_MULT", "a-b", "x_1"]
)
codes = st.one_of(
    st.sampled_from(["IT", "ITC4", "2020", "2021-Q1", "A", "", " ", ":", "B-E", "TOTAL", "NaN"]),
    st.text(max_size=6),
)
cells = st.one_of(
    st.sampled_from([":", ": c", ":c", "3.16 p", "1e999", "-0", ".5", "NaN", "", "1,5", "nan", "inf",
                     "1_000", "0x10", "12 pe", "9" * 400, "1e-999", "abc", "  7  "]),
    st.floats(allow_nan=True).map(repr),
    st.text(max_size=5),
)


def _attrs(pairs: list[tuple[str, str]]) -> str:
    seen: dict[str, str] = {}
    for k, v in pairs:
        seen.setdefault(k, v)  # XML forbids repeated attributes: keep the first
    return " ".join(f"{k}={quoteattr(v)}" for k, v in seen.items())


@st.composite
def structure_specific(draw) -> bytes:
    dao = draw(st.sampled_from(["TIME_PERIOD", "AllDimensions", "geo", ""]))
    series = []
    for _ in range(draw(st.integers(0, 3))):
        obs = []
        for _ in range(draw(st.integers(0, 3))):
            pairs = draw(st.lists(st.tuples(names, codes), max_size=3))
            if draw(st.booleans()):
                pairs.insert(0, ("TIME_PERIOD", draw(codes)))
            if draw(st.booleans()):
                pairs.append(("OBS_VALUE", draw(cells)))
            obs.append(f"<Obs {_attrs(pairs)}/>")
        series.append(f"<Series {_attrs(draw(st.lists(st.tuples(names, codes), max_size=4)))}>{''.join(obs)}</Series>")
    loose = [f"<Obs {_attrs(draw(st.lists(st.tuples(names, codes), max_size=4)))}/>"
             for _ in range(draw(st.integers(0, 2)))]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<m:StructureSpecificData xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">'
        f'<m:Header><m:Structure dimensionAtObservation="{dao}"/></m:Header>'
        f"<DataSet>{''.join(series)}{''.join(loose)}</DataSet></m:StructureSpecificData>"
    ).encode()


@st.composite
def generic(draw) -> bytes:
    def value(tag: str, with_id: bool = True) -> str:
        pairs = []
        if with_id and draw(st.integers(0, 9)):
            pairs.append(("id", draw(names)))
        if draw(st.integers(0, 9)):
            pairs.append(("value", draw(codes if tag != "ObsValue" else cells)))
        return f"<g:{tag} {_attrs(pairs)}/>"

    series = []
    for _ in range(draw(st.integers(0, 3))):
        key = "".join(value("Value") for _ in range(draw(st.integers(0, 3))))
        attrs = "".join(value("Value") for _ in range(draw(st.integers(0, 2))))
        obs = []
        for _ in range(draw(st.integers(0, 3))):
            parts = []
            if draw(st.integers(0, 9)):
                parts.append(value("ObsDimension"))
            if draw(st.integers(0, 9)):
                parts.append(value("ObsValue", with_id=False))
            if draw(st.booleans()):
                parts.append(f"<g:Attributes>{value('Value')}</g:Attributes>")
            obs.append(f"<g:Obs>{''.join(parts)}</g:Obs>")
        series.append(f"<g:Series><g:SeriesKey>{key}</g:SeriesKey><g:Attributes>{attrs}</g:Attributes>"
                      f"{''.join(obs)}</g:Series>")
    return (
        '<m:GenericData xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" '
        'xmlns:g="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic">'
        f"<m:DataSet>{''.join(series)}</m:DataSet></m:GenericData>"
    ).encode()


@given(body=st.one_of(structure_specific(), generic()))
@fuzz_settings(120)
@example(body=b'<m:GenericData xmlns:m="m"><DataSet><Series><SeriesKey><Value value="x"/></SeriesKey>'
         b'<Obs><ObsDimension value="2020"/><ObsValue value="1"/></Obs></Series></DataSet></m:GenericData>')
# Value without id: was AttributeError 'NoneType' object has no attribute 'lower'
@example(body=b'<?xml version="1.0" encoding="bogus"?><a/>')  # was LookupError: unknown encoding
@example(body=b'<m:StructureSpecificData xmlns:m="m"><DataSet><Series geo="">'
         b'<Obs TIME_PERIOD="2020" OBS_VALUE="1"/></Series></DataSet></m:StructureSpecificData>')
def test_generated_sdmx_ml(body):
    run_parser(parse_body, body, "sdmx-ml", what="fuzz")


@given(body=st.one_of(structure_specific(), generic()).flatmap(mutated))
@fuzz_settings(60)
def test_generated_sdmx_ml_mutated(body):
    run_parser(parse_body, body, "sdmx-ml", what="fuzz")


@st.composite
def sdmx_csv(draw) -> bytes:
    header = draw(st.lists(st.one_of(names, st.sampled_from(["DATAFLOW", "LAST UPDATE", "", " geo"])),
                           max_size=6))
    for must in ("TIME_PERIOD", "OBS_VALUE"):
        if draw(st.integers(0, 9)) and must not in header:
            header.insert(draw(st.integers(0, len(header))), must)
    width = len(header)
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        n = width if draw(st.integers(0, 9)) else draw(st.integers(0, width + 2))
        rows.append([draw(st.one_of(codes, cells)) for _ in range(n)])

    def field(x: str) -> str:
        return '"' + x.replace('"', '""') + '"' if any(ch in x for ch in ',"\r\n') else x

    eol = draw(st.sampled_from(["\n", "\r\n"]))
    return eol.join(",".join(field(x) for x in r) for r in [header, *rows]).encode("utf-8", "surrogatepass")


@given(body=sdmx_csv())
@fuzz_settings(120)
def test_generated_sdmx_csv(body):
    run_parser(parse_body, body, "sdmx-csv", what="fuzz")


@st.composite
def tsv(draw) -> bytes:
    dims = draw(st.lists(names, min_size=1, max_size=4))
    head = draw(st.sampled_from(["\\TIME_PERIOD", "\\time", "\\", ""]))
    periods = draw(st.lists(codes, max_size=4))
    lines = ["\t".join([",".join(dims) + head, *periods])]
    for _ in range(draw(st.integers(0, 4))):
        key = ",".join(draw(codes) for _ in range(draw(st.sampled_from([len(dims), len(dims), 0, len(dims) + 1]))))
        n = len(periods) if draw(st.integers(0, 9)) else draw(st.integers(0, len(periods) + 2))
        lines.append("\t".join([key, *(draw(cells) for _ in range(n))]))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@given(body=tsv())
@fuzz_settings(120)
@example(body=b"\\TIME_PERIOD\t2020\nx\t1\n")  # empty dimension id: was a column named ''
@example(body=b"a\\TIME_PERIOD\t2020\t2020\nx\t1\t2\n")
def test_generated_tsv(body):
    run_parser(parse_body, body, "tsv", what="fuzz")


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=4))
json_any = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                              st.dictionaries(st.text(max_size=3), inner, max_size=3)),
                        max_leaves=8)


@st.composite
def jsonstat(draw) -> bytes:
    ndim = draw(st.integers(1, 3))
    ids = [draw(st.sampled_from(["freq", "geo", "unit", "nace_r2"])) + str(i) for i in range(ndim)] + ["time"]
    sizes = [draw(st.integers(0, 3)) for _ in ids]
    dimension = {}
    for d, s in zip(ids, sizes, strict=True):
        cats = [f"C{k}" for k in range(s)]
        style = draw(st.sampled_from(["dict", "list", "label"]))
        if style == "dict":
            cat = {"index": {c: k for k, c in enumerate(cats)}}
        elif style == "list":
            cat = {"index": cats}
        else:
            cat = {"label": {c: c.lower() for c in cats}}
        dimension[d] = {"label": d, "category": cat}
    n = math.prod(sizes)
    if draw(st.booleans()):
        value = {str(i): draw(st.one_of(st.floats(-1e6, 1e6), st.none())) for i in
                 draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=n, unique=True))}
    else:
        value = [draw(st.one_of(st.floats(-1e6, 1e6), st.none())) for _ in range(n)]
    doc = {"version": "2.0", "class": "dataset", "id": ids, "size": sizes, "value": value,
           "dimension": dimension}
    if draw(st.booleans()):
        doc["status"] = draw(st.one_of(st.sampled_from(["p", ":", "c"]),
                                       st.dictionaries(st.integers(0, n + 1).map(str), st.sampled_from(["p", "e"]),
                                                       max_size=3)))
    if draw(st.booleans()):
        doc["role"] = {"time": ["time"]}
    # hostile edits: replace a top-level field or a dimension's category with arbitrary JSON
    for _ in range(draw(st.integers(0, 2))):
        where = draw(st.sampled_from(["id", "size", "value", "status", "role", "dimension", "category", "index",
                                      "role.time", "label"]))
        junk = draw(json_any)
        d = draw(st.sampled_from(ids))
        if where == "category":
            dimension[d]["category"] = junk
        elif where == "index" and isinstance(dimension[d].get("category"), dict):
            dimension[d]["category"]["index"] = junk
        elif where == "label" and isinstance(dimension[d].get("category"), dict):
            dimension[d]["category"].pop("index", None)
            dimension[d]["category"]["label"] = junk
        elif where == "role.time":
            doc["role"] = {"time": junk}
        else:
            doc[where] = junk
    return json.dumps(doc).encode()


@given(body=jsonstat())
@fuzz_settings(150)
@example(body=b"[" * 100_000 + b"]" * 100_000)  # was RecursionError
@example(body=b'{"class":"dataset","id":[["a"]],"size":[1],"dimension":{}}')  # was TypeError unhashable
@example(body=b'{"class":"dataset","id":["t"],"size":[1],"role":{"time":5},'
         b'"dimension":{"t":{"category":{"index":["x"]}}},"value":[1]}')  # was TypeError not subscriptable
@example(body=b'{"class":"dataset","id":["t"],"size":[1],"role":{"time":{"a":1}},'
         b'"dimension":{"t":{"category":{"index":["x"]}}},"value":[1]}')  # was KeyError 0
@example(body=b'{"class":"dataset","id":["time"],"size":[1],'
         b'"dimension":{"time":{"category":{"label":5}}},"value":[1]}')  # was TypeError not iterable
@example(body=b'{"class":"dataset","id":["time"],"size":[1],"dimension":{"time":{"category":{"index":["x"]}}},'
         b'"value":[' + b"9" * 5000 + b"]}")  # was ValueError: exceeds the integer digit limit
@example(body=b'{"class":"dataset","id":["time"],"size":[1],"dimension":{"time":{"category":{"index":["x"]}}},'
         b'"value":[' + b"9" * 400 + b"]}")  # was OverflowError: int too large to convert to float
@example(body=b'{"class":"dataset","id":["time"],"size":[1],"dimension":{"time":{"category":{"index":["x"]}}},'
         b'"value":[1],"status":[{"a":1}]}')  # was a flag "{'a': 1}"
@example(body=b'{"class":"dataset","id":["time"],"size":[1],"dimension":{"time":{"category":{"index":[{"a":1}]}}},'
         b'"value":[1]}')  # was a time code "{'a': 1}"
@example(body=b'{"class":"dataset","id":["time"],"size":[5000000],"status":"p",'
         b'"dimension":{"time":{"category":{"index":{}}}}}')  # size mismatch refused before any row
def test_generated_jsonstat(body):
    run_parser(parse_body, body, "jsonstat", what="fuzz")


def test_jsonstat_string_status_does_not_amplify():
    """A 4 KB sparse document declaring 170^3 cells with one string ``status``.

    Was: one row per declared cell, 4.9 million row dicts (gigabytes). Now the string
    applies to the cells holding a value (all cells only for a dense value array, which
    is as long as the document).
    """
    dims = {d: {"category": {"index": [f"{d}{k}" for k in range(170)]}} for d in ("a", "b", "time")}
    doc = {"class": "dataset", "id": ["a", "b", "time"], "size": [170, 170, 170], "status": "p",
           "value": {"3": 1.5}, "dimension": dims}
    table = run_parser(parse_body, json.dumps(doc).encode(), "jsonstat", what="amp")
    assert len(table) == 1 and table["time"].tolist() == ["time3"] and table["obs_flag"].tolist() == ["p"]
    small = {"class": "dataset", "id": ["time"], "size": [4], "status": "p", "value": [1.0, None, 2.0, None],
             "dimension": {"time": {"category": {"index": ["a", "b", "c", "d"]}}}}
    table = run_parser(parse_body, json.dumps(small).encode(), "jsonstat", what="dense")
    assert table["time"].tolist() == ["a", "b", "c", "d"] and set(table["obs_flag"]) == {"p"}
    assert table["value"].isna().tolist() == [False, True, False, True]
