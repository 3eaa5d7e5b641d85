"""``i4d report`` commands (stub)."""

from __future__ import annotations

import argparse


def register(stage: str, subparsers: argparse._SubParsersAction) -> None:
    """Add this module's commands of ``stage``."""
