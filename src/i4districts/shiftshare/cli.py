"""Command line: ``i4d shiftshare`` (AKM/AKM0 shift-share inference)."""

from __future__ import annotations

import argparse
import sys


from i4districts.io import InputFileError, read_table

from i4districts.shiftshare.design import fit_shiftshare
from i4districts.shiftshare.errors import ShiftShareInputError
from i4districts.shiftshare.results import write_result_json, write_result_parquet
from i4districts.shiftshare.spec import load_spec

_DESCRIPTION = """\
Shift-share OLS or IV with homoskedastic, EHW, region-cluster, AKM and AKM0
inference (Adao, Kolesar and Morales 2019; reproduces R's ShiftShareSE).

REGIONS: one row per region-period with a 'row' key and the spec's columns.
SHARES: long table (row, sector, share), non-zero cells only.
SPEC (YAML): outcome; regressor (OLS) or endogenous + instrument (IV);
controls (string columns and those in 'categorical' become dummies);
optional intercept (default true), weights, region_cluster, sector_cluster
(a column of --sectors or an expression such as 'floor(sector/10)'), period
(sectors distinct per period), methods (homoskedastic, ehw, cluster, akm,
akm0 or all), alpha, beta0, model_id.
The JSON lists, per method, estimate, std_error, p, ci_low, ci_high, ci_type.
"""


def register(subparsers) -> None:
    """Add the ``shiftshare`` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser(
        "shiftshare",
        help="shift-share regression with AKM/AKM0 standard errors",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--regions", required=True, help="REGIONS.parquet (one row per region-period, key 'row')")
    p.add_argument("--shares", required=True, help="SHARES.parquet (long: row, sector, share)")
    p.add_argument("--spec", required=True, help="SPEC.yaml with one model")
    p.add_argument("--out", required=True, help="RESULT.json to write (atomically)")
    p.add_argument("--sectors", default=None,
                   help="optional sector table (parquet or csv) with a 'sector' column, "
                        "for sector_cluster given as a column")
    p.add_argument("--table", default=None,
                   help="optional RESULT.parquet with one row per method")
    p.set_defaults(func=main_shiftshare)


def main_shiftshare(args: argparse.Namespace) -> int:
    """Run ``i4d shiftshare``; returns 0 on success, 2 on bad input."""
    try:
        spec = load_spec(args.spec)
        regions = read_table(args.regions)
        shares = read_table(args.shares)
        sectors = read_table(args.sectors) if args.sectors else None
        result = fit_shiftshare(regions, shares, spec, sectors)
    except (ShiftShareInputError, InputFileError, FileNotFoundError) as exc:
        print(f"i4d shiftshare: error: {exc}", file=sys.stderr)
        return 2
    write_result_json(result, args.out)
    if getattr(args, "table", None):
        write_result_parquet(result, args.table)
    return 0
