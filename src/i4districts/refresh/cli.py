"""``i4d refresh``: fetch new vintages, write revision reports, rerun the workflow, report moved estimates."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from i4districts.errors import ConfigError, InputError

DESCRIPTION = """\
Fetch a new vintage of every configured dataset, compare it with the previous
vintage (revision report: cells revised with old/new value and relative
change, cells and codes added or removed, flags changed, dimensions and NUTS
version changed), then rerun the workflow into a fresh results/<scenario>-r<time>/
and list every estimate that moved against results/<scenario>/.

usage patterns:
  i4d refresh [--datasets N ...] [--no-rerun]     fetch -> report -> rerun -> moved estimates
  i4d refresh --old FILE --new FILE [--unit persons]
                                                   compare two local files or vintage ids only
  i4d refresh --no-fetch --old-run DIR --new-run DIR
                                                   compare two runs' model records only

Files read by --old/--new: the Data Commons nama_10r_3empers CSV (persons,
no flags), a Eurostat bulk SDMX-TSV (.tsv/.tsv.gz), a tidy CSV/Parquet, or a
vintage id source/dataset/hash/timestamp of the cache. Values are compared in
one unit: --unit converts by declared factors (THS = 1000 persons); a cell is
revised when |new - old| > --tolerance (default 0, or 0.5 of --unit when
converting: the Data Commons file is rounded to whole persons).

outputs (--out, default results/refresh/<UTC date>/): summary.csv,
revisions.md, <dataset>/{revised,added,removed,flags_changed,structure}.csv,
estimates_moved.csv/.md, refresh.json; the new fetch outputs go to --fetch-out
(results/fetch/<name>.parquet + .vintage.json, as `i4d fetch get`).

exit status:
  0  nothing changed: no cell, flag or structure change and no estimate moved
  2  error (bad input, fetch or workflow failure), one line on stderr
  3  data revised (cells revised/added/removed, flags or structure changed), no estimate moved
  4  estimates moved between the previous and the new run
  (--exit-zero turns 3 and 4 into 0, e.g. inside Snakemake; refresh.json keeps the real code)
