"""Replication mode: rerun the default workflow offline in a fresh working directory.

:func:`replicate` builds a working directory laid out like a clone beside
its shared data::

    <root>/work/config/        a copy of the repository's config/ (the science choices)
    <root>/shared/data  ->     symlink to the shared reference data (read in place, never copied)

so that the config's relative paths (``../shared/data/...``) resolve, then

1. lists the workflow's inputs outside the working directory (``snakemake
   --dry-run``) and checks each against its sha256 pin in
   ``golden/<scenario>/inputs.json`` (an unpinned or changed input fails);
2. runs Snakemake with the repository's Snakefile under the replication
   environment (:func:`replication_env`): ``I4D_REPLICATION=1``,
   ``I4D_FETCH_MODE=replay`` (the fetch layer reads only pinned vintages,
   verified by sha256, and refuses the network), one BLAS thread, and the
   network guard of :mod:`i4districts.golden.netguard` first on
   ``PYTHONPATH``, so every Python process of the run refuses sockets and logs
   any attempt;
3. reports the attempts (there must be none) and the run's results folder,
   which the caller compares with the golden results.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from i4districts.errors import InputError
from i4districts.golden.netguard import GUARD_DIR
from i4districts.io import sha256_file
from i4districts.safeyaml import load_yaml

__all__ = ["Replication", "replication_env", "make_layout", "external_inputs", "pin_files", "check_pins",
           "replicate", "default_shared_data", "scenario_of"]

REPLICATION_ENV = "I4D_REPLICATION"
NETLOG_ENV = "I4D_NETGUARD_LOG"
_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass
class Replication:
    """What a replication run did."""

    root: Path
    workdir: Path
    results: Path
    returncode: int | None = None
    log: Path | None = None
    network: list[str] = field(default_factory=list)
    input_problems: list[str] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"workdir": str(self.workdir), "returncode": self.returncode, "log": str(self.log) if self.log else None,
                "network_attempts": self.network, "input_problems": self.input_problems,
                "inputs": self.inputs, "seconds": round(self.seconds, 1)}


def default_shared_data(repo: Path) -> Path:
    """``I4D_SHARED_DATA``, else ``<repo>/../shared/data``."""
    return Path(os.environ.get("I4D_SHARED_DATA") or (Path(repo) / ".." / "shared" / "data")).resolve()


def scenario_of(repo: Path) -> str:
    """The default scenario of ``<repo>/config/config.yaml``."""
    cfg = load_yaml(Path(repo) / "config" / "config.yaml")
    return str((cfg or {}).get("scenario") or "italy")


def replication_env(base: Mapping[str, str], netlog: Path) -> dict[str, str]:
    """The environment of a replication run (see the module docstring)."""
    env = dict(base)
    env[REPLICATION_ENV] = "1"
    env["I4D_FETCH_MODE"] = "replay"
    env[NETLOG_ENV] = str(netlog)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(GUARD_DIR), base.get("PYTHONPATH", "")) if p)
    env["PATH"] = os.pathsep.join((str(Path(sys.executable).parent), base.get("PATH", "")))
    for var in _BLAS_THREADS:
        env.setdefault(var, "1")
    return env


def make_layout(repo: Path, shared_data: Path, root: Path) -> Path:
    """Create ``<root>/work`` (config copy) and ``<root>/shared/data`` (symlink); return the working directory."""
    repo = Path(repo)
    for needed in ("Snakefile", "config/config.yaml"):
        if not (repo / needed).is_file():
            raise InputError(f"{repo}: not an i4districts repository (no {needed}); pass --repo")
    if not Path(shared_data).is_dir():
        raise InputError(f"{shared_data}: shared data folder not found (set I4D_SHARED_DATA or pass --shared)")
    work = root / "work"
    work.mkdir(parents=True)
    shutil.copytree(repo / "config", work / "config")
    (root / "shared").mkdir(exist_ok=True)
    (root / "shared" / "data").symlink_to(Path(shared_data).resolve(), target_is_directory=True)
    return work


def _snakemake(repo: Path, work: Path, env: Mapping[str, str], *args: str, log: Path | None = None):
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(Path(repo).resolve() / "Snakefile"),
           "--directory", str(work), *args]
    if log is None:
        return subprocess.run(cmd, cwd=work, env=dict(env), capture_output=True, text=True)
    with open(log, "w", encoding="utf-8") as fh:
        return subprocess.run(cmd, cwd=work, env=dict(env), stdout=fh, stderr=subprocess.STDOUT, text=True)


def external_inputs(dry_run_output: str) -> list[str]:
    """Input files of a ``snakemake --dry-run`` listing that lie outside the working directory."""
    found: set[str] = set()
    for line in dry_run_output.splitlines():
        text = line.strip()
        if not text.startswith("input: "):
            continue
        for item in text[len("input: "):].split(", "):
            item = item.strip()
            if item and (item.startswith("../") or os.path.isabs(item)):
                found.add(item)
    return sorted(found)


def pin_files(work: Path, paths: list[str]) -> dict[str, str]:
    """``{path: sha256}`` of ``paths`` (relative to ``work``)."""
    out = {}
    for p in paths:
        full = Path(work) / p
        if not full.is_file():
            raise InputError(f"{full}: workflow input not found")
        out[p] = sha256_file(full)
    return out


def check_pins(actual: Mapping[str, str], pinned: Mapping[str, str]) -> list[str]:
    """Problems between the inputs a run reads and their pins (changed, unpinned, pinned but unread)."""
    problems = []
    for path in sorted(set(actual) | set(pinned)):
        if path not in pinned:
            problems.append(f"input {path}: not pinned (sha256 {actual[path]}); pin it with `i4d golden pin`")
        elif path not in actual:
            problems.append(f"input {path}: pinned but not read by the workflow")
        elif actual[path] != pinned[path]:
            problems.append(f"input {path}: sha256 {actual[path]} does not match the pin {pinned[path]}")
    return problems


def list_inputs(repo: Path, work: Path, env: Mapping[str, str]) -> dict[str, str]:
    """``{path: sha256}`` of the workflow's inputs outside ``work`` (from a dry run)."""
    proc = _snakemake(repo, work, env, "--dry-run")
    if proc.returncode != 0:
        raise InputError(f"snakemake --dry-run in {work} failed ({proc.returncode}): "
                         f"{(proc.stderr or proc.stdout).strip().splitlines()[-1:]}")
    return pin_files(work, external_inputs(proc.stdout + "\n" + proc.stderr))


