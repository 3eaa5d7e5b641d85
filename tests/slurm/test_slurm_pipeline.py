"""The default pipeline through SLURM (workflow/profiles/slurm) gives the outputs of a local run.

Two copies of the repository run the default scenario: one with ``snakemake --cores 2``, one with
``snakemake --profile workflow/profiles/slurm --default-resources slurm_account=...``, each job an sbatch
job on the cluster. Every output under ``results/italy`` must agree (Parquet by content, JSON exactly,
anything else byte for byte; logs excepted), and accounting must show one completed SLURM job per rule job,
under the given account, with the memory and wall time that the rule declares. Needs a cluster: in CI,
``.ci/slurm.sh start`` (see conftest.py); skipped without one unless CI is set.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from .conftest import ACCOUNT, PARTITION, PROFILE, copy_repository, job_rules

pytestmark = pytest.mark.slurm

SCENARIO = "results/italy"
TIMEOUT = 3600  # seconds, per run
# Keys of JSON outputs that differ between two runs of the same code: wall-clock times (the estimation
# records' extra.placebo.seconds) and time stamps.
VOLATILE_KEYS = frozenset({"seconds", "elapsed", "elapsed_seconds", "timestamp", "created", "created_at"})
# Documents of the run itself (its time stamps, job timings and log names): present in both runs, not compared.
RUN_DOCUMENTS = frozenset({"report.html"})


def _env(workdir: Path) -> dict[str, str]:
    """The test's environment, with this interpreter's bin first on PATH (its `i4d` and `snakemake`).

    The package is imported from the copy's ``src/`` (PYTHONPATH): both runs, and every SLURM job, run
    the code as it was when the copy was taken, even if the package is installed in editable mode from
    a working tree that changes meanwhile (the code fingerprint, a rule parameter, would change and
    cluster jobs would rerun upstream rules). sbatch exports this environment to the jobs (--export=ALL).
    """
    bindir = str(Path(sys.executable).parent)
    pythonpath = os.pathsep.join(filter(None, [str(workdir / "src"), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": pythonpath}


def _snakemake(workdir: Path, *args: str, log: Path) -> tuple[str, float]:
    """Run Snakemake in ``workdir`` (its own Snakefile), output to ``log``; return the output and seconds."""
    start = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.run([sys.executable, "-m", "snakemake", *args], cwd=workdir, env=_env(workdir),
                              stdout=out, stderr=subprocess.STDOUT, timeout=TIMEOUT)
    text = log.read_text()
    if proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed ({proc.returncode}) in {workdir}:\n{text[-6000:]}")
    return text, time.monotonic() - start


@pytest.fixture(scope="module")
def runs(slurm_cluster, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("slurm")
    local = copy_repository(root / "local")
    cluster = copy_repository(root / "cluster")
    _, local_seconds = _snakemake(local, "--cores", "2", log=root / "local.log")
    resources = [f"slurm_account={ACCOUNT}"] + ([f"slurm_partition={PARTITION}"] if PARTITION else [])
    text, slurm_seconds = _snakemake(
        cluster, "--profile", PROFILE, "--default-resources", *resources,
        # Poll every 2 s instead of the executor's 40 s: a test cluster, and jobs of seconds.
        "--slurm-init-seconds-before-status-checks", "2", "--seconds-between-status-checks", "2",
        "--slurm-keep-successful-logs",
        log=root / "cluster.log",
    )
    run_id = re.search(r"SLURM run ID: (\S+)", text)
    assert run_id, f"no SLURM run ID in the Snakemake output:\n{text[-3000:]}"
    print(f"\nlocal run {local_seconds:.0f} s, SLURM run {slurm_seconds:.0f} s (run ID {run_id.group(1)})")
    return {"local": local, "cluster": cluster, "run_id": run_id.group(1), "output": text}


def _outputs(workdir: Path) -> dict[str, Path]:
    base = workdir / SCENARIO
    return {
        p.relative_to(base).as_posix(): p
        for p in sorted(base.rglob("*"))
        if p.is_file() and p.relative_to(base).parts[0] != "logs" and p.suffix != ".log"
    }


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def test_slurm_outputs_equal_local_outputs(runs):
    local, cluster = _outputs(runs["local"]), _outputs(runs["cluster"])
    assert set(cluster) == set(local)
    assert any(name.startswith("models/") for name in local) and any(name.startswith("tables/") for name in local)
    for name, path in local.items():
        other = cluster[name]
        if name in RUN_DOCUMENTS:
            continue
        if path.suffix == ".parquet":
            pd.testing.assert_frame_equal(pd.read_parquet(other), pd.read_parquet(path), check_exact=True, obj=name)
        elif path.suffix == ".json":
            assert _strip(json.loads(other.read_text())) == _strip(json.loads(path.read_text())), name
        else:
            assert other.read_bytes() == path.read_bytes(), name


def _job_stats(output: str) -> Counter:
    """Snakemake's "Job stats" table at the start of a run: rule -> number of jobs."""
    table = output.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    rows = (line.split() for line in table.splitlines()[3:])
    return Counter({row[0]: int(row[1]) for row in rows if len(row) == 2 and row[0] not in ("total", "all")})


def _sacct(run_id: str) -> list[dict[str, str]]:
    fields = ["JobIDRaw", "State", "Account", "Comment", "ReqMem", "Timelimit", "AllocCPUS"]
    proc = subprocess.run(
        ["sacct", "-X", "--parsable2", "--noheader", "--starttime", "now-1days", "--name", run_id,
         f"--format={','.join(f + '%300' if f == 'Comment' else f for f in fields)}"],
        capture_output=True, text=True, check=True,
    )
    return [dict(zip(fields, line.split("|"))) for line in proc.stdout.splitlines() if line]


def test_every_job_ran_under_slurm_with_the_rules_resources(runs):
    expected = _job_stats(runs["output"])
    assert sum(expected.values()) >= 10, expected  # the default pipeline, not a no-op run
    jobs = _sacct(runs["run_id"])
    ran = Counter(re.match(r"rule_(\w+?)(?:_wildcards_.*)?$", j["Comment"]).group(1) for j in jobs)
    assert ran == expected, f"sacct: {jobs}"
    declared = job_rules()
    checked = 0
    for job in jobs:
        rule = re.match(r"rule_(\w+?)(?:_wildcards_.*)?$", job["Comment"]).group(1)
        assert job["State"] == "COMPLETED", job
        assert job["Account"] == ACCOUNT, job
        # sbatch --mem <mem_mb> (MB), --time <runtime> (minutes), --cpus-per-task <threads>; a rule that
        # declares none of them fails test_resources.py instead.
        wanted = declared.get(rule, {})
        if "mem_mb" in wanted:
            assert job["ReqMem"] == f"{wanted['mem_mb']}M", job
        if "runtime" in wanted:
            hours, minutes = divmod(int(wanted["runtime"]), 60)
            assert job["Timelimit"] == f"{hours:02d}:{minutes:02d}:00", job
        if "threads" in wanted:
            assert job["AllocCPUS"] == wanted["threads"], job
        checked += len(wanted)
    assert checked >= 3 * 10, "too few declared resources checked against sacct"
    # The executor's log of each job (kept with --slurm-keep-successful-logs) names the rule it ran.
    logs = sorted((runs["cluster"] / ".snakemake/slurm_logs").rglob("*.log"))
    assert {p.stem for p in logs} >= {j["JobIDRaw"] for j in jobs}
