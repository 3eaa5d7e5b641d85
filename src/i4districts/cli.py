"""The ``i4d`` command line (also ``python -m i4districts``), grouped by pipeline stage.

``i4d <stage> <command> -i INPUT -o OUT [options]``; ``i4d --help`` lists the
stages and ``i4d <stage> --help`` their commands. Exit status: 0 on success,
2 on bad input or usage, with a one-line message on stderr that names the
file, the field and the offending values (never a traceback for a user error).

Each module listed in :data:`STAGES` contributes commands to a stage through
``register(stage, subparsers)``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from i4districts import __version__
from i4districts.errors import I4DError

#: stage -> (help, modules that register commands in it)
STAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "config": ("validate and show the workflow configuration", ("i4districts.pipeline.cli",)),
    "fetch": ("download Eurostat/ISTAT/GISCO data into dated vintages (online/offline/replay)",
              ("i4districts.fetch.cli",)),
    "data": ("samples, NUTS/SLL harmonization, the validated panel and the model frame",
             ("i4districts.pipeline.cli", "i4districts.harmonize.cli", "i4districts.indicators.district_cli")),
    "indicators": ("specialization, variety, districts, concentration, polarization",
                   ("i4districts.indicators.cli", "i4districts.indicators.district_cli")),
    "exposure": ("sector adoption and shift-share exposure with instruments", ("i4districts.shiftshare.cli",)),
    "estimate": ("estimate a panel or shift-share model declared in a YAML spec",
                 ("i4districts.estimation.cli", "i4districts.shiftshare.cli")),
    "tables": ("publication tables from estimation results, indicators and diagnostics",
               ("i4districts.pipeline.cli", "i4districts.tables.cli")),
    "figures": ("maps (choropleths on GISCO geometries) and coefficient plots", ("i4districts.figures.cli",)),
    "report": ("the self-contained HTML report with provenance, and the README replication section",
               ("i4districts.report.cli",)),
    "golden": ("golden (published) results that CI validates: record and update them with a reason",
               ("i4districts.golden.cli",)),
}

#: Single commands without a stage: name -> (help, module providing ``configure(parser)``).
COMMANDS: dict[str, tuple[str, str]] = {
    "synth": ("generate a synthetic Italy with known truth (deterministic from a seed)", "i4districts.synth.cli"),
    "refresh": ("fetch new vintages, write revision reports, rerun the workflow and report moved estimates",
                "i4districts.refresh.cli"),
    "validate": ("compare a run's estimates with the golden results (non-zero exit on a move beyond tolerance)",
                 "i4districts.golden.cli"),
}


def _fetch_description() -> str:
    from i4districts.fetch.cli import MODES_HELP

    return f"{STAGES['fetch'][0]}\n\n{MODES_HELP}"


STAGE_DESCRIPTIONS: dict[str, str] = {}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``i4d`` parser. With ``only`` (a stage or command name), only that stage's modules are
    imported: every rule of the workflow starts a fresh ``i4d`` process, and importing all stages
    (pandas, geopandas, matplotlib, snakemake...) would cost each job about two seconds."""
    if only in (None, "fetch"):
        STAGE_DESCRIPTIONS.setdefault("fetch", _fetch_description())
    parser = argparse.ArgumentParser(
        prog="i4d",
        description="i4districts: Industry 4.0 adoption and employment in industrial districts. "
                    "Commands are grouped by pipeline stage; `i4d <stage> --help` lists a stage's commands.",
    )
    parser.add_argument("--version", action="version", version=f"i4districts {__version__}")
    stages = parser.add_subparsers(dest="stage", metavar="<stage>")
    for stage, (help_text, modules) in STAGES.items():
        sp = stages.add_parser(stage, help=help_text, description=STAGE_DESCRIPTIONS.get(stage, help_text),
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        commands = sp.add_subparsers(dest="command", metavar="<command>")
        if only is None or only == stage:
            for name in modules:
                importlib.import_module(name).register(stage, commands)
        sp.set_defaults(_stage_parser=sp)
    for name, (help_text, module) in COMMANDS.items():
        cp = stages.add_parser(name, help=help_text, description=help_text,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        if only is None or only == name:
            importlib.import_module(module).configure(name, cp)
    return parser


def _selected(argv: Sequence[str]) -> str | None:
    """The stage or command named on the command line (first non-option word), if it is one of ours."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in STAGES or first in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    selected = _selected(argv)
    parser = build_parser(selected) if selected else build_parser("")  # "": stage help only, no imports
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        (getattr(args, "_stage_parser", None) or parser).print_help()
        return 2
    where = " ".join(x for x in (args.stage, getattr(args, "command", None)) if x)
    try:
        return int(args.func(args) or 0)
    except (I4DError, ValueError, OSError) as exc:  # user errors name file, field and values
        print(f"i4d {where}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
