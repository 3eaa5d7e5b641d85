"""``i4d synth -o DIR [--scale national|regional|tiny] [--seed N]``: write a synthetic world with its truth."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from i4districts.cliutil import add_out

from .scale import SCALES


def configure(name: str, parser: argparse.ArgumentParser) -> None:
    """Arguments of the single command ``i4d synth``."""
    add_out(parser, "output directory: one Parquet file per table, truth.json and README.md (all synthetic)")
    parser.add_argument("--scale", choices=sorted(SCALES), default="national",
                        help="size of the world (default national: 7,900 municipalities, 600 SLLs, 110 NUTS-3, "
                             "88 divisions, 4 size classes, 15 years)")
    parser.add_argument("--seed", type=_seed, default=0, help="non-negative integer seed (default 0)")
    parser.epilog = ("Example: i4d synth -o results/synthetic --scale regional --seed 7\n"
                     "Everything written is SYNTHETIC (not real data); truth.json holds the planted truth.")
    parser.set_defaults(func=main)


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be non-negative, got {value}")
    return value


def main(args: argparse.Namespace) -> int:
    from . import generate, write_world

    start = time.perf_counter()
    world = generate(args.scale, seed=args.seed)
    paths = write_world(world, Path(args.out))
    rows = world.truth["sizes"]["rows"]
    print(f"wrote {len(paths)} files to {args.out} (SYNTHETIC, scale {args.scale}, seed {args.seed}): "
          f"{rows['employment']:,} employment rows, {len(world.truth['districts']['planted'])} planted districts, "
          f"{time.perf_counter() - start:.1f} s")
    return 0
