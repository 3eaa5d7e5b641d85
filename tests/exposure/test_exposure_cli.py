"""``i4d exposure`` command line: registration, help, hand-computed output."""

from __future__ import annotations

import argparse

import pandas as pd
import pytest

from i4districts.exposure.cli import main_exposure, register


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="i4d")
    register(parser.add_subparsers(dest="command"))
    return parser


def test_help(capsys):
    with pytest.raises(SystemExit) as exc:
        _parser().parse_args(["exposure", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--base-year" in out and "--leave-out" in out and "sum_s share" in out


def _write(tmp_path):
    # Region A in 2015: C=30, F=70 -> shares .3, .7 ; region B: C=100 -> share 1
    emp = pd.DataFrame({"geo": ["A", "A", "B"], "nace": ["C", "F", "C"], "year": 2015,
                        "employment": [30.0, 70.0, 100.0]})
    # country shifts for 2020: C: IT 1, DE 3, FR 5 ; F: IT 0, DE 2, FR 4
    shifts = pd.DataFrame({"country": ["IT", "DE", "FR"] * 2, "nace": ["C"] * 3 + ["F"] * 3,
                           "year": 2020, "shift": [1.0, 3.0, 5.0, 0.0, 2.0, 4.0]})
    emp.to_parquet(tmp_path / "emp.parquet")
    shifts.to_parquet(tmp_path / "shifts.parquet")
    own = shifts[shifts.country == "IT"].drop(columns="country")
    own.to_csv(tmp_path / "own.csv", index=False)


def test_exposure_and_instruments(tmp_path):
    _write(tmp_path)
    p = _parser()
    out = tmp_path / "x" / "exposure.parquet"
    base = ["exposure", "--employment", str(tmp_path / "emp.parquet"), "--base-year", "2015",
            "--out", str(out)]
    # own shifts (IT): A = .3*1 + .7*0 = .3 ; B = 1
    args = p.parse_args(base + ["--shifts", str(tmp_path / "own.csv")])
    assert main_exposure(args) == 0
    got = pd.read_parquet(out).set_index("geo")["exposure"].to_dict()
    assert got == pytest.approx({"A": 0.3, "B": 1.0})
    # leave out IT: C -> (3+5)/2 = 4, F -> (2+4)/2 = 3 ; A = 1.2 + 2.1 = 3.3 ; B = 4
    args = p.parse_args(base + ["--shifts", str(tmp_path / "shifts.parquet"), "--leave-out", "IT"])
    assert main_exposure(args) == 0
    got = pd.read_parquet(out).set_index("geo")["exposure"].to_dict()
    assert got == pytest.approx({"A": 3.3, "B": 4.0})
    # named set {FR}: C -> 5, F -> 4 ; A = 1.5 + 2.8 = 4.3 ; B = 5
    args = p.parse_args(base + ["--shifts", str(tmp_path / "shifts.parquet"), "--countries", "FR"])
    assert main_exposure(args) == 0
    got = pd.read_parquet(out).set_index("geo")["exposure"].to_dict()
    assert got == pytest.approx({"A": 4.3, "B": 5.0})
    assert not list(out.parent.glob("*.tmp"))


def test_bad_input_exit_code(tmp_path, capsys):
    _write(tmp_path)
    args = _parser().parse_args([
        "exposure", "--employment", str(tmp_path / "emp.parquet"), "--base-year", "1990",
        "--shifts", str(tmp_path / "own.csv"), "--out", str(tmp_path / "o.parquet")])
    assert main_exposure(args) == 2
    assert "base_year=1990" in capsys.readouterr().err
    assert not (tmp_path / "o.parquet").exists()
