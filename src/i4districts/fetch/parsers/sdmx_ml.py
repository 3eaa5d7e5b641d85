"""SDMX-ML 2.1 data messages: StructureSpecificData and GenericData.

Also recognises Eurostat's asynchronous-delivery footer (``footer:Message
code="413"``: "the response will be written to a file ... URL"), which is not
data and must be polled, see :func:`find_async_footer`.

Reference: SDMX 2.1 Technical Standards, Section 3A "SDMX-ML" (sdmx.org, 2011).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

import pandas as pd

from i4districts.fetch.errors import ParseError
from i4districts.fetch.parsers.common import FLAG_ATTRIBUTES, parse_value, tidy_frame
from i4districts.fetch.safety import parse_xml

#: Series/obs attributes that are not dimensions (when no DSD is at hand).
KNOWN_ATTRIBUTES = frozenset(
    {
        *FLAG_ATTRIBUTES,
        "UNIT_MULT", "DECIMALS", "TITLE", "TIME_FORMAT", "UNIT_MEASURE", "OBS_CONF",
        "OBS_PRE_BREAK", "COMMENT_OBS", "COMMENT_TS", "EMBARGO_TIME", "BASE_PER",
        "NOTE_DS", "COLL_METHOD", "OBS_VALUE",
    }
)
_URL_RE = re.compile(r"https?://\S+")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: Element, name: str) -> list[Element]:
    return [c for c in el if _local(c.tag) == name]


def _descendants(el: Element, name: str) -> list[Element]:
    return [c for c in el.iter() if _local(c.tag) == name]


@dataclass(frozen=True)
class AsyncFooter:
    """Eurostat's 413 footer: the data will appear at ``url`` (or under ``key``)."""

    code: str
    url: str | None
    key: str | None
    text: str


def find_async_footer(root: Element) -> AsyncFooter | None:
    """Return the asynchronous-delivery notice of a message, if any."""
    for msg in _descendants(root, "Footer"):
        for m in _children(msg, "Message"):
            if m.get("code") != "413":
                continue
            texts = [t.text or "" for t in m.iter() if _local(t.tag) == "Text"]
            joined = " ".join(texts)
            urls = _URL_RE.findall(joined)
            url = urls[-1] if urls else None
            key = url.rstrip("/").rsplit("/", 1)[-1] if url else None
            if url is None:  # new async API: the footer carries only the key
                cand = [
                    t.strip() for t in texts
                    if re.fullmatch(r"[A-Za-z0-9_-]{8,}", t.strip()) and re.search(r"\d", t)
                ]
                key = cand[0] if cand else None
            return AsyncFooter(code="413", url=url, key=key, text=joined)
    return None


def _time_dim(root: Element) -> str:
    for s in _descendants(root, "Structure"):
        dao = s.get("dimensionAtObservation")
        if dao:
            return "TIME_PERIOD" if dao == "AllDimensions" else dao
    return "TIME_PERIOD"


def _split_attrs(attrs: dict[str, str], dims: list[str], row: dict) -> None:
    for k, v in attrs.items():
        if "}" in k:  # namespaced attributes (xsi:type ...)
            continue
        if k in FLAG_ATTRIBUTES:
            row[FLAG_ATTRIBUTES[k]] = v
        elif k not in KNOWN_ATTRIBUTES:
            row[k] = v
            if k not in dims:
                dims.append(k)


def _structure_specific(root: Element, what: str) -> pd.DataFrame:
    tdim = _time_dim(root)
    dims: list[str] = []
    rows: list[dict] = []
    for ds in _descendants(root, "DataSet"):
        for series in _children(ds, "Series"):
            base: dict = {}
            _split_attrs(dict(series.attrib), dims, base)
            for obs in _children(series, "Obs"):
                rows.append(_ss_obs(obs, base, tdim, dims, what))
        for obs in _children(ds, "Obs"):  # dimensionAtObservation=AllDimensions
            rows.append(_ss_obs(obs, {}, tdim, dims, what))
    return tidy_frame(rows, [d for d in dims if d != tdim], what=what)


def _ss_obs(obs: Element, base: dict, tdim: str, dims: list[str], what: str) -> dict:
    attrs = dict(obs.attrib)
    row = dict(base)
    if tdim not in attrs:
        raise ParseError(f"{what}: observation without {tdim}: {attrs}")
    row["time"] = attrs.pop(tdim)
    row["value"] = parse_value(attrs.pop("OBS_VALUE", None), what=what)
    _split_attrs(attrs, dims, row)
    return row


def _generic(root: Element, what: str) -> pd.DataFrame:
    dims: list[str] = []
    rows: list[dict] = []
    for ds in _descendants(root, "DataSet"):
        for series in _children(ds, "Series"):
            base: dict = {}
            for key in _children(series, "SeriesKey"):
                for v in _children(key, "Value"):
                    if not v.get("id"):
                        raise ParseError(f"{what}: SDMX-ML generic SeriesKey Value without an id: {dict(v.attrib)}")
                    base[v.get("id")] = v.get("value")
                    if v.get("id") not in dims:
                        dims.append(v.get("id"))
            for att in _children(series, "Attributes"):
                for v in _children(att, "Value"):
                    if v.get("id") in FLAG_ATTRIBUTES:
                        base[FLAG_ATTRIBUTES[v.get("id")]] = v.get("value")
            for obs in _children(series, "Obs"):
                row = dict(base)
                od = _children(obs, "ObsDimension")
                if not od:
                    raise ParseError(f"{what}: generic observation without ObsDimension")
                row["time"] = od[0].get("value")
                ov = _children(obs, "ObsValue")
                row["value"] = parse_value(ov[0].get("value") if ov else None, what=what)
                for att in _children(obs, "Attributes"):
                    for v in _children(att, "Value"):
                        if v.get("id") in FLAG_ATTRIBUTES:
                            row[FLAG_ATTRIBUTES[v.get("id")]] = v.get("value")
                rows.append(row)
    return tidy_frame(rows, dims, what=what)


def parse_sdmx_ml(data: bytes, *, what: str) -> pd.DataFrame:
    """Tidy table of an SDMX-ML 2.1 StructureSpecificData or GenericData message."""
    root = parse_xml(data, what=what)
    kind = _local(root.tag)
    if kind == "Error" or _descendants(root, "ErrorMessage"):
        texts = " ".join(t.text or "" for t in root.iter() if _local(t.tag) == "Text")
        raise ParseError(f"{what}: SDMX error message: {texts.strip()[:300]}")
    if find_async_footer(root) is not None and not _descendants(root, "Series"):
        raise ParseError(f"{what}: asynchronous-delivery footer (413), not data")
    if not _descendants(root, "DataSet"):
        raise ParseError(f"{what}: {kind} message has no DataSet element")
    if kind == "StructureSpecificData":
        return _structure_specific(root, what)
    if kind == "GenericData":
        return _generic(root, what)
    raise ParseError(f"{what}: unsupported SDMX-ML message type {kind!r}")
