"""Immutable result records of shift-share inference, with a JSON writer.

Non-finite numbers (an unbounded AKM0 set) are written as JSON ``null``; the
field ``ci_type`` then says what the set is:

* ``"interval"``: ``[ci_low, ci_high]``;
* ``"complement"``: ``(-inf, ci_high] U [ci_low, +inf)`` (AKM0 when the
  shift-share regressor/instrument is weak; ``ci_low > ci_high`` as in R);
* ``"real_line"``: ``(-inf, +inf)``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from i4districts.io import write_json, write_parquet

METHODS: tuple[str, ...] = ("homoskedastic", "ehw", "cluster", "akm", "akm0")
"""Method names used in specs and records (ShiftShareSE's ``method="all"``)."""

R_LABELS: dict[str, str] = {
    "homoskedastic": "Homoscedastic",
    "ehw": "EHW",
    "cluster": "Reg. cluster",
    "akm": "AKM",
    "akm0": "AKM0",
}
"""ShiftShareSE's printed names of the methods."""


@dataclass(frozen=True)
class MethodResult:
    """Inference on the shift-share coefficient under one method."""

    method: str
    estimate: float
    std_error: float
    p: float
    ci_low: float
    ci_high: float
    ci_type: str = "interval"


@dataclass(frozen=True)
class ShiftShareResult:
    """One shift-share OLS or IV estimate with inference under several methods.

    ``std_error`` of AKM0 is the normalised length of its confidence set,
    ``(ci_high - ci_low) / (2 z_{1-alpha/2})`` (ShiftShareSE convention), and its
    p-value uses the null-imposed AKM0 standard error.
    """

    estimator: str  # "ols" or "iv"
    outcome: str
    regressor: str  # the shift-share regressor (OLS) or the endogenous variable (IV)
    instrument: str | None
    estimate: float
    n: int
    rank: int  # columns of [X, Z] actually used (p in the small-sample corrections)
    n_sectors: int
    dropped_sectors: tuple[Any, ...]
    n_sector_clusters: int | None
    n_region_clusters: int | None
    alpha: float
    beta0: float
    weights: str | None
    methods: tuple[MethodResult, ...]
    first_stage: float | None = None
    model_id: str | None = None
    controls: tuple[str, ...] = field(default_factory=tuple)
    reference: str = (
        "Adao, Kolesar and Morales (2019), Shift-Share Designs: Theory and "
        "Inference, QJE 134(4), 1949-2010; R package ShiftShareSE"
    )

    def method(self, name: str) -> MethodResult:
        for m in self.methods:
            if m.method == name:
                return m
        raise KeyError(f"method {name!r} not computed; have {[m.method for m in self.methods]}")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["dropped_sectors"] = [_plain(v) for v in self.dropped_sectors]
        d["controls"] = list(self.controls)
        d["methods"] = {m.method: _finite_or_none(asdict(m)) for m in self.methods}
        for m in d["methods"].values():
            m.pop("method")
        return _finite_or_none(d)

    def to_frame(self) -> pd.DataFrame:
        """One row per method (for a Parquet table of coefficients)."""
        rows = [
            {"model_id": self.model_id, "estimator": self.estimator, "outcome": self.outcome,
             "term": self.regressor, **asdict(m)}
            for m in self.methods
        ]
        return pd.DataFrame(rows)


def _plain(v: Any) -> Any:
    if hasattr(v, "item"):
        return v.item()
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    return v


def _finite_or_none(d: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        if isinstance(v, float) and not math.isfinite(v):
            out[k] = None
        else:
            out[k] = _plain(v)
    return out


def write_result_json(result: ShiftShareResult, path: str | Path) -> Path:
    """Write one :class:`ShiftShareResult` as JSON (atomic)."""
    return write_json(result.to_dict(), path)


def write_result_parquet(result: ShiftShareResult, path: str | Path) -> Path:
    """Write one row per method (:meth:`ShiftShareResult.to_frame`) as Parquet (atomic)."""
    return write_parquet(result.to_frame(), path)
