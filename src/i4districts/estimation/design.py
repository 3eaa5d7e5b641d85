"""Sample and design: validate columns, apply declarative filters, build interaction terms.

Interactions are products of numeric columns: ``a:b = a · b`` (e.g. exposure × district
flag, the heterogeneity term of Dauth et al. 2021). One component may be categorical
(e.g. the main-industry group): it expands into one term per level,
``a:g[level] = a · 1{g = level}`` (group-specific slopes; leave ``a`` out of the
regressors, or the terms are collinear with it).

Event study (``event_study``): ``event[k] = 1{t - event_time = k}`` for ``k`` in the
window except the reference period (default -1), endpoints binned (``k ≤ lo`` counts
as ``lo``, ``k ≥ hi`` as ``hi``; Schmidheiny & Siegloch 2023); a missing
``event_time`` marks a never-treated unit (all dummies 0), not a missing value. Rows with missing values in a used
column are dropped and counted (``dropped['missing']``); nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from i4districts.errors import InputError, first_few

from .spec import ModelSpec

__all__ = ["PanelDataError", "PreparedData", "apply_filters", "prepare"]


class PanelDataError(InputError):
    """The panel does not fit the spec (names the table, column and offending values)."""


@dataclass(frozen=True)
class PreparedData:
    frame: pd.DataFrame
    dropped: dict[str, int]
    exog_terms: tuple[str, ...] = ()


def _is_numeric(s: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s))


def _first(values: pd.Series, k: int = 5) -> list:
    return list(pd.unique(values))[:k]


def apply_filters(df: pd.DataFrame, filters, *, table: str = "panel") -> tuple[pd.DataFrame, int]:
    """Keep the rows satisfying every ``(column, op, value)`` filter; returns (frame, n removed)."""
    mask = np.ones(len(df), dtype=bool)
    for col, op, val in filters:
        if col not in df.columns:
            raise PanelDataError(f"{table}: filter column '{col}' not found; columns are {list(df.columns)[:20]}")
        s = df[col]
        if op == "==":
            m = s == val
        elif op == "!=":
            m = s != val
        elif op == "<":
            m = s < val
        elif op == "<=":
            m = s <= val
        elif op == ">":
            m = s > val
        elif op == ">=":
            m = s >= val
        elif op == "in":
            m = s.isin(list(val))
        elif op == "not_in":
            m = ~s.isin(list(val))
        elif op == "notna":
            m = s.notna()
        elif op == "isna":
            m = s.isna()
        else:  # pragma: no cover - schema forbids
            raise PanelDataError(f"{table}: unknown filter op {op!r}")
        mask &= np.asarray(m.fillna(False) if hasattr(m, "fillna") else m, dtype=bool)
    return df.loc[mask], int((~mask).sum())


def prepare(df: pd.DataFrame, spec: ModelSpec, *, table: str = "panel") -> PreparedData:
    """Validate and subset the panel for ``spec``; add interaction columns."""
    if not isinstance(df, pd.DataFrame):
        raise PanelDataError(f"{table}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in spec.used_columns() if c not in df.columns]
    if missing:
        raise PanelDataError(f"{table}: column(s) {missing} required by model '{spec.model_id}' not found; "
                             f"columns are {list(df.columns)[:30]}")
    frame, n_filtered = apply_filters(df, spec.filters, table=table)
    numeric = [spec.outcome, *spec.regressors, *spec.endogenous, *spec.instruments]
    categorical: set[str] = set()
    for inter in spec.interactions:
        cats = [c for c in inter if not _is_numeric(frame[c])]
        if len(cats) > 1:
            raise PanelDataError(f"{table}: interaction {':'.join(inter)} has more than one categorical column {cats}")
        categorical.update(cats)
        numeric.extend(c for c in inter if c not in cats)
    if spec.weights:
        numeric.append(spec.weights)
    for col in dict.fromkeys(numeric):
        s = frame[col]
        if not _is_numeric(s):
            raise PanelDataError(f"{table}: column '{col}' must be numeric, got dtype {s.dtype} "
                                 f"(first values {_first(s.dropna())})")
        vals = s.to_numpy(dtype=float, na_value=np.nan)
        bad = np.isinf(vals)
        if bad.any():
            raise PanelDataError(f"{table}: column '{col}' has infinite values in rows "
                                 f"{list(frame.index[bad][:5])}")
    cols = spec.used_columns()
    event_terms: list[str] = []
    if spec.event_study is not None:
        ev_col = spec.event_study[0]
        if ev_col not in frame.columns:
            raise PanelDataError(f"{table}: event_study column '{ev_col}' not found")
        for c in (ev_col, spec.time):
            if not _is_numeric(frame[c]):
                raise PanelDataError(f"{table}: column '{c}' must be numeric for an event study, got {frame[c].dtype}")
    na = frame[cols].isna().any(axis=1).to_numpy()
    frame = frame.loc[~na, list(dict.fromkeys(cols + ([spec.event_study[0]] if spec.event_study else [])))].copy()
    if spec.event_study is not None:
        ev_col, lo, hi, ref, binned = spec.event_study
        rel = frame[spec.time].to_numpy(dtype=float) - frame[ev_col].to_numpy(dtype=float, na_value=np.nan)
        if binned:
            rel = np.clip(rel, lo, hi)  # NaN (never treated) stays NaN
        for k in range(lo, hi + 1):
            if k == ref:
                continue
            name = f"event[{k}]"
            frame[name] = (rel == k).astype(float)
            event_terms.append(name)
    inter_terms: list[str] = []
    for inter in spec.interactions:
        prod = np.ones(len(frame))
        for c in inter:
            if c not in categorical:
                prod = prod * frame[c].to_numpy(dtype=float)
        cats = [c for c in inter if c in categorical]
        if not cats:
            name = ":".join(inter)
            frame[name] = prod
            inter_terms.append(name)
            continue
        cat = frame[cats[0]]
        for level in sorted(pd.unique(cat), key=str):
            name = ":".join(f"{c}[{level}]" if c == cats[0] else c for c in inter)
            frame[name] = prod * (cat == level).to_numpy(dtype=float)
            inter_terms.append(name)
    if spec.weights:
        w = frame[spec.weights].to_numpy(dtype=float)
        if (w <= 0).any():
            raise PanelDataError(f"{table}: column '{spec.weights}' (weights) must be positive; "
                                 f"offending values {list(w[w <= 0][:5])}")
    # (entity, time) must identify a row for the differencing and RE estimators, and for the
    # within estimator when both entity and time are effects on their own (a two-way panel);
    # other effects (e.g. region x sector cells) make repeated (entity, time) keys legitimate
    effects = spec.resolved_effects
    two_way = spec.resolved_estimator == "within" and (spec.entity,) in effects and (spec.time,) in effects
    check = two_way or spec.resolved_estimator in ("first_difference", "long_difference", "random_effects")
    dup = frame.duplicated([spec.entity, spec.time], keep=False) if check else pd.Series(False, index=frame.index)
    if dup.any():
        keys = list(dict.fromkeys(map(tuple, frame.loc[dup, [spec.entity, spec.time]].values.tolist())))
        raise PanelDataError(f"{table}: model '{spec.model_id}' ({spec.resolved_estimator}) needs one row per "
                             f"({spec.entity}, {spec.time}); {len(keys)} key(s) are duplicated: {first_few(keys)}")
    if frame.empty:
        raise PanelDataError(f"{table}: no rows left for model '{spec.model_id}' after filters "
                             f"({n_filtered} removed) and missing values ({int(na.sum())} removed)")
    return PreparedData(frame.reset_index(drop=True), {"filtered": n_filtered, "missing": int(na.sum())},
                        (*spec.regressors, *inter_terms, *event_terms))
