"""Immutable result records of shift-share inference, with a JSON writer.

Non-finite numbers (an unbounded AKM0 set) are written as JSON ``null``; the
field ``ci_type`` then says what the set is:

* ``"interval"``: ``[ci_low, ci_high]``;
* ``"complement"``: ``(-inf, ci_high] U [ci_low, +inf)`` (AKM0 when the
  shift-share regressor/instrument is weak; ``ci_low > ci_high`` as in R);
* ``"real_line"``: ``(-inf, +inf)``;
* ``"none"``: no confidence set was computed (``ri``: a randomization p-value only;
  ``ci_low``/``ci_high`` are ``null``).

:class:`ShiftShareResult` implements the package's one results protocol
(:class:`i4districts.results.ResultProtocol`, ``kind = "shiftshare"``): its
``tidy()``/``coefficients`` row is the shift-share coefficient under the *primary*
method (``ri`` when computed, else AKM when computed, else the first computed method; ``.vcov("ehw")`` returns
a new result with another primary method), and ``to_dict()`` has the common keys
plus the per-method results under ``methods``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
from scipy import stats

from i4districts.results import ResultProtocol

from i4districts.shiftshare.methods import ALL_METHODS, METHODS, RI  # noqa: E402 (re-exported)

R_LABELS: dict[str, str] = {
    "homoskedastic": "Homoscedastic",
    "ehw": "EHW",
    "cluster": "Reg. cluster",
    "akm": "AKM",
    "akm0": "AKM0",
    "ri": "RI (permuted shifts)",
}
"""ShiftShareSE's printed names of the methods."""

CORRECTION_LABELS: dict[str, str] = {
    "homoskedastic": "OLS: s2 = e'e/(N-p); IV: none (ShiftShareSE)",
    "ehw": "OLS: N/(N-p) (HC1); IV: none (ShiftShareSE)",
    "cluster": "OLS: G/(G-1)(N-1)/(N-p) (CR1); IV: none (ShiftShareSE)",
    "akm": "none (AKM 2019, eq. 36; sector clusters)",
    "akm0": "none (AKM 2019, Remark 6: null-imposed, confidence set by test inversion)",
    "ri": "none: exact randomization p-value of the studentised t over permutations of the shifts "
          "(Borusyak and Hull 2023); the standard error is the studentisation's (EHW HC1 or region-cluster CR1)",
}
"""Named small-sample corrections of the methods (see :mod:`i4districts.shiftshare.akm`)."""


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
class ShiftShareResult(ResultProtocol):
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
    primary_method: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """JSON-ready additions written under ``extra`` (``ri``, ``placebo``, ``diagnostics``, ...)."""

    kind = "shiftshare"

    def method(self, name: str) -> MethodResult:
        for m in self.methods:
            if m.method == name:
                return m
        raise KeyError(f"method {name!r} not computed; have {[m.method for m in self.methods]}")

    # ------------------------------------------------------------- protocol
    @property
    def primary(self) -> MethodResult:
        """The method reported by ``tidy()``/``coefficients``: ``primary_method``, else ``ri``, else AKM,
        else the first."""
        if self.primary_method is not None:
            return self.method(self.primary_method)
        names = [m.method for m in self.methods]
        for pref in (RI, "akm"):
            if pref in names:
                return self.method(pref)
        return self.methods[0]

    def vcov(self, method: str) -> "ShiftShareResult":
        """A NEW result whose primary (reported) method is ``method`` (one already computed)."""
        self.method(method)  # KeyError naming the computed methods
        return replace(self, primary_method=method)

    @property
    def coefficients(self) -> pd.DataFrame:
        """The tidy row(s): the shift-share coefficient under the primary method."""
        return self.tidy()

    def _tidy_records(self) -> list[dict[str, Any]]:
        m = self.primary
        se = m.std_error
        t = (m.estimate - self.beta0) / se if se and math.isfinite(se) and se > 0 else (
            0.0 if se and math.isinf(se) else float("nan"))
        return [{"term": self.regressor, "estimate": m.estimate, "std_error": se, "t": t, "p": m.p,
                 "ci_low": m.ci_low, "ci_high": m.ci_high}]

    def _nobs(self) -> int:
        return self.n

    def _outcome(self) -> str | None:
        return self.outcome

    def _inference(self) -> dict[str, Any]:
        m = self.primary
        clusters, n_clusters = [], None
        if m.method in ("akm", "akm0"):
            clusters, n_clusters = ["sector"], self.n_sector_clusters or self.n_sectors
        elif m.method == "cluster":
            clusters, n_clusters = ["region"], self.n_region_clusters
        ri = self.extra.get("ri") if isinstance(self.extra, dict) else None
        if m.method == RI and ri:
            if ri.get("studentization") == "cluster":
                clusters, n_clusters = ["region"], self.n_region_clusters
            return {
                "type": RI, "method": RI, "label": R_LABELS[RI], "correction": RI,
                "correction_label": CORRECTION_LABELS[RI], "clusters": clusters, "n_clusters": n_clusters,
                "ci_type": m.ci_type, "distribution": "randomization", "df": None, "alpha": self.alpha,
                "beta0": self.beta0, "methods_computed": [x.method for x in self.methods],
                "studentization": ri.get("studentization"), "permutations": ri.get("permutations"),
                "exact": ri.get("exact"),
            }
        return {
            "type": m.method,
            "method": m.method,
            "label": R_LABELS.get(m.method, m.method),
            "correction": m.method,
            "correction_label": CORRECTION_LABELS.get(m.method, ""),
            "clusters": clusters,
            "n_clusters": n_clusters,
            "ci_type": m.ci_type,
            "distribution": "normal",
            "df": None,
            "alpha": self.alpha,
            "beta0": self.beta0,
            "methods_computed": [x.method for x in self.methods],
        }

    def _summary_lines(self) -> list[str]:
        lines = [f"Sectors: {self.n_sectors} ({len(self.dropped_sectors)} collinear dropped)"
                 + (f"    First stage: {self.first_stage:.4f}" if self.first_stage is not None else "")]
        z = stats.norm.ppf(1 - self.alpha / 2)
        others = [f"{R_LABELS.get(x.method, x.method)} {_fmt_se(x.std_error)}" for x in self.methods]
        lines.append("Std. errors by method: " + ", ".join(others) + f" (z = {z:.3f})")
        return lines

    def _extras(self) -> dict[str, Any]:
        d = asdict(self)
        d["dropped_sectors"] = [_plain(v) for v in self.dropped_sectors]
        d["controls"] = list(self.controls)
        d["methods"] = {m.method: _finite_or_none(asdict(m)) for m in self.methods}
        for m in d["methods"].values():
            m.pop("method")
        d["primary_method"] = self.primary.method
        return _finite_or_none(d)

    def to_frame(self) -> pd.DataFrame:
        """One row per method (for a Parquet table of coefficients)."""
        rows = [
            {"model_id": self.model_id, "estimator": self.estimator, "outcome": self.outcome,
             "term": self.regressor, **asdict(m)}
            for m in self.methods
        ]
        return pd.DataFrame(rows)


def _fmt_se(x: float) -> str:
    return f"{x:.4f}" if math.isfinite(x) else "inf"


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
    """Write one :class:`ShiftShareResult` as JSON (atomic); same as ``result.write_json(path)``."""
    return result.write_json(path)


def write_result_parquet(result: ShiftShareResult, path: str | Path) -> Path:
    """Write one row per method (:meth:`ShiftShareResult.to_frame`) as Parquet (atomic)."""
    return result.write_parquet(path)
