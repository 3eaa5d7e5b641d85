"""Command line: ``i4d estimate --panel P.parquet --spec SPEC.yaml --out RESULT.json``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

__all__ = ["register", "main_estimate"]


def register(subparsers) -> None:
    """Add the ``estimate`` subcommand to an ``add_subparsers(dest="command")`` object."""
    p = subparsers.add_parser(
        "estimate",
        help="estimate one panel model declared in a YAML spec",
        description=(
            "Estimate one model (fixed effects, pooled, first/long differences, random "
            "effects, IV-2SLS) declared in SPEC.yaml on the tidy panel PANEL.parquet, and "
            "write the immutable result record as JSON (plus optional Parquet rows)."
        ),
    )
    p.add_argument("--panel", required=True, type=Path, help="tidy panel, Parquet, one row per observation")
    p.add_argument("--spec", required=True, type=Path, help="model spec (YAML): outcome, regressors, entity, time, effects, cov ...")
    p.add_argument("--out", required=True, type=Path, help="result JSON path (written atomically)")
    p.add_argument("--parquet", type=Path, default=None, help="also write one Parquet row per coefficient here")
    p.set_defaults(func=main_estimate)


def main_estimate(args: argparse.Namespace) -> int:
    """Run ``estimate``; returns 0 on success, 2 on invalid input (message on stderr)."""
    from . import ModelSpec, fit

    try:
        spec = ModelSpec.from_yaml(args.spec)
        if not args.panel.is_file():
            raise ValueError(f"{args.panel}: panel file not found")
        panel = pd.read_parquet(args.panel)
        res = fit(panel, spec)
    except ValueError as exc:
        print(f"i4d estimate: error: {exc}", file=sys.stderr)
        return 2
    res.write_json(args.out)
    if args.parquet is not None:
        res.write_parquet(args.parquet)
    print(f"{spec.model_id}: {res.estimator}, N={res.nobs}, wrote {args.out}")
    return 0
