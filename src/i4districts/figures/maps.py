"""Choropleth maps of regional values on GISCO NUTS (or SLL) geometries.

:func:`classify` puts the values into classes with
`mapclassify <https://pysal.org/mapclassify/>`_ (Rey, Arribas-Bel & Wolf 2023,
*Geographic Data Science with Python*, ch. 5): ``quantiles`` (equal counts),
``fisherjenks`` (Fisher 1958 optimal breaks: minimal within-class variance),
``equalinterval``, ``naturalbreaks``, ``userdefined`` (``bins`` = upper class
bounds, the maximum added when it exceeds them) or ``categorical`` (one class
per category, for codes such as a district class).

:func:`choropleth` draws the classes in ETRS89-LAEA (EPSG:3035), regions
without a value hatched (``///``, legend entry "No data"), neighbouring
countries in grey, the outermost regions (Canarias, Açores, Madeira, the
French overseas regions) in an inset, a legend of class bounds with the
number of regions per class, and the GISCO attribution
("© EuroGeographics for the administrative boundaries") inside the map axes.
Class colours come from ``cmap``; with ``center`` (e.g. 1 for location
quotients, 0 for changes) a diverging map is centred there: each class gets
the colour of its midpoint under a two-slope normalisation.

Artists carry ids (``gid``) that tests and SVG readers can find:
``regions``, ``no-data``, ``context``, ``attribution``, ``legend``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from i4districts.errors import InputError, first_few
from i4districts.figures.geometry import OUTERMOST, OUTERMOST_PREFIXES, GeometryError, match_regions
from i4districts.figures.style import EUROGEOGRAPHICS, LAEA, figure_style

__all__ = ["SCHEMES", "Classes", "choropleth", "classify", "format_bound"]

SCHEMES: tuple[str, ...] = ("quantiles", "fisherjenks", "equalinterval", "naturalbreaks", "userdefined",
                            "categorical")
_MC_NAMES = {"quantiles": "Quantiles", "fisherjenks": "FisherJenks", "equalinterval": "EqualInterval",
             "naturalbreaks": "NaturalBreaks", "userdefined": "UserDefined"}
NO_DATA = "No data"
_EDGE = "#a6a6a6"
_CONTEXT = "#e4e4e4"
_HATCH_EDGE = "#8a8a8a"


@dataclass(frozen=True)
class Classes:
    """Classes of the values: ``codes`` (class index per value, aligned with the input), ``labels``,
    ``colors`` (RGBA per class), ``counts`` and, for numeric schemes, ``bins`` (upper bounds)."""

    codes: np.ndarray
    labels: tuple[str, ...]
    colors: tuple[tuple[float, float, float, float], ...]
    counts: tuple[int, ...]
    bins: tuple[float, ...] | None
    scheme: str


def format_bound(x: float, step: float) -> str:
    """A class bound with two significant digits of the narrowest class width ``step`` (minus sign: U+2212)."""
    if not math.isfinite(x):
        return str(x)
    mag = abs(step) if step and math.isfinite(step) and step > 0 else abs(x)
    decimals = 0 if mag == 0 else max(0, 1 - int(math.floor(math.log10(mag))))
    decimals = min(decimals, 6)
    text = f"{x:,.{decimals}f}"
    return "0" if text in ("-0", "-0.0", "-0.00") else text.replace("-", "\u2212")


def _numeric_labels(y: np.ndarray, bins: np.ndarray, counts: Sequence[int]) -> tuple[str, ...]:
    widths = np.diff(np.concatenate([[np.nanmin(y)], bins]))
    pos = widths[np.isfinite(widths) & (widths > 0)]
    step = float(pos.min()) if len(pos) else float(abs(bins[-1]) or 1.0)
    out = []
    lo = float(np.nanmin(y))
    for i, hi in enumerate(bins):
        lower = lo if i == 0 else float(bins[i - 1])
        if i == 0 and lower > hi:
            text = f"\u2264 {format_bound(hi, step)}"
        else:
            sep = " to " if lower < 0 else " \u2013 "
            text = f"{format_bound(lower, step)}{sep}{format_bound(float(hi), step)}"
        out.append(f"{text}  ({counts[i]})")
    return tuple(out)


def _class_colors(n: int, cmap, *, midpoints: np.ndarray | None = None, center: float | None = None,
                  vmin: float | None = None, vmax: float | None = None):
    import matplotlib
    from matplotlib.colors import TwoSlopeNorm

    cm = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    if center is not None and midpoints is not None and vmin is not None and vmax is not None:
        lo, hi = min(vmin, center - 1e-12), max(vmax, center + 1e-12)
        norm = TwoSlopeNorm(vcenter=center, vmin=lo, vmax=hi)
        pos = np.clip(np.asarray(norm(midpoints), dtype=float), 0.0, 1.0)
        # keep the extremes of the ramp off pure white/black
        pos = 0.06 + 0.88 * pos
    elif n == 1:
        pos = np.array([0.6])
    else:
        pos = np.linspace(0.12, 0.95, n)
    return tuple(tuple(float(c) for c in cm(p)) for p in pos)


def classify(values: pd.Series, *, scheme: str = "quantiles", k: int = 5, bins: Sequence[float] | None = None,
             cmap: str | None = None, center: float | None = None, categories: Sequence[str] | None = None,
             category_labels: Mapping[str, str] | None = None,
             category_colors: Mapping[str, str] | None = None) -> Classes:
    """Class codes, legend labels and colours of ``values`` (module docstring for the schemes).

    Numeric labels read ``lower – upper  (count)``; class ``i`` holds
    ``bins[i-1] < y <= bins[i]`` (mapclassify's convention), the first class
    starting at the minimum. ``center`` chooses a diverging colouring.
    """
    if scheme not in SCHEMES:
        raise InputError(f"map: unknown classification scheme {scheme!r}; choose one of {list(SCHEMES)}")
    if scheme == "categorical":
        cats = pd.Series(values).astype(object).where(pd.Series(values).notna(), None)
        present = [c for c in pd.unique(cats.dropna().astype(str))]
        order = list(categories) if categories is not None else sorted(present)
        extra = [c for c in present if c not in order]
        if extra:
            raise InputError(f"map: value(s) {first_few(extra)} are not among the categories {first_few(order)}")
        index = {c: i for i, c in enumerate(order)}
        codes = np.array([index[str(c)] for c in cats.dropna().astype(str)], dtype=int)
        counts = tuple(int((codes == i).sum()) for i in range(len(order)))
        labels = tuple(f"{(category_labels or {}).get(c, c)}  ({counts[i]})" for i, c in enumerate(order))
        if category_colors:
            from matplotlib.colors import to_rgba

            missing = [c for c in order if c not in category_colors]
            if missing:
                raise InputError(f"map: no colour given for categories {first_few(missing)}")
            colors = tuple(tuple(float(x) for x in to_rgba(category_colors[c])) for c in order)
        else:
            import matplotlib

            cm = matplotlib.colormaps[cmap or ("Set2" if len(order) <= 8 else "tab20")]
            m = cm.N if cm.N < 256 else len(order)
            colors = tuple(tuple(float(x) for x in cm(i % m if cm.N < 256 else i / max(1, len(order) - 1)))
                           for i in range(len(order)))
        return Classes(codes, labels, colors, counts, None, scheme)

    import mapclassify  # imported here: it is slow to import (numba compiles Fisher-Jenks on import)

    y = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(dtype=float)
    if len(y) == 0:
        raise InputError("map: no numeric value to classify")
    if scheme == "userdefined":
        if not bins:
            raise InputError("map: scheme 'userdefined' needs bins (upper class bounds)")
        mc = mapclassify.UserDefined(y, bins=sorted(float(b) for b in bins))
    else:
        n_unique = len(np.unique(y))
        kk = max(1, min(int(k), n_unique))
        if n_unique == 1:
            mc = mapclassify.UserDefined(y, bins=[float(y[0])])
        else:
            mc = getattr(mapclassify, _MC_NAMES[scheme])(y, k=kk)
    ub = np.asarray(mc.bins, dtype=float)
    codes = np.asarray(mc.yb, dtype=int)
    counts = tuple(int((codes == i).sum()) for i in range(len(ub)))
    labels = _numeric_labels(y, ub, counts)
    lowers = np.concatenate([[y.min()], ub[:-1]])
    mids = np.where(lowers > ub, ub, (lowers + np.minimum(ub, y.max())) / 2)
    default = "RdBu_r" if center is not None else "YlGnBu"
    colors = _class_colors(len(ub), cmap or default, midpoints=mids, center=center,
                           vmin=float(y.min()), vmax=float(y.max()))
    return Classes(codes, labels, colors, counts, tuple(float(b) for b in ub), scheme)


def _plot_polys(ax, gdf, **kw):
    """Draw polygons of ``gdf`` and return the new collection (geopandas adds one PatchCollection)."""
    before = len(ax.collections)
    gdf.plot(ax=ax, **kw)
    return ax.collections[before:]


def _draw_layer(ax, data, classes: Classes, missing, context, *, missing_hatch: str, lw: float) -> None:
    if context is not None and not context.empty:
        for c in _plot_polys(ax, context, color=_CONTEXT, edgecolor="white", linewidth=0.4):
            c.set_gid("context")
    if not data.empty:
        cols = [classes.colors[i] for i in data["_class"].to_numpy()]
        for c in _plot_polys(ax, data, color=cols, edgecolor=_EDGE, linewidth=lw):
            c.set_gid("regions")
    if missing is not None and not missing.empty:
        for c in _plot_polys(ax, missing, facecolor="white", edgecolor=_HATCH_EDGE, hatch=missing_hatch,
                             linewidth=lw):
            c.set_gid("no-data")


def _extent(gdf, pad: float = 0.03):
    x0, y0, x1, y1 = gdf.total_bounds
    p = pad * max(x1 - x0, y1 - y0)
    return x0 - p, x1 + p, y0 - p, y1 + p


def choropleth(
    values: pd.DataFrame,
    geometries,
    *,
    title: str = "",
    legend_title: str = "",
    column: str = "value",
    region: str = "region",
    scheme: str = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    cmap: str | None = None,
    center: float | None = None,
    categories: Sequence[str] | None = None,
    category_labels: Mapping[str, str] | None = None,
    category_colors: Mapping[str, str] | None = None,
    missing_hatch: str = "///",
    attribution: str = EUROGEOGRAPHICS,
    context_regions=None,
    source: str | None = None,
    notes: Sequence[str] = (),
    width: float = 7.2,
    table: str = "values",
):
    """A choropleth of ``values[column]`` by ``values[region]`` on ``geometries`` (a Matplotlib Figure).

    ``geometries``: GeoDataFrame with ``region`` and ``geometry`` (any CRS; drawn
    in EPSG:3035), e.g. from :func:`~i4districts.figures.geometry.read_geometry`
    and :func:`~i4districts.figures.geometry.select_geometry`: every region to
    show; regions there without a value (or with NaN) are hatched "No data";
    value codes without a geometry are listed in a warning and in a footnote.
    ``context_regions``: neighbouring land drawn in grey. ``scheme``/``k``/``bins``/
    ``center``/``categories``: :func:`classify`. ``attribution`` is written
    inside the map axes; ``source`` and ``notes`` below it.
    """
    import geopandas as gpd
    from matplotlib.patches import Patch

    if region not in values.columns or column not in values.columns:
        raise InputError(f"{table}: needs columns {[region, column]}; found {list(values.columns)}")
    if not isinstance(geometries, gpd.GeoDataFrame) or "region" not in geometries.columns:
        raise GeometryError("map: geometries must be a GeoDataFrame with a 'region' column")
    if not attribution or not str(attribution).strip():
        raise InputError("map: an attribution is required for GISCO boundaries (GISCO's copyright notice)")
    dup = values[region].astype(str).duplicated(keep=False)
    if dup.any():
        raise InputError(f"{table}: more than one row per region for {first_few(values.loc[dup, region].unique())}; "
                         "filter the table to one value per region (sector, year, indicator ...)")
    geo = geometries.to_crs(LAEA) if geometries.crs is not None and geometries.crs != LAEA else geometries
    if geo.crs is None:
        raise GeometryError("map: geometries have no CRS")
    vals = values[[region, column]].copy()
    vals[region] = vals[region].astype(str)
    is_cat = scheme == "categorical"
    if not is_cat:
        vals[column] = pd.to_numeric(vals[column], errors="coerce")
    vals = vals[vals[column].notna()]
    if vals.empty:
        raise InputError(f"{table}: column {column!r} has no value to map")
    match = match_regions(vals[region], geo, table=table)
    vals = vals[vals[region].isin(set(match.matched))]
    classes = classify(vals[column], scheme=scheme, k=k, bins=bins, cmap=cmap, center=center,
                       categories=categories, category_labels=category_labels, category_colors=category_colors)
    vals = vals.assign(_class=classes.codes)
    joined = geo.merge(vals[[region, "_class"]].rename(columns={region: "region"}), on="region", how="left")
    data = joined[joined["_class"].notna()].copy()
    data["_class"] = data["_class"].astype(int)
    missing = joined[joined["_class"].isna()]
    ctx = context_regions.to_crs(LAEA) if context_regions is not None and context_regions.crs != LAEA \
        else context_regions

    remote_mask = joined["region"].astype(str).str.startswith(OUTERMOST_PREFIXES)
    main = joined[~remote_mask]
    remote = joined[remote_mask]
    if main.empty:  # only outermost regions: draw them as the main map
        main, remote = joined, joined.iloc[0:0]

    with figure_style():
        from matplotlib.figure import Figure

        x0, x1, y0, y1 = _extent(main)
        aspect = (y1 - y0) / (x1 - x0)
        wrapped = "\n".join(textwrap.wrap(legend_title, 30)) if legend_title else None
        chars = max([len(x) for x in classes.labels] + [len(NO_DATA) + 6]
                    + [len(x) for x in (wrapped or "").split("\n")])
        legend_w = min(0.42 * width, 0.4 + 0.066 * chars)  # inches: handle + text at 8 pt
        frac = (width - legend_w - 0.35) / width
        map_w = width * frac
        map_h = min(map_w * aspect, 1.5 * map_w)
        if map_w * aspect > map_h:  # a very tall country: keep the height, narrow the map
            map_w = map_h / aspect
            frac = map_w / width
        foot = [t for t in ([match.note()] + list(notes)) if t]
        foot_lines = sum(len(textwrap.wrap(t, 110)) for t in foot) + (len(textwrap.wrap(source, 110)) if source else 0)
        title_lines = textwrap.wrap(title, 72) if title else []
        top = 0.25 + 0.24 * len(title_lines)
        bottom = 0.15 + 0.14 * foot_lines
        height = max(map_h, 3.2) + top + bottom
        fig = Figure(figsize=(width, height), dpi=100)
        ax = fig.add_axes((0.02, bottom / height, frac, map_h / height))
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()
        ax.set_facecolor("white")
        lw = 0.25 if len(joined) > 60 else 0.45
        sel = lambda df: df[df["region"].isin(set(main["region"]))]  # noqa: E731
        _draw_layer(ax, sel(data), classes, sel(missing), ctx, missing_hatch=missing_hatch, lw=lw)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        if not remote.empty:
            _inset_remote(fig, (0.02 + frac + 0.15 / width, bottom / height, legend_w / width),
                          data[data["region"].isin(set(remote["region"]))],
                          missing[missing["region"].isin(set(remote["region"]))], classes, missing_hatch, lw)
        ax.text(0.995, 0.005, attribution, transform=ax.transAxes, ha="right", va="bottom", fontsize=6.5,
                color="#444444", gid="attribution",
                bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        if title_lines:
            fig.text(0.02, 1 - 0.12 / height, "\n".join(title_lines), ha="left", va="top",
                     fontsize=11, fontweight="bold", gid="title")
        handles = [Patch(facecolor=c, edgecolor="#999999", linewidth=0.4, label=lab)
                   for c, lab in zip(classes.colors, classes.labels)]
        if not missing.empty:
            handles.append(Patch(facecolor="white", edgecolor=_HATCH_EDGE, hatch=missing_hatch, linewidth=0.4,
                                 label=f"{NO_DATA}  ({len(missing)})"))
        leg = fig.legend(handles=handles, title=wrapped, loc="upper left",
                         bbox_to_anchor=(0.02 + frac + 0.15 / width, (bottom + map_h) / height), alignment="left",
                         handlelength=1.6, handleheight=1.1, borderaxespad=0.0)
        leg.set_gid("legend")
        y = (bottom - 0.12) / height
        for t in ([source] if source else []) + foot:
            txt = "\n".join(textwrap.wrap(t, 110))
            fig.text(0.02, y, txt, ha="left", va="top", fontsize=7, color="#333333", gid="footnote")
            y -= (0.14 * (txt.count("\n") + 1) + 0.02) / height
    fig.i4d_match = match  # type: ignore[attr-defined]  # matched/unmatched/missing codes, for callers
    fig.i4d_classes = classes  # type: ignore[attr-defined]
    return fig


def _inset_remote(fig, column: tuple[float, float, float], data, missing, classes: Classes, hatch: str,
                  lw: float) -> None:
    """The outermost regions, one square inset per group, stacked upwards from the bottom of the legend column
    (``column`` = x, bottom y and width in figure fractions): never over the main map."""
    groups = []
    for prefix in OUTERMOST_PREFIXES:
        d = data[data["region"].str.startswith(prefix)]
        m = missing[missing["region"].str.startswith(prefix)]
        if not d.empty or not m.empty:
            groups.append((prefix, d, m))
    x, y, w = column
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    side_in = min(w * fw - 0.15, 1.6)
    for i, (prefix, d, m) in enumerate(groups):
        both = pd.concat([d, m])
        x0, x1, y0, y1 = _extent(both, 0.06)
        iax = fig.add_axes((x, y + i * (side_in + 0.3) / fh, side_in / fw, side_in / fh))
        _draw_layer(iax, d, classes, m, None, missing_hatch=hatch, lw=lw)
        side = max(x1 - x0, y1 - y0)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        iax.set_xlim(cx - side / 2, cx + side / 2)
        iax.set_ylim(cy - side / 2, cy + side / 2)
        iax.set_aspect("equal", adjustable="box")
        iax.set_xticks([])
        iax.set_yticks([])
        iax.set_xlabel("")
        iax.set_ylabel("")
        for sp in iax.spines.values():
            sp.set_visible(True)
            sp.set_linewidth(0.5)
            sp.set_color("#777777")
        iax.set_title(OUTERMOST[prefix], fontsize=7, fontweight="normal", loc="left", pad=2)
        iax.set_gid(f"inset-{prefix}")
