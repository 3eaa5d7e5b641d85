"""``i4d fetch ...`` commands: get, list, verify.

:func:`register` adds them to the ``fetch`` stage of :mod:`i4districts.cli`;
handlers raise (every fetch error is an :class:`~i4districts.errors.I4DError`)
and :func:`i4districts.cli.main` reports them (exit 2).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from i4districts.fetch.client import Fetcher, FetchResult, first_request
from i4districts.fetch.errors import ChecksumMismatch, FetchError, QueryError
from i4districts.fetch.ledger import load_ledger
from i4districts.fetch.mirror import load_index
from i4districts.fetch.settings import DEFAULT_CACHE, MODES, FetchSettings
from i4districts.fetch.vintage import VintageStore
from i4districts.io import atomic_path, write_json, write_parquet

MODES_HELP = """\
modes (--mode, env I4D_FETCH_MODE; default: offline when a mirror is set, else online):
  online   fetch from Eurostat/ISTAT/GISCO and record every response as a new
           dated vintage under the cache (a refresh never overwrites old vintages)
  offline  use only the vintage cache and the mirror directory; any attempted
           network connection is an error (CI: I4D_MIRROR=../shared/data)
  replay   read pinned vintages (--vintage, --pins, or the .vintage.json beside
           the output) after verifying the sha256 of the raw response and of
           the parsed table, and re-deriving the table from the raw response

