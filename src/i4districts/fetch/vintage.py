"""Immutable dated vintages of raw responses, with an append-only manifest.

Layout under the cache root::

    <cache>/<source>/<dataset>/<query-hash>/<UTC timestamp>/
        response.<ext>     raw bytes exactly as received (or as read from the mirror)
        meta.json          URL, query, HTTP status, fetched-at, bytes, sha256, rows, parser version
        data.parquet       tidy parsed table with a ``vintage_id`` column (if parsed)
    <cache>/manifest.csv   one row per vintage, append-only

A vintage directory is assembled in a temporary sibling and renamed into
place, so it appears complete or not at all and is never overwritten; a
refresh creates a new timestamp beside the old ones. The vintage id is the
path relative to the cache root, e.g.
``eurostat/nama_10_gdp/1f2e3d4c5b6a7980/20261123T184501.123456Z``.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from i4districts.io import atomic_path

from i4districts.fetch.errors import ChecksumMismatch, FetchError

MANIFEST_COLUMNS = (
    "vintage_id", "source", "dataset", "query_hash", "query", "url", "http_status",
    "fetched_at", "bytes", "sha256", "rows", "parser_version", "format", "origin",
)
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%S.%fZ"


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory (fsynced), then rename (:func:`i4districts.io.atomic_path`)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write a Parquet file atomically (pyarrow engine)."""
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, engine="pyarrow", index=False)


@dataclass(frozen=True)
class Vintage:
    """One stored response: ``root / vintage_id`` holds its files."""

    root: Path
    vintage_id: str

    @property
    def path(self) -> Path:
        return self.root / self.vintage_id

    @property
    def meta(self) -> dict:
        return json.loads((self.path / "meta.json").read_text())

    @property
    def response_path(self) -> Path:
        return self.path / self.meta["response_file"]

    @property
    def data_path(self) -> Path:
        return self.path / "data.parquet"

    def verify(self, expected_sha256: str | None = None) -> None:
        """Check the stored response against ``meta.json`` (and a pinned sha256 if given)."""
        meta = self.meta
        if meta.get("data_sha256") and sha256_file(self.data_path) != meta["data_sha256"]:
            raise ChecksumMismatch(
                f"vintage {self.vintage_id}: data.parquet sha256 differs from meta.json"
            )
        actual = sha256_file(self.response_path)
        recorded = meta["sha256"]
        for label, want in (("meta.json", recorded), ("pin", expected_sha256)):
            if want is not None and actual != want:
                raise ChecksumMismatch(
                    f"vintage {self.vintage_id}: response sha256 {actual} does not match "
                    f"{label} {want}"
                )

    def read_table(self) -> pd.DataFrame:
        if not self.data_path.exists():
            raise FetchError(f"vintage {self.vintage_id} holds no parsed table (data.parquet)")
        return pd.read_parquet(self.data_path)


class VintageStore:
    """Writes and finds vintages under a cache root (see module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.manifest_path = self.root / "manifest.csv"

    def write(
        self,
        *,
        source: str,
        dataset: str,
        query_hash: str,
        body: bytes,
        ext: str,
        meta: dict,
        table: pd.DataFrame | None = None,
        fetched_at: datetime | None = None,
    ) -> Vintage:
        """Store ``body`` (and its parsed ``table``) as a new vintage; append the manifest row."""
        fetched_at = fetched_at or datetime.now(UTC)
        stamp = fetched_at.strftime(TIMESTAMP_FORMAT)
        qdir = self.root / source / dataset / query_hash
        vid = f"{source}/{dataset}/{query_hash}/{stamp}"
        final = qdir / stamp
        if final.exists():
            raise FetchError(f"vintage {vid} already exists; vintages are never overwritten")
        qdir.mkdir(parents=True, exist_ok=True)
        tmp = qdir / f".tmp-{stamp}-{os.getpid()}"
        tmp.mkdir()
        try:
            response_file = f"response.{ext}"
            (tmp / response_file).write_bytes(body)
            rows = data_sha = None
            if table is not None:
                table = table.assign(vintage_id=vid)
                table.to_parquet(tmp / "data.parquet", engine="pyarrow", index=False)
                rows = len(table)
                data_sha = sha256_file(tmp / "data.parquet")
            full = {
                **meta,
                "vintage_id": vid,
                "source": source,
                "dataset": dataset,
                "query_hash": query_hash,
                "fetched_at": fetched_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "bytes": len(body),
                "sha256": sha256_bytes(body),
                "rows": rows,
                "data_sha256": data_sha,
                "response_file": response_file,
            }
            (tmp / "meta.json").write_text(json.dumps(full, indent=2, sort_keys=True))
            os.rename(tmp, final)  # atomic; fails if `final` appeared meanwhile and is non-empty
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._append_manifest(full)
        return Vintage(self.root, vid)

    def _append_manifest(self, meta: dict) -> None:
        row = {c: meta.get(c) for c in MANIFEST_COLUMNS}
        if isinstance(row["query"], dict | list):
            row["query"] = json.dumps(row["query"], sort_keys=True)
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "manifest.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                old = self.manifest_path.read_bytes() if self.manifest_path.exists() else b""
                buf = io.StringIO()
                writer = csv.DictWriter(buf, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
                if not old:
                    writer.writeheader()
                writer.writerow({k: "" if v is None else v for k, v in row.items()})
                atomic_write_bytes(self.manifest_path, old + buf.getvalue().encode())
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def manifest(self) -> pd.DataFrame:
        """The manifest as a table (empty with the right columns if none yet)."""
        if not self.manifest_path.exists():
            return pd.DataFrame(columns=list(MANIFEST_COLUMNS))
        return pd.read_csv(self.manifest_path, dtype=str, keep_default_na=False)

    def list(self, source: str, dataset: str, query_hash: str) -> list[Vintage]:
        """Complete vintages of one query, oldest first."""
        qdir = self.root / source / dataset / query_hash
        if not qdir.is_dir():
            return []
        stamps = sorted(p.name for p in qdir.iterdir() if p.is_dir() and not p.name.startswith("."))
        return [Vintage(self.root, f"{source}/{dataset}/{query_hash}/{s}") for s in stamps]

    def latest(self, source: str, dataset: str, query_hash: str) -> Vintage | None:
        found = self.list(source, dataset, query_hash)
        return found[-1] if found else None

    def get(self, vintage_id: str) -> Vintage:
        """The vintage with this id; raises if absent or if the id escapes the cache."""
        parts = vintage_id.split("/")
        if len(parts) != 4 or any(p in ("", ".", "..") for p in parts):
            raise FetchError(f"malformed vintage id {vintage_id!r} (source/dataset/hash/timestamp)")
        v = Vintage(self.root, vintage_id)
        if not (v.path / "meta.json").exists():
            raise FetchError(f"vintage {vintage_id} not found under {self.root}")
        return v

    def verify_all(self) -> list[str]:
        """Check every manifest row against the stored file; return the problems found."""
        problems = []
        for rec in self.manifest().to_dict("records"):
            try:
                v = self.get(rec["vintage_id"])
                v.verify(rec["sha256"])
            except (FetchError, OSError) as exc:
                problems.append(str(exc))
        return problems
