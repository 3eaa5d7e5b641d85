"""The harmonization subcommands, registered on a fresh parser."""

from __future__ import annotations

import argparse
import json

import pandas as pd
import pytest

from i4districts.harmonize.cli import register

SHEET = "nuts/NUTS2016-NUTS2021__Changes_detailed_NUTS_2016-2021.csv"


@pytest.fixture()
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="i4d")
    register(p.add_subparsers(dest="command"))
    return p


def _run(parser, argv) -> int:
    args = parser.parse_args(argv)
    return args.func(args)


def test_subcommands_registered_with_help(parser, capsys):
    for cmd in ("harmonize-panel", "nuts-convert", "nuts-detect", "sll-aggregate"):
        with pytest.raises(SystemExit) as ei:
            parser.parse_args([cmd, "--help"])
        assert ei.value.code == 0
        assert "--input" in capsys.readouterr().out


def test_nuts_convert_and_detect(parser, shared_data, tmp_path, capsys):
    df = pd.DataFrame({"geo": ["ITG25", "ITG29", "ITC11"], "year": [2016] * 3, "value": [113500.0, 63500.0, 1.0]})
    src = tmp_path / "in.parquet"
    df.to_parquet(src)
    out, rep = tmp_path / "out.parquet", tmp_path / "rep.parquet"
    rc = _run(parser, ["nuts-convert", "--input", str(src), "--correspondence", str(shared_data / SHEET),
                       "--from", "2016", "--to", "2021", "--level", "3", "--by", "year",
                       "--output", str(out), "--report", str(rep)])
    assert rc == 0
    conv = pd.read_parquet(out).set_index("geo")
    assert conv.loc["ITG2D", "value"] == 177000.0 and conv.loc["ITC11", "value"] == 1.0
    assert set(pd.read_parquet(rep)["rule"]) == {"merge"}
    rc = _run(parser, ["nuts-detect", "--input", str(src), "--correspondence", str(shared_data / SHEET)])
    assert rc == 0 and json.loads(capsys.readouterr().out)["version"] == "2016"


def test_harmonize_panel(parser, sample, tmp_path):
    src = tmp_path / "sample.parquet"
    sample.to_parquet(src)
    out, rep = tmp_path / "panel.parquet", tmp_path / "panel.json"
    rc = _run(parser, ["harmonize-panel", "--input", str(src), "--output", str(out), "--report", str(rep),
                       "--vintage", "t", "--region-level", "2", "--first-year", "2000", "--last-year", "2017"])
    assert rc == 0
    report = json.loads(rep.read_text())
    assert report["sector_set"] == "A10" and report["n_gaps"] == 0
    assert len(pd.read_parquet(out)) == 22 * 10 * 18


def test_sll_aggregate(parser, tmp_path):
    corr = tmp_path / "sll.csv"
    corr.write_text("PRO_COM_T,SLL_2011\n001001,0101\n001002,0101\n", encoding="utf-8")
    src = tmp_path / "m.parquet"
    pd.DataFrame({"municipality": ["001001", "001002"], "value": [2.0, 3.0]}).to_parquet(src)
    out, rep = tmp_path / "o.parquet", tmp_path / "r.parquet"
    assert _run(parser, ["sll-aggregate", "--input", str(src), "--correspondence", str(corr),
                         "--output", str(out), "--report", str(rep)]) == 0
    assert pd.read_parquet(out)["value"].tolist() == [5.0]


def test_harmonize_panel_reads_the_data_commons_csv(parser, sample_csv, tmp_path):
    out, rep = tmp_path / "panel.parquet", tmp_path / "panel.json"
    assert _run(parser, ["harmonize-panel", "--input", str(sample_csv), "--output", str(out), "--report", str(rep),
                         "--vintage", "t", "--region-level", "3", "--sector-set", "A6",
                         "--first-year", "2000", "--last-year", "2017"]) == 0
    assert json.loads(rep.read_text())["sectors"] == ["A", "B-E", "F", "G-J", "K-N", "O-U"]
    assert len(pd.read_parquet(out)) == 111 * 6 * 18
