"""``i4d indicators ...``: registration, --help, and runs on small Parquet files through ``i4districts.cli.main``."""

from __future__ import annotations

import pandas as pd
import pytest

from i4districts.cli import main

COMMANDS = [
    "specialization",
    "variety",
    "size-structure",
    "servitization",
    "districts",
    "concentration",
    "tier-shares",
    "spatial-polarization",
    "theil",
]
SHEET = "nuts/NUTS2016-NUTS2021__Changes_detailed_NUTS_2016-2021.csv"


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help(cmd, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["indicators", cmd, "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert "--out" in text and "--input" in text


def _emp(tmp_path, regions=("A", "A", "B", "B")):
    df = pd.DataFrame(
        {"region": list(regions), "sector": ["C10", "M69", "C10", "M69"], "year": 2011, "value": [1.0, 3, 3, 1]}
    )
    path = tmp_path / "emp.parquet"
    df.to_parquet(path)
    return path


def test_runs_write_tables(tmp_path):
    emp = _emp(tmp_path)
    for cmd, extra in [
        ("specialization", ["--no-gini"]),
        ("variety", ["--group-prefix", "1"]),
        ("concentration", []),
        ("servitization", ["--kibs", "M69", "--manufacturing", "C10"]),
    ]:
        out = tmp_path / f"{cmd}.parquet"
        assert main(["indicators", cmd, "-i", str(emp), "-o", str(out), *extra]) == 0
        assert len(pd.read_parquet(out)) > 0
    spec = pd.read_parquet(tmp_path / "specialization.parquet")
    assert list(spec.columns) == ["region", "sector", "year", "indicator", "value", "unit", "flag"]
    assert spec.loc[spec["indicator"] == "lq", "value"].tolist() == pytest.approx([0.5, 1.5, 1.5, 0.5])
    assert "gini" not in set(spec["indicator"])


def test_key_flags_name_other_columns(tmp_path):
    src = tmp_path / "old.parquet"
    pd.read_parquet(_emp(tmp_path)).rename(columns={"region": "geo", "value": "employment"}).to_parquet(src)
    out = tmp_path / "v.parquet"
    assert main(["indicators", "variety", "-i", str(src), "-o", str(out), "--region", "geo",
                 "--value", "employment"]) == 0
    assert list(pd.read_parquet(out).columns[:2]) == ["geo", "year"]


def test_spatial_and_theil(tmp_path):
    t = tmp_path / "reg.parquet"
    pd.DataFrame({"year": 2011, "rate": [1.0, 2, 3, 4], "population": 1.0, "grp": [0, 0, 1, 1]}).to_parquet(t)
    assert main(["indicators", "spatial-polarization", "-i", str(t), "--value", "rate",
                 "-o", str(tmp_path / "s.parquet")]) == 0
    assert main(["indicators", "theil", "-i", str(t), "--value", "rate", "--group", "grp",
                 "-o", str(tmp_path / "t.parquet")]) == 0
    assert pd.read_parquet(tmp_path / "t.parquet")["theil"].iloc[0] > 0


def test_bad_input_exits_2_with_message(tmp_path, capsys):
    emp = _emp(tmp_path)
    bad = tmp_path / "bad.parquet"
    pd.read_parquet(emp).assign(value=-1.0).to_parquet(bad)
    assert main(["indicators", "specialization", "-i", str(bad), "-o", str(tmp_path / "x.parquet")]) == 2
    err = capsys.readouterr().err
    assert "negative" in err and "'value'" in err
    assert not (tmp_path / "x.parquet").exists()


def test_specialization_refuses_a_nuts2021_code_in_a_nuts2016_table(tmp_path, shared_data, capsys, monkeypatch):
    sheet = str(shared_data / SHEET)
    out = str(tmp_path / "x.parquet")
    # ITG25 (Sassari) exists only in NUTS 2016, ITG2D only in NUTS 2021: the table mixes versions.
    mixed = _emp(tmp_path, regions=("ITG25", "ITG25", "ITG2D", "ITG2D"))
    assert main(["indicators", "specialization", "-i", str(mixed), "-o", out, "--correspondence", sheet]) == 2
    err = capsys.readouterr().err
    assert "ITG2D" in err and "only in NUTS 2021" in err
    # with --nuts-version the foreign codes are named with the version they belong to
    nuts21 = _emp(tmp_path, regions=("ITC11", "ITC11", "ITG2D", "ITG2D"))
    assert main(["indicators", "specialization", "-i", str(nuts21), "-o", out, "--correspondence", sheet,
                 "--nuts-version", "2016"]) == 2
    err = capsys.readouterr().err
    assert "not NUTS 2016" in err and "ITG2D (nuts2021_code)" in err
    assert not (tmp_path / "x.parquet").exists()
    # a clean NUTS 2016 table passes, with the sheets found through I4D_SHARED_DATA by default
    monkeypatch.setenv("I4D_SHARED_DATA", str(shared_data))
    clean = _emp(tmp_path, regions=("ITC11", "ITC11", "ITG25", "ITG25"))
    assert main(["indicators", "specialization", "-i", str(clean), "-o", out, "--nuts-version", "2016"]) == 0


def test_specialization_without_code_lists_warns(tmp_path, monkeypatch):
    monkeypatch.delenv("I4D_SHARED_DATA", raising=False)
    nuts = _emp(tmp_path, regions=("ITC11", "ITC11", "ITG25", "ITG25"))
    with pytest.warns(UserWarning, match="not checked"):
        assert main(["indicators", "specialization", "-i", str(nuts), "-o", str(tmp_path / "y.parquet")]) == 0
    assert main(["indicators", "specialization", "-i", str(nuts), "-o", str(tmp_path / "z.parquet"),
                 "--nuts-version", "2016"]) == 2
