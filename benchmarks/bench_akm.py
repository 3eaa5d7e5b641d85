"""Benchmark: AKM/AKM0 shift-share inference on the ADH (2013) data.

Target (issue 6): AKM on the ADH data in under 0.2 s. Prints the median wall
time of several repeats for

* ``akm_iv_exposure_object``: the same IV through
  :meth:`~i4districts.shiftshare.ShiftShareExposure.fit` (shares kept with the exposure);
* ``akm_ols_full``: the whole ``fit_shiftshare`` call (tables -> W with the
  sector x period split, sector clusters, controls, weighted Gram/Cholesky,
  all five methods) for the reduced form ``d_sh_empl ~ IV``;
* ``akm_iv_full``: the same for the IV ``d_sh_empl ~ shock | IV``;
* ``akm_iv_core``: ``ivreg_ss`` with a prebuilt share design (the AKM
  arithmetic alone);

and, measured in the same run, the baselines

* ``ols_lstsq``: a plain weighted OLS fit (``numpy.linalg.lstsq``) of the same
  regression, no inference;
* ``statsmodels_wls_cluster``: statsmodels WLS with state-clustered SEs.

Ratios are ``time / baseline``. BLAS threads default to 1 (``--threads``):
the machine's cores are shared and multi-threaded OpenBLAS on busy cores
slows small factorisations by 10-100x.

Usage: ``python benchmarks/bench_akm.py [--shared ../shared/data] [--repeat 7]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def _parse() -> argparse.Namespace:
    here = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=os.environ.get("I4D_SHARED_DATA", here.parent / "shared" / "data"))
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--threads", default="1", help="BLAS threads (OPENBLAS/OMP/MKL_NUM_THREADS)")
    return ap.parse_args()


def _median_time(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def main() -> int:
    args = _parse()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import numpy as np
    import pandas as pd

    from i4districts.shiftshare import (
        ShiftShareSpec,
        control_matrix,
        fit_shiftshare,
        ivreg_ss,
        share_design,
        share_matrix,
    )

    adh = Path(args.shared) / "adh"
    regions = pd.read_parquet(adh / "regions.parquet").sort_values("row").reset_index(drop=True)
    shares = pd.read_parquet(adh / "shares.parquet")
    controls = ("t2", "l_shind_manuf_cbp", "l_sh_popedu_c", "l_sh_popfborn", "l_sh_empl_f",
                "l_sh_routine33", "l_task_outsource", "division")
    common = dict(controls=controls, weights="weights", region_cluster="statefip",
                  sector_cluster="floor(sector/10)", period="t2")
    spec_rf = ShiftShareSpec(outcome="d_sh_empl", regressor="IV", **common)
    spec_iv = ShiftShareSpec(outcome="d_sh_empl", endogenous="shock", instrument="IV", **common)

    w = regions["weights"].to_numpy()
    W, labels, col_sector = share_matrix(shares, regions["row"].tolist(), period=regions["t2"].to_numpy())
    design = share_design(W, w, sectors=labels, sector_cluster=np.array([s // 10 for s in col_sector]))
    Z, _ = control_matrix(regions, controls)
    y1 = regions["d_sh_empl"].to_numpy()
    y2 = regions["shock"].to_numpy()
    x = regions["IV"].to_numpy()
    rc = regions["statefip"].to_numpy()
    A = np.column_stack([x, Z]) * np.sqrt(w)[:, None]
    yw = y1 * np.sqrt(w)

    timings: dict[str, float] = {}
    timings["ols_lstsq"] = _median_time(lambda: np.linalg.lstsq(A, yw, rcond=None), args.repeat)
    try:
        import statsmodels.api as sm

        exog = np.column_stack([x, Z])
        timings["statsmodels_wls_cluster"] = _median_time(
            lambda: sm.WLS(y1, exog, weights=w).fit(cov_type="cluster", cov_kwds={"groups": rc}),
            args.repeat)
    except ImportError:  # pragma: no cover - optional baseline
        pass
    timings["akm_ols_full"] = _median_time(lambda: fit_shiftshare(regions, shares, spec_rf), args.repeat)
    timings["akm_iv_full"] = _median_time(lambda: fit_shiftshare(regions, shares, spec_iv), args.repeat)
    from i4districts.shiftshare import ShiftShareExposure

    expo = ShiftShareExposure(shares=shares.rename(columns={"row": "region"}),
                              shifts=pd.DataFrame(columns=["sector", "year", "shift"]),
                              table=pd.DataFrame(columns=["region", "year", "exposure"]))
    framed = regions.assign(region=regions["row"])
    timings["akm_iv_exposure_object"] = _median_time(
        lambda: expo.fit(framed, spec_iv, missing="zero"), args.repeat)
    timings["akm_iv_core"] = _median_time(
        lambda: ivreg_ss(y1, y2, x, design, Z, weights=w, region_cluster=rc, methods="all"),
        args.repeat)

    base = timings["ols_lstsq"]
    print(f"AKM on ADH (N={len(regions)}, S={W.shape[1]}), BLAS threads={args.threads}, "
          f"median of {args.repeat}")
    print(f"{'step':28s} {'seconds':>10s} {'x ols_lstsq':>12s} {'x statsmodels':>14s}")
    sm_t = timings.get("statsmodels_wls_cluster")
    for k, t in timings.items():
        ratio_sm = f"{t / sm_t:14.2f}" if sm_t else f"{'n/a':>14s}"
        print(f"{k:28s} {t:10.4f} {t / base:12.1f} {ratio_sm}")
    ok = timings["akm_iv_full"] < 0.2 and timings["akm_ols_full"] < 0.2
    print(f"target AKM < 0.2 s: {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
