"""Helpers of the SLURM tests: the rules' declared resources, a copy of the repository, the cluster.

The cluster is whatever ``sinfo`` reaches: in CI the single-node one of ``.ci/slurm.sh start``. Account
and partition come from ``I4D_SLURM_ACCOUNT`` (default ``i4d``, the account that script creates) and
``I4D_SLURM_PARTITION`` (default: the cluster's default partition), so the test also runs on a real
cluster's login node.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RULES_DIR = REPO / "workflow" / "rules"
PROFILE = "workflow/profiles/slurm"
ACCOUNT = os.environ.get("I4D_SLURM_ACCOUNT", "i4d")
PARTITION = os.environ.get("I4D_SLURM_PARTITION", "")

_RULE = re.compile(r"^rule (\w+):", re.M)
_ACTIONS = ("shell:", "run:", "script:", "notebook:", "wrapper:")


def rule_blocks(rules_dir: Path = RULES_DIR) -> dict[str, tuple[Path, str]]:
    """Every ``rule NAME:`` of ``rules_dir/*.smk`` with its file and text (up to the next rule)."""
    blocks = {}
    for path in sorted(rules_dir.glob("*.smk")):
        text = path.read_text(encoding="utf-8")
        starts = [m.start() for m in _RULE.finditer(text)] + [len(text)]
        for a, b in zip(starts, starts[1:]):
            block = text[a:b]
            blocks[_RULE.match(block).group(1)] = (path, block)
    return blocks


def declared_resources(block: str) -> dict[str, str]:
    """``threads`` and the ``resources:`` entries written in one rule's text (values as written)."""
    found = {}
    m = re.search(r"^    threads: *(.+)$", block, re.M)
    if m:
        found["threads"] = m.group(1).strip()
    m = re.search(r"^    resources:\n((?:        .*\n)+)", block, re.M)
    if m:
        for line in m.group(1).splitlines():
            key, _, value = line.strip().rstrip(",").partition("=")
            found[key.strip()] = value.strip()
    return found


def job_rules() -> dict[str, dict[str, str]]:
    """Rules that run a command (target-only rules such as ``all`` never become cluster jobs)."""
    return {
        name: declared_resources(block)
        for name, (_, block) in rule_blocks().items()
        if any(f"\n    {a}" in block for a in _ACTIONS)
    }


def cluster_problem() -> str | None:
    """Why no SLURM cluster can take jobs from here, or None when one can."""
    if shutil.which("sinfo") is None:
        return "sinfo not found (SLURM's client commands are not installed)"
    try:
        proc = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return "sinfo did not answer in 30 s"
    if proc.returncode != 0:
        return f"sinfo failed: {proc.stderr.strip() or proc.returncode}"
    if not {"idle", "mix", "alloc"} & set(proc.stdout.split()):
        return f"no node is up (node states: {' '.join(sorted(set(proc.stdout.split()))) or 'none'})"
    return None


@pytest.fixture(scope="session")
def slurm_cluster() -> None:
    """Skip without a cluster, unless CI is set: CI must have started one (``.ci/slurm.sh start``)."""
    problem = cluster_problem()
    if problem is None:
        return
    hint = "start the single-node test cluster with `sudo bash .ci/slurm.sh start`"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but no SLURM cluster is usable: {problem}; {hint}", pytrace=False)
    pytest.skip(f"no SLURM cluster: {problem}; {hint}")


def copy_repository(dest: Path) -> Path:
    """Copy the repository's files (tracked, and untracked ones not ignored) to ``dest``.

    The config reads real data at ``../shared/data`` relative to the repository: ``dest``'s parent gets a
    ``shared`` link to the parent of ``I4D_SHARED_DATA``, so the copy runs with the config unchanged.
    """
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, files):
        src = REPO / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    shared = Path(os.environ.get("I4D_SHARED_DATA", REPO.parent / "shared" / "data")).resolve()
    link = dest.parent / "shared"
    if not link.exists():
        link.symlink_to(shared.parent, target_is_directory=True)
    return dest
