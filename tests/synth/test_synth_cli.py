"""``i4d synth``: writes the tables, truth.json and README; bad arguments exit 2 with a clear message."""

from __future__ import annotations

import json

import pytest

from i4districts import io, synth
from i4districts.cli import main


def test_cli_writes_world(tmp_path, capsys):
    out = tmp_path / "world"
    assert main(["synth", "-o", str(out), "--scale", "tiny", "--seed", "4"]) == 0
    printed = capsys.readouterr().out
    assert "SYNTHETIC" in printed and str(out) in printed
    names = {p.name for p in out.iterdir()}
    assert names == {f"{t}.parquet" for t in synth.TABLES} | {"truth.json", "README.md"}
    truth = json.loads((out / "truth.json").read_text("utf-8"))
    assert truth["seed"] == 4 and truth["scale"]["name"] == "tiny"
    assert synth.SYNTHETIC_NOTE in io.read_notes(out / "employment.parquet")


@pytest.mark.parametrize("args, message", [
    (["--scale", "huge"], "invalid choice: 'huge'"),
    (["--seed", "-3"], "must be non-negative"),
    (["--seed", "x"], "not an integer"),
])
def test_cli_bad_arguments_exit_2(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exc:
        main(["synth", "-o", str(tmp_path / "w"), *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "w").exists()


def test_cli_help_says_synthetic(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["synth", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--scale" in out and "SYNTHETIC" in out
