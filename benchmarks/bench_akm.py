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
* ``iv_default_ri_placebo``: the IV with the spec's defaults, which add randomization
  inference (1,999 permutations) and the 500-draw placebo check (reported, no target);

the ``*_full`` fits use the five analytic methods without placebo check (``placebo_draws: 0``);

and, measured in the same run, the baselines

* ``ols_lstsq``: a plain weighted OLS fit (``numpy.linalg.lstsq``) of the same
  regression, no inference;
* ``statsmodels_wls_cluster``: statsmodels WLS with state-clustered SEs.

Ratios are ``time / baseline``. BLAS threads default to 1 (``--threads``):
the machine's cores are shared and multi-threaded OpenBLAS on busy cores
slows small factorisations by 10-100x.

**National scale** (issue 15), on a synthetic design of the Italian municipal shape
(``--national-regions 7900`` region-period rows × ``--national-sectors 600`` sector-periods in
three period blocks, as ADH stacks periods; each row holds Dirichlet shares in 40 sectors of its
period, about 7 % non-zero; 107 province clusters, 60 sector clusters, two controls; synthetic,
benchmark input only):

* ``national_design``: :func:`share_design` (validation and the weighted factorisation of
  ``sqrt(w) W``, done once per design) against ``numpy.linalg.qr`` of the same matrix;
* ``national_reg_ss`` / ``national_ivreg_ss``: all five inference methods on the prebuilt
  design against statsmodels WLS with province-clustered errors (one standard inference).

Usage: ``python benchmarks/bench_akm.py [--shared ../shared/data] [--repeat 7] [--quick] [--json PATH]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, record  # noqa: E402


def _parse() -> argparse.Namespace:
    here = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=os.environ.get("I4D_SHARED_DATA", here.parent / "shared" / "data"))
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--threads", default="1", help="BLAS threads (OPENBLAS/OMP/MKL_NUM_THREADS)")
    ap.add_argument("--national-regions", type=int, default=7900)
    ap.add_argument("--national-sectors", type=int, default=600)
    ap.add_argument("--quick", action="store_true", help="small national design, fewer repeats (smoke test)")
    ap.add_argument("--json", default=None, help="write the result records here (used by run.py)")
    a = ap.parse_args()
    if a.quick:
        a.national_regions, a.national_sectors, a.repeat = 800, 60, 3
    return a


def synthetic_shares(rng, n: int, s: int, *, periods: int, per_row: int):
    """Stacked region-period rows × sector-period columns, as in ADH: row ``i`` belongs to period
    ``i % periods`` and holds Dirichlet shares in ``per_row`` random sectors of that period's block of
    columns (summing to 0.4-0.9: the rest is outside the tradable sectors)."""
    import numpy as np

    W = np.zeros((n, s))
    block = s // periods
    for i in range(n):
        p = i % periods
        cols = p * block + rng.choice(block, size=per_row, replace=False)
        W[i, cols] = rng.dirichlet(np.full(per_row, 0.5)) * rng.uniform(0.4, 0.9)
    return W


