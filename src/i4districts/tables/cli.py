"""``i4d tables descriptive|indicators|districts|diagnostics``: publication tables beyond the regression table.

Every command reads ``-i``, writes ``<name>.<fmt>`` for each of ``--formats`` into the ``-o`` directory
(``tex`` also ``<name>.standalone.tex``; ``html`` the page ``<name>.html`` and the report fragment
``<name>.fragment.html``), takes ``--title`` and ``--labels-json`` (config ``tables.labels``), and
puts the data source and vintage of its inputs (their Parquet provenance notes) in the table notes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from i4districts.cliutil import add_input, add_out, json_mapping

from .render import FORMATS

__all__ = ["register"]


def _notes(*paths: Path | None) -> list[str]:
    from i4districts import io

    out: list[str] = []
    for p in paths:
        if p is not None and Path(p).suffix.lower() == ".parquet":
            out += [n for n in io.read_notes(p) if n not in out]
    return out


def _common(p: argparse.ArgumentParser, input_help: str, name: str, *, nargs: str | None = None,
            digits: int = 3) -> None:
    add_input(p, input_help, nargs=nargs)
    add_out(p, "directory for <name>.<fmt> (also <name>.standalone.tex and <name>.fragment.html)")
    p.add_argument("--name", default=name, help=f"base file name of the table (default {name})")
    p.add_argument("--formats", nargs="+", default=list(FORMATS), choices=list(FORMATS),
                   help="formats to write (default: all)")
    p.add_argument("--title", default=None, help="table title (default: one naming the content)")
    p.add_argument("--labels-json", default=None, help="labels of variables and codes, JSON (config tables.labels)")
    p.add_argument("--digits", type=int, default=digits, help=f"decimals shown (default {digits})")


def _write(table, args: argparse.Namespace) -> int:
    from .render import write_table

    for path in write_table(table, args.out, args.formats, name=args.name):
        print(path)
    return 0


def main_descriptive(args: argparse.Namespace) -> int:
    from i4districts import io

    from .descriptive import descriptive_table

    frame = io.read_table(args.input)
    kw = {"title": args.title} if args.title else {}
    table = descriptive_table(frame, variables=args.variables or None, long_by=args.long_by, value=args.value,
                              by=args.by, labels=json_mapping(args.labels_json, "--labels-json"),
                              units=json_mapping(args.units_json, "--units-json"), digits=args.digits,
                              name=args.name, provenance=_notes(args.input), table=str(args.input), **kw)
    return _write(table, args)


def main_indicators(args: argparse.Namespace) -> int:
    from i4districts import io

    from .indicator_tables import group_names, top_provinces_table, top_sll_table

    frame = io.read_table(args.input)
    labels = json_mapping(args.labels_json, "--labels-json")
    class_names = group_names(args.groups) if args.groups else {}
    level = args.level
    if level == "auto":
        level = "sll" if {"sll", "lq_manufacturing"} <= set(frame.columns) else "province"
    kw = {"title": args.title} if args.title else {}
    if level == "sll":
        table = top_sll_table(frame, top=args.top, year=args.year, class_names=class_names, labels=labels,
                              digits=args.digits,
                              name=args.name, provenance=_notes(args.input), table=str(args.input), **kw)
    else:
        summary = io.read_parquet(args.summary) if args.summary else None
        shares = io.read_parquet(args.shares) if args.shares else None
        table = top_provinces_table(frame, sector=args.sector, year=args.year, top=args.top,
                                    indicator=args.indicator, summary=summary, shares=shares,
                                    class_names=class_names, labels=labels,
                                    digits=args.digits, name=args.name,
                                    provenance=_notes(args.input, args.summary, args.shares),
                                    table=str(args.input), **kw)
    return _write(table, args)


def main_districts(args: argparse.Namespace) -> int:
    from i4districts import io

    from .district_table import district_list_table

    kw = {"title": args.title} if args.title else {}
    table = district_list_table(io.read_table(args.input), year=args.year, districts_only=args.districts_only,
                                labels=json_mapping(args.labels_json, "--labels-json"), digits=args.digits,
                                name=args.name, provenance=_notes(args.input), table=str(args.input), **kw)
    return _write(table, args)


def main_diagnostics(args: argparse.Namespace) -> int:
    from .diagnostics_table import diagnostics_table

    from i4districts.results import read_record

    records = [read_record(path) for path in args.input]
    kw = {"title": args.title} if args.title else {}
    table = diagnostics_table(records, top=args.top, labels=json_mapping(args.labels_json, "--labels-json"),
                              column_labels=json_mapping(args.columns_json, "--columns-json") or None,
                              digits=args.digits, name=args.name, provenance=_notes(*args.frames), **kw)
    return _write(table, args)


def register(stage: str, subparsers: argparse._SubParsersAction) -> None:
    """Add ``descriptive``, ``indicators``, ``districts`` and ``diagnostics`` to the ``tables`` stage."""
    if stage != "tables":
        return
    p = subparsers.add_parser("descriptive", help="descriptive statistics (N, mean, SD, min, median, max)",
                              description="Descriptive statistics of the numeric columns of a frame (or of the "
                                          "value column of a long table by --long-by), with labels and units.")
    _common(p, "frame (Parquet or CSV), e.g. results/italy/data/long_differences.parquet", "descriptive")
    p.add_argument("--variables", nargs="+", default=None, help="columns (or --long-by levels) to describe")
    p.add_argument("--long-by", default=None, help="long table: one row per level of this column (e.g. sector)")
    p.add_argument("--value", default="value", help="value column of a long table (default value)")
    p.add_argument("--by", default=None, help="one block of rows per level of this column (e.g. period)")
    p.add_argument("--units-json", default=None, help="units of variables, JSON (config tables.units)")
    p.set_defaults(func=main_descriptive)

    p = subparsers.add_parser("indicators", help="top provinces or local labour systems by manufacturing LQ",
                              description="Top provinces by the LQ of a sector (from the specialization table), "
                                          "with their main ISTAT SLL 2021 class and group; or, given an SLL "
                                          "table (sll, lq_manufacturing, ...), the top local labour systems.")
    _common(p, "specialization table (indicators/specialization.parquet) or an SLL table", "indicators", digits=2)
    p.add_argument("--level", choices=["auto", "province", "sll"], default="auto",
                   help="province (specialization table) or sll (SLL table); auto: by the columns")
    p.add_argument("--summary", type=Path, default=None,
                   help="district summary per province (data/district_summary.parquet)")
    p.add_argument("--shares", type=Path, default=None,
                   help="district shares per province (data/district_shares.parquet), if no --summary")
    p.add_argument("--groups", type=Path, default=None,
                   help="ISTAT SLL 2021 specialisation CSV, for class and group names "
                        "(istat_sll/istat_sll2021_specializzazione_prevalente.csv)")
    p.add_argument("--sector", default="C", help="sector of the LQ (default C, manufacturing)")
    p.add_argument("--indicator", default="lq", help="indicator of the specialization table (default lq)")
    p.add_argument("--year", type=int, default=None, help="year (default: the latest)")
    p.add_argument("--top", type=int, default=10, help="rows shown (default 10)")
    p.set_defaults(func=main_indicators)

    p = subparsers.add_parser("districts", help="the district list with the decision of each ISTAT step",
                              description="Every local labour system with the numbers and the decision of each "
                                          "step of the ISTAT district method (from `i4d indicators districts`).")
    _common(p, "district decision table (Parquet or CSV)", "districts", digits=2)
    p.add_argument("--year", type=int, default=None, help="year (default: the latest)")
    p.add_argument("--districts-only", action="store_true", help="list the districts only")
    p.set_defaults(func=main_districts)

    p = subparsers.add_parser("diagnostics", help="shift-share design diagnostics by model",
                              description="Rotemberg weights, effective number of shocks, placebo rejection rates "
                                          "and inference of shift-share results (JSON from `i4d estimate`).")
    _common(p, "shift-share result JSON file(s)", "diagnostics", nargs="+")
    p.add_argument("--top", type=int, default=5, help="Rotemberg weights shown per model (default 5)")
    p.add_argument("--columns-json", default=None, help="column headers by model id, JSON (config tables.columns)")
    p.add_argument("--frames", type=Path, nargs="*", default=[],
                   help="model frames whose provenance notes (data source, vintage) go in the table")
    p.set_defaults(func=main_diagnostics)
