"""Maps and figures: choropleths on GISCO NUTS geometries (ETRS89-LAEA) and coefficient plots.

* :mod:`~i4districts.figures.geometry` -- read GISCO GeoJSON (or an SLL file) into EPSG:3035,
  select country and level, match region codes;
* :mod:`~i4districts.figures.maps` -- :func:`choropleth` (mapclassify classes, hatched
  missing regions, the GISCO attribution on the map);
* :mod:`~i4districts.figures.defaults` -- values for a map from a pipeline table, the default maps;
* :mod:`~i4districts.figures.coefplot` -- coefficient and period plots from estimation records;
* :mod:`~i4districts.figures.style` -- house style and :func:`save_figure` (byte-reproducible PNG + SVG).
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> submodule (imported on first use: ``i4d`` builds its parser without loading Matplotlib)
_EXPORTS: dict[str, str] = {
    "EUROGEOGRAPHICS": "style", "LAEA": "style", "save_figure": "style",
    "RegionMatch": "geometry", "context_regions": "geometry", "match_regions": "geometry",
    "nuts_version_of": "geometry", "read_geometry": "geometry", "select_geometry": "geometry",
    "choropleth": "maps", "classify": "maps",
    "coefficient_rows": "coefplot", "coefplot": "coefplot", "load_records": "coefplot",
    "period_plot": "coefplot", "period_rows": "coefplot",
    "default_maps": "defaults", "draw_map": "defaults", "map_values": "defaults",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"i4districts.figures.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'i4districts.figures' has no attribute {name!r}")
