"""Region geometries for maps: GISCO NUTS GeoJSON (or another vector file) in ETRS89-LAEA.

GISCO distributes the NUTS regions as GeoJSON in EPSG:4326
(``NUTS_RG_20M_<year>_4326_LEVL_<level>.geojson``; properties ``NUTS_ID``,
``CNTR_CODE``, ``LEVL_CODE``, ``NUTS_NAME``). The fetch layer writes them as
``results/fetch/nuts<year>_l<level>.geojson`` beside a pin
``<name>.vintage.json`` (ledger entries ``nuts2016_l2`` ... ``nuts2021_l3``).
:func:`read_geometry` returns one row per region with the columns
``region, name, country, level, geometry`` projected to EPSG:3035
(ETRS89-LAEA, the projection of Eurostat's statistical maps).

Local labour systems (SLL): no SLL geometry is in the shared reference data;
ISTAT publishes the SLL 2021 boundaries as a shapefile (key ``COD_SLL``), which
:func:`read_geometry` reads with ``code_field="COD_SLL"`` (any CRS; projected to
LAEA) and :func:`i4districts.figures.maps.choropleth` maps like NUTS regions.

Matching (:func:`match_regions`) never drops a code silently: codes without a
geometry and geometries without a value are both reported.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from i4districts.errors import InputError, first_few
from i4districts.figures.style import EUROGEOGRAPHICS, LAEA

__all__ = [
    "OUTERMOST",
    "OUTERMOST_PREFIXES",
    "GeometryError",
    "RegionMatch",
    "attribution_of",
    "context_regions",
    "match_regions",
    "nuts_version_of",
    "read_geometry",
    "select_geometry",
]

#: NUTS prefixes of the EU's outermost regions (drawn in an inset, never stretching the main map) and their names.
OUTERMOST: dict[str, str] = {"ES70": "Canarias", "FRY": "France: outermost regions", "PT20": "Açores",
                             "PT30": "Madeira"}
OUTERMOST_PREFIXES: tuple[str, ...] = tuple(OUTERMOST)

_NUTS_FIELDS = {"NUTS_ID": "region", "NUTS_NAME": "name", "NAME_LATN": "name_latn",
                "CNTR_CODE": "country", "LEVL_CODE": "level"}
_VERSION_RE = (re.compile(r"NUTS_RG_\w+?_(\d{4})_\d{4}_LEVL", re.I), re.compile(r"nuts[_-]?(\d{4})", re.I))


class GeometryError(InputError):
    """A geometry file that cannot be read or does not fit the values (names the file)."""


@dataclass(frozen=True)
class RegionMatch:
    """How value codes meet geometry codes.

    ``matched``: codes with a value and a geometry; ``unmatched``: codes with a
    value but no geometry (not drawn: listed on the map and in a warning);
    ``missing``: geometries without a value (drawn hatched, "No data").
    """

    matched: tuple[str, ...]
    unmatched: tuple[str, ...]
    missing: tuple[str, ...]
    geometry_version: str | None = None

    def note(self) -> str | None:
        """One line for the map's footnote, or ``None`` when every value has a geometry."""
        if not self.unmatched:
            return None
        version = f"NUTS {self.geometry_version} " if self.geometry_version else ""
        return (f"Not mapped, no {version}geometry for {len(self.unmatched)} code(s): "
                f"{', '.join(self.unmatched[:12])}{' ...' if len(self.unmatched) > 12 else ''}")


def nuts_version_of(path: str | os.PathLike[str]) -> str | None:
    """NUTS version of a GISCO file from its name (``NUTS_RG_20M_2016_...``, ``nuts2016_l3``) or its pin."""
    p = Path(path)
    pin = p.with_name(p.name.split(".")[0] + ".vintage.json")
    names = [p.name]
    if pin.is_file():
        try:
            names.append(str(json.loads(pin.read_text(encoding="utf-8")).get("dataset") or ""))
        except (OSError, ValueError):
            pass
    for name in names:
        for rx in _VERSION_RE:
            m = rx.search(name)
            if m:
                return m.group(1)
    return None


