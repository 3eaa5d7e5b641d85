"""I/O layer shared by every step: atomic Parquet/JSON/text writes and provenance.

Every table is written to a temporary file in the destination directory and
then renamed over the target (``os.replace``), so a crashed step never leaves a
half-written output. Provenance notes travel with a table inside the Parquet
schema metadata under the key ``i4districts.notes`` (a JSON list of strings),
so that, for example, "illustrative adoption data" reaches every table that
depends on the synthetic adoption path.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from i4districts.errors import InputError

NOTES_KEY = b"i4districts.notes"


class InputFileError(InputError):
    """A required input file is missing or unreadable; the message names it."""


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks (the one checksum helper of the package)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


_TMP_NAME = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[^.]+\.tmp$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user
        return True
    return True


def clean_stale_tmp(directory: str | os.PathLike[str], name: str | None = None) -> list[Path]:
    """Remove ``.<name>.<pid>.XXXX.tmp`` files left by writers that no longer run (killed mid-write).

    Temporary files of running writers are kept. The process check only holds when every writer
    runs on this machine (not across hosts sharing a network drive).
    """
    folder = Path(directory)
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for f in folder.iterdir():
        m = _TMP_NAME.match(f.name)
        if not m or (name is not None and m["name"] != name) or _alive(int(m["pid"])):
            continue
        try:
            f.unlink()
            removed.append(f)
        except FileNotFoundError:
            pass
    return removed


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    Leftovers of a writer of the same target that was killed mid-write are removed first.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_tmp(target.parent, target.name)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
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


def _require_rows(df: pd.DataFrame, p: Path, allow_empty: bool) -> pd.DataFrame:
    if not allow_empty and len(df) == 0:
        raise InputFileError(f"{p}: the table has no rows (columns {list(df.columns)}); an empty input is "
                             "refused rather than turned into an empty result")
    return df


def read_parquet(path: str | os.PathLike[str], *, columns: Iterable[str] | None = None,
                 allow_empty: bool = False) -> pd.DataFrame:
    """Read a Parquet table; a missing file or column, or no rows, raises :class:`InputFileError` naming it."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"{p}: input table not found")
    df = pd.read_parquet(p)
    if columns is not None:
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise InputFileError(f"{p}: missing column(s) {missing}; found {list(df.columns)}")
    return _require_rows(df, p, allow_empty)


def read_table(path: str | os.PathLike[str], *, allow_empty: bool = False) -> pd.DataFrame:
    """A user table from CSV or Parquet, chosen by suffix; a missing, unreadable or empty file raises
    :class:`InputFileError` naming it."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"{p}: table not found")
    try:
        df = pd.read_csv(p) if p.suffix.lower() == ".csv" else pd.read_parquet(p)
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{p}: the file is empty (no header, no rows)") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{p}: not a readable CSV table ({exc})") from None
    return _require_rows(df, p, allow_empty)


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


def read_json(path: str | os.PathLike[str], *, what: str = "JSON file", error: type[Exception] = InputError) -> Any:
    """Read a JSON document; a missing file or bad JSON raises ``error`` naming the file and ``what`` it is."""
    p = Path(path)
    if not p.is_file():
        raise error(f"{p}: {what} not found")
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{p}: not a JSON {what} ({exc})") from None


def write_text(text: str, path: str | os.PathLike[str]) -> Path:
    """Write ``text`` atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
