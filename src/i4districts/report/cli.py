"""``i4d report`` commands: ``manifest``, ``html`` and ``replication``.

* ``i4d report manifest --items-json JSON --inputs [NAME=]PATH ... --config config/config.yaml
  --effective-config-json JSON --title T --scenario S -o results/italy/report_manifest.json``
* ``i4d report html --manifest results/italy/report_manifest.json --snakemake-dir .snakemake
  -o results/italy/report.html`` (or the items directly: ``--tables a.html --figures x.png
  --records models/*.json --config config.yaml --inputs ... --title T``)
* ``i4d report replication --summary results/italy/report_manifest.json --readme README.md
  --runtimes workflow/report/runtimes.json [--check]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from i4districts.cliutil import add_out
from i4districts.report.manifest import (
    Manifest,
    ManifestError,
    build_manifest,
    items_from_paths,
    load_manifest,
    write_manifest,
)

DEFAULT_TITLE = "i4districts report"


def _add_item_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tables", nargs="+", default=[], metavar="FILE",
                   help="table files (HTML fragment; Markdown or CSV as a fallback), one item each")
    p.add_argument("--figures", nargs="+", default=[], metavar="FILE", help="figures (PNG, SVG, ...), one item each")
    p.add_argument("--records", nargs="+", default=[], metavar="JSON",
                   help="estimation records (models/<model>.json): one diagnostics item comparing them")
    p.add_argument("--inputs", nargs="+", default=[], metavar="[NAME=]PATH",
                   help="files the run read in place, fetch pins (results/fetch/<name>.vintage.json) or "
                        "package:<path> for embedded files; NAME is a ledger dataset")
    p.add_argument("--config", nargs="+", default=[], metavar="YAML", help="the config file(s) of the run")
    p.add_argument("--effective-config-json", default=None, metavar="JSON",
                   help="the effective config (validated, defaults filled in) as a JSON object")
    p.add_argument("--title", default=None, help=f"page title (default: the manifest's, else {DEFAULT_TITLE!r})")
    p.add_argument("--scenario", default=None, help="scenario name shown in the header")


def _json_arg(text: str | None, flag: str):
    if text is None:
        return None
    source = Path(text[1:]).read_text(encoding="utf-8") if text.startswith("@") else text
    try:
        return json.loads(source)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{flag}: not JSON ({exc})") from None


def _manifest_from_args(args: argparse.Namespace, base: Manifest | None = None) -> Manifest:
    items = list(base.items) if base else []
    raw_items = _json_arg(getattr(args, "items_json", None), "--items-json") or []
    if not isinstance(raw_items, list):
        raise ManifestError(f"--items-json: expected a JSON list of items, got {type(raw_items).__name__}")
    items += raw_items
    items += items_from_paths("table", args.tables) + items_from_paths("figure", args.figures)
    items += items_from_paths("diagnostics", args.records)
    effective = _json_arg(args.effective_config_json, "--effective-config-json")
    return build_manifest(
        title=args.title or (base.title if base else DEFAULT_TITLE),
        scenario=args.scenario if args.scenario is not None else (base.scenario if base else ""),
        items=items,
        inputs=[*(base.inputs if base else ()), *args.inputs],
        config_files=[*(base.config_files if base else ()), *args.config],
        effective_config=effective if effective is not None else (base.effective_config if base else None),
        source="command line",
        base_dir=Path(args.base_dir),
    )


def main_manifest(args: argparse.Namespace) -> int:
    write_manifest(_manifest_from_args(args), args.out)
    return 0


def main_html(args: argparse.Namespace) -> int:
    from i4districts.report.page import write_report
    from i4districts.report.provenance import run_time

    base = load_manifest(args.manifest, base_dir=Path(args.base_dir)) if args.manifest else None
    manifest = _manifest_from_args(args, base)
    if not manifest.items:
        raise ManifestError("i4d report html: nothing to report (give --manifest or --tables/--figures/--records)")
    outputs = [p for item in manifest.items for p in item.path]
    run = run_time(started=args.started, ended=args.ended, snakemake_dir=args.snakemake_dir, outputs=outputs,
                   benchmarks=args.benchmarks)
    write_report(manifest, args.out, run, git_dir=args.base_dir)
    return 0


def main_replication(args: argparse.Namespace) -> int:
    from i4districts.io import write_text
    from i4districts.report.replication import load_runtimes, render_section, update_readme

    readme_path = Path(args.readme)
    if not readme_path.is_file():
        raise ManifestError(f"{readme_path}: README not found")
    readme = readme_path.read_text(encoding="utf-8")
    root = Path(args.root) if args.root else readme_path.resolve().parent
    section = render_section(readme=readme, summaries=args.summary, runtimes=load_runtimes(args.runtimes), root=root)
    updated = update_readme(readme, section)
    if args.check:
        if updated != readme:
            print(f"{readme_path}: the replication section is stale; regenerate it with `i4d report replication "
                  f"--summary {' '.join(args.summary)} --readme {readme_path}"
                  + (f" --runtimes {args.runtimes}" if args.runtimes else "") + "`", file=sys.stderr)
            return 1
        return 0
    if updated != readme:
        write_text(updated, readme_path)
    return 0


def register(stage: str, subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` commands."""
    m = subparsers.add_parser("manifest", help="write the report manifest (items, inputs, config) as JSON",
                              description="Write the report manifest: the tables, figures and diagnostics of the "
                                          "report with the rule that makes each, the inputs and the config.")
    m.add_argument("--items-json", default=None, metavar="JSON",
                   help="items as a JSON list of {kind, id, path, rule, title, caption, caption_file, category, "
                        "synthetic} (or @FILE)")
    _add_item_flags(m)
    m.add_argument("--base-dir", default=".", help="directory the paths are relative to (default: .)")
    add_out(m, "the manifest JSON")
    m.set_defaults(func=main_manifest)

    h = subparsers.add_parser("html", help="the self-contained HTML report (tables, figures, diagnostics, provenance)",
                              description="Write one self-contained HTML page (images embedded, nothing loaded "
                                          "from the network) with the manifest's items and a provenance section.")
    h.add_argument("--manifest", default=None, help="the manifest written by `i4d report manifest`")
    _add_item_flags(h)
    h.add_argument("--started", default=None, metavar="ISO8601", help="start of the run (default: Snakemake's log)")
    h.add_argument("--ended", default=None, metavar="ISO8601", help="end of the run (default: now)")
    h.add_argument("--snakemake-dir", default=None, metavar="DIR",
                   help="Snakemake's .snakemake directory: run start from its newest log, job times from its metadata")
    h.add_argument("--benchmarks", nargs="+", default=[], metavar="TSV", help="Snakemake benchmark files")
    h.add_argument("--base-dir", default=".", help="directory the manifest's paths are relative to (default: .)")
    add_out(h, "the HTML file")
    h.set_defaults(func=main_html)

    r = subparsers.add_parser("replication", help="write or check the README's replication section",
                              description="Generate the README's replication section (AEA / Social Science Data "
                                          "Editors template) between <!-- replication:start --> and "
                                          "<!-- replication:end --> from the workflow's report manifest and/or "
                                          "`snakemake --detailed-summary`. With --check, exit 1 when it is stale.")
    r.add_argument("--summary", nargs="+", required=True, metavar="FILE",
                   help="the report manifest (JSON) and/or a `snakemake --detailed-summary` table")
    r.add_argument("--readme", default="README.md", help="the README to update (default: README.md)")
    r.add_argument("--runtimes", default=None, metavar="JSON", help="measured run times (machine, runs)")
    r.add_argument("--root", default=None, help="repository root (default: the README's directory)")
    r.add_argument("--check", action="store_true", help="do not write; exit 1 if the README is stale")
    r.set_defaults(func=main_replication)
