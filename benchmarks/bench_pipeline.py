"""The default Snakemake pipeline: cold run, no-op rerun, dry run, and the start-up cost of each job.

Copies the repository's files (``git ls-files --cached --others --exclude-standard``: the
working tree without ignored outputs) into a
temporary ``DIR/main`` with ``DIR/shared`` a symlink to the real data beside the repository
(``../shared``, as the configs expect), then, with ``--cores 2`` (``--cores``):

* ``snakemake -n`` on the fresh copy (dry run: DAG building and start-up of Snakemake);
* the cold run ``snakemake`` (every job a fresh ``i4d`` process), wall time, the peak RSS of
  the largest process and of the whole process tree (concurrent jobs summed);
* ``snakemake -n`` after it (jobs still to run, with Snakemake's reasons) and a no-op rerun
  ``snakemake`` (nothing should run).

Start-up, measured in the same run (best of ``--repeat``): ``python -c pass`` (interpreter),
``python -c "import pandas"`` (the floor of any job that reads a table), ``i4d --help``
and ``i4d <stage> --help`` for each stage the workflow's rules call (what a job pays before
its work), and the heaviest imports of ``i4d indicators --help`` by ``python -X importtime``.
Targets (issue 15): cold run <= 30 s and no-op rerun <= 3 s on 2 cores.

``--quick`` measures start-up and the dry run only (no pipeline run).
Run: ``python benchmarks/bench_pipeline.py [--cores 2] [--keep DIR] [--quick] [--json PATH]``
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, emit, pin_blas, record, run_measured, venv_bin  # noqa: E402

pin_blas()


def clone(dest: Path) -> Path:
    """Copy the repository's files (tracked and untracked, not ignored: the working tree as it stands,
    without results) into ``dest/main``; ``dest/shared`` -> the real data beside the repository."""
    files = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           check=True, capture_output=True, text=True).stdout.split("\0")
    main = dest / "main"
    for rel in filter(None, files):
        src = REPO / rel
        if not src.is_file():  # deleted in the working tree
            continue
        target = main / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target, follow_symlinks=False)
    shared = (REPO.parent / "shared").resolve()
    if shared.is_dir():
        (dest / "shared").symlink_to(shared, target_is_directory=True)
    return main


def _env() -> dict[str, str]:
    """Environment of the rules: the venv's ``i4d`` first on PATH, offline fetching."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.setdefault("I4D_FETCH_MODE", "offline")
    return env


def best_run(cmd: list[str], repeat: int, **kw) -> float:
    times = []
    for _ in range(repeat):
        m = run_measured(cmd, **kw)
        if m.proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({m.proc.returncode}):\n{m.proc.stderr[-2000:]}")
        times.append(m.wall_s)
    return min(times)


def workflow_stages() -> list[tuple[str, str]]:
    """(stage, command) pairs called by the workflow's rules (``i4d <stage> <command>`` in the .smk files)."""
    text = "\n".join(p.read_text() for p in [REPO / "Snakefile", *sorted((REPO / "workflow").rglob("*.smk"))]
                     if p.is_file())
    return sorted(set(re.findall(r"\bi4d ([a-z][a-z-]*) ([a-z][a-z-]*)", text)))


def heaviest_imports(argv: list[str], top: int = 8) -> list[tuple[str, float]]:
    """Modules with the largest cumulative import time (s) when ``i4d argv`` runs, from ``-X importtime``."""
    code = f"import sys; from i4districts.cli import main; sys.argv = ['i4d', *{argv!r}]; main()"
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True).stderr
    rows = []
    for line in err.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m.group(2)) <= 3:  # top-level and first-level imports
            rows.append((m.group(3), int(m.group(1)) / 1e6))
    return sorted(rows, key=lambda r: -r[1])[:top]