def replicate(repo: Path, *, pinned: Mapping[str, str] | None, shared_data: Path | None = None,
              root: Path | None = None, cores: int = 2, env: Mapping[str, str] | None = None) -> Replication:
    """Run the default workflow of ``repo`` in replication mode (see the module docstring).

    ``pinned``: ``{path: sha256}`` from ``golden/<scenario>/inputs.json`` (``None``: only record the inputs).
    ``root``: where to lay out the run (default: a new temporary folder, left for the caller to remove).
    The workflow is not run when an input does not match its pin.
    """
    repo = Path(repo).resolve()
    root = Path(root).resolve() if root else Path(tempfile.mkdtemp(prefix="i4d-replicate-"))
    if root.exists() and any(root.iterdir()):
        raise InputError(f"{root}: replication folder must be new or empty")
    root.mkdir(parents=True, exist_ok=True)
    work = make_layout(repo, shared_data or default_shared_data(repo), root)
    netlog = root / "network_attempts.log"
    renv = replication_env(os.environ if env is None else env, netlog)
    rep = Replication(root=root, workdir=work, results=work / "results" / scenario_of(work), log=root / "snakemake.log")
    start = time.monotonic()
    rep.inputs = list_inputs(repo, work, renv)
    if pinned is not None:
        rep.input_problems = check_pins(rep.inputs, pinned)
    if not rep.input_problems:
        rep.returncode = _snakemake(repo, work, renv, "--cores", str(cores), log=rep.log).returncode
    rep.seconds = time.monotonic() - start
    if netlog.is_file():
        rep.network = [line for line in netlog.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rep
