"""Choropleths on the shared GISCO geometries: non-empty, attributed, LAEA, hatched gaps, legend, reproducible."""

from __future__ import annotations

import warnings

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

from i4districts.errors import InputError
from i4districts.figures.defaults import draw_map
from i4districts.figures.geometry import GeometryError, context_regions, select_geometry
from i4districts.figures.maps import choropleth, classify
from i4districts.figures.style import EUROGEOGRAPHICS, new_figure, save_figure

MISSING = ["ITC11", "ITF61", "ITG2C"]  # Torino, Cosenza, Carbonia-Iglesias: no value -> hatched


def _collections(fig, gid):
    return [c for ax in fig.axes for c in ax.collections if c.get_gid() == gid]


def _n_paths(fig, gid):
    return sum(len(c.get_paths()) for c in _collections(fig, gid))


@pytest.fixture(scope="module")
def lq_map(nuts3_2016, it_lq):
    values = it_lq[~it_lq["region"].isin(MISSING)]
    target = select_geometry([nuts3_2016], it_lq["region"])
    fig = choropleth(values, target, title="Manufacturing LQ, 2017", legend_title="LQ",
                     scheme="userdefined", bins=[0.5, 0.8, 1.0, 1.25, 1.5, 2.0], center=1.0,
                     context_regions=context_regions([nuts3_2016], target), source="Source: Eurostat, nama_10r_3empers")
    return fig, values


def test_classes_match_independent_quantiles_and_userdefined_bounds():
    y = pd.Series(np.arange(1.0, 101.0))
    c = classify(y, scheme="quantiles", k=4)
    assert np.allclose(c.bins, np.quantile(y, [0.25, 0.5, 0.75, 1.0]))
    assert c.counts == (25, 25, 25, 25)
    assert c.labels[0] == "1 \u2013 26  (25)"  # bounds to two significant digits of the class width (24.75)
    u = classify(pd.Series([0.3, 0.9, 1.1, 2.5]), scheme="userdefined", bins=[0.5, 1.0, 1.5])
    assert u.bins == (0.5, 1.0, 1.5, 2.5) and u.counts == (1, 1, 1, 1)  # the maximum closes the last class
    assert list(u.codes) == [0, 1, 2, 3]
    assert u.labels[1] == "0.50 \u2013 1.00  (1)"
    cat = classify(pd.Series(["B", "A", "B", "D"]), scheme="categorical", categories=["A", "B", "C", "D"],
                   category_labels={"A": "Made in Italy"})
    assert cat.counts == (1, 2, 0, 1) and cat.labels[0] == "Made in Italy  (1)" and list(cat.codes) == [1, 0, 1, 3]
    with pytest.raises(InputError, match="not among the categories"):
        classify(pd.Series(["Z"]), scheme="categorical", categories=["A"])


def test_diverging_colours_around_the_centre():
    c = classify(pd.Series([0.3, 0.7, 0.9, 1.1, 1.4, 2.2]), scheme="userdefined", bins=[0.5, 0.8, 1.0, 1.25, 1.5],
                 center=1.0, cmap="RdBu_r")
    for (r, g, b, _), hi in zip(c.colors, c.bins):
        if hi <= 1.0:
            assert b > r  # below 1: blue side
        else:
            assert r > b  # above 1: red side


def test_map_draws_every_matched_region_in_laea(lq_map, nuts3_2016):
    fig, values = lq_map
    ax = fig.axes[0]
    assert _n_paths(fig, "regions") >= len(values) == 107
    m = fig.i4d_match
    assert len(m.matched) == 107 and m.unmatched == () and set(m.missing) == set(MISSING)
    # projected coordinates: the axes extent is in metres of EPSG:3035 around Italy
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    ix0, iy0, ix1, iy1 = nuts3_2016[nuts3_2016["country"] == "IT"].total_bounds
    assert x0 <= ix0 and x1 >= ix1 and y0 <= iy0 and y1 >= iy1
    assert 3.9e6 < x0 < 4.1e6 and 2.6e6 < y1 < 2.8e6
    assert _n_paths(fig, "context") >= 5  # neighbouring countries in grey


def test_region_colours_follow_the_classes(lq_map):
    fig, values = lq_map
    classes = fig.i4d_classes
    faces = np.vstack([c.get_facecolors() for c in _collections(fig, "regions")])
    used = {tuple(np.round(classes.colors[i], 6)) for i in set(classes.codes)}
    assert {tuple(np.round(f, 6)) for f in faces} == used
    # the region with the highest LQ has the colour of the top class
    assert classes.codes[np.argmax(values["value"].to_numpy())] == len(classes.bins) - 1


