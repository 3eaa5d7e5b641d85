"""Reading GISCO geometries into ETRS89-LAEA, selecting country and level, matching codes."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.geometry
from pyproj import Transformer

from i4districts.figures.geometry import (
    GeometryError,
    attribution_of,
    context_regions,
    match_regions,
    nuts_version_of,
    read_geometry,
    select_geometry,
)
from i4districts.figures.style import EUROGEOGRAPHICS

# NUTS 2016 Sardinia (8 provinces) -> NUTS 2021 (5 units): the one Italian NUTS-3 change (Eurostat)
SARDINIA_2016 = ["ITG25", "ITG26", "ITG27", "ITG28", "ITG29", "ITG2A", "ITG2B", "ITG2C"]


def test_read_gisco_nuts3_2016_in_laea(nuts3_2016):
    g = nuts3_2016
    assert g.crs.to_epsg() == 3035
    assert list(g.columns[:4]) == ["region", "name", "country", "level"]
    it = g[g["country"] == "IT"]
    assert len(it) == 110 and set(it["level"]) == {3}
    assert g.attrs["nuts_version"] == "2016"
    assert g.attrs["attribution"] == EUROGEOGRAPHICS


def test_projection_matches_pyproj(nuts3_2016, nuts3_2016_path):
    """A point inside each Italian region (from the raw GeoJSON, EPSG:4326), projected by pyproj to
    EPSG:3035, lies inside that region of the read geometry; Milan lands in ITC4C."""
    raw = json.loads(nuts3_2016_path.read_text(encoding="utf-8"))
    to_laea = Transformer.from_crs(4326, 3035, always_xy=True)
    geo = nuts3_2016.set_index("region").geometry
    it = [f for f in raw["features"] if f["properties"]["CNTR_CODE"] == "IT"]
    assert len(it) == 110
    for f in it:
        lon, lat = shapely.geometry.shape(f["geometry"]).representative_point().coords[0]
        x, y = to_laea.transform(lon, lat)
        assert geo[f["properties"]["NUTS_ID"]].contains(shapely.Point(x, y)), f["properties"]["NUTS_ID"]
    x, y = to_laea.transform(9.19, 45.464)  # Milan, Piazza del Duomo
    assert nuts3_2016[nuts3_2016.contains(shapely.Point(x, y))]["region"].tolist() == ["ITC4C"]
    # LAEA centre 10E 52N at false easting/northing 4321000/3210000: Milan (9.19E) lies west and south of it
    assert 4.2e6 < x < 4_321_000 and 2.4e6 < y < 3_210_000


def test_select_geometry_picks_level_and_country(nuts3_2016, nuts2_2016, it_lq):
    t3 = select_geometry([nuts2_2016, nuts3_2016], it_lq["region"])
    assert set(t3["level"]) == {3} and set(t3["country"]) == {"IT"} and len(t3) == 110
    t2 = select_geometry([nuts3_2016, nuts2_2016], ["ITC1", "ITH5"])
    assert set(t2["level"]) == {2} and len(t2) == 21
    with pytest.raises(GeometryError, match="none of the 2 region code"):
        select_geometry([nuts3_2016], ["XX123", "XX124"])


def test_nuts_version_mismatch_is_listed_never_dropped(geo_dir):
    g21 = read_geometry(geo_dir / "NUTS_RG_20M_2021_4326_LEVL_3.geojson")
    assert g21.attrs["nuts_version"] == "2021"
    codes = ["ITC11", "ITC12", *SARDINIA_2016]
    target = select_geometry([g21], codes)
    with pytest.warns(UserWarning, match="8 region code"):
        m = match_regions(codes, target)
    assert m.unmatched == tuple(sorted(SARDINIA_2016))
    assert "NUTS 2021" in m.note() and "ITG25" in m.note()
    assert "ITG2D" in m.missing  # a 2021 unit without a value is shown as missing
    with pytest.raises(GeometryError, match="none of its"):
        match_regions(["ITZZZ"], target)


def test_versions_and_attribution_from_names_and_pins(tmp_path, nuts2_2016_path):
    assert nuts_version_of("NUTS_RG_20M_2021_4326_LEVL_3.geojson") == "2021"
    assert nuts_version_of("results/fetch/nuts2016_l3.geojson") == "2016"
    f = tmp_path / "boundaries.geojson"
    f.write_bytes(nuts2_2016_path.read_bytes())
    assert nuts_version_of(f) is None and attribution_of(f) == EUROGEOGRAPHICS
    (tmp_path / "boundaries.vintage.json").write_text(json.dumps(
        {"dataset": "NUTS_RG_20M_2016_4326_LEVL_2", "attribution": EUROGEOGRAPHICS}))
    assert nuts_version_of(f) == "2016"
    assert read_geometry(f).attrs["nuts_version"] == "2016"


def test_sll_geometry_through_a_code_field(tmp_path, nuts3_2016):
    """An SLL-like file (no NUTS_ID, key COD_SLL, EPSG:4326) is read through ``code_field``."""
    it = nuts3_2016[nuts3_2016["region"].str.startswith("ITC1")].to_crs(4326)
    sll = it.assign(COD_SLL=[f"{100 + i:04d}" for i in range(len(it))])[["COD_SLL", "geometry"]]
    path = tmp_path / "sll2021.geojson"
    sll.to_file(path, driver="GeoJSON")
    with pytest.raises(GeometryError, match="no 'NUTS_ID'"):
        read_geometry(path)
    g = read_geometry(path, code_field="COD_SLL")
    assert g.crs.to_epsg() == 3035 and g["region"].tolist() == sll["COD_SLL"].tolist()
    assert np.allclose(g.total_bounds, it.to_crs(3035).total_bounds)
    with pytest.raises(GeometryError, match="code field 'PRO_COM'"):
        read_geometry(path, code_field="PRO_COM")


def test_read_geometry_errors(tmp_path):
    with pytest.raises(GeometryError, match="not found"):
        read_geometry(tmp_path / "none.geojson")
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    with pytest.raises(GeometryError, match="not a readable vector file"):
        read_geometry(bad)


def test_context_regions_are_other_countries_in_view(nuts3_2016, nuts2_2016):
    target = select_geometry([nuts3_2016], ["ITC11"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ctx = context_regions([nuts3_2016, nuts2_2016], target)
    assert "IT" not in set(ctx["country"]) and {"FR", "CH", "AT", "SI"} <= set(ctx["country"])
    assert ctx["country"].is_unique
    x0, y0, x1, y1 = target.total_bounds
    pad = 0.25 * max(x1 - x0, y1 - y0)
    bx0, by0, bx1, by1 = ctx.total_bounds
    assert bx0 >= x0 - pad - 1 and bx1 <= x1 + pad + 1 and by0 >= y0 - pad - 1 and by1 <= y1 + pad + 1
    assert pd.Series(ctx.geometry.area).gt(0).all()
