"""NUTS code levels, NUTS-3 → NUTS-2/1/0 aggregation and children-add-up checks.

The package's one set of NUTS-level helpers lives here: :func:`nuts_level`
(one code), :func:`nuts_code_level` (a Series) and :func:`is_extra_regio`.

The NUTS hierarchy is nested by construction: the parent of a code is the
code minus its last character (``ITC11 → ITC1 → ITC → IT``; Regulation (EC)
No 1059/2003, art. 2). Aggregation is the plain sum of counts,
``value_parent = Σ_children value_child``; a parent with a null child is null
(never a partial sum), and the number of children summed is reported.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from i4districts.harmonize import HarmonizeError
from i4districts.validation import HierarchyRule, TableSchema, children_sum_report, nuts_parent, validate

__all__ = ["aggregate_nuts", "is_extra_regio", "nuts_additivity_report", "nuts_code_level", "nuts_level"]


def nuts_level(code: object) -> int:
    """NUTS level of one code: characters after the 2-letter country code (``IT`` 0, ``ITC11`` 3)."""
    return len(str(code)) - 2


def nuts_code_level(codes: pd.Series) -> pd.Series:
    """NUTS level of each code of a Series (0 = country, 3 = NUTS-3): ``len(code) - 2``."""
    return codes.astype(str).str.len() - 2


def is_extra_regio(codes: pd.Series) -> pd.Series:
    """True for NUTS extra-regio codes (every character after the country code is ``Z``: ``ITZ``, ``ITZZZ``)."""
    tail = codes.astype(str).str.slice(2)
    return tail.str.len().gt(0) & tail.str.fullmatch("Z+").fillna(False).astype(bool)


def is_extra_regio(codes: pd.Series) -> pd.Series:
    """True for NUTS extra-regio codes (every character after the country code is 'Z', e.g. ``ITZZZ``)."""
    tail = codes.astype(str).str.slice(2)
    return tail.str.len().gt(0) & tail.str.fullmatch("Z+").fillna(False).astype(bool)


def aggregate_nuts(
    df: pd.DataFrame,
    *,
    to_level: int,
    from_level: int = 3,
    code_col: str = "region",
    value_cols: Sequence[str] = ("value",),
    by: Sequence[str] = (),
    table: str = "table",
) -> pd.DataFrame:
    """Sum NUTS-``from_level`` rows up to NUTS-``to_level``.

    ``value_parent = Σ value_child`` per ``by`` group; NaN if any child is NaN.
    Rows at other levels are ignored (they are not children); returns
    ``code_col, *by, *value_cols, n_children``.
    """
    by, value_cols = list(by), list(value_cols)
    if not 0 <= to_level < from_level <= 3:
        raise HarmonizeError(f"{table}: need 0 <= to_level < from_level <= 3, got {to_level}, {from_level}")
    missing = [c for c in [code_col, *by, *value_cols] if c not in df]
    if missing:
        raise HarmonizeError(f"{table}: missing column(s) {missing}")
    kids = df[nuts_code_level(df[code_col]) == from_level]
    if kids.empty:
        raise HarmonizeError(f"{table}: no NUTS-{from_level} codes in column '{code_col}'")
    dup = kids.duplicated([code_col, *by], keep=False)
    if dup.any():
        raise HarmonizeError(f"{table}: duplicate keys ({code_col}, {', '.join(by)}): "
                             f"{kids.loc[dup, [code_col, *by]].head(5).values.tolist()}")
    work = kids[[*by, *value_cols]].copy()
    work[code_col] = kids[code_col].astype(str).str[: 2 + to_level]
    g = work.groupby([code_col, *by], dropna=False, sort=True)
    out = g[value_cols].sum(min_count=1)
    has_nan = g[value_cols].agg(lambda s: int(s.isna().any())).to_numpy().astype(bool)
    out = out.mask(has_nan)
    out["n_children"] = g.size()
    out = out.reset_index()
    validate(out, TableSchema(name=f"{table} (NUTS-{to_level})", keys=(code_col, *by),
                              columns={code_col: "str", **{b: "any" for b in by},
                                       **{v: "float" for v in value_cols}, "n_children": "int"}))
    return out


def nuts_additivity_report(
    df: pd.DataFrame,
    *,
    code_col: str = "region",
    value_col: str = "value",
    by: Sequence[str] = (),
    atol: float = 0.5,
    rtol: float = 0.0,
) -> pd.DataFrame:
    """Children vs published parents at every NUTS level present.

    ``difference = parent - Σ children`` (see
    :func:`i4districts.validation.children_sum_report`); ``status`` is ``ok``,
    ``mismatch`` or ``incomplete`` (a child value is null). Adds the parent's
    NUTS level as ``level``.
    """
    rule = HierarchyRule(code_col, value_col, nuts_parent, by=tuple(by), atol=atol, rtol=rtol)
    rep = children_sum_report(df, rule)
    rep.insert(len(by) + 1, "level", nuts_code_level(rep["parent"]).astype(np.int64))
    return rep
