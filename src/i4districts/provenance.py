"""Provenance helpers: a fingerprint of the package's code and embedded data.

:func:`package_fingerprint` is the sha256 over the relative path and bytes of
every file of the installed package that can change a result (``*.py``,
``*.json``, ``*.yaml``, ``*.csv``, ``*.parquet``), in sorted order. The workflow
passes it as a parameter of every rule that runs package code, so a change of
code or embedded data reruns exactly those rules, whatever the files' timestamps.
"""

from __future__ import annotations

from pathlib import Path

import i4districts
from i4districts.io import sha256_bytes, sha256_file

FINGERPRINTED_SUFFIXES = (".py", ".json", ".yaml", ".yml", ".csv", ".parquet")


def package_root() -> Path:
    """Directory of the installed ``i4districts`` package."""
    return Path(i4districts.__file__).resolve().parent


def package_fingerprint(root: Path | None = None) -> str:
    """``i4districts-<version>+sha256:<first 16 hex>`` over the package's code and data files."""
    base = root or package_root()
    files = sorted(p for p in base.rglob("*") if p.suffix in FINGERPRINTED_SUFFIXES and p.is_file()
                   and "__pycache__" not in p.parts)
    listing = "\n".join(f"{p.relative_to(base).as_posix()}\t{sha256_file(p)}" for p in files)
    return f"i4districts-{i4districts.__version__}+sha256:{sha256_bytes(listing.encode())[:16]}"
