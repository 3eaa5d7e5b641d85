"""Validation helpers shared by the exposure-construction modules (private)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from i4districts.shiftshare.errors import ShiftShareInputError


def require_columns(df: pd.DataFrame, table: str, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ShiftShareInputError(table, missing[0], f"is missing (have {list(df.columns)})", missing)


def require_finite(df: pd.DataFrame, table: str, column: str, keys: Sequence[str]) -> None:
    values = pd.to_numeric(df[column], errors="coerce")
    bad = ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        rows = df.loc[bad, [*keys, column]].head(5).to_dict("records")
        raise ShiftShareInputError(table, column, "has missing or non-numeric values", rows)


def require_unique(df: pd.DataFrame, table: str, keys: Sequence[str]) -> None:
    dup = df.duplicated(list(keys), keep=False)
    if dup.any():
        rows = df.loc[dup, list(keys)].drop_duplicates().head(5).to_dict("records")
        raise ShiftShareInputError(table, ", ".join(keys), "has duplicate keys", rows)