def attribution_of(path: str | os.PathLike[str] | None) -> str:
    """The attribution of a fetched geometry (from its ``.vintage.json`` pin), else :data:`EUROGEOGRAPHICS`."""
    if path is None:
        return EUROGEOGRAPHICS
    p = Path(path)
    pin = p.with_name(p.name.split(".")[0] + ".vintage.json")
    if pin.is_file():
        try:
            text = json.loads(pin.read_text(encoding="utf-8")).get("attribution")
        except (OSError, ValueError):
            text = None
        if text:
            return str(text)
    return EUROGEOGRAPHICS


def read_geometry(path: str | os.PathLike[str], *, code_field: str | None = None,
                  name_field: str | None = None) -> "geopandas.GeoDataFrame":  # noqa: F821
    """Read a vector file of regions as ``region, name, country, level, geometry`` in EPSG:3035.

    GISCO NUTS files are recognised by ``NUTS_ID``; other files (an SLL
    shapefile) need ``code_field`` (and optionally ``name_field``); their
    ``country``/``level`` are ``None``. The CRS must be declared in the file.
    """
    import geopandas as gpd

    p = Path(path)
    if not p.is_file():
        raise GeometryError(f"{p}: geometry file not found "
                            "(fetch it, e.g. `i4d fetch get nuts2016_l3 -o results/fetch`)")
    try:
        raw = gpd.read_file(p)
    except Exception as exc:  # pyogrio raises its own error classes
        raise GeometryError(f"{p}: not a readable vector file ({type(exc).__name__}: {exc})") from None
    if raw.crs is None:
        raise GeometryError(f"{p}: the file declares no coordinate reference system")
    if code_field is None:
        props = [c for c in raw.columns if c != "geometry"]
        if "NUTS_ID" not in raw.columns:
            raise GeometryError(f"{p}: no 'NUTS_ID' property (not a GISCO NUTS file); give the code field "
                                f"(e.g. code_field='COD_SLL'); properties are {props}")
        out = pd.DataFrame({"region": raw["NUTS_ID"].astype(str)})
        name = raw["NAME_LATN"] if "NAME_LATN" in raw.columns else raw.get("NUTS_NAME")
        out["name"] = name.astype(str) if name is not None else out["region"]
        out["country"] = (raw["CNTR_CODE"] if "CNTR_CODE" in raw.columns else raw["NUTS_ID"].str[:2]).astype(str)
        out["level"] = (pd.to_numeric(raw["LEVL_CODE"]) if "LEVL_CODE" in raw.columns
                        else raw["NUTS_ID"].str.len() - 2).astype("int64")
    else:
        if code_field not in raw.columns:
            raise GeometryError(f"{p}: code field {code_field!r} not found; properties are "
                                f"{[c for c in raw.columns if c != 'geometry']}")
        out = pd.DataFrame({"region": raw[code_field].astype(str)})
        out["name"] = raw[name_field].astype(str) if name_field else out["region"]
        out["country"] = None
        out["level"] = pd.array([pd.NA] * len(out), dtype="Int64")
    dup = out["region"].duplicated(keep=False)
    if dup.any():
        raise GeometryError(f"{p}: region code(s) appear more than once: {first_few(out.loc[dup, 'region'].unique())}")
    gdf = gpd.GeoDataFrame(out, geometry=raw.geometry.values, crs=raw.crs).to_crs(LAEA)
    gdf.attrs["source"] = str(p)
    gdf.attrs["nuts_version"] = nuts_version_of(p)
    gdf.attrs["attribution"] = attribution_of(p)
    return gdf