def test_missing_regions_hatched_with_a_legend_entry(lq_map):
    fig, _ = lq_map
    nodata = _collections(fig, "no-data")
    assert nodata and all(c.get_hatch() == "///" for c in nodata)
    assert _n_paths(fig, "no-data") >= len(MISSING)
    legend = fig.legends[0]
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels[-1] == "No data  (3)"
    assert legend.legend_handles[-1].get_hatch() == "///"
    assert len(labels) == len(fig.i4d_classes.labels) + 1 and legend.get_title().get_text() == "LQ"


def test_attribution_on_the_map_and_in_the_svg(lq_map, tmp_path):
    fig, _ = lq_map
    ax = fig.axes[0]
    texts = [t for t in ax.texts if t.get_gid() == "attribution"]
    assert len(texts) == 1 and texts[0].get_text() == EUROGEOGRAPHICS
    assert texts[0].get_transform() == ax.transAxes  # placed inside the map axes
    x, y = texts[0].get_position()
    assert 0 <= x <= 1 and 0 <= y <= 1 and texts[0].get_fontsize() <= 8
    png, svg = save_figure(fig, tmp_path / "lq")
    text = svg.read_text(encoding="utf-8")
    assert "\u00a9 EuroGeographics for the administrative boundaries" in text
    assert 'id="attribution"' in text and 'id="no-data"' in text and 'id="legend"' in text
    assert "<dc:date>" not in text


def test_png_is_not_blank(lq_map, tmp_path):
    fig, _ = lq_map
    png, _ = save_figure(fig, tmp_path / "lq")
    blank = new_figure(*fig.get_size_inches())
    bpng, _ = save_figure(blank, tmp_path / "blank")
    assert png.stat().st_size > 5 * bpng.stat().st_size
    img = mpimg.imread(png)
    ink = (img[..., :3] < 0.97).any(axis=2).mean()
    assert ink > 0.25  # a quarter of the canvas is map, legend or text
    assert img.shape[1] == int(round(fig.get_figwidth() * 200))


def test_two_renders_are_byte_identical(nuts3_2016, it_lq, tmp_path):
    target = select_geometry([nuts3_2016], it_lq["region"])
    outs = []
    for name in ("a", "b"):
        fig = choropleth(it_lq, target, title="Same map", legend_title="LQ", scheme="fisherjenks", k=5)
        outs.append(save_figure(fig, tmp_path / name))
    for p, q in zip(*outs):
        assert p.read_bytes() == q.read_bytes(), p.name


def test_unmatched_codes_listed_in_warning_and_footnote(nuts3_2016, it_lq):
    values = pd.concat([it_lq, pd.DataFrame({"region": ["ITZ99"], "value": [1.0]})])
    target = select_geometry([nuts3_2016], it_lq["region"])
    with pytest.warns(UserWarning, match="ITZ99"):
        fig = choropleth(values, target, title="t", legend_title="LQ")
    foot = [t.get_text() for t in fig.texts if t.get_gid() == "footnote"]
    assert any("ITZ99" in t and "NUTS 2016" in t for t in foot)


def test_categorical_map(nuts3_2016, it_lq):
    cls = pd.DataFrame({"region": it_lq["region"], "value": ["A", "B", "C", "D", "A"] * 22})
    target = select_geometry([nuts3_2016], cls["region"])
    fig = choropleth(cls, target, scheme="categorical", categories=["A", "B", "C", "D"],
                     category_labels={"A": "Made in Italy"}, legend_title="SLL class")
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["Made in Italy  (44)", "B  (22)", "C  (22)", "D  (22)"]


def test_outermost_regions_in_an_inset(nuts3_2016):
    es = nuts3_2016[nuts3_2016["country"] == "ES"]["region"]
    values = pd.DataFrame({"region": es, "value": np.arange(len(es), dtype=float)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = draw_map(values, [nuts3_2016], title="Spain", legend_title="v")
    insets = [ax for ax in fig.axes if ax.get_gid() == "inset-ES70"]
    assert len(insets) == 1
    canarias = nuts3_2016[nuts3_2016["region"].str.startswith("ES70")].total_bounds
    assert fig.axes[0].get_ylim()[0] > canarias[3]  # the main map is not stretched to the Canaries
    main_box = fig.axes[0].get_position()
    inset_box = insets[0].get_position()
    assert inset_box.x0 >= main_box.x1  # never over the main map


def test_errors_name_the_problem(nuts3_2016, it_lq):
    target = select_geometry([nuts3_2016], it_lq["region"])
    dup = pd.concat([it_lq, it_lq.head(2)])
    with pytest.raises(InputError, match="more than one row per region"):
        choropleth(dup, target)
    with pytest.raises(GeometryError, match="none of its 1 region code"):
        choropleth(pd.DataFrame({"region": ["XX1"], "value": [1.0]}), target)
    with pytest.raises(InputError, match="attribution is required"):
        choropleth(it_lq, target, attribution="")
    with pytest.raises(InputError, match="needs columns"):
        choropleth(it_lq.rename(columns={"value": "lq"}), target)
