"""The national synthetic pipeline: ``i4d synth --scale national`` and the steps that run on its tables.

Everything here runs on SYNTHETIC data (a benchmark input, not data). Steps, each a fresh
``i4d`` process timed with its peak RSS (largest process and process tree):

1. ``i4d synth -o DIR --scale national`` (7,900 municipalities, 600 SLLs, 15 years);
2. the commands of :data:`STEPS` whose input table the world has and whose command the
   installed ``i4d`` offers (``i4d <stage> <command> --help`` exits 0);
3. if the repository has a synthetic workflow scenario (:data:`SCENARIOS`, ``config/synthetic.yaml``),
   a cold Snakemake run of it at the same scale (``data.synthetic.scale`` set in a copy of the
   repository, see ``bench_pipeline.clone``): that run, which builds its own world, is then the
   pipeline end to end; otherwise the steps above are.

Targets (issue 15): the whole <= 3 min wall time and <= 4 GB peak memory (tree). The benchmark
is skipped with a message while ``i4d synth`` has no ``--scale`` option (not yet implemented).

Run: ``python benchmarks/bench_synth.py [--scale national] [--keep DIR] [--quick] [--json PATH]``
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, emit, pin_blas, record, run_measured, venv_bin  # noqa: E402

pin_blas()

#: (name, input table of the synthetic world, i4d arguments after ``-i INPUT -o OUT``, output file)
STEPS: list[tuple[str, str, list[str], str]] = [
    ("districts", "sll_employment.parquet",
     ["indicators", "districts", "--units-column", "local_units"], "districts.parquet"),
]
#: workflow scenarios for the synthetic world, tried in order (relative to the repository)
SCENARIOS = ("config/synthetic.yaml", "config/synthetic_national.yaml")


def available(i4d: str, stage: str, command: str) -> bool:
    return run_measured([i4d, stage, command, "--help"]).proc.returncode == 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="national")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--keep", type=Path, default=None, help="write the world and outputs here (kept)")
    ap.add_argument("--quick", action="store_true",
                    help="scale tiny, CLI steps only, no workflow run (smoke test; targets do not apply)")
    ap.add_argument("--json", default=None, help="write the result records here (used by run.py)")
    a = ap.parse_args()
    if a.quick:
        a.scale = "tiny"
    i4d = venv_bin("i4d")
    probe = run_measured([i4d, "synth", "--help"])
    if probe.proc.returncode != 0 or "--scale" not in probe.proc.stdout:
        msg = "`i4d synth --scale` is not available yet (i4districts.synth not implemented): skipped"
        print(msg)
        emit([], a.json, status="skipped", message=msg)
        return 0
    records, total_wall, peak_tree, peak_one = [], 0.0, 0.0, 0.0
    with tempfile.TemporaryDirectory(prefix="i4d-bench-synth-") as tmp:
        base = a.keep or Path(tmp)
        world, out = base / "world", base / "out"
        out.mkdir(parents=True, exist_ok=True)
        steps = [("synth", [i4d, "synth", "-o", str(world), "--scale", a.scale])]
        for name, table, argv, target in STEPS:
            steps.append((name, [i4d, *argv[:2], "-i", str(world / table), "-o", str(out / target), *argv[2:]]))
        for name, cmd in steps:
            if name != "synth" and not (Path(cmd[cmd.index("-i") + 1]).is_file() and available(i4d, *cmd[1:3])):
                print(f"step {name}: input or command not available, skipped")
                continue
            m = run_measured(cmd, tree=True)
            if m.proc.returncode != 0:
                print(m.proc.stdout[-2000:], m.proc.stderr[-3000:], file=sys.stderr)
                raise SystemExit(f"step {name} failed ({m.proc.returncode}): {' '.join(cmd)}")
            total_wall += m.wall_s
            peak_one = max(peak_one, m.peak_rss_mib)
            peak_tree = max(peak_tree, m.peak_tree_rss_mib or 0.0, m.peak_rss_mib)  # the sampler may miss a spike
            print(f"step {name}: {m.wall_s:.1f} s, peak RSS {m.peak_rss_mib:,.0f} MiB")
            records.append(record(f"synth.{name}", f"`{' '.join(cmd[1:3])}` on the {a.scale} synthetic world",
                                  ours_s=m.wall_s, peak_rss_mib=m.peak_rss_mib))
        scenario = next((REPO / s for s in SCENARIOS if (REPO / s).is_file()), None)
        if scenario is not None and a.quick:
            print(f"--quick: the workflow scenario {scenario.name} is not run (its years need a 15-year world)")
        elif scenario is not None:
            from bench_pipeline import clone

            work = clone(base / "repo")
            cfg = work / scenario.relative_to(REPO)
            text, hits = re.subn(r"(synthetic:\s*\{\s*scale:\s*)\w+", rf"\g<1>{a.scale}", cfg.read_text(), count=1)
            if not hits:
                raise SystemExit(f"{scenario}: no 'synthetic: {{scale: ...}}' entry to set the scale {a.scale!r}")
            cfg.write_text(text)
            env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
            env.setdefault("I4D_FETCH_MODE", "offline")
            m = run_measured([sys.executable, "-m", "snakemake", "--snakefile", str(work / "Snakefile"),
                              "--directory", str(work), "--cores", str(a.cores), "--configfile", str(cfg)],
                             tree=True, cwd=work, env=env)
            if m.proc.returncode != 0:
                print(m.proc.stderr[-4000:], file=sys.stderr)
                raise SystemExit(f"snakemake on {scenario.name} failed ({m.proc.returncode})")
            # the scenario builds its own world (rule synth_world): the workflow alone is the pipeline
            total_wall, peak_one = m.wall_s, m.peak_rss_mib
            peak_tree = max(m.peak_tree_rss_mib or 0.0, m.peak_rss_mib)
            print(f"workflow {scenario.name} (scale {a.scale}, {a.cores} cores): {m.wall_s:.1f} s, peak RSS "
                  f"{m.peak_rss_mib:,.0f} MiB (one process), {peak_tree:,.0f} MiB (process tree)")
            records.append(record("synth.workflow", f"Snakemake on {scenario.name}, scale {a.scale}, "
                                  f"{a.cores} cores (world included)", ours_s=m.wall_s,
                                  peak_rss_mib=m.peak_rss_mib, peak_tree_rss_mib=m.peak_tree_rss_mib))
        else:
            print(f"no synthetic workflow scenario ({', '.join(SCENARIOS)}): the CLI steps are the pipeline")
    applies = not a.quick
    records.append(record("synth.total_time", f"{a.scale} synthetic pipeline end to end",
                          ours_s=total_wall, metric="ours_s", target=("<=", 180.0), applies=applies))
    records.append(record("synth.total_memory", f"{a.scale} synthetic pipeline, peak memory (process tree)",
                          ours_s=total_wall, metric="peak_rss_mib", peak_rss_mib=peak_tree,
                          peak_one_process_mib=peak_one, target=("<=", 4096.0), applies=applies))
    print(f"total {total_wall:.1f} s, peak RSS {peak_tree:,.0f} MiB (tree), {peak_one:,.0f} MiB (one process)")
    emit(records, a.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
