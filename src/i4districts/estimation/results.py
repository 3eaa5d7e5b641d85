"""Immutable estimation results with atomic JSON and Parquet writers (never pickle)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from i4districts.io import atomic_path

__all__ = ["Term", "EstimationResult", "atomic_write_bytes", "coefficient_table"]

COEF_COLUMNS = ["term", "estimate", "std_error", "t", "p", "ci_low", "ci_high"]


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (:func:`i4districts.io.atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


@dataclass(frozen=True)
class Term:
    """One coefficient: estimate, standard error, t, two-sided p and confidence interval."""

    term: str
    estimate: float
    std_error: float
    t: float
    p: float
    ci_low: float
    ci_high: float


def coefficient_table(
    names: list[str], params: np.ndarray, cov: np.ndarray, *, df: int | None, alpha: float = 0.05
) -> tuple[Term, ...]:
    """Terms from estimates and covariance; t distribution with ``df`` (normal if None)."""
    from scipy import stats

    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        tstat = params / se
    dist = stats.norm if df is None else stats.t(df)
    p = 2 * dist.sf(np.abs(tstat))
    q = dist.ppf(1 - alpha / 2)
    return tuple(
        Term(n, float(b), float(s), float(tv), float(pv), float(b - q * s), float(b + q * s))
        for n, b, s, tv, pv in zip(names, params, se, tstat, p)
    )


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class EstimationResult:
    """One estimated model. Immutable; ``coefficients`` returns a fresh DataFrame."""

    model_id: str
    spec: dict[str, Any] = field(hash=False)
    estimator: str
    cov_type: str
    cov_correction: str
    terms: tuple[Term, ...]
    vcov: tuple[tuple[float, ...], ...]
    nobs: int
    n_entities: int
    n_periods: int
    n_clusters: int | None
    n_clusters_by_dim: tuple[int, ...]
    df_resid: int
    df_fe: int
    df_inference: int | None
    r2: float | None
    r2_within: float | None
    fixed_effects: tuple[str, ...] = ()
    demean_algorithm: str = "none"
    dropped: dict[str, int] = field(default_factory=dict, hash=False)
    first_stage: dict[str, Any] | None = field(default=None, hash=False)
    extra: dict[str, Any] = field(default_factory=dict, hash=False)
    bandwidth: float | None = None

    @property
    def coefficients(self) -> pd.DataFrame:
        """term, estimate, std_error, t, p, ci_low, ci_high (one row per term)."""
        return pd.DataFrame([t.__dict__ for t in self.terms], columns=COEF_COLUMNS)

    @property
    def params(self) -> pd.Series:
        return pd.Series({t.term: t.estimate for t in self.terms}, name="estimate")

    @property
    def std_errors(self) -> pd.Series:
        return pd.Series({t.term: t.std_error for t in self.terms}, name="std_error")

    @property
    def cov(self) -> pd.DataFrame:
        names = [t.term for t in self.terms]
        return pd.DataFrame(np.array(self.vcov, dtype=float).reshape(len(names), len(names)), index=names, columns=names)

    @property
    def first_stage_f(self) -> float | None:
        """Kleibergen-Paap rk Wald F of the first stage (IV only)."""
        return None if self.first_stage is None else self.first_stage.get("kleibergen_paap_f")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (non-finite numbers become null)."""
        return _clean(
            {
                "model_id": self.model_id,
                "spec": self.spec,
                "estimator": self.estimator,
                "cov_type": self.cov_type,
                "cov_correction": self.cov_correction,
                "bandwidth": self.bandwidth,
                "nobs": self.nobs,
                "n_entities": self.n_entities,
                "n_periods": self.n_periods,
                "n_clusters": self.n_clusters,
                "n_clusters_by_dim": list(self.n_clusters_by_dim),
                "df_resid": self.df_resid,
                "df_fe": self.df_fe,
                "df_inference": self.df_inference,
                "r2": self.r2,
                "r2_within": self.r2_within,
                "fixed_effects": list(self.fixed_effects),
                "demean_algorithm": self.demean_algorithm,
                "dropped": dict(self.dropped),
                "first_stage": self.first_stage,
                "first_stage_f": self.first_stage_f,
                "extra": self.extra,
                "coefficients": [t.__dict__ for t in self.terms],
                "vcov": [list(r) for r in self.vcov],
            }
        )

    def write_json(self, path: str | Path) -> Path:
        """Atomically write :meth:`to_dict` as indented JSON."""
        data = json.dumps(self.to_dict(), indent=2, sort_keys=False, allow_nan=False).encode()
        atomic_write_bytes(path, data + b"\n")
        return Path(path)

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient with the model-level fields repeated."""
        df = self.coefficients
        df.insert(0, "model_id", self.model_id)
        df["estimator"] = self.estimator
        df["cov_type"] = self.cov_type
        df["cov_correction"] = self.cov_correction
        df["nobs"] = self.nobs
        df["n_entities"] = self.n_entities
        df["n_clusters"] = pd.array([self.n_clusters] * len(df), dtype="Int64")
        df["r2_within"] = self.r2_within
        df["first_stage_f"] = self.first_stage_f
        return df

    def write_parquet(self, path: str | Path) -> Path:
        """Atomically write :meth:`to_frame` as Parquet (pyarrow)."""
        import io

        buf = io.BytesIO()
        self.to_frame().to_parquet(buf, engine="pyarrow", index=False)
        atomic_write_bytes(path, buf.getvalue())
        return Path(path)
