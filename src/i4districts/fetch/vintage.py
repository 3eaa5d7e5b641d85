"""Immutable dated vintages of raw responses, with an append-only manifest.

Layout under the cache root::

    <cache>/<source>/<dataset>/<query-hash>/<UTC timestamp>/
        response.<ext>     raw bytes exactly as received (or as read from the mirror)
        meta.json          URL, query, HTTP status, fetched-at, bytes, sha256, rows, parser version
        data.parquet       tidy parsed table with a ``vintage_id`` column (if parsed)
    <cache>/manifest.csv   one row per vintage, append-only

A vintage directory is assembled in a temporary sibling and renamed into
place, so it appears complete or not at all and is never overwritten; a
refresh creates a new timestamp beside the old ones. Its files are made
read-only (0444) before the rename. ``data.parquet`` is trusted only because
:meth:`Vintage.verify` can derive it again from the raw response, whose
sha256 is pinned outside the cache (``results/fetch/<name>.vintage.json``). The vintage id is the
path relative to the cache root, e.g.
``eurostat/nama_10_gdp/1f2e3d4c5b6a7980/20261123T184501.123456Z``.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from i4districts.fetch.decode import derive_table, post_filter_of
from i4districts.fetch.errors import ChecksumMismatch, FetchError
from i4districts.fetch.parsers import PARSER_VERSION
from i4districts.io import sha256_bytes, sha256_file, write_text

MANIFEST_COLUMNS = (
    "vintage_id", "source", "dataset", "query_hash", "query", "url", "http_status",
    "fetched_at", "bytes", "sha256", "rows", "parser_version", "format", "origin",
)
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%S.%fZ"
#: Files of a vintage, made read-only (0444) once written.
VINTAGE_FILES = ("meta.json", "data.parquet")
READ_ONLY = 0o444


def _table_bytes(table: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    table.to_parquet(buf, engine="pyarrow", index=False)
    return buf.getvalue()


def _roundtrip(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` as it reads back from ``data.parquet`` (dtypes normalised by Parquet)."""
    return pd.read_parquet(io.BytesIO(_table_bytes(table)))


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

    @property
    def files(self) -> list[Path]:
        """The files of this vintage (raw response, ``meta.json``, ``data.parquet`` if parsed)."""
        names = [self.meta["response_file"], *VINTAGE_FILES]
        return [self.path / n for n in names if (self.path / n).exists()]

    def writable_files(self) -> list[Path]:
        """Files of this vintage that are writable by anyone (they should be 0444)."""
        return [f for f in self.files if f.stat().st_mode & 0o222]

    def verify(
        self,
        expected_sha256: str | None = None,
        expected_data_sha256: str | None = None,
        *,
        reparse: bool = True,
    ) -> None:
        """Check the vintage; raise :class:`ChecksumMismatch` naming the file that fails.

        1. the raw response against ``meta.json`` and against the pinned
           ``expected_sha256`` (the pin file lives outside the cache);
        2. ``data.parquet`` against the pinned ``expected_data_sha256`` and
           ``meta.json``;
        3. with ``reparse``, ``data.parquet`` against the table derived again
           from the raw response (unpack, parse, bulk filters), so a parsed
           table edited together with its ``meta.json`` is caught even when
           no table hash is pinned.
        """
        meta = self.meta
        actual = sha256_file(self.response_path)
        for label, want in (("meta.json", meta["sha256"]), ("pin", expected_sha256)):
            if want is not None and actual != want:
                raise ChecksumMismatch(
                    f"vintage {self.vintage_id}: response {self.response_path} sha256 {actual} "
                    f"does not match {label} {want}"
                )
        has_table = self.data_path.exists()
        if not has_table:
            if meta.get("data_sha256") or expected_data_sha256:
                raise ChecksumMismatch(f"vintage {self.vintage_id}: {self.data_path} is missing")
            return
        data_sha = sha256_file(self.data_path)
        for label, want in (("pin", expected_data_sha256), ("meta.json", meta.get("data_sha256"))):
            if want and data_sha != want:
                raise ChecksumMismatch(
                    f"vintage {self.vintage_id}: {self.data_path} sha256 {data_sha} does not match {label} {want}"
                )
        if reparse:
            self._check_reparsed(meta)

    def derived_table(self, meta: dict | None = None) -> pd.DataFrame:
        """The table derived again from the stored raw response, as the fetcher derived it."""
        meta = self.meta if meta is None else meta
        fmt = meta.get("format")
        what = f"vintage {self.vintage_id} ({self.response_path})"
        if not fmt:
            raise ChecksumMismatch(f"{what}: meta.json records no format; cannot re-derive {self.data_path}")
        table = derive_table(self.response_path.read_bytes(), fmt, what=what, post=post_filter_of(meta))
        return table.assign(vintage_id=self.vintage_id)

    def _check_reparsed(self, meta: dict) -> None:
        expected = _roundtrip(self.derived_table(meta))
        stored = pd.read_parquet(self.data_path)
        if not expected.equals(stored):
            version = meta.get("parser_version")
            note = (f"; it was parsed by parser version {version}, this is {PARSER_VERSION}: re-fetch "
                    "to re-parse" if version and version != PARSER_VERSION else "")
            raise ChecksumMismatch(
                f"vintage {self.vintage_id}: {self.data_path} ({len(stored)} rows) differs from the table "
                f"parsed from the raw response {self.response_path.name} ({len(expected)} rows){note}"
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
                payload = _table_bytes(table)
                (tmp / "data.parquet").write_bytes(payload)
                rows = len(table)
                data_sha = sha256_bytes(payload)
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
            for f in tmp.iterdir():  # vintages are immutable: read-only once written
                os.chmod(f, READ_ONLY)
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
                write_text((old + buf.getvalue().encode()).decode("utf-8"), self.manifest_path)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def manifest(self) -> pd.DataFrame:
        """The manifest as a table (empty with the right columns if none yet)."""
        if not self.manifest_path.exists() or self.manifest_path.stat().st_size == 0:
            return pd.DataFrame(columns=list(MANIFEST_COLUMNS))
        try:
            man = pd.read_csv(self.manifest_path, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise FetchError(f"{self.manifest_path}: unreadable vintage manifest ({exc})") from None
        if "vintage_id" not in man.columns:
            raise FetchError(f"{self.manifest_path}: manifest lacks the 'vintage_id' column; "
                             f"header is {list(man.columns)[:8]}")
        return man

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

    def verify_all(self, *, fix_permissions: bool = False) -> list[str]:
        """Check every manifest row; return the problems found.

        Per vintage: the raw response against the manifest's sha256 and
        ``meta.json``, ``data.parquet`` against ``meta.json`` and against the
        table re-parsed from the raw response, and the file modes (every file
        read-only). With ``fix_permissions`` a vintage that verifies but has
        writable files is made read-only instead of being reported.
        """
        problems = []
        for rec in self.manifest().to_dict("records"):
            try:
                v = self.get(rec["vintage_id"])
                v.verify(rec.get("sha256") or None)
                writable = v.writable_files()
                if writable and fix_permissions:
                    for f in writable:
                        os.chmod(f, READ_ONLY)
                elif writable:
                    problems.append(
                        f"vintage {v.vintage_id}: writable file(s) {[f.name for f in writable]} "
                        f"(mode {oct(writable[0].stat().st_mode & 0o777)}; vintages must be read-only, "
                        "see `i4d fetch verify --fix-permissions`)"
                    )
            except (FetchError, OSError) as exc:
                problems.append(str(exc))
        return problems
