"""The dataset ledger: what is fetched, from where, under which licence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from i4districts.fetch.errors import QueryError
from i4districts.safeyaml import load_yaml

SOURCES = ("eurostat", "istat", "gisco")
APIS = ("sdmx", "statistics", "bulk", "file")
FORMATS = ("sdmx-ml", "sdmx-csv", "jsonstat", "tsv", "geojson", "csv", "zip")
EXTENSIONS = {"sdmx-ml": "xml", "sdmx-csv": "csv", "jsonstat": "json", "tsv": "tsv", "geojson": "geojson",
              "csv": "csv", "zip": "zip"}
#: ``pin`` values: a file dataset either carries ``sha256`` or says ``pin: online`` (checksum recorded
#: in the vintage pin at the first online download; replication mode refuses such unpinned files).
PIN_POLICIES = ("online",)
WILDCARD = "*"


@dataclass(frozen=True)
class DatasetSpec:
    """One ledger entry (see the header of ``ledger.yaml``)."""

    name: str
    source: str
    dataset: str
    api: str
    format: str
    licence: str
    attribution: str
    url_template: str = ""
    description: str = ""
    role: str = "project"
    dimensions: tuple[str, ...] = ()
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    start: str | None = None
    end: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    structure: bool | None = None
    catalog: str | None = None
    split_dimension: str | None = None
    sha256: str | None = None
    pin: str | None = None

    @property
    def ext(self) -> str:
        return EXTENSIONS[self.format]

    @property
    def fixed_url(self) -> str | None:
        """``url_template`` when it is a literal URL (no ``{...}`` placeholders): bulk files fetched as is."""
        t = self.url_template
        return t if t.startswith("https://") and "{" not in t else None

    @property
    def wants_structure(self) -> bool:
        if self.structure is not None:
            return self.structure
        return self.api == "sdmx"

    def with_overrides(
        self,
        filters: Mapping[str, list[str]] | None = None,
        start: str | None = None,
        end: str | None = None,
    ) -> DatasetSpec:
        """A copy with filters merged (per dimension) and periods replaced when given."""
        merged = dict(self.filters)
        merged.update({k: tuple(v) for k, v in (filters or {}).items()})
        return replace(self, filters=merged, start=start or self.start, end=end or self.end)


def _spec(name: str, raw: Mapping, where: str) -> DatasetSpec:
    need = ("source", "dataset", "api", "format", "licence", "attribution")
    missing = [k for k in need if not raw.get(k)]
    if missing:
        raise QueryError(f"{where}: dataset {name!r} lacks {missing}")
    not_text = [k for k in ("dataset", "start", "end", "sha256") if k in raw and raw[k] is not None
                and not isinstance(raw[k], str)]
    if not_text:
        raise QueryError(
            f"{where}: dataset {name!r} fields {not_text} must be quoted strings in YAML "
            f"(got {[raw[k] for k in not_text]}; e.g. 22_289 would be read as the number 22289)"
        )
    for key, allowed in (("source", SOURCES), ("api", APIS), ("format", FORMATS)):
        if raw[key] not in allowed:
            raise QueryError(f"{where}: dataset {name!r} {key}={raw[key]!r} not in {allowed}")
    unknown = set(raw) - set(DatasetSpec.__dataclass_fields__)
    if unknown:
        raise QueryError(f"{where}: dataset {name!r} has unknown fields {sorted(unknown)}")
    filters = {str(k): tuple(str(c) for c in v) for k, v in (raw.get("filters") or {}).items()}
    if raw.get("pin") is not None and raw["pin"] not in PIN_POLICIES:
        raise QueryError(f"{where}: dataset {name!r} pin={raw['pin']!r} not in {PIN_POLICIES}")
    if raw["api"] == "file" and not raw.get("sha256") and raw.get("pin") != "online":
        raise QueryError(f"{where}: file dataset {name!r} needs a pinned sha256 (or `pin: online` until the "
                         "first online download records it)")
    return DatasetSpec(
        name=name,
        **{k: raw[k] for k in raw if k not in ("filters", "dimensions", "start", "end", "params")},
        dimensions=tuple(raw.get("dimensions") or ()),
        filters=filters,
        start=raw.get("start"),
        end=raw.get("end"),
        params={str(k): str(v) for k, v in (raw.get("params") or {}).items()},
    )


def load_ledger(path: Path | None = None) -> dict[str, DatasetSpec]:
    """All ledger entries by name (default: the packaged ``ledger.yaml``)."""
    if path is None:
        text = resources.files("i4districts.fetch").joinpath("ledger.yaml").read_text()
        doc = load_yaml(text, source="ledger.yaml", error=QueryError)
        where = "ledger.yaml"
    else:
        doc = load_yaml(Path(path), error=QueryError)
        where = str(path)
    doc = doc or {}
    if not isinstance(doc, dict):
        raise QueryError(f"{where}: the ledger must be a mapping with 'datasets', got {type(doc).__name__}")
    return {name: _spec(name, raw, where) for name, raw in (doc.get("datasets") or {}).items()}


def get_spec(name: str, ledger: Mapping[str, DatasetSpec] | None = None) -> DatasetSpec:
    ledger = load_ledger() if ledger is None else ledger
    if name not in ledger:
        raise QueryError(f"dataset {name!r} is not in the ledger; known: {sorted(ledger)}")
    return ledger[name]
