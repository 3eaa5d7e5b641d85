"""Smoke test of the benchmark runner: ``benchmarks/run.py --quick --only placebo`` and its JSON schema.

Times nothing (speed is measured by the benchmarks, never in tests); checks that the runner
runs a benchmark in a subprocess and writes ``latest.json`` / ``latest.md`` with the documented
fields, ratios consistent with the times, and no verdict at ``--quick`` sizes.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_run_quick_writes_json_and_markdown(tmp_path: Path):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", "--only", "placebo",
                           "--out", str(tmp_path)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "placebo.draws_100" in proc.stdout and "faster" in proc.stdout  # every ratio printed with its baseline

    doc = json.loads((tmp_path / "latest.json").read_text())
    assert doc["schema"] == "i4districts-benchmarks/1" and doc["quick"] is True
    assert {"date", "git", "machine", "benchmarks"} <= set(doc)
    m = doc["machine"]
    assert {"cpu_model", "usable_cpus", "ram_gib", "python", "versions", "blas_threads"} <= set(m)
    assert m["blas_threads"]["OPENBLAS_NUM_THREADS"] == "1"
    assert {"numpy", "pandas"} <= set(m["versions"])

    (bench,) = doc["benchmarks"]
    assert bench["name"] == "placebo" and bench["status"] == "ok"
    assert bench["peak_rss_mib"] > 10 and bench["wall_s"] > 0
    (rec,) = bench["records"]
    keys = {"id", "what", "ours_s", "baseline", "baseline_s", "ratio", "ratio_def", "metric", "target", "pass"}
    assert keys <= set(rec)
    assert rec["id"] == "placebo.draws_100" and rec["ratio_def"] == "baseline / ours"
    assert math.isclose(rec["ratio"], rec["baseline_s"] / rec["ours_s"], rel_tol=1e-12)
    assert rec["pass"] is None  # quick sizes: no verdict
    assert rec["max_abs_p_diff"] <= 1e-10  # vectorised placebo = refitting loop

    md = (tmp_path / "latest.md").read_text()
    assert "| benchmark | what | ours | baseline |" in md and "placebo.draws_100" in md
    assert m["cpu_model"] in md


def test_unknown_benchmark_is_a_usage_error(tmp_path: Path):
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--only", "nope",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "unknown benchmark" in proc.stderr
    assert not (tmp_path / "latest.json").exists()
