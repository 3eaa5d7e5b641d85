"""``i4d data`` commands of the harmonization layer (thin I/O wrappers).

* ``i4d data nuts-detect``    – the NUTS version of a table's region codes (JSON);
* ``i4d data nuts-convert``   – convert a table between NUTS versions + change report;
* ``i4d data sll-aggregate``  – municipalities → local labour systems + report.

Every command reads its table with ``-i/--input`` (Parquet, or CSV by suffix)
and writes with ``-o/--out`` (atomically, :mod:`i4districts.io`); region codes
are in the vocabulary's ``region`` column unless ``--region`` names another.
Errors are not caught here: :func:`i4districts.cli.main` reports them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from i4districts import io
from i4districts.cliutil import add_input, add_out

__all__ = ["main_nuts_convert", "main_nuts_detect", "main_sll_aggregate", "register"]

CORR_HELP = ("Eurostat NUTS change sheet as CSV, e.g. ../shared/data/nuts/"
             "NUTS2016-NUTS2021__Changes_detailed_NUTS_2016-2021.csv (versions read from the file name)")


def _names(text: str) -> list[str]:
    return [x for x in (text or "").split(",") if x]


def main_nuts_convert(args: argparse.Namespace) -> int:
    """``i4d data nuts-convert``: the converted table (``-o``) and its change report (``--report``)."""
    from i4districts.harmonize.correspondence import read_eurostat_changes
    from i4districts.harmonize.nuts import convert_nuts

    corr = read_eurostat_changes(args.correspondence, args.from_version, args.to_version)
    if args.level is not None:
        corr = corr.at_level(args.level)
    weights = io.read_table(args.weights) if args.weights else None
    out, report = convert_nuts(
        io.read_table(args.input), corr, code_col=args.region, value_cols=_names(args.value), by=_names(args.by),
        weights=weights, missing_weights=args.missing_weights, boundary_shift=args.boundary_shift,
        foreign_codes=args.foreign_codes, table=str(args.input),
    )
    io.write_parquet(out, args.out, notes=[f"converted NUTS {corr.from_version} -> {corr.to_version}"])
    io.write_parquet(report, args.report)
    return 0


def main_nuts_detect(args: argparse.Namespace) -> int:
    """``i4d data nuts-detect``: print (and with ``-o`` write) the detected version as JSON."""
    from i4districts.harmonize.correspondence import read_change_sheets
    from i4districts.harmonize.nuts import detect_nuts_version, version_code_sets
    from i4districts.vocabulary import require

    df = io.read_table(args.input)
    require(df, [args.region], str(args.input))
    versions = version_code_sets(*read_change_sheets(args.correspondence))
    det = detect_nuts_version(df[args.region].dropna().astype(str), versions, on_mixed=args.on_mixed,
                              table=str(args.input))
    result = {"version": det.version, "candidates": list(det.candidates),
              "foreign": {k: list(v) for k, v in det.foreign.items()}, "unknown": list(det.unknown)}
    if args.out:
        io.write_json(result, args.out)
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0


def main_sll_aggregate(args: argparse.Namespace) -> int:
    """``i4d data sll-aggregate``: the SLL table (``-o``) and its completeness report (``--report``)."""
    from i4districts.harmonize.sll import aggregate_to_sll, read_sll_correspondence

    corr = read_sll_correspondence(args.correspondence, municipality_col=args.corr_municipality_col,
                                   sll_col=args.corr_sll_col)
    out, report = aggregate_to_sll(io.read_table(args.input), corr, municipality_col=args.region,
                                   sll_col=args.region, value_cols=_names(args.value), by=_names(args.by),
                                   table=str(args.input))
    io.write_parquet(out, args.out, notes=["aggregated municipalities to local labour systems"])
    report = report.assign(missing=report["missing"].map(lambda xs: ",".join(map(str, xs))))
    io.write_parquet(report, args.report)
    return 0


def _region(p: argparse.ArgumentParser, what: str = "region code column") -> None:
    p.add_argument("--region", default="region", help=f"{what} (default: region)")


def register(stage: str, subparsers) -> None:
    """Add ``nuts-detect``, ``nuts-convert`` and ``sll-aggregate`` to the ``data`` stage."""
    if stage != "data":
        return

    p = subparsers.add_parser(
        "nuts-detect", help="detect the NUTS version of a table's region codes",
        description="Print JSON with the NUTS version whose code list contains every code of the table; a table "
                    "mixing versions is refused unless --on-mixed majority (then the misfits are listed).")
    add_input(p, "table (Parquet or CSV)")
    add_out(p, "also write the JSON result here (atomically)", required=False)
    _region(p)
    p.add_argument("--correspondence", type=Path, action="append", required=True, help=CORR_HELP + "; repeatable")
    p.add_argument("--on-mixed", choices=["raise", "majority"], default="raise", help="what to do with mixed tables")
    p.set_defaults(func=main_nuts_detect)

    p = subparsers.add_parser(
        "nuts-convert", help="convert a table between NUTS versions with a change report",
        description="value_t = sum_s w(s->t) value_s over Eurostat's correspondence: recodes and merges exact, "
                    "boundary shifts approximate (flagged), splits need --weights (code_from, code_to, weight) "
                    "or are refused. Writes the converted table and a tidy change report (Parquet).")
    add_input(p, "long table (Parquet or CSV): region, by..., value(s)")
    add_out(p, "converted table (Parquet)")
    p.add_argument("--report", type=Path, required=True, help="change report (Parquet)")
    p.add_argument("--correspondence", type=Path, required=True, help=CORR_HELP)
    p.add_argument("--from", dest="from_version", required=True, help="NUTS version of the input, e.g. 2016")
    p.add_argument("--to", dest="to_version", required=True, help="target NUTS version, e.g. 2021")
    p.add_argument("--level", type=int, default=None, help="restrict the correspondence to one NUTS level")
    _region(p)
    p.add_argument("--by", default="", help="comma-separated grouping columns (e.g. sector,year)")
    p.add_argument("--value", default="value", help="comma-separated count columns to convert (default: value)")
    p.add_argument("--weights", type=Path, default=None, help="split weights table: code_from, code_to, weight")
    p.add_argument("--missing-weights", choices=["raise", "flag"], default="raise",
                   help="refuse splits without weights (default) or leave their targets NaN and flagged")
    p.add_argument("--boundary-shift", choices=["approximate", "require_weights"], default="approximate",
                   help="carry boundary shifts with weight 1, flagged (default), or require weights")
    p.add_argument("--foreign-codes", choices=["raise", "keep"], default="raise",
                   help="codes not in the source version: refuse (default) or keep unchanged and flagged")
    p.set_defaults(func=main_nuts_convert)

    p = subparsers.add_parser(
        "sll-aggregate", help="aggregate municipal counts to local labour systems (SLL)",
        description="Sum municipal counts to ISTAT local labour systems (SLL 2011 or 2021) with a municipality -> "
                    "SLL correspondence CSV. Unknown municipalities are refused; incomplete SLL are flagged. "
                    "The SLL codes replace the municipal codes in the --region column.")
    add_input(p, "municipal table (Parquet or CSV)")
    add_out(p, "SLL table (Parquet)")
    p.add_argument("--report", type=Path, required=True, help="completeness report (Parquet)")
    p.add_argument("--correspondence", type=Path, required=True, help="ISTAT municipality -> SLL table (CSV)")
    p.add_argument("--corr-municipality-col", default="PRO_COM_T", help="municipality code column of the table")
    p.add_argument("--corr-sll-col", default="SLL_2011", help="SLL code column of the table (SLL_2011, SLL_2021 ...)")
    _region(p, "municipality code column of the input, SLL code column of the output")
    p.add_argument("--by", default="", help="comma-separated grouping columns")
    p.add_argument("--value", default="value", help="comma-separated count columns (default: value)")
    p.set_defaults(func=main_sll_aggregate)
