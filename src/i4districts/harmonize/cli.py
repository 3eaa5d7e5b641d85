"""``i4d`` subcommands of the harmonization layer (thin I/O wrappers).

* ``i4d harmonize-panel``  – tidy table → validated panel + JSON report;
* ``i4d nuts-convert``     – convert a table between NUTS versions + change report;
* ``i4d nuts-detect``      – print the NUTS version of a table's codes (JSON);
* ``i4d sll-aggregate``    – municipalities → local labour systems + report.

Tables are Parquet (read with :func:`i4districts.io.read_parquet`, written
atomically with :func:`i4districts.io.write_parquet`); reports are Parquet or
JSON written atomically.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pandas as pd

from i4districts.io import read_parquet, write_json, write_parquet

__all__ = ["main_harmonize_panel", "main_nuts_convert", "main_nuts_detect", "main_sll_aggregate", "register"]


def _read_table(path: Path) -> pd.DataFrame:
    """Parquet, or CSV; the Data Commons wide CSV of nama_10r_3empers (``Date, GeoId, ...``) is tidied."""
    if path.suffix.lower() == ".csv":
        if not path.is_file():
            raise ValueError(f"{path}: input table not found")
        df = pd.read_csv(path)
        if {"Date", "GeoId"} <= set(df.columns):
            from i4districts.sample import tidy_nama_10r_3empers

            return tidy_nama_10r_3empers(df, source=str(path))
        return df
    return read_parquet(path)


def _load_corr(paths: list[Path]):
    from i4districts.harmonize.correspondence import read_eurostat_changes

    if not paths:
        raise ValueError("at least one --correspondence file is needed to know the NUTS code lists")
    out = []
    for p in paths:
        found = [int(x) for x in re.findall(r"NUTS(\d{4})", p.name)][:2]
        if len(found) != 2:
            raise ValueError(f"{p}: cannot tell the two NUTS versions from the file name (expected NUTSyyyy-NUTSyyyy)")
        out.append(read_eurostat_changes(p, found[0], found[1]))
    return out


def main_harmonize_panel(args: argparse.Namespace) -> int:
    from i4districts.harmonize.panel import build_panel

    df = _read_table(args.input)
    years = (args.first_year, args.last_year) if args.first_year is not None or args.last_year is not None else None
    if years is not None:
        years = (args.first_year if args.first_year is not None else -10**9,
                 args.last_year if args.last_year is not None else 10**9)
    sectors = args.sector_set if not args.sectors else [s.strip() for s in args.sectors.split(",")]
    versions = None
    if args.nuts_version:
        from i4districts.harmonize.nuts import version_code_sets

        versions = version_code_sets(*_load_corr(args.correspondence))
    panel, report = build_panel(
        df, sectors=sectors, vintage=args.vintage, unit=args.unit, region_level=args.region_level, years=years,
        balanced=args.balanced, nuts_version=args.nuts_version, nuts_versions=versions,
        region_col=args.region_col, sector_col=args.sector_col, year_col=args.year_col,
        value_col=args.value_col, flag_col=args.flag_col, table=str(args.input),
    )
    write_parquet(panel, args.output, notes=[f"harmonized panel, sector set {report.sector_set}"])
    write_json(report.to_dict(), args.report)
    return 0


def main_nuts_convert(args: argparse.Namespace) -> int:
    from i4districts.harmonize.correspondence import read_eurostat_changes
    from i4districts.harmonize.nuts import convert_nuts

    corr = read_eurostat_changes(args.correspondence, args.from_version, args.to_version)
    if args.level is not None:
        corr = corr.at_level(args.level)
    df = _read_table(args.input)
    weights = _read_table(args.weights) if args.weights else None
    by = [b for b in (args.by or "").split(",") if b]
    values = [v for v in args.value.split(",") if v]
    out, report = convert_nuts(
        df, corr, code_col=args.code_col, value_cols=values, by=by, weights=weights,
        missing_weights=args.missing_weights, boundary_shift=args.boundary_shift,
        foreign_codes=args.foreign_codes, table=str(args.input),
    )
    write_parquet(out, args.output, notes=[f"converted NUTS {corr.from_version} -> {corr.to_version}"])
    write_parquet(report, args.report)
    return 0


def main_nuts_detect(args: argparse.Namespace) -> int:
    from i4districts.harmonize.nuts import detect_nuts_version, version_code_sets

    df = _read_table(args.input)
    if args.code_col not in df.columns:
        raise ValueError(f"{args.input}: no column '{args.code_col}'")
    versions = version_code_sets(*_load_corr(args.correspondence))
    det = detect_nuts_version(df[args.code_col].dropna().astype(str), versions, on_mixed=args.on_mixed,
                              table=str(args.input))
    print(json.dumps({"version": det.version, "candidates": list(det.candidates),
                      "foreign": {k: list(v) for k, v in det.foreign.items()}, "unknown": list(det.unknown)},
                     indent=2, sort_keys=True))
    return 0


def main_sll_aggregate(args: argparse.Namespace) -> int:
    from i4districts.harmonize.sll import aggregate_to_sll, read_sll_correspondence

    corr = read_sll_correspondence(args.correspondence, municipality_col=args.corr_municipality_col,
                                   sll_col=args.corr_sll_col)
    df = _read_table(args.input)
    by = [b for b in (args.by or "").split(",") if b]
    values = [v for v in args.value.split(",") if v]
    out, report = aggregate_to_sll(df, corr, municipality_col=args.municipality_col, value_cols=values, by=by,
                                   table=str(args.input))
    write_parquet(out, args.output, notes=["aggregated municipalities to local labour systems"])
    report = report.assign(missing=report["missing"].map(lambda xs: ",".join(map(str, xs))))
    write_parquet(report, args.report)
    return 0


def register(subparsers) -> None:
    """Add ``harmonize-panel``, ``nuts-convert``, ``nuts-detect`` and ``sll-aggregate``."""
    corr_help = ("Eurostat NUTS correspondence sheet as CSV, e.g. ../shared/data/nuts/"
                 "NUTS2016-NUTS2021__Changes_detailed_NUTS_2016-2021.csv (versions read from the file name)")

    p = subparsers.add_parser(
        "harmonize-panel", help="build a validated region x sector x year panel from a tidy table",
        description="Select one NUTS level, a year range and a non-overlapping NACE sector set from a tidy table "
                    "(default columns: geo, nace, year, employment, unit, obs_flag), check that published "
                    "aggregates add up, flag codes foreign to a NUTS version, and write the panel (Parquet) "
                    "and a JSON report (sector set used, exclusions, gaps).")
    p.add_argument("--input", type=Path, required=True, help="tidy input table (Parquet or CSV)")
    p.add_argument("--output", type=Path, required=True, help="panel Parquet (written atomically)")
    p.add_argument("--report", type=Path, required=True, help="JSON report (written atomically)")
    p.add_argument("--vintage", required=True, help="vintage id recorded in every row (e.g. the fetch date)")
    p.add_argument("--sector-set", default="A10", help="named non-overlapping set: A10, A21, A6, total, manufacturing")
    p.add_argument("--sectors", default=None, help="explicit comma-separated sector list (overrides --sector-set)")
    p.add_argument("--region-level", type=int, default=None, help="keep only NUTS codes of this level (0-3)")
    p.add_argument("--first-year", type=int, default=None, help="first year kept")
    p.add_argument("--last-year", type=int, default=None, help="last year kept")
    p.add_argument("--balanced", action="store_true", help="keep only regions observed in every cell (listed)")
    p.add_argument("--unit", default=None, help="declared unit (default: the single value of the unit column)")
    p.add_argument("--nuts-version", default=None, help="flag region codes not in this NUTS version (e.g. 2016)")
    p.add_argument("--correspondence", type=Path, action="append", default=[], help=corr_help + "; repeatable")
    p.add_argument("--region-col", default="geo", help="region column (default geo)")
    p.add_argument("--sector-col", default="nace", help="sector column (default nace)")
    p.add_argument("--year-col", default="year", help="year column (default year)")
    p.add_argument("--value-col", default="employment", help="value column (default employment)")
    p.add_argument("--flag-col", default="obs_flag", help="observation flag column (default obs_flag)")
    p.set_defaults(func=main_harmonize_panel)

    p = subparsers.add_parser(
        "nuts-convert", help="convert a table between NUTS versions with a change report",
        description="value_t = sum_s w(s->t) value_s over Eurostat's correspondence: recodes and merges exact, "
                    "boundary shifts approximate (flagged), splits need --weights (code_from, code_to, weight) "
                    "or are refused. Writes the converted table and a tidy change report (Parquet).")
    p.add_argument("--input", type=Path, required=True, help="long table (Parquet or CSV): code, by..., value(s)")
    p.add_argument("--correspondence", type=Path, required=True, help=corr_help)
    p.add_argument("--from", dest="from_version", required=True, help="NUTS version of the input, e.g. 2016")
    p.add_argument("--to", dest="to_version", required=True, help="target NUTS version, e.g. 2021")
    p.add_argument("--level", type=int, default=None, help="restrict the correspondence to one NUTS level")
    p.add_argument("--code-col", default="geo", help="region code column (default geo)")
    p.add_argument("--by", default="", help="comma-separated grouping columns (e.g. nace,year)")
    p.add_argument("--value", default="value", help="comma-separated count columns to convert (default value)")
    p.add_argument("--weights", type=Path, default=None, help="split weights table: code_from, code_to, weight")
    p.add_argument("--missing-weights", choices=["raise", "flag"], default="raise",
                   help="refuse splits without weights (default) or leave their targets NaN and flagged")
    p.add_argument("--boundary-shift", choices=["approximate", "require_weights"], default="approximate",
                   help="carry boundary shifts with weight 1, flagged (default), or require weights")
    p.add_argument("--foreign-codes", choices=["raise", "keep"], default="raise",
                   help="codes not in the source version: refuse (default) or keep unchanged and flagged")
    p.add_argument("--output", type=Path, required=True, help="converted table (Parquet)")
    p.add_argument("--report", type=Path, required=True, help="change report (Parquet)")
    p.set_defaults(func=main_nuts_convert)

    p = subparsers.add_parser(
        "nuts-detect", help="detect the NUTS version of a table's region codes",
        description="Print JSON with the NUTS version whose code list contains every code of the table; a table "
                    "mixing versions is refused unless --on-mixed majority (then the misfits are listed).")
    p.add_argument("--input", type=Path, required=True, help="table (Parquet or CSV)")
    p.add_argument("--code-col", default="geo", help="region code column (default geo)")
    p.add_argument("--correspondence", type=Path, action="append", required=True, help=corr_help + "; repeatable")
    p.add_argument("--on-mixed", choices=["raise", "majority"], default="raise", help="what to do with mixed tables")
    p.set_defaults(func=main_nuts_detect)

    p = subparsers.add_parser(
        "sll-aggregate", help="aggregate municipal counts to local labour systems (SLL)",
        description="Sum municipal counts to ISTAT local labour systems (SLL 2011 or 2021) with a municipality -> "
                    "SLL correspondence CSV. Unknown municipalities are refused; incomplete SLL are flagged.")
    p.add_argument("--input", type=Path, required=True, help="municipal table (Parquet or CSV)")
    p.add_argument("--correspondence", type=Path, required=True, help="ISTAT municipality -> SLL table (CSV)")
    p.add_argument("--corr-municipality-col", default="PRO_COM_T", help="municipality code column of the table")
    p.add_argument("--corr-sll-col", default="SLL_2011", help="SLL code column of the table (SLL_2011, SLL_2021 ...)")
    p.add_argument("--municipality-col", default="municipality", help="municipality column of the input")
    p.add_argument("--by", default="", help="comma-separated grouping columns")
    p.add_argument("--value", default="value", help="comma-separated count columns (default value)")
    p.add_argument("--output", type=Path, required=True, help="SLL table (Parquet)")
    p.add_argument("--report", type=Path, required=True, help="completeness report (Parquet)")
    p.set_defaults(func=main_sll_aggregate)
