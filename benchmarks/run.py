"""Run every benchmark, each in its own process; write ``results/latest.json`` and ``results/latest.md``.

    python benchmarks/run.py [--quick] [--only NAME[,NAME...]] [--out benchmarks/results/]

Each benchmark script (:data:`BENCHMARKS`) runs as a subprocess with ``--json``: its peak RSS
is that process's own ``ru_maxrss`` (``wait4``), and every ratio it reports was measured in that
same process, ours against its baseline on the same data. BLAS is pinned to one thread
(``OPENBLAS_NUM_THREADS`` etc., unless already set). ``--quick`` uses small sizes: a smoke test of
the machinery whose targets do not apply (``pass`` is ``null``). The JSON holds the machine (CPU
model, cores, RAM, Python, library versions, BLAS threads, load average before and after), the
date and commit, and for each benchmark its status, wall time, peak RSS and result records
(:mod:`common`); the Markdown is a table ready for the README. Exit status 1 if a benchmark failed
or a target was missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BLAS_VARS, REPO, pin_blas, run_measured  # noqa: E402

HERE = Path(__file__).resolve().parent
SCHEMA = "i4districts-benchmarks/1"

#: name -> (script, what it measures); run in this order
BENCHMARKS: dict[str, tuple[str, str]] = {
    "indicators": ("bench_indicators.py", "specialization indicators vs a numpy bincount floor (10.7 M rows)"),
    "indicators_process": ("bench_process_memory.py", "peak RSS of the `i4d indicators specialization` process"),
    "estimation": ("bench_estimation.py", "two-way FE, clustered: vs pyfixest and linearmodels (1.1 M rows)"),
    "akm": ("bench_akm.py", "AKM shift-share inference: ADH and national scale (7,900 × 600)"),
    "placebo": ("bench_placebo.py", "placebo draws on the NUTS-3 design: vectorised vs refitting loop"),
    "pipeline": ("bench_pipeline.py", "default Snakemake pipeline: cold run, no-op rerun, job start-up"),
    "synth_national": ("bench_synth.py", "national synthetic world and the steps on it"),
}


def machine() -> dict:
    """The machine and software the figures come from."""
    info: dict = {
        "cpu_model": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "ram_gib": _ram_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "blas_threads": {v: os.environ.get(v) for v in BLAS_VARS},
        "load_average_start": _load(),
    }
    versions = subprocess.run(
        [sys.executable, "-c", "import importlib.metadata as m, json\n"
         "out = {}\n"
         "for p in ('numpy', 'pandas', 'pyarrow', 'scipy', 'snakemake', 'pyfixest', 'linearmodels', 'statsmodels'):\n"
         "    try: out[p] = m.version(p)\n"
         "    except m.PackageNotFoundError: out[p] = None\n"
         "import numpy\n"
         "blas = numpy.show_config(mode='dicts').get('Build Dependencies', {}).get('blas', {})\n"
         "out['numpy_blas'] = f\"{blas.get('name', '?')} {blas.get('version', '')}\".strip()\n"
         "print(json.dumps(out))"],
        capture_output=True, text=True)
    info["versions"] = json.loads(versions.stdout) if versions.returncode == 0 else {}
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _commit() -> dict:
    def git(*args: str) -> str:
        r = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else ""

    return {"commit": git("rev-parse", "HEAD") or None, "dirty": bool(git("status", "--porcelain", "-uno"))}


def run_one(name: str, quick: bool, extra: list[str]) -> dict:
    script, what = BENCHMARKS[name]
    with tempfile.TemporaryDirectory(prefix="i4d-bench-") as tmp:
        out = Path(tmp) / "records.json"
        cmd = [sys.executable, str(HERE / script), "--json", str(out), *(["--quick"] if quick else []), *extra]
        print(f"== {name}: {' '.join(cmd[1:])}", flush=True)
        m = run_measured(cmd, cwd=REPO)
        sys.stdout.write(m.proc.stdout)
        entry = {"name": name, "script": script, "what": what, "args": cmd[2:], "wall_s": round(m.wall_s, 3),
                 "peak_rss_mib": round(m.peak_rss_mib, 1), "status": "failed", "message": "", "records": []}
        if m.proc.returncode != 0 or not out.is_file():
            entry["message"] = (m.proc.stderr.strip().splitlines() or [f"exit status {m.proc.returncode}"])[-1]
            sys.stdout.write(m.proc.stderr[-3000:])
            return entry
        doc = json.loads(out.read_text())
    entry.update(status=doc.get("status", "ok"), message=doc.get("message", ""), records=doc.get("records", []))
    return entry


def _fmt_s(t: float | None) -> str:
    if t is None:
        return "–"
    return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s" if t < 100 else f"{t:.0f} s"


def _fmt_ratio(r: dict) -> str:
    if r.get("ratio") is None:
        return "–"
    if r["ratio_def"] == "baseline / ours":
        return f"{r['ratio']:.1f} × faster"
    return f"{r['ratio']:.2f} × baseline"


def _fmt_pass(p: bool | None) -> str:
    return "n/a" if p is None else ("pass" if p else "**FAIL**")


def markdown(doc: dict) -> str:
    m = doc["machine"]
    v = m.get("versions", {})
    dirty = ", uncommitted changes" if doc["git"].get("dirty") else ""
    quick = " — QUICK sizes, targets n/a" if doc["quick"] else ""
    head = (f"Benchmarks of {doc['date'][:10]} (commit {str(doc['git'].get('commit') or '?')[:10]}{dirty}){quick}: "
            f"{m['cpu_model']}, {m['usable_cpus']} cores, {m['ram_gib']} GiB RAM, Python {m['python']}, "
            f"numpy {v.get('numpy')}, pandas {v.get('pandas')}, pyarrow {v.get('pyarrow')}, "
            f"BLAS {v.get('numpy_blas')} pinned to {m['blas_threads'].get('OPENBLAS_NUM_THREADS')} thread(s); "
            f"load average {m.get('load_average_start')} before, {m.get('load_average_end')} after. "
            "Each ratio is measured in one process, ours against the baseline on the same data.")
    lines = [head, "",
             "| benchmark | what | ours | baseline | baseline time | ratio | peak RSS | target | result |",
             "|---|---|---|---|---|---|---|---|---|"]
    for b in doc["benchmarks"]:
        if b["status"] != "ok" or not b["records"]:
            lines.append(f"| {b['name']} | {b['what']} | – | – | – | – | – | – | {b['status']}: {b['message']} |")
            continue
        for r in b["records"]:
            rss = r.get("peak_rss_mib")
            rss_txt = f"{rss:,.0f} MiB" if rss is not None else "–"
            target = f"{r['metric'].replace('_', ' ')} {r['target']}" if r.get("target") else "–"
            lines.append(f"| {r['id']} | {r['what']} | {_fmt_s(r.get('ours_s'))} | {r.get('baseline') or '–'} | "
                         f"{_fmt_s(r.get('baseline_s'))} | {_fmt_ratio(r)} | {rss_txt} | {target} | "
                         f"{_fmt_pass(r.get('pass'))} |")
    lines.append("")
    lines.append("Peak RSS of each benchmark process (everything it ran, baselines included): "
                 + "; ".join(f"{b['name']} {b['peak_rss_mib']:,.0f} MiB in {b['wall_s']:.0f} s"
                             for b in doc["benchmarks"]) + ".")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke test (targets do not apply)")
    ap.add_argument("--only", action="append", default=[],
                    help=f"run only these benchmarks (repeatable or comma-separated): {', '.join(BENCHMARKS)}")
    ap.add_argument("--out", type=Path, default=HERE / "results", help="output directory (default benchmarks/results)")
    a = ap.parse_args(argv)
    pin_blas()
    names = [n for item in a.only for n in item.split(",") if n] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        ap.error(f"unknown benchmark(s) {unknown}; choose from {', '.join(BENCHMARKS)}")
    doc = {"schema": SCHEMA, "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "quick": a.quick, "git": _commit(), "machine": machine(), "benchmarks": []}
    for name in names:
        doc["benchmarks"].append(run_one(name, a.quick, []))
    doc["machine"]["load_average_end"] = _load()
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "latest.json").write_text(json.dumps(doc, indent=2, allow_nan=False) + "\n")
    (a.out / "latest.md").write_text(markdown(doc))
    print(f"\n== summary ({'quick sizes: targets do not apply' if a.quick else 'full sizes'})")
    failed = False
    for b in doc["benchmarks"]:
        if b["status"] != "ok":
            print(f"{b['name']:<20} {b['status']}: {b['message']}")
            failed |= b["status"] == "failed"
        for r in b["records"]:
            base = f" vs {r['baseline']} {_fmt_s(r.get('baseline_s'))}" if r.get("baseline") else ""
            tgt = f" [target {r['metric']} {r['target']}: {_fmt_pass(r.get('pass'))}]" if r.get("target") else ""
            rss = f", peak RSS {r['peak_rss_mib']:,.0f} MiB" if r.get("peak_rss_mib") is not None else ""
            print(f"{r['id']:<34} ours {_fmt_s(r.get('ours_s'))}{base}: {_fmt_ratio(r)}{rss}{tgt}")
            failed |= r.get("pass") is False
    print(f"wrote {a.out / 'latest.json'} and {a.out / 'latest.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
