"""Helpers to run the Snakemake workflow of this repository in a temporary directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIO = "italy"  # config/config.yaml's scenario: outputs under results/italy/


def snakemake(workdir: Path, *args: str, check: bool = True, cores: str | None = "2") -> subprocess.CompletedProcess:
    """Run the repository's Snakefile with ``workdir`` as working directory.

    The rules call ``i4d``; the interpreter's own bin directory goes first on PATH so the rules use
    the ``i4d`` installed beside the Python running the tests.
    """
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
           *(["--cores", cores] if cores else []), *args]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def make_workdir(path: Path) -> Path:
    """A working directory holding a copy of the repository's config (links resolved).

    The configs read real data beside the repository (``../shared/data/...``, relative to the
    repository); in a temporary working directory those paths point at the shared data directory
    of the test run (``I4D_SHARED_DATA``) instead.
    """
    shutil.copytree(REPO / "config", path / "config", symlinks=False)
    shared = Path(os.environ.get("I4D_SHARED_DATA", REPO.parent / "shared" / "data")).resolve()
    for cfg in (path / "config").glob("*.yaml"):
        cfg.write_text(cfg.read_text().replace("../shared/data", str(shared)))
    return path


def results(workdir: Path) -> Path:
    """The default scenario's results folder in ``workdir``."""
    return workdir / "results" / SCENARIO


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return make_workdir(tmp_path)
