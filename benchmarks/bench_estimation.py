"""Benchmark: two-way fixed effects (region × sector, year), clustered by region.

Compares ``i4districts.estimation.fit`` with pyfixest ``feols`` (matching correction:
ours ``cr1_nested`` = pyfixest's default ``ssc``) and linearmodels ``PanelOLS``
(matching correction: ours ``linearmodels``) on the same simulated data, checks that
the numbers agree, and prints the speed ratios measured in this run.

    /work/venv/bin/python benchmarks/bench_estimation.py [--n-regions 500 --n-sectors 100 --n-years 22]

pyfixest is a benchmark-only dependency (``pip install pyfixest``); it is skipped with a
message if missing. Each engine gets one untimed warm-up fit (pyfixest JIT-compiles its
demeaning); the reported time is the minimum of ``--repeat`` timed fits (the least
disturbed by other load on the machine, as ``timeit`` recommends). The correction
changes no cost, so one timing of ours (``cr1_nested``) is the reference for both ratios;
the ``linearmodels``-corrected fit is run once to compare the numbers.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, pin_blas, record  # noqa: E402

pin_blas()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from i4districts.estimation import ModelSpec, fit  # noqa: E402

#: --quick sizes (smoke test): about 6,000 observations
QUICK = {"n_regions": 40, "n_sectors": 15, "n_years": 10}
#: agreement required with the baselines (relative, coefficients and standard errors)
AGREE = 1e-8


def make_data(n_regions: int, n_sectors: int, n_years: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_regions * n_sectors * n_years
    region = np.repeat(np.arange(n_regions), n_sectors * n_years)
    sector = np.tile(np.repeat(np.arange(n_sectors), n_years), n_regions)
    year = np.tile(np.arange(n_years), n_regions * n_sectors)
    rs = region * n_sectors + sector
    a = rng.normal(size=n_regions * n_sectors)[rs]
    g = rng.normal(size=n_years)[year]
    shock = rng.normal(size=(n_regions, n_years))[region, year]
    x1 = 0.5 * a + rng.normal(size=n)
    x2 = rng.normal(size=n) + 0.3 * shock
    y = 1.0 * x1 - 0.5 * x2 + a + g + shock + rng.normal(size=n)
    df = pd.DataFrame({"region": region, "sector": sector, "year": 2000 + year, "x1": x1, "x2": x2, "y": y})
    df["rs"] = rs
    # a mildly unbalanced panel: drop 5% of rows
    keep = rng.random(n) >= 0.05
    return df.loc[keep].reset_index(drop=True)


def timed(fn, repeat: int) -> tuple[float, object]:
    out = fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-regions", type=int, default=500)
    ap.add_argument("--n-sectors", type=int, default=100)
    ap.add_argument("--n-years", type=int, default=23)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test; targets do not apply)")
    ap.add_argument("--json", default=None, help="write the result records here (used by run.py)")
    args = ap.parse_args()
    if args.quick:
        for k, v in QUICK.items():
            setattr(args, k, v)
    warnings.filterwarnings("ignore", category=UserWarning)  # few-cluster warnings at --quick sizes

    df = make_data(args.n_regions, args.n_sectors, args.n_years)
    print(f"data: {len(df):,} observations, {df.rs.nunique():,} region×sector effects, "
          f"{df.year.nunique()} years, {df.region.nunique()} region clusters")
    base = {"outcome": "y", "regressors": ["x1", "x2"], "entity": "rs", "time": "year",
            "effects": [["region", "sector"], "time"], "drop_singletons": False}
    spec_fx = ModelSpec.from_dict({**base, "cov": {"type": "clustered", "cluster": "region", "correction": "cr1_nested"}})
    spec_lm = ModelSpec.from_dict({**base, "cov": {"type": "clustered", "cluster": "region", "correction": "linearmodels"}})

    t_ours, ours = timed(lambda: fit(df, spec_fx), args.repeat)
    print(f"i4districts fit (cr1_nested): {t_ours:.3f} s  [{ours.demean_algorithm}]")
    rows = []

    try:
        import pyfixest as pf
    except ImportError:
        print("pyfixest not installed: skipped (pip install pyfixest)")
    else:
        t_pf, pfr = timed(lambda: pf.feols("y ~ x1 + x2 | rs + year", data=df, vcov={"CRV1": "region"}), args.repeat)
        db = np.max(np.abs(ours.params.values / pfr.coef().values - 1))
        ds = np.max(np.abs(ours.std_errors.values / pfr.se().values - 1))
        rows.append(("pyfixest feols", t_pf, db, ds))

    from linearmodels import PanelOLS

    def run_lm():
        p = df.set_index(["rs", "year"])
        return PanelOLS(p.y, p[["x1", "x2"]], entity_effects=True, time_effects=True).fit(
            cov_type="clustered", clusters=p[["region"]])

    t_lm, lmr = timed(run_lm, max(1, args.repeat - 1))
    ours_lm = fit(df, spec_lm)
    db = np.max(np.abs(ours_lm.params.values / lmr.params.values - 1))
    ds = np.max(np.abs(ours_lm.std_errors.values / lmr.std_errors.values - 1))
    rows.append(("linearmodels PanelOLS", t_lm, db, ds))

    print(f"{'baseline':<24}{'time (s)':>10}{'speed ratio':>14}{'max rel diff b':>16}{'max rel diff se':>17}")
    for name, t, db, ds in rows:
        print(f"{name:<24}{t:>10.3f}{t / t_ours:>13.1f}x{db:>16.2e}{ds:>17.2e}")
    print("speed ratio = baseline time / i4districts time (higher is better for i4districts)")
    what = (f"two-way FE (region×sector, year), clustered by region, {len(df) / 1e6:.2f} M obs"
            if len(df) >= 1e6 else f"two-way FE (region×sector, year), clustered by region, {len(df):,} obs")
    targets = {"pyfixest feols": 3.0, "linearmodels PanelOLS": 10.0}
    emit([record(f"estimation.{name.split()[0]}", what, ours_s=t_ours, baseline=name, baseline_s=t,
                 target=(">=", targets[name]), applies=not args.quick, ok=max(db, ds) <= AGREE,
                 max_rel_diff_params=db, max_rel_diff_se=ds, demean_algorithm=ours.demean_algorithm)
          for name, t, db, ds in rows], args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
