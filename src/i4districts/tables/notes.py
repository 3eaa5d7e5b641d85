"""Table notes built from metadata: data source and vintage, sample, and column references.

Provenance notes travel in the Parquet metadata (:func:`i4districts.io.read_notes`). They are
sorted here into *sources* (``Source: ...``, ``Fonte: ...``), *vintages* (``data vintage: ...``)
and the rest (caveats such as partial coverage or a third-party derivation), so that every
table opens its notes with one "Data:" note and keeps the caveats after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

__all__ = ["ILLUSTRATIVE_MARKS", "column_span", "data_note", "frame_notes", "illustrative", "sample_text",
           "split_provenance"]

ILLUSTRATIVE_MARKS: tuple[str, ...] = ("illustrative", "synthetic")
"""A provenance note holding one of these marks flags data that are not real: no significance stars."""

_SOURCE = re.compile(r"^(source|fonte|sources)\b", re.IGNORECASE)
_VINTAGE = re.compile(r"\bvintage\b", re.IGNORECASE)


def frame_notes(paths: Iterable[str | Path]) -> list[str]:
    """The union of the provenance notes of Parquet files, sorted (no duplicates)."""
    from i4districts import io

    return sorted({n for p in paths for n in io.read_notes(p)})


def illustrative(notes: Iterable[str]) -> bool:
    """Whether a provenance note says the data are illustrative or synthetic."""
    return any(m in n.lower() for n in notes for m in ILLUSTRATIVE_MARKS)


def split_provenance(notes: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
    """``(sources, vintages, others)``: notes naming a source, a data vintage, and the rest (order kept,
    duplicates dropped). A source note that embeds its source in a longer sentence (``adoption: ...;
    Source: Eurostat, isoc_eb_p3dn2``) counts as a source by its ``Source:`` part."""
    sources: list[str] = []
    vintages: list[str] = []
    others: list[str] = []
    for note in dict.fromkeys(n.strip() for n in notes if n and n.strip()):
        if _SOURCE.match(note):
            sources.append(note)
        elif _VINTAGE.search(note) and len(note) < 200:
            vintages.append(re.sub(r"^data vintage:\s*", "", note, flags=re.IGNORECASE))
        else:
            m = re.search(r"(Source|Fonte):\s*(.+)$", note)
            if m:
                sources.append(f"{m.group(1)}: {m.group(2)}")
            others.append(note)
    return list(dict.fromkeys(sources)), vintages, others


def data_note(notes: Iterable[str]) -> str | None:
    """``"Data: <sources>. Vintage: <vintages>."`` from provenance notes; None when there is neither."""
    sources, vintages, _ = split_provenance(notes)
    parts = []
    if sources:
        parts.append("Data: " + "; ".join(s.rstrip(".") for s in sources) + ".")
    if vintages:
        parts.append("Vintage: " + "; ".join(v.rstrip(".") for v in vintages) + ".")
    return " ".join(parts) or None


def column_span(indices: Sequence[int]) -> str:
    """Column numbers as text: ``(1)``, ``(1)–(3)``, ``(1), (3)`` (1-based indices)."""
    idx = sorted(indices)
    if not idx:
        return ""
    runs: list[tuple[int, int]] = []
    for i in idx:
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return ", ".join(f"({a})" if a == b else (f"({a}), ({b})" if b == a + 1 else f"({a})–({b})")
                     for a, b in runs)


def sample_text(frame: pd.DataFrame, *, region: str = "region") -> str:
    """``"110 regions × 3 periods (2000–2017)"`` or ``"110 regions (2000–2017)"`` from a region-level frame."""
    parts = []
    n_regions = frame[region].nunique() if region in frame.columns else None
    if n_regions is not None:
        parts.append(f"{n_regions:,} region{'s' if n_regions != 1 else ''}")
    if "period" in frame.columns:
        n_p = frame["period"].nunique()
        parts.append(f"{n_p} period{'s' if n_p != 1 else ''}")
    span = ""
    if {"start", "end"} <= set(frame.columns) and len(frame):
        span = f"{int(frame['start'].min())}–{int(frame['end'].max())}"
    elif "year" in frame.columns and len(frame):
        y0, y1 = int(frame["year"].min()), int(frame["year"].max())
        span = f"{y0}–{y1}" if y0 != y1 else f"{y0}"
    text = " × ".join(parts)
    return f"{text} ({span})" if text and span else (text or span)
