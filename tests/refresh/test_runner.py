"""``i4d refresh`` end to end, offline: fetch from a mirror, report against the previous vintage, rerun, compare.

The "earlier" vintage is served by a temporary mirror holding the real bulk-TSV excerpt with three
hand edits (ITH43 TOTAL 2017 55.6 -> 55, ITH43 TOTAL 2021 flagged p, the RS212 row left out); the
refresh then reads the real excerpt from the shared mirror. No network: offline mode blocks sockets.
Snakemake is never run here: the rerun is replaced by a fake that writes model records.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from i4districts.errors import I4DError
from i4districts.fetch.ledger import load_ledger
from i4districts.fetch.settings import FetchSettings
from i4districts.refresh import runner
from i4districts.refresh.sources import read_cells

TSV = "tsv/nama_10r_3empers_sample_data_EXCERPT.tsv"


def run_cli(argv) -> int:
    """``i4d refresh ARGV`` through the real entry point (its one error handler gives exit 2)."""
    from i4districts.cli import main

    return main(["refresh", *map(str, argv)])


def test_refresh_is_a_registered_command():
    from i4districts.cli import COMMANDS

    assert COMMANDS["refresh"][1] == "i4districts.refresh.cli"


@pytest.fixture
def earlier_mirror(tmp_path, shared_data):
    """A mirror whose bulk TSV is the real excerpt with three hand edits (see module docstring)."""
    lines = (shared_data / TSV).read_text().splitlines(keepends=True)
    out = []
    for ln in lines:
        if ln.startswith("A,THS,EMP,TOTAL,ITH43"):
            cells = ln.rstrip("\n").split("\t")
            assert cells[23] == "55.6 " and cells[27] == "57.2 "  # 2017 and 2021 (header: 1995 in column 1)
            cells[23], cells[27] = "55 ", "57.2 p"
            ln = "\t".join(cells) + "\n"
        if ln.startswith("A,THS,EMP,M_N,RS212"):
            continue
        out.append(ln)
    root = tmp_path / "mirror_earlier"
    (root / "tsv").mkdir(parents=True)
    (root / TSV).write_text("".join(out))
    return root


def settings(tmp_path, mirror):
    return FetchSettings.resolve(mode="offline", cache=tmp_path / "cache", mirror=mirror, env={})


def test_fetch_and_report_against_the_previous_vintage(tmp_path, shared_data, earlier_mirror, no_network):
    spec = load_ledger()["nama_10r_3empers"]
    nuts = runner.load_nuts_lists(shared_data / "nuts")
    fetch_out = tmp_path / "fetch"
    first = runner.fetch_and_report([spec], settings=settings(tmp_path, earlier_mirror), fetch_out=fetch_out,
                                    nuts=nuts, log=lambda _: None)[0]
    assert first.summary.iloc[0]["cells_old"] == 0 and first.changed  # no previous vintage: everything is new
    pin1 = json.loads((fetch_out / "nama_10r_3empers.vintage.json").read_text())["vintages"][0]["vintage_id"]
    cells, label = read_cells(pin1, cache=tmp_path / "cache")  # a vintage id works as --old/--new
    assert label == f"vintage {pin1}" and cells["value"].notna().sum() == 367  # 389 - RS212's 22 cells
    r = runner.fetch_and_report([spec], settings=settings(tmp_path, shared_data), fetch_out=fetch_out, nuts=nuts,
                                log=lambda _: None)[0]
    assert r.summary.iloc[0]["old_vintage"] == pin1  # the pinned vintage is the previous one
    rev = r.revised
    assert rev[["region", "sector", "year", "unit"]].values.tolist() == [["ITH43", "TOTAL", 2017, "THS"]]
    assert (rev["old_value"].iloc[0], rev["new_value"].iloc[0]) == (55.0, 55.6)
    assert rev["rel_change"].iloc[0] == pytest.approx(0.6 / 55)  # (55.6 - 55) / 55 thousand persons
    assert r.flags_changed[["region", "year", "old_flag", "new_flag"]].values.tolist() == [["ITH43", 2021, "p", ""]]
    assert r.codes("region") == ["RS212"]
    assert r.added["kind"].value_counts().to_dict() == {"new_series": 22}  # RS212 M_N 2000-2021 (2022 ':')
    assert r.removed.empty
    assert r.summary.iloc[0]["nuts_old"] == r.summary.iloc[0]["nuts_new"] == "2021"  # ITG2E: NUTS 2021 only
    # the fetch outputs now hold the new vintage; a second refresh from the same mirror changes nothing
    again = runner.fetch_and_report([spec], settings=settings(tmp_path, shared_data), fetch_out=fetch_out,
                                    nuts=nuts, log=lambda _: None)[0]
    assert not again.changed
    assert again.summary.iloc[0]["cells_shared"] == 389


def test_replay_mode_is_refused(tmp_path):
    s = FetchSettings.resolve(mode="replay", cache=tmp_path / "cache", env={})
    with pytest.raises(I4DError, match="replay"):
        runner.fetch_and_report([load_ledger()["nama_10r_3empers"]], settings=s, fetch_out=tmp_path)


def test_snakemake_argv_is_a_list_and_a_failed_rerun_raises(tmp_path):
    argv = runner.snakemake_command("config/c.yaml", "italy-r20260101000000", cores=2)
    assert argv[:3] == [sys.executable, "-m", "snakemake"]
    assert argv[argv.index("--config") + 1] == "scenario=italy-r20260101000000"
    assert argv[argv.index("--rerun-triggers") + 1: argv.index("--rerun-triggers") + 5] == [
        "mtime", "params", "input", "code"]
    seen = {}

    def fake(argv, **kw):
        seen.update(argv=argv, **kw)
        return subprocess.CompletedProcess(argv, 1)

    with pytest.raises(I4DError, match="snakemake exit 1"):
        runner.rerun_workflow("c.yaml", "s", workdir=tmp_path, log_path=tmp_path / "log", run=fake)
    assert isinstance(seen["argv"], list) and "shell" not in seen and seen["cwd"] == str(tmp_path)
    assert (tmp_path / "log").read_text().startswith("$ ")


def test_refresh_scenario_fits_the_config_pattern():
    import re
    from datetime import UTC, datetime

    name = runner.refresh_scenario("a-very-long-scenario-name-indeed", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert name == "a-very-long-scenario-r20260102030405"
    assert re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", name)


# ------------------------------------------------------------------------------------------------- CLI
RECORD = {"model_id": "ld", "kind": "shiftshare", "estimator": "ols", "outcome": "y", "nobs": 10, "inference": {},
          "regressor": "exposure",
          "coefficients": [{"term": "exposure", "estimate": -0.8, "std_error": 0.4, "t": -2.0, "p": 0.05,
                            "ci_low": None, "ci_high": None}]}


def write_record(run_dir, estimate):
    (run_dir / "models").mkdir(parents=True)
    rec = json.loads(json.dumps(RECORD))
    rec["coefficients"][0]["estimate"] = estimate
    (run_dir / "models" / "ld.json").write_text(json.dumps(rec))


@pytest.fixture
def project(tmp_path, monkeypatch, shared_data):
    """A working directory with a config (scenario t, one fetched dataset) and a previous run."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text(
        "scenario: t\nfetch:\n  datasets: [nama_10r_3empers]\ndata:\n  nuts_changes: %s\n" % (shared_data / "nuts"))
    write_record(tmp_path / "results" / "t", -0.8)
    monkeypatch.setenv("I4D_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("I4D_FETCH_MODE", "offline")
    return tmp_path


def test_cli_refresh_exit_codes(project, shared_data, earlier_mirror, monkeypatch, capsys, no_network):
    out = project / "report"
    base = ["--out", out, "--fetch-out", project / "results" / "fetch"]
    # 1. first fetch (earlier mirror), no rerun: everything is new -> 3
    assert run_cli([*base, "--mirror", earlier_mirror, "--no-rerun"]) == 3
    # 2. refresh from the real mirror with a (fake) rerun whose estimate moved -> 4
    calls = []

    def fake_rerun(configfile, scenario, **kw):
        calls.append((str(configfile), scenario, kw))
        write_record(project / "results" / scenario, -0.75)
        return project / "results" / scenario

    monkeypatch.setattr(runner, "rerun_workflow", fake_rerun)
    assert run_cli([*base, "--mirror", shared_data]) == 4
    assert calls and calls[0][0] == "config/config.yaml" and calls[0][1].startswith("t-r")
    moved = (out / "estimates_moved.csv").read_text().splitlines()
    assert moved[0] == "model,term,quantity,old,new,abs_change,rel_change,status"
    assert moved[1].startswith("ld,exposure,estimate,-0.8,-0.75,")
    rev = (out / "nama_10r_3empers" / "revised.csv").read_text().splitlines()
    assert len(rev) == 2 and rev[1].startswith("ITH43,TOTAL,2017,THS,A,EMP,55.0,55.6,")
    md = (out / "revisions.md").read_text()
    assert "## nama_10r_3empers" in md and "| revised cells | 1 (0.27 % of shared) |" in md
    record = json.loads((out / "refresh.json").read_text())
    assert record["exit_code"] == 4 and record["changed"] == ["nama_10r_3empers"]
    # 3. the same again with --no-rerun: nothing changed -> 0
    assert run_cli([*base, "--mirror", shared_data, "--no-rerun"]) == 0
    assert "exit 0" in capsys.readouterr().out
    # --exit-zero (for Snakemake): a change still exits 0, refresh.json keeps the real code
    assert run_cli([*base, "--mirror", earlier_mirror, "--no-rerun", "--exit-zero"]) == 0
    assert json.loads((out / "refresh.json").read_text())["exit_code"] == 3


def test_cli_local_mode_on_the_real_files(tmp_path, shared_data, capsys):
    out = tmp_path / "r"
    code = run_cli(["--old", shared_data / "eurostat" / "IT_nama_10r_3empers.csv",
                    "--new", shared_data / "tsv" / "nama_10r_3empers_sample_data_EXCERPT.tsv",
                    "--unit", "persons", "--dataset", "nama_10r_3empers", "--nuts-changes", shared_data / "nuts",
                    "--configfile", tmp_path / "none.yaml", "--out", out])
    assert code == 3
    printed = capsys.readouterr().out
    assert "131 shared cells, 0 revised, 258 added, 39948 removed" in printed and "NUTS 2016 -> 2021" in printed
    summary = (out / "summary.csv").read_text().splitlines()
    assert len(summary) == 2
    md = (out / "revisions.md").read_text()
    assert "2016 → 2021 (11 changed links)" in md and "| nuts_link | region | ITG26 | ITG2E | merge |" in md
    assert "a shared cell is revised when |new − old| > 0.5 persons" in md
    for t in ("revised", "added", "removed", "flags_changed", "structure"):
        assert (out / "nama_10r_3empers" / f"{t}.csv").is_file()


def test_cli_compares_two_runs_only(tmp_path, capsys):
    write_record(tmp_path / "a", -0.8)
    write_record(tmp_path / "b", -0.8)
    base = ["--no-fetch", "--old-run", tmp_path / "a", "--configfile", tmp_path / "none.yaml", "--out", tmp_path / "o"]
    assert run_cli([*base, "--new-run", tmp_path / "b"]) == 0
    write_record(tmp_path / "c", -0.5)
    assert run_cli([*base, "--new-run", tmp_path / "c"]) == 4


@pytest.mark.parametrize(("argv", "message"), [
    (["--old", "x.csv"], "both --old and --new"),
    (["--no-fetch"], "give --new-run"),
    (["--old", "missing.csv", "--new", "missing2.csv"], "file not found"),
    (["--datasets", "nope", "--no-rerun"], "unknown dataset"),
])
def test_cli_errors_exit_2_with_one_line(project, argv, message, capsys):
    assert run_cli(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.fixture
def no_network(monkeypatch):
    """Any socket connection is a test failure (offline mode must never open one)."""
    import socket

    def refuse(*a, **k):
        raise AssertionError(f"network connection attempted: {a[1:] if len(a) > 1 else a}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
