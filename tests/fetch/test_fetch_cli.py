"""The ``i4d fetch`` command line, registered on a fresh parser."""

from __future__ import annotations

import argparse
import json

import pandas as pd
import pytest

from i4districts.fetch.cli import register


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="i4d")
    register(p.add_subparsers(dest="command"))
    return p


def run(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


def test_help_documents_modes(capsys):
    for argv in (["fetch", "--help"], ["fetch", "get", "--help"]):
        with pytest.raises(SystemExit) as e:
            parser().parse_args(argv)
        assert e.value.code == 0
        out = capsys.readouterr().out
        for word in ("online", "offline", "replay", "I4D_FETCH_MODE", "I4D_CACHE", "I4D_MIRROR"):
            assert word in out


def test_get_all_mirrored_offline_then_replay(tmp_path, shared_data, capsys, no_sockets, monkeypatch):
    monkeypatch.delenv("I4D_FETCH_MODE", raising=False)
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert run(["fetch", "get", "--all-mirrored", "--out-dir", str(out), "--cache", str(cache),
                "--mirror", str(shared_data)]) == 0
    table = pd.read_parquet(out / "nama_10r_3empers.parquet")
    assert len(table) == 476 and {"time", "value", "obs_flag", "vintage_id"} <= set(table.columns)
    pin = json.loads((out / "nama_10r_3empers.vintage.json").read_text())
    assert pin["attribution"] == "Source: Eurostat, nama_10r_3empers"
    assert (out / "nuts2021_l3.geojson").stat().st_size == 993501
    # replay from the pins written beside the outputs: no mirror, no network
    (out / "nama_10r_3empers.parquet").unlink()
    assert run(["fetch", "get", "nama_10r_3empers", "--mode", "replay", "--out-dir", str(out),
                "--cache", str(cache)]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(out / "nama_10r_3empers.parquet"), table)
    assert run(["fetch", "verify", "--cache", str(cache)]) == 0
    assert no_sockets == []
    assert "vintages verified" in capsys.readouterr().out


def test_get_reports_errors_with_exit_code(tmp_path, shared_data, capsys, monkeypatch):
    monkeypatch.delenv("I4D_FETCH_MODE", raising=False)
    assert run(["fetch", "get", "isoc_eb_ain2", "--out-dir", str(tmp_path), "--cache", str(tmp_path / "c"),
                "--mirror", str(shared_data)]) == 1
    assert "MirrorMiss" in capsys.readouterr().err
    assert run(["fetch", "get", "no_such_dataset", "--mirror", str(shared_data)]) == 2


def test_filter_override(tmp_path, shared_data, monkeypatch):
    monkeypatch.delenv("I4D_FETCH_MODE", raising=False)
    assert run(["fetch", "get", "nama_10r_3empers", "--filter", "geo=ITH43+ITH59", "--start", "2020",
                "--out-dir", str(tmp_path), "--cache", str(tmp_path / "c"), "--mirror", str(shared_data)]) == 0
    t = pd.read_parquet(tmp_path / "nama_10r_3empers.parquet")
    assert set(t["geo"]) == {"ITH43", "ITH59"} and t["time"].min() == "2020" and len(t) == 6


def test_list(capsys):
    assert run(["fetch", "list"]) == 0
    out = capsys.readouterr().out
    assert "istat_asia_ul_sll2011" in out and "mirrored" in out
