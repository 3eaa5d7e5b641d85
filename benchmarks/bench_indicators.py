"""Speed and memory of the specialization indicators on a 10-million-row long table.

Synthetic panel: 7,900 regions × 90 sectors × 15 years (10.7 M rows; region and
sector categorical, year int, value float with ~20 % zeros). Measured in
the same run:

* ours  = ``specialization_tables(gini=False)`` (LQs and all bincount-type
  indices from one validation pass: key uniqueness, NaN/negative checks,
  DataFrame output), and the two separate calls ``location_quotients`` +
  ``specialization_indices(gini=False)``;
* floor = the same quantities computed with bare ``numpy.bincount`` on
  precomputed integer codes (no validation, no DataFrames): the lower bound
  for any implementation of this long-table layout;
* the Gini of specialization (the only index needing a sort) is timed
  separately against a floor made of the same sort primitive (one float-key
  ``numpy.argsort``) plus a cumulative sum and a bincount.

Prints wall times (best of ``--repeat``), the ratios ours / floor and the
peak traced memory (tracemalloc) of our call. Run: ``python benchmarks/bench_indicators.py``.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, pin_blas, record  # noqa: E402

pin_blas()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from i4districts.indicators import location_quotients, specialization_indices, specialization_tables  # noqa: E402

QUICK = {"regions": 400, "sectors": 30, "years": 5}


def synthetic(n_regions: int, n_sectors: int, n_years: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_regions * n_sectors * n_years
    r = np.repeat(np.arange(n_regions, dtype=np.int32), n_sectors * n_years)
    s = np.tile(np.repeat(np.arange(n_sectors, dtype=np.int16), n_years), n_regions)
    y = np.tile(np.arange(2005, 2005 + n_years, dtype=np.int64), n_regions * n_sectors)
    emp = np.floor(rng.lognormal(3.0, 1.5, n))
    emp[rng.random(n) < 0.2] = 0.0
    return pd.DataFrame(
        {
            "region": pd.Categorical.from_codes(r, categories=[f"M{i:05d}" for i in range(n_regions)]),
            "sector": pd.Categorical.from_codes(s, categories=[f"{i:02d}" for i in range(10, 10 + n_sectors)]),
            "year": y,
            "value": emp,
        }
    )


def floor_lq_spec(g: np.ndarray, st: np.ndarray, t: np.ndarray, v: np.ndarray, m: int, mst: int, nt: int):
    """Bare-numpy LQ and bincount-type specialization indices on integer codes (no validation)."""
    E_g = np.bincount(g, weights=v, minlength=m)
    E_st = np.bincount(st, weights=v, minlength=mst)
    E_t = np.bincount(t, weights=v, minlength=nt)
    s = v / E_g[g]
    Q = E_st / np.tile(E_t, mst // nt)
    q = Q[st]
    lq = s / q
    d = s - q
    pos = s > 0
    slns = s * np.log(s, out=np.zeros_like(s), where=pos)
    slnq = np.multiply(s, np.log(Q)[st], out=np.zeros_like(s), where=pos)
    out = [np.bincount(g, weights=w, minlength=m) for w in (np.abs(d), q, q * q, d * d, s * s, slns, slns - slnq, pos)]
    return lq, out


def floor_gini(g: np.ndarray, s: np.ndarray, q: np.ndarray, m: int):
    """One float-key argsort (the primitive ours uses), a cumulative sum and a bincount."""
    x = s / q
    pos = x > 0
    frac = np.zeros_like(x)
    lx = np.log(x[pos])
    frac[pos] = 0.25 + 0.5 * (lx - lx.min()) / (lx.max() - lx.min())
    order = np.argsort(2.0 * g + frac)
    c = np.cumsum(q[order])
    return np.bincount(g[order], weights=s[order] * c, minlength=m)


def _vm(field: str) -> float:
    """A ``/proc/self/status`` memory field in MiB (Linux), NaN elsewhere."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def memory_child(a: argparse.Namespace) -> None:
    """Build the table, reset the RSS high-water mark, run specialization_tables(gini=True).

    Prints: tracemalloc peak of the call, RSS high-water mark during the call, RSS before it,
    input table size (MiB).
    """
    df = synthetic(a.regions, a.sectors, a.years)
    gc.collect()
    try:  # Linux: "5" resets VmHWM (peak RSS) to the current RSS
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
    before = _vm("VmRSS")
    tracemalloc.start()
    specialization_tables(df, gini=True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{peak / 2**20:.0f} {_vm('VmHWM'):.0f} {before:.0f} {df.memory_usage().sum() / 2**20:.0f}")


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", type=int, default=7900)
    ap.add_argument("--sectors", type=int, default=90)
    ap.add_argument("--years", type=int, default=15)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test; targets do not apply)")
    ap.add_argument("--json", default=None, help="write the result records here (used by run.py)")
    a = ap.parse_args()
    if a.quick:
        for k, v in QUICK.items():
            setattr(a, k, v)
    if a.memory_child:
        memory_child(a)
        return
    df = synthetic(a.regions, a.sectors, a.years)
    n = len(df)
    print(f"rows: {n:,} ({a.regions} regions x {a.sectors} sectors x {a.years} years)")

    # integer codes for the floor, computed outside the timed region
    r = df["region"].cat.codes.to_numpy().astype(np.intp)
    s = df["sector"].cat.codes.to_numpy().astype(np.intp)
    t = (df["year"].to_numpy() - df["year"].min()).astype(np.intp)
    v = df["value"].to_numpy()
    nt = a.years
    g, st = r * nt + t, s * nt + t
    m, mst = a.regions * nt, a.sectors * nt

    t_floor = best(lambda: floor_lq_spec(g, st, t, v, m, mst, nt), a.repeat)
    t_ours = best(lambda: specialization_tables(df, gini=False), a.repeat)
    t_lq = best(lambda: location_quotients(df), a.repeat)
    t_spec = best(lambda: specialization_indices(df, gini=False), a.repeat)
    print(f"floor (numpy bincount, LQ + indices): {t_floor:7.3f} s")
    print(f"ours, one pass (specialization_tables): {t_ours:7.3f} s   ratio {t_ours / t_floor:5.2f}")
    print(f"ours, two calls (LQ + indices)      : {t_lq + t_spec:7.3f} s   ratio {(t_lq + t_spec) / t_floor:5.2f}")
    print(f"  location_quotients                : {t_lq:7.3f} s")
    print(f"  specialization_indices (no Gini)  : {t_spec:7.3f} s")

    E_g = np.bincount(g, weights=v, minlength=m)
    sh = v / E_g[g]
    E_st = np.bincount(st, weights=v, minlength=mst)
    E_t = np.bincount(t, weights=v, minlength=nt)
    qq = E_st[st] / E_t[t]
    t_gfloor = best(lambda: floor_gini(g, sh, qq, m), a.repeat)
    t_full = best(lambda: specialization_indices(df, gini=True), a.repeat)
    t_gini = t_full - t_spec
    print(f"Gini floor (argsort+cumsum+bincount): {t_gfloor:7.3f} s")
    print(f"Gini of specialization (ours, extra): {t_gini:7.3f} s   ratio {t_gini / t_gfloor:5.2f}")
    t_all = best(lambda: specialization_tables(df, gini=True), a.repeat)
    print(
        f"all, one pass with Gini             : {t_all:7.3f} s   "
        f"ratio {t_all / (t_floor + t_gfloor):5.2f} vs floor + Gini floor"
    )

    # memory in a fresh child process (so the floor's arrays do not count)
    res = subprocess.run(
        [
            sys.executable,
            __file__,
            "--memory-child",
            "--regions",
            str(a.regions),
            "--sectors",
            str(a.sectors),
            "--years",
            str(a.years),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    traced, hwm, before, input_mb = (float(x) for x in res.stdout.split())
    print(
        f"memory (child process): input table {input_mb:,.0f} MiB; specialization_tables(gini=True) "
        f"allocated at most {traced:,.0f} MiB (tracemalloc); peak RSS during the call {hwm:,.0f} MiB "
        f"(RSS before the call {before:,.0f} MiB)"
    )
    size = f"{n / 1e6:.1f} M rows" if n >= 1e6 else f"{n:,} rows"
    floor = "numpy bincount floor (integer codes, no validation)"
    applies = not a.quick
    emit([
        record("indicators.one_pass", f"LQs + specialization indices, one pass (`specialization_tables`), {size}",
               ours_s=t_ours, baseline=floor, baseline_s=t_floor, ratio_def="ours / baseline",
               target=("<=", 1.5), applies=applies),
        record("indicators.two_calls", f"`location_quotients` + `specialization_indices`, {size}",
               ours_s=t_lq + t_spec, baseline=floor, baseline_s=t_floor, ratio_def="ours / baseline"),
        record("indicators.gini", f"Gini of specialization (the sorted index), {size}", ours_s=t_gini,
               baseline="argsort + cumsum + bincount floor", baseline_s=t_gfloor, ratio_def="ours / baseline"),
        record("indicators.in_process_memory", f"peak RSS during `specialization_tables(gini=True)`, {size}",
               metric="peak_rss_mib", peak_rss_mib=hwm, rss_before_mib=before, tracemalloc_mib=traced,
               input_mib=input_mb),
    ], a.json)


if __name__ == "__main__":
    main()
