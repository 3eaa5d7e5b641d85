"""Shared argument conventions of the ``i4d`` command line.

Every command reads its main table with ``-i/--input`` and writes with
``-o/--out`` (a file, or a directory where a command writes several files);
further inputs have named flags (``--adoption``, ``--spec``). Errors are not
caught here: :func:`i4districts.cli.main` is the one error handler.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_input(p: argparse.ArgumentParser, help: str, *, nargs: str | None = None, required: bool = True) -> None:
    """``-i/--input``: the command's main input table (Parquet unless the help says otherwise)."""
    p.add_argument("-i", "--input", type=Path, required=required, nargs=nargs, help=help)


def add_out(p: argparse.ArgumentParser, help: str, *, required: bool = True) -> None:
    """``-o/--out``: where the command writes (atomically)."""
    p.add_argument("-o", "--out", type=Path, required=required, help=help)


def add_io(p: argparse.ArgumentParser, input_help: str, out_help: str, *, nargs: str | None = None) -> None:
    """Both :func:`add_input` and :func:`add_out`."""
    add_input(p, input_help, nargs=nargs)
    add_out(p, out_help)


def json_mapping(text: str | None, flag: str) -> dict[str, str]:
    """A JSON object of strings given on the command line, inline or as a JSON file (``{}`` when absent).

    Raises :class:`~i4districts.errors.ConfigError` naming the flag."""
    from i4districts.errors import ConfigError

    if not text:
        return {}
    raw = text
    if not text.lstrip().startswith("{"):
        p = Path(text)
        if not p.is_file():
            raise ConfigError(f"{flag}: neither a JSON object nor a JSON file: {text[:80]!r}")
        raw = p.read_text(encoding="utf-8")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{flag}: not valid JSON ({exc})") from None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ConfigError(f"{flag}: must be a JSON object of strings, got {raw[:80]!r}")
    return value
