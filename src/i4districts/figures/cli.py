"""``i4d figures`` commands: choropleth maps and coefficient plots (PNG + SVG).

* ``i4d figures map -i VALUES.parquet --geometry GEOJSON... --column value --filter sector=C --year latest
  --title ... -o STEM`` writes ``STEM.png`` and ``STEM.svg``;
* ``i4d figures default-maps --results results/italy --geometry results/fetch/nuts2016_l3.geojson
  results/fetch/nuts2016_l2.geojson -o results/italy/figures`` draws the run's default maps
  (:data:`i4districts.figures.defaults.DEFAULT_MAPS`) and ``maps.json``;
* ``i4d figures coefplot -i a.json b.json --labels-json '{...}' --models-json '{...}' -o STEM``
  (``--periods-out STEM2`` also draws period/event-study terms).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from i4districts.cliutil import add_input, add_out, json_mapping

__all__ = ["register"]


def _key_value(text: str) -> tuple[str, str]:
    key, sep, val = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected COLUMN=VALUE, got {text!r}")
    return key, val


def _year(text: str) -> str | int | None:
    if text in ("latest", "all"):
        return None if text == "all" else "latest"
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a year, 'latest' or 'all', got {text!r}") from None


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _read_geometries(paths, code_field: str | None = None):
    from i4districts.figures.geometry import read_geometry

    return [read_geometry(p, code_field=code_field) for p in paths]


def _report_match(fig, out: Path) -> None:
    m = fig.i4d_match
    print(f"{out}: {len(m.matched)} region(s) mapped, {len(m.missing)} without a value (hatched), "
          f"{len(m.unmatched)} value code(s) without a geometry"
          + (f": {', '.join(m.unmatched)}" if m.unmatched else ""), file=sys.stderr)


def main_map(args: argparse.Namespace) -> int:
    """``i4d figures map``: one choropleth from a table."""
    from i4districts import io
    from i4districts.figures.defaults import ILLUSTRATIVE_MARK, draw_map, map_values, source_lines
    from i4districts.figures.style import save_figure

    df = io.read_table(args.input)
    vals, info = map_values(df, column=args.column, filters=dict(args.filter or []), year=args.year,
                            region=args.region_column, table=str(args.input))
    if args.country:
        vals = vals[vals["region"].str[:2].isin(set(args.country))]
        if vals.empty:
            raise ValueError(f"{args.input}: no region of countries {args.country}")
    geoms = _read_geometries(args.geometry, args.code_field)
    source, illustrative = source_lines(args.input) if args.input.suffix == ".parquet" else (None, False)
    title = args.title.replace("{year}", str(info.get("year") or "")).strip().rstrip(",")
    if illustrative:
        title += f" ({ILLUSTRATIVE_MARK})"
    kw = {}
    if args.scheme == "categorical":
        kw["category_labels"] = json_mapping(args.labels_json, "--labels-json")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reported below, and on the map
        fig = draw_map(vals, geoms, countries=args.country, context=not args.no_context, title=title,
                       legend_title=args.legend_title or info.get("unit") or args.column,
                       scheme=args.scheme, k=args.k, bins=args.bins, cmap=args.cmap, center=args.center,
                       source=args.source if args.source is not None else source, table=str(args.input), **kw)
    written = save_figure(fig, args.out, dpi=args.dpi)
    _report_match(fig, written[0])
    return 0


def main_default_maps(args: argparse.Namespace) -> int:
    """``i4d figures default-maps``: the run's default maps with fixed names."""
    from i4districts.figures.defaults import default_maps

    geoms = _read_geometries(args.geometry)
    manifest = default_maps(args.results, geoms, args.out, countries=args.country, only=args.only)
    for stem, m in manifest["maps"].items():
        print(f"{args.out / stem}.png/.svg: {m['matched']} region(s) mapped, {len(m['no_data'])} without a value, "
              f"{len(m['unmatched'])} without a geometry" + (f" {m['unmatched']}" if m["unmatched"] else ""),
              file=sys.stderr)
    for stem, why in manifest["skipped"].items():
        print(f"{stem}: skipped ({why})", file=sys.stderr)
    return 0


def main_coefplot(args: argparse.Namespace) -> int:
    """``i4d figures coefplot``: estimates and intervals across specifications."""
    from i4districts import io
    from i4districts.figures.coefplot import coefplot, load_records, period_plot
    from i4districts.figures.defaults import ILLUSTRATIVE_MARK
    from i4districts.figures.style import save_figure

    records = load_records(args.input)
    labels = json_mapping(args.labels_json, "--labels-json")
    models = json_mapping(args.models_json, "--models-json")
    notes = {n for f in (args.frames or []) for n in io.read_notes(f)}
    illustrative = ILLUSTRATIVE_MARK if any(ILLUSTRATIVE_MARK in n for n in notes) else None
    fig = coefplot(records, title=args.title, method=args.method, labels=labels, model_labels=models,
                   terms=args.terms, illustrative=illustrative)
    written = save_figure(fig, args.out, dpi=args.dpi)
    print(f"{written[0]}: {len(fig.i4d_rows)} coefficient(s) of {len(records)} model(s)", file=sys.stderr)
    if args.periods_out is not None:
        pfig = period_plot(records, title=(args.title + " by period") if args.title else "Estimates by period",
                           labels=labels, model_labels=models, method=args.method)
        if pfig is None:
            from i4districts.figures.style import new_figure

            import textwrap

            text = ("No period-specific terms (event[k], x:period[p]) in models "
                    + ", ".join(str(r.get("model_id")) for r in records))
            pfig = new_figure(7.2, 1.2)
            pfig.text(0.03, 0.5, "\n".join(textwrap.wrap(text, 95)), va="center", fontsize=9, gid="empty")
            print(f"{args.periods_out}: no period-specific terms; wrote a placeholder figure saying so",
                  file=sys.stderr)
        save_figure(pfig, args.periods_out, dpi=args.dpi)
    return 0


