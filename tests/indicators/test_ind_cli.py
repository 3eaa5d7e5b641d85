"""The indicators' command line: registration, --help, and runs on small Parquet files."""

from __future__ import annotations

import argparse

import pandas as pd
import pytest

from i4districts.indicators.cli import register

COMMANDS = [
    "location-quotients",
    "specialization-indices",
    "variety",
    "size-structure",
    "servitization",
    "districts",
    "concentration",
    "tier-shares",
    "spatial-polarization",
    "theil",
]


def parser():
    p = argparse.ArgumentParser(prog="i4d")
    register(p.add_subparsers(dest="command"))
    return p


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help(cmd, capsys):
    with pytest.raises(SystemExit) as exc:
        parser().parse_args([cmd, "--help"])
    assert exc.value.code == 0
    assert "--out" in capsys.readouterr().out


def _emp(tmp_path):
    df = pd.DataFrame(
        {"geo": ["A", "A", "B", "B"], "nace": ["C10", "M69", "C10", "M69"], "year": 2011, "employment": [1.0, 3, 3, 1]}
    )
    path = tmp_path / "emp.parquet"
    df.to_parquet(path)
    return path


def run(args):
    ns = parser().parse_args(args)
    return ns.func(ns)


def test_runs_write_tables(tmp_path):
    emp = _emp(tmp_path)
    for cmd, extra in [
        ("location-quotients", []),
        ("specialization-indices", ["--no-gini"]),
        ("variety", ["--group-prefix", "1"]),
        ("concentration", []),
        ("servitization", ["--kibs", "M69", "--manufacturing", "C10"]),
    ]:
        out = tmp_path / f"{cmd}.parquet"
        assert run([cmd, "--emp", str(emp), "--out", str(out), *extra]) == 0
        assert len(pd.read_parquet(out)) > 0
    lq = pd.read_parquet(tmp_path / "location-quotients.parquet")
    assert lq["lq"].tolist() == pytest.approx([0.5, 1.5, 1.5, 0.5])


def test_spatial_and_theil(tmp_path):
    t = tmp_path / "reg.parquet"
    pd.DataFrame({"year": 2011, "rate": [1.0, 2, 3, 4], "population": 1.0, "grp": [0, 0, 1, 1]}).to_parquet(t)
    assert (
        run(["spatial-polarization", "--table", str(t), "--value", "rate", "--out", str(tmp_path / "s.parquet")]) == 0
    )
    assert (
        run(["theil", "--table", str(t), "--value", "rate", "--group", "grp", "--out", str(tmp_path / "t.parquet")])
        == 0
    )
    assert pd.read_parquet(tmp_path / "t.parquet")["theil"].iloc[0] > 0


def test_bad_input_exits_2_with_message(tmp_path, capsys):
    emp = _emp(tmp_path)
    bad = tmp_path / "bad.parquet"
    pd.read_parquet(emp).assign(employment=-1.0).to_parquet(bad)
    assert run(["location-quotients", "--emp", str(bad), "--out", str(tmp_path / "x.parquet")]) == 2
    err = capsys.readouterr().err
    assert "negative" in err and "employment" in err
    assert not (tmp_path / "x.parquet").exists()
