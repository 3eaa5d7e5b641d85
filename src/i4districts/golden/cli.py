"""``i4d validate`` and ``i4d golden`` (stub)."""

from __future__ import annotations

import argparse


def register(stage: str, subparsers: argparse._SubParsersAction) -> None:
    """Add the ``golden`` stage's commands."""


def configure(name: str, parser: argparse.ArgumentParser) -> None:
    """Arguments of the single command ``i4d validate``."""
