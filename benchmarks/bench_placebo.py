"""Benchmark: vectorised placebo shift-share regressions (AKM 2019, Section II).

Design: the NUTS-3 default shape, 110 provinces x 11 sectors (simulated shares,
outcome, two controls and 20 region clusters). Times :func:`i4districts.shiftshare.placebo.placebo`
(all five methods) for 500 and 1000 draws against the baseline measured in the same run:
refitting every draw with :func:`i4districts.shiftshare.reg_ss` in a Python loop (same
design object, same methods). Checks that both give the same t-statistics, then prints
times and the speed-up ratio (baseline / ours).

Usage: ``python benchmarks/bench_placebo.py [--regions 110] [--sectors 11] [--repeat 3] [--draws 500 1000]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, pin_blas, record  # noqa: E402

pin_blas()

import numpy as np  # noqa: E402

from i4districts.shiftshare import reg_ss, share_design  # noqa: E402
from i4districts.shiftshare.placebo import placebo  # noqa: E402

METHODS = ("homoskedastic", "ehw", "cluster", "akm", "akm0")


def _best(f, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", type=int, default=110)
    ap.add_argument("--sectors", type=int, default=11)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--draws", type=int, nargs="+", default=[500, 1000])
    ap.add_argument("--quick", action="store_true", help="100 draws only (smoke test)")
    ap.add_argument("--json", default=None, help="write the result records here (used by run.py)")
    a = ap.parse_args()
    if a.quick:
        a.draws, a.repeat = [100], 1
    records = []
    rng = np.random.default_rng(0)
    n, k = a.regions, a.sectors
    S = rng.dirichlet(np.full(k, 0.7), n) * rng.uniform(0.5, 0.95, n)[:, None]
    w = rng.uniform(0.5, 2.0, n)
    Z = np.column_stack([np.ones(n), rng.standard_normal(n), rng.standard_normal(n)])
    y = S @ rng.standard_normal(k) + rng.standard_normal(n)
    rc = np.arange(n) % 20
    design = share_design(S, w, sector_cluster=np.arange(k) // 2)
    print(f"design: {n} regions x {k} sectors, methods {', '.join(METHODS)}")
    for R in a.draws:
        t_ours, pr = _best(lambda: placebo(y, design, Z, weights=w, region_cluster=rc, n_draws=R,
                                           seed=1, methods=METHODS), a.repeat)

        def loop():
            return [reg_ss(y, S @ pr.shifts[:, j], design, Z, weights=w, region_cluster=rc,
                           methods=METHODS) for j in range(R)]

        t_loop, fits = _best(loop, 1)
        worst = max(abs(f.method(m).p - pr.p[m][j]) for j, f in enumerate(fits) for m in METHODS)
        print(f"R={R:5d}: vectorised {t_ours * 1e3:8.1f} ms   reg_ss loop {t_loop * 1e3:8.1f} ms   "
              f"ratio {t_loop / t_ours:6.1f} x   max |p diff| {worst:.1e}   "
              f"rejection {', '.join(f'{m} {v:.3f}' for m, v in pr.rejection.items())}")
        records.append(record(f"placebo.draws_{R}", f"{R:,} placebo draws, {n} × {k} NUTS-3 design, 5 methods",
                              ours_s=t_ours, baseline="`reg_ss` refit per draw (loop)", baseline_s=t_loop,
                              ok=worst <= 1e-10, max_abs_p_diff=worst))
    emit(records, a.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
