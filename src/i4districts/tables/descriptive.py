"""Descriptive statistics: variables × N, mean, SD, min, median, max, as one tidy :class:`Table`.

Statistics over the non-missing values of each variable: ``sd`` with the ``N − 1`` denominator,
``p50`` the median (linear interpolation, as :meth:`pandas.Series.quantile`). A wide frame gives
one row per numeric column; a long (tidy) table gives one row per level of ``long_by`` (e.g. the
``sector`` of the panel, or the ``indicator``), its ``value`` column summarised, the unit taken
from its ``unit`` column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from i4districts.errors import InputError

from .notes import data_note, sample_text, split_provenance
from .render import Cells, Column, Table, fmt_int, fmt_num

__all__ = ["IDENTIFIERS", "STATISTICS", "describe", "descriptive_table"]

STATISTICS: tuple[tuple[str, str], ...] = (("n", "N"), ("mean", "Mean"), ("sd", "SD"), ("min", "Min"),
                                           ("p50", "Median"), ("max", "Max"))
"""Columns of the table: key and header."""

IDENTIFIERS: tuple[str, ...] = ("year", "start", "end", "period_index", "nuts_version")
"""Numeric columns that identify rows rather than measure something: left out by default."""


def describe(values: pd.Series) -> dict[str, float]:
    """``n, mean, sd, min, p50, max`` of the non-missing values (``sd`` with ``N − 1``; NaN when N < 2)."""
    v = pd.to_numeric(values, errors="coerce").dropna().astype(float)
    n = len(v)
    return {"n": float(n), "mean": v.mean() if n else float("nan"), "sd": v.std(ddof=1) if n > 1 else float("nan"),
            "min": v.min() if n else float("nan"), "p50": v.median() if n else float("nan"),
            "max": v.max() if n else float("nan")}


def _decimals(stats: Mapping[str, float], digits: int) -> int:
    """Decimals of a row: ``digits``, or none for large magnitudes (|x| ≥ 1000, e.g. persons employed)."""
    big = max((abs(stats[k]) for k in ("mean", "min", "max") if stats[k] == stats[k]), default=0.0)
    return 0 if big >= 1000 else digits


def _fmt(x: float, decimals: int) -> str:
    if x != x:  # NaN
        return ""
    return f"{x:,.0f}" if decimals == 0 else fmt_num(x, decimals)


def descriptive_table(
    frame: pd.DataFrame,
    *,
    variables: Sequence[str] | None = None,
    long_by: str | None = None,
    value: str = "value",
    by: str | None = None,
    labels: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    digits: int = 3,
    name: str = "descriptive",
    title: str = "Descriptive statistics",
    provenance: Sequence[str] = (),
    notes: Sequence[str] = (),
    table: str = "frame",
) -> Table:
    """Descriptive statistics of ``variables`` (default: every numeric column but :data:`IDENTIFIERS`).

    ``long_by``: the frame is long; one row per level of that column, summarising ``value``.
    ``by``: one block of rows per level of that column (e.g. ``period``). ``labels``/``units``
    (config ``tables.labels``/``tables.units``) name the variables. ``provenance``: the frame's
    provenance notes (data source and vintage lead the notes). ``table`` names the input in errors.
    """
    labels, units = dict(labels or {}), dict(units or {})
    if by is not None and by not in frame.columns:
        raise InputError(f"{table}: no column {by!r} to group by; columns are {list(frame.columns)}")
    if long_by is not None:
        for col in (long_by, value):
            if col not in frame.columns:
                raise InputError(f"{table}: no column {col!r} (long table); columns are {list(frame.columns)}")
        levels = [str(x) for x in pd.unique(frame[long_by].dropna())]
        variables = [v for v in (variables or levels)]
        missing = [v for v in variables if v not in levels]
        if missing:
            raise InputError(f"{table}: {long_by!r} has no level(s) {missing}; levels are {levels[:20]}")
        if "unit" in frame.columns:
            for v in variables:
                u = frame.loc[frame[long_by].astype(str) == v, "unit"].dropna().astype(str).unique()
                if len(u) == 1 and u[0]:
                    units.setdefault(v, u[0])
    else:
        if variables is None:
            variables = [c for c in frame.columns if c not in IDENTIFIERS and c != by
                         and pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]
        bad = [v for v in variables if v not in frame.columns]
        if bad:
            raise InputError(f"{table}: no column(s) {bad}; columns are {list(frame.columns)}")
        nonnum = [v for v in variables if not pd.api.types.is_numeric_dtype(frame[v])]
        if nonnum:
            raise InputError(f"{table}: column(s) {nonnum} are not numeric")
    if not variables:
        raise InputError(f"{table}: no numeric variable to describe; columns are {list(frame.columns)}")

    groups = [(None, frame)] if by is None else [(str(k), g) for k, g in frame.groupby(by, sort=True)]
    cells = Cells()
    blocks: dict[str, str] = {}
    for key, sub in groups:
        block = "all" if key is None else f"{by}={key}"
        blocks[block] = "" if key is None else f"{labels.get(by, by)}: {key}"
        for v in variables:
            values = sub.loc[sub[long_by].astype(str) == v, value] if long_by else sub[v]
            stats = describe(values)
            dec = _decimals(stats, digits)
            label = labels.get(v, v) + (f" ({units[v]})" if units.get(v) else "")
            for stat, _ in STATISTICS:
                text = fmt_int(stats[stat]) if stat == "n" else _fmt(stats[stat], dec)
                cells.add(block, v, stat, text, label=label, value=stats[stat])
    columns = tuple(Column(k, h) for k, h in STATISTICS)
    out_notes = []
    data = data_note(provenance)
    if data:
        out_notes.append(data)
    sample = sample_text(frame)
    out_notes.append(f"Sample: {len(frame):,} rows" + (f", {sample}" if sample else "") + ".")
    out_notes.append("Statistics over the non-missing values of each variable; SD with the N−1 denominator; "
                     "median = 50th percentile.")
    out_notes += split_provenance(provenance)[2]
    return Table(name=name, title=title, columns=columns, cells=cells.frame(), notes=(*out_notes, *notes),
                 stub="Variable", show_blocks=by is not None, blocks=blocks)
