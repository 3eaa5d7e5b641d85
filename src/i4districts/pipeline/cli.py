"""``i4d`` subcommands of the default pipeline, one per step (thin wrappers of :mod:`.steps`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from i4districts.config import load_config
from i4districts.panel import SECTOR_SETS, PanelSelection
from i4districts.pipeline import steps


def _path(parser: argparse.ArgumentParser, *names: str, help: str) -> None:
    parser.add_argument(*names, type=Path, required=True, help=help)


def main_validate_config(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    print(json.dumps(cfg, indent=2, sort_keys=True) if args.show else f"{args.config}: valid")
    return 0


def main_make_sample(args: argparse.Namespace) -> int:
    steps.make_sample(args.csv, args.out)
    return 0


def main_sample(args: argparse.Namespace) -> int:
    steps.sample(args.out, source=args.source)
    return 0


def main_panel(args: argparse.Namespace) -> int:
    selection = PanelSelection(country=args.country, nuts_level=args.nuts_level, start=args.start, end=args.end,
                               sectors=args.sectors, drop_extra_regio=not args.keep_extra_regio)
    steps.panel(args.sample, args.out, selection)
    return 0


def main_specialization(args: argparse.Namespace) -> int:
    steps.specialization(args.panel, args.out)
    return 0


def main_adoption(args: argparse.Namespace) -> int:
    steps.adoption(args.panel, args.out, source=args.source, seed=args.seed, table_path=args.table,
                   column=args.column, unit=args.unit)
    return 0


def main_exposure(args: argparse.Namespace) -> int:
    steps.exposure(args.panel, args.adoption, args.out, base_year=args.base_year, normalisation=args.normalisation)
    return 0


def main_frame(args: argparse.Namespace) -> int:
    steps.frame(args.panel, args.exposure, args.out, base_year=args.base_year)
    return 0


def main_table(args: argparse.Namespace) -> int:
    steps.table(args.results, args.frames, args.out_dir, name=args.name, formats=args.formats, digits=args.digits)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the pipeline's subcommands to the ``i4d`` parser."""
    p = subparsers.add_parser("validate-config", help="validate a workflow config against its JSON Schema",
                              description="Fill schema defaults into a YAML config and validate it; errors name the key.")
    p.add_argument("config", type=Path, help="YAML config file, e.g. config/config.yaml")
    p.add_argument("--show", action="store_true", help="print the validated config with defaults filled in")
    p.set_defaults(func=main_validate_config)

    p = subparsers.add_parser("make-sample", help="derive the embedded Parquet sample from the nama_10r_3empers CSV",
                              description="Maintainers only: rebuild src/i4districts/data/it_nama_10r_3empers.parquet "
                                          "from ../shared/data/eurostat/IT_nama_10r_3empers.csv.")
    _path(p, "--csv", help="Data Commons CSV of Eurostat nama_10r_3empers")
    _path(p, "--out", help="output Parquet path")
    p.set_defaults(func=main_make_sample)

    p = subparsers.add_parser("sample", help="write the employment sample (embedded Eurostat data) to Parquet",
                              description="Write the tidy (geo, nace, year) employment sample. Source: Eurostat, nama_10r_3empers.")
    p.add_argument("--source", default="embedded", choices=["embedded"], help="data source (default: embedded)")
    _path(p, "--out", help="output Parquet path")
    p.set_defaults(func=main_sample)

    p = subparsers.add_parser("panel", help="build the validated employment panel",
                              description="Select a country's regions at one NUTS level, a year range and a "
                                          "non-overlapping NACE set; check that sectors add up to the total.")
    _path(p, "--sample", help="sample Parquet (from `i4d sample`)")
    _path(p, "--out", help="output panel Parquet")
    p.add_argument("--country", default="IT", help="NUTS-0 code (default IT)")
    p.add_argument("--nuts-level", type=int, default=3, choices=[0, 1, 2, 3], help="NUTS level (default 3)")
    p.add_argument("--start", type=int, default=2000, help="first year (default 2000)")
    p.add_argument("--end", type=int, default=2017, help="last year (default 2017)")
    p.add_argument("--sectors", default="a10_split_c", choices=sorted(SECTOR_SETS), help="non-overlapping sector set")
    p.add_argument("--keep-extra-regio", action="store_true", help="keep extra-regio codes such as ITZZZ")
    p.set_defaults(func=main_panel)

    p = subparsers.add_parser("specialization", help="location quotients and specialization indices",
                              description="LQ per region x sector x year; Krugman, Hoover, Herfindahl, entropy, "
                                          "Gini per region x year; tidy long Parquet.")
    _path(p, "--panel", help="employment panel Parquet")
    _path(p, "--out", help="output Parquet")
    p.set_defaults(func=main_specialization)

    p = subparsers.add_parser("adoption", help="sector adoption table: a user table, or illustrative synthetic paths",
                              description="--source table: validate a user table (nace, year, value column; CSV or "
                                          "Parquet) against the panel's sectors and years. --source illustrative: "
                                          "NOT REAL DATA, seeded logistic diffusion per sector (percent of enterprises).")
    _path(p, "--panel", help="employment panel Parquet (gives sectors and years)")
    _path(p, "--out", help="output Parquet")
    p.add_argument("--source", choices=["illustrative", "table"], default="illustrative", help="default: illustrative")
    p.add_argument("--seed", type=int, default=0, help="generator seed (illustrative)")
    p.add_argument("--table", type=Path, default=None, help="user table (source table)")
    p.add_argument("--column", default="adoption", help="value column of the user table (default: adoption)")
    p.add_argument("--unit", default="", help="unit of the user table's values, e.g. 'robots per 1000 workers'")
    p.set_defaults(func=main_adoption)

    p = subparsers.add_parser("adoption-exposure", help="shift-share exposure to a sector adoption table: level and annual change",
                              description="exposure = sum_s share_rs(base) * adoption_st and exposure_change = "
                                          "sum_s share_rs(base) * (adoption_st - adoption_s,t-1), per region x year. "
                                          "For general shifts and leave-one-out instruments use `i4d exposure`.")
    _path(p, "--panel", help="employment panel Parquet")
    _path(p, "--adoption", help="sector adoption Parquet (nace, year, adoption)")
    _path(p, "--out", help="output Parquet")
    p.add_argument("--base-year", type=int, required=True, help="year of the baseline sector shares")
    p.add_argument("--normalisation", choices=["none", "sd"], default="none",
                   help="none: units of the adoption indicator; sd: divide by the standard deviation after the base year")
    p.set_defaults(func=main_exposure)

    p = subparsers.add_parser("frame", help="model frame: employment growth joined with exposure",
                              description="Regional employment growth (100 x log difference) with exposure, years after the base year.")
    _path(p, "--panel", help="employment panel Parquet")
    _path(p, "--exposure", help="exposure Parquet")
    _path(p, "--out", help="output Parquet")
    p.add_argument("--base-year", type=int, required=True, help="year of the baseline shares (excluded)")
    p.set_defaults(func=main_frame)

    p = subparsers.add_parser("table", help="regression table (LaTeX booktabs, Markdown, CSV, HTML)",
                              description="Render estimation results (JSON from `i4d estimate`) as publication tables.")
    p.add_argument("--results", type=Path, nargs="+", required=True, help="estimation result JSON file(s)")
    p.add_argument("--frames", type=Path, nargs="*", default=[], help="model frames whose provenance notes go in the table")
    _path(p, "--out-dir", help="directory for <name>.<fmt>")
    p.add_argument("--name", required=True, help="base file name of the table")
    p.add_argument("--formats", nargs="+", default=["tex", "md", "csv", "html"], choices=["tex", "md", "csv", "html"])
    p.add_argument("--digits", type=int, default=4, help="decimals shown (default 4)")
    p.set_defaults(func=main_table)
