"""``etable``: one regression table from any mix of panel and shift-share results.

A thin front of :func:`i4districts.tables.regression.regression_table` (the one tidy source)
and the renderers of :mod:`i4districts.tables.render`. A result is anything with the results
protocol (:class:`i4districts.results.ResultProtocol`) or its ``to_dict()`` record (for example
a JSON written by ``i4d estimate``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .regression import StarConvention, record_of, regression_table
from .render import grid, header_labels, render

__all__ = ["etable", "TYPES"]

TYPES = ("tex", "md", "html", "csv", "df", "table")


def etable(results: Any, type: str = "md", *, labels: Mapping[str, str] | None = None,
           model_labels: Sequence[str] | Mapping[str, str] | None = None, title: str = "Estimation results",
           notes: Sequence[str] = (), digits: int = 4, fe_rows: bool = True, stars: bool | StarConvention = True,
           statistic: str = "se", units: Mapping[str, str] | None = None,
           column_groups: Mapping[str, Sequence[str]] | None = None, design_rows: bool = True,
           illustrative: bool = False) -> str | pd.DataFrame | Any:
    """One table of ``results`` (a result or a list of panel and/or shift-share results).

    ``type``: ``"tex"`` (booktabs ``table`` float), ``"md"``, ``"html"`` (great-tables fragment),
    ``"csv"`` (the long tidy cells, full precision), ``"df"`` (the display grid: one row per line,
    one column per model) or ``"table"`` (the :class:`~i4districts.tables.render.Table` itself).
    ``labels`` name terms, outcomes and fixed effects; ``model_labels`` set the column headers
    (a list in column order, or a mapping by model id); ``statistic`` is ``se``, ``t`` or ``ci``;
    ``stars=False`` prints no significance stars; ``illustrative=True`` marks synthetic data (no
    stars, said in the notes). See :func:`~i4districts.tables.regression.regression_table`.
    """
    if type not in TYPES:
        raise ValueError(f"etable: type must be one of {list(TYPES)}, got {type!r}")
    if not isinstance(results, (list, tuple)):
        results = [results]
    if not results:
        raise ValueError("etable: no results given")
    if isinstance(model_labels, Sequence) and not isinstance(model_labels, str) and len(model_labels) != len(results):
        raise ValueError(f"etable: {len(model_labels)} model_labels for {len(results)} results")
    table = regression_table([record_of(r) for r in results], title=title, labels=labels, units=units,
                             column_labels=model_labels, column_groups=column_groups, statistic=statistic,
                             digits=digits, stars=stars, illustrative=illustrative, fe_rows=fe_rows,
                             design_rows=design_rows, notes=notes)
    if type == "table":
        return table
    if type == "df":
        g = grid(table)
        keys = [c.key for c in table.columns]
        return pd.DataFrame(g[keys].to_numpy(), index=pd.Index(g["label"].tolist(), name=""),
                            columns=header_labels(table))
    return render(table, type)