def register(stage: str, subparsers: argparse._SubParsersAction) -> None:
    """Add ``map``, ``default-maps`` and ``coefplot`` to ``stage``."""
    # = maps.SCHEMES (not imported: building the parser must not load Matplotlib)
    schemes = ("quantiles", "fisherjenks", "equalinterval", "naturalbreaks", "userdefined", "categorical")
    geo_help = ("GISCO NUTS GeoJSON file(s), e.g. results/fetch/nuts2016_l3.geojson (the level and version "
                "matching the region codes are chosen); or an SLL file with --code-field")
    p = subparsers.add_parser("map", help="a choropleth of one column of a table (PNG + SVG)",
                              description="A choropleth in ETRS89-LAEA with a legend, hatched missing regions and "
                                          "the GISCO attribution. Writes STEM.png and STEM.svg.")
    add_input(p, "table (Parquet or CSV) with a region column and the value column")
    p.add_argument("--geometry", type=Path, nargs="+", required=True, help=geo_help)
    p.add_argument("--column", default="value", help="column to map (default: value)")
    p.add_argument("--region-column", default="region", help="region code column (default: region)")
    p.add_argument("--filter", type=_key_value, action="append", metavar="COLUMN=VALUE",
                   help="keep rows with COLUMN == VALUE (repeatable), e.g. --filter sector=C --filter indicator=lq")
    p.add_argument("--year", type=_year, default="latest", help="a year, 'latest' (default) or 'all'")
    p.add_argument("--country", type=_codes, default=None, help="countries to map, e.g. IT (default: of the codes)")
    p.add_argument("--title", default="", help="title; {year} is replaced by the selected year")
    p.add_argument("--legend-title", default=None, help="legend title (default: the table's unit or the column)")
    p.add_argument("--scheme", choices=schemes, default="quantiles", help="classification (default: quantiles)")
    p.add_argument("-k", "--k", type=int, default=5, help="number of classes (default: 5)")
    p.add_argument("--bins", type=float, nargs="+", default=None, help="upper class bounds (scheme userdefined)")
    p.add_argument("--cmap", default=None, help="Matplotlib colormap (default: YlGnBu, RdBu_r with --center)")
    p.add_argument("--center", type=float, default=None, help="diverging colours centred at this value (LQ: 1)")
    p.add_argument("--labels-json", default=None, help="category labels (scheme categorical), JSON object or file")
    p.add_argument("--source", default=None, help="source line under the map (default: the table's Source notes)")
    p.add_argument("--code-field", default=None, help="region code property of a non-NUTS geometry (SLL: COD_SLL)")
    p.add_argument("--no-context", action="store_true", help="do not draw neighbouring countries in grey")
    p.add_argument("--dpi", type=int, default=200, help="PNG resolution (default: 200)")
    add_out(p, "output stem: writes STEM.png and STEM.svg")
    p.set_defaults(func=main_map)

    p = subparsers.add_parser("default-maps",
                              help="the run's default maps (LQ, district class, exposure, polarization)",
                              description="Draws map_lq_manufacturing, map_district_class, map_made_in_italy_share, "
                                          "map_exposure and map_polarization (each when its input exists) and "
                                          "maps.json into the output directory.")
    p.add_argument("--results", type=Path, required=True, help="run directory, e.g. results/italy")
    p.add_argument("--geometry", type=Path, nargs="+", required=True, help=geo_help + " (NUTS-2 for polarization)")
    p.add_argument("--country", type=_codes, default=None,
                   help="countries to map (default: those of the specialization table)")
    p.add_argument("--only", type=_codes, default=None, help="comma-separated map names to draw")
    add_out(p, "output directory")
    p.set_defaults(func=main_default_maps)

    p = subparsers.add_parser("coefplot", help="estimates with intervals across model records (PNG + SVG)",
                              description="One row per model x term, one panel per term; the caption states each "
                                          "model's inference and how its interval was obtained.")
    add_input(p, "estimation records (JSON) of `i4d estimate`", nargs="+")
    p.add_argument("--labels-json", default=None, help="term labels, JSON object or file (config tables.labels)")
    p.add_argument("--models-json", default=None, help="model labels by model id (config tables.columns)")
    p.add_argument("--terms", nargs="+", default=None, help="terms to plot (default: all but the constant)")
    p.add_argument("--method", default=None,
                   help="shift-share method to plot instead of the primary "
                        "(homoskedastic, ehw, cluster, akm, akm0, ri)")
    p.add_argument("--frames", type=Path, nargs="*", default=None,
                   help="model frames: their notes mark results on illustrative adoption data")
    p.add_argument("--title", default="", help="figure title")
    p.add_argument("--periods-out", type=Path, default=None,
                   help="also write the period/event-study plot to this stem (a placeholder saying so when no "
                        "model has period-specific terms)")
    p.add_argument("--dpi", type=int, default=200, help="PNG resolution (default: 200)")
    add_out(p, "output stem: writes STEM.png and STEM.svg")
    p.set_defaults(func=main_coefplot)
