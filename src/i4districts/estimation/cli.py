"""Command line: ``i4d estimate panel -i FRAME.parquet --spec SPEC.yaml -o RESULT.json [--parquet ROWS.parquet]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from i4districts.cliutil import add_input, add_out

__all__ = ["register", "main_panel"]


def register(stage: str, subparsers) -> None:
    """Add this module's commands for ``stage`` (``estimate``: ``panel``)."""
    if stage != "estimate":
        return
    p = subparsers.add_parser(
        "panel",
        help="estimate one panel model declared in a YAML spec (fixed effects, FD/LD, RE, IV-2SLS)",
        description=(
            "Estimate one model (fixed effects, pooled, first/long differences, random "
            "effects, IV-2SLS) declared in SPEC.yaml (fields or a fixest-style 'formula:') "
            "on the tidy model frame, and write the result record as JSON (plus optional "
            "Parquet rows, one per coefficient)."
        ),
    )
    add_input(p, "model frame, Parquet, one row per observation")
    p.add_argument("--spec", required=True, type=Path,
                   help="model spec (YAML): formula or outcome/regressors/effects, entity, time, cov ...")
    add_out(p, "result JSON (written atomically)")
    p.add_argument("--parquet", type=Path, default=None, help="also write one Parquet row per coefficient here")
    p.set_defaults(func=main_panel)


def main_panel(args: argparse.Namespace) -> int:
    """Run ``i4d estimate panel`` (errors propagate to :func:`i4districts.cli.main`)."""
    from i4districts.io import read_parquet

    from . import ModelSpec, fit

    spec = ModelSpec.from_yaml(args.spec)
    frame = read_parquet(args.input)
    res = fit(frame, spec)
    res.write_json(args.out)
    if args.parquet is not None:
        res.write_parquet(args.parquet)
    print(f"{spec.model_id}: {res.estimator}, N={res.nobs}, wrote {args.out}")
    return 0
