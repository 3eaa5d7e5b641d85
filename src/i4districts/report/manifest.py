"""The report manifest: what the HTML report shows and which inputs it names.

A manifest is a JSON document written by ``i4d report manifest`` (the workflow
builds its items from the rules' outputs, so nothing is hard-coded here)::

    {"version": 1, "title": "...", "scenario": "italy",
     "items": [{"kind": "table", "id": "employment_exposure", "title": "...", "caption": "...",
                "caption_file": "workflow/report/table.rst", "path": ["results/italy/tables/x.html"],
                "rule": "table", "category": "Tables", "synthetic": false}, ...],
     "inputs": [{"path": "../shared/data/isoc/x.csv", "dataset": "isoc_eb_p3dn2"}, ...],
     "config": {"files": ["config/config.yaml"], "effective": {...}}}

``kind`` is ``table`` (an HTML fragment, or Markdown/CSV as a fallback),
``figure`` (PNG, SVG, JPEG, GIF or WebP) or ``diagnostics`` (estimation records,
``models/<model>.json``). ``path`` lists files: a table or figure embeds the
first and names the others as alternative formats; a diagnostics item reads
every record. An input ``path`` may be ``package:<relative path>`` for a file
shipped inside the package (the embedded samples), and ``dataset`` names its
ledger entry (empty: found from a ``.vintage.json`` pin, the ledger's pinned
checksums or :mod:`i4districts.report.sources`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from i4districts.errors import InputError
from i4districts.io import write_json

__all__ = [
    "KINDS", "MANIFEST_VERSION", "InputRef", "Item", "Manifest", "ManifestError", "PACKAGE_PREFIX",
    "build_manifest", "items_from_paths", "load_manifest", "parse_input_spec", "resolve_path", "write_manifest",
]

MANIFEST_VERSION = 1
KINDS = ("table", "figure", "diagnostics")
PACKAGE_PREFIX = "package:"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_ITEM_FIELDS = ("kind", "id", "path", "rule", "title", "caption", "caption_file", "category", "synthetic")


class ManifestError(InputError):
    """A manifest that is not valid JSON or has a bad field; the message names the file and field."""


@dataclass(frozen=True)
class Item:
    """One table, figure or diagnostics block of the report."""

    kind: str
    id: str
    path: tuple[str, ...]
    rule: str = ""
    title: str = ""
    caption: str = ""
    caption_file: str = ""
    category: str = ""
    synthetic: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "path": list(self.path), "rule": self.rule, "title": self.title,
                "caption": self.caption, "caption_file": self.caption_file, "category": self.category,
                "synthetic": self.synthetic}


@dataclass(frozen=True)
class InputRef:
    """A file the run read in place (or a fetch pin), optionally with its ledger name."""

    path: str
    dataset: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "dataset": self.dataset}


@dataclass(frozen=True)
class Manifest:
    """Everything the report shows, in order."""

    title: str
    scenario: str = ""
    items: tuple[Item, ...] = ()
    inputs: tuple[InputRef, ...] = ()
    config_files: tuple[str, ...] = ()
    effective_config: Mapping[str, Any] | None = None
    base_dir: Path = field(default=Path("."), compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": MANIFEST_VERSION,
            "title": self.title,
            "scenario": self.scenario,
            "items": [i.to_dict() for i in self.items],
            "inputs": [i.to_dict() for i in self.inputs],
            "config": {"files": list(self.config_files), "effective": self.effective_config},
        }

    def of_kind(self, kind: str) -> list[Item]:
        return [i for i in self.items if i.kind == kind]


def _text(raw: Mapping, key: str, where: str, *, default: str = "") -> str:
    value = raw.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ManifestError(f"{where}: field {key!r} must be a string, got {value!r}")
    return value


def _paths(raw: Mapping, where: str) -> tuple[str, ...]:
    value = raw.get("path")
    paths = [value] if isinstance(value, str) else value
    if not paths or not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
        raise ManifestError(f"{where}: field 'path' must be a file path or a non-empty list of paths, got {value!r}")
    return tuple(paths)


def _item(raw: Any, where: str) -> Item:
    if not isinstance(raw, Mapping):
        raise ManifestError(f"{where}: an item must be an object, got {raw!r}")
    unknown = sorted(set(raw) - set(_ITEM_FIELDS))
    if unknown:
        raise ManifestError(f"{where}: unknown field(s) {unknown} (allowed: {list(_ITEM_FIELDS)})")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ManifestError(f"{where}: field 'kind' must be one of {list(KINDS)}, got {kind!r}")
    paths = _paths(raw, where)
    item_id = _text(raw, "id", where) or Path(paths[0]).stem
    if not _ID.match(item_id):
        raise ManifestError(f"{where}: field 'id' {item_id!r} must be letters, digits, '_', '-' or '.'")
    synthetic = raw.get("synthetic", False)
    if not isinstance(synthetic, bool):
        raise ManifestError(f"{where}: field 'synthetic' must be true or false, got {synthetic!r}")
    return Item(kind=kind, id=item_id, path=paths, rule=_text(raw, "rule", where), title=_text(raw, "title", where),
                caption=_text(raw, "caption", where), caption_file=_text(raw, "caption_file", where),
                category=_text(raw, "category", where), synthetic=synthetic)


def _input(raw: Any, where: str) -> InputRef:
    if isinstance(raw, str):
        return parse_input_spec(raw)
    if not isinstance(raw, Mapping) or not isinstance(raw.get("path"), str) or not raw["path"]:
        raise ManifestError(f"{where}: an input must be a path or an object with 'path', got {raw!r}")
    return InputRef(path=raw["path"], dataset=_text(raw, "dataset", where))


def build_manifest(
    *,
    title: str,
    scenario: str = "",
    items: Iterable[Mapping[str, Any] | Item] = (),
    inputs: Iterable[str | Mapping[str, Any] | InputRef] = (),
    config_files: Sequence[str] = (),
    effective_config: Mapping[str, Any] | None = None,
    source: str = "manifest",
    base_dir: Path | None = None,
) -> Manifest:
    """A validated :class:`Manifest`; item ids must be unique (the page's anchors)."""
    parsed = [i if isinstance(i, Item) else _item(i, f"{source}: items[{n}]") for n, i in enumerate(items)]
    seen: dict[str, int] = {}
    for n, item in enumerate(parsed):
        if item.id in seen:
            raise ManifestError(f"{source}: items[{n}]: field 'id' {item.id!r} repeats items[{seen[item.id]}]")
        seen[item.id] = n
    refs = [i if isinstance(i, InputRef) else _input(i, f"{source}: inputs[{n}]") for n, i in enumerate(inputs)]
    if effective_config is not None and not isinstance(effective_config, Mapping):
        raise ManifestError(f"{source}: field 'config.effective' must be an object, got {effective_config!r}")
    return Manifest(title=title, scenario=scenario, items=tuple(parsed), inputs=tuple(dict.fromkeys(refs)),
                    config_files=tuple(config_files), effective_config=effective_config,
                    base_dir=base_dir or Path("."))


def load_manifest(path: str | Path, *, base_dir: Path | None = None) -> Manifest:
    """Read and validate a manifest; relative paths in it are relative to ``base_dir`` (default: cwd)."""
    from i4districts.io import read_json

    p = Path(path)
    doc = read_json(p, what="manifest", error=ManifestError)
    if not isinstance(doc, Mapping):
        raise ManifestError(f"{p}: the manifest must be a JSON object, got {type(doc).__name__}")
    version = doc.get("version", MANIFEST_VERSION)
    if version != MANIFEST_VERSION:
        raise ManifestError(f"{p}: field 'version' {version!r} is not supported (expected {MANIFEST_VERSION})")
    config = doc.get("config") or {}
    if not isinstance(config, Mapping):
        raise ManifestError(f"{p}: field 'config' must be an object, got {config!r}")
    files = config.get("files") or []
    if isinstance(files, str):
        files = [files]
    for key in ("items", "inputs"):
        if not isinstance(doc.get(key, []), list):
            raise ManifestError(f"{p}: field {key!r} must be a list, got {doc.get(key)!r}")
    return build_manifest(
        title=_text(doc, "title", str(p)) or "i4districts report",
        scenario=_text(doc, "scenario", str(p)),
        items=doc.get("items") or [],
        inputs=doc.get("inputs") or [],
        config_files=[str(f) for f in files],
        effective_config=config.get("effective"),
        source=str(p),
        base_dir=base_dir,
    )


def write_manifest(manifest: Manifest, path: str | Path) -> Path:
    """Write the manifest atomically as key-sorted JSON."""
    return write_json(manifest.to_dict(), path)


def parse_input_spec(spec: str) -> InputRef:
    """``NAME=PATH`` (a ledger dataset name and the file) or ``PATH``."""
    name, sep, path = spec.partition("=")
    if sep and re.fullmatch(r"[A-Za-z0-9_]+", name) and path:
        return InputRef(path=path, dataset=name)
    return InputRef(path=spec)


def resolve_path(path: str, base_dir: Path | None = None) -> Path:
    """A manifest path on disk: ``package:<rel>`` inside the installed package, else relative to ``base_dir``."""
    if path.startswith(PACKAGE_PREFIX):
        rel = path[len(PACKAGE_PREFIX):].lstrip("/")
        return Path(str(resources.files("i4districts").joinpath(rel)))
    p = Path(path)
    return p if p.is_absolute() or base_dir is None else base_dir / p


def items_from_paths(kind: str, paths: Iterable[str | Path]) -> list[Item]:
    """One item per file (no rule recorded), for the command-line flags ``--tables``/``--figures``/``--records``.

    Records (``diagnostics``) become one item that compares every model. Ids are the file stems, with
    the suffix added when two files share a stem (``employment_exposure``, ``employment_exposure_md``).
    """
    paths = [str(p) for p in paths]
    if not paths:
        return []
    if kind == "diagnostics":
        return [Item(kind="diagnostics", id="diagnostics", path=tuple(paths), title="Design diagnostics")]
    stems = [Path(p).stem for p in paths]
    return [Item(kind=kind, id=stem if stems.count(stem) == 1 or stems.index(stem) == n
                 else f"{stem}_{Path(p).suffix.lstrip('.')}", path=(p,))
            for n, (p, stem) in enumerate(zip(paths, stems))]