other knobs: --cache (env I4D_CACHE, default results/raw), --mirror (env I4D_MIRROR).
ISTAT is limited to 5 requests/minute per machine across processes
(state in $I4D_RATELIMIT_DIR); a 429/403 stops the run and says when to retry.
Each request must complete within 300 s (RetryPolicy.deadline); redirects are
followed only on the same host; vintage files are read-only (0444).
"""


def _add_runtime_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mode", choices=MODES, default=None, help="online | offline | replay (see above)")
    p.add_argument("--cache", default=None, help=f"vintage cache root (env I4D_CACHE, default {DEFAULT_CACHE})")
    p.add_argument("--mirror", default=None, help="offline mirror directory (env I4D_MIRROR)")


def _parse_filter(text: str) -> tuple[str, list[str]]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"filter {text!r} is not DIM=CODE[+CODE...]")
    dim, codes = text.split("=", 1)
    return dim.strip(), [c for c in codes.split("+") if c]


def register(stage: str, subparsers) -> None:
    """Add ``get``, ``list`` and ``verify`` to the ``fetch`` stage's subparsers (``i4d fetch <command>``)."""
    if stage != "fetch":
        return
    get = subparsers.add_parser(
        "get",
        help="fetch ledger datasets and write tidy Parquet (or the file) plus a .vintage.json pin",
        description="Fetch ledger datasets.\n\n" + MODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    get.add_argument("names", nargs="*", help="ledger dataset names (see `i4d fetch list`)")
    get.add_argument("--all-mirrored", action="store_true",
                     help="every ledger dataset whose requests the mirror index covers")
    get.add_argument("-o", "--out", "--out-dir", dest="out", type=Path, default=Path("results/fetch"),
                     help="output directory for <name>.parquet (or <name>.<ext>) and the <name>.vintage.json "
                          "pin (default results/fetch; --out-dir is an alias kept for old rules)")
    get.add_argument("--filter", action="append", type=_parse_filter, default=[], metavar="DIM=CODES",
                     help="override one dimension's codes, e.g. geo=IT+FR (repeatable)")
    get.add_argument("--start", default=None, help="first period (overrides the ledger)")
    get.add_argument("--end", default=None, help="last period (overrides the ledger)")
    get.add_argument("--vintage", action="append", default=[], help="replay: vintage id(s) to read")
    get.add_argument("--pins", default=None, help="replay: JSON pins {name: <.vintage.json content>}")
    get.add_argument("-i", "--input", "--ledger", dest="ledger", default=None,
                     help="ledger YAML (default: the packaged ledger)")
    _add_runtime_flags(get)
    get.set_defaults(func=main_get)

    lst = subparsers.add_parser("list", help="list ledger datasets (source, API, format, mirrored?)",
                                description="List the ledger's datasets.")
    lst.add_argument("-i", "--input", "--ledger", dest="ledger", default=None,
                     help="ledger YAML (default: the packaged ledger)")
    lst.add_argument("-o", "--out", type=Path, default=None, help="also write the listing as JSON here")
    lst.set_defaults(func=main_list)

    ver = subparsers.add_parser(
        "verify",
        help="re-check every vintage: sha256, parsed table re-derived from the raw response, read-only files",
        description="Verify every vintage listed in the cache manifest: the raw response against its "
                    "sha256, data.parquet against the table parsed again from the raw response, and "
                    "that every vintage file is read-only. Exit 2 when any vintage fails.",
    )
    ver.add_argument("-i", "--input", "--cache", dest="cache", default=None,
                     help=f"vintage cache root (env I4D_CACHE, default {DEFAULT_CACHE})")
    ver.add_argument("--fix-permissions", action="store_true",
                     help="make the files of vintages that verify read-only (0444) instead of reporting them")
    ver.set_defaults(func=main_verify)


def _settings(args) -> FetchSettings:
    return FetchSettings.resolve(mode=args.mode, cache=args.cache, mirror=args.mirror)


def mirrored_names(ledger=None) -> list[str]:
    """Ledger names whose first request is in the packaged mirror index (CI targets)."""
    urls = {e.url for e in load_index()}
    ledger = load_ledger() if ledger is None else ledger
    return sorted(n for n, spec in ledger.items() if first_request(spec).url in urls)


def write_outputs(result: FetchResult, out_dir: Path) -> Path:
    """Write ``<name>.parquet`` (or the fetched file) and the ``<name>.vintage.json`` replay pin into ``out_dir``."""
    name = result.spec.name
    if result.table is not None:
        target = write_parquet(result.table, out_dir / f"{name}.parquet")
    else:
        target = out_dir / f"{name}.{result.spec.ext}"
        with atomic_path(target) as tmp:
            shutil.copyfile(result.file, tmp)
    write_json(result.pins(), out_dir / f"{name}.vintage.json")
    return target


def _pins_for(name: str, args, out_dir: Path) -> list[dict]:
    if args.vintage:
        return [{"vintage_id": v} for v in args.vintage]
    if args.pins:
        doc = json.loads(Path(args.pins).read_text())
        entry = doc.get(name) if "vintages" not in doc else doc
        if entry is None:
            raise FetchError(f"pins file {args.pins} has no entry for {name!r}")
        return list(entry["vintages"])
    sidecar = out_dir / f"{name}.vintage.json"
    if sidecar.exists():
        return list(json.loads(sidecar.read_text())["vintages"])
    return []


def main_get(args) -> int:
    """Fetch the named datasets; print one line per output. Errors propagate to ``cli.main``."""
    ledger = load_ledger(Path(args.ledger) if args.ledger else None)
    names = list(args.names)
    if args.all_mirrored:
        names += [n for n in mirrored_names(ledger) if n not in names]
    if not names:
        raise QueryError("name at least one ledger dataset (see `i4d fetch list`) or use --all-mirrored")
    unknown = [n for n in names if n not in ledger]
    if unknown:
        raise QueryError(f"unknown dataset(s) {unknown}; see `i4d fetch list`")
    settings = _settings(args)
    fetcher = Fetcher(settings)
    out_dir = Path(args.out)
    overrides = dict(args.filter)
    for name in names:
        spec = ledger[name].with_overrides(overrides or None, args.start, args.end)
        pins = _pins_for(name, args, out_dir) if settings.mode == "replay" else None
        result = fetcher.fetch(spec, pins)
        target = write_outputs(result, out_dir)
        rows = "" if result.table is None else f" ({len(result.table)} rows)"
        print(f"{name}: {target}{rows} <- {', '.join(v.vintage_id for v in result.vintages)}")
    return 0


def main_list(args) -> int:
    """Print the ledger."""
    ledger = load_ledger(Path(args.ledger) if args.ledger else None)
    mirrored = set(mirrored_names(ledger))
    rows = []
    for name, s in ledger.items():
        flag = "mirrored" if name in mirrored else ""
        print(f"{name:24s} {s.source:9s} {s.dataset:30s} {s.api:10s} {s.format:9s} {s.role:9s} {flag}")
        rows.append({"name": name, "source": s.source, "dataset": s.dataset, "api": s.api, "format": s.format,
                     "role": s.role, "mirrored": bool(flag)})
    if args.out:
        write_json(rows, args.out)
    return 0


def main_verify(args) -> int:
    """Verify every manifest row; any failing vintage is listed on stderr and raises ChecksumMismatch."""
    cache = FetchSettings.resolve(mode="offline", cache=args.cache, mirror=None).cache
    store = VintageStore(cache)
    problems = store.verify_all(fix_permissions=args.fix_permissions)
    for p in problems:
        print(p, file=sys.stderr)
    n = len(store.manifest())
    if problems:
        raise ChecksumMismatch(f"{len(problems)} of {n} vintages under {cache} failed verification (listed above)")
    print(f"{n}/{n} vintages verified under {cache}")
    return 0


__all__ = ["main_get", "main_list", "main_verify", "mirrored_names", "register"]
