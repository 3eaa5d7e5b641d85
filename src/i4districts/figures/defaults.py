"""Values for a map from a pipeline table, and the default maps of a run.

:func:`map_values` reduces a tidy table to one value per region (filters
``column=value``, a year or the latest year). :func:`default_maps` draws the
maps of a run directory ``results/<scenario>`` with fixed names:

=============================  ==========================================================
file stem                      what (input below the run directory)
=============================  ==========================================================
``map_lq_manufacturing``       location quotient of manufacturing (NACE C), latest year
                               (``indicators/specialization.parquet``)
``map_district_class``         SLL 2021 class with the largest share of province
                               employment, ISTAT, categorical (``data/district_shares.parquet``)
``map_made_in_italy_share``    share of province employment in "Made in Italy" SLLs
                               (``data/district_summary.parquet``)
``map_exposure``               I4.0 exposure: base-year shares x sector adoption
                               (``data/exposure.parquet``)
``map_polarization``           education polarization index, start-end, NUTS-2, LFS
                               (``indicators/education_polarization.parquet``)
=============================  ==========================================================

A map whose input is absent, or whose data the run cannot have (no sector C
in an A*10 sector set), is skipped and listed; any other input that cannot be
mapped is an error. Sources printed under each map are the
``Source:``/``Fonte:`` provenance notes of its input; a table resting on
synthetic adoption data gets "(illustrative adoption data)" in its title.
A manifest ``maps.json`` lists every map with its matched, unmatched and
missing regions and the NUTS version of the geometry.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from i4districts import io
from i4districts.errors import InputError, first_few
from i4districts.figures.geometry import context_regions, select_geometry
from i4districts.figures.maps import choropleth
from i4districts.figures.style import EUROGEOGRAPHICS, save_figure

__all__ = ["DEFAULT_MAPS", "ILLUSTRATIVE_MARK", "MapSpec", "default_maps", "draw_map", "map_values", "source_lines"]

ILLUSTRATIVE_MARK = "illustrative adoption data"
DISTRICT_CLASS_LABELS = {"A": "A  Made in Italy", "B": "B  Heavy industry", "C": "C  Non-manufacturing",
                         "D": "D  Not specialised"}
DISTRICT_CLASS_COLORS = {"A": "#d95f02", "B": "#7570b3", "C": "#66a61e", "D": "#e6ab02"}


def map_values(df: pd.DataFrame, *, column: str = "value", filters: Mapping[str, str] | None = None,
               year: str | int | None = "latest", region: str = "region",
               table: str = "table") -> tuple[pd.DataFrame, dict[str, Any]]:
    """One row per region, ``region`` and ``value``: ``df`` filtered by ``filters`` (``column == text``)
    and ``year`` (``"latest"``, an int, or ``None`` to keep every year).

    Returns the values and what was selected (``year``, ``filters``, ``unit``).
    Raises :class:`InputError` naming the column or the values when nothing is
    left, or when a region still has several rows.
    """
    for c in (region, column):
        if c not in df.columns:
            raise InputError(f"{table}: column {c!r} not found; columns are {list(df.columns)}")
    out = df
    for key, val in (filters or {}).items():
        if key not in out.columns:
            raise InputError(f"{table}: filter column {key!r} not found; columns are {list(out.columns)}")
        keep = out[key].astype(str) == str(val)
        if not keep.any():
            values = first_few(sorted(out[key].astype(str).unique()), 12)
            raise InputError(f"{table}: no row with {key} = {val!r}; values are {values}")
        out = out[keep]
    info: dict[str, Any] = {"filters": dict(filters or {}), "year": None}
    if year is not None and "year" in out.columns:
        years = pd.to_numeric(out["year"], errors="coerce")
        chosen = int(years.max()) if str(year) == "latest" else int(year)
        if not (years == chosen).any():
            have = first_few(sorted(years.dropna().unique().astype(int)), 12)
            raise InputError(f"{table}: no row for year {chosen}; years are {have}")
        out = out[years == chosen]
        info["year"] = chosen
    dup = out[region].astype(str).duplicated(keep=False)
    if dup.any():
        others = [c for c in out.columns if c not in (region, column) and out.loc[dup, c].nunique() > 1]
        raise InputError(f"{table}: several rows per region, e.g. {first_few(out.loc[dup, region].unique())}; "
                         f"select one with --filter on {others or 'a key column'} (or --year)")
    if "unit" in out.columns and out["unit"].nunique() == 1:
        info["unit"] = str(out["unit"].iloc[0])
    vals = pd.DataFrame({"region": out[region].astype(str).to_numpy(), "value": out[column].to_numpy()})
    return vals, info


def source_lines(path: str | os.PathLike[str]) -> tuple[str | None, bool]:
    """The ``Source:``/``Fonte:`` notes of a Parquet table (one line) and whether it is illustrative."""
    try:
        notes = io.read_notes(path)
    except Exception:  # a table without notes (or not Parquet)
        return None, False
    src = [n for n in notes if n.startswith(("Source:", "Fonte:"))]
    illustrative = any(ILLUSTRATIVE_MARK in n for n in notes)
    return ("; ".join(src) if src else None), illustrative


@dataclass(frozen=True)
class MapSpec:
    """One default map: its file, how to get one value per region, and how to draw it."""

    stem: str
    path: str
    title: str
    legend_title: str
    values: Callable[[pd.DataFrame, str], tuple[pd.DataFrame, dict[str, Any]]]
    draw: Mapping[str, Any] = field(default_factory=dict)


class _Skip(Exception):
    """A default map that the run's data cannot have (e.g. no manufacturing in the sector set)."""


