"""``i4d data nuts-detect | nuts-convert | sll-aggregate`` through ``i4districts.cli.main``."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from i4districts.cli import main

SHEET = "nuts/NUTS2016-NUTS2021__Changes_detailed_NUTS_2016-2021.csv"


@pytest.mark.parametrize("cmd", ["nuts-convert", "nuts-detect", "sll-aggregate"])
def test_subcommands_registered_with_help(cmd, capsys):
    with pytest.raises(SystemExit) as ei:
        main(["data", cmd, "--help"])
    assert ei.value.code == 0
    text = capsys.readouterr().out
    assert "--input" in text and "--out" in text


def test_nuts_convert_and_detect(shared_data, tmp_path, capsys):
    df = pd.DataFrame({"region": ["ITG25", "ITG29", "ITC11"], "year": [2016] * 3, "value": [113500.0, 63500.0, 1.0]})
    src = tmp_path / "in.parquet"
    df.to_parquet(src)
    out, rep = tmp_path / "out.parquet", tmp_path / "rep.parquet"
    rc = main(["data", "nuts-convert", "-i", str(src), "--correspondence", str(shared_data / SHEET),
               "--from", "2016", "--to", "2021", "--level", "3", "--by", "year",
               "-o", str(out), "--report", str(rep)])
    assert rc == 0
    conv = pd.read_parquet(out).set_index("region")
    assert conv.loc["ITG2D", "value"] == 177000.0 and conv.loc["ITC11", "value"] == 1.0
    assert set(pd.read_parquet(rep)["rule"]) == {"merge"}
    capsys.readouterr()
    js = tmp_path / "det.json"
    rc = main(["data", "nuts-detect", "-i", str(src), "--correspondence", str(shared_data / SHEET), "-o", str(js)])
    assert rc == 0 and json.loads(capsys.readouterr().out)["version"] == "2016"
    assert json.loads(js.read_text())["version"] == "2016"


def test_nuts_detect_mixed_table_exits_2(shared_data, tmp_path, capsys):
    src = tmp_path / "mixed.parquet"
    pd.DataFrame({"region": ["ITG25", "ITG2D"], "value": [1.0, 2.0]}).to_parquet(src)
    assert main(["data", "nuts-detect", "-i", str(src), "--correspondence", str(shared_data / SHEET)]) == 2
    assert "only in NUTS 2021: ['ITG2D']" in capsys.readouterr().err


def test_sll_aggregate(tmp_path):
    corr = tmp_path / "sll.csv"
    corr.write_text("PRO_COM_T,SLL_2011\n001001,0101\n001002,0101\n", encoding="utf-8")
    src = tmp_path / "m.parquet"
    pd.DataFrame({"region": ["001001", "001002"], "value": [2.0, 3.0]}).to_parquet(src)
    out, rep = tmp_path / "o.parquet", tmp_path / "r.parquet"
    assert main(["data", "sll-aggregate", "-i", str(src), "--correspondence", str(corr),
                 "-o", str(out), "--report", str(rep)]) == 0
    agg = pd.read_parquet(out)
    assert agg["region"].tolist() == ["0101"] and agg["value"].tolist() == [5.0]
