"""``i4d tables`` commands for descriptive, indicator, district and diagnostics tables (stub: filled in by #13)."""

from __future__ import annotations

import argparse


def register(stage: str, subparsers: argparse._SubParsersAction) -> None:
    """Add this module's ``tables`` commands."""
