"""``i4d validate`` and the ``i4d golden`` stage (record, update, pin, drop, show).

Exit status of ``i4d validate``: 0 when every golden quantity holds, 1 when
anything moved beyond its tolerance (or a model, term or quantity is missing
or extra, or replication read an unpinned input or tried the network), 2 on
bad input (the CLI's one error handler).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from i4districts.errors import InputError
from i4districts.golden import api

_VALIDATE_EPILOG = """\
examples:
  i4d validate --run results/italy --summary results/italy/validate.json
  i4d validate --replicate --exact                     # rerun the default workflow offline, compare bit for bit
exit status: 0 all hold, 1 something moved (one line each: model term quantity: golden X, run Y,
moved Z (tolerance T)), 2 bad input."""


def _golden_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--golden", type=Path, default=Path("golden"),
                   help="golden folder (default: golden/ in the current directory)")


def _reason_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reason", default=None,
                   help="why the golden results change (required; appended to golden/CHANGELOG.md)")


def _require_reason(args: argparse.Namespace) -> str:
    reason = " ".join((args.reason or "").split())
    if not reason:
        raise InputError("--reason is required: say why the golden results change "
                         f"(it is recorded in {args.golden / 'CHANGELOG.md'})")
    return reason


# ------------------------------------------------------------------ validate
def configure(name: str, parser: argparse.ArgumentParser) -> None:
    """Arguments of the single command ``i4d validate``."""
    parser.epilog = _VALIDATE_EPILOG
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--run", type=Path, help="results folder of a run (e.g. results/italy)")
    what.add_argument("--replicate", action="store_true",
                      help="replication mode: rerun the default workflow in a fresh folder with pinned inputs "
                           "(sha256), no network (asserted), then validate it")
    _golden_arg(parser)
    parser.add_argument("--scenario", default=None, help="scenario of the golden results (default: the run "
                                                         "folder's name; with --replicate the config's scenario)")
    parser.add_argument("--summary", type=Path, default=None, help="write a JSON summary for CI systems here")
    parser.add_argument("--exact", action="store_true", help="demand bit-identical values (ignore tolerances)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the failures and the verdict")
    rep = parser.add_argument_group("replication (--replicate)")
    rep.add_argument("--repo", type=Path, default=Path("."), help="repository to replicate (default: .)")
    rep.add_argument("--shared", type=Path, default=None,
                     help="shared reference data (default: $I4D_SHARED_DATA, else <repo>/../shared/data)")
    rep.add_argument("--workdir", type=Path, default=None,
                     help="new folder for the replication run, kept (default: a temporary folder, removed "
                          "when validation passes)")
    rep.add_argument("--cores", type=int, default=2, help="Snakemake cores (default: 2)")
    parser.set_defaults(func=_validate)


def _validate(args: argparse.Namespace) -> int:
    if args.replicate:
        outcome = api.validate_replication(args.repo, golden=args.golden, scenario=args.scenario,
                                           shared_data=args.shared, root=args.workdir, cores=args.cores,
                                           exact=args.exact)
    else:
        outcome = api.validate_run(args.run, golden=args.golden, scenario=args.scenario, exact=args.exact)
    for line in outcome.lines(verbose=not args.quiet):
        print(line)
    if args.summary:
        api.write_summary(outcome.summary, args.summary)
        print(f"summary: {args.summary}")
    if args.replicate and args.workdir is None and outcome.replication is not None:
        if outcome.ok:
            shutil.rmtree(outcome.replication.root, ignore_errors=True)
        else:
            print(f"replication folder kept for inspection: {outcome.replication.root}")
    return 0 if outcome.ok else 1


# -------------------------------------------------------------------- golden
def register(stage: str, subparsers: argparse._SubParsersAction) -> None:
    """Add the ``golden`` stage's commands: record, update, pin, drop, show."""
    rec = subparsers.add_parser(
        "record", help="record the golden results of models not yet recorded, from a run",
        description="Add golden files for the run's models that have none (all, or those named with --model); "
                    "refuses models already recorded (use `update`). Appends a line to golden/CHANGELOG.md.")
    upd = subparsers.add_parser(
        "update", help="rewrite recorded golden results from a run, saying why",
        description="Rewrite the golden files of recorded models (all, or --model) from a run and append a dated "
                    "line (reason, what changed, package fingerprint) to golden/CHANGELOG.md.")
    for p in (rec, upd):
        p.add_argument("--run", type=Path, required=True, help="results folder of the run (e.g. results/italy)")
        _golden_arg(p)
        _reason_arg(p)
        p.add_argument("--scenario", default=None, help="scenario (default: the run folder's name)")
        p.add_argument("--model", action="append", default=None, help="only this model (repeatable)")
    upd.add_argument("--drop-missing", action="store_true",
                     help="remove golden files of recorded models the run no longer has")
    rec.set_defaults(func=_record)
    upd.set_defaults(func=_update)

    pin = subparsers.add_parser(
        "pin", help="pin the sha256 of the workflow's inputs read in place (replication mode checks them)",
        description="List the inputs of the default workflow outside its working directory (a dry run in the "
                    "replication layout) and write their sha256 to golden/<scenario>/inputs.json.")
    _golden_arg(pin)
    _reason_arg(pin)
    pin.add_argument("--repo", type=Path, default=Path("."), help="repository (default: .)")
    pin.add_argument("--shared", type=Path, default=None,
                     help="shared reference data (default: $I4D_SHARED_DATA, else <repo>/../shared/data)")
    pin.set_defaults(func=_pin)

    drop = subparsers.add_parser("drop", help="remove a model's golden results, saying why")
    _golden_arg(drop)
    _reason_arg(drop)
    drop.add_argument("--scenario", required=True)
    drop.add_argument("--model", action="append", required=True, help="model to remove (repeatable)")
    drop.set_defaults(func=_drop)

    show = subparsers.add_parser("show", help="print the golden results with their tolerances and recent changes")
    _golden_arg(show)
    show.add_argument("--scenario", default=None, help="only this scenario (default: every scenario)")
    show.add_argument("--model", action="append", default=None, help="only this model (repeatable)")
    show.add_argument("--changes", type=int, default=5, help="last changelog lines to print (default: 5)")
    show.set_defaults(func=_show)


def _record(args: argparse.Namespace) -> int:
    reason = _require_reason(args)
    print(api.record(args.run, golden=args.golden, reason=reason, scenario=args.scenario, models=args.model))
    return 0


def _update(args: argparse.Namespace) -> int:
    reason = _require_reason(args)
    print(api.update(args.run, golden=args.golden, reason=reason, scenario=args.scenario, models=args.model,
                     drop_missing=args.drop_missing))
    return 0


def _pin(args: argparse.Namespace) -> int:
    reason = _require_reason(args)
    print(api.pin(args.repo, golden=args.golden, reason=reason, shared_data=args.shared))
    return 0


def _drop(args: argparse.Namespace) -> int:
    reason = _require_reason(args)
    print(api.drop(args.golden, scenario=args.scenario, models=args.model, reason=reason))
    return 0


def _show(args: argparse.Namespace) -> int:
    print(api.show(args.golden, scenario=args.scenario, models=args.model, changes=args.changes), end="")
    return 0
