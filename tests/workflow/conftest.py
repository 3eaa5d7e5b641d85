"""Helpers to run the Snakemake workflow of this repository in a temporary directory."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the repository's Snakefile with ``workdir`` as working directory."""
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir),
           "--cores", "2", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def make_workdir(path: Path) -> Path:
    """A working directory holding a copy of the repository's config (links resolved)."""
    shutil.copytree(REPO / "config", path / "config", symlinks=False)
    return path


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return make_workdir(tmp_path)
