"""``i4d exposure build`` / ``i4d exposure adoption``: registration, help, hand-computed output."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import pytest

from i4districts import io
from i4districts.shiftshare import ILLUSTRATIVE_NOTE, ShiftShareExposure
from i4districts.shiftshare.cli import main_adoption, main_build, register


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="i4d")
    stages = parser.add_subparsers(dest="stage")
    for stage in ("exposure", "estimate"):
        register(stage, stages.add_parser(stage).add_subparsers(dest="command"))
    return parser


def test_help(capsys):
    with pytest.raises(SystemExit) as exc:
        _parser().parse_args(["exposure", "build", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for word in ("--base-year", "--leave-out", "--adoption", "--shifts", "--shares-out", "sum_s share", "-i"):
        assert word in out


def _write(tmp_path):
    # Region A in 2015: C=30, F=70 -> shares .3, .7 ; region B: C=100 -> share 1
    emp = pd.DataFrame({"region": ["A", "A", "B"], "sector": ["C", "F", "C"], "year": 2015,
                        "value": [30.0, 70.0, 100.0]})
    # country shifts for 2020: C: IT 1, DE 3, FR 5 ; F: IT 0, DE 2, FR 4
    shifts = pd.DataFrame({"country": ["IT", "DE", "FR"] * 2, "sector": ["C"] * 3 + ["F"] * 3,
                           "year": 2020, "shift": [1.0, 3.0, 5.0, 0.0, 2.0, 4.0]})
    io.write_parquet(emp, tmp_path / "emp.parquet", notes=["panel note"])
    shifts.to_parquet(tmp_path / "shifts.parquet")
    own = shifts[shifts.country == "IT"].drop(columns="country")
    own.to_csv(tmp_path / "own.csv", index=False)


def test_exposure_and_instruments(tmp_path):
    _write(tmp_path)
    p = _parser()
    out = tmp_path / "x" / "exposure.parquet"
    base = ["exposure", "build", "-i", str(tmp_path / "emp.parquet"), "--base-year", "2015", "-o", str(out)]
    # own shifts (IT): A = .3*1 + .7*0 = .3 ; B = 1
    args = p.parse_args(base + ["--shifts", str(tmp_path / "own.csv"), "--shares-out", str(tmp_path / "obj")])
    assert args.func is main_build and main_build(args) == 0
    got = pd.read_parquet(out).set_index("region")["exposure"].to_dict()
    assert got == pytest.approx({"A": 0.3, "B": 1.0})
    assert io.read_notes(out) == ["panel note"]
    obj = ShiftShareExposure.read(tmp_path / "obj")
    assert obj.base_year == 2015 and obj.notes == ("panel note",)
    pd.testing.assert_frame_equal(obj.table, pd.read_parquet(out))
    # leave out IT: C -> (3+5)/2 = 4, F -> (2+4)/2 = 3 ; A = 1.2 + 2.1 = 3.3 ; B = 4
    args = p.parse_args(base + ["--shifts", str(tmp_path / "shifts.parquet"), "--leave-out", "IT"])
    assert main_build(args) == 0
    got = pd.read_parquet(out).set_index("region")["exposure"].to_dict()
    assert got == pytest.approx({"A": 3.3, "B": 4.0})
    # named set {FR}: C -> 5, F -> 4 ; A = 1.5 + 2.8 = 4.3 ; B = 5
    args = p.parse_args(base + ["--shifts", str(tmp_path / "shifts.parquet"), "--countries", "FR"])
    assert main_build(args) == 0
    got = pd.read_parquet(out).set_index("region")["exposure"].to_dict()
    assert got == pytest.approx({"A": 4.3, "B": 5.0})
    assert not list(out.parent.glob("*.tmp"))


def test_bad_input_raises_for_the_cli_handler(tmp_path):
    _write(tmp_path)
    args = _parser().parse_args([
        "exposure", "build", "-i", str(tmp_path / "emp.parquet"), "--base-year", "1990",
        "--shifts", str(tmp_path / "own.csv"), "-o", str(tmp_path / "o.parquet")])
    with pytest.raises(ValueError, match="base_year=1990"):
        main_build(args)
    assert not (tmp_path / "o.parquet").exists()


def test_main_reports_errors_with_exit_2(tmp_path, capsys):
    """Through ``i4d`` itself (skipped while another stage's module is mid-rewrite)."""
    from i4districts import cli

    _write(tmp_path)
    try:
        cli.build_parser()
    except Exception as exc:  # another engineer's register() not yet converted
        pytest.skip(f"i4d parser does not build yet: {exc}")
    rc = cli.main(["exposure", "build", "-i", str(tmp_path / "emp.parquet"), "--base-year", "1990",
                   "--shifts", str(tmp_path / "own.csv"), "-o", str(tmp_path / "o.parquet")])
    assert rc == 2 and "base_year=1990" in capsys.readouterr().err


def test_adoption_then_exposure_level_and_change(tmp_path):
    """``adoption`` (illustrative) then ``build --adoption``: level and annual change, by hand."""
    panel = pd.DataFrame({"region": ["A", "A", "B", "B"] * 2, "sector": ["C", "F"] * 4,
                          "year": [2000] * 4 + [2001] * 4, "value": [1.0, 3.0, 2.0, 2.0] * 2})
    io.write_parquet(panel, tmp_path / "panel.parquet", notes=["attribution"])
    p = _parser()
    args = p.parse_args(["exposure", "adoption", "-i", str(tmp_path / "panel.parquet"),
                         "-o", str(tmp_path / "adoption.parquet"), "--seed", "3"])
    assert args.func is main_adoption and main_adoption(args) == 0
    adopt = pd.read_parquet(tmp_path / "adoption.parquet")
    assert list(adopt.columns) == ["sector", "year", "value", "unit", "source"]
    assert io.read_notes(tmp_path / "adoption.parquet") == [ILLUSTRATIVE_NOTE]
    out = tmp_path / "exposure.parquet"
    args = p.parse_args(["exposure", "build", "-i", str(tmp_path / "panel.parquet"), "--adoption",
                         str(tmp_path / "adoption.parquet"), "--base-year", "2000", "-o", str(out)])
    assert main_build(args) == 0
    t = pd.read_parquet(out)
    assert list(t.columns) == ["region", "year", "exposure", "exposure_change", "unit"]
    a = adopt.set_index(["sector", "year"])["value"]
    # shares: A .25 C, .75 F ; B .5, .5
    lvl_a01 = .25 * a["C", 2001] + .75 * a["F", 2001]
    chg_b01 = .5 * (a["C", 2001] - a["C", 2000]) + .5 * (a["F", 2001] - a["F", 2000])
    got = t.set_index(["region", "year"])
    assert got.loc[("A", 2001), "exposure"] == pytest.approx(lvl_a01, rel=1e-14)
    assert got.loc[("B", 2001), "exposure_change"] == pytest.approx(chg_b01, rel=1e-14)
    assert np.isnan(got.loc[("A", 2000), "exposure_change"])
    assert set(t["unit"]) == {"percent of enterprises"}
    assert set(io.read_notes(out)) == {"attribution", ILLUSTRATIVE_NOTE}


def test_adoption_from_a_user_table(tmp_path):
    panel = pd.DataFrame({"region": "A", "sector": ["C", "F"], "year": 2000, "value": 1.0})
    panel.to_parquet(tmp_path / "panel.parquet")
    pd.DataFrame({"nace": ["C", "F"], "year": 2000, "robots": [1.0, 2.0]}).to_csv(tmp_path / "r.csv", index=False)
    args = _parser().parse_args(["exposure", "adoption", "-i", str(tmp_path / "panel.parquet"), "-o",
                                 str(tmp_path / "a.parquet"), "--source", "table", "--table",
                                 str(tmp_path / "r.csv"), "--column", "robots", "--unit", "robots per 1000"])
    assert main_adoption(args) == 0
    a = pd.read_parquet(tmp_path / "a.parquet")
    assert a[["sector", "value"]].values.tolist() == [["C", 1.0], ["F", 2.0]]
    assert io.read_notes(tmp_path / "a.parquet") == ["adoption: robots (robots per 1000) from r.csv"]


def test_estimate_shiftshare_with_an_exposure_directory(tmp_path):
    """``build --shares-out DIR`` then ``estimate shiftshare --shares DIR``: AKM with the exposure's own W."""
    from i4districts.shiftshare import ShiftShareSpec, fit_shiftshare

    rng = np.random.default_rng(5)
    regions_ = [f"R{i}" for i in range(12)]
    sectors = ["C", "F", "J", "K"]
    panel = pd.DataFrame([(r, s, 2000, float(rng.uniform(1, 10))) for r in regions_ for s in sectors],
                         columns=["region", "sector", "year", "value"])
    shifts = pd.DataFrame([(s, t, float(rng.normal())) for s in sectors for t in (2001, 2002)],
                          columns=["sector", "year", "shift"])
    panel.to_parquet(tmp_path / "panel.parquet")
    shifts.to_parquet(tmp_path / "shifts.parquet")
    p = _parser()
    assert main_build(p.parse_args(["exposure", "build", "-i", str(tmp_path / "panel.parquet"), "--shifts",
                                    str(tmp_path / "shifts.parquet"), "--base-year", "2000", "-o",
                                    str(tmp_path / "e.parquet"), "--shares-out", str(tmp_path / "expo")])) == 0
    frame = pd.read_parquet(tmp_path / "e.parquet")
    frame["y"] = 2.0 * frame["exposure"] + rng.normal(size=len(frame))
    frame.to_parquet(tmp_path / "frame.parquet")
    (tmp_path / "spec.yaml").write_text("outcome: y\nregressor: exposure\nmethods: [ehw, akm, akm0]\n")
    args = p.parse_args(["estimate", "shiftshare", "-i", str(tmp_path / "frame.parquet"), "--shares",
                         str(tmp_path / "expo"), "--spec", str(tmp_path / "spec.yaml"), "-o",
                         str(tmp_path / "r.json"), "--parquet", str(tmp_path / "r.parquet")])
    assert args.func(args) == 0
    got = pd.read_parquet(tmp_path / "r.parquet").set_index("method")
    obj = ShiftShareExposure.read(tmp_path / "expo")
    ref = obj.fit(frame, ShiftShareSpec(outcome="y", regressor="exposure", methods=("ehw", "akm", "akm0")))
    assert ref.n_sectors == 8  # 4 sectors x 2 years
    assert got.loc["akm", "std_error"] == ref.method("akm").std_error
    # the same as the stand-alone path with a long (row, sector, share) table
    long = obj.long_shares(frame["region"].tolist())
    alone = fit_shiftshare(frame.assign(row=np.arange(len(frame))), long,
                           ShiftShareSpec(outcome="y", regressor="exposure", methods=("akm",), period="year"))
    assert alone.method("akm").std_error == pytest.approx(ref.method("akm").std_error, rel=1e-12)
