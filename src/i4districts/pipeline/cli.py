"""``i4d`` commands of the pipeline's own steps: ``config validate``, ``data sample|panel|frame|make-sample``,
``tables regression`` (thin wrappers of :mod:`.steps`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from i4districts.cliutil import add_input, add_io, add_out, json_mapping


def _dim_code(text: str) -> tuple[str, str]:
    dim, sep, code = text.partition("=")
    if not sep or not dim or not code:
        raise argparse.ArgumentTypeError(f"expected DIM=CODE, got {text!r}")
    return dim, code


def main_config_validate(args: argparse.Namespace) -> int:
    from i4districts import io
    from i4districts.config import load_config

    cfg = load_config(args.input)
    if args.out:
        io.write_json(cfg, args.out)
    print(json.dumps(cfg, indent=2, sort_keys=True) if args.show else f"{args.input}: valid")
    return 0


def main_make_sample(args: argparse.Namespace) -> int:
    from i4districts.pipeline import steps

    steps.make_sample(args.input, args.out)
    return 0


def main_sample(args: argparse.Namespace) -> int:
    from i4districts.pipeline import steps

    steps.sample(args.out, source=args.source, country=args.country, fetched=args.input, pin=args.pin,
                 filters=dict(args.filter))
    return 0


def main_panel(args: argparse.Namespace) -> int:
    from i4districts.pipeline import steps

    steps.panel(args.input, args.out, country=args.country, nuts_level=args.nuts_level, start=args.start,
                end=args.end, sectors=args.sectors, drop_extra_regio=not args.keep_extra_regio, report=args.report,
                unpublished=args.unpublished, nuts_version=args.nuts_version, nuts_sheets=args.nuts_changes)
    return 0


def main_frame(args: argparse.Namespace) -> int:
    from i4districts.pipeline import steps

    steps.frame(args.input, args.exposure, args.out, base_year=args.base_year, traits_path=args.traits)
    return 0


def _period(text: str) -> tuple[int, int]:
    a, sep, b = text.partition("-")
    try:
        return int(a), int(b)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected START-END years, got {text!r}") from None


def main_differences(args: argparse.Namespace) -> int:
    from i4districts.pipeline import steps

    steps.differences(args.input, args.exposure, args.out, periods=args.periods, traits_path=args.traits,
                      interact=args.interact)
    return 0


def main_district_shares(args: argparse.Namespace) -> int:
    from i4districts.pipeline import steps

    steps.district_shares(args.input, args.out, args.summary_out, nuts_version=args.nuts_version)
    return 0


def main_table(args: argparse.Namespace) -> int:
    from i4districts.pipeline import steps

    steps.table(args.input, args.frames, args.out, name=args.name, formats=args.formats, digits=args.digits,
                labels=json_mapping(args.labels_json, "--labels-json"), title=args.title,
                column_labels=json_mapping(args.columns_json, "--columns-json"),
                statistic=args.statistic, stars=None if args.no_stars else args.stars,
                units=json_mapping(args.units_json, "--units-json"),
                column_groups=_load_column_groups(args.column_groups_json), design_rows=not args.no_design_rows)
    return 0


def _load_column_groups(text: str | None) -> dict[str, list[str]]:
    """``--column-groups-json``: ``{"group label": ["model id", ...]}`` (config tables.column_groups)."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"--column-groups-json: not valid JSON ({exc})") from None
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(m, str) for m in v)
            for k, v in value.items()):
        raise ValueError(f"--column-groups-json: must be a JSON object of lists of model ids, got {text[:80]!r}")
    return value


