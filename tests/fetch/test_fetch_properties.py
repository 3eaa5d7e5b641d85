"""Property tests: JSON-stat indexing, TSV cells, keys, missing values."""

from __future__ import annotations

import json
import math

import hypothesis.strategies as st
import pandas as pd
from hypothesis import given, settings

from i4districts.fetch.parsers import parse_body
from i4districts.fetch.parsers.common import parse_value
from i4districts.fetch.structure import build_key, validate_filters

codes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", min_size=1, max_size=6)


@st.composite
def jsonstat_cube(draw):
    ndim = draw(st.integers(1, 3))
    dims = [f"d{i}" for i in range(ndim)] + ["time"]
    sizes = [draw(st.integers(1, 4)) for _ in dims]
    cats = [draw(st.lists(codes, min_size=s, max_size=s, unique=True)) for s in sizes]
    n = math.prod(sizes)
    present = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
    values = {str(i): draw(st.floats(-1e6, 1e6, allow_nan=False)) for i in present}
    doc = {
        "version": "2.0", "class": "dataset", "id": dims, "size": sizes, "value": values,
        "dimension": {d: {"category": {"index": {c: k for k, c in enumerate(cs)}}}
                      for d, cs in zip(dims, cats, strict=True)},
    }
    return doc, cats, sizes


@given(jsonstat_cube())
@settings(max_examples=60, deadline=None)
def test_jsonstat_flat_index_round_trip(cube):
    """Row-major: flat = sum_k i_k * prod_{j>k} size_j; parsing then re-indexing gives back each value."""
    doc, cats, sizes = cube
    if not doc["value"]:
        return
    df = parse_body(json.dumps(doc).encode(), "jsonstat", what="prop")
    assert len(df) == len(doc["value"])
    cols = [c for c in df.columns if c.startswith("d")] + ["time"]
    for _, row in df.iterrows():
        flat = 0
        for col, cs, s in zip(cols, cats, sizes, strict=True):
            flat = flat * s + cs.index(row[col])
        assert row["value"] == doc["value"][str(flat)]


@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(["", " p", " b", " e", " pe"]))
def test_tsv_cell_value_and_flag(x, flag):
    body = f"freq,geo\\TIME_PERIOD\t2020\nA,IT\t{x!r}{flag}\n".encode()
    df = parse_body(body, "tsv", what="prop")
    assert df["value"].iloc[0] == x
    got = df["obs_flag"].iloc[0]
    if flag:
        assert got == flag.strip()
    else:
        assert got is None or got is pd.NA or (isinstance(got, float) and math.isnan(got))


@given(st.sampled_from([":", ": ", "", "NaN", ": c", ":c"]))
def test_missing_markers_are_nan_never_zero(cell):
    body = f"freq,geo\\TIME_PERIOD\t2020\nA,IT\t{cell}\n".encode()
    v = parse_body(body, "tsv", what="prop")["value"].iloc[0]
    assert math.isnan(v)
    assert math.isnan(parse_value(cell.split(" ")[0] if cell != ":c" else ":", what="p"))


@given(st.lists(st.lists(codes, min_size=0, max_size=3, unique=True), min_size=1, max_size=6))
def test_build_key_has_one_slot_per_dimension(code_lists):
    dims = [f"D{i}" for i in range(len(code_lists))]
    filters = {d: cs for d, cs in zip(dims, code_lists, strict=True) if cs}
    key = build_key(dims, filters)
    slots = key.split(".")
    assert len(slots) == len(dims)
    for d, slot in zip(dims, slots, strict=True):
        assert slot.split("+") == filters[d] if d in filters else slot == ""
    assert validate_filters(filters, dims, {d: frozenset(c) for d, c in filters.items()}, what="p") == filters


def _reference_tsv(body: bytes) -> list[tuple]:
    """Plain-Python reading of a TSV: one (key..., period, value, flag) per cell."""
    from i4districts.fetch.parsers.tsv import split_cell

    lines = body.decode().splitlines()
    periods = [p.strip() for p in lines[0].split("\t")[1:]]
    out = []
    for ln in lines[1:]:
        cells = ln.split("\t")
        for p, c in zip(periods, cells[1:], strict=True):
            v, f = split_cell(c)
            out.append((*cells[0].split(","), p, parse_value(v, what="ref"), f))
    return out


cell_st = st.one_of(
    st.just(": "), st.just(":"), st.just(": c"),
    st.builds(lambda x, f: f"{x} {f}".rstrip() + " ", st.decimals(-1e6, 1e6, places=2, allow_nan=False),
              st.sampled_from(["", "p", "b", "e", "bp"])),
)


@given(st.lists(st.lists(cell_st, min_size=3, max_size=3), min_size=1, max_size=8))
@settings(max_examples=60, deadline=None)
def test_vectorised_tsv_matches_plain_reading(rows):
    head = "freq,geo\\TIME_PERIOD\t2019\t2020\t2021"
    body = "\n".join([head] + [f"A,R{i}\t" + "\t".join(r) for i, r in enumerate(rows)]).encode()
    df = parse_body(body, "tsv", what="prop")
    ref = _reference_tsv(body)
    assert len(df) == len(ref)
    for (_, row), (freq, geo, period, value, flag) in zip(df.iterrows(), ref, strict=True):
        assert (row["freq"], row["geo"], row["time"]) == (freq, geo, period)
        assert (math.isnan(value) and math.isnan(row["value"])) or row["value"] == value
        assert (None if pd.isna(row["obs_flag"]) else row["obs_flag"]) == flag


def test_vectorised_tsv_matches_plain_reading_on_real_file(shared_data):
    body = (shared_data / "tsv/nama_10r_3empers_sample_data_EXCERPT.tsv").read_bytes()
    df = parse_body(body, "tsv", what="real")
    ref = _reference_tsv(body)
    got = [(r.freq, r.unit, r.wstatus, r.nace_r2, r.geo, r.time, r.value,
            None if pd.isna(r.obs_flag) else r.obs_flag) for r in df.itertuples()]
    for g, e in zip(got, ref, strict=True):
        assert g[:6] == e[:6] and g[7] == e[7]
        assert (math.isnan(g[6]) and math.isnan(e[6])) or g[6] == e[6]
