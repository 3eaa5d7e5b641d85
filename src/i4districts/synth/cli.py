"""``i4d synth`` (stub)."""

from __future__ import annotations

import argparse


def configure(name: str, parser: argparse.ArgumentParser) -> None:
    """Arguments of the single command ``i4d synth``."""
