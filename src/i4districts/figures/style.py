"""House style of the figures and the one writer of figure files.

Byte-reproducible output: :func:`save_figure` writes PNG (Agg, ``dpi`` 200)
and SVG without timestamps or version strings (PNG ``Software``, SVG
``Date``/``Creator`` removed) and with a fixed ``svg.hashsalt`` (the ids
of clip paths and hatch patterns), so that rendering the same figure twice
gives the same bytes. SVG text is kept as ``<text>`` (``svg.fonttype:
none``): searchable, and the map attribution can be checked in the file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib

from i4districts.io import atomic_path

__all__ = [
    "EUROGEOGRAPHICS",
    "LAEA",
    "RC",
    "figure_style",
    "new_figure",
    "save_figure",
]

#: Attribution GISCO requires on every map that shows its boundaries (GISCO's copyright notice).
EUROGEOGRAPHICS = "© EuroGeographics for the administrative boundaries"
#: ETRS89 / Lambert azimuthal equal-area Europe: the EU's projection for statistical maps (INSPIRE).
LAEA = "EPSG:3035"

#: Matplotlib settings of every figure of the package (applied with :func:`figure_style`).
RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 11.0,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 8.0,
    "legend.title_fontsize": 8.5,
    "legend.frameon": False,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "hatch.linewidth": 0.6,
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
    "svg.fonttype": "none",
    "svg.hashsalt": "i4districts",
    "path.simplify": True,
}
_PNG_METADATA = {"Software": None}
_SVG_METADATA = {"Date": None, "Creator": None}


@contextmanager
def figure_style() -> Iterator[None]:
    """Context in which figures are built and saved with :data:`RC`."""
    with matplotlib.rc_context(RC):
        yield


def new_figure(width: float, height: float):
    """A Matplotlib figure not managed by pyplot (no global state, no display needed)."""
    from matplotlib.figure import Figure

    with figure_style():
        return Figure(figsize=(width, height), dpi=100)


def save_figure(fig, stem: str | os.PathLike[str], *, dpi: int = 200,
                formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """Write ``fig`` as ``<stem>.png`` and ``<stem>.svg`` atomically; returns the paths.

    ``stem`` may carry a ``.png``/``.svg`` suffix, which is dropped. No timestamp
    is written (two saves of the same figure are byte-identical).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    base = Path(stem)
    if base.suffix.lower() in (".png", ".svg"):
        base = base.with_suffix("")
    if fig.canvas is None or not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    written = []
    with figure_style():
        for fmt in formats:
            target = base.parent / f"{base.name}.{fmt}"
            meta = _PNG_METADATA if fmt == "png" else _SVG_METADATA if fmt == "svg" else None
            with atomic_path(target) as tmp:
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=meta)
            written.append(target)
    return written