def register(stage: str, subparsers: argparse._SubParsersAction) -> None:
    """Add this module's commands of ``stage`` (config, data or tables) to the ``i4d`` parser."""
    if stage == "config":
        p = subparsers.add_parser("validate", help="validate a workflow config against its JSON Schema",
                                  description="Fill schema defaults into a YAML config and validate it; "
                                              "errors name the key.")
        add_input(p, "YAML config file, e.g. config/config.yaml")
        add_out(p, "also write the validated config (defaults filled in) as JSON here", required=False)
        p.add_argument("--show", action="store_true", help="print the validated config with defaults filled in")
        p.set_defaults(func=main_config_validate)
    elif stage == "data":
        p = subparsers.add_parser("make-sample", help="derive the embedded Parquet sample from the nama_10r_3empers CSV",
                                  description="Maintainers only: rebuild src/i4districts/data/it_nama_10r_3empers.parquet "
                                              "from ../shared/data/eurostat/IT_nama_10r_3empers.csv.")
        add_io(p, "Data Commons CSV of Eurostat nama_10r_3empers", "output Parquet path")
        p.set_defaults(func=main_make_sample)

        p = subparsers.add_parser("sample", help="write the employment sample (embedded Eurostat data) to Parquet",
                                  description="Write the employment sample in the canonical vocabulary (region, "
                                              "sector, year, value, unit, flag, vintage). Source: Eurostat, "
                                              "nama_10r_3empers.")
        p.add_argument("--source", default="embedded", choices=["embedded", "fetched", "synthetic"],
                       help="embedded (the package's sample, default), fetched (a table from `i4d fetch get`) or "
                            "synthetic (a world's sample.parquet from `i4d synth`: tests and Monte Carlo only)")
        p.add_argument("--country", default="IT", help="country (NUTS-0): IT or ES when embedded")
        add_input(p, "fetched table (results/fetch/<name>.parquet), with --source fetched", required=False)
        p.add_argument("--pin", type=Path, default=None, help="its replay pin (results/fetch/<name>.vintage.json)")
        p.add_argument("--filter", type=_dim_code, action="append", default=[], metavar="DIM=CODE",
                       help="keep one code of a further dimension of the fetched table (repeatable)")
        add_out(p, "output Parquet path")
        p.set_defaults(func=main_sample)

        p = subparsers.add_parser("panel", help="build the validated region x sector x year panel",
                                  description="Keep a country's regions at one NUTS level, a year range and a "
                                              "non-overlapping NACE set (derived codes such as B_D_E = B-E - C "
                                              "computed); check published aggregates add up and every cell is "
                                              "published.")
        add_io(p, "tidy table in the vocabulary (e.g. from `i4d data sample`)", "output panel Parquet")
        p.add_argument("--country", default="IT", help="NUTS-0 code (default IT)")
        p.add_argument("--nuts-level", type=int, default=3, choices=[0, 1, 2, 3], help="NUTS level (default 3)")
        p.add_argument("--start", type=int, default=2000, help="first year (default 2000)")
        p.add_argument("--end", type=int, default=2017, help="last year (default 2017)")
        p.add_argument("--sectors", default="A10_split_C", help="named sector set (A10, A10_split_C, A6, A21)")
        p.add_argument("--keep-extra-regio", action="store_true", help="keep extra-regio codes such as ITZZZ")
        p.add_argument("--report", type=Path, default=None, help="write the panel report (JSON) here")
        p.add_argument("--unpublished", default="refuse", choices=["refuse", "drop_regions", "zero"],
                       help="absent or unpublished cells: refuse (default), drop_regions, or zero (flagged)")
        p.add_argument("--nuts-version", default=None, choices=["2013", "2016", "2021"],
                       help="NUTS version of the panel: detect the table's and convert to it (needs --nuts-changes)")
        p.add_argument("--nuts-changes", type=Path, nargs="*", default=[],
                       help="Eurostat NUTS change sheets (CSV copies, e.g. ../shared/data/nuts/NUTS2016-NUTS2021__*.csv)")
        p.set_defaults(func=main_panel)

        p = subparsers.add_parser("frame", help="model frame: employment growth joined with exposure",
                                  description="Regional employment growth (100 x log difference) with exposure, "
                                              "years after the base year, keyed by (region, year).")
        add_io(p, "panel Parquet", "output model frame Parquet")
        p.add_argument("--exposure", type=Path, required=True, help="exposure Parquet (region, year, exposure, ...)")
        p.add_argument("--base-year", type=int, required=True, help="year of the baseline shares (excluded)")
        p.add_argument("--traits", type=Path, default=None,
                       help="region-level traits to join (Parquet keyed by region, e.g. the district summary)")
        p.set_defaults(func=main_frame)

        p = subparsers.add_parser("differences", help="long or stacked differences by period (region x period rows)",
                                  description="100 x log change of employment over each period with the exposure at "
                                              "its start, baseline employment, macro area x period, region traits and "
                                              "trait x exposure / trait x period columns.")
        add_io(p, "panel Parquet", "output Parquet (region, period, d_ln_employment, exposure, ...)")
        p.add_argument("--exposure", type=Path, required=True, help="exposure Parquet (region, year, exposure, ...)")
        p.add_argument("--periods", type=_period, nargs="+", required=True, metavar="START-END",
                       help="periods, e.g. 2000-2007 2007-2012 2012-2017 (one for a long difference)")
        p.add_argument("--traits", type=Path, default=None, help="region traits (e.g. the district summary)")
        p.add_argument("--interact", nargs="*", default=[], help="traits to interact with exposure and period")
        p.set_defaults(func=main_differences)

        p = subparsers.add_parser("district-shares", help="province shares of employment by ISTAT SLL specialisation class",
                                  description="Italian NUTS-3 provinces: shares of persons employed (Frame-SBS 2023) "
                                              "in local labour systems of each 2021 prevailing-specialisation class "
                                              "(A Made in Italy ... D), and a summary row per province.")
        add_io(p, "directory holding istat_sll/ (ISTAT's SLL 2021 and Frame-SBS 2023 files)",
               "output Parquet (long: region, level, class, share, ...)")
        p.add_argument("--summary-out", type=Path, required=True, help="summary per province (Parquet)")
        p.add_argument("--nuts-version", type=int, default=2016, choices=[2016, 2021], help="NUTS version (2016)")
        p.set_defaults(func=main_district_shares)
    elif stage == "tables":
        p = subparsers.add_parser("regression", help="regression table (LaTeX booktabs, Markdown, CSV, HTML)",
                                  description="Render estimation results (JSON from `i4d estimate`) as "
                                              "publication tables, one column per result.")
        add_input(p, "estimation result JSON file(s)", nargs="+")
        add_out(p, "directory for <name>.<fmt> (also <name>.standalone.tex and <name>.fragment.html)")
        p.add_argument("--frames", type=Path, nargs="*", default=[],
                       help="model frames (one per result in order, or the distinct ones): provenance notes, "
                            "mean of the dependent variable, sample")
        p.add_argument("--statistic", choices=["se", "t", "ci"], default="se",
                       help="below each estimate: standard error, t statistic or confidence interval (config "
                            "tables.statistic)")
        p.add_argument("--stars", type=float, nargs="+", default=[0.10, 0.05, 0.01],
                       help="p-value thresholds of * ** *** (config tables.stars; default 0.10 0.05 0.01)")
        p.add_argument("--no-stars", action="store_true", help="no significance stars")
        p.add_argument("--units-json", default=None, help="units of variables, JSON (config tables.units)")
        p.add_argument("--column-groups-json", default=None,
                       help='column spanners, JSON {"label": [model ids]} (config tables.column_groups)')
        p.add_argument("--no-design-rows", action="store_true",
                       help="leave out the shift-share design rows (effective shocks, Rotemberg, placebo)")
        p.add_argument("--name", required=True, help="base file name of the table")
        p.add_argument("--formats", nargs="+", default=["tex", "md", "csv", "html"],
                       choices=["tex", "md", "csv", "html"])
        p.add_argument("--digits", type=int, default=4, help="decimals shown (default 4)")
        p.add_argument("--labels-json", default=None, help="term labels as a JSON object (config tables.labels)")
        p.add_argument("--title", default=None, help="table title (config tables.title)")
        p.add_argument("--columns-json", default=None, help="column headers by model id, JSON (config tables.columns)")
        p.set_defaults(func=main_table)
