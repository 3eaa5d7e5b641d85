"""Shared machinery of the indicator modules: input validation and integer coding.

Every indicator is computed on a tidy *long* table (one row per key, e.g.
region × sector × year) by turning the key columns into dense integer codes
and aggregating with :func:`numpy.bincount`; no Python loop runs over groups.

Conventions used by all indicator modules:

* Bad input raises :class:`IndicatorInputError` (an :class:`~i4districts.errors.InputError`) naming the
  table, the column and the first offending values.
* ``missing`` (how a NaN count is treated) is an explicit parameter:
  ``"raise"`` (default) refuses the table, ``"zero"`` reads NaN as 0 and
  ``"propagate"`` lets NaN flow into every aggregate that contains the cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from i4districts.errors import InputError

Missing = Literal["raise", "zero", "propagate"]
MISSING_OPTIONS: tuple[str, ...] = ("raise", "zero", "propagate")
_SHOW = 5  # offending values quoted in an error message


class IndicatorInputError(InputError):
    """An indicator's input table is malformed; the message names table, column and values."""


def require_columns(df: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    """Raise if ``df`` is not a DataFrame or lacks any of ``columns``."""
    if not isinstance(df, pd.DataFrame):
        raise IndicatorInputError(f"{table}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise IndicatorInputError(f"{table}: missing column(s) {missing}; found {list(df.columns)}")


def codes(series: pd.Series, table: str) -> tuple[np.ndarray, pd.Index]:
    """Dense integer codes (``intp``) and the labels they stand for.

    Fast paths: categorical columns use their codes; integer columns with a
    compact range use ``value - min``. Unused labels are allowed (they simply
    aggregate to nothing). A missing key raises.
    """
    name = series.name
    if isinstance(series.dtype, pd.CategoricalDtype):
        c = series.cat.codes.to_numpy()
        if c.size and c.min() < 0:
            _raise_missing_key(series, table)
        return c.astype(np.intp, copy=False), pd.Index(series.cat.categories, name=name)
    values = series.to_numpy()
    if values.dtype.kind in "iu" and values.size:
        lo, hi = int(values.min()), int(values.max())
        if hi - lo <= max(4 * values.size, 1024):
            return (values - lo).astype(np.intp, copy=False), pd.Index(np.arange(lo, hi + 1), name=name)
    c, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
    if c.size and c.min() < 0:
        _raise_missing_key(series, table)
    return c.astype(np.intp, copy=False), pd.Index(uniques, name=name)


def _raise_missing_key(series: pd.Series, table: str) -> None:
    rows = np.flatnonzero(series.isna().to_numpy())[:_SHOW]
    raise IndicatorInputError(f"{table}: key column {series.name!r} has missing values (first rows {rows.tolist()})")


def counts(df: pd.DataFrame, value: str, table: str, missing: Missing) -> np.ndarray:
    """The non-negative float64 count column ``value``, with the NaN policy applied."""
    if missing not in MISSING_OPTIONS:
        raise IndicatorInputError(f"missing={missing!r}: choose one of {MISSING_OPTIONS}")
    col = df[value]
    if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
        raise IndicatorInputError(
            f"{table}: column {value!r} must be numeric, got dtype {col.dtype} "
            f"(first values {col.head(_SHOW).tolist()})"
        )
    v = col.to_numpy(dtype=np.float64, na_value=np.nan)
    nan = np.isnan(v)
    if nan.any():
        if missing == "raise":
            bad = df.loc[nan].head(_SHOW)
            raise IndicatorInputError(
                f"{table}: column {value!r} has {int(nan.sum())} missing value(s), e.g. rows\n"
                f"{bad.to_string()}\n(pass missing='zero' or missing='propagate' to accept them)"
            )
        if missing == "zero":
            v = np.where(nan, 0.0, v)
    neg = v < 0
    if neg.any():
        bad = df.loc[neg].head(_SHOW)
        raise IndicatorInputError(
            f"{table}: column {value!r} must be non-negative; {int(neg.sum())} negative value(s), "
            f"e.g. rows\n{bad.to_string()}"
        )
    if np.isinf(v).any():
        bad = df.loc[np.isinf(v)].head(_SHOW)
        raise IndicatorInputError(f"{table}: column {value!r} has infinite values, e.g. rows\n{bad.to_string()}")
    return v


def check_unique(
    key_codes: Sequence[np.ndarray], sizes: Sequence[int], df: pd.DataFrame, columns: Sequence[str], table: str
) -> None:
    """Raise if a key (combination of coded columns) occurs more than once."""
    if not key_codes or key_codes[0].size == 0:
        return
    space = 1
    for s in sizes:
        space *= int(s)
    if space <= max(8 * key_codes[0].size, 1 << 20) and space < (1 << 62):
        key = key_codes[0].astype(np.int64, copy=True)
        for c, s in zip(key_codes[1:], sizes[1:]):
            key *= int(s)
            key += c
        # A boolean scatter (1 byte per cell) is enough to decide uniqueness: the keys
        # are unique iff they mark as many distinct cells as there are rows.
        seen = np.zeros(space, dtype=bool)
        seen[key] = True
        if np.count_nonzero(seen) == key.size:
            return
        n = np.bincount(key, minlength=space)
        dup = n[key] > 1
    else:
        dup = df.duplicated(list(columns), keep=False).to_numpy()
        if not dup.any():
            return
    bad = df.loc[dup, list(columns)].drop_duplicates().head(_SHOW)
    raise IndicatorInputError(
        f"{table}: key columns {list(columns)} are not unique; {int(dup.sum())} rows share a key, "
        f"e.g.\n{bad.to_string(index=False)}\n(aggregate or drop overlapping categories first)"
    )


def combine(a: np.ndarray, b: np.ndarray, nb: int) -> np.ndarray:
    """Mixed-radix code of the pair ``(a, b)``: ``a * nb + b`` (dense when both are)."""
    return a * nb + b


def safe_divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with NaN where the denominator is 0 (0/0 and x/0 are undefined here)."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(num, den)
    zero = den == 0
    if zero.any():  # divide first, patch the few undefined cells: cheaper than a masked divide
        out[np.broadcast_to(zero, out.shape)] = np.nan
    return out


def as_code_set(labels: pd.Index, members: Iterable[object]) -> np.ndarray:
    """Boolean mask over ``labels`` marking those in ``members`` (compared as strings too)."""
    members = list(members)
    as_str = {str(m) for m in members}
    return np.fromiter(((lab in members) or (str(lab) in as_str) for lab in labels), dtype=bool, count=len(labels))


def segment_starts(sorted_codes: np.ndarray) -> np.ndarray:
    """Boolean mask of the first row of each run in a sorted code array."""
    start = np.ones(sorted_codes.size, dtype=bool)
    start[1:] = sorted_codes[1:] != sorted_codes[:-1]
    return start


def segmented_cumsum(values: np.ndarray, sorted_codes: np.ndarray) -> np.ndarray:
    """Inclusive cumulative sum restarting at each new code (codes sorted, values finite)."""
    c = np.cumsum(values)
    idx = np.flatnonzero(segment_starts(sorted_codes))
    before = c[idx] - values[idx]  # cumulative total before the segment
    c -= np.repeat(before, np.diff(idx, append=sorted_codes.size))  # in place: one row-length temporary
    return c


def group_codes(df: pd.DataFrame, by: Sequence[str] | None, table: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Dense codes of the row groups given by columns ``by`` and a frame of the group labels."""
    if not by:
        return np.zeros(len(df), dtype=np.intp), pd.DataFrame(index=[0])
    require_columns(df, by, table)
    parts = [codes(df[c], table) for c in by]
    key = np.zeros(len(df), dtype=np.int64)
    for c, labels in parts:
        key = key * len(labels) + c
    g, uniq = pd.factorize(key, sort=True)
    labels = {}
    rem = np.asarray(uniq, dtype=np.int64)
    for (c, lab), name in zip(reversed(parts), reversed(list(by))):
        labels[name] = lab.take(rem % len(lab))
        rem = rem // len(lab)
    frame = pd.DataFrame({name: labels[name] for name in by})
    return g.astype(np.intp), frame