def snakemake(workdir: Path, *args: str, cores: int, tree: bool = False):
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(workdir / "Snakefile"), "--directory",
           str(workdir), "--cores", str(cores), *args]
    return run_measured(cmd, tree=tree, cwd=workdir, env=_env())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, default=None, help="clone into this directory and keep it")
    ap.add_argument("--quick", action="store_true", help="start-up and dry run only (no pipeline run)")
    ap.add_argument("--json", default=None, help="write the result records here (used by run.py)")
    a = ap.parse_args()
    if a.quick:
        a.repeat = 1
    records = []
    py, i4d = sys.executable, venv_bin("i4d")
    t_pass = best_run([py, "-c", "pass"], a.repeat)
    t_pandas = best_run([py, "-c", "import pandas"], a.repeat)
    t_help = best_run([i4d, "--help"], a.repeat)
    print(f"start-up: python -c pass {t_pass:.3f} s; python -c 'import pandas' {t_pandas:.3f} s; "
          f"i4d --help {t_help:.3f} s")
    records.append(record("pipeline.startup_i4d_help", "`i4d --help` (interpreter + CLI, no stage imported)",
                          ours_s=t_help, baseline="python -c pass", baseline_s=t_pass, ratio_def="ours / baseline"))
    stages = workflow_stages()
    per_stage = {}
    for stage in sorted({s for s, _ in stages}):
        cmd = next(c for s, c in stages if s == stage)
        t = best_run([i4d, stage, cmd, "--help"], a.repeat)
        per_stage[f"{stage} {cmd}"] = t
        print(f"  i4d {stage} {cmd} --help: {t:.3f} s   ({t / t_pandas:4.2f} x import pandas)")
        records.append(record(f"pipeline.startup_{stage}", f"`i4d {stage} {cmd} --help` (a job's start-up)",
                              ours_s=t, baseline="python -c 'import pandas'", baseline_s=t_pandas,
                              ratio_def="ours / baseline"))
    heavy = heaviest_imports(["indicators", "--help"])
    print("  heaviest imports of `i4d indicators --help`: "
          + ", ".join(f"{name} {sec:.2f} s" for name, sec in heavy))

    with tempfile.TemporaryDirectory(prefix="i4d-bench-pipeline-") as tmp:
        base = a.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        work = clone(base)
        dry = snakemake(work, "-n", cores=a.cores)
        if dry.proc.returncode != 0:
            print(dry.proc.stdout[-3000:], dry.proc.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"snakemake -n failed ({dry.proc.returncode})")
        n_jobs = _jobs(dry.proc.stdout + dry.proc.stderr)
        print(f"snakemake -n (fresh copy, {n_jobs} jobs): {dry.wall_s:.2f} s")
        records.append(record("pipeline.dry_run_cold", f"`snakemake -n` on a fresh copy ({n_jobs} jobs)",
                              ours_s=dry.wall_s, jobs=n_jobs))
        if not a.quick:
            cold = snakemake(work, cores=a.cores, tree=True)
            if cold.proc.returncode != 0:
                print(cold.proc.stderr[-4000:], file=sys.stderr)
                raise SystemExit(f"cold snakemake run failed ({cold.proc.returncode})")
            startup = n_jobs * sum(per_stage.values()) / max(len(per_stage), 1) / a.cores
            print(f"cold run ({a.cores} cores, {n_jobs} jobs): {cold.wall_s:.1f} s, peak RSS of one process "
                  f"{cold.peak_rss_mib:,.0f} MiB, of the process tree {cold.peak_tree_rss_mib:,.0f} MiB; "
                  f"job start-up ~{startup:.1f} s of it (jobs x mean stage start-up / cores)")
            records.append(record("pipeline.cold_run", f"default pipeline, cold, {a.cores} cores, {n_jobs} jobs",
                                  ours_s=cold.wall_s, metric="ours_s", target=("<=", 30.0),
                                  peak_rss_mib=cold.peak_rss_mib, peak_tree_rss_mib=cold.peak_tree_rss_mib,
                                  startup_estimate_s=startup, jobs=n_jobs))
            dry2 = snakemake(work, "-n", cores=a.cores)
            log = dry2.proc.stdout + dry2.proc.stderr
            stale, reasons = _jobs(log), _reasons(log)
            print(f"snakemake -n after the run: {dry2.wall_s:.2f} s, {stale} job(s) still to run"
                  + (f" (reasons: {'; '.join(reasons)})" if reasons else ""))
            records.append(record("pipeline.dry_run_done", "`snakemake -n` after a complete run",
                                  ours_s=dry2.wall_s, jobs=stale, reasons=reasons))
            noop = snakemake(work, cores=a.cores)
            rerun = _jobs(noop.proc.stdout + noop.proc.stderr)
            print(f"no-op rerun: {noop.wall_s:.2f} s ({rerun} job(s) rerun)")
            records.append(record("pipeline.noop_rerun", "default pipeline, rerun with nothing to do",
                                  ours_s=noop.wall_s, metric="ours_s", target=("<=", 3.0), jobs=rerun,
                                  ok=noop.proc.returncode == 0 and rerun == 0))
    emit(records, a.json)
    return 0


def _reasons(log: str, top: int = 5) -> list[str]:
    """The distinct ``reason:`` lines of a dry run (why Snakemake would rerun jobs), most frequent first."""
    found: dict[str, int] = {}
    for m in re.finditer(r"^\s*reason: (.+)$", log, flags=re.M):
        found[m.group(1).strip()] = found.get(m.group(1).strip(), 0) + 1
    return [f"{r} (x{n})" for r, n in sorted(found.items(), key=lambda kv: -kv[1])[:top]]


def _jobs(log: str) -> int:
    """Number of jobs Snakemake plans or ran (its job-stats table ``total N``), 0 if nothing to do."""
    m = re.search(r"^total\s+(\d+)", log, flags=re.M)
    return int(m.group(1)) if m else 0


if __name__ == "__main__":
    raise SystemExit(main())