def select_geometry(geometries: Sequence["geopandas.GeoDataFrame"], codes: Iterable[str], *,  # noqa: F821
                    countries: Iterable[str] | None = None,
                    level: int | None = None) -> "geopandas.GeoDataFrame":  # noqa: F821
    """The target regions for ``codes``: the file whose codes match best, restricted to countries × level.

    ``level`` and ``countries`` default to those of the NUTS codes (level =
    length − 2, country = first two letters). Returns the geometries of every
    region of those countries at that level (so that regions without a value
    are shown as missing). Raises :class:`GeometryError` when no file holds
    any of the codes.
    """
    codes = pd.Index(pd.unique(pd.Series(list(codes), dtype=object).astype(str)))
    if level is None:
        lengths = codes.str.len().value_counts()
        level = int(lengths.index[0]) - 2 if len(lengths) else None
    if countries is None:
        countries = sorted(set(codes.str[:2]))
    countries = [str(c) for c in countries]
    best, best_hits = None, -1
    for gdf in geometries:
        sub = gdf
        if level is not None and sub["level"].notna().all():
            sub = sub[sub["level"] == level]
        if sub["country"].notna().all():
            sub = sub[sub["country"].isin(countries)]
        hits = int(sub["region"].isin(codes).sum())
        if hits > best_hits:
            best, best_hits = sub, hits
    sources = [g.attrs.get("source", "?") for g in geometries]
    if best is None or best_hits <= 0:
        versions = sorted({str(g.attrs.get("nuts_version")) for g in geometries})
        raise GeometryError(
            f"{', '.join(sources)}: none of the {len(codes)} region code(s) {first_few(codes)} has a geometry "
            f"at NUTS level {level} for countries {countries} (geometry NUTS version(s) {versions}); check the "
            "table's NUTS version and level, or convert it with `i4d data nuts-convert`")
    out = best.copy()
    out.attrs = dict(best.attrs)
    return out.reset_index(drop=True)


def match_regions(codes: Iterable[str], geometries: "geopandas.GeoDataFrame", *,  # noqa: F821
                  table: str = "values", warn: bool = True) -> RegionMatch:
    """Compare value codes with geometry codes; warn (listing them) about values without a geometry."""
    vals = list(dict.fromkeys(str(c) for c in codes))
    geo = list(dict.fromkeys(geometries["region"].astype(str)))
    geo_set, val_set = set(geo), set(vals)
    matched = tuple(c for c in vals if c in geo_set)
    unmatched = tuple(sorted(c for c in vals if c not in geo_set))
    missing = tuple(sorted(c for c in geo if c not in val_set))
    version = geometries.attrs.get("nuts_version")
    source = geometries.attrs.get("source", "geometry")
    if not matched:
        raise GeometryError(f"{table}: none of its {len(vals)} region code(s) {first_few(vals)} is in {source} "
                            f"(NUTS {version or 'version unknown'}; codes there: {first_few(geo)})")
    m = RegionMatch(matched, unmatched, missing, version)
    if unmatched and warn:
        warnings.warn(f"{table}: {len(unmatched)} region code(s) have no geometry in {source} "
                      f"(NUTS {version or 'version unknown'}) and are not drawn: {first_few(unmatched, 20)}",
                      stacklevel=2)
    return m


def context_regions(geometries: Sequence["geopandas.GeoDataFrame"], target: "geopandas.GeoDataFrame",  # noqa: F821
                    *, margin: float = 0.25) -> "geopandas.GeoDataFrame | None":  # noqa: F821
    """Neighbouring land (grey background): other countries' regions, clipped to the map's view, one shape per country.

    ``margin`` widens the target's bounding box by that fraction of its larger side.
    """
    import geopandas as gpd
    import shapely

    if target.empty:
        return None
    x0, y0, x1, y1 = target.total_bounds
    pad = margin * max(x1 - x0, y1 - y0)
    view = shapely.box(x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    own = set(target["region"])
    parts = []
    for gdf in geometries:
        others = gdf[~gdf["region"].isin(own)]
        if others["country"].notna().all() and target["country"].notna().all():
            others = others[~others["country"].isin(set(target["country"]))]
        parts.append(others)
    if not parts:
        return None
    allc = pd.concat(parts, ignore_index=True)
    allc = gpd.GeoDataFrame(allc, geometry="geometry", crs=target.crs)
    # the coarsest level present is enough for a background
    if allc["level"].notna().all() and len(allc):
        allc = allc[allc["level"] == allc["level"].min()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clipped = allc.clip(view)
    clipped = clipped[~clipped.geometry.is_empty]
    if clipped.empty:
        return None
    key = "country" if clipped["country"].notna().all() else "region"
    out = clipped[[key, "geometry"]].dissolve(by=key).reset_index()
    return out.sort_values(key).reset_index(drop=True)
