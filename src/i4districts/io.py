"""I/O layer shared by every step: atomic Parquet/JSON/text writes and provenance.

Every table is written to a temporary file in the destination directory and
then renamed over the target (``os.replace``), so a crashed step never leaves a
half-written output. Provenance notes travel with a table inside the Parquet
schema metadata under the key ``i4districts.notes`` (a JSON list of strings),
so that, for example, "illustrative adoption data" reaches every table that
depends on the synthetic adoption path.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

NOTES_KEY = b"i4districts.notes"


class InputFileError(ValueError):
    """A required input file is missing or unreadable; the message names it."""


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the final file normal permissions
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_parquet(df: pd.DataFrame, path: str | os.PathLike[str], *, notes: Iterable[str] = ()) -> Path:
    """Write ``df`` atomically as Parquet (no index), attaching provenance ``notes``."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[NOTES_KEY] = json.dumps(sorted(set(notes))).encode()
    table = table.replace_schema_metadata(meta)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return Path(path)


def read_parquet(path: str | os.PathLike[str], *, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Read a Parquet table; a missing file or column raises :class:`InputFileError` naming it."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"{p}: input table not found")
    df = pd.read_parquet(p)
    if columns is not None:
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise InputFileError(f"{p}: missing column(s) {missing}; found {list(df.columns)}")
    return df


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A user table from CSV or Parquet, chosen by suffix; a missing file raises :class:`InputFileError`."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"{p}: table not found")
    return pd.read_csv(p) if p.suffix.lower() == ".csv" else pd.read_parquet(p)


def read_notes(path: str | os.PathLike[str]) -> list[str]:
    """Provenance notes stored in a Parquet file written by :func:`write_parquet`."""
    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(NOTES_KEY)
    return list(json.loads(raw)) if raw else []


def write_json(obj: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``obj`` atomically as pretty, key-sorted UTF-8 JSON (NaN and infinities are refused: use null)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, default=str, allow_nan=False) + "\n", encoding="utf-8")
    return Path(path)


def write_text(text: str, path: str | os.PathLike[str]) -> Path:
    """Write ``text`` atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
