"""Command line: ``i4d exposure`` (shift-share exposure to I4.0 adoption)."""

from __future__ import annotations

import argparse
import sys


from i4districts.exposure.errors import ExposureInputError
from i4districts.io import InputFileError, read_table, write_parquet
from i4districts.exposure.shiftshare import (
    baseline_shares,
    leave_one_out_shift,
    named_countries_shift,
    shift_share_exposure,
)

_DESCRIPTION = """\
Shift-share exposure per region and period:
  exposure_{r,t} = sum_s share_{r,s,base} * shift_{s,t},
with base-year sector employment shares from --employment (long: region,
sector, time, value) and sector shifts from --shifts (long: sector, time,
shift). For an instrument built from other countries' adoption, give a
--shifts table with a country column and either --leave-out COUNTRY (mean of
all other countries) or --countries A,B,C (mean of a named set).
"""


def register(subparsers) -> None:
    """Add the ``exposure`` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser(
        "exposure",
        help="shift-share exposure (baseline shares x sector adoption shifts)",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--employment", required=True, help="employment table (parquet/csv)")
    p.add_argument("--shifts", required=True, help="sector shift table (parquet/csv)")
    p.add_argument("--base-year", type=int, required=True, help="year of the baseline shares")
    p.add_argument("--out", required=True, help="output parquet: region, time, exposure")
    p.add_argument("--region", default="geo", help="region column (default geo)")
    p.add_argument("--sector", default="nace", help="sector column (default nace)")
    p.add_argument("--time", default="year", help="time column (default year)")
    p.add_argument("--value", default="employment", help="employment column (default employment)")
    p.add_argument("--shift", default="shift", help="shift column (default shift)")
    p.add_argument("--country", default="country", help="country column of --shifts for instruments")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--leave-out", default=None, metavar="COUNTRY",
                   help="instrument: mean shift of all countries except COUNTRY")
    g.add_argument("--countries", default=None, metavar="A,B,C",
                   help="instrument: mean shift over the named countries")
    p.set_defaults(func=main_exposure)


def main_exposure(args: argparse.Namespace) -> int:
    """Run ``i4d exposure``; returns 0 on success, 2 on bad input."""
    try:
        emp = read_table(args.employment)
        shifts = read_table(args.shifts)
        keys = dict(sector=args.sector, time=args.time, shift=args.shift)
        if args.leave_out is not None:
            loo = leave_one_out_shift(shifts, country=args.country, **keys)
            shifts = loo.loc[loo[args.country] == args.leave_out].drop(columns=args.country)
            if shifts.empty:
                raise ExposureInputError("shifts table", args.country,
                                         "does not contain the left-out country", [args.leave_out])
            shifts = shifts.rename(columns={"shift": args.shift})
        elif args.countries is not None:
            names = [c.strip() for c in args.countries.split(",") if c.strip()]
            shifts = named_countries_shift(shifts, names, country=args.country, **keys)
            shifts = shifts.rename(columns={"shift": args.shift})
        shares = baseline_shares(emp, base_year=args.base_year, region=args.region,
                                 sector=args.sector, time=args.time, value=args.value)
        out = shift_share_exposure(shares, shifts, region=args.region, **keys)
    except (ExposureInputError, InputFileError, FileNotFoundError) as exc:
        print(f"i4d exposure: error: {exc}", file=sys.stderr)
        return 2
    write_parquet(out, args.out)
    return 0
