"""Shared helpers of the benchmark scripts: BLAS pinning, timing, result records, memory.

Every script under ``benchmarks/`` can run on its own (it prints its figures) and,
given ``--json PATH``, also writes its measurements as a list of *result records*
that :mod:`run` collects into ``benchmarks/results/latest.json``. A record::

    {"id": "estimation.pyfixest", "what": "two-way FE, clustered, 1.09 M rows",
     "ours_s": 0.25, "baseline": "pyfixest feols", "baseline_s": 0.80,
     "ratio": 3.2, "ratio_def": "baseline / ours",
     "target": ">= 3", "pass": true, "agreement": 2e-15, "peak_rss_mib": null, "notes": "..."}

``ratio_def`` says which way the ratio goes (``"ours / baseline"``: lower is better, e.g.
the bincount floor; ``"baseline / ours"``: a speed-up, higher is better). ``target`` is a
comparison on the record's ``metric`` (``ratio`` by default; also ``ours_s`` or
``peak_rss_mib``); ``pass`` is ``None`` when the target does not apply (``--quick`` sizes).
"""

from __future__ import annotations

import gc
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

BLAS_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
REPO = Path(__file__).resolve().parents[1]


def pin_blas(threads: str | int = "1") -> None:
    """One BLAS thread unless the caller set one (call before numpy is imported).

    On a loaded 2-core machine multi-threaded OpenBLAS busy-waits and makes any ratio meaningless.
    """
    for var in BLAS_VARS:
        os.environ.setdefault(var, str(threads))


def best_of(fn: Callable[[], Any], repeat: int, *, warmup: bool = False) -> tuple[float, Any]:
    """Minimum wall time of ``repeat`` calls (the least disturbed by other load) and the last result."""
    out = fn() if warmup else None
    times = []
    for _ in range(max(1, repeat)):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


_OPS = {"<=": lambda a, b: a <= b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b, ">": lambda a, b: a > b}


def record(
    id: str,
    what: str,
    *,
    ours_s: float | None = None,
    baseline: str | None = None,
    baseline_s: float | None = None,
    ratio_def: str = "baseline / ours",
    target: tuple[str, float] | None = None,
    metric: str = "ratio",
    applies: bool = True,
    ok: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """One result record; ``ratio`` is computed from the two times, ``pass`` from ``target`` on ``metric``.

    ``applies=False`` (``--quick`` sizes) leaves ``pass`` at ``None``; ``ok=False`` (e.g. the numbers
    disagree with the baseline's) fails the record whatever the speed.
    """
    ratio = None
    if ours_s is not None and baseline_s is not None and ours_s > 0 and baseline_s > 0:
        ratio = baseline_s / ours_s if ratio_def == "baseline / ours" else ours_s / baseline_s
    rec: dict[str, Any] = {
        "id": id,
        "what": what,
        "ours_s": ours_s,
        "baseline": baseline,
        "baseline_s": baseline_s,
        "ratio": ratio,
        "ratio_def": ratio_def if ratio is not None else None,
        "metric": metric,
        "target": f"{target[0]} {target[1]:g}" if target else None,
        "pass": None,
    }
    rec.update(extra)
    value = rec.get(metric)
    if target and applies and value is not None:
        rec["pass"] = bool(_OPS[target[0]](value, target[1])) and ok
    elif not ok:
        rec["pass"] = False
    return rec


def emit(records: list[dict[str, Any]], path: str | os.PathLike[str] | None, *, status: str = "ok",
         message: str = "") -> None:
    """Write ``{"status", "message", "records"}`` as JSON to ``path`` (a script's ``--json``); no-op without one.

    ``status`` is ``"ok"`` or ``"skipped"`` (a benchmark whose subject is not available yet).
    """
    if path:
        doc = {"status": status, "message": message, "records": _finite(records)}
        Path(path).write_text(json.dumps(doc, indent=2, allow_nan=False, default=_json_default) + "\n")


def _finite(obj: Any) -> Any:
    """NaN and infinities become ``None`` (JSON has no NaN)."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def _json_default(obj: Any) -> Any:
    try:
        return obj.item()  # numpy scalars
    except AttributeError:
        return str(obj)


@dataclass
class Measured:
    """A finished command: its process record, wall time, peak RSS of its largest process and of its tree."""

    proc: subprocess.CompletedProcess
    wall_s: float
    peak_rss_mib: float
    peak_tree_rss_mib: float | None = None


def run_measured(cmd: list[str], *, tree: bool = False, **kwargs: Any) -> Measured:
    """Run ``cmd`` (output captured as text); measure its wall time and memory.

    ``peak_rss_mib`` is the child's ``ru_maxrss`` from ``wait4`` (Linux reports KiB): the
    largest resident set of the process or of any descendant it waited for (one process,
    not a sum). With ``tree=True`` a sampler also sums the RSS of the whole process tree
    every 0.2 s (``/proc``), the peak of concurrent jobs (``peak_tree_rss_mib``).
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, **kwargs)
        sampler = _TreeSampler(proc.pid) if tree and Path("/proc").is_dir() else None
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        if sampler:
            sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(cmd, proc.returncode, out.read(), err.read())
    peak = ru.ru_maxrss / (2**20 if sys.platform == "darwin" else 1024)
    return Measured(done, wall, peak, sampler.peak_mib if sampler else None)


class _TreeSampler:
    """Background sampler of the summed RSS of a process and its descendants (Linux ``/proc``)."""

    def __init__(self, root: int, interval: float = 0.2) -> None:
        self.root, self.interval, self.peak_mib = root, interval, 0.0
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mib = max(self.peak_mib, self._tree_rss())
            self._stop.wait(self.interval)

    def _tree_rss(self) -> float:
        parent: dict[int, int] = {}
        rss: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
                fields = stat[stat.rindex(")") + 2:].split()
                parent[int(entry.name)] = int(fields[1])
                rss[int(entry.name)] = int(fields[21]) * self._page  # field 24 of stat: rss in pages
            except (OSError, ValueError, IndexError):
                continue
        tree, frontier = {self.root}, [self.root]
        children: dict[int, list[int]] = {}
        for pid, ppid in parent.items():
            children.setdefault(ppid, []).append(pid)
        while frontier:
            for child in children.get(frontier.pop(), []):
                if child not in tree:
                    tree.add(child)
                    frontier.append(child)
        return sum(rss.get(pid, 0) for pid in tree) / 2**20

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def peak_rss_mib() -> float:
    """This process's peak RSS so far (MiB)."""
    m = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return m / 1024 if sys.platform != "darwin" else m / 2**20


def venv_bin(name: str) -> str:
    """Path of an executable installed beside the running interpreter (``i4d``, ``snakemake``)."""
    cand = Path(sys.executable).parent / name
    return str(cand) if cand.exists() else name