def national(args: argparse.Namespace) -> list[dict]:
    """AKM at national scale on a synthetic design; returns the result records."""
    import numpy as np

    from i4districts.shiftshare import ivreg_ss, reg_ss, share_design

    rng = np.random.default_rng(15)
    n, s = args.national_regions, args.national_sectors
    W = synthetic_shares(rng, n, s, periods=3, per_row=min(40, s // 3))
    w = rng.uniform(0.5, 3.0, n)
    Z = np.column_stack([np.ones(n), rng.standard_normal(n), rng.standard_normal(n)])
    shifts = rng.standard_normal(s)
    x = W @ shifts
    y2 = 0.8 * x + Z @ [0.1, 0.2, -0.1] + rng.standard_normal(n)
    y1 = 0.5 * y2 + Z @ [0.0, 0.3, 0.1] + rng.standard_normal(n)
    rc = np.arange(n) % 107
    scl = np.arange(s) // 10
    rep = max(1, args.repeat // 2)
    t_qr = _median_time(lambda: np.linalg.qr(W * np.sqrt(w)[:, None]), rep)
    t_design = _median_time(lambda: share_design(W, w, sector_cluster=scl), rep)
    design = share_design(W, w, sector_cluster=scl)
    kw = dict(weights=w, region_cluster=rc, methods="all")
    t_reg = _median_time(lambda: reg_ss(y1, x, design, Z, **kw), args.repeat)
    t_iv = _median_time(lambda: ivreg_ss(y1, y2, x, design, Z, **kw), args.repeat)
    try:
        import statsmodels.api as sm
    except ImportError:  # pragma: no cover - optional baseline
        t_sm, sm_name = None, None
    else:
        exog = np.column_stack([x, Z])
        t_sm = _median_time(lambda: sm.WLS(y1, exog, weights=w).fit(cov_type="cluster", cov_kwds={"groups": rc}),
                            args.repeat)
        sm_name = "statsmodels WLS, province-clustered SE"
    size = f"{n:,} regions × {s} sector-periods, {np.count_nonzero(W) / W.size:.0%} non-zero"
    print(f"AKM national scale ({size}, synthetic), median of {args.repeat}")
    print(f"  share_design (validate + factorise): {t_design:8.3f} s   numpy QR floor {t_qr:8.3f} s   "
          f"ratio {t_design / t_qr:5.2f}")
    for name, t in (("reg_ss (5 methods)", t_reg), ("ivreg_ss (5 methods)", t_iv)):
        extra = f"   {sm_name} {t_sm:8.4f} s   ratio {t / t_sm:5.2f}" if t_sm else ""
        print(f"  {name:34s}: {t:8.4f} s{extra}")
    return [
        record("akm.national_design", f"`share_design` (factorise √w W), {size}", ours_s=t_design,
               baseline="numpy.linalg.qr of √w W", baseline_s=t_qr, ratio_def="ours / baseline"),
        record("akm.national_reg_ss", f"AKM/AKM0 + 3 other SEs, reduced form, {size}", ours_s=t_reg,
               baseline=sm_name, baseline_s=t_sm, ratio_def="ours / baseline"),
        record("akm.national_ivreg_ss", f"AKM/AKM0 + 3 other SEs, IV, {size}", ours_s=t_iv,
               baseline=sm_name, baseline_s=t_sm, ratio_def="ours / baseline"),
    ]


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
    records = adh(args) if (Path(args.shared) / "adh").is_dir() else []
    if not records:
        print(f"ADH data not found under {args.shared}: the ADH part is skipped")
    records += national(args)
    emit(records, args.json)
    return 0


def adh(args: argparse.Namespace) -> list[dict]:
    """AKM on the ADH data (1,444 regions, 770 sector-periods); returns the result records."""
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
    # the AKM fit itself: the five analytic methods, no randomization inference, no placebo check
    akm_only = dict(methods=("homoskedastic", "ehw", "cluster", "akm", "akm0"), placebo_draws=0)
    spec_rf = ShiftShareSpec(outcome="d_sh_empl", regressor="IV", **common, **akm_only)
    spec_iv = ShiftShareSpec(outcome="d_sh_empl", endogenous="shock", instrument="IV", **common, **akm_only)
    spec_iv_default = ShiftShareSpec(outcome="d_sh_empl", endogenous="shock", instrument="IV", **common)

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
    timings["iv_default_ri_placebo"] = _median_time(lambda: fit_shiftshare(regions, shares, spec_iv_default),
                                                    max(1, args.repeat // 3))
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
    size = f"ADH, {len(regions):,} regions × {W.shape[1]} sector-periods"
    sm_name = "statsmodels WLS, state-clustered SE" if sm_t else None
    return [
        record("akm.adh_iv_full", f"`fit_shiftshare` IV from tables, 5 methods ({size})",
               ours_s=timings["akm_iv_full"], baseline=sm_name, baseline_s=sm_t, ratio_def="ours / baseline",
               metric="ours_s", target=("<", 0.2), applies=not args.quick),
        record("akm.adh_ols_full", f"`fit_shiftshare` reduced form from tables, 5 methods ({size})",
               ours_s=timings["akm_ols_full"], baseline=sm_name, baseline_s=sm_t, ratio_def="ours / baseline",
               metric="ours_s", target=("<", 0.2), applies=not args.quick),
        record("akm.adh_iv_core", f"`ivreg_ss` on a prebuilt design ({size})", ours_s=timings["akm_iv_core"],
               baseline=sm_name, baseline_s=sm_t, ratio_def="ours / baseline"),
        record("akm.adh_iv_default", f"`fit_shiftshare` IV with the spec defaults: + ri (1,999 permutations) "
               f"+ 500-draw placebo check ({size})", ours_s=timings["iv_default_ri_placebo"],
               baseline=sm_name, baseline_s=sm_t, ratio_def="ours / baseline"),
    ]


if __name__ == "__main__":
    sys.exit(main())
