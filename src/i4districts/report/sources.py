"""Where each input of a run comes from: dataset code, source URL, vintage, sha256, licence, attribution.

An input is resolved, in this order, from

1. a fetch pin ``results/fetch/<name>.vintage.json`` (one record per pinned vintage: the vintage id and
   its date, the sha256 of the raw response as pinned, the URL it was fetched from);
2. the ledger entry named explicitly (``NAME=PATH``), or by :file:`sources.yaml` (files read in place:
   the shared reference data, the embedded samples), or whose fixed URL ends in the file's name, or
   whose pinned sha256 is the file's;
3. the fields of the :file:`sources.yaml` entry itself (ISTAT files, NUTS correspondence tables).

The sha256 is always computed from the file as read (:func:`i4districts.io.sha256_file`); when the
ledger pins a checksum, the record says whether the file matches it. A file nobody describes is still
listed, with ``licence`` "not recorded", so that a gap in provenance shows in the report.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from i4districts.errors import InputError
from i4districts.fetch.ledger import DatasetSpec, load_ledger
from i4districts.io import read_notes, sha256_file
from i4districts.report.manifest import PACKAGE_PREFIX, InputRef, resolve_path
from i4districts.safeyaml import load_yaml

__all__ = ["NOT_RECORDED", "SourceRecord", "load_registry", "resolve_input", "resolve_inputs", "source_url",
           "vintage_date"]

NOT_RECORDED = "not recorded"
_SOURCE_NAMES = {"eurostat": "Eurostat", "istat": "ISTAT", "gisco": "GISCO (Eurostat)"}


@dataclass(frozen=True)
class SourceRecord:
    """The provenance of one input file (or one pinned vintage of a fetched dataset)."""

    path: str
    sha256: str
    bytes: int | None
    how: str
    name: str = ""
    ledger: str = ""
    source: str = ""
    dataset: str = ""
    url: str = ""
    vintage: str = ""
    vintage_date: str = ""
    licence: str = NOT_RECORDED
    attribution: str = ""
    obtained: str = ""
    checksum: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def known(self) -> bool:
        return self.licence != NOT_RECORDED

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@lru_cache(maxsize=1)
def load_registry() -> dict[str, dict[str, Any]]:
    """The packaged :file:`sources.yaml` entries by key."""
    text = resources.files("i4districts.report").joinpath("sources.yaml").read_text("utf-8")
    doc = load_yaml(text, source="report/sources.yaml", error=InputError) or {}
    return dict(doc.get("sources") or {})


def _registry_entry(filename: str) -> tuple[str, dict[str, Any]] | None:
    for key, entry in load_registry().items():
        if any(fnmatch.fnmatchcase(filename, pattern) for pattern in entry.get("match") or []):
            return key, entry
    return None


def source_url(spec: DatasetSpec) -> str:
    """The dataset's URL at the source: the ledger's fixed URL, or its template without the query key."""
    if spec.fixed_url:
        return spec.fixed_url
    from i4districts.fetch import eurostat, istat

    base = {"eurostat": eurostat.BASE, "istat": istat.BASE}.get(spec.source, "")
    url = spec.url_template.replace("{base}", base).replace("{dataset}", spec.dataset)
    path, _, query = url.partition("?")
    path = re.sub(r"/?\{[^}]*\}", "", path)
    kept = [p for p in query.split("&") if p and "{" not in p and not p.endswith("=")]
    return path + ("?" + "&".join(kept) if kept else "")


def vintage_date(vintage_id: str) -> str:
    """ISO date-time (UTC) of a vintage id ``<source>/<dataset>/<hash>/<YYYYmmddTHHMMSS.ffffffZ>``; '' if none."""
    stamp = vintage_id.rstrip("/").rsplit("/", 1)[-1]
    try:
        when = datetime.strptime(stamp, "%Y%m%dT%H%M%S.%fZ")
    except ValueError:
        return ""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _ledger_match(filename: str, digest: str, ledger: Mapping[str, DatasetSpec]) -> str:
    for name, spec in ledger.items():
        if spec.fixed_url and spec.fixed_url.rsplit("/", 1)[-1] == filename:
            return name
    for name, spec in ledger.items():
        if spec.sha256 and spec.sha256 == digest:
            return name
    return ""


def _display(ref_path: str) -> tuple[str, str]:
    if ref_path.startswith(PACKAGE_PREFIX):
        return "i4districts/" + ref_path[len(PACKAGE_PREFIX):].lstrip("/"), "embedded in the package"
    return ref_path, "read in place"


def _pin_records(ref: InputRef, path: Path, digest: str, ledger: Mapping[str, DatasetSpec]) -> list[SourceRecord]:
    try:
        pin = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{ref.path}: not a JSON vintage pin ({exc})") from None
    if not isinstance(pin, Mapping) or not isinstance(pin.get("vintages"), list):
        raise InputError(f"{ref.path}: a vintage pin needs a 'vintages' list (written by `i4d fetch get`)")
    name = str(pin.get("name") or ref.dataset or path.name.removesuffix(".vintage.json"))
    spec = ledger.get(name)
    records = []
    for v in pin["vintages"] or [{}]:
        vid = str(v.get("vintage_id") or "")
        records.append(SourceRecord(
            path=ref.path, sha256=str(v.get("sha256") or digest), bytes=None, how="fetched vintage (pinned)",
            name=name, ledger=name if spec else "",
            source=_SOURCE_NAMES.get(str(pin.get("source") or (spec.source if spec else "")), ""),
            dataset=str(pin.get("dataset") or (spec.dataset if spec else "")),
            url=str(v.get("url") or (source_url(spec) if spec else "")),
            vintage=vid, vintage_date=vintage_date(vid),
            licence=str(pin.get("licence") or (spec.licence if spec else NOT_RECORDED)),
            attribution=str(pin.get("attribution") or (spec.attribution if spec else "")),
            obtained=f"pin {path.name} (sha256 of the pin file {digest})",
            checksum="sha256 of the raw response as pinned",
        ))
    return records


def resolve_input(ref: InputRef, *, base_dir: Path | None = None,
                  ledger: Mapping[str, DatasetSpec] | None = None) -> list[SourceRecord]:
    """Provenance records of one input (several for a pin with several vintages)."""
    path = resolve_path(ref.path, base_dir)
    if not path.is_file():
        raise InputError(f"report input {ref.path}: file not found ({path})")
    ledger = load_ledger() if ledger is None else ledger
    digest = sha256_file(path)
    if path.name.endswith(".vintage.json"):
        return _pin_records(ref, path, digest, ledger)
    shown, how = _display(ref.path)
    found = _registry_entry(path.name)
    entry = found[1] if found else {}
    name = ref.dataset or str(entry.get("ledger") or "") or _ledger_match(path.name, digest, ledger)
    if name and name not in ledger:
        raise InputError(f"report input {ref.path}: dataset {name!r} is not in the ledger; known: {sorted(ledger)}")
    spec = ledger.get(name)
    fields: dict[str, Any] = {}
    if spec is not None:
        fields.update(source=_SOURCE_NAMES.get(spec.source, spec.source), dataset=spec.dataset,
                      url=source_url(spec), licence=spec.licence, attribution=spec.attribution)
    for key in ("dataset", "url", "licence", "attribution", "vintage", "obtained"):
        if entry.get(key):
            fields[key] = " ".join(str(entry[key]).split())
    if entry.get("source"):
        fields["source"] = _SOURCE_NAMES.get(entry["source"], entry["source"])
    checksum = ""
    if spec is not None and spec.sha256:
        checksum = ("matches the ledger's pinned sha256" if spec.sha256 == digest
                    else f"DIFFERS from the ledger's pinned sha256 {spec.sha256}")
    notes: tuple[str, ...] = ()
    if path.suffix == ".parquet":
        try:
            notes = tuple(read_notes(path))
        except (OSError, ValueError):  # not a Parquet file after all: its bytes are still hashed and listed
            notes = ()
    return [SourceRecord(path=shown, sha256=digest, bytes=path.stat().st_size, how=how,
                         name=name or (found[0] if found else ""), ledger=name, checksum=checksum, notes=notes,
                         **fields)]


def resolve_inputs(refs: Iterable[InputRef], *, base_dir: Path | None = None,
                   ledger: Mapping[str, DatasetSpec] | None = None) -> list[SourceRecord]:
    """Records of every input, in the given order."""
    ledger = load_ledger() if ledger is None else ledger
    return [rec for ref in refs for rec in resolve_input(ref, base_dir=base_dir, ledger=ledger)]