def _lq(df: pd.DataFrame, table: str):
    if "sector" in df.columns and not (df["sector"].astype(str) == "C").any():
        raise _Skip("no sector C (manufacturing) in the table: the run's sector set does not split C out of B-E")
    return map_values(df, filters={"indicator": "lq", "sector": "C"}, year="latest", table=table)


def _dominant_class(df: pd.DataFrame, table: str):
    need = ["region", "level", "class", "share"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise InputError(f"{table}: missing column(s) {missing}")
    cls = df[df["level"].astype(str) == "class"]
    if cls.empty:
        raise InputError(f"{table}: no row with level = 'class'")
    cls = cls.sort_values(["region", "share", "class"], ascending=[True, False, True])
    top = cls.drop_duplicates("region")
    info: dict[str, Any] = {"nuts_version": int(df["nuts_version"].iloc[0]) if "nuts_version" in df.columns else None}
    vals = pd.DataFrame({"region": top["region"].astype(str).to_numpy(), "value": top["class"].astype(str).to_numpy()})
    return vals, info


def _made_in_italy(df: pd.DataFrame, table: str):
    return map_values(df, column="made_in_italy_share", year=None, table=table)


def _exposure(df: pd.DataFrame, table: str):
    vals, info = map_values(df, column="exposure", year="latest", table=table)
    if "year" in df.columns and (df.groupby("region")["exposure"].nunique(dropna=True) <= 1).all():
        info["year"] = None  # a cross-sectional exposure, the same in every year: no year in the title
    return vals, info


def _polarization(df: pd.DataFrame, table: str):
    vals, info = map_values(df, column="polarization_index", year=None, table=table)
    if "start" in df.columns and "end" in df.columns:
        info["period"] = f"{int(df['start'].iloc[0])}\u2013{int(df['end'].iloc[0])}"
    return vals, info


DEFAULT_MAPS: tuple[MapSpec, ...] = (
    MapSpec("map_lq_manufacturing", "indicators/specialization.parquet",
            "Manufacturing location quotient (NACE C), {year}",
            "Location quotient of employment (1 = national share)", _lq,
            {"scheme": "userdefined", "bins": (0.5, 0.8, 1.0, 1.25, 1.5, 2.0), "center": 1.0, "cmap": "RdBu_r"}),
    MapSpec("map_district_class", "data/district_shares.parquet",
            "Local labour systems: prevailing specialisation with the largest share of province employment",
            "SLL 2021 class (ISTAT)", _dominant_class,
            {"scheme": "categorical", "categories": ("A", "B", "C", "D"), "category_labels": DISTRICT_CLASS_LABELS,
             "category_colors": DISTRICT_CLASS_COLORS}),
    MapSpec("map_made_in_italy_share", "data/district_summary.parquet",
            "Share of province employment in \u201cMade in Italy\u201d local labour systems",
            "Share of persons employed (ISTAT SLL 2021 class A)", _made_in_italy,
            {"scheme": "fisherjenks", "k": 5, "cmap": "Oranges"}),
    MapSpec("map_exposure", "data/exposure.parquet",
            "Industry 4.0 exposure: base-year sector shares \u00d7 sector adoption, {year}",
            "Exposure, {unit}", _exposure, {"scheme": "quantiles", "k": 5, "cmap": "YlGnBu"}),
    MapSpec("map_polarization", "indicators/education_polarization.parquet",
            "Education polarization of employment, {period}",
            "Polarization index, percentage points: min(\u0394low, \u0394high) \u2212 \u0394middle", _polarization,
            {"scheme": "fisherjenks", "k": 5, "center": 0.0, "cmap": "RdBu_r"}),
)


def draw_map(values: pd.DataFrame, geometries: Sequence, *, countries: Sequence[str] | None = None,
             context: bool = True, table: str = "values", **kw: Any):
    """Select the target regions for ``values`` among ``geometries`` (files read with
    :func:`~i4districts.figures.geometry.read_geometry`), add neighbouring land and draw
    :func:`~i4districts.figures.maps.choropleth`. Returns the Figure."""
    target = select_geometry(geometries, values["region"], countries=countries)
    ctx = context_regions(geometries, target) if context else None
    kw.setdefault("attribution", target.attrs.get("attribution") or EUROGEOGRAPHICS)
    return choropleth(values, target, context_regions=ctx, table=table, **kw)


def _fill(text: str, info: Mapping[str, Any]) -> str:
    try:
        return text.format(**{k: ("" if v is None else v) for k, v in info.items()})
    except (KeyError, IndexError):
        return text


def default_maps(results: str | os.PathLike[str], geometries: Sequence, out_dir: str | os.PathLike[str], *,
                 countries: Sequence[str] | None = None, only: Sequence[str] | None = None,
                 ) -> dict[str, Any]:
    """Draw every map of :data:`DEFAULT_MAPS` whose input exists below ``results``; write ``maps.json``.

    ``countries`` defaults to the countries of the specialization table (so a
    polarization table for IT and ES is mapped for the run's country only).
    Returns the manifest (also written to ``<out_dir>/maps.json``).
    """
    root = Path(results)
    out = Path(out_dir)
    specs = [s for s in DEFAULT_MAPS if only is None or s.stem in only]
    if only is not None:
        unknown = sorted(set(only) - {s.stem for s in DEFAULT_MAPS})
        if unknown:
            raise InputError(f"default maps: unknown map(s) {unknown}; known: {[s.stem for s in DEFAULT_MAPS]}")
    if countries is None:
        for rel in ("indicators/specialization.parquet", "data/exposure.parquet"):
            if (root / rel).is_file():
                regions = pd.read_parquet(root / rel, columns=["region"])["region"].astype(str)
                countries = sorted(set(regions.str[:2]))
                break
    manifest: dict[str, Any] = {"results": str(root), "countries": list(countries or []), "maps": {}, "skipped": {}}
    for spec in specs:
        path = root / spec.path
        if not path.is_file():
            manifest["skipped"][spec.stem] = f"input {spec.path} not found"
            continue
        df = io.read_parquet(path)
        try:
            vals, info = spec.values(df, str(path))
        except _Skip as why:
            manifest["skipped"][spec.stem] = str(why)
            continue
        if countries:
            keep = vals["region"].str[:2].isin(set(countries))
            if not keep.any():
                raise InputError(f"{path}: no region of countries {list(countries)}")
            vals = vals[keep]
        if "unit" not in info:
            info["unit"] = "" if "{unit}" not in spec.legend_title else "value"
        source, illustrative = source_lines(path)
        title = _fill(spec.title, info).rstrip(", ")
        if illustrative:
            title += f" ({ILLUSTRATIVE_MARK})"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig = draw_map(vals, geometries, countries=countries, title=title,
                           legend_title=_fill(spec.legend_title, info), source=source, table=str(path), **spec.draw)
        match = fig.i4d_match
        written = save_figure(fig, out / spec.stem)
        manifest["maps"][spec.stem] = {
            "files": [p.name for p in written], "input": spec.path, "title": title, **{k: v for k, v in info.items()
                                                                                     if k != "filters"},
            "geometry_nuts_version": match.geometry_version, "matched": len(match.matched),
            "unmatched": list(match.unmatched), "no_data": list(match.missing),
            "warnings": [str(w.message) for w in caught],
        }
    if all(not (root / s.path).is_file() for s in specs):
        raise InputError(f"{root}: no input for any default map ({', '.join(s.path for s in specs)})")
    io.write_json(manifest, out / "maps.json")
    return manifest
