"""Offline mirror: serve requests from files on disk, never from the network.

The index (``mirror_index.yaml`` in this package, or a YAML file given
explicitly) maps a request URL to a path relative to the mirror directory.
Recorded ``requests`` calls (JSON with a base64 body) are decoded and their
recorded URL must equal the request URL.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from i4districts.fetch.errors import FetchError, ParseError
from i4districts.fetch.httpclient import HttpResponse
from i4districts.fetch.request import Request
from i4districts.safeyaml import load_yaml

CONTAINERS = ("raw", "recorded-json")


@dataclass(frozen=True)
class MirrorEntry:
    url: str
    path: str
    container: str = "raw"
    accept: str | None = None
    content_type: str = ""
    note: str = ""


def load_index(path: Path | None = None) -> list[MirrorEntry]:
    """Entries of a mirror index (default: the packaged ``mirror_index.yaml``)."""
    if path is None:
        text = resources.files("i4districts.fetch").joinpath("mirror_index.yaml").read_text()
        doc = load_yaml(text, source="mirror_index.yaml", error=ParseError)
        where = "mirror_index.yaml"
    else:
        doc = load_yaml(Path(path), error=ParseError)
        where = str(path)
    doc = doc or {}
    entries = []
    for i, raw in enumerate(doc.get("entries", [])):
        missing = [k for k in ("url", "path") if k not in raw]
        if missing:
            raise ParseError(f"{where}: entry {i} lacks {missing}")
        if raw.get("container", "raw") not in CONTAINERS:
            raise ParseError(f"{where}: entry {i} container {raw.get('container')!r} not in {CONTAINERS}")
        if Path(raw["path"]).is_absolute() or ".." in Path(raw["path"]).parts:
            raise ParseError(f"{where}: entry {i} path {raw['path']!r} must stay inside the mirror")
        entries.append(MirrorEntry(**{k: raw[k] for k in raw if k in MirrorEntry.__dataclass_fields__}))
    return entries


class Mirror:
    """A mirror directory plus its index."""

    def __init__(self, root: Path, index: list[MirrorEntry] | None = None) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise FetchError(f"mirror directory {self.root} does not exist (I4D_MIRROR / --mirror)")
        self.entries = load_index() if index is None else index

    def find(self, request: Request) -> MirrorEntry | None:
        for e in self.entries:
            if e.url == request.url and (e.accept is None or e.accept == request.accept):
                return e
        return None

    def response(self, request: Request) -> HttpResponse | None:
        """The mirrored response for ``request``, or None when not mirrored."""
        entry = self.find(request)
        if entry is None:
            return None
        path = self.root / entry.path
        if not path.is_file():
            raise FetchError(f"mirror index maps {request.url} to {path}, which is missing")
        data = path.read_bytes()
        if entry.container == "raw":
            return HttpResponse(url=request.url, status=200,
                                headers={"Content-Type": entry.content_type}, body=data)
        rec = json.loads(data)
        if rec.get("url") != request.url:
            raise FetchError(f"{path}: recorded URL {rec.get('url')!r} differs from {request.url!r}")
        return HttpResponse(
            url=request.url,
            status=int(rec["status_code"]),
            headers=dict(rec.get("headers", {})),
            body=base64.b64decode(rec["_content"]),
        )
