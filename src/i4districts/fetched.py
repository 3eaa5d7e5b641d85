"""Fetched Eurostat tables as panel sources: one conversion to the vocabulary, explicit selections.

A table written by ``i4d fetch get`` (lower-case dimension columns, ``time``,
``value``, flag columns, ``vintage_id``) becomes an employment sample in the
vocabulary with :func:`sample_from_fetched`:

* :func:`i4districts.vocabulary.to_vocabulary` maps ``geo`` → ``region``,
  ``nace_r2`` → ``sector``, ``time`` → ``year``, flags → ``flag``, ``vintage_id`` → ``vintage``;
* ``filters`` keep one code of each further dimension (``age=Y15-64``, ``wstatus=EMP``);
  a dimension still holding several codes is an error naming it and its codes, never summed;
* Eurostat unit codes become explicit units (:data:`UNIT_LABELS`, e.g. ``THS`` → ``thousand persons``);
* only the regions of ``country`` are kept (all NUTS levels).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from i4districts.errors import InputError
from i4districts.vocabulary import FLAG, REGION, SECTOR, UNIT, VALUE, VINTAGE, YEAR, to_vocabulary

#: Eurostat unit codes → units written in the ``unit`` column.
UNIT_LABELS: Mapping[str, str] = {
    "THS": "thousand persons",
    "THS_PER": "thousand persons",
    "PER": "persons",
    "NR": "number",
    "PC": "percent",
    "PC_ENT": "percent of enterprises",
}
_KEEP = (REGION, SECTOR, YEAR, VALUE, UNIT, FLAG, VINTAGE)


def sample_from_fetched(table: pd.DataFrame, *, country: str, filters: Mapping[str, str] | None = None,
                        source: str = "fetched table") -> pd.DataFrame:
    """The employment sample of ``country`` from a fetched Eurostat table (see the module docstring)."""
    tidy = to_vocabulary(table, table=source)
    for column in (REGION, SECTOR, YEAR, VALUE):
        if column not in tidy.columns:
            raise InputError(f"{source}: no column maps to '{column}' (columns {list(table.columns)})")
    for dim, code in (filters or {}).items():
        column = UNIT if dim == "unit" and UNIT in tidy.columns else dim
        if column not in tidy.columns:
            raise InputError(f"{source}: data.filters names dimension {dim!r}, not in the table "
                             f"(columns {list(table.columns)})")
        kept = tidy[tidy[column].astype(str) == str(code)]
        if kept.empty:
            raise InputError(f"{source}: data.filters.{dim}: code {code!r} not in the table; codes present "
                             f"{sorted(map(str, tidy[column].unique()))[:20]}")
        tidy = kept
    tidy = tidy[tidy[REGION].astype(str).str.startswith(country)]
    if tidy.empty:
        raise InputError(f"{source}: no region codes of country {country!r} (data.country)")
    extra = [c for c in tidy.columns if c not in _KEEP]
    several = {c: sorted(map(str, tidy[c].unique())) for c in extra if tidy[c].nunique(dropna=False) > 1}
    if several:
        detail = "; ".join(f"{c}: {codes[:12]}" for c, codes in several.items())
        raise InputError(f"{source}: dimension(s) with several codes would be mixed in one panel ({detail}); "
                         f"choose one code each with data.filters")
    out = tidy.drop(columns=extra)
    if UNIT in out.columns:
        out[UNIT] = out[UNIT].astype(str).map(lambda u: UNIT_LABELS.get(u, u))
    return out.reset_index(drop=True)
