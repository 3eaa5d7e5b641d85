"""Peak memory of the whole ``i4d indicators specialization`` process on a national-scale panel.

Writes a deterministic synthetic panel Parquet shaped like the pipeline's validated panel
(``region, sector, year, value, unit, flag, vintage``; strings as the pipeline writes them,
sorted by region, sector, year): 7,900 municipalities × 90 sectors × 15 years = 10.7 M rows,
~20 % zero counts. Then runs the real command as a subprocess::

    i4d indicators specialization -i panel.parquet -o out.parquet

and reports its wall time (reading, indicators, writing and interpreter start-up included)
and its peak RSS (``ru_maxrss`` of the child, from ``wait4``). Target (issue 15): < 2 GB.
Synthetic data: a benchmark input only.

Run: ``python benchmarks/bench_process_memory.py [--regions 7900 --sectors 90 --years 15] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, pin_blas, record, run_measured, venv_bin  # noqa: E402

pin_blas()

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

VINTAGE = "synthetic:benchmark_national_panel@sha256:000000000000"


def write_panel(path: Path, n_regions: int, n_sectors: int, n_years: int, seed: int = 0,
                regions_per_group: int = 500) -> int:
    """Write the synthetic panel in row groups of ``regions_per_group`` regions; returns the row count."""
    rng = np.random.default_rng(seed)
    region_labels = pa.array([f"{i:06d}" for i in range(1001, 1001 + n_regions)], pa.large_string())
    sector_labels = pa.array([f"{i:02d}" for i in range(10, 10 + n_sectors)], pa.large_string())
    schema = pa.schema([("region", pa.large_string()), ("sector", pa.large_string()), ("year", pa.int64()),
                        ("value", pa.float64()), ("unit", pa.large_string()), ("flag", pa.large_string()),
                        ("vintage", pa.large_string())])
    n = 0
    with pq.ParquetWriter(path, schema) as writer:
        for lo in range(0, n_regions, regions_per_group):
            hi = min(n_regions, lo + regions_per_group)
            k = (hi - lo) * n_sectors * n_years
            r = np.repeat(np.arange(lo, hi, dtype=np.int32), n_sectors * n_years)
            s = np.tile(np.repeat(np.arange(n_sectors, dtype=np.int32), n_years), hi - lo)
            y = np.tile(np.arange(2005, 2005 + n_years, dtype=np.int64), (hi - lo) * n_sectors)
            v = np.floor(rng.lognormal(3.0, 1.5, k))
            v[rng.random(k) < 0.2] = 0.0
            zeros = np.zeros(k, dtype=np.int32)
            cols = [
                region_labels.take(pa.array(r)),
                sector_labels.take(pa.array(s)),
                pa.array(y),
                pa.array(v),
                pa.DictionaryArray.from_arrays(pa.array(zeros), pa.array(["persons"])).cast(pa.large_string()),
                pa.DictionaryArray.from_arrays(pa.array(zeros), pa.array([""])).cast(pa.large_string()),
                pa.DictionaryArray.from_arrays(pa.array(zeros), pa.array([VINTAGE])).cast(pa.large_string()),
            ]
            writer.write_table(pa.Table.from_arrays(cols, schema=schema))
            n += k
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", type=int, default=7900)
    ap.add_argument("--sectors", type=int, default=90)
    ap.add_argument("--years", type=int, default=15)
    ap.add_argument("--limit-mib", type=float, default=2048, help="target peak RSS (MiB)")
    ap.add_argument("--keep", type=Path, default=None, help="write the panel and output here (kept)")
    ap.add_argument("--json", default=None, help="write the result records here (used by run.py)")
    ap.add_argument("--quick", action="store_true", help="targets do not apply (smaller sizes)")
    a = ap.parse_args()
    if a.quick:
        a.regions, a.sectors, a.years = 400, 30, 5

    with tempfile.TemporaryDirectory(prefix="i4d-bench-mem-") as tmp:
        d = a.keep or Path(tmp)
        d.mkdir(parents=True, exist_ok=True)
        panel, out = d / "panel.parquet", d / "specialization.parquet"
        n = write_panel(panel, a.regions, a.sectors, a.years)
        size = panel.stat().st_size / 2**20
        print(f"panel: {n:,} rows ({a.regions} regions x {a.sectors} sectors x {a.years} years), "
              f"{size:,.0f} MiB on disk")
        env = {**os.environ, "I4D_SHARED_DATA": os.environ.get("I4D_SHARED_DATA", "")}
        m = run_measured([venv_bin("i4d"), "indicators", "specialization", "-i", str(panel), "-o", str(out)],
                         env=env)
        proc, wall, peak = m.proc, m.wall_s, m.peak_rss_mib
        if proc.returncode != 0:
            print(proc.stdout, proc.stderr, file=sys.stderr)
            raise SystemExit(f"i4d indicators specialization failed (exit {proc.returncode})")
        rows = pq.ParquetFile(out).metadata.num_rows
        print(f"i4d indicators specialization: {wall:.1f} s wall, peak RSS {peak:,.0f} MiB "
              f"(target < {a.limit_mib:,.0f} MiB: {'met' if peak < a.limit_mib else 'NOT met'}); "
              f"output {rows:,} rows")
    emit([record("indicators.process_memory",
                 f"`i4d indicators specialization` process on {n / 1e6:.1f} M rows (read + compute + write)",
                 ours_s=wall, metric="peak_rss_mib", peak_rss_mib=peak, target=("<", a.limit_mib),
                 applies=not a.quick, rows=n, output_rows=rows)], a.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
