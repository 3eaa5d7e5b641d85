"""``i4d fetch ...`` subcommands: get, list, verify.

Wired by the lead through :func:`register`; each leaf calls ``main_<name>``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from i4districts.fetch.client import Fetcher, FetchResult, first_request
from i4districts.fetch.errors import FetchError
from i4districts.fetch.ledger import load_ledger
from i4districts.fetch.mirror import load_index
from i4districts.fetch.settings import DEFAULT_CACHE, MODES, FetchSettings
from i4districts.fetch.vintage import VintageStore, atomic_write_bytes, atomic_write_parquet

MODES_HELP = """\
modes (--mode, env I4D_FETCH_MODE; default: offline when a mirror is set, else online):
  online   fetch from Eurostat/ISTAT/GISCO and record every response as a new
           dated vintage under the cache (a refresh never overwrites old vintages)
  offline  use only the vintage cache and the mirror directory; any attempted
           network connection is an error (CI: I4D_MIRROR=../shared/data)
  replay   read pinned vintages (--vintage, --pins, or the .vintage.json beside
           the output) after verifying their sha256

other knobs: --cache (env I4D_CACHE, default results/raw), --mirror (env I4D_MIRROR).
ISTAT is limited to 5 requests/minute per machine across processes
(state in $I4D_RATELIMIT_DIR); a 429/403 stops the run and says when to retry.
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


def register(subparsers) -> None:
    """Add ``fetch`` (with ``get``, ``list``, ``verify``) to an argparse subparsers object."""
    fetch = subparsers.add_parser(
        "fetch",
        help="download Eurostat/ISTAT/GISCO data into dated vintages (online/offline/replay)",
        description="Fetch external datasets declared in the ledger.\n\n" + MODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = fetch.add_subparsers(dest="fetch_command", metavar="{get,list,verify}")
    sub.required = True

    get = sub.add_parser(
        "get",
        help="fetch ledger datasets and write tidy Parquet (or the file) plus a .vintage.json pin",
        description="Fetch ledger datasets.\n\n" + MODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    get.add_argument("names", nargs="*", help="ledger dataset names (see `i4d fetch list`)")
    get.add_argument("--all-mirrored", action="store_true",
                     help="every ledger dataset whose requests the mirror index covers")
    get.add_argument("--out-dir", default="results/fetch",
                     help="where <name>.parquet (or <name>.<ext>) and <name>.vintage.json go")
    get.add_argument("--filter", action="append", type=_parse_filter, default=[], metavar="DIM=CODES",
                     help="override one dimension's codes, e.g. geo=IT+FR (repeatable)")
    get.add_argument("--start", default=None, help="first period (overrides the ledger)")
    get.add_argument("--end", default=None, help="last period (overrides the ledger)")
    get.add_argument("--vintage", action="append", default=[], help="replay: vintage id(s) to read")
    get.add_argument("--pins", default=None, help="replay: JSON pins {name: <.vintage.json content>}")
    get.add_argument("--ledger", default=None, help="alternative ledger YAML")
    _add_runtime_flags(get)
    get.set_defaults(func=main_get)

    lst = sub.add_parser("list", help="list ledger datasets (source, API, format, mirrored?)",
                         description="List the ledger's datasets.")
    lst.add_argument("--ledger", default=None, help="alternative ledger YAML")
    lst.set_defaults(func=main_list)

    ver = sub.add_parser("verify", help="re-check every vintage in the manifest against its sha256",
                         description="Verify the sha256 of every vintage listed in the cache manifest.")
    ver.add_argument("--cache", default=None, help=f"vintage cache root (env I4D_CACHE, default {DEFAULT_CACHE})")
    ver.set_defaults(func=main_verify)


def _settings(args) -> FetchSettings:
    return FetchSettings.resolve(mode=args.mode, cache=args.cache, mirror=args.mirror)


def mirrored_names(ledger=None) -> list[str]:
    """Ledger names whose first request is in the packaged mirror index (CI targets)."""
    urls = {e.url for e in load_index()}
    ledger = load_ledger() if ledger is None else ledger
    return sorted(n for n, spec in ledger.items() if first_request(spec).url in urls)


def _write_outputs(result: FetchResult, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    name = result.spec.name
    if result.table is not None:
        target = out_dir / f"{name}.parquet"
        atomic_write_parquet(result.table, target)
    else:
        target = out_dir / f"{name}.{result.spec.ext}"
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(result.file, tmp)
        tmp.replace(target)
    atomic_write_bytes(out_dir / f"{name}.vintage.json",
                       json.dumps(result.pins(), indent=2, sort_keys=True).encode())
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
    """Fetch the named datasets; print one line per output."""
    ledger = load_ledger(Path(args.ledger) if args.ledger else None)
    names = list(args.names)
    if args.all_mirrored:
        names += [n for n in mirrored_names(ledger) if n not in names]
    if not names:
        print("i4d fetch get: name at least one dataset or use --all-mirrored", file=sys.stderr)
        return 2
    unknown = [n for n in names if n not in ledger]
    if unknown:
        print(f"i4d fetch get: unknown dataset(s) {unknown}; see `i4d fetch list`", file=sys.stderr)
        return 2
    settings = _settings(args)
    fetcher = Fetcher(settings)
    out_dir = Path(args.out_dir)
    overrides = dict(args.filter)
    for name in names:
        spec = ledger[name].with_overrides(overrides or None, args.start, args.end)
        try:
            pins = _pins_for(name, args, out_dir) if settings.mode == "replay" else None
            result = fetcher.fetch(spec, pins)
        except FetchError as exc:
            print(f"i4d fetch get {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        target = _write_outputs(result, out_dir)
        rows = "" if result.table is None else f" ({len(result.table)} rows)"
        print(f"{name}: {target}{rows} <- {', '.join(v.vintage_id for v in result.vintages)}")
    return 0


def main_list(args) -> int:
    """Print the ledger."""
    ledger = load_ledger(Path(args.ledger) if args.ledger else None)
    mirrored = set(mirrored_names(ledger))
    for name, s in ledger.items():
        flag = "mirrored" if name in mirrored else ""
        print(f"{name:24s} {s.source:9s} {s.dataset:30s} {s.api:10s} {s.format:9s} {s.role:9s} {flag}")
    return 0


def main_verify(args) -> int:
    """Verify every manifest row; non-zero exit when any vintage fails."""
    cache = FetchSettings.resolve(mode="offline", cache=args.cache, mirror=None).cache
    store = VintageStore(cache)
    problems = store.verify_all()
    for p in problems:
        print(p, file=sys.stderr)
    n = len(store.manifest())
    print(f"{n - len(problems)}/{n} vintages verified under {cache}")
    return 1 if problems else 0


__all__ = ["main_get", "main_list", "main_verify", "mirrored_names", "register"]
