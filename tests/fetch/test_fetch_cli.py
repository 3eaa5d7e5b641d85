"""The ``i4d fetch`` commands, registered on a fresh stage parser (as :mod:`i4districts.cli` does)."""

from __future__ import annotations

import argparse
import json

import pandas as pd
import pytest

from i4districts.fetch.cli import register
from i4districts.fetch.errors import ChecksumMismatch, MirrorMiss, QueryError


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="i4d")
    stages = p.add_subparsers(dest="stage")
    fetch = stages.add_parser("fetch")
    register("fetch", fetch.add_subparsers(dest="command"))
    return p


def run(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


def test_register_ignores_other_stages():
    p = argparse.ArgumentParser(prog="i4d")
    sub = p.add_subparsers(dest="command")
    register("data", sub)
    assert sub.choices == {}


def test_help_documents_modes(capsys):
    for argv in (["fetch", "get", "--help"],):
        with pytest.raises(SystemExit) as e:
            parser().parse_args(argv)
        assert e.value.code == 0
        out = capsys.readouterr().out
        for word in ("online", "offline", "replay", "I4D_FETCH_MODE", "I4D_CACHE", "I4D_MIRROR"):
            assert word in out


def test_get_all_mirrored_offline_then_replay(tmp_path, shared_data, capsys, no_sockets, monkeypatch):
    monkeypatch.delenv("I4D_FETCH_MODE", raising=False)
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert run(["fetch", "get", "--all-mirrored", "-o", str(out), "--cache", str(cache),
                "--mirror", str(shared_data)]) == 0
    table = pd.read_parquet(out / "nama_10r_3empers.parquet")
    assert len(table) == 476 and {"time", "value", "obs_flag", "vintage_id"} <= set(table.columns)
    pin = json.loads((out / "nama_10r_3empers.vintage.json").read_text())
    assert pin["attribution"] == "Source: Eurostat, nama_10r_3empers"
    assert (out / "nuts2021_l3.geojson").stat().st_size == 993501
    # replay from the pins written beside the outputs: no mirror, no network
    (out / "nama_10r_3empers.parquet").unlink()
    assert run(["fetch", "get", "nama_10r_3empers", "--mode", "replay", "--out", str(out),
                "--cache", str(cache)]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(out / "nama_10r_3empers.parquet"), table)
    assert run(["fetch", "verify", "--cache", str(cache)]) == 0
    assert no_sockets == []
    assert "vintages verified" in capsys.readouterr().out


def test_get_errors_propagate_to_cli_main(tmp_path, shared_data, monkeypatch):
    """Handlers do not catch: cli.main turns these into one stderr line and exit 2."""
    monkeypatch.delenv("I4D_FETCH_MODE", raising=False)
    with pytest.raises(MirrorMiss, match="isoc_eb_ain2|statistics"):
        run(["fetch", "get", "isoc_eb_ain2", "-o", str(tmp_path), "--cache", str(tmp_path / "c"),
             "--mirror", str(shared_data)])
    with pytest.raises(QueryError, match="no_such_dataset"):
        run(["fetch", "get", "no_such_dataset", "--mirror", str(shared_data)])
    with pytest.raises(QueryError, match="--all-mirrored"):
        run(["fetch", "get", "--mirror", str(shared_data)])


def test_verify_raises_when_a_vintage_fails(tmp_path, shared_data, capsys, monkeypatch):
    monkeypatch.delenv("I4D_FETCH_MODE", raising=False)
    cache = tmp_path / "cache"
    assert run(["fetch", "get", "nama_10_gdp_lu", "-o", str(tmp_path / "out"), "--cache", str(cache),
                "--mirror", str(shared_data)]) == 0
    resp = next(cache.rglob("response.*"))
    resp.chmod(0o644)
    resp.write_bytes(resp.read_bytes() + b" ")
    with pytest.raises(ChecksumMismatch, match="1 of 1 vintages"):
        run(["fetch", "verify", "--cache", str(cache)])
    assert str(resp) in capsys.readouterr().err


def test_filter_override(tmp_path, shared_data, monkeypatch):
    # --out-dir: alias of -o/--out kept for the Snakemake rules
    monkeypatch.delenv("I4D_FETCH_MODE", raising=False)
    assert run(["fetch", "get", "nama_10r_3empers", "--filter", "geo=ITH43+ITH59", "--start", "2020",
                "--out-dir", str(tmp_path), "--cache", str(tmp_path / "c"), "--mirror", str(shared_data)]) == 0
    t = pd.read_parquet(tmp_path / "nama_10r_3empers.parquet")
    assert set(t["geo"]) == {"ITH43", "ITH59"} and t["time"].min() == "2020" and len(t) == 6


def test_list(capsys):
    assert run(["fetch", "list"]) == 0
    out = capsys.readouterr().out
    assert "istat_asia_ul_sll2011" in out and "mirrored" in out
