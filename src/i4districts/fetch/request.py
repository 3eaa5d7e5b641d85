"""A request is a URL plus an ``Accept`` header; its hash names the vintage folder."""

from __future__ import annotations

import json
from dataclasses import dataclass

from i4districts.io import sha256_bytes


@dataclass(frozen=True)
class Request:
    """One GET request. ``query_hash`` = first 16 hex of sha256 of ``{"accept","url"}`` as JSON."""

    url: str
    accept: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Accept": self.accept} if self.accept else {}

    @property
    def query_hash(self) -> str:
        canon = json.dumps({"accept": self.accept, "url": self.url}, sort_keys=True)
        return sha256_bytes(canon.encode())[:16]

    def as_record(self) -> dict[str, str | None]:
        return {"url": self.url, "accept": self.accept}