"""


def configure(name: str, parser: argparse.ArgumentParser) -> None:
    """Arguments of the single command ``i4d refresh``."""
    from i4districts.fetch.cli import MODES_HELP
    from i4districts.fetch.settings import MODES

    parser.description = DESCRIPTION + "\n" + MODES_HELP
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--configfile", type=Path, default=Path("config/config.yaml"),
                        help="workflow config: fetch.datasets, scenario, data.nuts_changes "
                             "(default config/config.yaml)")
    parser.add_argument("--datasets", nargs="+", default=None, metavar="NAME",
                        help="ledger datasets to refresh (default: the config's fetch.datasets, else every "
                             "mirrored dataset, as rule fetch_all)")
    parser.add_argument("-o", "--out", type=Path, default=None,
                        help="report directory (default results/refresh/<UTC date>/)")
    parser.add_argument("--no-rerun", action="store_true", help="only the revision report: do not rerun the workflow")
    parser.add_argument("--no-fetch", action="store_true",
                        help="do not fetch (with --old-run/--new-run: compare two runs only)")
    parser.add_argument("--old-run", type=Path, default=None,
                        help="previous run directory (default results/<scenario>/ of the config)")
    parser.add_argument("--new-run", type=Path, default=None,
                        help="new run directory: compare with it instead of rerunning the workflow")
    parser.add_argument("--old", default=None, help="local mode: the old vintage (file or vintage id)")
    parser.add_argument("--new", default=None, help="local mode: the new vintage (file or vintage id)")
    parser.add_argument("--dataset", default=None,
                        help="local mode: dataset name in the report (default: --new's stem)")
    parser.add_argument("--unit", default=None,
                        help="convert both vintages' values to this unit by declared factors (e.g. persons)")
    parser.add_argument("--tolerance", type=float, default=None,
                        help="a shared cell is revised when |new - old| > this, in the values' unit "
                             "(default 0; 0.5 with --unit)")
    parser.add_argument("--nuts-changes", type=Path, default=None,
                        help="directory of Eurostat's NUTS change sheets (default: the config's data.nuts_changes, "
                             "else $I4D_SHARED_DATA/nuts)")
    parser.add_argument("--fetch-out", type=Path, default=Path("results/fetch"),
                        help="where the new fetch outputs go (default results/fetch)")
    parser.add_argument("--mode", choices=[m for m in MODES if m != "replay"], default=None,
                        help="fetch mode online | offline (env I4D_FETCH_MODE; replay cannot refresh)")
    parser.add_argument("--cache", default=None, help="vintage cache root (env I4D_CACHE, default results/raw)")
    parser.add_argument("--mirror", default=None, help="offline mirror directory (env I4D_MIRROR)")
    parser.add_argument("--snakefile", type=Path, default=Path("Snakefile"),
                        help="workflow Snakefile (default Snakefile)")
    parser.add_argument("--cores", type=int, default=None, help="cores of the rerun (default: the workflow profile's)")
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit 0 also when data were revised or estimates moved (inside Snakemake; the outcome "
                             "is in refresh.json)")
    parser.add_argument("--rtol", type=float, default=1e-9,
                        help="an estimate moved when |new - old| > atol + rtol*|old| (default rtol 1e-9)")
    parser.add_argument("--atol", type=float, default=0.0, help="absolute tolerance of moved estimates (default 0)")
    parser.set_defaults(func=main)


def _config(path: Path) -> dict:
    from i4districts.config import load_config

    if not path.is_file():
        raise ConfigError(f"{path}: workflow config not found (--configfile)")
    return load_config(path)


def _nuts_dir(args, config: dict | None) -> Path | None:
    if args.nuts_changes is not None:
        if not args.nuts_changes.is_dir():
            raise InputError(f"{args.nuts_changes}: NUTS change-sheet directory not found (--nuts-changes)")
        return args.nuts_changes
    if config is not None:
        d = Path(config["data"]["nuts_changes"])
        if d.is_dir():
            return d
    return None


def _default_datasets(config: dict, ledger) -> list[str]:
    from i4districts.fetch.cli import mirrored_names

    names = list(config["fetch"].get("datasets") or mirrored_names(ledger))
    if config["data"]["source"] == "fetched" and config["data"]["dataset"] not in names:
        names.append(config["data"]["dataset"])
    return names


def _local_report(args, nuts):
    """The revision report of two local files or vintage ids (``--old``/``--new``)."""
    from i4districts.refresh.revisions import revision_report
    from i4districts.refresh.sources import read_cells

    old, old_label = read_cells(args.old, unit=args.unit, cache=args.cache)
    new, new_label = read_cells(args.new, unit=args.unit, cache=args.cache)
    tol = args.tolerance if args.tolerance is not None else (0.5 if args.unit else 0.0)
    name = args.dataset or Path(str(args.new)).name.split(".")[0]
    report = revision_report(old, new, dataset=name, unit=args.unit, tolerance=tol,
                             nuts_versions=nuts.versions, correspondences=nuts.correspondences,
                             old_label=old_label, new_label=new_label)
    s = report.summary.iloc[0]
    print(f"{name}: {s['cells_shared']} shared cells, {s['cells_revised']} revised, {s['cells_added']} added, "
          f"{s['cells_removed']} removed, {s['flags_changed']} flags changed, NUTS {s['nuts_old']} -> "
          f"{s['nuts_new']}")
    return report


def _fetched_reports(args, config, nuts, record):
    """Fetch a new vintage of each dataset and report it against the previous one."""
    from i4districts.fetch.ledger import load_ledger
    from i4districts.fetch.settings import FetchSettings
    from i4districts.refresh import runner

    ledger = load_ledger()
    names = args.datasets or _default_datasets(config, ledger)
    unknown = [n for n in names if n not in ledger]
    if unknown:
        raise InputError(f"--datasets: unknown dataset(s) {unknown}; see `i4d fetch list`")
    settings = FetchSettings.resolve(mode=args.mode, cache=args.cache, mirror=args.mirror)
    record["fetch_mode"] = settings.mode
    return runner.fetch_and_report([ledger[n] for n in names], settings=settings, fetch_out=args.fetch_out,
                                   nuts=nuts, tolerance=args.tolerance or 0.0)


def main(args) -> int:
    """Run the refresh (see ``i4d refresh --help``); returns the documented exit status."""
    from i4districts.io import write_json
    from i4districts.refresh import runner
    from i4districts.refresh.writers import write_estimates, write_reports

    started = datetime.now(UTC)
    out = args.out or Path("results/refresh") / started.strftime("%Y-%m-%d")
    local = args.old is not None or args.new is not None
    if local and (args.old is None or args.new is None):
        raise InputError("local mode needs both --old and --new")
    if args.no_fetch and not local and args.new_run is None:
        raise InputError("--no-fetch without --old/--new compares two runs: give --new-run (and --old-run)")
    fetching = not local and not args.no_fetch
    # the config names the datasets and the scenario (previous run, rerun); else only the NUTS sheets' directory
    needs_config = fetching or (args.new_run is not None and args.old_run is None)
    optional = args.nuts_changes is None and args.configfile.is_file()
    config = _config(args.configfile) if needs_config or optional else None
    nuts = runner.load_nuts_lists(_nuts_dir(args, config))
    outcome = runner.RefreshOutcome()
    record: dict = {"started": started.isoformat(), "out": str(out)}

    if local:
        outcome.reports.append(_local_report(args, nuts))
    elif fetching:
        outcome.reports = _fetched_reports(args, config, nuts, record)
    if outcome.reports:
        write_reports(outcome.reports, out)
        print(f"revision report: {out / 'revisions.md'}")

    old_run = args.old_run or (Path("results") / config["scenario"] if config else None)
    new_run = args.new_run
    if fetching and not args.no_rerun and new_run is None:
        scenario = runner.refresh_scenario(config["scenario"], started)
        new_run = runner.rerun_workflow(args.configfile, scenario, snakefile=args.snakefile, cores=args.cores,
                                        log_path=out / "snakemake.log")
        print(f"workflow rerun: {new_run}")
    if new_run is not None:
        if old_run is None or not Path(old_run).is_dir():
            outcome.notes.append(f"no previous run at {old_run}: moved estimates not reported")
            print(outcome.notes[-1])
        else:
            moved = runner.compare_estimates(old_run, new_run, rtol=args.rtol, atol=args.atol)
            write_estimates(moved, out, old_run=str(old_run), new_run=str(new_run), rtol=args.rtol, atol=args.atol)
            outcome.moved = moved
            print(f"estimates moved: {len(moved)} ({out / 'estimates_moved.md'})")
    code = outcome.exit_code
    record.update({
        "datasets": [r.dataset for r in outcome.reports], "changed": [r.dataset for r in outcome.reports if r.changed],
        "old_run": None if old_run is None else str(old_run), "new_run": None if new_run is None else str(new_run),
        "estimates_moved": None if outcome.moved is None else len(outcome.moved), "notes": outcome.notes,
        "exit_code": code, "meaning": runner.EXIT_CODES[code],
    })
    write_json(record, out / "refresh.json")
    print(f"exit {code}: {runner.EXIT_CODES[code]}" + (" (reported as 0: --exit-zero)" if args.exit_zero else ""))
    return 0 if args.exit_zero else code
