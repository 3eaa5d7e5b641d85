"""The ``i4d`` command line (also ``python -m i4districts``): one subcommand per pipeline step.

Exit status: 0 on success, 2 on bad input or usage (the message on stderr names
the file, the field and the offending values).

Each subpackage contributes its subcommands through a ``register(subparsers)``
function listed in :data:`SUBCOMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from i4districts import __version__

SUBCOMMAND_MODULES = (
    "i4districts.pipeline.cli",
    "i4districts.fetch.cli",
    "i4districts.harmonize.cli",
    "i4districts.indicators.cli",
    "i4districts.exposure.cli",
    "i4districts.shiftshare.cli",
    "i4districts.estimation.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="i4d",
        description="i4districts: Industry 4.0 adoption and employment in industrial districts. "
                    "Each subcommand is one pipeline step; `i4d <command> --help` documents it.",
    )
    parser.add_argument("--version", action="version", version=f"i4districts {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="<command>")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (ValueError, OSError) as exc:  # our errors subclass ValueError and name file, field, values
        print(f"i4d {args.command}: error: {exc}", file=sys.stderr)
        return 2  # bad input, as every subcommand reports it


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
