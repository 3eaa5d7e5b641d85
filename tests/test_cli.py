"""The ``i4d`` command line: help everywhere, clear errors, exit codes."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from i4districts.cli import build_parser, main


def _subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(action.choices)


def test_expected_steps_are_subcommands():
    assert {"validate-config", "sample", "panel", "specialization", "adoption", "adoption-exposure", "frame",
            "estimate", "table", "exposure", "shiftshare", "fetch", "harmonize-panel", "nuts-convert"} <= set(_subcommands())


@pytest.mark.parametrize("command", _subcommands())
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "usage: i4d" in capsys.readouterr().out


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: i4d" in capsys.readouterr().out


def test_missing_input_names_the_file(tmp_path: Path, capsys):
    code = main(["panel", "--sample", str(tmp_path / "absent.parquet"), "--out", str(tmp_path / "p.parquet")])
    assert code == 2
    err = capsys.readouterr().err
    assert "i4d panel: error:" in err and "absent.parquet" in err
    assert not (tmp_path / "p.parquet").exists()


def test_validate_config_reports_the_key(tmp_path: Path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("data:\n  nuts_level: nine\n")
    assert main(["validate-config", str(cfg)]) == 2
    assert "data.nuts_level" in capsys.readouterr().err


def test_python_dash_m_entry_point():
    out = subprocess.run([sys.executable, "-m", "i4districts", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("i4districts ")
