"""The ``i4d`` command line: stages, help everywhere, uniform flags, clear errors, exit codes."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from i4districts.cli import COMMANDS, STAGES, build_parser, main


def _choices(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _commands() -> list[tuple[str, str]]:
    stages = _choices(build_parser())
    return sorted((stage, cmd) for stage, sp in stages.items() if stage in STAGES for cmd in _choices(sp))


def test_top_level_lists_the_stages_and_single_commands():
    assert set(_choices(build_parser())) == set(STAGES) | set(COMMANDS)
    assert set(STAGES) == {"config", "fetch", "data", "indicators", "exposure", "estimate", "tables", "figures",
                           "report", "golden"}
    assert set(COMMANDS) == {"synth", "refresh", "validate"}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_single_commands_have_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert f"usage: i4d {command}" in capsys.readouterr().out


def test_a_command_imports_only_its_stage():
    """Every workflow job is a fresh process: `i4d data ...` must not import plotting or map libraries."""
    code = ("import sys; from i4districts.cli import build_parser; build_parser('data'); "
            "print(sorted(m for m in ('matplotlib', 'geopandas', 'great_tables', 'snakemake') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_expected_commands_exist():
    assert {("config", "validate"), ("data", "sample"), ("data", "panel"), ("data", "frame"),
            ("indicators", "specialization"), ("indicators", "concentration"), ("exposure", "adoption"),
            ("exposure", "build"), ("estimate", "panel"), ("estimate", "shiftshare"), ("tables", "regression"),
            ("fetch", "get")} <= set(_commands())


def test_no_two_commands_share_a_name_across_stages():
    names = [cmd for _, cmd in _commands()]
    # `data panel` builds, `estimate panel` fits; `indicators districts` identifies, `tables districts` renders
    dupes = {n for n in names if names.count(n) > 1} - {"panel", "districts"}
    assert not dupes


@pytest.mark.parametrize(("stage", "command"), _commands())
def test_every_command_has_help(stage, command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([stage, command, "--help"])
    assert exc.value.code == 0
    assert "usage: i4d" in capsys.readouterr().out


@pytest.mark.parametrize(("stage", "command"), _commands())
def test_every_command_takes_input_and_out(stage, command):
    parser = _choices(_choices(build_parser())[stage])[command]
    flags = {s for a in parser._actions for s in a.option_strings}
    # commands that report on stderr and by exit status, or that rewrite files in place (golden/, README)
    no_out = {("fetch", "verify"), ("golden", "show"), ("golden", "update"), ("golden", "record"),
              ("golden", "drop"), ("golden", "pin"), ("report", "replication")}
    # commands whose input is not one table: the embedded sample, a run directory or a manifest
    no_input = {("data", "sample"), ("figures", "default-maps"), ("golden", "show"), ("golden", "update"),
                ("golden", "record"), ("golden", "drop"), ("golden", "pin"), ("report", "html"),
                ("report", "manifest"), ("report", "replication")}
    if (stage, command) not in no_out:
        assert {"-o", "--out"} <= flags, (stage, command)
    if (stage, command) not in no_input:
        assert {"-i", "--input"} <= flags, (stage, command)


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: i4d" in capsys.readouterr().out
    assert main(["data"]) == 2
    assert "usage: i4d data" in capsys.readouterr().out


def test_missing_input_names_the_file(tmp_path: Path, capsys):
    code = main(["data", "panel", "-i", str(tmp_path / "absent.parquet"), "-o", str(tmp_path / "p.parquet")])
    assert code == 2
    err = capsys.readouterr().err
    assert "i4d data panel: error:" in err and "absent.parquet" in err
    assert not (tmp_path / "p.parquet").exists()


def test_validate_config_reports_the_key(tmp_path: Path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("data:\n  nuts_level: nine\n")
    assert main(["config", "validate", "-i", str(cfg)]) == 2
    assert "data.nuts_level" in capsys.readouterr().err


def test_python_dash_m_entry_point():
    out = subprocess.run([sys.executable, "-m", "i4districts", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("i4districts ")


def test_an_empty_input_table_is_refused_not_passed_on(tmp_path: Path, capsys):
    import pandas as pd

    from i4districts import io

    empty = tmp_path / "empty.parquet"
    io.write_parquet(pd.DataFrame({"region": pd.Series([], dtype=str), "sector": pd.Series([], dtype=str),
                                   "year": pd.Series([], dtype="int64"), "value": pd.Series([], dtype=float)}),
                     empty)
    for command in (["indicators", "specialization"], ["indicators", "concentration"], ["exposure", "adoption"]):
        out = tmp_path / f"{command[1]}.parquet"
        assert main([*command, "-i", str(empty), "-o", str(out)]) == 2
        assert "no rows" in capsys.readouterr().err and not out.exists()
